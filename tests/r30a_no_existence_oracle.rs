//! R30a: no existence oracle on demand. Whatever a stranger can do with a codice fiscale alone
//! answers alike, in words, status class and (as far as the crate controls) work, for a person
//! with a PIN and one without: two quick wrong guesses, a guess at a blocked PIN, a PIN request
//! whatever the live PIN is doing, and the decoy verification of an unknown codice fiscale,
//! which costs what a wrong PIN against the hashes actually stored costs.
//!
//! What operators need (delayed, blocked, until when) is in `Outcome::failure`, never in the
//! person's reply. A client with a valid trusted-device token of the account proved more than
//! the codice fiscale: its own lane is told its delay plainly (R25a).

mod common;
use common::rig::*;
use common::*;

use inps_pin::*;

/// What the person reads of an answer, as a service would pass it on: the reply's serialized
/// form with its code and messages, or the refusal's code, class and messages.
fn as_the_person_reads_it(result: &Result<Outcome, Refusal>) -> String {
    match result {
        Ok(outcome) => {
            let reply = serde_json::to_string(&outcome.reply).unwrap();
            match &outcome.reply {
                Reply::LoginFailed(failure) => format!(
                    "{reply} {} {} {}",
                    failure.code(),
                    failure.message_en(),
                    failure.message_it()
                ),
                other => panic!("not an answer to a guess: {other:?}"),
            }
        }
        Err(refusal) => format!(
            "{} {:?} {} {}",
            refusal.code(),
            refusal.class(),
            refusal.message_en(),
            refusal.message_it()
        ),
    }
}

/// A login, renewal and first access with wrong codes, twice in the same second, for `account`
/// at `now`: what the person reads of each.
fn two_quick_guesses_of_each_kind(account: &mut Account, now: jiff::Timestamp) -> Vec<String> {
    let policy = policy();
    let mut rng = rng(30);
    let mut read = Vec::new();
    for _ in 0..2 {
        for command in [
            Command::LogIn {
                pin: entered("ZZZZZZZZ"),
                device: None,
                trust_device: false,
            },
            Command::RenewPin {
                pin: entered("ZZZZZZZZ"),
                trust_device: false,
                device: None,
            },
            Command::FirstAccess {
                pin: entered("ZZZZZZZZZZZZZZZZ"),
                trust_device: false,
            },
        ] {
            read.push(as_the_person_reads_it(&run(
                account, command, now, &policy, &mut rng,
            )));
        }
    }
    read
}

#[test]
fn r30a_two_quick_wrong_guesses_read_alike_for_a_person_with_a_pin_and_one_without() {
    let now = at("2026-12-01T09:00:00Z");
    let unknown = two_quick_guesses_of_each_kind(&mut Account::new(mario_cf()), now);
    // Mario with a 16 waiting for its first access, with an 8 in use, with an 8 and a restore
    // waiting, and blocked.
    let mut waiting = Rig::new(&person());
    waiting.request(person(), ChannelRequest::Online, t0());
    let mut active = Rig::new(&person());
    let code = active.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let mut restoring = Rig::new(&person());
    restoring.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    restoring.apply(restore_with_mario_contacts(), now);
    let mut blocked = Rig::new(&person());
    blocked.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let blocked_at = hammer_until_blocked(&mut blocked, &code, at("2026-11-26T09:00:00Z"));
    assert!(blocked_at < now);
    for (label, rig) in [
        ("waiting for its first access", &mut waiting),
        ("in use", &mut active),
        ("in use, a restore waiting", &mut restoring),
        ("blocked", &mut blocked),
    ] {
        let known = two_quick_guesses_of_each_kind(&mut rig.account, now);
        assert_eq!(known, unknown, "a PIN {label} reads otherwise");
    }
    // All of them one answer: a wrong PIN's, which says what an honest owner does.
    assert!(unknown.iter().all(|read| read == &unknown[0]));
    assert!(unknown[0].contains("login.credentials_invalid"));
    assert!(unknown[0].contains("riprova tra qualche secondo"));
    assert!(unknown[0].contains("Ripristina PIN"));
}

#[test]
fn r30a_the_operators_view_says_delayed_or_blocked_and_until_when() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-01T09:00:00Z");
    rig.apply(
        Command::LogIn {
            pin: entered("ZZZZZZZZ"),
            device: None,
            trust_device: false,
        },
        now,
    );
    let delayed = rig.ok(
        Command::LogIn {
            pin: entered(&code),
            device: None,
            trust_device: false,
        },
        now,
    );
    let detail = delayed.failure.as_ref().unwrap();
    assert_eq!(
        detail.closed,
        Some(LaneClosed::Delayed {
            retry_after: now + secs(1)
        })
    );
    assert_eq!(detail.retry_after, Some(now + secs(1)));
    assert_eq!((detail.consecutive_failures, detail.counted), (1, false));
    // The operators' view serializes with it; the person's reply holds nothing of it.
    let view = serde_json::to_string(detail).unwrap();
    assert!(
        view.contains("Delayed") && view.contains("2026-12-01T09:00:01Z"),
        "{view}"
    );
    let reply = serde_json::to_string(&delayed.reply).unwrap();
    assert!(
        !reply.contains("Delayed") && !reply.contains("09:00:01"),
        "{reply}"
    );

    let blocked_at = hammer_until_blocked(&mut rig, &code, now + secs(1));
    let blocked = rig.ok(
        Command::RenewPin {
            pin: entered(&code),
            trust_device: false,
            device: None,
        },
        blocked_at + secs(3600),
    );
    let detail = blocked.failure.as_ref().unwrap();
    assert_eq!(detail.closed, Some(LaneClosed::Blocked));
    assert_eq!(detail.retry_after, None);
    assert_eq!(serde_json::to_string(&blocked.reply).unwrap(), reply);
}

