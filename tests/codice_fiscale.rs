//! Rule R3: the codice fiscale is parsed, never trusted.

mod common;

use std::collections::HashSet;

use common::{cf, proptest_config, with_check_character};
use inps_pin::{CodiceFiscale, CodiceFiscaleError, Sex};
use jiff::civil::date;
use proptest::prelude::*;

const KNOWN_GOOD: [&str; 4] = [
    "RSSMRA80A01H501U",
    "RCCMNL83S18D969H",
    "CCCFBA85D03L219P",
    "CCCFBA85D03L21VE",
];

const MONTH_LETTERS: &[u8; 12] = b"ABCDEHLMPRST";
const OMOCODE_LETTERS: &[u8; 10] = b"LMNPQRSTUV";
/// 0-based positions of the seven digits omocodia may replace.
const OMOCODE_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

fn days_in_month(month: usize, yy: u8) -> u8 {
    match month {
        2 if yy % 4 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

#[test]
fn r3_reference_check_agrees_with_known_good_codes() {
    for code in KNOWN_GOOD {
        assert_eq!(with_check_character(&code[..15]), code);
    }
}

#[test]
fn r3_known_good_codes_parse() {
    for code in KNOWN_GOOD {
        let parsed = cf(code);
        assert_eq!(parsed.as_str(), code);
        assert_eq!(parsed.to_string(), code);
        assert_eq!(code.parse::<CodiceFiscale>(), Ok(parsed));
    }
}

#[test]
fn r3_lower_case_spaces_and_dashes_are_accepted() {
    for input in [
        "rssmra80a01h501u",
        "rss mra 80a01 h501u",
        "RSS-MRA-80A01-H501U",
        "  RSSMRA80A01H501U  ",
        "\trss-mra 80A01--h501U\n",
        "R S S M R A 8 0 A 0 1 H 5 0 1 U",
        // Pasted from documents: no-break space and en dash.
        "RSS\u{a0}MRA\u{2013}80A01H501U",
    ] {
        assert_eq!(cf(input).as_str(), "RSSMRA80A01H501U", "input {input:?}");
    }
}

#[test]
fn r3_display_debug_and_from_str() {
    let code = cf("RSSMRA80A01H501U");
    assert_eq!(format!("{code}"), "RSSMRA80A01H501U");
    assert_eq!(format!("{code:?}"), r#"CodiceFiscale("RSSMRA80A01H501U")"#);
    assert_eq!("rss mra 80a01 h501u".parse::<CodiceFiscale>(), Ok(code));
}

#[test]
fn r3_wrong_length_counts_characters_without_separators() {
    for (input, found) in [
        ("", 0),
        ("   ", 0),
        ("RSSMRA80A01H501", 15),
        ("RSS MRA 80A01 H501", 15),
        ("RSSMRA80A01H501UU", 17),
        ("RSSMRA80A01H501U-RSSMRA80A01H501U", 32),
    ] {
        let err = CodiceFiscale::parse(input).unwrap_err();
        assert_eq!(
            err,
            CodiceFiscaleError::WrongLength { found },
            "input {input:?}"
        );
        let message = err.to_string();
        assert!(message.contains("16"), "{message}");
        assert!(message.contains(&found.to_string()), "{message}");
        assert!(message.contains("tessera sanitaria"), "{message}");
    }
}

#[test]
fn r3_unexpected_character_is_named_with_its_position() {
    assert_eq!(
        CodiceFiscale::parse("RSSMRA80A01H501È"),
        Err(CodiceFiscaleError::UnexpectedCharacter {
            found: 'È',
            position: 16
        })
    );
    // Position counts only letters and digits, not the separators.
    assert_eq!(
        CodiceFiscale::parse("RSS MRA.80A01H501U"),
        Err(CodiceFiscaleError::UnexpectedCharacter {
            found: '.',
            position: 7
        })
    );
    // Reported even if the length is also wrong.
    assert_eq!(
        CodiceFiscale::parse("RSS/"),
        Err(CodiceFiscaleError::UnexpectedCharacter {
            found: '/',
            position: 4
        })
    );
    let message = CodiceFiscale::parse("RSSMRA80A01H501€")
        .unwrap_err()
        .to_string();
    assert!(message.contains('€') && message.contains("16"), "{message}");
}

#[test]
fn r3_invalid_character_names_position_and_what_was_expected() {
    let letter = "a letter (A-Z)";
    let digit = "a digit (0-9) or an omocode letter (L M N P Q R S T U V)";
    let month = "a month letter (A B C D E H L M P R S T)";
    let check = "a letter (A-Z), the check character";
    for (input, position, found, expected) in [
        ("1SSMRA80A01H501U", 1, '1', letter),
        ("RSSMR480A01H501U", 6, '4', letter),
        ("RSSMRAA0A01H501U", 7, 'A', digit),
        ("RSSMRA8KA01H501U", 8, 'K', digit),
        ("RSSMRA80F01H501U", 9, 'F', month),
        ("RSSMRA80101H501U", 9, '1', month),
        ("RSSMRA80AW1H501U", 10, 'W', digit),
        ("RSSMRA80A0BH501U", 11, 'B', digit),
        ("RSSMRA80A012501U", 12, '2', letter),
        ("RSSMRA80A01HZ01U", 13, 'Z', digit),
        ("RSSMRA80A01H5O1U", 14, 'O', digit),
        ("RSSMRA80A01H50IU", 15, 'I', digit),
        ("RSSMRA80A01H5017", 16, '7', check),
        // Lower case is reported upper-cased, as in the normalised code.
        ("rssmra80f01h501u", 9, 'F', month),
    ] {
        let err = CodiceFiscale::parse(input).unwrap_err();
        assert_eq!(
            err,
            CodiceFiscaleError::InvalidCharacter {
                position,
                found,
                expected
            },
            "input {input}"
        );
        let message = err.to_string();
        assert!(
            message.contains(&format!("position {position}")),
            "{message}"
        );
        assert!(message.contains(expected), "{message}");
        assert!(message.contains(found), "{message}");
    }
}

#[test]
fn r3_day_out_of_range() {
    for day in ["00", "32", "40", "72", "99", "LL", "PT"] {
        let input = with_check_character(&format!("RSSMRA80A{day}H501"));
        let err = CodiceFiscale::parse(&input).unwrap_err();
        // Omocode letters are decoded: "LL" is 00, "PT" is 37.
        let expected: u8 = day
            .bytes()
            .map(|b| match b {
                b'0'..=b'9' => b - b'0',
                other => {
                    u8::try_from(OMOCODE_LETTERS.iter().position(|&l| l == other).unwrap()).unwrap()
                }
            })
            .fold(0, |acc, d| acc * 10 + d);
        assert_eq!(
            err,
            CodiceFiscaleError::DayOutOfRange { day: expected },
            "{input}"
        );
        let message = err.to_string();
        assert!(message.contains("41-71"), "{message}");
        assert!(message.contains("tessera sanitaria"), "{message}");
    }
    // The edges are accepted.
    for day in ["01", "31", "41", "71"] {
        cf(&with_check_character(&format!("RSSMRA80A{day}H501")));
    }
}

#[test]
fn r3_dates_that_do_not_exist_are_errors() {
    for (body, year_in_century, month, day) in [
        ("RSSMRA80B30H501", 80, 2, 30),  // 30 February
        ("RSSMRA80B70H501", 80, 2, 30),  // 30 February, a woman
        ("RSSMRA80D31H501", 80, 4, 31),  // 31 April
        ("RSSMRA80D71H501", 80, 4, 31),  // 31 April, a woman
        ("RSSMRA80H31H501", 80, 6, 31),  // 31 June
        ("RSSMRA80P31H501", 80, 9, 31),  // 31 September
        ("RSSMRA80S31H501", 80, 11, 31), // 31 November
        ("RSSMRA81B29H501", 81, 2, 29),  // 29 February, 81 is never a leap year
        ("RSSMRA8MB69H501", 81, 2, 29),  // the same, omocode, a woman
        ("RSSMRA02B29H501", 2, 2, 29),
    ] {
        let input = with_check_character(body);
        let err = CodiceFiscale::parse(&input).unwrap_err();
        assert_eq!(
            err,
            CodiceFiscaleError::NonexistentDate {
                year_in_century,
                month,
                day
            },
            "{input}"
        );
        assert!(err.to_string().contains("does not exist"), "{err}");
    }
    // 29 February exists when the two digits can be a leap year.
    for body in ["RSSMRA80B29H501", "RSSMRA00B69H501", "RSSMRA84B29H501"] {
        cf(&with_check_character(body));
    }
    // 31 of the long months exists.
    for month in ['A', 'C', 'E', 'L', 'M', 'R', 'T'] {
        cf(&with_check_character(&format!("RSSMRA80{month}31H501")));
    }
}

#[test]
fn r3_wrong_check_character_says_expected_and_found() {
    let err = CodiceFiscale::parse("RSSMRA80A01H501A").unwrap_err();
    assert_eq!(
        err,
        CodiceFiscaleError::WrongCheckCharacter {
            expected: 'U',
            found: 'A'
        }
    );
    let message = err.to_string();
    assert!(message.contains("should be U"), "{message}");
    assert!(message.contains("is A"), "{message}");
    assert!(message.contains("tessera sanitaria"), "{message}");
    // The omocode check character is computed over the code as written.
    assert_eq!(
        CodiceFiscale::parse("CCCFBA85D03L21VP"),
        Err(CodiceFiscaleError::WrongCheckCharacter {
            expected: 'E',
            found: 'P'
        })
    );
}

#[test]
fn r3_omocode_is_decoded_and_keeps_its_identity() {
    let omocode = cf("CCCFBA85D03L21VE");
    let base = cf("CCCFBA85D03L219P");
    assert!(omocode.is_omocode());
    assert!(!base.is_omocode());
    assert_eq!(omocode.place_code(), Some(*b"L219"));
    assert_eq!(omocode.base(), base);
    assert_eq!(base.base(), base);
    // Different people: different codes, different hashes in a set.
    assert_ne!(omocode, base);
    assert_eq!(HashSet::from([omocode, base]).len(), 2);
    assert_eq!(omocode.birth_year_in_century(), Some(85));
    assert_eq!(omocode.birth_month(), Some(4));
    assert_eq!(omocode.birth_day(), Some(3));
    assert_eq!(omocode.sex(), Some(Sex::Male));

    // Every digit position written as a letter.
    let all = cf(&with_check_character("CCCFBAURDLPLNMV"));
    assert!(all.is_omocode());
    assert_eq!(all.base(), base);
    assert_eq!(all.place_code(), Some(*b"L219"));
    assert_eq!(all.birth_date(date(2026, 11, 24)), Some(date(1985, 4, 3)));
}

#[test]
fn r3_omocode_variants_of_a_known_code() {
    let omocode = cf("CCCFBA85D03L21VE");
    let variants: Vec<CodiceFiscale> = omocode.omocode_variants().collect();
    assert_eq!(omocode.omocode_variants().len(), 128);
    assert_eq!(variants.len(), 128);
    assert_eq!(variants.first(), Some(&cf("CCCFBA85D03L219P")));
    assert!(variants.contains(&omocode));
    assert_eq!(variants.iter().collect::<HashSet<_>>().len(), 128);
    assert_eq!(variants.iter().filter(|v| !v.is_omocode()).count(), 1);
}

#[test]
fn r3_sex_and_birth_date() {
    let man = cf("RSSMRA80A01H501U");
    assert_eq!(man.sex(), Some(Sex::Male));
    assert_eq!(man.birth_year_in_century(), Some(80));
    assert_eq!(man.birth_month(), Some(1));
    assert_eq!(man.birth_day(), Some(1));
    assert_eq!(man.birth_date(date(2026, 11, 24)), Some(date(1980, 1, 1)));
    assert_eq!(man.place_code(), Some(*b"H501"));

    let woman = cf(&with_check_character("RSSMRA80A41H501"));
    assert_eq!(woman.sex(), Some(Sex::Female));
    assert_eq!(woman.birth_day(), Some(1));
    assert_eq!(woman.birth_date(date(2026, 11, 24)), Some(date(1980, 1, 1)));

    let woman = cf(&with_check_character("BNCLCU92T71F205"));
    assert_eq!(woman.sex(), Some(Sex::Female));
    assert_eq!(woman.birth_month(), Some(12));
    assert_eq!(woman.birth_day(), Some(31));
    assert_eq!(
        woman.birth_date(date(2026, 11, 24)),
        Some(date(1992, 12, 31))
    );

    let man = cf("RCCMNL83S18D969H");
    assert_eq!(man.birth_date(date(2026, 11, 24)), Some(date(1983, 11, 18)));
}

#[test]
fn r3_century_is_the_latest_not_after_the_reference() {
    let reference = date(2026, 11, 24);
    let born_20 = cf(&with_check_character("RSSMRA20A01H501"));
    assert_eq!(born_20.birth_date(reference), Some(date(2020, 1, 1)));
    let born_30 = cf(&with_check_character("RSSMRA30A01H501"));
    assert_eq!(born_30.birth_date(reference), Some(date(1930, 1, 1)));

    // Same year as the reference: the day decides.
    let born_26_dec = cf(&with_check_character("RSSMRA26T01H501"));
    assert_eq!(born_26_dec.birth_date(reference), Some(date(1926, 12, 1)));
    assert_eq!(
        born_26_dec.birth_date(date(2026, 12, 1)),
        Some(date(2026, 12, 1))
    );
    let born_26_nov = cf(&with_check_character("RSSMRA26S24H501"));
    assert_eq!(born_26_nov.birth_date(reference), Some(date(2026, 11, 24)));
    let born_26_nov_25 = cf(&with_check_character("RSSMRA26S25H501"));
    assert_eq!(
        born_26_nov_25.birth_date(reference),
        Some(date(1926, 11, 25))
    );

    // 29 February of a year ending in 00: 2000 was a leap year, 1900 was not.
    let leap_00 = cf(&with_check_character("RSSMRA00B29H501"));
    assert_eq!(leap_00.birth_date(reference), Some(date(2000, 2, 29)));
    assert_eq!(
        leap_00.birth_date(date(1999, 12, 31)),
        Some(date(1600, 2, 29))
    );
}

/// The birth date as its documentation defines it: of five candidate years a century apart,
/// ending in the code's two digits, the latest whose date exists and is not after the
/// reference. `birth_date` computes it with plain arithmetic instead, which is quicker; they must agree.
fn birth_date_by_definition(
    code: &CodiceFiscale,
    reference: jiff::civil::Date,
) -> Option<jiff::civil::Date> {
    let yy = i32::from(code.birth_year_in_century()?);
    let reference_year = i32::from(reference.year());
    let latest = reference_year - (reference_year - yy).rem_euclid(100);
    let month = i8::try_from(code.birth_month()?).ok()?;
    let day = i8::try_from(code.birth_day()?).ok()?;
    (0..5)
        .filter_map(|centuries| i16::try_from(latest - 100 * centuries).ok())
        .filter_map(|year| jiff::civil::Date::new(year, month, day).ok())
        .find(|&birth| birth <= reference)
}

#[test]
fn r3_birth_date_agrees_with_its_definition_for_every_date_and_reference() {
    // References around the turns of centuries (leap and not), ordinary days, and the ends of
    // jiff's range, where the earlier candidates do not exist.
    let references = [
        date(2026, 11, 24),
        date(2026, 2, 28),
        date(2028, 2, 29),
        date(1999, 12, 31),
        date(2000, 1, 1),
        date(2000, 2, 28),
        date(2000, 2, 29),
        date(2100, 3, 1),
        date(1900, 2, 28),
        date(-9950, 6, 15),
        date(-9999, 1, 1),
        date(9999, 12, 31),
    ];
    let mut compared = 0;
    for yy in 0..100u8 {
        for (month, &letter) in (1..=12).zip(MONTH_LETTERS) {
            for day in 1..=days_in_month(month, yy) {
                for written_day in [day, day + 40] {
                    let body = format!("RSSMRA{yy:02}{}{written_day:02}H501", char::from(letter));
                    let code = cf(&with_check_character(&body));
                    for reference in references {
                        assert_eq!(
                            code.birth_date(reference),
                            birth_date_by_definition(&code, reference),
                            "{code} at {reference}"
                        );
                        compared += 1;
                    }
                }
            }
        }
    }
    assert_eq!(
        compared,
        100 * (366 * 2) * references.len() - 75 * 2 * references.len()
    );
}

#[test]
fn r3_serde_json_round_trip() {
    let code = cf("CCCFBA85D03L21VE");
    let json = serde_json::to_string(&code).unwrap();
    assert_eq!(json, r#""CCCFBA85D03L21VE""#);
    assert_eq!(serde_json::from_str::<CodiceFiscale>(&json).unwrap(), code);
    // Deserializing goes through parse, so it is as lenient as typing.
    assert_eq!(
        serde_json::from_str::<CodiceFiscale>(r#""ccc-fba 85d03 l21ve""#).unwrap(),
        code
    );
    assert_eq!(serde_json::to_string(&Sex::Female).unwrap(), r#""Female""#);
    assert_eq!(serde_json::from_str::<Sex>(r#""Male""#).unwrap(), Sex::Male);
}

#[test]
fn r3_serde_rejects_invalid_codes() {
    let err = serde_json::from_str::<CodiceFiscale>(r#""RSSMRA80A01H501A""#).unwrap_err();
    let message = err.to_string();
    assert!(message.contains("should be U"), "{message}");
    assert!(serde_json::from_str::<CodiceFiscale>(r#""RSSMRA80A01H501""#).is_err());
    assert!(serde_json::from_str::<CodiceFiscale>("42").is_err());
}

#[test]
fn r3_postcard_round_trip() {
    let code = cf("RSSMRA80A01H501U");
    let bytes = postcard::to_allocvec(&code).unwrap();
    assert_eq!(postcard::from_bytes::<CodiceFiscale>(&bytes).unwrap(), code);
    let bad = postcard::to_allocvec("RSSMRA80A01H501A").unwrap();
    assert!(postcard::from_bytes::<CodiceFiscale>(&bad).is_err());
}

/// Every single-character substitution (to another letter or digit) of a
/// valid code is rejected. This holds by construction, not by luck: the
/// check character alone does NOT catch every substitution (in the even
/// table '1' and 'B' are both worth 1, in the odd table '0' and 'A' are both
/// worth 1), but every such colliding pair mixes a digit with a letter A-J,
/// and at each position the layout allows only one of the two (letters A-J
/// are not omocode letters). Among the characters a position allows, the
/// table values are all distinct and below 26, so the check character
/// changes.
#[test]
fn r3_every_single_substitution_of_known_codes_is_rejected() {
    let alphabet: Vec<char> = ('A'..='Z').chain('0'..='9').collect();
    for code in KNOWN_GOOD.into_iter().map(String::from).chain(
        cf("CCCFBA85D03L21VE")
            .omocode_variants()
            .map(|v| v.to_string()),
    ) {
        for position in 0..16 {
            for &replacement in &alphabet {
                let mut chars: Vec<char> = code.chars().collect();
                if chars[position] == replacement {
                    continue;
                }
                chars[position] = replacement;
                let changed: String = chars.into_iter().collect();
                assert!(
                    CodiceFiscale::parse(&changed).is_err(),
                    "{code} -> {changed} was accepted"
                );
            }
        }
    }
}

/// A valid base code (no omocode letters) with random fields.
fn base_code() -> impl Strategy<Value = String> {
    (
        "[A-Z]{6}",
        0u8..100,
        1usize..=12,
        1u8..=31,
        any::<bool>(),
        "[A-Z]",
        0u16..1000,
    )
        .prop_map(|(letters, yy, month, day, female, place, number)| {
            let day = day.min(days_in_month(month, yy));
            let day = if female { day + 40 } else { day };
            let month = char::from(MONTH_LETTERS[month - 1]);
            with_check_character(&format!(
                "{letters}{yy:02}{month}{day:02}{place}{number:03}"
            ))
        })
}

/// A valid code, written with a random subset of omocode letters.
fn any_code() -> impl Strategy<Value = String> {
    (base_code(), 0u8..128).prop_map(|(base, mask)| {
        let mut bytes = base.into_bytes();
        for (bit, &i) in OMOCODE_POSITIONS.iter().enumerate() {
            if mask & (1 << bit) != 0 {
                bytes[i] = OMOCODE_LETTERS[usize::from(bytes[i] - b'0')];
            }
        }
        let body = String::from_utf8(bytes[..15].to_vec()).unwrap();
        with_check_character(&body)
    })
}

proptest! {
    // Proptest's default 256 cases, from the suite's fixed seed.
    #![proptest_config(proptest_config(256))]

    #[test]
    fn r3_every_omocode_variant_round_trips(code in base_code()) {
        let base = CodiceFiscale::parse(&code).unwrap();
        prop_assert_eq!(base.as_str(), code.as_str());
        prop_assert!(!base.is_omocode());
        prop_assert!(!base.is_temporary());
        // The fields, read back from the generated text: the variants below
        // must agree with these exact values.
        let written_day: u8 = code[9..11].parse().unwrap();
        let month = MONTH_LETTERS.iter().position(|&l| l == code.as_bytes()[8]).unwrap() + 1;
        prop_assert_eq!(base.birth_year_in_century(), Some(code[6..8].parse::<u8>().unwrap()));
        prop_assert_eq!(base.birth_month(), Some(u8::try_from(month).unwrap()));
        prop_assert_eq!(base.birth_day(), Some(written_day % 40));
        let sex = if written_day > 40 { Sex::Female } else { Sex::Male };
        prop_assert_eq!(base.sex(), Some(sex));
        prop_assert_eq!(base.place_code(), Some(<[u8; 4]>::try_from(&code.as_bytes()[11..15]).unwrap()));
        prop_assert_eq!(base.base(), base);
        let reference = date(2026, 11, 24);
        let mut seen = HashSet::new();
        for variant in base.omocode_variants() {
            let reparsed = CodiceFiscale::parse(variant.as_str());
            prop_assert_eq!(reparsed, Ok(variant));
            prop_assert_eq!(variant.base(), base);
            prop_assert_eq!(variant.sex(), base.sex());
            prop_assert_eq!(variant.birth_year_in_century(), base.birth_year_in_century());
            prop_assert_eq!(variant.birth_month(), base.birth_month());
            prop_assert_eq!(variant.birth_day(), base.birth_day());
            prop_assert_eq!(variant.birth_date(reference), base.birth_date(reference));
            prop_assert_eq!(variant.place_code(), base.place_code());
            prop_assert_eq!(variant.is_omocode(), variant != base);
            // The variants of a variant are the same family.
            prop_assert_eq!(variant.omocode_variants().next(), Some(base));
            seen.insert(variant);
        }
        prop_assert_eq!(seen.len(), 128);
        prop_assert!(base.birth_date(reference).is_some_and(|d| d <= reference));
    }

    #[test]
    fn r3_lenient_input_parses_to_the_same_code(code in any_code(), dashes in any::<bool>()) {
        let parsed = CodiceFiscale::parse(&code).unwrap();
        let separator = if dashes { "-" } else { " " };
        let typed = format!(
            " {}{separator}{}{separator}{} ",
            code[..3].to_lowercase(),
            &code[3..6],
            code[6..].to_lowercase()
        );
        prop_assert_eq!(CodiceFiscale::parse(&typed), Ok(parsed));
    }

    #[test]
    fn r3_parse_never_panics_on_any_string(input in any::<String>()) {
        let _ = CodiceFiscale::parse(&input);
    }

    #[test]
    fn r3_parse_never_panics_on_code_like_strings(input in "[A-Za-z0-9 -]{0,40}") {
        if let Ok(code) = CodiceFiscale::parse(&input) {
            let expected_len = if code.is_temporary() { 11 } else { 16 };
            prop_assert_eq!(code.as_str().len(), expected_len);
        }
    }

    /// See `r3_every_single_substitution_of_known_codes_is_rejected` for
    /// why this strong form holds.
    #[test]
    fn r3_single_substitution_is_always_detected(
        code in any_code(),
        position in 0usize..16,
        shift in 1usize..36,
    ) {
        // Shifting within the 36-character alphabet always changes the
        // character, so no case is thrown away.
        let alphabet: Vec<char> = ('A'..='Z').chain('0'..='9').collect();
        let mut chars: Vec<char> = code.chars().collect();
        let original = alphabet.iter().position(|&c| c == chars[position]).unwrap();
        chars[position] = alphabet[(original + shift) % alphabet.len()];
        let changed: String = chars.into_iter().collect();
        prop_assert!(CodiceFiscale::parse(&changed).is_err(), "{} -> {}", code, changed);
    }
}

// ---------------------------------------------------------------------------------------------
// The temporary codice fiscale: 11 digits, the last a check digit as for a partita IVA.

/// Valid 11-digit codes. `12345678903` is worked by hand: digits at odd positions
/// 1+3+5+7+9 = 25, at even positions 2, 4, 6, 8, 0 doubled (less 9 over 9) 4+8+3+7+0 = 22,
/// total 47, check digit (10 - 7) % 10 = 3. The other two are public numeric codici fiscali of
/// the same form: INPS's own and the Agenzia delle Entrate's.
const KNOWN_TEMPORARY: [&str; 3] = ["12345678903", "80078750587", "06363391001"];

/// What an 11-character code must hold at every position.
const TEMPORARY_DIGIT: &str = "a digit (a temporary codice fiscale has 11 digits)";

/// The check digit for the first 10 digits of a temporary codice fiscale, computed
/// independently of the crate, as Luhn's algorithm is usually written: the 1-based even
/// positions take the doubled digit's digit sum from a table, the odd ones the digit itself.
fn temporary_check_digit(first_ten: &str) -> char {
    const DOUBLED: [u32; 10] = [0, 2, 4, 6, 8, 1, 3, 5, 7, 9];
    assert_eq!(first_ten.len(), 10, "the body is the first 10 digits");
    let sum: u32 = first_ten
        .chars()
        .enumerate()
        .map(|(i, c)| {
            let digit = c.to_digit(10).expect("a digit");
            // 0-based index `i` is 1-based position `i + 1`.
            if i % 2 == 0 {
                digit
            } else {
                DOUBLED[digit as usize]
            }
        })
        .sum();
    char::from_digit((10 - sum % 10) % 10, 10).unwrap()
}

#[test]
fn r3_reference_check_digit_agrees_with_known_temporary_codes() {
    for code in KNOWN_TEMPORARY {
        assert_eq!(
            temporary_check_digit(&code[..10]),
            code.chars().last().unwrap(),
            "{code}"
        );
    }
}

#[test]
fn r3_temporary_codes_parse() {
    for code in KNOWN_TEMPORARY {
        let parsed = cf(code);
        assert_eq!(parsed.as_str(), code);
        assert_eq!(parsed.to_string(), code);
        assert_eq!(format!("{parsed:?}"), format!("CodiceFiscale(\"{code}\")"));
        assert_eq!(code.parse::<CodiceFiscale>(), Ok(parsed));
    }
}

#[test]
fn r3_temporary_codes_parse_with_spaces_and_dashes() {
    for (input, code) in [
        ("123 456 789 03", "12345678903"),
        ("1234567890-3", "12345678903"),
        ("  12345678903  ", "12345678903"),
        ("\t123-456 789--03\n", "12345678903"),
        ("1 2 3 4 5 6 7 8 9 0 3", "12345678903"),
        ("800-787-505-87", "80078750587"),
        // Pasted from documents: no-break space and en dash.
        ("063\u{a0}633\u{2013}91001", "06363391001"),
    ] {
        let parsed = cf(input);
        assert_eq!(parsed.as_str(), code, "input {input:?}");
        assert!(parsed.is_temporary(), "input {input:?}");
    }
}

#[test]
fn r3_is_temporary_tells_the_forms_apart() {
    for code in KNOWN_TEMPORARY {
        assert!(cf(code).is_temporary(), "{code}");
    }
    for code in KNOWN_GOOD {
        assert!(!cf(code).is_temporary(), "{code}");
    }
}

#[test]
fn r3_temporary_code_has_no_personal_data() {
    for code in KNOWN_TEMPORARY {
        let temporary = cf(code);
        assert_eq!(temporary.sex(), None, "{code}");
        assert_eq!(temporary.birth_year_in_century(), None, "{code}");
        assert_eq!(temporary.birth_month(), None, "{code}");
        assert_eq!(temporary.birth_day(), None, "{code}");
        assert_eq!(temporary.birth_date(date(2026, 11, 24)), None, "{code}");
        assert_eq!(temporary.place_code(), None, "{code}");
        assert!(!temporary.is_omocode(), "{code}");
        assert_eq!(temporary.base(), temporary, "{code}");
        assert_eq!(temporary.omocode_variants().len(), 1, "{code}");
        assert_eq!(
            temporary.omocode_variants().collect::<Vec<_>>(),
            vec![temporary],
            "{code}"
        );
    }
}

#[test]
fn r3_temporary_wrong_check_digit_says_expected_and_found() {
    let err = CodiceFiscale::parse("12345678904").unwrap_err();
    assert_eq!(
        err,
        CodiceFiscaleError::WrongTemporaryCheckDigit {
            expected: '3',
            found: '4'
        }
    );
    let message = err.to_string();
    assert!(message.contains("should be 3"), "{message}");
    assert!(message.contains("is 4"), "{message}");
    assert!(message.contains("temporary"), "{message}");
    assert!(message.contains("Agenzia delle Entrate"), "{message}");
    // Separators do not change the verdict.
    assert_eq!(
        CodiceFiscale::parse("800 787 505 80"),
        Err(CodiceFiscaleError::WrongTemporaryCheckDigit {
            expected: '7',
            found: '0'
        })
    );
    // A single mistyped digit in the body is caught too.
    assert_eq!(
        CodiceFiscale::parse("12345778903"),
        Err(CodiceFiscaleError::WrongTemporaryCheckDigit {
            expected: temporary_check_digit("1234577890"),
            found: '3'
        })
    );
}

/// The doubling with 9 subtracted maps the digits 0-9 onto 0-9 one to one, so changing any one
/// digit changes the sum modulo 10: every single substitution is caught.
#[test]
fn r3_every_single_substitution_of_known_temporary_codes_is_rejected() {
    let alphabet: Vec<char> = ('A'..='Z').chain('0'..='9').collect();
    for code in KNOWN_TEMPORARY {
        for position in 0..11 {
            for &replacement in &alphabet {
                let mut chars: Vec<char> = code.chars().collect();
                if chars[position] == replacement {
                    continue;
                }
                chars[position] = replacement;
                let changed: String = chars.into_iter().collect();
                assert!(
                    CodiceFiscale::parse(&changed).is_err(),
                    "{code} -> {changed} was accepted"
                );
            }
        }
    }
}

#[test]
fn r3_letter_in_an_11_character_input_is_an_invalid_character() {
    for (input, position, found) in [
        ("1234567890A", 11, 'A'),
        ("a2345678903", 1, 'A'),
        ("12345O78903", 6, 'O'),
        ("123 45l 789 03", 6, 'L'),
        // The first 11 characters of a personal code.
        ("RSSMRA80A01", 1, 'R'),
    ] {
        let err = CodiceFiscale::parse(input).unwrap_err();
        assert_eq!(
            err,
            CodiceFiscaleError::InvalidCharacter {
                position,
                found,
                expected: TEMPORARY_DIGIT
            },
            "input {input:?}"
        );
        let message = err.to_string();
        assert!(
            message.contains(&format!("position {position}")),
            "{message}"
        );
        assert!(message.contains(TEMPORARY_DIGIT), "{message}");
        assert!(message.contains(found), "{message}");
    }
    // A character that is neither letter nor digit is still reported as unexpected.
    assert_eq!(
        CodiceFiscale::parse("1234567890."),
        Err(CodiceFiscaleError::UnexpectedCharacter {
            found: '.',
            position: 11
        })
    );
}

#[test]
fn r3_wrong_length_names_both_forms() {
    for (input, found) in [
        ("1234567890", 10),
        ("123 456 789 0", 10),
        ("123456789031", 12),
        ("RSSMRA80A01H501", 15),
        ("RSSMRA80A01H501UU", 17),
    ] {
        let err = CodiceFiscale::parse(input).unwrap_err();
        assert_eq!(
            err,
            CodiceFiscaleError::WrongLength { found },
            "input {input:?}"
        );
        let message = err.to_string();
        assert!(message.contains("16 letters and digits"), "{message}");
        assert!(
            message.contains("or 11 digits for a temporary one"),
            "{message}"
        );
        assert!(
            message.contains(&format!("{found} were found")),
            "{message}"
        );
        assert!(message.contains("tessera sanitaria"), "{message}");
    }
}

#[test]
fn r3_serde_round_trip_of_a_temporary_code() {
    let code = cf("12345678903");
    let json = serde_json::to_string(&code).unwrap();
    assert_eq!(json, r#""12345678903""#);
    assert_eq!(serde_json::from_str::<CodiceFiscale>(&json).unwrap(), code);
    assert_eq!(
        serde_json::from_str::<CodiceFiscale>(r#""123-456 789 03""#).unwrap(),
        code
    );
    let bytes = postcard::to_allocvec(&code).unwrap();
    assert_eq!(postcard::from_bytes::<CodiceFiscale>(&bytes).unwrap(), code);

    let err = serde_json::from_str::<CodiceFiscale>(r#""12345678904""#).unwrap_err();
    assert!(err.to_string().contains("should be 3"), "{err}");
    let bad = postcard::to_allocvec("12345678904").unwrap();
    assert!(postcard::from_bytes::<CodiceFiscale>(&bad).is_err());
}

#[test]
fn r3_order_and_identity_are_those_of_the_code_as_written() {
    let mut codes: Vec<CodiceFiscale> = KNOWN_GOOD
        .into_iter()
        .chain(KNOWN_TEMPORARY)
        .chain(["12345678903"])
        .map(cf)
        .collect();
    let mut texts: Vec<String> = codes.iter().map(ToString::to_string).collect();
    codes.sort();
    texts.sort();
    assert_eq!(
        codes.iter().map(ToString::to_string).collect::<Vec<_>>(),
        texts
    );
    // The repeated code is one element of a set; the others are distinct.
    assert_eq!(codes.iter().collect::<HashSet<_>>().len(), 7);
    assert_ne!(cf("12345678903"), cf("80078750587"));
}

proptest! {
    // Proptest's default 256 cases, from the suite's fixed seed.
    #![proptest_config(proptest_config(256))]

    /// For any 10 digits, the reference check digit makes a valid temporary code (also typed
    /// with spaces), and every other last digit is refused with the expected one named.
    #[test]
    fn r3_temporary_check_digit_is_the_only_one_accepted(first_ten in "[0-9]{10}") {
        let check = temporary_check_digit(&first_ten);
        let code = format!("{first_ten}{check}");
        let parsed = CodiceFiscale::parse(&code).unwrap();
        prop_assert!(parsed.is_temporary());
        prop_assert_eq!(parsed.as_str(), code.as_str());
        let typed = format!(" {} {}-{} ", &code[..3], &code[3..6], &code[6..]);
        prop_assert_eq!(CodiceFiscale::parse(&typed), Ok(parsed));
        for other in ('0'..='9').filter(|&d| d != check) {
            prop_assert_eq!(
                CodiceFiscale::parse(&format!("{first_ten}{other}")),
                Err(CodiceFiscaleError::WrongTemporaryCheckDigit { expected: check, found: other })
            );
        }
    }
}
