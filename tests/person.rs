//! The person and their contacts: R1 (the data a PIN request collects), R2 (the role) and R4
//! (contacts and residence validated so that a delivery cannot silently go nowhere).
//!
//! The parts of a person have their own files: `person_name.rs`, `person_email.rs`,
//! `person_phone.rs` and `person_address.rs`.

mod common;

use common::proptest_config;
use inps_pin::{
    Address, CodiceFiscale, Email, LandlineNumber, MobileNumber, Person, PersonName, PhoneKind,
    PostalCode, Province, Role,
};
use proptest::prelude::*;

fn mario() -> Person {
    Person::new(
        PersonName::parse("Mario").unwrap(),
        PersonName::parse("Rossi").unwrap(),
        CodiceFiscale::parse("RSSMRA85T10A562S").unwrap(),
        Role::Citizen,
        Address::new("Via Roma 1", "00184", "Roma", "RM").unwrap(),
    )
}

fn email() -> Email {
    Email::parse("mario.rossi@example.it").unwrap()
}

fn mobile() -> MobileNumber {
    MobileNumber::parse("333 1234567").unwrap()
}

fn landline() -> LandlineNumber {
    LandlineNumber::parse("06 1234567").unwrap()
}

// ---------------------------------------------------------------------------------------------
// R4: what error messages leave out
// ---------------------------------------------------------------------------------------------

#[test]
fn r4_errors_keep_the_value_out_of_the_message() {
    let errors = [
        Email::parse("mario.rossi@example").unwrap_err(),
        Email::parse("mario.rossi.example.it").unwrap_err(),
        MobileNumber::parse("06 98765432").unwrap_err(),
        LandlineNumber::parse("3398765432").unwrap_err(),
        MobileNumber::parse("33398765").unwrap_err(),
        Address::new("Via Garibaldi", "00184", "Roma", "RM").unwrap_err(),
        Province::parse("Roma").unwrap_err(),
    ];
    for error in errors {
        let message = error.to_string();
        for secret in ["mario", "rossi", "98765", "Garibaldi", "Roma"] {
            assert!(!message.contains(secret), "{message}");
        }
    }
}

// ---------------------------------------------------------------------------------------------
// R1, R2, R4: the person
// ---------------------------------------------------------------------------------------------

#[test]
fn r1_person_keeps_what_the_request_collected() {
    let person = mario()
        .with_email(email())
        .with_mobile(mobile())
        .with_landline(landline());
    assert_eq!(person.name().as_str(), "Mario");
    assert_eq!(person.surname().as_str(), "Rossi");
    assert_eq!(
        person.codice_fiscale(),
        CodiceFiscale::parse("RSSMRA85T10A562S").unwrap()
    );
    assert_eq!(person.role(), Role::Citizen);
    assert_eq!(
        person.residence().to_string(),
        "Via Roma 1, 00184 Roma (RM)"
    );
    assert_eq!(person.email(), Some(&email()));
    assert_eq!(person.mobile(), Some(&mobile()));
    assert_eq!(person.landline(), Some(&landline()));
}

#[test]
fn r1_person_starts_without_contacts_and_with_replaces() {
    let person = mario();
    assert_eq!(person.email(), None);
    assert_eq!(person.mobile(), None);
    assert_eq!(person.landline(), None);

    let other = MobileNumber::parse("347 7654321").unwrap();
    let person = person.with_mobile(mobile()).with_mobile(other.clone());
    assert_eq!(person.mobile(), Some(&other));
}

#[test]
fn r2_role_is_citizen_or_intermediary() {
    let person = Person::new(
        PersonName::parse("Giulia").unwrap(),
        PersonName::parse("Bianchi").unwrap(),
        CodiceFiscale::parse("RSSMRA85T10A562S").unwrap(),
        Role::Intermediary,
        Address::new("Via Po 2", "10124", "Torino", "TO").unwrap(),
    );
    assert_eq!(person.role(), Role::Intermediary);
    assert_eq!(mario().role(), Role::Citizen);
    assert_eq!(
        serde_json::to_string(&Role::Intermediary).unwrap(),
        "\"Intermediary\""
    );
    assert_eq!(
        serde_json::from_str::<Role>("\"Citizen\"").unwrap(),
        Role::Citizen
    );
}

#[test]
fn r4_registered_contacts_are_email_then_mobile_and_need_both() {
    assert_eq!(mario().registered_contacts(), None);
    assert_eq!(mario().with_email(email()).registered_contacts(), None);
    assert_eq!(mario().with_mobile(mobile()).registered_contacts(), None);
    // A landline cannot stand in for the mobile.
    assert_eq!(
        mario()
            .with_email(email())
            .with_landline(landline())
            .registered_contacts(),
        None
    );
    let person = mario().with_mobile(mobile()).with_email(email());
    assert_eq!(person.registered_contacts(), Some((&email(), &mobile())));
}

