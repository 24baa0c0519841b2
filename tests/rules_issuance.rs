//! Issuance: the first PIN (R5, R7, R8), the three channels and what each delivers (R10–R13),
//! one live PIN per codice fiscale (R14).
//!
//! Unless a test says otherwise, the policy is `policy_without_lockout()` (tests/common): these
//! rules are pinned with retries at one instant, which R25's delays would refuse.

mod common;
use common::*;

use inps_pin::*;
use jiff::civil::date;

// ---------------------------------------------------------------------------------------------
// R5: 16 characters in two halves of 8.

#[test]
fn r5_first_pin_has_16_characters_in_two_halves_of_8() {
    assert_eq!((FULL_LEN, HALF_LEN), (16, 8));
    let policy = policy_without_lockout();
    let mut rng = rng(5);
    let (mut account, outcome) = requested(person(), ChannelRequest::Online, &policy, &mut rng);

    let first = code_of(&outcome, PinPart::FirstHalf);
    let second = code_of(&outcome, PinPart::SecondHalf);
    assert_eq!(first.len(), 8);
    assert_eq!(second.len(), 8);
    for delivery in outcome.deliveries() {
        assert_eq!(delivery.secret().unwrap().len(), 8, "{delivery}");
        assert!(!delivery.secret().unwrap().is_empty());
    }

    // The two halves, first then second, are the code the first access takes.
    let whole = format!("{first}{second}");
    assert_eq!(whole.len(), 16);
    match first_access(
        &mut account,
        entered(&whole),
        day_after(),
        &policy,
        &mut rng,
    )
    .reply
    {
        Reply::FirstAccessCompleted(session) => {
            assert_eq!(session.codice_fiscale(), person().codice_fiscale())
        }
        other => panic!("the two halves together did not pass the first access: {other:?}"),
    }
}

#[test]
fn r5_halves_in_the_wrong_order_are_a_wrong_pin() {
    let policy = policy_without_lockout();
    let mut rng = rng(55);
    let (mut account, outcome) = requested(person(), ChannelRequest::Online, &policy, &mut rng);
    let first = code_of(&outcome, PinPart::FirstHalf);
    let second = code_of(&outcome, PinPart::SecondHalf);
    assert_ne!(first, second);
    let swapped = format!("{second}{first}");
    assert!(matches!(
        first_access(
            &mut account,
            entered(&swapped),
            day_after(),
            &policy,
            &mut rng
        )
        .reply,
        Reply::LoginFailed(_)
    ));
    // The right order still works afterwards.
    let whole = format!("{first}{second}");
    assert!(matches!(
        first_access(
            &mut account,
            entered(&whole),
            day_after(),
            &policy,
            &mut rng
        )
        .reply,
        Reply::FirstAccessCompleted(_)
    ));
}

#[test]
fn r5_contact_center_and_sede_pins_have_16_characters_too() {
    let policy = policy_without_lockout();
    let mut rng = rng(56);

    let (mut account, outcome) = requested(
        person(),
        contact_center(PhoneKind::Mobile),
        &policy,
        &mut rng,
    );
    let whole = format!(
        "{}{}",
        code_of(&outcome, PinPart::FirstHalf),
        code_of(&outcome, PinPart::SecondHalf)
    );
    assert_eq!(whole.len(), 16);
    assert!(matches!(
        first_access(
            &mut account,
            entered(&whole),
            day_after(),
            &policy,
            &mut rng
        )
        .reply,
        Reply::FirstAccessCompleted(_)
    ));

    let (mut account, outcome) = requested(person(), sede_request(), &policy, &mut rng);
    let whole = code_of(&outcome, PinPart::WholeFirstPin);
    assert_eq!(whole.len(), 16);
    assert!(matches!(
        first_access(
            &mut account,
            entered(&whole),
            day_after(),
            &policy,
            &mut rng
        )
        .reply,
        Reply::FirstAccessCompleted(_)
    ));
}

// ---------------------------------------------------------------------------------------------
// R7: uniform, from the caller's generator, over an alphabet without look-alikes.

