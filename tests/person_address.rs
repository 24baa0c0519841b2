//! The residence address (R4): where the sealed envelope with the second half is posted, so
//! it needs a postal code, a province and a civic number.

mod common;

use common::contact_field;
use inps_pin::{Address, ContactError, PostalCode, Province};

// ---------------------------------------------------------------------------------------------
// R4: residence address
// ---------------------------------------------------------------------------------------------

#[test]
fn r4_postal_code_is_five_digits() {
    assert_eq!(PostalCode::parse(" 00184 ").unwrap().as_str(), "00184");
    assert_eq!(PostalCode::parse("20121").unwrap().to_string(), "20121");

    let error = PostalCode::parse(" ").unwrap_err();
    assert!(matches!(error, ContactError::Empty { .. }));
    assert_eq!(contact_field(&error), "PostalCode");
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
        assert_eq!(contact_field(&error), "PostalCode");
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
    assert_eq!(contact_field(&error), "PostalCode");
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
    assert_eq!(contact_field(&error), "Province");

    let error = Province::parse("Roma").unwrap_err();
    assert!(matches!(
        error,
        ContactError::WrongLength {
            expected: 2,
            found: 4,
            ..
        }
    ));
    assert_eq!(contact_field(&error), "Province");
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
    assert_eq!(contact_field(&error), "Province");
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
    assert_eq!(contact_field(&error), "Street");
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
    assert_eq!(contact_field(&error), "Street");
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
    assert_eq!(contact_field(&error), "Street");

    let error = Address::new("Via Roma #1", "00184", "Roma", "RM").unwrap_err();
    assert!(matches!(
        error,
        ContactError::InvalidCharacter {
            character: '#',
            position: 10,
            ..
        }
    ));
    assert_eq!(contact_field(&error), "Street");
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
    assert_eq!(contact_field(&error), "Street");
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
        assert_eq!(contact_field(&error), "Street");
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
    assert_eq!(contact_field(&error), "Municipality");
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
    assert_eq!(contact_field(&error), "Municipality");

    let error = Address::new("Via Roma 1", "00184", "Roma 1", "RM").unwrap_err();
    assert!(matches!(
        error,
        ContactError::InvalidCharacter {
            character: '1',
            position: 6,
            ..
        }
    ));
    assert_eq!(contact_field(&error), "Municipality");

    let error = Address::new("Via Roma 1", "00184", "- / -", "RM").unwrap_err();
    assert!(matches!(error, ContactError::NoLetter { .. }));
    assert_eq!(contact_field(&error), "Municipality");
}

#[test]
fn r4_address_checks_parts_in_argument_order() {
    assert_eq!(
        contact_field(&Address::new("Via Roma", "1", "", "Roma").unwrap_err()),
        "Street"
    );
    assert_eq!(
        contact_field(&Address::new("Via Roma 1", "1", "", "Roma").unwrap_err()),
        "PostalCode"
    );
    assert_eq!(
        contact_field(&Address::new("Via Roma 1", "00184", "", "Roma").unwrap_err()),
        "Municipality"
    );
    assert_eq!(
        contact_field(&Address::new("Via Roma 1", "00184", "Roma", "Roma").unwrap_err()),
        "Province"
    );
}
