//! Italian phone numbers, mobile and fixed-line, and which of the two a caller uses.

use core::fmt;

use serde::{Deserialize, Serialize};

use super::text::string_form;
use super::{ContactError, ContactField};

/// The kind of phone a caller uses, which sets the Contact Center number to call.
///
/// From a landline the number is 803 164; from a mobile it is 06 164 164.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PhoneKind {
    /// A fixed line.
    Landline,
    /// A mobile phone.
    Mobile,
}

/// Characters people put between the digits of a phone number; they are dropped.
fn is_phone_separator(character: char) -> bool {
    character.is_whitespace() || matches!(character, '-' | '.' | '/' | '(' | ')')
}

/// The digits of a national number, kept on the stack: a number has at most 11 after its
/// prefix, so only the first [`NationalDigits::KEPT`] of a longer run are kept, and the count
/// says it is too long.
struct NationalDigits {
    digits: [u8; NationalDigits::KEPT],
    /// Where the national number starts in `digits`, after the country prefix.
    start: usize,
    /// How many digits there were in all, kept or not.
    count: usize,
}

impl NationalDigits {
    /// Enough for the longest prefix (`0039`), the longest national number (11 digits), and
    /// one more, which makes it too long.
    const KEPT: usize = 16;

    /// The national number's digits, as far as they are kept.
    fn kept(&self) -> &[u8] {
        self.digits
            .get(self.start..self.count.min(Self::KEPT))
            .unwrap_or_default()
    }

    /// How many digits the national number has.
    fn len(&self) -> usize {
        self.count - self.start
    }

    /// Its first digit.
    fn first(&self) -> Option<char> {
        self.kept().first().copied().map(char::from)
    }

    /// Checks the count of digits and returns the number in E.164.
    fn to_e164(&self, field: ContactField, min: usize, max: usize) -> Result<E164, ContactError> {
        let found = self.len();
        if !(min..=max).contains(&found) {
            return Err(ContactError::WrongDigitCount {
                field,
                found,
                min,
                max,
            });
        }
        // Within `max`, every digit was kept; `max` is at most 11, so they fit.
        let mut number = E164 {
            bytes: [0; E164::MAX],
            len: 0,
        };
        for (slot, byte) in number
            .bytes
            .iter_mut()
            .zip(b"+39".iter().chain(self.kept()))
        {
            *slot = *byte;
            number.len += 1;
        }
        if usize::from(number.len) != 3 + found {
            return Err(ContactError::WrongDigitCount {
                field,
                found,
                min,
                max,
            });
        }
        Ok(number)
    }
}

/// An Italian number in E.164 (`+39` and at most 11 digits), kept inline rather than in a
/// heap block of its own: a person is copied into every PIN request's event and into the
/// account, and read from every stored account.
#[derive(Clone, PartialEq, Eq, Hash)]
struct E164 {
    /// The number's ASCII characters, then zeros.
    bytes: [u8; E164::MAX],
    len: u8,
}

impl E164 {
    /// `+39` and the longest national number, a landline's 11 digits.
    const MAX: usize = 3 + 11;

    fn as_str(&self) -> &str {
        // Always ASCII: `NationalDigits::to_e164` is the only way in.
        self.bytes
            .get(..usize::from(self.len))
            .and_then(|bytes| core::str::from_utf8(bytes).ok())
            .unwrap_or_default()
    }

    /// The national number, without `+39`.
    fn national(&self) -> &str {
        let number = self.as_str();
        number.strip_prefix("+39").unwrap_or(number)
    }
}

/// Strips separators and an Italian country prefix (`+39` or `0039`) from a phone number and
/// returns the national number's digits.
fn national_digits(input: &str, field: ContactField) -> Result<NationalDigits, ContactError> {
    let trimmed = super::text::trim(input);
    let mut number = NationalDigits {
        digits: [0; NationalDigits::KEPT],
        start: 0,
        count: 0,
    };
    let mut plus = false;
    for (index, character) in trimmed.chars().enumerate() {
        if character.is_ascii_digit() {
            if let Some(kept) = number.digits.get_mut(number.count) {
                *kept = u8::try_from(character).unwrap_or_default();
            }
            number.count += 1;
        } else if character == '+' && !plus && number.count == 0 {
            // A '+' is allowed only before every digit, where it introduces the country code.
            plus = true;
        } else if !is_phone_separator(character) {
            return Err(ContactError::InvalidCharacter {
                field,
                character,
                position: index + 1,
            });
        }
    }
    let digits = number.kept();
    number.start = if plus {
        if digits.starts_with(b"39") {
            2
        } else if digits.is_empty() {
            0
        } else {
            return Err(ContactError::ForeignNumber { field });
        }
    } else if digits.starts_with(b"00") {
        // No Italian area code starts with 00: a leading 00 is always the international
        // prefix, never the 0 of a landline.
        if digits.starts_with(b"0039") {
            4
        } else {
            return Err(ContactError::ForeignNumber { field });
        }
    } else {
        0
    };
    if number.len() == 0 {
        return Err(ContactError::Empty { field });
    }
    Ok(number)
}

