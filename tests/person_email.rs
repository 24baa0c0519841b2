//! E-mail addresses (R4): where the first half of a PIN can go, validated so that a delivery
//! cannot silently go nowhere.

mod common;

use common::contact_field;
use inps_pin::{ContactError, Email};

// ---------------------------------------------------------------------------------------------
// R4: e-mail
// ---------------------------------------------------------------------------------------------

#[test]
fn r4_email_accepts_and_normalises() {
    let cases = [
        ("mario.rossi@example.it", "mario.rossi@example.it"),
        ("  Mario.Rossi@Example.IT ", "Mario.Rossi@example.it"),
        ("m+pin@mail.example.com", "m+pin@mail.example.com"),
        (
            "a!#$%&'*+/=?^_`{|}~-z@sub-domain.example.it",
            "a!#$%&'*+/=?^_`{|}~-z@sub-domain.example.it",
        ),
        ("x@a1.b2.museum", "x@a1.b2.museum"),
        ("x@123.example.it", "x@123.example.it"),
    ];
    for (input, normalised) in cases {
        let email = Email::parse(input).unwrap();
        assert_eq!(email.as_str(), normalised, "{input:?}");
        assert_eq!(email.to_string(), normalised);
    }
}

#[test]
fn r4_email_rejects_empty() {
    let error = Email::parse("  ").unwrap_err();
    assert!(matches!(error, ContactError::Empty { .. }));
    assert_eq!(contact_field(&error), "Email");
    assert_eq!(error.to_string(), "the e-mail address is empty: enter it");
}

#[test]
fn r4_email_needs_exactly_one_at() {
    let error = Email::parse("mario.rossi.example.it").unwrap_err();
    assert_eq!(error, ContactError::EmailMissingAt);
    assert_eq!(contact_field(&error), "Email");
    assert_eq!(
        error.to_string(),
        "the e-mail address has no '@': enter the whole address, like name@example.it"
    );
    let error = Email::parse("mario@rossi@example.it").unwrap_err();
    assert_eq!(error, ContactError::EmailTooManyAt { found: 2 });
    assert_eq!(contact_field(&error), "Email");
    assert_eq!(
        error.to_string(),
        "the e-mail address has 2 '@' signs but must have exactly one: enter a single address"
    );
}

#[test]
fn r4_email_local_part_rules() {
    let error = Email::parse("@example.it").unwrap_err();
    assert!(matches!(error, ContactError::Empty { .. }));
    assert_eq!(contact_field(&error), "EmailLocalPart");
    assert_eq!(
        error.to_string(),
        "the part of the e-mail address before '@' is empty: enter it"
    );

    let error = Email::parse("mario rossi@example.it").unwrap_err();
    assert!(matches!(
        error,
        ContactError::InvalidCharacter {
            character: ' ',
            position: 6,
            ..
        }
    ));
    assert_eq!(contact_field(&error), "EmailLocalPart");
    for input in [
        "màrio@example.it",
        "\"mario\"@example.it",
        "ma(rio)@example.it",
    ] {
        assert!(
            matches!(
                Email::parse(input),
                Err(ContactError::InvalidCharacter { .. })
            ),
            "{input:?}"
        );
    }

    let longest = format!("{}@example.it", "a".repeat(64));
    assert!(Email::parse(&longest).is_ok());
    let error = Email::parse(&format!("{}@example.it", "a".repeat(65))).unwrap_err();
    assert!(matches!(
        error,
        ContactError::TooLong {
            max: 64,
            found: 65,
            ..
        }
    ));
    assert_eq!(contact_field(&error), "EmailLocalPart");

    for input in [
        ".mario@example.it",
        "mario.@example.it",
        "mario..rossi@example.it",
    ] {
        let error = Email::parse(input).unwrap_err();
        assert!(
            matches!(error, ContactError::EmailMisplacedDot { .. }),
            "{input:?}"
        );
        assert_eq!(contact_field(&error), "EmailLocalPart");
        assert_eq!(
            error.to_string(),
            "the part of the e-mail address before '@' starts or ends with a dot, or has two \
             dots in a row: check the address for typos"
        );
    }
}

