//! R34: a policy is validated wherever it is made or loaded. Values that make no sense are
//! refused with an error naming the field; a configuration file may give only the fields it
//! changes, the rest being the defaults.

mod common;
use common::*;

use inps_pin::*;
use jiff::civil::date;
use serde_json::json;

/// Loads a policy as a service loads its configuration file.
fn load(file: serde_json::Value) -> Result<Policy, String> {
    serde_json::from_str::<Policy>(&file.to_string()).map_err(|error| error.to_string())
}

/// A policy built in code that `validate` must refuse: refused there with `field` named, and
/// refused the same way when the same values are loaded from a file.
fn assert_refused(policy: Policy, field: &str) -> PolicyError {
    let error = policy.validate().unwrap_err();
    assert_eq!(error.field(), field, "{error}");
    let message = error.to_string();
    assert!(message.contains(&format!("`{field}`")), "{message}");
    assert_eq!(policy.clone().validated(), Err(error.clone()));
    let file = serde_json::to_value(&policy).unwrap();
    let loaded = load(file).unwrap_err();
    assert!(loaded.contains(&message), "{loaded}");
    error
}

#[test]
fn r34_the_default_policy_and_the_test_policies_are_valid() {
    assert_eq!(Policy::default().validate(), Ok(()));
    for policy in [
        Policy::default(),
        policy(),
        policy_without_lockout(),
        sunset_policy(),
        accepting_first_half(policy()),
        Policy::default().with_sunset(Sunset::inps_2020_2021()),
    ] {
        assert_eq!(policy.clone().validated(), Ok(policy.clone()));
        let json = serde_json::to_string(&policy).unwrap();
        assert_eq!(serde_json::from_str::<Policy>(&json).unwrap(), policy);
        let bytes = postcard::to_allocvec(&policy).unwrap();
        assert_eq!(postcard::from_bytes::<Policy>(&bytes).unwrap(), policy);
    }
}

#[test]
fn r34_a_configuration_file_may_give_only_the_fields_it_changes() {
    let mut expected = Policy::default();
    expected.citizen_validity_months = 12;
    assert_eq!(load(json!({ "citizen_validity_months": 12 })), Ok(expected));
    assert_eq!(load(json!({})), Ok(Policy::default()));

    // Inside a part that has defaults of its own, too.
    let mut expected = Policy::default();
    expected.trusted_devices.max_devices = 0;
    expected.restore_limit.window_days = 14;
    assert_eq!(
        load(json!({
            "trusted_devices": { "max_devices": 0 },
            "restore_limit": { "window_days": 14 },
        })),
        Ok(expected)
    );

    // A given value is still checked.
    let refused = load(json!({ "citizen_validity_months": 0 })).unwrap_err();
    assert!(refused.contains("`citizen_validity_months`"), "{refused}");
}

#[test]
fn r34_a_field_the_policy_does_not_have_is_refused() {
    let misspelt = load(json!({ "citizen_validity_month": 12 })).unwrap_err();
    assert!(misspelt.contains("citizen_validity_month"), "{misspelt}");
    let misspelt = load(json!({ "trusted_devices": { "valid_day": 30 } })).unwrap_err();
    assert!(misspelt.contains("valid_day"), "{misspelt}");
}

#[test]
fn r34_zero_validity_months_are_refused() {
    let mut citizen = Policy::default();
    citizen.citizen_validity_months = 0;
    assert_eq!(
        assert_refused(citizen, "citizen_validity_months"),
        PolicyError::ZeroValidity {
            field: "citizen_validity_months"
        }
    );
    let mut intermediary = Policy::default();
    intermediary.intermediary_validity_months = 0;
    assert_refused(intermediary, "intermediary_validity_months");
}

