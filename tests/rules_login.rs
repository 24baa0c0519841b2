//! First access and login: the 16 exchanged for the 8 (R6), the first-access window (R9), the
//! first half alone (R9a), levels and authorisation (R15, R18, R19, R19a), counted failures
//! (R25, the part that exists), and one run at the default (OWASP) hash cost.
//!
//! Unless a test says otherwise, the policy is `policy_without_lockout()` (tests/common): these
//! rules are pinned with retries at one instant, which R25's delays would refuse.

mod common;
use common::*;

use inps_pin::*;
use jiff::Timestamp;
use jiff::civil::date;
use rand_chacha::ChaCha20Rng;

// ---------------------------------------------------------------------------------------------
// Helpers local to this file.

/// An online PIN requested at `t0()`: the account, its first half and its second half.
fn online(policy: &Policy, rng: &mut ChaCha20Rng) -> (Account, String, String) {
    let (account, outcome) = requested(person(), ChannelRequest::Online, policy, rng);
    let first = code_of(&outcome, PinPart::FirstHalf);
    let second = code_of(&outcome, PinPart::SecondHalf);
    (account, first, second)
}

fn later() -> Timestamp {
    at("2026-12-01T09:00:00Z")
}

const ORDINARY_SERVICES: [ServiceId; 5] = [
    ServiceId::CONTRIBUTION_RECORD,
    ServiceId::PENSION_POSITION,
    ServiceId::GESTIONE_SEPARATA,
    ServiceId::COMMUNICATIONS,
    ServiceId::FORMS,
];

const DISPOSITIVO_SERVICES: [ServiceId; 5] = [
    ServiceId::BONUS_600,
    ServiceId::BONUS_CHILDREN_UNDER_14,
    ServiceId::PAY_RISCATTO,
    ServiceId::PAY_RICONGIUNZIONE,
    ServiceId::PAY_RENDITE,
];

// ---------------------------------------------------------------------------------------------
// R6: the 16 for the 8.

#[test]
fn r6_first_access_with_the_16_gives_an_8_character_pin_on_screen_and_a_session() {
    let policy = policy_without_lockout();
    let mut rng = rng(6);
    let (mut account, first, second) = online(&policy, &mut rng);
    let outcome = first_access(
        &mut account,
        entered(&format!("{first}{second}")),
        day_after(),
        &policy,
        &mut rng,
    );

    assert_eq!(deliveries_of(&outcome), [(PinPart::Pin, Medium::Screen)]);
    assert_eq!(
        outcome.deliveries().next().unwrap().to_string(),
        "8-character PIN on screen"
    );
    let pin = code_of(&outcome, PinPart::Pin);
    assert_eq!(pin.len(), 8);
    assert!(pin.bytes().all(|c| PIN_ALPHABET.contains(&c)));
    assert_ne!(
        pin, first,
        "the new PIN is freshly drawn, not the first half"
    );
    assert_ne!(pin, second);

    let Reply::FirstAccessCompleted(session) = outcome.reply else {
        panic!("expected FirstAccessCompleted, got {:?}", outcome.reply)
    };
    assert_eq!(session.codice_fiscale(), person().codice_fiscale());
    assert_eq!(session.credential(), Credential::Pin);
    assert_eq!(session.level(), AssuranceLevel::Ordinary);
    assert_eq!(session.started_at(), day_after());

    assert_eq!(outcome.events.len(), 1);
    let Event::FirstAccessCompleted {
        at: when,
        assurance,
        pin: hash,
        expires_at,
    } = &outcome.events[0]
    else {
        panic!("expected FirstAccessCompleted, got {:?}", outcome.events)
    };
    assert_eq!((*when, *assurance), (day_after(), AssuranceLevel::Ordinary));
    assert!(hash.to_phc().starts_with("$argon2id$v=19$"));
    // R20: a citizen's PIN lasts 6 Rome calendar months: 25 November 10:00 CET is followed
    // by 25 May 10:00 CEST, 08:00Z.
    assert_eq!(*expires_at, at("2027-05-25T08:00:00Z"));
    assert_eq!(
        account.status(day_after(), &policy),
        PinStatus::Active {
            assurance: AssuranceLevel::Ordinary,
            expires_at: at("2027-05-25T08:00:00Z"),
        }
    );
    assert_eq!(account.version(), 2);
}

#[test]
fn r6_after_the_first_access_the_16_stops_working_and_the_8_works() {
    let policy = policy_without_lockout();
    let mut rng = rng(61);
    let (mut account, first, second) = online(&policy, &mut rng);
    let whole = format!("{first}{second}");
    let completed = first_access(
        &mut account,
        entered(&whole),
        day_after(),
        &policy,
        &mut rng,
    );
    let pin = code_of(&completed, PinPart::Pin);

    // The 16, at login: a counted wrong PIN, not a session. At a second first access: a
    // wrong PIN's answer, with no 16 waiting to count it against (R25b).
    let outcome = log_in(&mut account, entered(&whole), later(), &policy, &mut rng);
    assert_eq!(failure_count(&outcome), 1);
    let outcome = first_access(&mut account, entered(&whole), later(), &policy, &mut rng);
    assert_eq!(failure_count(&outcome), 0);
    assert!(outcome.events.is_empty());
    assert!(
        outcome.effects.is_empty(),
        "no new PIN for a repeated first access"
    );
    // Its first half alone is no PIN either.
    let outcome = log_in(&mut account, entered(&first), later(), &policy, &mut rng);
    assert_eq!(failure_count(&outcome), 2);

    // The 8 opens a session, again and again.
    // (The second login is late in the PIN's six months, before it expires: R20.)
    for minute in ["2026-12-01T10:00:00Z", "2027-05-20T10:00:00Z"] {
        let session = logged_in(&log_in(
            &mut account,
            entered(&pin),
            at(minute),
            &policy,
            &mut rng,
        ));
        assert_eq!(session.credential(), Credential::Pin);
        assert_eq!(session.level(), AssuranceLevel::Ordinary);
        assert_eq!(session.started_at(), at(minute));
    }
    assert_eq!(account.consecutive_failures(), 0);
}

