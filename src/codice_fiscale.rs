//! The Italian codice fiscale (rule R3): parsed, never trusted.
//!
//! A [`CodiceFiscale`] only exists once its 16 characters have the right
//! shape, encode a birth date that exists, and carry the right check
//! character. It keeps the code *as written*: the omocode letters that tell
//! apart people whose base codes collide are part of the identity.

use core::fmt;
use core::str::FromStr;

use jiff::civil::Date;
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

/// Number of characters in a codice fiscale.
const LEN: usize = 16;

/// 0-based positions of the seven digits that omocodia may write as letters
/// (1-based: 7, 8, 10, 11, 13, 14, 15).
const OMOCODE_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];

/// The letters that stand for the digits 0-9 in an omocode.
const OMOCODE_LETTERS: [u8; 10] = *b"LMNPQRSTUV";

/// What each of the 16 positions must hold.
#[derive(Clone, Copy)]
enum Slot {
    /// A letter A-Z (surname, name, place letter).
    Letter,
    /// A digit, or an omocode letter standing for one.
    Digit,
    /// A month letter.
    Month,
    /// The check character, a letter A-Z.
    Check,
}

impl Slot {
    /// Whether the (already upper-cased) byte fits this slot.
    fn accepts(self, b: u8) -> bool {
        match self {
            Slot::Letter | Slot::Check => b.is_ascii_uppercase(),
            Slot::Digit => digit_value(b).is_some(),
            Slot::Month => month_number(b).is_some(),
        }
    }

    /// What the error message says was expected at this slot.
    fn expected(self) -> &'static str {
        match self {
            Slot::Letter => "a letter (A-Z)",
            Slot::Digit => "a digit (0-9) or an omocode letter (L M N P Q R S T U V)",
            Slot::Month => "a month letter (A B C D E H L M P R S T)",
            Slot::Check => "a letter (A-Z), the check character",
        }
    }
}

/// The layout of the code, position by position.
const LAYOUT: [Slot; LEN] = [
    Slot::Letter, // 1-3 surname
    Slot::Letter,
    Slot::Letter,
    Slot::Letter, // 4-6 name
    Slot::Letter,
    Slot::Letter,
    Slot::Digit, // 7-8 year
    Slot::Digit,
    Slot::Month, // 9 month
    Slot::Digit, // 10-11 day (+40 for women)
    Slot::Digit,
    Slot::Letter, // 12-15 place code
    Slot::Digit,
    Slot::Digit,
    Slot::Digit,
    Slot::Check, // 16 check character
];

/// The value of a digit position: a digit, or the omocode letter for one.
fn digit_value(b: u8) -> Option<u8> {
    match b {
        b'0'..=b'9' => Some(b - b'0'),
        b'L' => Some(0),
        b'M' => Some(1),
        b'N' => Some(2),
        b'P' => Some(3),
        b'Q' => Some(4),
        b'R' => Some(5),
        b'S' => Some(6),
        b'T' => Some(7),
        b'U' => Some(8),
        b'V' => Some(9),
        _ => None,
    }
}

/// The month (1-12) a month letter stands for.
fn month_number(b: u8) -> Option<u8> {
    match b {
        b'A' => Some(1),
        b'B' => Some(2),
        b'C' => Some(3),
        b'D' => Some(4),
        b'E' => Some(5),
        b'H' => Some(6),
        b'L' => Some(7),
        b'M' => Some(8),
        b'P' => Some(9),
        b'R' => Some(10),
        b'S' => Some(11),
        b'T' => Some(12),
        _ => None,
    }
}

/// A digit position's value once the code has been validated; the fallback
/// is unreachable because `parse` rejected anything else.
fn digit(b: u8) -> u8 {
    digit_value(b).unwrap_or(0)
}

/// Two digit positions read as a number 0-99.
fn two_digits(tens: u8, units: u8) -> u8 {
    digit(tens) * 10 + digit(units)
}

