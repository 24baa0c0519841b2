//! The storage contract (R32): what a service stores, in which format, and how every earlier
//! format is read.
//!
//! The events are the record; a serialized [`Account`](crate::Account) is a cache that can
//! always be rebuilt from them ([`Account::replay`](crate::Account::replay)). Both carry a
//! format version:
//!
//! - an event is stored as a [`StoredEvent`]: the format it was written in, then the event.
//!   Every later release reads every earlier format, binary ones (postcard) included, whose
//!   layout is the declaration order: format 0 is kept field for field in `v0.rs`, formats 1
//!   and 2 in `v2.rs` (format 1 is format 2 without its last kind of event,
//!   [`Event::FirstAccessFailed`]), and each is turned into today's events on reading. Format
//!   3 keeps the person's data apart from the security facts (R36): a PIN issued records its
//!   role beside a person that may be absent, a rejection's reason may be absent, and an
//!   erasure is an event. Events stored bare, before formats existed, are read with
//!   [`UnversionedEvent`].
//! - an account is stored with its format. Formats 1 and 2 are read as well (format 1's PIN
//!   record, one field shorter, is kept in `v1.rs`; both derive the role from the person),
//!   but for the cache of a revoked account whose person is kept: those formats did not store
//!   when the PIN was revoked, which the retention period counts from (R36). That cache, and a
//!   cached account of format 0, are refused with an error that says to rebuild them from their
//!   events, never read into a wrong state.
//! - the person's data split off an event or an account ([`PersonalData`](crate::PersonalData),
//!   R36) is stored with its format too.
//!
//! Whatever the format, the lists a stored account holds are read with hard bounds (at most
//! [`MAX_TRUSTED_DEVICES`](crate::MAX_TRUSTED_DEVICES) devices and
//! [`MAX_RESTORE_REQUESTS`](crate::MAX_RESTORE_REQUESTS) restore requests): a longer one was
//! not written by the crate, and does not load (R35).
//!
//! Commands are not stored: they carry secrets and do not deserialize.

mod v0;
mod v1;
mod v2;

use core::fmt;

use serde::de::{self, MapAccess, SeqAccess, Visitor};
use serde::ser::SerializeStruct;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

use jiff::Timestamp;

use crate::account::event::Event;
use crate::account::{Account, PinRecord, role_of};
use crate::assurance::AssuranceLevel;
use crate::channel::{Channel, OperatorId};
use crate::hash::PinHash;
use crate::person::{Person, Role};

/// The format this release writes stored events, accounts and personal data in.
pub const STORED_FORMAT: u32 = 3;

/// An event as a service stores it (R32): the format it was written in, and the event.
///
/// It reads every format any release wrote (0 to 3 today). Serialized, it writes
/// [`STORED_FORMAT`]: the format field first, which binary formats need to pick the layout.
/// [`StoredEvent::split`] takes the person's data out of it for storage apart, and
/// [`StoredEvent::join`] puts it back (R36).
///
/// ```
/// use inps_pin::{Event, StoredEvent, STORED_FORMAT};
///
/// let event: Event = serde_json::from_str(r#"{"PinExpired":{"at":"2027-05-25T08:00:00Z"}}"#)?;
/// let stored = StoredEvent::new(event.clone());
/// let json = serde_json::to_string(&stored)?;
/// assert!(json.starts_with(r#"{"format":3,"event":"#));
/// let back: StoredEvent = serde_json::from_str(&json)?;
/// assert_eq!((back.format(), back.into_event()), (STORED_FORMAT, event));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredEvent {
    format: u32,
    event: Event,
}

impl StoredEvent {
    /// An event to store, in this release's format.
    #[must_use]
    pub fn new(event: Event) -> StoredEvent {
        StoredEvent {
            format: STORED_FORMAT,
            event,
        }
    }

    /// A stored event as read in `format`.
    pub(crate) fn with_format(format: u32, event: Event) -> StoredEvent {
        StoredEvent { format, event }
    }

    /// The format it was written in.
    #[must_use]
    pub fn format(&self) -> u32 {
        self.format
    }

    /// The event, as this release reads it.
    #[must_use]
    pub fn event(&self) -> &Event {
        &self.event
    }

    /// The event, to replay.
    #[must_use]
    pub fn into_event(self) -> Event {
        self.event
    }
}

impl From<Event> for StoredEvent {
    fn from(event: Event) -> Self {
        StoredEvent::new(event)
    }
}

