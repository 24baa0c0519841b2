//! Evolve: apply one event. Infallible and deterministic, so replay rebuilds the account (R29).

use crate::account::event::Event;
use crate::account::{Account, ActivePin, FirstPin, PinState};
use crate::assurance::AssuranceLevel;
use crate::person::Person;

impl Account {
    /// Applies one event and counts it in the version.
    ///
    /// Events are facts: this never fails and never checks them again. Apply only events that
    /// [`Account::decide`] returned for this account, in order.
    pub fn evolve(&mut self, event: &Event) {
        match event {
            Event::PinIssued {
                person,
                assurance,
                whole,
                first_half,
                lapses_at,
                ..
            } => {
                self.person = Some(Person::clone(person));
                // A request for an earlier PIN is not a request for this one.
                self.pending_upgrade = None;
                self.start_first_pin(*assurance, whole, first_half, *lapses_at);
            }
            Event::PinRestored {
                assurance,
                whole,
                first_half,
                lapses_at,
                ..
            } => self.start_first_pin(*assurance, whole, first_half, *lapses_at),
            Event::FirstAccessCompleted {
                pin,
                assurance,
                expires_at,
                ..
            } => {
                self.pin = PinState::Active(ActivePin {
                    assurance: *assurance,
                    hash: pin.clone(),
                    expires_at: *expires_at,
                    warned: false,
                    expiry_noted: false,
                });
                self.clear_failures();
            }
            Event::PinRenewed {
                pin, expires_at, ..
            } => {
                if let PinState::Active(active) = &mut self.pin {
                    active.hash = pin.clone();
                    active.expires_at = *expires_at;
                    active.warned = false;
                    active.expiry_noted = false;
                }
                self.clear_failures();
            }
            Event::LoggedIn { .. } => self.clear_failures(),
            Event::LoginFailed {
                retry_not_before, ..
            } => {
                self.consecutive_failures = self.consecutive_failures.saturating_add(1);
                self.retry_not_before = *retry_not_before;
            }
            Event::PinBlocked { .. } => {
                self.blocked = true;
                self.retry_not_before = None;
            }
            Event::LoginDelayEnded { .. } => self.retry_not_before = None,
            Event::FirstPinLapsed { .. } => {
                if let PinState::AwaitingFirstAccess(first) = &mut self.pin {
                    first.lapse_noted = true;
                }
            }
            Event::ExpiryWarned { .. } => {
                if let PinState::Active(active) = &mut self.pin {
                    active.warned = true;
                }
            }
            Event::PinExpired { .. } => {
                if let PinState::Active(active) = &mut self.pin {
                    active.warned = true;
                    active.expiry_noted = true;
                }
            }
            Event::UpgradeRequested { via, .. } => self.pending_upgrade = Some(*via),
            Event::UpgradeApproved { .. } => {
                match &mut self.pin {
                    PinState::None => {}
                    PinState::AwaitingFirstAccess(first) => {
                        first.assurance = AssuranceLevel::Dispositivo
                    }
                    PinState::Active(active) => active.assurance = AssuranceLevel::Dispositivo,
                }
                self.pending_upgrade = None;
            }
            Event::UpgradeRejected { .. } => self.pending_upgrade = None,
            Event::PinRevoked { .. } => {
                self.pin = PinState::None;
                self.pending_upgrade = None;
                self.clear_failures();
            }
        }
        self.version = self.version.saturating_add(1);
    }

    /// A new 16-character PIN, from a request or a restore: failures, delays and blocks end.
    fn start_first_pin(
        &mut self,
        assurance: AssuranceLevel,
        whole: &crate::hash::PinHash,
        first_half: &Option<crate::hash::PinHash>,
        lapses_at: jiff::Timestamp,
    ) {
        self.pin = PinState::AwaitingFirstAccess(FirstPin {
            assurance,
            whole: whole.clone(),
            first_half: first_half.clone(),
            lapses_at,
            lapse_noted: false,
        });
        self.clear_failures();
    }

    fn clear_failures(&mut self) {
        self.consecutive_failures = 0;
        self.retry_not_before = None;
        self.blocked = false;
    }
}
