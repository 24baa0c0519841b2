//! The bugs the lifecycle properties found in `src/`, kept minimal as the tests that pin their
//! fixes (R17, R22a, R25).
//!
//! The runs that found them are played by `tests/common/lifecycle_run.rs`, whose fixtures
//! these tests use.

mod common;

use common::lifecycle_run::*;
use common::scenario::*;
use common::*;
use inps_pin::{
    Account, ChannelRequest, Command, PinStatus, Refusal, Reply, Role, UpgradeDecision, UpgradeVia,
};
use jiff::SignedDuration;
use rand_chacha::ChaCha20Rng;

// ---------------------------------------------------------------------------------------------
// Counterexamples found along the way, now fixed: each pins its fix
// ---------------------------------------------------------------------------------------------

/// A written upgrade request is made for the PIN in use, with Mario's document (R16, R17).
/// Revoking that PIN drops the request (`Event::PinRevoked` clears it), but a PIN that goes
/// away by a restore whose 16 then lapses does not: the next `RequestPin` (online, ordinary,
/// which checks no identity, here with someone else's e-mail) inherits the pending request,
/// and the back office's approval makes the brand-new PIN dispositivo, with the notice sent
/// to the new e-mail. The state after a request should not depend on how the old PIN ended.
#[test]
fn r17_a_pending_upgrade_request_ends_with_a_new_pin() {
    let policy = policy();
    let mut rng = rng(17);
    let (mut account, _) = active(person(), ChannelRequest::Online, &policy, &mut rng);
    let _ = run(
        &mut account,
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: examined_copy(document(true)),
        },
        at("2026-11-26T09:00:00Z"),
        &policy,
        &mut rng,
    )
    .unwrap();
    let restored = run(
        &mut account,
        restore_command(Contacts::Registered),
        at("2026-11-27T09:00:00Z"),
        &policy,
        &mut rng,
    )
    .unwrap();
    // The restore's 16 waits beside the PIN (R23a); its first access replaces the PIN.
    let now = at("2026-11-28T09:00:00Z");
    let _ = first_access(
        &mut account,
        entered(&whole_code(&restored)),
        now,
        &policy,
        &mut rng,
    );
    assert_eq!(
        account.upgrade_pending(),
        None,
        "the request made for the old PIN still waits for the new one"
    );
    let decided = run(
        &mut account,
        Command::DecideUpgrade {
            decision: UpgradeDecision::Approve,
            reviewer: operator("bo-007"),
        },
        now,
        &policy,
        &mut rng,
    );
    assert_eq!(decided.map(|o| o.reply), Err(Refusal::NoUpgradePending));
}

/// With INPS's sunset, a PIN issued to an exempt person in May 2021 expires on 1 November
/// 2021 and would be warned on 18 October: both after the retirement of 1 October. So
/// `poll_deadline` says nothing will happen by itself (`None`), as its documentation puts it,
/// yet a `Tick` on 20 October records `ExpiryWarned` and one on 2 November `PinExpired`
/// (without notices): a tick when nothing is due is not a no-op. The stored events and the
/// version then depend on when the caller happened to tick, not on what happened; a caller
/// driven by `poll_deadline` records neither. Since f184fc2 `poll_deadline` filters the PIN's
/// deadlines at the retirement and `decide_tick` does not.
#[test]
fn r22a_after_the_retirement_a_tick_with_nothing_due_records_nothing() {
    let policy = sunset_policy();
    let mut rng = rng(22);
    let exempt = applicant(Applicant::OwnerExempt, Role::Citizen);
    let issued_at = at("2021-05-01T09:00:00Z");
    let (mut account, _) = activated(exempt, issued_at, issued_at, &policy, &mut rng);
    for now in [at("2021-10-20T09:00:00Z"), at("2021-11-02T09:00:00Z")] {
        assert_eq!(account.poll_deadline(&policy), None);
        let tick = run(&mut account, Command::Tick, now, &policy, &mut rng).unwrap();
        assert_eq!(
            tick.events,
            [],
            "at {now}, with nothing due, a tick recorded events"
        );
    }
}

/// With INPS's sunset, the notices the clock sends before the retirement invite a renewal that
/// works; after it (R22a) no notice invites one, since no PIN works any more.
#[test]
fn r22a_after_the_retirement_no_notice_invites_a_renewal() {
    let policy = sunset_policy();
    let mut rng = rng(22);
    let (mut account, eight) = activated(
        applicant(Applicant::OwnerExempt, Role::Citizen),
        at("2021-04-01T09:00:00Z"),
        at("2021-04-02T09:00:00Z"),
        &policy,
        &mut rng,
    );
    let renew = |account: &Account, now, rng: &mut ChaCha20Rng| {
        run(
            &mut account.clone(),
            Command::RenewPin {
                pin: entered(&eight),
                trust_device: false,
                device: None,
            },
            now,
            &policy,
            rng,
        )
        .map(|o| o.reply)
    };
    // The warning, 14 Rome days before the expiry of 2 October, is before the retirement.
    let warned_at = account.poll_deadline(&policy).unwrap();
    assert_eq!(warned_at, at("2021-09-18T09:00:00Z"));
    let tick = run(&mut account, Command::Tick, warned_at, &policy, &mut rng).unwrap();
    assert_eq!(tick.notifications().count(), 1);
    assert!(matches!(
        renew(&account, warned_at, &mut rng),
        Ok(Reply::PinRenewed(_))
    ));
    // After the retirement: nothing is due, no tick sends a notice, and no renewal works.
    assert_eq!(account.poll_deadline(&policy), None);
    for now in [at("2021-10-01T09:00:00Z"), at("2021-10-03T09:00:00Z")] {
        let tick = run(&mut account, Command::Tick, now, &policy, &mut rng).unwrap();
        assert_eq!(tick.notifications().count(), 0, "at {now}: {tick:?}");
        assert!(matches!(
            renew(&account, now, &mut rng),
            Err(Refusal::PinsRetired { .. })
        ));
    }
}

/// Ten wrong PINs block Mario's ordinary PIN (R25): it no longer works until a restore. Yet
/// the sede operator upgrades it to dispositivo (and a written request for it is accepted),
/// while an expired PIN is refused the same upgrade (`Refusal::PinExpired`): `upgradable` in
/// decide.rs, documented as needing "an ordinary PIN in use, not expired", never looks at the
/// block. Found by `r14_at_most_one_live_pin` (10 stranger failures, then `UpgradeAtSede`).
#[test]
fn r25_a_blocked_pin_is_not_upgraded_at_a_sede() {
    let policy = policy();
    let mut rng = rng(16);
    let (mut account, eight) = activated(owner(Role::Citizen), t0(), t0(), &policy, &mut rng);
    let wrong = near_miss(&eight);
    let mut now = at("2026-11-26T09:00:00Z");
    for _ in 0..policy.lockout.block_after() {
        let pin = entered(&wrong);
        let _ = log_in(&mut account, pin, now, &policy, &mut rng);
        now += SignedDuration::from_secs(11);
    }
    assert_eq!(account.status(now, &policy), PinStatus::Blocked);
    let before = account.clone();
    let at_sede = run(
        &mut account,
        Command::UpgradeAtSede {
            document: seen_at_sede(document(true)),
        },
        now,
        &policy,
        &mut rng,
    );
    assert_eq!(
        at_sede.map(|o| o.reply),
        Err(Refusal::PinBlocked),
        "the blocked PIN was upgraded"
    );
    assert_eq!(account, before);
}
