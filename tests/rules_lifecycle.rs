//! The life of a PIN after its first access: expiry on the Rome calendar (R20), renewal (R21),
//! warnings (R22), the deadlines that drive them and the first-access lapse (R9), the upgrade
//! to dispositivo (R16, R17), restore (R23), revocation (R24), lockout (R25) and the 2020–2021
//! sunset (R22a); with R27 (a refusal changes nothing) and R29 (replay rebuilds the account)
//! checked on every command these tests send.
//!
//! The clock is driven as quinn-proto's and str0m's tests drive theirs: [`advance`] jumps
//! straight to each deadline the account names ([`Account::poll_deadline`]) and applies it with
//! [`Command::Tick`] at exactly that instant.

mod common;
use common::*;

use inps_pin::*;
use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp, ToSpan};
use rand_chacha::ChaCha20Rng;

// ---------------------------------------------------------------------------------------------
// The deadline-driven harness.

/// Applies every deadline the account names up to `until` (inclusive), in order, each with a
/// [`Command::Tick`] at exactly that instant, and returns what each tick produced.
///
/// After each tick the next deadline, if any, must be strictly after the tick's instant (else a
/// driver would spin), and the tick must have done something (a deadline at which nothing is due
/// is a spurious wake-up that the same invariant would turn into a loop).
fn advance(
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
struct Rig {
    account: Account,
    policy: Policy,
    rng: ChaCha20Rng,
    log: Vec<Event>,
}

impl Rig {
    fn new(person: &Person) -> Rig {
        Rig::with_policy(person, policy())
    }

    fn with_policy(person: &Person, policy: Policy) -> Rig {
        Rig {
            account: Account::new(person.codice_fiscale()),
            policy,
            rng: rng(20),
            log: Vec::new(),
        }
    }

    /// A command that must apply.
    fn ok(&mut self, command: Command, now: Timestamp) -> Outcome {
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

    /// A command that must apply, when only its effect on the account matters.
    fn apply(&mut self, command: Command, now: Timestamp) {
        let _ = self.ok(command, now);
    }

    /// A command that must be refused, leaving the account byte-identical (R27).
    fn refuse(&mut self, command: Command, now: Timestamp) -> Refusal {
        refused(&mut self.account, command, now, &self.policy, &mut self.rng)
    }

    /// [`advance`], keeping the events.
    fn advance(&mut self, until: Timestamp) -> Vec<Outcome> {
        let outcomes = advance(&mut self.account, &self.policy, &mut self.rng, until);
        for outcome in &outcomes {
            self.log.extend(outcome.events.iter().cloned());
        }
        outcomes
    }

    fn deadline(&self) -> Option<Timestamp> {
        self.account.poll_deadline(&self.policy)
    }

    /// Requests a PIN; returns the 16 characters as the person would type them.
    fn request(&mut self, person: Person, channel: ChannelRequest, now: Timestamp) -> String {
        let outcome = self.ok(Command::RequestPin { person, channel }, now);
        whole_code(&outcome)
    }

    /// The first access; returns the 8-character PIN shown on screen.
    fn first_access(&mut self, whole: &str, now: Timestamp) -> String {
        let outcome = self.ok(
            Command::FirstAccess {
                pin: entered(whole),
            },
            now,
        );
        assert!(matches!(outcome.reply, Reply::FirstAccessCompleted(_)));
        code_of(&outcome, PinPart::Pin)
    }

    /// A request an hour before `first_access_at`, then the first access; returns the 8.
    fn activate(
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

    fn log_in(&mut self, code: &str, now: Timestamp) -> Outcome {
        self.ok(Command::LogIn { pin: entered(code) }, now)
    }

    fn session(&mut self, code: &str, now: Timestamp) -> Session {
        logged_in(&self.log_in(code, now))
    }

    /// A renewal that applies; returns the outcome and the new 8.
    fn renew(&mut self, code: &str, now: Timestamp) -> (Outcome, String) {
        let outcome = self.ok(Command::RenewPin { pin: entered(code) }, now);
        let new = code_of(&outcome, PinPart::Pin);
        (outcome, new)
    }

    /// The active PIN's expiry.
    fn expiry(&self) -> Timestamp {
        match self.account.status(Timestamp::MIN) {
            PinStatus::Active { expires_at, .. } => expires_at,
            other => panic!("no active PIN: {other:?}"),
        }
    }

    /// R29: the log rebuilds the account, also after a trip through storage.
    fn check_replay(&self) {
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

fn notices(outcome: &Outcome) -> Vec<(Notice, Medium)> {
    outcome
        .notifications()
        .map(|n| (n.about().clone(), n.to().clone()))
        .collect()
}

/// An instant as Rome shows it, offset and zone included.
fn rome(instant: Timestamp) -> String {
    instant.to_zoned_datetime(rome_time_zone()).to_string()
}

fn rome_day(instant: Timestamp) -> Date {
    instant.to_zoned_datetime(rome_time_zone()).date()
}

fn secs(n: i64) -> SignedDuration {
    SignedDuration::from_secs(n)
}

fn by_email() -> Medium {
    Medium::Email(mario_email())
}

/// Fabio Ciccone, an intermediary, with e-mail and mobile.
fn intermediary() -> Person {
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

fn tessera(codice_fiscale: CodiceFiscale, expires_on: Date) -> TesseraSanitaria {
    TesseraSanitaria::new(codice_fiscale, "80380000001234567890", expires_on).unwrap()
}

fn mario_tessera() -> TesseraSanitaria {
    tessera(person().codice_fiscale(), date(2029, 6, 30))
}

fn bonus_600_allowed(policy: &Policy, session: &Session) -> bool {
    policy
        .catalogue
        .authorise(session, &ServiceId::BONUS_600)
        .unwrap()
        .is_allowed()
}

/// A citizen with this codice fiscale (its first 15 characters), an e-mail and a mobile.
fn citizen_born(first15: &str) -> Person {
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
fn hammer_until_blocked(rig: &mut Rig, code: &str, start: Timestamp) -> Timestamp {
    let mut now = start;
    loop {
        let outcome = rig.ok(Command::LogIn { pin: wrong(code) }, now);
        if outcome
            .events
            .iter()
            .any(|e| matches!(e, Event::PinBlocked { .. }))
        {
            return now;
        }
        let Some(Event::LoginFailed {
            retry_not_before: Some(retry),
            ..
        }) = outcome.events.first()
        else {
            panic!("a failure without a delay: {:?}", outcome.events)
        };
        now = *retry;
    }
}

// ---------------------------------------------------------------------------------------------
// The harness itself.

#[test]
fn r26_advance_stops_at_until_and_applies_deadlines_at_their_instant() {
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let warning = at("2027-05-11T08:00:00Z");
    // One nanosecond short of the warning: nothing.
    assert!(
        rig.advance(warning - SignedDuration::from_nanos(1))
            .is_empty()
    );
    // `until` is inclusive.
    let outcomes = rig.advance(warning);
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].events, [Event::ExpiryWarned { at: warning }]);
    rig.check_replay();
}

// ---------------------------------------------------------------------------------------------
// R20: expiry in calendar months on the Rome calendar.

#[test]
fn r20_a_citizens_pin_expires_six_rome_calendar_months_after_its_first_access() {
    let mut rig = Rig::new(&person());
    let whole = rig.request(person(), ChannelRequest::Online, t0());
    let first_access = at("2026-11-25T09:00:00Z");
    let outcome = rig.ok(
        Command::FirstAccess {
            pin: entered(&whole),
        },
        first_access,
    );
    let Some(Event::FirstAccessCompleted {
        at: when,
        assurance,
        expires_at,
        ..
    }) = outcome.events.first()
    else {
        panic!("{:?}", outcome.events)
    };
    assert_eq!(*when, first_access);
    assert_eq!(*assurance, AssuranceLevel::Ordinary);
    // 10:00 CET on 25 November → 10:00 CEST on 25 May: 08:00Z, not 09:00Z.
    assert_eq!(*expires_at, at("2027-05-25T08:00:00Z"));
    assert_eq!(rome(*expires_at), "2027-05-25T10:00:00+02:00[Europe/Rome]");
    let expiry = *expires_at;
    assert_eq!(
        rig.account.status(expiry - SignedDuration::from_nanos(1)),
        PinStatus::Active {
            assurance: AssuranceLevel::Ordinary,
            expires_at: expiry
        }
    );
    assert_eq!(
        rig.account.status(expiry),
        PinStatus::Expired {
            assurance: AssuranceLevel::Ordinary,
            expired_at: expiry
        }
    );
    rig.check_replay();
}

#[test]
fn r20_an_intermediarys_pin_expires_after_three_months() {
    let mut rig = Rig::new(&intermediary());
    rig.activate(
        intermediary(),
        ChannelRequest::Online,
        at("2026-11-25T09:00:00Z"),
    );
    assert_eq!(rig.expiry(), at("2027-02-25T09:00:00Z"));
    assert_eq!(rome(rig.expiry()), "2027-02-25T10:00:00+01:00[Europe/Rome]");

    // Set on 30 November: February has no 30th, so the last day of February.
    let mut rig = Rig::new(&intermediary());
    rig.activate(
        intermediary(),
        ChannelRequest::Online,
        at("2026-11-30T09:00:00Z"),
    );
    assert_eq!(rig.expiry(), at("2027-02-28T09:00:00Z"));
    assert_eq!(rome(rig.expiry()), "2027-02-28T10:00:00+01:00[Europe/Rome]");
    rig.check_replay();
}

#[test]
fn r20_months_that_are_shorter_end_on_their_last_day_leap_years_included() {
    let cases = [
        // 31 August + 6 months: 28 February, same wall-clock time.
        (
            "2026-08-31T08:00:00Z",
            "2027-02-28T09:00:00Z",
            "2027-02-28T10:00:00+01:00[Europe/Rome]",
        ),
        // In a leap year: 29 February.
        (
            "2027-08-31T08:00:00Z",
            "2028-02-29T09:00:00Z",
            "2028-02-29T10:00:00+01:00[Europe/Rome]",
        ),
        // 23:30 on 31 August in Rome is still 31 August there (21:30Z).
        (
            "2026-08-31T21:30:00Z",
            "2027-02-28T22:30:00Z",
            "2027-02-28T23:30:00+01:00[Europe/Rome]",
        ),
        // 22:30Z on 31 August is already 1 September in Rome: + 6 months is 1 March, not the
        // 28 February that UTC's calendar would give.
        (
            "2026-08-31T22:30:00Z",
            "2027-02-28T23:30:00Z",
            "2027-03-01T00:30:00+01:00[Europe/Rome]",
        ),
    ];
    for (first_access, expected, expected_rome) in cases {
        let mut rig = Rig::new(&person());
        rig.activate(person(), ChannelRequest::Online, at(first_access));
        assert_eq!(rig.expiry(), at(expected), "first access at {first_access}");
        assert_eq!(rome(rig.expiry()), expected_rome);
        rig.check_replay();
    }
}

#[test]
fn r20_a_wall_clock_time_that_summer_time_skips_moves_forward_by_the_gap() {
    // 02:30 CEST on 28 September 2026; 28 March 2027 at 02:30 does not exist in Rome (the
    // clocks jump from 02:00 CET to 03:00 CEST): the expiry is 03:30 CEST, and nothing panics.
    let first_access = at("2026-09-28T00:30:00Z");
    assert_eq!(rome(first_access), "2026-09-28T02:30:00+02:00[Europe/Rome]");
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, first_access);
    assert_eq!(rig.expiry(), at("2027-03-28T01:30:00Z"));
    assert_eq!(rome(rig.expiry()), "2027-03-28T03:30:00+02:00[Europe/Rome]");
    // The warning, 14 Rome days before, is at 03:30 CET (no gap on 14 March).
    assert_eq!(rig.deadline(), Some(at("2027-03-14T02:30:00Z")));
    // The whole path (warning, expiry, renewal after it) runs through the gap.
    let outcomes = rig.advance(at("2027-04-01T00:00:00Z"));
    assert_eq!(outcomes.len(), 2);
    assert_eq!(
        outcomes[1].events,
        [Event::PinExpired {
            at: at("2027-03-28T01:30:00Z")
        }]
    );
    let (_, _) = rig.renew(&code, at("2027-03-28T01:30:00Z"));
    assert_eq!(rome(rig.expiry()), "2027-09-28T03:30:00+02:00[Europe/Rome]");
    rig.check_replay();

    // An intermediary set on 28 December at 02:30 lands in the same gap.
    let mut rig = Rig::new(&intermediary());
    rig.activate(
        intermediary(),
        ChannelRequest::Online,
        at("2026-12-28T01:30:00Z"),
    );
    assert_eq!(rome(rig.expiry()), "2027-03-28T03:30:00+02:00[Europe/Rome]");
}

#[test]
fn r20_a_wall_clock_time_that_summer_time_repeats_expires_at_that_time() {
    // 25 October 2026 at 02:30 happens twice in Rome: first in CEST (00:30Z), then in CET
    // (01:30Z). Either way the expiry is 02:30 on 25 April 2027, which exists once (CEST).
    for (first_access, shown) in [
        (
            "2026-10-25T00:30:00Z",
            "2026-10-25T02:30:00+02:00[Europe/Rome]",
        ),
        (
            "2026-10-25T01:30:00Z",
            "2026-10-25T02:30:00+01:00[Europe/Rome]",
        ),
    ] {
        assert_eq!(rome(at(first_access)), shown);
        let mut rig = Rig::new(&person());
        rig.activate(person(), ChannelRequest::Online, at(first_access));
        assert_eq!(rig.expiry(), at("2027-04-25T00:30:00Z"), "{first_access}");
        assert_eq!(rome(rig.expiry()), "2027-04-25T02:30:00+02:00[Europe/Rome]");
        rig.check_replay();
    }
    // A PIN set at 02:30 CEST on 25 April expires on 25 October at 02:30, which happens twice:
    // the earlier instant (CEST), as the crate documents.
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-04-25T00:30:00Z"));
    assert_eq!(rig.expiry(), at("2026-10-25T00:30:00Z"));
    assert_eq!(rome(rig.expiry()), "2026-10-25T02:30:00+02:00[Europe/Rome]");
}

#[test]
fn r20_renewals_at_the_same_wall_clock_time_keep_it_through_summer_time() {
    // A citizen renews at each expiry, always at 10:00 in Rome: every expiry is 10:00 on the
    // 15th, CET in January and CEST in July, for four years.
    let mut rig = Rig::new(&person());
    let mut code = rig.activate(person(), ChannelRequest::Online, at("2026-01-15T09:00:00Z"));
    for period in 0..8 {
        let expiry = rig.expiry();
        let year = 2026 + (period + 1) / 2;
        let (month, offset) = if period % 2 == 0 {
            (7, "+02:00")
        } else {
            (1, "+01:00")
        };
        assert_eq!(
            rome(expiry),
            format!("{year}-{month:02}-15T10:00:00{offset}[Europe/Rome]"),
            "period {period}"
        );
        let (outcome, new) = rig.renew(&code, expiry);
        assert!(matches!(outcome.events[..], [Event::PinRenewed { at, .. }] if at == expiry));
        code = new;
    }
    assert_eq!(rome(rig.expiry()), "2030-07-15T10:00:00+02:00[Europe/Rome]");
    rig.check_replay();
}

#[test]
fn r20_an_intermediary_renewing_at_each_warning_keeps_the_wall_clock_time() {
    // Fabio renews as soon as each warning arrives (the harness wakes him at it); every
    // expiry stays at 10:00 in Rome whatever the offset.
    let mut rig = Rig::new(&intermediary());
    let mut code = rig.activate(
        intermediary(),
        ChannelRequest::Online,
        at("2026-01-31T09:00:00Z"),
    );
    let expected = [
        // 31 January + 3 months: the last day of April.
        "2026-04-30T10:00:00+02:00[Europe/Rome]",
        "2026-07-16T10:00:00+02:00[Europe/Rome]",
        "2026-10-02T10:00:00+02:00[Europe/Rome]",
        "2026-12-18T10:00:00+01:00[Europe/Rome]",
        "2027-03-04T10:00:00+01:00[Europe/Rome]",
        "2027-05-18T10:00:00+02:00[Europe/Rome]",
    ];
    for (index, shown) in expected.iter().enumerate() {
        assert_eq!(rome(rig.expiry()), *shown, "period {index}");
        let warning = rig.deadline().unwrap();
        let outcomes = rig.advance(warning);
        assert_eq!(outcomes.len(), 1);
        assert_eq!(
            notices(&outcomes[0]),
            [(
                Notice::ExpiryWarning {
                    expires_at: rig.expiry()
                },
                Medium::Email(intermediary().email().unwrap().clone())
            )]
        );
        assert_eq!(
            rome_day(warning),
            rome_day(rig.expiry()).checked_sub(14.days()).unwrap()
        );
        code = rig.renew(&code, warning).1;
    }
    rig.check_replay();
}

#[test]
fn r20_an_expired_pin_does_not_log_in_and_the_person_is_told_to_renew() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let expiry = at("2027-05-25T08:00:00Z");
    // A nanosecond before, it works.
    rig.session(&code, expiry - SignedDuration::from_nanos(1));

    // At the expiry, the right PIN is refused with the reason.
    let refusal = rig.refuse(
        Command::LogIn {
            pin: entered(&code),
        },
        expiry,
    );
    assert_eq!(refusal, Refusal::PinExpired { expired_at: expiry });
    assert_eq!(refusal.code(), "login.pin_expired");
    let message = refusal.message_it();
    assert!(
        message.contains("scaduto") && message.contains("rinnov"),
        "{message}"
    );
    assert_eq!(
        rig.account.status(expiry),
        PinStatus::Expired {
            assurance: AssuranceLevel::Ordinary,
            expired_at: expiry
        }
    );

    // A wrong PIN on the expired account is a counted failure, not the expiry refusal: a
    // guesser learns nothing (R30).
    let outcome = rig.ok(Command::LogIn { pin: wrong(&code) }, expiry);
    assert_eq!(login_failure(&outcome).consecutive_failures(), 1);
    assert_eq!(
        outcome.events,
        [Event::LoginFailed {
            at: expiry,
            retry_not_before: Some(expiry + secs(1))
        }]
    );
    // After the delay, the right PIN again says expired, and the refusal resets nothing.
    let refusal = rig.refuse(
        Command::LogIn {
            pin: entered(&code),
        },
        expiry + secs(1),
    );
    assert_eq!(refusal.code(), "login.pin_expired");
    assert_eq!(rig.account.consecutive_failures(), 1);
    rig.check_replay();
}

// ---------------------------------------------------------------------------------------------
// R21: renewal.

#[test]
fn r21_renewal_gives_a_new_8_on_screen_and_the_old_one_stops_working() {
    let mut rig = Rig::new(&person());
    let old = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    // The day after the expiry (10:00 CEST).
    let now = at("2027-05-26T08:00:00Z");
    let (outcome, new) = rig.renew(&old, now);

    assert_eq!(deliveries_of(&outcome), [(PinPart::Pin, Medium::Screen)]);
    assert_eq!(new.len(), 8);
    assert!(new.bytes().all(|c| PIN_ALPHABET.contains(&c)));
    assert_ne!(new, old);
    let Reply::PinRenewed(session) = outcome.reply else {
        panic!("{:?}", outcome.reply)
    };
    assert_eq!(session.level(), AssuranceLevel::Ordinary);
    assert_eq!(session.started_at(), now);
    assert_eq!(session.credential(), Credential::Pin);
    // The new expiry: the renewal instant + 6 Rome months.
    let Some(Event::PinRenewed {
        at: when,
        expires_at,
        ..
    }) = outcome.events.first()
    else {
        panic!("{:?}", outcome.events)
    };
    assert_eq!(outcome.events.len(), 1);
    assert_eq!(*when, now);
    assert_eq!(*expires_at, at("2027-11-26T09:00:00Z"));
    assert_eq!(rome(*expires_at), "2027-11-26T10:00:00+01:00[Europe/Rome]");
    assert_eq!(
        rig.account.status(now),
        PinStatus::Active {
            assurance: AssuranceLevel::Ordinary,
            expires_at: at("2027-11-26T09:00:00Z")
        }
    );
    // The next deadline is the new PIN's warning.
    assert_eq!(rig.deadline(), Some(at("2027-11-12T09:00:00Z")));

    // The old PIN is a wrong PIN now; the new one logs in.
    let outcome = rig.log_in(&old, now + secs(60));
    assert_eq!(login_failure(&outcome).consecutive_failures(), 1);
    let session = rig.session(&new, now + secs(120));
    assert_eq!(session.level(), AssuranceLevel::Ordinary);
    // The old one cannot renew again either.
    let outcome = rig.ok(Command::RenewPin { pin: entered(&old) }, now + secs(180));
    assert_eq!(login_failure(&outcome).consecutive_failures(), 1);
    rig.check_replay();
}

#[test]
fn r21_renewal_keeps_a_dispositivo_pin_from_a_sede_dispositivo() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), sede_request(), at("2026-11-25T09:00:00Z"));
    // Inside the window, before the expiry.
    let now = at("2027-05-20T08:00:00Z");
    let (outcome, new) = rig.renew(&code, now);
    let Reply::PinRenewed(session) = outcome.reply else {
        panic!("{:?}", outcome.reply)
    };
    assert_eq!(session.level(), AssuranceLevel::Dispositivo);
    assert_eq!(
        rig.account.status(now),
        PinStatus::Active {
            assurance: AssuranceLevel::Dispositivo,
            expires_at: at("2027-11-20T09:00:00Z")
        }
    );
    let session = rig.session(&new, now + secs(1));
    assert_eq!(session.level(), AssuranceLevel::Dispositivo);
    assert!(bonus_600_allowed(&rig.policy, &session));
    rig.check_replay();
}

