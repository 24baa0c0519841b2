//! Lockout after wrong PINs (R25): graduated delays, then a block that a restore lifts.
//!
//! ```text
//!   failures:   0        1       2       3       4 … (block_after − 1)     block_after
//!   next try:   at once  +1 s    +3 s    +5 s    +10 s each                blocked
//!                                                                          │
//!   a success resets the count ◀──────────────────────────────────────────┤
//!   a restore (R23) or a revocation (R24) lifts the block ◀───────────────┘
//! ```
//!
//! Modelled on kanidm's soft lock: a delay slows a guesser without ever shutting out the
//! owner, and the block at `block_after` failures (capped at 100, as NIST SP 800-63B requires)
//! is lifted by a restore, which only the holder of the registered contacts can do. A stranger
//! hammering a codice fiscale can therefore make its owner restore the PIN, never lock them
//! out for good. The delays are counted from the last failure, in the caller's time.

use jiff::SignedDuration;
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The most consecutive failures a policy may allow before blocking: NIST SP 800-63B §5.2.2.
pub const MAX_BLOCK_AFTER: u32 = 100;

/// How wrong PINs slow, then block, an account (R25).
///
/// ```
/// use inps_pin::Lockout;
/// use jiff::SignedDuration;
///
/// let lockout = Lockout::default();
/// assert_eq!(lockout.delay_after(1), Some(SignedDuration::from_secs(1)));
/// assert_eq!(lockout.delay_after(4), Some(SignedDuration::from_secs(10)));
/// assert_eq!(lockout.delay_after(9), Some(SignedDuration::from_secs(10)));
/// assert!(lockout.blocks(10));
/// assert!(Lockout::new(vec![1, 3], 101).is_err()); // NIST caps the block at 100
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawLockout", into = "RawLockout")]
pub struct Lockout {
    delays_secs: Vec<u32>,
    block_after: u32,
}

impl Lockout {
    /// Delays in seconds after the 1st, 2nd, … failure (the last one repeats), and the number
    /// of consecutive failures that blocks the account.
    ///
    /// # Errors
    /// [`LockoutError`] if `block_after` is 0 or above [`MAX_BLOCK_AFTER`], or the delays
    /// shrink (a later failure must never wait less than an earlier one).
    pub fn new(delays_secs: Vec<u32>, block_after: u32) -> Result<Lockout, LockoutError> {
        if block_after == 0 || block_after > MAX_BLOCK_AFTER {
            return Err(LockoutError::BlockAfter { found: block_after });
        }
        if delays_secs
            .windows(2)
            .any(|pair| matches!(pair, [a, b] if b < a))
        {
            return Err(LockoutError::ShrinkingDelays);
        }
        Ok(Lockout {
            delays_secs,
            block_after,
        })
    }

    /// The wait before the next try after `failures` consecutive failures; `None` when there
    /// is none (no failures, or no delays configured).
    #[must_use]
    pub fn delay_after(&self, failures: u32) -> Option<SignedDuration> {
        let index = usize::try_from(failures.checked_sub(1)?).ok()?;
        let seconds = self
            .delays_secs
            .get(index)
            .or_else(|| self.delays_secs.last())?;
        Some(SignedDuration::from_secs(i64::from(*seconds)))
    }

    /// Whether `failures` consecutive failures block the account.
    #[must_use]
    pub fn blocks(&self, failures: u32) -> bool {
        failures >= self.block_after
    }

    /// Consecutive failures that block the account.
    #[must_use]
    pub fn block_after(&self) -> u32 {
        self.block_after
    }
}

impl Default for Lockout {
    /// 1 s, 3 s, 5 s, then 10 s (kanidm's soft-lock steps), and a block at 10 consecutive
    /// failures: ten guesses at an 8-character PIN (40 bits) give a stranger a chance of about
    /// one in 10^11, and a low count tells the owner early, through the block notice, that
    /// someone is guessing.
    fn default() -> Self {
        Lockout {
            delays_secs: vec![1, 3, 5, 10],
            block_after: 10,
        }
    }
}

#[derive(Serialize, Deserialize)]
struct RawLockout {
    delays_secs: Vec<u32>,
    block_after: u32,
}

impl TryFrom<RawLockout> for Lockout {
    type Error = LockoutError;
    fn try_from(raw: RawLockout) -> Result<Self, Self::Error> {
        Lockout::new(raw.delays_secs, raw.block_after)
    }
}

impl From<Lockout> for RawLockout {
    fn from(lockout: Lockout) -> Self {
        RawLockout {
            delays_secs: lockout.delays_secs,
            block_after: lockout.block_after,
        }
    }
}

/// A lockout policy that was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum LockoutError {
    /// The block must come after 1 to 100 failures.
    #[error(
        "a block after {found} failures is not allowed: choose 1 to {MAX_BLOCK_AFTER} (NIST SP 800-63B)"
    )]
    BlockAfter {
        /// The number given.
        found: u32,
    },
    /// A later delay shorter than an earlier one.
    #[error("the delays must not shrink as failures grow: sort them in increasing order")]
    ShrinkingDelays,
}
