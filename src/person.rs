//! The person who holds or requests a PIN: names, contacts, residence address and role.
//!
//! Requesting a PIN collects the first name, surname, codice fiscale, residence address,
//! phone numbers and e-mail address (R1); the person acts either as a citizen or as an
//! intermediary (R2). Each value is a type that can only be made by validating it, so a
//! [`Person`] never holds an empty or malformed contact: the second half of the PIN travels in
//! a sealed envelope to the residence [`Address`], the first half by e-mail or SMS, and a
//! delivery must not silently go nowhere (R4).
//!
//! Every type here serializes as its normalised string form (or, for [`Address`] and
//! [`Person`], as a struct of them) and validates again when deserialized, so a stored value
//! that is invalid cannot be loaded.
//!
//! Errors are [`ContactError`]s. Their messages name the field and the kind of problem, and
//! keep the value itself out (error messages end up in logs); the one exception is a single
//! offending character, which is what a person needs to find the typo.

use core::fmt;
use core::str::FromStr;

use serde::{Deserialize, Deserializer, Serialize, Serializer};
use thiserror::Error;

use crate::CodiceFiscale;
use crate::sunset::SunsetExemption;

/// The role in which a person holds a PIN (R2).
///
/// The role sets the expiry of the PIN: six months for a citizen, three for an intermediary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// A citizen acting for themself.
    Citizen,
    /// A patronato, a CAF or a professional acting for citizens.
    Intermediary,
}

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

/// Which value a [`ContactError`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContactField {
    /// A first name or a surname ([`PersonName`] does not know which of the two it is).
    Name,
    /// A whole e-mail address.
    Email,
    /// The part of an e-mail address before the `@`.
    EmailLocalPart,
    /// The part of an e-mail address after the `@`.
    EmailDomain,
    /// A mobile phone number.
    Mobile,
    /// A landline phone number.
    Landline,
    /// The street and civic number of an address.
    Street,
    /// The postal code (CAP) of an address.
    PostalCode,
    /// The municipality (comune) of an address.
    Municipality,
    /// The province of an address.
    Province,
}

impl ContactField {
    /// A well-formed value of the field, quoted in messages about its shape.
    fn example(self) -> &'static str {
        match self {
            ContactField::Name => "Anna Maria",
            ContactField::Email => "name@example.it",
            ContactField::EmailLocalPart => "name",
            ContactField::EmailDomain => "example.it",
            ContactField::Mobile => "333 1234567",
            ContactField::Landline => "06 1234567",
            ContactField::Street => "Via Roma 1",
            ContactField::PostalCode => "00184",
            ContactField::Municipality => "Roma",
            ContactField::Province => "RM",
        }
    }
}

impl fmt::Display for ContactField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContactField::Name => "name",
            ContactField::Email => "e-mail address",
            ContactField::EmailLocalPart => "part of the e-mail address before '@'",
            ContactField::EmailDomain => "domain of the e-mail address (after '@')",
            ContactField::Mobile => "mobile number",
            ContactField::Landline => "landline number",
            ContactField::Street => "street and civic number",
            ContactField::PostalCode => "postal code (CAP)",
            ContactField::Municipality => "municipality",
            ContactField::Province => "province",
        })
    }
}

