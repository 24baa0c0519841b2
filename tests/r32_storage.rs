//! R32: the storage contract. The events are the record and carry their format; every format
//! ever written still loads and replays (golden files under `tests/golden/`); cached accounts
//! of formats 1 and 2 load too, and one of format 0 is refused with the way to rebuild it;
//! format 3's facts and personal data, stored apart (R36), load and join back; and a
//! retry after a lost
//! compare-and-swap runs no second Argon2 verification against a hash that did not change,
//! holding no plaintext copy of the PIN (the same `Command`, by reference).

mod common;
use common::rig::*;
use common::*;

use inps_pin::*;

fn golden(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(path)
}

// ---------------------------------------------------------------------------------------------
// Retries

/// The retry memory lives in the typed PIN and is written through `&` (R32), so a typed PIN
/// and a command that carries one move between threads (`Send`) and are never shared
/// between them (`Sync`): checked at compile time.
#[test]
fn r32_a_typed_pin_and_a_command_are_send_and_not_sync() {
    fn send<T: Send>() {}
    send::<EnteredPin>();
    send::<Command>();

    // Were `T` `Sync`, both impls would apply and `not_sync::<T>` would be ambiguous: the
    // test would not compile.
    trait AmbiguousIfSync<A> {
        fn check() {}
    }
    impl<T: ?Sized> AmbiguousIfSync<()> for T {}
    impl<T: ?Sized + Sync> AmbiguousIfSync<u8> for T {}
    <EnteredPin as AmbiguousIfSync<_>>::check();
    <Command as AmbiguousIfSync<_>>::check();
}

#[test]
fn r32_a_retry_after_a_lost_compare_and_swap_verifies_the_pin_once() {
    let policy = policy();
    let mut rng = rng(32);
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let account = rig.account.clone();
    let now = at("2026-12-01T09:00:00Z");
    // The service keeps the command (and so the typed PIN) across its retries.
    let command = Command::LogIn {
        pin: entered(&code),
        device: None,
        trust_device: false,
    };
    let Command::LogIn { pin, .. } = &command else {
        unreachable!()
    };
    let first = account
        .decide(&command, &mut Context::new(now, &policy, &mut rng))
        .unwrap();
    logged_in(&first);
    assert_eq!(pin.verifications(), 1);
    // It lost the race: another instance stored a login from another client first.
    let mut newer = account.clone();
    let _ = log_in(&mut newer, entered(&code), now, &policy, &mut rng);
    assert_eq!(newer.version(), account.version() + 1);
    // The retry on the newer account: the same answer, no second Argon2 run.
    let retried = newer
        .decide(&command, &mut Context::new(now, &policy, &mut rng))
        .unwrap();
    logged_in(&retried);
    assert_eq!(pin.verifications(), 1, "the hash did not change");
    // A wrong PIN's retry is no more costly.
    let wrong_pin = Command::LogIn {
        pin: wrong(&code),
        device: None,
        trust_device: false,
    };
    for _ in 0..3 {
        let outcome = newer
            .decide(&wrong_pin, &mut Context::new(now, &policy, &mut rng))
            .unwrap();
        login_failure(&outcome);
    }
    let Command::LogIn { pin: typed, .. } = &wrong_pin else {
        unreachable!()
    };
    assert_eq!(typed.verifications(), 1);
}

#[test]
fn r32_a_retry_verifies_again_when_the_hash_changed_in_between() {
    let policy = policy();
    let mut rng = rng(33);
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let warned = at("2027-05-12T09:00:00Z");
    let command = Command::RenewPin {
        pin: entered(&code),
        device: None,
        trust_device: false,
    };
    let before = rig.account.clone();
    let _ = before
        .decide(&command, &mut Context::new(warned, &policy, &mut rng))
        .unwrap();
    // Another instance renewed first: the hash is another; the retry checks against it.
    let _ = rig.renew(&code, warned);
    let retried = rig
        .account
        .decide(&command, &mut Context::new(warned, &policy, &mut rng))
        .unwrap();
    login_failure(&retried);
    let Command::RenewPin { pin, .. } = &command else {
        unreachable!()
    };
    assert_eq!(pin.verifications(), 2);
}

