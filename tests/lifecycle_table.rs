//! The lifecycle table as a table: every command in every phase, with the right secrets and
//! valid data, gives what the rules say (written out here by hand, not read from the crate's
//! table), no cell is inconsistent, and the diagrams in the README and the docs are the ones the
//! table draws.
//!
//! Regenerate the committed diagrams after a change to the table with
//! `INPS_PIN_BLESS=1 cargo test --test lifecycle_table`.

mod common;

use common::scenario::reply_key;
use common::*;
use inps_pin::lifecycle;
use inps_pin::{
    Account, ArchiveRecord, Attested, ChannelRequest, Command, CommandKind, EnteredPin,
    ErasureReason, Lockout, Phase, Policy, Refusal, SedeRequest, Sunset, TesseraSanitaria,
    UpgradeDecision, UpgradeVia,
};
use jiff::civil::date;
use jiff::{SignedDuration, Timestamp};

/// An account of Mario in a phase, the instant it is in that phase, the policy that puts it
/// there, and the code that works for its stage (the 16 before the first access, the 8 after).
struct InPhase {
    account: Account,
    now: Timestamp,
    policy: Policy,
    code: Option<String>,
}

/// The three blocking wrong PINs of [`in_phase`]'s `Blocked` come from a policy without delays.
fn blocking_policy() -> Policy {
    let mut policy = policy();
    policy.lockout = Lockout::new(vec![], 3).unwrap();
    policy
}

fn in_phase(phase: Phase) -> InPhase {
    let mut rng = rng(7);
    let mut policy = match phase {
        Phase::Blocked => blocking_policy(),
        _ => policy_without_lockout(),
    };
    if phase == Phase::Retired {
        policy = policy.with_sunset(Sunset {
            no_new_pins_from: date(2027, 1, 1),
            retired_from: date(2027, 2, 1),
        });
    }
    if phase == Phase::NoPin {
        return InPhase {
            account: Account::new(mario_cf()),
            now: t0(),
            policy,
            code: None,
        };
    }
    let (mut account, outcome) = requested(person(), ChannelRequest::Online, &policy, &mut rng);
    let whole = whole_code(&outcome);
    let (now, code) = match phase {
        Phase::AwaitingFirstAccess => (day_after(), whole),
        Phase::FirstPinLapsed => (t0_lapse(), whole),
        _ => {
            let done = first_access(
                &mut account,
                entered(&whole),
                day_after(),
                &policy,
                &mut rng,
            );
            let short = new_pin_from_code(&done);
            let expires_at = account.expires_at().unwrap();
            let now = match phase {
                Phase::Active | Phase::Blocked => plus_rome_days(day_after(), 1),
                Phase::ExpiringSoon => plus_rome_days(expires_at, -7),
                Phase::Expired => plus_rome_days(expires_at, 1),
                Phase::Retired => at("2027-02-02T09:00:00Z"),
                other => unreachable!("{other:?} is handled above"),
            };
            if phase == Phase::Blocked {
                for _ in 0..3 {
                    let _ = log_in(&mut account, wrong(&short), now, &policy, &mut rng);
                }
            }
            (now, short)
        }
    };
    assert_eq!(
        account.phase(now, &policy),
        phase,
        "the fixture for {phase:?}"
    );
    InPhase {
        account,
        now,
        policy,
        code: Some(code),
    }
}

fn new_pin_from_code(outcome: &inps_pin::Outcome) -> String {
    code_of(outcome, inps_pin::PinPart::Pin)
}

fn mario_tessera() -> Attested<TesseraSanitaria> {
    register_checked(
        TesseraSanitaria::new(mario_cf(), "80380000001234567890", date(2030, 6, 30)).unwrap(),
    )
}