#[test]
fn r4_email_domain_rules() {
    let error = Email::parse("mario@").unwrap_err();
    assert!(matches!(error, ContactError::Empty { .. }));
    assert_eq!(contact_field(&error), "EmailDomain");

    // Positions in the domain count from the start of the whole address.
    let error = Email::parse("mario@exa_mple.it").unwrap_err();
    assert!(matches!(
        error,
        ContactError::InvalidCharacter {
            character: '_',
            position: 10,
            ..
        }
    ));
    assert_eq!(contact_field(&error), "EmailDomain");
    assert_eq!(
        error.to_string(),
        "the domain of the e-mail address (after '@') contains '_' at position 10, which is not \
         allowed there: remove or replace it"
    );
    assert!(matches!(
        Email::parse("mario@esempìo.it"),
        Err(ContactError::InvalidCharacter {
            character: 'ì',
            position: 12,
            ..
        })
    ));

    for input in [
        "mario@.example.it",
        "mario@example..it",
        "mario@example.it.",
    ] {
        let error = Email::parse(input).unwrap_err();
        assert!(
            matches!(error, ContactError::EmailMisplacedDot { .. }),
            "{input:?}"
        );
        assert_eq!(contact_field(&error), "EmailDomain");
    }

    let error = Email::parse("mario@localhost").unwrap_err();
    assert_eq!(error, ContactError::EmailDomainWithoutDot);
    assert_eq!(contact_field(&error), "EmailDomain");
    assert_eq!(
        error.to_string(),
        "the domain of the e-mail address has no dot: enter the full domain after '@', like \
         example.it"
    );

    let label = "a".repeat(63);
    assert!(Email::parse(&format!("mario@{label}.it")).is_ok());
    let error = Email::parse(&format!("mario@{label}b.it")).unwrap_err();
    assert_eq!(
        error,
        ContactError::EmailDomainLabelTooLong { max: 63, found: 64 }
    );
    assert_eq!(
        error.to_string(),
        "a part of the e-mail domain between dots is too long (64 characters, at most 63): \
         check the address for typos"
    );

    for input in [
        "mario@-example.it",
        "mario@example-.it",
        "mario@example.it-",
    ] {
        let error = Email::parse(input).unwrap_err();
        assert_eq!(error, ContactError::EmailDomainLabelHyphen, "{input:?}");
        assert_eq!(contact_field(&error), "EmailDomain");
    }

    for input in ["mario@example.i", "mario@example.12", "mario@example.i7"] {
        let error = Email::parse(input).unwrap_err();
        assert_eq!(error, ContactError::EmailTopLevelDomain, "{input:?}");
        assert_eq!(
            error.to_string(),
            "the e-mail domain does not end with a top-level domain of at least two letters \
             (like .it or .com): check the end of the address"
        );
    }

    // 4 labels of 63 plus 3 dots is 255 characters, over the 253 a domain may have.
    let domain = [label.as_str(); 4].join(".");
    let error = Email::parse(&format!("m@{domain}")).unwrap_err();
    assert!(matches!(
        error,
        ContactError::TooLong {
            max: 253,
            found: 255,
            ..
        }
    ));
    assert_eq!(contact_field(&error), "EmailDomain");
}

#[test]
fn r4_email_is_at_most_254_characters() {
    // Local part and domain are each within their limits; together they are not.
    let local = "l".repeat(64);
    let domain = format!(
        "{}.{}.{}.it",
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(60)
    );
    let error = Email::parse(&format!("{local}@{domain}")).unwrap_err();
    assert!(matches!(
        error,
        ContactError::TooLong {
            max: 254,
            found: 256,
            ..
        }
    ));
    assert_eq!(contact_field(&error), "Email");
    assert_eq!(
        error.to_string(),
        "the e-mail address is too long (256 characters, at most 254): shorten it, for example \
         with the usual abbreviations"
    );
    let domain = format!(
        "{}.{}.{}.it",
        "a".repeat(63),
        "b".repeat(63),
        "c".repeat(58)
    );
    assert_eq!(
        Email::parse(&format!("{local}@{domain}"))
            .unwrap()
            .as_str()
            .len(),
        254
    );
}