#[test]
fn r6_a_first_access_with_only_8_characters_is_refused() {
    let policy = policy_without_lockout();
    let mut rng = rng(62);
    let (mut account, first, _second) = online(&policy, &mut rng);
    let refusal = refused(
        &mut account,
        Command::FirstAccess {
            pin: entered(&first),
            trust_device: false,
        },
        day_after(),
        &policy,
        &mut rng,
    );
    assert_eq!(refusal, Refusal::WholePinRequired);
    assert_eq!(refusal.code(), "first_access.whole_pin_required");
    assert!(
        refusal
            .message_it()
            .contains("PIN completo di 16 caratteri"),
        "{}",
        refusal.message_it()
    );
    assert!(refusal.message_it().contains("per posta"));
    assert!(refusal.to_string().contains("16 characters"));
    assert!(!refusal.message_it().contains(&first) && !refusal.to_string().contains(&first));
    assert_eq!(account.consecutive_failures(), 0);
}

#[test]
fn r6_a_login_with_the_16_before_the_first_access_is_refused() {
    let policy = policy_without_lockout();
    let mut rng = rng(63);
    let (mut account, first, second) = online(&policy, &mut rng);
    let whole = format!("{first}{second}");
    let refusal = refused(
        &mut account,
        Command::LogIn {
            pin: entered(&whole),
            device: None,
            trust_device: false,
        },
        day_after(),
        &policy,
        &mut rng,
    );
    assert_eq!(refusal, Refusal::FirstAccessRequired);
    assert_eq!(refusal.code(), "login.first_access_required");
    assert!(
        refusal.message_it().contains("primo accesso"),
        "{}",
        refusal.message_it()
    );
    assert!(refusal.message_it().contains("8 caratteri"));
    assert!(!refusal.message_it().contains(&whole) && !refusal.to_string().contains(&first));
    // The first access still works afterwards.
    let outcome = first_access(
        &mut account,
        entered(&whole),
        day_after(),
        &policy,
        &mut rng,
    );
    assert!(matches!(outcome.reply, Reply::FirstAccessCompleted(_)));
}

#[test]
fn r6_a_wrong_16_before_the_first_access_is_a_wrong_pin_not_a_hint() {
    // Only the holder of the right 16 learns that a first access is due.
    let policy = policy_without_lockout();
    let mut rng = rng(64);
    let (mut account, first, second) = online(&policy, &mut rng);
    let whole = format!("{first}{second}");
    let outcome = log_in(&mut account, wrong(&whole), day_after(), &policy, &mut rng);
    assert_eq!(failure_count(&outcome), 1);
    // At the first access, counted in the waiting 16's own lane, apart from the login's
    // (R25b).
    let outcome = first_access(&mut account, wrong(&whole), day_after(), &policy, &mut rng);
    assert_eq!(failure_count(&outcome), 1);
    assert!(outcome.failure.as_ref().unwrap().first_access);
    assert_eq!(account.consecutive_failures(), 1);
    assert_eq!(account.wrong_first_accesses(), 1);
    assert!(outcome.effects.is_empty());
    assert!(matches!(
        account.status(day_after(), &policy),
        PinStatus::AwaitingFirstAccess { .. }
    ));
}

// ---------------------------------------------------------------------------------------------
// R9: the first-access window.

#[test]
fn r9_the_16_lapses_after_90_rome_calendar_days() {
    let policy = policy_without_lockout();
    assert_eq!(policy.first_access_window_days, 90);
    let mut rng = rng(9);
    let (mut account, issued) = requested(person(), ChannelRequest::Online, &policy, &mut rng);
    let whole = whole_pin_from(&issued);
    assert!(
        matches!(issued.reply, Reply::PinIssued { first_access_by, .. } if first_access_by == t0_lapse())
    );
    assert_eq!(
        account.status(t0(), &policy),
        PinStatus::AwaitingFirstAccess {
            assurance: AssuranceLevel::Ordinary,
            lapses_at: t0_lapse(),
        }
    );
    let just_before = at("2027-02-22T08:59:59Z");
    assert!(matches!(
        account.status(just_before, &policy),
        PinStatus::AwaitingFirstAccess { .. }
    ));
    assert_eq!(
        account.status(t0_lapse(), &policy),
        PinStatus::FirstPinLapsed {
            lapsed_at: t0_lapse()
        }
    );

    // At the end of the window the right 16 is refused, for the first access and for a login.
    let refusal = refused(
        &mut account,
        Command::FirstAccess {
            pin: whole_pin_from(&issued),
            trust_device: false,
        },
        t0_lapse(),
        &policy,
        &mut rng,
    );
    assert_eq!(
        refusal,
        Refusal::FirstPinLapsed {
            lapsed_at: t0_lapse()
        }
    );
    assert_eq!(refusal.code(), "first_access.pin_lapsed");
    assert!(
        refusal.message_it().contains("Richiedi un nuovo PIN"),
        "{}",
        refusal.message_it()
    );
    assert!(refusal.to_string().contains("request a new PIN"));
    let refusal = refused(
        &mut account,
        Command::LogIn {
            pin: whole_pin_from(&issued),
            device: None,
            trust_device: false,
        },
        t0_lapse(),
        &policy,
        &mut rng,
    );
    assert_eq!(refusal.code(), "first_access.pin_lapsed");

    // One second before the end, the same 16 still works.
    let mut account = Account::replay(person().codice_fiscale(), &issued.events);
    let outcome = first_access(&mut account, whole, just_before, &policy, &mut rng);
    assert!(matches!(outcome.reply, Reply::FirstAccessCompleted(_)));
}

