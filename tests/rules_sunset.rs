//! The sunset of 2020–2021 (R22a): no new PINs from 1 October 2020, none works from
//! 1 October 2021.
//!
//! The rig (an account whose every command is checked for R27 and logged for R29, and a clock
//! driven by deadlines) is in `tests/common/rig.rs`.

mod common;
use common::rig::*;
use common::*;

use inps_pin::*;
use jiff::civil::date;

// ---------------------------------------------------------------------------------------------
// R22a: the sunset of 2020–2021.

#[test]
fn r22a_the_check_character_helper_agrees_with_the_parser() {
    for known in [
        "RSSMRA80A01H501U",
        "RCCMNL83S18D969H",
        "CCCFBA85D03L219P",
        "CCCFBA85D03L21VE",
    ] {
        assert_eq!(with_check_character(&known[..15]), known);
    }
    // And the codes the sunset tests build parse, with the birth dates meant.
    let today = date(2020, 10, 1);
    for (first15, born) in [
        ("RSSLCU05C15H501", date(2005, 3, 15)),
        ("RSSLCU02R01H501", date(2002, 10, 1)),
        ("RSSLCU02R02H501", date(2002, 10, 2)),
    ] {
        let code = CodiceFiscale::parse(&with_check_character(first15)).unwrap();
        assert_eq!(code.birth_date(today), Some(born));
    }
}

#[test]
fn r22a_new_pins_stop_at_rome_midnight_on_1_october_2020() {
    let policy = sunset_policy();
    // The last second of 30 September in Rome: accepted.
    let mut rig = Rig::with_policy(&person(), policy.clone());
    rig.request(person(), ChannelRequest::Online, at("2020-09-30T21:59:59Z"));
    rig.check_replay();
    // Midnight in Rome (22:00Z): refused, through every channel.
    let midnight = at("2020-09-30T22:00:00Z");
    assert_eq!(rome(midnight), "2020-10-01T00:00:00+02:00[Europe/Rome]");
    for channel in [
        ChannelRequest::Online,
        contact_center(PhoneKind::Mobile),
        sede_request(),
    ] {
        let mut rig = Rig::with_policy(&person(), policy.clone());
        let refusal = rig.refuse(request_pin(person(), channel), midnight);
        assert_eq!(
            refusal,
            Refusal::NewPinsDiscontinued {
                since: date(2020, 10, 1)
            }
        );
        assert_eq!(refusal.code(), "sunset.no_new_pins");
        assert!(refusal.message_it().contains("SPID"));
        assert_eq!(rig.account.version(), 0);
    }
}

#[test]
fn r22a_minors_and_declared_exemptions_still_get_a_new_pin() {
    let policy = sunset_policy();
    let now = at("2020-10-01T08:00:00Z");
    let accepted = [
        // Born 15 March 2005: 15 years old.
        citizen_born("RSSLCU05C15H501"),
        // Turns 18 on 2 October 2020: still a minor on the 1st.
        citizen_born("RSSLCU02R02H501"),
        person().with_sunset_exemption(SunsetExemption::NoItalianIdentityDocument),
        person().with_sunset_exemption(SunsetExemption::LegalProtection),
    ];
    for who in accepted {
        let mut rig = Rig::with_policy(&who, policy.clone());
        let whole = rig.request(who, ChannelRequest::Online, now);
        rig.first_access(&whole, now + secs(60));
        rig.check_replay();
    }
    // Turned 18 on 1 October 2020: an adult that day.
    let adult = citizen_born("RSSLCU02R01H501");
    let mut rig = Rig::with_policy(&adult, policy);
    let refusal = rig.refuse(request_pin(adult, ChannelRequest::Online), now);
    assert_eq!(refusal.code(), "sunset.no_new_pins");
}

