//! The account's phase: where its PIN is in its life at an instant, derived in one place.
//!
//! The stored state says what happened (a 16 issued on a date, an 8 in use until a date, a
//! block); the phase also depends on the clock and the policy (a 16 lapses, an 8 enters its
//! warning window and expires, the sunset retires every PIN). [`Account::status`] is the one
//! function that works it out: the R14 check, every decision and the lifecycle table read the
//! phase from it, and nothing re-derives a phase inline.

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};

use crate::account::{Account, Stage};
use crate::assurance::AssuranceLevel;
use crate::civil_time::{add_rome_days, rome_start_of_day};
use crate::device::Lane;
use crate::lockout::LockState;
use crate::policy::Policy;

/// Declares a fieldless enum with its documented variants and the list of all of them, from one
/// list, so the list can never miss a variant.
macro_rules! listed_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident {
            $( $(#[doc = $doc:literal])* $variant:ident => $label:literal, )+
        }
    ) => {
        $(#[$meta])*
        $vis enum $name {
            $( $(#[doc = $doc])* $variant, )+
        }

        impl $name {
            /// Every variant, in the order they are declared.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];

            /// The variant's name, as in the code.
            #[must_use]
            pub fn name(self) -> &'static str {
                match self {
                    $($name::$variant => stringify!($variant),)+
                }
            }

            /// A short description, in English, for diagrams and logs.
            #[must_use]
            pub fn label(self) -> &'static str {
                match self {
                    $($name::$variant => $label,)+
                }
            }
        }
    };
}
pub(crate) use listed_enum;

listed_enum! {
    /// Where an account's PIN is in its life: the rows of the lifecycle table
    /// ([`crate::lifecycle`]). Derived by [`Account::status`] from the stored state, the time and
    /// the policy.
    ///
    /// A phase hides the ones below it in this order of precedence: no PIN, then retired by
    /// the sunset, then blocked, then the PIN's own stage.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[non_exhaustive]
    pub enum Phase {
        /// No PIN: never issued, or revoked (R14: a request is welcome).
        NoPin => "no PIN",
        /// A 16-character PIN waits for its first access (R5, R6).
        AwaitingFirstAccess => "awaiting first access (16 characters)",
        /// The 16 was not used within its window and lapsed (R9): a new request is needed.
        FirstPinLapsed => "first PIN lapsed",
        /// The 8-character PIN is in use (R6).
        Active => "active (8 characters)",
        /// The 8-character PIN is in its warning window: the warning goes out and renewal is
        /// open (R21, R22).
        ExpiringSoon => "expiring soon: warned, renewable",
        /// The 8-character PIN expired: the guided renewal gives a new one (R20, R21).
        Expired => "expired",
        /// Blocked after too many wrong PINs until a restore or a revocation (R25).
        Blocked => "blocked",
        /// The sunset's retirement: no PIN works any more (R22a).
        Retired => "retired by the sunset",
    }
}

/// The state of an account's PIN at an instant, with what the person needs to know of it: its
/// [`Phase`] and that phase's data.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum PinStatus {
    /// No PIN: never issued, or revoked.
    None,
    /// A 16-character PIN waits for its first access, until `lapses_at`.
    AwaitingFirstAccess {
        /// Its level.
        assurance: AssuranceLevel,
        /// When it lapses if unused (R9).
        #[serde(with = "crate::timestamp_serde")]
        lapses_at: Timestamp,
    },
    /// The 16-character PIN was never used and has lapsed: a new request is needed (R9).
    FirstPinLapsed {
        /// When it lapsed.
        #[serde(with = "crate::timestamp_serde")]
        lapsed_at: Timestamp,
    },
    /// The 8-character PIN is in use.
    Active {
        /// Its level.
        assurance: AssuranceLevel,
        /// When it expires (R20).
        #[serde(with = "crate::timestamp_serde")]
        expires_at: Timestamp,
    },
    /// The 8-character PIN expires soon: the warning is due and renewal is open (R21, R22).
    ExpiringSoon {
        /// Its level.
        assurance: AssuranceLevel,
        /// When it expires (R20).
        #[serde(with = "crate::timestamp_serde")]
        expires_at: Timestamp,
    },
    /// The 8-character PIN expired: the guided renewal gives a new one (R21).
    Expired {
        /// Its level, which the renewal keeps.
        assurance: AssuranceLevel,
        /// When it expired.
        #[serde(with = "crate::timestamp_serde")]
        expired_at: Timestamp,
    },
    /// Blocked after wrong PINs: a restore lifts the block (R25).
    Blocked,
    /// No PIN works since the sunset's retirement (R22a).
    Retired {
        /// The first day no PIN works.
        since: Date,
    },
}

