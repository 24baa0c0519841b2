//! The three ways to request a PIN (R10): online, through the Contact Center, at a sede.
//!
//! | channel | what the person gets | level |
//! |---|---|---|
//! | online (R11) | first 8 characters on screen and by e-mail or SMS; second 8 by post, sealed, to the residence | ordinary |
//! | Contact Center (R12) | first 8 read by the operator and sent by e-mail and SMS; second 8 by post, sealed, to the residence | ordinary |
//! | sede (R13) | the whole 16 characters in a sealed envelope at the counter, after form MV35 and an identity check | dispositivo |
//!
//! Every channel needs the institute's archive record of the person, vouched for by the
//! caller's lookup ([`ArchiveRecord`](crate::ArchiveRecord)): "the residence" above is the
//! archive's, never the one the requester typed (R35).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::assurance::AssuranceLevel;
use crate::attestation::Attested;
use crate::person::PhoneKind;

/// A channel a PIN was issued through, as recorded in events.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Channel {
    /// The guided procedure on the INPS web site (R11).
    Online,
    /// An operator of the Contact Center, on the phone (R12).
    ContactCenter,
    /// The counter of an INPS office, with form MV35 (R13).
    Sede,
}

impl Channel {
    /// The level a PIN issued through this channel starts at: ordinary online and by phone,
    /// dispositivo at a sede, where an operator has checked an identity document (R11–R13).
    #[must_use]
    pub fn assurance(self) -> AssuranceLevel {
        match self {
            Channel::Online | Channel::ContactCenter => AssuranceLevel::Ordinary,
            Channel::Sede => AssuranceLevel::Dispositivo,
        }
    }
}

/// A request for a PIN through one channel, with what that channel collects.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum ChannelRequest {
    /// The online procedure. The first half goes to the e-mail address if the person gave one,
    /// otherwise by SMS to the mobile: one of the two is needed.
    Online,
    /// A call to the Contact Center, from a landline or a mobile (which sets the number the
    /// person dialled: [`ContactCenterLine`]).
    ContactCenter {
        /// The phone the person called from.
        caller_phone: PhoneKind,
    },
    /// A visit to a sede with form MV35 ("Richiesta assegnazione codice dispositivo per il
    /// cittadino in sede") and an identity document, which the operator checks.
    Sede(SedeRequest),
}

impl ChannelRequest {
    /// The channel, without its details.
    #[must_use]
    pub fn channel(&self) -> Channel {
        match self {
            ChannelRequest::Online => Channel::Online,
            ChannelRequest::ContactCenter { .. } => Channel::ContactCenter,
            ChannelRequest::Sede(_) => Channel::Sede,
        }
    }
}

/// What the counter collects at a sede: the identity document shown with form MV35, as the
/// operator who checked it vouches for it (R13, R35). That operator hands over the envelope.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SedeRequest {
    /// The identity document the person showed, seen by the operator at the counter: genuine
    /// and the person's ([`Attested::checked_by`] is the operator).
    pub document: Attested<IdentityDocument>,
}

impl SedeRequest {
    /// The operator who checked the document and hands over the envelope.
    #[must_use]
    pub fn operator(&self) -> &OperatorId {
        self.document.checked_by()
    }
}

/// An identity document: its kind, its number and the last day it is valid.
///
/// ```
/// use inps_pin::{DocumentKind, IdentityDocument};
/// use jiff::civil::date;
///
/// let card = IdentityDocument::new(DocumentKind::IdentityCard, "CA 12345 AB", date(2030, 5, 1))?;
/// assert_eq!(card.number(), "CA12345AB");
/// assert!(card.is_valid_on(date(2030, 5, 1)));
/// assert!(!card.is_valid_on(date(2030, 5, 2)));
/// # Ok::<(), inps_pin::DocumentError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawIdentityDocument", into = "RawIdentityDocument")]
pub struct IdentityDocument {
    kind: DocumentKind,
    number: String,
    expires_on: Date,
}

impl IdentityDocument {
    /// A document, its number normalised (spaces and dashes removed, upper case).
    ///
    /// # Errors
    /// [`DocumentError`] if the number is empty, too long, or has other than letters and digits.
    pub fn new(
        kind: DocumentKind,
        number: &str,
        expires_on: Date,
    ) -> Result<IdentityDocument, DocumentError> {
        let mut normalised = String::with_capacity(number.len());
        for (index, c) in number
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .enumerate()
        {
            if !c.is_ascii_alphanumeric() {
                return Err(DocumentError::Character {
                    position: index + 1,
                });
            }
            normalised.push(c.to_ascii_uppercase());
        }
        match normalised.len() {
            0 => Err(DocumentError::Empty),
            len if len > MAX_DOCUMENT_NUMBER => Err(DocumentError::TooLong { found: len }),
            _ => Ok(IdentityDocument {
                kind,
                number: normalised,
                expires_on,
            }),
        }
    }

    /// What kind of document it is.
    #[must_use]
    pub fn kind(&self) -> DocumentKind {
        self.kind
    }

    /// Its number, normalised.
    #[must_use]
    pub fn number(&self) -> &str {
        &self.number
    }

    /// The last day it is valid.
    #[must_use]
    pub fn expires_on(&self) -> Date {
        self.expires_on
    }

    /// Whether it is still valid on `day` (valid through its expiry date).
    #[must_use]
    pub fn is_valid_on(&self, day: Date) -> bool {
        day <= self.expires_on
    }
}

const MAX_DOCUMENT_NUMBER: usize = 20;

#[derive(Serialize, Deserialize)]
struct RawIdentityDocument {
    kind: DocumentKind,
    number: String,
    expires_on: Date,
}