#[test]
fn r32_an_unknown_persons_answer_spends_one_verification_once() {
    let policy = policy();
    let pin = entered("ABCDEFGH");
    for _ in 0..3 {
        let _ = LoginFailure::for_unknown_person(&policy, &pin);
    }
    assert_eq!(pin.verifications(), 1);
}

// ---------------------------------------------------------------------------------------------
// Formats

#[test]
fn r32_format_0_events_still_load_and_replay_from_json_and_postcard() {
    let json = std::fs::read_to_string(golden("v0/events.json")).unwrap();
    let from_json: Vec<Event> = serde_json::from_str::<Vec<UnversionedEvent>>(&json)
        .unwrap()
        .into_iter()
        .map(UnversionedEvent::into_event)
        .collect();
    // JSON of format 0 is also read as today's events directly.
    let direct: Vec<Event> = serde_json::from_str(&json).unwrap();
    assert_eq!(direct, from_json);
    let bytes = std::fs::read(golden("v0/events.postcard")).unwrap();
    let from_postcard: Vec<Event> = postcard::from_bytes::<Vec<UnversionedEvent>>(&bytes)
        .unwrap()
        .into_iter()
        .map(UnversionedEvent::into_event)
        .collect();
    assert_eq!(from_postcard, from_json);
    assert_eq!(from_json.len(), 23);
    // Stored as format 0 inside a `StoredEvent`, the same.
    for event in &from_json {
        let wrapped = serde_json::json!({ "format": 0, "event": event });
        let stored: StoredEvent = serde_json::from_value(wrapped).unwrap();
        assert_eq!(stored.event(), event);
    }
    // Replayed: the life as it happened then, to its end, a PIN requested at a sede.
    let account = Account::replay(mario_cf(), &from_json);
    assert_eq!(account.version(), 23);
    let policy = policy();
    let status = account.status(at("2028-01-11T10:00:00Z"), &policy);
    assert!(
        matches!(
            status,
            PinStatus::AwaitingFirstAccess {
                assurance: AssuranceLevel::Dispositivo,
                ..
            }
        ),
        "{status:?}"
    );
    // Every kind of event of that life is there, the retired ones included.
    let names: Vec<&str> = from_json.iter().map(Event::name).collect();
    for retired in ["login_delay_ended", "pin_blocked", "pin_restored"] {
        assert!(names.contains(&retired), "{retired} missing");
    }
}

#[test]
fn r32_an_account_cached_in_format_0_is_refused_with_the_way_to_rebuild_it() {
    let json = std::fs::read_to_string(golden("v0/account.json")).unwrap();
    let error = serde_json::from_str::<Account>(&json)
        .unwrap_err()
        .to_string();
    assert!(error.contains("cached in format 0"), "{error}");
    assert!(error.contains("Account::replay"), "{error}");
}

#[test]
fn r32_a_format_from_a_later_release_is_refused_plainly() {
    let json = r#"{"format":4,"event":{"PinExpired":{"at":"2027-05-25T08:00:00Z"}}}"#;
    let error = serde_json::from_str::<StoredEvent>(json)
        .unwrap_err()
        .to_string();
    assert!(error.contains("later release"), "{error}");
}

