//! Strategies for policies within their valid ranges (R34).

use super::*;

/// Policies within their valid ranges, always with [`HashCost::CHEAP`] (they are for tests):
/// every value passes [`Policy::validate`].
pub fn policy() -> impl Strategy<Value = Policy> {
    // Delays sorted: a later failure never waits less than an earlier one.
    let sorted = |mut delays: Vec<u32>| {
        delays.sort_unstable();
        delays
    };
    let lockout = (vec(0..=60u32, 0..5).prop_map(sorted), 1..=MAX_BLOCK_AFTER)
        .prop_filter_map("a valid lockout", |(delays, block)| {
            Lockout::new(delays, block).ok()
        });
    let devices = (
        0..=10u8,
        1..=365u16,
        vec(0..=30u32, 0..4).prop_map(sorted),
        1..=20u32,
    )
        .prop_filter_map(
            "valid device limits",
            |(max_devices, valid_days, delays, block)| {
                Some(TrustedDevices {
                    max_devices,
                    valid_days,
                    lockout: Lockout::new(delays, block).ok()?,
                })
            },
        );
    let first_access_delays = vec(0..=10u32, 0..4)
        .prop_map(sorted)
        .prop_filter_map("a valid ladder", |delays| DelayLadder::new(delays).ok());
    let sunset = proptest::option::of(Just(Sunset::inps_2020_2021()));
    (
        (1..=12u8, 1..=12u8, 0..=27u16, 1..=365u16),
        first_access_delays,
        (1..=MAX_RESTORE_REQUESTS, 1..=365u16),
        lockout,
        devices,
        sunset,
        any::<bool>(),
        1..=86_400i64,
        proptest::option::of(1..=MAX_PERSONAL_DATA_RETENTION_DAYS),
    )
        .prop_filter_map(
            "a valid policy",
            |(
                (citizen, intermediary, warning, window),
                first_access_delays,
                (max_requests, restore_window),
                lockout,
                trusted_devices,
                sunset,
                accept_temporary,
                attestation_secs,
                retention_days,
            )| {
                Policy {
                    hash_cost: HashCost::CHEAP,
                    max_stored_hash_cost: Policy::DEFAULT_MAX_STORED_HASH_COST,
                    first_access_window_days: window,
                    first_access_delays,
                    digital_identity_dispositivo_since: date(2017, 7, 21),
                    catalogue: Catalogue::standard(),
                    citizen_validity_months: citizen,
                    intermediary_validity_months: intermediary,
                    expiry_warning_days: warning,
                    lockout,
                    sunset,
                    trusted_devices,
                    restore_limit: RestoreLimit {
                        max_requests,
                        window_days: restore_window.min(window),
                    },
                    accept_temporary_codice_fiscale: accept_temporary,
                    attestation_valid_for: SignedDuration::from_secs(attestation_secs),
                    personal_data_retention_days: retention_days,
                }
                .validated()
                .ok()
            },
        )
}
