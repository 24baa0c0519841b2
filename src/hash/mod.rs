//! Argon2id storage and verification of PINs (R8); the cost parameters are in `cost`, what a
//! typed PIN remembers of its verifications in `memo`.
//!
//! An account keeps a [`PinHash`], stored as an Argon2id PHC string such as
//! `$argon2id$v=19$m=19456,t=2,p=1$<salt>$<hash>`, never the PIN. The salt comes from the
//! caller's generator; verification uses the cost the hash was made with, so accounts hashed
//! under an older policy keep working after the policy's cost changes, and compares in
//! constant time. Argon2 is RustCrypto's `argon2`; at the smallest cost its memory is on the
//! stack (`STACK_BLOCKS`).
//!
//! Stored data is not trusted (R35): a cost is what Argon2 runs, so a stored string with an
//! absurd cost would hold a login for hours or exhaust memory. [`HashCost`] has absolute limits,
//! checked wherever a cost is made or loaded, a [`PinHash`] beyond them does not load, and
//! verification refuses, without running Argon2, a stored cost above the policy's
//! [`max_stored_hash_cost`](crate::Policy::max_stored_hash_cost).

mod base64;
mod cost;
mod memo;

use base64::unbase64;
pub(crate) use cost::RawHashCost;
use cost::StatedCost;
pub use cost::{HashCost, HashCostError};
pub(crate) use memo::VerificationMemo;

use core::fmt;

use argon2::{Algorithm, Argon2, Block, Params, PasswordHash, Version};
use base64ct::{Base64Unpadded, Encoding};
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroize;

/// Bytes of salt drawn from the caller's generator for each hash: 128 bits, as RFC 9106
/// recommends.
const SALT_LEN: usize = 16;

/// An Argon2id hash of a PIN, with its cost and salt: how an account keeps a PIN (R8).
///
/// It is kept parsed, in fixed arrays, and checked once when it is made or loaded: verifying
/// it reads no string and allocates nothing. It is stored as its PHC string
/// (`$argon2id$v=19$m=…,t=…,p=…$<salt>$<hash>`, [`PinHash::to_phc`]), the form every
/// Argon2 library reads, and only that form loads: Argon2id version 19, the three costs in that
/// order and nothing else, a 16-byte salt and a 32-byte hash, each written as this crate
/// writes it, so that what was loaded is stored again byte for byte.
///
/// It prints in `Debug` with its cost only, not its salt and hash, which are all an attacker
/// needs to start guessing offline.
#[derive(Clone, PartialEq, Eq)]
pub struct PinHash {
    cost: HashCost,
    salt: [u8; SALT_LEN],
    output: [u8; OUTPUT_LEN],
}

impl PinHash {
    /// Hashes `pin` with a fresh salt from `rng` at `cost`.
    pub(crate) fn compute<R: CryptoRng + ?Sized>(
        pin: &[u8],
        cost: HashCost,
        rng: &mut R,
    ) -> Result<PinHash, HashingFailed> {
        let mut hash = PinHash {
            cost,
            salt: [0; SALT_LEN],
            output: [0; OUTPUT_LEN],
        };
        rng.fill_bytes(&mut hash.salt);
        argon2id(cost, pin, &hash.salt, &mut hash.output).map_err(|_| HashingFailed)?;
        Ok(hash)
    }

    /// The PHC string, for the service's database: what serializing the hash writes.
    ///
    /// ```
    /// use inps_pin::PinHash;
    ///
    /// let phc = "$argon2id$v=19$m=8,t=1,p=1$QUJDREVGR0hJSktMTU5PUA$\
    ///            mtpz7CnV0Kp8GnYnQYcs2O0Pu+GjXbVWGEkwo4eqtO0";
    /// let hash = PinHash::try_from(phc)?;
    /// assert_eq!(hash.to_phc(), phc);
    /// # Ok::<(), inps_pin::PinHashError>(())
    /// ```
    #[must_use]
    pub fn to_phc(&self) -> String {
        String::from(self.phc().as_str())
    }

