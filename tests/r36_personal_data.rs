//! R36: personal data is kept apart from the security facts and can be forgotten. A stored
//! event or account splits into facts that replay alone and hold no personal data, and joins
//! back exactly; an erasure records itself, ends a live PIN and leaves an account that replays
//! from its facts alone, holds no personal data and refuses what a revoked one refuses; the
//! policy's retention period erases on the tick at its deadline and not before; the export
//! holds everything about the person, their data only while it is kept, and never a secret;
//! and the stored forms of every earlier format split too.

mod common;
use common::rig::*;
use common::*;

use std::collections::BTreeSet;

use inps_pin::*;
use jiff::{SignedDuration, Timestamp};
use serde_json::json;

/// Every string of Mario's personal data the fixtures give, and the rejection reason written to
/// him: none may be in a form that holds no personal data.
const PERSONAL: [&str; 7] = [
    "Mario",
    "Rossi",
    "mario.rossi@example.it",
    "+393331234567",
    "+39061234567",
    "Via Roma 1",
    "non è leggibile",
];

/// The reason the back office writes to Mario: it names him, as free text may.
fn reason() -> RejectionReason {
    RejectionReason::new("la copia del documento di Mario Rossi non è leggibile").unwrap()
}

/// The test policy with the default retention period (R36).
fn retention_policy() -> Policy {
    let mut policy = policy();
    policy.personal_data_retention_days = Some(Policy::DEFAULT_PERSONAL_DATA_RETENTION_DAYS);
    policy
}

fn assert_holds_no_personal_string(what: &str, bytes: &[u8]) {
    for personal in PERSONAL {
        assert!(
            !contains_bytes(bytes, personal.as_bytes()),
            "{what} holds {personal:?}"
        );
    }
}

fn json_bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

fn postcard_bytes<T: serde::Serialize>(value: &T) -> Vec<u8> {
    postcard::to_allocvec(value).unwrap()
}

/// Mario's life with every kind of personal data and secret the record meets: a PIN online,
/// its first access from a device made trusted, an upgrade request rejected with a reason
/// naming him, a restore waiting beside the PIN, a login.
struct Life {
    rig: Rig,
    /// The 8-character PIN in use.
    eight: String,
    /// The restore's 16, waiting.
    restore: String,
    /// Every code and token the deliveries gave.
    secrets: Vec<String>,
}

fn life() -> Life {
    let mut rig = Rig::with_policy(&person(), retention_policy());
    let issued = rig.ok(
        request_pin(person(), ChannelRequest::Online),
        at("2026-11-25T09:00:00Z"),
    );
    let whole = whole_code(&issued);
    let done = rig.ok(
        Command::FirstAccess {
            pin: entered(&whole),
            trust_device: true,
        },
        at("2026-11-26T09:00:00Z"),
    );
    let eight = code_of(&done, PinPart::Pin);
    let token = done.trusted_device.as_ref().unwrap().expose().to_owned();
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: examined_copy(valid_identity_card()),
        },
        at("2026-11-27T09:00:00Z"),
    );
    rig.apply(
        Command::DecideUpgrade {
            decision: UpgradeDecision::Reject(reason()),
            reviewer: operator("bo-7"),
        },
        at("2026-11-28T09:00:00Z"),
    );
    let restored = rig.ok(restore_with_mario_contacts(), at("2026-11-29T09:00:00Z"));
    let restore = whole_code(&restored);
    let _ = rig.log_in(&eight, at("2026-11-30T09:00:00Z"));
    rig.check_replay();
    Life {
        rig,
        secrets: vec![whole, eight.clone(), restore.clone(), token],
        eight,
        restore,
    }
}

/// `life`, erased at the person's request on 2 December 2026.
fn erased_life() -> Life {
    let mut life = life();
    life.rig.apply(
        Command::Erase {
            reason: ErasureReason::PersonsRequest,
        },
        erased_at(),
    );
    life
}

fn erased_at() -> Timestamp {
    at("2026-12-02T09:00:00Z")
}

fn facts_of(events: &[Event]) -> Vec<Event> {
    events
        .iter()
        .cloned()
        .map(|event| event.split().0)
        .collect()
}

// ---------------------------------------------------------------------------------------------
// Split and join

#[test]
fn r36_a_split_event_keeps_its_facts_without_personal_data_and_joins_back_exactly() {
    let life = life();
    let mut kinds = BTreeSet::new();
    for event in &life.rig.log {
        let (facts, personal) = event.clone().split();
        assert!(!facts.holds_personal_data(), "{}", event.name());
        assert_eq!(personal.is_some(), event.holds_personal_data());
        if let Some(personal) = &personal {
            kinds.insert(personal.kind());
        }
        // The same fact: its kind and instant.
        assert_eq!((facts.name(), facts.at()), (event.name(), event.at()));
        assert_eq!(
            Event::join(facts.clone(), personal.clone()),
            Ok(event.clone())
        );
        // Facts split again give nothing more.
        assert_eq!(facts.clone().split(), (facts, None));
        // Stored: the same, in this release's format.
        let (stored_facts, stored_personal) = StoredEvent::new(event.clone()).split();
        assert_eq!(stored_facts.format(), STORED_FORMAT);
        assert_eq!(
            StoredEvent::join(stored_facts, stored_personal),
            Ok(StoredEvent::new(event.clone()))
        );
    }
    assert_eq!(
        kinds,
        BTreeSet::from(["person", "upgrade_rejection_reason"])
    );
    // The role the PIN was issued for stays with the facts: it sets the expiry (R20).
    let Event::PinIssued { role, person, .. } = life.rig.log[0].clone().split().0 else {
        panic!("expected PinIssued")
    };
    assert_eq!((role, person), (Role::Citizen, None));
}