#[test]
fn r34_a_warning_not_shorter_than_the_shorter_validity_is_refused() {
    // The default intermediary's 3 months last 89 days from 1 February (or 31 January).
    let mut policy = Policy::default();
    policy.expiry_warning_days = 88;
    assert_eq!(policy.validate(), Ok(()));
    policy.expiry_warning_days = 89;
    let error = assert_refused(policy.clone(), "expiry_warning_days");
    assert_eq!(
        error,
        PolicyError::WarningNotShorterThanValidity {
            warning_days: 89,
            validity_field: "intermediary_validity_months",
            validity_months: 3,
            fewest_days: 89,
        }
    );
    policy.expiry_warning_days = 365;
    assert_refused(policy, "expiry_warning_days");

    // When the citizens' validity is the shorter, it is the one that counts: 1 month can
    // last 28 days.
    let mut policy = Policy::default();
    policy.citizen_validity_months = 1;
    policy.intermediary_validity_months = 12;
    policy.expiry_warning_days = 27;
    assert_eq!(policy.validate(), Ok(()));
    policy.expiry_warning_days = 28;
    let error = assert_refused(policy, "expiry_warning_days");
    assert!(
        error.to_string().contains("`citizen_validity_months` = 1"),
        "{error}"
    );
}

#[test]
fn r34_a_first_access_window_of_zero_days_is_refused() {
    let mut policy = Policy::default();
    policy.first_access_window_days = 0;
    assert_eq!(
        assert_refused(policy, "first_access_window_days"),
        PolicyError::ZeroFirstAccessWindow
    );
    let mut policy = Policy::default();
    policy.first_access_window_days = 1;
    policy.restore_limit.window_days = 1;
    assert_eq!(policy.validate(), Ok(()));
}

