//! Refusals: commands that change nothing, and why (R27, R30).

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::CodiceFiscale;

const CONTACT_CENTER: &str = "803 164 da rete fissa, 06 164 164 da cellulare";

/// Why a command was refused. A refused command leaves the account exactly as it was (R27).
///
/// Each refusal has a stable [`code`](Refusal::code) for logs and APIs, an English message for
/// operators (`Display`) and an Italian one for citizens ([`message_it`](Refusal::message_it))
/// that says what to do next (R30). None repeats a secret. A wrong PIN is not a refusal but a
/// counted [`LoginFailure`](crate::LoginFailure); refusals that concern a PIN's state (expired,
/// lapsed, first access due) come only after the right PIN was typed, so they tell a guesser
/// nothing. A login lane inside its delay, or blocked, answers whoever knows only the codice
/// fiscale with a [`LoginFailure`](crate::LoginFailure) too, as a wrong PIN (R30a): the
/// lockout's own refusals, [`Refusal::LoginDelayed`] and [`Refusal::PinBlocked`], go only to
/// a trusted device, which proved more than a codice fiscale (its own delay, R25a), and to
/// commands of a holder of a session (an upgrade on a blocked PIN).
///
/// Refusals serialize (R28), so a service can return them from an API or log them as records.
#[derive(Clone, Debug, PartialEq, Eq, Error, Serialize, Deserialize)]
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
    /// The person already has a live PIN (R14). One answer whatever the PIN is doing
    /// (waiting for its first access, in use, expired, blocked): a request needs no more than a
    /// codice fiscale, so the answer must not tell the PIN's state (R30a). Operators read it
    /// from [`Account::status`](crate::Account::status).
    #[error(
        "a PIN is already live for this codice fiscale: log in with it (the 16 characters for \
         the first access, the guided renewal once expired), restore it with the registered \
         contacts, or revoke it with the tessera sanitaria and request again"
    )]
    PinAlreadyLive,
    /// A temporary (11-digit) codice fiscale where the policy does not accept one (R3).
    #[error(
        "the request gives a temporary codice fiscale, which this service does not accept: request with the definitive 16-character code"
    )]
    TemporaryCodiceFiscale,
    /// The online procedure needs an e-mail address or a mobile number for the first half.
    #[error(
        "the online request needs an e-mail address or a mobile number for the first half: add one, or request through the Contact Center or a sede"
    )]
    NoContactForFirstHalf,
    /// The identity document shown has expired (R13, R16).
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
        #[serde(with = "crate::timestamp_serde")]
        lapsed_at: Timestamp,
    },
    /// The 16-character PIN is for the first access only (R6).
    #[error(
        "the 16-character PIN is for the first access: complete it to receive the 8-character PIN"
    )]
    FirstAccessRequired,
    /// The PIN expired (R20): the guided renewal gives a new one (R21).
    #[error("the PIN expired at {expired_at}: renew it with the guided procedure")]
    PinExpired {
        /// When it expired.
        #[serde(with = "crate::timestamp_serde")]
        expired_at: Timestamp,
    },
    /// A renewal before the renewal window opens (R21, R22).
    #[error("the PIN can be renewed from {renewable_from}, when its expiry is near")]
    RenewalNotDue {
        /// When renewal opens.
        #[serde(with = "crate::timestamp_serde")]
        renewable_from: Timestamp,
    },
    /// Too many wrong PINs blocked it (R25): told to a command of a session's holder (an
    /// upgrade), never to a login or renewal without a trusted device, which reads a
    /// [`LoginFailure`](crate::LoginFailure) (R30a).
    #[error(
        "the PIN is blocked after too many wrong attempts: restore it with the registered contacts, or revoke it with the tessera sanitaria"
    )]
    PinBlocked,
    /// A try from a trusted device inside its own delay after a wrong PIN (R25, R25a). Every
    /// other client inside its lane's delay reads a [`LoginFailure`](crate::LoginFailure)
    /// (R30a).
    #[error("too many attempts: try again from {retry_after}")]
    LoginDelayed {
        /// When a new try is accepted.
        #[serde(with = "crate::timestamp_serde")]
        retry_after: Timestamp,
    },
    /// No new PINs since the sunset's cut-off, and no exemption applies (R22a).
    #[error(
        "no new PINs are issued since {since}: log in with SPID, CIE or CNS, or declare an exemption"
    )]
    NewPinsDiscontinued {
        /// The first day without new PINs.
        since: Date,
    },
    /// No PIN works since the sunset's end (R22a).
    #[error("PINs stopped working on {since}: log in with SPID, CIE or CNS")]
    PinsRetired {
        /// The first day no PIN works.
        since: Date,
    },
    /// The account has no PIN to act on.
    #[error("the account has no PIN: request one")]
    NoPin,
    /// The contacts given for a restore are not the two registered ones, or none were
    /// registered (R23, R24).
    #[error(
        "the contacts do not match the two registered with the PIN: give the registered e-mail and mobile, or revoke with the tessera sanitaria"
    )]
    ContactsNotMatching,
    /// The tessera sanitaria belongs to someone else (R24).
    #[error("the tessera sanitaria is not this person's: use the card with this codice fiscale")]
    TesseraNotMatching,
    /// The tessera sanitaria has expired (R24).
    #[error("the tessera sanitaria expired on {expired_on}: use a valid card")]
    TesseraExpired {
        /// Its last valid day.
        expired_on: Date,
    },
    /// The archive record vouched for in a request is another codice fiscale's (R35).
    #[error(
        "the archive record given is for another codice fiscale than this account's: look up this codice fiscale in the archive and send the request with its record"
    )]
    ArchiveNotMatching,
    /// An attestation dated after the command: a check cannot vouch for a command before it
    /// was made (R35).
    #[error(
        "the attestation is dated after the command: check the clocks of the checking system and of this service, then check again"
    )]
    AttestationFromTheFuture,
    /// An attestation older than the policy allows (R35).
    #[error(
        "the attestation was checked at {checked_at}, longer ago than Policy::attestation_valid_for allows: check again and send the command with the new attestation"
    )]
    AttestationStale {
        /// When it was checked.
        #[serde(with = "crate::timestamp_serde")]
        checked_at: Timestamp,
    },
    /// The PIN is dispositivo already (R16).
    #[error("the PIN is already dispositivo: nothing to upgrade")]
    AlreadyDispositivo,
    /// An upgrade request already waits for the back office (R17).
    #[error("an upgrade request is already waiting for the back office: wait for its decision")]
    UpgradePending,
    /// A decision with no request waiting (R17).
    #[error("no upgrade request is waiting: nothing to decide")]
    NoUpgradePending,
    /// The account took as many restore requests as the policy allows in its window (R23a).
    #[error(
        "the restore was asked for too many times lately: use the codes already sent, or try again from {retry_after}"
    )]
    RestoreLimitReached {
        /// When a new request is accepted.
        #[serde(with = "crate::timestamp_serde")]
        retry_after: Timestamp,
    },
    /// A stored PIN hash states a cost above the policy's bound, or does not parse: the
    /// stored account is damaged or was tampered with, and the hash was not run (R35).
    #[error(
        "the stored PIN hash of this account is outside the policy's bounds and was not run: the stored account is damaged or was tampered with; restore the PIN or revoke it"
    )]
    StoredHashRejected,
    /// An erasure that finds no personal data and no PIN (R36): erased already, or never
    /// requested. Nothing is written, so erasing twice records one erasure.
    #[error(
        "the account holds no personal data and no PIN: nothing to erase (it was erased \
         already, or no PIN was ever requested)"
    )]
    NothingToErase,
    /// An inconsistency inside the crate: the lifecycle table named a check or an outcome
    /// that does not fit the command. Tests keep it unreachable; should it happen, the command
    /// is refused rather than half-checked.
    #[error("internal inconsistency in the lifecycle table: report it; nothing was changed")]
    Internal,
    /// Argon2 could not hash: only with a cost it refuses, which the policy's types rule out.
    #[error("the PIN could not be hashed with the policy's cost: check Policy::hash_cost")]
    HashingFailed,
}

