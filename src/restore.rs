//! Restore that disturbs nothing (R23, R23a): the policy's cap on restore requests.
//!
//! A restore sends a new 16-character PIN to the two contacts registered at the request. The
//! contacts are not secrets, so anyone who knows them can ask: a request must never lock the
//! owner out or cancel the owner's code. The new 16 therefore waits beside the live PIN, which
//! keeps working (unless blocked) until the new code's first access replaces it, and an
//! unused restore lapses like any 16 (R9). The most a stranger achieves is sending the owner
//! codes they did not ask for, and this cap bounds even that; each request also tells the owner
//! that one was made.
//!
//! What the cap counts: the restore requests of the last [`RestoreLimit::window_days`] Rome
//! days made since the PIN's last completed first access (the first 16's or a restore's). A
//! completed first access starts the count afresh: it proves that whoever asked received the
//! codes, and the owner's way back must not wait on requests a stranger made (R25a). So the
//! owner, who receives every code, can restore again at once after each first access, any
//! number of times a day; whoever does not receive the codes gets at most
//! [`RestoreLimit::max_requests`] of them per window between two first accesses of the owner.
//! A renewal is not a first access and starts nothing afresh; a new PIN starts with none
//! counted.

use serde::{Deserialize, Serialize};

/// The most restore requests the policy may allow in a window: the account remembers as many.
pub const MAX_RESTORE_REQUESTS: u8 = 10;

/// How many restore requests an account takes in a window (R23a): at most `max_requests` in
/// the last `window_days` Rome days since the PIN's last completed first access (module docs
/// above: a first access starts the count afresh). A request over the cap is refused with
/// [`Refusal::RestoreLimitReached`](crate::Refusal::RestoreLimitReached), whose `retry_after`
/// is when the oldest counted request leaves the window.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct RestoreLimit {
    /// Requests accepted per window since the last first access, 1 to
    /// [`MAX_RESTORE_REQUESTS`]. Default 3: a lost message and a second try, with one to
    /// spare, while a stranger can send the owner at most three unasked codes a week between
    /// two first accesses of the owner.
    pub max_requests: u8,
    /// The window, in calendar days (in Rome). Default 7.
    pub window_days: u16,
}

impl Default for RestoreLimit {
    fn default() -> Self {
        RestoreLimit {
            max_requests: 3,
            window_days: 7,
        }
    }
}

/// The bound on the restore requests a stored account remembers.
pub(crate) struct StoredRestoreRequests;

impl crate::bounded::Bound for StoredRestoreRequests {
    const MAX: usize = MAX_RESTORE_REQUESTS as usize;
    const ITEMS: &'static str = "restore requests";
}
