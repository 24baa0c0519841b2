//! R25a: a stranger can never keep the owner out. A login, first access or renewal can make
//! the client a trusted device; attempts with a valid token of the account are counted in that
//! device's own lane, and a stranger's failures delay and block only the anonymous lane. Also:
//! a wrong clock holds nobody, and a guess costs one stored event.

mod common;
use common::rig::*;
use common::*;

use inps_pin::*;
use jiff::Timestamp;

/// A login from a client with `token` (or none), asking to be trusted when `trust`.
fn log_in_from(code: &str, token: Option<&str>, trust: bool) -> Command {
    Command::LogIn {
        pin: entered(code),
        device: token.map(|t| DeviceToken::parse(t).unwrap()),
        trust_device: trust,
    }
}

/// Mario with an 8 in use and one trusted device: the rig, the 8 and the token.
fn with_trusted_device() -> (Rig, String, String) {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let outcome = rig.ok(log_in_from(&code, None, true), at("2026-11-26T09:00:00Z"));
    let token = outcome.trusted_device.as_ref().unwrap().expose().to_owned();
    (rig, code, token)
}

#[test]
fn r25a_a_login_can_make_the_client_a_trusted_device_whose_token_the_account_never_keeps() {
    let (rig, _code, token) = with_trusted_device();
    assert_eq!(token.len(), DEVICE_TOKEN_LEN);
    const { assert!(DEVICE_SECRET_LEN * 5 >= 128, "at least 128 random bits") };
    assert!(token.bytes().all(|b| PIN_ALPHABET.contains(&b)));
    let now = at("2026-11-26T09:00:00Z");
    let devices = rig.account.trusted_devices(now, &rig.policy);
    assert_eq!(devices.len(), 1);
    assert_eq!(devices[0].as_str(), &token[..DEVICE_ID_LEN]);
    // Only a hash of the secret part is kept, in the account and in its events.
    let secret = &token[DEVICE_ID_LEN..];
    let stored = serde_json::to_string(&rig.account).unwrap();
    let log = serde_json::to_string(&rig.log).unwrap();
    assert!(!stored.contains(secret) && !log.contains(secret));
    // The token is a secret in memory too.
    let parsed = DeviceToken::parse(&token).unwrap();
    assert!(!format!("{parsed:?}").contains(secret));
    rig.check_replay();
}

#[test]
fn r25a_only_when_asked_and_the_policy_trusts_devices() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-11-26T09:00:00Z");
    let outcome = rig.ok(log_in_from(&code, None, false), now);
    assert!(outcome.trusted_device.is_none());
    let mut no_devices = policy();
    no_devices.trusted_devices.max_devices = 0;
    let mut rig = Rig::with_policy(&person(), no_devices);
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let outcome = rig.ok(log_in_from(&code, None, true), now);
    assert!(outcome.trusted_device.is_none());
    assert!(rig.account.trusted_devices(now, &rig.policy).is_empty());
}

#[test]
fn r25a_a_first_access_and_a_renewal_can_trust_the_device_too() {
    let mut rig = Rig::new(&person());
    let whole = rig.request(person(), ChannelRequest::Online, t0());
    let outcome = rig.ok(
        Command::FirstAccess {
            pin: entered(&whole),
            trust_device: true,
        },
        day_after(),
    );
    let first_device = outcome.trusted_device.as_ref().unwrap().device_id();
    assert_eq!(
        rig.account.trusted_devices(day_after(), &rig.policy),
        [first_device]
    );
    let code = code_of(&outcome, PinPart::Pin);
    let warned = at("2027-05-12T09:00:00Z");
    let outcome = rig.ok(
        Command::RenewPin {
            pin: entered(&code),
            trust_device: true,
            device: None,
        },
        warned,
    );
    let renewal_device = outcome.trusted_device.as_ref().unwrap().device_id();
    // The first device's 90 days are over by the renewal: only the new one is trusted.
    assert_eq!(
        rig.account.trusted_devices(warned, &rig.policy),
        [renewal_device]
    );
    rig.check_replay();
}

