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
pub use refusal::{LivePin, Refusal};

use jiff::Timestamp;
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};

use crate::CodiceFiscale;
use crate::assurance::AssuranceLevel;
use crate::civil_time::{add_rome_days, rome_start_of_day};
use crate::hash::PinHash;
use crate::person::Person;
use crate::policy::Policy;
use crate::upgrade::UpgradeVia;

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
    /// No try before this instant (R25).
    #[serde(with = "crate::timestamp_serde::option")]
    retry_not_before: Option<Timestamp>,
    /// Blocked until a restore or a revocation (R25).
    blocked: bool,
    /// A written upgrade request waiting for the back office (R17).
    pending_upgrade: Option<UpgradeVia>,
}

/// Where the account's PIN is in its life.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
enum PinState {
    /// Never issued, or revoked.
    None,
    /// A 16-character PIN waits for its first access.
    AwaitingFirstAccess(FirstPin),
    /// The 8-character PIN is in use.
    Active(ActivePin),
}

impl PinState {
    /// The level of the live PIN, if any.
    fn assurance(&self) -> Option<AssuranceLevel> {
        match self {
            PinState::None => None,
            PinState::AwaitingFirstAccess(first) => Some(first.assurance),
            PinState::Active(active) => Some(active.assurance),
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct FirstPin {
    assurance: AssuranceLevel,
    whole: PinHash,
    first_half: Option<PinHash>,
    #[serde(with = "crate::timestamp_serde")]
    lapses_at: Timestamp,
    /// The lapse was applied by the clock (and the person told).
    lapse_noted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct ActivePin {
    assurance: AssuranceLevel,
    hash: PinHash,
    #[serde(with = "crate::timestamp_serde")]
    expires_at: Timestamp,
    /// The expiry warning went out.
    warned: bool,
    /// The expiry was applied by the clock (and the person told).
    expiry_noted: bool,
}

impl ActivePin {
    /// From when the PIN can be renewed and the warning goes out: the policy's number of Rome
    /// calendar days before expiry (R21, R22).
    fn renewable_from(&self, policy: &Policy) -> Timestamp {
        add_rome_days(self.expires_at, -i64::from(policy.expiry_warning_days))
    }
}

/// What falls due at one of the PIN's own deadlines.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum PinDue {
    /// The unused 16 lapses (R9).
    Lapse,
    /// The expiry warning goes out (R22).
    Warning,
    /// The PIN expires (R20).
    Expiry,
}

/// The state of an account's PIN at an instant, for callers to show or branch on.
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
            retry_not_before: None,
            blocked: false,
            pending_upgrade: None,
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
            _ if self.blocked => PinStatus::Blocked,
            PinState::AwaitingFirstAccess(first) if now >= first.lapses_at => {
                PinStatus::FirstPinLapsed {
                    lapsed_at: first.lapses_at,
                }
            }
            PinState::AwaitingFirstAccess(first) => PinStatus::AwaitingFirstAccess {
                assurance: first.assurance,
                lapses_at: first.lapses_at,
            },
            PinState::Active(active) if now >= active.expires_at => PinStatus::Expired {
                assurance: active.assurance,
                expired_at: active.expires_at,
            },
            PinState::Active(active) => PinStatus::Active {
                assurance: active.assurance,
                expires_at: active.expires_at,
            },
        }
    }

    /// When the PIN in use expires (R20); `None` without an 8-character PIN.
    #[must_use]
    pub fn expires_at(&self) -> Option<Timestamp> {
        match &self.pin {
            PinState::Active(active) => Some(active.expires_at),
            PinState::None | PinState::AwaitingFirstAccess(_) => None,
        }
    }

    /// Whether a written upgrade request waits for the back office (R17).
    #[must_use]
    pub fn upgrade_pending(&self) -> Option<UpgradeVia> {
        self.pending_upgrade
    }

    /// When the account next needs the clock: the end of a login delay, the end of the
    /// first-access window, the expiry warning, or the expiry. At that instant (or later) send
    /// [`Command::Tick`]; an early or repeated tick is a harmless no-op. After a tick at `now`
    /// the next deadline is always after `now`. `None`: nothing will happen by itself.
    ///
    /// ```
    /// # use inps_pin::*;
    /// # fn drive<R: rand_core::CryptoRng>(account: &mut Account, policy: &Policy, rng: &mut R, until: jiff::Timestamp) -> Result<(), Refusal> {
    /// while let Some(deadline) = account.poll_deadline(policy).filter(|d| *d <= until) {
    ///     let outcome = account.handle(Command::Tick, &mut Context::new(deadline, policy, rng))?;
    ///     // carry out outcome.effects: warnings and notices to send
    /// #   let _ = outcome;
    /// }
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn poll_deadline(&self, policy: &Policy) -> Option<Timestamp> {
        let pin_deadlines = self.pin_deadlines(policy).map(|(at, _)| at);
        self.retry_not_before.into_iter().chain(pin_deadlines).min()
    }

    /// The PIN's own pending deadlines: the lapse of an unused 16 (R9), the expiry warning
    /// (R22), the expiry (R20). One source for [`Account::poll_deadline`] and for what a tick
    /// applies, so the two can never disagree. None from the sunset's retirement on (R22a): no
    /// PIN works then, so nothing about one falls due.
    fn pin_deadlines(&self, policy: &Policy) -> impl Iterator<Item = (Timestamp, PinDue)> {
        let [lapse, warning, expiry] = match &self.pin {
            PinState::None => [None; 3],
            PinState::AwaitingFirstAccess(first) => [
                (!first.lapse_noted).then_some((first.lapses_at, PinDue::Lapse)),
                None,
                None,
            ],
            PinState::Active(active) if active.expiry_noted => [None; 3],
            PinState::Active(active) => {
                let warn_at = active.renewable_from(policy);
                [
                    None,
                    (!active.warned && warn_at < active.expires_at)
                        .then_some((warn_at, PinDue::Warning)),
                    Some((active.expires_at, PinDue::Expiry)),
                ]
            }
        };
        let retirement = policy
            .sunset
            .map(|sunset| rome_start_of_day(sunset.retired_from));
        [lapse, warning, expiry]
            .into_iter()
            .flatten()
            .filter(move |(at, _)| retirement.is_none_or(|retired| *at < retired))
    }
}