    /// The cost this PIN was hashed with, checked when the hash was made or loaded.
    #[must_use]
    pub fn cost(&self) -> HashCost {
        self.cost
    }

    /// The PHC string, written into a buffer on the stack.
    fn phc(&self) -> PhcText {
        let mut text = PhcText::default();
        // Only fails if the buffer is too short, which `PHC_MAX_LEN` rules out.
        let _written = self.write_phc(&mut text);
        text
    }

    fn write_phc(&self, out: &mut impl fmt::Write) -> fmt::Result {
        let mut salt = [0u8; B64_SALT_LEN];
        let mut output = [0u8; B64_OUTPUT_LEN];
        let salt = base64(&self.salt, &mut salt)?;
        let output = base64(&self.output, &mut output)?;
        write!(
            out,
            "$argon2id$v=19$m={},t={},p={}${salt}${output}",
            self.cost.memory_kib(),
            self.cost.iterations(),
            self.cost.parallelism()
        )
    }

    /// The hash in the PHC string, if it has exactly the shape [`PinHash::write_phc`] writes;
    /// its cost is not checked yet.
    fn parse_canonical(phc: &str) -> Option<PinHash> {
        let rest = phc.strip_prefix("$argon2id$v=19$m=")?;
        let (memory_kib, rest) = leading_decimal(rest)?;
        let (iterations, rest) = leading_decimal(rest.strip_prefix(",t=")?)?;
        let (parallelism, rest) = leading_decimal(rest.strip_prefix(",p=")?)?;
        let (salt, output) = rest.strip_prefix('$')?.split_once('$')?;
        let hash = PinHash {
            cost: HashCost::unchecked(memory_kib, iterations, parallelism),
            salt: unbase64(salt)?,
            output: unbase64(output)?,
        };
        // What loads is stored unchanged: the decimals have no leading zero
        // (`leading_decimal`), and the Base64 decoder takes only the one writing of each byte
        // string (it checks the last character's unused bits), so written again, it is the
        // same string.
        Some(hash)
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
    /// long as it states. [`PinHashError::NotPhc`] if Argon2 refuses the cost (only for a
    /// hash that bypassed loading).
    pub(crate) fn verify_within(
        &self,
        candidate: &[u8],
        bound: HashCost,
    ) -> Result<bool, PinHashError> {
        self.check_bound(bound)?;
        let mut computed = [0u8; OUTPUT_LEN];
        let hashed = argon2id(self.cost, candidate, &self.salt, &mut computed);
        let matches = hashed.is_ok() && constant_time_eq(&computed, &self.output);
        computed.zeroize();
        hashed.map_err(|_| PinHashError::NotPhc)?;
        Ok(matches)
    }

    /// Whether the cost this hash states is within `bound` (R35), without running Argon2.
    pub(crate) fn check_bound(&self, bound: HashCost) -> Result<(), PinHashError> {
        let stated = StatedCost::from(self.cost);
        if bound.admits(stated) {
            Ok(())
        } else {
            Err(PinHashError::CostAboveBound {
                memory_kib: stated.memory_kib,
                iterations: stated.iterations,
                parallelism: stated.parallelism,
                bound,
            })
        }
    }

    /// Whether this hash should be made again at `policy_cost`: its cost differs from the
    /// policy's (the policy changed since it was made). The caller rehashes after a
    /// successful verification, the one moment it holds the PIN.
    pub(crate) fn rehash_needed(&self, policy_cost: HashCost) -> bool {
        self.cost != policy_cost
    }
}

/// How many Argon2 memory blocks (1 KiB each) fit in the buffer on the stack: those of
/// [`HashCost::CHEAP`]. Argon2's own buffer comes from the heap; at a small cost the
/// allocator carves the next long-lived allocations out of it once it is freed, so that every
/// hash takes fresh memory and a population of accounts holds about one buffer each. At the
/// default cost (19 MiB) the allocator maps and unmaps the buffer, which leaves nothing behind.
const STACK_BLOCKS: usize = Params::MIN_M_COST as usize;

/// Argon2's memory on the stack, starting a page of its own. Unaligned, where it starts
/// depends on how deep the stack is and where the system put it, and Argon2 runs a few per cent
/// slower at some of those places than at others: the same command slower in one run than in
/// the next, by as much as the crate's own time in a simulated year of logins. Aligned, it runs
/// at the same speed whatever the layout.
#[repr(C, align(4096))]
struct StackBlocks([Block; STACK_BLOCKS]);

/// Argon2id of `pin` and `salt` at `cost`, into `out`: with the memory on the stack for the
/// smallest costs, from the heap (Argon2's own) otherwise.
fn argon2id(
    cost: HashCost,
    pin: &[u8],
    salt: &[u8],
    out: &mut [u8; OUTPUT_LEN],
) -> Result<(), argon2::Error> {
    let params = Params::new(
        cost.memory_kib(),
        cost.iterations(),
        cost.parallelism(),
        Some(OUTPUT_LEN),
    )?;
    let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    if hasher.params().block_count() <= STACK_BLOCKS {
        // Argon2 writes every block before it reads it; zeros only because Rust needs them.
        // Left unwiped, as Argon2's own buffer is: the blocks hold values derived from the
        // hash of the PIN, never the PIN.
        let mut blocks = StackBlocks([Block::new(); STACK_BLOCKS]);
        hasher.hash_password_into_with_memory(pin, salt, out, &mut blocks.0)
    } else {
        hasher.hash_password_into(pin, salt, out)
    }
}

/// Whether two hashes are equal, comparing every byte whatever the first difference: the
/// differences are gathered with `|`, with no branch on any byte, and the compiler is kept from
/// reasoning about the result before the one comparison at the end.
///
/// Written here rather than through the `phc` crate's `Output`, whose comparison is the same
/// but copies both hashes into 64-byte buffers first, at a twentieth of the crate's own time
/// per command.
fn constant_time_eq(a: &[u8; OUTPUT_LEN], b: &[u8; OUTPUT_LEN]) -> bool {
    let difference = a
        .iter()
        .zip(b)
        .fold(0u8, |gathered, (x, y)| gathered | (x ^ y));
    core::hint::black_box(difference) == 0
}

/// Bytes of hash Argon2 writes: its default, what every hash this crate makes has.
const OUTPUT_LEN: usize = Params::DEFAULT_OUTPUT_LEN;
/// The unpadded Base64 of the salt and of the hash.
const B64_SALT_LEN: usize = (SALT_LEN * 4).div_ceil(3);
const B64_OUTPUT_LEN: usize = (OUTPUT_LEN * 4).div_ceil(3);
/// The longest PHC string a [`PinHash`] writes: each cost with ten digits.
const PHC_MAX_LEN: usize =
    "$argon2id$v=19$m=,t=,p=$$".len() + 3 * 10 + B64_SALT_LEN + B64_OUTPUT_LEN;

/// `bytes` in the PHC string's Base64 (unpadded), into `buffer`.
fn base64<'b>(bytes: &[u8], buffer: &'b mut [u8]) -> Result<&'b str, fmt::Error> {
    Base64Unpadded::encode(bytes, buffer).map_err(|_| fmt::Error)
}

