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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::account::ActivePin;
    use crate::account::RestoreCode;
    use crate::assurance::AssuranceLevel;

    const PHC: &str = "$argon2id$v=19$m=8,t=1,p=1$QUJDREVGR0hJSktMTU5PUA$\
                       mtpz7CnV0Kp8GnYnQYcs2O0Pu+GjXbVWGEkwo4eqtO0";

    fn at(second: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + second).unwrap_or(Timestamp::UNIX_EPOCH)
    }

    fn hash() -> Option<PinHash> {
        PinHash::try_from(PHC).ok()
    }

    /// A 16 waiting for its first access, until `at(100)`.
    fn waiting() -> Option<PinRecord> {
        Some(PinRecord::new(Stage::AwaitingFirstAccess(FirstPin {
            assurance: AssuranceLevel::Ordinary,
            whole: hash()?,
            first_half: None,
            lapses_at: at(100),
            lapse_noted: false,
        })))
    }

    /// An 8 in use, and a restore's 16 waiting beside it until `at(100)`.
    fn restoring() -> Option<PinRecord> {
        let mut record = PinRecord::new(Stage::Active(ActivePin {
            assurance: AssuranceLevel::Ordinary,
            hash: hash()?,
            expires_at: at(1_000),
            warned: false,
            expiry_noted: false,
            deadline_memo: crate::account::DeadlineMemo::default(),
        }));
        record.restore = Some(Box::new(RestoreCode {
            whole: hash()?,
            lapses_at: at(100),
        }));
        Some(record)
    }

    fn unverified(verified: Result<Verified, PinHashError>) -> bool {
        matches!(verified, Ok(Verified::Wrong { unverified: true }))
    }

    #[test]
    fn r25b_a_waiting_code_is_checked_only_against_16_characters_before_it_lapses() {
        let bound = HashCost::CHEAP;
        for record in [waiting(), restoring()].into_iter().flatten() {
            // 8 characters cannot be a waiting 16: no hash is checked.
            let eight = EnteredPin::parse("ABCDEFGH");
            assert!(eight.is_ok());
            if let Ok(eight) = eight {
                assert!(unverified(verify_waiting(&record, &eight, at(0), bound)));
                assert_eq!(eight.verifications(), 0);
            }
            let sixteen = EnteredPin::parse("ABCDEFGHJKLMNPQR");
            assert!(sixteen.is_ok());
            if let Ok(sixteen) = sixteen {
                // Before the lapse: checked, once.
                let checked = verify_waiting(&record, &sixteen, at(99), bound);
                assert!(matches!(checked, Ok(Verified::Wrong { unverified: false })));
                assert_eq!(sixteen.verifications(), 1);
            }
        }
        // A restore's 16 from its lapse on is no code: nothing is checked, at the instant too.
        for lapsed in [at(100), at(101)] {
            let sixteen = EnteredPin::parse("ABCDEFGHJKLMNPQR");
            if let (Some(record), Ok(sixteen)) = (restoring(), sixteen) {
                assert!(unverified(verify_waiting(&record, &sixteen, lapsed, bound)));
                assert_eq!(sixteen.verifications(), 0);
            }
        }
    }
}
