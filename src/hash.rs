//! Argon2id storage and verification of PINs (R8), and the cost parameters.
//!
//! An account keeps a [`PinHash`], an Argon2id PHC string such as
//! `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, never the PIN. The salt comes from the
//! caller's generator; verification reads the cost from the stored string, so accounts hashed
//! under an older policy keep working after the policy's cost changes, and compares in
//! constant time (RustCrypto's `argon2`).
//!
//! Stored data is not trusted (R35): a cost is what Argon2 runs, so a stored string with an
//! absurd cost would hold a login for hours or exhaust memory. [`HashCost`] has absolute limits,
//! checked wherever a cost is made or loaded, a [`PinHash`] beyond them does not load, and
//! verification refuses, without running Argon2, a stored cost above the policy's
//! [`max_stored_hash_cost`](crate::Policy::max_stored_hash_cost).

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
/// A cost is also bounded above, by [`HashCost::MAX_MEMORY_KIB`], [`HashCost::MAX_ITERATIONS`]
/// and [`HashCost::MAX_PARALLELISM`]: the most one verification may ever take is about a
/// minute of one core and 1 GiB, never hours, whatever a configuration file or a stored hash
/// says (R35).
///
/// ```
/// use inps_pin::HashCost;
///
/// assert_eq!(HashCost::default(), HashCost::OWASP);
/// assert!(HashCost::new(4, 1, 1).is_err()); // Argon2 needs at least 8 KiB per lane
/// assert!(HashCost::new(u32::MAX, u32::MAX, 1).is_err()); // hours of work: refused
/// assert!(HashCost::new(HashCost::MAX_MEMORY_KIB, HashCost::MAX_ITERATIONS, 1).is_ok());
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

    /// Four times OWASP's memory and passes, with RFC 9106's 4 lanes: the default bound on
    /// stored hashes ([`Policy::DEFAULT_MAX_STORED_HASH_COST`](crate::Policy::DEFAULT_MAX_STORED_HASH_COST)).
    pub(crate) const FOUR_TIMES_OWASP: HashCost = HashCost {
        memory_kib: 4 * Params::DEFAULT_M_COST,
        iterations: 4 * Params::DEFAULT_T_COST,
        parallelism: 4,
    };

    /// The most memory a cost may use: 1 GiB (1 048 576 KiB).
    ///
    /// Fifty times OWASP's recommendation (19 MiB) and sixteen times RFC 9106's second
    /// recommended option (64 MiB). RFC 9106's first option (2 GiB) is meant for one-off key
    /// derivation, not for a service verifying the logins of millions of people, where each
    /// login holds that memory while it runs. Above this, a cost is a mistake or an attack.
    pub const MAX_MEMORY_KIB: u32 = 1_048_576;

    /// The most passes over the memory a cost may make: 64.
    ///
    /// The published recommendations use 1 to 5 (OWASP's lowest-memory option, 7 MiB, uses
    /// 5; RFC 9106's use 1 and 3). 64 leaves room for a deployment that trades memory for
    /// passes, while the worst cost of all, 64 passes over 1 GiB, still takes about a minute of
    /// one core rather than hours.
    pub const MAX_ITERATIONS: u32 = 64;

    /// The most lanes a cost may have: 16.
    ///
    /// RFC 9106 recommends 4. This crate runs the lanes one after the other (it spawns no
    /// threads: R26), so more lanes buy nothing; 16 allows for a hash made elsewhere on a
    /// larger machine.
    pub const MAX_PARALLELISM: u32 = 16;

    /// A cost Argon2 accepts, within the crate's limits.
    ///
    /// # Errors
    /// [`HashCostError`] when a value is above its limit ([`HashCost::MAX_MEMORY_KIB`],
    /// [`HashCost::MAX_ITERATIONS`], [`HashCost::MAX_PARALLELISM`]), or when Argon2 refuses the
    /// combination (memory below 8 KiB per lane, zero passes or lanes). The error names the
    /// value and the bound.
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
        let limits = [
            (
                "memory",
                memory_kib,
                HashCost::MAX_MEMORY_KIB,
                "KiB (HashCost::MAX_MEMORY_KIB)",
            ),
            (
                "iterations",
                iterations,
                HashCost::MAX_ITERATIONS,
                "(HashCost::MAX_ITERATIONS)",
            ),
            (
                "parallelism",
                parallelism,
                HashCost::MAX_PARALLELISM,
                "(HashCost::MAX_PARALLELISM)",
            ),
        ];
        for (field, value, limit, unit) in limits {
            if value > limit {
                return Err(cost.error(format!(
                    "{field} {value} is above the limit of {limit} {unit}; \
                     use HashCost::OWASP or a smaller cost"
                )));
            }
        }
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

    /// Whether `stated` asks for no more memory, passes or lanes than this cost.
    fn admits(&self, stated: StatedCost) -> bool {
        stated.memory_kib <= self.memory_kib
            && stated.iterations <= self.iterations
            && stated.parallelism <= self.parallelism
    }

    /// The larger of two costs, value by value: valid, since each value is within its limit
    /// and the memory stays at least 8 KiB per lane.
    pub(crate) fn at_least(self, other: HashCost) -> HashCost {
        HashCost {
            memory_kib: self.memory_kib.max(other.memory_kib),
            iterations: self.iterations.max(other.iterations),
            parallelism: self.parallelism.max(other.parallelism),
        }
    }

    fn params(&self) -> Result<Params, HashCostError> {
        Params::new(self.memory_kib, self.iterations, self.parallelism, None).map_err(|error| {
            self.error(format!(
                "Argon2 refuses it ({error}); use HashCost::OWASP or a larger cost"
            ))
        })
    }

    fn error(&self, reason: String) -> HashCostError {
        HashCostError {
            memory_kib: self.memory_kib,
            iterations: self.iterations,
            parallelism: self.parallelism,
            reason,
        }
    }
}