#[test]
fn r25a_the_owner_on_a_trusted_device_is_never_delayed_nor_blocked_by_a_stranger() {
    let (mut rig, code, token) = with_trusted_device();
    let mut now = at("2026-12-01T09:00:00Z");
    // The stranger guesses at every instant the delay allows, until the block; the owner logs
    // in from the trusted device between every two guesses, at once.
    for guess in 0..12 {
        match rig.account.status(now, &rig.policy) {
            PinStatus::Blocked => {
                assert_eq!(
                    rig.turn_away(log_in_from("ZZZZZZZZ", None, false), now),
                    LaneClosed::Blocked
                );
            }
            _ => {
                let outcome = rig.ok(log_in_from("ZZZZZZZZ", None, false), now);
                assert_eq!(
                    outcome.events.len(),
                    1,
                    "guess {guess}: one event per guess"
                );
            }
        }
        let session = logged_in(&rig.ok(log_in_from(&code, Some(&token), false), now));
        assert_eq!(session.credential(), Credential::Pin, "guess {guess}");
        now += secs(10);
    }
    // The anonymous lane is blocked: a client without the token is turned away, the PIN
    // right, with a wrong PIN's answer (R30a).
    assert_eq!(rig.account.status(now, &rig.policy), PinStatus::Blocked);
    assert_eq!(
        rig.turn_away(log_in_from(&code, None, false), now),
        LaneClosed::Blocked
    );
    // A token that is not one of this account's is no better than none.
    let forged = format!(
        "{}{}",
        &token[..DEVICE_ID_LEN],
        "A".repeat(DEVICE_SECRET_LEN)
    );
    assert_eq!(
        rig.turn_away(log_in_from(&code, Some(&forged), false), now),
        LaneClosed::Blocked
    );
    rig.check_replay();
}

#[test]
fn r25a_a_trusted_device_has_its_own_small_count_and_is_forgotten_at_its_block() {
    let (mut rig, code, token) = with_trusted_device();
    let mut now = at("2026-12-01T09:00:00Z");
    let block_after = rig.policy.trusted_devices.lockout.block_after();
    assert_eq!(block_after, 5);
    for n in 1..=block_after {
        let outcome = rig.ok(log_in_from("ZZZZZZZZ", Some(&token), false), now);
        let detail = outcome.failure.clone().unwrap();
        assert_eq!(detail.consecutive_failures, n);
        assert_eq!(
            detail.device.as_ref().map(DeviceId::as_str),
            Some(&token[..4])
        );
        assert_eq!(detail.blocks, n == block_after);
        // The anonymous lane counts nothing of it.
        assert_eq!(rig.account.consecutive_failures(), 0);
        now = detail.retry_after.unwrap_or(now);
    }
    assert!(
        rig.account.trusted_devices(now, &rig.policy).is_empty(),
        "forgotten"
    );
    // Its token now counts in the anonymous lane, which the device's failures never touched.
    let outcome = rig.ok(log_in_from(&code, Some(&token), false), now);
    logged_in(&outcome);
    assert_eq!(outcome.events.len(), 1);
    rig.check_replay();
}

#[test]
fn r25a_trusted_devices_are_bounded_and_expire() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let mut now = at("2026-11-26T09:00:00Z");
    let mut tokens = Vec::new();
    for _ in 0..6 {
        let outcome = rig.ok(log_in_from(&code, None, true), now);
        tokens.push(outcome.trusted_device.unwrap().expose().to_owned());
        now += secs(60);
    }
    let kept: Vec<String> = rig
        .account
        .trusted_devices(now, &rig.policy)
        .iter()
        .map(|id| id.as_str().to_owned())
        .collect();
    assert_eq!(kept.len(), 5, "the policy's bound");
    assert!(
        !kept.contains(&tokens[0][..4].to_owned()),
        "the oldest made room"
    );
    // 90 Rome days later the devices are trusted no more: their tokens count as no token.
    let later = plus_rome_days(now, 91);
    assert!(rig.account.trusted_devices(later, &rig.policy).is_empty());
    rig.check_replay();
}