#[test]
fn r9_after_the_window_a_new_request_is_accepted_and_the_old_16_is_dead() {
    let policy = policy_without_lockout();
    let mut rng = rng(91);
    let (mut account, old) = requested(person(), ChannelRequest::Online, &policy, &mut rng);

    // One second before the end the first PIN is still live (R14).
    let refusal = refused(
        &mut account,
        request_pin(person(), ChannelRequest::Online),
        at("2027-02-22T08:59:59Z"),
        &policy,
        &mut rng,
    );
    assert_eq!(refusal, Refusal::PinAlreadyLive);

    // 22 February 10:00 in Rome (CET) + 90 days = 23 May 10:00 in Rome (CEST) = 08:00Z.
    let renewed_at = t0_lapse();
    let new = request(
        &mut account,
        person(),
        sede_request(),
        renewed_at,
        &policy,
        &mut rng,
    );
    assert_eq!(
        new.reply,
        Reply::PinIssued {
            channel: Channel::Sede,
            assurance: AssuranceLevel::Dispositivo,
            first_access_by: at("2027-05-23T08:00:00Z"),
        }
    );
    assert_eq!(
        account.status(renewed_at, &policy),
        PinStatus::AwaitingFirstAccess {
            assurance: AssuranceLevel::Dispositivo,
            lapses_at: at("2027-05-23T08:00:00Z"),
        }
    );
    let outcome = first_access(
        &mut account,
        whole_pin_from(&old),
        renewed_at,
        &policy,
        &mut rng,
    );
    assert!(matches!(outcome.reply, Reply::LoginFailed(_)));
    let outcome = first_access(
        &mut account,
        whole_pin_from(&new),
        renewed_at,
        &policy,
        &mut rng,
    );
    let Reply::FirstAccessCompleted(session) = outcome.reply else {
        panic!("the new PIN did not pass the first access")
    };
    assert_eq!(session.level(), AssuranceLevel::Dispositivo);
}

#[test]
fn r9_a_wrong_16_after_the_window_does_not_learn_that_it_lapsed() {
    let policy = policy_without_lockout();
    let mut rng = rng(92);
    let (mut account, first, second) = online(&policy, &mut rng);
    let whole = format!("{first}{second}");
    // Each counted in its own lane: the first access's, then the login's (R25b).
    let outcome = first_access(&mut account, wrong(&whole), t0_lapse(), &policy, &mut rng);
    assert_eq!(failure_count(&outcome), 1);
    assert_eq!(account.wrong_first_accesses(), 1);
    let outcome = log_in(&mut account, wrong(&whole), t0_lapse(), &policy, &mut rng);
    assert_eq!(failure_count(&outcome), 1);
    assert_eq!(account.consecutive_failures(), 1);
}

#[test]
fn r9_the_window_is_counted_in_rome_calendar_days_across_summer_time() {
    let policy = policy_without_lockout();
    let mut rng = rng(93);
    // 15 January 10:00 in Rome (CET) + 90 days = 15 April 10:00 in Rome (CEST) = 08:00Z,
    // not 09:00Z as 90 × 24 hours would give.
    let mut account = Account::new(person().codice_fiscale());
    let outcome = request(
        &mut account,
        person(),
        ChannelRequest::Online,
        at("2026-01-15T09:00:00Z"),
        &policy,
        &mut rng,
    );
    assert!(
        matches!(outcome.reply, Reply::PinIssued { first_access_by, .. } if first_access_by == at("2026-04-15T08:00:00Z"))
    );
    let first_pin = whole_pin_from(&outcome);
    let refusal = refused(
        &mut account,
        Command::FirstAccess {
            pin: first_pin,
            trust_device: false,
        },
        at("2026-04-15T08:00:00Z"),
        &policy,
        &mut rng,
    );
    assert_eq!(refusal.code(), "first_access.pin_lapsed");
    // And back: 1 August 11:00 CEST + 90 days = 30 October 11:00 CET = 10:00Z.
    let mut account = Account::new(person().codice_fiscale());
    let outcome = request(
        &mut account,
        person(),
        ChannelRequest::Online,
        at("2026-08-01T09:00:00Z"),
        &policy,
        &mut rng,
    );
    assert!(
        matches!(outcome.reply, Reply::PinIssued { first_access_by, .. } if first_access_by == at("2026-10-30T10:00:00Z"))
    );
    let outcome = first_access(
        &mut account,
        whole_pin_from(&outcome),
        at("2026-10-30T09:59:59Z"),
        &policy,
        &mut rng,
    );
    assert!(matches!(outcome.reply, Reply::FirstAccessCompleted(_)));
}

