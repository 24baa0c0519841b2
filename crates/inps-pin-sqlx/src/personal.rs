//! Crypto-shredding of the person's data (R36): each person's data sealed under a key of
//! their own, the keys wrapped under the service's master keys and kept apart from the events.
//!
//! A stored event or cached account splits into its security facts and the person's data
//! ([`StoredEvent::split`](inps_pin::StoredEvent::split), [`Account::split`]). The facts are
//! stored in clear, as they always were; the person's data is serialized (postcard) and sealed
//! with AES-256-GCM under the person's own [`PersonKey`] (32 random bytes), with the
//! row's place as associated data ([`event_row_key`], [`account_row_key`]): a sealed value
//! moved to another row does not open.
//!
//! The person's key lives in the table `person_keys`, keyed by codice fiscale, wrapped
//! (sealed) under the current master key of a [`PersonalDataKeys`] keyring with the codice
//! fiscale as associated data ([`person_key_row_key`]). On SQLite that table is in a database
//! file of its own, attached beside the main one; on PostgreSQL it is a table of its own.
//! Rotating the master key rewraps that small table ([`Store::rewrap_person_keys`](crate::Store::rewrap_person_keys)),
//! never the events.
//!
//! Erasing a person's data deletes their key row in the transaction that records the erasure
//! (and empties the sealed columns too): the sealed copies left in free pages, the write-ahead
//! log, old tuple versions or a backup no longer open with anything.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use aes_gcm::aead::{Aead, KeyInit, Payload};
use aes_gcm::{Aes256Gcm, Key, Nonce};
use inps_pin::rand_core::CryptoRng;
use inps_pin::{CodiceFiscale, PersonalData};
use thiserror::Error;
use zeroize::Zeroizing;

use crate::sealing::{Keyring, OpenError, Sealed, SealingKey};

/// The length of a nonce, prepended to each sealed value: 96 random bits. A person's key
/// seals one value for each event that holds their data and for each version of their cached
/// account, far below the 2^32 random nonces one key stays safe for (NIST SP 800-38D 8.3); the
/// extended nonce of XChaCha20 is kept for the master keys, which seal for everyone.
///
/// AES-256-GCM rather than ChaCha20-Poly1305, because every load opens one: on the x86 cores
/// this runs on (AES-NI, carry-less multiply) it opens a person's data in 0.29 µs, where
/// ChaCha20-Poly1305 takes 1.8 µs (Poly1305's AVX2 code sets up for long messages).
const NONCE_LEN: usize = 12;

/// The master keys that wrap each person's key ([`Keyring`]): the current one wraps, every
/// one unwraps what was wrapped under it.
pub type PersonalDataKeys = Keyring;
/// A master key for the person keys ([`SealingKey`]).
pub type PersonalDataKey = SealingKey;

/// One person's own key: 32 random bytes that seal their data, and nothing else. Held as a
/// cipher that wipes its key when its last clone is dropped; never printed.
#[derive(Clone)]
pub struct PersonKey {
    cipher: Arc<Aes256Gcm>,
}

impl std::fmt::Debug for PersonKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("PersonKey(<redacted>)")
    }
}

/// Why a person's sealed data or key did not open or read.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PersonalDataError {
    /// The person's key did not unwrap: no master key with its id, or altered or moved.
    #[error("a person's key does not unwrap: {0}")]
    Key(#[source] OpenError),
    /// A person's key unwrapped to something other than 32 bytes.
    #[error("a person's key unwrapped to the wrong length")]
    KeyLength,
    /// The sealed data does not open under the person's key: altered, or moved from another
    /// row.
    #[error("a person's sealed data does not open under their key: altered or moved")]
    Tampered,
    /// The opened data is not personal data this release reads.
    #[error("a person's data does not read back: {0}")]
    Read(#[source] postcard::Error),
    /// The data did not serialize.
    #[error("a person's data did not serialize: {0}")]
    Write(#[source] postcard::Error),
}

/// The associated data of a sealed personal part: the row's place, written on the stack (a
/// load makes one for every sealed value it opens).
#[derive(Clone, Copy)]
pub struct RowKey {
    bytes: [u8; 64],
    len: usize,
}

impl RowKey {
    /// `{kind}/{codice fiscale}/{version}`.
    fn new(kind: &str, codice_fiscale: CodiceFiscale, version: u64) -> RowKey {
        use std::io::Write as _;
        let mut bytes = [0u8; 64];
        let mut rest = &mut bytes[..];
        // At most 7 + 1 + 16 + 1 + 20 bytes: it always fits.
        let _ = write!(rest, "{kind}/{}/{version}", codice_fiscale.as_str());
        let len = 64 - rest.len();
        RowKey { bytes, len }
    }

    /// The bytes.
    #[must_use]
    pub fn as_bytes(&self) -> &[u8] {
        self.bytes.get(..self.len).unwrap_or_default()
    }
}

impl std::fmt::Debug for RowKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&String::from_utf8_lossy(self.as_bytes()))
    }
}

