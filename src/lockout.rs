//! Lockout after wrong PINs (R25): graduated delays, then a block that a restore lifts.
//!
//! Everything R25 says lives here: the [`Lockout`] policy (the delay ladder and the block
//! count) and the lock state an account keeps ([`LockState`], private to the crate), with the
//! one gate every PIN check passes first. Modelled on kanidm's soft lock (`softlock.rs`): a
//! delay slows a guesser without ever shutting out the owner, and time is applied as a step,
//! read from the caller's clock, never written down.
//!
//! ```text
//!                     wrong PIN (failures + 1)
//!            ┌───────────────────────────────────────┐
//!            ▼                                       │
//!   ┌─────────────────┐  wrong PIN   ┌──────────────────────────────┐
//!   │ open            │ ───────────▶ │ delayed until last failure   │
//!   │ failures = n    │              │ + delay_after(n) (1, 3, 5,   │
//!   │                 │ ◀─────────── │ 10 s): tries turned away     │
//!   └─────────────────┘  the clock   └──────────────────────────────┘
//!      │        ▲        passes the                  │
//!      │        │        end (no event)              │ the wrong PIN that makes
//!      │        │                                    │ n = block_after
//!      │        │ right PIN: n = 0                   ▼
//!      │        └──────────────────────    ┌───────────────────────────┐
//!      │                                   │ blocked: every try turned │
//!      └── restore (R23) or revoke (R24) ─▶│ away until a restore or   │
//!          lifts everything                │ a revocation              │
//!                                          └───────────────────────────┘
//! ```
//!
//! The block at `block_after` failures (capped at 100, as NIST SP 800-63B requires) is lifted
//! by a restore, which only the holder of the registered contacts can complete. A stranger
//! hammering a codice fiscale can therefore make its owner restore the PIN, never lock them
//! out for good.
//!
//! The end of a delay is never stored: it is the last failure's instant plus the delay for the
//! count, so a guess costs the account one event (the failure) and the clock does the rest. A
//! reading dated before the last failure (a clock that went back, or a failure stamped in the
//! future by a wrong clock) finds no delay: a delay never outlasts its own length, and a bad
//! clock reading of 2100 cannot hold the owner until 2100. The count still grows, so the block
//! still caps the guesses.
//!
//! A try the gate turns away (inside a delay, or blocked) is checked against no hash and
//! counted nowhere: it costs no Argon2 and writes no event (R25b), so however fast a stranger
//! guesses, a lane is checked at most once per delay. Whoever knows only the codice fiscale is
//! answered as for a wrong PIN (R30a); operators read why in the outcome's failure detail.
//!
//! The same lock, with a [`DelayLadder`] and no block, is the lane of the 16 that waits for its
//! first access (R25b): wrong 16s slow the next first access by seconds and never block it.

use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use thiserror::Error;

/// The most consecutive failures a policy may allow before blocking: NIST SP 800-63B §5.2.2.
pub const MAX_BLOCK_AFTER: u32 = 100;

/// The longest wait any delay ladder may hold: 3 600 s, one hour (R34).
///
/// A delay slows a guesser; it is not a block. A wait longer than an hour is a block in all but
/// name, one that no restore lifts: a stranger's guesses would keep the owner of a PIN out for
/// as long as it lasts (R25a), while the block, which a restore does lift, is what a policy
/// that wants to stop guessing sets ([`Lockout::block_after`]). An hour is already far beyond
/// the published ladders (kanidm's 1 to 10 s), so it bounds mistakes (a delay written in
/// milliseconds, or 4 294 967 295 s) without constraining a deployment.
pub const MAX_DELAY_SECS: u32 = 3_600;

/// The most steps a delay ladder may have: [`MAX_BLOCK_AFTER`]. A lockout blocks by then, so
/// a longer ladder is never read, and the list is read from configuration with this bound.
pub const MAX_DELAY_STEPS: usize = MAX_BLOCK_AFTER as usize;