#[test]
fn r25a_a_wrong_clock_holds_nobody() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    // One failure stamped in 2100 by a bad clock reading.
    let far: Timestamp = at("2100-01-01T00:00:00Z");
    let outcome = rig.ok(log_in_from("ZZZZZZZZ", None, false), far);
    assert_eq!(outcome.events.len(), 1);
    // The next, correct reading: the owner's right PIN is not made to wait until 2100.
    let now = at("2026-12-01T09:00:00Z");
    logged_in(&rig.ok(log_in_from(&code, None, false), now));
    // And a delay seen from a later but earlier-dated reading is never longer than its own
    // length: a failure at `t`, a reading at `t - 1 h` finds no delay at all.
    let t = at("2026-12-02T09:00:00Z");
    let _ = rig.ok(log_in_from("ZZZZZZZZ", None, false), t);
    logged_in(&rig.ok(log_in_from(&code, None, false), t - secs(3600)));
    rig.check_replay();
}

#[test]
fn r25a_a_guess_costs_the_account_one_stored_event_whatever_its_lane() {
    let (mut rig, code, token) = with_trusted_device();
    let now = at("2026-12-01T09:00:00Z");
    let before = rig.account.version();
    let outcome = rig.ok(log_in_from("ZZZZZZZZ", None, false), now);
    assert_eq!(outcome.events.len(), 1);
    let outcome = rig.ok(log_in_from("ZZZZZZZZ", Some(&token), false), now);
    assert_eq!(outcome.events.len(), 1);
    assert_eq!(rig.account.version(), before + 2);
    // Nothing to tick: the delays end by the clock.
    assert_eq!(rig.deadline(), Some(at("2027-05-11T08:00:00Z")));
    let _ = code;
}

#[test]
fn r25a_a_device_stays_trusted_for_the_policys_days_after_its_last_login() {
    let (mut rig, code, token) = with_trusted_device();
    let trusted_at = at("2026-11-26T09:00:00Z");
    // Used again 60 days on: trusted for 90 days from then, not from when it was trusted.
    let used = plus_rome_days(trusted_at, 60);
    logged_in(&rig.ok(log_in_from(&code, Some(&token), false), used));
    let later = plus_rome_days(trusted_at, 120);
    assert_eq!(rig.account.trusted_devices(later, &rig.policy).len(), 1);
    let outcome = rig.ok(log_in_from("ZZZZZZZZ", Some(&token), false), later);
    assert!(
        outcome.failure.unwrap().device.is_some(),
        "counted in its own lane"
    );
    // Left unused for 90 days, it is one more unknown client.
    let unused = plus_rome_days(later, 90);
    assert!(rig.account.trusted_devices(unused, &rig.policy).is_empty());
    let outcome = rig.ok(log_in_from("ZZZZZZZZ", Some(&token), false), unused);
    assert_eq!(outcome.failure.unwrap().device, None);
    rig.check_replay();
}

#[test]
fn r25a_device_tokens_are_equal_when_they_name_the_same_device_and_not_otherwise() {
    let token = "ABCD23456789ABCDEFGHJKLMNPQRST";
    let same = DeviceToken::parse(token).unwrap();
    let again = DeviceToken::parse(token).unwrap();
    assert_eq!(same, again);
    // The same device, another secret: outcomes compare tokens by the device they name.
    let same_device = DeviceToken::parse("ABCDZZZZZZZZZZZZZZZZZZZZZZZZZZ").unwrap();
    assert_eq!(same, same_device);
    // Another device, the same secret: not equal.
    let other_device = DeviceToken::parse("EFGH23456789ABCDEFGHJKLMNPQRST").unwrap();
    assert_ne!(same, other_device);
    assert_ne!(other_device, same_device);
    // Two tokens the crate made for two logins are two devices.
    let (mut rig, code, _token) = with_trusted_device();
    let now = at("2026-11-27T09:00:00Z");
    let first = rig.ok(log_in_from(&code, None, true), now);
    let second = rig.ok(log_in_from(&code, None, true), now);
    assert_ne!(first.trusted_device, second.trusted_device);
    assert_eq!(first.trusted_device, first.trusted_device);
    assert_ne!(first, second);
}

