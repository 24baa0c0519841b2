//! The exported strategies (feature `proptest`): every value a strategy gives is
//! accepted by the matching parser, every near-miss of a codice fiscale is refused with the
//! error it names, every generated policy validates, and the generated sequences reach every
//! phase of the lifecycle.
#![cfg(feature = "proptest")]

use std::collections::BTreeSet;

use inps_pin::strategies::{self, NearMiss};
use inps_pin::{
    Address, CodiceFiscale, Email, IdentityDocument, LandlineNumber, MobileNumber, OperatorId,
    PersonName, Phase, Policy, RejectionReason, Role, TesseraSanitaria,
};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngSeed, TestRunner};

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x1A5_2026),
        ..Config::default()
    }
}

proptest! {
    #![proptest_config(config(512))]

    #[test]
    fn r3_generated_codici_fiscali_parse(code in strategies::codice_fiscale_text()) {
        let parsed = CodiceFiscale::parse(&code);
        prop_assert!(parsed.is_ok(), "{code:?}: {parsed:?}");
    }

    #[test]
    fn r3_generated_omocode_codes_parse_as_omocode(code in strategies::omocode_codice_fiscale_text()) {
        let parsed = CodiceFiscale::parse(&code).map_err(|e| TestCaseError::fail(format!("{code}: {e}")))?;
        prop_assert!(parsed.is_omocode(), "{}", code);
        // Its base is a valid code too, and one of the base's variants is this code.
        prop_assert!(parsed.base().omocode_variants().any(|variant| variant == parsed));
    }

    #[test]
    fn r3_generated_temporary_codes_parse_as_temporary(code in strategies::temporary_codice_fiscale_text()) {
        let parsed = CodiceFiscale::parse(&code).map_err(|e| TestCaseError::fail(format!("{code}: {e}")))?;
        prop_assert!(parsed.is_temporary());
    }

    #[test]
    fn r3_every_near_miss_is_refused_with_its_error(miss in strategies::codice_fiscale_near_miss()) {
        let NearMiss { text, expected } = miss;
        prop_assert_eq!(CodiceFiscale::parse(&text), Err(expected), "{}", text);
    }

    #[test]
    fn r4_generated_names_parse(text in strategies::person_name_text()) {
        prop_assert!(PersonName::parse(&text).is_ok(), "{:?}: {:?}", text, PersonName::parse(&text));
    }

    #[test]
    fn r4_generated_emails_parse(text in strategies::email_text()) {
        prop_assert!(Email::parse(&text).is_ok(), "{:?}: {:?}", text, Email::parse(&text));
    }

    #[test]
    fn r4_generated_mobiles_parse(text in strategies::mobile_text()) {
        prop_assert!(MobileNumber::parse(&text).is_ok(), "{:?}: {:?}", text, MobileNumber::parse(&text));
    }

    #[test]
    fn r4_generated_landlines_parse(text in strategies::landline_text()) {
        prop_assert!(LandlineNumber::parse(&text).is_ok(), "{:?}: {:?}", text, LandlineNumber::parse(&text));
    }

    #[test]
    fn r4_generated_addresses_parse((street, code, town, province) in strategies::address_text()) {
        let parsed = Address::new(&street, &code, &town, &province);
        prop_assert!(parsed.is_ok(), "{:?}: {:?}", (street, code, town, province), parsed);
    }

    #[test]
    fn r13_generated_document_numbers_parse(number in strategies::document_number_text()) {
        let parsed = IdentityDocument::new(inps_pin::DocumentKind::Passport, &number, jiff::civil::date(2030, 1, 1));
        prop_assert!(parsed.is_ok(), "{:?}: {:?}", number, parsed);
    }

    #[test]
    fn r24_generated_tessera_numbers_parse(number in strategies::tessera_number_text(), cf in strategies::codice_fiscale()) {
        let parsed = TesseraSanitaria::new(cf, &number, jiff::civil::date(2030, 1, 1));
        prop_assert!(parsed.is_ok(), "{:?}: {:?}", number, parsed);
    }

    #[test]
    fn r35_generated_operator_ids_and_reasons_parse(
        id in strategies::operator_id_text(),
        reason in strategies::rejection_reason_text(),
    ) {
        prop_assert!(OperatorId::new(&id).is_ok(), "{:?}", id);
        prop_assert!(RejectionReason::new(&reason).is_ok(), "{:?}", reason);
    }

    #[test]
    fn r34_generated_policies_validate_and_load(policy in strategies::policy()) {
        prop_assert_eq!(policy.validate(), Ok(()));
        let json = serde_json::to_string(&policy).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let loaded: Policy = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(loaded, policy);
    }

    #[test]
    fn r2_generated_people_round_trip(person in strategies::person()) {
        let json = serde_json::to_string(&person).map_err(|e| TestCaseError::fail(e.to_string()))?;
        let loaded: inps_pin::Person = serde_json::from_str(&json).map_err(|e| TestCaseError::fail(e.to_string()))?;
        prop_assert_eq!(loaded, person);
    }
}