/// Days in `month`; February has 29 days whenever the two-digit year could
/// belong to a leap year (`yy % 4 == 0`), since the century is unknown.
fn days_in_month(month: u8, year_in_century: u8) -> u8 {
    match month {
        2 if year_in_century % 4 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

/// Value of a character at an odd (1-based) position; a digit is worth the
/// same as the letter with its index (0 as A, 1 as B, ...). A `match`, not
/// an indexed table, so there is no bounds check to pay or to get wrong.
fn odd_value(b: u8) -> u16 {
    match b {
        b'0' | b'A' => 1,
        b'1' | b'B' => 0,
        b'2' | b'C' => 5,
        b'3' | b'D' => 7,
        b'4' | b'E' => 9,
        b'5' | b'F' => 13,
        b'6' | b'G' => 15,
        b'7' | b'H' => 17,
        b'8' | b'I' => 19,
        b'9' | b'J' => 21,
        b'K' => 2,
        b'L' => 4,
        b'M' => 18,
        b'N' => 20,
        b'O' => 11,
        b'P' => 3,
        b'Q' => 6,
        b'R' => 8,
        b'S' => 12,
        b'T' => 14,
        b'U' => 16,
        b'V' => 10,
        b'W' => 22,
        b'X' => 25,
        b'Y' => 24,
        b'Z' => 23,
        _ => 0,
    }
}

/// Value of a character at an even (1-based) position: digits 0-9 are
/// 0-9, letters A-Z are 0-25.
fn even_value(b: u8) -> u16 {
    match b {
        b'0'..=b'9' => u16::from(b - b'0'),
        b'A'..=b'Z' => u16::from(b - b'A'),
        _ => 0,
    }
}

/// The check character for the first 15 characters of `code` (the 16th is
/// ignored). Unrolled by destructuring: no loop, no index.
fn check_char(code: &[u8; LEN]) -> u8 {
    let [
        c1,
        c2,
        c3,
        c4,
        c5,
        c6,
        c7,
        c8,
        c9,
        c10,
        c11,
        c12,
        c13,
        c14,
        c15,
        _,
    ] = *code;
    let odd = odd_value(c1)
        + odd_value(c3)
        + odd_value(c5)
        + odd_value(c7)
        + odd_value(c9)
        + odd_value(c11)
        + odd_value(c13)
        + odd_value(c15);
    let even = even_value(c2)
        + even_value(c4)
        + even_value(c6)
        + even_value(c8)
        + even_value(c10)
        + even_value(c12)
        + even_value(c14);
    // The remainder is below 26, so the cast cannot truncate.
    b'A' + ((odd + even) % 26) as u8
}

/// Whether `c` is a separator people type or paste inside or around the
/// code: white space (including the no-break space of documents) and
/// hyphens or dashes (including the en and em dashes of word processors).
fn is_separator(c: char) -> bool {
    c.is_whitespace() || matches!(c, '-' | '\u{2010}'..='\u{2015}' | '\u{2212}')
}

/// Male or female, as encoded in the birth day of the codice fiscale
/// (women's day is written + 40).
///
/// ```
/// use inps_pin::{CodiceFiscale, Sex};
///
/// let cf: CodiceFiscale = "RSSMRA80A01H501U".parse()?;
/// assert_eq!(cf.sex(), Sex::Male);
/// # Ok::<(), inps_pin::CodiceFiscaleError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Sex {
    /// Birth day written as 41-71.
    Female,
    /// Birth day written as 01-31.
    Male,
}

/// Why a string is not a valid codice fiscale.
///
/// Positions are 1-based positions in the normalised code, that is after
/// removing spaces and dashes. Every message says what is wrong and what to do.
///
/// ```
/// use inps_pin::{CodiceFiscale, CodiceFiscaleError};
///
/// assert_eq!(
///     CodiceFiscale::parse("RSSMRA80A01H501A"),
///     Err(CodiceFiscaleError::WrongCheckCharacter { expected: 'U', found: 'A' })
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodiceFiscaleError {
    /// The code does not have 16 characters once spaces and dashes are removed.
    #[error(
        "a codice fiscale has 16 letters and digits, but {found} were found (spaces and dashes \
         are not counted): check the code on the tessera sanitaria and type it again"
    )]
    WrongLength {
        /// How many characters were found after removing spaces and dashes.
        found: usize,
    },
    /// A character that never appears in a codice fiscale (not a letter,
    /// digit, space or dash), such as punctuation or an accented letter.
    #[error(
        "the character {found:?} at position {position} cannot appear in a codice fiscale, \
         which has only letters A-Z and digits 0-9: remove it, or check the code on the \
         tessera sanitaria and type it again"
    )]
    UnexpectedCharacter {
        /// The offending character.
        found: char,
        /// Its 1-based position, not counting spaces and dashes.
        position: usize,
    },
    /// A letter or digit where the layout of the code wants something else.
    #[error(
        "position {position} of the codice fiscale must be {expected}, but it is {found:?}: \
         check the code on the tessera sanitaria"
    )]
    InvalidCharacter {
        /// 1-based position (1-16).
        position: usize,
        /// The character found there (upper-cased).
        found: char,
        /// What the position must hold, e.g. "a letter (A-Z)".
        expected: &'static str,
    },
    /// The birth day (positions 10-11) is not 01-31 (men) or 41-71 (women).
    #[error(
        "the birth day in the codice fiscale (positions 10-11) reads {day:02}, but it must be \
         01-31 for men or 41-71 for women: check the code on the tessera sanitaria"
    )]
    DayOutOfRange {
        /// The two-digit day as written (omocode letters decoded), 0-99.
        day: u8,
    },
    /// The birth date does not exist, e.g. 31 April or 30 February.
    #[error(
        "the birth date in the codice fiscale does not exist: month {month} has no day {day} \
         (year ending in {year_in_century:02}): check the code on the tessera sanitaria"
    )]
    NonexistentDate {
        /// The two-digit year, 0-99.
        year_in_century: u8,
        /// The month, 1-12.
        month: u8,
        /// The day of the month, 1-31 (the +40 for women removed).
        day: u8,
    },
    /// The check character (position 16) does not match the first 15.
    #[error(
        "the check character of the codice fiscale (position 16) should be {expected}, but it \
         is {found}: a character is probably mistyped, check the code on the tessera sanitaria"
    )]
    WrongCheckCharacter {
        /// The check character computed from positions 1-15.
        expected: char,
        /// The check character written.
        found: char,
    },
}

