//! Driving the machine: no I/O and determinism (R26), all or nothing (R27), serde round trips
//! (R28), versions and replay (R29), refusals and failures as the caller reads them (R30).
//!
//! Unless a test says otherwise, the policy is `policy_without_lockout()` (tests/common): these
//! rules are pinned with retries at one instant, which R25's delays would refuse.

mod common;
use common::*;

use inps_pin::*;
use jiff::Timestamp;
use jiff::civil::date;
use rand_chacha::ChaCha20Rng;
use serde::Serialize;
use serde::de::DeserializeOwned;

// ---------------------------------------------------------------------------------------------
// Helpers local to this file.

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    /// `Account::handle`.
    Handle,
    /// `Account::decide`, then `Account::evolve` for each event.
    DecideThenEvolve,
}

fn step(
    account: &mut Account,
    command: Command,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
    mode: Mode,
) -> Result<Outcome, Refusal> {
    let mut context = Context::new(now, policy, rng);
    match mode {
        Mode::Handle => account.handle(command, &mut context),
        Mode::DecideThenEvolve => {
            let before = account.clone();
            let outcome = account.decide(&command, &mut context)?;
            assert_eq!(*account, before, "decide changed the account");
            for event in &outcome.events {
                account.evolve(event);
            }
            Ok(outcome)
        }
    }
}

fn reply_kind(outcome: &Outcome) -> &'static str {
    match outcome.reply {
        Reply::PinIssued { .. } => "issued",
        Reply::FirstAccessCompleted(_) => "first_access",
        Reply::LoggedIn(_) => "logged_in",
        Reply::LoginFailed(_) => "failed",
        _ => "other",
    }
}

/// Everything a scenario produced, in the forms a service would store.
#[derive(Debug, PartialEq, Eq)]
struct Trace {
    account: Account,
    account_json: String,
    events: Vec<Event>,
    events_json: String,
    outcomes_json: Vec<String>,
    refusal_codes: Vec<&'static str>,
    delivered: Vec<String>,
}

/// A life with every event kind, refusals in between, a lapse and a second request:
/// request online; a wrong 8; a refused second request; the window ends; a new request by the
/// Contact Center; the old 16 at first access; the new 16; a wrong 8; the right 8.
fn scenario(seed: u64, mode: Mode) -> Trace {
    let policy = policy_without_lockout();
    let mut rng = rng(seed);
    let mut account = Account::new(person().codice_fiscale());
    let mut events = Vec::new();
    let mut outcomes_json = Vec::new();
    let mut refusal_codes = Vec::new();
    let mut delivered = Vec::new();
    let mut go = |account: &mut Account,
                  command: Command,
                  now: &str,
                  rng: &mut ChaCha20Rng|
     -> Option<Outcome> {
        let before = account.version();
        match step(account, command, at(now), &policy, rng, mode) {
            Ok(outcome) => {
                assert_eq!(account.version(), before + outcome.events.len() as u64);
                events.extend(outcome.events.iter().cloned());
                outcomes_json.push(serde_json::to_string(&outcome).unwrap());
                delivered.extend(
                    outcome
                        .deliveries()
                        .map(|d| d.secret().unwrap().expose().to_owned()),
                );
                Some(outcome)
            }
            Err(refusal) => {
                assert_eq!(account.version(), before);
                refusal_codes.push(refusal.code());
                None
            }
        }
    };

    let first = go(
        &mut account,
        request_pin(person(), ChannelRequest::Online),
        "2026-11-24T09:00:00Z",
        &mut rng,
    )
    .unwrap();
    let old_whole = whole_code(&first);
    let failed = go(
        &mut account,
        Command::LogIn {
            pin: wrong(&old_whole[..8]),
            device: None,
            trust_device: false,
        },
        "2026-11-24T10:00:00Z",
        &mut rng,
    );
    assert_eq!(reply_kind(&failed.unwrap()), "failed");
    assert!(
        go(
            &mut account,
            request_pin(person(), sede_request()),
            "2026-11-25T09:00:00Z",
            &mut rng,
        )
        .is_none()
    );
    let second = go(
        &mut account,
        request_pin(person(), contact_center(PhoneKind::Mobile)),
        "2027-03-01T09:00:00Z",
        &mut rng,
    )
    .unwrap();
    let new_whole = whole_code(&second);
    let old = go(
        &mut account,
        Command::FirstAccess {
            pin: entered(&old_whole),
            trust_device: false,
        },
        "2027-03-05T09:00:00Z",
        &mut rng,
    );
    assert_eq!(reply_kind(&old.unwrap()), "failed");
    let completed = go(
        &mut account,
        Command::FirstAccess {
            pin: entered(&new_whole),
            trust_device: false,
        },
        "2027-03-05T09:01:00Z",
        &mut rng,
    )
    .unwrap();
    let pin = code_of(&completed, PinPart::Pin);
    let failed = go(
        &mut account,
        Command::LogIn {
            pin: wrong(&pin),
            device: None,
            trust_device: false,
        },
        "2027-03-06T09:00:00Z",
        &mut rng,
    );
    assert_eq!(reply_kind(&failed.unwrap()), "failed");
    // A second first access with the 8 is refused before anything is checked: a first access
    // takes 16 characters, whatever the account's state, so the answer tells nothing (R6, R30).
    let again = go(
        &mut account,
        Command::FirstAccess {
            pin: entered(&pin),
            trust_device: false,
        },
        "2027-03-06T09:00:30Z",
        &mut rng,
    );
    assert!(again.is_none());
    let logged = go(
        &mut account,
        Command::LogIn {
            pin: entered(&pin),
            device: None,
            trust_device: false,
        },
        "2027-03-06T09:01:00Z",
        &mut rng,
    );
    assert_eq!(reply_kind(&logged.unwrap()), "logged_in");
    assert!(
        go(
            &mut account,
            request_pin(person(), ChannelRequest::Online),
            "2027-03-07T09:00:00Z",
            &mut rng,
        )
        .is_none()
    );

    Trace {
        account_json: serde_json::to_string(&account).unwrap(),
        events_json: serde_json::to_string(&events).unwrap(),
        account,
        events,
        outcomes_json,
        refusal_codes,
        delivered,
    }
}