#[test]
fn r7_every_delivered_character_is_in_the_alphabet_without_look_alikes() {
    assert_eq!(PIN_ALPHABET.len(), 32);
    for c in b"0O1Il" {
        assert!(
            !PIN_ALPHABET.contains(c),
            "look-alike {} in the alphabet",
            *c as char
        );
    }
    let policy = policy_without_lockout();
    for seed in 0..30 {
        let mut rng = rng(seed);
        for channel in [
            ChannelRequest::Online,
            contact_center(PhoneKind::Landline),
            sede_request(),
        ] {
            let (mut account, issued) = requested(person(), channel, &policy, &mut rng);
            let mut delivered: Vec<String> = issued
                .deliveries()
                .map(|d| d.secret().unwrap().expose().to_owned())
                .collect();
            let first = first_access(
                &mut account,
                whole_pin_from(&issued),
                day_after(),
                &policy,
                &mut rng,
            );
            delivered.extend(
                first
                    .deliveries()
                    .map(|d| d.secret().unwrap().expose().to_owned()),
            );
            for code in delivered {
                for c in code.bytes() {
                    assert!(
                        PIN_ALPHABET.contains(&c),
                        "{:?} is not in the alphabet",
                        c as char
                    );
                }
            }
        }
    }
}

#[test]
fn r7_codes_differ_across_seeds_and_repeat_with_the_same_seed() {
    let policy = policy_without_lockout();
    let whole_for = |seed: u64| -> String {
        let mut rng = rng(seed);
        let (_, outcome) = requested(person(), sede_request(), &policy, &mut rng);
        code_of(&outcome, PinPart::WholeFirstPin)
    };
    let mut seen = std::collections::BTreeSet::new();
    for seed in 0..50 {
        assert!(seen.insert(whole_for(seed)), "seed {seed} repeated a code");
    }
    assert_eq!(
        whole_for(17),
        whole_for(17),
        "the same seed must give the same code"
    );
}

#[test]
fn r7_characters_cover_the_whole_alphabet_evenly() {
    // 400 PINs of 16 characters: 6400 draws, 200 expected per character (sd ~14). Seeded, so
    // the counts are fixed; the bounds are ±60, wide enough for any fair generator but far
    // tighter than a biased one (a modulo bias over 36 symbols, or half the alphabet unused).
    let policy = policy_without_lockout();
    let mut counts = [0u32; 32];
    for seed in 1000..1400 {
        let mut rng = rng(seed);
        let (_, outcome) = requested(person(), sede_request(), &policy, &mut rng);
        for c in code_of(&outcome, PinPart::WholeFirstPin).bytes() {
            let index = PIN_ALPHABET.iter().position(|&a| a == c).unwrap();
            counts[index] += 1;
        }
    }
    assert_eq!(counts.iter().sum::<u32>(), 6400);
    for (index, count) in counts.iter().enumerate() {
        assert!(
            (140..=260).contains(count),
            "character {:?} drawn {count} times out of 6400",
            PIN_ALPHABET[index] as char
        );
    }
}

// ---------------------------------------------------------------------------------------------
// R8: hashes only; the secret leaves only through a delivery.

#[test]
fn r8_account_and_events_keep_argon2id_hashes_never_the_codes() {
    let policy = policy_without_lockout();
    let mut rng = rng(8);
    let (mut account, issued) = requested(person(), ChannelRequest::Online, &policy, &mut rng);
    let first = code_of(&issued, PinPart::FirstHalf);
    let second = code_of(&issued, PinPart::SecondHalf);
    let awaiting_json = serde_json::to_string(&account).unwrap();
    let completed = first_access(
        &mut account,
        entered(&format!("{first}{second}")),
        day_after(),
        &policy,
        &mut rng,
    );
    let pin = code_of(&completed, PinPart::Pin);
    let secrets = [
        first.clone(),
        second.clone(),
        format!("{first}{second}"),
        pin,
    ];

    let events: Vec<Event> = issued
        .events
        .iter()
        .chain(&completed.events)
        .cloned()
        .collect();
    let account_json = serde_json::to_string(&account).unwrap();
    let events_json = serde_json::to_string(&events).unwrap();
    let account_postcard = postcard::to_allocvec(&account).unwrap();
    let events_postcard = postcard::to_allocvec(&events).unwrap();
    let account_debug = format!("{account:?}");
    let events_debug = format!("{events:?}");

    // What is kept is an Argon2id PHC string, at the policy's cost.
    for json in [&awaiting_json, &account_json, &events_json] {
        assert!(json.contains("$argon2id$v=19$m=8,t=1,p=1$"), "{json}");
    }
    let Event::PinIssued {
        whole, first_half, ..
    } = &issued.events[0]
    else {
        panic!("expected PinIssued, got {:?}", issued.events)
    };
    assert!(whole.to_phc().starts_with("$argon2id$v=19$"));
    assert_eq!(whole.cost(), HashCost::CHEAP);
    assert_eq!(
        first_half, &None,
        "no first-half hash unless a service accepts it (R9a)"
    );

    for secret in &secrets {
        for (what, text) in [
            ("awaiting account JSON", &awaiting_json),
            ("account JSON", &account_json),
            ("events JSON", &events_json),
            ("account Debug", &account_debug),
            ("events Debug", &events_debug),
        ] {
            assert!(
                !text.contains(secret.as_str()),
                "{what} contains a delivered code"
            );
        }
        assert!(!contains_bytes(&account_postcard, secret.as_bytes()));
        assert!(!contains_bytes(&events_postcard, secret.as_bytes()));
    }

    // Debug redacts the PHC string as well (salt and hash are what an offline attack needs):
    // it names the algorithm and the cost only.
    for debug in [&account_debug, &events_debug] {
        assert!(
            debug.contains("PinHash(argon2id m=8 t=1 p=1, [redacted])"),
            "{debug}"
        );
        assert!(!debug.contains(&whole.to_phc()));
        assert!(!debug.contains("$argon2id$"));
    }
}

