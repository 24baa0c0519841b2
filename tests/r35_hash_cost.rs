//! R35 for stored costs: a cost is what Argon2 runs, so the crate bounds every cost it is given
//! (by a caller, a configuration file or a stored hash), and a stored hash with an absurd cost
//! does not load. The refusal at verification of a stored cost above the policy's bound, which
//! is internal to the crate, is pinned by the unit tests of `src/hash/`.

mod common;

use common::*;
use inps_pin::{Account, ChannelRequest, Event, HashCost, PinHash, Policy};

/// The PHC parameters of every hash the test policy makes.
const CHEAP_PARAMS: &str = "m=8,t=1,p=1";

#[test]
fn r35_hash_cost_limits_refuse_absurd_costs() {
    let refused = |m, t, p| match HashCost::new(m, t, p) {
        Ok(cost) => panic!("m={m} t={t} p={p} accepted as {cost:?}"),
        Err(error) => error.to_string(),
    };
    let message = refused(u32::MAX, u32::MAX, 1);
    assert!(
        message.contains("memory 4294967295 is above the limit of 1048576 KiB"),
        "{message}"
    );
    let message = refused(HashCost::MAX_MEMORY_KIB + 1, 1, 1);
    assert!(
        message.contains("memory 1048577 is above the limit of 1048576 KiB"),
        "{message}"
    );
    let message = refused(8, u32::MAX, 1);
    assert!(
        message.contains("iterations 4294967295 is above the limit of 64"),
        "{message}"
    );
    let message = refused(1024, 1, 17);
    assert!(
        message.contains("parallelism 17 is above the limit of 16"),
        "{message}"
    );
    // What Argon2 itself refuses is still refused, and said so.
    let message = refused(4, 1, 1);
    assert!(message.contains("Argon2 refuses it"), "{message}");

    // The limits themselves are costs.
    assert_eq!(HashCost::MAX_MEMORY_KIB, 1_048_576);
    assert_eq!(HashCost::MAX_ITERATIONS, 64);
    assert_eq!(HashCost::MAX_PARALLELISM, 16);
    let largest = HashCost::new(
        HashCost::MAX_MEMORY_KIB,
        HashCost::MAX_ITERATIONS,
        HashCost::MAX_PARALLELISM,
    )
    .unwrap();
    assert_eq!(largest.memory_kib(), 1_048_576);
}

#[test]
fn r35_a_stored_cost_beyond_the_limits_does_not_load() {
    let stored = r#"{"memory_kib":8,"iterations":4294967295,"parallelism":1}"#;
    assert!(serde_json::from_str::<HashCost>(stored).is_err());
    let cheap = serde_json::to_string(&HashCost::CHEAP).unwrap();
    assert_eq!(
        serde_json::from_str::<HashCost>(&cheap).unwrap(),
        HashCost::CHEAP
    );

    // A configuration file cannot make every login run for hours.
    let json = serde_json::to_string(&policy()).unwrap();
    let tampered = json.replacen("\"iterations\":1", "\"iterations\":4294967295", 1);
    assert_ne!(tampered, json);
    assert!(serde_json::from_str::<Policy>(&tampered).is_err());
}

#[test]
fn r35_the_policy_bounds_stored_hashes_at_four_times_owasp_by_default() {
    let policy = Policy::default();
    assert_eq!(
        policy.max_stored_hash_cost,
        HashCost::new(
            4 * HashCost::OWASP.memory_kib(),
            4 * HashCost::OWASP.iterations(),
            4
        )
        .unwrap()
    );
    assert_eq!(
        Policy::DEFAULT_MAX_STORED_HASH_COST,
        policy.max_stored_hash_cost
    );
    // A policy stored before the bound existed loads with the default bound.
    let mut json = serde_json::to_value(&policy).unwrap();
    json.as_object_mut()
        .unwrap()
        .remove("max_stored_hash_cost")
        .unwrap();
    let loaded: Policy = serde_json::from_value(json).unwrap();
    assert_eq!(loaded, policy);
    // An absurd bound does not load either.
    let json = serde_json::to_string(&policy).unwrap();
    let tampered = json.replacen(
        "\"max_stored_hash_cost\":{\"memory_kib\":77824",
        "\"max_stored_hash_cost\":{\"memory_kib\":4294967295",
        1,
    );
    assert_ne!(tampered, json);
    assert!(serde_json::from_str::<Policy>(&tampered).is_err());
}

#[test]
fn r35_a_stored_hash_with_an_absurd_cost_does_not_load() {
    let (account, _) = requested(person(), ChannelRequest::Online, &policy(), &mut rng(35));
    let json = serde_json::to_string(&account).unwrap();
    assert!(json.contains(CHEAP_PARAMS), "{json}");

    for (absurd, what) in [
        ("m=8,t=4294967295,p=1", "t=4294967295"),
        ("m=4294967295,t=1,p=1", "m=4294967295 KiB"),
        ("m=8,t=1,p=4294967", "p=4294967"),
    ] {
        // The account as stored.
        let error = serde_json::from_str::<Account>(&json.replace(CHEAP_PARAMS, absurd))
            .err()
            .unwrap_or_else(|| panic!("an account with {absurd} loaded"))
            .to_string();
        assert!(
            error.contains("beyond what the crate ever runs") && error.contains("restore the PIN"),
            "{error}"
        );
        // The hash alone, and the events an account is replayed from.
        let phc = serde_json::to_string(&absurd_phc(&json, absurd)).unwrap();
        let error = serde_json::from_str::<PinHash>(&phc)
            .unwrap_err()
            .to_string();
        assert!(error.contains(what), "{error}");
    }
    let (_, outcome) = requested(person(), ChannelRequest::Online, &policy(), &mut rng(35));
    for event in &outcome.events {
        let json = serde_json::to_string(event).unwrap();
        if json.contains(CHEAP_PARAMS) {
            let tampered = json.replace(CHEAP_PARAMS, "m=8,t=4294967295,p=1");
            assert!(serde_json::from_str::<Event>(&tampered).is_err());
        }
    }
    // The limits themselves load: loading runs nothing.
    let phc = serde_json::to_string(&absurd_phc(&json, "m=1048576,t=64,p=16")).unwrap();
    let hash: PinHash = serde_json::from_str(&phc).unwrap();
    assert_eq!(hash.cost(), HashCost::new(1_048_576, 64, 16).unwrap());
}

/// The first PHC string in `account_json`, with `params` for its cost.
fn absurd_phc(account_json: &str, params: &str) -> String {
    let start = account_json.find("$argon2id$").unwrap();
    let end = start + account_json[start..].find('"').unwrap();
    account_json[start..end].replace(CHEAP_PARAMS, params)
}
