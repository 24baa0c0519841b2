//! R25a and R23a, the siege of `properties_strangers.rs` played on known steps: the worst
//! case under the default policy, checked after every step as the property checks, and the
//! three rules the siege pins, each on its own: the owner without a device restores after
//! using the last code at the cap, renews from the trusted device through a stranger's block,
//! and hears of a block once.

mod common;
mod siege;

use common::lifecycle_run::{Contacts, DAY};
use common::rig::{Rig, hammer_until_blocked, notices, secs};
use common::scenario::*;
use common::*;

use inps_pin::{
    ChannelRequest, Command, DeviceToken, Event, LaneClosed, PinPart, PinStatus, Refusal, Reply,
    Role,
};
use siege::*;

/// The default policy's times and counts, as a [`PolicyDraw`].
fn default_draw() -> PolicyDraw {
    let policy = policy();
    PolicyDraw {
        role: Role::Citizen,
        citizen_validity_months: policy.citizen_validity_months,
        expiry_warning_days: policy.expiry_warning_days,
        first_access_window_days: policy.first_access_window_days,
        delays_secs: vec![1, 3, 5, 10],
        block_after: policy.lockout.block_after(),
        device_block_after: policy.trusted_devices.lockout.block_after(),
        device_valid_days: policy.trusted_devices.valid_days,
        max_devices: policy.trusted_devices.max_devices,
        restore_max: policy.restore_limit.max_requests,
        restore_window_days: policy.restore_limit.window_days,
    }
}

fn stranger(wait: Wait, act: Stranger) -> Step {
    Step {
        wait,
        back: None,
        act: Act::Stranger(act),
    }
}

fn owner_does(wait: Wait, act: Owner) -> Step {
    Step {
        wait,
        back: None,
        act: Act::Owner(act),
    }
}

/// Ten wrong 8s, each at the end of the delay the one before started: the default block.
fn ten_guesses(first: u8) -> Vec<Step> {
    (first..first + 10)
        .map(|n| {
            stranger(
                Wait::PastDelay,
                Stranger::LogIn8([n; 8], TokenGuess::None, false),
            )
        })
        .collect()
}