impl PinStatus {
    /// The phase, without its data: the row of the lifecycle table.
    #[must_use]
    pub fn phase(&self) -> Phase {
        match self {
            PinStatus::None => Phase::NoPin,
            PinStatus::AwaitingFirstAccess { .. } => Phase::AwaitingFirstAccess,
            PinStatus::FirstPinLapsed { .. } => Phase::FirstPinLapsed,
            PinStatus::Active { .. } => Phase::Active,
            PinStatus::ExpiringSoon { .. } => Phase::ExpiringSoon,
            PinStatus::Expired { .. } => Phase::Expired,
            PinStatus::Blocked => Phase::Blocked,
            PinStatus::Retired { .. } => Phase::Retired,
        }
    }
}

impl Account {
    /// The state of the PIN at `now` under `policy`: the one place the account's phase is
    /// derived (see [`Phase`] for the order of precedence).
    ///
    /// ```
    /// use inps_pin::{Account, CodiceFiscale, Phase, PinStatus, Policy};
    ///
    /// let account = Account::new(CodiceFiscale::parse("RSSMRA80A01H501U")?);
    /// let status = account.status("2026-11-30T10:00:00Z".parse()?, &Policy::default());
    /// assert_eq!(status, PinStatus::None);
    /// assert_eq!(status.phase(), Phase::NoPin);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// This is the phase every client without a trusted device meets; a trusted device has
    /// its own lock (R25a), so it may find the PIN open where everyone else finds it blocked.
    #[must_use]
    pub fn status(&self, now: Timestamp, policy: &Policy) -> PinStatus {
        self.status_in(now, policy, &Lane::Anonymous)
    }

    /// [`Account::status`] as a client in `lane` meets it: the block is the lane's own.
    pub(crate) fn status_in(&self, now: Timestamp, policy: &Policy, lane: &Lane) -> PinStatus {
        let Some(pin) = &self.pin else {
            return PinStatus::None;
        };
        if let Some(since) = retired_since(policy, now) {
            return PinStatus::Retired { since };
        }
        if pin.lock(lane).is_some_and(LockState::is_blocked) {
            return PinStatus::Blocked;
        }
        match &pin.stage {
            Stage::AwaitingFirstAccess(first) if now >= first.lapses_at => {
                PinStatus::FirstPinLapsed {
                    lapsed_at: first.lapses_at,
                }
            }
            Stage::AwaitingFirstAccess(first) => PinStatus::AwaitingFirstAccess {
                assurance: first.assurance,
                lapses_at: first.lapses_at,
            },
            Stage::Active(active) if now >= active.expires_at => PinStatus::Expired {
                assurance: active.assurance,
                expired_at: active.expires_at,
            },
            Stage::Active(active) if now >= active.renewable_from(policy) => {
                PinStatus::ExpiringSoon {
                    assurance: active.assurance,
                    expires_at: active.expires_at,
                }
            }
            Stage::Active(active) => PinStatus::Active {
                assurance: active.assurance,
                expires_at: active.expires_at,
            },
        }
    }

    /// The phase at `now` under `policy`: [`Account::status`] without the data.
    #[must_use]
    pub fn phase(&self, now: Timestamp, policy: &Policy) -> Phase {
        self.status(now, policy).phase()
    }
}

/// From when an 8-character PIN expiring at `expires_at` can be renewed and the warning goes
/// out: the policy's number of Rome calendar days before expiry (R21, R22).
pub(crate) fn renewable_from(expires_at: Timestamp, policy: &Policy) -> Timestamp {
    add_rome_days(expires_at, -i64::from(policy.expiry_warning_days))
}

/// The first day of the sunset's retirement, once `now` has reached it (R22a).
pub(crate) fn retired_since(policy: &Policy, now: Timestamp) -> Option<Date> {
    policy
        .sunset
        .map(|sunset| sunset.retired_from)
        .filter(|retired_from| now >= rome_start_of_day(*retired_from))
}
