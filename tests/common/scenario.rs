//! What the random-run properties (`tests/properties.rs` and the `tests/properties_*.rs` of the
//! lifecycle, whose run is in `lifecycle_run`) share: the tally of what runs reached, the runner
//! that sums it, and the checks each step of a run must pass (R27: a refusal changes nothing;
//! R29: replay rebuilds the account; R8: no code in anything the crate shows).
//!
//! Each file plays its own kind of run (its own acts and steps); these helpers take the parts
//! of a step they look at, so both kinds can use them.

use std::cell::RefCell;
use std::collections::{BTreeMap, BTreeSet};

use inps_pin::{Account, Command, Event, Outcome, PIN_ALPHABET, Refusal, Reply};
use jiff::{SignedDuration, Timestamp};
use proptest::prelude::*;
use proptest::test_runner::{TestCaseError, TestError, TestRunner};

use super::proptest_config;

/// Stand-ins before a run has learnt a code: valid entries that match nothing issued.
pub const NO_SIXTEEN_YET: &str = "ABCDEFGHJKLMNPQR";
pub const NO_EIGHT_YET: &str = "STUVWXYZ";

/// The code with its last character replaced by the next one of the alphabet: always wrong,
/// and still made of characters a PIN may have.
pub fn near_miss(code: &str) -> String {
    let mut bytes = code.as_bytes().to_vec();
    if let Some(last) = bytes.last_mut() {
        let index = PIN_ALPHABET.iter().position(|c| c == last).unwrap();
        *last = PIN_ALPHABET[(index + 1) % PIN_ALPHABET.len()];
    }
    String::from_utf8(bytes).unwrap()
}

/// The clock moved forward to `target`, if there is one and it is ahead of `now`; else `now`:
/// the clock of a run never goes back.
pub fn forward_to(now: Timestamp, target: Option<Timestamp>) -> Timestamp {
    match target {
        Some(target) if target > now => target,
        _ => now,
    }
}

/// The clock moved forward to one nanosecond before `target`, if that is ahead of `now`: the
/// last instant before something happens.
pub fn forward_to_just_before(now: Timestamp, target: Option<Timestamp>) -> Timestamp {
    forward_to(now, target.map(|t| t - SignedDuration::from_nanos(1)))
}

/// The JSON of `value`, as bytes: one of the serialized forms the properties compare.
pub fn json<T: serde::Serialize + ?Sized>(value: &T) -> Vec<u8> {
    serde_json::to_vec(value).unwrap()
}

/// The postcard bytes of `value`: the other serialized form the properties compare.
pub fn postcard_bytes<T: serde::Serialize + ?Sized>(value: &T) -> Vec<u8> {
    postcard::to_allocvec(value).unwrap()
}

// ---------------------------------------------------------------------------------------------
// What runs reach

/// What runs reached (refusal codes, reply kinds, events, …), by name: the properties assert
/// that their runs reached what they must, so that a generator gone blind makes a test fail
/// instead of passing vacuously.
#[derive(Debug, Default)]
pub struct Tally {
    counts: BTreeMap<String, u32>,
}

impl Tally {
    pub fn add(&mut self, key: impl Into<String>) {
        *self.counts.entry(key.into()).or_default() += 1;
    }

    pub fn get(&self, key: &str) -> u32 {
        self.counts.get(key).copied().unwrap_or(0)
    }

    pub fn merge(&mut self, other: Tally) {
        for (key, count) in other.counts {
            *self.counts.entry(key).or_default() += count;
        }
    }

    /// Panics naming the keys never reached.
    pub fn assert_reached(&self, keys: &[&str]) {
        let missing: Vec<_> = keys.iter().filter(|key| self.get(key) == 0).collect();
        assert!(
            missing.is_empty(),
            "the runs never reached {missing:?}; reached {:#?}",
            self.counts
        );
    }
}

/// The tally key of a reply: `reply:` and its kind.
pub fn reply_key(reply: &Reply) -> String {
    let kind = match reply {
        Reply::PinIssued { .. } => "pin_issued",
        Reply::FirstAccessCompleted(_) => "first_access_completed",
        Reply::LoggedIn(_) => "logged_in",
        Reply::LoginFailed(_) => "login_failed",
        Reply::PinRenewed(_) => "pin_renewed",
        Reply::UpgradeRequested => "upgrade_requested",
        Reply::UpgradeDecided { approved: true } => "upgrade_approved",
        Reply::UpgradeDecided { approved: false } => "upgrade_rejected",
        Reply::PinRestored { .. } => "pin_restored",
        Reply::PinRevoked => "pin_revoked",
        Reply::TimeApplied => "time_applied",
        Reply::PersonalDataErased { .. } => "personal_data_erased",
        _ => "other",
    };
    format!("reply:{kind}")
}