/// An Italian codice fiscale: 16 upper-case ASCII characters, as written
/// (omocode letters preserved), with a valid layout, birth date and check
/// character.
///
/// Equality, hashing and ordering are on the code as written: two omocode
/// variants of one base code identify *different* people. Use
/// [`base`](Self::base) to compare base codes.
///
/// ```
/// use inps_pin::CodiceFiscale;
///
/// let cf = CodiceFiscale::parse("rss-mra 80a01 h501u")?;
/// assert_eq!(cf.as_str(), "RSSMRA80A01H501U");
/// assert_eq!(cf.to_string(), "RSSMRA80A01H501U");
/// assert_eq!(format!("{cf:?}"), r#"CodiceFiscale("RSSMRA80A01H501U")"#);
/// # Ok::<(), inps_pin::CodiceFiscaleError>(())
/// ```
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodiceFiscale([u8; LEN]);

impl CodiceFiscale {
    /// Parses what a person typed.
    ///
    /// Lower case is accepted, and spaces and dashes anywhere (also no-break
    /// spaces and typographic dashes pasted from documents) are removed
    /// before checking. Then the code must have 16 characters, the right
    /// kind of character at each position (omocode letters L-V allowed for
    /// the seven digits), a birth date that exists, and the right check
    /// character. Does not allocate.
    ///
    /// ```
    /// use inps_pin::{CodiceFiscale, CodiceFiscaleError};
    ///
    /// assert!(CodiceFiscale::parse("CCCFBA85D03L21VE").is_ok());
    /// assert_eq!(
    ///     CodiceFiscale::parse("RSSMRA80A01H501"),
    ///     Err(CodiceFiscaleError::WrongLength { found: 15 })
    /// );
    /// ```
    ///
    /// # Errors
    ///
    /// A [`CodiceFiscaleError`] naming the first problem found, checked in
    /// this order: unexpected characters, length, the character at each
    /// position, the birth day and date, the check character.
    pub fn parse(input: &str) -> Result<CodiceFiscale, CodiceFiscaleError> {
        let code = normalise(input)?;

        for (i, (&b, slot)) in code.iter().zip(LAYOUT).enumerate() {
            if !slot.accepts(b) {
                return Err(CodiceFiscaleError::InvalidCharacter {
                    position: i + 1,
                    found: char::from(b),
                    expected: slot.expected(),
                });
            }
        }

        let [_, _, _, _, _, _, y1, y2, m, d1, d2, _, _, _, _, found] = code;
        let year_in_century = two_digits(y1, y2);
        let written_day = two_digits(d1, d2);
        let day = match written_day {
            1..=31 => written_day,
            41..=71 => written_day - 40,
            _ => return Err(CodiceFiscaleError::DayOutOfRange { day: written_day }),
        };
        let month = month_number(m).unwrap_or(0);
        if day > days_in_month(month, year_in_century) {
            return Err(CodiceFiscaleError::NonexistentDate {
                year_in_century,
                month,
                day,
            });
        }

        let expected = check_char(&code);
        if found != expected {
            return Err(CodiceFiscaleError::WrongCheckCharacter {
                expected: char::from(expected),
                found: char::from(found),
            });
        }
        Ok(CodiceFiscale(code))
    }

