//! R35, trust boundaries: what the crate cannot check arrives as an attestation from the
//! caller's own check, naming who checked and when; the crate checks the rest (the card
//! number's shape, whose record it is, whether the attestation is current), and the second
//! half of a PIN goes to the residence the institute's archive holds.
//!
//! The other test files use attestations made once, long ago, under a test policy that keeps
//! them current (`common::policy`); here the policy's default hour is in force wherever an
//! attestation's age is under test.

mod common;
use common::rig::*;
use common::*;

use inps_pin::lifecycle::{Check, row};
use inps_pin::*;
use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};

/// The instant the commands of this file are sent at.
fn now() -> Timestamp {
    at("2026-12-10T09:00:00Z")
}

/// A rig with Mario's ordinary 8 in use at [`now`], and the 8, under the policy's default hour
/// for attestations from here on (the fixtures' request before it is long ago).
fn active_rig_and_pin() -> (Rig, String) {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2026-11-25T09:00:00Z"));
    rig.policy.attestation_valid_for = Policy::DEFAULT_ATTESTATION_VALID_FOR;
    (rig, code)
}

fn active_rig() -> Rig {
    active_rig_and_pin().0
}

/// A rig with no PIN yet, under the policy's default hour for attestations.
fn empty_rig() -> Rig {
    let mut rig = Rig::new(&person());
    rig.policy.attestation_valid_for = Policy::DEFAULT_ATTESTATION_VALID_FOR;
    rig
}

/// Mario's card, as the register check vouches for it at `checked_at`.
fn mario_card_checked_at(checked_at: Timestamp) -> Attested<TesseraSanitaria> {
    Attested::vouched_for(
        TesseraSanitaria::new(mario_cf(), "8038 0000 0012 3456 7890", date(2029, 6, 30)).unwrap(),
        register_check(),
        checked_at,
    )
}

/// Mario's archive record, as the lookup found it at `checked_at`.
fn mario_archive_at(checked_at: Timestamp) -> Attested<ArchiveRecord> {
    Attested::vouched_for(
        ArchiveRecord::new(mario_cf(), residence()),
        archive_lookup(),
        checked_at,
    )
}

/// Mario's identity card, seen by the sede operator at `checked_at`.
fn card_seen_at(checked_at: Timestamp) -> Attested<IdentityDocument> {
    Attested::vouched_for(valid_identity_card(), sede_operator(), checked_at)
}

/// Every command that carries an attestation, with the one under test checked at
/// `checked_at` (any other current), each on a rig where it applies when all are current.
fn attested_commands(checked_at: Timestamp) -> Vec<(&'static str, Rig, Command)> {
    vec![
        (
            "revoke: the tessera",
            active_rig(),
            Command::Revoke {
                tessera: mario_card_checked_at(checked_at),
            },
        ),
        (
            "request online: the archive record",
            empty_rig(),
            Command::RequestPin {
                person: person(),
                channel: ChannelRequest::Online,
                archive: mario_archive_at(checked_at),
            },
        ),
        (
            "request at a sede: the identity document",
            empty_rig(),
            Command::RequestPin {
                person: person(),
                channel: ChannelRequest::Sede(SedeRequest {
                    document: card_seen_at(checked_at),
                }),
                archive: mario_archive_at(now()),
            },
        ),
        (
            "written upgrade request: the copy of the document",
            active_rig(),
            Command::RequestUpgrade {
                via: UpgradeVia::Fax,
                document: Attested::vouched_for(valid_identity_card(), copy_examiner(), checked_at),
            },
        ),
        (
            "upgrade at a sede: the document",
            active_rig(),
            Command::UpgradeAtSede {
                document: card_seen_at(checked_at),
            },
        ),
    ]
}

// ---------------------------------------------------------------------------------------------
// The crate's own checks of the tessera.