/// Runs `property` on `cases` values of `strategy` (from the suite's fixed seed) and returns the
/// sum of what they reached. Panics with the minimal failing value if the property fails.
///
/// A runner held by the test rather than `proptest!`, so that the test can assert on the sum.
pub fn check_property<S: Strategy>(
    cases: u32,
    strategy: S,
    property: impl Fn(&S::Value) -> Result<Tally, TestCaseError>,
) -> Tally
where
    S::Value: std::fmt::Debug,
{
    let total = RefCell::new(Tally::default());
    let mut runner = TestRunner::new(proptest_config(cases));
    let result = runner.run(&strategy, |value| {
        let tally = property(&value)?;
        total.borrow_mut().merge(tally);
        Ok(())
    });
    match result {
        Ok(()) => total.into_inner(),
        Err(TestError::Fail(reason, value)) => {
            panic!("property failed: {reason}\nminimal case: {value:#?}")
        }
        Err(error) => panic!("{error}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Playing a step

/// A command's `Debug`, alternate `Debug` and JSON, by label: taken before it is handled, for
/// the leak checks of what was typed (R8).
pub fn command_texts(command: &Command) -> Vec<(&'static str, Vec<u8>)> {
    vec![
        ("command Debug", format!("{command:?}").into_bytes()),
        (
            "command Debug (alternate)",
            format!("{command:#?}").into_bytes(),
        ),
        ("command JSON", json(command)),
    ]
}

/// The codes an outcome just delivered, exposed; fails if a fresh delivery has none.
pub fn fresh_codes(index: usize, outcome: &Outcome) -> Result<Vec<String>, TestCaseError> {
    let mut codes = Vec::new();
    for delivery in outcome.deliveries() {
        let Some(secret) = delivery.secret() else {
            return Err(TestCaseError::fail(format!(
                "step {index}: a fresh delivery has no code: {delivery}"
            )));
        };
        codes.push(secret.expose().to_owned());
    }
    Ok(codes)
}

// ---------------------------------------------------------------------------------------------
// R27 and R29 for one step

/// R27 for step `index` (`act`, taking the account from `before` to `after`): a refused command
/// leaves the account byte-identical (JSON and postcard), version included; an applied one moves
/// the version by the events it applied, and without events changes nothing.
pub fn refusal_changed_nothing(
    index: usize,
    act: &impl std::fmt::Debug,
    before: &Account,
    after: &Account,
    result: &Result<Outcome, Refusal>,
) -> Result<(), TestCaseError> {
    match result {
        Err(refusal) => {
            prop_assert_eq!(
                json(after),
                json(before),
                "step {} ({:?}) refused with {:?} but the JSON changed",
                index,
                act,
                refusal
            );
            prop_assert_eq!(
                postcard_bytes(after),
                postcard_bytes(before),
                "step {} ({:?}) refused with {:?} but the postcard bytes changed",
                index,
                act,
                refusal
            );
            prop_assert_eq!(after.version(), before.version());
            prop_assert_eq!(after, before);
        }
        Ok(outcome) => {
            prop_assert_eq!(
                after.version(),
                before.version() + outcome.events.len() as u64,
                "step {} ({:?}): the version must grow by the events applied",
                index,
                act
            );
            if outcome.events.is_empty() {
                prop_assert_eq!(json(after), json(before));
                prop_assert_eq!(postcard_bytes(after), postcard_bytes(before));
            }
        }
    }
    Ok(())
}

/// R29 after step `index`: replaying every event so far rebuilds `after`, also from the events
/// as a store keeps them (through JSON and postcard).
pub fn replay_rebuilds(
    index: usize,
    after: &Account,
    events: &[Event],
) -> Result<(), TestCaseError> {
    let cf = after.codice_fiscale();
    let rebuilt = Account::replay(cf, events);
    prop_assert_eq!(&rebuilt, after, "step {}: replay differs", index);
    prop_assert_eq!(json(&rebuilt), json(after));
    prop_assert_eq!(postcard_bytes(&rebuilt), postcard_bytes(after));
    prop_assert_eq!(rebuilt.version(), events.len() as u64);

    let from_json: Vec<Event> = serde_json::from_slice(&json(events)).unwrap();
    prop_assert_eq!(&Account::replay(cf, &from_json), after);
    let from_postcard: Vec<Event> = postcard::from_bytes(&postcard_bytes(events)).unwrap();
    prop_assert_eq!(&Account::replay(cf, &from_postcard), after);
    Ok(())
}

// ---------------------------------------------------------------------------------------------
// R8: no code in anything the crate shows

/// Everything the crate shows of step `index`, by label: the account after it, and the refusal
/// or the outcome with its deliveries, notifications, login failure and events, each in
/// `Debug`, alternate `Debug`, `Display`, messages, JSON and postcard as it has them.
pub fn shown_by_the_crate(
    index: usize,
    after: &Account,
    result: &Result<Outcome, Refusal>,
) -> Vec<(String, Vec<u8>)> {
    let mut shown = Vec::new();
    let mut show = |what: &str, bytes: Vec<u8>| shown.push((format!("{index}: {what}"), bytes));
    show("account Debug", format!("{after:?}").into());
    show("account Debug (alternate)", format!("{after:#?}").into());
    show("account JSON", json(after));
    show("account postcard", postcard_bytes(after));
    match result {
        Err(refusal) => {
            show("refusal Debug", format!("{refusal:?}").into());
            show("refusal Debug (alternate)", format!("{refusal:#?}").into());
            show("refusal Display", refusal.to_string().into());
            show("refusal message_it", refusal.message_it().into());
            show("refusal message_en", refusal.message_en().into());
            show("refusal code", refusal.code().into());
        }
        Ok(outcome) => {
            show("outcome Debug", format!("{outcome:?}").into());
            show("outcome Debug (alternate)", format!("{outcome:#?}").into());
            show("outcome JSON", json(outcome));
            show("outcome postcard", postcard_bytes(outcome));
            for delivery in outcome.deliveries() {
                show("delivery Display", delivery.to_string().into());
                show("delivery Debug", format!("{delivery:?}").into());
            }
            for notification in outcome.notifications() {
                show("notification Display", notification.to_string().into());
                show("notification Debug", format!("{notification:?}").into());
                show("notification JSON", json(notification));
                show(
                    "notification message_it",
                    notification.about().message_it().into(),
                );
            }
            if let Reply::LoginFailed(failure) = &outcome.reply {
                show("login failure message_it", failure.message_it().into());
                show("login failure message_en", failure.message_en().into());
            }
            for (n, event) in outcome.events.iter().enumerate() {
                show(&format!("event {n} Debug"), format!("{event:?}").into());
                show(
                    &format!("event {n} Debug (alternate)"),
                    format!("{event:#?}").into(),
                );
                show(&format!("event {n} JSON"), json(event));
                show(&format!("event {n} postcard"), postcard_bytes(event));
            }
        }
    }
    shown
}

/// The labels of what `shown` holds one of the `typed` entries in: a typed PIN must never show
/// (R8). Searched as [`no_code_shown`] searches.
pub fn labels_showing(typed: &[&str], shown: &[(String, Vec<u8>)]) -> Vec<String> {
    assert!(typed.iter().all(|t| t.is_ascii()), "typed: {typed:?}");
    shown
        .iter()
        .filter(|(_, bytes)| {
            let text = String::from_utf8_lossy(bytes);
            typed.iter().any(|t| !t.is_empty() && text.contains(t))
        })
        .map(|(label, _)| format!("{label} contains a typed PIN"))
        .collect()
}

/// R8 along a whole run: no delivered code, as delivered or in lower case, in anything shown
/// (before or after it was delivered).
///
/// The bytes are searched as text decoded lossily, which finds an ASCII code exactly where a
/// search of the raw bytes would (decoding keeps every ASCII byte, in place) and is much faster.
pub fn no_code_shown(
    secrets: &BTreeSet<String>,
    shown: &[(String, Vec<u8>)],
) -> Result<(), TestCaseError> {
    let texts: Vec<(&String, String)> = shown
        .iter()
        .map(|(label, bytes)| (label, String::from_utf8_lossy(bytes).into_owned()))
        .collect();
    for secret in secrets {
        assert!(secret.is_ascii(), "a code outside ASCII: {secret:?}");
        let lower = secret.to_ascii_lowercase();
        for (label, text) in &texts {
            prop_assert!(
                !text.contains(secret.as_str()),
                "{} contains a delivered code",
                label
            );
            prop_assert!(
                !text.contains(lower.as_str()),
                "{} contains a delivered code in lower case",
                label
            );
        }
    }
    Ok(())
}
