#![allow(dead_code)] // each target uses one of the two formats
//! What the two targets of stored forms share: the first byte picks the form, the rest is
//! loaded as it (JSON or postcard). Loading never panics; what loads serializes again and
//! loads back equal; a loaded account handles a login, a renewal and a tick without
//! panicking, and its version grows by the events it applies (R29, R32, R35).

use inps_pin::{
    Account, Command, Context, EnteredPin, HashCost, OutboxDelivery, Policy, StoredEvent,
    UnversionedEvent,
};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use std::sync::OnceLock;

/// JSON or postcard.
pub trait Format {
    fn load<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T>;
    fn save<T: serde::Serialize>(value: &T) -> Vec<u8>;
}

pub struct Json;
impl Format for Json {
    fn load<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
        serde_json::from_slice(bytes).ok()
    }
    fn save<T: serde::Serialize>(value: &T) -> Vec<u8> {
        serde_json::to_vec(value).unwrap()
    }
}

pub struct Postcard;
impl Format for Postcard {
    fn load<T: serde::de::DeserializeOwned>(bytes: &[u8]) -> Option<T> {
        postcard::from_bytes(bytes).ok()
    }
    fn save<T: serde::Serialize>(value: &T) -> Vec<u8> {
        postcard::to_allocvec(value).unwrap()
    }
}

fn mario() -> inps_pin::CodiceFiscale {
    static MARIO: OnceLock<inps_pin::CodiceFiscale> = OnceLock::new();
    *MARIO.get_or_init(|| inps_pin::CodiceFiscale::parse("RSSMRA80A01H501U").unwrap())
}

/// A loaded value saves and loads back equal.
fn round_trips<F: Format, T>(value: &T)
where
    T: serde::Serialize + serde::de::DeserializeOwned + PartialEq + core::fmt::Debug,
{
    let again: Option<T> = F::load(&F::save(value));
    assert_eq!(again.as_ref(), Some(value));
}

/// The cheap policy, whose bound on stored hash costs is the cheap cost too: a loaded hash
/// that asks for more is refused without running Argon2 (R35), so no input holds the fuzzer
/// for seconds or gigabytes. Built once: a policy holds the service catalogue, which is not
/// what these targets fuzz.
fn policy() -> &'static Policy {
    static POLICY: OnceLock<Policy> = OnceLock::new();
    POLICY.get_or_init(|| {
        let mut policy = Policy::default().with_hash_cost(HashCost::CHEAP);
        policy.max_stored_hash_cost = HashCost::CHEAP;
        policy
    })
}

/// A loaded account handles commands: no panic, and the version grows by the events applied.
fn handles_commands(account: &Account) {
    let policy = policy();
    let mut rng = ChaCha20Rng::seed_from_u64(0);
    // 2026-11-24T09:00:00Z
    let now = jiff::Timestamp::from_second(1_795_510_800).unwrap();
    for pin in ["ABCDEFGH", "ABCDEFGHJKLMNPQR"] {
        for command in [
            Command::LogIn {
                pin: EnteredPin::parse(pin).unwrap(),
                device: None,
                trust_device: true,
            },
            Command::RenewPin {
                pin: EnteredPin::parse(pin).unwrap(),
                device: None,
                trust_device: false,
            },
            Command::FirstAccess {
                pin: EnteredPin::parse(pin).unwrap(),
                trust_device: false,
            },
            Command::Tick,
        ] {
            let mut copy = account.clone();
            match copy.handle(command, &mut Context::new(now, policy, &mut rng)) {
                Ok(outcome) => {
                    assert_eq!(
                        copy.version(),
                        account.version() + outcome.events.len() as u64
                    )
                }
                Err(refusal) => {
                    assert_eq!(&copy, account);
                    let _ = (refusal.code(), refusal.message_it(), refusal.to_string());
                }
            }
        }
    }
    let _ = account.poll_deadline(policy);
    let _ = account.status(now, policy);
}

pub fn check<F: Format>(data: &[u8]) {
    let Some((&form, bytes)) = data.split_first() else {
        return;
    };
    match form % 6 {
        0 => {
            if let Some(event) = F::load::<StoredEvent>(bytes) {
                // An event of an earlier format loads and saves in this one (R32): the event
                // round-trips, and what is saved now round-trips exactly.
                let again: Option<StoredEvent> = F::load(&F::save(&event));
                assert_eq!(again.as_ref().map(StoredEvent::event), Some(event.event()));
                round_trips::<F, _>(&StoredEvent::new(event.event().clone()));
                let account = Account::replay(mario(), [event.event()]);
                assert_eq!(account.version(), 1);
                handles_commands(&account);
            }
        }
        1 => {
            // Any events, in any order, evolve without failing (they are facts), and the
            // account they make handles commands.
            if let Some(events) = F::load::<Vec<StoredEvent>>(bytes) {
                let current: Vec<StoredEvent> = events
                    .iter()
                    .map(|e| StoredEvent::new(e.event().clone()))
                    .collect();
                round_trips::<F, _>(&current);
                let account = Account::replay(mario(), events.iter().map(StoredEvent::event));
                assert_eq!(account.version(), events.len() as u64);
                round_trips::<F, _>(&account);
                handles_commands(&account);
            }
        }
        2 => {
            let _ = F::load::<UnversionedEvent>(bytes).map(UnversionedEvent::into_event);
        }
        3 => {
            if let Some(account) = F::load::<Account>(bytes) {
                round_trips::<F, _>(&account);
                handles_commands(&account);
            }
        }
        4 => {
            if let Some(policy) = F::load::<Policy>(bytes) {
                assert_eq!(policy.validate(), Ok(()));
                round_trips::<F, _>(&policy);
            }
        }
        _ => {
            if let Some(delivery) = F::load::<OutboxDelivery>(bytes) {
                let again: Option<OutboxDelivery> = F::load(&F::save(&delivery));
                let again = again.expect("an outbox delivery loads back");
                assert_eq!(again.part(), delivery.part());
                assert_eq!(again.secret().expose(), delivery.secret().expose());
                let _ = delivery.into_delivery();
            }
        }
    }
}
