//! The Italian codice fiscale (rule R3): parsed, never trusted.
//!
//! A [`CodiceFiscale`] is one of two forms, and only exists once it is valid:
//!
//! - The personal code, 16 characters: they must have the right shape,
//!   encode a birth date that exists, and carry the right check character.
//!   It is kept *as written*: the omocode letters that tell apart people
//!   whose base codes collide are part of the identity.
//! - The temporary code ("codice fiscale provvisorio"), 11 digits: the last
//!   is a check digit computed as for a partita IVA. It encodes nothing
//!   about the person, so the accessors for sex, birth date and place give
//!   `None` for it ([`CodiceFiscale::is_temporary`] tells the forms apart).
//!
//! Parsing accepts both forms; whether an account may be opened or used
//! with a temporary code is for the policy to say (R3).

use core::fmt;
use core::str::FromStr;

use jiff::civil::Date;
use serde::de::{self, Deserialize, Deserializer, Visitor};
use serde::ser::{Serialize, Serializer};

mod error;
mod layout;
pub use error::CodiceFiscaleError;
use layout::*;

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
/// assert_eq!(cf.sex(), Some(Sex::Male));
/// # Ok::<(), inps_pin::CodiceFiscaleError>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
pub enum Sex {
    /// Birth day written as 41-71.
    Female,
    /// Birth day written as 01-31.
    Male,
}

/// An Italian codice fiscale, valid, in upper case, as written: either the
/// personal code of 16 ASCII letters and digits (omocode letters preserved)
/// with a valid layout, birth date and check character, or the temporary
/// code of 11 digits with a valid check digit.
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
///
/// let temporary = CodiceFiscale::parse("123 456 789 03")?;
/// assert_eq!(temporary.as_str(), "12345678903");
/// assert_eq!(format!("{temporary:?}"), r#"CodiceFiscale("12345678903")"#);
/// # Ok::<(), inps_pin::CodiceFiscaleError>(())
/// ```
//
// Representation: the 16 bytes of a personal code, or the 11 digits of a
// temporary code followed by five zero bytes, which a personal code never
// holds; `is_temporary` reads the last byte. The bytes and the string
// determine each other, so the derived equality and hashing are those of the
// string; and since 0 sorts before every character, the derived ordering is
// the string's too.
#[derive(Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct CodiceFiscale([u8; LEN]);

impl CodiceFiscale {
    /// Parses what a person typed: a personal code of 16 characters or a
    /// temporary code of 11 digits.
    ///
    /// Lower case is accepted, and spaces and dashes anywhere (also no-break
    /// spaces and typographic dashes pasted from documents) are removed
    /// before checking. Then the length decides the form:
    ///
    /// - 16 characters, a personal code: the right kind of character at each
    ///   position (omocode letters L-V allowed for the seven digits), a
    ///   birth date that exists, and the right check character;
    /// - 11 characters, a temporary code: all digits, and the right check
    ///   digit (the 11th).
    ///
    /// Does not allocate.
    ///
    /// ```
    /// use inps_pin::{CodiceFiscale, CodiceFiscaleError};
    ///
    /// assert!(CodiceFiscale::parse("CCCFBA85D03L21VE").is_ok());
    /// assert!(CodiceFiscale::parse("12345678903").is_ok());
    /// assert_eq!(
    ///     CodiceFiscale::parse("RSSMRA80A01H501"),
    ///     Err(CodiceFiscaleError::WrongLength { found: 15 })
    /// );
    /// assert_eq!(
    ///     CodiceFiscale::parse("12345678904"),
    ///     Err(CodiceFiscaleError::WrongTemporaryCheckDigit { expected: '3', found: '4' })
    /// );
    /// ```
    ///
    /// # Errors
    ///
    /// A [`CodiceFiscaleError`] naming the first problem found, checked in
    /// this order: unexpected characters, length, the character at each
    /// position, then for a personal code the birth day and date and the
    /// check character, for a temporary code the check digit.
    pub fn parse(input: &str) -> Result<CodiceFiscale, CodiceFiscaleError> {
        // The usual input, a valid code as stored or printed: 16 characters. Every check runs
        // on it without a branch that depends on the code (each one's answer is gathered with
        // `&`), so that codes of every shape take the same path and the processor has nothing
        // to mispredict; only the one answer is branched on. Any other input (separators, a
        // problem, another length) takes the general path, which finds the first problem in
        // the documented order.
        if let Ok(&bytes) = <&[u8; LEN]>::try_from(input.as_bytes()) {
            let code = bytes.map(|b| b.to_ascii_uppercase());
            if is_valid_personal(&code) {
                return Ok(CodiceFiscale(code));
            }
        }
        match normalise(input)? {
            (code, LEN) => parse_personal(code),
            (code, TEMPORARY_LEN) => parse_temporary(code),
            (_, found) => Err(CodiceFiscaleError::WrongLength { found }),
        }
    }