/// The associated data of an event's sealed personal part: the event's place,
/// `event/{codice fiscale}/{version}`.
#[must_use]
pub fn event_row_key(codice_fiscale: CodiceFiscale, version: u64) -> RowKey {
    RowKey::new("event", codice_fiscale, version)
}

/// The associated data of a cached account's sealed personal part: the account and the
/// version the cache is of, `account/{codice fiscale}/{version}`.
#[must_use]
pub fn account_row_key(codice_fiscale: CodiceFiscale, version: u64) -> RowKey {
    RowKey::new("account", codice_fiscale, version)
}

/// The associated data of a person's wrapped key: whose key it is.
#[must_use]
pub fn person_key_row_key(codice_fiscale: &str) -> String {
    format!("person-key/{codice_fiscale}")
}

impl PersonKey {
    /// A fresh key from `rng`, and that key wrapped under the current master key for the
    /// person `codice_fiscale`: what the `person_keys` row stores.
    pub fn generate(
        master: &PersonalDataKeys,
        codice_fiscale: &str,
        rng: &mut impl CryptoRng,
    ) -> (PersonKey, Sealed) {
        let mut material = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *material);
        let wrapped = master.seal(
            person_key_row_key(codice_fiscale).as_bytes(),
            &*material,
            rng,
        );
        (PersonKey::from_material(&material), wrapped)
    }

    fn from_material(material: &[u8; 32]) -> PersonKey {
        PersonKey {
            cipher: Arc::new(Aes256Gcm::new(Key::<Aes256Gcm>::from_slice(material))),
        }
    }

    /// The key of the person `codice_fiscale`, unwrapped from its stored row.
    ///
    /// # Errors
    /// [`PersonalDataError::Key`] when no master key opens it (unknown id, altered, another
    /// person's row); [`PersonalDataError::KeyLength`] when it is not 32 bytes.
    pub fn unwrap(
        master: &PersonalDataKeys,
        codice_fiscale: &str,
        wrapped: &Sealed,
    ) -> Result<PersonKey, PersonalDataError> {
        let material = master
            .open(wrapped, person_key_row_key(codice_fiscale).as_bytes())
            .map_err(PersonalDataError::Key)?;
        let material: &[u8; 32] = material
            .as_slice()
            .try_into()
            .map_err(|_| PersonalDataError::KeyLength)?;
        Ok(PersonKey::from_material(material))
    }

    /// The person's data serialized (postcard, in a buffer wiped on drop) and sealed for the
    /// row `row_key`: nonce, then ciphertext and tag.
    ///
    /// # Errors
    /// [`PersonalDataError::Write`] if the data does not serialize.
    pub fn seal(
        &self,
        row_key: &[u8],
        data: &PersonalData,
        rng: &mut impl CryptoRng,
    ) -> Result<Vec<u8>, PersonalDataError> {
        let size =
            postcard::experimental::serialized_size(data).map_err(PersonalDataError::Write)?;
        let mut plain = Zeroizing::new(vec![0u8; size]);
        let used = postcard::to_slice(data, &mut plain)
            .map_err(PersonalDataError::Write)?
            .len();
        let mut nonce = [0u8; NONCE_LEN];
        rng.fill_bytes(&mut nonce);
        let ciphertext = self
            .cipher
            .encrypt(
                Nonce::from_slice(&nonce),
                Payload {
                    msg: plain.get(..used).unwrap_or_default(),
                    aad: row_key,
                },
            )
            // Encryption fails only for a message beyond GCM's 64 GiB.
            .unwrap_or_default();
        let mut sealed = Vec::with_capacity(NONCE_LEN + ciphertext.len());
        sealed.extend_from_slice(&nonce);
        sealed.extend_from_slice(&ciphertext);
        Ok(sealed)
    }

    /// The person's data sealed for the row `row_key`, opened and read.
    ///
    /// # Errors
    /// [`PersonalDataError::Tampered`] when it does not open (altered, another row's, another
    /// person's key); [`PersonalDataError::Read`] when what opened does not read.
    pub fn open(&self, row_key: &[u8], sealed: &[u8]) -> Result<PersonalData, PersonalDataError> {
        let (nonce, ciphertext) = sealed
            .split_at_checked(NONCE_LEN)
            .ok_or(PersonalDataError::Tampered)?;
        let plain = self
            .cipher
            .decrypt(
                Nonce::from_slice(nonce),
                Payload {
                    msg: ciphertext,
                    aad: row_key,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| PersonalDataError::Tampered)?;
        postcard::from_bytes(&plain).map_err(PersonalDataError::Read)
    }
}