/// A command of `kind` with valid data and, where it types a PIN, the code that works for the
/// account's stage (or a wrong one of the length the command needs when there is none).
fn command_of(kind: CommandKind, code: Option<&str>) -> Command {
    let typed = |length: usize| -> EnteredPin {
        match code {
            Some(code) if code.len() == length => entered(code),
            _ => entered(&"ABCDEFGH23456789"[..length]),
        }
    };
    match kind {
        CommandKind::RequestPin => request_pin(person(), ChannelRequest::Online),
        CommandKind::FirstAccess => Command::FirstAccess {
            pin: typed(16),
            trust_device: false,
        },
        CommandKind::LogIn => Command::LogIn {
            pin: code.map_or_else(|| typed(8), entered),
            device: None,
            trust_device: false,
        },
        CommandKind::RenewPin => Command::RenewPin {
            pin: code.map_or_else(|| typed(8), entered),
            trust_device: false,
            device: None,
        },
        CommandKind::RequestUpgrade => Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: examined_copy(valid_identity_card()),
        },
        CommandKind::DecideUpgrade => Command::DecideUpgrade {
            decision: UpgradeDecision::Approve,
            reviewer: operator("BO-001"),
        },
        CommandKind::UpgradeAtSede => Command::UpgradeAtSede {
            document: seen_at_sede(valid_identity_card()),
        },
        CommandKind::Restore => restore_with_mario_contacts(),
        CommandKind::Revoke => Command::Revoke {
            tessera: mario_tessera(),
        },
        CommandKind::Erase => Command::Erase {
            reason: ErasureReason::PersonsRequest,
        },
        CommandKind::Tick => Command::Tick,
        other => panic!("the table test has no command for {other:?}: add one"),
    }
}

/// What the command gives in `phase`: a reply key (`reply:…`) or a refusal code.
fn result_in(kind: CommandKind, phase: Phase) -> String {
    let InPhase {
        mut account,
        now,
        policy,
        code,
    } = in_phase(phase);
    let command = command_of(kind, code.as_deref());
    match run(&mut account, command, now, &policy, &mut rng(11)) {
        Ok(outcome) => reply_key(&outcome.reply),
        Err(refusal) => {
            assert_ne!(refusal, Refusal::Internal, "{kind:?} in {phase:?}");
            refusal.code().to_owned()
        }
    }
}

/// The phases in the order of the expectations below.
const PHASES: [Phase; 8] = [
    Phase::NoPin,
    Phase::AwaitingFirstAccess,
    Phase::FirstPinLapsed,
    Phase::Active,
    Phase::ExpiringSoon,
    Phase::Expired,
    Phase::Blocked,
    Phase::Retired,
];

/// Checks a command's column: what it gives in each phase, as the rules say.
fn assert_column(kind: CommandKind, expected: [&str; 8]) {
    for (phase, expected) in PHASES.into_iter().zip(expected) {
        assert_eq!(
            result_in(kind, phase),
            expected,
            "{kind:?} in {phase:?}: the rules say {expected}"
        );
    }
}

const LIVE: &str = "request.pin_already_live";
const RETIRED: &str = "sunset.pins_retired";
const BLOCKED: &str = "login.pin_blocked";
const LAPSED: &str = "first_access.pin_lapsed";
const FIRST_ACCESS_FIRST: &str = "login.first_access_required";
const EXPIRED: &str = "login.pin_expired";
const FAILED: &str = "reply:login_failed";

#[test]
fn the_table_test_covers_every_phase_and_every_command() {
    assert_eq!(
        PHASES.as_slice(),
        Phase::ALL,
        "a phase the table test does not know"
    );
    for &kind in CommandKind::ALL {
        assert_eq!(command_of(kind, None).kind(), kind);
    }
}

#[test]
fn r14_a_request_is_issued_only_without_a_live_pin() {
    assert_column(
        CommandKind::RequestPin,
        [
            "reply:pin_issued",
            LIVE,
            "reply:pin_issued",
            LIVE,
            LIVE,
            LIVE,
            LIVE,
            RETIRED,
        ],
    );
}

#[test]
fn r6_r23a_the_first_access_works_with_a_waiting_16_and_no_block_stands_before_it() {
    // No 16 waits once the 8 is in use (none was restored here): a wrong PIN's answer in
    // every phase, the blocked one too, since no login lane's block stands before a 16 (R25a,
    // R25b).
    assert_column(
        CommandKind::FirstAccess,
        [
            FAILED,
            "reply:first_access_completed",
            LAPSED,
            FAILED,
            FAILED,
            FAILED,
            FAILED,
            RETIRED,
        ],
    );
}

#[test]
fn r15_r20_r30a_a_login_with_the_right_pin_opens_a_session_only_on_an_8_in_use() {
    // Blocked: the right PIN reads as a wrong one, like an unknown codice fiscale (R30a).
    assert_column(
        CommandKind::LogIn,
        [
            FAILED,
            FIRST_ACCESS_FIRST,
            LAPSED,
            "reply:logged_in",
            "reply:logged_in",
            EXPIRED,
            FAILED,
            RETIRED,
        ],
    );
}

