//! The person and their contacts: R1 (the data a PIN request collects), R2 (the role) and R4
//! (contacts and residence validated so that a delivery cannot silently go nowhere).

mod common;

use common::proptest_config;
use inps_pin::{
    Address, CodiceFiscale, ContactError, Email, LandlineNumber, MobileNumber, Person, PersonName,
    PhoneKind, PostalCode, Province, Role,
};
use proptest::prelude::*;

/// The field an error is about, by name.
///
/// `ContactField` is compared through its `Debug` form so that these tests do not depend on
/// how the crate root re-exports it.
fn field(error: &ContactError) -> String {
    format!("{:?}", error.field())
}

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
// R1: names
// ---------------------------------------------------------------------------------------------

#[test]
fn r1_name_accepts_italian_names() {
    for name in [
        "Mario",
        "Niccolò",
        "D'Amico",
        "D’Amico",
        "De Luca",
        "Rossi-Bianchi",
        "Anna Maria",
        "G. B.",
        "Çelik",
        "Ñúñez",
    ] {
        assert_eq!(PersonName::parse(name).unwrap().as_str(), name, "{name}");
    }
}

#[test]
fn r1_name_accepts_decomposed_accents() {
    // "Niccolò" typed with a combining grave accent after the "o".
    let decomposed = "Niccolo\u{0300}";
    assert_eq!(PersonName::parse(decomposed).unwrap().as_str(), decomposed);
}

#[test]
fn r1_name_rejects_a_combining_mark_not_after_a_letter() {
    let error = PersonName::parse("\u{0300}Anna").unwrap_err();
    assert!(matches!(
        error,
        ContactError::InvalidCharacter {
            character: '\u{0300}',
            position: 1,
            ..
        }
    ));
    assert_eq!(field(&error), "Name");
    let error = PersonName::parse("Anna -\u{0300}").unwrap_err();
    assert!(matches!(
        error,
        ContactError::InvalidCharacter {
            character: '\u{0300}',
            position: 7,
            ..
        }
    ));
}

#[test]
fn r1_name_trims_and_collapses_whitespace() {
    let name = PersonName::parse("  Anna \t\n  Maria  ").unwrap();
    assert_eq!(name.as_str(), "Anna Maria");
    assert_eq!(name.to_string(), "Anna Maria");
    assert_eq!(name, PersonName::parse("Anna Maria").unwrap());
}

#[test]
fn r1_name_rejects_empty() {
    for input in ["", "   ", "\t\n"] {
        let error = PersonName::parse(input).unwrap_err();
        assert!(matches!(error, ContactError::Empty { .. }), "{input:?}");
        assert_eq!(field(&error), "Name");
        assert_eq!(error.to_string(), "the name is empty: enter it");
    }
}

#[test]
fn r1_name_rejects_digits_and_symbols_with_their_position() {
    let error = PersonName::parse("Mario1").unwrap_err();
    assert!(matches!(
        error,
        ContactError::InvalidCharacter {
            character: '1',
            position: 6,
            ..
        }
    ));
    assert_eq!(field(&error), "Name");
    assert_eq!(
        error.to_string(),
        "the name contains '1' at position 6, which is not allowed there: remove or replace it"
    );
    // The position counts from the first character after trimming.
    assert!(matches!(
        PersonName::parse("  Ma@rio").unwrap_err(),
        ContactError::InvalidCharacter {
            character: '@',
            position: 3,
            ..
        }
    ));
    for input in ["Mario_Rossi", "Mario,", "Rossi!", "😀", "Mario\u{0}"] {
        assert!(
            matches!(
                PersonName::parse(input),
                Err(ContactError::InvalidCharacter { .. })
            ),
            "{input:?}"
        );
    }
}

#[test]
fn r1_name_is_at_most_64_characters() {
    let longest = "à".repeat(64);
    assert_eq!(PersonName::parse(&longest).unwrap().as_str(), longest);
    let error = PersonName::parse(&"a".repeat(65)).unwrap_err();
    assert!(matches!(
        error,
        ContactError::TooLong {
            max: 64,
            found: 65,
            ..
        }
    ));
    assert_eq!(field(&error), "Name");
    assert_eq!(
        error.to_string(),
        "the name is too long (65 characters, at most 64): shorten it, for example with the \
         usual abbreviations"
    );
    // Length is counted after collapsing whitespace.
    let spaced = format!("{} {}", "a".repeat(30), "b".repeat(30));
    let padded = spaced.replace(' ', "          ");
    assert_eq!(PersonName::parse(&padded).unwrap().as_str(), spaced);
}

