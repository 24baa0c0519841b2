//! Notifications: what the person is told about their PIN, outside a delivery of a code.

use core::fmt;

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::civil_time::rome_date;
use crate::delivery::Medium;
use crate::person::Person;

/// A message to send to the person, through the medium it names. Carries no secret.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Notification {
    about: Notice,
    to: Medium,
}

impl Notification {
    /// A notice for `person` by e-mail if they gave one, else by SMS, else by post to the
    /// residence: the fastest channel that reaches them.
    pub(crate) fn to_person(person: &Person, about: Notice) -> Notification {
        let to = Medium::electronic_contact(person)
            .unwrap_or_else(|| Medium::Post(person.residence().clone()));
        Notification { about, to }
    }

    /// What it says.
    #[must_use]
    pub fn about(&self) -> &Notice {
        &self.about
    }

    /// Where it goes.
    #[must_use]
    pub fn to(&self) -> &Medium {
        &self.to
    }
}

impl fmt::Display for Notification {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} {}", self.about.code(), self.to)
    }
}

/// What a notification is about.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Notice {
    /// The PIN expires soon and can be renewed now (R22).
    ExpiryWarning {
        /// When it expires.
        #[serde(with = "crate::timestamp_serde")]
        expires_at: Timestamp,
    },
    /// The PIN expired; the guided procedure gives a new one (R20, R21).
    PinExpired {
        /// When it expired.
        #[serde(with = "crate::timestamp_serde")]
        expired_at: Timestamp,
    },
    /// The 16-character PIN lapsed without a first access (R9).
    FirstPinLapsed {
        /// When it lapsed.
        #[serde(with = "crate::timestamp_serde")]
        lapsed_at: Timestamp,
    },
    /// Too many wrong PINs blocked the account; a restore lifts the block (R25).
    PinBlocked,
    /// The PIN became dispositivo (R16, R17).
    UpgradeApproved,
    /// The request to make the PIN dispositivo was rejected (R17).
    UpgradeRejected {
        /// The back office's reason.
        reason: String,
    },
    /// The PIN was revoked; a new one can be requested (R24).
    PinRevoked,
    /// Someone asked to restore the PIN with the registered contacts (R23a): the new code
    /// went to those contacts, and the PIN in use keeps working until that code's first access.
    RestoreRequested,
}

impl Notice {
    /// A stable code for logs and templates.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Notice::ExpiryWarning { .. } => "notice.expiry_warning",
            Notice::PinExpired { .. } => "notice.pin_expired",
            Notice::FirstPinLapsed { .. } => "notice.first_pin_lapsed",
            Notice::PinBlocked => "notice.pin_blocked",
            Notice::UpgradeApproved => "notice.upgrade_approved",
            Notice::UpgradeRejected { .. } => "notice.upgrade_rejected",
            Notice::PinRevoked => "notice.pin_revoked",
            Notice::RestoreRequested => "notice.restore_requested",
        }
    }

    /// The text for the person, in Italian, with dates on the Rome calendar.
    #[must_use]
    pub fn message_it(&self) -> String {
        match self {
            Notice::ExpiryWarning { expires_at } => format!(
                "Il tuo PIN INPS scade il {}. Puoi rinnovarlo da ora con la procedura guidata: \
                 accedi con il PIN attuale e segui le istruzioni.",
                italian_date(*expires_at)
            ),
            Notice::PinExpired { expired_at } => format!(
                "Il tuo PIN INPS è scaduto il {}. Al prossimo accesso la procedura guidata ti \
                 darà un nuovo PIN.",
                italian_date(*expired_at)
            ),
            Notice::FirstPinLapsed { lapsed_at } => format!(
                "Il PIN di 16 caratteri non è stato usato entro il {} ed è scaduto. Richiedi un \
                 nuovo PIN online, al Contact Center o in una sede INPS.",
                italian_date(*lapsed_at)
            ),
            Notice::PinBlocked => "Il tuo PIN INPS è stato bloccato dopo troppi tentativi errati. \
                 Ripristinalo con la funzione \"Ripristina PIN\" usando i recapiti registrati, \
                 oppure revocalo con la tessera sanitaria e richiedine uno nuovo."
                .to_owned(),
            Notice::UpgradeApproved => "La tua richiesta è stata accolta: il tuo PIN è ora \
                 dispositivo e puoi presentare domande di prestazioni online."
                .to_owned(),
            Notice::UpgradeRejected { reason } => format!(
                "La tua richiesta di PIN dispositivo non è stata accolta: {reason}. Puoi \
                 ripresentarla con un documento di identità valido, o recarti in una sede INPS."
            ),
            Notice::RestoreRequested => "È stato chiesto il ripristino del tuo PIN INPS: il \
                 nuovo codice è stato inviato all'e-mail e al cellulare registrati. Il PIN che usi \
                 resta valido finché non completi il primo accesso con il nuovo codice. Se non \
                 l'hai chiesto tu, ignora il nuovo codice e continua a usare il tuo PIN."
                .to_owned(),
            Notice::PinRevoked => "Il tuo PIN INPS è stato revocato. Puoi richiederne uno nuovo \
                 online, al Contact Center o in una sede INPS."
                .to_owned(),
        }
    }
}

/// A date as Italians write it: 28/02/2027.
fn italian_date(instant: Timestamp) -> String {
    rome_date(instant).strftime("%d/%m/%Y").to_string()
}