/// An Italian mobile number, where the first half of the PIN can be sent by SMS (R4).
///
/// Spaces, dashes, dots, slashes and parentheses between digits are ignored, as is a leading
/// `+39` or `0039`. The national number starts with 3 and has 9 or 10 digits. It is stored
/// once, in E.164 (`+393331234567`); [`MobileNumber::national`] gives it without the prefix.
///
/// ```
/// use inps_pin::MobileNumber;
///
/// let mobile = MobileNumber::parse("(+39) 333-123.45.67")?;
/// assert_eq!(mobile.as_str(), "+393331234567");
/// assert_eq!(mobile.national(), "3331234567");
/// assert!(MobileNumber::parse("06 1234567").is_err());
/// # Ok::<(), inps_pin::ContactError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct MobileNumber(E164);

impl MobileNumber {
    /// Validates and normalises an Italian mobile number.
    ///
    /// # Errors
    ///
    /// [`ContactError::Empty`], [`ContactError::InvalidCharacter`],
    /// [`ContactError::ForeignNumber`], [`ContactError::MobileLooksLikeLandline`] (starts with
    /// 0), [`ContactError::WrongLeadingDigit`] (starts with another digit than 3) or
    /// [`ContactError::WrongDigitCount`] (not 9 or 10 digits), all with
    /// `ContactField::Mobile`.
    pub fn parse(input: &str) -> Result<MobileNumber, ContactError> {
        let field = ContactField::Mobile;
        let national = national_digits(input, field)?;
        match national.first() {
            Some('3') => {}
            Some('0') => return Err(ContactError::MobileLooksLikeLandline),
            Some(found) => {
                return Err(ContactError::WrongLeadingDigit {
                    field,
                    found,
                    expected: '3',
                });
            }
            None => return Err(ContactError::Empty { field }),
        }
        national.to_e164(field, 9, 10).map(MobileNumber)
    }

    /// The number in E.164, like `+393331234567`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The national number, without `+39`, like `3331234567`.
    #[must_use]
    pub fn national(&self) -> &str {
        self.0.national()
    }
}

string_form!(MobileNumber, inline);

// Written as the string it is, as when it held one.
impl fmt::Debug for MobileNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("MobileNumber").field(&self.as_str()).finish()
    }
}

/// An Italian fixed-line number.
///
/// Separators and prefixes as for [`MobileNumber`]. The national number starts with 0 (Italy
/// keeps it after `+39`) and an area code (so not with 00), and has 6 to 11 digits. Stored in E.164, like `+390612345678`.
///
/// ```
/// use inps_pin::LandlineNumber;
///
/// let landline = LandlineNumber::parse("0039 06/1234.5678")?;
/// assert_eq!(landline.as_str(), "+390612345678");
/// assert_eq!(landline.national(), "0612345678");
/// assert!(LandlineNumber::parse("333 1234567").is_err());
/// # Ok::<(), inps_pin::ContactError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct LandlineNumber(E164);

impl LandlineNumber {
    /// Validates and normalises an Italian fixed-line number.
    ///
    /// # Errors
    ///
    /// [`ContactError::Empty`], [`ContactError::InvalidCharacter`],
    /// [`ContactError::ForeignNumber`], [`ContactError::LandlineLooksLikeMobile`] (starts with
    /// 3), [`ContactError::WrongLeadingDigit`] (starts with another digit than 0),
    /// [`ContactError::LandlineWithoutAreaCode`] (starts with 00 after the prefix) or
    /// [`ContactError::WrongDigitCount`] (not 6 to 11 digits), all with
    /// `ContactField::Landline`.
    pub fn parse(input: &str) -> Result<LandlineNumber, ContactError> {
        let field = ContactField::Landline;
        let national = national_digits(input, field)?;
        match national.first() {
            // A second 0 would make the national form read as the international prefix 00
            // when it is parsed again, and no area code starts with it anyway.
            Some('0') if national.kept().starts_with(b"00") => {
                return Err(ContactError::LandlineWithoutAreaCode);
            }
            Some('0') => {}
            Some('3') => return Err(ContactError::LandlineLooksLikeMobile),
            Some(found) => {
                return Err(ContactError::WrongLeadingDigit {
                    field,
                    found,
                    expected: '0',
                });
            }
            None => return Err(ContactError::Empty { field }),
        }
        national.to_e164(field, 6, 11).map(LandlineNumber)
    }

    /// The number in E.164, like `+390612345678`.
    #[must_use]
    pub fn as_str(&self) -> &str {
        self.0.as_str()
    }

    /// The national number, without `+39`, like `0612345678`.
    #[must_use]
    pub fn national(&self) -> &str {
        self.0.national()
    }
}

string_form!(LandlineNumber, inline);

// Written as the string it is, as when it held one.
impl fmt::Debug for LandlineNumber {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("LandlineNumber")
            .field(&self.as_str())
            .finish()
    }
}