impl Serialize for StoredEvent {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        // Always this release's format: an event read from an older one is written anew.
        let mut fields = serializer.serialize_struct("StoredEvent", 2)?;
        fields.serialize_field("format", &STORED_FORMAT)?;
        fields.serialize_field("event", &self.event)?;
        fields.end()
    }
}

/// The error for a format this release does not know.
fn unknown_format<E: de::Error>(format: u32) -> E {
    E::custom(format_args!(
        "the event was stored in format {format}, which this release does not read: it was \
         written by a later release of inps-pin; upgrade the crate (formats read: 0 to \
         {STORED_FORMAT})"
    ))
}

struct StoredEventVisitor;

impl<'de> Visitor<'de> for StoredEventVisitor {
    type Value = StoredEvent;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a stored event: its format, then the event")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<StoredEvent, A::Error> {
        let format: u32 = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        let event = match format {
            0 => seq.next_element::<v0::Event>()?.map(Event::from),
            // Format 1 is format 2 without its last kind of event.
            1 | 2 => seq.next_element::<v2::Event>()?.map(Event::from),
            STORED_FORMAT => seq.next_element::<Event>()?,
            other => return Err(unknown_format(other)),
        }
        .ok_or_else(|| de::Error::invalid_length(1, &self))?;
        Ok(StoredEvent { format, event })
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<StoredEvent, A::Error> {
        let mut format = None;
        let mut event = None;
        while let Some(key) = map.next_key::<Field>()? {
            match key {
                Field::Format => format = Some(map.next_value::<u32>()?),
                Field::Event => {
                    // A self-describing format (maps are theirs) reads every earlier format
                    // as today's events too, so the event may come before its format (a
                    // database that sorts keys puts it there).
                    event = Some(match format {
                        Some(0) => Event::from(map.next_value::<v0::Event>()?),
                        Some(1 | 2) => Event::from(map.next_value::<v2::Event>()?),
                        Some(STORED_FORMAT) | None => map.next_value::<Event>()?,
                        Some(other) => return Err(unknown_format(other)),
                    });
                }
                Field::Other => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let format = format.ok_or_else(|| de::Error::missing_field("format"))?;
        if format > STORED_FORMAT {
            return Err(unknown_format(format));
        }
        let event = event.ok_or_else(|| de::Error::missing_field("event"))?;
        Ok(StoredEvent { format, event })
    }
}

/// The fields of a stored event, by name.
enum Field {
    Format,
    Event,
    Other,
}

impl<'de> Deserialize<'de> for Field {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Field, D::Error> {
        struct FieldVisitor;
        impl Visitor<'_> for FieldVisitor {
            type Value = Field;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("`format` or `event`")
            }
            fn visit_str<E: de::Error>(self, name: &str) -> Result<Field, E> {
                Ok(match name {
                    "format" => Field::Format,
                    "event" => Field::Event,
                    _ => Field::Other,
                })
            }
        }
        deserializer.deserialize_identifier(FieldVisitor)
    }
}

impl<'de> Deserialize<'de> for StoredEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<StoredEvent, D::Error> {
        deserializer.deserialize_struct("StoredEvent", &["format", "event"], StoredEventVisitor)
    }
}

/// An event stored bare, before stored forms carried a format (format 0), read into today's
/// event. Only for reading such data: store new events as [`StoredEvent`].
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct UnversionedEvent(Event);

impl UnversionedEvent {
    /// The event, as this release reads it.
    #[must_use]
    pub fn into_event(self) -> Event {
        self.0
    }
}

impl<'de> Deserialize<'de> for UnversionedEvent {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<UnversionedEvent, D::Error> {
        v0::Event::deserialize(deserializer).map(|old| UnversionedEvent(Event::from(old)))
    }
}

