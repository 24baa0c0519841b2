//! Events: what happened to an account, the facts it is rebuilt from (R29).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::assurance::{AssuranceLevel, Credential};
use crate::channel::Channel;
use crate::hash::PinHash;
use crate::person::Person;

/// A fact about an account. Applying an account's events in order, from
/// [`Account::new`](crate::Account::new), rebuilds it exactly (R29).
///
/// Events hold PIN hashes, never PINs (R8).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Event {
    /// A 16-character PIN was issued (R5, R10–R13).
    PinIssued {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// The person as the request gave them: contacts and residence as of now. Boxed so
        /// that the other events, which are most of a stored log, stay small.
        person: Box<Person>,
        /// Through which channel.
        channel: Channel,
        /// The level it starts at.
        assurance: AssuranceLevel,
        /// Hash of all 16 characters.
        whole: PinHash,
        /// Hash of the first 8, kept only when some service accepts the first half (R9a).
        first_half: Option<PinHash>,
        /// When the 16 lapses if unused (R9).
        #[serde(with = "crate::timestamp_serde")]
        lapses_at: Timestamp,
    },
    /// The first access exchanged the 16 characters for an 8-character PIN (R6).
    FirstAccessCompleted {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// Hash of the new 8-character PIN.
        pin: PinHash,
        /// Its level: the first PIN's, earned by the channel's identity check.
        assurance: AssuranceLevel,
    },
    /// A login succeeded.
    LoggedIn {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// With the PIN, or its first half alone (R9a).
        credential: Credential,
    },
    /// A login or first access with a wrong PIN: counted (R25).
    LoginFailed {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
}

impl Event {
    /// When it happened.
    #[must_use]
    pub fn at(&self) -> Timestamp {
        match self {
            Event::PinIssued { at, .. }
            | Event::FirstAccessCompleted { at, .. }
            | Event::LoggedIn { at, .. }
            | Event::LoginFailed { at } => *at,
        }
    }

    /// A stable name for logs.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Event::PinIssued { .. } => "pin_issued",
            Event::FirstAccessCompleted { .. } => "first_access_completed",
            Event::LoggedIn { .. } => "logged_in",
            Event::LoginFailed { .. } => "login_failed",
        }
    }
}
