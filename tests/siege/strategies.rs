//! The strategies that draw a siege: the policy, the clock's moves, the stranger's and the
//! owner's acts, in segments that reach the far phases.

use super::*;

fn policy_strategy() -> impl Strategy<Value = PolicyDraw> {
    let delays = prop_oneof![
        3 => Just(vec![1, 3, 5, 10]),
        1 => Just(vec![]),
        1 => Just(vec![0]),
        1 => Just(vec![2, 30, 300]),
    ];
    (
        prop_oneof![3 => Just(Role::Citizen), 1 => Just(Role::Intermediary)],
        1..=6u8,
        0..=14u16,
        delays,
        3..=10u32,
        1..=5u32,
        1..=120u16,
        1..=5u8,
        1..=4u8,
        1..=14u16,
        // Equal windows, the edge where a code lapses as it stops counting, now and then.
        prop_oneof![1 => Just(0u16), 3 => 0..=90u16],
    )
        .prop_map(
            |(
                role,
                months,
                warning,
                delays_secs,
                block_after,
                device_block_after,
                device_valid_days,
                max_devices,
                restore_max,
                restore_window_days,
                extra_window,
            )| PolicyDraw {
                role,
                citizen_validity_months: months,
                expiry_warning_days: warning,
                // A restore's code waits at least as long as the cap's window counts it
                // (restore window <= first-access window, as policy validation asks), so that
                // at the cap the latest restore's code still waits for the owner.
                first_access_window_days: restore_window_days + extra_window,
                delays_secs,
                block_after,
                device_block_after,
                device_valid_days,
                max_devices,
                restore_max,
                restore_window_days,
            },
        )
}

fn wait_strategy() -> impl Strategy<Value = Wait> {
    prop_oneof![
        5 => (0..=12u32).prop_map(Wait::Seconds),
        2 => (13..=DAY).prop_map(Wait::Seconds),
        1 => (1..=120u16).prop_map(Wait::RomeDays),
        1 => Just(Wait::ToDeadline),
        3 => Just(Wait::PastDelay),
    ]
}

fn back_strategy() -> impl Strategy<Value = Option<u32>> {
    prop_oneof![
        12 => Just(None),
        1 => (1..=60u32).prop_map(Some),
        1 => (61..=30 * DAY).prop_map(Some),
    ]
}

fn token_strategy() -> impl Strategy<Value = TokenGuess> {
    let alphabet = || 0..PIN_ALPHABET.len() as u8;
    prop_oneof![
        3 => Just(TokenGuess::None),
        1 => prop::array::uniform30(alphabet()).prop_map(TokenGuess::Random),
        1 => prop::array::uniform26(alphabet()).prop_map(TokenGuess::OwnersId),
    ]
}

fn stranger_strategy() -> impl Strategy<Value = Stranger> {
    let alphabet = || 0..PIN_ALPHABET.len() as u8;
    let contacts = prop_oneof![
        3 => Just(Contacts::Registered),
        1 => Just(Contacts::WrongEmail),
        1 => Just(Contacts::WrongMobile),
    ];
    prop_oneof![
        6 => (prop::array::uniform8(alphabet()), token_strategy(), any::<bool>())
            .prop_map(|(pin, token, trust)| Stranger::LogIn8(pin, token, trust)),
        1 => (prop::array::uniform16(alphabet()), token_strategy(), any::<bool>())
            .prop_map(|(pin, token, trust)| Stranger::LogIn16(pin, token, trust)),
        2 => (prop::array::uniform16(alphabet()), any::<bool>())
            .prop_map(|(pin, trust)| Stranger::FirstAccess16(pin, trust)),
        1 => (prop::array::uniform8(alphabet()), any::<bool>())
            .prop_map(|(pin, trust)| Stranger::Renew8(pin, trust)),
        2 => contacts.prop_map(Stranger::Restore),
        1 => Just(Stranger::Tick),
    ]
}

