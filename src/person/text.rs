//! What the free-text values (names, streets, municipalities) share: the string form of every
//! validated string type, and the trimming, collapsing and checking of free text.

use std::borrow::Cow;

use super::{ContactError, ContactField};

/// The traits every validated string type shares: its string form is its only form, on screen
/// and on the wire, and every way in goes through `parse`.
///
/// Each of these types holds an `Arc<str>` rather than a `String`: the value never grows after
/// validation (a `String`'s capacity is 8 bytes more each, and a [`Person`](super::Person) is
/// inside every account and every request command), and it is shared rather than copied. A PIN
/// request copies the person into its event, the account copies it from the event, and every
/// notice and delivery copies an address: as boxed strings, those copies would be 13 of a
/// request's 23 allocations and one of a clock tick's three. The postal code and the province,
/// of a fixed length of ASCII, keep their bytes inline: no allocation to make, load or free.
macro_rules! string_form {
    ($type:ident) => {
        $crate::person::text::string_form!($type, shared);

        impl From<$type> for String {
            fn from(value: $type) -> String {
                String::from(&*value.0)
            }
        }
    };
    // A type that keeps its few bytes inline rather than an `Arc<str>`.
    ($type:ident, inline) => {
        $crate::person::text::string_form!($type, shared);

        impl From<$type> for String {
            fn from(value: $type) -> String {
                value.as_str().to_owned()
            }
        }
    };
    ($type:ident, shared) => {
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

        impl ::serde::Serialize for $type {
            fn serialize<S: ::serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        // Deserializing parses again, so a stored value edited or written by an older, laxer
        // version cannot be loaded as if it were valid; from the input's own bytes where the
        // format allows (postcard always), without a copy first.
        impl<'de> ::serde::Deserialize<'de> for $type {
            fn deserialize<D: ::serde::Deserializer<'de>>(
                deserializer: D,
            ) -> Result<Self, D::Error> {
                deserializer.deserialize_str($crate::person::text::ParseVisitor(Self::parse))
            }
        }
    };
}

pub(super) use string_form;

/// Reads a string with `parse`, borrowing it from the input where the format allows.
pub(crate) struct ParseVisitor<T>(pub(crate) fn(&str) -> Result<T, ContactError>);

impl<T> serde::de::Visitor<'_> for ParseVisitor<T> {
    type Value = T;

    fn expecting(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str("a string")
    }

    fn visit_str<E: serde::de::Error>(self, input: &str) -> Result<T, E> {
        (self.0)(input).map_err(E::custom)
    }
}

/// `input` without leading and trailing whitespace, as `str::trim` gives it; at once when it
/// starts and ends with ASCII that is not whitespace, as every stored value does.
pub(super) fn trim(input: &str) -> &str {
    let bytes = input.as_bytes();
    let tight =
        |byte: Option<&u8>| byte.is_some_and(|&byte| byte.is_ascii() && !is_ascii_space(byte));
    if tight(bytes.first()) && tight(bytes.last()) {
        input
    } else {
        input.trim()
    }
}

/// Whether an ASCII byte is whitespace as `char::is_whitespace` has it: unlike
/// `u8::is_ascii_whitespace`, with the vertical tab.
fn is_ascii_space(byte: u8) -> bool {
    matches!(byte, b' ' | b'\t' | b'\n' | b'\x0B' | b'\x0C' | b'\r')
}

/// Whether `character` is a combining diacritical mark (U+0300 to U+036F).
///
/// Names typed on some systems arrive decomposed, "ò" as "o" followed by U+0300; those marks
/// are not alphabetic, but rejecting them would reject an ordinary Italian name.
fn is_combining_mark(character: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&character)
}

/// The shape of a free-text value: a name, a street or a municipality.
///
/// Generic over its test of characters, so that the test is compiled into the loop that runs
/// it for every character of every name loaded, rather than called through a pointer.
pub(super) struct TextRules<Allowed: Fn(char) -> bool> {
    pub(super) field: ContactField,
    pub(super) min: usize,
    pub(super) max: usize,
    /// Characters allowed besides whitespace and combining marks after a letter.
    pub(super) allowed: Allowed,
}

/// Trims `input`, checks its characters against `rules`, collapses each run of inner
/// whitespace to one space, and checks the length and that it has a letter.
pub(super) fn normalise_text<'a>(
    input: &'a str,
    rules: &TextRules<impl Fn(char) -> bool>,
) -> Result<Cow<'a, str>, ContactError> {
    let field = rules.field;
    let trimmed = trim(input);
    if trimmed.is_empty() {
        return Err(ContactError::Empty { field });
    }
    // One pass checks every character and counts what the checks below need: stored values
    // are read through here on every load.
    let (collapsed, found, has_letter) = if trimmed.is_ascii() {
        check_ascii(trimmed, rules)?
    } else {
        check_characters(trimmed, rules)?
    };
    // Stored values are already collapsed: borrowed as they are, without splitting them, so
    // that the one allocation is the shared string the caller makes of it.
    let mut found = found;
    let collapsed = if collapsed {
        Cow::Borrowed(trimmed)
    } else {
        let collapsed = trimmed.split_whitespace().collect::<Vec<_>>().join(" ");
        found = collapsed.chars().count();
        Cow::Owned(collapsed)
    };
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
    // Collapsing removes no letter.
    if !has_letter {
        return Err(ContactError::NoLetter { field });
    }
    Ok(collapsed)
}

/// What one pass over free text finds: whether its whitespace is already single spaces, how
/// many characters it has, and whether one is a letter.
type TextFound = (bool, usize, bool);