#[test]
fn r8_a_delivery_shows_its_code_only_through_secret() {
    let policy = policy_without_lockout();
    let mut rng = rng(88);
    let (_, outcome) = requested(
        person(),
        contact_center(PhoneKind::Landline),
        &policy,
        &mut rng,
    );
    let displays: Vec<String> = outcome.deliveries().map(ToString::to_string).collect();
    assert_eq!(
        displays,
        [
            "first half of the PIN read by the Contact Center operator (803 164)",
            "first half of the PIN by e-mail to mario.rossi@example.it",
            "first half of the PIN by SMS to +393331234567",
            "second half of the PIN by post, sealed envelope, to Via Roma 1, 00184 Roma (RM)",
        ]
    );

    for delivery in outcome.deliveries() {
        let code = delivery.secret().unwrap().expose().to_owned();
        assert_eq!(code.len(), 8);
        let debug = format!("{delivery:?}");
        let display = delivery.to_string();
        let json = serde_json::to_string(delivery).unwrap();
        let bytes = postcard::to_allocvec(delivery).unwrap();
        assert!(!debug.contains(&code), "{debug}");
        assert!(debug.contains("[redacted]"), "{debug}");
        assert!(!display.contains(&code));
        assert!(!json.contains(&code), "{json}");
        assert!(!contains_bytes(&bytes, code.as_bytes()));
        assert_eq!(
            format!("{:?}", delivery.secret().unwrap()),
            "Secret(8 chars, [redacted])"
        );

        // Read back from storage, a delivery has no code, but the same part and medium.
        let from_json: Delivery = serde_json::from_str(&json).unwrap();
        assert!(from_json.secret().is_none());
        assert_eq!(from_json.part(), delivery.part());
        assert_eq!(from_json.medium(), delivery.medium());
        let from_postcard: Delivery = postcard::from_bytes(&bytes).unwrap();
        assert!(from_postcard.secret().is_none());
        assert_eq!(&from_postcard, delivery);
    }

    // The whole outcome, as an outbox would store it, carries no code either.
    let json = serde_json::to_string(&outcome).unwrap();
    let debug = format!("{outcome:?}");
    for code in codes_of(&outcome, PinPart::FirstHalf)
        .iter()
        .chain(&codes_of(&outcome, PinPart::SecondHalf))
    {
        assert!(!json.contains(code.as_str()));
        assert!(!debug.contains(code.as_str()));
    }

    // A carrier that takes the code leaves the delivery without one.
    let mut outcome = outcome;
    let Effect::Deliver(delivery) = &mut outcome.effects[0] else {
        unreachable!()
    };
    let taken = delivery.take_secret().unwrap();
    assert_eq!(taken.len(), 8);
    assert!(delivery.secret().is_none());
    assert!(delivery.take_secret().is_none());
}

#[test]
fn r8_a_typed_pin_never_shows_in_commands() {
    let pin = "ABCDEFGHJKLMNPQR";
    let command = Command::FirstAccess {
        pin: entered(pin),
        trust_device: false,
    };
    let debug = format!("{command:?}");
    assert!(!debug.contains(pin), "{debug}");
    assert!(!debug.contains("ABCDEFGH"), "{debug}");
    assert!(
        debug.contains("EnteredPin(16 chars, [redacted])"),
        "{debug}"
    );
    let json = serde_json::to_string(&command).unwrap();
    assert!(!json.contains("ABCDEFGH"), "{json}");
    let bytes = postcard::to_allocvec(&command).unwrap();
    assert!(!contains_bytes(&bytes, b"ABCDEFGH"));

    let command = Command::LogIn {
        pin: entered("abcd-efgh"),
        device: None,
        trust_device: false,
    };
    assert!(!format!("{command:?}").contains("ABCDEFGH"));
    assert!(
        !serde_json::to_string(&command)
            .unwrap()
            .contains("ABCDEFGH")
    );
    assert_eq!(command.name(), "log_in");
}

