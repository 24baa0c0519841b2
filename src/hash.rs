//! Argon2id storage and verification of PINs (R8), and the cost parameters.
//!
//! An account keeps a [`PinHash`], an Argon2id PHC string such as
//! `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, never the PIN. The salt comes from the
//! caller's generator; verification reads the cost from the stored string, so accounts hashed
//! under an older policy keep working after the policy's cost changes, and compares in
//! constant time (RustCrypto's `argon2`).

use core::fmt;

use argon2::{Algorithm, Argon2, Params, PasswordHash, PasswordHasher, PasswordVerifier, Version};
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroize;

/// Bytes of salt drawn from the caller's generator for each hash: 128 bits, as RFC 9106
/// recommends.
const SALT_LEN: usize = 16;

/// Argon2id cost parameters: memory in KiB, passes over it, lanes.
///
/// The default is OWASP's first recommendation for Argon2id (m = 19456 KiB, t = 2, p = 1):
/// about 20 ms on a server core, slow for an attacker with a stolen database. [`HashCost::CHEAP`]
/// is for tests and simulations only; it runs the same code, with the smallest cost Argon2
/// accepts.
///
/// ```
/// use inps_pin::HashCost;
///
/// assert_eq!(HashCost::default(), HashCost::OWASP);
/// assert!(HashCost::new(4, 1, 1).is_err()); // Argon2 needs at least 8 KiB per lane
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawHashCost", into = "RawHashCost")]
pub struct HashCost {
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
}

impl HashCost {
    /// OWASP's recommendation for Argon2id: 19456 KiB, 2 passes, 1 lane. The default.
    pub const OWASP: HashCost = HashCost {
        memory_kib: Params::DEFAULT_M_COST,
        iterations: Params::DEFAULT_T_COST,
        parallelism: Params::DEFAULT_P_COST,
    };

    /// The smallest cost Argon2 accepts (8 KiB, 1 pass, 1 lane): for tests and simulations,
    /// which hash thousands of PINs. Never for real PINs: it offers no resistance to guessing.
    pub const CHEAP: HashCost = HashCost {
        memory_kib: Params::MIN_M_COST,
        iterations: Params::MIN_T_COST,
        parallelism: Params::MIN_P_COST,
    };

    /// A cost Argon2 accepts.
    ///
    /// # Errors
    /// [`HashCostError`] when Argon2 refuses the combination (memory below 8 KiB per lane,
    /// zero passes or lanes, more lanes than Argon2 allows).
    pub fn new(
        memory_kib: u32,
        iterations: u32,
        parallelism: u32,
    ) -> Result<HashCost, HashCostError> {
        let cost = HashCost {
            memory_kib,
            iterations,
            parallelism,
        };
        cost.params()?;
        Ok(cost)
    }

    /// Memory in KiB.
    #[must_use]
    pub fn memory_kib(&self) -> u32 {
        self.memory_kib
    }

    /// Passes over the memory.
    #[must_use]
    pub fn iterations(&self) -> u32 {
        self.iterations
    }

    /// Lanes.
    #[must_use]
    pub fn parallelism(&self) -> u32 {
        self.parallelism
    }

    fn params(&self) -> Result<Params, HashCostError> {
        Params::new(self.memory_kib, self.iterations, self.parallelism, None).map_err(|error| {
            HashCostError {
                memory_kib: self.memory_kib,
                iterations: self.iterations,
                parallelism: self.parallelism,
                reason: error.to_string(),
            }
        })
    }
}

impl Default for HashCost {
    fn default() -> Self {
        HashCost::OWASP
    }
}

#[derive(Serialize, Deserialize)]
struct RawHashCost {
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
}

impl TryFrom<RawHashCost> for HashCost {
    type Error = HashCostError;
    fn try_from(raw: RawHashCost) -> Result<Self, Self::Error> {
        HashCost::new(raw.memory_kib, raw.iterations, raw.parallelism)
    }
}

impl From<HashCost> for RawHashCost {
    fn from(cost: HashCost) -> Self {
        RawHashCost {
            memory_kib: cost.memory_kib,
            iterations: cost.iterations,
            parallelism: cost.parallelism,
        }
    }
}

/// Argon2 refused a cost.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error(
    "Argon2 refuses the cost m={memory_kib} KiB, t={iterations}, p={parallelism}: {reason}; \
     use HashCost::OWASP or a larger cost"
)]
pub struct HashCostError {
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
    reason: String,
}