/// The memory, passes and lanes a PHC string states, read before Argon2 checks them: so that a
/// cost beyond the limits is named as such, and compared before anything runs.
#[derive(Clone, Copy)]
struct StatedCost {
    memory_kib: u32,
    iterations: u32,
    parallelism: u32,
}

impl StatedCost {
    /// `None` if a value is missing or not a decimal number.
    fn of(parsed: &PasswordHash) -> Option<StatedCost> {
        Some(StatedCost {
            memory_kib: parsed.params.get_decimal("m")?,
            iterations: parsed.params.get_decimal("t")?,
            parallelism: parsed.params.get_decimal("p")?,
        })
    }

    fn within_limits(self) -> bool {
        self.memory_kib <= HashCost::MAX_MEMORY_KIB
            && self.iterations <= HashCost::MAX_ITERATIONS
            && self.parallelism <= HashCost::MAX_PARALLELISM
    }
}

impl Default for HashCost {
    fn default() -> Self {
        HashCost::OWASP
    }
}

/// A cost as written, before it is checked: what a stored policy holds, so that the policy can
/// name its field when the cost is refused (R34).
#[derive(Serialize, Deserialize)]
pub(crate) struct RawHashCost {
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

/// A cost refused: above one of the crate's limits, or one Argon2 does not accept. The message
/// names the value and the bound.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[error(
    "the Argon2id cost m={memory_kib} KiB, t={iterations}, p={parallelism} is refused: {reason}"
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
        HashCost::new(params.m_cost(), params.t_cost(), params.p_cost()).ok()
    }
}

/// The bounded verification (R35) and the check for rehashing, for the account.
impl PinHash {
    /// Whether `candidate` is the PIN this hash was made from, in constant time, if the cost
    /// the hash states is within `bound` (R35).
    ///
    /// # Errors
    /// [`PinHashError::CostAboveBound`] when the stored memory, passes or lanes exceed
    /// `bound`, without running Argon2: that cost is not one the policy issues, so the stored
    /// account is damaged or was tampered with, and running it could hold the login for as
    /// long as it states. [`PinHashError::NotPhc`] if the string does not parse (only for a
    /// hash that bypassed loading).
    pub(crate) fn verify_within(
        &self,
        candidate: &[u8],
        bound: HashCost,
    ) -> Result<bool, PinHashError> {
        let parsed = self.parsed_within(bound)?;
        Ok(Argon2::default()
            .verify_password(candidate, &parsed)
            .is_ok())
    }

    /// Whether the cost this hash states is within `bound` (R35), without running Argon2.
    pub(crate) fn check_bound(&self, bound: HashCost) -> Result<(), PinHashError> {
        self.parsed_within(bound).map(|_| ())
    }

    fn parsed_within(&self, bound: HashCost) -> Result<PasswordHash, PinHashError> {
        let parsed = PasswordHash::new(&self.0).map_err(|_| PinHashError::NotPhc)?;
        let stated = StatedCost::of(&parsed).ok_or(PinHashError::NotPhc)?;
        if !bound.admits(stated) {
            return Err(PinHashError::CostAboveBound {
                memory_kib: stated.memory_kib,
                iterations: stated.iterations,
                parallelism: stated.parallelism,
                bound,
            });
        }
        Params::try_from(&parsed).map_err(|_| PinHashError::NotPhc)?;
        Ok(parsed)
    }

