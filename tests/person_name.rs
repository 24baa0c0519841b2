//! First names and surnames (R1): what a name may hold, and how it is normalised.

mod common;

use common::contact_field;
use inps_pin::{ContactError, PersonName};

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
    assert_eq!(contact_field(&error), "Name");
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
        assert_eq!(contact_field(&error), "Name");
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
    assert_eq!(contact_field(&error), "Name");
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
    assert_eq!(contact_field(&error), "Name");
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
        assert_eq!(contact_field(&error), "Name");
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