fn owner_strategy() -> impl Strategy<Value = Owner> {
    prop_oneof![
        4 => Just(Owner::LogInTrusted),
        2 => Just(Owner::LogInNewBrowser),
        1 => Just(Owner::RenewTrusted),
        1 => any::<bool>().prop_map(Owner::RenewNewBrowser),
        2 => Just(Owner::RestoreWhenBlocked),
        2 => any::<bool>().prop_map(Owner::CompleteRestore),
    ]
}

/// A few steps that belong together, so that runs reach the far states: mostly one step,
/// sometimes a burst of guesses each at the end of the last delay (towards a block), a string
/// of restores with the registered contacts (towards the cap), the owner's way back, or his
/// renewal while a stranger guesses.
fn segment_strategy() -> impl Strategy<Value = Vec<Step>> {
    let one =
        (wait_strategy(), back_strategy(), stranger_strategy()).prop_map(|(wait, back, act)| {
            vec![Step {
                wait,
                back,
                act: Act::Stranger(act),
            }]
        });
    let owner = (wait_strategy(), owner_strategy()).prop_map(|(wait, act)| {
        vec![Step {
            wait,
            back: None,
            act: Act::Owner(act),
        }]
    });
    let burst = prop::collection::vec(
        (
            back_strategy(),
            prop::array::uniform8(0..PIN_ALPHABET.len() as u8),
        ),
        3..=12,
    )
    .prop_map(|guesses| {
        guesses
            .into_iter()
            .map(|(back, pin)| Step {
                wait: Wait::PastDelay,
                back,
                act: Act::Stranger(Stranger::LogIn8(pin, TokenGuess::None, false)),
            })
            .collect()
    });
    let restores = prop::collection::vec((0..=3600u32, back_strategy()), 1..=4).prop_map(|waits| {
        waits
            .into_iter()
            .map(|(seconds, back)| Step {
                wait: Wait::Seconds(seconds),
                back,
                act: Act::Stranger(Stranger::Restore(Contacts::Registered)),
            })
            .collect()
    });
    let way_back = (0..=600u32, any::<bool>()).prop_map(|(seconds, trust)| {
        vec![
            Step {
                wait: Wait::Seconds(0),
                back: None,
                act: Act::Owner(Owner::RestoreWhenBlocked),
            },
            Step {
                wait: Wait::Seconds(seconds),
                back: None,
                act: Act::Owner(Owner::CompleteRestore(trust)),
            },
        ]
    });
    // Into the warning days, the owner on his device (trusted again if its trust ran out on
    // the way), the stranger guessing towards a block, then the owner's renewal from a new
    // browser and from his device.
    let renewal = (
        prop::collection::vec(prop::array::uniform8(0..PIN_ALPHABET.len() as u8), 3..=10),
        any::<bool>(),
    )
        .prop_map(|(guesses, trust)| {
            let mut steps = vec![Step {
                wait: Wait::IntoRenewal,
                back: None,
                act: Act::Owner(Owner::LogInTrusted),
            }];
            steps.extend(guesses.into_iter().map(|pin| Step {
                wait: Wait::PastDelay,
                back: None,
                act: Act::Stranger(Stranger::LogIn8(pin, TokenGuess::None, false)),
            }));
            steps.extend(
                [Owner::RenewNewBrowser(trust), Owner::RenewTrusted].map(|act| Step {
                    wait: Wait::Seconds(0),
                    back: None,
                    act: Act::Owner(act),
                }),
            );
            steps
        });
    prop_oneof![
        8 => one,
        5 => owner,
        3 => burst,
        2 => restores,
        1 => way_back,
        1 => renewal,
    ]
}

pub(crate) fn siege_strategy() -> impl Strategy<Value = Siege> {
    (
        any::<u64>(),
        policy_strategy(),
        prop::collection::vec(segment_strategy(), 1..=24),
    )
        .prop_map(|(seed, policy, segments)| {
            let mut steps: Vec<Step> = segments.into_iter().flatten().collect();
            steps.truncate(MAX_STEPS);
            Siege {
                seed,
                policy,
                steps,
            }
        })
}