/// The strategies of people and near-misses cover what they promise: both roles, omocode and
/// temporary codes, every kind of near-miss.
#[test]
fn r2_r3_strategies_cover_both_roles_and_every_near_miss() {
    let mut runner = TestRunner::new(config(1));
    let mut roles = BTreeSet::new();
    let mut codes = BTreeSet::new();
    for _ in 0..400 {
        let person = strategies::person()
            .new_tree(&mut runner)
            .unwrap()
            .current();
        roles.insert(format!("{:?}", person.role()));
        let miss = strategies::codice_fiscale_near_miss()
            .new_tree(&mut runner)
            .unwrap()
            .current();
        codes.insert(miss.expected.code());
    }
    assert_eq!(roles.len(), 2, "{roles:?}");
    assert!(roles.contains(&format!("{:?}", Role::Intermediary)));
    assert_eq!(
        codes,
        BTreeSet::from([
            "codice_fiscale.wrong_check_character",
            "codice_fiscale.nonexistent_date",
            "codice_fiscale.day_out_of_range",
            "codice_fiscale.wrong_length",
            "codice_fiscale.wrong_temporary_check_digit",
        ])
    );
}

/// The generated sequences reach every phase of the lifecycle, past the first access (the
/// driver types the codes the deliveries gave).
#[test]
fn r26_generated_sequences_reach_every_phase() {
    let mut runner = TestRunner::new(config(1));
    let mut reached = BTreeSet::new();
    for _ in 0..300 {
        let (mut driver, steps) = strategies::scenario()
            .new_tree(&mut runner)
            .unwrap()
            .current();
        for step in &steps {
            let _ = driver.play(step);
            reached.insert(driver.account.phase(driver.now, &driver.policy));
        }
    }
    let missing: Vec<_> = Phase::ALL
        .iter()
        .filter(|phase| !reached.contains(phase))
        .collect();
    assert!(missing.is_empty(), "never reached {missing:?}");
}

/// R2, R20: the intermediary's fixture is an intermediary, whose PIN expires after 3 calendar
/// months in Rome (the citizen's after 6), counted as `plus_rome_months` counts.
#[test]
fn r2_r20_the_intermediary_fixture_expires_after_three_rome_months() {
    use inps_pin::testing::{Driver, plus_rome_months};
    for (mut driver, months) in [
        (Driver::intermediary(20).unwrap(), 3),
        (Driver::mario(20).unwrap(), 6),
    ] {
        let _issued = driver.request_online().unwrap();
        driver.first_access().unwrap();
        let expiry = plus_rome_months(driver.now, months);
        let expires_at = match driver.account.status(driver.now, &driver.policy) {
            inps_pin::PinStatus::Active { expires_at, .. } => expires_at,
            other => panic!("{other:?}"),
        };
        assert_eq!(expires_at, expiry, "{:?}", driver.cast.owner.role());
    }
    assert_eq!(
        inps_pin::testing::Cast::intermediary()
            .unwrap()
            .owner
            .role(),
        Role::Intermediary
    );
}

