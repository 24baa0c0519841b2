//! The parsers of what a person types about themself (name, e-mail, mobile, landline, postal
//! code, province, address): no panic on any text, and a value that parses prints a form
//! that parses back to it.
#![no_main]

use inps_pin::{Address, Email, LandlineNumber, MobileNumber, PersonName, PostalCode, Province};
use libfuzzer_sys::fuzz_target;

macro_rules! round_trip {
    ($type:ty, $text:expr) => {
        match <$type>::parse($text) {
            Ok(value) => assert_eq!(<$type>::parse(value.as_str()).as_ref(), Ok(&value)),
            Err(error) => {
                let _ = (
                    error.code(),
                    error.message_it(),
                    error.to_string(),
                    error.field(),
                );
            }
        }
    };
}

fuzz_target!(|text: &str| {
    round_trip!(PersonName, text);
    round_trip!(Email, text);
    round_trip!(MobileNumber, text);
    round_trip!(LandlineNumber, text);
    round_trip!(PostalCode, text);
    round_trip!(Province, text);
    // An address from four fields split at '|'.
    let mut fields = text.splitn(4, '|');
    let (street, code, town, province) = (
        fields.next().unwrap_or(""),
        fields.next().unwrap_or(""),
        fields.next().unwrap_or(""),
        fields.next().unwrap_or(""),
    );
    if let Ok(address) = Address::new(street, code, town, province) {
        let again = Address::new(
            address.street(),
            address.postal_code().as_str(),
            address.municipality(),
            address.province().as_str(),
        );
        assert_eq!(again.as_ref(), Ok(&address));
        let json = serde_json::to_string(&address).unwrap();
        assert_eq!(serde_json::from_str::<Address>(&json).unwrap(), address);
    }
});