#[test]
fn r4_phone_kind_prefers_the_mobile() {
    assert_eq!(mario().phone_kind(), None);
    assert_eq!(mario().with_email(email()).phone_kind(), None);
    assert_eq!(
        mario().with_landline(landline()).phone_kind(),
        Some(PhoneKind::Landline)
    );
    assert_eq!(
        mario().with_mobile(mobile()).phone_kind(),
        Some(PhoneKind::Mobile)
    );
    assert_eq!(
        mario()
            .with_landline(landline())
            .with_mobile(mobile())
            .phone_kind(),
        Some(PhoneKind::Mobile)
    );
}

// ---------------------------------------------------------------------------------------------
// Storage: serde
// ---------------------------------------------------------------------------------------------

#[test]
fn r1_person_round_trips_through_json() {
    let person = mario()
        .with_email(email())
        .with_mobile(mobile())
        .with_landline(landline());
    let json = serde_json::to_value(&person).unwrap();
    assert_eq!(
        json,
        serde_json::json!({
            "name": "Mario",
            "surname": "Rossi",
            "codice_fiscale": "RSSMRA85T10A562S",
            "role": "Citizen",
            "residence": {
                "street": "Via Roma 1",
                "postal_code": "00184",
                "municipality": "Roma",
                "province": "RM",
            },
            "email": "mario.rossi@example.it",
            "mobile": "+393331234567",
            "landline": "+39061234567",
            "sunset_exemption": null,
        })
    );
    let back: Person = serde_json::from_value(json).unwrap();
    assert_eq!(back, person);

    let bare = mario();
    let back: Person = serde_json::from_str(&serde_json::to_string(&bare).unwrap()).unwrap();
    assert_eq!(back, bare);
}

#[test]
fn r1_typical_person_is_small_in_postcard() {
    let person = mario().with_email(email()).with_mobile(mobile());
    let bytes = postcard::to_allocvec(&person).unwrap();
    // The whole account must fit in about 256 bytes; the person is most of it.
    assert!(bytes.len() <= 128, "{} bytes", bytes.len());
    assert_eq!(postcard::from_bytes::<Person>(&bytes).unwrap(), person);
}

#[test]
fn r4_string_types_serialize_as_their_string_form() {
    assert_eq!(
        serde_json::to_string(&email()).unwrap(),
        "\"mario.rossi@example.it\""
    );
    assert_eq!(
        serde_json::to_string(&mobile()).unwrap(),
        "\"+393331234567\""
    );
    assert_eq!(
        serde_json::to_string(&landline()).unwrap(),
        "\"+39061234567\""
    );
    assert_eq!(
        serde_json::to_string(&PersonName::parse("Niccolò").unwrap()).unwrap(),
        "\"Niccolò\""
    );
    assert_eq!(
        serde_json::to_string(&PostalCode::parse("00184").unwrap()).unwrap(),
        "\"00184\""
    );
    assert_eq!(
        serde_json::to_string(&Province::parse("rm").unwrap()).unwrap(),
        "\"RM\""
    );
    // Loading validates, and so normalises, again.
    assert_eq!(
        serde_json::from_str::<MobileNumber>("\"0039 333 123 4567\"").unwrap(),
        mobile()
    );
}

#[test]
fn r4_invalid_stored_values_cannot_be_loaded() {
    let error = serde_json::from_str::<Email>("\"mario.rossi@example\"").unwrap_err();
    assert!(error.to_string().contains("has no dot"), "{error}");
    let error = serde_json::from_str::<Email>("\"mario.rossi@example.i\"").unwrap_err();
    assert!(error.to_string().contains("top-level domain"), "{error}");
    let error = serde_json::from_str::<MobileNumber>("\"+39061234567\"").unwrap_err();
    assert!(
        error.to_string().contains("looks like a landline"),
        "{error}"
    );
    let error = serde_json::from_str::<LandlineNumber>("\"+393331234567\"").unwrap_err();
    assert!(error.to_string().contains("looks like a mobile"), "{error}");
    assert!(serde_json::from_str::<PersonName>("\"Mario1\"").is_err());
    assert!(serde_json::from_str::<PostalCode>("\"184\"").is_err());
    assert!(serde_json::from_str::<Province>("\"Roma\"").is_err());
    assert!(serde_json::from_str::<Email>("42").is_err());

    let good = serde_json::to_value(mario().with_email(email()).with_mobile(mobile())).unwrap();
    let tampered = |pointer: &str, value: serde_json::Value| {
        let mut json = good.clone();
        *json.pointer_mut(pointer).unwrap() = value;
        serde_json::from_value::<Person>(json)
    };
    assert!(tampered("/email", "mario@".into()).is_err());
    assert!(tampered("/mobile", "06 1234567".into()).is_err());
    assert!(tampered("/landline", "333 1234567".into()).is_err());
    assert!(tampered("/name", "".into()).is_err());
    let error = tampered("/residence/street", "Via Roma".into()).unwrap_err();
    assert!(error.to_string().contains("no civic number"), "{error}");
    assert!(tampered("/residence/postal_code", "1".into()).is_err());
    assert!(tampered("/residence/municipality", "42".into()).is_err());
    assert!(tampered("/residence/province", "R".into()).is_err());
    assert!(tampered("/role", "Admin".into()).is_err());
    assert!(serde_json::from_value::<Person>(good).is_ok());
}