    /// The code as written, in upper case, without spaces: 16 characters,
    /// or 11 digits for a temporary code.
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// let cf = CodiceFiscale::parse("ccc fba 85d03 l21ve")?;
    /// assert_eq!(cf.as_str(), "CCCFBA85D03L21VE");
    /// assert_eq!(CodiceFiscale::parse("1234567890-3")?.as_str(), "12345678903");
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn as_str(&self) -> &str {
        let len = if self.is_temporary() {
            TEMPORARY_LEN
        } else {
            LEN
        };
        // The bytes are ASCII by construction; the fallback is unreachable.
        self.0
            .get(..len)
            .and_then(|bytes| core::str::from_utf8(bytes).ok())
            .unwrap_or("")
    }

    /// Whether this is a temporary code (11 digits) rather than a personal
    /// one (16 characters). A temporary code encodes nothing about the
    /// person: its [`sex`](Self::sex), birth date and
    /// [`place_code`](Self::place_code) are `None`.
    ///
    /// ```
    /// use inps_pin::{CodiceFiscale, Sex};
    ///
    /// let temporary = CodiceFiscale::parse("12345678903")?;
    /// assert!(temporary.is_temporary());
    /// assert_eq!(temporary.sex(), None);
    /// assert_eq!(temporary.birth_month(), None);
    /// assert_eq!(temporary.place_code(), None);
    ///
    /// let personal = CodiceFiscale::parse("RSSMRA80A01H501U")?;
    /// assert!(!personal.is_temporary());
    /// assert_eq!(personal.sex(), Some(Sex::Male));
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn is_temporary(&self) -> bool {
        let [.., last] = self.0;
        last == 0
    }

    /// The bytes of a personal code; `None` for a temporary code.
    fn personal(&self) -> Option<[u8; LEN]> {
        (!self.is_temporary()).then_some(self.0)
    }

    /// The sex encoded in the birth day; `None` for a temporary code.
    ///
    /// ```
    /// use inps_pin::{CodiceFiscale, Sex};
    ///
    /// assert_eq!(CodiceFiscale::parse("RCCMNL83S18D969H")?.sex(), Some(Sex::Male));
    /// assert_eq!(CodiceFiscale::parse("12345678903")?.sex(), None);
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn sex(&self) -> Option<Sex> {
        let [.., d1, d2, _, _, _, _, _] = self.personal()?;
        Some(if two_digits(d1, d2) > 40 {
            Sex::Female
        } else {
            Sex::Male
        })
    }

    /// The last two digits of the birth year, 0-99 (omocode letters
    /// decoded); `None` for a temporary code.
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// assert_eq!(CodiceFiscale::parse("RSSMRA80A01H501U")?.birth_year_in_century(), Some(80));
    /// assert_eq!(CodiceFiscale::parse("12345678903")?.birth_year_in_century(), None);
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn birth_year_in_century(&self) -> Option<u8> {
        let [_, _, _, _, _, _, y1, y2, ..] = self.personal()?;
        Some(two_digits(y1, y2))
    }

