//! First names and surnames.

use std::sync::Arc;

use super::text::{TextRules, normalise_text, string_form};
use super::{ContactError, ContactField};

/// A first name or a surname, as written on the identity document.
///
/// Letters of any script, so accented Italian names pass, plus spaces, apostrophes (`'` and
/// `’`), hyphens and dots, with at least one letter: "Niccolò", "D'Amico", "De Luca",
/// "Rossi-Bianchi", "Anna Maria". Combining accents (U+0300 to U+036F) are accepted after a
/// letter, for names typed in decomposed form. Surrounding whitespace is trimmed and each run
/// of inner whitespace becomes one space; then 1 to 64 characters. Letters are kept as given
/// (no case change, no Unicode normalisation): the codice fiscale, not the name, identifies
/// the person.
///
/// ```
/// use inps_pin::PersonName;
///
/// let name = PersonName::parse("  Anna   Maria ")?;
/// assert_eq!(name.as_str(), "Anna Maria");
/// assert!(PersonName::parse("R2-D2").is_err());
/// # Ok::<(), inps_pin::ContactError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PersonName(Arc<str>);

impl PersonName {
    /// The most characters in a name, after collapsing whitespace.
    const MAX: usize = 64;

    /// Validates and normalises a first name or a surname.
    ///
    /// # Errors
    ///
    /// [`ContactError::Empty`], [`ContactError::InvalidCharacter`] (a digit or a symbol),
    /// [`ContactError::TooLong`] (over 64 characters) or [`ContactError::NoLetter`], all with
    /// `ContactField::Name`.
    pub fn parse(input: &str) -> Result<PersonName, ContactError> {
        let rules = TextRules {
            field: ContactField::Name,
            min: 1,
            max: Self::MAX,
            allowed: |character| {
                character.is_alphabetic() || matches!(character, ' ' | '\'' | '’' | '-' | '.')
            },
        };
        normalise_text(input, &rules).map(|name| PersonName(name.into()))
    }

    /// The normalised name.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_form!(PersonName);