#[test]
fn r35_a_made_up_card_number_is_refused_by_the_crates_own_check() {
    assert_eq!(
        TesseraSanitaria::new(mario_cf(), "00000000000000000000", date(2029, 6, 30)),
        Err(TesseraError::NotItalianHealthCard)
    );
    // Twenty digits of another country's health card (80 + 276, Germany) are no tessera either.
    assert_eq!(
        TesseraSanitaria::new(mario_cf(), "80276000001234567890", date(2029, 6, 30)),
        Err(TesseraError::NotItalianHealthCard)
    );
    // The length and the characters are told first: they are what a person mistypes.
    assert_eq!(
        TesseraSanitaria::new(mario_cf(), "0000", date(2029, 6, 30)),
        Err(TesseraError::Length { found: 4 })
    );
    let message = TesseraError::NotItalianHealthCard.to_string();
    assert!(message.contains("80380"), "{message}");
    assert!(message.contains("back of the card"), "{message}");
    // A real card's number, as printed (with spaces), passes.
    let card =
        TesseraSanitaria::new(mario_cf(), "8038 0000 0012 3456 7890", date(2029, 6, 30)).unwrap();
    assert_eq!(card.card_number(), "80380000001234567890");
    // Nor can a made-up number be loaded from storage, alone or inside an attestation.
    let stored = r#"{"codice_fiscale":"RSSMRA80A01H501U","card_number":"00000000000000000000","expires_on":"2029-06-30"}"#;
    assert!(serde_json::from_str::<TesseraSanitaria>(stored).is_err());
    let attested = format!(
        r#"{{"fact":{stored},"checked_by":"sts-register","checked_at":"2026-12-10T08:59:00Z"}}"#
    );
    assert!(serde_json::from_str::<Attested<TesseraSanitaria>>(&attested).is_err());
    let good = attested.replace("00000000000000000000", "80380000001234567890");
    let loaded: Attested<TesseraSanitaria> = serde_json::from_str(&good).unwrap();
    assert_eq!(loaded.fact(), &card);
    assert_eq!(loaded.checked_by(), &register_check());
    assert_eq!(loaded.checked_at(), at("2026-12-10T08:59:00Z"));
}

#[test]
fn r35_a_well_formed_card_of_another_codice_fiscale_revokes_nothing() {
    let (mut rig, code) = active_rig_and_pin();
    let someone_else = Attested::vouched_for(
        TesseraSanitaria::new(
            other_person().codice_fiscale(),
            "80380000009876543210",
            date(2029, 6, 30),
        )
        .unwrap(),
        register_check(),
        now(),
    );
    let refusal = rig.refuse(
        Command::Revoke {
            tessera: someone_else,
        },
        now(),
    );
    assert_eq!(refusal, Refusal::TesseraNotMatching);
    // The owner's PIN still works.
    let session = rig.session(&code, now() + secs(1));
    assert_eq!(session.codice_fiscale(), mario_cf());
    rig.check_replay();
}

// ---------------------------------------------------------------------------------------------
// Whose record, and how current.

#[test]
fn r35_an_archive_record_of_another_codice_fiscale_is_refused_with_or_without_a_pin() {
    let someone_elses_record = || Command::RequestPin {
        person: person(),
        channel: ChannelRequest::Online,
        archive: Attested::vouched_for(
            ArchiveRecord::new(other_person().codice_fiscale(), residence()),
            archive_lookup(),
            now(),
        ),
    };
    // Without a PIN, and with one: the same answer, which depends on the request alone (R30).
    for mut rig in [empty_rig(), active_rig()] {
        let refusal = rig.refuse(someone_elses_record(), now());
        assert_eq!(refusal, Refusal::ArchiveNotMatching);
        assert_eq!(refusal.code(), "request.archive_not_matching");
        rig.check_replay();
    }
}

