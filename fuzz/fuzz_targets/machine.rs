//! The machine: bytes → a policy, a seed, a start and timed commands (right and wrong codes,
//! valid and expired documents, wild jumps of the clock), played on Mario's account by the
//! crate's `Driver`. After each step: a refusal leaves the account, and its stored bytes,
//! unchanged (R27); the version grows by the events applied and equals their count; a changed
//! account round-trips through postcard. At the end: replaying the events gives the account,
//! and it round-trips through JSON (R29).
#![no_main]

use std::sync::OnceLock;

use arbitrary::{Arbitrary, Unstructured};
use inps_pin::Account;
use inps_pin::fuzzing::FuzzScenario;
use inps_pin::testing::Cast;
use libfuzzer_sys::fuzz_target;

/// The steps played per input: enough for a request, a first access, a lockout to the block
/// and a restore, and more, with time jumps between them.
const MAX_STEPS: usize = 64;

/// The people and documents, parsed once: rebuilding them per input cost more than many
/// scenarios' steps.
fn cast() -> Cast {
    static CAST: OnceLock<Cast> = OnceLock::new();
    CAST.get_or_init(|| Cast::mario().unwrap()).clone()
}

fn postcard(account: &Account) -> Vec<u8> {
    postcard::to_allocvec(account).unwrap()
}

fuzz_target!(|data: &[u8]| {
    let Ok(scenario) = FuzzScenario::arbitrary(&mut Unstructured::new(data)) else {
        return;
    };
    let mut driver = scenario.driver_for(cast());
    for step in scenario.steps.iter().take(MAX_STEPS) {
        let before = driver.account.clone();
        let observed = driver.play(step);
        match &observed.result {
            Err(refusal) => {
                // R27: the account is as it was, and so is every byte a store keeps of it.
                assert_eq!(driver.account, before, "{refusal:?}");
                assert_eq!(postcard(&driver.account), postcard(&before));
                let _ = (refusal.code(), refusal.message_it(), refusal.to_string());
            }
            Ok(_) => {
                assert_eq!(
                    driver.account.version(),
                    before.version() + observed.events.len() as u64
                );
                if !observed.events.is_empty() {
                    // Every state the account reaches can be stored and loaded back.
                    let bytes = postcard(&driver.account);
                    assert_eq!(
                        postcard::from_bytes::<Account>(&bytes).unwrap(),
                        driver.account
                    );
                }
            }
        }
        assert_eq!(driver.account.version(), driver.events.len() as u64);
        let _ = driver.account.poll_deadline(&driver.policy);
        let _ = driver.account.status(driver.now, &driver.policy);
    }
    let rebuilt = Account::replay(driver.account.codice_fiscale(), &driver.events);
    assert_eq!(rebuilt, driver.account);
    let json = serde_json::to_vec(&driver.account).unwrap();
    assert_eq!(
        serde_json::from_slice::<Account>(&json).unwrap(),
        driver.account
    );
});
