//! Format 0: the events as the crate wrote them before stored forms carried a format version.
//!
//! Kept, field for field and variant for variant, so that a stream written then still decodes
//! in every format, postcard included (whose layout is the declaration order), and is turned
//! into today's events by [`From`]. Read, never written.

#![allow(missing_docs)] // a frozen copy of an old layout: its docs are the old ones, in git

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::assurance::{AssuranceLevel, Credential};
use crate::channel::{Channel, OperatorId};
use crate::hash::PinHash;
use crate::person::Person;
use crate::upgrade::{RejectionReason, UpgradeVia};

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) enum Event {
    PinIssued {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        person: Box<Person>,
        channel: Channel,
        assurance: AssuranceLevel,
        whole: PinHash,
        first_half: Option<PinHash>,
        #[serde(with = "crate::timestamp_serde")]
        lapses_at: Timestamp,
    },
    FirstAccessCompleted {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        pin: PinHash,
        assurance: AssuranceLevel,
        #[serde(with = "crate::timestamp_serde")]
        expires_at: Timestamp,
    },
    LoggedIn {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        credential: Credential,
    },
    LoginFailed {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        #[serde(with = "crate::timestamp_serde::option")]
        retry_not_before: Option<Timestamp>,
    },
    PinBlocked {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    LoginDelayEnded {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    FirstPinLapsed {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    ExpiryWarned {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    PinExpired {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    PinRenewed {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        pin: PinHash,
        #[serde(with = "crate::timestamp_serde")]
        expires_at: Timestamp,
    },
    UpgradeRequested {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        via: UpgradeVia,
    },
    UpgradeApproved {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        by: OperatorId,
    },
    UpgradeRejected {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        by: OperatorId,
        reason: RejectionReason,
    },
    PinRestored {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        assurance: AssuranceLevel,
        whole: PinHash,
        first_half: Option<PinHash>,
        #[serde(with = "crate::timestamp_serde")]
        lapses_at: Timestamp,
    },
    PinRevoked {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
}
