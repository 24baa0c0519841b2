//! R28: every piece of state, command, effect, event and refusal of the PIN's whole life
//! round-trips through serde, in a human-readable format (JSON) and a binary one (postcard),
//! so a service can store accounts in its database and queue effects in an outbox.

mod common;
use common::*;

use inps_pin::*;
use jiff::civil::date;
use serde::Serialize;
use serde::de::DeserializeOwned;

/// Serializes, reads back, serializes again: both formats must give the same bytes twice,
/// and the value read back must equal the original.
fn round_trips<T>(value: &T)
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let json = serde_json::to_string(value).unwrap();
    let from_json: T = serde_json::from_str(&json).unwrap();
    assert_eq!(&from_json, value, "JSON changed the value: {json}");
    assert_eq!(serde_json::to_string(&from_json).unwrap(), json);

    let bytes = postcard::to_allocvec(value).unwrap();
    let from_bytes: T = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(&from_bytes, value, "postcard changed the value");
    assert_eq!(postcard::to_allocvec(&from_bytes).unwrap(), bytes);
}

/// Commands serialize for logs, without their secrets; they never deserialize (R32): a stored
/// or queued command would otherwise replay as a login. Serialized twice, the same bytes.
fn command_logs_stably(command: &Command) {
    let json = serde_json::to_string(command).unwrap();
    assert_eq!(serde_json::to_string(command).unwrap(), json);
    assert!(!postcard::to_allocvec(command).unwrap().is_empty());
}

/// Compiles only while `T` does not implement `Deserialize`: were it to, the two impls below
/// would both apply and the call would be ambiguous (the `impls` crate's trick).
trait AmbiguousIfDeserialize<A> {
    fn not_deserializable() {}
}
impl<T: ?Sized> AmbiguousIfDeserialize<()> for T {}
#[allow(dead_code)]
struct Deserializable;
impl<T: DeserializeOwned> AmbiguousIfDeserialize<Deserializable> for T {}

#[test]
fn r32_no_command_type_deserializes() {
    <Command as AmbiguousIfDeserialize<_>>::not_deserializable();
    <EnteredPin as AmbiguousIfDeserialize<_>>::not_deserializable();
    <DeviceToken as AmbiguousIfDeserialize<_>>::not_deserializable();
}

fn id_card() -> IdentityDocument {
    IdentityDocument::new(DocumentKind::IdentityCard, "CA12345AB", date(2030, 1, 1)).unwrap()
}

#[test]
fn r28_lifecycle_commands_serialize_for_logs() {
    let cf = person().codice_fiscale();
    let commands = [
        Command::RenewPin {
            pin: EnteredPin::parse("ABCDEFGH").unwrap(),
            trust_device: false,
            device: None,
        },
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: examined_copy(id_card()),
        },
        Command::DecideUpgrade {
            decision: UpgradeDecision::Reject(RejectionReason::new("copia illeggibile").unwrap()),
            reviewer: OperatorId::new("backoffice-1").unwrap(),
        },
        Command::DecideUpgrade {
            decision: UpgradeDecision::Approve,
            reviewer: OperatorId::new("backoffice-1").unwrap(),
        },
        Command::UpgradeAtSede {
            document: attested_by(id_card(), OperatorId::new("op-042").unwrap()),
        },
        Command::Restore {
            email: Email::parse("mario.rossi@example.it").unwrap(),
            mobile: MobileNumber::parse("3331234567").unwrap(),
        },
        Command::Revoke {
            tessera: register_checked(
                TesseraSanitaria::new(cf, "80380000001234567890", date(2029, 6, 30)).unwrap(),
            ),
        },
        Command::Tick,
    ];
    for command in &commands {
        command_logs_stably(command);
    }
    // The typed PIN of a renewal is never written.
    let json = serde_json::to_string(&commands[0]).unwrap();
    assert!(!json.contains("ABCDEFGH"), "{json}");
}

#[test]
fn r28_every_refusal_round_trips() {
    let refusals = [
        Refusal::WrongAccount {
            requested: cf("RCCMNL83S18D969H"),
        },
        Refusal::PinAlreadyLive,
        Refusal::TemporaryCodiceFiscale,
        Refusal::NoContactForFirstHalf,
        Refusal::IdentityDocumentExpired {
            expired_on: date(2020, 1, 1),
        },
        Refusal::WholePinRequired,
        Refusal::FirstPinLapsed {
            lapsed_at: at("2027-02-22T09:00:00Z"),
        },
        Refusal::FirstAccessRequired,
        Refusal::PinExpired {
            expired_at: at("2027-05-25T08:00:00Z"),
        },
        Refusal::RenewalNotDue {
            renewable_from: at("2027-05-11T08:00:00Z"),
        },
        Refusal::PinBlocked,
        Refusal::LoginDelayed {
            retry_after: at("2026-11-25T09:00:01.5Z"),
        },
        Refusal::NewPinsDiscontinued {
            since: date(2020, 10, 1),
        },
        Refusal::PinsRetired {
            since: date(2021, 10, 1),
        },
        Refusal::NoPin,
        Refusal::ContactsNotMatching,
        Refusal::TesseraNotMatching,
        Refusal::TesseraExpired {
            expired_on: date(2025, 12, 31),
        },
        Refusal::ArchiveNotMatching,
        Refusal::AttestationFromTheFuture,
        Refusal::AttestationStale {
            checked_at: at("2026-11-24T07:59:59Z"),
        },
        Refusal::AlreadyDispositivo,
        Refusal::UpgradePending,
        Refusal::NoUpgradePending,
        Refusal::HashingFailed,
    ];
    for refusal in &refusals {
        round_trips(refusal);
    }
    // Sub-second instants survive the binary form too.
    let delayed = refusals
        .iter()
        .find(|r| matches!(r, Refusal::LoginDelayed { .. }))
        .unwrap();
    let bytes = postcard::to_allocvec(delayed).unwrap();
    let back: Refusal = postcard::from_bytes(&bytes).unwrap();
    assert_eq!(
        back,
        Refusal::LoginDelayed {
            retry_after: at("2026-11-25T09:00:01.5Z")
        }
    );
}

