//! The machine: bytes → a policy, a seed, a start and timed commands (right and wrong codes,
//! valid and expired documents, wild jumps of the clock), played on Mario's account by the
//! crate's `Driver`. After each step: a refusal leaves the serialized account unchanged
//! (R27), the version grows by the events applied and equals their count, and replaying the
//! events gives the account (R29).
#![no_main]

use arbitrary::{Arbitrary, Unstructured};
use inps_pin::Account;
use inps_pin::fuzzing::FuzzScenario;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(scenario) = FuzzScenario::arbitrary(&mut Unstructured::new(data)) else {
        return;
    };
    let mut driver = scenario.driver().unwrap();
    for step in scenario.steps.iter().take(64) {
        let json = serde_json::to_vec(&driver.account).unwrap();
        let bytes = postcard::to_allocvec(&driver.account).unwrap();
        let version = driver.account.version();
        let observed = driver.play(step);
        match &observed.result {
            Err(refusal) => {
                assert_eq!(
                    serde_json::to_vec(&driver.account).unwrap(),
                    json,
                    "{refusal:?}"
                );
                assert_eq!(postcard::to_allocvec(&driver.account).unwrap(), bytes);
                assert_eq!(driver.account.version(), version);
                let _ = (refusal.code(), refusal.message_it(), refusal.to_string());
            }
            Ok(_) => {
                assert_eq!(
                    driver.account.version(),
                    version + observed.events.len() as u64
                );
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