// ---------------------------------------------------------------------------------------------
// R10: three channels, each with its level.

#[test]
fn r10_three_channels_issue_a_first_pin_each_at_its_level() {
    let policy = policy_without_lockout();
    let mut rng = rng(10);
    let cases = [
        (
            ChannelRequest::Online,
            Channel::Online,
            AssuranceLevel::Ordinary,
        ),
        (
            contact_center(PhoneKind::Landline),
            Channel::ContactCenter,
            AssuranceLevel::Ordinary,
        ),
        (sede_request(), Channel::Sede, AssuranceLevel::Dispositivo),
    ];
    for (request_channel, channel, level) in cases {
        assert_eq!(request_channel.channel(), channel);
        assert_eq!(channel.assurance(), level);
        let (account, outcome) = requested(person(), request_channel, &policy, &mut rng);
        assert_eq!(
            outcome.reply,
            Reply::PinIssued {
                channel,
                assurance: level,
                first_access_by: t0_lapse(),
            }
        );
        assert_eq!(outcome.events.len(), 1);
        let Event::PinIssued {
            at,
            person: recorded,
            channel: recorded_channel,
            assurance,
            lapses_at,
            ..
        } = &outcome.events[0]
        else {
            panic!("expected PinIssued, got {:?}", outcome.events)
        };
        assert_eq!(
            (*at, *recorded_channel, *assurance, *lapses_at),
            (t0(), channel, level, t0_lapse())
        );
        assert_eq!(recorded.as_deref(), Some(&person()));
        assert_eq!(account.person(), Some(&person()));
        assert_eq!(
            account.status(t0(), &policy),
            PinStatus::AwaitingFirstAccess {
                assurance: level,
                lapses_at: t0_lapse(),
            }
        );
        assert_eq!(account.version(), 1);
    }
}

// ---------------------------------------------------------------------------------------------
// R11: online.

#[test]
fn r11_online_first_half_on_screen_and_by_email_second_by_post() {
    let policy = policy_without_lockout();
    let mut rng = rng(11);
    let (_, outcome) = requested(person(), ChannelRequest::Online, &policy, &mut rng);
    // With both an e-mail and a mobile, the e-mail carries the first half; no SMS.
    assert_eq!(
        deliveries_of(&outcome),
        [
            (PinPart::FirstHalf, Medium::Screen),
            (PinPart::FirstHalf, Medium::Email(mario_email())),
            (PinPart::SecondHalf, Medium::SealedPost(residence())),
        ]
    );
    let firsts = codes_of(&outcome, PinPart::FirstHalf);
    assert_eq!(firsts.len(), 2);
    assert_eq!(
        firsts[0], firsts[1],
        "screen and e-mail carry the same first half"
    );
    assert_ne!(firsts[0], code_of(&outcome, PinPart::SecondHalf));
    assert!(matches!(
        outcome.reply,
        Reply::PinIssued {
            channel: Channel::Online,
            assurance: AssuranceLevel::Ordinary,
            ..
        }
    ));
}

#[test]
fn r11_online_first_half_by_sms_when_there_is_no_email() {
    let policy = policy_without_lockout();
    let mut rng = rng(111);
    let with_mobile = bare_person().with_mobile(mario_mobile());
    let (_, outcome) = requested(with_mobile, ChannelRequest::Online, &policy, &mut rng);
    assert_eq!(
        deliveries_of(&outcome),
        [
            (PinPart::FirstHalf, Medium::Screen),
            (PinPart::FirstHalf, Medium::Sms(mario_mobile())),
            (PinPart::SecondHalf, Medium::SealedPost(residence())),
        ]
    );

    let with_email = bare_person().with_email(mario_email());
    let (_, outcome) = requested(with_email, ChannelRequest::Online, &policy, &mut rng);
    assert_eq!(
        deliveries_of(&outcome),
        [
            (PinPart::FirstHalf, Medium::Screen),
            (PinPart::FirstHalf, Medium::Email(mario_email())),
            (PinPart::SecondHalf, Medium::SealedPost(residence())),
        ]
    );
}

