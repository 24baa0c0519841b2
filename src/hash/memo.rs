//! What a typed PIN remembers of its verifications (R32).

use core::cell::{Cell, OnceCell, RefCell};

use super::{HashCost, PinHash, PinHashError};

/// What a typed PIN remembers of its verifications (R32): each stored hash (no secret) it was
/// checked against, and the answer, so deciding the same command
/// again after a lost compare-and-swap runs no Argon2 against a hash that did not change. It
/// holds no character of the PIN.
///
/// Empty until the first verification, and then on the heap: a typed PIN is made for every
/// login, and most are checked once, so the memo costs its owner one pointer, not the size of
/// what it remembers (`EnteredPin::parse` would otherwise write, move and drop all of it).
#[derive(Default)]
pub(crate) struct VerificationMemo(OnceCell<Box<Remembered>>);

/// The memo's content, once there is any.
#[derive(Default)]
struct Remembered {
    /// The first hash checked and its answer, in the block itself: a login checks one hash,
    /// and a second allocation for it would cost as much as the rest of the memo.
    first: RefCell<Option<(PinHash, bool)>>,
    /// Any hash checked after the first (a first access checks two; a hash changed between
    /// two decisions of the same command).
    others: RefCell<Vec<(PinHash, bool)>>,
    runs: Cell<u32>,
    /// The cost of the last run: a stored hash's, or the decoy's.
    last_cost: Cell<Option<HashCost>>,
    spent: Cell<bool>,
}

impl Remembered {
    /// The answer remembered for `hash`, if it was checked.
    fn answer_for(&self, hash: &PinHash) -> Option<bool> {
        let first = self
            .first
            .borrow()
            .as_ref()
            .filter(|(checked, _)| checked == hash)
            .map(|(_, answer)| *answer);
        first.or_else(|| {
            self.others
                .borrow()
                .iter()
                .find(|(checked, _)| checked == hash)
                .map(|(_, answer)| *answer)
        })
    }

    /// Remembers `answer` for `hash`.
    fn remember(&self, hash: &PinHash, answer: bool) {
        let mut first = self.first.borrow_mut();
        if first.is_none() {
            *first = Some((hash.clone(), answer));
        } else {
            self.others.borrow_mut().push((hash.clone(), answer));
        }
    }
}

impl VerificationMemo {
    /// The memo's content, made on first use.
    fn remembered(&self) -> &Remembered {
        self.0.get_or_init(Box::default)
    }

    /// The remembered answer for `hash`, or `verify`'s, remembered.
    pub(crate) fn verify(
        &self,
        hash: &PinHash,
        bound: HashCost,
        verify: impl FnOnce(&PinHash) -> Result<bool, PinHashError>,
    ) -> Result<bool, PinHashError> {
        let memo = self.remembered();
        if let Some(answer) = memo.answer_for(hash) {
            // The bound may have changed since: a remembered hash is judged by it again.
            hash.check_bound(bound)?;
            return Ok(answer);
        }
        let answer = verify(hash)?;
        memo.runs.set(memo.runs.get().saturating_add(1));
        memo.last_cost.set(Some(hash.cost()));
        memo.remember(hash, answer);
        Ok(answer)
    }

    /// Runs `spend`, which runs Argon2 at `cost`, the first time only.
    pub(crate) fn spend_once(&self, cost: HashCost, spend: impl FnOnce()) {
        let memo = self.remembered();
        if !memo.spent.replace(true) {
            spend();
            memo.runs.set(memo.runs.get().saturating_add(1));
            memo.last_cost.set(Some(cost));
        }
    }

    /// How many Argon2 runs it made.
    pub(crate) fn runs(&self) -> u32 {
        self.0.get().map_or(0, |memo| memo.runs.get())
    }

    /// The cost of the last Argon2 run it made.
    pub(crate) fn last_cost(&self) -> Option<HashCost> {
        self.0.get().and_then(|memo| memo.last_cost.get())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::SeedableRng;

    /// R32: each hash checked is checked once, the first and every later one, and a remembered
    /// answer is still judged by the bound in force.
    #[test]
    fn r32_each_hash_is_verified_once_whatever_how_many_are_checked() {
        let mut rng = ChaCha20Rng::seed_from_u64(32);
        // Above the cheapest cost, so that a bound below it exists.
        let cost = HashCost::unchecked(16, 1, 1);
        let hashes: Vec<PinHash> = (0..3)
            .map(|_| PinHash::compute(b"ABCDEFGH", cost, &mut rng))
            .collect::<Result<_, _>>()
            .unwrap_or_default();
        assert_eq!(hashes.len(), 3);
        let memo = VerificationMemo::default();
        assert_eq!(memo.runs(), 0);
        let verified = core::cell::Cell::new(0);
        for round in 0..3 {
            for (index, hash) in hashes.iter().enumerate() {
                let answer = memo.verify(hash, cost, |_| {
                    verified.set(verified.get() + 1);
                    Ok(index % 2 == 0)
                });
                assert_eq!(answer, Ok(index % 2 == 0), "round {round}, hash {index}");
            }
        }
        assert_eq!(verified.get(), 3);
        assert_eq!(memo.runs(), 3);
        // A bound below the hashes' cost refuses even a remembered hash, without running it.
        for hash in &hashes {
            let refused = memo.verify(hash, HashCost::CHEAP, |_| Ok(true));
            assert!(
                matches!(refused, Err(PinHashError::CostAboveBound { .. })),
                "{refused:?}"
            );
        }
        assert_eq!(memo.runs(), 3);
    }
}