    /// The code as written, in upper case, without spaces.
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// let cf = CodiceFiscale::parse("ccc fba 85d03 l21ve")?;
    /// assert_eq!(cf.as_str(), "CCCFBA85D03L21VE");
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        // The bytes are ASCII by construction; the fallback is unreachable.
        core::str::from_utf8(&self.0).unwrap_or("")
    }

    /// The sex encoded in the birth day.
    ///
    /// ```
    /// use inps_pin::{CodiceFiscale, Sex};
    ///
    /// assert_eq!(CodiceFiscale::parse("RCCMNL83S18D969H")?.sex(), Sex::Male);
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn sex(&self) -> Sex {
        let [.., d1, d2, _, _, _, _, _] = self.0;
        if two_digits(d1, d2) > 40 {
            Sex::Female
        } else {
            Sex::Male
        }
    }

    /// The last two digits of the birth year, 0-99 (omocode letters decoded).
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// assert_eq!(CodiceFiscale::parse("RSSMRA80A01H501U")?.birth_year_in_century(), 80);
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn birth_year_in_century(&self) -> u8 {
        let [_, _, _, _, _, _, y1, y2, ..] = self.0;
        two_digits(y1, y2)
    }

    /// The birth month, 1-12.
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// assert_eq!(CodiceFiscale::parse("RCCMNL83S18D969H")?.birth_month(), 11);
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn birth_month(&self) -> u8 {
        let [_, _, _, _, _, _, _, _, m, ..] = self.0;
        month_number(m).unwrap_or(0)
    }

    /// The birth day of the month, 1-31 (the +40 for women removed).
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// assert_eq!(CodiceFiscale::parse("RCCMNL83S18D969H")?.birth_day(), 18);
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn birth_day(&self) -> u8 {
        let [.., d1, d2, _, _, _, _, _] = self.0;
        let day = two_digits(d1, d2);
        if day > 40 { day - 40 } else { day }
    }

    /// The full birth date.
    ///
    /// The century is not in the code, so it is chosen: the birth year is
    /// the latest year ending in the two digits such that the full date
    /// exists and is not after `reference` (nobody is born after it). Pass
    /// today's date, or the date of the request. Five candidate years are
    /// tried, a century apart, which covers being born on the reference day
    /// and 29 February of a year ending in 00 (1900 was not a leap year, so
    /// a code for 29/02/00 with a reference in 1999 gives 1600). `None` only
    /// if no candidate fits, which cannot happen for a real reference date.
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    /// use jiff::civil::date;
    ///
    /// let cf = CodiceFiscale::parse("RSSMRA80A01H501U")?;
    /// assert_eq!(cf.birth_date(date(2026, 11, 24)), Some(date(1980, 1, 1)));
    /// // Born in 2080 would be after the reference: a century earlier.
    /// assert_eq!(cf.birth_date(date(2090, 6, 1)), Some(date(2080, 1, 1)));
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn birth_date(&self, reference: Date) -> Option<Date> {
        let yy = i32::from(self.birth_year_in_century());
        let reference_year = i32::from(reference.year());
        let latest = reference_year - (reference_year - yy).rem_euclid(100);
        let month = i8::try_from(self.birth_month()).ok()?;
        let day = i8::try_from(self.birth_day()).ok()?;
        (0..5)
            .filter_map(|centuries| i16::try_from(latest - 100 * centuries).ok())
            .filter_map(|year| Date::new(year, month, day).ok())
            .find(|&birth| birth <= reference)
    }

    /// The place-of-birth code (Italian municipality, or Z + country),
    /// as four ASCII bytes with omocode letters decoded, e.g. `b"H501"`
    /// (Rome). Only its shape is checked, not that the place exists.
    ///
    /// A byte array rather than a new type keeps the public API to the
    /// three re-exported names; `core::str::from_utf8` turns it into text.
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// let cf = CodiceFiscale::parse("CCCFBA85D03L21VE")?;
    /// assert_eq!(&cf.place_code(), b"L219");
    /// assert_eq!(core::str::from_utf8(&cf.place_code()), Ok("L219"));
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn place_code(&self) -> [u8; 4] {
        let [.., letter, p1, p2, p3, _] = self.0;
        [letter, b'0' + digit(p1), b'0' + digit(p2), b'0' + digit(p3)]
    }

    /// Whether any of the seven digit positions is written as an omocode
    /// letter.
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// assert!(CodiceFiscale::parse("CCCFBA85D03L21VE")?.is_omocode());
    /// assert!(!CodiceFiscale::parse("CCCFBA85D03L219P")?.is_omocode());
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn is_omocode(&self) -> bool {
        OMOCODE_POSITIONS
            .iter()
            .filter_map(|&i| self.0.get(i))
            .any(|b| !b.is_ascii_digit())
    }

    /// The base code: every omocode letter replaced by its digit, check
    /// character recomputed. A code that is not an omocode is its own base.
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// let omocode = CodiceFiscale::parse("CCCFBA85D03L21VE")?;
    /// assert_eq!(omocode.base(), CodiceFiscale::parse("CCCFBA85D03L219P")?);
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn base(&self) -> CodiceFiscale {
        let mut code = self.0;
        for &i in &OMOCODE_POSITIONS {
            if let Some(b) = code.get_mut(i) {
                *b = b'0' + digit(*b);
            }
        }
        with_check_char(code)
    }

    /// Every way of writing this person's base code: each of the 128
    /// subsets of the seven digit positions written as omocode letters,
    /// with the check character recomputed. The base code comes first;
    /// `self` is among them. Bit `k` of the variant's index (0-127) says
    /// whether the `k`-th digit position (7, 8, 10, 11, 13, 14, 15) is a
    /// letter.
    ///
    /// Remember that each variant identifies a different person.
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// let cf = CodiceFiscale::parse("CCCFBA85D03L219P")?;
    /// let variants: Vec<CodiceFiscale> = cf.omocode_variants().collect();
    /// assert_eq!(variants.len(), 128);
    /// assert_eq!(variants.first(), Some(&cf));
    /// assert!(variants.contains(&CodiceFiscale::parse("CCCFBA85D03L21VE")?));
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn omocode_variants(&self) -> impl ExactSizeIterator<Item = CodiceFiscale> + use<> {
        let base = self.base().0;
        (0u8..128).map(move |mask| {
            let mut code = base;
            for (bit, &i) in OMOCODE_POSITIONS.iter().enumerate() {
                // No let-chain here: the crate's MSRV (1.85) predates them.
                if mask & (1 << bit) == 0 {
                    continue;
                }
                if let Some(b) = code.get_mut(i) {
                    let letter = OMOCODE_LETTERS.get(usize::from(digit(*b))).copied();
                    *b = letter.unwrap_or(*b);
                }
            }
            with_check_char(code)
        })
    }
}