/// The pass of [`normalise_text`] over ASCII text, byte by byte: what most stored names and
/// addresses are. It finds what [`check_characters`] would (no ASCII character is a
/// combining mark) without decoding characters.
fn check_ascii(
    trimmed: &str,
    rules: &TextRules<impl Fn(char) -> bool>,
) -> Result<TextFound, ContactError> {
    let (mut collapsed, mut has_letter, mut after_space) = (true, false, false);
    for (index, &byte) in trimmed.as_bytes().iter().enumerate() {
        let whitespace = is_ascii_space(byte);
        if !(whitespace || (rules.allowed)(char::from(byte))) {
            return Err(ContactError::InvalidCharacter {
                field: rules.field,
                character: char::from(byte),
                position: index + 1,
            });
        }
        has_letter |= byte.is_ascii_alphabetic();
        let space = byte == b' ';
        collapsed &= !(space && after_space) && (space || !whitespace);
        after_space = space;
    }
    Ok((collapsed, trimmed.len(), has_letter))
}

/// The pass of [`normalise_text`] over any text: a combining accent counts as part of the
/// letter it follows.
fn check_characters(
    trimmed: &str,
    rules: &TextRules<impl Fn(char) -> bool>,
) -> Result<TextFound, ContactError> {
    let mut after_letter = false;
    let mut after_space = false;
    let (mut collapsed, mut found, mut has_letter) = (true, 0, false);
    for (index, character) in trimmed.chars().enumerate() {
        let mark = !character.is_ascii() && is_combining_mark(character) && after_letter;
        let whitespace = match u8::try_from(character) {
            Ok(byte) if byte.is_ascii() => is_ascii_space(byte),
            _ => character.is_whitespace(),
        };
        if !(whitespace || mark || (rules.allowed)(character)) {
            return Err(ContactError::InvalidCharacter {
                field: rules.field,
                character,
                position: index + 1,
            });
        }
        let alphabetic = if character.is_ascii() {
            character.is_ascii_alphabetic()
        } else {
            character.is_alphabetic()
        };
        after_letter = alphabetic || mark;
        has_letter |= alphabetic;
        // Collapsed: no whitespace but single spaces.
        let space = character == ' ';
        collapsed &= !(space && after_space) && (space || !whitespace);
        after_space = space;
        found = index + 1;
    }
    Ok((collapsed, found, has_letter))
}

#[cfg(test)]
mod tests {
    use crate::{Address, PersonName};
    use proptest::prelude::*;

    proptest! {
        /// R4: ASCII text, read byte by byte, finds what reading it character by character
        /// finds, for a name's characters and a street's, with every kind of ASCII
        /// whitespace and characters no rule allows.
        #[test]
        fn r4_ascii_text_is_checked_as_any_text_is(input in "[ -~\t\n\x0B\x0C\r]{0,30}") {
            use super::{ContactField, TextRules, check_ascii, check_characters};
            let name = TextRules {
                field: ContactField::Name,
                min: 1,
                max: 60,
                allowed: |character: char| {
                    character.is_alphabetic() || matches!(character, ' ' | '\'' | '-' | '.')
                },
            };
            let street = TextRules {
                field: ContactField::Street,
                min: 3,
                max: 100,
                allowed: |character: char| {
                    character.is_alphabetic() || character.is_ascii_digit() || ",/()".contains(character)
                },
            };
            prop_assert_eq!(check_ascii(&input, &name), check_characters(&input, &name));
            prop_assert_eq!(check_ascii(&input, &street), check_characters(&input, &street));
        }
    }

    /// The shortcut of `trim` trims as `str::trim` does, whatever the ends are: ASCII
    /// whitespace (the vertical tab too), Unicode whitespace, other non-ASCII, nothing.
    #[test]
    fn trim_is_str_trim() {
        for input in [
            "",
            " ",
            "a",
            "Anna",
            " Anna",
            "Anna ",
            "\u{b}Anna",
            "Anna\u{b}",
            "\u{a0}Anna",
            "Anna\u{3000}",
            "Ànna",
            "annà",
            "\u{1c}Anna\u{1f}",
            "\tA\r\n",
            "A b",
        ] {
            assert_eq!(super::trim(input), input.trim(), "{input:?}");
        }
    }

    /// Stored values are input (R35): one that was not collapsed, or holds whitespace other
    /// than single spaces, loads as the same value typed would, never as it is stored.
    #[test]
    fn r35_stored_free_text_is_normalised_as_typed_text() {
        for (stored, loaded) in [
            ("\"Anna Maria\"", "Anna Maria"),
            ("\" Anna  Maria \"", "Anna Maria"),
            ("\"Anna\\tMaria\"", "Anna Maria"),
            ("\"Anna\u{a0}Maria\"", "Anna Maria"),
            ("\"Anna \\n Maria\"", "Anna Maria"),
        ] {
            let name = serde_json::from_str::<PersonName>(stored).map(|name| name.to_string());
            assert_eq!(name.ok().as_deref(), Some(loaded), "{stored}");
        }
        assert!(serde_json::from_str::<PersonName>("\"R2-D2\"").is_err());
        let address = serde_json::from_str::<Address>(
            r#"{"street":"Via  Roma\t1","postal_code":"00184","municipality":"Roma","province":"rm"}"#,
        )
        .map(|address| address.to_string());
        assert_eq!(address.ok().as_deref(), Some("Via Roma 1, 00184 Roma (RM)"));
    }
}