#[test]
fn r11_online_without_email_or_mobile_is_refused() {
    let policy = policy_without_lockout();
    let mut rng = rng(112);
    // A landline cannot receive the first half: it counts for nothing here.
    let landline_only = bare_person().with_landline(mario_landline());
    for who in [bare_person(), landline_only] {
        let mut account = Account::new(who.codice_fiscale());
        let refusal = refused_request(
            &mut account,
            who,
            ChannelRequest::Online,
            t0(),
            &policy,
            &mut rng,
        );
        assert_eq!(refusal, Refusal::NoContactForFirstHalf);
        assert_eq!(refusal.code(), "request.no_contact_for_first_half");
        let it = refusal.message_it();
        assert!(it.contains("e-mail") && it.contains("cellulare"), "{it}");
        assert!(
            it.contains("803 164") && it.contains("06 164 164") && it.contains("sede"),
            "{it}"
        );
        assert!(refusal.to_string().contains("Contact Center"));
        assert_eq!(account.status(t0(), &policy), PinStatus::None);
        assert_eq!(account.version(), 0);
    }
    // The same person can get a PIN through the other two channels.
    let (_, by_phone) = requested(
        bare_person(),
        contact_center(PhoneKind::Landline),
        &policy,
        &mut rng,
    );
    assert!(matches!(
        by_phone.reply,
        Reply::PinIssued {
            channel: Channel::ContactCenter,
            ..
        }
    ));
    let (_, at_sede) = requested(bare_person(), sede_request(), &policy, &mut rng);
    assert!(matches!(
        at_sede.reply,
        Reply::PinIssued {
            channel: Channel::Sede,
            ..
        }
    ));
}

// ---------------------------------------------------------------------------------------------
// R12: Contact Center.

#[test]
fn r12_contact_center_from_a_landline_reads_the_first_half_on_803_164() {
    let policy = policy_without_lockout();
    let mut rng = rng(12);
    let (_, outcome) = requested(
        person(),
        contact_center(PhoneKind::Landline),
        &policy,
        &mut rng,
    );
    assert_eq!(
        deliveries_of(&outcome),
        [
            (
                PinPart::FirstHalf,
                Medium::ReadByOperator(ContactCenterLine::TollFree)
            ),
            (PinPart::FirstHalf, Medium::Email(mario_email())),
            (PinPart::FirstHalf, Medium::Sms(mario_mobile())),
            (PinPart::SecondHalf, Medium::SealedPost(residence())),
        ]
    );
    assert_eq!(ContactCenterLine::TollFree.number(), "803 164");
    assert_eq!(
        ContactCenterLine::for_phone(PhoneKind::Landline),
        ContactCenterLine::TollFree
    );
    let firsts = codes_of(&outcome, PinPart::FirstHalf);
    assert_eq!(firsts.len(), 3);
    assert!(firsts.iter().all(|c| *c == firsts[0]));
    assert_eq!(
        outcome.reply,
        Reply::PinIssued {
            channel: Channel::ContactCenter,
            assurance: AssuranceLevel::Ordinary,
            first_access_by: t0_lapse(),
        }
    );
}

#[test]
fn r12_contact_center_from_a_mobile_reads_the_first_half_on_06_164_164() {
    let policy = policy_without_lockout();
    let mut rng = rng(121);
    let (_, outcome) = requested(
        person(),
        contact_center(PhoneKind::Mobile),
        &policy,
        &mut rng,
    );
    assert_eq!(
        deliveries_of(&outcome),
        [
            (
                PinPart::FirstHalf,
                Medium::ReadByOperator(ContactCenterLine::FromMobile)
            ),
            (PinPart::FirstHalf, Medium::Email(mario_email())),
            (PinPart::FirstHalf, Medium::Sms(mario_mobile())),
            (PinPart::SecondHalf, Medium::SealedPost(residence())),
        ]
    );
    assert_eq!(ContactCenterLine::FromMobile.number(), "06 164 164");
    assert_eq!(
        ContactCenterLine::for_phone(PhoneKind::Mobile),
        ContactCenterLine::FromMobile
    );
}