    /// The birth month, 1-12; `None` for a temporary code.
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// assert_eq!(CodiceFiscale::parse("RCCMNL83S18D969H")?.birth_month(), Some(11));
    /// assert_eq!(CodiceFiscale::parse("12345678903")?.birth_month(), None);
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn birth_month(&self) -> Option<u8> {
        let [_, _, _, _, _, _, _, _, m, ..] = self.personal()?;
        Some(lookup(&MONTH_NUMBERS, m))
    }

    /// The birth day of the month, 1-31 (the +40 for women removed); `None`
    /// for a temporary code.
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// assert_eq!(CodiceFiscale::parse("RCCMNL83S18D969H")?.birth_day(), Some(18));
    /// assert_eq!(CodiceFiscale::parse("12345678903")?.birth_day(), None);
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn birth_day(&self) -> Option<u8> {
        let [.., d1, d2, _, _, _, _, _] = self.personal()?;
        let day = two_digits(d1, d2);
        Some(if day > 40 { day - 40 } else { day })
    }

    /// The full birth date; `None` for a temporary code, which has none.
    ///
    /// The century is not in the code, so it is chosen: the birth year is
    /// the latest year ending in the two digits such that the full date
    /// exists and is not after `reference` (nobody is born after it). Pass
    /// today's date, or the date of the request. Five candidate years are
    /// tried, a century apart, which covers being born on the reference day
    /// and 29 February of a year ending in 00 (1900 was not a leap year, so
    /// a code for 29/02/00 with a reference in 1999 gives 1600). For a
    /// personal code, `None` only if no candidate fits, which cannot happen
    /// for a real reference date.
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    /// use jiff::civil::date;
    ///
    /// let cf = CodiceFiscale::parse("RSSMRA80A01H501U")?;
    /// assert_eq!(cf.birth_date(date(2026, 11, 24)), Some(date(1980, 1, 1)));
    /// // Born in 2080 would be after the reference: a century earlier.
    /// assert_eq!(cf.birth_date(date(2090, 6, 1)), Some(date(2080, 1, 1)));
    ///
    /// let temporary = CodiceFiscale::parse("12345678903")?;
    /// assert_eq!(temporary.birth_date(date(2026, 11, 24)), None);
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn birth_date(&self, reference: Date) -> Option<Date> {
        let [_, _, _, _, _, _, y1, y2, m, d1, d2, ..] = self.personal()?;
        let yy = i32::from(two_digits(y1, y2));
        let month = lookup(&MONTH_NUMBERS, m);
        let day = women_day_removed(two_digits(d1, d2));
        let reference_year = i32::from(reference.year());
        let latest = reference_year - (reference_year - yy).rem_euclid(100);
        // Month and day as one number that orders as the pair does.
        let month_day = |month: i32, day: i32| 32 * month + day;
        let after_reference = month_day(i32::from(month), i32::from(day))
            > month_day(i32::from(reference.month()), i32::from(reference.day()));
        let year = if month == 2 && day == 29 {
            // The candidates of the definition above, a century apart: the first in a leap
            // year that is not after the reference.
            (0..5)
                .map(|centuries| latest - 100 * centuries)
                .find(|&year| (year < reference_year || !after_reference) && is_leap(year))?
        } else {
            // Every other date parse accepted exists in every year: the latest year, or a
            // century earlier when that date is after the reference. No branch on the code.
            latest - 100 * i32::from(latest == reference_year && after_reference)
        };
        Date::new(
            i16::try_from(year).ok()?,
            i8::try_from(month).ok()?,
            i8::try_from(day).ok()?,
        )
        .ok()
    }