#[test]
fn r21_renewal_opens_expiry_warning_days_rome_days_before_the_expiry() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    assert_eq!(rig.policy.expiry_warning_days, 14);
    let opens = at("2027-05-11T08:00:00Z");

    let early = opens - SignedDuration::from_nanos(1);
    let refusal = rig.refuse(
        Command::RenewPin {
            pin: entered(&code),
        },
        early,
    );
    assert_eq!(
        refusal,
        Refusal::RenewalNotDue {
            renewable_from: opens
        }
    );
    assert_eq!(refusal.code(), "renewal.not_due");
    assert!(refusal.message_it().contains("avviso di scadenza"));
    // Long before, the same answer.
    let refusal = rig.refuse(
        Command::RenewPin {
            pin: entered(&code),
        },
        at("2026-12-01T09:00:00Z"),
    );
    assert_eq!(
        refusal,
        Refusal::RenewalNotDue {
            renewable_from: opens
        }
    );
    // A wrong PIN before the window is a counted failure, not the window's refusal.
    let outcome = rig.ok(
        Command::RenewPin { pin: wrong(&code) },
        at("2026-12-01T09:00:00Z"),
    );
    assert_eq!(login_failure(&outcome).consecutive_failures(), 1);

    // Exactly at the opening: renewed.
    let (outcome, _) = rig.renew(&code, opens);
    assert!(matches!(outcome.reply, Reply::PinRenewed(_)));
    rig.check_replay();
}

