//! R30: errors from parsing what a person typed (codice fiscale, contacts, PIN, documents, the
//! tessera sanitaria, the back office's reason, an operator's identifier, a device cookie) have a stable code and an
//! Italian message that says what to do next, as refusals do.

mod common;
use common::*;

use std::collections::BTreeSet;

use inps_pin::*;
use jiff::civil::date;

/// One input error as a service shows it: its code, the English for operators, the Italian
/// for the person.
struct Shown {
    code: &'static str,
    english: String,
    italian: String,
}

fn shown(code: &'static str, english: String, italian: String) -> Shown {
    Shown {
        code,
        english,
        italian,
    }
}

macro_rules! shown {
    ($error:expr) => {{
        let error = $error;
        shown(error.code(), error.to_string(), error.message_it())
    }};
}

/// One value of every variant of every input error.
fn every_input_error() -> Vec<Shown> {
    let mut all = vec![
        shown!(CodiceFiscaleError::WrongLength { found: 15 }),
        shown!(CodiceFiscaleError::UnexpectedCharacter {
            found: 'é',
            position: 4
        }),
        shown!(CodiceFiscaleError::InvalidCharacter {
            position: 1,
            found: '1',
            expected: "a letter (A-Z)"
        }),
        shown!(CodiceFiscaleError::DayOutOfRange { day: 35 }),
        shown!(CodiceFiscaleError::NonexistentDate {
            year_in_century: 80,
            month: 2,
            day: 30
        }),
        shown!(CodiceFiscaleError::WrongCheckCharacter {
            expected: 'U',
            found: 'A'
        }),
        shown!(CodiceFiscaleError::WrongTemporaryCheckDigit {
            expected: '3',
            found: '4'
        }),
        shown!(PinFormatError::Length { found: 7 }),
        shown!(PinFormatError::Character {
            position: 3,
            look_alike: true
        }),
        shown!(DocumentError::Empty),
        shown!(DocumentError::TooLong { found: 21 }),
        shown!(DocumentError::Character { position: 2 }),
        shown!(RejectionReasonError::Empty),
        shown!(RejectionReasonError::TooLong { found: 301 }),
        shown!(RejectionReasonError::ControlCharacter),
        shown!(OperatorIdError),
        shown!(DeviceTokenError),
        shown!(TesseraError::Length { found: 19 }),
        shown!(TesseraError::Character { position: 5 }),
    ];
    let field = ContactField::Mobile;
    all.extend([
        shown!(ContactError::Empty { field }),
        shown!(ContactError::TooShort {
            field: ContactField::Name,
            min: 2,
            found: 1
        }),
        shown!(ContactError::TooLong {
            field: ContactField::Street,
            max: 100,
            found: 120
        }),
        shown!(ContactError::WrongLength {
            field: ContactField::PostalCode,
            expected: 5,
            found: 4
        }),
        shown!(ContactError::InvalidCharacter {
            field: ContactField::Municipality,
            character: '#',
            position: 3
        }),
        shown!(ContactError::NoLetter {
            field: ContactField::Name
        }),
        shown!(ContactError::MissingCivicNumber),
        shown!(ContactError::EmailMissingAt),
        shown!(ContactError::EmailTooManyAt { found: 2 }),
        shown!(ContactError::EmailMisplacedDot {
            field: ContactField::EmailLocalPart
        }),
        shown!(ContactError::EmailDomainWithoutDot),
        shown!(ContactError::EmailDomainLabelTooLong { max: 63, found: 64 }),
        shown!(ContactError::EmailDomainLabelHyphen),
        shown!(ContactError::EmailTopLevelDomain),
        shown!(ContactError::ForeignNumber { field }),
        shown!(ContactError::MobileLooksLikeLandline),
        shown!(ContactError::LandlineLooksLikeMobile),
        shown!(ContactError::WrongLeadingDigit {
            field,
            found: '4',
            expected: '3'
        }),
        shown!(ContactError::LandlineWithoutAreaCode),
        shown!(ContactError::WrongDigitCount {
            field,
            found: 7,
            min: 9,
            max: 10
        }),
    ]);
    all
}

