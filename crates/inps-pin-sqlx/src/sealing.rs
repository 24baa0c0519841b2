//! Sealing at rest: XChaCha20-Poly1305 under configured keys, for outbox payloads (R33) and
//! for the keys that seal each person's data (R36).
//!
//! An outbox delivery is the one serialized form that holds a code. It waits in the database
//! until its carrier takes it, and a database file keeps the old images of rows it deleted
//! (free pages, the write-ahead log, backups): so the code is never written in clear. Each
//! payload is sealed under the current key, with a random 24-byte nonce and the row's
//! idempotency key as associated data (a sealed payload moved to another row does not open),
//! and stored with the key's id. Rotation: seal with the new key, keep the old ones for
//! opening until what was sealed under them is sent or sealed again.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{Key, XChaCha20Poly1305, XNonce};
use inps_pin::rand_core::CryptoRng;
use thiserror::Error;
use zeroize::Zeroizing;

/// The length of a nonce, prepended to each sealed payload.
const NONCE_LEN: usize = 24;

/// One key for sealing: 32 bytes and the id stored beside what it sealed.
pub struct SealingKey {
    id: String,
    cipher: XChaCha20Poly1305,
}

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SealingKey")
            .field("id", &self.id)
            .field("key", &"<redacted>")
            .finish()
    }
}

/// Why a key could not be made.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum KeyError {
    /// The id is empty, longer than 64 characters, or not letters, digits, `-`, `_` and `.`.
    #[error("a key id is 1 to 64 characters of letters, digits, '-', '_' and '.': {found:?}")]
    Id {
        /// The id given.
        found: String,
    },
    /// The key is not 64 hexadecimal digits (32 bytes).
    #[error("the key {id:?} is not 64 hexadecimal digits (32 bytes)")]
    Material {
        /// The key's id.
        id: String,
    },
    /// Two keys share an id.
    #[error("two keys share the id {id:?}")]
    DuplicateId {
        /// The id.
        id: String,
    },
}

impl SealingKey {
    /// A key from its id and 32 bytes.
    ///
    /// # Errors
    /// [`KeyError::Id`] for an id that is not 1 to 64 of `[A-Za-z0-9._-]`.
    pub fn new(id: &str, key: &[u8; 32]) -> Result<SealingKey, KeyError> {
        let valid = !id.is_empty()
            && id.len() <= 64
            && id
                .bytes()
                .all(|byte| byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'_' | b'.'));
        if !valid {
            return Err(KeyError::Id {
                found: id.to_owned(),
            });
        }
        Ok(SealingKey {
            id: id.to_owned(),
            cipher: XChaCha20Poly1305::new(Key::from_slice(key)),
        })
    }

    /// A key from its id and 64 hexadecimal digits, as configuration gives it.
    ///
    /// ```
    /// use inps_pin_sqlx::SealingKey;
    ///
    /// let key = SealingKey::from_hex("2026-12", &"ab".repeat(32))?;
    /// assert_eq!(key.id(), "2026-12");
    /// assert!(SealingKey::from_hex("2026-12", "not hex").is_err());
    /// # Ok::<(), inps_pin_sqlx::KeyError>(())
    /// ```
    ///
    /// # Errors
    /// [`KeyError::Material`] for anything but 64 hexadecimal digits; [`KeyError::Id`] as
    /// [`SealingKey::new`].
    pub fn from_hex(id: &str, hex: &str) -> Result<SealingKey, KeyError> {
        let material = || KeyError::Material { id: id.to_owned() };
        let hex = hex.trim().as_bytes();
        if hex.len() != 64 {
            return Err(material());
        }
        let mut key = Zeroizing::new([0u8; 32]);
        for (byte, pair) in key.iter_mut().zip(hex.chunks_exact(2)) {
            let digit = |c: u8| (c as char).to_digit(16);
            match pair {
                [high, low] => match (digit(*high), digit(*low)) {
                    (Some(high), Some(low)) => *byte = (high * 16 + low) as u8,
                    _ => return Err(material()),
                },
                _ => return Err(material()),
            }
        }
        SealingKey::new(id, &key)
    }

    /// The id stored beside each payload sealed under this key.
    #[must_use]
    pub fn id(&self) -> &str {
        &self.id
    }
}

/// A set of keys: the current one seals, every one opens what was sealed under it.
#[derive(Debug)]
pub struct Keyring {
    current: SealingKey,
    previous: Vec<SealingKey>,
}

/// A payload sealed for storage: the key's id, then nonce and ciphertext.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Sealed {
    /// The id of the key it was sealed under.
    pub key_id: String,
    /// The nonce, then the ciphertext with its tag.
    pub bytes: Vec<u8>,
}

/// Why a sealed payload did not open.
#[derive(Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum OpenError {
    /// No configured key has the payload's id: a key retired too early.
    #[error(
        "no configured key has the id {key_id:?}: keep a retired key until what it sealed is sent or sealed again"
    )]
    UnknownKey {
        /// The payload's key id.
        key_id: String,
    },
    /// The payload was altered, moved to another row, or sealed under another key of that id.
    #[error("a sealed payload does not open under its key: altered or moved")]
    Tampered,
}

impl Keyring {
    /// Keys that seal under `current` and open under it alone.
    #[must_use]
    pub fn new(current: SealingKey) -> Keyring {
        Keyring {
            current,
            previous: Vec::new(),
        }
    }

    /// Also opens payloads sealed under `key` (a key being rotated out).
    ///
    /// # Errors
    /// [`KeyError::DuplicateId`] if a key with its id is already there.
    pub fn with_previous(mut self, key: SealingKey) -> Result<Keyring, KeyError> {
        if self.find(&key.id).is_some() {
            return Err(KeyError::DuplicateId { id: key.id });
        }
        self.previous.push(key);
        Ok(self)
    }

