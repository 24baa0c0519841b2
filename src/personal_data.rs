//! The person's data, kept apart from the security facts of their account (R36).
//!
//! An account's record holds two kinds of data. The **security facts** say what happened to
//! the PIN and when: issued through a channel at a level, used, failed, blocked, restored,
//! renewed, upgraded, revoked, erased; who checked what (the operators and systems of R35); the
//! role that sets the expiry (R2, R20). They are keyed by the codice fiscale, and they are what
//! the account decides by. The **person's data** is who the person is and how to reach them:
//! names, residence, e-mail, phones, a declared sunset exemption (which says whether someone is
//! under tutela, curatela or amministrazione di sostegno), and the free text a reviewer wrote
//! when rejecting an upgrade (which may name the person, their document or their
//! circumstances). Documents are never stored, only who checked them.
//!
//! A stored event or account splits into its facts and its [`PersonalData`]
//! ([`StoredEvent::split`](crate::StoredEvent::split),
//! [`Account::split`](crate::Account::split)) and joins back
//! ([`StoredEvent::join`](crate::StoredEvent::join), [`Account::join`](crate::Account::join)):
//! the facts alone serialize with no personal data and replay, and the facts joined with their
//! personal data are exactly the original. A service stores the facts in clear and the personal
//! data sealed under a key of the person's own; destroying the key makes the personal data
//! unreadable in the database files and in every backup ("crypto-shredding"), and from then on
//! the facts join with nothing.
//!
//! Erasure ([`Command::Erase`](crate::Command::Erase)) is itself a fact:
//! [`Event::PersonalDataErased`](crate::Event::PersonalDataErased) says when and why
//! ([`ErasureReason`]), with no personal data.

use serde::de::{self, Deserializer};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::account::STORED_FORMAT;
use crate::person::Person;
use crate::upgrade::RejectionReason;

/// The first stored format that keeps personal data apart from the facts.
const FIRST_SPLIT_FORMAT: u32 = 3;

/// The person's data split off a stored event or a stored account (R36): what a service keeps
/// sealed under the person's own key, apart from the facts.
///
/// Serialized, it carries the stored format it was written in, like every stored form (R32),
/// and it is validated again when read (a [`Person`]'s names and contacts, a reason's length).
///
/// ```
/// use inps_pin::{Event, PersonalData, StoredEvent};
///
/// # fn check(stored: StoredEvent) -> Result<(), Box<dyn std::error::Error>> {
/// let original = stored.clone();
/// let (facts, personal) = stored.split();
/// // The facts go to the database in clear; the personal data, sealed under the person's key.
/// let sealed: Option<Vec<u8>> = personal.as_ref().map(postcard::to_allocvec).transpose()?;
/// // Read back: the same event. After the key is destroyed: `join(facts, None)`.
/// let opened: Option<PersonalData> =
///     sealed.as_deref().map(postcard::from_bytes).transpose()?;
/// assert_eq!(StoredEvent::join(facts, opened)?, original);
/// # Ok(()) }
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum PersonalData {
    /// The person as a PIN request gave them ([`Event::PinIssued`](crate::Event::PinIssued),
    /// and the account's [`person`](crate::Account::person)): names, residence, contacts, a
    /// declared sunset exemption, with the codice fiscale and the role that the facts keep too.
    Person(Box<Person>),
    /// The reason a reviewer gave for rejecting an upgrade
    /// ([`Event::UpgradeRejected`](crate::Event::UpgradeRejected)): free text written to the
    /// person, which may name them, their document or their circumstances.
    UpgradeRejectionReason(RejectionReason),
}

impl PersonalData {
    /// The person, if this is one.
    #[must_use]
    pub fn person(&self) -> Option<&Person> {
        match self {
            PersonalData::Person(person) => Some(person),
            PersonalData::UpgradeRejectionReason(_) => None,
        }
    }

    /// The rejection reason, if this is one.
    #[must_use]
    pub fn upgrade_rejection_reason(&self) -> Option<&RejectionReason> {
        match self {
            PersonalData::UpgradeRejectionReason(reason) => Some(reason),
            PersonalData::Person(_) => None,
        }
    }

    /// A stable name for logs and errors: `person` or `upgrade_rejection_reason`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            PersonalData::Person(_) => "person",
            PersonalData::UpgradeRejectionReason(_) => "upgrade_rejection_reason",
        }
    }
}