#[test]
fn r22a_a_live_pin_is_used_and_renewed_between_the_dates_and_nothing_works_after() {
    let mut rig = Rig::with_policy(&person(), sunset_policy());
    let code = rig.activate(person(), ChannelRequest::Online, at("2020-06-02T08:00:00Z"));
    assert_eq!(rig.expiry(), at("2020-12-02T09:00:00Z"));
    // Between the dates: login, renewal.
    rig.session(&code, at("2020-10-15T08:00:00Z"));
    let (_, code) = rig.renew(&code, at("2020-11-25T09:00:00Z"));
    assert_eq!(rig.expiry(), at("2021-05-25T08:00:00Z"));
    let (_, code) = rig.renew(&code, at("2021-05-20T08:00:00Z"));
    assert_eq!(rig.expiry(), at("2021-11-20T09:00:00Z"));
    // The last second of 30 September 2021 in Rome.
    let last = at("2021-09-30T21:59:59Z");
    rig.session(&code, last);

    // From midnight on 1 October 2021 in Rome, nothing a PIN does works.
    let retired = at("2021-09-30T22:00:00Z");
    let since = date(2021, 10, 1);
    for command in [
        Command::LogIn {
            pin: entered(&code),
            device: None,
            trust_device: false,
        },
        Command::LogIn {
            pin: wrong(&code),
            device: None,
            trust_device: false,
        },
        Command::RenewPin {
            pin: entered(&code),
            trust_device: false,
            device: None,
        },
        restore_with_mario_contacts(),
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: examined_copy(valid_identity_card()),
        },
        Command::UpgradeAtSede {
            document: attested_by(valid_identity_card(), operator("op-042")),
        },
    ] {
        let name = command.name();
        let refusal = rig.refuse(command, retired);
        assert_eq!(refusal, Refusal::PinsRetired { since }, "{name}");
        assert_eq!(refusal.code(), "sunset.pins_retired");
        assert!(refusal.message_it().contains("SPID"));
    }
    // Not even a minor gets a new one now.
    let minor = citizen_born("RSSLCU05C15H501");
    let mut other = Rig::with_policy(&minor, sunset_policy());
    let refusal = other.refuse(request_pin(minor, ChannelRequest::Online), retired);
    assert_eq!(refusal.code(), "sunset.pins_retired");
    rig.check_replay();
}

#[test]
fn r22a_a_restore_and_a_first_access_work_between_the_dates() {
    let mut rig = Rig::with_policy(&person(), sunset_policy());
    // Requested before the cut-off; the post arrives after it.
    let whole = rig.request(person(), ChannelRequest::Online, at("2020-09-25T08:00:00Z"));
    let code = rig.first_access(&whole, at("2020-10-05T08:00:00Z"));
    rig.session(&code, at("2020-10-06T08:00:00Z"));
    let outcome = rig.ok(restore_with_mario_contacts(), at("2021-02-01T09:00:00Z"));
    let new = rig.first_access(&whole_code(&outcome), at("2021-02-02T09:00:00Z"));
    rig.session(&new, at("2021-02-03T09:00:00Z"));
    // A first access after the retirement is refused.
    let outcome = rig.ok(restore_with_mario_contacts(), at("2021-09-20T09:00:00Z"));
    let refusal = rig.refuse(
        Command::FirstAccess {
            pin: entered(&whole_code(&outcome)),
            trust_device: false,
        },
        at("2021-10-01T09:00:00Z"),
    );
    assert_eq!(refusal.code(), "sunset.pins_retired");
    rig.check_replay();
}

#[test]
fn r22a_no_renewal_notices_after_the_retirement() {
    // A person under amministrazione di sostegno got a PIN after the cut-off.
    let protected = person().with_sunset_exemption(SunsetExemption::LegalProtection);
    let mut rig = Rig::with_policy(&protected, sunset_policy());
    let code = rig.activate(
        protected,
        ChannelRequest::Online,
        at("2021-05-20T08:00:00Z"),
    );
    assert_eq!(rig.expiry(), at("2021-11-20T09:00:00Z"));
    let outcomes = rig.advance(at("2022-01-01T00:00:00Z"));
    let sent: Vec<_> = outcomes.iter().flat_map(notices).collect();
    // The renewal these notices invite is refused.
    let refusal = rig.refuse(
        Command::RenewPin {
            pin: entered(&code),
            trust_device: false,
            device: None,
        },
        at("2021-11-10T09:00:00Z"),
    );
    assert_eq!(refusal.code(), "sunset.pins_retired");
    assert_eq!(sent, [], "notices inviting a renewal that cannot happen");
}

#[test]
fn r22a_the_default_policy_has_no_sunset() {
    assert_eq!(policy().sunset, None);
    assert_eq!(Policy::default().sunset, None);
    let mut rig = Rig::new(&person());
    let code = rig.activate(person(), ChannelRequest::Online, at("2021-10-05T08:00:00Z"));
    rig.session(&code, at("2022-01-10T09:00:00Z"));
    let (_, code) = rig.renew(&code, at("2022-04-01T08:00:00Z"));
    rig.session(&code, at("2022-04-02T08:00:00Z"));
    rig.check_replay();
}