    /// The id of the key that seals.
    #[must_use]
    pub fn current_id(&self) -> &str {
        &self.current.id
    }

    fn find(&self, id: &str) -> Option<&SealingKey> {
        std::iter::once(&self.current)
            .chain(&self.previous)
            .find(|key| key.id == id)
    }

    /// Seals `plaintext` for the row whose idempotency key is `row_key`.
    ///
    /// ```
    /// use inps_pin_sqlx::{SealingKey, Keyring};
    ///
    /// let keys = Keyring::new(SealingKey::from_hex("k1", &"01".repeat(32))?);
    /// let mut rng = inps_pin::rand_core::UnwrapErr(getrandom::SysRng);
    /// let sealed = keys.seal(b"RSSMRA80A01H501U-1-0", b"the code", &mut rng);
    /// assert!(!sealed.bytes.windows(8).any(|w| w == b"the code"));
    /// assert_eq!(&keys.open(&sealed, b"RSSMRA80A01H501U-1-0")?[..], b"the code");
    /// assert!(keys.open(&sealed, b"RSSMRA80A01H501U-1-1").is_err()); // another row
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    pub fn seal(&self, row_key: &[u8], plaintext: &[u8], rng: &mut impl CryptoRng) -> Sealed {
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let payload = Payload {
            msg: plaintext,
            aad: row_key,
        };
        // Encryption fails only for a message beyond XChaCha20's 256 GiB: not an outbox row.
        let ciphertext = self
            .current
            .cipher
            .encrypt(XNonce::from_slice(&nonce), payload)
            .unwrap_or_default();
        let mut bytes = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        bytes.extend_from_slice(&nonce);
        bytes.extend_from_slice(&ciphertext);
        Sealed {
            key_id: self.current.id.clone(),
            bytes,
        }
    }

    /// Opens a payload sealed for the row `row_key`, into a buffer wiped on drop.
    ///
    /// # Errors
    /// [`OpenError`]: the key is unknown, or the payload was altered or moved.
    pub fn open(&self, sealed: &Sealed, row_key: &[u8]) -> Result<Zeroizing<Vec<u8>>, OpenError> {
        let key = self
            .find(&sealed.key_id)
            .ok_or_else(|| OpenError::UnknownKey {
                key_id: sealed.key_id.clone(),
            })?;
        let (nonce, ciphertext) = sealed
            .bytes
            .split_at_checked(NONCE_LEN)
            .ok_or(OpenError::Tampered)?;
        key.cipher
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: row_key,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| OpenError::Tampered)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inps_pin::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn keys() -> Keyring {
        Keyring::new(SealingKey::from_hex("new", &"11".repeat(32)).unwrap())
    }

    #[test]
    fn r33_a_sealed_payload_holds_no_clear_text_and_opens_only_for_its_row() {
        let mut rng = ChaCha20Rng::seed_from_u64(1);
        let sealed = keys().seal(b"row-1", b"ABCDEFGH", &mut rng);
        assert!(!sealed.bytes.windows(8).any(|window| window == b"ABCDEFGH"));
        assert_eq!(&keys().open(&sealed, b"row-1").unwrap()[..], b"ABCDEFGH");
        assert_eq!(keys().open(&sealed, b"row-2"), Err(OpenError::Tampered));
        let mut altered = sealed.clone();
        if let Some(last) = altered.bytes.last_mut() {
            *last ^= 1;
        }
        assert_eq!(keys().open(&altered, b"row-1"), Err(OpenError::Tampered));
        let mut short = sealed;
        short.bytes.truncate(10);
        assert_eq!(keys().open(&short, b"row-1"), Err(OpenError::Tampered));
    }

    #[test]
    fn r33_a_rotated_key_still_opens_what_it_sealed_and_no_longer_seals() {
        let mut rng = ChaCha20Rng::seed_from_u64(2);
        let old = Keyring::new(SealingKey::from_hex("old", &"22".repeat(32)).unwrap());
        let sealed_before = old.seal(b"row", b"code", &mut rng);
        let rotated = keys()
            .with_previous(SealingKey::from_hex("old", &"22".repeat(32)).unwrap())
            .unwrap();
        assert_eq!(&rotated.open(&sealed_before, b"row").unwrap()[..], b"code");
        assert_eq!(rotated.seal(b"row", b"code", &mut rng).key_id, "new");
        assert_eq!(
            keys().open(&sealed_before, b"row"),
            Err(OpenError::UnknownKey {
                key_id: "old".to_owned()
            })
        );
        assert!(matches!(
            keys().with_previous(SealingKey::from_hex("new", &"33".repeat(32)).unwrap()),
            Err(KeyError::DuplicateId { .. })
        ));
    }

    #[test]
    fn key_material_and_ids_are_checked_and_never_printed() {
        assert!(matches!(
            SealingKey::from_hex("k", &"1".repeat(63)),
            Err(KeyError::Material { .. })
        ));
        assert!(matches!(
            SealingKey::from_hex("k", &"zz".repeat(32)),
            Err(KeyError::Material { .. })
        ));
        assert!(matches!(
            SealingKey::from_hex("bad id", &"11".repeat(32)),
            Err(KeyError::Id { .. })
        ));
        let key = SealingKey::from_hex("k", &"ab".repeat(32)).unwrap();
        assert!(!format!("{key:?}").contains("ab"));
    }
}

/// The outbox's keys ([`Keyring`]).
pub type OutboxKeys = Keyring;
/// A key of the outbox ([`SealingKey`]).
pub type OutboxKey = SealingKey;
