//! Every stored form (StoredEvent, a list of them, UnversionedEvent, Account, Policy,
//! OutboxDelivery) loaded from arbitrary json bytes; see `common/stored.rs`.
#![no_main]

#[path = "../common/stored.rs"]
mod stored;

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| stored::check::<stored::Json>(data));