#[test]
fn r1_name_needs_a_letter() {
    for input in ["-", "' .", "..."] {
        let error = PersonName::parse(input).unwrap_err();
        assert!(matches!(error, ContactError::NoLetter { .. }), "{input:?}");
        assert_eq!(field(&error), "Name");
        assert_eq!(
            error.to_string(),
            "the name contains no letter: write it out in letters, like Anna Maria"
        );
    }
}

#[test]
fn r1_name_from_str_and_try_from_agree_with_parse() {
    let parsed = PersonName::parse(" De  Luca ").unwrap();
    assert_eq!(" De  Luca ".parse::<PersonName>().unwrap(), parsed);
    assert_eq!(PersonName::try_from(" De  Luca ").unwrap(), parsed);
    assert_eq!(
        PersonName::try_from(" De  Luca ".to_owned()).unwrap(),
        parsed
    );
    assert_eq!(String::from(parsed.clone()), "De Luca");
    assert_eq!(parsed.as_ref(), "De Luca");
}

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
    assert_eq!(field(&error), "Email");
    assert_eq!(error.to_string(), "the e-mail address is empty: enter it");
}

#[test]
fn r4_email_needs_exactly_one_at() {
    let error = Email::parse("mario.rossi.example.it").unwrap_err();
    assert_eq!(error, ContactError::EmailMissingAt);
    assert_eq!(field(&error), "Email");
    assert_eq!(
        error.to_string(),
        "the e-mail address has no '@': enter the whole address, like name@example.it"
    );
    let error = Email::parse("mario@rossi@example.it").unwrap_err();
    assert_eq!(error, ContactError::EmailTooManyAt { found: 2 });
    assert_eq!(field(&error), "Email");
    assert_eq!(
        error.to_string(),
        "the e-mail address has 2 '@' signs but must have exactly one: enter a single address"
    );
}

#[test]
fn r4_email_local_part_rules() {
    let error = Email::parse("@example.it").unwrap_err();
    assert!(matches!(error, ContactError::Empty { .. }));
    assert_eq!(field(&error), "EmailLocalPart");
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
    assert_eq!(field(&error), "EmailLocalPart");
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
    assert_eq!(field(&error), "EmailLocalPart");

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
        assert_eq!(field(&error), "EmailLocalPart");
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
    assert_eq!(field(&error), "EmailDomain");

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
    assert_eq!(field(&error), "EmailDomain");
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
        assert_eq!(field(&error), "EmailDomain");
    }

    let error = Email::parse("mario@localhost").unwrap_err();
    assert_eq!(error, ContactError::EmailDomainWithoutDot);
    assert_eq!(field(&error), "EmailDomain");
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
        assert_eq!(field(&error), "EmailDomain");
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
    assert_eq!(field(&error), "EmailDomain");
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
    assert_eq!(field(&error), "Email");
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
// R4: phone numbers
// ---------------------------------------------------------------------------------------------

#[test]
fn r4_mobile_accepts_separators_and_prefixes() {
    for input in [
        "3331234567",
        " 333 1234567 ",
        "333 123 4567",
        "333-123.45.67",
        "(333) 123/4567",
        "+39 333 1234567",
        "+393331234567",
        "0039 333 1234567",
        "(+39) 333-1234567",
        "+39\u{a0}333\t1234567",
    ] {
        let mobile = MobileNumber::parse(input).unwrap();
        assert_eq!(mobile.as_str(), "+393331234567", "{input:?}");
        assert_eq!(mobile.national(), "3331234567");
        assert_eq!(mobile.to_string(), "+393331234567");
    }
    // Nine digits: older mobile numbers.
    let mobile = MobileNumber::parse("333 123456").unwrap();
    assert_eq!(mobile.as_str(), "+39333123456");
    assert_eq!(mobile.national(), "333123456");
    // A national number that itself starts with 39 is not mistaken for the country code.
    assert_eq!(
        MobileNumber::parse("393 1234567").unwrap().as_str(),
        "+393931234567"
    );
}

