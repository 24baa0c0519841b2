//! What a typed PIN remembers of its verifications (R32).

use super::{HashCost, PinHash, PinHashError};

/// What a typed PIN remembers of its verifications (R32): each stored hash (no secret) it was
/// checked against, and the answer, so deciding the same command
/// again after a lost compare-and-swap runs no Argon2 against a hash that did not change. It
/// holds no character of the PIN.
#[derive(Default)]
pub(crate) struct VerificationMemo {
    answers: core::cell::RefCell<Vec<(PinHash, bool)>>,
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
            .find(|(checked, _)| checked == hash)
            .map(|(_, answer)| *answer);
        if let Some(answer) = remembered {
            // The bound may have changed since: a remembered hash is judged by it again.
            hash.check_bound(bound)?;
            return Ok(answer);
        }
        let answer = verify(hash)?;
        self.runs.set(self.runs.get().saturating_add(1));
        self.answers.borrow_mut().push((hash.clone(), answer));
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