/// The 16 upper-case letters and digits of `input`, with spaces and dashes
/// removed; an error for any other character or for the wrong count.
fn normalise(input: &str) -> Result<[u8; LEN], CodiceFiscaleError> {
    // Fast path: exactly 16 ASCII letters and digits, as a code is usually
    // stored and often typed.
    if let Ok(&bytes) = <&[u8; LEN]>::try_from(input.as_bytes()) {
        if bytes.iter().all(u8::is_ascii_alphanumeric) {
            return Ok(bytes.map(|b| b.to_ascii_uppercase()));
        }
    }

    let mut code = [0u8; LEN];
    let mut count = 0usize;
    // Bytes, not chars: decoding every char would cost more than the whole
    // check. Non-ASCII chars are decoded only where they start.
    for (i, &b) in input.as_bytes().iter().enumerate() {
        if b.is_ascii() {
            if b == b'-' || b.is_ascii_whitespace() {
                continue;
            }
            count += 1;
            if !b.is_ascii_alphanumeric() {
                return Err(CodiceFiscaleError::UnexpectedCharacter {
                    found: char::from(b),
                    position: count,
                });
            }
            if let Some(slot) = code.get_mut(count - 1) {
                *slot = b.to_ascii_uppercase();
            }
        } else if let Some(c) = input.get(i..).and_then(|rest| rest.chars().next()) {
            // `get(i..)` is `None` inside a multi-byte char, so each char is
            // looked at once, from its first byte.
            if is_separator(c) {
                continue;
            }
            count += 1;
            return Err(CodiceFiscaleError::UnexpectedCharacter {
                found: c,
                position: count,
            });
        }
    }
    if count == LEN {
        Ok(code)
    } else {
        Err(CodiceFiscaleError::WrongLength { found: count })
    }
}

