//! Operators: who they are, what each may do, and how a request proves it.
//!
//! An operator presents their own key in `x-operator-key`. The directory keeps only the
//! SHA-256 of each key and compares in constant time; the key is 256 random bits, so no slow
//! hash is needed (nobody can guess one to test against a stolen table). The operator an
//! attestation names is the authenticated one, never a field of the request; every operator
//! action is logged with who did it.

use async_trait::async_trait;
use inps_pin::OperatorId;
use inps_pin::rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use subtle::ConstantTimeEq;
use thiserror::Error;
use zeroize::Zeroizing;

/// What an operator may do.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum OperatorRole {
    /// A sede's counter: PIN requests with form MV35, upgrades on the spot, revocations.
    Sede,
    /// The Contact Center: PIN requests on the phone, revocations.
    ContactCenter,
    /// The back office: written upgrade requests and their decisions.
    BackOffice,
    /// Reads accounts (never a code or a hash); exports and erasures of personal data.
    Auditor,
}

impl OperatorRole {
    /// The role's name in configuration and logs.
    #[must_use]
    pub fn name(self) -> &'static str {
        match self {
            OperatorRole::Sede => "sede",
            OperatorRole::ContactCenter => "contact_center",
            OperatorRole::BackOffice => "back_office",
            OperatorRole::Auditor => "auditor",
        }
    }
}

/// An authenticated operator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operator {
    /// Who: the name attestations carry.
    pub id: OperatorId,
    /// What they may do.
    pub roles: Vec<OperatorRole>,
}

impl Operator {
    /// Whether they hold `role`.
    #[must_use]
    pub fn may(&self, role: OperatorRole) -> bool {
        self.roles.contains(&role)
    }
}

/// The deployment's directory of operators: single sign-on, LDAP, or a table of keys.
#[async_trait]
pub trait OperatorDirectory: Send + Sync {
    /// The operator whose key this is, if any.
    async fn authenticate(&self, presented_key: &str) -> Option<Operator>;
}

/// One operator in a [`StaticOperators`] table, as configuration gives it.
#[derive(Clone, Debug, PartialEq, Eq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OperatorEntry {
    /// Who.
    pub id: String,
    /// What they may do.
    pub roles: Vec<OperatorRole>,
    /// The SHA-256 of their key, 64 hexadecimal digits (`inps-pin-server operator-key`
    /// prints a new key and this).
    pub key_sha256: String,
}

/// Why a table of operators was refused.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum OperatorsError {
    /// An id the library refuses.
    #[error("operators[{index}].id: {message}")]
    Id {
        /// Which entry.
        index: usize,
        /// Why.
        message: String,
    },
    /// Two entries share an id.
    #[error("operators[{index}].id: {id:?} appears twice")]
    DuplicateId {
        /// Which entry.
        index: usize,
        /// The id.
        id: String,
    },
    /// No role.
    #[error("operators[{index}].roles: an operator needs at least one role")]
    NoRole {
        /// Which entry.
        index: usize,
    },
    /// A hash that is not 64 hexadecimal digits.
    #[error("operators[{index}].key_sha256: 64 hexadecimal digits (the SHA-256 of the key)")]
    KeyHash {
        /// Which entry.
        index: usize,
    },
    /// Two entries share a key.
    #[error("operators[{index}].key_sha256: the same key as another operator")]
    DuplicateKey {
        /// Which entry.
        index: usize,
    },
}

/// A fixed table of operators and the SHA-256 of their keys: the stand-in directory, and a
/// real one for a small deployment.
#[derive(Debug)]
pub struct StaticOperators {
    entries: Vec<(Operator, [u8; 32])>,
}

impl StaticOperators {
    /// The table, checked: ids the library accepts, each once; a role each; hashes of 64
    /// hexadecimal digits, each key once.
    ///
    /// # Errors
    /// [`OperatorsError`], naming the entry and the field.
    pub fn new(entries: &[OperatorEntry]) -> Result<StaticOperators, OperatorsError> {
        let mut checked: Vec<(Operator, [u8; 32])> = Vec::with_capacity(entries.len());
        for (index, entry) in entries.iter().enumerate() {
            let id = OperatorId::new(&entry.id).map_err(|error| OperatorsError::Id {
                index,
                message: error.to_string(),
            })?;
            if checked.iter().any(|(operator, _)| operator.id == id) {
                return Err(OperatorsError::DuplicateId {
                    index,
                    id: entry.id.clone(),
                });
            }
            if entry.roles.is_empty() {
                return Err(OperatorsError::NoRole { index });
            }
            let hash = parse_hash(&entry.key_sha256).ok_or(OperatorsError::KeyHash { index })?;
            if checked.iter().any(|(_, other)| *other == hash) {
                return Err(OperatorsError::DuplicateKey { index });
            }
            checked.push((
                Operator {
                    id,
                    roles: entry.roles.clone(),
                },
                hash,
            ));
        }
        Ok(StaticOperators { entries: checked })
    }