/// Why a name, contact or address was rejected.
///
/// Each message says what was wrong and what to do. Messages never contain the rejected value
/// itself, only at most one offending character and its position.
///
/// Positions count characters from 1, in the value after surrounding whitespace is trimmed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ContactError {
    /// The value is empty or only whitespace.
    #[error("the {field} is empty: enter it")]
    Empty {
        /// The value that was empty.
        field: ContactField,
    },
    /// The value has fewer characters than allowed.
    #[error(
        "the {field} is too short ({found} characters, at least {min}): enter it in full, like {}",
        .field.example()
    )]
    TooShort {
        /// The value that was too short.
        field: ContactField,
        /// The fewest characters allowed.
        min: usize,
        /// The characters found, after trimming and collapsing whitespace.
        found: usize,
    },
    /// The value has more characters than allowed.
    #[error(
        "the {field} is too long ({found} characters, at most {max}): shorten it, for example \
         with the usual abbreviations"
    )]
    TooLong {
        /// The value that was too long.
        field: ContactField,
        /// The most characters allowed.
        max: usize,
        /// The characters found, after trimming and collapsing whitespace.
        found: usize,
    },
    /// The value must have an exact number of characters, and has another.
    #[error(
        "the {field} has {found} characters but must have exactly {expected}: enter it like {}",
        .field.example()
    )]
    WrongLength {
        /// The value with the wrong length.
        field: ContactField,
        /// The number of characters required.
        expected: usize,
        /// The characters found, after trimming.
        found: usize,
    },
    /// The value contains a character that is not allowed in it.
    #[error(
        "the {field} contains {character:?} at position {position}, which is not allowed there: \
         remove or replace it"
    )]
    InvalidCharacter {
        /// The value with the character.
        field: ContactField,
        /// The character that is not allowed.
        character: char,
        /// Its position, counting characters from 1 after trimming surrounding whitespace.
        position: usize,
    },
    /// The value has no letter at all.
    #[error("the {field} contains no letter: write it out in letters, like {}", .field.example())]
    NoLetter {
        /// The value without a letter.
        field: ContactField,
    },
    /// The street has no civic number, so an envelope sent there could not be delivered.
    #[error(
        "the street has no civic number: add the building number (or \"snc\" if the building \
         has none), so that a sealed envelope can be delivered"
    )]
    MissingCivicNumber,
    /// The e-mail address has no `@`.
    #[error("the e-mail address has no '@': enter the whole address, like name@example.it")]
    EmailMissingAt,
    /// The e-mail address has more than one `@`.
    #[error(
        "the e-mail address has {found} '@' signs but must have exactly one: enter a single \
         address"
    )]
    EmailTooManyAt {
        /// The number of `@` signs found.
        found: usize,
    },
    /// A dot starts or ends the part, or two dots follow each other.
    #[error(
        "the {field} starts or ends with a dot, or has two dots in a row: check the address for \
         typos"
    )]
    EmailMisplacedDot {
        /// `ContactField::EmailLocalPart` or `ContactField::EmailDomain`.
        field: ContactField,
    },
    /// The domain is a single label, with no dot.
    #[error(
        "the domain of the e-mail address has no dot: enter the full domain after '@', like \
         example.it"
    )]
    EmailDomainWithoutDot,
    /// One dot-separated label of the domain is longer than allowed.
    #[error(
        "a part of the e-mail domain between dots is too long ({found} characters, at most \
         {max}): check the address for typos"
    )]
    EmailDomainLabelTooLong {
        /// The most characters allowed in one label.
        max: usize,
        /// The characters found in the longest offending label.
        found: usize,
    },
    /// A label of the domain starts or ends with a hyphen.
    #[error(
        "a part of the e-mail domain between dots starts or ends with '-': check the address for \
         typos"
    )]
    EmailDomainLabelHyphen,
    /// The last label of the domain is not a top-level domain of two or more letters.
    #[error(
        "the e-mail domain does not end with a top-level domain of at least two letters (like \
         .it or .com): check the end of the address"
    )]
    EmailTopLevelDomain,
    /// The phone number has a country code other than Italy's.
    #[error("the {field} is not an Italian number: enter it without a prefix, or with +39 or 0039")]
    ForeignNumber {
        /// `ContactField::Mobile` or `ContactField::Landline`.
        field: ContactField,
    },
    /// The number given as a mobile starts with 0, as landlines do.
    #[error(
        "the mobile number starts with 0, so it looks like a landline: enter a mobile number \
         (they start with 3), or give this one as a landline"
    )]
    MobileLooksLikeLandline,
    /// The number given as a landline starts with 3, as mobiles do.
    #[error(
        "the landline number starts with 3, so it looks like a mobile: enter a fixed-line \
         number (they start with 0), or give this one as a mobile"
    )]
    LandlineLooksLikeMobile,
    /// The national number starts with a digit no number of its kind starts with.
    #[error("the {field} starts with {found:?} but must start with {expected:?}: check the number")]
    WrongLeadingDigit {
        /// `ContactField::Mobile` or `ContactField::Landline`.
        field: ContactField,
        /// The first digit of the national number.
        found: char,
        /// The digit every number of this kind starts with.
        expected: char,
    },
    /// The landline number starts with 00, which no Italian area code does.
    #[error(
        "the landline number starts with 00, and no Italian area code does: enter it with its \
         area code, like 06 1234567"
    )]
    LandlineWithoutAreaCode,
    /// The national number has too few or too many digits.
    #[error(
        "the {field} has {found} digits but must have {min} to {max}, not counting the +39 \
         prefix: check that no digit is missing or repeated"
    )]
    WrongDigitCount {
        /// `ContactField::Mobile` or `ContactField::Landline`.
        field: ContactField,
        /// The digits of the national number found.
        found: usize,
        /// The fewest digits allowed.
        min: usize,
        /// The most digits allowed.
        max: usize,
    },
}