/// A code whose first 15 characters are valid, completed with its check
/// character.
fn with_check_char(mut code: [u8; LEN]) -> CodiceFiscale {
    let check = check_char(&code);
    if let Some(last) = code.last_mut() {
        *last = check;
    }
    CodiceFiscale(code)
}

impl FromStr for CodiceFiscale {
    type Err = CodiceFiscaleError;

    /// Same as [`CodiceFiscale::parse`].
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        CodiceFiscale::parse(s)
    }
}

impl fmt::Display for CodiceFiscale {
    /// The code as written.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl fmt::Debug for CodiceFiscale {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("CodiceFiscale")
            .field(&self.as_str())
            .finish()
    }
}

impl Serialize for CodiceFiscale {
    /// As the 16-character string.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CodiceFiscale {
    /// From a string, through [`CodiceFiscale::parse`]: invalid codes are
    /// rejected with the [`CodiceFiscaleError`] message.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(CodiceFiscaleVisitor)
    }
}

/// Parses a deserialized string without allocating.
struct CodiceFiscaleVisitor;

impl Visitor<'_> for CodiceFiscaleVisitor {
    type Value = CodiceFiscale;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a codice fiscale (16 letters and digits)")
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<CodiceFiscale, E> {
        CodiceFiscale::parse(v).map_err(E::custom)
    }

    fn visit_bytes<E: de::Error>(self, v: &[u8]) -> Result<CodiceFiscale, E> {
        let s = core::str::from_utf8(v)
            .map_err(|_| E::invalid_value(de::Unexpected::Bytes(v), &self))?;
        self.visit_str(s)
    }
}