#[test]
fn r21_r30a_renewal_opens_with_the_warning_and_stays_open_after_expiry() {
    // Blocked: a renewal reads as a wrong PIN, as a login does (R30a).
    assert_column(
        CommandKind::RenewPin,
        [
            FAILED,
            FIRST_ACCESS_FIRST,
            LAPSED,
            "renewal.not_due",
            "reply:pin_renewed",
            "reply:pin_renewed",
            FAILED,
            RETIRED,
        ],
    );
}

#[test]
fn r16_r17_an_upgrade_request_waits_only_for_an_ordinary_8_in_use() {
    assert_column(
        CommandKind::RequestUpgrade,
        [
            "account.no_pin",
            FIRST_ACCESS_FIRST,
            LAPSED,
            "reply:upgrade_requested",
            "reply:upgrade_requested",
            EXPIRED,
            BLOCKED,
            RETIRED,
        ],
    );
}

#[test]
fn r16_r17_an_upgrade_at_a_sede_obeys_the_same_row_as_a_written_one() {
    assert_column(
        CommandKind::UpgradeAtSede,
        [
            "account.no_pin",
            FIRST_ACCESS_FIRST,
            LAPSED,
            "reply:upgrade_approved",
            "reply:upgrade_approved",
            EXPIRED,
            BLOCKED,
            RETIRED,
        ],
    );
}

#[test]
fn r17_a_decision_needs_a_waiting_request_on_a_pin_that_could_be_upgraded() {
    const NONE: &str = "upgrade.none_pending";
    assert_column(
        CommandKind::DecideUpgrade,
        [NONE, NONE, NONE, NONE, NONE, EXPIRED, BLOCKED, RETIRED],
    );
}

#[test]
fn r23_r23a_a_restore_works_once_a_first_access_proved_the_contacts_until_the_retirement() {
    const RESTORED: &str = "reply:pin_restored";
    const NOT_MATCHING: &str = "restore.contacts_not_matching";
    assert_column(
        CommandKind::Restore,
        [
            NOT_MATCHING,
            NOT_MATCHING,
            NOT_MATCHING,
            RESTORED,
            RESTORED,
            RESTORED,
            RESTORED,
            RETIRED,
        ],
    );
}

#[test]
fn r24_a_revocation_works_in_every_phase_with_a_pin_even_after_the_retirement() {
    const REVOKED: &str = "reply:pin_revoked";
    assert_column(
        CommandKind::Revoke,
        [
            "account.no_pin",
            REVOKED,
            REVOKED,
            REVOKED,
            REVOKED,
            REVOKED,
            REVOKED,
            REVOKED,
        ],
    );
}

#[test]
fn r36_an_erasure_applies_in_every_phase_with_personal_data_even_after_the_retirement() {
    // No PIN was ever requested: no personal data, nothing to erase, nothing written.
    const ERASED: &str = "reply:personal_data_erased";
    assert_column(
        CommandKind::Erase,
        [
            "erasure.nothing_to_erase",
            ERASED,
            ERASED,
            ERASED,
            ERASED,
            ERASED,
            ERASED,
            ERASED,
        ],
    );
}

#[test]
fn r26_a_tick_is_accepted_in_every_phase() {
    assert_column(CommandKind::Tick, ["reply:time_applied"; 8]);
}

/// A command of `kind` whose every attestation is dated a second after `now`, with valid data
/// otherwise (a sede request for `RequestPin`, so that its document is attested too).
fn with_attestations_from_the_future(kind: CommandKind, now: Timestamp) -> Command {
    let later = now + SignedDuration::from_secs(1);
    let vouched = |document| Attested::vouched_for(document, sede_operator(), later);
    match kind {
        CommandKind::RequestPin => Command::RequestPin {
            person: person(),
            channel: ChannelRequest::Sede(SedeRequest {
                document: vouched(valid_identity_card()),
            }),
            archive: Attested::vouched_for(
                ArchiveRecord::new(mario_cf(), residence()),
                archive_lookup(),
                later,
            ),
        },
        CommandKind::RequestUpgrade => Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: vouched(valid_identity_card()),
        },
        CommandKind::UpgradeAtSede => Command::UpgradeAtSede {
            document: vouched(valid_identity_card()),
        },
        CommandKind::Revoke => Command::Revoke {
            tessera: Attested::vouched_for(mario_tessera().fact().clone(), register_check(), later),
        },
        other => panic!("{other:?} carries no attestation"),
    }
}