/// Serialize, deserialize, serialize again: the same text in JSON, the same bytes in postcard.
/// Returns the two values read back.
fn round_trip<T: Serialize + DeserializeOwned>(value: &T) -> (T, T) {
    let json = serde_json::to_string(value).unwrap();
    let from_json: T = serde_json::from_str(&json).unwrap();
    assert_eq!(
        serde_json::to_string(&from_json).unwrap(),
        json,
        "JSON round trip changed {json}"
    );
    let bytes = postcard::to_allocvec(value).unwrap();
    let from_postcard: T = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(
        postcard::to_allocvec(&from_postcard).unwrap(),
        bytes,
        "postcard round trip changed {json}"
    );
    (from_json, from_postcard)
}

fn round_trip_eq<T: Serialize + DeserializeOwned + PartialEq + core::fmt::Debug>(value: &T) {
    let (from_json, from_postcard) = round_trip(value);
    assert_eq!(&from_json, value);
    assert_eq!(&from_postcard, value);
}

/// Manuela Ricci (RCCMNL83S18D969H), an intermediary with no contacts: another person's
/// codice fiscale, on a request online that has nowhere to send a first half either.
fn other_person_without_contacts() -> Person {
    Person::new(
        PersonName::parse("Manuela").unwrap(),
        PersonName::parse("Ricci").unwrap(),
        cf("RCCMNL83S18D969H"),
        Role::Intermediary,
        residence(),
    )
}

fn expired_sede() -> ChannelRequest {
    sede_with(passport(date(2026, 1, 31)))
}

