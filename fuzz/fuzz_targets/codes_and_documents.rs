//! The parsers of codes and of what operators type: a PIN, a device token, a tessera
//! sanitaria's number, an identity document's number, an operator id, a rejection reason.
//! No panic on any text; what parses prints a form that parses back to it; a PIN's text never
//! shows in its `Debug`.
#![no_main]

use inps_pin::{
    CodiceFiscale, DeviceToken, DocumentKind, EnteredPin, IdentityDocument, OperatorId,
    RejectionReason, TesseraSanitaria,
};
use libfuzzer_sys::fuzz_target;

fuzz_target!(|text: &str| {
    match EnteredPin::parse(text) {
        Ok(pin) => {
            assert!(pin.len() == 8 || pin.len() == 16);
            // R8: the typed characters never show.
            assert_eq!(
                format!("{pin:?}"),
                format!("EnteredPin({} chars, [redacted])", pin.len())
            );
        }
        Err(error) => {
            let _ = (error.code(), error.message_it(), error.to_string());
        }
    }
    if let Ok(token) = DeviceToken::parse(text) {
        assert_eq!(DeviceToken::parse(token.expose()).as_ref(), Ok(&token));
        let _ = token.device_id();
    }
    let day = jiff::civil::date(2030, 1, 1);
    if let Ok(cf) = CodiceFiscale::parse("RSSMRA80A01H501U") {
        match TesseraSanitaria::new(cf, text, day) {
            Ok(card) => assert_eq!(
                TesseraSanitaria::new(cf, card.card_number(), day).as_ref(),
                Ok(&card)
            ),
            Err(error) => {
                let _ = (error.code(), error.message_it(), error.to_string());
            }
        }
    }
    match IdentityDocument::new(DocumentKind::Passport, text, day) {
        Ok(document) => assert_eq!(
            IdentityDocument::new(DocumentKind::Passport, document.number(), day).as_ref(),
            Ok(&document)
        ),
        Err(error) => {
            let _ = (error.code(), error.message_it(), error.to_string());
        }
    }
    match OperatorId::new(text) {
        Ok(id) => assert_eq!(OperatorId::new(id.as_str()).as_ref(), Ok(&id)),
        Err(error) => {
            let _ = (error.code(), error.message_it(), error.to_string());
        }
    }
    match RejectionReason::new(text) {
        Ok(reason) => assert_eq!(RejectionReason::new(reason.as_str()).as_ref(), Ok(&reason)),
        Err(error) => {
            let _ = (error.code(), error.message_it(), error.to_string());
        }
    }
});