/// A scripted life that writes every kind of event format 1 has: the life format 1's golden
/// files hold.
fn format_1_life() -> Rig {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-01T09:00:00Z");
    let trusted = rig.ok(
        Command::LogIn {
            pin: entered(&code),
            device: None,
            trust_device: true,
        },
        now,
    );
    let token = trusted.trusted_device.unwrap().expose().to_owned();
    let blocked_at = hammer_until_blocked(&mut rig, &code, now + secs(1));
    let restored = rig.ok(restore_with_mario_contacts(), blocked_at + secs(1));
    let code = rig.first_access(&whole_code(&restored), blocked_at + secs(2));
    let _ = rig.ok(
        Command::LogIn {
            pin: entered(&code),
            device: Some(DeviceToken::parse(&token).unwrap()),
            trust_device: false,
        },
        blocked_at + secs(3),
    );
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: examined_copy(valid_identity_card()),
        },
        blocked_at + secs(4),
    );
    rig.apply(
        Command::DecideUpgrade {
            decision: UpgradeDecision::Approve,
            reviewer: operator("bo-1"),
        },
        blocked_at + secs(5),
    );
    let (_, code) = rig.renew(&code, at("2027-05-20T09:00:00Z"));
    let _ = rig.advance(at("2027-12-01T09:00:00Z"));
    let _ = code;
    rig.apply(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        at("2027-12-02T09:00:00Z"),
    );
    // A new PIN at a sede, a trusted device, a restore waiting and a wrong PIN: the cached
    // account holds every part of a PIN record.
    let whole = rig.request(person(), sede_request(), at("2027-12-03T09:00:00Z"));
    let done = rig.ok(
        Command::FirstAccess {
            pin: entered(&whole),
            trust_device: true,
        },
        at("2027-12-04T09:00:00Z"),
    );
    assert!(done.trusted_device.is_some());
    let code = code_of(&done, PinPart::Pin);
    rig.apply(restore_with_mario_contacts(), at("2027-12-05T09:00:00Z"));
    let _ = rig.log_in("ZZZZZZZZ", at("2027-12-06T09:00:00Z"));
    let _ = code;
    rig.check_replay();
    rig
}

/// Compares `bytes` with the golden file, writing it when it does not exist yet and
/// `INPS_PIN_BLESS` is set. A golden file once committed is never rewritten.
fn assert_golden(path: &str, bytes: &[u8]) {
    let file = golden(path);
    match std::fs::read(&file) {
        Ok(committed) => assert!(
            committed == bytes,
            "{path} changed: format {STORED_FORMAT} must stay as it was written. A change to \
             the stored forms is a new format (a new STORED_FORMAT, its layout kept for reading)"
        ),
        Err(_) if std::env::var_os("INPS_PIN_BLESS").is_some() => {
            std::fs::create_dir_all(file.parent().unwrap()).unwrap();
            std::fs::write(&file, bytes).unwrap();
        }
        Err(error) => panic!("{path}: {error}; write it with INPS_PIN_BLESS=1"),
    }
}

/// Format 2's life: format 1's, and a wrong 16 typed at the first access of the restore that
/// waits at its end, counted in that code's own lane (R25b), so that the cached account holds
/// that lane too.
fn format_2_life() -> Rig {
    let mut rig = format_1_life();
    let _ = rig.ok(
        Command::FirstAccess {
            pin: entered("ABCDEFGHJKLMNPQR"),
            trust_device: false,
        },
        at("2027-12-07T09:00:00Z"),
    );
    assert_eq!(rig.account.wrong_first_accesses(), 1);
    rig.check_replay();
    rig
}

/// The events and the cached account of format `version`'s golden files, each read from JSON
/// and from postcard; the two readings must agree.
fn golden_files(version: &str) -> (Vec<StoredEvent>, Account) {
    let stored: Vec<StoredEvent> =
        serde_json::from_slice(&std::fs::read(golden(&format!("{version}/events.json"))).unwrap())
            .unwrap();
    let from_postcard: Vec<StoredEvent> = postcard::from_bytes(
        &std::fs::read(golden(&format!("{version}/events.postcard"))).unwrap(),
    )
    .unwrap();
    assert_eq!(stored, from_postcard);
    let cached: Account =
        serde_json::from_slice(&std::fs::read(golden(&format!("{version}/account.json"))).unwrap())
            .unwrap();
    let cached_binary: Account = postcard::from_bytes(
        &std::fs::read(golden(&format!("{version}/account.postcard"))).unwrap(),
    )
    .unwrap();
    assert_eq!(cached, cached_binary);
    (stored, cached)
}