/// The siege at its worst, under the default policy, checked after every step as the property
/// checks: the stranger blocks the anonymous lane, guesses on with the owner's public device
/// identifier and under a wrong clock, takes every restore of the week (each code goes to the
/// owner) and guesses at the restore's code. The owner on his trusted device logs in after
/// every step. Without it, he uses the latest code the stranger had sent him, which reopens
/// restores: when the stranger blocks the lane again, the owner restores at once, no week to
/// wait. Months later, in the PIN's warning days, the stranger blocks the lane a third time:
/// from a new browser the owner's renewal meets the block, from his trusted device it does
/// not.
#[test]
fn r25a_known_siege_the_stranger_blocks_and_spends_every_restore_and_the_owner_stays_in() {
    let mut steps = ten_guesses(0);
    steps.extend([
        stranger(
            Wait::Seconds(1),
            Stranger::LogIn8([1; 8], TokenGuess::OwnersId([2; 26]), true),
        ),
        Step {
            wait: Wait::Seconds(1),
            back: Some(3600),
            act: Act::Stranger(Stranger::LogIn16(
                [3; 16],
                TokenGuess::Random([4; 30]),
                true,
            )),
        },
    ]);
    steps.extend(
        (0..4).map(|_| stranger(Wait::Seconds(60), Stranger::Restore(Contacts::Registered))),
    );
    steps.extend([
        stranger(Wait::Seconds(60), Stranger::Restore(Contacts::WrongEmail)),
        stranger(Wait::Seconds(1), Stranger::FirstAccess16([5; 16], true)),
        Step {
            wait: Wait::Seconds(1),
            back: Some(DAY),
            act: Act::Stranger(Stranger::Tick),
        },
        owner_does(Wait::Seconds(60), Owner::LogInTrusted),
        owner_does(Wait::Seconds(1), Owner::LogInNewBrowser),
        owner_does(Wait::Seconds(1), Owner::RestoreWhenBlocked),
        owner_does(Wait::Seconds(60), Owner::CompleteRestore(false)),
        owner_does(Wait::Seconds(1), Owner::LogInNewBrowser),
    ]);
    steps.extend(ten_guesses(20));
    steps.extend([
        owner_does(Wait::Seconds(1), Owner::LogInTrusted),
        owner_does(Wait::Seconds(1), Owner::LogInNewBrowser),
        owner_does(Wait::Seconds(1), Owner::RestoreWhenBlocked),
        owner_does(Wait::Seconds(60), Owner::CompleteRestore(true)),
        owner_does(Wait::Seconds(1), Owner::LogInNewBrowser),
        // Within the 90 days that keep the newest device trusted, into the warning days before
        // the 6 months are over (173 days: at least 167 of them are past the warning's start).
        owner_does(Wait::RomeDays(85), Owner::LogInTrusted),
        owner_does(Wait::RomeDays(88), Owner::LogInTrusted),
    ]);
    steps.extend(ten_guesses(40));
    steps.extend([
        owner_does(Wait::Seconds(1), Owner::RenewNewBrowser(false)),
        owner_does(Wait::Seconds(1), Owner::RenewTrusted),
        owner_does(Wait::Seconds(1), Owner::LogInNewBrowser),
    ]);
    let siege = Siege {
        seed: 25,
        policy: default_draw(),
        steps,
    };
    let tally = siege_holds(&siege).unwrap();
    eprintln!("{tally:#?}");
    // Three blocks, each by the tenth guess, each told once; the guesses after a block are
    // turned away unchecked, writing nothing and telling nobody (R25b, R30a); the wrong 16 at
    // the restore's first access, which no block stands before, is counted in that code's own
    // lane and tells nobody.
    assert_eq!(tally.get("stranger blocked the anonymous lane"), 3);
    assert_eq!(tally.get("stranger turned away: blocked"), 2);
    assert_eq!(tally.get("stranger's wrong 16 counted in its own lane"), 1);
    assert_eq!(tally.get("stranger tried the owner's device id"), 1);
    // Three restores to the owner's contacts; the fourth and the owner's own over the cap,
    // while the latest code waits for him (from the third restore to his first access).
    assert_eq!(tally.get("stranger's restore delivered to the owner"), 3);
    assert_eq!(tally.get("stranger refused: restore.limit_reached"), 1);
    assert_eq!(tally.get("owner's restore refused at the cap"), 1);
    assert_eq!(tally.get("at the cap, an earlier code still waiting"), 8);
    assert_eq!(
        tally.get("stranger refused: restore.contacts_not_matching"),
        1
    );
    assert_eq!(tally.get("clock went back"), 2);
    // The owner: in from the trusted device after every step, the blocked ones included ...
    assert_eq!(
        tally.get("owner in from trusted device"),
        siege.steps.len() as u32
    );
    assert_eq!(tally.get("owner in from trusted device while blocked"), 19);
    // ... and without it, through the stranger's code, which reopens restores, then at once
    // through his own.
    assert_eq!(tally.get("owner used a code the stranger asked for"), 1);
    assert_eq!(
        tally.get("at the cap, the owner's first access reopened restores"),
        1
    );
    assert_eq!(tally.get("owner asked for a restore"), 1);
    assert_eq!(tally.get("owner restored"), 2);
    // In the warning days: the renewal from the trusted device goes through before the guesses,
    // inside each of their delays and after the block; from a new browser only before.
    assert_eq!(tally.get("owner renews from trusted device"), 1);
    assert_eq!(
        tally.get("owner renews from trusted device while delayed"),
        9
    );
    assert_eq!(
        tally.get("owner renews from trusted device while blocked"),
        2
    );
    assert_eq!(
        tally.get("owner's renewal from an unknown client: blocked"),
        1
    );
    assert_eq!(
        tally.get("owner renewed from the trusted device while blocked"),
        1
    );
    assert_eq!(tally.get("owner renewed"), 1);
    // The setup's device keeps working with each new 8: after every step from the owner's
    // first restore (step 23) to the last login that still finds it within its 90 days (step
    // 40), 18 steps; the device trusted at the second restore, after the renewal: 2 more.
    assert_eq!(
        tally.get("device trusted before the PIN changed, in with the new 8"),
        20
    );
    assert_eq!(tally.get("skip: the device's validity ran out"), 14);
}