#[test]
fn r34_a_restore_window_longer_than_a_codes_life_and_a_non_positive_attestation_are_refused() {
    let mut policy = Policy::default();
    policy.restore_limit.window_days = policy.first_access_window_days + 1;
    assert!(matches!(
        assert_refused(policy, "restore_limit.window_days"),
        PolicyError::RestoreWindowOutlastsCodes { .. }
    ));
    let mut policy = Policy::default();
    policy.attestation_valid_for = jiff::SignedDuration::ZERO;
    assert!(matches!(
        assert_refused(policy, "attestation_valid_for"),
        PolicyError::AttestationValidity { .. }
    ));
    // A file that gives it, refused on loading.
    let loaded: Result<Policy, _> = serde_json::from_str(r#"{"attestation_valid_for":"-PT1H"}"#);
    assert!(loaded.is_err());
}

#[test]
fn r34_a_restore_limit_of_zero_above_the_maximum_or_over_no_days_is_refused() {
    for (max_requests, accepted) in [
        (0, false),
        (1, true),
        (MAX_RESTORE_REQUESTS, true),
        (MAX_RESTORE_REQUESTS + 1, false),
        (u8::MAX, false),
    ] {
        let mut policy = Policy::default();
        policy.restore_limit.max_requests = max_requests;
        if accepted {
            assert_eq!(policy.validate(), Ok(()), "{max_requests}");
        } else {
            assert_eq!(
                assert_refused(policy, "restore_limit.max_requests"),
                PolicyError::RestoreRequests {
                    found: max_requests
                }
            );
        }
    }
    let mut policy = Policy::default();
    policy.restore_limit.window_days = 0;
    assert_refused(policy, "restore_limit.window_days");
}

#[test]
fn r34_devices_trusted_for_zero_days_are_refused_unless_none_are_trusted() {
    let mut policy = Policy::default();
    policy.trusted_devices.valid_days = 0;
    assert_eq!(
        assert_refused(policy.clone(), "trusted_devices.valid_days"),
        PolicyError::ZeroDeviceValidity { max_devices: 5 }
    );
    policy.trusted_devices.max_devices = 0;
    assert_eq!(policy.validate(), Ok(()));
}

#[test]
fn r34_a_hash_cost_above_the_stored_bound_is_refused_naming_the_value() {
    let bound = HashCost::new(65_536, 3, 2).unwrap();
    for (cost, value, asked, allowed) in [
        (
            HashCost::new(131_072, 3, 2).unwrap(),
            "memory (KiB)",
            131_072,
            65_536,
        ),
        (HashCost::new(65_536, 4, 2).unwrap(), "iterations", 4, 3),
        (HashCost::new(65_536, 3, 4).unwrap(), "parallelism", 4, 2),
    ] {
        let mut policy = Policy::default().with_hash_cost(cost);
        policy.max_stored_hash_cost = bound;
        let error = assert_refused(policy, "hash_cost");
        assert_eq!(
            error,
            PolicyError::HashCostAboveStoredBound {
                value,
                hash_cost: asked,
                max_stored: allowed
            }
        );
        assert!(
            error.to_string().contains("max_stored_hash_cost"),
            "{error}"
        );
    }
    // Equal is within the bound.
    let mut policy = Policy::default().with_hash_cost(bound);
    policy.max_stored_hash_cost = bound;
    assert_eq!(policy.validate(), Ok(()));
}

#[test]
fn r34_a_sunset_that_retires_pins_before_it_stops_new_ones_is_refused() {
    let backwards = Sunset {
        no_new_pins_from: date(2021, 10, 1),
        retired_from: date(2020, 10, 1),
    };
    let error = assert_refused(
        Policy::default().with_sunset(backwards),
        "sunset.retired_from",
    );
    assert!(error.to_string().contains("2020-10-01"), "{error}");
    // Both on one day: no new PINs and none works from that day.
    let same_day = Sunset {
        no_new_pins_from: date(2021, 10, 1),
        retired_from: date(2021, 10, 1),
    };
    assert!(Policy::default().with_sunset(same_day).validated().is_ok());
}

#[test]
fn r34_the_same_service_twice_a_block_above_100_and_an_absurd_cost_are_refused_naming_the_field() {
    // The same service twice: the catalogue cannot hold it, and a file cannot load it.
    let mut catalogue = Catalogue::standard();
    assert_eq!(
        catalogue.add(cassetto_previdenziale()),
        Ok(()),
        "a new service is added"
    );
    assert!(matches!(
        catalogue.add(cassetto_previdenziale()),
        Err(CatalogueError::Duplicate(_))
    ));
    let mut file = serde_json::to_value(Policy::default()).unwrap();
    let services = file["catalogue"]["services"].as_array_mut().unwrap();
    let first = services[0].clone();
    services.push(first);
    let refused = load(file).unwrap_err();
    assert!(refused.contains("policy field `catalogue`"), "{refused}");
    assert!(refused.contains("estratto-contributivo"), "{refused}");
    // The catalogue alone refuses it too.
    let file = serde_json::to_value(Policy::default()).unwrap();
    let mut services = file["catalogue"].clone();
    let first = services["services"][0].clone();
    services["services"].as_array_mut().unwrap().push(first);
    assert!(serde_json::from_value::<Catalogue>(services).is_err());

    // A block above 100 failures, in either lockout.
    let refused = load(json!({ "lockout": { "delays_secs": [1], "block_after": 101 } }));
    let refused = refused.unwrap_err();
    assert!(refused.contains("policy field `lockout`"), "{refused}");
    let refused = load(json!({
        "trusted_devices": { "lockout": { "delays_secs": [1], "block_after": 101 } }
    }))
    .unwrap_err();
    assert!(
        refused.contains("policy field `trusted_devices.lockout`"),
        "{refused}"
    );

    // A cost beyond the crate's limits, in either cost.
    for field in ["hash_cost", "max_stored_hash_cost"] {
        let file = json!({
            field: { "memory_kib": 8, "iterations": 4_294_967_295u32, "parallelism": 1 }
        });
        let refused = load(file).unwrap_err();
        assert!(
            refused.contains(&format!("policy field `{field}`")),
            "{refused}"
        );
    }
}

#[test]
fn r34_a_lockout_delay_above_an_hour_is_refused_in_either_lockout_naming_the_field() {
    assert_eq!(MAX_DELAY_SECS, 3_600);
    assert_eq!(
        Lockout::new(vec![1, 3_601], 10),
        Err(LockoutError::DelayTooLong { found: 3_601 })
    );
    assert!(Lockout::new(vec![1, 3_600], 10).is_ok());
    // The value a policy file could give before: four billion seconds.
    for (file, field) in [
        (
            json!({ "lockout": { "delays_secs": [1, 4_294_967_295u32], "block_after": 10 } }),
            "lockout",
        ),
        (
            json!({ "trusted_devices": { "lockout": { "delays_secs": [3_601], "block_after": 5 } } }),
            "trusted_devices.lockout",
        ),
    ] {
        let refused = load(file).unwrap_err();
        assert!(
            refused.contains(&format!("policy field `{field}`")),
            "{refused}"
        );
        assert!(refused.contains("at most 3600 s"), "{refused}");
    }
    // An hour exactly loads.
    let mut expected = Policy::default();
    expected.lockout = Lockout::new(vec![1, 3_600], 10).unwrap();
    assert_eq!(
        load(json!({ "lockout": { "delays_secs": [1, 3_600], "block_after": 10 } })),
        Ok(expected)
    );
}

#[test]
fn r34_more_delays_than_failures_before_the_block_can_reach_are_refused() {
    assert_eq!(MAX_DELAY_STEPS, 100);
    assert_eq!(
        Lockout::new(vec![1; 101], 10),
        Err(LockoutError::TooManyDelays { found: 101 })
    );
    // Read from a file with the bound: the list is refused past its 100th delay.
    let refused = load(json!({ "lockout": { "delays_secs": vec![1; 10_000], "block_after": 10 } }))
        .unwrap_err();
    assert!(refused.contains("more than 100 delays"), "{refused}");
    let refused = load(json!({ "first_access_delays": vec![1; 101] })).unwrap_err();
    assert!(refused.contains("more than 100 delays"), "{refused}");
}

#[test]
fn r34_more_than_20_trusted_devices_are_refused() {
    assert_eq!(MAX_TRUSTED_DEVICES, 20);
    let mut policy = Policy::default();
    policy.trusted_devices.max_devices = 21;
    let error = assert_refused(policy, "trusted_devices.max_devices");
    assert_eq!(error, PolicyError::TooManyDevices { found: 21 });
    // 255, the most the field holds, as a file gave before.
    let refused = load(json!({ "trusted_devices": { "max_devices": 255 } })).unwrap_err();
    assert!(
        refused.contains("`trusted_devices.max_devices`"),
        "{refused}"
    );
    let mut policy = Policy::default();
    policy.trusted_devices.max_devices = 20;
    assert_eq!(policy.validate(), Ok(()));
}

#[test]
fn r34_devices_trusted_for_more_than_400_days_are_refused() {
    assert_eq!(MAX_DEVICE_VALID_DAYS, 400);
    let mut policy = Policy::default();
    policy.trusted_devices.valid_days = 401;
    let error = assert_refused(policy, "trusted_devices.valid_days");
    assert_eq!(error, PolicyError::DeviceValidityTooLong { found: 401 });
    let refused = load(json!({ "trusted_devices": { "valid_days": 65_535 } })).unwrap_err();
    assert!(
        refused.contains("`trusted_devices.valid_days`"),
        "{refused}"
    );
    let mut policy = Policy::default();
    policy.trusted_devices.valid_days = 400;
    assert_eq!(policy.validate(), Ok(()));
}

#[test]
fn r34_r25b_first_access_delays_longer_than_a_minute_or_shrinking_are_refused() {
    assert_eq!(MAX_FIRST_ACCESS_DELAY_SECS, 60);
    // The default, with its reason in the docs: 1, 2, then 5 s.
    assert_eq!(
        Policy::default().first_access_delays.as_secs(),
        Policy::DEFAULT_FIRST_ACCESS_DELAYS_SECS
    );
    assert_eq!(Policy::DEFAULT_FIRST_ACCESS_DELAYS_SECS, [1, 2, 5]);
    let mut policy = Policy::default();
    policy.first_access_delays = DelayLadder::new(vec![1, 61]).unwrap();
    let error = assert_refused(policy, "first_access_delays");
    assert_eq!(error, PolicyError::FirstAccessDelayTooLong { found: 61 });
    // Shrinking, or beyond any delay, from a file.
    for (delays, why) in [
        (json!([5, 1]), "must not shrink"),
        (json!([3_601]), "at most 3600 s"),
    ] {
        let refused = load(json!({ "first_access_delays": delays })).unwrap_err();
        assert!(
            refused.contains("policy field `first_access_delays`") && refused.contains(why),
            "{refused}"
        );
    }
    // A minute exactly, and none at all, load.
    let mut expected = Policy::default();
    expected.first_access_delays = DelayLadder::new(vec![60]).unwrap();
    assert_eq!(load(json!({ "first_access_delays": [60] })), Ok(expected));
    let mut expected = Policy::default();
    expected.first_access_delays = DelayLadder::default();
    assert_eq!(load(json!({ "first_access_delays": [] })), Ok(expected));
}

#[test]
fn r34_a_first_access_window_above_a_year_is_refused_and_bounds_the_restore_window() {
    assert_eq!(MAX_FIRST_ACCESS_WINDOW_DAYS, 365);
    let mut policy = Policy::default();
    policy.first_access_window_days = 366;
    let error = assert_refused(policy, "first_access_window_days");
    assert_eq!(error, PolicyError::FirstAccessWindowTooLong { found: 366 });
    // The restore cap's window is no longer than a code lives: at most a year too.
    let refused = load(json!({
        "first_access_window_days": 365,
        "restore_limit": { "window_days": 366 },
    }))
    .unwrap_err();
    assert!(refused.contains("`restore_limit.window_days`"), "{refused}");
    let mut policy = Policy::default();
    policy.first_access_window_days = 365;
    policy.restore_limit.window_days = 365;
    assert_eq!(policy.validate(), Ok(()));
}

#[test]
fn r34_a_policy_file_written_before_the_first_access_delays_loads_with_the_default() {
    // Every field but the new one, as a policy stored by an earlier release was written.
    let mut file = serde_json::to_value(Policy::default()).unwrap();
    file.as_object_mut().unwrap().remove("first_access_delays");
    assert_eq!(load(file), Ok(Policy::default()));
    // And written, the new field is a plain list of seconds.
    let written = serde_json::to_value(Policy::default()).unwrap();
    assert_eq!(written["first_access_delays"], json!([1, 2, 5]));
}

#[test]
fn r34_a_delay_ladder_is_checked_however_it_is_made_or_read() {
    let ladder = DelayLadder::new(vec![1, 2, 5]).unwrap();
    assert_eq!(DelayLadder::try_from(vec![1, 2, 5]), Ok(ladder.clone()));
    assert_eq!(
        DelayLadder::try_from(vec![5, 1]),
        Err(LockoutError::ShrinkingDelays)
    );
    assert_eq!(
        DelayLadder::try_from(vec![3_601]),
        Err(LockoutError::DelayTooLong { found: 3_601 })
    );
    // Read on its own, as the list of seconds it is written as.
    assert_eq!(serde_json::to_string(&ladder).unwrap(), "[1,2,5]");
    assert_eq!(
        serde_json::from_str::<DelayLadder>("[1,2,5]").unwrap(),
        ladder
    );
    for refused in ["[5,1]", "[3601]"] {
        assert!(
            serde_json::from_str::<DelayLadder>(refused).is_err(),
            "{refused}"
        );
    }
    let too_many = serde_json::to_string(&vec![1; 101]).unwrap();
    let error = serde_json::from_str::<DelayLadder>(&too_many)
        .unwrap_err()
        .to_string();
    assert!(error.contains("more than 100 delays"), "{error}");
    let bytes = postcard::to_allocvec(&ladder).unwrap();
    assert_eq!(postcard::from_bytes::<DelayLadder>(&bytes).unwrap(), ladder);
    assert_eq!(ladder.longest_secs(), Some(5));
    assert_eq!(DelayLadder::default().longest_secs(), None);
    assert_eq!(ladder.delay_after(0), None);
    assert_eq!(
        ladder.delay_after(3),
        Some(jiff::SignedDuration::from_secs(5))
    );
}