#[test]
fn r21_the_renewal_window_is_counted_in_rome_days_across_summer_time() {
    // Expiry at 10:00 CEST on 5 April 2027; the window opens at 10:00 CET on 22 March, which
    // is 13 days and 23 hours before, not 14 × 24 hours.
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-10-05T08:00:00Z"));
    assert_eq!(rome(rig.expiry()), "2027-04-05T10:00:00+02:00[Europe/Rome]");
    let opens = at("2027-03-22T09:00:00Z");
    assert_eq!(rome(opens), "2027-03-22T10:00:00+01:00[Europe/Rome]");
    assert_eq!(rig.deadline(), Some(opens));
    let fixed_days = rig.expiry() - SignedDuration::from_hours(14 * 24);
    let refusal = rig.refuse(
        Command::RenewPin {
            pin: entered(&code),
        },
        fixed_days,
    );
    assert_eq!(
        refusal,
        Refusal::RenewalNotDue {
            renewable_from: opens
        }
    );
    let (outcome, _) = rig.renew(&code, opens);
    assert!(matches!(outcome.reply, Reply::PinRenewed(_)));
    rig.check_replay();
}

#[test]
fn r21_a_renewal_without_an_active_pin_changes_nothing() {
    let policy = policy();
    // No PIN: a renewal reads like a wrong PIN for an unknown person, counts nothing.
    let mut rig = Rig::new(&person());
    let outcome = rig.ok(
        Command::RenewPin {
            pin: entered("ABCDEFGH"),
        },
        t0(),
    );
    assert_eq!(
        login_failure(&outcome),
        LoginFailure::for_unknown_person(&policy, &entered("ABCDEFGH"))
    );
    assert!(outcome.events.is_empty());
    assert_eq!(rig.account.version(), 0);
    // Awaiting the first access, with the right 16: first access first.
    let whole = rig.request(person(), ChannelRequest::Online, t0());
    let refusal = rig.refuse(
        Command::RenewPin {
            pin: entered(&whole),
        },
        t0() + secs(60),
    );
    assert_eq!(refusal.code(), "login.first_access_required");
    rig.check_replay();
}

#[test]
fn r21_r30_a_renewal_with_a_wrong_pin_does_not_tell_that_a_first_access_is_pending() {
    let policy = policy();
    let mut rig = Rig::new(&person());
    rig.request(person(), ChannelRequest::Online, t0());
    let typed = "ABCDEFGH";
    let result = run(
        &mut rig.account,
        Command::RenewPin {
            pin: entered(typed),
        },
        t0() + secs(60),
        &rig.policy,
        &mut rig.rng,
    );
    let Ok(outcome) = result else {
        panic!(
            "a guessed PIN was answered {:?}: the account is known to have a pending PIN",
            result.map(|o| o.reply).unwrap_err().code()
        )
    };
    assert_eq!(
        login_failure(&outcome).code(),
        LoginFailure::for_unknown_person(&policy, &entered(typed)).code()
    );
}

// ---------------------------------------------------------------------------------------------
// R22: warnings, and the expiry notice.

#[test]
fn r22_one_warning_expiry_warning_days_before_then_the_expiry_notice_by_email() {
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let warning = at("2027-05-11T08:00:00Z");
    let expiry = at("2027-05-25T08:00:00Z");
    assert_eq!(rome(warning), "2027-05-11T10:00:00+02:00[Europe/Rome]");
    assert_eq!(rig.deadline(), Some(warning));

    let outcomes = rig.advance(expiry - SignedDuration::from_nanos(1));
    assert_eq!(outcomes.len(), 1, "one warning");
    assert_eq!(outcomes[0].events, [Event::ExpiryWarned { at: warning }]);
    assert_eq!(
        notices(&outcomes[0]),
        [(Notice::ExpiryWarning { expires_at: expiry }, by_email())]
    );
    let text = outcomes[0]
        .notifications()
        .next()
        .unwrap()
        .about()
        .message_it();
    assert!(
        text.contains("25/05/2027") && text.contains("rinnov"),
        "{text}"
    );
    assert_eq!(rig.deadline(), Some(expiry));
    // Not sent again by later ticks before the expiry.
    let outcome = rig.ok(Command::Tick, expiry - secs(1));
    assert!(outcome.events.is_empty() && outcome.effects.is_empty());

    let outcomes = rig.advance(at("2028-01-01T00:00:00Z"));
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].events, [Event::PinExpired { at: expiry }]);
    assert_eq!(
        notices(&outcomes[0]),
        [(Notice::PinExpired { expired_at: expiry }, by_email())]
    );
    assert_eq!(rig.deadline(), None);
    rig.check_replay();
}

#[test]
fn r22_notices_go_by_email_else_by_sms_else_by_post() {
    let mobile_only = bare_person().with_mobile(mario_mobile());
    let landline_only = bare_person().with_landline(mario_landline());
    let cases = [
        (person(), ChannelRequest::Online, by_email()),
        (
            mobile_only,
            ChannelRequest::Online,
            Medium::Sms(mario_mobile()),
        ),
        (
            landline_only,
            contact_center(PhoneKind::Landline),
            Medium::Post(residence()),
        ),
        (bare_person(), sede_request(), Medium::Post(residence())),
    ];
    let warning = at("2027-05-11T08:00:00Z");
    let expiry = at("2027-05-25T08:00:00Z");
    for (who, channel, medium) in cases {
        let mut rig = Rig::new(&who);
        rig.activate(who, channel, at("2026-11-25T09:00:00Z"));
        let outcomes = rig.advance(expiry);
        let sent: Vec<_> = outcomes.iter().flat_map(notices).collect();
        assert_eq!(
            sent,
            [
                (Notice::ExpiryWarning { expires_at: expiry }, medium.clone()),
                (Notice::PinExpired { expired_at: expiry }, medium.clone()),
            ]
        );
        assert_eq!(outcomes[0].events, [Event::ExpiryWarned { at: warning }]);
        rig.check_replay();
    }
}

#[test]
fn r22_a_clock_that_jumps_past_warning_and_expiry_sends_only_the_expiry() {
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let expiry = at("2027-05-25T08:00:00Z");
    let late = at("2027-06-01T12:00:00Z");
    let outcome = rig.ok(Command::Tick, late);
    assert_eq!(outcome.reply, Reply::TimeApplied);
    assert_eq!(outcome.events, [Event::PinExpired { at: late }]);
    assert_eq!(
        notices(&outcome),
        [(Notice::PinExpired { expired_at: expiry }, by_email())]
    );
    assert_eq!(rig.deadline(), None);
    // Nothing more, ever.
    let outcome = rig.ok(Command::Tick, at("2030-01-01T00:00:00Z"));
    assert!(outcome.events.is_empty() && outcome.effects.is_empty());
    rig.check_replay();
}

#[test]
fn r22_no_warning_when_expiry_warning_days_is_zero() {
    let mut policy = policy();
    policy.expiry_warning_days = 0;
    let mut rig = Rig::with_policy(&person(), policy);
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let expiry = at("2027-05-25T08:00:00Z");
    assert_eq!(rig.deadline(), Some(expiry));
    let outcomes = rig.advance(at("2028-01-01T00:00:00Z"));
    let sent: Vec<_> = outcomes.iter().flat_map(notices).collect();
    assert_eq!(
        sent,
        [(Notice::PinExpired { expired_at: expiry }, by_email())]
    );
    // Renewal only once expired.
    let refusal = rig.refuse(
        Command::RenewPin {
            pin: entered(&code),
        },
        expiry - SignedDuration::from_nanos(1),
    );
    assert_eq!(
        refusal,
        Refusal::RenewalNotDue {
            renewable_from: expiry
        }
    );
    let (_, _) = rig.renew(&code, expiry);
    rig.check_replay();
}