impl From<v0::Event> for Event {
    /// Format 0 as today's events: the fields added since are absent, and the events retired
    /// since replay as they did then.
    fn from(old: v0::Event) -> Event {
        match old {
            v0::Event::PinIssued {
                at,
                person,
                channel,
                assurance,
                whole,
                first_half,
                lapses_at,
            } => Event::PinIssued {
                at,
                role: person.role(),
                person: Some(person),
                channel,
                assurance,
                whole,
                first_half,
                lapses_at,
                archive_checked_by: None,
                document_checked_by: None,
            },
            v0::Event::FirstAccessCompleted {
                at,
                pin,
                assurance,
                expires_at,
            } => Event::FirstAccessCompleted {
                at,
                pin,
                assurance,
                expires_at,
            },
            v0::Event::LoggedIn { at, credential } => Event::LoggedIn {
                at,
                credential,
                device: None,
                rehashed: None,
            },
            // The delay it named follows from the clock now.
            v0::Event::LoginFailed { at, .. } => Event::LoginFailed {
                at,
                device: None,
                blocks: false,
            },
            v0::Event::PinBlocked { at } => Event::PinBlocked { at },
            v0::Event::LoginDelayEnded { at } => Event::LoginDelayEnded { at },
            v0::Event::FirstPinLapsed { at } => Event::FirstPinLapsed { at },
            v0::Event::ExpiryWarned { at } => Event::ExpiryWarned { at },
            v0::Event::PinExpired { at } => Event::PinExpired { at },
            v0::Event::PinRenewed {
                at,
                pin,
                expires_at,
            } => Event::PinRenewed {
                at,
                pin,
                expires_at,
                device: None,
            },
            v0::Event::UpgradeRequested { at, via } => Event::UpgradeRequested {
                at,
                via,
                checked_by: None,
            },
            v0::Event::UpgradeApproved { at, by } => Event::UpgradeApproved { at, by },
            v0::Event::UpgradeRejected { at, by, reason } => Event::UpgradeRejected {
                at,
                by,
                reason: Some(reason),
            },
            v0::Event::PinRestored {
                at,
                assurance,
                whole,
                first_half,
                lapses_at,
            } => Event::PinRestored {
                at,
                assurance,
                whole,
                first_half,
                lapses_at,
            },
            v0::Event::PinRevoked { at } => Event::PinRevoked {
                at,
                checked_by: None,
            },
        }
    }
}

impl From<v2::Event> for Event {
    /// Formats 1 and 2 as today's events: the role a PIN was issued for is its person's, and
    /// every person and reason is there (nothing was kept apart then).
    fn from(old: v2::Event) -> Event {
        match old {
            v2::Event::PinIssued {
                at,
                person,
                channel,
                assurance,
                whole,
                first_half,
                lapses_at,
                archive_checked_by,
                document_checked_by,
            } => Event::PinIssued {
                at,
                role: person.role(),
                person: Some(person),
                channel,
                assurance,
                whole,
                first_half,
                lapses_at,
                archive_checked_by,
                document_checked_by,
            },
            v2::Event::FirstAccessCompleted {
                at,
                pin,
                assurance,
                expires_at,
            } => Event::FirstAccessCompleted {
                at,
                pin,
                assurance,
                expires_at,
            },
            v2::Event::LoggedIn {
                at,
                credential,
                device,
                rehashed,
            } => Event::LoggedIn {
                at,
                credential,
                device,
                rehashed,
            },
            v2::Event::LoginFailed { at, device, blocks } => {
                Event::LoginFailed { at, device, blocks }
            }
            v2::Event::PinBlocked { at } => Event::PinBlocked { at },
            v2::Event::LoginDelayEnded { at } => Event::LoginDelayEnded { at },
            v2::Event::FirstPinLapsed { at } => Event::FirstPinLapsed { at },
            v2::Event::ExpiryWarned { at } => Event::ExpiryWarned { at },
            v2::Event::PinExpired { at } => Event::PinExpired { at },
            v2::Event::PinRenewed {
                at,
                pin,
                expires_at,
                device,
            } => Event::PinRenewed {
                at,
                pin,
                expires_at,
                device,
            },
            v2::Event::UpgradeRequested {
                at,
                via,
                checked_by,
            } => Event::UpgradeRequested {
                at,
                via,
                checked_by,
            },
            v2::Event::UpgradeApproved { at, by } => Event::UpgradeApproved { at, by },
            v2::Event::UpgradeRejected { at, by, reason } => Event::UpgradeRejected {
                at,
                by,
                reason: Some(reason),
            },
            v2::Event::PinRestored {
                at,
                assurance,
                whole,
                first_half,
                lapses_at,
            } => Event::PinRestored {
                at,
                assurance,
                whole,
                first_half,
                lapses_at,
            },
            v2::Event::PinRevoked { at, checked_by } => Event::PinRevoked { at, checked_by },
            v2::Event::RestoreRequested {
                at,
                whole,
                lapses_at,
            } => Event::RestoreRequested {
                at,
                whole,
                lapses_at,
            },
            v2::Event::DeviceTrusted {
                at,
                device,
                hash,
                replaces,
            } => Event::DeviceTrusted {
                at,
                device,
                hash,
                replaces,
            },
            v2::Event::FirstAccessFailed { at } => Event::FirstAccessFailed { at },
        }
    }
}