#[test]
fn r36_the_facts_of_events_and_accounts_serialize_with_no_personal_string() {
    let life = life();
    let stored: Vec<StoredEvent> = life.rig.log.iter().cloned().map(StoredEvent::new).collect();
    let (facts, personal): (Vec<StoredEvent>, Vec<Option<PersonalData>>) =
        stored.iter().cloned().map(StoredEvent::split).unzip();
    let (account_facts, account_personal) = life.rig.account.clone().split();
    assert_holds_no_personal_string("the events' facts (JSON)", &json_bytes(&facts));
    assert_holds_no_personal_string("the events' facts (postcard)", &postcard_bytes(&facts));
    assert_holds_no_personal_string("the account's facts (JSON)", &json_bytes(&account_facts));
    assert_holds_no_personal_string(
        "the account's facts (postcard)",
        &postcard_bytes(&account_facts),
    );
    // The whole forms hold them (so the search would find them), and so does what was split
    // off: the person and the reason.
    for text in PERSONAL {
        assert!(
            contains_bytes(&json_bytes(&stored), text.as_bytes()),
            "{text}"
        );
        assert!(
            contains_bytes(&json_bytes(&personal), text.as_bytes()),
            "{text}"
        );
    }
    assert_eq!(
        account_personal.as_ref().and_then(PersonalData::person),
        Some(&person())
    );
    assert_eq!(account_facts.codice_fiscale(), mario_cf());
}

#[test]
fn r36_the_facts_alone_replay_to_the_accounts_facts_with_the_same_security_state() {
    let life = life();
    let (account, policy) = (&life.rig.account, &life.rig.policy);
    let from_facts = Account::replay(mario_cf(), &facts_of(&life.rig.log));
    let (account_facts, personal) = account.clone().split();
    assert_eq!(from_facts, account_facts);
    assert_eq!(from_facts.person(), None);
    assert!(from_facts.holds_personal_data(), "kept apart, not erased");
    for now in [at("2026-12-01T09:00:00Z"), at("2027-05-20T09:00:00Z")] {
        assert_eq!(from_facts.status(now, policy), account.status(now, policy));
    }
    assert_eq!(from_facts.version(), account.version());
    assert_eq!(
        from_facts.poll_deadline(policy),
        account.poll_deadline(policy)
    );
    assert_eq!(
        from_facts.restore_pending(at("2026-12-01T09:00:00Z")),
        account.restore_pending(at("2026-12-01T09:00:00Z"))
    );
    assert_eq!(Account::join(account_facts, personal), Ok(account.clone()));
}

#[test]
fn r36_join_refuses_personal_data_split_off_another_record() {
    let life = life();
    let log = &life.rig.log;
    let find = |name: &str| {
        log.iter()
            .find(|event| event.name() == name)
            .unwrap()
            .clone()
    };
    let issued = find("pin_issued");
    let (issued_facts, person_data) = issued.clone().split();
    let (rejected_facts, reason_data) = find("upgrade_rejected").split();
    let logged_in = find("logged_in");
    let no_place = |facts, personal| JoinError::NoPlace { facts, personal };
    assert_eq!(
        Event::join(issued_facts.clone(), reason_data.clone()),
        Err(no_place("pin_issued", "upgrade_rejection_reason"))
    );
    assert_eq!(
        Event::join(rejected_facts, person_data.clone()),
        Err(no_place("upgrade_rejected", "person"))
    );
    assert_eq!(
        Event::join(logged_in, person_data.clone()),
        Err(no_place("logged_in", "person"))
    );
    assert_eq!(
        Event::join(issued, person_data.clone()),
        Err(no_place("pin_issued", "person")),
        "facts that hold their own person"
    );
    // Another role than the one the PIN was issued for.
    let intermediary = Some(PersonalData::Person(Box::new(intermediary())));
    assert_eq!(
        Event::join(issued_facts, intermediary),
        Err(JoinError::OtherPerson)
    );
    // An account: another codice fiscale, a reason, facts that hold their person.
    let (account_facts, _) = life.rig.account.clone().split();
    let errors = [
        Account::join(
            account_facts.clone(),
            Some(PersonalData::Person(Box::new(other_person()))),
        )
        .unwrap_err(),
        Account::join(account_facts, reason_data).unwrap_err(),
        Account::join(life.rig.account.clone(), person_data).unwrap_err(),
    ];
    assert_eq!(errors[0], JoinError::OtherPerson);
    assert_eq!(errors[1], no_place("account", "upgrade_rejection_reason"));
    assert_eq!(errors[2], no_place("account", "person"));
    // Coded, with an Italian message, and no personal data in either message (R30).
    for error in errors {
        assert!(
            error.code().starts_with("personal_data."),
            "{}",
            error.code()
        );
        assert!(error.message_it().contains("dati personali"));
        assert_holds_no_personal_string("a join error", error.to_string().as_bytes());
    }
}