// ---------------------------------------------------------------------------------------------
// Deadlines (R26) and the first-access lapse (R9).

#[test]
fn r26_poll_deadline_names_the_lapse_the_warning_the_expiry_and_a_login_delay() {
    let mut rig = Rig::new(&person());
    assert_eq!(rig.deadline(), None, "no PIN, nothing will happen");
    let whole = rig.request(person(), ChannelRequest::Online, t0());
    // The 16's lapse: 90 Rome days after the request.
    assert_eq!(rig.deadline(), Some(at("2027-02-22T09:00:00Z")));
    let code = rig.first_access(&whole, at("2026-11-25T09:00:00Z"));
    // The warning.
    let warning = at("2027-05-11T08:00:00Z");
    assert_eq!(rig.deadline(), Some(warning));
    // A wrong PIN: the end of its delay comes first.
    let wrong_at = at("2026-12-01T09:00:00Z");
    rig.apply(Command::LogIn { pin: wrong(&code) }, wrong_at);
    assert_eq!(rig.deadline(), Some(wrong_at + secs(1)));
    let outcomes = rig.advance(at("2026-12-02T00:00:00Z"));
    assert_eq!(outcomes.len(), 1);
    assert_eq!(
        outcomes[0].events,
        [Event::LoginDelayEnded {
            at: wrong_at + secs(1)
        }]
    );
    assert!(outcomes[0].effects.is_empty());
    assert_eq!(rig.deadline(), Some(warning));
    // The warning, then the expiry.
    rig.advance(warning);
    let expiry = at("2027-05-25T08:00:00Z");
    assert_eq!(rig.deadline(), Some(expiry));
    // A delay that ends before the expiry comes first again: the second consecutive failure
    // (no success in between), so 3 s.
    let late_wrong = at("2027-05-24T08:00:00Z");
    rig.apply(Command::LogIn { pin: wrong(&code) }, late_wrong);
    assert_eq!(rig.deadline(), Some(late_wrong + secs(3)));
    let outcomes = rig.advance(expiry);
    let events: Vec<_> = outcomes.iter().flat_map(|o| o.events.clone()).collect();
    assert_eq!(
        events,
        [
            Event::LoginDelayEnded {
                at: late_wrong + secs(3)
            },
            Event::PinExpired { at: expiry }
        ]
    );
    assert_eq!(rig.deadline(), None);
    rig.check_replay();
}

#[test]
fn r26_a_tick_before_any_deadline_is_a_harmless_no_op() {
    let mut rig = Rig::new(&person());
    // On an empty account.
    let outcome = rig.ok(Command::Tick, t0());
    assert_eq!(outcome.reply, Reply::TimeApplied);
    assert!(outcome.events.is_empty() && outcome.effects.is_empty());

    let whole = rig.request(person(), ChannelRequest::Online, t0());
    let before = serde_json::to_string(&rig.account).unwrap();
    for early in [t0(), t0() + secs(1), at("2027-02-22T08:59:59Z")] {
        let outcome = rig.ok(Command::Tick, early);
        assert_eq!(outcome.reply, Reply::TimeApplied);
        assert!(outcome.events.is_empty() && outcome.effects.is_empty());
        assert_eq!(serde_json::to_string(&rig.account).unwrap(), before);
    }
    let code = rig.first_access(&whole, at("2026-11-25T09:00:00Z"));
    // Inside a login delay too.
    rig.apply(
        Command::LogIn { pin: wrong(&code) },
        at("2026-12-01T09:00:00Z"),
    );
    let before = serde_json::to_string(&rig.account).unwrap();
    let outcome = rig.ok(Command::Tick, at("2026-12-01T09:00:00.999Z"));
    assert!(outcome.events.is_empty() && outcome.effects.is_empty());
    assert_eq!(serde_json::to_string(&rig.account).unwrap(), before);
    rig.check_replay();
}

#[test]
fn r26_a_repeated_tick_at_the_same_instant_is_a_no_op() {
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    for deadline in [at("2027-05-11T08:00:00Z"), at("2027-05-25T08:00:00Z")] {
        assert_eq!(rig.deadline(), Some(deadline));
        let first = rig.ok(Command::Tick, deadline);
        assert_eq!(first.events.len(), 1);
        let before = serde_json::to_string(&rig.account).unwrap();
        let again = rig.ok(Command::Tick, deadline);
        assert_eq!(again.reply, Reply::TimeApplied);
        assert!(again.events.is_empty() && again.effects.is_empty());
        assert_eq!(serde_json::to_string(&rig.account).unwrap(), before);
    }
    rig.check_replay();
}

#[test]
fn r9_an_unused_16_lapses_at_its_deadline_with_an_event_and_a_notice() {
    let mut rig = Rig::new(&person());
    // Requested at 10:00 CEST on 1 September; 90 Rome days later is 10:00 CET on 30 November.
    let requested = at("2026-09-01T08:00:00Z");
    let whole = rig.request(person(), ChannelRequest::Online, requested);
    let lapse = at("2026-11-30T09:00:00Z");
    assert_eq!(rome(lapse), "2026-11-30T10:00:00+01:00[Europe/Rome]");
    assert_eq!(rig.deadline(), Some(lapse));

    let outcomes = rig.advance(at("2027-01-01T00:00:00Z"));
    assert_eq!(outcomes.len(), 1);
    assert_eq!(outcomes[0].events, [Event::FirstPinLapsed { at: lapse }]);
    assert_eq!(
        notices(&outcomes[0]),
        [(Notice::FirstPinLapsed { lapsed_at: lapse }, by_email())]
    );
    assert_eq!(rig.deadline(), None);
    assert_eq!(
        rig.account.status(lapse),
        PinStatus::FirstPinLapsed { lapsed_at: lapse }
    );
    // The 16 no longer works, and a new request is accepted.
    let refusal = rig.refuse(
        Command::FirstAccess {
            pin: entered(&whole),
        },
        lapse + secs(1),
    );
    assert_eq!(refusal.code(), "first_access.pin_lapsed");
    rig.request(person(), ChannelRequest::Online, lapse + secs(2));
    rig.check_replay();
}

// ---------------------------------------------------------------------------------------------
// R16, R17: the upgrade to dispositivo.

#[test]
fn r16_a_written_request_online_or_by_fax_waits_for_the_back_office() {
    for via in [UpgradeVia::Online, UpgradeVia::Fax] {
        let mut rig = Rig::new(&person());
        let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
        let now = at("2026-12-01T09:00:00Z");
        let outcome = rig.ok(
            Command::RequestUpgrade {
                via,
                document: valid_identity_card(),
            },
            now,
        );
        assert_eq!(outcome.reply, Reply::UpgradeRequested);
        assert_eq!(outcome.events, [Event::UpgradeRequested { at: now, via }]);
        assert!(outcome.effects.is_empty());
        assert_eq!(rig.account.upgrade_pending(), Some(via));
        // Still ordinary while it waits.
        let session = rig.session(&code, now + secs(1));
        assert_eq!(session.level(), AssuranceLevel::Ordinary);
        assert!(!bonus_600_allowed(&rig.policy, &session));

        // A second request while one waits, by either way.
        for again in [UpgradeVia::Online, UpgradeVia::Fax] {
            let refusal = rig.refuse(
                Command::RequestUpgrade {
                    via: again,
                    document: valid_identity_card(),
                },
                now + secs(2),
            );
            assert_eq!(refusal, Refusal::UpgradePending);
            assert_eq!(refusal.code(), "upgrade.pending");
        }
        rig.check_replay();
    }
}

#[test]
fn r16_a_document_past_its_expiry_is_refused_on_the_rome_calendar() {
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let expires_on = date(2026, 12, 1);
    // 23:30 in Rome on its last day: still valid (22:30Z).
    let last_minute = at("2026-12-01T22:30:00Z");
    // Midnight in Rome on the next day (23:00Z on the 1st): expired.
    let next_day = at("2026-12-01T23:00:00Z");
    for command in [
        || Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: identity_card(date(2026, 12, 1)),
        },
        || Command::UpgradeAtSede {
            document: identity_card(date(2026, 12, 1)),
            operator: operator("op-007"),
        },
    ] {
        let refusal = rig.refuse(command(), next_day);
        assert_eq!(
            refusal,
            Refusal::IdentityDocumentExpired {
                expired_on: expires_on
            }
        );
        assert_eq!(refusal.code(), "request.identity_document_expired");
        assert!(refusal.message_it().contains("in corso di validità"));
    }
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: identity_card(expires_on),
        },
        last_minute,
    );
    assert_eq!(rig.account.upgrade_pending(), Some(UpgradeVia::Fax));
    rig.check_replay();
}

#[test]
fn r16_a_dispositivo_pin_is_not_upgraded_again() {
    let mut rig = Rig::new(&person());
    rig.activate(person(), sede_request(), at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-01T09:00:00Z");
    let refusal = rig.refuse(
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: valid_identity_card(),
        },
        now,
    );
    assert_eq!(refusal, Refusal::AlreadyDispositivo);
    assert_eq!(refusal.code(), "upgrade.already_dispositivo");
    let refusal = rig.refuse(
        Command::UpgradeAtSede {
            document: valid_identity_card(),
            operator: operator("op-007"),
        },
        now,
    );
    assert_eq!(refusal.code(), "upgrade.already_dispositivo");
    rig.check_replay();
}

#[test]
fn r16_an_upgrade_needs_an_active_pin_that_has_not_expired() {
    let request = || Command::RequestUpgrade {
        via: UpgradeVia::Online,
        document: valid_identity_card(),
    };
    let mut rig = Rig::new(&person());
    assert_eq!(rig.refuse(request(), t0()).code(), "account.no_pin");
    rig.request(person(), ChannelRequest::Online, t0());
    assert_eq!(
        rig.refuse(request(), t0() + secs(1)).code(),
        "login.first_access_required"
    );
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let expiry = at("2027-05-25T08:00:00Z");
    assert_eq!(
        rig.refuse(request(), expiry),
        Refusal::PinExpired { expired_at: expiry }
    );
    rig.check_replay();
}