/// Every refusal the crate can produce today, each from a real command, with the delivered
/// codes that were in play (to check that no message repeats them). The account is checked
/// unchanged (serialized and version) and the generator untouched after each.
fn every_refusal() -> (Vec<Refusal>, Vec<String>) {
    let policy = policy_without_lockout();
    let mut rng = rng(30);
    let mut refusals = Vec::new();
    let mut secrets = Vec::new();
    let mut refuse =
        |account: &mut Account, command: Command, now: Timestamp, rng: &mut ChaCha20Rng| {
            refusals.push(refused(account, command, now, &policy, rng));
        };

    // On an account with no PIN.
    let mut none = Account::new(person().codice_fiscale());
    refuse(
        &mut none,
        request_pin(other_person_without_contacts(), ChannelRequest::Online),
        t0(),
        &mut rng,
    );
    refuse(
        &mut none,
        request_pin(bare_person(), ChannelRequest::Online),
        t0(),
        &mut rng,
    );
    refuse(
        &mut none,
        request_pin(person(), expired_sede()),
        t0(),
        &mut rng,
    );

    // On an account waiting for its first access.
    let (mut waiting, issued) = requested(person(), ChannelRequest::Online, &policy, &mut rng);
    let first = code_of(&issued, PinPart::FirstHalf);
    let whole = format!("{first}{}", code_of(&issued, PinPart::SecondHalf));
    secrets.extend([
        first.clone(),
        code_of(&issued, PinPart::SecondHalf),
        whole.clone(),
    ]);
    refuse(
        &mut waiting,
        request_pin(person(), ChannelRequest::Online),
        t0(),
        &mut rng,
    );
    refuse(
        &mut waiting,
        Command::FirstAccess {
            pin: entered(&first),
            trust_device: false,
        },
        t0(),
        &mut rng,
    );
    refuse(
        &mut waiting,
        Command::LogIn {
            pin: entered(&whole),
            device: None,
            trust_device: false,
        },
        t0(),
        &mut rng,
    );
    refuse(
        &mut waiting,
        Command::FirstAccess {
            pin: entered(&whole),
            trust_device: false,
        },
        at("2027-02-22T09:00:00Z"),
        &mut rng,
    );
    refuse(
        &mut waiting,
        request_pin(other_person_without_contacts(), sede_request()),
        t0(),
        &mut rng,
    );

    // On an active account.
    let completed = first_access(
        &mut waiting,
        entered(&whole),
        at("2026-11-25T09:00:00Z"),
        &policy,
        &mut rng,
    );
    secrets.push(code_of(&completed, PinPart::Pin));
    refuse(
        &mut waiting,
        request_pin(person(), contact_center(PhoneKind::Landline)),
        at("2026-11-26T09:00:00Z"),
        &mut rng,
    );
    (refusals, secrets)
}

// ---------------------------------------------------------------------------------------------
// R26: no I/O; the caller's time and randomness only.

#[test]
fn r26_same_seed_same_instants_same_commands_give_identical_results() {
    let one = scenario(26, Mode::Handle);
    let two = scenario(26, Mode::Handle);
    assert_eq!(one.account_json, two.account_json);
    assert_eq!(one.events_json, two.events_json);
    assert_eq!(one.outcomes_json, two.outcomes_json);
    assert_eq!(one.delivered, two.delivered);
    assert_eq!(one, two);
    assert_eq!(
        postcard::to_allocvec(&one.account).unwrap(),
        postcard::to_allocvec(&two.account).unwrap()
    );

    // Another seed: other codes, other salts, so other stored state; the same shape.
    let other = scenario(27, Mode::Handle);
    assert_ne!(other.account_json, one.account_json);
    assert_ne!(other.events_json, one.events_json);
    assert!(
        other
            .delivered
            .iter()
            .zip(&one.delivered)
            .all(|(a, b)| a != b)
    );
    assert_eq!(other.refusal_codes, one.refusal_codes);
    assert_eq!(
        other.events.iter().map(Event::name).collect::<Vec<_>>(),
        one.events.iter().map(Event::name).collect::<Vec<_>>()
    );
}

#[test]
fn r26_every_instant_comes_from_the_caller() {
    let trace = scenario(261, Mode::Handle);
    let instants: Vec<String> = trace.events.iter().map(|e| e.at().to_string()).collect();
    assert_eq!(
        instants,
        [
            "2026-11-24T09:00:00Z",
            "2026-11-24T10:00:00Z",
            "2027-03-01T09:00:00Z",
            "2027-03-05T09:00:00Z",
            "2027-03-05T09:01:00Z",
            "2027-03-06T09:00:00Z",
            "2027-03-06T09:01:00Z",
        ]
    );
    assert_eq!(
        trace.events.iter().map(Event::name).collect::<Vec<_>>(),
        [
            "pin_issued",
            "login_failed",
            "pin_issued",
            "first_access_failed",
            "first_access_completed",
            "login_failed",
            "logged_in",
        ]
    );
    // A request far in the past or the future is judged at that instant, not at "now".
    let policy = policy_without_lockout();
    for when in ["1999-01-01T00:00:00Z", "2090-06-30T12:00:00Z"] {
        let mut account = Account::new(person().codice_fiscale());
        let outcome = request(
            &mut account,
            person(),
            ChannelRequest::Online,
            at(when),
            &policy,
            &mut rng(1),
        );
        assert_eq!(outcome.events[0].at(), at(when));
    }
}

