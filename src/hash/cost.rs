//! The cost of an Argon2id hash: memory, passes and lanes, with the crate's absolute limits
//! (R35) and the raw form a stored policy names its fields by (R34).

use argon2::{Params, PasswordHash};
use serde::{Deserialize, Serialize};
use thiserror::Error;

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

    /// Within the crate's limits, and accepted by Argon2: what [`HashCost::new`] checks,
    /// without making its error.
    pub(super) fn is_valid(self) -> bool {
        StatedCost::from(self).within_limits()
            && Params::new(self.memory_kib, self.iterations, self.parallelism, None).is_ok()
    }

    /// A cost as a stored hash states it, before it is checked: the hash that holds it does
    /// not load until [`HashCost::new`]'s checks pass on it.
    pub(super) const fn unchecked(memory_kib: u32, iterations: u32, parallelism: u32) -> HashCost {
        HashCost {
            memory_kib,
            iterations,
            parallelism,
        }
    }

    /// Whether `stated` asks for no more memory, passes or lanes than this cost.
    pub(super) fn admits(&self, stated: StatedCost) -> bool {
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

    /// The smaller of two costs, value by value: valid, since each value is at least Argon2's
    /// least and the memory stays at least 8 KiB per lane (each cost has 8 KiB for each of its
    /// own lanes, so for the fewer lanes of the two).
    pub(crate) fn at_most(self, other: HashCost) -> HashCost {
        HashCost {
            memory_kib: self.memory_kib.min(other.memory_kib),
            iterations: self.iterations.min(other.iterations),
            parallelism: self.parallelism.min(other.parallelism),
        }
    }

    pub(super) fn params(&self) -> Result<Params, HashCostError> {
        Params::new(self.memory_kib, self.iterations, self.parallelism, None).map_err(|error| {
            self.error(format!(
                "Argon2 refuses it ({error}); use HashCost::OWASP or a larger cost"
            ))
        })
    }

    pub(super) fn error(&self, reason: String) -> HashCostError {
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
pub(super) struct StatedCost {
    pub(super) memory_kib: u32,
    pub(super) iterations: u32,
    pub(super) parallelism: u32,
}

impl StatedCost {
    /// `None` if a value is missing or not a decimal number.
    pub(super) fn of(parsed: &PasswordHash) -> Option<StatedCost> {
        Some(StatedCost {
            memory_kib: parsed.params.get_decimal("m")?,
            iterations: parsed.params.get_decimal("t")?,
            parallelism: parsed.params.get_decimal("p")?,
        })
    }

    pub(super) fn within_limits(self) -> bool {
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

impl From<HashCost> for StatedCost {
    fn from(cost: HashCost) -> Self {
        StatedCost {
            memory_kib: cost.memory_kib,
            iterations: cost.iterations,
            parallelism: cost.parallelism,
        }
    }
}
