//! What the free-text values (names, streets, municipalities) share: the string form of every
//! validated string type, and the trimming, collapsing and checking of free text.

use super::{ContactError, ContactField};

/// The traits every validated string type shares: its string form is its only form, on screen
/// and on the wire, and every way in goes through `parse`.
///
/// Each of these types holds a `Box<str>` rather than a `String`: the value never grows after
/// validation, and a [`Person`](super::Person) holds nine such strings inside every account and
/// every request command, where 8 bytes each add up.
macro_rules! string_form {
    ($type:ident) => {
        impl ::core::fmt::Display for $type {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl AsRef<str> for $type {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl ::core::str::FromStr for $type {
            type Err = $crate::person::ContactError;

            fn from_str(input: &str) -> Result<Self, Self::Err> {
                Self::parse(input)
            }
        }

        impl TryFrom<&str> for $type {
            type Error = $crate::person::ContactError;

            fn try_from(input: &str) -> Result<Self, Self::Error> {
                Self::parse(input)
            }
        }

        impl TryFrom<String> for $type {
            type Error = $crate::person::ContactError;

            fn try_from(input: String) -> Result<Self, Self::Error> {
                Self::parse(&input)
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> String {
                value.0.into()
            }
        }

        impl ::serde::Serialize for $type {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        // Deserializing parses again, so a stored value edited or written by an older, laxer
        // version cannot be loaded as if it were valid.
        impl<'de> ::serde::Deserialize<'de> for $type {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                let raw = <String as ::serde::Deserialize>::deserialize(deserializer)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

pub(super) use string_form;

/// Whether `character` is a combining diacritical mark (U+0300 to U+036F).
///
/// Names typed on some systems arrive decomposed, "ò" as "o" followed by U+0300; those marks
/// are not alphabetic, but rejecting them would reject an ordinary Italian name.
fn is_combining_mark(character: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&character)
}

/// The shape of a free-text value: a name, a street or a municipality.
pub(super) struct TextRules {
    pub(super) field: ContactField,
    pub(super) min: usize,
    pub(super) max: usize,
    /// Characters allowed besides whitespace and combining marks after a letter.
    pub(super) allowed: fn(char) -> bool,
}

/// Trims `input`, checks its characters against `rules`, collapses each run of inner
/// whitespace to one space, and checks the length and that it has a letter.
pub(super) fn normalise_text(input: &str, rules: &TextRules) -> Result<String, ContactError> {
    let field = rules.field;
    let trimmed = input.trim();
    if trimmed.is_empty() {
        return Err(ContactError::Empty { field });
    }
    let mut after_letter = false;
    for (index, character) in trimmed.chars().enumerate() {
        let mark = is_combining_mark(character) && after_letter;
        if !(character.is_whitespace() || mark || (rules.allowed)(character)) {
            return Err(ContactError::InvalidCharacter {
                field,
                character,
                position: index + 1,
            });
        }
        after_letter = character.is_alphabetic() || mark;
    }
    let collapsed = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
    let found = collapsed.chars().count();
    if found < rules.min {
        return Err(ContactError::TooShort {
            field,
            min: rules.min,
            found,
        });
    }
    if found > rules.max {
        return Err(ContactError::TooLong {
            field,
            max: rules.max,
            found,
        });
    }
    if !collapsed.chars().any(char::is_alphabetic) {
        return Err(ContactError::NoLetter { field });
    }
    Ok(collapsed)
}