#[test]
fn r26_the_source_reads_no_clock_no_entropy_no_files_no_network() {
    fn sources(dir: &std::path::Path, found: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                sources(&path, found);
            } else if path.extension().is_some_and(|e| e == "rs") {
                found.push((
                    path.display().to_string(),
                    std::fs::read_to_string(&path).unwrap(),
                ));
            }
        }
    }
    let mut found = Vec::new();
    sources(
        &std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src"),
        &mut found,
    );
    assert!(found.len() >= 10);
    let forbidden = [
        "Timestamp::now",
        "Zoned::now",
        "SystemTime",
        "Instant::now",
        "OsRng",
        "thread_rng",
        "rand::rng",
        "getrandom",
        "std::fs",
        "std::net",
        "std::env",
        "std::process",
        "tz::db",
        "TimeZone::system",
    ];
    for (path, text) in &found {
        // Code only: documentation may name what the crate does not do.
        for (number, line) in text.lines().enumerate() {
            if line.trim_start().starts_with("//") {
                continue;
            }
            for word in forbidden {
                assert!(!line.contains(word), "{path}:{} uses {word}", number + 1);
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// R27: all or nothing.

#[test]
fn r27_every_refusal_leaves_the_account_byte_identical() {
    // `every_refusal` checks the account (serialized), the version and the generator after each.
    let (refusals, _) = every_refusal();
    let codes: Vec<&str> = refusals.iter().map(Refusal::code).collect();
    assert_eq!(
        codes,
        [
            "request.wrong_account",
            "request.no_contact_for_first_half",
            "request.identity_document_expired",
            "request.pin_already_live",
            "first_access.whole_pin_required",
            "login.first_access_required",
            "first_access.pin_lapsed",
            "request.wrong_account",
            "request.pin_already_live",
        ]
    );
}

#[test]
fn r27_a_refused_command_can_be_followed_by_one_that_applies() {
    let policy = policy_without_lockout();
    let mut rng = rng(271);
    let mut account = Account::new(person().codice_fiscale());
    let pristine = account.clone();
    let refusal = run(
        &mut account,
        request_pin(person(), expired_sede()),
        t0(),
        &policy,
        &mut rng,
    )
    .unwrap_err();
    assert_eq!(refusal.code(), "request.identity_document_expired");
    assert_eq!(account, pristine);
    let outcome = request(
        &mut account,
        person(),
        sede_request(),
        t0(),
        &policy,
        &mut rng,
    );
    assert_eq!(account.version(), 1);
    assert_eq!(
        Account::replay(account.codice_fiscale(), &outcome.events),
        account
    );
}

// ---------------------------------------------------------------------------------------------
// R28: serde round trips, JSON and postcard.

#[test]
fn r28_accounts_in_every_state_round_trip() {
    let policy = policy_without_lockout();
    let mut rng = rng(28);
    let mut account = Account::new(person().codice_fiscale());
    round_trip_eq(&account);
    let issued = request(
        &mut account,
        person(),
        ChannelRequest::Online,
        t0(),
        &policy,
        &mut rng,
    );
    round_trip_eq(&account);
    round_trip_eq(&account.status(t0(), &policy));
    round_trip_eq(&account.status(at("2027-03-01T00:00:00Z"), &policy));
    let completed = first_access(
        &mut account,
        whole_pin_from(&issued),
        at("2026-11-25T09:00:00Z"),
        &policy,
        &mut rng,
    );
    round_trip_eq(&account);
    round_trip_eq(&account.status(t0(), &policy));
    round_trip_eq(&PinStatus::None);

    // A stored account, read back from either format, keeps working.
    let (from_json, from_postcard) = round_trip(&account);
    for mut stored in [from_json, from_postcard] {
        let outcome = log_in(
            &mut stored,
            new_pin_from(&completed),
            at("2026-11-26T09:00:00Z"),
            &policy,
            &mut rng,
        );
        assert!(matches!(outcome.reply, Reply::LoggedIn(_)));
        assert_eq!(stored.version(), 3);
    }

    // With a first-half hash (R9a) and a sede PIN.
    let covid = accepting_first_half(policy.clone());
    let (account, _) = requested(person(), sede_request(), &covid, &mut rng);
    round_trip_eq(&account);
}

#[test]
fn r28_events_and_outcomes_round_trip() {
    let trace = scenario(281, Mode::Handle);
    for event in &trace.events {
        round_trip_eq(event);
    }
    round_trip_eq(&trace.events);
    // Outcomes as an outbox keeps them: deliveries without their codes.
    let policy = policy_without_lockout();
    let mut rng = rng(282);
    let mut outcomes = Vec::new();
    for channel in [
        ChannelRequest::Online,
        contact_center(PhoneKind::Landline),
        sede_request(),
    ] {
        let mut account = Account::new(person().codice_fiscale());
        let issued = run(
            &mut account,
            request_pin(person(), channel),
            t0(),
            &policy,
            &mut rng,
        )
        .unwrap();
        let whole = whole_pin_from(&issued);
        outcomes.push(issued);
        let failed = first_access(
            &mut account,
            entered("ABCDEFGHJKLMNPQR"),
            t0(),
            &policy,
            &mut rng,
        );
        outcomes.push(failed);
        let completed = first_access(&mut account, whole, t0(), &policy, &mut rng);
        let pin = new_pin_from(&completed);
        outcomes.push(completed);
        outcomes.push(log_in(&mut account, pin, t0(), &policy, &mut rng));
    }
    for outcome in &outcomes {
        let (from_json, from_postcard) = round_trip(outcome);
        // Equal as values (a delivery compares part and medium), but the codes are gone.
        assert_eq!(&from_json, outcome);
        assert_eq!(&from_postcard, outcome);
        assert!(from_json.deliveries().all(|d| d.secret().is_none()));
        assert!(from_postcard.deliveries().all(|d| d.secret().is_none()));
        round_trip_eq(&outcome.reply);
        for effect in &outcome.effects {
            let (back, _) = round_trip(effect);
            assert_eq!(&back, effect);
        }
    }
    let replies: Vec<&str> = outcomes.iter().map(reply_kind).collect();
    assert_eq!(
        replies,
        ["issued", "failed", "first_access", "logged_in"].repeat(3)
    );
}

#[test]
fn r32_commands_serialize_for_logs_without_the_typed_pin() {
    for channel in [
        ChannelRequest::Online,
        contact_center(PhoneKind::Mobile),
        sede_request(),
    ] {
        let command = request_pin(person(), channel.clone());
        let json = serde_json::to_string(&command).unwrap();
        assert!(json.contains("RSSMRA80A01H501U"), "{json}");
        round_trip_eq(&channel);
    }
    // A typed PIN is never written, so no stored command can be replayed into a login (and
    // commands do not deserialize at all: tests/rules_serde.rs).
    let mut rng = rng(283);
    let typed = code_of(
        &first_access_done(person(), ChannelRequest::Online, &policy(), &mut rng).1,
        PinPart::Pin,
    );
    for command in [
        Command::LogIn {
            pin: entered(&typed),
            device: Some(DeviceToken::parse("ABCD23456789ABCDEFGHJKLMNPQRST").unwrap()),
            trust_device: true,
        },
        Command::FirstAccess {
            pin: entered(&typed),
            trust_device: false,
        },
    ] {
        let json = serde_json::to_string(&command).unwrap();
        assert!(!json.contains(&typed), "{json}");
        assert!(!json.contains("ABCD23456789"), "{json}");
        let bytes = postcard::to_allocvec(&command).unwrap();
        assert!(!contains_bytes(&bytes, typed.as_bytes()));
    }
}

#[test]
fn r28_policies_and_sessions_round_trip() {
    round_trip_eq(&Policy::default());
    round_trip_eq(&policy_without_lockout());
    let mut custom = accepting_first_half(policy_without_lockout());
    custom.first_access_window_days = 30;
    custom.digital_identity_dispositivo_since = date(2018, 1, 1);
    custom.catalogue.add(cassetto_previdenziale()).unwrap();
    round_trip_eq(&custom);
    let (back, _) = round_trip(&custom);
    assert!(
        back.catalogue
            .get("bonus-600-euro")
            .unwrap()
            .accepts_first_half()
    );
    assert_eq!(
        back.catalogue
            .get("cassetto-previdenziale")
            .unwrap()
            .name_en(),
        "Social-security drawer"
    );
    round_trip_eq(&HashCost::OWASP);
    round_trip_eq(&Catalogue::standard());

    let policy = policy_without_lockout();
    let mut rng = rng(284);
    let (mut account, pin) = active(person(), sede_request(), &policy, &mut rng);
    let pin_session = session(
        &mut account,
        pin,
        at("2026-12-01T09:00:00Z"),
        &policy,
        &mut rng,
    );
    round_trip_eq(&pin_session);
    let spid = Session::from_digital_identity(
        person().codice_fiscale(),
        DigitalIdentity::Spid(SpidLevel::Two),
        at("2020-05-01T10:00:00.123456789Z"),
        policy.digital_identity_dispositivo_since,
    );
    round_trip_eq(&spid);
    for level in [SpidLevel::One, SpidLevel::Three] {
        round_trip_eq(&Credential::DigitalIdentity(DigitalIdentity::Spid(level)));
    }
    round_trip_eq(&Verdict::Refused(DenialReason::LevelTooLow));
    round_trip_eq(&Verdict::Allowed);
}

#[test]
fn r28_a_damaged_stored_account_is_refused_on_load() {
    let policy = policy_without_lockout();
    let mut rng = rng(285);
    let (account, _whole) = issued(person(), ChannelRequest::Online, &policy, &mut rng);
    let json = serde_json::to_string(&account).unwrap();
    assert!(json.contains("$argon2id$"));
    let other_algorithm = json.replace("$argon2id$", "$argon2i$");
    assert!(serde_json::from_str::<Account>(&other_algorithm).is_err());
    let bad_cf = json.replace("RSSMRA80A01H501U", "RSSMRA80A01H501X");
    assert!(serde_json::from_str::<Account>(&bad_cf).is_err());
}

// ---------------------------------------------------------------------------------------------
// R29: versions and replay.

#[test]
fn r29_version_is_the_number_of_events_applied() {
    let trace = scenario(29, Mode::Handle);
    assert_eq!(trace.events.len(), 7);
    assert_eq!(trace.account.version(), 7);
    assert_eq!(
        trace.refusal_codes,
        [
            "request.pin_already_live",
            "first_access.whole_pin_required",
            "request.pin_already_live",
        ]
    );
    assert_eq!(Account::new(person().codice_fiscale()).version(), 0);
}

#[test]
fn r29_replaying_the_events_gives_back_the_live_account() {
    let trace = scenario(291, Mode::Handle);
    let replayed = Account::replay(trace.account.codice_fiscale(), &trace.events);
    assert_eq!(replayed, trace.account);
    assert_eq!(
        serde_json::to_string(&replayed).unwrap(),
        trace.account_json
    );
    // From events read back out of storage, in either format.
    let from_json: Vec<Event> = serde_json::from_str(&trace.events_json).unwrap();
    assert_eq!(
        Account::replay(trace.account.codice_fiscale(), &from_json),
        trace.account
    );
    let bytes = postcard::to_allocvec(&trace.events).unwrap();
    let from_postcard: Vec<Event> = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(
        Account::replay(trace.account.codice_fiscale(), &from_postcard),
        trace.account
    );
    // Every prefix of the events gives the account as it was at that version.
    for n in 0..=trace.events.len() {
        assert_eq!(
            Account::replay(trace.account.codice_fiscale(), &trace.events[..n]).version(),
            n as u64
        );
    }
    assert_eq!(trace.account.consecutive_failures(), 0);
    assert!(matches!(
        trace.account.status(at("2027-03-07T09:00:00Z"), &policy()),
        PinStatus::Active {
            assurance: AssuranceLevel::Ordinary,
            ..
        }
    ));
}

#[test]
fn r29_decide_then_evolve_one_by_one_equals_handle() {
    let handled = scenario(292, Mode::Handle);
    let decided = scenario(292, Mode::DecideThenEvolve);
    assert_eq!(decided, handled);
    assert_eq!(decided.account_json, handled.account_json);
    assert_eq!(decided.outcomes_json, handled.outcomes_json);
}

#[test]
fn r29_decide_changes_nothing_until_evolve() {
    let policy = policy_without_lockout();
    let mut rng = rng(293);
    let account = Account::new(person().codice_fiscale());
    let before = serde_json::to_string(&account).unwrap();
    let outcome = account
        .decide(
            &request_pin(person(), ChannelRequest::Online),
            &mut Context::new(t0(), &policy, &mut rng),
        )
        .unwrap();
    assert_eq!(serde_json::to_string(&account).unwrap(), before);
    assert_eq!(account.version(), 0);
    assert_eq!(outcome.events.len(), 1);
    let mut stored = account.clone();
    stored.evolve(&outcome.events[0]);
    assert_eq!(stored.version(), 1);
    assert_eq!(stored.person(), Some(&person()));
}

// ---------------------------------------------------------------------------------------------
// R30: codes and messages.

#[test]
fn r30_every_refusal_has_a_distinct_stable_code_and_two_messages() {
    let (refusals, _) = every_refusal();
    let mut by_code = std::collections::BTreeMap::new();
    for refusal in &refusals {
        let code = refusal.code();
        assert!(!code.is_empty());
        assert!(
            code.contains('.')
                && code
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c == '.' || c == '_'),
            "{code}"
        );
        let en = refusal.to_string();
        assert_eq!(refusal.message_en(), en);
        assert!(!en.is_empty());
        let it = refusal.message_it();
        assert!(!it.is_empty());
        assert_ne!(it, en);
        assert!(it.ends_with('.'), "{it}");
        by_code
            .entry(code)
            .or_insert_with(Vec::new)
            .push(std::mem::discriminant(refusal));
    }
    // One variant per code, one code per variant.
    for (code, variants) in &by_code {
        assert!(
            variants.iter().all(|v| *v == variants[0]),
            "{code} is shared by variants"
        );
    }
    let codes: Vec<&str> = by_code.keys().copied().collect();
    assert_eq!(
        codes,
        [
            "first_access.pin_lapsed",
            "first_access.whole_pin_required",
            "login.first_access_required",
            "request.identity_document_expired",
            "request.no_contact_for_first_half",
            "request.pin_already_live",
            "request.wrong_account",
        ]
    );
    // The one variant no command can reach (the policy's types rule out a cost Argon2 refuses):
    // its code and messages, built by hand.
    let hashing = Refusal::HashingFailed;
    assert_eq!(hashing.code(), "internal.hashing_failed");
    assert!(hashing.message_it().contains("803 164"));
    assert!(!codes.contains(&hashing.code()));
}

#[test]
fn r30_each_italian_message_says_what_to_do_next() {
    let (refusals, _) = every_refusal();
    for refusal in &refusals {
        let it = refusal.message_it();
        let expected: &[&str] = match refusal {
            Refusal::WrongAccount { .. } => &["Controlla il codice fiscale", "tessera sanitaria"],
            Refusal::NoContactForFirstHalf => &[
                "e-mail",
                "cellulare",
                "Contact Center",
                "803 164",
                "06 164 164",
                "sede INPS",
            ],
            Refusal::IdentityDocumentExpired { .. } => {
                &["Presenta un documento di identità in corso di validità"]
            }
            // One message for every state of the live PIN, saying every way on (R30a).
            Refusal::PinAlreadyLive => &[
                "Accedi con il tuo PIN",
                "16 caratteri",
                "scaduto",
                "Ripristina PIN",
                "revocalo",
                "tessera sanitaria",
            ],
            Refusal::WholePinRequired => &["PIN completo di 16 caratteri"],
            Refusal::FirstPinLapsed { .. } => &["Richiedi un nuovo PIN"],
            Refusal::FirstAccessRequired => &["completa il primo accesso", "8 caratteri"],
            other => panic!("unexpected refusal {other:?}"),
        };
        for phrase in expected {
            assert!(
                it.contains(phrase),
                "{}: {it:?} lacks {phrase:?}",
                refusal.code()
            );
        }
    }
    // A PIN waiting for its first access and one in use read the same (R30a).
    let live: Vec<&Refusal> = refusals
        .iter()
        .filter(|r| matches!(r, Refusal::PinAlreadyLive))
        .collect();
    assert_eq!(live.len(), 2);
    assert_eq!(live[0], live[1]);
}

#[test]
fn r30_no_refusal_or_failure_message_contains_the_pin() {
    let (refusals, secrets) = every_refusal();
    assert_eq!(secrets.len(), 4);
    for refusal in &refusals {
        let texts = [
            refusal.to_string(),
            refusal.message_it().to_owned(),
            format!("{refusal:?}"),
        ];
        for text in &texts {
            for secret in &secrets {
                assert!(
                    !text.contains(secret.as_str()),
                    "{} shows a code: {text}",
                    refusal.code()
                );
                assert!(
                    !text.contains(&secret[..8]),
                    "{} shows a half: {text}",
                    refusal.code()
                );
            }
        }
    }
    let policy = policy_without_lockout();
    let mut rng = rng(301);
    let (mut account, pin) = active(person(), ChannelRequest::Online, &policy, &mut rng);
    drop(pin);
    let outcome = log_in(
        &mut account,
        entered("ABCDEFGH"),
        at("2026-12-01T09:00:00Z"),
        &policy,
        &mut rng,
    );
    let Reply::LoginFailed(failure) = outcome.reply else {
        panic!("expected a failed login")
    };
    for text in [
        failure.message_en().to_owned(),
        failure.message_it().to_owned(),
        format!("{failure:?}"),
        format!("{outcome:?}"),
        serde_json::to_string(&outcome).unwrap(),
    ] {
        assert!(!text.contains("ABCDEFGH"), "{text}");
    }
}

#[test]
fn r30_a_wrong_pin_and_an_unknown_codice_fiscale_read_the_same() {
    let policy = policy_without_lockout();
    let mut rng = rng(302);
    let typed = "ABCDEFGH";
    let unknown = LoginFailure::for_unknown_person(&policy, &entered(typed));

    // A wrong PIN on an active account, a wrong 16 at the first access, a PIN for an account
    // that has none: each reads as the unknown person does.
    let (mut active_account, _pin) = active(person(), ChannelRequest::Online, &policy, &mut rng);
    let (mut waiting, _whole) = issued(person(), ChannelRequest::Online, &policy, &mut rng);
    let mut empty = Account::new(person().codice_fiscale());
    let now = at("2026-12-01T09:00:00Z");
    let failures = [
        run(
            &mut active_account,
            Command::LogIn {
                pin: entered(typed),
                device: None,
                trust_device: false,
            },
            now,
            &policy,
            &mut rng,
        ),
        run(
            &mut waiting,
            Command::FirstAccess {
                pin: entered("ABCDEFGHJKLMNPQR"),
                trust_device: false,
            },
            now,
            &policy,
            &mut rng,
        ),
        run(
            &mut waiting,
            Command::LogIn {
                pin: entered(typed),
                device: None,
                trust_device: false,
            },
            now,
            &policy,
            &mut rng,
        ),
        run(
            &mut empty,
            Command::LogIn {
                pin: entered(typed),
                device: None,
                trust_device: false,
            },
            now,
            &policy,
            &mut rng,
        ),
    ];
    for result in failures {
        let Reply::LoginFailed(failure) = result.unwrap().reply else {
            panic!("expected a failed login")
        };
        assert_eq!(failure.code(), unknown.code());
        assert_eq!(failure.code(), "login.credentials_invalid");
        assert_eq!(failure.message_en(), unknown.message_en());
        assert_eq!(failure.message_it(), unknown.message_it());
    }
    // What to do next, without saying which of the two was wrong, nor whether a delay or a
    // block stands (R30a): type it again, try again in a few seconds, restore if it keeps
    // failing.
    let it = unknown.message_it();
    assert!(
        it.starts_with("Accesso non riuscito: codice fiscale o PIN non corretti"),
        "{it}"
    );
    assert!(it.contains("riprova tra qualche secondo"), "{it}");
    assert!(it.contains("continua a non riuscire") && it.contains("Ripristina PIN"));
    assert!(it.contains("803 164") && it.contains("06 164 164"));
    assert!(unknown.message_en().contains("codice fiscale or the PIN"));
}

#[test]
fn r30_a_first_access_with_8_characters_does_not_tell_whether_a_pin_is_pending() {
    let policy = policy_without_lockout();
    let mut rng = rng(303);
    let now = at("2026-11-26T09:00:00Z");
    let answer = |result: Result<Outcome, Refusal>| -> &'static str {
        match result {
            Ok(Outcome {
                reply: Reply::LoginFailed(failure),
                ..
            }) => failure.code(),
            Ok(other) => panic!("unexpected {other:?}"),
            Err(refusal) => refusal.code(),
        }
    };
    let mut empty = Account::new(person().codice_fiscale());
    let (mut waiting, _) = issued(person(), ChannelRequest::Online, &policy, &mut rng);
    let (mut live, _) = active(person(), ChannelRequest::Online, &policy, &mut rng);
    let typed = || Command::FirstAccess {
        pin: entered("ABCDEFGH"),
        trust_device: false,
    };
    let for_empty = answer(run(&mut empty, typed(), now, &policy, &mut rng));
    let for_waiting = answer(run(&mut waiting, typed(), now, &policy, &mut rng));
    let for_live = answer(run(&mut live, typed(), now, &policy, &mut rng));
    assert_eq!(
        for_waiting, for_empty,
        "a pending PIN reads differently from no PIN"
    );
    assert_eq!(
        for_waiting, for_live,
        "a pending PIN reads differently from an active PIN"
    );
}
