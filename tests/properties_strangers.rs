//! R25a and R23a under siege: a stranger can never keep the owner out.
//!
//! The stranger knows what is not secret about Mario: his codice fiscale, his e-mail and his
//! mobile. They know no PIN, no device token and hold no genuine attestation. At any time, at
//! any pace, with the service's clock jumping forward (seconds to months) and now and then
//! reading an instant before the previous one (a wrong clock), they send logins with random 8s
//! and 16s (with no device token, a random well-formed one, or one that carries the owner's
//! public device identifier and a made-up secret; asking to be trusted or not), first accesses
//! with random 16s, renewals with random 8s, restores with the registered contacts and with
//! wrong ones, and ticks. Interleaved, the owner, who holds the real codes and the trusted
//! device token of the setup, logs in and renews from that device (his newest token) or from a
//! new browser, restores when blocked and completes a restore's first access with the latest
//! code delivered to him, whoever asked for it (a restore's halves always go to the registered
//! contacts: to him).
//!
//! After every step, on copies of the account so the run itself is not steered:
//! - the owner on a trusted device logs in at the first try (R25a), with the 8 in use now;
//! - when the PIN is due for renewal (its warning days, or expired), the owner renews from
//!   every device the account still trusts at the first try, and logs in with the new 8 (R21,
//!   R25a): a renewal presents the device token as a login does, so neither the stranger's
//!   block nor the stranger's delays stand before it;
//! - the owner without a device gets back in: a restore and its first access, then a login
//!   with the new 8 (R23a, R25a). At the restore cap, the latest restore's code still waits for
//!   him, whoever asked for it: the cap counts only the restores since the owner's last first
//!   access, and a restore's code waits (the first-access window) at least as long as the cap's
//!   window counts it (the policy draw keeps restore window ≤ first-access window, as policy
//!   validation asks). That holds under the stranger's wrong clock too: the latest restore was
//!   granted with fewer than the cap in the window, and every earlier one the window counts now
//!   it counted then (that reading was no later than now), so at the cap the window counts the
//!   latest one now, and its code has not lapsed;
//! - the stranger never got a session, a first access, a renewal, a trusted device, nor a
//!   delivery anywhere but Mario's registered contacts;
//! - a stranger's guess stored at most one event, a restore exactly one (R25a);
//! - a block is told once (R25): only the guess that reaches the block blocks and notifies;
//!   the guesses after it are turned away unchecked, writing nothing (R25b), and a wrong 16 at
//!   a first access is counted in the lane of the 16 that waits, apart from the login lanes,
//!   and tells nobody;
//! - a stranger reads a wrong PIN's answer whatever the lanes are doing (R30a);
//! - a refusal changed nothing (R27).
//!
//! Where the owner's trusted device may rightly not log in, the check is skipped and counted:
//! - the PIN expired: the right PIN is told so (R20), the device changes nothing to expiry; his
//!   way in is then the renewal, which is checked from the same devices;
//! - the device's own validity ran out (the policy's days), or a newer device of the owner
//!   made room for itself: its token is then no token, and the client is an unknown one.
//!
//! A renewal from a new browser, or from a device whose trust ran out, is an unknown client's:
//! it may meet the stranger's block or delay, and that is counted, not failed; the owner's
//! way back is then the restore. The stranger's wrong 16s may hold a restore's first access
//! back by their lane's delay, a few seconds at most (R25b): the owner then tries again when
//! it ends.
//!
//! Not skipped: the owner replaced the PIN (a restore's first access, a renewal) and the device
//! still logs in, with the new 8. That is what is right. A device token is not a credential:
//! it only says which lane an attempt is counted in, and the PIN is still needed. Forgetting
//! the devices at a restore would take the owner's protection away at the very moment a
//! stranger is active (a siege is what makes people restore). A stolen cookie gains nothing
//! from it either: it meets the new PIN with the device's own five tries.
//!
//! The stranger sends no request, revocation or upgrade: those need attestations of the
//! caller's own checks (R35), which a stranger does not have.
//!
//! The run's values, the owner's state and the checks are in `siege/` (shared with
//! `r25a_siege.rs`). Three of these rules are also pinned on known steps in `r25a_siege.rs`:
//! the restore cap counts only the restores since the owner's last first access, a renewal
//! presents the trusted device as a login does, and a block is told once however many wrong
//! 16s follow it.

mod common;
mod siege;

use common::scenario::*;
use siege::*;

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

/// What the runs must reach between them, so that the property cannot pass by missing the
/// interesting cases.
const MUST_REACH: &[&str] = &[
    "stranger blocked the anonymous lane",
    "owner in from trusted device",
    "owner in from trusted device while blocked",
    "owner in from trusted device while delayed",
    "owner without a device back in by a restore",
    "owner asked for a restore",
    "owner restored",
    "owner used a code the stranger asked for",
    "owner renewed",
    "owner renewed from the trusted device",
    "owner renewed from the trusted device while blocked",
    "owner's renewal from an unknown client: blocked",
    "owner's renewal from an unknown client: delayed",
    "owner renews from trusted device",
    "owner renews from trusted device while blocked",
    "owner renews from trusted device while delayed",
    "new browser renewal: blocked",
    "new browser renewal: delayed",
    "owner's client trusted again",
    "device trusted before the PIN changed, in with the new 8",
    "restore cap reached",
    "owner's restore refused at the cap",
    "at the cap, an earlier code still waiting",
    "at the cap, the owner's first access reopened restores",
    "stranger's restore delivered to the owner",
    "stranger refused: restore.contacts_not_matching",
    "stranger turned away: blocked",
    "stranger turned away: delayed",
    "stranger's wrong 16 counted in its own lane",
    "owner's first access held back by a stranger's 16s, seconds at most",
    "stranger tried the owner's device id",
    "clock went back",
    "skip: the PIN expired",
    "skip: the device's validity ran out",
    "new browser: blocked",
    "new browser: delayed",
];

#[test]
fn r25a_r23a_a_stranger_never_keeps_the_owner_out() {
    let tally = check_property(256, siege_strategy(), siege_holds);
    // What the runs reached, for `--nocapture`.
    eprintln!("{tally:#?}");
    tally.assert_reached(MUST_REACH);
}