/// The fields of [`Event::PinIssued`], in the order declared.
type PinIssuedFields = (
    Timestamp,
    Role,
    Option<Box<Person>>,
    Channel,
    AssuranceLevel,
    PinHash,
    Option<PinHash>,
    Timestamp,
    Option<OperatorId>,
    Option<OperatorId>,
);

/// [`Event::PinIssued`] as stored: format 3's layout, whose role may be absent from a
/// self-describing form (JSON) of the formats before, which kept it in the person only.
#[derive(Deserialize)]
#[serde(rename = "PinIssued")]
struct StoredPinIssued {
    #[serde(with = "crate::timestamp_serde")]
    at: Timestamp,
    #[serde(default, deserialize_with = "present")]
    role: Option<Role>,
    person: Option<Box<Person>>,
    channel: Channel,
    assurance: AssuranceLevel,
    whole: PinHash,
    first_half: Option<PinHash>,
    #[serde(with = "crate::timestamp_serde")]
    lapses_at: Timestamp,
    #[serde(default)]
    archive_checked_by: Option<OperatorId>,
    #[serde(default)]
    document_checked_by: Option<OperatorId>,
}

/// A value that is there (the field's absence is `None`, by `default`).
fn present<'de, D: Deserializer<'de>, T: Deserialize<'de>>(
    deserializer: D,
) -> Result<Option<T>, D::Error> {
    T::deserialize(deserializer).map(Some)
}

/// Reads [`Event::PinIssued`]'s fields: the role stored beside the person, or, where an earlier
/// format kept it only in the person, the person's.
pub(crate) fn pin_issued_fields<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<PinIssuedFields, D::Error> {
    let stored = StoredPinIssued::deserialize(deserializer)?;
    let role = stored
        .role
        .or_else(|| stored.person.as_deref().map(Person::role))
        .ok_or_else(|| de::Error::missing_field("role"))?;
    Ok((
        stored.at,
        role,
        stored.person,
        stored.channel,
        stored.assurance,
        stored.whole,
        stored.first_half,
        stored.lapses_at,
        stored.archive_checked_by,
        stored.document_checked_by,
    ))
}

/// The fields of a stored account, by name.
#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "snake_case")]
enum AccountField {
    Format,
    Role,
    CodiceFiscale,
    Version,
    PinGeneration,
    Person,
    Pin,
    RevokedAt,
    #[serde(other)]
    Other,
}

const ACCOUNT_FIELDS: &[&str] = &[
    "format",
    "role",
    "codice_fiscale",
    "version",
    "pin_generation",
    "person",
    "pin",
    "revoked_at",
];

/// A stored instant that may be absent, in either form (`timestamp_serde::option`).
struct OptionalInstant(Option<Timestamp>);

impl<'de> Deserialize<'de> for OptionalInstant {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        crate::timestamp_serde::option::deserialize(deserializer).map(OptionalInstant)
    }
}

struct AccountVisitor;