/// Dotted lower case: two or more parts of lower-case letters and underscores, such as
/// `contact.email_missing_at`.
fn is_dotted_lower_case(code: &str) -> bool {
    let parts: Vec<&str> = code.split('.').collect();
    parts.len() >= 2
        && parts.iter().all(|part| {
            !part.is_empty()
                && !part.starts_with('_')
                && !part.ends_with('_')
                && part.chars().all(|c| c.is_ascii_lowercase() || c == '_')
        })
}

/// The verbs an Italian message uses to say what to do next (with their clitic forms, such as
/// "inseriscilo", which contain them).
const NEXT_STEPS: &[&str] = &[
    "controlla",
    "inserisci",
    "scrivi",
    "copia",
    "accedi",
    "usa",
    "togli",
    "compila",
    "accorcia",
    "aggiungi",
];

#[test]
fn r30_every_input_error_has_a_code_and_an_italian_message_with_a_next_step() {
    let all = every_input_error();
    assert_eq!(all.len(), 7 + 2 + 3 + 3 + 1 + 1 + 2 + 20);
    let mut codes = BTreeSet::new();
    for error in &all {
        let code = error.code;
        assert!(codes.insert(code), "{code} is given to two errors");
        assert!(is_dotted_lower_case(code), "{code}");
        let italian = &error.italian;
        assert!(!italian.trim().is_empty(), "{code}");
        assert_ne!(italian, &error.english, "{code}: not translated");
        assert_eq!(italian.trim(), italian, "{code}: {italian:?}");
        assert!(italian.ends_with('.'), "{code}: {italian}");
        assert!(!italian.contains("  "), "{code}: {italian:?}");
        let lower = italian.to_lowercase();
        assert!(
            NEXT_STEPS.iter().any(|verb| lower.contains(verb)),
            "{code}: no next step in {italian}"
        );
        assert!(!error.english.is_empty(), "{code}");
    }
    // The codes are grouped by what was typed.
    let prefixes: BTreeSet<&str> = codes
        .iter()
        .map(|code| code.split('.').next().unwrap())
        .collect();
    assert_eq!(
        prefixes,
        BTreeSet::from([
            "codice_fiscale",
            "contact",
            "device_token",
            "document",
            "operator_id",
            "pin",
            "rejection_reason",
            "tessera",
        ])
    );
}

#[test]
fn r30_the_parsers_give_the_codes_of_what_was_typed() {
    let code = |result: Result<CodiceFiscale, CodiceFiscaleError>| result.unwrap_err().code();
    assert_eq!(
        code(CodiceFiscale::parse("RSSMRA80A01H501")),
        "codice_fiscale.wrong_length"
    );
    assert_eq!(
        code(CodiceFiscale::parse("RSSMRA80A01H501A")),
        "codice_fiscale.wrong_check_character"
    );
    assert_eq!(
        code(CodiceFiscale::parse("12345678904")),
        "codice_fiscale.wrong_temporary_check_digit"
    );
    assert_eq!(
        Email::parse("mario.rossi").unwrap_err().code(),
        "contact.email_missing_at"
    );
    assert_eq!(
        MobileNumber::parse("06 1234567").unwrap_err().code(),
        "contact.mobile_looks_like_landline"
    );
    assert_eq!(
        EnteredPin::parse("ABCD").unwrap_err().code(),
        "pin.wrong_length"
    );
    assert_eq!(
        IdentityDocument::new(DocumentKind::IdentityCard, "CA-12#45", date(2030, 1, 1))
            .unwrap_err()
            .code(),
        "document.invalid_character"
    );
    assert_eq!(
        RejectionReason::new("riga\nsbagliata").unwrap_err().code(),
        "rejection_reason.control_character"
    );
    assert_eq!(
        OperatorId::new("op 42").unwrap_err().code(),
        "operator_id.invalid"
    );
    assert_eq!(
        DeviceToken::parse("not a token").unwrap_err().code(),
        "device_token.invalid"
    );
    assert_eq!(
        TesseraSanitaria::new(mario_cf(), "8038 0000 0012 3456 789X", date(2029, 6, 30))
            .unwrap_err()
            .code(),
        "tessera.invalid_character"
    );
}

