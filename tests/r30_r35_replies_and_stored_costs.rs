//! R30: what the person sees of a failed login tells nothing, in content or in serialized
//! form, and the work behind it keeps to the policy's cost (a successful login rehashes).
//! R35: a stored hash whose cost lies outside the policy's bound is refused, never run.

mod common;
use common::*;

use inps_pin::*;
use proptest::prelude::*;

/// Mario with an 8 in use under `policy`: the account and the 8.
fn active_under(policy: &Policy) -> (Account, String) {
    let mut rng = rng(30);
    let (mut account, whole) = issued(person(), ChannelRequest::Online, policy, &mut rng);
    let done = first_access(&mut account, whole, day_after(), policy, &mut rng);
    (account, code_of(&done, PinPart::Pin))
}

proptest! {
    #![proptest_config(proptest_config(64))]

    #[test]
    fn r30_the_reply_for_a_wrong_pin_and_an_unknown_codice_fiscale_serialize_byte_identically(
        typed in "[A-HJ-NP-Z2-9]{8}",
    ) {
        let policy = policy();
        let (mut account, code) = active_under(&policy);
        prop_assume!(typed != code);
        let unknown = Reply::LoginFailed(LoginFailure::for_unknown_person(&policy, &entered(&typed)));
        let outcome = log_in(&mut account, entered(&typed), at("2026-12-01T09:00:00Z"), &policy, &mut rng(1));
        prop_assert_eq!(serde_json::to_vec(&outcome.reply).unwrap(), serde_json::to_vec(&unknown).unwrap());
        prop_assert_eq!(postcard::to_allocvec(&outcome.reply).unwrap(), postcard::to_allocvec(&unknown).unwrap());
        // The operators' view is apart, and has the count.
        prop_assert_eq!(outcome.failure.unwrap().consecutive_failures, 1);
    }
}

#[test]
fn r30_a_successful_login_rehashes_a_pin_made_at_another_cost() {
    let old_cost = policy();
    let (mut account, code) = active_under(&old_cost);
    let new_cost = old_cost
        .clone()
        .with_hash_cost(HashCost::new(16, 1, 1).unwrap());
    let now = at("2026-12-01T09:00:00Z");
    let outcome = log_in(&mut account, entered(&code), now, &new_cost, &mut rng(2));
    let [
        Event::LoggedIn {
            rehashed: Some(hash),
            ..
        },
    ] = &outcome.events[..]
    else {
        panic!("{:?}", outcome.events)
    };
    assert_eq!(hash.cost(), new_cost.hash_cost);
    // Once rehashed, no more: the next login keeps the hash.
    let outcome = log_in(&mut account, entered(&code), now, &new_cost, &mut rng(3));
    assert!(matches!(
        outcome.events[..],
        [Event::LoggedIn { rehashed: None, .. }]
    ));
    // The PIN still logs in, and a wrong one is counted as before.
    assert_eq!(
        failure_count(&log_in(
            &mut account,
            wrong(&code),
            now,
            &new_cost,
            &mut rng(4)
        )),
        1
    );
}

/// `account` with the cost of every stored PHC string changed to `params`, as a tampered or
/// damaged database row would hold it.
fn with_stored_params(account: &Account, params: &str) -> Account {
    let json = serde_json::to_string(account).unwrap();
    let tampered = json.replace("m=8,t=1,p=1", params);
    assert_ne!(json, tampered);
    serde_json::from_str(&tampered).unwrap()
}

#[test]
fn r35_a_stored_hash_above_the_policys_bound_is_refused_and_never_run() {
    let policy = policy();
    let (account, code) = active_under(&policy);
    // 64 passes over 1 GiB: within the absolute limits, so it loads; far above the policy's
    // bound (8 passes, 76 MiB), so no login may run it. The test finishing is the proof it
    // was not run: that cost takes minutes.
    let mut tampered = with_stored_params(&account, "m=1048576,t=64,p=1");
    let now = at("2026-12-01T09:00:00Z");
    for typed in [code.clone(), "ZZZZZZZZ".to_owned()] {
        let refusal = refused(
            &mut tampered,
            Command::LogIn {
                pin: entered(&typed),
                device: None,
                trust_device: false,
            },
            now,
            &policy,
            &mut rng(5),
        );
        assert_eq!(refusal, Refusal::StoredHashRejected);
        assert_eq!(refusal.code(), "internal.stored_hash_rejected");
        assert!(refusal.message_it().contains("Contact Center"));
    }
    // A cost beyond the absolute limits does not even load.
    let json = serde_json::to_string(&account)
        .unwrap()
        .replace("m=8,t=1,p=1", "m=8,t=4294967295,p=1");
    assert!(serde_json::from_str::<Account>(&json).is_err());
}

#[test]
fn r35_the_bound_follows_the_policy_so_its_own_hashes_always_verify() {
    // A policy whose cost is above the default bound still verifies what it made.
    let mut heavy = policy();
    heavy.max_stored_hash_cost = HashCost::CHEAP;
    let (mut account, code) = active_under(&heavy);
    let outcome = log_in(
        &mut account,
        entered(&code),
        at("2026-12-01T09:00:00Z"),
        &heavy,
        &mut rng(6),
    );
    logged_in(&outcome);
}
