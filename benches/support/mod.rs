//! Fixtures shared by the benchmarks, copied from `tests/common` (a bench cannot import an
//! integration test's module): seeded generators, explicit timestamps, a person, and the steps
//! that take an account to an active PIN.
#![allow(dead_code)] // each bench uses a different part

use inps_pin::{
    Account, Address, ChannelRequest, CodiceFiscale, Command, Context, Delivery, Email, EnteredPin,
    MobileNumber, Outcome, Person, PersonName, PinPart, Policy, Reply, Role, Session,
};
use jiff::Timestamp;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

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

/// The instant of the first access: one day after `t0()`.
pub fn t1() -> Timestamp {
    at("2026-11-25T09:00:00Z")
}

pub fn cf(code: &str) -> CodiceFiscale {
    CodiceFiscale::parse(code).unwrap()
}

/// The typical citizen: Mario Rossi, resident in Roma, with e-mail and mobile.
pub fn person() -> Person {
    Person::new(
        PersonName::parse("Mario").unwrap(),
        PersonName::parse("Rossi").unwrap(),
        cf("RSSMRA80A01H501U"),
        Role::Citizen,
        Address::new("Via Roma 1", "00184", "Roma", "RM").unwrap(),
    )
    .with_email(Email::parse("mario.rossi@example.it").unwrap())
    .with_mobile(MobileNumber::parse("+39 333 123 4567").unwrap())
}

fn run(
    account: &mut Account,
    command: Command,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> Outcome {
    account
        .handle(command, &mut Context::new(now, policy, rng))
        .unwrap()
}

fn delivery(outcome: &Outcome, wanted: PinPart) -> &Delivery {
    outcome.deliveries().find(|d| d.part() == wanted).unwrap()
}

/// An account for `person()` with a PIN requested online at `t0()` and its first access done
/// at `t1()`; returns it with the 8-character PIN as text (to type it again at each login).
pub fn active(policy: &Policy, rng: &mut ChaCha20Rng) -> (Account, String) {
    let person = person();
    let mut account = Account::new(person.codice_fiscale());
    let issued = run(
        &mut account,
        Command::RequestPin {
            person,
            channel: ChannelRequest::Online,
        },
        t0(),
        policy,
        rng,
    );
    let whole = EnteredPin::from_halves(
        delivery(&issued, PinPart::FirstHalf).secret().unwrap(),
        delivery(&issued, PinPart::SecondHalf).secret().unwrap(),
    );
    let accessed = run(
        &mut account,
        Command::FirstAccess { pin: whole },
        t1(),
        policy,
        rng,
    );
    assert!(matches!(accessed.reply, Reply::FirstAccessCompleted(_)));
    let pin = delivery(&accessed, PinPart::Pin)
        .secret()
        .unwrap()
        .expose()
        .to_owned();
    (account, pin)
}

/// Logs in with `pin` at `now`; panics on anything but a session.
pub fn log_in(
    account: &mut Account,
    pin: &str,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> Session {
    let pin = EnteredPin::parse(pin).unwrap();
    match run(account, Command::LogIn { pin }, now, policy, rng).reply {
        Reply::LoggedIn(session) => session,
        other => panic!("expected a session, got {other:?}"),
    }
}

/// The first `$argon2id$...` string anywhere in a JSON value: the stored PIN hash.
pub fn phc_in(value: &serde_json::Value) -> Option<&str> {
    match value {
        serde_json::Value::String(s) if s.starts_with("$argon2id$") => Some(s),
        serde_json::Value::Array(items) => items.iter().find_map(phc_in),
        serde_json::Value::Object(map) => map.values().find_map(phc_in),
        _ => None,
    }
}
