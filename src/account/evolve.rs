//! Evolve: apply one event. Infallible and deterministic, so replay rebuilds the account (R29).

use crate::account::event::Event;
use crate::account::{Account, ActivePin, FirstPin, PinState};
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
                channel,
                assurance,
                whole,
                first_half,
                lapses_at,
                ..
            } => {
                self.person = Some(Person::clone(person));
                self.pin = PinState::AwaitingFirstAccess(FirstPin {
                    channel: *channel,
                    assurance: *assurance,
                    whole: whole.clone(),
                    first_half: first_half.clone(),
                    lapses_at: *lapses_at,
                });
                self.consecutive_failures = 0;
            }
            Event::FirstAccessCompleted { at, pin, assurance } => {
                self.pin = PinState::Active(ActivePin {
                    assurance: *assurance,
                    hash: pin.clone(),
                    set_at: *at,
                });
                self.consecutive_failures = 0;
            }
            Event::LoggedIn { .. } => self.consecutive_failures = 0,
            Event::LoginFailed { .. } => {
                self.consecutive_failures = self.consecutive_failures.saturating_add(1);
            }
        }
        self.version = self.version.saturating_add(1);
    }
}