#[test]
fn r4_mobile_rejects_empty() {
    for input in ["", "  ", "+39", "0039", "( ) -", "+"] {
        let error = MobileNumber::parse(input).unwrap_err();
        assert!(matches!(error, ContactError::Empty { .. }), "{input:?}");
        assert_eq!(field(&error), "Mobile");
        assert_eq!(error.to_string(), "the mobile number is empty: enter it");
    }
}

#[test]
fn r4_mobile_rejects_other_characters() {
    let error = MobileNumber::parse("333 12a4567").unwrap_err();
    assert!(matches!(
        error,
        ContactError::InvalidCharacter {
            character: 'a',
            position: 7,
            ..
        }
    ));
    assert_eq!(field(&error), "Mobile");
    assert_eq!(
        error.to_string(),
        "the mobile number contains 'a' at position 7, which is not allowed there: remove or \
         replace it"
    );
    // A '+' only introduces the country code, before every digit.
    assert!(matches!(
        MobileNumber::parse("333+1234567"),
        Err(ContactError::InvalidCharacter {
            character: '+',
            position: 4,
            ..
        })
    ));
    assert!(matches!(
        MobileNumber::parse("++393331234567"),
        Err(ContactError::InvalidCharacter {
            character: '+',
            position: 2,
            ..
        })
    ));
    assert!(matches!(
        MobileNumber::parse("3331234567#"),
        Err(ContactError::InvalidCharacter { .. })
    ));
}

#[test]
fn r4_mobile_rejects_foreign_numbers() {
    for input in ["+44 7700 900123", "0044 7700 900123", "+1 555 0100"] {
        let error = MobileNumber::parse(input).unwrap_err();
        assert!(
            matches!(error, ContactError::ForeignNumber { .. }),
            "{input:?}"
        );
        assert_eq!(field(&error), "Mobile");
        assert_eq!(
            error.to_string(),
            "the mobile number is not an Italian number: enter it without a prefix, or with +39 \
             or 0039"
        );
    }
}

#[test]
fn r4_mobile_that_looks_like_a_landline_is_a_clear_error() {
    for input in ["06 1234567", "+39 06 1234567", "0039 02 12345678"] {
        let error = MobileNumber::parse(input).unwrap_err();
        assert_eq!(error, ContactError::MobileLooksLikeLandline, "{input:?}");
        assert_eq!(field(&error), "Mobile");
        assert_eq!(
            error.to_string(),
            "the mobile number starts with 0, so it looks like a landline: enter a mobile number \
             (they start with 3), or give this one as a landline"
        );
    }
}

#[test]
fn r4_mobile_rejects_other_leading_digits() {
    let error = MobileNumber::parse("800 123456").unwrap_err();
    assert!(matches!(
        error,
        ContactError::WrongLeadingDigit {
            found: '8',
            expected: '3',
            ..
        }
    ));
    assert_eq!(field(&error), "Mobile");
    assert_eq!(
        error.to_string(),
        "the mobile number starts with '8' but must start with '3': check the number"
    );
}

#[test]
fn r4_mobile_has_9_or_10_digits() {
    for (input, found) in [
        ("333 12345", 8),
        ("333 12345678", 11),
        ("+39 39 3331234567", 12),
    ] {
        let error = MobileNumber::parse(input).unwrap_err();
        assert!(
            matches!(
                error,
                ContactError::WrongDigitCount { found: f, min: 9, max: 10, .. } if f == found
            ),
            "{input:?}: {error:?}"
        );
        assert_eq!(field(&error), "Mobile");
    }
    assert_eq!(
        MobileNumber::parse("333 12345").unwrap_err().to_string(),
        "the mobile number has 8 digits but must have 9 to 10, not counting the +39 prefix: \
         check that no digit is missing or repeated"
    );
}

