//! Mobile and landline numbers (R4): where an SMS can go, and which Contact Center number a
//! caller dials.

mod common;

use common::contact_field;
use inps_pin::{ContactError, LandlineNumber, MobileNumber};

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
        assert_eq!(contact_field(&error), "Mobile");
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
    assert_eq!(contact_field(&error), "Mobile");
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
        assert_eq!(contact_field(&error), "Mobile");
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
        assert_eq!(contact_field(&error), "Mobile");
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
    assert_eq!(contact_field(&error), "Mobile");
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
        assert_eq!(contact_field(&error), "Mobile");
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
    assert_eq!(contact_field(&error), "Landline");
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
    assert_eq!(contact_field(&error), "Landline");

    let error = LandlineNumber::parse("+33 1 23 45 67 89").unwrap_err();
    assert!(matches!(error, ContactError::ForeignNumber { .. }));
    assert_eq!(contact_field(&error), "Landline");
    assert_eq!(
        error.to_string(),
        "the landline number is not an Italian number: enter it without a prefix, or with +39 \
         or 0039"
    );

    for input in ["333 1234567", "+39 333 1234567"] {
        let error = LandlineNumber::parse(input).unwrap_err();
        assert_eq!(error, ContactError::LandlineLooksLikeMobile, "{input:?}");
        assert_eq!(contact_field(&error), "Landline");
        assert_eq!(
            error.to_string(),
            "the landline number starts with 3, so it looks like a mobile: enter a fixed-line \
             number (they start with 0), or give this one as a mobile"
        );
    }

    for input in ["+39 00 1234567", "0039 0012345"] {
        let error = LandlineNumber::parse(input).unwrap_err();
        assert_eq!(error, ContactError::LandlineWithoutAreaCode, "{input:?}");
        assert_eq!(contact_field(&error), "Landline");
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
    assert_eq!(contact_field(&error), "Landline");
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
        assert_eq!(contact_field(&error), "Landline");
    }
}