#[test]
fn r32_format_1_golden_files_still_load_and_replay_and_their_cached_account_loads() {
    let (stored, cached) = golden_files("v1");
    assert!(stored.iter().all(|event| event.format() == 1));
    let events: Vec<Event> = stored.into_iter().map(StoredEvent::into_event).collect();
    // The cached account of format 1 loads (its PIN record one field shorter), and is what its
    // events replay to today.
    assert_eq!(Account::replay(mario_cf(), &events), cached);
    assert_eq!(cached.version(), events.len() as u64);
    assert_eq!(cached.wrong_first_accesses(), 0);
    // Written again, it is this release's format.
    let json = serde_json::to_value(&cached).unwrap();
    assert_eq!(json["format"], STORED_FORMAT);
    // The life they hold is still what the crate does, but for the stored format.
    assert_eq!(format_1_life().log, events);
}

#[test]
fn r32_format_2_golden_files_still_load_and_replay_and_their_cached_account_loads() {
    let (stored, cached) = golden_files("v2");
    assert!(stored.iter().all(|event| event.format() == 2));
    let events: Vec<Event> = stored.into_iter().map(StoredEvent::into_event).collect();
    // The cached account of format 2 loads (its role read from the person, no revocation
    // instant stored), and is what its events replay to today.
    assert_eq!(Account::replay(mario_cf(), &events), cached);
    assert_eq!(cached.version(), events.len() as u64);
    assert_eq!(cached.wrong_first_accesses(), 1);
    // Written again, it is this release's format.
    let json = serde_json::to_value(&cached).unwrap();
    assert_eq!(json["format"], STORED_FORMAT);
    // The life they hold is still what the crate does, but for the stored format.
    assert_eq!(format_2_life().log, events);
    // Read as today's events, they carry their person in full: nothing was kept apart then.
    assert!(events.iter().all(|event| match event {
        Event::PinIssued { person, .. } => person.is_some(),
        Event::UpgradeRejected { reason, .. } => reason.is_some(),
        _ => true,
    }));
}

/// Format 3's life: format 2's, then what format 3 records (R36): the person asks for their
/// data to be erased, which ends the live PIN; a new request brings new data; an upgrade is
/// rejected with a reason written to the person; a revocation; the retention period's end
/// erases the data again on a tick; and a last request at a sede, revoked, so that the cached
/// account holds a person, its role and the revocation's instant.
fn format_3_life() -> Rig {
    let mut rig = format_2_life();
    rig.apply(
        Command::Erase {
            reason: ErasureReason::PersonsRequest,
        },
        at("2027-12-08T09:00:00Z"),
    );
    let _ = rig.activate(person(), ChannelRequest::Online, at("2027-12-09T09:00:00Z"));
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: examined_copy(valid_identity_card()),
        },
        at("2027-12-10T09:00:00Z"),
    );
    rig.apply(
        Command::DecideUpgrade {
            decision: UpgradeDecision::Reject(
                RejectionReason::new("la copia del documento di Mario Rossi non è leggibile")
                    .unwrap(),
            ),
            reviewer: operator("bo-2"),
        },
        at("2027-12-11T09:00:00Z"),
    );
    rig.apply(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        at("2027-12-12T09:00:00Z"),
    );
    rig.policy.personal_data_retention_days = Some(Policy::DEFAULT_PERSONAL_DATA_RETENTION_DAYS);
    let ticks = rig.advance(at("2028-12-31T09:00:00Z"));
    assert_eq!(ticks.len(), 1);
    let _ = rig.request(person(), sede_request(), at("2029-01-02T09:00:00Z"));
    rig.apply(
        Command::Revoke {
            tessera: mario_tessera(),
        },
        at("2029-01-03T09:00:00Z"),
    );
    rig.check_replay();
    rig
}

/// What format 3 keeps apart (R36): each event's facts and its personal data, the cached
/// account's facts and its personal data.
struct SplitForms {
    facts: Vec<StoredEvent>,
    personal: Vec<Option<PersonalData>>,
    account_facts: Account,
    account_personal: Option<PersonalData>,
}