#[test]
fn r35_a_stale_attestation_is_refused_and_changes_nothing() {
    let too_old = now() - (Policy::DEFAULT_ATTESTATION_VALID_FOR + SignedDuration::from_secs(1));
    for (what, mut rig, command) in attested_commands(too_old) {
        let refusal = rig.refuse(command, now());
        assert_eq!(
            refusal,
            Refusal::AttestationStale {
                checked_at: too_old
            },
            "{what}"
        );
        assert_eq!(refusal.code(), "attestation.stale", "{what}");
        rig.check_replay();
    }
    // An hour to the second is still current.
    let an_hour_ago = now() - Policy::DEFAULT_ATTESTATION_VALID_FOR;
    for (what, mut rig, command) in attested_commands(an_hour_ago) {
        let name = command.name();
        let outcome = rig.ok(command, now());
        assert!(!outcome.events.is_empty(), "{what}: {name} applied nothing");
        rig.check_replay();
    }
}

#[test]
fn r35_an_attestation_from_the_future_is_refused_and_changes_nothing() {
    for (what, mut rig, command) in attested_commands(now() + SignedDuration::from_secs(1)) {
        let refusal = rig.refuse(command, now());
        assert_eq!(refusal, Refusal::AttestationFromTheFuture, "{what}");
        assert_eq!(refusal.code(), "attestation.from_the_future", "{what}");
        rig.check_replay();
    }
    // Checked at the very instant of the command: current.
    for (what, mut rig, command) in attested_commands(now()) {
        let outcome = rig.ok(command, now());
        assert!(!outcome.events.is_empty(), "{what}");
    }
}

#[test]
fn r35_a_stale_archive_record_reads_alike_with_or_without_a_pin() {
    // The live PIN is not told to whoever sends an old attestation: the request is answered
    // first (R30).
    let too_old = now() - SignedDuration::from_hours(2);
    for mut rig in [empty_rig(), active_rig()] {
        let refusal = rig.refuse(
            Command::RequestPin {
                person: person(),
                channel: ChannelRequest::Online,
                archive: mario_archive_at(too_old),
            },
            now(),
        );
        assert_eq!(refusal.code(), "attestation.stale");
    }
    for phase in Phase::ALL {
        let checks = row(CommandKind::RequestPin, *phase).checks;
        assert!(
            checks.starts_with(&[
                Check::SameAccount,
                Check::TemporaryCodiceFiscale,
                Check::ArchiveMatches,
                Check::AttestationCurrent
            ]),
            "{phase:?}: {checks:?}"
        );
    }
}

#[test]
fn r35_the_window_is_an_hour_by_default_and_stored_policies_load_with_it() {
    assert_eq!(
        Policy::default().attestation_valid_for,
        SignedDuration::from_hours(1)
    );
    // A policy stored before the field existed loads with the default.
    let mut stored: serde_json::Value = serde_json::to_value(Policy::default()).unwrap();
    stored
        .as_object_mut()
        .unwrap()
        .remove("attestation_valid_for")
        .unwrap();
    let loaded: Policy = serde_json::from_value(stored.clone()).unwrap();
    assert_eq!(loaded, Policy::default());
    // A stored window that would make every attestation stale does not load (R34), and the
    // error names the field.
    for nonsense in ["PT0S", "-PT1H"] {
        stored["attestation_valid_for"] = serde_json::Value::from(nonsense);
        let error = serde_json::from_value::<Policy>(stored.clone()).unwrap_err();
        assert!(
            error.to_string().contains("attestation_valid_for"),
            "{nonsense}: {error}"
        );
    }
    stored["attestation_valid_for"] = serde_json::Value::from("PT20M");
    let loaded: Policy = serde_json::from_value(stored).unwrap();
    assert_eq!(loaded.attestation_valid_for, SignedDuration::from_mins(20));
}

// ---------------------------------------------------------------------------------------------
// The archive's residence.