/// R20: `plus_rome_months` keeps the day and the wall-clock time in Rome, or takes the
/// month's last day when it is shorter, across the change of summer time.
#[test]
fn r20_plus_rome_months_counts_calendar_months_in_rome() {
    use inps_pin::testing::plus_rome_months;
    let at = |text: &str| text.parse::<jiff::Timestamp>().unwrap();
    // 31 August 12:00 CEST + 6 months = 28 February 12:00 CET; + 18 months = 29 February 2028.
    assert_eq!(
        plus_rome_months(at("2026-08-31T10:00:00Z"), 6),
        at("2027-02-28T11:00:00Z")
    );
    assert_eq!(
        plus_rome_months(at("2026-08-31T10:00:00Z"), 18),
        at("2028-02-29T11:00:00Z")
    );
    assert_eq!(
        plus_rome_months(at("2027-02-28T11:00:00Z"), -6),
        at("2026-08-28T10:00:00Z")
    );
}

/// A failing case starts from the standard fixture unless the people or the clock matter:
/// the simplest generated driver is `Driver::mario(0)`, and the simplest cast `Cast::mario`.
#[test]
fn r26_generated_drivers_shrink_to_the_standard_fixture() {
    use inps_pin::testing::{Cast, Driver};
    let mut runner = TestRunner::new(config(1));
    for _ in 0..20 {
        let mut tree = strategies::driver().new_tree(&mut runner).unwrap();
        while tree.simplify() {}
        assert_eq!(tree.current(), Driver::mario(0).unwrap());
        let mut tree = strategies::cast().new_tree(&mut runner).unwrap();
        while tree.simplify() {}
        assert_eq!(tree.current(), Cast::mario().unwrap());
    }
}

/// Weighted steps: a kind weighed 0 never comes, one weighed alone is all there is, and a
/// filter drops the steps it refuses.
#[test]
fn r26_weighted_and_filtered_steps_hold_only_what_was_asked() {
    use inps_pin::CommandKind;
    use inps_pin::strategies::StepWeights;
    use inps_pin::testing::Wait;
    let mut runner = TestRunner::new(config(1));
    let without = StepWeights::default()
        .without(CommandKind::Erase)
        .without(CommandKind::LogIn);
    let only = StepWeights::none().with(CommandKind::Restore, 1);
    let mut kinds = BTreeSet::new();
    for _ in 0..200 {
        for step in strategies::steps_with(&without)
            .new_tree(&mut runner)
            .unwrap()
            .current()
        {
            kinds.insert(step.act.kind());
        }
        let restores = strategies::steps_with(&only)
            .new_tree(&mut runner)
            .unwrap()
            .current();
        assert!(
            restores
                .iter()
                .all(|s| s.act.kind() == CommandKind::Restore)
        );
        let short = strategies::steps_where(&StepWeights::default(), |step| {
            step.wait == Wait::ToDeadline
        })
        .new_tree(&mut runner)
        .unwrap()
        .current();
        assert!(short.iter().all(|s| s.wait == Wait::ToDeadline));
    }
    assert!(!kinds.contains(&CommandKind::Erase) && !kinds.contains(&CommandKind::LogIn));
    // Every other kind came.
    assert_eq!(kinds.len(), CommandKind::ALL.len() - 2, "{kinds:?}");
    assert_eq!(StepWeights::default().weight(CommandKind::LogIn), 8);
    // With every weight 0, ticks.
    let ticks = strategies::act_with(&StepWeights::none())
        .new_tree(&mut runner)
        .unwrap()
        .current();
    assert_eq!(ticks.kind(), CommandKind::Tick);
}