/// The waits after the 1st, 2nd, … consecutive failure of a lane, in seconds, the last one
/// repeating: the delays of a [`Lockout`], and on their own the delays of a lane that never
/// blocks (the waiting 16's first accesses, R25b).
///
/// Written as the list of seconds it is, such as `[1, 3, 5, 10]`.
///
/// ```
/// use inps_pin::DelayLadder;
/// use jiff::SignedDuration;
///
/// let ladder = DelayLadder::new(vec![1, 2, 5])?;
/// assert_eq!(ladder.delay_after(0), None);
/// assert_eq!(ladder.delay_after(2), Some(SignedDuration::from_secs(2)));
/// assert_eq!(ladder.delay_after(40), Some(SignedDuration::from_secs(5)));
/// assert!(DelayLadder::new(vec![5, 1]).is_err()); // a later wait never shorter
/// assert!(DelayLadder::new(vec![4_294_967_295]).is_err()); // at most an hour
/// # Ok::<(), inps_pin::LockoutError>(())
/// ```
#[derive(Clone, Debug, Default, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "Vec<u32>")]
pub struct DelayLadder {
    secs: Vec<u32>,
}

impl DelayLadder {
    /// A ladder of waits in seconds.
    ///
    /// # Errors
    /// [`LockoutError`] if a wait is longer than [`MAX_DELAY_SECS`], the list is longer than
    /// [`MAX_DELAY_STEPS`], or the waits shrink (a later failure must never wait less than an
    /// earlier one).
    pub fn new(delays_secs: Vec<u32>) -> Result<DelayLadder, LockoutError> {
        if delays_secs.len() > MAX_DELAY_STEPS {
            return Err(LockoutError::TooManyDelays {
                found: delays_secs.len(),
            });
        }
        if let Some(&longest) = delays_secs.iter().find(|&&secs| secs > MAX_DELAY_SECS) {
            return Err(LockoutError::DelayTooLong { found: longest });
        }
        if delays_secs
            .windows(2)
            .any(|pair| matches!(pair, [a, b] if b < a))
        {
            return Err(LockoutError::ShrinkingDelays);
        }
        Ok(DelayLadder { secs: delays_secs })
    }

    /// The wait before the next try after `failures` consecutive failures; `None` when there
    /// is none (no failures, or no delays configured).
    #[must_use]
    pub fn delay_after(&self, failures: u32) -> Option<SignedDuration> {
        let index = usize::try_from(failures.checked_sub(1)?).ok()?;
        let seconds = self.secs.get(index).or_else(|| self.secs.last())?;
        Some(SignedDuration::from_secs(i64::from(*seconds)))
    }

    /// The waits, in seconds.
    #[must_use]
    pub fn as_secs(&self) -> &[u32] {
        &self.secs
    }

    /// The longest wait, in seconds: the last (`None` for no delays).
    #[must_use]
    pub fn longest_secs(&self) -> Option<u32> {
        self.secs.last().copied()
    }
}

impl From<DelayLadder> for Vec<u32> {
    fn from(ladder: DelayLadder) -> Self {
        ladder.secs
    }
}

impl TryFrom<Vec<u32>> for DelayLadder {
    type Error = LockoutError;
    fn try_from(delays_secs: Vec<u32>) -> Result<Self, Self::Error> {
        DelayLadder::new(delays_secs)
    }
}

/// Read as its list of seconds, at most [`MAX_DELAY_STEPS`] of them, then checked.
impl<'de> Deserialize<'de> for DelayLadder {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let secs = crate::bounded::vec::<D, u32, DelaySteps>(deserializer)?;
        DelayLadder::new(secs).map_err(serde::de::Error::custom)
    }
}

/// The bound on the steps of a delay ladder read from configuration.
pub(crate) struct DelaySteps;

impl crate::bounded::Bound for DelaySteps {
    const MAX: usize = MAX_DELAY_STEPS;
    const ITEMS: &'static str = "delays";
}