#[test]
fn r12_contact_center_sends_only_to_the_contacts_the_person_has() {
    let policy = policy_without_lockout();
    let mut rng = rng(122);
    let (_, outcome) = requested(
        bare_person(),
        contact_center(PhoneKind::Landline),
        &policy,
        &mut rng,
    );
    assert_eq!(
        deliveries_of(&outcome),
        [
            (
                PinPart::FirstHalf,
                Medium::ReadByOperator(ContactCenterLine::TollFree)
            ),
            (PinPart::SecondHalf, Medium::SealedPost(residence())),
        ]
    );
    let with_email = bare_person().with_email(mario_email());
    let (_, outcome) = requested(
        with_email,
        contact_center(PhoneKind::Mobile),
        &policy,
        &mut rng,
    );
    assert_eq!(
        deliveries_of(&outcome),
        [
            (
                PinPart::FirstHalf,
                Medium::ReadByOperator(ContactCenterLine::FromMobile)
            ),
            (PinPart::FirstHalf, Medium::Email(mario_email())),
            (PinPart::SecondHalf, Medium::SealedPost(residence())),
        ]
    );
}

#[test]
fn r12_the_second_half_goes_to_the_residence_the_request_gives() {
    let policy = policy_without_lockout();
    let mut rng = rng(123);
    let moved_to = Address::new("Corso Buenos Aires 33", "20124", "Milano", "MI").unwrap();
    let moved = Person::new(
        PersonName::parse("Mario").unwrap(),
        PersonName::parse("Rossi").unwrap(),
        mario_cf(),
        Role::Citizen,
        moved_to.clone(),
    );
    let (_, outcome) = requested(
        moved,
        contact_center(PhoneKind::Landline),
        &policy,
        &mut rng,
    );
    let post: Vec<_> = outcome
        .deliveries()
        .filter(|d| d.part() == PinPart::SecondHalf)
        .map(|d| d.medium().clone())
        .collect();
    assert_eq!(post, [Medium::SealedPost(moved_to)]);
}

// ---------------------------------------------------------------------------------------------
// R13: sede.

#[test]
fn r13_sede_hands_the_whole_pin_in_a_sealed_envelope_and_it_is_dispositivo() {
    let policy = policy_without_lockout();
    let mut rng = rng(13);
    let (mut account, outcome) = requested(person(), sede_request(), &policy, &mut rng);
    assert_eq!(
        deliveries_of(&outcome),
        [(
            PinPart::WholeFirstPin,
            Medium::SealedEnvelopeAtCounter(sede_operator())
        )]
    );
    assert_eq!(
        outcome.deliveries().next().unwrap().to_string(),
        "16-character PIN sealed envelope at the counter (operator op-042)"
    );
    assert_eq!(
        outcome.reply,
        Reply::PinIssued {
            channel: Channel::Sede,
            assurance: AssuranceLevel::Dispositivo,
            first_access_by: t0_lapse(),
        }
    );
    let whole = code_of(&outcome, PinPart::WholeFirstPin);
    assert_eq!(whole.len(), 16);

    // Dispositivo from the start: the session after the first access, and every login after.
    let Reply::FirstAccessCompleted(session) = first_access(
        &mut account,
        entered(&whole),
        day_after(),
        &policy,
        &mut rng,
    )
    .reply
    else {
        panic!("the sede PIN did not pass the first access")
    };
    assert_eq!(session.level(), AssuranceLevel::Dispositivo);
    assert_eq!(session.credential(), Credential::Pin);
    assert_eq!(
        account.status(day_after(), &policy),
        PinStatus::Active {
            assurance: AssuranceLevel::Dispositivo,
            expires_at: at("2027-05-25T08:00:00Z"),
        }
    );
}

#[test]
fn r13_sede_needs_no_contacts() {
    let policy = policy_without_lockout();
    let mut rng = rng(131);
    let (_, outcome) = requested(bare_person(), sede_request(), &policy, &mut rng);
    assert_eq!(
        deliveries_of(&outcome),
        [(
            PinPart::WholeFirstPin,
            Medium::SealedEnvelopeAtCounter(sede_operator())
        )]
    );
}

#[test]
fn r13_an_expired_identity_document_is_refused() {
    let policy = policy_without_lockout();
    let mut rng = rng(132);
    let mut account = Account::new(person().codice_fiscale());
    let refusal = refused_request(
        &mut account,
        person(),
        sede_with(identity_card(date(2026, 11, 23))),
        t0(),
        &policy,
        &mut rng,
    );
    assert_eq!(
        refusal,
        Refusal::IdentityDocumentExpired {
            expired_on: date(2026, 11, 23)
        }
    );
    assert_eq!(refusal.code(), "request.identity_document_expired");
    assert!(refusal.to_string().contains("2026-11-23"), "{refusal}");
    assert!(
        refusal
            .message_it()
            .contains("documento di identità in corso di validità")
    );
    assert_eq!(account.status(t0(), &policy), PinStatus::None);
}

