//! Fixtures shared by the integration tests: seeded generators, explicit timestamps, people,
//! and the steps every scenario starts with.
#![allow(dead_code)] // each test file uses a different part

use inps_pin::{
    Account, Address, ChannelRequest, CodiceFiscale, Command, Context, Delivery, DocumentKind,
    Email, EnteredPin, HashCost, IdentityDocument, LandlineNumber, MobileNumber, OperatorId,
    Outcome, Person, PersonName, PinPart, Policy, Refusal, Reply, Role, SedeRequest, Session,
};
use jiff::Timestamp;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

/// The policy every test uses: the default, with the cheap hash cost so the suite runs fast.
pub fn policy() -> Policy {
    Policy::default().with_hash_cost(HashCost::CHEAP)
}

/// A generator seeded for repeatable runs.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// An instant, from RFC 3339 text.
pub fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// The instant every scenario starts at.
pub fn t0() -> Timestamp {
    at("2026-11-24T09:00:00Z")
}

pub fn cf(code: &str) -> CodiceFiscale {
    CodiceFiscale::parse(code).unwrap()
}

pub fn residence() -> Address {
    Address::new("Via Roma 1", "00184", "Roma", "RM").unwrap()
}

/// Mario Rossi, citizen, with residence only.
pub fn bare_person() -> Person {
    Person::new(
        PersonName::parse("Mario").unwrap(),
        PersonName::parse("Rossi").unwrap(),
        cf("RSSMRA80A01H501U"),
        Role::Citizen,
        residence(),
    )
}

/// Mario Rossi with e-mail, mobile and landline.
pub fn person() -> Person {
    bare_person()
        .with_email(Email::parse("mario.rossi@example.it").unwrap())
        .with_mobile(MobileNumber::parse("+39 333 123 4567").unwrap())
        .with_landline(LandlineNumber::parse("06 1234567").unwrap())
}

pub fn sede_request() -> ChannelRequest {
    ChannelRequest::Sede(SedeRequest {
        document: IdentityDocument::new(
            DocumentKind::IdentityCard,
            "CA12345AB",
            jiff::civil::date(2030, 1, 1),
        )
        .unwrap(),
        operator: OperatorId::new("op-042").unwrap(),
    })
}

/// Runs one command on the account at `now`.
pub fn run(
    account: &mut Account,
    command: Command,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> Result<Outcome, Refusal> {
    account.handle(command, &mut Context::new(now, policy, rng))
}

/// The 16 characters a person would type, put together from an issuing outcome's deliveries
/// (the two halves, or the whole code from the counter).
pub fn whole_pin_from(outcome: &Outcome) -> EnteredPin {
    let part = |wanted: PinPart| -> Option<&Delivery> {
        outcome.deliveries().find(|d| d.part() == wanted)
    };
    if let Some(whole) = part(PinPart::WholeFirstPin) {
        return EnteredPin::from_secret(whole.secret().unwrap());
    }
    EnteredPin::from_halves(
        part(PinPart::FirstHalf).unwrap().secret().unwrap(),
        part(PinPart::SecondHalf).unwrap().secret().unwrap(),
    )
}

/// The 8-character PIN shown on screen at first access.
pub fn new_pin_from(outcome: &Outcome) -> EnteredPin {
    let delivery = outcome
        .deliveries()
        .find(|d| d.part() == PinPart::Pin)
        .unwrap();
    EnteredPin::from_secret(delivery.secret().unwrap())
}

/// An account for `person` with a PIN requested through `channel` at `t0()`; returns the
/// account, the 16 characters, and the issuing outcome's reply.
pub fn issued(
    person: Person,
    channel: ChannelRequest,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> (Account, EnteredPin) {
    let mut account = Account::new(person.codice_fiscale());
    let outcome = run(
        &mut account,
        Command::RequestPin { person, channel },
        t0(),
        policy,
        rng,
    )
    .unwrap();
    let whole = whole_pin_from(&outcome);
    (account, whole)
}

/// An account whose first access is done at `t0()` + 1 day; returns it with its 8-character PIN.
pub fn active(
    person: Person,
    channel: ChannelRequest,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> (Account, EnteredPin) {
    let (mut account, whole) = issued(person, channel, policy, rng);
    let outcome = run(
        &mut account,
        Command::FirstAccess { pin: whole },
        at("2026-11-25T09:00:00Z"),
        policy,
        rng,
    )
    .unwrap();
    assert!(matches!(outcome.reply, Reply::FirstAccessCompleted(_)));
    let pin = new_pin_from(&outcome);
    (account, pin)
}

/// Logs in and returns the session, panicking on anything else.
pub fn session(
    account: &mut Account,
    pin: EnteredPin,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> Session {
    match run(account, Command::LogIn { pin }, now, policy, rng)
        .unwrap()
        .reply
    {
        Reply::LoggedIn(session) => session,
        other => panic!("expected a session, got {other:?}"),
    }
}

/// Proptest settings for the suite: `cases` cases from a fixed seed, so every run explores the
/// same scenarios and no test is flaky, and no regression files written beside the tests (a
/// counterexample worth keeping becomes a named test).
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x1A5_2026),
        ..proptest::test_runner::Config::default()
    }
}