    /// The place-of-birth code (Italian municipality, or Z + country),
    /// as four ASCII bytes with omocode letters decoded, e.g. `b"H501"`
    /// (Rome); `None` for a temporary code. Only its shape is checked, not
    /// that the place exists.
    ///
    /// A byte array rather than a new type keeps the public API to the
    /// three re-exported names; `core::str::from_utf8` turns it into text.
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// let cf = CodiceFiscale::parse("CCCFBA85D03L21VE")?;
    /// assert_eq!(cf.place_code(), Some(*b"L219"));
    /// let place = cf.place_code().unwrap_or_default();
    /// assert_eq!(core::str::from_utf8(&place), Ok("L219"));
    /// assert_eq!(CodiceFiscale::parse("12345678903")?.place_code(), None);
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn place_code(&self) -> Option<[u8; 4]> {
        let [.., letter, p1, p2, p3, _] = self.personal()?;
        Some([letter, b'0' + digit(p1), b'0' + digit(p2), b'0' + digit(p3)])
    }

    /// Whether any of the seven digit positions is written as an omocode
    /// letter; always `false` for a temporary code.
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// assert!(CodiceFiscale::parse("CCCFBA85D03L21VE")?.is_omocode());
    /// assert!(!CodiceFiscale::parse("CCCFBA85D03L219P")?.is_omocode());
    /// assert!(!CodiceFiscale::parse("12345678903")?.is_omocode());
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn is_omocode(&self) -> bool {
        !self.is_temporary()
            && OMOCODE_POSITIONS
                .iter()
                .filter_map(|&i| self.0.get(i))
                .any(|b| !b.is_ascii_digit())
    }