#[test]
fn r30a_a_trusted_device_which_proved_more_than_a_codice_fiscale_is_told_its_own_delay() {
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
    let token = trusted.trusted_device.as_ref().unwrap().expose().to_owned();
    let from_device = |pin: &str| Command::LogIn {
        pin: entered(pin),
        device: Some(DeviceToken::parse(&token).unwrap()),
        trust_device: false,
    };
    rig.apply(from_device("ZZZZZZZZ"), now);
    let refusal = rig.refuse(from_device(&code), now);
    assert_eq!(
        refusal,
        Refusal::LoginDelayed {
            retry_after: now + secs(1)
        }
    );
    assert_eq!(refusal.class(), RefusalClass::RateLimited);
    assert_eq!(refusal.retry_after(), Some(now + secs(1)));
    logged_in(&rig.ok(from_device(&code), now + secs(1)));
}

#[test]
fn r30a_a_pin_request_answers_alike_whatever_the_live_pin_is_doing() {
    let expiry_policy = policy_without_lockout();
    let mut answers = Vec::new();
    // Waiting for its first access.
    let mut rig = Rig::new(&person());
    rig.request(person(), ChannelRequest::Online, t0());
    answers.push((
        "pending",
        rig.refuse(request_pin(person(), ChannelRequest::Online), day_after()),
    ));
    // Active, expiring soon, expired.
    let mut rig = Rig::with_policy(&person(), expiry_policy);
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let expiry = rig.expiry();
    for (label, when) in [
        ("active", at("2026-12-01T09:00:00Z")),
        ("expiring soon", plus_rome_days(expiry, -3)),
        ("expired", plus_rome_days(expiry, 3)),
    ] {
        answers.push((
            label,
            rig.refuse(request_pin(person(), ChannelRequest::Online), when),
        ));
    }
    // Blocked.
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let blocked_at = hammer_until_blocked(&mut rig, &code, at("2026-12-01T09:00:00Z"));
    answers.push((
        "blocked",
        rig.refuse(request_pin(person(), ChannelRequest::Online), blocked_at),
    ));

    let (_, first) = &answers[0];
    assert_eq!(first, &Refusal::PinAlreadyLive);
    for (label, refusal) in &answers {
        assert_eq!(refusal, first, "{label}");
        assert_eq!(refusal.code(), "request.pin_already_live", "{label}");
        assert_eq!(refusal.class(), RefusalClass::Conflict, "{label}");
        assert_eq!(refusal.message_it(), first.message_it(), "{label}");
        assert_eq!(refusal.message_en(), first.message_en(), "{label}");
        assert_eq!(
            serde_json::to_string(refusal).unwrap(),
            "\"PinAlreadyLive\"",
            "{label}"
        );
    }
    // It says what to do (log in, restore, revoke), naming no state as the PIN's.
    let it = first.message_it();
    for phrase in ["Accedi", "Ripristina PIN", "revocalo", "tessera sanitaria"] {
        assert!(it.contains(phrase), "{it:?} lacks {phrase:?}");
    }
    for state in ["è bloccato", "è attivo", "è in attesa"] {
        assert!(!it.contains(state), "{it:?} tells the state: {state:?}");
    }
}

// ---------------------------------------------------------------------------------------------
// The decoy costs what the stored hashes cost

/// A cost between the cheap one and the policy's bound, for the stored hashes.
fn stored_cost() -> HashCost {
    HashCost::new(16, 1, 1).unwrap()
}

/// A cost the policy is raised to after the hashes were stored.
fn raised_cost() -> HashCost {
    HashCost::new(32, 2, 1).unwrap()
}

/// Mario's account with an 8 hashed at `stored_cost()`, and the policy raised since.
fn hashed_before_the_policy_changed() -> (Account, String, Policy) {
    let mut rig = Rig::with_policy(
        &person(),
        policy_without_lockout().with_hash_cost(stored_cost()),
    );
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let mut raised = rig.policy.clone();
    raised.hash_cost = raised_cost();
    raised.validate().unwrap();
    (rig.account, code, raised)
}