fn split_forms(stored: &[StoredEvent], account: &Account) -> SplitForms {
    let (facts, personal) = stored.iter().cloned().map(StoredEvent::split).unzip();
    let (account_facts, account_personal) = account.clone().split();
    SplitForms {
        facts,
        personal,
        account_facts,
        account_personal,
    }
}

/// Format 3's split forms as committed, each read from JSON and from postcard; the two
/// readings must agree.
fn golden_split_forms() -> SplitForms {
    fn read<T: serde::de::DeserializeOwned + PartialEq + std::fmt::Debug>(name: &str) -> T {
        let json: T = serde_json::from_slice(
            &std::fs::read(golden(&format!("v3/split/{name}.json"))).unwrap(),
        )
        .unwrap();
        let binary: T = postcard::from_bytes(
            &std::fs::read(golden(&format!("v3/split/{name}.postcard"))).unwrap(),
        )
        .unwrap();
        assert_eq!(json, binary, "{name}");
        json
    }
    SplitForms {
        facts: read("events_facts"),
        personal: read("events_personal_data"),
        account_facts: read("account_facts"),
        account_personal: read("account_personal_data"),
    }
}

/// `value` as a committed golden file, in JSON and postcard.
fn assert_golden_forms<T: serde::Serialize>(path: &str, value: &T) {
    assert_golden(
        &format!("{path}.json"),
        (serde_json::to_string_pretty(value).unwrap() + "\n").as_bytes(),
    );
    assert_golden(
        &format!("{path}.postcard"),
        &postcard::to_allocvec(value).unwrap(),
    );
}

#[test]
fn r32_r36_format_3_is_what_this_release_writes_and_its_golden_files_load_and_replay() {
    assert_eq!(STORED_FORMAT, 3);
    let rig = format_3_life();
    let stored: Vec<StoredEvent> = rig.log.iter().cloned().map(StoredEvent::new).collect();
    assert_golden_forms("v3/events", &stored);
    assert_golden_forms("v3/account", &rig.account);
    let split = split_forms(&stored, &rig.account);
    assert_golden_forms("v3/split/events_facts", &split.facts);
    assert_golden_forms("v3/split/events_personal_data", &split.personal);
    assert_golden_forms("v3/split/account_facts", &split.account_facts);
    assert_golden_forms("v3/split/account_personal_data", &split.account_personal);

    // Read back from the committed files: the events replay to the committed account.
    let (stored, cached) = golden_files("v3");
    assert!(stored.iter().all(|event| event.format() == 3));
    let events: Vec<Event> = stored
        .iter()
        .cloned()
        .map(StoredEvent::into_event)
        .collect();
    assert_eq!(Account::replay(mario_cf(), &events), cached);
    assert_eq!(cached.version(), events.len() as u64);
    assert!(cached.person().is_some());
    // Every kind of event this release writes is in the golden life.
    let names: std::collections::BTreeSet<&str> = events.iter().map(Event::name).collect();
    for kind in [
        "pin_issued",
        "first_access_completed",
        "logged_in",
        "login_failed",
        "device_trusted",
        "restore_requested",
        "upgrade_requested",
        "upgrade_approved",
        "upgrade_rejected",
        "expiry_warned",
        "pin_renewed",
        "pin_expired",
        "pin_revoked",
        "first_access_failed",
        "personal_data_erased",
    ] {
        assert!(names.contains(kind), "{kind} missing from the golden life");
    }

    // The facts alone load, replay to the account's facts, and join back to the originals.
    let split = golden_split_forms();
    let facts: Vec<Event> = split
        .facts
        .iter()
        .cloned()
        .map(StoredEvent::into_event)
        .collect();
    assert_eq!(
        Account::replay(mario_cf(), &facts),
        split.account_facts,
        "the facts replay to the account's facts"
    );
    let joined: Vec<StoredEvent> = split
        .facts
        .into_iter()
        .zip(split.personal)
        .map(|(facts, personal)| StoredEvent::join(facts, personal).unwrap())
        .collect();
    assert_eq!(joined, stored);
    assert_eq!(
        Account::join(split.account_facts, split.account_personal).unwrap(),
        cached
    );
}