impl ContactError {
    /// The value the error is about.
    ///
    /// ```
    /// use inps_pin::Email;
    ///
    /// let field = Email::parse("mario.rossi").map_err(|error| error.field().to_string());
    /// assert_eq!(field, Err("e-mail address".to_owned()));
    /// ```
    pub fn field(&self) -> ContactField {
        match self {
            ContactError::Empty { field }
            | ContactError::TooShort { field, .. }
            | ContactError::TooLong { field, .. }
            | ContactError::WrongLength { field, .. }
            | ContactError::InvalidCharacter { field, .. }
            | ContactError::NoLetter { field }
            | ContactError::EmailMisplacedDot { field }
            | ContactError::ForeignNumber { field }
            | ContactError::WrongLeadingDigit { field, .. }
            | ContactError::WrongDigitCount { field, .. } => *field,
            ContactError::MissingCivicNumber => ContactField::Street,
            ContactError::EmailMissingAt | ContactError::EmailTooManyAt { .. } => {
                ContactField::Email
            }
            ContactError::EmailDomainWithoutDot
            | ContactError::EmailDomainLabelTooLong { .. }
            | ContactError::EmailDomainLabelHyphen
            | ContactError::EmailTopLevelDomain => ContactField::EmailDomain,
            ContactError::MobileLooksLikeLandline => ContactField::Mobile,
            ContactError::LandlineLooksLikeMobile | ContactError::LandlineWithoutAreaCode => {
                ContactField::Landline
            }
        }
    }
}

/// The traits every validated string type shares: its string form is its only form, on screen
/// and on the wire, and every way in goes through `parse`.
///
/// Each of these types holds a `Box<str>` rather than a `String`: the value never grows after
/// validation, and a [`Person`] holds nine such strings inside every account and every
/// request command, where 8 bytes each add up.
macro_rules! string_form {
    ($type:ident) => {
        impl fmt::Display for $type {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl AsRef<str> for $type {
            fn as_ref(&self) -> &str {
                self.as_str()
            }
        }

        impl FromStr for $type {
            type Err = ContactError;

            fn from_str(input: &str) -> Result<Self, Self::Err> {
                Self::parse(input)
            }
        }

        impl TryFrom<&str> for $type {
            type Error = ContactError;

            fn try_from(input: &str) -> Result<Self, Self::Error> {
                Self::parse(input)
            }
        }

        impl TryFrom<String> for $type {
            type Error = ContactError;

            fn try_from(input: String) -> Result<Self, Self::Error> {
                Self::parse(&input)
            }
        }

        impl From<$type> for String {
            fn from(value: $type) -> String {
                value.0.into()
            }
        }

        impl Serialize for $type {
            fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }

        // Deserializing parses again, so a stored value edited or written by an older, laxer
        // version cannot be loaded as if it were valid.
        impl<'de> Deserialize<'de> for $type {
            fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let raw = String::deserialize(deserializer)?;
                Self::parse(&raw).map_err(serde::de::Error::custom)
            }
        }
    };
}