#[test]
fn r4_landline_accepts_separators_and_prefixes() {
    for input in [
        "06 1234567",
        "061234567",
        "06-123.45.67",
        "(06) 1234567",
        "06/1234567",
        "+39 06 1234567",
        "+39061234567",
        "0039 06 1234567",
    ] {
        let landline = LandlineNumber::parse(input).unwrap();
        assert_eq!(landline.as_str(), "+39061234567", "{input:?}");
        assert_eq!(landline.national(), "061234567");
        assert_eq!(landline.to_string(), "+39061234567");
    }
    assert_eq!(
        LandlineNumber::parse("010 123").unwrap().as_str(),
        "+39010123"
    );
    assert_eq!(
        LandlineNumber::parse("0123 4567890").unwrap().as_str(),
        "+3901234567890"
    );
}

#[test]
fn r4_landline_rejections() {
    let error = LandlineNumber::parse("").unwrap_err();
    assert!(matches!(error, ContactError::Empty { .. }));
    assert_eq!(field(&error), "Landline");
    assert_eq!(error.to_string(), "the landline number is empty: enter it");

    let error = LandlineNumber::parse("06 123x567").unwrap_err();
    assert!(matches!(
        error,
        ContactError::InvalidCharacter {
            character: 'x',
            position: 7,
            ..
        }
    ));
    assert_eq!(field(&error), "Landline");

    let error = LandlineNumber::parse("+33 1 23 45 67 89").unwrap_err();
    assert!(matches!(error, ContactError::ForeignNumber { .. }));
    assert_eq!(field(&error), "Landline");
    assert_eq!(
        error.to_string(),
        "the landline number is not an Italian number: enter it without a prefix, or with +39 \
         or 0039"
    );

    for input in ["333 1234567", "+39 333 1234567"] {
        let error = LandlineNumber::parse(input).unwrap_err();
        assert_eq!(error, ContactError::LandlineLooksLikeMobile, "{input:?}");
        assert_eq!(field(&error), "Landline");
        assert_eq!(
            error.to_string(),
            "the landline number starts with 3, so it looks like a mobile: enter a fixed-line \
             number (they start with 0), or give this one as a mobile"
        );
    }

    for input in ["+39 00 1234567", "0039 0012345"] {
        let error = LandlineNumber::parse(input).unwrap_err();
        assert_eq!(error, ContactError::LandlineWithoutAreaCode, "{input:?}");
        assert_eq!(field(&error), "Landline");
        assert_eq!(
            error.to_string(),
            "the landline number starts with 00, and no Italian area code does: enter it with \
             its area code, like 06 1234567"
        );
    }

    let error = LandlineNumber::parse("803 164").unwrap_err();
    assert!(matches!(
        error,
        ContactError::WrongLeadingDigit {
            found: '8',
            expected: '0',
            ..
        }
    ));
    assert_eq!(field(&error), "Landline");
    assert_eq!(
        error.to_string(),
        "the landline number starts with '8' but must start with '0': check the number"
    );

    for (input, found) in [("06 123", 5), ("06 1234567890", 12)] {
        let error = LandlineNumber::parse(input).unwrap_err();
        assert!(
            matches!(
                error,
                ContactError::WrongDigitCount { found: f, min: 6, max: 11, .. } if f == found
            ),
            "{input:?}: {error:?}"
        );
        assert_eq!(field(&error), "Landline");
    }
}

// ---------------------------------------------------------------------------------------------
// R4: residence address
// ---------------------------------------------------------------------------------------------