#[test]
fn r17_approval_makes_the_pin_dispositivo_and_tells_the_person() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let requested = at("2026-12-01T09:00:00Z");
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: valid_identity_card(),
        },
        requested,
    );
    let decided = at("2026-12-03T15:00:00Z");
    let outcome = rig.ok(
        Command::DecideUpgrade {
            decision: UpgradeDecision::Approve,
            reviewer: operator("bo-11"),
        },
        decided,
    );
    assert_eq!(outcome.reply, Reply::UpgradeDecided { approved: true });
    assert_eq!(
        outcome.events,
        [Event::UpgradeApproved {
            at: decided,
            by: operator("bo-11")
        }]
    );
    assert_eq!(notices(&outcome), [(Notice::UpgradeApproved, by_email())]);
    assert_eq!(rig.account.upgrade_pending(), None);
    assert_eq!(
        rig.account.status(decided),
        PinStatus::Active {
            assurance: AssuranceLevel::Dispositivo,
            expires_at: at("2027-05-25T08:00:00Z")
        }
    );
    let session = rig.session(&code, decided + secs(1));
    assert_eq!(session.level(), AssuranceLevel::Dispositivo);
    assert!(bonus_600_allowed(&rig.policy, &session));

    // A renewal keeps it dispositivo.
    let (outcome, new) = rig.renew(&code, at("2027-05-20T08:00:00Z"));
    let Reply::PinRenewed(renewed) = outcome.reply else {
        panic!()
    };
    assert_eq!(renewed.level(), AssuranceLevel::Dispositivo);
    let session = rig.session(&new, at("2027-05-20T08:00:01Z"));
    assert!(bonus_600_allowed(&rig.policy, &session));
    // Already dispositivo: no further request.
    let refusal = rig.refuse(
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: valid_identity_card(),
        },
        at("2027-05-21T08:00:00Z"),
    );
    assert_eq!(refusal.code(), "upgrade.already_dispositivo");
    rig.check_replay();
}

#[test]
fn r17_rejection_keeps_the_pin_ordinary_and_tells_the_reason() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: valid_identity_card(),
        },
        at("2026-12-01T09:00:00Z"),
    );
    let reason = RejectionReason::new("la copia del documento non è leggibile").unwrap();
    let decided = at("2026-12-02T09:00:00Z");
    let outcome = rig.ok(
        Command::DecideUpgrade {
            decision: UpgradeDecision::Reject(reason.clone()),
            reviewer: operator("bo-12"),
        },
        decided,
    );
    assert_eq!(outcome.reply, Reply::UpgradeDecided { approved: false });
    assert_eq!(
        outcome.events,
        [Event::UpgradeRejected {
            at: decided,
            by: operator("bo-12"),
            reason: reason.clone()
        }]
    );
    let notice = Notice::UpgradeRejected {
        reason: "la copia del documento non è leggibile".to_owned(),
    };
    assert!(
        notice
            .message_it()
            .contains("la copia del documento non è leggibile")
    );
    assert_eq!(notices(&outcome), [(notice, by_email())]);
    assert_eq!(rig.account.upgrade_pending(), None);
    let session = rig.session(&code, decided + secs(1));
    assert_eq!(session.level(), AssuranceLevel::Ordinary);
    assert!(!bonus_600_allowed(&rig.policy, &session));
    // The person may try again.
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: valid_identity_card(),
        },
        decided + secs(2),
    );
    assert_eq!(rig.account.upgrade_pending(), Some(UpgradeVia::Online));
    rig.check_replay();
}

#[test]
fn r17_a_decision_with_nothing_pending_is_refused() {
    let mut rig = Rig::new(&person());
    let decide = || Command::DecideUpgrade {
        decision: UpgradeDecision::Approve,
        reviewer: operator("bo-11"),
    };
    assert_eq!(rig.refuse(decide(), t0()).code(), "upgrade.none_pending");
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let refusal = rig.refuse(decide(), at("2026-12-01T09:00:00Z"));
    assert_eq!(refusal, Refusal::NoUpgradePending);
    // Once decided, nothing waits any more.
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: valid_identity_card(),
        },
        at("2026-12-01T09:00:00Z"),
    );
    rig.apply(decide(), at("2026-12-02T09:00:00Z"));
    let refusal = rig.refuse(
        Command::DecideUpgrade {
            decision: UpgradeDecision::Reject(RejectionReason::new("tardi").unwrap()),
            reviewer: operator("bo-12"),
        },
        at("2026-12-02T10:00:00Z"),
    );
    assert_eq!(refusal.code(), "upgrade.none_pending");
    rig.check_replay();
}

#[test]
fn r17_at_a_sede_the_operator_approves_on_the_spot() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-01T09:00:00Z");
    let outcome = rig.ok(
        Command::UpgradeAtSede {
            document: valid_identity_card(),
            operator: operator("op-042"),
        },
        now,
    );
    assert_eq!(outcome.reply, Reply::UpgradeDecided { approved: true });
    assert_eq!(
        outcome.events,
        [Event::UpgradeApproved {
            at: now,
            by: operator("op-042")
        }]
    );
    assert_eq!(rig.account.upgrade_pending(), None);
    let session = rig.session(&code, now + secs(1));
    assert_eq!(session.level(), AssuranceLevel::Dispositivo);
    assert!(bonus_600_allowed(&rig.policy, &session));

    // A written request pending when the person goes to a sede: the sede settles it.
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: valid_identity_card(),
        },
        now,
    );
    rig.apply(
        Command::UpgradeAtSede {
            document: valid_identity_card(),
            operator: operator("op-042"),
        },
        now + secs(60),
    );
    assert_eq!(rig.account.upgrade_pending(), None);
    let refusal = rig.refuse(
        Command::DecideUpgrade {
            decision: UpgradeDecision::Approve,
            reviewer: operator("bo-11"),
        },
        now + secs(120),
    );
    assert_eq!(refusal.code(), "upgrade.none_pending");
    rig.check_replay();
}

// ---------------------------------------------------------------------------------------------
// R23: restore.

#[test]
fn r23_restore_sends_a_new_16_in_halves_to_the_two_registered_contacts() {
    let mut rig = Rig::new(&person());
    let old = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-10T09:00:00Z");
    // The contacts as the person types them: normalised before comparing.
    let outcome = rig.ok(
        Command::Restore {
            email: Email::parse(" mario.rossi@EXAMPLE.it ").unwrap(),
            mobile: MobileNumber::parse("333 123 4567").unwrap(),
        },
        now,
    );
    let lapses_at = at("2027-03-10T09:00:00Z");
    assert_eq!(
        outcome.reply,
        Reply::PinRestored {
            first_access_by: lapses_at
        }
    );
    assert_eq!(
        deliveries_of(&outcome),
        [
            (PinPart::FirstHalf, by_email()),
            (PinPart::SecondHalf, Medium::Sms(mario_mobile())),
        ]
    );
    assert!(matches!(
        outcome.events[..],
        [Event::PinRestored {
            at: when,
            assurance: AssuranceLevel::Ordinary,
            first_half: None,
            lapses_at: lapse,
            ..
        }] if when == now && lapse == lapses_at
    ));
    assert_eq!(
        rig.account.status(now),
        PinStatus::AwaitingFirstAccess {
            assurance: AssuranceLevel::Ordinary,
            lapses_at
        }
    );
    assert_eq!(rig.deadline(), Some(lapses_at));
    let first = code_of(&outcome, PinPart::FirstHalf);
    let second = code_of(&outcome, PinPart::SecondHalf);
    assert_eq!((first.len(), second.len()), (8, 8));

    // The old 8 stops working: a counted failure.
    let outcome = rig.log_in(&old, now + secs(60));
    assert_eq!(login_failure(&outcome).consecutive_failures(), 1);
    // The halves pass the first access; the new 8 logs in.
    let new = rig.first_access(&format!("{first}{second}"), now + secs(120));
    assert_ne!(new, old);
    let session = rig.session(&new, now + secs(180));
    assert_eq!(session.level(), AssuranceLevel::Ordinary);
    rig.check_replay();
}

#[test]
fn r23_wrong_or_missing_contacts_are_refused_alike_and_told_to_revoke() {
    let now = at("2026-12-10T09:00:00Z");
    let restore = |email: &str, mobile: &str| Command::Restore {
        email: Email::parse(email).unwrap(),
        mobile: MobileNumber::parse(mobile).unwrap(),
    };
    let mut refusals = Vec::new();
    // Wrong e-mail, wrong mobile, both wrong.
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    refusals.push(rig.refuse(restore("other@example.it", "+39 333 123 4567"), now));
    refusals.push(rig.refuse(restore("mario.rossi@example.it", "+39 333 000 0000"), now));
    refusals.push(rig.refuse(restore("other@example.it", "+39 333 000 0000"), now));
    // The local part keeps its case: another mailbox.
    refusals.push(rig.refuse(restore("Mario.Rossi@example.it", "+39 333 123 4567"), now));
    rig.check_replay();
    // Only an e-mail registered; only a mobile; none.
    let email_only = bare_person().with_email(mario_email());
    let mobile_only = bare_person().with_mobile(mario_mobile());
    for (who, channel) in [
        (email_only, ChannelRequest::Online),
        (mobile_only, ChannelRequest::Online),
        (bare_person(), sede_request()),
    ] {
        let mut rig = Rig::new(&who);
        rig.activate(who, channel, at("2026-11-25T09:00:00Z"));
        refusals.push(rig.refuse(restore("mario.rossi@example.it", "+39 333 123 4567"), now));
        rig.check_replay();
    }
    for refusal in &refusals {
        assert_eq!(*refusal, Refusal::ContactsNotMatching);
        assert_eq!(refusal.code(), "restore.contacts_not_matching");
        let message = refusal.message_it();
        assert!(
            message.contains("revoca il PIN con la tessera sanitaria"),
            "{message}"
        );
    }
}

#[test]
fn r23_restore_lifts_a_block_and_resets_the_failures() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let blocked_at = hammer_until_blocked(&mut rig, &code, at("2026-12-01T09:00:00Z"));
    assert_eq!(rig.account.status(blocked_at), PinStatus::Blocked);
    assert_eq!(rig.account.consecutive_failures(), 10);

    let now = blocked_at + secs(3600);
    let outcome = rig.ok(restore_with_mario_contacts(), now);
    assert_eq!(rig.account.consecutive_failures(), 0);
    assert!(matches!(
        rig.account.status(now),
        PinStatus::AwaitingFirstAccess { .. }
    ));
    let new = rig.first_access(&whole_code(&outcome), now);
    rig.session(&new, now);
    rig.check_replay();
}