#[test]
fn r13_a_document_is_valid_through_its_expiry_day_on_the_rome_calendar() {
    let policy = policy_without_lockout();
    let mut rng = rng(133);
    let expires = date(2026, 11, 24);
    // 23:59:59 on the 24th in Rome (CET, UTC+1): still valid.
    let mut account = Account::new(person().codice_fiscale());
    let outcome = request(
        &mut account,
        person(),
        sede_with(identity_card(expires)),
        at("2026-11-24T22:59:59Z"),
        &policy,
        &mut rng,
    );
    assert!(matches!(
        outcome.reply,
        Reply::PinIssued {
            assurance: AssuranceLevel::Dispositivo,
            ..
        }
    ));
    // Midnight of the 25th in Rome, though still the 24th in UTC: expired.
    let mut account = Account::new(person().codice_fiscale());
    let refusal = refused_request(
        &mut account,
        person(),
        sede_with(identity_card(expires)),
        at("2026-11-24T23:00:00Z"),
        &policy,
        &mut rng,
    );
    assert_eq!(
        refusal,
        Refusal::IdentityDocumentExpired {
            expired_on: expires
        }
    );
    // In summer (CEST, UTC+2) the Rome day starts at 22:00Z.
    let summer = date(2026, 7, 10);
    let mut account = Account::new(person().codice_fiscale());
    let last_day = request(
        &mut account,
        person(),
        sede_with(identity_card(summer)),
        at("2026-07-10T21:59:59Z"),
        &policy,
        &mut rng,
    );
    assert!(matches!(
        last_day.reply,
        Reply::PinIssued {
            channel: Channel::Sede,
            ..
        }
    ));
    let mut account = Account::new(person().codice_fiscale());
    let refusal = refused_request(
        &mut account,
        person(),
        sede_with(identity_card(summer)),
        at("2026-07-10T22:00:00Z"),
        &policy,
        &mut rng,
    );
    assert_eq!(refusal.code(), "request.identity_document_expired");
}

// ---------------------------------------------------------------------------------------------
// R14: one live PIN per codice fiscale.

#[test]
fn r14_a_second_request_while_the_first_access_is_pending_is_refused() {
    let policy = policy_without_lockout();
    let mut rng = rng(14);
    let (mut account, _whole) = issued(person(), ChannelRequest::Online, &policy, &mut rng);
    // Through any channel, including the sede.
    for channel in [
        ChannelRequest::Online,
        contact_center(PhoneKind::Mobile),
        sede_request(),
    ] {
        let refusal = refused_request(
            &mut account,
            person(),
            channel,
            day_after(),
            &policy,
            &mut rng,
        );
        // The one answer for every live PIN (R30a), which names the first access too.
        assert_eq!(refusal, Refusal::PinAlreadyLive);
        assert_eq!(refusal.code(), "request.pin_already_live");
        assert!(
            refusal.message_it().contains("primo accesso"),
            "{}",
            refusal.message_it()
        );
        assert!(refusal.message_it().contains("16 caratteri"));
        assert!(
            refusal
                .to_string()
                .contains("the 16 characters for the first access"),
            "{refusal}"
        );
    }
    assert_eq!(account.version(), 1);
}

#[test]
fn r14_a_request_while_a_pin_is_active_is_refused_with_restore_or_revoke() {
    let policy = policy_without_lockout();
    let mut rng = rng(141);
    let (mut account, _pin) = active(person(), ChannelRequest::Online, &policy, &mut rng);
    for channel in [
        ChannelRequest::Online,
        contact_center(PhoneKind::Landline),
        sede_request(),
    ] {
        let refusal = refused_request(
            &mut account,
            person(),
            channel,
            at("2026-12-01T09:00:00Z"),
            &policy,
            &mut rng,
        );
        assert_eq!(refusal, Refusal::PinAlreadyLive);
        assert_eq!(refusal.code(), "request.pin_already_live");
        let it = refusal.message_it().to_lowercase();
        assert!(it.contains("ripristin") && it.contains("revoc"), "{it}");
        assert!(it.contains("tessera sanitaria"), "{it}");
        let en = refusal.to_string();
        assert!(en.contains("restore") && en.contains("revoke"), "{en}");
    }
    // Long after, too: an active PIN does not lapse by the first-access window.
    let refusal = refused_request(
        &mut account,
        person(),
        ChannelRequest::Online,
        at("2030-01-01T00:00:00Z"),
        &policy,
        &mut rng,
    );
    assert_eq!(refusal.code(), "request.pin_already_live");
}

