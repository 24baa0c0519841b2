//! R36 over generated lives (feature `proptest`): whatever happened to an account (requests,
//! first accesses, logins, blocks, restores, upgrades, revocations, erasures, the clock run to
//! every deadline, the retention period's end among them), every event and the account split
//! into facts with no personal data and join back exactly; the facts alone replay to the
//! account's facts, with the same deadline, and decide an erasure and a tick as the whole
//! account does; once erased, the account answers every command as its facts alone do and
//! holds no personal string; and the export never holds a code or a hash.
#![cfg(feature = "proptest")]

use inps_pin::strategies;
use inps_pin::testing::{
    Act, Applicant, Card, Contacts, Document, Driver, Entry, Observed, Step, Via, delivered_codes,
};
use inps_pin::{Account, Command, Context, ErasureReason, Event, Person, StoredEvent, UpgradeVia};
use proptest::prelude::*;
use proptest::test_runner::{Config, RngSeed};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn config(cases: u32) -> Config {
    Config {
        cases,
        failure_persistence: None,
        rng_seed: RngSeed::Fixed(0x1A5_2036),
        ..Config::default()
    }
}

/// The owner's personal strings long enough not to be met by chance in a hash or an instant:
/// the e-mail, the phones, the street.
fn personal_strings(owner: &Person) -> Vec<String> {
    let mut strings = vec![owner.residence().street().to_owned()];
    strings.extend(owner.email().map(|email| email.as_str().to_owned()));
    strings.extend(owner.mobile().map(|mobile| mobile.as_str().to_owned()));
    strings.extend(
        owner
            .landline()
            .map(|landline| landline.as_str().to_owned()),
    );
    strings
}

/// Plays `steps`, returning every code and token the deliveries gave.
fn play(driver: &mut Driver, steps: &[Step]) -> Vec<String> {
    let mut secrets = Vec::new();
    for step in steps {
        let command = driver.prepare(step);
        if let Ok(outcome) = driver.run(command) {
            secrets.extend(
                delivered_codes(&outcome)
                    .into_iter()
                    .map(|(_, code)| code.as_str().to_owned()),
            );
            secrets.extend(
                outcome
                    .trusted_device
                    .as_ref()
                    .map(|token| token.expose().to_owned()),
            );
        }
    }
    secrets
}

/// What `command` does to `account` at the driver's clock, with a generator seeded alike for
/// every account it is asked of.
fn answer(driver: &Driver, account: &Account, command: &Command) -> Observed {
    let mut rng = ChaCha20Rng::seed_from_u64(36);
    Observed::of(&account.decide(
        command,
        &mut Context::new(driver.now, &driver.policy, &mut rng),
    ))
}

/// One act of every kind, right codes where there are codes.
fn every_act() -> [Act; 11] {
    [
        Act::Request(Applicant::Owner, Via::Online),
        Act::FirstAccess {
            entry: Entry::Right16,
            trust_device: false,
        },
        Act::LogIn {
            entry: Entry::Right8,
            device: true,
            trust_device: false,
        },
        Act::Renew {
            entry: Entry::Right8,
            device: true,
        },
        Act::RequestUpgrade(UpgradeVia::Online, Document::Valid),
        Act::DecideUpgrade(true),
        Act::UpgradeAtSede(Document::Valid),
        Act::Restore(Contacts::Registered),
        Act::Revoke(Card::Own),
        Act::Erase(ErasureReason::PersonsRequest),
        Act::Tick,
    ]
}