#[test]
fn r35_an_attestation_is_judged_in_the_phases_that_act_on_it_and_before_what_they_say() {
    const FUTURE: &str = "attestation.from_the_future";
    // A request and a revocation answer the attestation in every phase, before any refusal the
    // phase gives: the answer depends on the command alone (R30). An upgrade judges it where it
    // would apply, after the level (R16).
    let expected: [(CommandKind, [&str; 8]); 4] = [
        (CommandKind::RequestPin, [FUTURE; 8]),
        (CommandKind::Revoke, [FUTURE; 8]),
        (
            CommandKind::RequestUpgrade,
            [
                "account.no_pin",
                FIRST_ACCESS_FIRST,
                LAPSED,
                FUTURE,
                FUTURE,
                EXPIRED,
                BLOCKED,
                RETIRED,
            ],
        ),
        (
            CommandKind::UpgradeAtSede,
            [
                "account.no_pin",
                FIRST_ACCESS_FIRST,
                LAPSED,
                FUTURE,
                FUTURE,
                EXPIRED,
                BLOCKED,
                RETIRED,
            ],
        ),
    ];
    for (kind, column) in expected {
        for (phase, expected) in PHASES.into_iter().zip(column) {
            let InPhase {
                mut account,
                now,
                policy,
                ..
            } = in_phase(phase);
            let refusal = refused(
                &mut account,
                with_attestations_from_the_future(kind, now),
                now,
                &policy,
                &mut rng(12),
            );
            assert_eq!(refusal.code(), expected, "{kind:?} in {phase:?}");
        }
    }
}

/// Mario with an upgrade request waiting, at `in_phase(Active)`'s instant.
fn with_waiting_upgrade(phase: Phase) -> InPhase {
    let mut fixture = in_phase(Phase::Active);
    let _ = run(
        &mut fixture.account,
        command_of(CommandKind::RequestUpgrade, None),
        fixture.now,
        &fixture.policy,
        &mut rng(3),
    )
    .unwrap();
    assert!(fixture.account.upgrade_pending().is_some());
    let code = fixture.code.clone().unwrap();
    match phase {
        Phase::Active => {}
        Phase::Expired => {
            fixture.now = plus_rome_days(fixture.account.expires_at().unwrap(), 1);
        }
        Phase::Blocked => {
            fixture.policy = blocking_policy();
            for _ in 0..3 {
                let _ = log_in(
                    &mut fixture.account,
                    wrong(&code),
                    fixture.now,
                    &fixture.policy,
                    &mut rng(4),
                );
            }
        }
        other => panic!("no fixture with a waiting upgrade in {other:?}"),
    }
    assert_eq!(fixture.account.phase(fixture.now, &fixture.policy), phase);
    fixture
}

#[test]
fn r17_a_waiting_upgrade_is_not_approved_on_an_expired_or_blocked_pin() {
    for (phase, code) in [(Phase::Expired, EXPIRED), (Phase::Blocked, BLOCKED)] {
        let mut fixture = with_waiting_upgrade(phase);
        let refusal = refused(
            &mut fixture.account,
            command_of(CommandKind::DecideUpgrade, None),
            fixture.now,
            &fixture.policy,
            &mut rng(5),
        );
        assert_eq!(refusal.code(), code, "approval in {phase:?}");
        assert!(
            fixture.account.upgrade_pending().is_some(),
            "the request still waits for a PIN that can take it"
        );
    }
}

#[test]
fn r17_a_waiting_upgrade_survives_a_renewal_and_is_approved_after_it() {
    let mut fixture = with_waiting_upgrade(Phase::Expired);
    let code = fixture.code.clone().unwrap();
    let _ = run(
        &mut fixture.account,
        Command::RenewPin {
            pin: entered(&code),
            trust_device: false,
            device: None,
        },
        fixture.now,
        &fixture.policy,
        &mut rng(6),
    )
    .unwrap();
    assert!(fixture.account.upgrade_pending().is_some());
    let outcome = run(
        &mut fixture.account,
        command_of(CommandKind::DecideUpgrade, None),
        fixture.now,
        &fixture.policy,
        &mut rng(6),
    )
    .unwrap();
    assert_eq!(reply_key(&outcome.reply), "reply:upgrade_approved");
}