/// An Argon2id PHC string: how an account keeps a PIN (R8).
///
/// It prints in `Debug` with its cost only, not its salt and hash, which are all an attacker
/// needs to start guessing offline. Serialized as the PHC string, for the service's database.
#[derive(Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct PinHash(String);

impl PinHash {
    /// Hashes `pin` with a fresh salt from `rng` at `cost`.
    pub(crate) fn compute<R: CryptoRng + ?Sized>(
        pin: &[u8],
        cost: HashCost,
        rng: &mut R,
    ) -> Result<PinHash, HashingFailed> {
        let params = cost.params().map_err(|_| HashingFailed)?;
        let mut salt = [0u8; SALT_LEN];
        rng.fill_bytes(&mut salt);
        let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let hashed = hasher.hash_password_with_salt(pin, &salt);
        salt.zeroize();
        hashed
            .map(|phc| PinHash(phc.to_string()))
            .map_err(|_| HashingFailed)
    }

    /// Whether `candidate` is the PIN this hash was made from, in constant time.
    pub(crate) fn verify(&self, candidate: &[u8]) -> bool {
        Argon2::default()
            .verify_password(candidate, self.0.as_str())
            .is_ok()
    }

    /// The PHC string, for the service's database.
    #[must_use]
    pub fn as_phc(&self) -> &str {
        &self.0
    }

    /// The cost this PIN was hashed with, read from the PHC string.
    #[must_use]
    pub fn cost(&self) -> Option<HashCost> {
        let parsed = PasswordHash::new(&self.0).ok()?;
        let params = Params::try_from(&parsed).ok()?;
        Some(HashCost {
            memory_kib: params.m_cost(),
            iterations: params.t_cost(),
            parallelism: params.p_cost(),
        })
    }
}

impl fmt::Debug for PinHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.cost() {
            Some(cost) => write!(
                f,
                "PinHash(argon2id m={} t={} p={}, [redacted])",
                cost.memory_kib, cost.iterations, cost.parallelism
            ),
            None => f.write_str("PinHash([redacted])"),
        }
    }
}

impl TryFrom<String> for PinHash {
    type Error = PinHashError;
    fn try_from(phc: String) -> Result<Self, Self::Error> {
        let parsed = PasswordHash::new(&phc).map_err(|_| PinHashError::NotPhc)?;
        if parsed.algorithm.as_str() != "argon2id" {
            return Err(PinHashError::NotArgon2id);
        }
        if parsed.salt.is_none() || parsed.hash.is_none() || Params::try_from(&parsed).is_err() {
            return Err(PinHashError::NotPhc);
        }
        Ok(PinHash(phc))
    }
}

impl From<PinHash> for String {
    fn from(hash: PinHash) -> Self {
        hash.0
    }
}

/// A stored PIN hash that cannot be loaded.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PinHashError {
    /// Not a complete PHC string with a salt and a hash.
    #[error("the stored PIN hash is not a complete PHC string: the stored account is damaged")]
    NotPhc,
    /// A PHC string of another algorithm.
    #[error("the stored PIN hash is not Argon2id: the crate only verifies Argon2id hashes")]
    NotArgon2id,
}

/// Spends the time of one verification at `cost` without a stored hash: for the answers that
/// have no hash to check (an unknown person, an account with no PIN), so that they take as long
/// as a wrong PIN and tell an attacker nothing (R30).
pub(crate) fn spend_one_verification(cost: HashCost, candidate: &[u8]) {
    const FIXED_SALT: [u8; SALT_LEN] = [0x5a; SALT_LEN];
    if let Ok(params) = cost.params() {
        let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let _wasted = hasher.hash_password_with_salt(candidate, &FIXED_SALT);
    }
}

/// Argon2 failed to hash a PIN: only with a cost it refuses, which [`HashCost`] rules out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HashingFailed;

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    #[test]
    fn a_hash_verifies_its_pin_only() {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let hash = PinHash::compute(b"ABCDEFGH", HashCost::CHEAP, &mut rng);
        let Ok(hash) = hash else {
            unreachable!("the cheap cost is valid")
        };
        assert!(hash.as_phc().starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
        assert!(hash.verify(b"ABCDEFGH"));
        assert!(!hash.verify(b"ABCDEFGJ"));
        assert_eq!(hash.cost(), Some(HashCost::CHEAP));
        assert!(!format!("{hash:?}").contains(hash.as_phc()));
    }
}
