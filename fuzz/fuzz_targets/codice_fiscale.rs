//! `CodiceFiscale::parse` on any text: no panic; a code that parses prints a form that parses
//! back to it, and its decoded parts and omocode variants are consistent.
#![no_main]

use inps_pin::CodiceFiscale;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match CodiceFiscale::parse(text) {
        Ok(cf) => {
            assert_eq!(CodiceFiscale::parse(cf.as_str()), Ok(cf));
            assert_eq!(cf.to_string(), cf.as_str());
            assert_eq!(cf.as_str().parse::<CodiceFiscale>(), Ok(cf));
            let json = serde_json::to_string(&cf).unwrap();
            assert_eq!(serde_json::from_str::<CodiceFiscale>(&json).unwrap(), cf);
            let _ = (cf.sex(), cf.birth_month(), cf.birth_day(), cf.place_code());
            let _ = cf.birth_date(jiff::civil::date(2026, 1, 1));
            let base = cf.base();
            assert!(!base.is_omocode());
            assert_eq!(base.base(), base);
            if !cf.is_temporary() {
                assert!(base.omocode_variants().take(200).all(|v| v.base() == base));
            }
        }
        Err(error) => {
            let _ = (error.code(), error.message_it(), error.to_string());
        }
    }
});