#[test]
fn r30_a_pin_typed_wrong_is_not_repeated_in_the_italian_message() {
    for typed in ["abcd-efg0", "ABCDEFGHJKLMNPQRS", "ABCDEFGO"] {
        let error = EnteredPin::parse(typed).unwrap_err();
        let italian = error.message_it();
        let kept: String = typed.chars().filter(|c| *c != '-').collect();
        for window in kept.as_bytes().windows(4) {
            let piece = std::str::from_utf8(window).unwrap();
            assert!(
                !italian.to_uppercase().contains(&piece.to_uppercase()),
                "{typed}: {italian}"
            );
        }
    }
    // The look-alike hint is given where it helps.
    let look_alike = EnteredPin::parse("ABCDEFG0").unwrap_err();
    assert!(look_alike.message_it().contains("mai 0, O, 1 o I"));
    let other = EnteredPin::parse("ABCDEFG!").unwrap_err();
    assert!(!other.message_it().contains("mai 0, O, 1 o I"));
}

#[test]
fn r30_every_contact_field_has_an_italian_name_of_its_own() {
    let fields = [
        ContactField::Name,
        ContactField::Email,
        ContactField::EmailLocalPart,
        ContactField::EmailDomain,
        ContactField::Mobile,
        ContactField::Landline,
        ContactField::Street,
        ContactField::PostalCode,
        ContactField::Municipality,
        ContactField::Province,
    ];
    let names: BTreeSet<&str> = fields.iter().map(|field| field.italian()).collect();
    assert_eq!(names.len(), fields.len());
    let error = ContactError::Empty {
        field: ContactField::Mobile,
    };
    assert_eq!(
        error.message_it(),
        "Il campo «numero di cellulare» è vuoto: compilalo."
    );
    assert_eq!(contact_field(&error), "Mobile");
}

/// Every message in an error chain, outermost first.
fn chain(error: &(dyn std::error::Error + 'static)) -> Vec<String> {
    let mut messages = vec![error.to_string()];
    let mut next = error.source();
    while let Some(source) = next {
        messages.push(source.to_string());
        next = source.source();
    }
    messages
}

/// An error chain prints each message once (R30): an error whose message already says what
/// its cause says does not also give the cause as `source()`, or a service that logs the
/// chain would print it twice. Checked over every error the crate can nest one in (a
/// policy's part refused) and every input error.
#[test]
fn r30_no_error_message_repeats_its_source() {
    let mut errors: Vec<Box<dyn std::error::Error>> = vec![
        Box::new(PolicyError::HashCost {
            field: "hash_cost",
            reason: HashCost::new(8, u32::MAX, 1).unwrap_err(),
        }),
        Box::new(PolicyError::Lockout {
            field: "lockout",
            reason: Lockout::new(vec![1, 3_601], 10).unwrap_err(),
        }),
        Box::new(PolicyError::Catalogue {
            reason: Catalogue::standard()
                .accept_first_half("no-such-service")
                .unwrap_err(),
        }),
        Box::new(CodiceFiscaleError::WrongLength { found: 15 }),
        Box::new(EnteredPin::parse("0").unwrap_err()),
        Box::new(Email::parse("").unwrap_err()),
    ];
    // What loading a policy file reports: the part's reason, once.
    let loaded = serde_json::from_value::<Policy>(serde_json::json!({
        "lockout": { "delays_secs": [1, 3_601], "block_after": 10 }
    }))
    .unwrap_err();
    assert_eq!(
        loaded.to_string().matches("at most 3600 s").count(),
        1,
        "{loaded}"
    );
    errors.push(Box::new(loaded));

    for error in &errors {
        let messages = chain(error.as_ref());
        for pair in messages.windows(2) {
            assert!(
                !pair[0].contains(&pair[1]),
                "{:?} repeats its source {:?}",
                pair[0],
                pair[1]
            );
        }
        // The message that stands alone says what was wrong: a nested reason is in it.
        assert!(!messages[0].is_empty());
    }
    // The nested reasons are in the message, since no source() gives them again.
    let lockout = errors[1].to_string();
    assert!(
        lockout.starts_with("policy field `lockout`: ") && lockout.contains("at most 3600 s"),
        "{lockout}"
    );
    assert!(errors[1].source().is_none());
}