#[test]
fn r23_restore_keeps_the_level() {
    // Dispositivo from a sede.
    let mut rig = Rig::new(&person());
    rig.activate(person(), sede_request(), at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-10T09:00:00Z");
    let outcome = rig.ok(restore_with_mario_contacts(), now);
    assert!(matches!(
        outcome.events[..],
        [Event::PinRestored {
            assurance: AssuranceLevel::Dispositivo,
            ..
        }]
    ));
    let new = rig.first_access(&whole_code(&outcome), now + secs(1));
    let session = rig.session(&new, now + secs(2));
    assert_eq!(session.level(), AssuranceLevel::Dispositivo);
    assert!(bonus_600_allowed(&rig.policy, &session));
    rig.check_replay();

    // Dispositivo by an upgrade.
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    rig.apply(
        Command::UpgradeAtSede {
            document: valid_identity_card(),
            operator: operator("op-042"),
        },
        at("2026-12-01T09:00:00Z"),
    );
    let outcome = rig.ok(restore_with_mario_contacts(), now);
    let new = rig.first_access(&whole_code(&outcome), now + secs(1));
    assert_eq!(
        rig.session(&new, now + secs(2)).level(),
        AssuranceLevel::Dispositivo
    );
    rig.check_replay();
}

#[test]
fn r23_r30_restore_with_no_pin_reads_like_wrong_contacts() {
    // A caller who knows a codice fiscale must not learn whether it has a PIN: no PIN reads
    // like wrong contacts, and the message covers both (request, or revoke and request).
    let mut rig = Rig::new(&person());
    let refusal = rig.refuse(restore_with_mario_contacts(), t0());
    assert_eq!(refusal.code(), "restore.contacts_not_matching");
    assert!(refusal.message_it().contains("richiedine uno nuovo"));
}

// ---------------------------------------------------------------------------------------------
// R24: revocation with the tessera sanitaria.

#[test]
fn r24_revoke_with_the_tessera_sanitaria_ends_the_pin_and_a_new_request_is_accepted() {
    let policy = policy();
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-10T09:00:00Z");
    let outcome = rig.ok(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        now,
    );
    assert_eq!(outcome.reply, Reply::PinRevoked);
    assert_eq!(outcome.events, [Event::PinRevoked { at: now }]);
    assert_eq!(notices(&outcome), [(Notice::PinRevoked, by_email())]);
    assert_eq!(rig.account.status(now), PinStatus::None);
    assert_eq!(rig.deadline(), None);
    // The old PIN reads like a PIN for an unknown person and counts nothing.
    let outcome = rig.log_in(&code, now + secs(1));
    assert_eq!(
        login_failure(&outcome),
        LoginFailure::for_unknown_person(&policy, &entered(&code))
    );
    assert!(outcome.events.is_empty());
    // Revoking again: nothing to revoke.
    let refusal = rig.refuse(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        now + secs(2),
    );
    assert_eq!(refusal, Refusal::NoPin);
    // A new request.
    let whole = rig.request(person(), ChannelRequest::Online, now + secs(3));
    let new = rig.first_access(&whole, now + secs(4));
    rig.session(&new, now + secs(5));
    rig.check_replay();
}

#[test]
fn r24_revocation_refusals() {
    let mut rig = Rig::new(&person());
    // No PIN.
    assert_eq!(
        rig.refuse(
            Command::Revoke {
                tessera: mario_tessera()
            },
            t0()
        )
        .code(),
        "account.no_pin"
    );
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    // Another person's card.
    let refusal = rig.refuse(
        Command::Revoke {
            tessera: tessera(cf("CCCFBA85D03L219P"), date(2029, 6, 30)),
        },
        at("2026-12-10T09:00:00Z"),
    );
    assert_eq!(refusal, Refusal::TesseraNotMatching);
    assert_eq!(refusal.code(), "revoke.tessera_not_matching");
    // An expired card: valid through its last day in Rome, not a minute more.
    let last_day = date(2026, 12, 10);
    let refusal = rig.refuse(
        Command::Revoke {
            tessera: tessera(person().codice_fiscale(), last_day),
        },
        at("2026-12-10T23:00:00Z"),
    );
    assert_eq!(
        refusal,
        Refusal::TesseraExpired {
            expired_on: last_day
        }
    );
    assert_eq!(refusal.code(), "revoke.tessera_expired");
    rig.apply(
        Command::Revoke {
            tessera: tessera(person().codice_fiscale(), last_day),
        },
        at("2026-12-10T22:59:59Z"),
    );
    rig.check_replay();
}

#[test]
fn r24_a_person_without_contacts_who_lost_the_pin_revokes_and_requests_again() {
    let mut rig = Rig::new(&bare_person());
    rig.activate(bare_person(), sede_request(), at("2026-11-25T09:00:00Z"));
    let now = at("2027-01-10T09:00:00Z");
    let refusal = rig.refuse(restore_with_mario_contacts(), now);
    assert_eq!(refusal.code(), "restore.contacts_not_matching");
    let outcome = rig.ok(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        now + secs(60),
    );
    // Told by post: the only way to reach them.
    assert_eq!(
        notices(&outcome),
        [(Notice::PinRevoked, Medium::Post(residence()))]
    );
    let whole = rig.request(bare_person(), sede_request(), now + secs(120));
    let new = rig.first_access(&whole, now + secs(180));
    let session = rig.session(&new, now + secs(240));
    assert_eq!(session.level(), AssuranceLevel::Dispositivo);
    rig.check_replay();
}

#[test]
fn r24_revocation_lifts_a_block_and_ends_a_pending_upgrade() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: valid_identity_card(),
        },
        at("2026-11-30T09:00:00Z"),
    );
    let blocked_at = hammer_until_blocked(&mut rig, &code, at("2026-12-01T09:00:00Z"));
    let now = blocked_at + secs(60);
    rig.apply(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        now,
    );
    assert_eq!(rig.account.consecutive_failures(), 0);
    assert_eq!(rig.account.upgrade_pending(), None);
    assert_eq!(rig.account.status(now), PinStatus::None);
    rig.request(person(), ChannelRequest::Online, now + secs(1));
    rig.check_replay();
}

// ---------------------------------------------------------------------------------------------
// R25: lockout.

#[test]
fn r25_graduated_delays_of_1_3_5_and_10_seconds_refuse_tries_inside_them() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let start = at("2026-12-01T09:00:00Z");
    // The delay after the 1st, 2nd, … 9th consecutive failure; the 10th blocks.
    let delays = [1, 3, 5, 10, 10, 10, 10, 10, 10];
    let mut now = start;
    for (index, delay) in delays.iter().enumerate() {
        let outcome = rig.ok(Command::LogIn { pin: wrong(&code) }, now);
        let count = u32::try_from(index + 1).unwrap();
        assert_eq!(login_failure(&outcome).consecutive_failures(), count);
        let retry = now + secs(*delay);
        assert_eq!(
            outcome.events,
            [Event::LoginFailed {
                at: now,
                retry_not_before: Some(retry)
            }]
        );
        assert!(outcome.effects.is_empty());
        // Inside the delay: refused, for the right PIN as for a wrong one, and not counted.
        let inside = retry - SignedDuration::from_millis(1);
        for typed in [entered(&code), wrong(&code)] {
            let refusal = rig.refuse(Command::LogIn { pin: typed }, inside);
            assert_eq!(refusal, Refusal::LoginDelayed { retry_after: retry });
            assert_eq!(refusal.code(), "login.delayed");
        }
        // A renewal waits too.
        let refusal = rig.refuse(
            Command::RenewPin {
                pin: entered(&code),
            },
            inside,
        );
        assert_eq!(refusal.code(), "login.delayed");
        assert_eq!(rig.account.consecutive_failures(), count);
        now = retry;
    }
    assert_eq!(now, start + secs(69));
    // Exactly at the end of the last delay, the right PIN is accepted and resets the count.
    rig.session(&code, now);
    assert_eq!(rig.account.consecutive_failures(), 0);
    // The next failure starts the ladder again at 1 s.
    let outcome = rig.ok(Command::LogIn { pin: wrong(&code) }, now + secs(1));
    assert_eq!(
        outcome.events,
        [Event::LoginFailed {
            at: now + secs(1),
            retry_not_before: Some(now + secs(2))
        }]
    );
    rig.check_replay();
}

#[test]
fn r25_the_tenth_consecutive_failure_blocks_and_tells_the_person() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let start = at("2026-12-01T09:00:00Z");
    let blocked_at = hammer_until_blocked(&mut rig, &code, start);
    assert_eq!(blocked_at, start + secs(69));
    // The blocking outcome, looked up in the log.
    let tail: Vec<_> = rig.log[rig.log.len() - 2..].to_vec();
    assert_eq!(
        tail,
        [
            Event::LoginFailed {
                at: blocked_at,
                retry_not_before: None
            },
            Event::PinBlocked { at: blocked_at }
        ]
    );
    assert_eq!(rig.account.consecutive_failures(), 10);
    assert_eq!(rig.account.status(blocked_at), PinStatus::Blocked);
    // No delay to wait for: the next deadline is the expiry warning.
    assert_eq!(rig.deadline(), Some(at("2027-05-11T08:00:00Z")));
    // Blocked: even the right PIN, even much later, is refused before any check.
    for later in [
        blocked_at,
        blocked_at + secs(3600),
        at("2027-01-01T00:00:00Z"),
    ] {
        let refusal = rig.refuse(
            Command::LogIn {
                pin: entered(&code),
            },
            later,
        );
        assert_eq!(refusal, Refusal::PinBlocked);
        assert_eq!(refusal.code(), "login.pin_blocked");
        assert!(refusal.message_it().contains("Ripristina PIN"));
        assert_eq!(
            rig.refuse(Command::LogIn { pin: wrong(&code) }, later),
            Refusal::PinBlocked
        );
        assert_eq!(
            rig.refuse(
                Command::RenewPin {
                    pin: entered(&code)
                },
                later
            ),
            Refusal::PinBlocked
        );
    }
    assert_eq!(rig.account.consecutive_failures(), 10);
    rig.check_replay();
}

#[test]
fn r25_a_blocked_pin_gets_no_renewal_notices() {
    // The block notice said to restore, which gives a new PIN anyway: a warning or an expiry
    // notice inviting a renewal would mislead. The clock still records both.
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    hammer_until_blocked(&mut rig, &code, at("2026-12-01T09:00:00Z"));
    let outcomes = rig.advance(at("2027-06-01T00:00:00Z"));
    let names: Vec<&str> = outcomes
        .iter()
        .flat_map(|outcome| outcome.events.iter().map(Event::name))
        .collect();
    assert_eq!(names, ["expiry_warned", "pin_expired"]);
    assert!(outcomes.iter().all(|outcome| outcome.effects.is_empty()));
    assert_eq!(rig.deadline(), None);
    rig.check_replay();
}