/// What kind of refusal it is, whatever the transport: a service maps these few classes to its
/// own answers (HTTP statuses, gRPC codes) rather than every variant, so a new variant lands in
/// the right class without a change on the service's side (R30).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum RefusalClass {
    /// What was sent is wrong or incomplete: correct it and send again (HTTP 400/422).
    InvalidInput,
    /// The account's state does not allow it now: another step comes first (HTTP 409).
    Conflict,
    /// Not allowed with what was shown: another card, contacts or attestation (HTTP 403).
    Forbidden,
    /// Blocked after wrong PINs until a restore or a revocation (HTTP 423).
    Locked,
    /// Too many tries: wait until the time given (HTTP 429 with `Retry-After`).
    RateLimited,
    /// Gone for good: lapsed, expired, retired (HTTP 410).
    Gone,
    /// Nothing to act on (HTTP 404).
    NotFound,
    /// The service's side failed: nothing the person can correct (HTTP 500).
    Internal,
}

impl Refusal {
    /// The transport-neutral class of the refusal (R30).
    ///
    /// ```
    /// use inps_pin::{Refusal, RefusalClass};
    ///
    /// assert_eq!(Refusal::PinBlocked.class(), RefusalClass::Locked);
    /// assert_eq!(Refusal::WholePinRequired.class(), RefusalClass::InvalidInput);
    /// ```
    #[must_use]
    pub fn class(&self) -> RefusalClass {
        match self {
            Refusal::WrongAccount { .. }
            | Refusal::TemporaryCodiceFiscale
            | Refusal::NoContactForFirstHalf
            | Refusal::WholePinRequired
            | Refusal::IdentityDocumentExpired { .. }
            | Refusal::TesseraExpired { .. }
            | Refusal::AttestationFromTheFuture
            | Refusal::AttestationStale { .. } => RefusalClass::InvalidInput,
            Refusal::PinAlreadyLive
            | Refusal::FirstAccessRequired
            | Refusal::RenewalNotDue { .. }
            | Refusal::AlreadyDispositivo
            | Refusal::UpgradePending
            | Refusal::PinExpired { .. } => RefusalClass::Conflict,
            Refusal::ContactsNotMatching
            | Refusal::TesseraNotMatching
            | Refusal::ArchiveNotMatching
            | Refusal::NewPinsDiscontinued { .. } => RefusalClass::Forbidden,
            Refusal::PinBlocked => RefusalClass::Locked,
            Refusal::LoginDelayed { .. } | Refusal::RestoreLimitReached { .. } => {
                RefusalClass::RateLimited
            }
            Refusal::FirstPinLapsed { .. } | Refusal::PinsRetired { .. } => RefusalClass::Gone,
            Refusal::NoPin | Refusal::NoUpgradePending | Refusal::NothingToErase => {
                RefusalClass::NotFound
            }
            Refusal::StoredHashRejected | Refusal::Internal | Refusal::HashingFailed => {
                RefusalClass::Internal
            }
        }
    }

