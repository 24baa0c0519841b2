//! R30: every refusal has a transport-neutral class, so a service maps a handful of classes
//! (not every variant) to its answers, and the refusals that say when to try again say it.

mod common;
use common::*;

use inps_pin::{Refusal, RefusalClass};
use jiff::civil::date;

#[test]
fn r30_every_refusal_has_the_class_its_meaning_gives() {
    let when = at("2027-02-22T09:00:00Z");
    let day = date(2020, 1, 1);
    use RefusalClass::*;
    let table = [
        (
            Refusal::WrongAccount {
                requested: mario_cf(),
            },
            InvalidInput,
        ),
        (Refusal::TemporaryCodiceFiscale, InvalidInput),
        (Refusal::NoContactForFirstHalf, InvalidInput),
        (Refusal::WholePinRequired, InvalidInput),
        (
            Refusal::IdentityDocumentExpired { expired_on: day },
            InvalidInput,
        ),
        (Refusal::TesseraExpired { expired_on: day }, InvalidInput),
        (Refusal::AttestationFromTheFuture, InvalidInput),
        (Refusal::AttestationStale { checked_at: when }, InvalidInput),
        (Refusal::PinAlreadyLive, Conflict),
        (Refusal::FirstAccessRequired, Conflict),
        (
            Refusal::RenewalNotDue {
                renewable_from: when,
            },
            Conflict,
        ),
        (Refusal::AlreadyDispositivo, Conflict),
        (Refusal::UpgradePending, Conflict),
        (Refusal::PinExpired { expired_at: when }, Conflict),
        (Refusal::ContactsNotMatching, Forbidden),
        (Refusal::TesseraNotMatching, Forbidden),
        (Refusal::ArchiveNotMatching, Forbidden),
        (Refusal::NewPinsDiscontinued { since: day }, Forbidden),
        (Refusal::PinBlocked, Locked),
        (Refusal::LoginDelayed { retry_after: when }, RateLimited),
        (
            Refusal::RestoreLimitReached { retry_after: when },
            RateLimited,
        ),
        (Refusal::FirstPinLapsed { lapsed_at: when }, Gone),
        (Refusal::PinsRetired { since: day }, Gone),
        (Refusal::NoPin, NotFound),
        (Refusal::NoUpgradePending, NotFound),
        (Refusal::StoredHashRejected, Internal),
        (Refusal::Internal, Internal),
        (Refusal::HashingFailed, Internal),
    ];
    for (refusal, class) in &table {
        assert_eq!(refusal.class(), *class, "{refusal:?}");
        let retry = refusal.retry_after();
        assert_eq!(retry.is_some(), *class == RateLimited, "{refusal:?}");
    }
    // The table names every code the crate has: a new variant must be added here.
    let mut codes: Vec<&str> = table.iter().map(|(refusal, _)| refusal.code()).collect();
    codes.sort_unstable();
    codes.dedup();
    assert_eq!(codes.len(), table.len(), "one row per variant");
}

#[test]
fn r26_a_context_shows_its_time_and_policy_but_not_its_generator() {
    let policy = policy();
    let mut rng = rng(1);
    let context = inps_pin::Context::new(t0(), &policy, &mut rng);
    let shown = format!("{context:?}");
    assert!(
        shown.contains("2026-11-24T09:00:00Z") && shown.contains("policy"),
        "{shown}"
    );
    assert!(!shown.contains("ChaCha"), "{shown}");
}