#[test]
fn r25_the_block_notice_goes_out_with_the_tenth_failure() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let mut now = at("2026-12-01T09:00:00Z");
    for _ in 0..9 {
        let outcome = rig.ok(Command::LogIn { pin: wrong(&code) }, now);
        assert!(outcome.effects.is_empty(), "no notice before the block");
        now = rig.deadline().unwrap();
    }
    let outcome = rig.ok(Command::LogIn { pin: wrong(&code) }, now);
    assert_eq!(login_failure(&outcome).consecutive_failures(), 10);
    assert_eq!(notices(&outcome), [(Notice::PinBlocked, by_email())]);
    assert_eq!(outcome.events.len(), 2);
    rig.check_replay();
}

#[test]
fn r25_a_success_resets_the_count() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let mut now = at("2026-12-01T09:00:00Z");
    // Nine failures, a success, nine more: never blocked.
    for round in 0..2 {
        for _ in 0..9 {
            rig.apply(Command::LogIn { pin: wrong(&code) }, now);
            now = rig.deadline().unwrap();
        }
        assert_eq!(rig.account.consecutive_failures(), 9, "round {round}");
        rig.session(&code, now);
        assert_eq!(rig.account.consecutive_failures(), 0);
    }
    assert!(matches!(rig.account.status(now), PinStatus::Active { .. }));
    rig.check_replay();
}

#[test]
fn r25_nist_caps_the_block_at_100_failures() {
    assert_eq!(MAX_BLOCK_AFTER, 100);
    assert_eq!(
        Lockout::new(vec![1, 3, 5, 10], 101),
        Err(LockoutError::BlockAfter { found: 101 })
    );
    assert_eq!(
        Lockout::new(vec![], 0),
        Err(LockoutError::BlockAfter { found: 0 })
    );
    assert_eq!(
        Lockout::new(vec![1, 3, 5, 10], 100).unwrap().block_after(),
        100
    );
    assert_eq!(
        Lockout::default(),
        Lockout::new(vec![1, 3, 5, 10], 10).unwrap()
    );
    // A policy loaded from storage with a block above the cap is refused too.
    let mut stored = serde_json::to_value(policy()).unwrap();
    stored["lockout"]["block_after"] = 101.into();
    assert!(serde_json::from_value::<Policy>(stored).is_err());

    // A custom block count is honoured: three failures, no delays.
    let mut custom = policy();
    custom.lockout = Lockout::new(vec![], 3).unwrap();
    let mut rig = Rig::with_policy(&person(), custom);
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-01T09:00:00Z");
    for _ in 0..2 {
        let outcome = rig.ok(Command::LogIn { pin: wrong(&code) }, now);
        assert_eq!(
            outcome.events,
            [Event::LoginFailed {
                at: now,
                retry_not_before: None
            }]
        );
    }
    assert_eq!(rig.account.consecutive_failures(), 2);
    let outcome = rig.ok(Command::LogIn { pin: wrong(&code) }, now);
    assert_eq!(
        outcome.events,
        [
            Event::LoginFailed {
                at: now,
                retry_not_before: None
            },
            Event::PinBlocked { at: now }
        ]
    );
    assert_eq!(rig.account.status(now), PinStatus::Blocked);
    rig.check_replay();
}

#[test]
fn r25_a_stranger_hammering_can_block_but_the_owner_restores_and_logs_in() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let start = at("2026-12-01T09:00:00Z");
    // The stranger guesses, and the harness waits out each delay by its deadline.
    let mut now = start;
    let mut waits = Vec::new();
    for _ in 0..10 {
        rig.apply(
            Command::LogIn {
                pin: entered("ZZZZZZZZ"),
            },
            now,
        );
        let Some(next) = rig.deadline() else { break };
        if rig.account.status(now) == PinStatus::Blocked {
            break;
        }
        let outcomes = rig.advance(next);
        assert_eq!(outcomes.len(), 1);
        assert_eq!(outcomes[0].events, [Event::LoginDelayEnded { at: next }]);
        waits.push(now.duration_until(next).as_secs());
        now = next;
    }
    assert_eq!(waits, [1, 3, 5, 10, 10, 10, 10, 10, 10]);
    assert_eq!(rig.account.status(now), PinStatus::Blocked);
    assert_eq!(
        rig.refuse(
            Command::LogIn {
                pin: entered(&code)
            },
            now
        )
        .code(),
        "login.pin_blocked"
    );

    // The owner restores with the contacts only they hold, and is back in.
    let later = now + secs(600);
    let outcome = rig.ok(restore_with_mario_contacts(), later);
    let new = rig.first_access(&whole_code(&outcome), later + secs(60));
    let session = rig.session(&new, later + secs(120));
    assert_eq!(session.codice_fiscale(), person().codice_fiscale());
    assert_eq!(rig.account.consecutive_failures(), 0);
    rig.check_replay();
}

#[test]
fn r25_r30_a_counted_failure_reads_like_an_unknown_person() {
    let policy = policy();
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let unknown = LoginFailure::for_unknown_person(&policy, &entered("ABCDEFGH"));
    let mut now = at("2026-12-01T09:00:00Z");
    let mut failures = Vec::new();
    for command in [
        Command::LogIn { pin: wrong(&code) },
        Command::RenewPin { pin: wrong(&code) },
        Command::FirstAccess {
            pin: entered("ABCDEFGHJKLMNPQR"),
        },
    ] {
        let outcome = rig.ok(command, now);
        failures.push(login_failure(&outcome));
        now = rig.deadline().unwrap();
    }
    // A wrong PIN on an expired account.
    let mut expired = Rig::new(&person());
    let code = expired.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let outcome = expired.ok(
        Command::LogIn { pin: wrong(&code) },
        at("2027-06-01T00:00:00Z"),
    );
    failures.push(login_failure(&outcome));
    assert_eq!(
        failures
            .iter()
            .map(LoginFailure::consecutive_failures)
            .collect::<Vec<_>>(),
        [1, 2, 3, 1]
    );
    for failure in failures {
        assert_eq!(failure.code(), unknown.code());
        assert_eq!(failure.code(), "login.credentials_invalid");
        assert_eq!(failure.message_it(), unknown.message_it());
        assert_eq!(failure.message_en(), unknown.message_en());
    }
    rig.check_replay();
}

// ---------------------------------------------------------------------------------------------
// R22a: the sunset of 2020–2021.

#[test]
fn r22a_the_check_character_helper_agrees_with_the_parser() {
    for known in [
        "RSSMRA80A01H501U",
        "RCCMNL83S18D969H",
        "CCCFBA85D03L219P",
        "CCCFBA85D03L21VE",
    ] {
        assert_eq!(with_check_character(&known[..15]), known);
    }
    // And the codes the sunset tests build parse, with the birth dates meant.
    let today = date(2020, 10, 1);
    for (first15, born) in [
        ("RSSLCU05C15H501", date(2005, 3, 15)),
        ("RSSLCU02R01H501", date(2002, 10, 1)),
        ("RSSLCU02R02H501", date(2002, 10, 2)),
    ] {
        let code = CodiceFiscale::parse(&with_check_character(first15)).unwrap();
        assert_eq!(code.birth_date(today), Some(born));
    }
}

#[test]
fn r22a_new_pins_stop_at_rome_midnight_on_1_october_2020() {
    let policy = sunset_policy();
    // The last second of 30 September in Rome: accepted.
    let mut rig = Rig::with_policy(&person(), policy.clone());
    rig.request(person(), ChannelRequest::Online, at("2020-09-30T21:59:59Z"));
    rig.check_replay();
    // Midnight in Rome (22:00Z): refused, through every channel.
    let midnight = at("2020-09-30T22:00:00Z");
    assert_eq!(rome(midnight), "2020-10-01T00:00:00+02:00[Europe/Rome]");
    for channel in [
        ChannelRequest::Online,
        contact_center(PhoneKind::Mobile),
        sede_request(),
    ] {
        let mut rig = Rig::with_policy(&person(), policy.clone());
        let refusal = rig.refuse(
            Command::RequestPin {
                person: person(),
                channel,
            },
            midnight,
        );
        assert_eq!(
            refusal,
            Refusal::NewPinsDiscontinued {
                since: date(2020, 10, 1)
            }
        );
        assert_eq!(refusal.code(), "sunset.no_new_pins");
        assert!(refusal.message_it().contains("SPID"));
        assert_eq!(rig.account.version(), 0);
    }
}

#[test]
fn r22a_minors_and_declared_exemptions_still_get_a_new_pin() {
    let policy = sunset_policy();
    let now = at("2020-10-01T08:00:00Z");
    let accepted = [
        // Born 15 March 2005: 15 years old.
        citizen_born("RSSLCU05C15H501"),
        // Turns 18 on 2 October 2020: still a minor on the 1st.
        citizen_born("RSSLCU02R02H501"),
        person().with_sunset_exemption(SunsetExemption::NoItalianIdentityDocument),
        person().with_sunset_exemption(SunsetExemption::LegalProtection),
    ];
    for who in accepted {
        let mut rig = Rig::with_policy(&who, policy.clone());
        let whole = rig.request(who, ChannelRequest::Online, now);
        rig.first_access(&whole, now + secs(60));
        rig.check_replay();
    }
    // Turned 18 on 1 October 2020: an adult that day.
    let adult = citizen_born("RSSLCU02R01H501");
    let mut rig = Rig::with_policy(&adult, policy);
    let refusal = rig.refuse(
        Command::RequestPin {
            person: adult,
            channel: ChannelRequest::Online,
        },
        now,
    );
    assert_eq!(refusal.code(), "sunset.no_new_pins");
}