/// The decimal number `text` starts with, written without leading zeros, and what follows it.
fn leading_decimal(text: &str) -> Option<(u32, &str)> {
    let digits = text.bytes().take_while(u8::is_ascii_digit).count();
    let (number, rest) = text.split_at_checked(digits)?;
    if number.len() > 1 && number.starts_with('0') {
        return None;
    }
    Some((number.parse().ok()?, rest))
}

/// A PHC string written on the stack.
struct PhcText {
    bytes: [u8; PHC_MAX_LEN],
    len: usize,
}

impl Default for PhcText {
    fn default() -> Self {
        PhcText {
            bytes: [0; PHC_MAX_LEN],
            len: 0,
        }
    }
}

impl PhcText {
    fn as_str(&self) -> &str {
        self.bytes
            .get(..self.len)
            .and_then(|text| core::str::from_utf8(text).ok())
            .unwrap_or_default()
    }
}

impl fmt::Write for PhcText {
    fn write_str(&mut self, text: &str) -> fmt::Result {
        let end = self.len.checked_add(text.len()).ok_or(fmt::Error)?;
        self.bytes
            .get_mut(self.len..end)
            .ok_or(fmt::Error)?
            .copy_from_slice(text.as_bytes());
        self.len = end;
        Ok(())
    }
}