/// Whether `character` is a combining diacritical mark (U+0300 to U+036F).
///
/// Names typed on some systems arrive decomposed, "ò" as "o" followed by U+0300; those marks
/// are not alphabetic, but rejecting them would reject an ordinary Italian name.
fn is_combining_mark(character: char) -> bool {
    ('\u{0300}'..='\u{036F}').contains(&character)
}

/// The shape of a free-text value: a name, a street or a municipality.
struct TextRules {
    field: ContactField,
    min: usize,
    max: usize,
    /// Characters allowed besides whitespace and combining marks after a letter.
    allowed: fn(char) -> bool,
}

/// Trims `input`, checks its characters against `rules`, collapses each run of inner
/// whitespace to one space, and checks the length and that it has a letter.
fn normalise_text(input: &str, rules: &TextRules) -> Result<String, ContactError> {
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
pub struct PersonName(Box<str>);

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
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_form!(PersonName);

/// An e-mail address, where the first half of the PIN can be sent (R4).
///
/// Surrounding whitespace is trimmed. Exactly one `@`. The local part before it has 1 to 64
/// characters among ASCII letters, digits and ``.!#$%&'*+/=?^_`{|}~-``, with no dot at its
/// start or end and no two dots in a row; it is kept as given, since the mailbox owner decides
/// whether it is case-sensitive. The domain after it is lower-cased, at most 253 characters,
/// at least two labels separated by dots, each label 1 to 63 characters among `a-z`, `0-9`
/// and `-` and not starting or ending with `-`, the last (the top-level domain) of two or more
/// letters. The whole address is at most 254 characters. Quoted local parts, IP-literal
/// domains and internationalised (non-ASCII) addresses are refused: a PIN must not depend on a
/// mail system that may not deliver them.
///
/// ```
/// use inps_pin::Email;
///
/// let email = Email::parse(" Mario.Rossi@Example.IT ")?;
/// assert_eq!(email.as_str(), "Mario.Rossi@example.it");
/// assert!(Email::parse("mario.rossi@example").is_err());
/// # Ok::<(), inps_pin::ContactError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Email(Box<str>);

impl Email {
    /// The most characters in the local part (RFC 5321).
    const LOCAL_MAX: usize = 64;
    /// The most characters in the domain (RFC 1035).
    const DOMAIN_MAX: usize = 253;
    /// The most characters in one label of the domain (RFC 1035).
    const LABEL_MAX: usize = 63;
    /// The most characters in a whole address that fits in an SMTP path (RFC 5321).
    const MAX: usize = 254;

    /// Validates and normalises an e-mail address.
    ///
    /// # Errors
    ///
    /// [`ContactError::Empty`], [`ContactError::EmailMissingAt`],
    /// [`ContactError::EmailTooManyAt`]; for the local part or the domain
    /// [`ContactError::Empty`], [`ContactError::InvalidCharacter`], [`ContactError::TooLong`] or
    /// [`ContactError::EmailMisplacedDot`]; for the domain [`ContactError::EmailDomainWithoutDot`],
    /// [`ContactError::EmailDomainLabelTooLong`], [`ContactError::EmailDomainLabelHyphen`] or
    /// [`ContactError::EmailTopLevelDomain`]; for the whole address [`ContactError::TooLong`].
    pub fn parse(input: &str) -> Result<Email, ContactError> {
        let trimmed = input.trim();
        if trimmed.is_empty() {
            return Err(ContactError::Empty {
                field: ContactField::Email,
            });
        }
        let Some((local, domain)) = trimmed.split_once('@') else {
            return Err(ContactError::EmailMissingAt);
        };
        let at_signs = trimmed.matches('@').count();
        if at_signs > 1 {
            return Err(ContactError::EmailTooManyAt { found: at_signs });
        }
        Self::check_local_part(local)?;
        // Positions in the domain continue from the local part and the '@'.
        let domain = Self::normalise_domain(domain, local.chars().count() + 1)?;
        let address = format!("{local}@{domain}");
        // Every character is ASCII by now, so bytes and characters are the same count.
        if address.len() > Self::MAX {
            return Err(ContactError::TooLong {
                field: ContactField::Email,
                max: Self::MAX,
                found: address.len(),
            });
        }
        Ok(Email(address.into()))
    }

    fn check_local_part(local: &str) -> Result<(), ContactError> {
        let field = ContactField::EmailLocalPart;
        if local.is_empty() {
            return Err(ContactError::Empty { field });
        }
        for (index, character) in local.chars().enumerate() {
            if !(character.is_ascii_alphanumeric() || "!#$%&'*+/=?^_`{|}~-.".contains(character)) {
                return Err(ContactError::InvalidCharacter {
                    field,
                    character,
                    position: index + 1,
                });
            }
        }
        if local.len() > Self::LOCAL_MAX {
            return Err(ContactError::TooLong {
                field,
                max: Self::LOCAL_MAX,
                found: local.len(),
            });
        }
        if local.starts_with('.') || local.ends_with('.') || local.contains("..") {
            return Err(ContactError::EmailMisplacedDot { field });
        }
        Ok(())
    }

    /// Checks the domain and returns it lower-cased; `offset` is the number of characters
    /// before it in the address, for error positions.
    fn normalise_domain(domain: &str, offset: usize) -> Result<String, ContactError> {
        let field = ContactField::EmailDomain;
        if domain.is_empty() {
            return Err(ContactError::Empty { field });
        }
        for (index, character) in domain.chars().enumerate() {
            if !(character.is_ascii_alphanumeric() || character == '-' || character == '.') {
                return Err(ContactError::InvalidCharacter {
                    field,
                    character,
                    position: offset + index + 1,
                });
            }
        }
        // Domains are case-insensitive: one spelling makes equal addresses compare equal.
        let domain = domain.to_ascii_lowercase();
        if domain.len() > Self::DOMAIN_MAX {
            return Err(ContactError::TooLong {
                field,
                max: Self::DOMAIN_MAX,
                found: domain.len(),
            });
        }
        if domain.starts_with('.') || domain.ends_with('.') || domain.contains("..") {
            return Err(ContactError::EmailMisplacedDot { field });
        }
        let Some((_, top_level)) = domain.rsplit_once('.') else {
            return Err(ContactError::EmailDomainWithoutDot);
        };
        for label in domain.split('.') {
            if label.len() > Self::LABEL_MAX {
                return Err(ContactError::EmailDomainLabelTooLong {
                    max: Self::LABEL_MAX,
                    found: label.len(),
                });
            }
            if label.starts_with('-') || label.ends_with('-') {
                return Err(ContactError::EmailDomainLabelHyphen);
            }
        }
        if top_level.len() < 2 || !top_level.bytes().all(|byte| byte.is_ascii_alphabetic()) {
            return Err(ContactError::EmailTopLevelDomain);
        }
        Ok(domain)
    }

    /// The normalised address, with the domain lower-cased.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_form!(Email);

/// Characters people put between the digits of a phone number; they are dropped.
fn is_phone_separator(character: char) -> bool {
    character.is_whitespace() || matches!(character, '-' | '.' | '/' | '(' | ')')
}

/// Strips separators and an Italian country prefix (`+39` or `0039`) from a phone number and
/// returns the national number's digits.
fn national_digits(input: &str, field: ContactField) -> Result<String, ContactError> {
    let trimmed = input.trim();
    let mut digits = String::with_capacity(trimmed.len());
    let mut plus = false;
    for (index, character) in trimmed.chars().enumerate() {
        if character.is_ascii_digit() {
            digits.push(character);
        } else if character == '+' && !plus && digits.is_empty() {
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
    let national = if plus {
        match digits.strip_prefix("39") {
            Some(national) => national,
            None if digits.is_empty() => "",
            None => return Err(ContactError::ForeignNumber { field }),
        }
    } else if let Some(international) = digits.strip_prefix("00") {
        // No Italian area code starts with 00: a leading 00 is always the international
        // prefix, never the 0 of a landline.
        match international.strip_prefix("39") {
            Some(national) => national,
            None => return Err(ContactError::ForeignNumber { field }),
        }
    } else {
        &digits
    };
    if national.is_empty() {
        return Err(ContactError::Empty { field });
    }
    Ok(national.to_owned())
}

/// Checks the count of `national` digits, which all are ASCII, and returns it in E.164.
fn to_e164(
    national: &str,
    field: ContactField,
    min: usize,
    max: usize,
) -> Result<String, ContactError> {
    let found = national.len();
    if !(min..=max).contains(&found) {
        return Err(ContactError::WrongDigitCount {
            field,
            found,
            min,
            max,
        });
    }
    Ok(format!("+39{national}"))
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
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct MobileNumber(Box<str>);

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
        match national.chars().next() {
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
        to_e164(&national, field, 9, 10).map(|number| MobileNumber(number.into()))
    }

    /// The number in E.164, like `+393331234567`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The national number, without `+39`, like `3331234567`.
    pub fn national(&self) -> &str {
        self.0.strip_prefix("+39").unwrap_or(&self.0)
    }
}

string_form!(MobileNumber);

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
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LandlineNumber(Box<str>);

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
        match national.chars().next() {
            // A second 0 would make the national form read as the international prefix 00
            // when it is parsed again, and no area code starts with it anyway.
            Some('0') if national.starts_with("00") => {
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
        to_e164(&national, field, 6, 11).map(|number| LandlineNumber(number.into()))
    }

    /// The number in E.164, like `+390612345678`.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The national number, without `+39`, like `0612345678`.
    pub fn national(&self) -> &str {
        self.0.strip_prefix("+39").unwrap_or(&self.0)
    }
}

string_form!(LandlineNumber);

/// Checks that the trimmed `input` has exactly `expected` characters, each passing `allowed`.
fn fixed_shape(
    input: &str,
    field: ContactField,
    expected: usize,
    allowed: fn(char) -> bool,
) -> Result<&str, ContactError> {
    let trimmed = input.trim();
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
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct PostalCode(Box<str>);

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
        .map(|code| PostalCode(code.into()))
    }

    /// The five digits.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_form!(PostalCode);

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
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct Province(Box<str>);

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
        .map(|sigla| Province(sigla.to_ascii_uppercase().into()))
    }

    /// The two upper-case letters.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_form!(Province);

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
#[serde(try_from = "AddressFields")]
pub struct Address {
    // Boxed strings, as in the string types (see `string_form!`).
    street: Box<str>,
    postal_code: PostalCode,
    municipality: Box<str>,
    province: Province,
}

/// What a stored [`Address`] holds, before it is validated again.
#[derive(Deserialize)]
#[serde(rename = "Address")]
struct AddressFields {
    street: String,
    postal_code: String,
    municipality: String,
    province: String,
}

impl TryFrom<AddressFields> for Address {
    type Error = ContactError;

    fn try_from(fields: AddressFields) -> Result<Self, Self::Error> {
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
    pub fn street(&self) -> &str {
        &self.street
    }

    /// The postal code (CAP).
    pub fn postal_code(&self) -> &PostalCode {
        &self.postal_code
    }

    /// The municipality (comune), like "Roma".
    pub fn municipality(&self) -> &str {
        &self.municipality
    }

    /// The province abbreviation.
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

/// A person who holds or requests a PIN (R1), identified by the codice fiscale.
///
/// Made from the data a PIN request collects, each part already validated; the e-mail and the
/// phone numbers are optional and added with the `with_` methods.
///
/// ```
/// use inps_pin::{
///     Address, CodiceFiscale, Email, MobileNumber, Person, PersonName, PhoneKind, Role,
/// };
///
/// let person = Person::new(
///     PersonName::parse("Mario")?,
///     PersonName::parse("Rossi")?,
///     CodiceFiscale::parse("RSSMRA85T10A562S")?,
///     Role::Citizen,
///     Address::new("Via Roma 1", "00184", "Roma", "RM")?,
/// )
/// .with_email(Email::parse("mario.rossi@example.it")?)
/// .with_mobile(MobileNumber::parse("333 1234567")?);
///
/// assert!(person.registered_contacts().is_some());
/// assert_eq!(person.phone_kind(), Some(PhoneKind::Mobile));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Person {
    name: PersonName,
    surname: PersonName,
    codice_fiscale: CodiceFiscale,
    role: Role,
    residence: Address,
    // Never skipped when absent: non-self-describing formats such as postcard need every field.
    email: Option<Email>,
    mobile: Option<MobileNumber>,
    landline: Option<LandlineNumber>,
    sunset_exemption: Option<SunsetExemption>,
}

impl Person {
    /// A person with no e-mail and no phone number yet.
    pub fn new(
        name: PersonName,
        surname: PersonName,
        codice_fiscale: CodiceFiscale,
        role: Role,
        residence: Address,
    ) -> Person {
        Person {
            name,
            surname,
            codice_fiscale,
            role,
            residence,
            email: None,
            mobile: None,
            landline: None,
            sunset_exemption: None,
        }
    }

    /// The person, declaring a reason to get a new PIN after the sunset's cut-off (R22a).
    /// Minors need none: their age is read from the codice fiscale.
    #[must_use]
    pub fn with_sunset_exemption(mut self, exemption: SunsetExemption) -> Self {
        self.sunset_exemption = Some(exemption);
        self
    }

    /// The reason declared to get a new PIN after the sunset's cut-off, if any (R22a).
    #[must_use]
    pub fn sunset_exemption(&self) -> Option<SunsetExemption> {
        self.sunset_exemption
    }

    /// The person with this e-mail address, replacing any previous one.
    #[must_use]
    pub fn with_email(mut self, email: Email) -> Self {
        self.email = Some(email);
        self
    }

    /// The person with this mobile number, replacing any previous one.
    #[must_use]
    pub fn with_mobile(mut self, mobile: MobileNumber) -> Self {
        self.mobile = Some(mobile);
        self
    }

    /// The person with this landline number, replacing any previous one.
    #[must_use]
    pub fn with_landline(mut self, landline: LandlineNumber) -> Self {
        self.landline = Some(landline);
        self
    }

    /// The first name.
    pub fn name(&self) -> &PersonName {
        &self.name
    }

    /// The surname.
    pub fn surname(&self) -> &PersonName {
        &self.surname
    }

    /// The codice fiscale, which identifies the person (R1).
    pub fn codice_fiscale(&self) -> CodiceFiscale {
        self.codice_fiscale
    }

    /// The role, which sets the PIN expiry (R2).
    pub fn role(&self) -> Role {
        self.role
    }

    /// The residence address, where sealed envelopes are posted.
    pub fn residence(&self) -> &Address {
        &self.residence
    }

    /// The e-mail address, if one is registered.
    pub fn email(&self) -> Option<&Email> {
        self.email.as_ref()
    }

    /// The mobile number, if one is registered.
    pub fn mobile(&self) -> Option<&MobileNumber> {
        self.mobile.as_ref()
    }

    /// The landline number, if one is registered.
    pub fn landline(&self) -> Option<&LandlineNumber> {
        self.landline.as_ref()
    }

    /// The two contacts a ripristino (restore) of the PIN uses: the e-mail address as the first
    /// contact and the mobile number as the second.
    ///
    /// `None` unless both are registered. This is a choice: a restore goes over two distinct
    /// channels, so that neither the mailbox nor the phone alone is enough to take over the
    /// PIN; with only one of them the person restores through another channel. A landline does
    /// not stand in for the mobile, since it cannot receive an SMS.
    pub fn registered_contacts(&self) -> Option<(&Email, &MobileNumber)> {
        Some((self.email.as_ref()?, self.mobile.as_ref()?))
    }

    /// The phone the person would call the Contact Center from, which sets the number to
    /// call (803 164 from a landline, 06 164 164 from a mobile).
    ///
    /// [`PhoneKind::Mobile`] if a mobile number is registered, else [`PhoneKind::Landline`] if
    /// a landline is, else `None` (the caller then cannot tell the person which number to
    /// call, and should show both). The mobile wins when both are registered: it is the phone
    /// the person has at hand wherever they are, so the likelier one to call from.
    pub fn phone_kind(&self) -> Option<PhoneKind> {
        if self.mobile.is_some() {
            Some(PhoneKind::Mobile)
        } else if self.landline.is_some() {
            Some(PhoneKind::Landline)
        } else {
            None
        }
    }
}