/// What a [`PersonalData`] holds, as stored: the layout of format 3.
#[derive(Serialize)]
enum DataRef<'a> {
    Person(&'a Person),
    UpgradeRejectionReason(&'a RejectionReason),
}

/// [`DataRef`], read back.
#[derive(Deserialize)]
enum Data {
    Person(Box<Person>),
    UpgradeRejectionReason(RejectionReason),
}

/// Stored as `{format, data}`, the format first (binary formats need it to pick the layout).
impl Serialize for PersonalData {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let data = match self {
            PersonalData::Person(person) => DataRef::Person(person),
            PersonalData::UpgradeRejectionReason(reason) => DataRef::UpgradeRejectionReason(reason),
        };
        let mut fields = serializer.serialize_struct("PersonalData", 2)?;
        fields.serialize_field("format", &STORED_FORMAT)?;
        fields.serialize_field("data", &data)?;
        fields.end()
    }
}

/// Reads personal data of every format that stores it apart (3 today), and refuses a later
/// one plainly.
impl<'de> Deserialize<'de> for PersonalData {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<PersonalData, D::Error> {
        #[derive(Deserialize)]
        #[serde(rename = "PersonalData")]
        struct Stored {
            format: u32,
            data: Data,
        }
        let stored = Stored::deserialize(deserializer)?;
        if !(FIRST_SPLIT_FORMAT..=STORED_FORMAT).contains(&stored.format) {
            return Err(de::Error::custom(format_args!(
                "personal data stored in format {}, which this release does not read (it reads \
                 formats {FIRST_SPLIT_FORMAT} to {STORED_FORMAT}): a later release wrote it; \
                 upgrade the crate",
                stored.format
            )));
        }
        Ok(match stored.data {
            Data::Person(person) => PersonalData::Person(person),
            Data::UpgradeRejectionReason(reason) => PersonalData::UpgradeRejectionReason(reason),
        })
    }
}

/// Why a person's data was erased (R36), as [`Event::PersonalDataErased`](crate::Event::PersonalDataErased)
/// records it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum ErasureReason {
    /// The person asked for it: the right to erasure (GDPR art. 17(1)).
    PersonsRequest,
    /// The policy's retention period passed since the account last had a live PIN
    /// ([`Policy::personal_data_retention_days`](crate::Policy::personal_data_retention_days);
    /// GDPR art. 5(1)(e), storage limitation). Given by [`Command::Tick`](crate::Command::Tick)
    /// at the deadline.
    RetentionPeriod,
    /// A court ordered it.
    CourtOrder,
    /// The supervisory authority (the Garante per la protezione dei dati personali) ordered it
    /// (GDPR art. 58(2)(g)).
    SupervisoryAuthority,
}

impl ErasureReason {
    /// Every reason, in the order declared.
    pub const ALL: &'static [ErasureReason] = &[
        ErasureReason::PersonsRequest,
        ErasureReason::RetentionPeriod,
        ErasureReason::CourtOrder,
        ErasureReason::SupervisoryAuthority,
    ];

    /// A stable snake_case name, for logs and the export: `persons_request`,
    /// `retention_period`, `court_order`, `supervisory_authority`.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            ErasureReason::PersonsRequest => "persons_request",
            ErasureReason::RetentionPeriod => "retention_period",
            ErasureReason::CourtOrder => "court_order",
            ErasureReason::SupervisoryAuthority => "supervisory_authority",
        }
    }
}

/// Facts and personal data that do not belong together (R36): [`StoredEvent::join`](crate::StoredEvent::join)
/// or [`Account::join`](crate::Account::join) was given personal data split off another record.
/// Nothing is joined: a service that meets one has mixed up its rows or its keys.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum JoinError {
    /// The facts have no place for this kind of personal data: they are of another kind of
    /// event, or they hold their own personal data already.
    #[error(
        "the personal data ({personal}) has no place in the facts of `{facts}`: join each record \
         with the personal data split off that record"
    )]
    NoPlace {
        /// The event's name (as [`Event::name`](crate::Event::name)), or `account`.
        facts: &'static str,
        /// The personal data's kind (as [`PersonalData::kind`]).
        personal: &'static str,
    },
    /// The person is not the one the facts are about: another codice fiscale, or another role
    /// than the one the facts recorded.
    #[error(
        "the personal data is another person's than the facts' (another codice fiscale or \
         role): join each record with the personal data split off that record"
    )]
    OtherPerson,
}

impl JoinError {
    /// A stable code for logs and APIs (R30).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            JoinError::NoPlace { .. } => "personal_data.no_place",
            JoinError::OtherPerson => "personal_data.other_person",
        }
    }

    /// The message in Italian, for the operators of the service that stores the record (R30):
    /// the person never meets this error.
    #[must_use]
    pub fn message_it(&self) -> String {
        "I dati personali non corrispondono al registro a cui si vogliono ricongiungere: \
         ricongiungi ogni registrazione con i dati separati da quella stessa registrazione, e \
         controlla le chiavi usate per cifrarli."
            .to_owned()
    }
}