impl fmt::Debug for PinHash {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "PinHash(argon2id m={} t={} p={}, [redacted])",
            self.cost.memory_kib(),
            self.cost.iterations(),
            self.cost.parallelism()
        )
    }
}

impl TryFrom<&str> for PinHash {
    type Error = PinHashError;
    /// Parses and checks a stored PHC string (R35): the usual one at once, any other through
    /// the general PHC parser, so that what is wrong with it is named.
    fn try_from(phc: &str) -> Result<Self, Self::Error> {
        match PinHash::parse_canonical(phc) {
            Some(hash) if hash.cost.is_valid() => Ok(hash),
            _ => Err(refusal_of(phc)),
        }
    }
}

impl TryFrom<String> for PinHash {
    type Error = PinHashError;
    fn try_from(phc: String) -> Result<Self, Self::Error> {
        PinHash::try_from(phc.as_str())
    }
}

impl From<PinHash> for String {
    fn from(hash: PinHash) -> Self {
        hash.to_phc()
    }
}

/// Why `phc` does not load, read with the general PHC parser: not a PHC string, another
/// algorithm, a cost beyond the limits (R35), or a valid Argon2id string of another shape.
fn refusal_of(phc: &str) -> PinHashError {
    let Ok(parsed) = PasswordHash::new(phc) else {
        return PinHashError::NotPhc;
    };
    if parsed.algorithm.as_str() != "argon2id" {
        return PinHashError::NotArgon2id;
    }
    if parsed.salt.is_none() || parsed.hash.is_none() {
        return PinHashError::NotPhc;
    }
    let Some(stated) = StatedCost::of(&parsed) else {
        return PinHashError::NotPhc;
    };
    // R35: a cost no `HashCost` may have is never loaded, so never run.
    if !stated.within_limits() {
        return PinHashError::CostBeyondLimits {
            memory_kib: stated.memory_kib,
            iterations: stated.iterations,
            parallelism: stated.parallelism,
        };
    }
    if Params::try_from(&parsed).is_err() {
        return PinHashError::NotPhc;
    }
    PinHashError::OtherShape
}

impl Serialize for PinHash {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(self.phc().as_str())
    }
}

/// Read from a borrowed string where the format allows, so that loading allocates nothing.
impl<'de> Deserialize<'de> for PinHash {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct PhcVisitor;
        impl serde::de::Visitor<'_> for PhcVisitor {
            type Value = PinHash;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("an Argon2id PHC string")
            }
            fn visit_str<E: serde::de::Error>(self, phc: &str) -> Result<PinHash, E> {
                PinHash::try_from(phc).map_err(E::custom)
            }
        }
        deserializer.deserialize_str(PhcVisitor)
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
    /// A valid Argon2id PHC string of another shape than the crate writes (another version,
    /// parameters beyond the three costs, a salt other than 16 bytes or a hash other than 32):
    /// not one this crate made.
    #[error(
        "the stored PIN hash is Argon2id but not as this crate writes it (version 19, \
         m, t and p only, a 16-byte salt, a 32-byte hash): the stored account is damaged or \
         comes from elsewhere; restore the PIN"
    )]
    OtherShape,
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
    let mut wasted = [0u8; OUTPUT_LEN];
    let _refused = argon2id(cost, candidate, &FIXED_SALT, &mut wasted);
    wasted.zeroize();
}

/// Argon2 failed to hash a PIN: only with a cost it refuses, which [`HashCost`] rules out.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct HashingFailed;

#[cfg(test)]
mod tests;
