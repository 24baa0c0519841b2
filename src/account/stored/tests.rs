//! The stored forms' unit tests: an account beyond the bounds (devices, restore requests)
//! loads in no stored form, current or earlier (R35).

use super::*;
use crate::account::{ActivePin, DeadlineMemo, RestoreRequest, Stage};
use crate::assurance::AssuranceLevel;
use crate::device::{DeviceId, TrustedDevice};
use crate::hash::PinHash;
use crate::lockout::LockState;
use crate::{CodiceFiscale, MAX_RESTORE_REQUESTS, MAX_TRUSTED_DEVICES};
use jiff::Timestamp;

const PHC: &str = "$argon2id$v=19$m=8,t=1,p=1$QUJDREVGR0hJSktMTU5PUA$\
                   mtpz7CnV0Kp8GnYnQYcs2O0Pu+GjXbVWGEkwo4eqtO0";

/// An account with an 8 in use, `devices` trusted devices and `restores` restore requests,
/// built field by field: the crate never writes one with more than its bounds, so this is
/// how a damaged or forged cache is made.
fn account_with(devices: usize, restores: usize) -> Option<Account> {
    let hash = PinHash::try_from(PHC).ok()?;
    let at = Timestamp::from_second(1_800_000_000).ok()?;
    let id = DeviceId::try_from("ABCD".to_owned()).ok()?;
    let mut account = Account::new(CodiceFiscale::parse("RSSMRA80A01H501U").ok()?);
    let mut record = PinRecord::new(Stage::Active(ActivePin {
        assurance: AssuranceLevel::Ordinary,
        hash: hash.clone(),
        expires_at: at,
        warned: false,
        expiry_noted: false,
        deadline_memo: DeadlineMemo::default(),
    }));
    record.devices = (0..devices)
        .map(|_| TrustedDevice {
            id: id.clone(),
            hash: hash.clone(),
            last_used_at: at,
            lock: LockState::default(),
        })
        .collect();
    record.restores_requested = (0..restores).map(|_| RestoreRequest { at }).collect();
    account.pin = Some(record);
    Some(account)
}

/// The account's postcard form in format 1: format 3's without the role (the second
/// field, one byte for a citizen), without the revocation instant (the last field, one
/// byte when absent) and with the PIN record's last field before it (the first-access
/// lane, three bytes when empty: no failures, no instant, not blocked) left off, and the
/// format (its first byte) 1.
fn as_format_1_postcard(account: &Account) -> Vec<u8> {
    let mut bytes = postcard::to_allocvec(account).unwrap_or_default();
    assert_eq!(bytes.get(..2), Some(&[3, 0][..]));
    assert!(bytes.ends_with(&[0, 0, 0, 0]));
    bytes.truncate(bytes.len() - 4);
    bytes.remove(1);
    if let Some(format) = bytes.first_mut() {
        *format = 1;
    }
    bytes
}

/// Every stored form of `account`: JSON in formats 3 and 1, then postcard in formats 3 and
/// 1 (format 1 without the role, the revocation instant and the first-access lane, empty
/// here).
fn loads(account: &Account) -> [Result<Account, String>; 4] {
    let json = serde_json::to_string(account).unwrap_or_default();
    let json_1 = json
        .replacen(r#"{"format":3,"role":"Citizen","#, r#"{"format":1,"#, 1)
        .replacen(
            r#","first_access_lock":{"failures":0,"last_failure":null,"blocked":false}"#,
            "",
            1,
        )
        .replacen(r#","revoked_at":null"#, "", 1);
    assert_ne!(json, json_1);
    [
        serde_json::from_str(&json).map_err(|e| e.to_string()),
        serde_json::from_str(&json_1).map_err(|e| e.to_string()),
        postcard::from_bytes(&postcard::to_allocvec(account).unwrap_or_default())
            .map_err(|e| e.to_string()),
        postcard::from_bytes(&as_format_1_postcard(account)).map_err(|e| e.to_string()),
    ]
}

#[test]
fn r35_an_account_within_the_bounds_loads_in_every_stored_form() {
    let devices = usize::from(MAX_TRUSTED_DEVICES);
    let restores = usize::from(MAX_RESTORE_REQUESTS);
    let account = account_with(devices, restores);
    assert!(account.is_some());
    if let Some(account) = account {
        for loaded in loads(&account) {
            assert_eq!(loaded.as_ref(), Ok(&account));
        }
    }
}

#[test]
fn r35_an_account_with_more_devices_than_any_policy_allows_loads_in_no_stored_form() {
    for devices in [usize::from(MAX_TRUSTED_DEVICES) + 1, 20_000] {
        let account = account_with(devices, 0);
        assert!(account.is_some());
        for (form, loaded) in account.iter().flat_map(loads).enumerate() {
            let error = loaded.err().unwrap_or_default();
            assert!(
                !error.is_empty(),
                "{devices} devices loaded from form {form}"
            );
            // The JSON errors name the bound (postcard's carry no message).
            if form < 2 {
                assert!(error.contains("more than 20 trusted devices"), "{error}");
            }
        }
    }
}

#[test]
fn r35_an_account_with_more_restore_requests_than_remembered_loads_in_no_stored_form() {
    for restores in [usize::from(MAX_RESTORE_REQUESTS) + 1, 20_000] {
        let account = account_with(0, restores);
        assert!(account.is_some());
        for (form, loaded) in account.iter().flat_map(loads).enumerate() {
            let error = loaded.err().unwrap_or_default();
            assert!(
                !error.is_empty(),
                "{restores} restores loaded from form {form}"
            );
            if form < 2 {
                assert!(error.contains("more than 10 restore requests"), "{error}");
            }
        }
    }
}