    /// The base code: every omocode letter replaced by its digit, check
    /// character recomputed. A code that is not an omocode, and a temporary
    /// code, is its own base.
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// let omocode = CodiceFiscale::parse("CCCFBA85D03L21VE")?;
    /// assert_eq!(omocode.base(), CodiceFiscale::parse("CCCFBA85D03L219P")?);
    /// let temporary = CodiceFiscale::parse("12345678903")?;
    /// assert_eq!(temporary.base(), temporary);
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn base(&self) -> CodiceFiscale {
        if self.is_temporary() {
            return *self;
        }
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
    /// letter. A temporary code has no omocode letters: it yields only
    /// itself.
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
    ///
    /// let temporary = CodiceFiscale::parse("12345678903")?;
    /// assert!(temporary.omocode_variants().eq([temporary]));
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn omocode_variants(&self) -> impl ExactSizeIterator<Item = CodiceFiscale> + use<> {
        let temporary = self.is_temporary();
        let base = self.base().0;
        let count: u8 = if temporary { 1 } else { 128 };
        (0..count).map(move |mask| {
            if temporary {
                return CodiceFiscale(base);
            }
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

/// The rest of [`CodiceFiscale::parse`] for the 16 characters of a personal
/// code.
fn parse_personal(code: [u8; LEN]) -> Result<CodiceFiscale, CodiceFiscaleError> {
    for (i, (&b, slot)) in code.iter().zip(LAYOUT).enumerate() {
        if !slot.accepts(b) {
            return Err(CodiceFiscaleError::InvalidCharacter {
                position: i + 1,
                found: char::from(b),
                expected: slot.expected(),
            });
        }
    }
    check_personal(code)
}

/// Whether the 16 (upper-case) bytes are a valid personal code: the same answer as
/// [`parse_personal`] being `Ok`, computed without a branch on the code. Each check's answer
/// is a `bool` combined with `&` (not `&&`, which would branch): every byte fits its position,
/// the birth day is 1-31 once the 40 of women's days is taken off, the month has that day, and
/// the check character matches. A byte that does not fit makes the table lookups below read
/// 0, which can only fail the other checks too.
fn is_valid_personal(code: &[u8; LEN]) -> bool {
    let [_, _, _, _, _, _, y1, y2, m, d1, d2, _, _, _, _, found] = *code;
    let written_day = two_digits(d1, d2);
    let day = women_day_removed(written_day);
    let day_in_range = day.wrapping_sub(1) < 31;
    let month = lookup(&MONTH_NUMBERS, m);
    let date_exists = day <= longest_day(month, two_digits(y1, y2));
    fits_layout(code) & day_in_range & date_exists & (check_char(code) == found)
}

/// The birth day of a written day: 41-71 (women) less 40, 1-31 (men) as it is; the other
/// written values, which [`check_personal`] rejects, come out outside 1-31 too.
fn women_day_removed(written_day: u8) -> u8 {
    written_day - 40 * u8::from(written_day > 40)
}

/// Whether every one of the 16 (upper-case) bytes fits its position: one table lookup a
/// byte, all of them, no early exit. The class bits each position wants and its byte lacks are
/// gathered into one byte, which is zero only if every byte fits.
fn fits_layout(code: &[u8; LEN]) -> bool {
    let lacking = code
        .iter()
        .zip(LAYOUT_CLASSES)
        .fold(0, |lacking, (&b, wanted)| {
            lacking | (wanted & !lookup(&CLASSES, b))
        });
    lacking == 0
}

/// The rest of [`parse_personal`] once every character fits its position: the birth day and
/// date, then the check character.
fn check_personal(code: [u8; LEN]) -> Result<CodiceFiscale, CodiceFiscaleError> {
    let [_, _, _, _, _, _, y1, y2, m, d1, d2, _, _, _, _, found] = code;
    let year_in_century = two_digits(y1, y2);
    let written_day = two_digits(d1, d2);
    let day = match written_day {
        1..=31 => written_day,
        41..=71 => written_day - 40,
        _ => return Err(CodiceFiscaleError::DayOutOfRange { day: written_day }),
    };
    let month = lookup(&MONTH_NUMBERS, m);
    if day > longest_day(month, year_in_century) {
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

/// The rest of [`CodiceFiscale::parse`] for the 11 characters of a
/// temporary code, followed in `code` by five zero bytes.
fn parse_temporary(code: [u8; LEN]) -> Result<CodiceFiscale, CodiceFiscaleError> {
    for (i, &b) in code.iter().take(TEMPORARY_LEN).enumerate() {
        if !b.is_ascii_digit() {
            return Err(CodiceFiscaleError::InvalidCharacter {
                position: i + 1,
                found: char::from(b),
                expected: TEMPORARY_DIGIT,
            });
        }
    }

    let [_, _, _, _, _, _, _, _, _, _, found, ..] = code;
    let expected = temporary_check_digit(&code);
    if found != expected {
        return Err(CodiceFiscaleError::WrongTemporaryCheckDigit {
            expected: char::from(expected),
            found: char::from(found),
        });
    }
    Ok(CodiceFiscale(code))
}

/// The upper-case letters and digits of `input`, with spaces and dashes
/// removed, and how many there are; an error for any other character. The
/// first 16 are in the array, whose bytes past the count are zero.
fn normalise(input: &str) -> Result<([u8; LEN], usize), CodiceFiscaleError> {
    // Fast paths: exactly 16, or 11, ASCII letters and digits, as a code is
    // usually stored and often typed.
    if let Ok(&bytes) = <&[u8; LEN]>::try_from(input.as_bytes()) {
        if bytes.iter().all(u8::is_ascii_alphanumeric) {
            return Ok((bytes.map(|b| b.to_ascii_uppercase()), LEN));
        }
    }
    if let Ok(&bytes) = <&[u8; TEMPORARY_LEN]>::try_from(input.as_bytes()) {
        if bytes.iter().all(u8::is_ascii_alphanumeric) {
            let [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11] =
                bytes.map(|b| b.to_ascii_uppercase());
            let code = [c1, c2, c3, c4, c5, c6, c7, c8, c9, c10, c11, 0, 0, 0, 0, 0];
            return Ok((code, TEMPORARY_LEN));
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
    Ok((code, count))
}

/// A personal code whose first 15 characters are valid, completed with its
/// check character.
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
    /// As the string: 16 characters, or the 11 digits of a temporary code.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.as_str())
    }
}

impl<'de> Deserialize<'de> for CodiceFiscale {
    /// From a string, through [`CodiceFiscale::parse`], so either form:
    /// invalid codes are rejected with the [`CodiceFiscaleError`] message.
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(CodiceFiscaleVisitor)
    }
}

/// Parses a deserialized string without allocating.
struct CodiceFiscaleVisitor;

impl Visitor<'_> for CodiceFiscaleVisitor {
    type Value = CodiceFiscale;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a codice fiscale (16 letters and digits, or 11 digits for a temporary one)")
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

#[cfg(test)]
mod tests {
    use super::*;
    use jiff::civil::date;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{Rng, SeedableRng};

    /// A 16-byte code of the right kinds of character, mostly: each position drawn from what
    /// it holds, or now and then from any letter or digit, the day's digits from 0-9 (so 00-99),
    /// and the check character half the time the right one.
    fn random_code(rng: &mut ChaCha20Rng) -> [u8; LEN] {
        const ANY: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
        const DIGITS: &[u8] = b"0123456789LMNPQRSTUV";
        const MONTHS: &[u8] = b"ABCDEHLMPRST";
        let mut pick = |from: &[u8]| from[rng.next_u32() as usize % from.len()];
        let mut code = [0u8; LEN];
        for (i, slot) in LAYOUT.iter().enumerate() {
            code[i] = if pick(b"0123456789") == b'0' {
                pick(ANY)
            } else {
                match slot {
                    Slot::Letter | Slot::Check => pick(&ANY[..26]),
                    Slot::Digit if i == 9 || i == 10 => pick(b"0123456789"),
                    Slot::Digit => pick(DIGITS),
                    Slot::Month => pick(MONTHS),
                }
            };
        }
        if pick(b"01") == b'0' {
            code[15] = check_char(&code);
        }
        code
    }

    /// The birth date as defined: of the five candidate years a century apart, the latest in
    /// which the date exists and is not after the reference.
    fn birth_date_by_definition(code: &CodiceFiscale, reference: Date) -> Option<Date> {
        let yy = i16::from(code.birth_year_in_century()?);
        let month = i8::try_from(code.birth_month()?).ok()?;
        let day = i8::try_from(code.birth_day()?).ok()?;
        let latest = reference.year() - (reference.year() - yy).rem_euclid(100);
        (0..5)
            .filter_map(|centuries| Date::new(latest - 100 * centuries, month, day).ok())
            .find(|born| *born <= reference)
    }

    /// R3: the branch-free check of the usual path accepts exactly the codes the ordered
    /// checks accept, and the birth date is the one its definition gives.
    #[test]
    fn r3_the_usual_path_agrees_with_the_ordered_checks_and_the_definition() {
        let mut rng = ChaCha20Rng::seed_from_u64(3);
        let references = [
            date(2026, 11, 24),
            date(2000, 2, 28),
            date(2000, 2, 29),
            date(1999, 12, 31),
            date(2080, 1, 1),
        ];
        let mut valid = 0;
        for _ in 0..300_000 {
            let code = random_code(&mut rng);
            let ordered = parse_personal(code);
            assert_eq!(is_valid_personal(&code), ordered.is_ok(), "{code:?}");
            if let Ok(parsed) = ordered {
                valid += 1;
                for reference in references {
                    assert_eq!(
                        parsed.birth_date(reference),
                        birth_date_by_definition(&parsed, reference),
                        "{parsed} {reference}"
                    );
                }
            }
        }
        assert!(valid > 10_000, "only {valid} valid codes drawn");
        // 29 February of a year ending in 00, against references either side of it.
        let leap_day = with_check_char(*b"RSSMRA00B29H501X");
        assert!(CodiceFiscale::parse(leap_day.as_str()).is_ok());
        for reference in [
            date(1999, 6, 1),
            date(2000, 2, 28),
            date(2000, 3, 1),
            date(2100, 3, 1),
        ] {
            assert_eq!(
                leap_day.birth_date(reference),
                birth_date_by_definition(&leap_day, reference)
            );
        }
    }
}