/// Mario as someone types him, living in Milan: not where the archive has him.
fn mario_typed_in_milan() -> Person {
    Person::new(
        PersonName::parse("Mario").unwrap(),
        PersonName::parse("Rossi").unwrap(),
        mario_cf(),
        Role::Citizen,
        milan(),
    )
}

fn milan() -> Address {
    Address::new("Via Torino 5", "20123", "Milano", "MI").unwrap()
}

#[test]
fn r35_the_second_half_goes_to_the_archives_residence_not_the_typed_one() {
    for channel in [ChannelRequest::Online, contact_center(PhoneKind::Mobile)] {
        let mut rig = empty_rig();
        let typed = mario_typed_in_milan()
            .with_email(mario_email())
            .with_mobile(mario_mobile());
        let outcome = rig.ok(
            Command::RequestPin {
                person: typed,
                channel: channel.clone(),
                archive: mario_archive_at(now()),
            },
            now(),
        );
        let second: Vec<Medium> = outcome
            .deliveries()
            .filter(|d| d.part() == PinPart::SecondHalf)
            .map(|d| d.medium().clone())
            .collect();
        assert_eq!(second, [Medium::SealedPost(residence())], "{channel:?}");
        for delivery in outcome.deliveries() {
            assert!(
                !delivery.to_string().contains("Milano"),
                "{channel:?}: {delivery}"
            );
        }
        // The account keeps the archive's residence, not the typed one.
        let Event::PinIssued { person, .. } = &outcome.events[0] else {
            panic!("expected PinIssued")
        };
        assert_eq!(person.as_deref().unwrap().residence(), &residence());
        assert_eq!(rig.account.person().unwrap().residence(), &residence());
        rig.check_replay();
    }
}

#[test]
fn r35_letters_after_the_request_go_to_the_archives_residence_too() {
    // No e-mail, no mobile: a notice goes by post, to where the archive has the person.
    let mut rig = empty_rig();
    rig.apply(
        Command::RequestPin {
            person: mario_typed_in_milan(),
            channel: contact_center(PhoneKind::Landline),
            archive: mario_archive_at(now()),
        },
        now(),
    );
    let later = now() + SignedDuration::from_mins(10);
    let outcome = rig.ok(
        Command::Revoke {
            tessera: mario_card_checked_at(later),
        },
        later,
    );
    assert_eq!(
        notices(&outcome),
        [(Notice::PinRevoked, Medium::Post(residence()))]
    );
    rig.check_replay();
}

#[test]
fn r35_a_strangers_takeover_fails_end_to_end() {
    let (mut rig, owners_pin) = active_rig_and_pin();

    // 1. The stranger makes up a card number for Mario: the crate will not even build the card,
    //    so no revocation can carry it.
    assert!(TesseraSanitaria::new(mario_cf(), "00000000000000000000", date(2030, 1, 1)).is_err());
    // With their own real card (which the register vouches for): not Mario's, nothing revoked.
    let own_card = Attested::vouched_for(
        TesseraSanitaria::new(
            other_person().codice_fiscale(),
            "80380000005555555555",
            date(2030, 1, 1),
        )
        .unwrap(),
        register_check(),
        now(),
    );
    assert_eq!(
        rig.refuse(Command::Revoke { tessera: own_card }, now()),
        Refusal::TesseraNotMatching
    );

    // 2. The stranger requests a PIN in Mario's name with their own contacts and address (the
    //    archive lookup matches Mario's name and birth data, which the stranger knows): Mario's
    //    PIN is live, so nothing is issued.
    let stranger_as_mario = || {
        mario_typed_in_milan()
            .with_email(Email::parse("not.mario@example.org").unwrap())
            .with_mobile(MobileNumber::parse("+39 320 999 8877").unwrap())
    };
    let refusal = rig.refuse(
        Command::RequestPin {
            person: stranger_as_mario(),
            channel: ChannelRequest::Online,
            archive: mario_archive_at(now()),
        },
        now(),
    );
    assert_eq!(refusal.code(), "request.pin_already_live");

    // 3. Mario's PIN still works.
    let session = rig.session(&owners_pin, now() + secs(1));
    assert_eq!(session.codice_fiscale(), mario_cf());
    rig.check_replay();

    // 4. Had Mario no PIN, the stranger's request would reach the stranger with half a code:
    //    the other half is posted to Mario, and half a code opens nothing.
    let mut rig = empty_rig();
    let outcome = rig.ok(
        Command::RequestPin {
            person: stranger_as_mario(),
            channel: ChannelRequest::Online,
            archive: mario_archive_at(now()),
        },
        now(),
    );
    let to_the_stranger: Vec<PinPart> = outcome
        .deliveries()
        .filter(|d| !matches!(d.medium(), Medium::SealedPost(_)))
        .map(Delivery::part)
        .collect();
    assert_eq!(to_the_stranger, [PinPart::FirstHalf, PinPart::FirstHalf]);
    assert_eq!(
        deliveries_of(&outcome)
            .into_iter()
            .filter(|(part, _)| *part == PinPart::SecondHalf)
            .collect::<Vec<_>>(),
        [(PinPart::SecondHalf, Medium::SealedPost(residence()))]
    );
    let first_half = code_of(&outcome, PinPart::FirstHalf);
    let guess = rig.ok(
        Command::FirstAccess {
            pin: entered(&format!("{first_half}ABCDEFGH")),
            trust_device: false,
        },
        now() + secs(1),
    );
    assert!(matches!(guess.reply, Reply::LoginFailed(_)));
    rig.check_replay();
}