#[test]
fn r9_the_window_comes_from_the_policy() {
    let mut policy = policy_without_lockout();
    policy.first_access_window_days = 30;
    let mut rng = rng(94);
    let (mut account, outcome) = requested(person(), ChannelRequest::Online, &policy, &mut rng);
    let lapses_at = at("2026-12-24T09:00:00Z");
    assert!(
        matches!(outcome.reply, Reply::PinIssued { first_access_by, .. } if first_access_by == lapses_at)
    );
    assert_eq!(
        account.status(lapses_at, &policy),
        PinStatus::FirstPinLapsed {
            lapsed_at: lapses_at
        }
    );
    let refusal = refused(
        &mut account,
        Command::FirstAccess {
            pin: whole_pin_from(&outcome),
            trust_device: false,
        },
        lapses_at,
        &policy,
        &mut rng,
    );
    assert_eq!(
        refusal,
        Refusal::FirstPinLapsed {
            lapsed_at: lapses_at
        }
    );
}

#[test]
fn r9_an_active_pin_has_no_first_access_window() {
    let policy = policy_without_lockout();
    let mut rng = rng(95);
    let (mut account, pin) = active(person(), ChannelRequest::Online, &policy, &mut rng);
    // Far past the 90-day window, still before the 6-month expiry (R20).
    let far = at("2027-05-01T09:00:00Z");
    assert_eq!(
        account.status(far, &policy),
        PinStatus::Active {
            assurance: AssuranceLevel::Ordinary,
            expires_at: at("2027-05-25T08:00:00Z"),
        }
    );
    let session = session(&mut account, pin, far, &policy, &mut rng);
    assert_eq!(session.level(), AssuranceLevel::Ordinary);
}

// ---------------------------------------------------------------------------------------------
// R9a: the first half alone, for the services the policy names.

fn covid_policy() -> Policy {
    accepting_first_half(policy_without_lockout())
}

#[test]
fn r9a_first_half_alone_opens_only_the_services_the_policy_names() {
    let policy = covid_policy();
    assert!(
        policy
            .catalogue
            .get("bonus-600-euro")
            .unwrap()
            .accepts_first_half()
    );
    assert!(
        !policy
            .catalogue
            .get("bonus-figli-under-14")
            .unwrap()
            .accepts_first_half()
    );
    let mut rng = rng(90);
    let (mut account, issued) = requested(person(), ChannelRequest::Online, &policy, &mut rng);
    let Event::PinIssued { first_half, .. } = &issued.events[0] else {
        panic!("expected PinIssued")
    };
    assert!(
        first_half
            .as_ref()
            .unwrap()
            .to_phc()
            .starts_with("$argon2id$v=19$")
    );
    let first = code_of(&issued, PinPart::FirstHalf);

    let outcome = log_in(
        &mut account,
        entered(&first),
        day_after(),
        &policy,
        &mut rng,
    );
    let session = logged_in(&outcome);
    assert_eq!(session.credential(), Credential::PinFirstHalf);
    assert_eq!(session.level(), AssuranceLevel::Ordinary);
    assert_eq!(
        outcome.events,
        [Event::LoggedIn {
            at: day_after(),
            credential: Credential::PinFirstHalf,
            device: None,
            rehashed: None
        }]
    );

    let bonus = policy
        .catalogue
        .authorise(&session, &ServiceId::BONUS_600)
        .unwrap();
    assert_eq!(bonus.verdict, Verdict::Allowed);
    assert_eq!(bonus.credential, Credential::PinFirstHalf);
    assert_eq!(bonus.service.id(), &ServiceId::BONUS_600);
    for other in ORDINARY_SERVICES.iter().chain(&DISPOSITIVO_SERVICES[1..]) {
        let decision = policy.catalogue.authorise(&session, other).unwrap();
        assert_eq!(
            decision.verdict,
            Verdict::Refused(DenialReason::WholePinRequired),
            "{other}"
        );
        assert!(!decision.is_allowed());
    }
    assert_eq!(
        DenialReason::WholePinRequired.code(),
        "authorisation.whole_pin_required"
    );
    assert!(
        DenialReason::WholePinRequired
            .message_it()
            .contains("seconda parte del PIN")
    );
    assert!(
        DenialReason::WholePinRequired
            .message_it()
            .contains("primo accesso")
    );

    // The 16 still makes the first access; afterwards the first half is no PIN.
    let whole = whole_pin_from(&issued);
    let completed = first_access(&mut account, whole, later(), &policy, &mut rng);
    assert!(matches!(completed.reply, Reply::FirstAccessCompleted(_)));
    let outcome = log_in(&mut account, entered(&first), later(), &policy, &mut rng);
    assert!(matches!(outcome.reply, Reply::LoginFailed(_)));
}

