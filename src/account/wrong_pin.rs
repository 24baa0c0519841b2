//! Wrong PINs: how a guess is counted in its lane and answered like an unknown person's
//! (R25, R25a, R25b, R30, R30a). [`Account::decide`] picks which of these applies.

use jiff::Timestamp;
use rand_core::CryptoRng;

use crate::account::event::Event;
use crate::account::outcome::{FailureDetail, LaneClosed, LoginFailure, Outcome, Reply};
use crate::account::verify::{lane_device, lane_lockout};
use crate::account::{Account, Context};
use crate::device::Lane;
use crate::lockout::{LockState, NextFailure};
use crate::notification::Notice;
use crate::secret::EnteredPin;

impl Account {
    /// A wrong PIN at a login or renewal: counted in its lane, answered like an unknown person
    /// (R25, R25a, R30); what operators need goes in [`Outcome::failure`]. At the lane's block
    /// the PIN is blocked for every client without a trusted device (and the person told), or
    /// the device is forgotten; no session ends, since the PIN that opened them is unchanged
    /// (R31). One event per guess: the delay's end follows from its instant. A PIN of a length
    /// no code of the account has was checked against no hash (R25b): it is counted all the
    /// same, as any guess.
    pub(super) fn wrong_pin<R: CryptoRng + ?Sized>(
        &self,
        context: &Context<'_, R>,
        lane: &Lane,
    ) -> Outcome {
        let now = context.now;
        let lockout = lane_lockout(context.policy, lane);
        let lock = self.pin.as_ref().and_then(|record| record.lock(lane));
        let already_blocked = lock.is_some_and(LockState::is_blocked);
        let next = lock.map_or(
            NextFailure {
                failures: 1,
                blocks: lockout.blocks(1),
            },
            |lock| lock.next_failure(lockout),
        );
        let device = lane_device(lane);
        let mut outcome =
            Outcome::new(Reply::LoginFailed(LoginFailure::new())).with_event(Event::LoginFailed {
                at: now,
                device: device.clone(),
                blocks: next.blocks,
            });
        outcome.failure = Some(FailureDetail {
            consecutive_failures: next.failures,
            retry_after: (!next.blocks && !already_blocked)
                .then(|| lockout.delay_after(next.failures))
                .flatten()
                .map(|delay| now.checked_add(delay).unwrap_or(Timestamp::MAX)),
            blocks: next.blocks,
            device,
            first_access: false,
            counted: true,
            closed: None,
        });
        if next.blocks && *lane == Lane::Anonymous {
            return self.notify(outcome, Notice::PinBlocked);
        }
        outcome
    }

    /// A wrong 16 at a first access (R25b): counted in the lane of the 16 that waits for it,
    /// which slows further first accesses by its own delays and never blocks them; no login
    /// lane, no PIN in use and no session is touched. Where no 16 waits (`unverified`) there
    /// is nothing to guess at: no hash was checked, and nothing is counted or written. Either
    /// way the person reads a wrong PIN's answer (R30).
    pub(super) fn wrong_first_access<R: CryptoRng + ?Sized>(
        &self,
        context: &Context<'_, R>,
        unverified: bool,
    ) -> Outcome {
        let now = context.now;
        let counted_so_far = self
            .pin
            .as_ref()
            .map_or(0, |record| record.first_access_lock.failures());
        let outcome = Outcome::new(Reply::LoginFailed(LoginFailure::new()));
        let (mut outcome, failures) = if unverified {
            (outcome, counted_so_far)
        } else {
            (
                outcome.with_event(Event::FirstAccessFailed { at: now }),
                counted_so_far.saturating_add(1),
            )
        };
        outcome.failure = Some(FailureDetail {
            consecutive_failures: failures,
            retry_after: (!unverified)
                .then(|| context.policy.first_access_delays.delay_after(failures))
                .flatten()
                .map(|delay| now.checked_add(delay).unwrap_or(Timestamp::MAX)),
            blocks: false,
            device: None,
            first_access: true,
            counted: !unverified,
            closed: None,
        });
        outcome
    }

    /// A guess turned away by a closed lane (R25b, R30a): no PIN checked, no Argon2 run,
    /// nothing written; the person reads a wrong PIN's answer, and operators read why in
    /// [`Outcome::failure`].
    pub(super) fn turned_away(
        &self,
        closed: LaneClosed,
        lane: &Lane,
        first_access: bool,
    ) -> Outcome {
        let lock = self.pin.as_ref().and_then(|record| {
            if first_access {
                Some(&record.first_access_lock)
            } else {
                record.lock(lane)
            }
        });
        let mut outcome = Outcome::new(Reply::LoginFailed(LoginFailure::new()));
        outcome.failure = Some(FailureDetail {
            consecutive_failures: lock.map_or(0, LockState::failures),
            retry_after: match closed {
                LaneClosed::Delayed { retry_after } => Some(retry_after),
                LaneClosed::Blocked => None,
            },
            blocks: false,
            device: lane_device(lane),
            first_access,
            counted: false,
            closed: Some(closed),
        });
        outcome
    }
}

/// A PIN typed for an account that has none: nothing to count, the same answer as an unknown
/// person (R30), after a decoy verification at what the stored hashes cost (R30a).
pub(super) fn unknown_pin<R: CryptoRng + ?Sized>(
    pin: &EnteredPin,
    context: &Context<'_, R>,
) -> Outcome {
    Outcome::new(Reply::LoginFailed(LoginFailure::for_unknown_person_at(
        context.policy,
        context.decoy_cost(),
        pin,
    )))
}