#[test]
fn r4_postal_code_is_five_digits() {
    assert_eq!(PostalCode::parse(" 00184 ").unwrap().as_str(), "00184");
    assert_eq!(PostalCode::parse("20121").unwrap().to_string(), "20121");

    let error = PostalCode::parse(" ").unwrap_err();
    assert!(matches!(error, ContactError::Empty { .. }));
    assert_eq!(field(&error), "PostalCode");
    assert_eq!(
        error.to_string(),
        "the postal code (CAP) is empty: enter it"
    );

    for (input, found) in [("184", 3), ("001845", 6), ("00 184", 6)] {
        let error = PostalCode::parse(input).unwrap_err();
        assert!(
            matches!(
                error,
                ContactError::WrongLength { expected: 5, found: f, .. } if f == found
            ),
            "{input:?}"
        );
        assert_eq!(field(&error), "PostalCode");
    }
    assert_eq!(
        PostalCode::parse("184").unwrap_err().to_string(),
        "the postal code (CAP) has 3 characters but must have exactly 5: enter it like 00184"
    );

    let error = PostalCode::parse("00l84").unwrap_err();
    assert!(matches!(
        error,
        ContactError::InvalidCharacter {
            character: 'l',
            position: 3,
            ..
        }
    ));
    assert_eq!(field(&error), "PostalCode");
    // Digits of other scripts are not ASCII digits.
    assert!(matches!(
        PostalCode::parse("٠٠١٨٤"),
        Err(ContactError::InvalidCharacter { position: 1, .. })
    ));
}

#[test]
fn r4_province_is_two_letters_upper_cased() {
    assert_eq!(Province::parse("rm").unwrap().as_str(), "RM");
    assert_eq!(Province::parse(" Mi ").unwrap().to_string(), "MI");
    assert_eq!(
        Province::parse("bz").unwrap(),
        Province::parse("BZ").unwrap()
    );

    let error = Province::parse("").unwrap_err();
    assert!(matches!(error, ContactError::Empty { .. }));
    assert_eq!(field(&error), "Province");

    let error = Province::parse("Roma").unwrap_err();
    assert!(matches!(
        error,
        ContactError::WrongLength {
            expected: 2,
            found: 4,
            ..
        }
    ));
    assert_eq!(field(&error), "Province");
    assert_eq!(
        error.to_string(),
        "the province has 4 characters but must have exactly 2: enter it like RM"
    );

    let error = Province::parse("R1").unwrap_err();
    assert!(matches!(
        error,
        ContactError::InvalidCharacter {
            character: '1',
            position: 2,
            ..
        }
    ));
    assert_eq!(field(&error), "Province");
    assert!(matches!(
        Province::parse("ÀB"),
        Err(ContactError::InvalidCharacter {
            character: 'À',
            position: 1,
            ..
        })
    ));
}

#[test]
fn r4_address_accepts_and_displays() {
    let address = Address::new("  Via   Roma  1 ", " 00184", " Roma ", "rm").unwrap();
    assert_eq!(address.street(), "Via Roma 1");
    assert_eq!(address.postal_code().as_str(), "00184");
    assert_eq!(address.municipality(), "Roma");
    assert_eq!(address.province().as_str(), "RM");
    assert_eq!(address.to_string(), "Via Roma 1, 00184 Roma (RM)");

    for street in [
        "Piazza S. Maria 3/A",
        "Corso Italia, n° 5",
        "Via XX Settembre 12 (scala B)",
        "Via dell'Olmo 7",
        "Località Pian dell’Alpe snc",
        "Contrada Vallone, SNC",
        "Via \"Il Gelso\" 4",
    ] {
        assert_eq!(
            Address::new(street, "00184", "Roma", "RM")
                .unwrap()
                .street(),
            street
        );
    }
    for municipality in [
        "Reggio nell'Emilia",
        "Bolzano/Bozen",
        "Forlì",
        "Pré-Saint-Didier",
        "Sant’Angelo",
        "S. Giovanni",
        "Vo",
    ] {
        assert_eq!(
            Address::new("Via Roma 1", "00184", municipality, "RM")
                .unwrap()
                .municipality(),
            municipality
        );
    }
}