#[test]
fn r35_a_stored_device_id_is_read_only_from_the_pin_alphabet() {
    let id: DeviceId = serde_json::from_str("\"ABCD\"").unwrap();
    assert_eq!(id.as_str(), "ABCD");
    // Characters the PIN alphabet leaves out (look-alikes, lower case, symbols), and wrong
    // lengths, are no device identifier the crate made.
    for stored in [
        "\"ABC0\"",
        "\"ABCO\"",
        "\"abcd\"",
        "\"AB-D\"",
        "\"ABC\"",
        "\"ABCDE\"",
        "\"\"",
    ] {
        assert!(
            serde_json::from_str::<DeviceId>(stored).is_err(),
            "{stored} loaded as a device id"
        );
    }
    // Nor does an event that names one load.
    let event = r#"{"DeviceTrusted":{"at":"2026-12-01T09:00:00Z","device":"ABC1","hash":"$argon2id$v=19$m=8,t=1,p=1$QUJDREVGR0hJSktMTU5PUA$mtpz7CnV0Kp8GnYnQYcs2O0Pu+GjXbVWGEkwo4eqtO0","replaces":null}}"#;
    assert!(serde_json::from_str::<Event>(event).is_err());
    assert!(serde_json::from_str::<Event>(&event.replace("ABC1", "ABC2")).is_ok());
}

#[test]
fn r25a_r35_a_replayed_account_trusts_no_more_devices_than_any_policy_allows() {
    // A stream of more DeviceTrusted events than any policy lets one account keep, none
    // making room for the next (which the crate never writes): replay keeps the newest.
    let (rig, _code, _token) = with_trusted_device();
    let hash: PinHash = "$argon2id$v=19$m=8,t=1,p=1$QUJDREVGR0hJSktMTU5PUA$\
                         mtpz7CnV0Kp8GnYnQYcs2O0Pu+GjXbVWGEkwo4eqtO0"
        .try_into()
        .unwrap();
    let now = at("2026-12-01T09:00:00Z");
    let mut log = rig.log.clone();
    let ids: Vec<DeviceId> = PIN_ALPHABET
        .iter()
        .take(25)
        .map(|&c| {
            let text = format!("{}{}{}{}", char::from(c), 'A', 'B', 'C');
            serde_json::from_value(serde_json::json!(text)).unwrap()
        })
        .collect();
    for id in &ids {
        log.push(Event::DeviceTrusted {
            at: now,
            device: id.clone(),
            hash: hash.clone(),
            replaces: None,
        });
    }
    let replayed = Account::replay(mario_cf(), &log);
    let mut policy = rig.policy.clone();
    policy.trusted_devices.max_devices = MAX_TRUSTED_DEVICES;
    let trusted = replayed.trusted_devices(now, &policy);
    assert_eq!(trusted.len(), usize::from(MAX_TRUSTED_DEVICES));
    assert_eq!(trusted, ids[ids.len() - usize::from(MAX_TRUSTED_DEVICES)..]);
    // And it is stored and loaded again as it is.
    let stored = serde_json::to_string(&replayed).unwrap();
    assert_eq!(serde_json::from_str::<Account>(&stored).unwrap(), replayed);
}

#[test]
fn r8_r30_a_device_token_prints_its_device_alone_and_its_error_says_what_to_do() {
    let token = DeviceToken::parse("ABCD23456789ABCDEFGHJKLMNPQRST").unwrap();
    assert_eq!(format!("{token:?}"), "DeviceToken(ABCD, [redacted])");
    let id = token.device_id();
    assert_eq!(id.to_string(), "ABCD");
    assert_eq!(format!("{id:?}"), "DeviceId(\"ABCD\")");
    assert_eq!(String::from(id), "ABCD");
    let error = DeviceToken::parse("not a token").unwrap_err();
    assert_eq!(error.code(), "device_token.invalid");
    assert_eq!(
        error.message_it(),
        "Questo dispositivo non è riconosciuto: accedi con il tuo PIN."
    );
    assert!(error.to_string().contains("log in with the PIN"), "{error}");
}
