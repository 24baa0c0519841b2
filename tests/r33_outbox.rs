//! R33: deliveries through a carrier can wait in an outbox, in an explicit, opt-in serialized
//! form that carries the code; parts shown on screen belong to the immediate reply and never
//! to an outbox.

mod common;
use common::*;

use inps_pin::*;
use proptest::prelude::*;

/// The outcome of every command that delivers a code, through every channel: the online
/// request, the Contact Center from a mobile and from a landline, the sede, the first access,
/// and the restore.
fn outcomes_of_every_channel() -> Vec<(&'static str, Outcome)> {
    let policy = policy();
    let mut rng = rng(33);
    let mut outcomes = vec![
        (
            "online",
            requested(person(), ChannelRequest::Online, &policy, &mut rng).1,
        ),
        (
            "contact center, mobile",
            requested(
                person(),
                contact_center(PhoneKind::Mobile),
                &policy,
                &mut rng,
            )
            .1,
        ),
        (
            "contact center, landline",
            requested(
                person(),
                contact_center(PhoneKind::Landline),
                &policy,
                &mut rng,
            )
            .1,
        ),
        (
            "sede",
            requested(person(), sede_request(), &policy, &mut rng).1,
        ),
    ];
    let (mut account, first) =
        first_access_done(person(), ChannelRequest::Online, &policy, &mut rng);
    outcomes.push(("first access", first));
    let restored = run(
        &mut account,
        restore_with_mario_contacts(),
        at("2026-12-01T09:00:00Z"),
        &policy,
        &mut rng,
    )
    .unwrap();
    outcomes.push(("restore", restored));
    outcomes
}

/// The deliveries of an outcome, owned, each with its code as delivered.
fn deliveries_with_codes(outcome: Outcome) -> Vec<(Delivery, String)> {
    outcome
        .effects
        .into_iter()
        .filter_map(|effect| match effect {
            Effect::Deliver(delivery) => {
                let code = delivery.secret().unwrap().expose().to_owned();
                Some((delivery, code))
            }
            _ => None,
        })
        .collect()
}

/// What a carrier delivery must be after going through storage and back: the same part, the
/// same medium, the same code, and no code in what it shows.
fn assert_same(read_back: &OutboxDelivery, part: PinPart, medium: &Medium, code: &str, how: &str) {
    assert_eq!(read_back.part(), part, "{how}");
    assert_eq!(read_back.medium(), medium, "{how}");
    assert_eq!(read_back.secret().expose(), code, "{how}");
    assert_shows_no_code(read_back, code, how);
}

fn assert_shows_no_code(outbox: &OutboxDelivery, code: &str, how: &str) {
    let debug = format!("{outbox:?}");
    assert!(
        !debug.contains(code),
        "{how}: Debug shows the code: {debug}"
    );
    assert!(debug.contains("[redacted]"), "{how}: {debug}");
    let display = outbox.to_string();
    assert!(!display.contains(code), "{how}: Display shows the code");
}

#[test]
fn r33_every_carrier_delivery_of_every_channel_round_trips_with_its_code() {
    let mut reached = std::collections::BTreeSet::new();
    for (channel, outcome) in outcomes_of_every_channel() {
        for (delivery, code) in deliveries_with_codes(outcome) {
            if delivery.is_for_the_reply() {
                continue;
            }
            let part = delivery.part();
            let medium = delivery.medium().clone();
            let how = format!("{channel}: {delivery}");
            let outbox = delivery.into_outbox().unwrap();
            assert_same(&outbox, part, &medium, &code, &how);

            // JSON, from text (the code borrowed) and from a value (the code owned).
            let json = serde_json::to_string(&outbox).unwrap();
            assert!(json.contains(&code), "{how}: the outbox form lost the code");
            let from_text: OutboxDelivery = serde_json::from_str(&json).unwrap();
            assert_same(&from_text, part, &medium, &code, &format!("{how}, JSON"));
            let value = serde_json::to_value(&outbox).unwrap();
            let from_value: OutboxDelivery = serde_json::from_value(value).unwrap();
            assert_same(
                &from_value,
                part,
                &medium,
                &code,
                &format!("{how}, JSON value"),
            );

            // postcard.
            let bytes = postcard::to_allocvec(&outbox).unwrap();
            assert!(contains_bytes(&bytes, code.as_bytes()), "{how}: postcard");
            let from_bytes: OutboxDelivery = postcard::from_bytes(&bytes).unwrap();
            assert_same(
                &from_bytes,
                part,
                &medium,
                &code,
                &format!("{how}, postcard"),
            );

            // Back to what the carrier takes: the same delivery, with its code.
            let for_the_carrier = from_bytes.into_delivery();
            assert_eq!(for_the_carrier.part(), part);
            assert_eq!(for_the_carrier.medium(), &medium);
            assert_eq!(for_the_carrier.secret().unwrap().expose(), code);
            reached.insert(format!("{part:?} {}", medium_kind(&medium)));
        }
    }
    let expected = [
        "FirstHalf Email",
        "FirstHalf Sms",
        "SecondHalf SealedPost",
        "SecondHalf Sms",
        "WholeFirstPin SealedEnvelopeAtCounter",
    ];
    for wanted in expected {
        assert!(
            reached.contains(wanted),
            "{wanted} never went through: {reached:?}"
        );
    }
}