#[test]
fn r9a_by_default_the_first_half_alone_is_a_failed_login() {
    let policy = policy_without_lockout();
    assert!(!policy.catalogue.any_accepts_first_half());
    let mut rng = rng(901);
    let (mut account, first, _second) = online(&policy, &mut rng);
    let outcome = log_in(
        &mut account,
        entered(&first),
        day_after(),
        &policy,
        &mut rng,
    );
    assert_eq!(failure_count(&outcome), 1);
    assert_eq!(
        outcome.events,
        [Event::LoginFailed {
            at: day_after(),
            device: None,
            blocks: false
        }]
    );
}

#[test]
fn r9a_only_pins_issued_while_the_policy_names_a_service_accept_their_first_half() {
    // The hash of the first half is kept only when the policy asks for it at issuance.
    let mut rng = rng(902);
    let (mut account, first, _second) = online(&policy_without_lockout(), &mut rng);
    let outcome = log_in(
        &mut account,
        entered(&first),
        day_after(),
        &covid_policy(),
        &mut rng,
    );
    assert!(matches!(outcome.reply, Reply::LoginFailed(_)));
}

#[test]
fn r9a_a_wrong_or_lapsed_first_half_opens_nothing() {
    let policy = covid_policy();
    let mut rng = rng(903);
    let (mut account, first, _second) = online(&policy, &mut rng);
    let outcome = log_in(&mut account, wrong(&first), day_after(), &policy, &mut rng);
    assert_eq!(failure_count(&outcome), 1);
    let refusal = refused(
        &mut account,
        Command::LogIn {
            pin: entered(&first),
            device: None,
            trust_device: false,
        },
        t0_lapse(),
        &policy,
        &mut rng,
    );
    assert_eq!(
        refusal,
        Refusal::FirstPinLapsed {
            lapsed_at: t0_lapse()
        }
    );
}

#[test]
fn r9a_a_service_must_be_in_the_catalogue_to_accept_the_first_half() {
    let mut catalogue = Catalogue::standard();
    assert_eq!(
        catalogue.accept_first_half("bonus-inesistente"),
        Err(CatalogueError::Unknown(ServiceId::new("bonus-inesistente")))
    );
    assert!(!catalogue.any_accepts_first_half());
    catalogue
        .accept_first_half(&ServiceId::BONUS_CHILDREN_UNDER_14)
        .unwrap();
    assert!(catalogue.any_accepts_first_half());
}

#[test]
fn r9a_the_whole_pin_opens_what_its_first_half_opened() {
    let policy = covid_policy();
    let mut rng = rng(904);
    let (mut account, first, second) = online(&policy, &mut rng);
    let half = logged_in(&log_in(
        &mut account,
        entered(&first),
        day_after(),
        &policy,
        &mut rng,
    ));
    assert!(
        policy
            .catalogue
            .authorise(&half, &ServiceId::BONUS_600)
            .unwrap()
            .is_allowed()
    );

    let completed = first_access(
        &mut account,
        entered(&format!("{first}{second}")),
        later(),
        &policy,
        &mut rng,
    );
    let Reply::FirstAccessCompleted(whole) = completed.reply else {
        panic!("first access failed")
    };
    let decision = policy
        .catalogue
        .authorise(&whole, &ServiceId::BONUS_600)
        .unwrap();
    assert_eq!(decision.verdict, Verdict::Allowed, "{decision:?}");
}

// ---------------------------------------------------------------------------------------------
// R15, R19, R19a: levels and authorisation.

#[test]
fn r15_an_ordinary_session_consults_but_cannot_apply() {
    let policy = policy_without_lockout();
    for (seed, channel) in [
        (15, ChannelRequest::Online),
        (151, contact_center(PhoneKind::Landline)),
    ] {
        let mut rng = rng(seed);
        let (mut account, pin) = active(person(), channel, &policy, &mut rng);
        let session = session(&mut account, pin, later(), &policy, &mut rng);
        assert_eq!(session.level(), AssuranceLevel::Ordinary);
        for id in &ORDINARY_SERVICES {
            let decision = policy.catalogue.authorise(&session, id).unwrap();
            assert_eq!(decision.verdict, Verdict::Allowed, "{id}");
            assert_eq!(
                (decision.required, decision.held),
                (AssuranceLevel::Ordinary, AssuranceLevel::Ordinary)
            );
        }
        for id in &DISPOSITIVO_SERVICES {
            let decision = policy.catalogue.authorise(&session, id).unwrap();
            assert_eq!(
                decision.verdict,
                Verdict::Refused(DenialReason::LevelTooLow),
                "{id}"
            );
            assert_eq!(
                (decision.required, decision.held),
                (AssuranceLevel::Dispositivo, AssuranceLevel::Ordinary)
            );
        }
    }
}

#[test]
fn r15_a_dispositivo_session_may_use_every_service() {
    let policy = policy_without_lockout();
    let mut rng = rng(152);
    let (mut account, pin) = active(person(), sede_request(), &policy, &mut rng);
    let session = session(&mut account, pin, later(), &policy, &mut rng);
    assert_eq!(session.level(), AssuranceLevel::Dispositivo);
    assert_eq!(session.credential(), Credential::Pin);
    let mut count = 0;
    for service in policy.catalogue.services() {
        let decision = policy.catalogue.authorise(&session, service.id()).unwrap();
        assert_eq!(decision.verdict, Verdict::Allowed, "{}", service.id());
        assert_eq!(decision.held, AssuranceLevel::Dispositivo);
        count += 1;
    }
    assert_eq!(count, 10);
}

