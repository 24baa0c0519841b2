//! Formats 1 and 2: the events as the crate wrote them before the person's data was kept
//! apart from the security facts (R36).
//!
//! Kept, field for field and variant for variant, so that a stream written then still decodes
//! in every format, postcard included (whose layout is the declaration order), and is turned
//! into today's events by [`From`]. Format 1 is format 2 without its last kind of event,
//! `FirstAccessFailed`, so both read with this layout. Format 3 changed two variants: a PIN
//! issued records its role beside a person that may be absent, and a rejection's reason may be
//! absent. Read, never written.

#![allow(missing_docs)] // a frozen copy of an old layout: its docs are the old ones, in git

use jiff::Timestamp;
use serde::Deserialize;

use crate::assurance::{AssuranceLevel, Credential};
use crate::channel::{Channel, OperatorId};
use crate::device::DeviceId;
use crate::hash::PinHash;
use crate::person::Person;
use crate::upgrade::{RejectionReason, UpgradeVia};

#[derive(Clone, Debug, PartialEq, Eq, Deserialize)]
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
        #[serde(default)]
        archive_checked_by: Option<OperatorId>,
        #[serde(default)]
        document_checked_by: Option<OperatorId>,
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
        #[serde(default)]
        device: Option<DeviceId>,
        #[serde(default)]
        rehashed: Option<PinHash>,
    },
    LoginFailed {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        #[serde(default)]
        device: Option<DeviceId>,
        #[serde(default)]
        blocks: bool,
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
        #[serde(default)]
        device: Option<DeviceId>,
    },
    UpgradeRequested {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        via: UpgradeVia,
        #[serde(default)]
        checked_by: Option<OperatorId>,
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
        #[serde(default)]
        checked_by: Option<OperatorId>,
    },
    RestoreRequested {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        whole: PinHash,
        #[serde(with = "crate::timestamp_serde")]
        lapses_at: Timestamp,
    },
    DeviceTrusted {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        device: DeviceId,
        hash: PinHash,
        replaces: Option<DeviceId>,
    },
    FirstAccessFailed {
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
}
