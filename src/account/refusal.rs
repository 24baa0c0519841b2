//! Refusals: commands that change nothing, and why (R27, R30).

use jiff::Timestamp;
use jiff::civil::Date;
use thiserror::Error;

use crate::CodiceFiscale;

/// Why a command was refused. A refused command leaves the account exactly as it was (R27).
///
/// Each refusal has a stable [`code`](Refusal::code) for logs and APIs, an English message for
/// operators (`Display`) and an Italian one for citizens ([`message_it`](Refusal::message_it))
/// that says what to do next (R30). None repeats a secret, and none tells an attacker whether a
/// guessed PIN was close: a wrong PIN is not a refusal but a counted
/// [`LoginFailure`](crate::LoginFailure).
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum Refusal {
    /// The request names another person than the account's.
    #[error(
        "the request is for codice fiscale {requested}, not for this account's: load the account of {requested}"
    )]
    WrongAccount {
        /// The codice fiscale in the request.
        requested: CodiceFiscale,
    },
    /// The person already has a live PIN (R14).
    #[error(
        "a PIN is already live for this codice fiscale: {}",
        if *pending_first_access { "finish the first access with the 16 characters" }
        else { "restore it with the registered contacts, or revoke it with the tessera sanitaria and request again" }
    )]
    PinAlreadyLive {
        /// Whether the live PIN still waits for its first access.
        pending_first_access: bool,
    },
    /// The online procedure needs an e-mail address or a mobile number for the first half.
    #[error(
        "the online request needs an e-mail address or a mobile number for the first half: add one, or request through the Contact Center or a sede"
    )]
    NoContactForFirstHalf,
    /// The identity document shown has expired.
    #[error("the identity document expired on {expired_on}: a valid document is needed")]
    IdentityDocumentExpired {
        /// Its last valid day.
        expired_on: Date,
    },
    /// The first access needs all 16 characters.
    #[error(
        "the first access needs all 16 characters of the PIN: type the first 8 and the 8 received by post"
    )]
    WholePinRequired,
    /// The 16-character PIN was not used in time and has lapsed (R9).
    #[error("the 16-character PIN lapsed at {lapsed_at} without a first access: request a new PIN")]
    FirstPinLapsed {
        /// When it lapsed.
        lapsed_at: Timestamp,
    },
    /// A login with the 16-character PIN before the first access (R6).
    #[error(
        "the 16-character PIN is for the first access: complete it to receive the 8-character PIN"
    )]
    FirstAccessRequired,
    /// Argon2 could not hash: only with a cost it refuses, which the policy's types rule out.
    #[error("the PIN could not be hashed with the policy's cost: check Policy::hash_cost")]
    HashingFailed,
}

impl Refusal {
    /// A stable code for logs and APIs.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::WrongAccount { .. } => "request.wrong_account",
            Refusal::PinAlreadyLive { .. } => "request.pin_already_live",
            Refusal::NoContactForFirstHalf => "request.no_contact_for_first_half",
            Refusal::IdentityDocumentExpired { .. } => "request.identity_document_expired",
            Refusal::WholePinRequired => "first_access.whole_pin_required",
            Refusal::FirstPinLapsed { .. } => "first_access.pin_lapsed",
            Refusal::FirstAccessRequired => "login.first_access_required",
            Refusal::HashingFailed => "internal.hashing_failed",
        }
    }

    /// The message for citizens, in Italian: what happened and what to do next.
    #[must_use]
    pub fn message_it(&self) -> &'static str {
        match self {
            Refusal::WrongAccount { .. } => {
                "Il codice fiscale indicato non corrisponde. Controlla il codice fiscale sulla \
                 tessera sanitaria e riprova."
            }
            Refusal::PinAlreadyLive {
                pending_first_access: true,
            } => {
                "Hai già richiesto un PIN. Completa il primo accesso con il PIN di 16 caratteri: \
                 i primi 8 li hai ricevuti online o dal Contact Center, gli altri 8 arrivano per \
                 posta all'indirizzo di residenza."
            }
            Refusal::PinAlreadyLive {
                pending_first_access: false,
            } => {
                "Hai già un PIN attivo. Se lo hai smarrito, ripristinalo con la funzione \
                 \"Ripristina PIN\" usando i recapiti registrati; se non hai registrato recapiti, \
                 revocalo con la tessera sanitaria e richiedine uno nuovo."
            }
            Refusal::NoContactForFirstHalf => {
                "Per la richiesta online serve un indirizzo e-mail o un numero di cellulare a cui \
                 inviare i primi 8 caratteri del PIN. In alternativa chiama il Contact Center \
                 (803 164 da rete fissa, 06 164 164 da cellulare) o recati in una sede INPS."
            }
            Refusal::IdentityDocumentExpired { .. } => {
                "Il documento di identità è scaduto. Presenta un documento di identità in corso \
                 di validità."
            }
            Refusal::WholePinRequired => {
                "Per il primo accesso inserisci il PIN completo di 16 caratteri: i primi 8 \
                 ricevuti online o dal Contact Center, seguiti dagli 8 arrivati per posta."
            }
            Refusal::FirstPinLapsed { .. } => {
                "Il PIN di 16 caratteri non è stato usato in tempo ed è scaduto. Richiedi un nuovo \
                 PIN online, al Contact Center o in una sede INPS."
            }
            Refusal::FirstAccessRequired => {
                "Prima di entrare completa il primo accesso con il PIN di 16 caratteri: al termine \
                 riceverai il PIN di 8 caratteri da usare per gli accessi successivi."
            }
            Refusal::HashingFailed => {
                "Il servizio non è al momento disponibile. Riprova più tardi o chiama il Contact \
                 Center: 803 164 da rete fissa, 06 164 164 da cellulare."
            }
        }
    }

    /// The message for operators, in English (the same as `Display`).
    #[must_use]
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}