impl TryFrom<RawIdentityDocument> for IdentityDocument {
    type Error = DocumentError;
    fn try_from(raw: RawIdentityDocument) -> Result<Self, Self::Error> {
        IdentityDocument::new(raw.kind, &raw.number, raw.expires_on)
    }
}

impl From<IdentityDocument> for RawIdentityDocument {
    fn from(document: IdentityDocument) -> Self {
        RawIdentityDocument {
            kind: document.kind,
            number: document.number,
            expires_on: document.expires_on,
        }
    }
}

/// The kinds of identity document an INPS counter accepts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DocumentKind {
    /// Carta d'identità, paper or electronic.
    IdentityCard,
    /// Passaporto.
    Passport,
    /// Patente di guida.
    DrivingLicence,
    /// Another document with photo issued by a public administration.
    Other,
}

/// What was wrong with an identity document's number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum DocumentError {
    /// No number was given.
    #[error("the document number is empty: copy it from the document")]
    Empty,
    /// Longer than any Italian document number.
    #[error(
        "the document number has {found} characters, more than {MAX_DOCUMENT_NUMBER}: copy it from the document"
    )]
    TooLong {
        /// Characters found, without spaces and dashes.
        found: usize,
    },
    /// A character other than a letter or digit.
    #[error(
        "character {position} of the document number is not a letter or digit: copy the number from the document"
    )]
    Character {
        /// 1-based, without spaces and dashes.
        position: usize,
    },
}

impl DocumentError {
    /// A stable code for logs and APIs, such as `document.too_long` (R30).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            DocumentError::Empty => "document.empty",
            DocumentError::TooLong { .. } => "document.too_long",
            DocumentError::Character { .. } => "document.invalid_character",
        }
    }

    /// The message in Italian: what is wrong with the number and what to do next (R30).
    ///
    /// ```
    /// use inps_pin::{DocumentKind, IdentityDocument};
    /// use jiff::civil::date;
    ///
    /// let error = IdentityDocument::new(DocumentKind::Passport, " ", date(2030, 1, 1)).unwrap_err();
    /// assert_eq!(error.code(), "document.empty");
    /// assert!(error.message_it().contains("documento"));
    /// ```
    #[must_use]
    pub fn message_it(&self) -> String {
        match self {
            DocumentError::Empty => {
                "Il numero del documento è vuoto: copialo dal documento.".to_owned()
            }
            DocumentError::TooLong { found } => format!(
                "Il numero del documento ha {found} caratteri, più dei {MAX_DOCUMENT_NUMBER} \
                 ammessi: copialo dal documento, senza altri caratteri."
            ),
            DocumentError::Character { position } => format!(
                "Il carattere in posizione {position} del numero del documento non è una \
                 lettera né una cifra: copia il numero dal documento."
            ),
        }
    }
}

/// Who checked something or decided: a sede operator, a back-office reviewer, or a system that
/// checked a register or the archive (R35). Kept in events for the audit trail.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct OperatorId(String);

impl OperatorId {
    /// An operator's identifier as the service knows it: 1 to 64 visible characters.
    ///
    /// # Errors
    /// [`OperatorIdError`] if it is empty, too long, or contains spaces or control characters.
    pub fn new(id: &str) -> Result<OperatorId, OperatorIdError> {
        let id = id.trim();
        if id.is_empty()
            || id.chars().count() > 64
            || id.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return Err(OperatorIdError);
        }
        Ok(OperatorId(id.to_owned()))
    }

    /// The identifier.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl TryFrom<String> for OperatorId {
    type Error = OperatorIdError;
    fn try_from(id: String) -> Result<Self, Self::Error> {
        OperatorId::new(&id)
    }
}

impl From<OperatorId> for String {
    fn from(id: OperatorId) -> Self {
        id.0
    }
}

/// An operator identifier that is empty, longer than 64 characters, or has spaces.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error(
    "an operator identifier has 1 to 64 characters without spaces: use the operator's staff code"
)]
pub struct OperatorIdError;

impl OperatorIdError {
    /// A stable code for logs and APIs: `operator_id.invalid` (R30).
    #[must_use]
    pub fn code(&self) -> &'static str {
        "operator_id.invalid"
    }

    /// The message in Italian, with what to do next (R30).
    #[must_use]
    pub fn message_it(&self) -> String {
        "L'identificativo dell'operatore ha da 1 a 64 caratteri, senza spazi: usa la \
         matricola dell'operatore."
            .to_owned()
    }
}

/// The Contact Center number a person dials, which depends on their phone (R12).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ContactCenterLine {
    /// 803 164, toll-free from a landline.
    TollFree,
    /// 06 164 164, from a mobile, charged by the caller's operator.
    FromMobile,
}

impl ContactCenterLine {
    /// The line for a caller's phone.
    ///
    /// ```
    /// use inps_pin::{ContactCenterLine, PhoneKind};
    ///
    /// assert_eq!(ContactCenterLine::for_phone(PhoneKind::Landline).number(), "803 164");
    /// assert_eq!(ContactCenterLine::for_phone(PhoneKind::Mobile).number(), "06 164 164");
    /// ```
    #[must_use]
    pub fn for_phone(phone: PhoneKind) -> ContactCenterLine {
        match phone {
            PhoneKind::Landline => ContactCenterLine::TollFree,
            PhoneKind::Mobile => ContactCenterLine::FromMobile,
        }
    }

    /// The number, as INPS prints it.
    #[must_use]
    pub fn number(self) -> &'static str {
        match self {
            ContactCenterLine::TollFree => "803 164",
            ContactCenterLine::FromMobile => "06 164 164",
        }
    }
}