/// How wrong PINs slow, then block, an account (R25).
///
/// ```
/// use inps_pin::Lockout;
/// use jiff::{SignedDuration, Timestamp};
///
/// let lockout = Lockout::default();
/// assert_eq!(lockout.delay_after(1), Some(SignedDuration::from_secs(1)));
/// assert_eq!(lockout.delay_after(4), Some(SignedDuration::from_secs(10)));
/// assert_eq!(lockout.delay_after(9), Some(SignedDuration::from_secs(10)));
/// assert!(lockout.blocks(10));
/// assert!(Lockout::new(vec![1, 3], 101).is_err()); // NIST caps the block at 100
/// assert!(Lockout::new(vec![1, 7_200], 10).is_err()); // a delay is at most an hour
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawLockout", into = "RawLockout")]
pub struct Lockout {
    delays: DelayLadder,
    block_after: u32,
}

impl Lockout {
    /// Delays in seconds after the 1st, 2nd, … failure (the last one repeats), and the number
    /// of consecutive failures that blocks the account.
    ///
    /// # Errors
    /// [`LockoutError`] if `block_after` is 0 or above [`MAX_BLOCK_AFTER`], or the delays are
    /// not a [`DelayLadder`] (one longer than [`MAX_DELAY_SECS`], more than
    /// [`MAX_DELAY_STEPS`], or shrinking).
    pub fn new(delays_secs: Vec<u32>, block_after: u32) -> Result<Lockout, LockoutError> {
        if block_after == 0 || block_after > MAX_BLOCK_AFTER {
            return Err(LockoutError::BlockAfter { found: block_after });
        }
        Ok(Lockout {
            delays: DelayLadder::new(delays_secs)?,
            block_after,
        })
    }

    /// The wait before the next try after `failures` consecutive failures; `None` when there
    /// is none (no failures, or no delays configured).
    #[must_use]
    pub fn delay_after(&self, failures: u32) -> Option<SignedDuration> {
        self.delays.delay_after(failures)
    }

    /// The delays, before the block.
    #[must_use]
    pub fn delays(&self) -> &DelayLadder {
        &self.delays
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
            delays: DelayLadder {
                secs: vec![1, 3, 5, 10],
            },
            block_after: 10,
        }
    }
}

/// A lockout as written, before it is checked: what a stored policy holds, so that the policy
/// can name its field when the lockout is refused (R34).
#[derive(Serialize, Deserialize)]
pub(crate) struct RawLockout {
    #[serde(deserialize_with = "crate::bounded::vec::<_, _, DelaySteps>")]
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
            delays_secs: lockout.delays.secs,
            block_after: lockout.block_after,
        }
    }
}

/// A lockout policy, or a delay ladder, that was refused.
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
    /// A delay longer than [`MAX_DELAY_SECS`].
    #[error(
        "a delay of {found} s is not allowed: a delay is at most {MAX_DELAY_SECS} s (one hour); \
         to stop guessing, block after fewer failures instead (a restore lifts a block)"
    )]
    DelayTooLong {
        /// The delay given, in seconds.
        found: u32,
    },
    /// More delays than [`MAX_DELAY_STEPS`].
    #[error("{found} delays are too many: give at most {MAX_DELAY_STEPS} (the last one repeats)")]
    TooManyDelays {
        /// How many were given.
        found: usize,
    },
}

/// What an account remembers of wrong PINs (R25): the consecutive failures, when the last one
/// happened, and whether they blocked the PIN. See the module docs for its diagram.
///
/// Stored as its three fields in binary forms; in JSON a clear lane (no failure, no block), the
/// state of almost every lane of every account, is `null`, so that the lanes a PIN always has
/// (the login's and the first access's) do not take a sixth of a stored account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(into = "StoredLockState", from = "StoredLockState")]
pub(crate) struct LockState {
    /// Consecutive wrong PINs since the last success or the last PIN issued.
    failures: u32,
    /// When the last wrong PIN was typed: the delay runs from here.
    last_failure: Option<Timestamp>,
    /// Blocked until a restore or a revocation.
    blocked: bool,
}