#[test]
fn r22a_a_live_pin_is_used_and_renewed_between_the_dates_and_nothing_works_after() {
    let mut rig = Rig::with_policy(&person(), sunset_policy());
    let code = rig.activate(person(), ChannelRequest::Online, at("2020-06-02T08:00:00Z"));
    assert_eq!(rig.expiry(), at("2020-12-02T09:00:00Z"));
    // Between the dates: login, renewal.
    rig.session(&code, at("2020-10-15T08:00:00Z"));
    let (_, code) = rig.renew(&code, at("2020-11-25T09:00:00Z"));
    assert_eq!(rig.expiry(), at("2021-05-25T08:00:00Z"));
    let (_, code) = rig.renew(&code, at("2021-05-20T08:00:00Z"));
    assert_eq!(rig.expiry(), at("2021-11-20T09:00:00Z"));
    // The last second of 30 September 2021 in Rome.
    let last = at("2021-09-30T21:59:59Z");
    rig.session(&code, last);

    // From midnight on 1 October 2021 in Rome, nothing a PIN does works.
    let retired = at("2021-09-30T22:00:00Z");
    let since = date(2021, 10, 1);
    for command in [
        Command::LogIn {
            pin: entered(&code),
        },
        Command::LogIn { pin: wrong(&code) },
        Command::RenewPin {
            pin: entered(&code),
        },
        restore_with_mario_contacts(),
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: valid_identity_card(),
        },
        Command::UpgradeAtSede {
            document: valid_identity_card(),
            operator: operator("op-042"),
        },
    ] {
        let name = command.name();
        let refusal = rig.refuse(command, retired);
        assert_eq!(refusal, Refusal::PinsRetired { since }, "{name}");
        assert_eq!(refusal.code(), "sunset.pins_retired");
        assert!(refusal.message_it().contains("SPID"));
    }
    // Not even a minor gets a new one now.
    let minor = citizen_born("RSSLCU05C15H501");
    let mut other = Rig::with_policy(&minor, sunset_policy());
    let refusal = other.refuse(
        Command::RequestPin {
            person: minor,
            channel: ChannelRequest::Online,
        },
        retired,
    );
    assert_eq!(refusal.code(), "sunset.pins_retired");
    rig.check_replay();
}

#[test]
fn r22a_a_restore_and_a_first_access_work_between_the_dates() {
    let mut rig = Rig::with_policy(&person(), sunset_policy());
    // Requested before the cut-off; the post arrives after it.
    let whole = rig.request(person(), ChannelRequest::Online, at("2020-09-25T08:00:00Z"));
    let code = rig.first_access(&whole, at("2020-10-05T08:00:00Z"));
    rig.session(&code, at("2020-10-06T08:00:00Z"));
    let outcome = rig.ok(restore_with_mario_contacts(), at("2021-02-01T09:00:00Z"));
    let new = rig.first_access(&whole_code(&outcome), at("2021-02-02T09:00:00Z"));
    rig.session(&new, at("2021-02-03T09:00:00Z"));
    // A first access after the retirement is refused.
    let outcome = rig.ok(restore_with_mario_contacts(), at("2021-09-20T09:00:00Z"));
    let refusal = rig.refuse(
        Command::FirstAccess {
            pin: entered(&whole_code(&outcome)),
        },
        at("2021-10-01T09:00:00Z"),
    );
    assert_eq!(refusal.code(), "sunset.pins_retired");
    rig.check_replay();
}

#[test]
fn r22a_no_renewal_notices_after_the_retirement() {
    // A person under amministrazione di sostegno got a PIN after the cut-off.
    let protected = person().with_sunset_exemption(SunsetExemption::LegalProtection);
    let mut rig = Rig::with_policy(&protected, sunset_policy());
    let code = rig.activate(
        protected,
        ChannelRequest::Online,
        at("2021-05-20T08:00:00Z"),
    );
    assert_eq!(rig.expiry(), at("2021-11-20T09:00:00Z"));
    let outcomes = rig.advance(at("2022-01-01T00:00:00Z"));
    let sent: Vec<_> = outcomes.iter().flat_map(notices).collect();
    // The renewal these notices invite is refused.
    let refusal = rig.refuse(
        Command::RenewPin {
            pin: entered(&code),
        },
        at("2021-11-10T09:00:00Z"),
    );
    assert_eq!(refusal.code(), "sunset.pins_retired");
    assert_eq!(sent, [], "notices inviting a renewal that cannot happen");
}

#[test]
fn r22a_the_default_policy_has_no_sunset() {
    assert_eq!(policy().sunset, None);
    assert_eq!(Policy::default().sunset, None);
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2021-10-05T08:00:00Z"));
    rig.session(&code, at("2022-01-10T09:00:00Z"));
    let (_, code) = rig.renew(&code, at("2022-04-01T08:00:00Z"));
    rig.session(&code, at("2022-04-02T08:00:00Z"));
    rig.check_replay();
}

// ---------------------------------------------------------------------------------------------
// R27, R29 across a whole life.

#[test]
fn r27_every_lifecycle_command_refused_leaves_the_account_byte_identical() {
    // One account walked through its states; in each, the lifecycle commands that must be
    // refused are sent (Rig::refuse compares the serialized account before and after).
    let mut rig = Rig::new(&person());
    let restore = restore_with_mario_contacts;
    let revoke = || Command::Revoke {
        tessera: mario_tessera(),
    };
    let upgrade = || Command::RequestUpgrade {
        via: UpgradeVia::Online,
        document: valid_identity_card(),
    };
    let at_sede = || Command::UpgradeAtSede {
        document: valid_identity_card(),
        operator: operator("op-042"),
    };
    let decide = || Command::DecideUpgrade {
        decision: UpgradeDecision::Approve,
        reviewer: operator("bo-11"),
    };
    let mut codes = Vec::new();
    // No PIN.
    for command in [restore(), revoke(), upgrade(), at_sede(), decide()] {
        codes.push(rig.refuse(command, t0()).code());
    }
    // Awaiting the first access.
    let whole = rig.request(person(), ChannelRequest::Online, t0());
    for command in [upgrade(), at_sede(), decide()] {
        codes.push(rig.refuse(command, t0() + secs(1)).code());
    }
    let code = rig.first_access(&whole, at("2026-11-25T09:00:00Z"));
    // Active.
    let now = at("2026-12-01T09:00:00Z");
    for command in [
        Command::RenewPin {
            pin: entered(&code),
        },
        decide(),
        Command::Restore {
            email: Email::parse("x@example.it").unwrap(),
            mobile: mario_mobile(),
        },
        Command::Revoke {
            tessera: tessera(cf("CCCFBA85D03L219P"), date(2030, 1, 1)),
        },
        Command::UpgradeAtSede {
            document: identity_card(date(2020, 1, 1)),
            operator: operator("op-042"),
        },
    ] {
        codes.push(rig.refuse(command, now).code());
    }
    rig.apply(upgrade(), now);
    codes.push(rig.refuse(upgrade(), now).code());
    // Expired.
    let expiry = at("2027-05-25T08:00:00Z");
    rig.advance(expiry);
    for command in [
        Command::LogIn {
            pin: entered(&code),
        },
        at_sede(),
    ] {
        codes.push(rig.refuse(command, expiry).code());
    }
    assert_eq!(
        codes,
        [
            "restore.contacts_not_matching",
            "account.no_pin",
            "account.no_pin",
            "account.no_pin",
            "upgrade.none_pending",
            "login.first_access_required",
            "login.first_access_required",
            "upgrade.none_pending",
            "renewal.not_due",
            "upgrade.none_pending",
            "restore.contacts_not_matching",
            "revoke.tessera_not_matching",
            "request.identity_document_expired",
            "upgrade.pending",
            "login.pin_expired",
            "login.pin_expired",
        ]
    );
    rig.check_replay();
}

#[test]
fn r29_replaying_the_events_of_a_long_life_rebuilds_the_account_at_every_step() {
    let mut rig = Rig::new(&person());
    let whole = rig.request(person(), contact_center(PhoneKind::Mobile), t0());
    rig.check_replay();
    let mut code = rig.first_access(&whole, at("2026-11-25T09:00:00Z"));
    rig.check_replay();
    rig.apply(
        Command::LogIn { pin: wrong(&code) },
        at("2026-11-26T09:00:00Z"),
    );
    rig.advance(at("2026-11-27T00:00:00Z"));
    rig.check_replay();
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: valid_identity_card(),
        },
        at("2026-11-28T09:00:00Z"),
    );
    rig.apply(
        Command::DecideUpgrade {
            decision: UpgradeDecision::Reject(RejectionReason::new("firma mancante").unwrap()),
            reviewer: operator("bo-12"),
        },
        at("2026-11-29T09:00:00Z"),
    );
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: valid_identity_card(),
        },
        at("2026-11-30T09:00:00Z"),
    );
    rig.apply(
        Command::DecideUpgrade {
            decision: UpgradeDecision::Approve,
            reviewer: operator("bo-11"),
        },
        at("2026-12-01T09:00:00Z"),
    );
    rig.check_replay();
    // Warned, then renewed in the window.
    rig.advance(at("2027-05-11T08:00:00Z"));
    code = rig.renew(&code, at("2027-05-12T08:00:00Z")).1;
    rig.check_replay();
    // Blocked by a stranger, restored.
    hammer_until_blocked(&mut rig, &code, at("2027-06-01T08:00:00Z"));
    rig.check_replay();
    let outcome = rig.ok(restore_with_mario_contacts(), at("2027-06-02T08:00:00Z"));
    code = rig.first_access(&whole_code(&outcome), at("2027-06-03T08:00:00Z"));
    rig.check_replay();
    // Expired through the clock, renewed after.
    let events_before = rig.log.len();
    rig.advance(at("2028-01-01T00:00:00Z"));
    assert_eq!(rig.log.len(), events_before + 2, "warning and expiry");
    code = rig.renew(&code, at("2028-01-02T09:00:00Z")).1;
    assert_eq!(
        rig.session(&code, at("2028-01-02T09:00:01Z")).level(),
        AssuranceLevel::Dispositivo
    );
    // Revoked, requested again.
    rig.apply(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        at("2028-02-01T09:00:00Z"),
    );
    rig.request(person(), ChannelRequest::Online, at("2028-02-01T09:01:00Z"));
    rig.check_replay();
    let names: Vec<_> = rig.log.iter().map(Event::name).collect();
    for expected in [
        "pin_issued",
        "first_access_completed",
        "login_failed",
        "login_delay_ended",
        "upgrade_requested",
        "upgrade_rejected",
        "upgrade_approved",
        "expiry_warned",
        "pin_renewed",
        "pin_blocked",
        "pin_restored",
        "pin_expired",
        "logged_in",
        "pin_revoked",
    ] {
        assert!(
            names.contains(&expected),
            "{expected} missing from {names:?}"
        );
    }
}