#[test]
fn r4_street_rejections() {
    let error = Address::new(" ", "00184", "Roma", "RM").unwrap_err();
    assert!(matches!(error, ContactError::Empty { .. }));
    assert_eq!(field(&error), "Street");
    assert_eq!(
        error.to_string(),
        "the street and civic number is empty: enter it"
    );

    let error = Address::new("V1", "00184", "Roma", "RM").unwrap_err();
    assert!(matches!(
        error,
        ContactError::TooShort {
            min: 3,
            found: 2,
            ..
        }
    ));
    assert_eq!(field(&error), "Street");
    assert_eq!(
        error.to_string(),
        "the street and civic number is too short (2 characters, at least 3): enter it in full, \
         like Via Roma 1"
    );

    let longest = format!("Via {} 1", "a".repeat(94));
    assert_eq!(longest.chars().count(), 100);
    assert!(Address::new(&longest, "00184", "Roma", "RM").is_ok());
    let error =
        Address::new(&format!("Via {} 1", "a".repeat(95)), "00184", "Roma", "RM").unwrap_err();
    assert!(matches!(
        error,
        ContactError::TooLong {
            max: 100,
            found: 101,
            ..
        }
    ));
    assert_eq!(field(&error), "Street");

    let error = Address::new("Via Roma #1", "00184", "Roma", "RM").unwrap_err();
    assert!(matches!(
        error,
        ContactError::InvalidCharacter {
            character: '#',
            position: 10,
            ..
        }
    ));
    assert_eq!(field(&error), "Street");
    for street in ["Via Roma 1 ✉", "Via Roma 1\u{7}", "Via Roma ١"] {
        assert!(
            matches!(
                Address::new(street, "00184", "Roma", "RM"),
                Err(ContactError::InvalidCharacter { .. })
            ),
            "{street:?}"
        );
    }

    let error = Address::new("12/3", "00184", "Roma", "RM").unwrap_err();
    assert!(matches!(error, ContactError::NoLetter { .. }));
    assert_eq!(field(&error), "Street");
    assert_eq!(
        error.to_string(),
        "the street and civic number contains no letter: write it out in letters, like Via Roma 1"
    );
}

#[test]
fn r4_street_needs_a_civic_number_or_snc() {
    for street in ["Via Roma", "Via Sncaldo", "Piazza Duomo s.n."] {
        let error = Address::new(street, "00184", "Roma", "RM").unwrap_err();
        assert_eq!(error, ContactError::MissingCivicNumber, "{street:?}");
        assert_eq!(field(&error), "Street");
        assert_eq!(
            error.to_string(),
            "the street has no civic number: add the building number (or \"snc\" if the building \
             has none), so that a sealed envelope can be delivered"
        );
    }
    for street in [
        "Via Roma snc",
        "Via Roma SNC",
        "Via Roma, snc",
        "Via Roma snc.",
    ] {
        assert!(
            Address::new(street, "00184", "Roma", "RM").is_ok(),
            "{street:?}"
        );
    }
}

#[test]
fn r4_municipality_rejections() {
    let error = Address::new("Via Roma 1", "00184", "", "RM").unwrap_err();
    assert!(matches!(error, ContactError::Empty { .. }));
    assert_eq!(field(&error), "Municipality");
    assert_eq!(error.to_string(), "the municipality is empty: enter it");

    assert!(Address::new("Via Roma 1", "00184", &"a".repeat(60), "RM").is_ok());
    let error = Address::new("Via Roma 1", "00184", &"a".repeat(61), "RM").unwrap_err();
    assert!(matches!(
        error,
        ContactError::TooLong {
            max: 60,
            found: 61,
            ..
        }
    ));
    assert_eq!(field(&error), "Municipality");

    let error = Address::new("Via Roma 1", "00184", "Roma 1", "RM").unwrap_err();
    assert!(matches!(
        error,
        ContactError::InvalidCharacter {
            character: '1',
            position: 6,
            ..
        }
    ));
    assert_eq!(field(&error), "Municipality");

    let error = Address::new("Via Roma 1", "00184", "- / -", "RM").unwrap_err();
    assert!(matches!(error, ContactError::NoLetter { .. }));
    assert_eq!(field(&error), "Municipality");
}

#[test]
fn r4_address_checks_parts_in_argument_order() {
    assert_eq!(
        field(&Address::new("Via Roma", "1", "", "Roma").unwrap_err()),
        "Street"
    );
    assert_eq!(
        field(&Address::new("Via Roma 1", "1", "", "Roma").unwrap_err()),
        "PostalCode"
    );
    assert_eq!(
        field(&Address::new("Via Roma 1", "00184", "", "Roma").unwrap_err()),
        "Municipality"
    );
    assert_eq!(
        field(&Address::new("Via Roma 1", "00184", "Roma", "Roma").unwrap_err()),
        "Province"
    );
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
