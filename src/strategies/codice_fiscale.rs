//! Strategies for codici fiscali, valid ones and near-misses with their errors (R3).

use super::*;

/// The month letters A B C D E H L M P R S T, January first.
const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
/// The omocode letters standing for 0-9.
const OMOCODE: &[u8; 10] = b"LMNPQRSTUV";
/// The 0-based positions of the digits an omocode code may write as letters.
const OMOCODE_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
/// The ODD table, for 0-9 then A-Z.
const ODD: [u32; 36] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // 0-9
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
    23, // A-Z
];

/// The value of a character in the EVEN table (digits 0-9, letters A-Z 0-25) and its index
/// in [`ODD`].
fn table_values(byte: u8) -> (u32, usize) {
    match byte {
        b'0'..=b'9' => (u32::from(byte - b'0'), usize::from(byte - b'0')),
        b'A'..=b'Z' => (u32::from(byte - b'A'), 10 + usize::from(byte - b'A')),
        _ => (0, 0),
    }
}

/// The check character of the first 15 characters of `body` (R3).
#[must_use]
pub fn check_character(body: &[u8]) -> char {
    let sum: u32 = body
        .iter()
        .take(15)
        .enumerate()
        .map(|(index, &byte)| {
            let (even, odd_index) = table_values(byte);
            // Position index + 1 is odd when index is even.
            if index % 2 == 0 {
                ODD.get(odd_index).copied().unwrap_or(0)
            } else {
                even
            }
        })
        .sum();
    char::from(b'A' + u8::try_from(sum % 26).unwrap_or(0))
}

/// `body` (15 characters) with its check character.
fn with_check(mut body: Vec<u8>) -> String {
    body.truncate(15);
    let check = check_character(&body);
    let mut code: String = body.into_iter().map(char::from).collect();
    code.push(check);
    code
}

/// The days of `month` (1-12) in a year ending in `year_in_century`, as the crate counts them
/// (a February 29 exists in any year divisible by 4: 00 may be 2000).
fn days_in(month: u8, year_in_century: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year_in_century % 4 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// The 15 characters before the check: surname and name letters, a birth date that exists,
/// sex, a place code of the right shape.
fn personal_body() -> impl Strategy<Value = Vec<u8>> {
    (
        "[A-Z]{6}",
        0..100u8,
        1..=12u8,
        1..=31u8,
        any::<bool>(),
        "[A-Z][0-9]{3}",
    )
        .prop_map(|(letters, year, month, day, female, place)| {
            let day = day.min(days_in(month, year)) + if female { 40 } else { 0 };
            let month_letter = MONTHS.get(usize::from(month - 1)).copied().unwrap_or(b'A');
            let mut body = letters.into_bytes();
            body.extend(format!("{year:02}").bytes());
            body.push(month_letter);
            body.extend(format!("{day:02}").bytes());
            body.extend(place.bytes());
            body
        })
}

/// Valid personal codici fiscali of 16 characters, without omocodia.
pub fn personal_codice_fiscale_text() -> impl Strategy<Value = String> {
    personal_body().prop_map(with_check)
}

/// Valid omocode codici fiscali: a personal code with a non-empty subset of its digits at
/// positions 7, 8, 10, 11, 13, 14, 15 written as L M N P Q R S T U V, the check character
/// computed over the code as written.
pub fn omocode_codice_fiscale_text() -> impl Strategy<Value = String> {
    (personal_body(), 1..128u8).prop_map(|(mut body, mask)| {
        for (bit, position) in OMOCODE_POSITIONS.iter().enumerate() {
            if mask & (1 << bit) != 0 {
                if let Some(byte) = body.get_mut(*position) {
                    if byte.is_ascii_digit() {
                        *byte = OMOCODE
                            .get(usize::from(*byte - b'0'))
                            .copied()
                            .unwrap_or(*byte);
                    }
                }
            }
        }
        with_check(body)
    })
}

/// Valid temporary codici fiscali: 11 digits, the last the check digit of the first 10.
pub fn temporary_codice_fiscale_text() -> impl Strategy<Value = String> {
    "[0-9]{10}".prop_map(|digits| {
        let check = temporary_check_digit(&digits);
        format!("{digits}{check}")
    })
}

/// The check digit of the first 10 digits of a temporary code: odd positions summed, even
/// positions doubled (less 9 above 9), the sum's complement to 10.
fn temporary_check_digit(digits: &str) -> char {
    let sum: u32 = digits
        .bytes()
        .take(10)
        .enumerate()
        .map(|(index, byte)| {
            let digit = u32::from(byte.wrapping_sub(b'0'));
            if index % 2 == 0 {
                digit
            } else if digit * 2 > 9 {
                digit * 2 - 9
            } else {
                digit * 2
            }
        })
        .sum();
    char::from(b'0' + u8::try_from((10 - sum % 10) % 10).unwrap_or(0))
}

/// Every valid form, as typed: personal, omocode and temporary codes, sometimes in lower case
/// or with spaces and dashes (which the parser normalises).
pub fn codice_fiscale_text() -> impl Strategy<Value = String> {
    let code = prop_oneof![
        4 => personal_codice_fiscale_text(),
        2 => omocode_codice_fiscale_text(),
        1 => temporary_codice_fiscale_text(),
    ];
    (code, 0..4u8).prop_map(|(code, style)| match style {
        0 => code.to_ascii_lowercase(),
        1 => format!("  {code} "),
        2 => code
            .chars()
            .enumerate()
            .flat_map(|(index, c)| {
                (index == 3 || index == 6)
                    .then_some('-')
                    .into_iter()
                    .chain([c])
            })
            .collect(),
        _ => code,
    })
}

/// Valid codici fiscali, parsed (personal, omocode and temporary).
pub fn codice_fiscale() -> impl Strategy<Value = CodiceFiscale> {
    codice_fiscale_text().prop_filter_map("a generated code parses", |code| {
        CodiceFiscale::parse(&code).ok()
    })
}

/// Valid personal codici fiscali (no temporary code: a policy accepts those only on request).
pub fn personal_codice_fiscale() -> impl Strategy<Value = CodiceFiscale> {
    prop_oneof![
        3 => personal_codice_fiscale_text(),
        1 => omocode_codice_fiscale_text(),
    ]
    .prop_filter_map("a generated code parses", |code| {
        CodiceFiscale::parse(&code).ok()
    })
}

/// A text that is almost a codice fiscale, and the error the parser must give for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NearMiss {
    /// What is typed.
    pub text: String,
    /// The error [`CodiceFiscale::parse`] must return.
    pub expected: CodiceFiscaleError,
}