#[test]
fn r14_a_request_with_another_persons_codice_fiscale_is_refused() {
    let policy = policy_without_lockout();
    let mut rng = rng(142);
    let other = other_person();
    // On a fresh account and on one with a PIN.
    let mut fresh = Account::new(person().codice_fiscale());
    let refusal = refused_request(
        &mut fresh,
        other.clone(),
        ChannelRequest::Online,
        t0(),
        &policy,
        &mut rng,
    );
    assert_eq!(
        refusal,
        Refusal::WrongAccount {
            requested: cf("RCCMNL83S18D969H")
        }
    );
    assert_eq!(refusal.code(), "request.wrong_account");
    assert!(
        refusal.to_string().contains("RCCMNL83S18D969H"),
        "{refusal}"
    );
    assert!(refusal.message_it().contains("codice fiscale"));
    assert!(refusal.message_it().contains("tessera sanitaria"));
    assert_eq!(fresh.person(), None);

    let (mut account, _) = issued(person(), ChannelRequest::Online, &policy, &mut rng);
    let refusal = refused_request(
        &mut account,
        other,
        sede_request(),
        day_after(),
        &policy,
        &mut rng,
    );
    assert_eq!(refusal.code(), "request.wrong_account");
    assert_eq!(account.person(), Some(&person()));
}

/// A person known only by a temporary, 11-digit codice fiscale.
fn temporary_person() -> Person {
    Person::new(
        PersonName::parse("Amina").unwrap(),
        PersonName::parse("Diallo").unwrap(),
        cf("12345678903"),
        Role::Citizen,
        residence(),
    )
    .with_email(Email::parse("amina.diallo@example.it").unwrap())
}

#[test]
fn r3_a_temporary_codice_fiscale_gets_a_pin_only_where_the_policy_allows_it() {
    let mut rng = rng(31);
    let person = temporary_person();
    assert!(person.codice_fiscale().is_temporary());

    // By default the 16-character code is needed, and the refusal says so.
    let policy = policy_without_lockout();
    assert!(!policy.accept_temporary_codice_fiscale);
    let mut account = Account::new(person.codice_fiscale());
    let refusal = refused_request(
        &mut account,
        person.clone(),
        ChannelRequest::Online,
        t0(),
        &policy,
        &mut rng,
    );
    assert_eq!(refusal, Refusal::TemporaryCodiceFiscale);
    assert_eq!(refusal.code(), "request.temporary_codice_fiscale");
    assert!(refusal.message_it().contains("16 caratteri"));

    // Where the policy accepts it, the PIN follows the usual path.
    let mut policy = policy;
    policy.accept_temporary_codice_fiscale = true;
    let issued = request(
        &mut account,
        person,
        ChannelRequest::Online,
        t0(),
        &policy,
        &mut rng,
    );
    let first = run(
        &mut account,
        Command::FirstAccess {
            pin: whole_pin_from(&issued),
            trust_device: false,
        },
        day_after(),
        &policy,
        &mut rng,
    )
    .unwrap();
    let Reply::FirstAccessCompleted(session) = first.reply else {
        panic!("the first access did not complete: {:?}", first.reply)
    };
    assert_eq!(session.codice_fiscale().as_str(), "12345678903");
    assert_eq!(session.level(), AssuranceLevel::Ordinary);
}

#[test]
fn r3_r22a_a_temporary_code_is_not_taken_for_a_minor_after_the_cut_off() {
    // No birth date in the code, so no automatic exemption; a declared one still works.
    let mut rng = rng(32);
    let mut policy = sunset_policy();
    policy.accept_temporary_codice_fiscale = true;
    let after_cut_off = at("2020-11-02T09:00:00Z");
    let person = temporary_person();
    let mut account = Account::new(person.codice_fiscale());
    let refusal = refused_request(
        &mut account,
        person.clone(),
        ChannelRequest::Online,
        after_cut_off,
        &policy,
        &mut rng,
    );
    assert_eq!(refusal.code(), "sunset.no_new_pins");
    let exempt = person.with_sunset_exemption(SunsetExemption::NoItalianIdentityDocument);
    let issued = request(
        &mut account,
        exempt,
        ChannelRequest::Online,
        after_cut_off,
        &policy,
        &mut rng,
    );
    assert!(matches!(issued.reply, Reply::PinIssued { .. }));
}