// ---------------------------------------------------------------------------------------------
// Properties
// ---------------------------------------------------------------------------------------------

/// Strings that reach the accepting paths often, mixed with arbitrary text.
fn name_like() -> impl Strategy<Value = String> {
    prop_oneof![any::<String>(), "[ \\tA-Za-zàèéìòù'’.\\-\u{0300}0-9]{0,70}",]
}

fn email_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "[ ]?[A-Za-z0-9.+_!~-]{0,12}@[A-Za-z0-9.-]{0,20}[ ]?",
        "[a-z]{1,8}(\\.[a-z]{1,8})?@[A-Za-z0-9-]{1,10}\\.[A-Za-z]{2,4}",
    ]
}

fn phone_like() -> impl Strategy<Value = String> {
    prop_oneof![
        any::<String>(),
        "(\\+39|0039|\\+|00|\\(\\+39\\))?[ ]?[03][0-9 ./()-]{0,14}",
    ]
}

proptest! {
    // Proptest's default 256 cases, from the suite's fixed seed.
    #![proptest_config(proptest_config(256))]

    #[test]
    fn r4_parsers_never_panic_and_normalise_idempotently(
        name in name_like(),
        email in email_like(),
        phone in phone_like(),
        short in "[ ]?[0-9A-Za-z]{0,6}[ ]?",
    ) {
        if let Ok(parsed) = PersonName::parse(&name) {
            prop_assert_eq!(PersonName::parse(parsed.as_str()), Ok(parsed.clone()));
        }
        if let Ok(parsed) = Email::parse(&email) {
            prop_assert_eq!(Email::parse(parsed.as_str()), Ok(parsed.clone()));
        }
        if let Ok(parsed) = MobileNumber::parse(&phone) {
            prop_assert_eq!(MobileNumber::parse(parsed.as_str()), Ok(parsed.clone()));
            prop_assert_eq!(MobileNumber::parse(parsed.national()), Ok(parsed.clone()));
        }
        if let Ok(parsed) = LandlineNumber::parse(&phone) {
            prop_assert_eq!(LandlineNumber::parse(parsed.as_str()), Ok(parsed.clone()));
            prop_assert_eq!(LandlineNumber::parse(parsed.national()), Ok(parsed.clone()));
        }
        if let Ok(parsed) = PostalCode::parse(&short) {
            prop_assert_eq!(PostalCode::parse(parsed.as_str()), Ok(parsed.clone()));
        }
        if let Ok(parsed) = Province::parse(&short) {
            prop_assert_eq!(Province::parse(parsed.as_str()), Ok(parsed.clone()));
        }
        for input in [&name, &email, &phone, &short] {
            let _ = PersonName::parse(input);
            let _ = Email::parse(input);
            let _ = MobileNumber::parse(input);
            let _ = LandlineNumber::parse(input);
            let _ = PostalCode::parse(input);
            let _ = Province::parse(input);
        }
    }

    #[test]
    fn r4_address_never_panics_and_normalises_idempotently(
        street in prop_oneof![any::<String>(), "[ A-Za-zà'.,/0-9-]{0,30}"],
        postal_code in prop_oneof![any::<String>(), "[ ]?[0-9]{4,6}[ ]?"],
        municipality in name_like(),
        province in prop_oneof![any::<String>(), "[ ]?[A-Za-z]{1,3}[ ]?"],
    ) {
        if let Ok(address) = Address::new(&street, &postal_code, &municipality, &province) {
            let again = Address::new(
                address.street(),
                address.postal_code().as_str(),
                address.municipality(),
                address.province().as_str(),
            );
            prop_assert_eq!(again, Ok(address.clone()));
            let json = serde_json::to_string(&address).unwrap();
            prop_assert_eq!(serde_json::from_str::<Address>(&json).unwrap(), address);
        }
    }

    #[test]
    fn r4_accepted_values_survive_serde(email in email_like(), phone in phone_like()) {
        if let Ok(parsed) = Email::parse(&email) {
            let json = serde_json::to_string(&parsed).unwrap();
            prop_assert_eq!(serde_json::from_str::<Email>(&json).unwrap(), parsed);
        }
        if let Ok(parsed) = MobileNumber::parse(&phone) {
            let json = serde_json::to_string(&parsed).unwrap();
            prop_assert_eq!(serde_json::from_str::<MobileNumber>(&json).unwrap(), parsed);
        }
    }
}