    /// When to try again, for the refusals that say so (a `Retry-After`).
    #[must_use]
    pub fn retry_after(&self) -> Option<Timestamp> {
        match self {
            Refusal::LoginDelayed { retry_after }
            | Refusal::RestoreLimitReached { retry_after } => Some(*retry_after),
            _ => None,
        }
    }

    /// A stable code for logs and APIs.
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            Refusal::WrongAccount { .. } => "request.wrong_account",
            Refusal::PinAlreadyLive => "request.pin_already_live",
            Refusal::TemporaryCodiceFiscale => "request.temporary_codice_fiscale",
            Refusal::NoContactForFirstHalf => "request.no_contact_for_first_half",
            Refusal::IdentityDocumentExpired { .. } => "request.identity_document_expired",
            Refusal::WholePinRequired => "first_access.whole_pin_required",
            Refusal::FirstPinLapsed { .. } => "first_access.pin_lapsed",
            Refusal::FirstAccessRequired => "login.first_access_required",
            Refusal::PinExpired { .. } => "login.pin_expired",
            Refusal::RenewalNotDue { .. } => "renewal.not_due",
            Refusal::PinBlocked => "login.pin_blocked",
            Refusal::LoginDelayed { .. } => "login.delayed",
            Refusal::NewPinsDiscontinued { .. } => "sunset.no_new_pins",
            Refusal::PinsRetired { .. } => "sunset.pins_retired",
            Refusal::NoPin => "account.no_pin",
            Refusal::ContactsNotMatching => "restore.contacts_not_matching",
            Refusal::TesseraNotMatching => "revoke.tessera_not_matching",
            Refusal::TesseraExpired { .. } => "revoke.tessera_expired",
            Refusal::ArchiveNotMatching => "request.archive_not_matching",
            Refusal::AttestationFromTheFuture => "attestation.from_the_future",
            Refusal::AttestationStale { .. } => "attestation.stale",
            Refusal::AlreadyDispositivo => "upgrade.already_dispositivo",
            Refusal::UpgradePending => "upgrade.pending",
            Refusal::NoUpgradePending => "upgrade.none_pending",
            Refusal::RestoreLimitReached { .. } => "restore.limit_reached",
            Refusal::NothingToErase => "erasure.nothing_to_erase",
            Refusal::StoredHashRejected => "internal.stored_hash_rejected",
            Refusal::Internal => "internal.table",
            Refusal::HashingFailed => "internal.hashing_failed",
        }
    }

    /// The message for citizens, in Italian: what happened and what to do next.
    #[must_use]
    pub fn message_it(&self) -> String {
        match self {
            Refusal::WrongAccount { .. } => {
                "Il codice fiscale indicato non corrisponde. Controlla il \
                 codice fiscale sulla tessera sanitaria e riprova."
                    .to_owned()
            }
            Refusal::PinAlreadyLive => "Per questo codice fiscale esiste già un PIN: non serve \
                 richiederne un altro. Accedi con il tuo PIN; se non hai ancora fatto il primo \
                 accesso, usa il PIN completo di 16 caratteri; se è scaduto, accedi con il PIN \
                 scaduto e la procedura guidata te ne darà uno nuovo. Se lo hai smarrito o non \
                 riesci ad accedere, ripristinalo con la funzione \"Ripristina PIN\" usando i \
                 recapiti registrati; se non hai registrato recapiti, revocalo con la tessera \
                 sanitaria e richiedine uno nuovo."
                .to_owned(),
            Refusal::TemporaryCodiceFiscale => "Il PIN si richiede con il codice fiscale \
                 definitivo di 16 caratteri, riportato sulla tessera sanitaria. Se hai solo il \
                 codice provvisorio di 11 cifre, attendi quello definitivo dall'Agenzia delle \
                 Entrate o recati in una sede INPS."
                .to_owned(),
            Refusal::NoContactForFirstHalf => format!(
                "Per la richiesta online serve un indirizzo e-mail o un numero di cellulare a cui \
                 inviare i primi 8 caratteri del PIN. In alternativa chiama il Contact Center \
                 ({CONTACT_CENTER}) o recati in una sede INPS."
            ),
            Refusal::IdentityDocumentExpired { .. } => {
                "Il documento di identità è scaduto. Presenta \
                 un documento di identità in corso di validità."
                    .to_owned()
            }
            Refusal::WholePinRequired => "Per il primo accesso inserisci il PIN completo di 16 \
                 caratteri: i primi 8 ricevuti online o dal Contact Center, seguiti dagli 8 \
                 arrivati per posta."
                .to_owned(),
            Refusal::FirstPinLapsed { .. } => {
                "Il PIN di 16 caratteri non è stato usato in tempo ed è \
                 scaduto. Richiedi un nuovo PIN online, al Contact Center o in una sede INPS."
                    .to_owned()
            }
            Refusal::FirstAccessRequired => {
                "Prima di entrare completa il primo accesso con il PIN di \
                 16 caratteri: al termine riceverai il PIN di 8 caratteri da usare per gli accessi \
                 successivi."
                    .to_owned()
            }
            Refusal::PinExpired { .. } => "Il tuo PIN è scaduto. Segui la procedura guidata di \
                 rinnovo: inserisci il PIN scaduto e riceverai un nuovo PIN, con lo stesso livello \
                 (ordinario o dispositivo)."
                .to_owned(),
            Refusal::RenewalNotDue { .. } => {
                "Il tuo PIN non è ancora in scadenza: potrai rinnovarlo \
                 quando riceverai l'avviso di scadenza. Intanto continua a usarlo."
                    .to_owned()
            }
            Refusal::PinBlocked => {
                "Il tuo PIN è bloccato dopo troppi tentativi errati. Ripristinalo \
                 con la funzione \"Ripristina PIN\" usando i recapiti registrati, oppure revocalo \
                 con la tessera sanitaria e richiedine uno nuovo."
                    .to_owned()
            }
            Refusal::LoginDelayed { .. } => {
                "Troppi tentativi ravvicinati. Attendi qualche secondo e \
                 riprova."
                    .to_owned()
            }
            Refusal::NewPinsDiscontinued { .. } => "L'INPS non rilascia più nuovi PIN. Accedi ai \
                 servizi con SPID, Carta d'Identità Elettronica (CIE) o Carta Nazionale dei \
                 Servizi (CNS). Il PIN resta disponibile per i minori, per chi non ha un documento \
                 di identità italiano e per chi è sotto tutela, curatela o amministrazione di \
                 sostegno."
                .to_owned(),
            Refusal::PinsRetired { .. } => {
                "Il PIN INPS non è più in uso. Accedi ai servizi con SPID, \
                 Carta d'Identità Elettronica (CIE) o Carta Nazionale dei Servizi (CNS)."
                    .to_owned()
            }
            Refusal::NoPin => "Non risulta un PIN da usare. Richiedi un PIN online, al Contact \
                 Center o in una sede INPS."
                .to_owned(),
            Refusal::ContactsNotMatching => format!(
                "I recapiti indicati non corrispondono a quelli registrati con il PIN. Indica \
                 l'e-mail e il cellulare registrati; se non li hai registrati, revoca il PIN con \
                 la tessera sanitaria e richiedine uno nuovo, o chiama il Contact Center \
                 ({CONTACT_CENTER})."
            ),
            Refusal::TesseraNotMatching => {
                "La tessera sanitaria non corrisponde al codice fiscale \
                 del PIN. Usa la tua tessera sanitaria."
                    .to_owned()
            }
            Refusal::TesseraExpired { .. } => "La tessera sanitaria è scaduta. Usa una tessera \
                 sanitaria valida."
                .to_owned(),
            Refusal::ArchiveNotMatching => format!(
                "I dati indicati non corrispondono a quelli presenti negli archivi dell'Istituto. \
                 Controlla nome, cognome, codice fiscale e dati di nascita e riprova; se i dati \
                 sono giusti, recati in una sede INPS con un documento di identità o chiama il \
                 Contact Center ({CONTACT_CENTER})."
            ),
            Refusal::AttestationFromTheFuture => format!(
                "Non è stato possibile completare la verifica dei tuoi dati. Riprova tra qualche \
                 minuto; se il problema continua, chiama il Contact Center ({CONTACT_CENTER})."
            ),
            Refusal::AttestationStale { .. } => "La verifica dei tuoi dati non è più valida \
                 perché è trascorso troppo tempo. Ripeti la procedura dall'inizio; in sede, \
                 l'operatore ripeterà la verifica."
                .to_owned(),
            Refusal::AlreadyDispositivo => "Il tuo PIN è già dispositivo: puoi già presentare \
                 domande online."
                .to_owned(),
            Refusal::UpgradePending => "La tua richiesta di PIN dispositivo è già in lavorazione: \
                 riceverai l'esito appena sarà valutata."
                .to_owned(),
            Refusal::NoUpgradePending => format!(
                "Non ci sono richieste di PIN dispositivo da valutare. Per rendere dispositivo il \
                 PIN, invia una nuova richiesta online o via fax con la copia di un documento di \
                 identità valido, oppure recati in una sede INPS con il documento. Per \
                 informazioni chiama il Contact Center ({CONTACT_CENTER})."
            ),
            Refusal::RestoreLimitReached { .. } => "Il ripristino del PIN è già stato chiesto \
                 più volte di recente: usa l'ultimo codice ricevuto via e-mail e SMS, oppure \
                 riprova tra qualche giorno. Il tuo PIN attuale, se non è bloccato, resta valido."
                .to_owned(),
            Refusal::NothingToErase => "Non risultano dati personali da cancellare: sono già \
                 stati cancellati, oppure non è mai stato richiesto un PIN per questo codice \
                 fiscale. Non è stato modificato nulla."
                .to_owned(),
            Refusal::StoredHashRejected | Refusal::Internal | Refusal::HashingFailed => format!(
                "Il servizio non è al momento disponibile. Riprova più tardi o chiama il Contact \
                 Center: {CONTACT_CENTER}."
            ),
        }
    }

    /// The message for operators, in English (the same as `Display`).
    #[must_use]
    pub fn message_en(&self) -> String {
        self.to_string()
    }
}
