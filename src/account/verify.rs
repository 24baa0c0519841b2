//! The typed PIN against the codes an account keeps (R6, R8, R9a, R23a, R35), and the lanes its
//! failures count in (R25, R25a): how a PIN check is done, for the lifecycle table's `Pin`,
//! `PinOrFirstHalf` and `WaitingCode` checks.

use jiff::Timestamp;

use crate::account::{FirstPin, PinRecord, Stage};
use crate::device::{DeviceId, Lane};
use crate::hash::{HashCost, PinHash, PinHashError};
use crate::lockout::Lockout;
use crate::policy::Policy;
use crate::secret::{EnteredPin, FULL_LEN, HALF_LEN};

/// Which code a typed PIN matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Matched {
    /// All 16 characters of the first PIN (R6).
    Whole,
    /// The first half alone, where the policy keeps its hash (R9a).
    FirstHalf,
    /// The 8-character PIN in use.
    Short,
}

/// What a typed PIN is, against the record's code.
pub(crate) enum Verified {
    Matched(Matched),
    /// A wrong PIN; `unverified` when its length ruled it out before any hash was checked.
    Wrong {
        unverified: bool,
    },
}

/// One stored hash against the typed characters, within the policy's bound on stored costs
/// (R35): a hash above it is refused, never run.
fn verify_one(
    hash: &PinHash,
    typed: &EnteredPin,
    matched: Matched,
    bound: HashCost,
) -> Result<Verified, PinHashError> {
    Ok(if typed.matches(hash, bound)? {
        Verified::Matched(matched)
    } else {
        Verified::Wrong { unverified: false }
    })
}

/// The typed PIN against the live code: the 16 (or, with `half_opens` and a kept hash, its
/// first half, R9a) before the first access, the 8 after.
pub(crate) fn verify_typed(
    record: &PinRecord,
    pin: &EnteredPin,
    half_opens: bool,
    bound: HashCost,
) -> Result<Verified, PinHashError> {
    match &record.stage {
        Stage::AwaitingFirstAccess(first) if pin.len() == FULL_LEN => {
            verify_one(&first.whole, pin, Matched::Whole, bound)
        }
        Stage::AwaitingFirstAccess(FirstPin {
            first_half: Some(first_half),
            ..
        }) if half_opens && pin.len() == HALF_LEN => {
            verify_one(first_half, pin, Matched::FirstHalf, bound)
        }
        Stage::Active(active) if pin.len() == HALF_LEN => {
            verify_one(&active.hash, pin, Matched::Short, bound)
        }
        // A length no code of this stage has (the 16 after the first access, an 8 where no
        // half is accepted): wrong without a hash to check, and none is run for nothing
        // (R25b).
        Stage::AwaitingFirstAccess(_) | Stage::Active(_) => {
            Ok(Verified::Wrong { unverified: true })
        }
    }
}

/// The typed 16 against the codes waiting for a first access: the issued 16, or a restore's
/// that has not lapsed (R6, R23a).
pub(crate) fn verify_waiting(
    record: &PinRecord,
    pin: &EnteredPin,
    now: Timestamp,
    bound: HashCost,
) -> Result<Verified, PinHashError> {
    let waiting = match (&record.stage, &record.restore) {
        (Stage::AwaitingFirstAccess(first), _) => Some(&first.whole),
        (Stage::Active(_), Some(restore)) if now < restore.lapses_at => Some(&restore.whole),
        (Stage::Active(_), _) => None,
    };
    match waiting {
        Some(hash) if pin.len() == FULL_LEN => verify_one(hash, pin, Matched::Whole, bound),
        // No 16 waits, or not 16 characters: nothing to check, and nothing is run (R25b).
        _ => Ok(Verified::Wrong { unverified: true }),
    }
}

/// The delays and block of a lane (R25, R25a).
pub(crate) fn lane_lockout<'p>(policy: &'p Policy, lane: &Lane) -> &'p Lockout {
    match lane {
        Lane::Anonymous => &policy.lockout,
        Lane::Device(_) => &policy.trusted_devices.lockout,
    }
}

/// The trusted device of a lane, for the events.
pub(crate) fn lane_device(lane: &Lane) -> Option<DeviceId> {
    match lane {
        Lane::Anonymous => None,
        Lane::Device(id) => Some(id.clone()),
    }
}