    /// How many operators.
    #[must_use]
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

#[async_trait]
impl OperatorDirectory for StaticOperators {
    async fn authenticate(&self, presented_key: &str) -> Option<Operator> {
        let presented: [u8; 32] = Sha256::digest(presented_key.as_bytes()).into();
        // Every entry is compared, in constant time: neither the time nor the order of the
        // table tells how close a guess came.
        let mut found = None;
        for (operator, hash) in &self.entries {
            if bool::from(hash.ct_eq(&presented)) {
                found = Some(operator);
            }
        }
        found.cloned()
    }
}

fn parse_hash(text: &str) -> Option<[u8; 32]> {
    let text = text.trim().as_bytes();
    if text.len() != 64 {
        return None;
    }
    let mut hash = [0u8; 32];
    for (byte, pair) in hash.iter_mut().zip(text.chunks_exact(2)) {
        let digit = |c: u8| (c as char).to_digit(16);
        let (Some(&high), Some(&low)) = (pair.first(), pair.get(1)) else {
            return None;
        };
        *byte = u8::try_from(digit(high)? * 16 + digit(low)?).ok()?;
    }
    Some(hash)
}

/// A new operator key (256 random bits, `op_` and 64 hexadecimal digits) and the SHA-256 to
/// put in the configuration.
///
/// ```
/// let mut rng = inps_pin::rand_core::UnwrapErr(getrandom::SysRng);
/// let (key, hash) = inps_pin_server::new_operator_key(&mut rng);
/// assert!(key.starts_with("op_"));
/// assert_eq!(hash.len(), 64);
/// ```
pub fn new_operator_key(rng: &mut impl CryptoRng) -> (Zeroizing<String>, String) {
    let mut bytes = Zeroizing::new([0u8; 32]);
    rng.fill_bytes(&mut *bytes);
    let mut key = Zeroizing::new(String::with_capacity(67));
    key.push_str("op_");
    push_hex(&mut key, &*bytes);
    let hash = key_hash(&key);
    (key, hash)
}

/// The SHA-256 of a key, in hexadecimal: what the configuration holds.
#[must_use]
pub fn key_hash(key: &str) -> String {
    let mut text = String::with_capacity(64);
    push_hex(&mut text, &Sha256::digest(key.as_bytes()));
    text
}

fn push_hex(text: &mut String, bytes: &[u8]) {
    for byte in bytes {
        for nibble in [byte >> 4, byte & 0x0f] {
            text.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inps_pin::rand_core::SeedableRng;

    fn entry(id: &str, key: &str, roles: &[OperatorRole]) -> OperatorEntry {
        OperatorEntry {
            id: id.to_owned(),
            roles: roles.to_vec(),
            key_sha256: key_hash(key),
        }
    }

    #[tokio::test]
    async fn an_operator_is_found_by_their_own_key_only() {
        let table = StaticOperators::new(&[
            entry("sede-roma-01", "key-one", &[OperatorRole::Sede]),
            entry("auditor-01", "key-two", &[OperatorRole::Auditor]),
        ])
        .unwrap();
        let sede = table.authenticate("key-one").await.unwrap();
        assert_eq!(sede.id.as_str(), "sede-roma-01");
        assert!(sede.may(OperatorRole::Sede) && !sede.may(OperatorRole::Auditor));
        assert_eq!(
            table.authenticate("key-two").await.unwrap().id.as_str(),
            "auditor-01"
        );
        assert!(table.authenticate("key-one ").await.is_none());
        assert!(table.authenticate("").await.is_none());
        assert!(table.authenticate(&key_hash("key-one")).await.is_none());
    }

    #[test]
    fn a_table_of_operators_is_checked_field_by_field() {
        let key = |index: usize| format!("key-{index}");
        assert_eq!(
            StaticOperators::new(&[entry("a", &key(0), &[])]).unwrap_err(),
            OperatorsError::NoRole { index: 0 }
        );
        assert!(matches!(
            StaticOperators::new(&[entry("", &key(0), &[OperatorRole::Sede])]),
            Err(OperatorsError::Id { index: 0, .. })
        ));
        assert_eq!(
            StaticOperators::new(&[
                entry("a", &key(0), &[OperatorRole::Sede]),
                entry("a", &key(1), &[OperatorRole::Sede]),
            ])
            .unwrap_err(),
            OperatorsError::DuplicateId {
                index: 1,
                id: "a".to_owned()
            }
        );
        assert_eq!(
            StaticOperators::new(&[
                entry("a", &key(0), &[OperatorRole::Sede]),
                entry("b", &key(0), &[OperatorRole::Sede]),
            ])
            .unwrap_err(),
            OperatorsError::DuplicateKey { index: 1 }
        );
        let mut bad = entry("a", &key(0), &[OperatorRole::Sede]);
        bad.key_sha256 = "xyz".to_owned();
        assert_eq!(
            StaticOperators::new(&[bad]).unwrap_err(),
            OperatorsError::KeyHash { index: 0 }
        );
    }

    #[test]
    fn a_new_key_is_random_and_its_hash_is_what_the_table_takes() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(9);
        let (key, hash) = new_operator_key(&mut rng);
        let (other, _) = new_operator_key(&mut rng);
        assert_ne!(*key, *other);
        assert_eq!(key.len(), 67);
        assert_eq!(hash, key_hash(&key));
        assert!(parse_hash(&hash).is_some());
    }
}
