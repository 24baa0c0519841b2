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
/// what it remembers (`EnteredPin::parse` writes, moves and drops all of it; issue 12).
#[derive(Default)]
pub(crate) struct VerificationMemo(OnceCell<Box<Remembered>>);

/// The memo's content, once there is any.
#[derive(Default)]
struct Remembered {
    answers: RefCell<Vec<(PinHash, bool)>>,
    runs: Cell<u32>,
    spent: Cell<bool>,
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
        let remembered = memo
            .answers
            .borrow()
            .iter()
            .find(|(checked, _)| checked == hash)
            .map(|(_, answer)| *answer);
        if let Some(answer) = remembered {
            // The bound may have changed since: a remembered hash is judged by it again.
            hash.check_bound(bound)?;
            return Ok(answer);
        }
        let answer = verify(hash)?;
        memo.runs.set(memo.runs.get().saturating_add(1));
        memo.answers.borrow_mut().push((hash.clone(), answer));
        Ok(answer)
    }

    /// Runs `spend` the first time only.
    pub(crate) fn spend_once(&self, spend: impl FnOnce()) {
        let memo = self.remembered();
        if !memo.spent.replace(true) {
            spend();
            memo.runs.set(memo.runs.get().saturating_add(1));
        }
    }

    /// How many Argon2 runs it made.
    pub(crate) fn runs(&self) -> u32 {
        self.0.get().map_or(0, |memo| memo.runs.get())
    }
}
