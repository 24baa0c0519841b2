//! The rig the rule tests of a PIN's life after issuance share (`tests/rules_expiry.rs`,
//! `rules_renewal.rs`, `rules_deadlines.rs`, `rules_upgrade.rs`, `rules_restore_revoke.rs`,
//! `rules_lockout.rs`, `rules_sunset.rs`, `rules_whole_life.rs`): one account with its policy,
//! generator and event log, on which every command is checked for R27 (a refusal changes
//! nothing) and kept for R29 (replay rebuilds the account), and a clock driven by deadlines.
//!
//! The clock is driven as quinn-proto's and str0m's tests drive theirs: [`advance`] jumps
//! straight to each deadline the account names ([`Account::poll_deadline`]) and applies it with
//! [`Command::Tick`] at exactly that instant.

use inps_pin::*;
use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp};
use rand_chacha::ChaCha20Rng;

use super::*;

// ---------------------------------------------------------------------------------------------
// The deadline-driven harness.

/// Applies every deadline the account names up to `until` (inclusive), in order, each with a
/// [`Command::Tick`] at exactly that instant, and returns what each tick produced.
///
/// After each tick the next deadline, if any, must be strictly after the tick's instant (else a
/// driver would spin), and the tick must have done something (a deadline at which nothing is due
/// is a spurious wake-up that the same invariant would turn into a loop).
pub fn advance(
    account: &mut Account,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
    until: Timestamp,
) -> Vec<Outcome> {
    let mut outcomes = Vec::new();
    while let Some(deadline) = account.poll_deadline(policy) {
        if deadline > until {
            break;
        }
        let outcome = account
            .handle(Command::Tick, &mut Context::new(deadline, policy, rng))
            .unwrap_or_else(|refusal| panic!("a tick at {deadline} was refused: {refusal}"));
        assert_eq!(outcome.reply, Reply::TimeApplied);
        assert!(
            !outcome.events.is_empty(),
            "the deadline {deadline} was named but the tick found nothing due"
        );
        for event in &outcome.events {
            assert_eq!(
                event.at(),
                deadline,
                "{} not dated at the tick",
                event.name()
            );
        }
        assert_eq!(outcome.deliveries().count(), 0, "a tick delivers no PIN");
        if let Some(next) = account.poll_deadline(policy) {
            assert!(
                next > deadline,
                "after a tick at {deadline} the next deadline is {next}, not after it"
            );
        }
        outcomes.push(outcome);
    }
    outcomes
}

/// One account with its policy, generator and event log: every command is checked for R27
/// (refusals) and its events are kept for R29 (replay).
pub struct Rig {
    pub account: Account,
    pub policy: Policy,
    pub rng: ChaCha20Rng,
    pub log: Vec<Event>,
}

impl Rig {
    pub fn new(person: &Person) -> Rig {
        Rig::with_policy(person, policy())
    }

    pub fn with_policy(person: &Person, policy: Policy) -> Rig {
        Rig {
            account: Account::new(person.codice_fiscale()),
            policy,
            rng: rng(20),
            log: Vec::new(),
        }
    }

    /// When the delay after the last wrong PIN, typed at `failed_at`, ends: the clock's to
    /// tell, never a deadline (R25).
    pub fn delay_end(&self, failed_at: Timestamp) -> Timestamp {
        let delay = self
            .policy
            .lockout
            .delay_after(self.account.consecutive_failures())
            .expect("a failure without a delay");
        failed_at.checked_add(delay).unwrap()
    }

    /// A command that must apply.
    pub fn ok(&mut self, command: Command, now: Timestamp) -> Outcome {
        let name = command.name();
        let outcome = run(&mut self.account, command, now, &self.policy, &mut self.rng)
            .unwrap_or_else(|refusal| {
                panic!(
                    "{name} at {now} was refused: {} ({refusal})",
                    refusal.code()
                )
            });
        self.log.extend(outcome.events.iter().cloned());
        outcome
    }

