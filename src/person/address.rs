//! The residence address, where the sealed envelope with the second half of the PIN is posted.

use core::fmt;
use std::borrow::Cow;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::text::{TextRules, normalise_text, string_form};
use super::{ContactError, ContactField};

/// Checks that the trimmed `input` has exactly `expected` characters, each passing `allowed`.
fn fixed_shape(
    input: &str,
    field: ContactField,
    expected: usize,
    allowed: fn(char) -> bool,
) -> Result<&str, ContactError> {
    let trimmed = super::text::trim(input);
    if trimmed.is_empty() {
        return Err(ContactError::Empty { field });
    }
    // The length first: "Roma" given as a province is a wrong kind of value, better told
    // by its length than by its third letter.
    let found = trimmed.chars().count();
    if found != expected {
        return Err(ContactError::WrongLength {
            field,
            expected,
            found,
        });
    }
    if let Some((index, character)) = trimmed
        .chars()
        .enumerate()
        .find(|&(_, character)| !allowed(character))
    {
        return Err(ContactError::InvalidCharacter {
            field,
            character,
            position: index + 1,
        });
    }
    Ok(trimmed)
}

/// The `N` bytes of `text`, which [`fixed_shape`] checked to be `N` ASCII characters.
fn ascii_bytes<const N: usize>(text: &str) -> [u8; N] {
    text.as_bytes().try_into().unwrap_or([b'?'; N])
}

/// An Italian postal code (CAP): exactly five ASCII digits.
///
/// Only the shape is checked, not that the code is in use: postal codes change over time, and
/// a table of them would be date-bound data to keep up to date.
///
/// ```
/// use inps_pin::PostalCode;
///
/// assert_eq!(PostalCode::parse(" 00184 ")?.as_str(), "00184");
/// assert!(PostalCode::parse("184").is_err());
/// # Ok::<(), inps_pin::ContactError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct PostalCode([u8; 5]);

impl PostalCode {
    /// Validates a postal code.
    ///
    /// # Errors
    ///
    /// [`ContactError::Empty`], [`ContactError::WrongLength`] or
    /// [`ContactError::InvalidCharacter`], all with `ContactField::PostalCode`.
    pub fn parse(input: &str) -> Result<PostalCode, ContactError> {
        fixed_shape(input, ContactField::PostalCode, 5, |character| {
            character.is_ascii_digit()
        })
        .map(|code| PostalCode(ascii_bytes(code)))
    }

    /// The five digits.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Always ASCII: `parse` is the only way in.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

string_form!(PostalCode, inline);

// Written as the string it is, as when it held one.
impl fmt::Debug for PostalCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("PostalCode").field(&self.as_str()).finish()
    }
}

/// An Italian province, as its two-letter abbreviation (sigla), upper-cased: "rm" is "RM".
///
/// Only the shape is checked, not that the province exists: provinces are created, merged and
/// abolished over time, and date-bound place data is where bugs come from.
///
/// ```
/// use inps_pin::Province;
///
/// assert_eq!(Province::parse("rm")?.as_str(), "RM");
/// assert!(Province::parse("Roma").is_err());
/// # Ok::<(), inps_pin::ContactError>(())
/// ```
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Province([u8; 2]);

impl Province {
    /// Validates a province abbreviation and upper-cases it.
    ///
    /// # Errors
    ///
    /// [`ContactError::Empty`], [`ContactError::WrongLength`] or
    /// [`ContactError::InvalidCharacter`], all with `ContactField::Province`.
    pub fn parse(input: &str) -> Result<Province, ContactError> {
        fixed_shape(input, ContactField::Province, 2, |character| {
            character.is_ascii_alphabetic()
        })
        .map(|sigla| Province(ascii_bytes(sigla).map(|letter| letter.to_ascii_uppercase())))
    }

    /// The two upper-case letters.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Always ASCII: `parse` is the only way in.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

string_form!(Province, inline);

// Written as the string it is, as when it held one.
impl fmt::Debug for Province {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("Province").field(&self.as_str()).finish()
    }
}