#[test]
fn r28_a_whole_life_round_trips_at_every_step() {
    // Account, outcome (with notifications) and status after every step of a life that goes
    // through a lapse, an issue, a first access, an upgrade, a warning, an expiry, a renewal,
    // a block, a restore and a revocation.
    let mut policy = policy();
    policy.lockout = Lockout::new(vec![], 3).unwrap();
    let mut rng = rng(28);
    let mut account = Account::new(person().codice_fiscale());
    let mut now = t0();
    let check = |account: &Account, outcome: &Outcome, now| {
        round_trips(account);
        round_trips(&account.status(now, &policy));
        for event in &outcome.events {
            round_trips(event);
        }
        for notification in outcome.notifications() {
            round_trips(notification);
        }
        // Outcomes carry deliveries, which serialize without their code: compare the JSON.
        let json = serde_json::to_string(outcome).unwrap();
        let back: Outcome = serde_json::from_str(&json).unwrap();
        assert_eq!(serde_json::to_string(&back).unwrap(), json);
        assert!(back.deliveries().all(|d| d.secret().is_none()));
    };

    let issued = run(
        &mut account,
        request_pin(person(), ChannelRequest::Online),
        now,
        &policy,
        &mut rng,
    )
    .unwrap();
    check(&account, &issued, now);
    let whole = whole_pin_from(&issued);
    now = at("2026-11-26T09:00:00Z");
    let first = run(
        &mut account,
        Command::FirstAccess {
            pin: whole,
            trust_device: false,
        },
        now,
        &policy,
        &mut rng,
    )
    .unwrap();
    check(&account, &first, now);
    let pin_text = first
        .deliveries()
        .find(|d| d.part() == PinPart::Pin)
        .and_then(|d| d.secret())
        .map(|s| s.expose().to_owned())
        .unwrap();
    let typed = || EnteredPin::parse(&pin_text).unwrap();

    for (command, minutes) in [
        (
            Command::RequestUpgrade {
                via: UpgradeVia::Online,
                document: examined_copy(id_card()),
            },
            1,
        ),
        (
            Command::DecideUpgrade {
                decision: UpgradeDecision::Approve,
                reviewer: OperatorId::new("backoffice-1").unwrap(),
            },
            2,
        ),
    ] {
        now = now
            .checked_add(jiff::SignedDuration::from_mins(minutes))
            .unwrap();
        let outcome = run(&mut account, command, now, &policy, &mut rng).unwrap();
        check(&account, &outcome, now);
    }
    // The clock: the warning, then the expiry.
    while let Some(deadline) = account.poll_deadline(&policy) {
        now = deadline;
        let outcome = run(&mut account, Command::Tick, now, &policy, &mut rng).unwrap();
        check(&account, &outcome, now);
    }
    assert!(matches!(
        account.status(now, &policy),
        PinStatus::Expired { .. }
    ));
    let renewed = run(
        &mut account,
        Command::RenewPin {
            pin: typed(),
            trust_device: false,
            device: None,
        },
        now,
        &policy,
        &mut rng,
    )
    .unwrap();
    check(&account, &renewed, now);
    // A stranger blocks it (three failures in this policy), the owner restores, then revokes.
    for _ in 0..3 {
        let outcome = run(
            &mut account,
            Command::LogIn {
                pin: EnteredPin::parse("ZZZZZZZZ").unwrap(),
                device: None,
                trust_device: false,
            },
            now,
            &policy,
            &mut rng,
        )
        .unwrap();
        check(&account, &outcome, now);
    }
    assert_eq!(account.status(now, &policy), PinStatus::Blocked);
    let restored = run(
        &mut account,
        Command::Restore {
            email: Email::parse("mario.rossi@example.it").unwrap(),
            mobile: MobileNumber::parse("+39 333 123 4567").unwrap(),
        },
        now,
        &policy,
        &mut rng,
    )
    .unwrap();
    check(&account, &restored, now);
    let owner = account.codice_fiscale();
    let revoked = run(
        &mut account,
        Command::Revoke {
            tessera: register_checked(
                TesseraSanitaria::new(owner, "80380000001234567890", date(2029, 6, 30)).unwrap(),
            ),
        },
        now,
        &policy,
        &mut rng,
    )
    .unwrap();
    check(&account, &revoked, now);
    assert_eq!(account.status(now, &policy), PinStatus::None);
}

#[test]
fn r28_a_policy_with_every_setting_round_trips() {
    let mut policy = Policy::default().with_sunset(Sunset::inps_2020_2021());
    policy.lockout = Lockout::new(vec![2, 4, 8], 20).unwrap();
    policy.expiry_warning_days = 30;
    policy.attestation_valid_for = jiff::SignedDuration::from_mins(20);
    policy
        .catalogue
        .accept_first_half(&ServiceId::BONUS_600)
        .unwrap();
    round_trips(&policy);
    // A stored policy that NIST's cap or Argon2 would refuse does not load.
    let json = serde_json::to_string(&policy).unwrap();
    let tampered = json.replace("\"block_after\":20", "\"block_after\":101");
    assert!(serde_json::from_str::<Policy>(&tampered).is_err());
}