// ---------------------------------------------------------------------------------------------
// The rules the property found broken, each pinned on its own
// ---------------------------------------------------------------------------------------------

/// R25a: "The owner without a trusted device can always restore (R23, R23a)." The cap on
/// restores (R23a) counts the restores asked for since the owner's last first access. So: the
/// stranger asks for the week's three restores (the codes go to the owner, who uses the latest
/// and is in), then blocks the anonymous lane again with ten guesses. The owner without a
/// trusted device restores at once, no week to wait. The cap still binds the stranger: at most
/// the cap's codes per first access the owner makes.
#[test]
fn r25a_the_owner_without_a_device_can_restore_after_using_the_last_code_at_the_cap() {
    let mut rig = Rig::new(&person());
    rig.activate(person(), ChannelRequest::Online, day_after());
    let start = at("2026-12-01T09:00:00Z");
    let cap = rig.policy.restore_limit.max_requests;
    let mut latest = String::new();
    for n in 0..cap {
        latest = whole_code(&rig.ok(restore_with_mario_contacts(), start + secs(n.into())));
    }
    assert!(matches!(
        rig.refuse(restore_with_mario_contacts(), start + secs(30)),
        Refusal::RestoreLimitReached { .. }
    ));
    let new = rig.first_access(&latest, start + secs(60));
    rig.session(&new, start + secs(61));
    let blocked_at = hammer_until_blocked(&mut rig, &new, start + secs(120));
    assert_eq!(
        rig.account.status(blocked_at, &rig.policy),
        PinStatus::Blocked
    );
    let now = blocked_at + secs(60);
    let restored = run(
        &mut rig.account,
        restore_with_mario_contacts(),
        now,
        &rig.policy,
        &mut rig.rng,
    );
    assert!(
        matches!(&restored, Ok(o) if matches!(o.reply, Reply::PinRestored { .. })),
        "the owner without a trusted device could not restore: {:?}",
        restored.map(|o| o.reply)
    );
    // The owner's restore counts: the cap's others, then the cap again.
    for n in 1..cap {
        rig.apply(restore_with_mario_contacts(), now + secs(n.into()));
    }
    assert!(matches!(
        rig.refuse(restore_with_mario_contacts(), now + secs(30)),
        Refusal::RestoreLimitReached { .. }
    ));
}