/// Why the lock state turns a try away before any PIN is checked (R25).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum LockGate {
    /// Blocked until a restore or a revocation.
    Blocked,
    /// Inside the delay after a wrong PIN, until this instant.
    Delayed {
        /// When a new try is accepted.
        retry_after: Timestamp,
    },
}

/// What one more wrong PIN does.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct NextFailure {
    /// The consecutive failures, this one included.
    pub(crate) failures: u32,
    /// Whether this failure blocks the PIN.
    pub(crate) blocks: bool,
}

/// [`LockState`] as stored: `None` in human-readable forms for a clear lane.
#[derive(Clone, Default, Serialize, Deserialize)]
struct StoredLockFields {
    failures: u32,
    #[serde(with = "crate::timestamp_serde::option")]
    last_failure: Option<Timestamp>,
    blocked: bool,
}

/// The stored form of a [`LockState`]: its fields, or nothing for a clear lane in JSON.
#[derive(Clone)]
struct StoredLockState(StoredLockFields);

impl From<LockState> for StoredLockState {
    fn from(lock: LockState) -> StoredLockState {
        StoredLockState(StoredLockFields {
            failures: lock.failures,
            last_failure: lock.last_failure,
            blocked: lock.blocked,
        })
    }
}

impl From<StoredLockState> for LockState {
    fn from(StoredLockState(fields): StoredLockState) -> LockState {
        LockState {
            failures: fields.failures,
            last_failure: fields.last_failure,
            blocked: fields.blocked,
        }
    }
}

impl Serialize for StoredLockState {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let fields = &self.0;
        let clear = fields.failures == 0 && fields.last_failure.is_none() && !fields.blocked;
        if serializer.is_human_readable() && clear {
            serializer.serialize_none()
        } else {
            fields.serialize(serializer)
        }
    }
}

impl<'de> Deserialize<'de> for StoredLockState {
    fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        if deserializer.is_human_readable() {
            Option::<StoredLockFields>::deserialize(deserializer)
                .map(|fields| StoredLockState(fields.unwrap_or_default()))
        } else {
            StoredLockFields::deserialize(deserializer).map(StoredLockState)
        }
    }
}

impl LockState {
    /// Consecutive wrong PINs.
    pub(crate) fn failures(&self) -> u32 {
        self.failures
    }

    /// Whether the PIN is blocked.
    pub(crate) fn is_blocked(&self) -> bool {
        self.blocked
    }

    /// The end of the delay at `now`, if one is running: counted from the last failure, and
    /// only for readings not dated before it (see the module docs).
    pub(crate) fn delay_until(&self, now: Timestamp, delays: &DelayLadder) -> Option<Timestamp> {
        let last = self.last_failure?;
        if now < last {
            return None;
        }
        let delay = delays.delay_after(self.failures)?;
        let end = last.checked_add(delay).unwrap_or(Timestamp::MAX);
        (now < end).then_some(end)
    }

    /// The gate in front of every PIN check: blocked, or inside a delay, or open.
    pub(crate) fn gate(&self, now: Timestamp, lockout: &Lockout) -> Result<(), LockGate> {
        if self.blocked {
            return Err(LockGate::Blocked);
        }
        match self.delay_until(now, lockout.delays()) {
            Some(retry_after) => Err(LockGate::Delayed { retry_after }),
            None => Ok(()),
        }
    }

    /// What one more wrong PIN would do, decided before it is recorded. Only the failure that
    /// reaches the block blocks: one already blocked is counted and tells nobody again, so a
    /// stranger cannot resend the block notice at will.
    pub(crate) fn next_failure(&self, lockout: &Lockout) -> NextFailure {
        let failures = self.failures.saturating_add(1);
        NextFailure {
            failures,
            blocks: !self.blocked && lockout.blocks(failures),
        }
    }