    /// Whether this hash should be made again at `policy_cost`: its cost differs from the
    /// policy's (the policy changed since it was made). The caller rehashes after a
    /// successful verification, the one moment it holds the PIN.
    pub(crate) fn rehash_needed(&self, policy_cost: HashCost) -> bool {
        self.cost() != Some(policy_cost)
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
        if parsed.salt.is_none() || parsed.hash.is_none() {
            return Err(PinHashError::NotPhc);
        }
        let stated = StatedCost::of(&parsed).ok_or(PinHashError::NotPhc)?;
        // R35: a cost no `HashCost` may have is never loaded, so never run.
        if !stated.within_limits() {
            return Err(PinHashError::CostBeyondLimits {
                memory_kib: stated.memory_kib,
                iterations: stated.iterations,
                parallelism: stated.parallelism,
            });
        }
        if Params::try_from(&parsed).is_err() {
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

/// A stored PIN hash that cannot be loaded, or cannot be verified under the policy.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PinHashError {
    /// Not a complete PHC string with a salt and a hash.
    #[error("the stored PIN hash is not a complete PHC string: the stored account is damaged")]
    NotPhc,
    /// A PHC string of another algorithm.
    #[error("the stored PIN hash is not Argon2id: the crate only verifies Argon2id hashes")]
    NotArgon2id,
    /// A cost beyond [`HashCost`]'s limits, which no policy can issue: refused on loading, so
    /// that it is never run (R35).
    #[error(
        "the stored PIN hash has cost m={memory_kib} KiB, t={iterations}, p={parallelism}, \
         beyond what the crate ever runs (m={} KiB, t={}, p={}): the stored account is \
         damaged or was tampered with; restore the PIN",
        HashCost::MAX_MEMORY_KIB,
        HashCost::MAX_ITERATIONS,
        HashCost::MAX_PARALLELISM
    )]
    CostBeyondLimits {
        /// Memory in KiB, as stored.
        memory_kib: u32,
        /// Passes, as stored.
        iterations: u32,
        /// Lanes, as stored.
        parallelism: u32,
    },
    /// A cost above the policy's bound on stored hashes
    /// ([`Policy::max_stored_hash_cost`](crate::Policy::max_stored_hash_cost)): refused
    /// without running Argon2 (R35).
    #[error(
        "the stored hash of this account has cost m={memory_kib} KiB, t={iterations}, \
         p={parallelism}, above the policy's bound (m={} KiB, t={}, p={}): the stored account \
         is damaged or was tampered with; restore the PIN",
        .bound.memory_kib(),
        .bound.iterations(),
        .bound.parallelism()
    )]
    CostAboveBound {
        /// Memory in KiB, as stored.
        memory_kib: u32,
        /// Passes, as stored.
        iterations: u32,
        /// Lanes, as stored.
        parallelism: u32,
        /// The policy's bound it exceeds.
        bound: HashCost,
    },
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

/// What a typed PIN remembers of its verifications (R32): each stored hash (by its PHC string,
/// which is no secret) it was checked against, and the answer, so deciding the same command
/// again after a lost compare-and-swap runs no Argon2 against a hash that did not change. It
/// holds no character of the PIN.
#[derive(Default)]
pub(crate) struct VerificationMemo {
    answers: core::cell::RefCell<Vec<(Box<str>, bool)>>,
    runs: core::cell::Cell<u32>,
    spent: core::cell::Cell<bool>,
}

impl VerificationMemo {
    /// The remembered answer for `hash`, or `verify`'s, remembered.
    pub(crate) fn verify(
        &self,
        hash: &PinHash,
        bound: HashCost,
        verify: impl FnOnce(&PinHash) -> Result<bool, PinHashError>,
    ) -> Result<bool, PinHashError> {
        let remembered = self
            .answers
            .borrow()
            .iter()
            .find(|(phc, _)| **phc == *hash.as_phc())
            .map(|(_, answer)| *answer);
        if let Some(answer) = remembered {
            // The bound may have changed since: a remembered hash is judged by it again.
            hash.check_bound(bound)?;
            return Ok(answer);
        }
        let answer = verify(hash)?;
        self.runs.set(self.runs.get().saturating_add(1));
        self.answers
            .borrow_mut()
            .push((Box::from(hash.as_phc()), answer));
        Ok(answer)
    }

    /// Runs `spend` the first time only.
    pub(crate) fn spend_once(&self, spend: impl FnOnce()) {
        if !self.spent.replace(true) {
            spend();
            self.runs.set(self.runs.get().saturating_add(1));
        }
    }