fn medium_kind(medium: &Medium) -> String {
    let debug = format!("{medium:?}");
    debug.split('(').next().unwrap().to_owned()
}

#[test]
fn r33_a_part_shown_on_screen_cannot_enter_the_outbox() {
    let mut refused = Vec::new();
    for (channel, outcome) in outcomes_of_every_channel() {
        for (delivery, code) in deliveries_with_codes(outcome) {
            if !delivery.medium().is_screen() {
                assert!(delivery.medium().is_carrier());
                continue;
            }
            assert!(delivery.is_for_the_reply());
            assert!(!delivery.medium().is_carrier());
            let shown = delivery.to_string();
            let error = delivery.into_outbox().unwrap_err();
            assert!(
                matches!(error, NotForOutbox::OnScreen(_)),
                "{channel}: {error:?}"
            );
            assert!(!error.to_string().contains(&code));
            assert!(error.to_string().contains("immediate reply"), "{error}");
            // The delivery comes back whole, to be shown now.
            let back = error.into_delivery();
            assert_eq!(back.to_string(), shown);
            assert_eq!(back.secret().unwrap().expose(), code);
            refused.push(format!("{channel}: {}", medium_kind(back.medium())));
        }
    }
    for wanted in [
        "online: Screen",
        "contact center, mobile: ReadByOperator",
        "contact center, landline: ReadByOperator",
        "first access: Screen",
    ] {
        assert!(
            refused.iter().any(|r| r == wanted),
            "{wanted} not refused: {refused:?}"
        );
    }
}

#[test]
fn r33_a_delivery_without_its_code_cannot_enter_the_outbox() {
    let (_, outcome) = requested(person(), sede_request(), &policy(), &mut rng(34));
    let (mut delivery, _) = deliveries_with_codes(outcome).pop().unwrap();
    assert_eq!(delivery.part(), PinPart::WholeFirstPin);
    // Read back from the plain form, which drops the code.
    let plain: Delivery = serde_json::from_str(&serde_json::to_string(&delivery).unwrap()).unwrap();
    let error = plain.into_outbox().unwrap_err();
    assert!(matches!(error, NotForOutbox::WithoutCode(_)), "{error:?}");
    // Taken by a carrier already.
    let taken = delivery.take_secret();
    assert!(taken.is_some());
    let error = delivery.into_outbox().unwrap_err();
    assert!(matches!(error, NotForOutbox::WithoutCode(_)), "{error:?}");
    assert_eq!(error.into_delivery().part(), PinPart::WholeFirstPin);
}

#[test]
fn r33_a_plain_delivery_still_serializes_without_its_code() {
    for (channel, outcome) in outcomes_of_every_channel() {
        let codes: Vec<String> = outcome
            .deliveries()
            .map(|d| d.secret().unwrap().expose().to_owned())
            .collect();
        assert!(!codes.is_empty(), "{channel}");
        let json = serde_json::to_string(&outcome).unwrap();
        let bytes = postcard::to_allocvec(&outcome).unwrap();
        for delivery in outcome.deliveries() {
            let alone = serde_json::to_string(delivery).unwrap();
            assert!(!alone.contains("\"code\""), "{channel}: {alone}");
        }
        for code in &codes {
            assert!(!json.contains(code.as_str()), "{channel}: JSON");
            assert!(
                !contains_bytes(&bytes, code.as_bytes()),
                "{channel}: postcard"
            );
        }
    }
}

/// The stored form of an outbox record, as a service would keep it.
fn stored(part: &str, medium: serde_json::Value, code: &str) -> serde_json::Value {
    serde_json::json!({ "part": part, "medium": medium, "code": code })
}