proptest! {
    #![proptest_config(config(128))]

    #[test]
    fn r36_generated_lives_split_into_facts_that_replay_alone_and_join_back_exactly(
        (driver, steps) in strategies::scenario()
    ) {
        let mut driver = driver;
        let _ = play(&mut driver, &steps);
        let account = &driver.account;
        let codice_fiscale = account.codice_fiscale();
        let mut facts = Vec::new();
        for event in &driver.events {
            let (event_facts, personal) = StoredEvent::new(event.clone()).split();
            prop_assert!(!event_facts.event().holds_personal_data());
            prop_assert_eq!(personal.is_some(), event.holds_personal_data());
            let joined = StoredEvent::join(event_facts.clone(), personal);
            prop_assert_eq!(joined.map(StoredEvent::into_event), Ok(event.clone()));
            facts.push(event_facts.into_event());
        }
        let (account_facts, personal) = account.clone().split();
        prop_assert_eq!(&Account::replay(codice_fiscale, &facts), &account_facts);
        prop_assert_eq!(Account::join(account_facts.clone(), personal), Ok(account.clone()));
        // The same security state, deadline and erasure, from the facts alone.
        let policy = &driver.policy;
        prop_assert_eq!(account_facts.status(driver.now, policy), account.status(driver.now, policy));
        prop_assert_eq!(account_facts.poll_deadline(policy), account.poll_deadline(policy));
        prop_assert_eq!(account_facts.holds_personal_data(), account.holds_personal_data());
        let erase = Command::Erase { reason: ErasureReason::CourtOrder };
        prop_assert_eq!(answer(&driver, &account_facts, &erase), answer(&driver, account, &erase));
        if let Some(deadline) = account.poll_deadline(policy) {
            let mut at_deadline = driver.clone();
            at_deadline.now = deadline.max(driver.now);
            let tick = |account: &Account| answer(&at_deadline, account, &Command::Tick).events;
            prop_assert_eq!(tick(&account_facts), tick(account));
        }
        // The facts, stored, hold none of the owner's data.
        let stored = serde_json::to_string(&facts).unwrap()
            + &serde_json::to_string(&account_facts).unwrap();
        for personal in personal_strings(&driver.cast.owner) {
            prop_assert!(!stored.contains(&personal), "{} in the facts", personal);
        }
    }

    #[test]
    fn r36_an_erased_generated_account_answers_every_command_as_its_facts_alone(
        (driver, steps) in strategies::scenario()
    ) {
        let mut driver = driver;
        let _ = play(&mut driver, &steps);
        if !driver.account.holds_personal_data() {
            // Nothing to erase: the erasure is refused, and writes nothing.
            let observed = driver.play(&Step { wait: inps_pin::testing::Wait::Seconds(0), act: Act::Erase(ErasureReason::PersonsRequest) });
            prop_assert_eq!(observed.events, Vec::<Event>::new());
            return Ok(());
        }
        let erased = driver.run(Command::Erase { reason: ErasureReason::PersonsRequest });
        prop_assert!(erased.is_ok(), "{:?}", erased.map(|o| o.reply));
        let account = &driver.account;
        prop_assert_eq!(account.person(), None);
        prop_assert!(!account.holds_personal_data());
        prop_assert_eq!(account.poll_deadline(&driver.policy), None);
        let facts: Vec<Event> = driver.events.iter().cloned().map(|event| event.split().0).collect();
        let from_facts = Account::replay(account.codice_fiscale(), &facts);
        prop_assert_eq!(&from_facts, account);
        for act in every_act() {
            let command = || driver.command(&act);
            prop_assert_eq!(
                answer(&driver, account, &command()),
                answer(&driver, &from_facts, &command()),
                "{:?}", act
            );
        }
        let stored = serde_json::to_string(account).unwrap();
        for personal in personal_strings(&driver.cast.owner) {
            prop_assert!(!stored.contains(&personal), "{} in the erased account", personal);
        }
        let export = account.export(&driver.events, driver.now, &driver.policy).unwrap();
        let exported = serde_json::to_string(&export).unwrap();
        for personal in personal_strings(&driver.cast.owner) {
            prop_assert!(!exported.contains(&personal), "{} in the export after the erasure", personal);
        }
    }

    #[test]
    fn r36_the_export_of_a_generated_life_holds_every_event_and_no_code_or_hash(
        (driver, steps) in strategies::scenario()
    ) {
        let mut driver = driver;
        let secrets = play(&mut driver, &steps);
        let export = driver.account.export(&driver.events, driver.now, &driver.policy).unwrap();
        prop_assert_eq!(export.history.len(), driver.events.len());
        let json = serde_json::to_string(&export).unwrap();
        prop_assert!(!json.contains("$argon2"));
        for secret in &secrets {
            prop_assert!(!json.contains(secret.as_str()), "a delivered code or token in the export");
        }
        // The person's data is there exactly while the account keeps it.
        prop_assert_eq!(export.person.is_some(), driver.account.person().is_some());
    }
}