/// R25a: "failures from unknown clients delay and block only unknown clients, never the
/// owner's trusted device". A renewal presents the client's device token as a login does and
/// is counted in the device's lane. In the warning days the owner, whose anonymous lane a
/// stranger blocked, renews from his trusted device, and the new 8 works; from a new browser
/// the same renewal meets the block, which only a restore lifts.
#[test]
fn r25a_the_owner_renews_from_the_trusted_device_while_a_stranger_blocks_the_anonymous_lane() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, day_after());
    // The day before expiry, in the warning window, the owner logs in and trusts the device;
    // then the stranger blocks the anonymous lane.
    let due = plus_rome_days(rig.expiry(), -1);
    let trusted = rig.ok(log_in_command(&code, None, true), due - secs(3600));
    let token = trusted.trusted_device.unwrap().expose().to_owned();
    let device = || Some(DeviceToken::parse(&token).unwrap());
    let blocked_at = hammer_until_blocked(&mut rig, &code, due);
    let renew = |device: Option<DeviceToken>| Command::RenewPin {
        pin: entered(&code),
        device,
        trust_device: false,
    };
    // From a new browser, the renewal is an unknown client's: blocked, and turned away
    // unchecked with a wrong PIN's answer (R25b, R30a).
    assert_eq!(rig.turn_away(renew(None), blocked_at), LaneClosed::Blocked);
    // From the trusted device the owner is in (R25a) ...
    logged_in(&rig.ok(log_in_command(&code, device(), false), blocked_at));
    // ... and the renewal the warning invites him to make is his too.
    let renewed = run(
        &mut rig.account,
        renew(device()),
        blocked_at,
        &rig.policy,
        &mut rig.rng,
    );
    let renewed = match renewed {
        Ok(outcome) if matches!(outcome.reply, Reply::PinRenewed(_)) => outcome,
        other => panic!(
            "the owner's renewal from his trusted device met the stranger's block: {:?}",
            other.map(|o| o.reply)
        ),
    };
    assert!(renewed.failure.is_none() && renewed.trusted_device.is_none());
    let eight = code_of(&renewed, PinPart::Pin);
    logged_in(&rig.ok(
        log_in_command(&eight, device(), false),
        blocked_at + secs(1),
    ));
}

/// R25, R25b: the block notice "tells the owner early that someone is guessing", once. Once
/// blocked, a login or a renewal is turned away before any PIN is checked, but a first access
/// is not: no login lane's delay or block stands before a 16, so that the owner's way back
/// never waits. Where no 16 waits, a wrong 16 has nothing to be counted against: nothing is
/// written. Where a restore's 16 waits, each wrong 16 is counted in that code's own lane, which
/// slows the next by seconds and never blocks; either way the login lanes stay as they were,
/// still blocked, and nobody is told again.
#[test]
fn r25_r25b_the_owner_hears_of_a_block_once_however_many_16s_a_stranger_types() {
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, day_after());
    let blocked_at = hammer_until_blocked(&mut rig, &code, at("2026-12-01T09:00:00Z"));
    let block_after = rig.policy.lockout.block_after();
    for n in 0..5 {
        let outcome = rig.ok(
            Command::FirstAccess {
                pin: entered(NO_SIXTEEN_YET),
                trust_device: false,
            },
            blocked_at + secs(n),
        );
        login_failure(&outcome);
        assert_eq!(outcome.events, [], "no 16 waits: nothing to count");
        assert_eq!(notices(&outcome), []);
        assert_eq!(rig.account.consecutive_failures(), block_after);
    }
    let restored = rig.ok(restore_with_mario_contacts(), blocked_at + secs(10));
    let mut now = blocked_at + secs(10);
    for n in 1..=5u32 {
        let outcome = rig.ok(
            Command::FirstAccess {
                pin: entered(NO_SIXTEEN_YET),
                trust_device: false,
            },
            now,
        );
        login_failure(&outcome);
        assert_eq!(outcome.events, [Event::FirstAccessFailed { at: now }]);
        let detail = outcome.failure.as_ref().unwrap();
        assert!(detail.first_access && detail.counted && !detail.blocks);
        assert_eq!(detail.consecutive_failures, n);
        assert_eq!(
            notices(&outcome),
            [],
            "wrong 16 number {n} after the block told the owner again"
        );
        assert_eq!(rig.account.consecutive_failures(), block_after);
        now = detail.retry_after.expect("a wrong 16 slows the next");
    }
    assert_eq!(rig.account.wrong_first_accesses(), 5);
    assert_eq!(rig.account.status(now, &rig.policy), PinStatus::Blocked);
    // The owner's code still opens, at once: the lane slows, never blocks.
    rig.first_access(&whole_code(&restored), now);
    rig.check_replay();
}