    /// A command that must apply, and how many Argon2 verifications its typed PIN ran (0 for a
    /// command without one).
    pub fn ok_verifying(&mut self, command: Command, now: Timestamp) -> (Outcome, u32) {
        let outcome = self
            .account
            .decide(
                &command,
                &mut Context::new(now, &self.policy, &mut self.rng),
            )
            .unwrap_or_else(|refusal| {
                panic!(
                    "{} at {now} was refused: {}",
                    command.name(),
                    refusal.code()
                )
            });
        let runs = typed_pin(&command).map_or(0, EnteredPin::verifications);
        for event in &outcome.events {
            self.account.evolve(event);
        }
        self.log.extend(outcome.events.iter().cloned());
        (outcome, runs)
    }

    /// A command that must apply, when only its effect on the account matters.
    pub fn apply(&mut self, command: Command, now: Timestamp) {
        let _ = self.ok(command, now);
    }

    /// A command that must be refused, leaving the account byte-identical (R27).
    pub fn refuse(&mut self, command: Command, now: Timestamp) -> Refusal {
        refused(&mut self.account, command, now, &self.policy, &mut self.rng)
    }

    /// A guess that a closed lane must turn away (R25b, R30a): the person reads a wrong PIN's
    /// answer, no Argon2 ran for it, and the account is unchanged (nothing is written).
    /// Returns why, as operators see it.
    pub fn turn_away(&mut self, command: Command, now: Timestamp) -> LaneClosed {
        let before = serde_json::to_string(&self.account).unwrap();
        let outcome = self
            .account
            .decide(
                &command,
                &mut Context::new(now, &self.policy, &mut self.rng),
            )
            .unwrap_or_else(|refusal| {
                panic!(
                    "{} at {now} was refused: {}",
                    command.name(),
                    refusal.code()
                )
            });
        let pin = typed_pin(&command).expect("a guess carries a PIN");
        assert_eq!(pin.verifications(), 0, "no Argon2 while a lane is closed");
        let closed = turned_away(&outcome);
        assert_eq!(serde_json::to_string(&self.account).unwrap(), before);
        closed
    }

    /// [`advance`], keeping the events.
    pub fn advance(&mut self, until: Timestamp) -> Vec<Outcome> {
        let outcomes = advance(&mut self.account, &self.policy, &mut self.rng, until);
        for outcome in &outcomes {
            self.log.extend(outcome.events.iter().cloned());
        }
        outcomes
    }

    pub fn deadline(&self) -> Option<Timestamp> {
        self.account.poll_deadline(&self.policy)
    }

    /// Requests a PIN; returns the 16 characters as the person would type them.
    pub fn request(&mut self, person: Person, channel: ChannelRequest, now: Timestamp) -> String {
        let outcome = self.ok(request_pin(person, channel), now);
        whole_code(&outcome)
    }

    /// The first access; returns the 8-character PIN shown on screen.
    pub fn first_access(&mut self, whole: &str, now: Timestamp) -> String {
        let outcome = self.ok(
            Command::FirstAccess {
                pin: entered(whole),
                trust_device: false,
            },
            now,
        );
        assert!(matches!(outcome.reply, Reply::FirstAccessCompleted(_)));
        code_of(&outcome, PinPart::Pin)
    }

    /// A request an hour before `first_access_at`, then the first access; returns the 8.
    pub fn activate(
        &mut self,
        person: Person,
        channel: ChannelRequest,
        first_access_at: Timestamp,
    ) -> String {
        let whole = self.request(
            person,
            channel,
            first_access_at - SignedDuration::from_hours(1),
        );
        self.first_access(&whole, first_access_at)
    }

    pub fn log_in(&mut self, code: &str, now: Timestamp) -> Outcome {
        self.ok(
            Command::LogIn {
                pin: entered(code),
                device: None,
                trust_device: false,
            },
            now,
        )
    }

    pub fn session(&mut self, code: &str, now: Timestamp) -> Session {
        logged_in(&self.log_in(code, now))
    }

    /// A renewal that applies; returns the outcome and the new 8.
    pub fn renew(&mut self, code: &str, now: Timestamp) -> (Outcome, String) {
        let outcome = self.ok(
            Command::RenewPin {
                pin: entered(code),
                trust_device: false,
                device: None,
            },
            now,
        );
        let new = code_of(&outcome, PinPart::Pin);
        (outcome, new)
    }

    /// The active PIN's expiry.
    pub fn expiry(&self) -> Timestamp {
        match self.account.status(Timestamp::MIN, &self.policy) {
            PinStatus::Active { expires_at, .. } => expires_at,
            other => panic!("no active PIN: {other:?}"),
        }
    }