#[test]
fn r30a_a_wrong_pin_costs_the_stored_hash_and_the_account_says_what_that_is() {
    let (account, _code, raised) = hashed_before_the_policy_changed();
    assert_eq!(account.stored_hash_cost(), Some(stored_cost()));
    let command = Command::LogIn {
        pin: entered("ZZZZZZZZ"),
        device: None,
        trust_device: false,
    };
    let now = at("2026-12-01T09:00:00Z");
    let outcome = account
        .decide(&command, &mut Context::new(now, &raised, &mut rng(1)))
        .unwrap();
    login_failure(&outcome);
    let pin = typed_pin(&command).unwrap();
    assert_eq!(pin.verifications(), 1);
    assert_eq!(pin.last_verification_cost(), Some(stored_cost()));
    // No account, no PIN: nothing stored to say.
    assert_eq!(Account::new(mario_cf()).stored_hash_cost(), None);
}

#[test]
fn r30a_an_unknown_codice_fiscale_costs_what_the_service_says_the_stored_hashes_cost() {
    let (known, _code, raised) = hashed_before_the_policy_changed();
    let now = at("2026-12-01T09:00:00Z");
    let unknown = Account::new(cf("RCCMNL83S18D969H"));
    let guess = || Command::LogIn {
        pin: entered("ZZZZZZZZ"),
        device: None,
        trust_device: false,
    };
    // Without a word from the service: the policy's cost, which the stored hashes do not have
    // yet (the gap R30a closes).
    let command = guess();
    let outcome = unknown
        .decide(&command, &mut Context::new(now, &raised, &mut rng(2)))
        .unwrap();
    login_failure(&outcome);
    let pin = typed_pin(&command).unwrap();
    assert_eq!(pin.verifications(), 1);
    assert_eq!(pin.last_verification_cost(), Some(raised_cost()));
    // With the cost of an account the service loaded: the decoy runs at it.
    for command in [
        guess(),
        Command::RenewPin {
            pin: entered("ZZZZZZZZ"),
            trust_device: false,
            device: None,
        },
        Command::FirstAccess {
            pin: entered("ZZZZZZZZZZZZZZZZ"),
            trust_device: false,
        },
    ] {
        let mut generator = rng(3);
        let mut context = Context::new(now, &raised, &mut generator)
            .with_decoy_cost(known.stored_hash_cost().unwrap());
        let outcome = unknown.decide(&command, &mut context).unwrap();
        login_failure(&outcome);
        let pin = typed_pin(&command).unwrap();
        assert_eq!(pin.verifications(), 1, "{}", command.name());
        assert_eq!(
            pin.last_verification_cost(),
            Some(stored_cost()),
            "{}",
            command.name()
        );
    }
    // The same through the function a service calls without an account.
    let pin = entered("ZZZZZZZZ");
    let failure = LoginFailure::for_unknown_person_at(&raised, stored_cost(), &pin);
    assert_eq!(
        failure,
        LoginFailure::for_unknown_person(&raised, &entered("ZZZZZZZZ"))
    );
    assert_eq!(pin.last_verification_cost(), Some(stored_cost()));
}

#[test]
fn r30a_r35_a_decoy_cost_above_the_policys_bound_runs_at_the_bound() {
    let mut policy = policy();
    policy.max_stored_hash_cost = HashCost::new(64, 2, 2).unwrap();
    policy.validate().unwrap();
    let absurd = HashCost::new(HashCost::MAX_MEMORY_KIB, HashCost::MAX_ITERATIONS, 1).unwrap();
    let pin = entered("ZZZZZZZZ");
    let _ = LoginFailure::for_unknown_person_at(&policy, absurd, &pin);
    assert_eq!(pin.last_verification_cost(), HashCost::new(64, 2, 1).ok());
    // Through the context too.
    let command = Command::LogIn {
        pin: entered("ZZZZZZZZ"),
        device: None,
        trust_device: false,
    };
    let mut generator = rng(4);
    let mut context = Context::new(t0(), &policy, &mut generator).with_decoy_cost(absurd);
    assert_eq!(context.decoy_cost, Some(absurd));
    let _ = Account::new(mario_cf())
        .decide(&command, &mut context)
        .unwrap();
    let pin = typed_pin(&command).unwrap();
    assert_eq!(pin.last_verification_cost(), HashCost::new(64, 2, 1).ok());
}

#[test]
fn r30a_a_guess_turned_away_checks_no_pin_and_an_unknown_one_always_runs_the_decoy() {
    // What the crate controls of the time: an unknown codice fiscale runs one decoy, a known
    // account with an open lane one verification, a closed lane none (R25b); the service pads
    // its answers to make the last alike (the crate has no clock).
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    let now = at("2026-12-01T09:00:00Z");
    let (_, open) = rig.ok_verifying(
        Command::LogIn {
            pin: entered("ZZZZZZZZ"),
            device: None,
            trust_device: false,
        },
        now,
    );
    let (_, closed) = rig.ok_verifying(
        Command::LogIn {
            pin: entered("ZZZZZZZZ"),
            device: None,
            trust_device: false,
        },
        now,
    );
    let mut unknown = Rig::new(&person());
    let (_, decoy) = unknown.ok_verifying(
        Command::LogIn {
            pin: entered("ZZZZZZZZ"),
            device: None,
            trust_device: false,
        },
        now,
    );
    assert_eq!((open, closed, decoy), (1, 0, 1));
}