// ---------------------------------------------------------------------------------------------
// Events name who vouched, and old events still load.

#[test]
fn r35_events_name_who_vouched() {
    // At a sede: the archive lookup and the operator who saw the document and hands the
    // envelope.
    let counter = operator("sede-roma-12");
    let mut rig = empty_rig();
    let outcome = rig.ok(
        Command::RequestPin {
            person: person(),
            channel: ChannelRequest::Sede(SedeRequest {
                document: Attested::vouched_for(valid_identity_card(), counter.clone(), now()),
            }),
            archive: mario_archive_at(now()),
        },
        now(),
    );
    let Event::PinIssued {
        archive_checked_by,
        document_checked_by,
        ..
    } = &outcome.events[0]
    else {
        panic!("expected PinIssued")
    };
    assert_eq!(archive_checked_by.as_ref(), Some(&archive_lookup()));
    assert_eq!(document_checked_by.as_ref(), Some(&counter));
    assert_eq!(
        deliveries_of(&outcome),
        [(
            PinPart::WholeFirstPin,
            Medium::SealedEnvelopeAtCounter(counter.clone())
        )]
    );

    // Online: no document.
    let mut rig = active_rig();
    let Event::PinIssued {
        document_checked_by,
        archive_checked_by,
        ..
    } = &rig.log[0]
    else {
        panic!("expected PinIssued")
    };
    assert_eq!(*document_checked_by, None);
    assert_eq!(archive_checked_by.as_ref(), Some(&archive_lookup()));

    // The written request names who examined the copy; at a sede, the operator who saw the
    // document decides.
    let outcome = rig.ok(
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: Attested::vouched_for(valid_identity_card(), copy_examiner(), now()),
        },
        now(),
    );
    assert_eq!(
        outcome.events,
        [Event::UpgradeRequested {
            at: now(),
            via: UpgradeVia::Online,
            checked_by: Some(copy_examiner())
        }]
    );
    let outcome = rig.ok(
        Command::UpgradeAtSede {
            document: Attested::vouched_for(valid_identity_card(), counter.clone(), now()),
        },
        now(),
    );
    assert_eq!(
        outcome.events,
        [Event::UpgradeApproved {
            at: now(),
            by: counter
        }]
    );

    // The revocation names the register check.
    let outcome = rig.ok(
        Command::Revoke {
            tessera: mario_card_checked_at(now()),
        },
        now(),
    );
    assert_eq!(
        outcome.events,
        [Event::PinRevoked {
            at: now(),
            checked_by: Some(register_check())
        }]
    );
    rig.check_replay();
}