#[test]
fn r19_an_authorisation_names_the_service_the_levels_and_the_reason() {
    let policy = policy_without_lockout();
    let mut rng = rng(19);
    let (mut account, pin) = active(person(), ChannelRequest::Online, &policy, &mut rng);
    let session = session(&mut account, pin, later(), &policy, &mut rng);

    let refused = policy
        .catalogue
        .authorise(&session, &ServiceId::BONUS_600)
        .unwrap();
    assert_eq!(refused.service.id(), &ServiceId::BONUS_600);
    assert_eq!(refused.service.id().as_str(), "bonus-600-euro");
    assert_eq!(refused.service.name_it(), "Domanda bonus 600 euro");
    assert_eq!(refused.service.name_en(), "600-euro bonus application");
    assert_eq!(refused.required, AssuranceLevel::Dispositivo);
    assert_eq!(refused.held, AssuranceLevel::Ordinary);
    assert_eq!(refused.credential, Credential::Pin);
    assert_eq!(refused.verdict, Verdict::Refused(DenialReason::LevelTooLow));
    assert!(!refused.is_allowed());
    let reason = DenialReason::LevelTooLow;
    assert_eq!(reason.code(), "authorisation.level_too_low");
    assert!(
        reason.message_it().contains("PIN dispositivo") && reason.message_it().contains("SPID")
    );
    assert!(reason.message_it().contains("sede INPS"));
    assert!(reason.message_en().contains("dispositivo"));

    let allowed = policy
        .catalogue
        .authorise(&session, "estratto-contributivo")
        .unwrap();
    assert_eq!(allowed.service.name_it(), "Estratto contributivo");
    assert_eq!(
        (allowed.required, allowed.held),
        (AssuranceLevel::Ordinary, AssuranceLevel::Ordinary)
    );
    assert_eq!(allowed.verdict, Verdict::Allowed);
    assert!(allowed.is_allowed());
    assert_eq!(AssuranceLevel::Ordinary.italian(), "ordinario");
    assert_eq!(AssuranceLevel::Dispositivo.italian(), "dispositivo");
}

#[test]
fn r19_an_unknown_service_is_an_error_not_a_verdict() {
    let policy = policy_without_lockout();
    let mut rng = rng(191);
    let (mut account, pin) = active(person(), sede_request(), &policy, &mut rng);
    let session = session(&mut account, pin, later(), &policy, &mut rng);
    assert_eq!(
        policy.catalogue.authorise(&session, "servizio-inesistente"),
        Err(UnknownService)
    );
    assert_eq!(
        policy.catalogue.authorise(&session, &ServiceId::new("")),
        Err(UnknownService)
    );
    // Identifiers are exact.
    assert_eq!(
        policy.catalogue.authorise(&session, "Bonus-600-Euro"),
        Err(UnknownService)
    );
    assert!(UnknownService.to_string().contains("add the service"));
    assert_eq!(
        Catalogue::empty().authorise(&session, &ServiceId::BONUS_600),
        Err(UnknownService)
    );
}

#[test]
fn r19a_the_standard_catalogue_has_the_sources_services_at_their_levels() {
    use AssuranceLevel::{Dispositivo, Ordinary};
    let catalogue = Catalogue::standard();
    assert_eq!(Catalogue::default(), catalogue);
    let listed: Vec<(&str, AssuranceLevel, bool)> = catalogue
        .services()
        .map(|s| (s.id().as_str(), s.required(), s.accepts_first_half()))
        .collect();
    assert_eq!(
        listed,
        [
            ("estratto-contributivo", Ordinary, false),
            ("posizione-pensionistica", Ordinary, false),
            ("gestione-separata", Ordinary, false),
            ("comunicazioni", Ordinary, false),
            ("modulistica", Ordinary, false),
            ("bonus-600-euro", Dispositivo, false),
            ("bonus-figli-under-14", Dispositivo, false),
            ("pagamento-riscatto", Dispositivo, false),
            ("pagamento-ricongiunzione", Dispositivo, false),
            ("pagamento-rendite", Dispositivo, false),
        ]
    );
    assert_eq!(Policy::default().catalogue, catalogue);
}

#[test]
fn r19a_callers_add_their_own_services() {
    let mut policy = policy_without_lockout();
    policy.catalogue.add(cassetto_previdenziale()).unwrap();
    policy
        .catalogue
        .add(Service::new(
            ServiceId::new(String::from("domanda-naspi")),
            "Domanda NASpI",
            "NASpI application",
            AssuranceLevel::Dispositivo,
        ))
        .unwrap();
    assert_eq!(policy.catalogue.services().count(), 12);

    let mut rng = rng(1919);
    let (mut account, pin) = active(person(), ChannelRequest::Online, &policy, &mut rng);
    let ordinary = session(&mut account, pin, later(), &policy, &mut rng);
    let drawer = policy
        .catalogue
        .authorise(&ordinary, "cassetto-previdenziale")
        .unwrap();
    assert_eq!(drawer.verdict, Verdict::Allowed);
    assert_eq!(drawer.service.name_en(), "Social-security drawer");
    let naspi = policy
        .catalogue
        .authorise(&ordinary, "domanda-naspi")
        .unwrap();
    assert_eq!(naspi.verdict, Verdict::Refused(DenialReason::LevelTooLow));
    assert_eq!(naspi.required, AssuranceLevel::Dispositivo);

    let (mut account, pin) = active(person(), sede_request(), &policy, &mut rng);
    let strong = session(&mut account, pin, later(), &policy, &mut rng);
    assert!(
        policy
            .catalogue
            .authorise(&strong, "domanda-naspi")
            .unwrap()
            .is_allowed()
    );
}