/// An Italian residence address where the post can deliver the sealed envelope with the second
/// half of the PIN (R4).
///
/// The street is the street and civic number ("Via Roma 1"): trimmed, inner whitespace
/// collapsed, 3 to 100 characters of letters, digits, spaces and the punctuation of addresses
/// (`' ’ . , - / ° º ( ) "`), with at least one letter and a civic number: at least one digit,
/// or the word "snc" (senza numero civico) where the building has no number, since an envelope
/// without one may go nowhere. The municipality is trimmed and collapsed, 1 to 60 characters
/// of letters, spaces and `' ’ - . /` (for bilingual names like "Bolzano/Bozen"), with a letter.
///
/// ```
/// use inps_pin::Address;
///
/// let address = Address::new("Via Roma 1", "00184", "Roma", "rm")?;
/// assert_eq!(address.to_string(), "Via Roma 1, 00184 Roma (RM)");
/// assert!(Address::new("Via Roma", "00184", "Roma", "RM").is_err());
/// # Ok::<(), inps_pin::ContactError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "AddressFields<'_>")]
pub struct Address {
    // Shared strings, as in the string types (see `string_form!`).
    #[serde(serialize_with = "shared_str")]
    street: Arc<str>,
    postal_code: PostalCode,
    #[serde(serialize_with = "shared_str")]
    municipality: Arc<str>,
    province: Province,
}

/// A shared string written as the string it holds (serde writes `Arc<str>` only with its
/// `rc` feature, which would make every `Arc` serializable, sharing lost on the way back).
fn shared_str<S: serde::Serializer>(value: &Arc<str>, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value)
}

/// What a stored [`Address`] holds, before it is validated again: borrowed from the input
/// where the format allows, so that only the validated address is allocated.
#[derive(Deserialize)]
#[serde(rename = "Address")]
struct AddressFields<'a> {
    #[serde(borrow)]
    street: Cow<'a, str>,
    #[serde(borrow)]
    postal_code: Cow<'a, str>,
    #[serde(borrow)]
    municipality: Cow<'a, str>,
    #[serde(borrow)]
    province: Cow<'a, str>,
}

impl TryFrom<AddressFields<'_>> for Address {
    type Error = ContactError;

    fn try_from(fields: AddressFields<'_>) -> Result<Self, Self::Error> {
        Address::new(
            &fields.street,
            &fields.postal_code,
            &fields.municipality,
            &fields.province,
        )
    }
}

impl Address {
    /// Validates and normalises an address, checking the parts in argument order.
    ///
    /// # Errors
    ///
    /// For the street: [`ContactError::Empty`], [`ContactError::InvalidCharacter`],
    /// [`ContactError::TooShort`], [`ContactError::TooLong`], [`ContactError::NoLetter`] or
    /// [`ContactError::MissingCivicNumber`]. Then the errors of [`PostalCode::parse`]; for the
    /// municipality [`ContactError::Empty`], [`ContactError::InvalidCharacter`],
    /// [`ContactError::TooLong`] or [`ContactError::NoLetter`]; then those of
    /// [`Province::parse`].
    pub fn new(
        street: &str,
        postal_code: &str,
        municipality: &str,
        province: &str,
    ) -> Result<Address, ContactError> {
        let street_rules = TextRules {
            field: ContactField::Street,
            min: 3,
            max: 100,
            allowed: |character| {
                // ASCII digits only: the civic number is printed on the envelope.
                character.is_alphabetic()
                    || character.is_ascii_digit()
                    || matches!(
                        character,
                        ' ' | '\'' | '’' | '.' | ',' | '-' | '/' | '°' | 'º' | '(' | ')' | '"'
                    )
            },
        };
        let street = normalise_text(street, &street_rules)?;
        let has_number = street.chars().any(|character| character.is_ascii_digit())
            || street
                .split(|character: char| !character.is_alphanumeric())
                .any(|word| word.eq_ignore_ascii_case("snc"));
        if !has_number {
            return Err(ContactError::MissingCivicNumber);
        }
        let postal_code = PostalCode::parse(postal_code)?;
        let municipality_rules = TextRules {
            field: ContactField::Municipality,
            min: 1,
            max: 60,
            allowed: |character| {
                character.is_alphabetic() || matches!(character, ' ' | '\'' | '’' | '-' | '.' | '/')
            },
        };
        let municipality = normalise_text(municipality, &municipality_rules)?;
        let province = Province::parse(province)?;
        Ok(Address {
            street: street.into(),
            postal_code,
            municipality: municipality.into(),
            province,
        })
    }

    /// The street and civic number, like "Via Roma 1".
    #[must_use]
    pub fn street(&self) -> &str {
        &self.street
    }

    /// The postal code (CAP).
    #[must_use]
    pub fn postal_code(&self) -> &PostalCode {
        &self.postal_code
    }

    /// The municipality (comune), like "Roma".
    #[must_use]
    pub fn municipality(&self) -> &str {
        &self.municipality
    }

    /// The province abbreviation.
    #[must_use]
    pub fn province(&self) -> &Province {
        &self.province
    }
}

impl fmt::Display for Address {
    /// The address on one line, as on an envelope: "Via Roma 1, 00184 Roma (RM)".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "{}, {} {} ({})",
            self.street, self.postal_code, self.municipality, self.province
        )
    }
}
