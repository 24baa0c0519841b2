//! E-mail addresses, where the first half of the PIN can be sent.

use std::sync::Arc;

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
pub struct Email(Arc<str>);

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
        // Every stored address, read on every load, is one of these.
        if Self::kept_as_written(trimmed.as_bytes()) {
            return Ok(Email(Arc::from(trimmed)));
        }
        Self::parse_checked(trimmed)
    }

    /// Whether `address` is accepted and kept exactly as written: what [`Email::parse_checked`]
    /// accepts, with a domain already in lower case. In one pass over the bytes, where the
    /// checks one by one take several (each with its error); anything else goes through them.
    fn kept_as_written(address: &[u8]) -> bool {
        let Some((local, domain)) = address
            .iter()
            .position(|&byte| byte == b'@')
            .and_then(|at| Some((address.get(..at)?, address.get(at + 1..)?)))
        else {
            return false;
        };
        if local.is_empty()
            || local.len() > Self::LOCAL_MAX
            || domain.len() > Self::DOMAIN_MAX
            || address.len() > Self::MAX
        {
            return false;
        }
        // As if a dot came before: a dot first is then a dot after a dot.
        let mut previous = b'.';
        for &byte in local {
            let dot = byte == b'.';
            if !(LOCAL_SPECIAL.contains(&byte) || byte.is_ascii_alphanumeric())
                || (dot && previous == b'.')
            {
                return false;
            }
            previous = byte;
        }
        if previous == b'.' {
            return false;
        }
        let (mut dots, mut label_len, mut label_letters_only) = (0, 0, true);
        previous = b'.';
        for &byte in domain {
            match byte {
                b'a'..=b'z' => {}
                b'0'..=b'9' => label_letters_only = false,
                b'-' if previous != b'.' => label_letters_only = false,
                b'.' if previous != b'.' && previous != b'-' => {
                    dots += 1;
                    label_len = 0;
                    label_letters_only = true;
                    previous = byte;
                    continue;
                }
                _ => return false,
            }
            label_len += 1;
            if label_len > Self::LABEL_MAX {
                return false;
            }
            previous = byte;
        }
        // The last label is the top-level domain: two letters or more.
        dots > 0 && previous.is_ascii_lowercase() && label_len >= 2 && label_letters_only
    }

    /// [`Email::parse`] of a trimmed address, check by check, naming the first that fails.
    fn parse_checked(trimmed: &str) -> Result<Email, ContactError> {
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
        Ok(Email(Arc::from(address)))
    }

    fn check_local_part(local: &str) -> Result<(), ContactError> {
        let field = ContactField::EmailLocalPart;
        if local.is_empty() {
            return Err(ContactError::Empty { field });
        }
        for (index, character) in local.chars().enumerate() {
            let special = u8::try_from(character).is_ok_and(|byte| LOCAL_SPECIAL.contains(&byte));
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

/// The characters besides ASCII letters and digits a local part may have.
const LOCAL_SPECIAL: &[u8] = b".!#$%&'*+/=?^_`{|}~-";

/// Whether `text` has two dots in a row; byte by byte, which for strings this short beats the
/// general substring search.
fn has_double_dot(text: &str) -> bool {
    text.as_bytes().windows(2).any(|pair| pair == b"..")
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Addresses that come close to every limit, and every way of just missing one.
    fn near_limits() -> Vec<String> {
        let mut addresses = vec![
            "mario.rossi@example.it".to_owned(),
            "Mario.Rossi@Example.IT".to_owned(),
            ".mario@example.it".to_owned(),
            "mario.@example.it".to_owned(),
            "ma..rio@example.it".to_owned(),
            "mario@-example.it".to_owned(),
            "mario@example-.it".to_owned(),
            "mario@example..it".to_owned(),
            "mario@.example.it".to_owned(),
            "mario@example.it.".to_owned(),
            "mario@example.i".to_owned(),
            "mario@example.i1".to_owned(),
            "mario@example".to_owned(),
            "mario@@example.it".to_owned(),
            "mario@exa@mple.it".to_owned(),
            "@example.it".to_owned(),
            "mario@".to_owned(),
            "mário@example.it".to_owned(),
            "mario@exämple.it".to_owned(),
            "a-b_c+d!e#f$g%h&i'j*k/l=m?n^o`p{q|r}s~t@x-y.z9.it".to_owned(),
        ];
        for (local, label, labels) in [(64, 63, 3), (65, 63, 3), (64, 64, 3), (10, 63, 4)] {
            let domain = vec!["d".repeat(label); labels].join(".") + ".it";
            addresses.push(format!("{}@{domain}", "l".repeat(local)));
        }
        addresses
    }

    fn same_as_checked(input: &str) {
        assert_eq!(
            Email::parse(input),
            Email::parse_checked(super::super::text::trim(input)),
            "{input:?}"
        );
    }

    #[test]
    fn r4_the_one_pass_check_accepts_exactly_what_the_checks_accept_near_every_limit() {
        for address in near_limits() {
            same_as_checked(&address);
        }
        // The one pass is what reads a stored address: it must take the usual ones.
        for kept in [
            "mario.rossi@example.it",
            "a-b_c+d!e#f$g%h&i'j*k/l=m?n^o`p{q|r}s~t@x-y.z9.it",
        ] {
            assert!(Email::kept_as_written(kept.as_bytes()), "{kept}");
        }
    }

    proptest! {
        /// R4: an address is read the same whether the one pass accepts it or the checks do,
        /// over strings made of what addresses are made of, and of other characters.
        #[test]
        fn r4_the_one_pass_check_gives_what_the_checks_give(
            input in "[a-zA-Z0-9.@_+-]{0,40}|[a-z.-]{1,12}@[a-zA-Z0-9.-]{0,30}|[a-z@. é]{0,12}",
        ) {
            same_as_checked(&input);
        }
    }
}