    /// R29: the log rebuilds the account, also after a trip through storage.
    pub fn check_replay(&self) {
        let cf = self.account.codice_fiscale();
        let rebuilt = Account::replay(cf, &self.log);
        assert_eq!(rebuilt, self.account);
        assert_eq!(
            serde_json::to_string(&rebuilt).unwrap(),
            serde_json::to_string(&self.account).unwrap()
        );
        let stored = serde_json::to_string(&self.log).unwrap();
        let loaded: Vec<Event> = serde_json::from_str(&stored).unwrap();
        assert_eq!(Account::replay(cf, &loaded), self.account);
        assert_eq!(self.account.version(), self.log.len() as u64);
    }
}

// ---------------------------------------------------------------------------------------------
// Small helpers.

pub fn notices(outcome: &Outcome) -> Vec<(Notice, Medium)> {
    outcome
        .notifications()
        .map(|n| (n.about().clone(), n.to().clone()))
        .collect()
}

/// An instant as Rome shows it, offset and zone included.
pub fn rome(instant: Timestamp) -> String {
    instant.to_zoned_datetime(rome_time_zone()).to_string()
}

pub fn rome_day(instant: Timestamp) -> Date {
    instant.to_zoned_datetime(rome_time_zone()).date()
}

pub fn secs(n: i64) -> SignedDuration {
    SignedDuration::from_secs(n)
}

pub fn by_email() -> Medium {
    Medium::Email(mario_email())
}

/// Fabio Ciccone, an intermediary, with e-mail and mobile.
pub fn intermediary() -> Person {
    Person::new(
        PersonName::parse("Fabio").unwrap(),
        PersonName::parse("Ciccone").unwrap(),
        cf("CCCFBA85D03L219P"),
        Role::Intermediary,
        Address::new("Corso Vittorio Emanuele II 12", "10123", "Torino", "TO").unwrap(),
    )
    .with_email(Email::parse("f.ciccone@patronato.example.it").unwrap())
    .with_mobile(MobileNumber::parse("+39 320 111 2233").unwrap())
}

/// A card of `codice_fiscale`, as the register check vouches for it (R35).
pub fn tessera(codice_fiscale: CodiceFiscale, expires_on: Date) -> Attested<TesseraSanitaria> {
    register_checked(
        TesseraSanitaria::new(codice_fiscale, "80380000001234567890", expires_on).unwrap(),
    )
}

/// Mario's card, as the register check vouches for it.
pub fn mario_tessera() -> Attested<TesseraSanitaria> {
    tessera(person().codice_fiscale(), date(2029, 6, 30))
}

pub fn bonus_600_allowed(policy: &Policy, session: &Session) -> bool {
    policy
        .catalogue
        .authorise(session, &ServiceId::BONUS_600)
        .unwrap()
        .is_allowed()
}

/// A citizen with this codice fiscale (its first 15 characters), an e-mail and a mobile.
pub fn citizen_born(first15: &str) -> Person {
    Person::new(
        PersonName::parse("Luca").unwrap(),
        PersonName::parse("Rossi").unwrap(),
        cf(&with_check_character(first15)),
        Role::Citizen,
        residence(),
    )
    .with_email(Email::parse("luca.rossi@example.it").unwrap())
    .with_mobile(MobileNumber::parse("+39 347 765 4321").unwrap())
}

/// Ten consecutive wrong PINs from `start`, each as soon as the previous delay allows; returns
/// the instant of the tenth, which blocks.
pub fn hammer_until_blocked(rig: &mut Rig, code: &str, start: Timestamp) -> Timestamp {
    let mut now = start;
    loop {
        let outcome = rig.ok(
            Command::LogIn {
                pin: wrong(code),
                device: None,
                trust_device: false,
            },
            now,
        );
        // One event per guess, the blocking one too (R25a).
        match outcome.events[..] {
            [Event::LoginFailed { blocks: true, .. }] => return now,
            [Event::LoginFailed { blocks: false, .. }] => {}
            _ => panic!("a guess writes one event: {:?}", outcome.events),
        }
        // The delay runs from the failure; its end is the clock's, never an event (R25).
        now = rig.delay_end(now);
    }
}