/// Near-misses: one character off (a letter changed), the wrong check character, a birth
/// date that does not exist, a day out of range, a wrong length, a temporary code's wrong
/// check digit; each with the error it must give.
pub fn codice_fiscale_near_miss() -> impl Strategy<Value = NearMiss> {
    let wrong_check = (personal_codice_fiscale_text(), 1..26u8).prop_map(|(code, shift)| {
        let mut bytes = code.into_bytes();
        let right = bytes.pop().unwrap_or(b'A');
        let wrong = b'A' + (right - b'A' + shift) % 26;
        bytes.push(wrong);
        NearMiss {
            text: bytes.into_iter().map(char::from).collect(),
            expected: CodiceFiscaleError::WrongCheckCharacter {
                expected: char::from(right),
                found: char::from(wrong),
            },
        }
    });
    // A letter of the name, surname or place changed for another: the check character no
    // longer matches (each table maps letters one to one, so any change shows).
    let one_off = (
        personal_codice_fiscale_text(),
        select(vec![0usize, 1, 2, 3, 4, 5, 11]),
        1..26u8,
    )
        .prop_map(|(code, position, shift)| {
            let mut bytes = code.into_bytes();
            let found = bytes.last().copied().unwrap_or(b'A');
            if let Some(byte) = bytes.get_mut(position) {
                *byte = b'A' + (*byte - b'A' + shift) % 26;
            }
            let expected = check_character(&bytes);
            NearMiss {
                text: bytes.into_iter().map(char::from).collect(),
                expected: CodiceFiscaleError::WrongCheckCharacter {
                    expected,
                    found: char::from(found),
                },
            }
        });
    let impossible_date = (
        personal_body(),
        select(vec![
            (2u8, 30u8),
            (2, 31),
            (4, 31),
            (6, 31),
            (9, 31),
            (11, 31),
        ]),
        any::<bool>(),
    )
        .prop_map(|(mut body, (month, day), female)| {
            let year_in_century = two_digits(body.get(6..8));
            if let Some(letter) = body.get_mut(8) {
                *letter = MONTHS.get(usize::from(month - 1)).copied().unwrap_or(b'B');
            }
            let written = day + if female { 40 } else { 0 };
            set_day(&mut body, written);
            NearMiss {
                text: with_check(body),
                expected: CodiceFiscaleError::NonexistentDate {
                    year_in_century,
                    month,
                    day,
                },
            }
        });
    let day_out_of_range = (
        personal_body(),
        prop_oneof![Just(0u8), 32..=40u8, 72..=99u8],
    )
        .prop_map(|(mut body, day)| {
            set_day(&mut body, day);
            NearMiss {
                text: with_check(body),
                expected: CodiceFiscaleError::DayOutOfRange { day },
            }
        });
    // Eleven characters read as a temporary code, so a cut keeps 1-10 or 12-15 of them; or
    // one is added to the 16.
    let wrong_length = (personal_codice_fiscale_text(), 1..16usize).prop_map(|(code, keep)| {
        let (text, found) = match keep {
            11 => (format!("{code}X"), 17),
            keep => (code.chars().take(keep).collect(), keep),
        };
        NearMiss {
            text,
            expected: CodiceFiscaleError::WrongLength { found },
        }
    });
    let temporary = (temporary_codice_fiscale_text(), 1..10u8).prop_map(|(code, shift)| {
        let mut bytes = code.into_bytes();
        let right = bytes.pop().unwrap_or(b'0');
        let wrong = b'0' + (right - b'0' + shift) % 10;
        bytes.push(wrong);
        NearMiss {
            text: bytes.into_iter().map(char::from).collect(),
            expected: CodiceFiscaleError::WrongTemporaryCheckDigit {
                expected: char::from(right),
                found: char::from(wrong),
            },
        }
    });
    prop_oneof![
        wrong_check,
        one_off,
        impossible_date,
        day_out_of_range,
        wrong_length,
        temporary
    ]
}

/// The number two ASCII digits write (0 if they are not two digits).
fn two_digits(bytes: Option<&[u8]>) -> u8 {
    match bytes {
        Some([tens @ b'0'..=b'9', units @ b'0'..=b'9']) => (tens - b'0') * 10 + (units - b'0'),
        _ => 0,
    }
}

/// Writes the two-digit `day` at positions 10 and 11 of `body`.
fn set_day(body: &mut [u8], day: u8) {
    if let Some([tens, units]) = body.get_mut(9..11) {
        *tens = b'0' + day / 10;
        *units = b'0' + day % 10;
    }
}