fn sealed_post() -> serde_json::Value {
    serde_json::to_value(Medium::SealedPost(residence())).unwrap()
}

#[test]
fn r33_a_damaged_outbox_record_does_not_load_and_its_error_shows_no_code() {
    let good = stored("SecondHalf", sealed_post(), "ABCDEFGH");
    let loaded: OutboxDelivery = serde_json::from_value(good).unwrap();
    assert_eq!(loaded.secret().expose(), "ABCDEFGH");

    let damaged = [
        (
            stored("FirstHalf", serde_json::json!("Screen"), "ABCDEFGH"),
            "ABCDEFGH",
            "screen",
        ),
        (
            stored(
                "FirstHalf",
                serde_json::to_value(Medium::ReadByOperator(ContactCenterLine::TollFree)).unwrap(),
                "ABCDEFGH",
            ),
            "ABCDEFGH",
            "screen",
        ),
        // 16 characters where a half goes, and 8 where the whole first PIN goes.
        (
            stored("SecondHalf", sealed_post(), "ABCDEFGHJKLMNPQR"),
            "ABCDEFGHJKLMNPQR",
            "characters, not the 8",
        ),
        (
            stored("WholeFirstPin", sealed_post(), "ABCDEFGH"),
            "ABCDEFGH",
            "characters, not the 16",
        ),
        // Characters no code has: a look-alike, lower case, and a length no code has.
        (
            stored("SecondHalf", sealed_post(), "ABCDEFG0"),
            "ABCDEFG0",
            "PIN alphabet",
        ),
        (
            stored("SecondHalf", sealed_post(), "abcdefgh"),
            "abcdefgh",
            "PIN alphabet",
        ),
        (
            stored("SecondHalf", sealed_post(), "ABCDEFGHJ"),
            "ABCDEFGHJ",
            "PIN alphabet",
        ),
    ];
    for (record, code, why) in damaged {
        let text = record.to_string();
        let error = serde_json::from_str::<OutboxDelivery>(&text).unwrap_err();
        let message = error.to_string();
        assert!(message.contains(why), "{text}: {message}");
        assert!(
            !message.contains(code),
            "{text}: the error repeats the code"
        );
    }
}

fn carrier_strategy() -> impl Strategy<Value = Medium> {
    prop_oneof![
        Just(Medium::Email(mario_email())),
        Just(Medium::Sms(mario_mobile())),
        Just(Medium::SealedPost(residence())),
        Just(Medium::Post(residence())),
        Just(Medium::SealedEnvelopeAtCounter(sede_operator())),
    ]
}

fn part_strategy() -> impl Strategy<Value = PinPart> {
    prop_oneof![
        Just(PinPart::FirstHalf),
        Just(PinPart::SecondHalf),
        Just(PinPart::WholeFirstPin),
        Just(PinPart::Pin),
    ]
}

/// A part, a carrier, and a random code of the part's length over the PIN alphabet.
fn record_strategy() -> impl Strategy<Value = (PinPart, Medium, String)> {
    (part_strategy(), carrier_strategy()).prop_flat_map(|(part, medium)| {
        let len = if part == PinPart::WholeFirstPin {
            FULL_LEN
        } else {
            HALF_LEN
        };
        proptest::collection::vec(0..PIN_ALPHABET.len(), len).prop_map(move |indices| {
            let code: String = indices
                .iter()
                .map(|&i| char::from(PIN_ALPHABET[i]))
                .collect();
            (part, medium.clone(), code)
        })
    })
}

proptest! {
    #![proptest_config(proptest_config(256))]

    #[test]
    fn r33_property_the_outbox_form_round_trips_and_its_debug_shows_no_code(
        (part, medium, code) in record_strategy()
    ) {
        let record = serde_json::json!({ "part": part, "medium": medium, "code": code });
        let loaded: OutboxDelivery = serde_json::from_str(&record.to_string()).unwrap();
        assert_same(&loaded, part, &medium, &code, "loaded");
        // Through the carrier's delivery and back into the outbox.
        let again = loaded.into_delivery().into_outbox().unwrap();
        assert_same(&again, part, &medium, &code, "again");
        let json: OutboxDelivery =
            serde_json::from_str(&serde_json::to_string(&again).unwrap()).unwrap();
        assert_same(&json, part, &medium, &code, "JSON");
        let bytes = postcard::to_allocvec(&json).unwrap();
        let from_bytes: OutboxDelivery = postcard::from_bytes(&bytes).unwrap();
        assert_same(&from_bytes, part, &medium, &code, "postcard");
    }
}