#[test]
fn r19a_a_duplicate_service_is_refused_and_the_catalogue_unchanged() {
    let mut catalogue = Catalogue::standard();
    let before = catalogue.clone();
    let duplicate = Service::new(
        ServiceId::BONUS_600,
        "Un altro bonus",
        "Another bonus",
        AssuranceLevel::Ordinary,
    );
    assert_eq!(
        catalogue.add(duplicate),
        Err(CatalogueError::Duplicate(ServiceId::BONUS_600))
    );
    assert_eq!(catalogue, before);
    assert_eq!(
        catalogue.get("bonus-600-euro").unwrap().required(),
        AssuranceLevel::Dispositivo
    );
    // The same identifier written out, not only the constant.
    let again = Service::new(
        ServiceId::new("modulistica"),
        "M",
        "F",
        AssuranceLevel::Dispositivo,
    );
    assert!(matches!(
        catalogue.add(again),
        Err(CatalogueError::Duplicate(_))
    ));
    let error = CatalogueError::Duplicate(ServiceId::BONUS_600).to_string();
    assert!(error.contains("bonus-600-euro"), "{error}");
}

// ---------------------------------------------------------------------------------------------
// R18: SPID, CIE, CNS.

#[test]
fn r18_spid_2_and_3_cie_and_cns_count_as_dispositivo_from_21_july_2017_in_rome() {
    let policy = policy_without_lockout();
    assert_eq!(policy.digital_identity_dispositivo_since, date(2017, 7, 21));
    let cf = person().codice_fiscale();
    let midnight_rome = at("2017-07-20T22:00:00Z");
    let second_before = at("2017-07-20T21:59:59Z");
    for identity in [
        DigitalIdentity::Spid(SpidLevel::Two),
        DigitalIdentity::Spid(SpidLevel::Three),
        DigitalIdentity::Cie,
        DigitalIdentity::Cns,
    ] {
        let from = Session::from_digital_identity(
            cf,
            identity,
            midnight_rome,
            policy.digital_identity_dispositivo_since,
        );
        assert_eq!(from.level(), AssuranceLevel::Dispositivo, "{identity:?}");
        assert_eq!(from.credential(), Credential::DigitalIdentity(identity));
        assert_eq!(from.codice_fiscale(), cf);
        assert_eq!(from.started_at(), midnight_rome);
        assert!(
            policy
                .catalogue
                .authorise(&from, &ServiceId::BONUS_600)
                .unwrap()
                .is_allowed()
        );

        let before = Session::from_digital_identity(
            cf,
            identity,
            second_before,
            policy.digital_identity_dispositivo_since,
        );
        assert_eq!(before.level(), AssuranceLevel::Ordinary, "{identity:?}");
        assert_eq!(
            policy
                .catalogue
                .authorise(&before, &ServiceId::BONUS_600)
                .unwrap()
                .verdict,
            Verdict::Refused(DenialReason::LevelTooLow)
        );
        assert!(
            policy
                .catalogue
                .authorise(&before, &ServiceId::CONTRIBUTION_RECORD)
                .unwrap()
                .is_allowed()
        );

        let late = Session::from_digital_identity(
            cf,
            identity,
            at("2021-10-01T08:00:00Z"),
            policy.digital_identity_dispositivo_since,
        );
        assert_eq!(late.level(), AssuranceLevel::Dispositivo);
    }
}

#[test]
fn r18_spid_level_1_is_always_ordinary() {
    let policy = policy_without_lockout();
    let cf = person().codice_fiscale();
    for when in [
        "2016-01-01T00:00:00Z",
        "2017-07-20T22:00:00Z",
        "2020-05-01T10:00:00Z",
        "2030-01-01T00:00:00Z",
    ] {
        let session = Session::from_digital_identity(
            cf,
            DigitalIdentity::Spid(SpidLevel::One),
            at(when),
            policy.digital_identity_dispositivo_since,
        );
        assert_eq!(session.level(), AssuranceLevel::Ordinary, "{when}");
        assert_eq!(
            policy
                .catalogue
                .authorise(&session, &ServiceId::PAY_RENDITE)
                .unwrap()
                .verdict,
            Verdict::Refused(DenialReason::LevelTooLow)
        );
    }
}

#[test]
fn r18_the_date_comes_from_the_policy() {
    let mut policy = policy_without_lockout();
    policy.digital_identity_dispositivo_since = date(2018, 1, 1);
    let cf = person().codice_fiscale();
    let cie = DigitalIdentity::Cie;
    // Midnight of 1 January in Rome (CET) is 23:00Z the day before.
    assert_eq!(
        Session::from_digital_identity(
            cf,
            cie,
            at("2017-12-31T22:59:59Z"),
            policy.digital_identity_dispositivo_since
        )
        .level(),
        AssuranceLevel::Ordinary
    );
    assert_eq!(
        Session::from_digital_identity(
            cf,
            cie,
            at("2017-12-31T23:00:00Z"),
            policy.digital_identity_dispositivo_since
        )
        .level(),
        AssuranceLevel::Dispositivo
    );
}