    /// How many Argon2 runs it made.
    pub(crate) fn runs(&self) -> u32 {
        self.runs.get()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Policy;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    fn cheap_hash_of(pin: &[u8]) -> PinHash {
        let mut rng = ChaCha20Rng::seed_from_u64(7);
        let hash = PinHash::compute(pin, HashCost::CHEAP, &mut rng);
        let Ok(hash) = hash else {
            unreachable!("the cheap cost is valid")
        };
        hash
    }

    /// The same salt and hash with other cost parameters, built without the checks of
    /// loading: what a hash that somehow bypassed them would be.
    fn with_params(hash: &PinHash, params: &str) -> PinHash {
        PinHash(hash.as_phc().replace("m=8,t=1,p=1", params))
    }

    #[test]
    fn a_hash_verifies_its_pin_only() {
        let hash = cheap_hash_of(b"ABCDEFGH");
        assert!(hash.as_phc().starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
        assert!(hash.verify_within(b"ABCDEFGH", HashCost::CHEAP) == Ok(true));
        assert!(hash.verify_within(b"ABCDEFGJ", HashCost::CHEAP) == Ok(false));
        assert_eq!(hash.cost(), Some(HashCost::CHEAP));
        assert!(!format!("{hash:?}").contains(hash.as_phc()));
    }

    #[test]
    fn r35_a_stored_hash_within_the_policy_bound_is_verified() {
        let hash = cheap_hash_of(b"ABCDEFGH");
        let bound = Policy::default().stored_hash_cost_bound();
        assert_eq!(hash.verify_within(b"ABCDEFGH", bound), Ok(true));
        assert_eq!(hash.verify_within(b"ABCDEFGJ", bound), Ok(false));
        // At the bound exactly, still verified.
        assert_eq!(hash.verify_within(b"ABCDEFGH", HashCost::CHEAP), Ok(true));
    }

    /// Running the last three would take a minute and 1 GiB, then hours (2^32 - 1 passes),
    /// then 4 TiB of memory: the test finishing is the proof that none is run.
    #[test]
    fn r35_stored_hash_above_the_policy_bound_is_refused_without_running() {
        let hash = cheap_hash_of(b"ABCDEFGH");
        let bound = Policy::default().stored_hash_cost_bound();
        for (params, memory_kib, iterations, parallelism) in [
            // Just above the bound first: an implementation that ran them would fail here, in
            // well under a second, rather than hang on the cases below.
            ("m=77825,t=1,p=1", 77_825, 1, 1),
            ("m=64,t=1,p=8", 64, 1, 8),
            ("m=77824,t=9,p=1", 77_824, 9, 1),
            ("m=1048576,t=64,p=1", 1_048_576, 64, 1),
            ("m=8,t=4294967295,p=1", 8, u32::MAX, 1),
            ("m=4294967295,t=1,p=1", u32::MAX, 1, 1),
        ] {
            let tampered = with_params(&hash, params);
            let refusal = tampered.verify_within(b"ABCDEFGH", bound);
            assert_eq!(
                refusal,
                Err(PinHashError::CostAboveBound {
                    memory_kib,
                    iterations,
                    parallelism,
                    bound,
                }),
                "{params}"
            );
            let message = refusal.err().map(|e| e.to_string()).unwrap_or_default();
            assert!(
                message.contains(&format!(
                    "cost m={memory_kib} KiB, t={iterations}, p={parallelism}, above the \
                     policy's bound (m=77824 KiB, t=8, p=4)"
                )) && message.ends_with("restore the PIN"),
                "{message}"
            );
        }
    }

    #[test]
    fn r35_the_policys_own_cost_is_always_within_its_bound() {
        let mut policy = Policy::default();
        assert_eq!(
            policy.stored_hash_cost_bound(),
            HashCost::new(77_824, 8, 4).unwrap()
        );
        policy.hash_cost = HashCost::new(100_000, 3, 8).unwrap();
        assert_eq!(
            policy.stored_hash_cost_bound(),
            HashCost::new(100_000, 8, 8).unwrap()
        );
    }

    #[test]
    fn r35_stored_hash_beyond_the_limits_does_not_load() {
        let hash = cheap_hash_of(b"ABCDEFGH");
        let absurd = with_params(&hash, "m=8,t=4294967295,p=1").0;
        assert_eq!(
            PinHash::try_from(absurd),
            Err(PinHashError::CostBeyondLimits {
                memory_kib: 8,
                iterations: u32::MAX,
                parallelism: 1
            })
        );
        let at_the_limits = with_params(&hash, "m=1048576,t=64,p=16").0;
        assert!(PinHash::try_from(at_the_limits).is_ok());
    }

    #[test]
    fn r8_a_hash_at_another_cost_than_the_policys_is_to_be_made_again() {
        let hash = cheap_hash_of(b"ABCDEFGH");
        assert!(!hash.rehash_needed(HashCost::CHEAP));
        assert!(hash.rehash_needed(HashCost::OWASP));
        assert!(with_params(&hash, "m=16,t=1,p=1").rehash_needed(HashCost::CHEAP));
    }
}