impl<'de> Visitor<'de> for AccountVisitor {
    type Value = Account;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a cached account: its format, then its fields")
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Account, A::Error> {
        let format: u32 = seq
            .next_element()?
            .ok_or_else(|| de::Error::invalid_length(0, &self))?;
        if !readable_account_format(format) {
            return Err(de::Error::custom(AccountFormatError { found: format }));
        }
        // Format 3 stores the role second; the formats before derive it from the person.
        let stored_role: Option<Role> = if format >= 3 {
            Some(required(seq.next_element()?, 1, &self)?)
        } else {
            None
        };
        let offset = usize::from(stored_role.is_some());
        let codice_fiscale = required(seq.next_element()?, 1 + offset, &self)?;
        let version = required(seq.next_element()?, 2 + offset, &self)?;
        let pin_generation = required(seq.next_element()?, 3 + offset, &self)?;
        let person: Option<Box<Person>> = required(seq.next_element()?, 4 + offset, &self)?;
        // Built in place, the PIN record too: a load moves the account, hundreds of bytes,
        // as few times as it can.
        Ok(Account {
            format: STORED_FORMAT,
            role: stored_role.unwrap_or_else(|| role_of(person.as_deref())),
            codice_fiscale,
            version,
            pin_generation,
            person,
            pin: if format == 1 {
                required(seq.next_element::<Option<v1::PinRecord>>()?, 5, &self)?
                    .map(PinRecord::from)
            } else {
                required(seq.next_element()?, 5 + offset, &self)?
            },
            revoked_at: if format >= 3 {
                required(seq.next_element::<OptionalInstant>()?, 7, &self)?.0
            } else {
                None
            },
        })
        .and_then(knows_its_revocation)
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Account, A::Error> {
        // The format is written first: an account without it there is from before formats
        // were recorded, and its other fields are not read (their layout was another).
        let format = match map.next_key::<AccountField>()? {
            Some(AccountField::Format) => {
                let found: u32 = map.next_value()?;
                if !readable_account_format(found) {
                    return Err(de::Error::custom(AccountFormatError { found }));
                }
                found
            }
            _ => return Err(de::Error::custom(AccountFormatError { found: 0 })),
        };
        let (mut codice_fiscale, mut version, mut pin_generation, mut person, mut pin) =
            (None, None, None, None, None);
        let (mut role, mut revoked_at) = (None, None);
        while let Some(key) = map.next_key::<AccountField>()? {
            match key {
                AccountField::Role => role = Some(map.next_value::<Role>()?),
                AccountField::CodiceFiscale => codice_fiscale = Some(map.next_value()?),
                AccountField::Version => version = Some(map.next_value()?),
                AccountField::PinGeneration => pin_generation = Some(map.next_value()?),
                AccountField::Person => person = Some(map.next_value()?),
                AccountField::Pin if format == 1 => {
                    pin = Some(
                        map.next_value::<Option<v1::PinRecord>>()?
                            .map(PinRecord::from),
                    );
                }
                AccountField::Pin => pin = Some(map.next_value()?),
                AccountField::RevokedAt => {
                    revoked_at = Some(map.next_value::<OptionalInstant>()?.0);
                }
                AccountField::Format => return Err(de::Error::duplicate_field("format")),
                AccountField::Other => {
                    map.next_value::<de::IgnoredAny>()?;
                }
            }
        }
        let person: Option<Box<Person>> = person.unwrap_or_default();
        let role = match (format, role) {
            (3.., Some(role)) => role,
            (3.., None) => return Err(de::Error::missing_field("role")),
            // Before format 3 the role was the person's.
            _ => role_of(person.as_deref()),
        };
        Ok(Account {
            format: STORED_FORMAT,
            role,
            codice_fiscale: codice_fiscale
                .ok_or_else(|| de::Error::missing_field("codice_fiscale"))?,
            version: version.ok_or_else(|| de::Error::missing_field("version"))?,
            pin_generation: pin_generation
                .ok_or_else(|| de::Error::missing_field("pin_generation"))?,
            person,
            pin: pin.unwrap_or_default(),
            revoked_at: revoked_at.flatten(),
        })
        .and_then(knows_its_revocation)
    }
}

/// A loaded account, unless it is the cache of a revoked account whose person is kept, from a
/// format before 3, which did not store when the PIN was revoked: the retention period counts
/// from that instant, and without it the facts alone could not tell that personal data is held
/// (R36). Such a cache is rebuilt from its events, as every cache can be (R32).
fn knows_its_revocation<E: de::Error>(account: Account) -> Result<Account, E> {
    if account.pin.is_none() && account.person.is_some() && account.revoked_at.is_none() {
        return Err(E::custom(
            "the account was cached, after a revocation, in a format before 3, which did not \
             store when the PIN was revoked; this release needs it (R36: the retention period of \
             the person's data counts from it): a cache is rebuilt, not converted: replay the \
             account's events with Account::replay and store the result",
        ));
    }
    Ok(account)
}

/// Whether a cached account of `format` is read: this release's, and formats 1 and 2 (format
/// 1's PIN record is kept in `v1.rs`). Format 0 is rebuilt from its events instead.
fn readable_account_format(format: u32) -> bool {
    (1..=STORED_FORMAT).contains(&format)
}

/// A field of a sequence that must be there.
fn required<T, E: de::Error>(
    value: Option<T>,
    index: usize,
    expected: &dyn de::Expected,
) -> Result<T, E> {
    value.ok_or_else(|| E::invalid_length(index, expected))
}

/// An account as stored, its format checked before anything else is read.
impl<'de> Deserialize<'de> for Account {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Account, D::Error> {
        deserializer.deserialize_struct("Account", ACCOUNT_FIELDS, AccountVisitor)
    }
}

/// A cached account of a format this release does not read as a cache (R32).
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "the account was cached in format {found} (this release caches format {STORED_FORMAT} and \
     reads formats 1 and 2 too): a cache is rebuilt, not converted: replay the account's events \
     with Account::replay and store the result"
)]
pub struct AccountFormatError {
    /// The format found (0: before formats were recorded).
    pub found: u32,
}

#[cfg(test)]
mod tests;