/// The JSON of `events` as a release before attestations wrote it: without the fields that
/// name who vouched.
fn as_stored_before_attestations(events: &[Event]) -> String {
    let mut stored = serde_json::to_value(events).unwrap();
    let mut removed = 0;
    for event in stored.as_array_mut().unwrap() {
        for (_, fields) in event.as_object_mut().unwrap() {
            if let Some(fields) = fields.as_object_mut() {
                for field in ["archive_checked_by", "document_checked_by", "checked_by"] {
                    removed += usize::from(fields.remove(field).is_some());
                }
            }
        }
    }
    // PinIssued's two, UpgradeRequested's and PinRevoked's one each.
    assert_eq!(removed, 4, "the life below writes each new field once");
    serde_json::to_string(&stored).unwrap()
}

#[test]
fn r35_events_stored_before_attestations_still_load_and_replay() {
    let mut rig = active_rig();
    rig.apply(
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: Attested::vouched_for(valid_identity_card(), copy_examiner(), now()),
        },
        now(),
    );
    rig.apply(
        Command::Revoke {
            tessera: mario_card_checked_at(now()),
        },
        now() + secs(1),
    );
    let old = as_stored_before_attestations(&rig.log);
    let loaded: Vec<Event> = serde_json::from_str(&old).unwrap();
    assert_eq!(loaded.len(), rig.log.len());
    for event in &loaded {
        match event {
            Event::PinIssued {
                archive_checked_by,
                document_checked_by,
                ..
            } => assert_eq!((archive_checked_by, document_checked_by), (&None, &None)),
            Event::UpgradeRequested { checked_by, .. } | Event::PinRevoked { checked_by, .. } => {
                assert_eq!(checked_by, &None);
            }
            _ => {}
        }
    }
    assert_eq!(
        Account::replay(rig.account.codice_fiscale(), &loaded),
        rig.account
    );

    // One written by hand, as the release before wrote it.
    let revoked: Event =
        serde_json::from_str(r#"{"PinRevoked":{"at":"2026-12-10T09:00:00Z"}}"#).unwrap();
    assert_eq!(
        revoked,
        Event::PinRevoked {
            at: now(),
            checked_by: None
        }
    );
}

// ---------------------------------------------------------------------------------------------
// R30 for the new refusals.

#[test]
fn r35_r30_the_new_refusals_have_codes_and_say_what_to_do() {
    let cases: [(Refusal, &str, &[&str], &[&str]); 3] = [
        (
            Refusal::ArchiveNotMatching,
            "request.archive_not_matching",
            &["archive", "look up"],
            &["archivi dell'Istituto", "sede INPS", "803 164"],
        ),
        (
            Refusal::AttestationFromTheFuture,
            "attestation.from_the_future",
            &["clocks", "check again"],
            &["Riprova", "Contact Center", "803 164"],
        ),
        (
            Refusal::AttestationStale {
                checked_at: at("2026-12-10T07:59:59Z"),
            },
            "attestation.stale",
            &["2026-12-10T07:59:59Z", "check again"],
            &["Ripeti la procedura"],
        ),
    ];
    for (refusal, code, english, italian) in cases {
        assert_eq!(refusal.code(), code);
        let en = refusal.to_string();
        for phrase in english {
            assert!(en.contains(phrase), "{code}: {en:?} lacks {phrase:?}");
        }
        let it = refusal.message_it();
        assert!(it.ends_with('.'), "{it}");
        for phrase in italian {
            assert!(it.contains(phrase), "{code}: {it:?} lacks {phrase:?}");
        }
        // The citizen is not told who checked, when, or against what account.
        assert!(!it.contains("2026"), "{it}");
    }
}
