//! Sessions end with their PIN (R31): which sessions to end, why, and the check of a session
//! against the account.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::CodiceFiscale;
use crate::account::phase::PinStatus;
use crate::account::{Account, Stage};
use crate::assurance::Session;
use crate::policy::Policy;

/// Why a session no longer stands (R31).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum SessionEnd {
    /// Another PIN replaced the one that opened it: a renewal, or the first access of a
    /// restore's code (or of the 16 whose first half opened it, R9a).
    Replaced,
    /// The PIN was revoked.
    Revoked,
    /// The PIN was blocked after wrong PINs. Never given: a block ends no session, since the
    /// guesses failed and the PIN that opened them is unchanged, and ending them would let a
    /// stranger log anyone out at will (R31, R25a). Kept so that effects a service stored with
    /// it still load.
    Blocked,
    /// The PIN expired (R20), or the 16 whose first half opened it lapsed (R9).
    Expired,
    /// The sunset retired every PIN (R22a).
    Retired,
    /// The session is another account's.
    OtherAccount,
    /// The person's data was erased, and the PIN with it (R36).
    PersonalDataErased,
}

/// The sessions a service must end now (R31): every session of `codice_fiscale` opened with a
/// PIN of generation up to `up_to_generation` (but those from trusted devices when
/// `trusted_devices_stand`, which no effect of the crate sets).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub struct EndSessions {
    /// Whose sessions.
    pub codice_fiscale: CodiceFiscale,
    /// Sessions whose [`Session::pin_generation`] is at most this.
    pub up_to_generation: u64,
    /// Why.
    pub reason: SessionEnd,
    /// Sessions opened from a trusted device stand. Always `false` in the effects the crate
    /// gives: the PIN that opened every one of them stopped being live. Kept so that effects
    /// a service stored with it still load and mean what they meant.
    pub trusted_devices_stand: bool,
}

impl EndSessions {
    /// Whether `session` is one to end.
    #[must_use]
    pub fn ends(&self, session: &Session) -> bool {
        session.codice_fiscale() == self.codice_fiscale
            && session
                .pin_generation()
                .is_some_and(|generation| generation <= self.up_to_generation)
            && !(self.trusted_devices_stand && session.from_trusted_device())
    }
}

impl Account {
    /// The PIN's generation now: what a session opened now would carry (R31).
    #[must_use]
    pub fn pin_generation(&self) -> u64 {
        self.pin_generation
    }

    /// Whether `session` still stands at `now` (R31): opened on this account, by the PIN that
    /// is live now, which has not expired, lapsed or been retired. Once no PIN is live the
    /// answer is [`SessionEnd::Revoked`], whether a revocation or an erasure (R36) ended it. A block ends no session
    /// (the PIN is unchanged). A session of a digital identity stands whatever the PIN does.
    ///
    /// # Errors
    /// The [`SessionEnd`] that ended it.
    pub fn check_session(
        &self,
        session: &Session,
        now: Timestamp,
        policy: &Policy,
    ) -> Result<(), SessionEnd> {
        if session.codice_fiscale() != self.codice_fiscale {
            return Err(SessionEnd::OtherAccount);
        }
        let Some(generation) = session.pin_generation() else {
            return Ok(());
        };
        if self.pin.is_none() {
            return Err(SessionEnd::Revoked);
        }
        if generation != self.pin_generation {
            return Err(SessionEnd::Replaced);
        }
        match self.status(now, policy) {
            PinStatus::Retired { .. } => Err(SessionEnd::Retired),
            PinStatus::Expired { .. } | PinStatus::FirstPinLapsed { .. } => {
                Err(SessionEnd::Expired)
            }
            // A block hides the stage, whose own end still ends the sessions.
            PinStatus::Blocked if self.pin_ended_by_the_clock(now) => Err(SessionEnd::Expired),
            _ => Ok(()),
        }
    }

    /// Whether the PIN's stage ended by the clock at `now`: the 8 expired, or the 16 lapsed.
    fn pin_ended_by_the_clock(&self, now: Timestamp) -> bool {
        match self.pin.as_ref().map(|record| &record.stage) {
            Some(Stage::Active(active)) => now >= active.expires_at,
            Some(Stage::AwaitingFirstAccess(first)) => now >= first.lapses_at,
            None => false,
        }
    }

    /// The sessions to end now that the live PIN stops being live for `reason`: all of them.
    pub(crate) fn end_sessions(&self, reason: SessionEnd) -> EndSessions {
        EndSessions {
            codice_fiscale: self.codice_fiscale,
            up_to_generation: self.pin_generation,
            reason,
            trusted_devices_stand: false,
        }
    }
}