// ---------------------------------------------------------------------------------------------
// R25 (the part that exists): a wrong PIN is a counted outcome, not a refusal.

#[test]
fn r25_a_wrong_pin_is_a_counted_failure_and_a_success_resets_it() {
    let policy = policy_without_lockout();
    let mut rng = rng(25);
    let (mut account, first, second) = online(&policy, &mut rng);
    // At the first access too: counted in the waiting 16's own lane, and reset by the
    // successful first access (R25b).
    let outcome = first_access(
        &mut account,
        wrong(&format!("{first}{second}")),
        day_after(),
        &policy,
        &mut rng,
    );
    assert_eq!(failure_count(&outcome), 1);
    assert_eq!(account.wrong_first_accesses(), 1);
    assert_eq!(account.consecutive_failures(), 0);
    let completed = first_access(
        &mut account,
        entered(&format!("{first}{second}")),
        day_after(),
        &policy,
        &mut rng,
    );
    assert_eq!(account.wrong_first_accesses(), 0);
    assert_eq!(account.consecutive_failures(), 0);
    let pin = code_of(&completed, PinPart::Pin);

    let mut version = account.version();
    for expected in 1..=3u32 {
        let now = at(&format!("2026-12-01T09:0{expected}:00Z"));
        let result = run(
            &mut account,
            Command::LogIn {
                pin: wrong(&pin),
                device: None,
                trust_device: false,
            },
            now,
            &policy,
            &mut rng,
        );
        let outcome = result.expect("a wrong PIN is an outcome, not a refusal");
        let failure = login_failure(&outcome);
        assert_eq!(failure_count(&outcome), expected);
        assert_eq!(failure.code(), "login.credentials_invalid");
        assert_eq!(
            outcome.events,
            [Event::LoginFailed {
                at: now,
                device: None,
                blocks: false
            }]
        );
        assert!(outcome.effects.is_empty());
        assert_eq!(account.consecutive_failures(), expected);
        version += 1;
        assert_eq!(account.version(), version);
    }
    let outcome = log_in(&mut account, entered(&pin), later(), &policy, &mut rng);
    logged_in(&outcome);
    assert_eq!(
        outcome.events,
        [Event::LoggedIn {
            at: later(),
            credential: Credential::Pin,
            device: None,
            rehashed: None
        }]
    );
    assert_eq!(account.consecutive_failures(), 0);
    // The count starts again from one.
    let outcome = log_in(&mut account, wrong(&pin), later(), &policy, &mut rng);
    assert_eq!(failure_count(&outcome), 1);
}

#[test]
fn r25_a_login_on_an_account_without_a_pin_changes_nothing() {
    let policy = policy_without_lockout();
    let mut rng = rng(251);
    let mut account = Account::new(person().codice_fiscale());
    let before = serde_json::to_string(&account).unwrap();
    let outcome = log_in(&mut account, entered("ABCDEFGH"), t0(), &policy, &mut rng);
    login_failure(&outcome);
    assert_eq!(
        outcome.failure, None,
        "nothing counted, nothing for operators"
    );
    assert!(outcome.events.is_empty());
    assert_eq!(serde_json::to_string(&account).unwrap(), before);
    assert_eq!(account.version(), 0);
}

// ---------------------------------------------------------------------------------------------
// The default (OWASP) hash cost, once, through the whole path.

#[test]
fn r8_default_owasp_cost_runs_request_first_access_and_login() {
    let mut policy = Policy::default();
    // The fixtures' attestations are old (see `common::policy`); R35 is not under test here.
    policy.attestation_valid_for = ATTESTATIONS_LAST;
    assert_eq!(policy.hash_cost, HashCost::OWASP);
    assert_eq!(
        (
            policy.hash_cost.memory_kib(),
            policy.hash_cost.iterations(),
            policy.hash_cost.parallelism()
        ),
        (19456, 2, 1)
    );
    let mut rng = rng(2);
    let (mut account, issued) = requested(person(), ChannelRequest::Online, &policy, &mut rng);
    let Event::PinIssued { whole, .. } = &issued.events[0] else {
        panic!("expected PinIssued")
    };
    assert!(
        whole
            .to_phc()
            .starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
        "{}",
        whole.to_phc()
    );
    assert_eq!(whole.cost(), HashCost::OWASP);

    let completed = first_access(
        &mut account,
        whole_pin_from(&issued),
        day_after(),
        &policy,
        &mut rng,
    );
    let Event::FirstAccessCompleted { pin: hash, .. } = &completed.events[0] else {
        panic!("expected FirstAccessCompleted, got {:?}", completed.reply)
    };
    assert!(hash.to_phc().starts_with("$argon2id$v=19$m=19456,t=2,p=1$"));
    let session = logged_in(&log_in(
        &mut account,
        new_pin_from(&completed),
        later(),
        &policy,
        &mut rng,
    ));
    assert_eq!(session.level(), AssuranceLevel::Ordinary);
    assert_eq!(account.version(), 3);
    assert!(
        serde_json::to_string(&account)
            .unwrap()
            .contains("$argon2id$v=19$m=19456,t=2,p=1$")
    );
}