#[test]
fn r17_a_waiting_upgrade_ends_with_the_pin_it_was_for() {
    for ending in [CommandKind::Restore, CommandKind::Revoke] {
        let mut fixture = with_waiting_upgrade(Phase::Active);
        let outcome = run(
            &mut fixture.account,
            command_of(ending, None),
            fixture.now,
            &fixture.policy,
            &mut rng(8),
        )
        .unwrap();
        if ending == CommandKind::Restore {
            // The restore's 16 waits beside the PIN, and the request with it (R23a) ...
            assert!(fixture.account.upgrade_pending().is_some());
            // ... until its first access replaces the PIN it was for.
            let _ = first_access(
                &mut fixture.account,
                entered(&whole_code(&outcome)),
                fixture.now,
                &fixture.policy,
                &mut rng(8),
            );
        }
        assert_eq!(fixture.account.upgrade_pending(), None, "after {ending:?}");
        let refusal = refused(
            &mut fixture.account,
            command_of(CommandKind::DecideUpgrade, None),
            fixture.now,
            &fixture.policy,
            &mut rng(8),
        );
        assert_eq!(refusal.code(), "upgrade.none_pending", "after {ending:?}");
    }
}

#[test]
fn r30_no_upgrade_pending_says_what_to_do_next() {
    let message = Refusal::NoUpgradePending.message_it();
    assert!(message.contains("invia una nuova richiesta"), "{message}");
    assert!(message.contains("sede INPS"), "{message}");
}

// ---------------------------------------------------------------------------------------------
// The diagrams drawn from the table

const BLESS: &str = "INPS_PIN_BLESS";
const MERMAID_START: &str = "<!-- lifecycle:mermaid:start (generated from the table) -->";
const MERMAID_END: &str = "<!-- lifecycle:mermaid:end -->";
const TABLE_START: &str = "<!-- lifecycle:table:start (generated from the table) -->";
const TABLE_END: &str = "<!-- lifecycle:table:end -->";

fn repo_file(path: &str) -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// Replaces what stands between `start` and `end` in `text`; `None` without the markers.
fn with_section(text: &str, start: &str, end: &str, body: &str) -> Option<String> {
    let from = text.find(start)? + start.len();
    let to = from + text[from..].find(end)?;
    Some(format!("{}\n{body}{}", &text[..from], &text[to..]))
}

/// Compares a committed file with what the table draws, or rewrites it under `INPS_PIN_BLESS=1`.
fn assert_current(path: &str, expected: &str) {
    let file = repo_file(path);
    let committed = std::fs::read_to_string(&file).unwrap_or_default();
    if committed == expected {
        return;
    }
    if std::env::var_os(BLESS).is_some() {
        std::fs::write(&file, expected).unwrap();
        return;
    }
    panic!(
        "{path} is not what the lifecycle table draws: the table changed and the picture did \
         not. Regenerate it with `{BLESS}=1 cargo test --test lifecycle_table`, look at the diff, \
         and commit it."
    );
}

#[test]
fn the_diagrams_in_the_readme_and_the_docs_are_drawn_from_the_table() {
    assert_current("src/account/lifecycle.txt", &lifecycle::text());
    let readme = std::fs::read_to_string(repo_file("README.md")).unwrap();
    let mermaid = format!("```mermaid\n{}```\n", lifecycle::mermaid());
    let table = lifecycle::markdown();
    let drawn = with_section(&readme, MERMAID_START, MERMAID_END, &mermaid)
        .and_then(|text| with_section(&text, TABLE_START, TABLE_END, &table))
        .unwrap_or_else(|| {
            panic!("README.md lost its lifecycle markers: {MERMAID_START} … {MERMAID_END}, {TABLE_START} … {TABLE_END}")
        });
    assert_current("README.md", &drawn);
}

#[test]
fn the_diagram_has_an_arrow_into_every_phase_but_the_first() {
    let arrows = lifecycle::transitions();
    for &phase in Phase::ALL {
        if phase != Phase::NoPin {
            assert!(
                arrows.iter().any(|arrow| arrow.to == phase),
                "no arrow leads to {phase:?}"
            );
        }
        assert!(
            arrows.iter().any(|arrow| arrow.from == phase),
            "no arrow leaves {phase:?}"
        );
    }
}
