//! E-mail addresses, where the first half of the PIN can be sent.

use super::text::string_form;
use super::{ContactError, ContactField};

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
        let trimmed = super::text::trim(input);
        if trimmed.is_empty() {
            return Err(ContactError::Empty {
                field: ContactField::Email,
            });
        }
        let Some((local, domain)) = trimmed.split_once('@') else {
            return Err(ContactError::EmailMissingAt);
        };
        let at_signs = 1 + domain.bytes().filter(|&byte| byte == b'@').count();
        if at_signs > 1 {
            return Err(ContactError::EmailTooManyAt { found: at_signs });
        }
        Self::check_local_part(local)?;
        // Positions in the domain continue from the local part and the '@'.
        // The local part is ASCII once checked: its characters are its bytes.
        Self::check_domain(domain, local.len() + 1)?;
        // Every character is ASCII by now, so bytes and characters are the same count.
        let length = local.len() + 1 + domain.len();
        if length > Self::MAX {
            return Err(ContactError::TooLong {
                field: ContactField::Email,
                max: Self::MAX,
                found: length,
            });
        }
        // Written once, at its length: loading an account reads every stored address.
        let mut address = String::with_capacity(length);
        address.push_str(local);
        address.push('@');
        address.push_str(domain);
        // Domains are case-insensitive: one spelling makes equal addresses compare equal.
        if let Some(written) = address.get_mut(local.len() + 1..) {
            written.make_ascii_lowercase();
        }
        Ok(Email(address.into_boxed_str()))
    }

    fn check_local_part(local: &str) -> Result<(), ContactError> {
        let field = ContactField::EmailLocalPart;
        if local.is_empty() {
            return Err(ContactError::Empty { field });
        }
        for (index, character) in local.chars().enumerate() {
            let special = matches!(
                character,
                '!' | '#'
                    | '$'
                    | '%'
                    | '&'
                    | '\''
                    | '*'
                    | '+'
                    | '/'
                    | '='
                    | '?'
                    | '^'
                    | '_'
                    | '`'
                    | '{'
                    | '|'
                    | '}'
                    | '~'
                    | '-'
                    | '.'
            );
            if !(character.is_ascii_alphanumeric() || special) {
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
        if local.starts_with('.') || local.ends_with('.') || has_double_dot(local) {
            return Err(ContactError::EmailMisplacedDot { field });
        }
        Ok(())
    }

    /// Checks the domain and returns it lower-cased; `offset` is the number of characters
    /// before it in the address, for error positions.
    /// Checks the domain as typed: every check below holds for it exactly when it holds for
    /// its lower case, which is what is kept.
    fn check_domain(domain: &str, offset: usize) -> Result<(), ContactError> {
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
        if domain.len() > Self::DOMAIN_MAX {
            return Err(ContactError::TooLong {
                field,
                max: Self::DOMAIN_MAX,
                found: domain.len(),
            });
        }
        if domain.starts_with('.') || domain.ends_with('.') || has_double_dot(domain) {
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
        Ok(())
    }

    /// The normalised address, with the domain lower-cased.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

string_form!(Email);

/// Whether `text` has two dots in a row; byte by byte, which for strings this short beats the
/// general substring search.
fn has_double_dot(text: &str) -> bool {
    text.as_bytes().windows(2).any(|pair| pair == b"..")
}
