//! `Arbitrary` (feature `arbitrary`): what it builds from any bytes is valid, and
//! the parsers give it back from its printed form.
#![cfg(feature = "arbitrary")]

use arbitrary::{Arbitrary, Unstructured};
use inps_pin::fuzzing::FuzzScenario;
use inps_pin::{
    Account, CodiceFiscale, Email, IdentityDocument, LandlineNumber, MobileNumber, OperatorId,
    Person, PersonName, Policy, RejectionReason, TesseraSanitaria,
};
use rand_chacha::ChaCha20Rng;
use rand_core::{Rng, SeedableRng};

/// `check` on what `T::arbitrary` makes of 2,000 buffers of seeded random bytes; returns how
/// many built (the rest ran out of bytes).
fn each<T: for<'a> Arbitrary<'a>>(mut check: impl FnMut(T)) -> usize {
    let mut rng = ChaCha20Rng::seed_from_u64(11);
    let mut built = 0;
    for _ in 0..2_000 {
        let mut bytes = vec![0u8; 512];
        rng.fill_bytes(&mut bytes);
        if let Ok(value) = T::arbitrary(&mut Unstructured::new(&bytes)) {
            check(value);
            built += 1;
        }
    }
    built
}

#[test]
fn r3_arbitrary_codici_fiscali_round_trip_omocode_and_temporary_included() {
    let (mut omocode, mut temporary) = (0, 0);
    let built = each(|cf: CodiceFiscale| {
        assert_eq!(CodiceFiscale::parse(cf.as_str()), Ok(cf));
        omocode += usize::from(cf.is_omocode());
        temporary += usize::from(cf.is_temporary());
    });
    assert!(
        built > 1_900 && omocode > 100 && temporary > 100,
        "{built} {omocode} {temporary}"
    );
}

#[test]
fn r4_arbitrary_contacts_and_people_round_trip() {
    assert!(each(|v: PersonName| assert_eq!(PersonName::parse(v.as_str()), Ok(v))) > 1_900);
    assert!(each(|v: Email| assert_eq!(Email::parse(v.as_str()), Ok(v))) > 1_900);
    assert!(each(|v: MobileNumber| assert_eq!(MobileNumber::parse(v.as_str()), Ok(v))) > 1_900);
    assert!(each(|v: LandlineNumber| assert_eq!(LandlineNumber::parse(v.as_str()), Ok(v))) > 1_900);
    assert!(
        each(|v: Person| {
            let json = serde_json::to_string(&v).unwrap();
            assert_eq!(serde_json::from_str::<Person>(&json).unwrap(), v);
        }) > 1_000
    );
}

#[test]
fn r35_arbitrary_documents_cards_operators_and_reasons_are_valid() {
    assert!(
        each(|v: IdentityDocument| {
            assert_eq!(
                IdentityDocument::new(v.kind(), v.number(), v.expires_on()),
                Ok(v)
            );
        }) > 1_900
    );
    assert!(
        each(|v: TesseraSanitaria| {
            assert_eq!(
                TesseraSanitaria::new(v.codice_fiscale(), v.card_number(), v.expires_on()),
                Ok(v)
            );
        }) > 1_900
    );
    assert!(each(|v: OperatorId| assert_eq!(OperatorId::new(v.as_str()), Ok(v))) > 1_900);
    assert!(each(|v: RejectionReason| assert_eq!(RejectionReason::new(v.as_str()), Ok(v))) > 1_900);
}

#[test]
fn r34_arbitrary_policies_validate() {
    assert!(each(|policy: Policy| assert_eq!(policy.validate(), Ok(()))) > 1_900);
}

#[test]
fn r29_arbitrary_scenarios_replay() {
    let built = each(|scenario: FuzzScenario| {
        let mut driver = scenario.driver().unwrap();
        for step in &scenario.steps {
            let _ = driver.play(step);
        }
        let rebuilt = Account::replay(driver.account.codice_fiscale(), &driver.events);
        assert_eq!(rebuilt, driver.account);
    });
    assert!(built > 1_000, "{built}");
}