    /// A wrong PIN at `at`.
    pub(crate) fn record_failure(&mut self, at: Timestamp) {
        self.failures = self.failures.saturating_add(1);
        self.last_failure = Some(at);
    }

    /// The count reached the block.
    pub(crate) fn record_block(&mut self) {
        self.blocked = true;
    }

    /// A right PIN, a new PIN, a restore or a revocation: everything is forgiven.
    pub(crate) fn clear(&mut self) {
        *self = LockState::default();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    #[test]
    fn r25_r32_a_clear_lane_is_null_in_json_and_every_lane_round_trips_in_both_forms() {
        let clear = LockState::default();
        let mut failed = LockState::default();
        failed.record_failure(at(5));
        assert_eq!(serde_json::to_string(&clear).unwrap(), "null");
        assert_eq!(
            serde_json::to_string(&failed).unwrap(),
            r#"{"failures":1,"last_failure":"2027-01-15T08:00:05Z","blocked":false}"#
        );
        for lane in [clear.clone(), failed] {
            let json = serde_json::to_string(&lane).unwrap();
            assert_eq!(serde_json::from_str::<LockState>(&json).unwrap(), lane);
            let binary = postcard::to_allocvec(&lane).unwrap();
            assert_eq!(postcard::from_bytes::<LockState>(&binary).unwrap(), lane);
        }
        // Binary forms keep the three fields, clear or not: postcard cannot skip a field.
        assert_eq!(postcard::to_allocvec(&clear).unwrap(), [0, 0, 0]);
        // The object form of a clear lane, as formats 1 and 2 hold it, still loads.
        let written = r#"{"failures":0,"last_failure":null,"blocked":false}"#;
        assert_eq!(serde_json::from_str::<LockState>(written).unwrap(), clear);
    }

    #[test]
    fn r25_a_delay_runs_from_the_last_failure_and_ends_by_the_clock_alone() {
        let lockout = Lockout::default();
        let mut state = LockState::default();
        assert_eq!(state.gate(at(0), &lockout), Ok(()));
        state.record_failure(at(0));
        assert_eq!(
            state.gate(at(0), &lockout),
            Err(LockGate::Delayed { retry_after: at(1) })
        );
        assert_eq!(state.gate(at(1), &lockout), Ok(()));
        state.record_failure(at(1));
        assert_eq!(state.delay_until(at(2), lockout.delays()), Some(at(4)));
        assert_eq!(state.gate(at(4), &lockout), Ok(()));
    }

    #[test]
    fn r25_a_reading_dated_before_the_last_failure_finds_no_delay() {
        let lockout = Lockout::default();
        let mut state = LockState::default();
        let far_future = Timestamp::from_second(4_102_444_800).unwrap_or(Timestamp::MAX); // 2100
        state.record_failure(far_future);
        assert_eq!(state.gate(at(0), &lockout), Ok(()));
        assert_eq!(state.failures(), 1, "the failure still counts");
    }

    #[test]
    fn r25_the_block_comes_at_block_after_and_only_clear_lifts_it() {
        let lockout = Lockout::new(vec![1], 3).unwrap_or_default();
        let mut state = LockState::default();
        for second in 0..2 {
            assert!(!state.next_failure(&lockout).blocks);
            state.record_failure(at(second * 10));
        }
        assert_eq!(
            state.next_failure(&lockout),
            NextFailure {
                failures: 3,
                blocks: true
            }
        );
        state.record_failure(at(30));
        state.record_block();
        assert_eq!(state.gate(at(10_000), &lockout), Err(LockGate::Blocked));
        state.clear();
        assert_eq!(state.gate(at(10_000), &lockout), Ok(()));
        assert_eq!(state.failures(), 0);
    }
}