#[test]
fn r36_personal_data_is_stored_with_its_format_and_one_from_a_later_release_is_refused() {
    let data = PersonalData::UpgradeRejectionReason(reason());
    let json = serde_json::to_string(&data).unwrap();
    assert!(json.starts_with(r#"{"format":3,"data":"#), "{json}");
    assert_eq!(serde_json::from_str::<PersonalData>(&json).unwrap(), data);
    let bytes = postcard::to_allocvec(&data).unwrap();
    assert_eq!(bytes.first(), Some(&3));
    assert_eq!(postcard::from_bytes::<PersonalData>(&bytes).unwrap(), data);
    let later = json.replacen(r#""format":3"#, r#""format":4"#, 1);
    let error = serde_json::from_str::<PersonalData>(&later)
        .unwrap_err()
        .to_string();
    assert!(error.contains("later release"), "{error}");
    // Stored data is validated again: a reason of nothing does not load.
    let empty = json!({ "format": 3, "data": { "UpgradeRejectionReason": "  " } });
    assert!(serde_json::from_value::<PersonalData>(empty).is_err());
}

// ---------------------------------------------------------------------------------------------
// Erasure

#[test]
fn r36_an_erasure_records_one_event_ends_the_live_pin_and_its_sessions_and_leaves_no_personal_data()
{
    let mut life = life();
    let session = life.rig.session(&life.eight, at("2026-12-01T09:00:00Z"));
    let outcome = life.rig.ok(
        Command::Erase {
            reason: ErasureReason::PersonsRequest,
        },
        erased_at(),
    );
    assert_eq!(
        outcome.events,
        [Event::PersonalDataErased {
            at: erased_at(),
            reason: ErasureReason::PersonsRequest
        }]
    );
    assert_eq!(
        outcome.reply,
        Reply::PersonalDataErased {
            reason: ErasureReason::PersonsRequest,
            pin_ended: true
        }
    );
    // The PIN's sessions end with it (R31); nothing goes to contacts being erased.
    let end = outcome.sessions_to_end().unwrap();
    assert_eq!(end.reason, SessionEnd::PersonalDataErased);
    assert!(end.ends(&session));
    assert_eq!(outcome.notifications().count(), 0);
    assert_eq!(outcome.deliveries().count(), 0);
    let (account, policy) = (&life.rig.account, &life.rig.policy);
    assert_eq!(
        account.check_session(&session, erased_at(), policy),
        Err(SessionEnd::Revoked)
    );
    // No personal data is left, in memory or stored; the key and the facts stay.
    assert_eq!(account.person(), None);
    assert!(!account.holds_personal_data());
    assert_eq!(account.phase(erased_at(), policy), Phase::NoPin);
    assert_eq!(account.codice_fiscale(), mario_cf());
    assert_eq!(account.restore_pending(erased_at()), None);
    assert_eq!(account.upgrade_pending(), None);
    assert!(account.trusted_devices(erased_at(), policy).is_empty());
    assert_holds_no_personal_string("the erased account (JSON)", &json_bytes(account));
    assert_holds_no_personal_string("the erased account (postcard)", &postcard_bytes(account));
    assert_holds_no_personal_string("the erasure's event", &json_bytes(&outcome.events));
    // Nothing is left to erase, so nothing falls due.
    assert_eq!(account.poll_deadline(policy), None);
    life.rig.check_replay();
}

#[test]
fn r36_an_erased_account_replays_from_the_facts_alone_and_from_the_personal_data_before_it() {
    let life = erased_life();
    let account = &life.rig.account;
    let log = &life.rig.log;
    // From everything the record held, personal data of the events before the erasure included.
    assert_eq!(&Account::replay(mario_cf(), log), account);
    // From the facts alone: what a service reads once it destroyed the person's key.
    let facts = facts_of(log);
    assert_eq!(&Account::replay(mario_cf(), &facts), account);
    let shredded: Vec<Event> = facts
        .iter()
        .map(|facts| Event::join(facts.clone(), None).unwrap())
        .collect();
    assert_eq!(&Account::replay(mario_cf(), &shredded), account);
    // Through storage: the facts' stored forms, in JSON and postcard.
    let stored: Vec<StoredEvent> = facts.iter().cloned().map(StoredEvent::new).collect();
    let from_json: Vec<StoredEvent> = serde_json::from_slice(&json_bytes(&stored)).unwrap();
    let from_postcard: Vec<StoredEvent> = postcard::from_bytes(&postcard_bytes(&stored)).unwrap();
    assert_eq!(from_json, stored);
    assert_eq!(from_postcard, stored);
    assert_eq!(
        &Account::replay(mario_cf(), from_json.iter().map(StoredEvent::event)),
        account
    );
    // The erased account splits into itself and nothing.
    assert_eq!(account.clone().split(), (account.clone(), None));
}

/// A command made for a life, with its codes (commands carry secrets: made anew each time).
type CommandFor = fn(&Life) -> Command;

#[test]
fn r36_an_erased_account_refuses_what_a_revoked_one_does_and_answers_alike_from_its_facts() {
    let life = erased_life();
    let policy = &life.rig.policy;
    let account = &life.rig.account;
    let from_facts = Account::replay(mario_cf(), &facts_of(&life.rig.log));
    let now = at("2026-12-03T09:00:00Z");
    let commands: [(&str, CommandFor); 10] = [
        ("the old 8", |life| Command::LogIn {
            pin: entered(&life.eight),
            device: None,
            trust_device: false,
        }),
        ("the restore's 16", |life| Command::FirstAccess {
            pin: entered(&life.restore),
            trust_device: false,
        }),
        ("a renewal", |life| Command::RenewPin {
            pin: entered(&life.eight),
            device: None,
            trust_device: false,
        }),
        ("a restore", |_| restore_with_mario_contacts()),
        ("an upgrade", |_| Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: examined_copy(valid_identity_card()),
        }),
        ("a decision", |_| Command::DecideUpgrade {
            decision: UpgradeDecision::Approve,
            reviewer: operator("bo-7"),
        }),
        ("an upgrade at a sede", |_| Command::UpgradeAtSede {
            document: seen_at_sede(valid_identity_card()),
        }),
        ("a revocation", |_| Command::Revoke {
            tessera: mario_tessera(),
        }),
        ("an erasure", |_| Command::Erase {
            reason: ErasureReason::CourtOrder,
        }),
        ("a tick", |_| Command::Tick),
    ];
    let answer = |account: &Account, command: &Command| {
        account
            .decide(command, &mut Context::new(now, policy, &mut rng(36)))
            .map(|outcome| (outcome.reply, outcome.events, outcome.effects))
    };
    let mut answers = Vec::new();
    for (what, command) in commands {
        let whole = answer(account, &command(&life));
        assert_eq!(whole, answer(&from_facts, &command(&life)), "{what}");
        answers.push((what, whole));
    }
    // A PIN typed reads as an unknown codice fiscale's, and nothing is counted (R30).
    let failed = || {
        let failure = LoginFailure::for_unknown_person(policy, &entered("ABCDEFGH"));
        Ok((Reply::LoginFailed(failure), vec![], vec![]))
    };
    let expected: [(&str, Result<_, Refusal>); 10] = [
        ("the old 8", failed()),
        ("the restore's 16", failed()),
        ("a renewal", failed()),
        ("a restore", Err(Refusal::ContactsNotMatching)),
        ("an upgrade", Err(Refusal::NoPin)),
        ("a decision", Err(Refusal::NoUpgradePending)),
        ("an upgrade at a sede", Err(Refusal::NoPin)),
        ("a revocation", Err(Refusal::NoPin)),
        ("an erasure", Err(Refusal::NothingToErase)),
        ("a tick", Ok((Reply::TimeApplied, vec![], vec![]))),
    ];
    assert_eq!(answers, expected);
}

#[test]
fn r36_erasing_an_erased_account_writes_nothing_and_says_so() {
    let mut life = erased_life();
    let version = life.rig.account.version();
    let refusal = life.rig.refuse(
        Command::Erase {
            reason: ErasureReason::SupervisoryAuthority,
        },
        at("2026-12-03T09:00:00Z"),
    );
    assert_eq!(refusal, Refusal::NothingToErase);
    assert_eq!(refusal.code(), "erasure.nothing_to_erase");
    assert_eq!(refusal.class(), RefusalClass::NotFound);
    assert!(refusal.message_it().contains("già stati cancellati"));
    assert_eq!(life.rig.account.version(), version);
    // A codice fiscale with no record answers the same, and nothing is written for it.
    let unknown = Account::new(mario_cf()).decide(
        &Command::Erase {
            reason: ErasureReason::PersonsRequest,
        },
        &mut Context::new(erased_at(), &life.rig.policy, &mut rng(1)),
    );
    assert_eq!(
        unknown.map(|outcome| outcome.events),
        Err(Refusal::NothingToErase)
    );
}

#[test]
fn r36_a_revoked_account_keeps_its_person_until_erased_and_no_session_ends_then() {
    let mut rig = Rig::new(&person());
    let _ = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    rig.apply(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        at("2026-12-01T09:00:00Z"),
    );
    assert_eq!(rig.account.person(), Some(&person()));
    assert!(rig.account.holds_personal_data());
    let outcome = rig.ok(
        Command::Erase {
            reason: ErasureReason::CourtOrder,
        },
        at("2026-12-02T09:00:00Z"),
    );
    assert_eq!(
        outcome.reply,
        Reply::PersonalDataErased {
            reason: ErasureReason::CourtOrder,
            pin_ended: false
        }
    );
    assert_eq!(outcome.sessions_to_end(), None);
    assert_eq!(rig.account.person(), None);
    rig.check_replay();
}

#[test]
fn r36_a_request_after_an_erasure_brings_new_personal_data() {
    let mut life = erased_life();
    // No PIN is live after the erasure, so a request is welcome (R14), with the data it gives.
    let moved = bare_person()
        .with_email(Email::parse("m.rossi@posta.example.it").unwrap())
        .with_mobile(mario_mobile());
    let _ = life.rig.request(
        moved.clone(),
        ChannelRequest::Online,
        at("2027-01-10T09:00:00Z"),
    );
    assert_eq!(life.rig.account.person(), Some(&moved));
    assert!(life.rig.account.holds_personal_data());
    life.rig.check_replay();
    // The record holds the new data only: what the erasure took is not back.
    let export = life
        .rig
        .account
        .export(&life.rig.log, at("2027-01-11T09:00:00Z"), &life.rig.policy)
        .unwrap();
    let people: Vec<Option<&str>> = export
        .history
        .iter()
        .filter_map(|entry| match entry {
            ExportedEvent::PinIssued { person, .. } => {
                Some(person.as_ref().and_then(|person| person.email.as_deref()))
            }
            _ => None,
        })
        .collect();
    assert_eq!(people, [None, Some("m.rossi@posta.example.it")]);
    let json = serde_json::to_string(&export).unwrap();
    assert!(!json.contains("non è leggibile"), "{json}");
    assert!(!json.contains("mario.rossi@example.it"), "{json}");
}

// ---------------------------------------------------------------------------------------------
// Retention

fn erasure_by_tick(at: Timestamp) -> Vec<Event> {
    vec![Event::PersonalDataErased {
        at,
        reason: ErasureReason::RetentionPeriod,
    }]
}

#[test]
fn r36_retention_erases_on_the_tick_at_the_deadline_after_a_revocation_and_not_before() {
    let mut rig = Rig::with_policy(&person(), retention_policy());
    let _ = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let revoked_at = at("2026-12-01T09:00:00Z");
    rig.apply(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        revoked_at,
    );
    let deadline = rig.account.poll_deadline(&rig.policy).unwrap();
    assert_eq!(deadline, plus_rome_days(revoked_at, 365));
    assert_eq!(rome(deadline), "2027-12-01T10:00:00+01:00[Europe/Rome]");
    // A tick before it does nothing.
    let early = rig.ok(Command::Tick, deadline - SignedDuration::from_nanos(1));
    assert_eq!(early.events, []);
    assert_eq!(rig.account.person(), Some(&person()));
    // At it, the person's data goes, and nothing is left to fall due.
    let due = rig.ok(Command::Tick, deadline);
    assert_eq!(due.reply, Reply::TimeApplied);
    assert_eq!(due.events, erasure_by_tick(deadline));
    assert!(
        due.effects.is_empty(),
        "no PIN to end, no contact to write to"
    );
    assert_eq!(rig.account.person(), None);
    assert_eq!(rig.account.poll_deadline(&rig.policy), None);
    rig.check_replay();
}

#[test]
fn r36_retention_counts_from_the_lapse_of_an_unused_16() {
    let mut rig = Rig::with_policy(&person(), retention_policy());
    let _ = rig.request(person(), ChannelRequest::Online, t0());
    let lapses_at = t0_lapse();
    let outcomes = rig.advance(plus_rome_days(lapses_at, 400));
    let names: Vec<&str> = outcomes
        .iter()
        .flat_map(|outcome| outcome.events.iter().map(Event::name))
        .collect();
    assert_eq!(names, ["first_pin_lapsed", "personal_data_erased"]);
    assert_eq!(
        outcomes[1].events,
        erasure_by_tick(plus_rome_days(lapses_at, 365))
    );
    assert_eq!(rig.account.phase(lapses_at, &rig.policy), Phase::NoPin);
    rig.check_replay();
}

#[test]
fn r36_retention_counts_from_the_expiry_and_a_renewal_starts_the_pin_afresh() {
    let mut rig = Rig::with_policy(&person(), retention_policy());
    let eight = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let expires_at = rig.expiry();
    // The warning, then the expiry; then the retention deadline a year after the expiry.
    let outcomes = rig.advance(expires_at);
    assert_eq!(outcomes.len(), 2);
    assert_eq!(
        rig.account.poll_deadline(&rig.policy),
        Some(plus_rome_days(expires_at, 365))
    );
    // An expired PIN is still renewed, for as long as the data is kept (R21) ...
    let mut renewed = Rig::with_policy(&person(), rig.policy.clone());
    renewed.account = rig.account.clone();
    renewed.log = rig.log.clone();
    let (_, _) = renewed.renew(&eight, plus_rome_days(expires_at, 300));
    let new_expiry = renewed.expiry();
    assert!(renewed.account.poll_deadline(&renewed.policy).unwrap() < new_expiry);
    renewed.check_replay();
    // ... and at its end the data goes, and the expired PIN with it.
    let erasure = rig.advance(plus_rome_days(expires_at, 365));
    assert_eq!(erasure.len(), 1);
    assert_eq!(
        erasure[0].events,
        erasure_by_tick(plus_rome_days(expires_at, 365))
    );
    assert_eq!(
        erasure[0].sessions_to_end().map(|end| end.reason),
        Some(SessionEnd::PersonalDataErased)
    );
    assert_eq!(rig.account.phase(expires_at, &rig.policy), Phase::NoPin);
    rig.check_replay();
}

#[test]
fn r36_a_late_tick_past_the_expiry_and_the_retention_records_only_the_erasure() {
    let mut rig = Rig::with_policy(&person(), retention_policy());
    let _ = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let late = plus_rome_days(rig.expiry(), 500);
    let outcome = rig.ok(Command::Tick, late);
    assert_eq!(outcome.events, erasure_by_tick(late));
    assert_eq!(outcome.notifications().count(), 0);
    rig.check_replay();
}

#[test]
fn r36_retention_counts_from_the_sunsets_retirement() {
    let mut policy = sunset_policy();
    policy.personal_data_retention_days = Some(30);
    // Exempt from the cut-off (R22a), with a PIN whose expiry, 1 December, comes after the
    // retirement: nothing of the PIN falls due after that, but the retention's end does.
    let exempt = person().with_sunset_exemption(SunsetExemption::LegalProtection);
    let mut rig = Rig::with_policy(&exempt, policy);
    let _ = rig.activate(exempt, ChannelRequest::Online, at("2021-06-01T09:00:00Z"));
    let retirement = at("2021-09-30T22:00:00Z"); // 1 October 2021, midnight in Rome
    let outcomes = rig.advance(at("2022-12-31T00:00:00Z"));
    let last = outcomes.last().unwrap();
    assert_eq!(last.events, erasure_by_tick(plus_rome_days(retirement, 30)));
    assert_eq!(rig.account.person(), None);
    assert_eq!(rig.account.poll_deadline(&rig.policy), None);
    rig.check_replay();
}

#[test]
fn r36_a_blocked_pin_is_live_and_keeps_its_data_until_its_expiry() {
    let mut rig = Rig::with_policy(&person(), retention_policy());
    let eight = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let expiry = rig.expiry();
    let _ = hammer_until_blocked(&mut rig, &eight, at("2026-12-01T09:00:00Z"));
    assert_eq!(
        rig.account.phase(at("2026-12-02T09:00:00Z"), &rig.policy),
        Phase::Blocked
    );
    // A restore gives a blocked PIN back: its data is kept, and the clock counts from its
    // expiry, not from the block.
    let deadline = rig.account.poll_deadline(&rig.policy).unwrap();
    assert!(deadline <= expiry, "{deadline}");
    let tick = rig.ok(Command::Tick, plus_rome_days(expiry, 364));
    assert!(
        tick.events
            .iter()
            .all(|event| !matches!(event, Event::PersonalDataErased { .. }))
    );
    assert_eq!(
        rig.account.poll_deadline(&rig.policy),
        Some(plus_rome_days(expiry, 365))
    );
}

#[test]
fn r36_without_a_retention_period_the_data_is_kept_until_erased_on_request() {
    let mut rig = Rig::new(&person());
    assert_eq!(rig.policy.personal_data_retention_days, None);
    let _ = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    rig.apply(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        at("2026-12-01T09:00:00Z"),
    );
    assert_eq!(rig.account.poll_deadline(&rig.policy), None);
    let much_later = rig.ok(Command::Tick, at("2040-01-01T09:00:00Z"));
    assert_eq!(much_later.events, []);
    assert_eq!(rig.account.person(), Some(&person()));
}

#[test]
fn r36_the_facts_alone_give_the_retention_deadline_and_the_same_erasure() {
    let mut rig = Rig::with_policy(&person(), retention_policy());
    let _ = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    rig.apply(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        at("2026-12-01T09:00:00Z"),
    );
    let (facts, _) = rig.account.clone().split();
    let deadline = rig.account.poll_deadline(&rig.policy);
    assert_eq!(facts.poll_deadline(&rig.policy), deadline);
    let tick = |account: &Account| {
        account
            .decide(
                &Command::Tick,
                &mut Context::new(deadline.unwrap(), &rig.policy, &mut rng(2)),
            )
            .map(|outcome| outcome.events)
    };
    assert_eq!(tick(&facts), tick(&rig.account));
    assert_eq!(tick(&facts), Ok(erasure_by_tick(deadline.unwrap())));
}

#[test]
fn r36_the_retention_period_is_validated_and_policy_files_without_it_load_with_the_default() {
    assert_eq!(Policy::default().personal_data_retention_days, Some(365));
    let field = "personal_data_retention_days";
    for days in [0, MAX_PERSONAL_DATA_RETENTION_DAYS + 1, u16::MAX] {
        let mut policy = Policy::default();
        policy.personal_data_retention_days = Some(days);
        let error = policy.validate().unwrap_err();
        assert_eq!(error, PolicyError::PersonalDataRetention { found: days });
        assert_eq!(error.field(), field);
        assert!(error.to_string().contains(&format!("`{field}`")), "{error}");
        let loaded = serde_json::from_value::<Policy>(json!({ field: days }))
            .unwrap_err()
            .to_string();
        assert!(loaded.contains(&error.to_string()), "{loaded}");
    }
    for days in [
        None,
        Some(1),
        Some(30),
        Some(MAX_PERSONAL_DATA_RETENTION_DAYS),
    ] {
        let mut policy = Policy::default();
        policy.personal_data_retention_days = days;
        assert_eq!(policy.validate(), Ok(()), "{days:?}");
        assert_eq!(
            serde_json::from_value::<Policy>(json!({ field: days })).unwrap(),
            policy
        );
    }
    // A policy file written before the field existed loads, with the default.
    let mut file = serde_json::to_value(Policy::default()).unwrap();
    assert!(file.as_object_mut().unwrap().remove(field).is_some());
    assert_eq!(
        serde_json::from_value::<Policy>(file).unwrap(),
        Policy::default()
    );
}

// ---------------------------------------------------------------------------------------------
// Export

/// The export of `life` at `now`, as JSON.
fn export_json(life: &Life, now: Timestamp) -> (PersonalDataExport, String) {
    let export = life
        .rig
        .account
        .export(&life.rig.log, now, &life.rig.policy)
        .unwrap();
    let json = serde_json::to_string_pretty(&export).unwrap();
    (export, json)
}

#[test]
fn r36_the_export_holds_the_persons_data_before_the_erasure_and_none_after() {
    let life = life();
    let now = at("2026-12-01T09:00:00Z");
    let (export, json) = export_json(&life, now);
    let person = export.person.as_ref().unwrap();
    assert_eq!(
        (person.name.as_str(), person.surname.as_str()),
        ("Mario", "Rossi")
    );
    assert_eq!(person.email.as_deref(), Some("mario.rossi@example.it"));
    assert_eq!(person.mobile.as_deref(), Some("+393331234567"));
    assert_eq!(person.residence.street, "Via Roma 1");
    for text in PERSONAL {
        assert!(json.contains(text), "{text} missing from {json}");
    }
    // The facts: every event, the PIN as it stands, the trusted device, the restore waiting.
    assert_eq!(export.history.len(), life.rig.log.len());
    assert_eq!(export.codice_fiscale, mario_cf());
    assert_eq!(export.pin.phase, Phase::Active);
    assert_eq!(export.pin.assurance, Some(AssuranceLevel::Ordinary));
    assert_eq!(export.pin.trusted_devices.len(), 1);
    assert!(export.pin.trusted_devices[0].trusted);
    assert_eq!(
        export.pin.restore_waiting_until,
        life.rig.account.restore_pending(now)
    );
    assert!(export.history.iter().any(|entry| matches!(
        entry,
        ExportedEvent::UpgradeRejected { reason: Some(reason), .. } if reason.contains("Mario Rossi")
    )));

    // After the erasure: the facts and the erasure itself, no personal data at all, whatever
    // the events given still held (a service that has not destroyed the key yet).
    let erased = erased_life();
    assert!(erased.rig.log.iter().any(Event::holds_personal_data));
    let (export, json) = export_json(&erased, now);
    assert_eq!(export.person, None);
    assert_holds_no_personal_string("the export after the erasure", json.as_bytes());
    assert!(json.contains("RSSMRA80A01H501U"), "the record's key stays");
    assert_eq!(
        export.history.last(),
        Some(&ExportedEvent::PersonalDataErased {
            at: erased_at(),
            reason: ErasureReason::PersonsRequest
        })
    );
    assert_eq!(export.history.len(), erased.rig.log.len());
    assert_eq!(export.pin.phase, Phase::NoPin);
    // The same from the facts alone.
    let facts = facts_of(&erased.rig.log);
    assert_eq!(
        erased.rig.account.export(&facts, now, &erased.rig.policy),
        Ok(export)
    );
}

#[test]
fn r36_the_export_never_holds_a_pin_a_code_a_hash_or_a_token() {
    let life = life();
    let (_, json) = export_json(&life, at("2026-12-01T09:00:00Z"));
    for secret in &life.secrets {
        assert!(
            !json.contains(secret.as_str()),
            "a code or token in the export"
        );
    }
    assert!(!json.contains("$argon2"), "a hash in the export");
    // Every hash the record holds, looked for whole.
    let events = serde_json::to_string(&life.rig.log).unwrap();
    let hashes: Vec<&str> = events
        .split('"')
        .filter(|text| text.starts_with("$argon2id$"))
        .collect();
    assert_eq!(
        hashes.len(),
        4,
        "the 16, the 8, the device, the restore: {hashes:?}"
    );
    for hash in hashes {
        let digest = hash.rsplit('$').next().unwrap();
        assert!(!json.contains(digest));
    }
    // The device is there by its identifier, which is no secret (events carry it too).
    let device = &life
        .rig
        .account
        .trusted_devices(at("2026-12-01T09:00:00Z"), &life.rig.policy)[0];
    assert!(json.contains(&format!("\"{}\"", device.as_str())));
}

/// Every key of `value`, at every depth, and every value of an `event` key.
fn keys_and_event_names(value: &serde_json::Value, out: &mut BTreeSet<String>) {
    match value {
        serde_json::Value::Object(map) => {
            for (key, inner) in map {
                out.insert(key.clone());
                if key == "event" {
                    out.insert(inner.as_str().unwrap_or_default().to_owned());
                }
                keys_and_event_names(inner, out);
            }
        }
        serde_json::Value::Array(items) => {
            items
                .iter()
                .for_each(|item| keys_and_event_names(item, out));
        }
        _ => {}
    }
}

#[test]
fn r36_the_export_has_stable_documented_snake_case_names() {
    let life = life();
    let export = life
        .rig
        .account
        .export(&life.rig.log, at("2026-12-01T09:00:00Z"), &life.rig.policy)
        .unwrap();
    let value = serde_json::to_value(&export).unwrap();
    let keys = |value: &serde_json::Value| -> BTreeSet<String> {
        value.as_object().unwrap().keys().cloned().collect()
    };
    let set =
        |names: &[&str]| -> BTreeSet<String> { names.iter().map(|n| (*n).to_owned()).collect() };
    assert_eq!(
        keys(&value),
        set(&[
            "export_format",
            "codice_fiscale",
            "exported_at",
            "person",
            "pin",
            "history"
        ])
    );
    assert_eq!(value["export_format"], EXPORT_FORMAT);
    assert_eq!(
        keys(&value["person"]),
        set(&[
            "name",
            "surname",
            "role",
            "residence",
            "email",
            "mobile",
            "landline",
            "sunset_exemption"
        ])
    );
    assert_eq!(
        keys(&value["person"]["residence"]),
        set(&["street", "postal_code", "municipality", "province"])
    );
    assert_eq!(
        keys(&value["pin"]),
        set(&[
            "phase",
            "assurance",
            "first_access_by",
            "expires_at",
            "consecutive_failures",
            "trusted_devices",
            "restore_waiting_until",
            "upgrade_requested_via"
        ])
    );
    assert_eq!(
        keys(&value["history"][0]),
        set(&[
            "event",
            "at",
            "channel",
            "assurance",
            "role",
            "first_access_by",
            "first_half_accepted",
            "person"
        ])
    );
    assert_eq!(value["history"][0]["event"], "pin_issued");
    assert_eq!(value["history"][0]["channel"], "online");
    assert_eq!(value["history"][0]["assurance"], "ordinary");
    assert_eq!(value["history"][0]["role"], "citizen");
    assert_eq!(value["history"][0]["at"], "2026-11-25T09:00:00Z");
    assert_eq!(value["pin"]["phase"], "active");
    assert_eq!(value["person"]["role"], "citizen");
    // Every name, at every depth, is snake_case, and so is every event's.
    let mut names = BTreeSet::new();
    keys_and_event_names(&value, &mut names);
    for name in &names {
        assert!(
            !name.is_empty()
                && name
                    .chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_'),
            "{name:?}"
        );
    }
    for event in [
        "pin_issued",
        "first_access_completed",
        "device_trusted",
        "upgrade_requested",
        "upgrade_rejected",
        "restore_requested",
        "logged_in",
    ] {
        assert!(names.contains(event), "{event}");
    }
    // Each entry's name is the event's own.
    for (entry, event) in value["history"]
        .as_array()
        .unwrap()
        .iter()
        .zip(&life.rig.log)
    {
        assert_eq!(entry["event"], event.name());
    }
}

#[test]
fn r36_an_export_needs_every_event_of_the_account() {
    let life = life();
    let error = life
        .rig
        .account
        .export(
            &life.rig.log[1..],
            at("2026-12-01T09:00:00Z"),
            &life.rig.policy,
        )
        .unwrap_err();
    assert_eq!(
        error,
        ExportError {
            version: life.rig.account.version(),
            events: life.rig.account.version() - 1
        }
    );
    assert_eq!(error.code(), "export.events_not_matching");
    assert!(error.message_it().contains("Contact Center"));
}

// ---------------------------------------------------------------------------------------------
// Earlier formats

fn golden(path: &str) -> Vec<u8> {
    std::fs::read(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/golden")
            .join(path),
    )
    .unwrap()
}

/// The events and the cached account's facts of an earlier format's life hold no personal
/// data, replay to the account's facts, and join back to what was read.
fn assert_splits(format: &str, events: &[Event], cached: Option<&Account>) {
    let facts = facts_of(events);
    let stored: Vec<StoredEvent> = facts.iter().cloned().map(StoredEvent::new).collect();
    assert_holds_no_personal_string(&format!("format {format}'s facts"), &json_bytes(&stored));
    for (event, facts) in events.iter().zip(&facts) {
        let personal = event.clone().split().1;
        assert_eq!(
            Event::join(facts.clone(), personal).as_ref(),
            Ok(event),
            "format {format}"
        );
    }
    let account = Account::replay(mario_cf(), events);
    assert_eq!(
        Account::replay(mario_cf(), &facts),
        account.clone().split().0,
        "format {format}"
    );
    if let Some(cached) = cached {
        let (cached_facts, personal) = cached.clone().split();
        assert_holds_no_personal_string(
            &format!("format {format}'s cached account, split"),
            &json_bytes(&cached_facts),
        );
        assert_eq!(Account::join(cached_facts, personal).as_ref(), Ok(cached));
    }
}

#[test]
fn r36_a_cache_of_an_earlier_format_that_does_not_know_its_revocation_is_rebuilt() {
    let mut rig = Rig::with_policy(&person(), retention_policy());
    let _ = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    rig.apply(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        at("2026-12-01T09:00:00Z"),
    );
    let json = serde_json::to_string(&rig.account).unwrap();
    assert!(
        json.contains(r#""revoked_at":"2026-12-01T09:00:00Z""#),
        "{json}"
    );
    // As format 2 wrote it: no role, no revocation instant.
    let format_2 = json
        .replacen(r#"{"format":3,"role":"Citizen","#, r#"{"format":2,"#, 1)
        .replacen(r#","revoked_at":"2026-12-01T09:00:00Z""#, "", 1);
    assert_ne!(format_2, json);
    let error = serde_json::from_str::<Account>(&format_2)
        .unwrap_err()
        .to_string();
    assert!(error.contains("Account::replay"), "{error}");
    // Rebuilt from its events, it knows, and the retention deadline is there.
    let rebuilt = Account::replay(mario_cf(), &rig.log);
    assert_eq!(
        rebuilt.poll_deadline(&rig.policy),
        Some(plus_rome_days(at("2026-12-01T09:00:00Z"), 365))
    );
    // Erased, the same cache as format 2 wrote it (no person, no PIN) loads: nothing is
    // missing from it.
    rig.apply(
        Command::Erase {
            reason: ErasureReason::PersonsRequest,
        },
        at("2026-12-02T09:00:00Z"),
    );
    let erased = serde_json::to_string(&rig.account)
        .unwrap()
        .replacen(r#"{"format":3,"role":"Citizen","#, r#"{"format":2,"#, 1)
        .replacen(r#","revoked_at":null"#, "", 1);
    assert_eq!(
        serde_json::from_str::<Account>(&erased).unwrap(),
        rig.account
    );
    // And the erased facts take no person back.
    assert_eq!(
        Account::join(
            rig.account.clone(),
            Some(PersonalData::Person(Box::new(person())))
        ),
        Err(JoinError::NoPlace {
            facts: "account",
            personal: "person"
        })
    );
}

#[test]
fn r36_events_and_accounts_of_every_earlier_format_split_into_facts_without_personal_data() {
    let v0: Vec<Event> = serde_json::from_slice::<Vec<UnversionedEvent>>(&golden("v0/events.json"))
        .unwrap()
        .into_iter()
        .map(UnversionedEvent::into_event)
        .collect();
    assert!(v0.iter().any(Event::holds_personal_data));
    assert_splits("0", &v0, None);
    for format in ["v1", "v2"] {
        let stored: Vec<StoredEvent> =
            serde_json::from_slice(&golden(&format!("{format}/events.json"))).unwrap();
        let events: Vec<Event> = stored.into_iter().map(StoredEvent::into_event).collect();
        let cached: Account =
            postcard::from_bytes(&golden(&format!("{format}/account.postcard"))).unwrap();
        assert!(cached.person().is_some());
        assert_splits(format, &events, Some(&cached));
    }
}

#[test]
fn r36_a_session_exports_how_it_was_opened_its_level_and_since_when_in_snake_case() {
    let policy = policy();
    let since = policy.digital_identity_dispositivo_since;
    let cf = CodiceFiscale::parse("RSSMRA80A01H501U").unwrap();
    let opened = at("2026-12-01T09:00:00Z");
    let session = Session::from_digital_identity(cf, DigitalIdentity::Cie, opened, since);
    assert_eq!(
        serde_json::to_value(session.export()).unwrap(),
        json!({
            "credential": "digital_identity",
            "level": "dispositivo",
            "started_at": "2026-12-01T09:00:00Z",
            "from_trusted_device": false,
        })
    );
}
