//! The account: one person's PIN record, driven by commands through decide and evolve.
//!
//! The states and transitions are drawn in the crate documentation.
//!
//! Handling a command is two steps. [`Account::decide`] reads the account, the command and the
//! caller's [`Context`] and returns the events and effects, or a [`Refusal`]; it changes
//! nothing, so a refusal needs no undo (R27). [`Account::evolve`] applies one event; it cannot
//! fail, and applying an account's events in order rebuilds it (R29). [`Account::handle`] does
//! both.

mod command;
mod decide;
mod event;
mod evolve;
mod outcome;
mod refusal;

pub use command::Command;
pub use event::Event;
pub use outcome::{Effect, LoginFailure, Outcome, Reply};
pub use refusal::Refusal;

use jiff::Timestamp;
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};

use crate::CodiceFiscale;
use crate::assurance::AssuranceLevel;
use crate::channel::Channel;
use crate::hash::PinHash;
use crate::person::Person;
use crate::policy::Policy;

/// What the caller passes into every command: the time, the policy and a random generator
/// (R26). The crate has no clock and no randomness of its own.
pub struct Context<'a, R: CryptoRng + ?Sized> {
    /// The current time.
    pub now: Timestamp,
    /// The rules in force.
    pub policy: &'a Policy,
    /// A cryptographic generator, for PIN characters and hash salts.
    pub rng: &'a mut R,
}

impl<'a, R: CryptoRng + ?Sized> Context<'a, R> {
    /// A context for one command.
    pub fn new(now: Timestamp, policy: &'a Policy, rng: &'a mut R) -> Self {
        Context { now, policy, rng }
    }
}

/// One person's PIN record, keyed by codice fiscale: the aggregate a service stores.
///
/// ```
/// use inps_pin::{Account, CodiceFiscale};
///
/// let cf = CodiceFiscale::parse("RSSMRA80A01H501U")?;
/// let account = Account::new(cf);
/// assert_eq!(account.version(), 0);
/// # Ok::<(), inps_pin::CodiceFiscaleError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Account {
    codice_fiscale: CodiceFiscale,
    version: u64,
    person: Option<Person>,
    pin: PinState,
    consecutive_failures: u32,
}

/// Where the account's PIN is in its life.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum PinState {
    /// Never issued.
    None,
    /// A 16-character PIN waits for its first access.
    AwaitingFirstAccess(FirstPin),
    /// The 8-character PIN is in use.
    Active(ActivePin),
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct FirstPin {
    channel: Channel,
    assurance: AssuranceLevel,
    whole: PinHash,
    first_half: Option<PinHash>,
    #[serde(with = "crate::timestamp_serde")]
    lapses_at: Timestamp,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct ActivePin {
    assurance: AssuranceLevel,
    hash: PinHash,
    #[serde(with = "crate::timestamp_serde")]
    set_at: Timestamp,
}

/// The state of an account's PIN at an instant, for callers to show or branch on.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum PinStatus {
    /// No PIN was ever issued.
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
    },
}

impl Account {
    /// An account with no PIN yet, for the person with this codice fiscale.
    #[must_use]
    pub fn new(codice_fiscale: CodiceFiscale) -> Account {
        Account {
            codice_fiscale,
            version: 0,
            person: None,
            pin: PinState::None,
            consecutive_failures: 0,
        }
    }

    /// Rebuilds an account from its events, oldest first (R29).
    ///
    /// ```
    /// # use inps_pin::*;
    /// # fn check(stored: &Account, events: &[Event]) {
    /// let rebuilt = Account::replay(stored.codice_fiscale(), events);
    /// assert_eq!(&rebuilt, stored);
    /// # }
    /// ```
    #[must_use]
    pub fn replay<'e>(
        codice_fiscale: CodiceFiscale,
        events: impl IntoIterator<Item = &'e Event>,
    ) -> Account {
        let mut account = Account::new(codice_fiscale);
        for event in events {
            account.evolve(event);
        }
        account
    }

    /// Decides and applies a command: the events are applied to the account and returned with
    /// the effects and the reply. A refusal leaves the account untouched (R27).
    ///
    /// # Errors
    /// A [`Refusal`] saying why the command cannot apply and what to do instead.
    pub fn handle<R: CryptoRng + ?Sized>(
        &mut self,
        command: Command,
        context: &mut Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        let outcome = self.decide(command, context)?;
        for event in &outcome.events {
            self.evolve(event);
        }
        Ok(outcome)
    }

    /// The person's codice fiscale: the account's key.
    #[must_use]
    pub fn codice_fiscale(&self) -> CodiceFiscale {
        self.codice_fiscale
    }

    /// How many events have been applied: for compare-and-swap updates in the caller's
    /// database (R29).
    #[must_use]
    pub fn version(&self) -> u64 {
        self.version
    }

    /// The person as the latest request gave them, once a PIN was requested.
    #[must_use]
    pub fn person(&self) -> Option<&Person> {
        self.person.as_ref()
    }

    /// Consecutive wrong PINs since the last success or the last PIN issued.
    #[must_use]
    pub fn consecutive_failures(&self) -> u32 {
        self.consecutive_failures
    }

    /// The state of the PIN at `now`.
    #[must_use]
    pub fn status(&self, now: Timestamp) -> PinStatus {
        match &self.pin {
            PinState::None => PinStatus::None,
            PinState::AwaitingFirstAccess(first) if now >= first.lapses_at => {
                PinStatus::FirstPinLapsed {
                    lapsed_at: first.lapses_at,
                }
            }
            PinState::AwaitingFirstAccess(first) => PinStatus::AwaitingFirstAccess {
                assurance: first.assurance,
                lapses_at: first.lapses_at,
            },
            PinState::Active(active) => PinStatus::Active {
                assurance: active.assurance,
            },
        }
    }
}