/// The person keys this store unwrapped lately, each beside the wrapped bytes it came from: a
/// load that reads the same wrapped bytes from the database again takes the key from here
/// rather than opening it under the master key again. The wrapped bytes are read on every load,
/// so a key whose row is gone (erased) is never used; a rewrap changes the bytes, and the key
/// is unwrapped again. An erasure in this store evicts its person's entry; another instance's
/// entry stays in its memory, unused, until evicted. Bounded: when full, an entry goes.
pub struct PersonKeyCache {
    entries: Mutex<HashMap<String, (Sealed, PersonKey)>>,
    capacity: usize,
}

/// How many keys, and how many at most: never whose.
impl std::fmt::Debug for PersonKeyCache {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PersonKeyCache")
            .field("keys", &self.entries().len())
            .field("capacity", &self.capacity)
            .finish()
    }
}

impl PersonKeyCache {
    /// A cache of at most `capacity` keys.
    #[must_use]
    pub fn new(capacity: usize) -> PersonKeyCache {
        PersonKeyCache {
            entries: Mutex::new(HashMap::new()),
            capacity,
        }
    }

    fn entries(&self) -> std::sync::MutexGuard<'_, HashMap<String, (Sealed, PersonKey)>> {
        match self.entries.lock() {
            Ok(entries) => entries,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// The key of `codice_fiscale` wrapped as `wrapped`: from the cache if it holds these very
    /// bytes, else unwrapped under `master` and remembered.
    ///
    /// # Errors
    /// As [`PersonKey::unwrap`].
    pub fn unwrap(
        &self,
        master: &PersonalDataKeys,
        codice_fiscale: &str,
        wrapped: Sealed,
    ) -> Result<PersonKey, PersonalDataError> {
        if let Some((cached, key)) = self.entries().get(codice_fiscale) {
            if *cached == wrapped {
                return Ok(key.clone());
            }
        }
        let key = PersonKey::unwrap(master, codice_fiscale, &wrapped)?;
        let mut entries = self.entries();
        if entries.len() >= self.capacity && !entries.contains_key(codice_fiscale) {
            if let Some(any) = entries.keys().next().cloned() {
                entries.remove(&any);
            }
        }
        if self.capacity > 0 {
            entries.insert(codice_fiscale.to_owned(), (wrapped, key.clone()));
        }
        Ok(key)
    }

    /// Forgets a person's key (their data was erased).
    pub fn evict(&self, codice_fiscale: &str) {
        self.entries().remove(codice_fiscale);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use inps_pin::rand_core::SeedableRng;
    use rand_chacha::ChaCha20Rng;

    fn master(id: &str, byte: &str) -> PersonalDataKeys {
        Keyring::new(SealingKey::from_hex(id, &byte.repeat(32)).unwrap())
    }

    #[test]
    fn r36_a_row_key_names_the_row() {
        let cf = CodiceFiscale::parse("RSSMRA80A01H501U").unwrap();
        assert_eq!(event_row_key(cf, 7).as_bytes(), b"event/RSSMRA80A01H501U/7");
        assert_eq!(
            account_row_key(cf, u64::MAX).as_bytes(),
            format!("account/RSSMRA80A01H501U/{}", u64::MAX).as_bytes()
        );
    }

    #[test]
    fn r36_a_persons_key_unwraps_only_for_its_person_and_under_its_master_key() {
        let mut rng = ChaCha20Rng::seed_from_u64(36);
        let keys = master("m1", "11");
        let (_, wrapped) = PersonKey::generate(&keys, "RSSMRA80A01H501U", &mut rng);
        assert!(PersonKey::unwrap(&keys, "RSSMRA80A01H501U", &wrapped).is_ok());
        assert!(matches!(
            PersonKey::unwrap(&keys, "VRDGPP70B02F205X", &wrapped),
            Err(PersonalDataError::Key(OpenError::Tampered))
        ));
        assert!(matches!(
            PersonKey::unwrap(&master("m2", "22"), "RSSMRA80A01H501U", &wrapped),
            Err(PersonalDataError::Key(OpenError::UnknownKey { .. }))
        ));
        let rotated = master("m2", "22")
            .with_previous(SealingKey::from_hex("m1", &"11".repeat(32)).unwrap())
            .unwrap();
        assert!(PersonKey::unwrap(&rotated, "RSSMRA80A01H501U", &wrapped).is_ok());
        let (key, _) = PersonKey::generate(&keys, "RSSMRA80A01H501U", &mut rng);
        assert_eq!(format!("{key:?}"), "PersonKey(<redacted>)");
    }

    #[test]
    fn r36_sealed_personal_data_opens_only_under_its_key_and_for_its_row() {
        let mut rng = ChaCha20Rng::seed_from_u64(37);
        let keys = master("m1", "11");
        let (key, _) = PersonKey::generate(&keys, "RSSMRA80A01H501U", &mut rng);
        let (other, _) = PersonKey::generate(&keys, "RSSMRA80A01H501U", &mut rng);
        let reason =
            inps_pin::RejectionReason::new("Documento illeggibile, Zebedeo Quintilliani").unwrap();
        let data = PersonalData::UpgradeRejectionReason(reason);
        let sealed = key.seal(b"event/X/1", &data, &mut rng).unwrap();
        assert!(!sealed.windows(9).any(|w| w == b"Zebedeo Q"));
        assert_eq!(key.open(b"event/X/1", &sealed).unwrap(), data);
        assert!(matches!(
            key.open(b"event/X/2", &sealed),
            Err(PersonalDataError::Tampered)
        ));
        assert!(matches!(
            other.open(b"event/X/1", &sealed),
            Err(PersonalDataError::Tampered)
        ));
        assert!(matches!(
            key.open(b"event/X/1", &sealed[..10]),
            Err(PersonalDataError::Tampered)
        ));
    }

    #[test]
    fn r36_the_key_cache_serves_only_the_wrapped_bytes_it_was_given_and_forgets_on_eviction() {
        let mut rng = ChaCha20Rng::seed_from_u64(38);
        let keys = master("m1", "11");
        let cache = PersonKeyCache::new(2);
        let (key, wrapped) = PersonKey::generate(&keys, "RSSMRA80A01H501U", &mut rng);
        let data = PersonalData::UpgradeRejectionReason(
            inps_pin::RejectionReason::new("Documento scaduto").unwrap(),
        );
        let sealed = key.seal(b"row", &data, &mut rng).unwrap();
        let cached = cache
            .unwrap(&keys, "RSSMRA80A01H501U", wrapped.clone())
            .unwrap();
        assert_eq!(cached.open(b"row", &sealed).unwrap(), data);
        // Other bytes for the same person (a rewrap, or another key): unwrapped, not served.
        let (_, other) = PersonKey::generate(&keys, "RSSMRA80A01H501U", &mut rng);
        let replaced = cache.unwrap(&keys, "RSSMRA80A01H501U", other).unwrap();
        assert!(replaced.open(b"row", &sealed).is_err());
        // Bytes that do not unwrap are refused whatever the cache holds.
        let mut altered = wrapped.clone();
        if let Some(last) = altered.bytes.last_mut() {
            *last ^= 1;
        }
        assert!(cache.unwrap(&keys, "RSSMRA80A01H501U", altered).is_err());
        cache.evict("RSSMRA80A01H501U");
        assert!(cache.entries().is_empty());
        // Bounded.
        for cf in ["A", "B", "C"] {
            let (_, wrapped) = PersonKey::generate(&keys, cf, &mut rng);
            cache.unwrap(&keys, cf, wrapped).unwrap();
        }
        assert_eq!(cache.entries().len(), 2);
        assert_eq!(
            format!("{cache:?}"),
            "PersonKeyCache { keys: 2, capacity: 2 }"
        );
    }
}
