//! Everything the record holds about its person, in one export (R36; GDPR art. 15, access, and
//! art. 20, portability): the person's data while it is kept, the PIN as it stands, and every
//! security fact of the record, oldest first.
//!
//! The export is a typed value that serializes to JSON with stable snake_case names, values
//! included (`"channel": "contact_center"`), documented on each type; [`EXPORT_FORMAT`] names
//! the layout. It never holds a PIN, a code, a hash or a device token: facts that exist only
//! as hashes (a PIN's, a device's secret) are told by what they did, never by their value.
//!
//! Who checked a document or decided a request (an operator's staff code) is left out: it is
//! the operator's data, not the person's, and a staff code in the public's hands helps whoever
//! impersonates the institute. Auditors read it in the events themselves.

use jiff::Timestamp;
use serde::{Serialize, Serializer};

use crate::CodiceFiscale;
use crate::account::event::Event;
use crate::account::phase::Phase;
use crate::account::{Account, Stage};
use crate::assurance::{AssuranceLevel, Credential, Session};
use crate::channel::Channel;
use crate::device::DeviceId;
use crate::person::{Person, Role};
use crate::personal_data::ErasureReason;
use crate::policy::Policy;
use crate::sunset::SunsetExemption;
use crate::upgrade::UpgradeVia;

/// The layout of [`PersonalDataExport`]: a change that renames or removes a field is a new
/// number.
pub const EXPORT_FORMAT: u32 = 1;

/// Everything the record holds about its person (R36; GDPR art. 15 and 20): what
/// [`Account::export`] gives, for the person or an auditor.
///
/// Serialized (JSON), its fields are, in order: `export_format` ([`EXPORT_FORMAT`]),
/// `codice_fiscale`, `exported_at` (RFC 3339), `person` (the person's data as the account holds
/// it now, `null` once erased), `pin` (the PIN as it stands at `exported_at`) and `history`
/// (every event of the record, oldest first, each an object whose `event` names it).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct PersonalDataExport {
    /// The layout's number, [`EXPORT_FORMAT`].
    pub export_format: u32,
    /// Whose record it is: the key the record is kept under, which erasure keeps.
    pub codice_fiscale: CodiceFiscale,
    /// When the export was made.
    #[serde(with = "crate::timestamp_serde")]
    pub exported_at: Timestamp,
    /// The person as the latest request gave them; `None` once erased (R36).
    pub person: Option<ExportedPerson>,
    /// The PIN as it stands when the export was made.
    pub pin: ExportedPin,
    /// Every event of the record, oldest first. The person's data in an event erased since
    /// is not there, whatever the events given to [`Account::export`] held.
    pub history: Vec<ExportedEvent>,
}

/// The person's data (R1): `name`, `surname`, `role` (`citizen` or `intermediary`),
/// `residence`, `email`, `mobile`, `landline` (each `null` if not given) and
/// `sunset_exemption` (`no_italian_identity_document`, `legal_protection` or `null`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ExportedPerson {
    /// The first name.
    pub name: String,
    /// The surname.
    pub surname: String,
    /// The role the PIN was requested for (R2).
    #[serde(serialize_with = "snake")]
    pub role: Role,
    /// The residence, as the institute's archive holds it (R35).
    pub residence: ExportedAddress,
    /// The e-mail address.
    pub email: Option<String>,
    /// The mobile number, in international form.
    pub mobile: Option<String>,
    /// The landline number, in international form.
    pub landline: Option<String>,
    /// The reason declared for a PIN after the sunset's cut-off (R22a).
    #[serde(serialize_with = "snake_option")]
    pub sunset_exemption: Option<SunsetExemption>,
}

/// A residence: `street`, `postal_code`, `municipality`, `province`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ExportedAddress {
    /// Street and number.
    pub street: String,
    /// The CAP.
    pub postal_code: String,
    /// The comune.
    pub municipality: String,
    /// The province's two letters.
    pub province: String,
}

/// The PIN as it stands: `phase` (`no_pin`, `awaiting_first_access`, `first_pin_lapsed`,
/// `active`, `expiring_soon`, `expired`, `blocked`, `retired`), `assurance` (`ordinary`,
/// `dispositivo` or `null` without a PIN), `first_access_by` and `expires_at` (RFC 3339 or
/// `null`), `consecutive_failures`, `trusted_devices`, `restore_waiting_until` and
/// `upgrade_requested_via` (`online`, `fax` or `null`).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ExportedPin {
    /// Where the PIN is in its life ([`Phase`]).
    #[serde(serialize_with = "snake")]
    pub phase: Phase,
    /// Its level.
    #[serde(serialize_with = "snake_option")]
    pub assurance: Option<AssuranceLevel>,
    /// The 16 issued waits for its first access until then (R9).
    #[serde(with = "crate::timestamp_serde::option")]
    pub first_access_by: Option<Timestamp>,
    /// The 8-character PIN in use expires then (R20).
    #[serde(with = "crate::timestamp_serde::option")]
    pub expires_at: Option<Timestamp>,
    /// Wrong PINs in a row from clients without a trusted device (R25).
    pub consecutive_failures: u32,
    /// The devices the account remembers (R25a).
    pub trusted_devices: Vec<ExportedDevice>,
    /// A restore's 16 waits for its first access until then (R23a).
    #[serde(with = "crate::timestamp_serde::option")]
    pub restore_waiting_until: Option<Timestamp>,
    /// A written upgrade request waits for the back office (R17).
    #[serde(serialize_with = "snake_option")]
    pub upgrade_requested_via: Option<UpgradeVia>,
}

/// A device the account remembers (R25a): `device` (its identifier, never its token),
/// `last_used_at`, and `trusted` (whether it is still trusted when the export was made).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ExportedDevice {
    /// The device's identifier.
    pub device: DeviceId,
    /// Its last login, or when it was trusted.
    #[serde(with = "crate::timestamp_serde")]
    pub last_used_at: Timestamp,
    /// Still trusted when the export was made.
    pub trusted: bool,
}

/// A session, as the person reads it in an export (R36; GDPR art. 15): `credential` (`pin`,
/// `pin_first_half` or `digital_identity`), `level` (`ordinary` or `dispositivo`),
/// `started_at` (RFC 3339) and `from_trusted_device`. The record holds no sessions: a service
/// that keeps them adds each one open to the person's export ([`Session::export`]), never its
/// token.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[non_exhaustive]
pub struct ExportedSession {
    /// What it was opened with.
    #[serde(serialize_with = "snake")]
    pub credential: Credential,
    /// What it may do (R14, R15).
    #[serde(serialize_with = "snake")]
    pub level: AssuranceLevel,
    /// When it was opened.
    #[serde(with = "crate::timestamp_serde")]
    pub started_at: Timestamp,
    /// Opened from a trusted device (R25a).
    pub from_trusted_device: bool,
}

impl Session {
    /// The session as the person reads it in an export ([`ExportedSession`]): how it was
    /// opened, at which level, since when.
    ///
    /// ```
    /// use inps_pin::{CodiceFiscale, DigitalIdentity, Policy, Session};
    ///
    /// let opened = "2026-12-07T09:00:00Z".parse()?;
    /// let cie = Session::from_digital_identity(
    ///     CodiceFiscale::parse("RSSMRA80A01H501U")?,
    ///     DigitalIdentity::Cie,
    ///     opened,
    ///     Policy::default().digital_identity_dispositivo_since,
    /// );
    /// let exported = serde_json::to_value(cie.export())?;
    /// assert_eq!(exported["credential"], "digital_identity");
    /// assert_eq!(exported["level"], "dispositivo");
    /// assert_eq!(exported["started_at"], "2026-12-07T09:00:00Z");
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn export(&self) -> ExportedSession {
        ExportedSession {
            credential: self.credential(),
            level: self.level(),
            started_at: self.started_at(),
            from_trusted_device: self.from_trusted_device(),
        }
    }
}

/// One event of the record, as the person reads it: `event` names it (the snake_case name
/// of [`Event::name`]), `at` says when, and the other fields what the record holds of it, by
/// name. Enumerations are written in snake_case: `channel` is `online`, `contact_center` or
/// `sede`; `assurance` `ordinary` or `dispositivo`; `credential` `pin`, `pin_first_half` or
/// `digital_identity`; `via` `online` or `fax`; `reason` of an erasure `persons_request`,
/// `retention_period`, `court_order` or `supervisory_authority`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
#[serde(tag = "event", rename_all = "snake_case")]
#[non_exhaustive]
pub enum ExportedEvent {
    /// A 16-character PIN was issued (R10–R13), to the person as the request gave them.
    PinIssued {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// Through which channel.
        #[serde(serialize_with = "snake")]
        channel: Channel,
        /// At which level.
        #[serde(serialize_with = "snake")]
        assurance: AssuranceLevel,
        /// For which role (R2, R20).
        #[serde(serialize_with = "snake")]
        role: Role,
        /// The first access was due by then (R9).
        #[serde(with = "crate::timestamp_serde")]
        first_access_by: Timestamp,
        /// Its first half alone opened the services the policy named (R9a).
        first_half_accepted: bool,
        /// The person as the request gave them; `None` once erased. Boxed: one entry in
        /// many has one.
        person: Option<Box<ExportedPerson>>,
    },
    /// The first access gave the 8-character PIN (R6).
    FirstAccessCompleted {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// At which level.
        #[serde(serialize_with = "snake")]
        assurance: AssuranceLevel,
        /// When that PIN expired or expires (R20).
        #[serde(with = "crate::timestamp_serde")]
        expires_at: Timestamp,
    },
    /// A wrong 16 at a first access (R25b).
    FirstAccessFailed {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    /// A login succeeded.
    LoggedIn {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// With the PIN or its first half (R9a).
        #[serde(serialize_with = "snake")]
        credential: Credential,
        /// From this trusted device (R25a).
        trusted_device: Option<DeviceId>,
    },
    /// A wrong PIN at a login or renewal (R25).
    LoginFailed {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// From this trusted device, in its own count (R25a).
        trusted_device: Option<DeviceId>,
        /// It blocked the PIN (or forgot the device).
        blocked: bool,
    },
    /// Too many wrong PINs blocked the PIN (as recorded before a failure said so itself).
    PinBlocked {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    /// The delay after a wrong PIN ended (as recorded before the clock said so itself).
    LoginDelayEnded {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    /// A device became trusted (R25a).
    DeviceTrusted {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// The device.
        device: DeviceId,
        /// The device it made room for.
        replaces: Option<DeviceId>,
    },
    /// The 16 lapsed unused (R9).
    FirstPinLapsed {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    /// The person was warned of the expiry (R22).
    ExpiryWarned {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    /// The PIN expired (R20).
    PinExpired {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    /// The guided renewal gave a new 8-character PIN (R21).
    PinRenewed {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// When that PIN expired or expires.
        #[serde(with = "crate::timestamp_serde")]
        expires_at: Timestamp,
        /// From this trusted device (R25a).
        trusted_device: Option<DeviceId>,
    },
    /// A written upgrade request (R16, R17).
    UpgradeRequested {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// How it was sent.
        #[serde(serialize_with = "snake")]
        via: UpgradeVia,
    },
    /// The PIN became dispositivo (R16, R17).
    UpgradeApproved {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    /// The upgrade request was rejected (R17).
    UpgradeRejected {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// The reason written to the person; `None` once erased.
        reason: Option<String>,
    },
    /// A restore that replaced the PIN at once (as restores were recorded before R23a).
    PinRestored {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// At which level.
        #[serde(serialize_with = "snake")]
        assurance: AssuranceLevel,
        /// Its first access was due by then (R9).
        #[serde(with = "crate::timestamp_serde")]
        first_access_by: Timestamp,
    },
    /// A restore sent a new 16 to the registered contacts (R23, R23a).
    RestoreRequested {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// Its first access was due by then (R9).
        #[serde(with = "crate::timestamp_serde")]
        first_access_by: Timestamp,
    },
    /// The PIN was revoked with the tessera sanitaria (R24).
    PinRevoked {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    /// The person's data was erased (R36).
    PersonalDataErased {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// Why.
        #[serde(serialize_with = "snake")]
        reason: ErasureReason,
    },
}

impl ExportedEvent {
    /// The entry for `event`: its facts, and its personal data but for the hashes.
    fn of(event: &Event) -> ExportedEvent {
        match event {
            Event::PinIssued {
                at,
                role,
                person,
                channel,
                assurance,
                first_half,
                lapses_at,
                ..
            } => ExportedEvent::PinIssued {
                at: *at,
                channel: *channel,
                assurance: *assurance,
                role: *role,
                first_access_by: *lapses_at,
                first_half_accepted: first_half.is_some(),
                person: person
                    .as_deref()
                    .map(|person| Box::new(ExportedPerson::of(person))),
            },
            Event::FirstAccessCompleted {
                at,
                assurance,
                expires_at,
                ..
            } => ExportedEvent::FirstAccessCompleted {
                at: *at,
                assurance: *assurance,
                expires_at: *expires_at,
            },
            Event::FirstAccessFailed { at } => ExportedEvent::FirstAccessFailed { at: *at },
            Event::LoggedIn {
                at,
                credential,
                device,
                ..
            } => ExportedEvent::LoggedIn {
                at: *at,
                credential: *credential,
                trusted_device: device.clone(),
            },
            Event::LoginFailed { at, device, blocks } => ExportedEvent::LoginFailed {
                at: *at,
                trusted_device: device.clone(),
                blocked: *blocks,
            },
            Event::PinBlocked { at } => ExportedEvent::PinBlocked { at: *at },
            Event::LoginDelayEnded { at } => ExportedEvent::LoginDelayEnded { at: *at },
            Event::DeviceTrusted {
                at,
                device,
                replaces,
                ..
            } => ExportedEvent::DeviceTrusted {
                at: *at,
                device: device.clone(),
                replaces: replaces.clone(),
            },
            Event::FirstPinLapsed { at } => ExportedEvent::FirstPinLapsed { at: *at },
            Event::ExpiryWarned { at } => ExportedEvent::ExpiryWarned { at: *at },
            Event::PinExpired { at } => ExportedEvent::PinExpired { at: *at },
            Event::PinRenewed {
                at,
                expires_at,
                device,
                ..
            } => ExportedEvent::PinRenewed {
                at: *at,
                expires_at: *expires_at,
                trusted_device: device.clone(),
            },
            Event::UpgradeRequested { at, via, .. } => {
                ExportedEvent::UpgradeRequested { at: *at, via: *via }
            }
            Event::UpgradeApproved { at, .. } => ExportedEvent::UpgradeApproved { at: *at },
            Event::UpgradeRejected { at, reason, .. } => ExportedEvent::UpgradeRejected {
                at: *at,
                reason: reason.as_ref().map(|reason| reason.as_str().to_owned()),
            },
            Event::PinRestored {
                at,
                assurance,
                lapses_at,
                ..
            } => ExportedEvent::PinRestored {
                at: *at,
                assurance: *assurance,
                first_access_by: *lapses_at,
            },
            Event::RestoreRequested { at, lapses_at, .. } => ExportedEvent::RestoreRequested {
                at: *at,
                first_access_by: *lapses_at,
            },
            Event::PinRevoked { at, .. } => ExportedEvent::PinRevoked { at: *at },
            Event::PersonalDataErased { at, reason } => ExportedEvent::PersonalDataErased {
                at: *at,
                reason: *reason,
            },
        }
    }

    /// Drops the person's data from the entry: an erasure came after it.
    fn forget_personal_data(&mut self) {
        match self {
            ExportedEvent::PinIssued { person, .. } => *person = None,
            ExportedEvent::UpgradeRejected { reason, .. } => *reason = None,
            _ => {}
        }
    }
}

impl ExportedPerson {
    fn of(person: &Person) -> ExportedPerson {
        let residence = person.residence();
        ExportedPerson {
            name: person.name().as_str().to_owned(),
            surname: person.surname().as_str().to_owned(),
            role: person.role(),
            residence: ExportedAddress {
                street: residence.street().to_owned(),
                postal_code: residence.postal_code().as_str().to_owned(),
                municipality: residence.municipality().to_owned(),
                province: residence.province().as_str().to_owned(),
            },
            email: person.email().map(|email| email.as_str().to_owned()),
            mobile: person.mobile().map(|mobile| mobile.as_str().to_owned()),
            landline: person
                .landline()
                .map(|landline| landline.as_str().to_owned()),
            sunset_exemption: person.sunset_exemption(),
        }
    }
}

/// The events given to [`Account::export`] are not the account's: another number of them
/// than the account's version. A partial history would be a partial answer to the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, thiserror::Error)]
#[error(
    "{events} events were given for an account at version {version}: export with every event \
     of the account, from its first, and the account they replay to"
)]
pub struct ExportError {
    /// The account's version: how many events it was built from.
    pub version: u64,
    /// How many events were given.
    pub events: u64,
}

impl ExportError {
    /// A stable code for logs and APIs: `export.events_not_matching` (R30).
    #[must_use]
    pub fn code(&self) -> &'static str {
        "export.events_not_matching"
    }

    /// The message in Italian, with what to do next (R30).
    #[must_use]
    pub fn message_it(&self) -> String {
        "Non è stato possibile preparare l'estrazione dei dati: riprova più tardi o chiama il \
         Contact Center: 803 164 da rete fissa, 06 164 164 da cellulare."
            .to_owned()
    }
}

impl Account {
    /// Everything the record holds about its person (R36; GDPR art. 15 and 20), from the
    /// account and its events, oldest first: the person's data while it is kept, the PIN as it
    /// stands at `now` under `policy`, and every security fact. Never a PIN, a code, a hash or
    /// a token. The person's data of events an erasure came after is left out, whatever the
    /// events given held.
    ///
    /// ```
    /// use inps_pin::*;
    ///
    /// # fn export(account: &Account, events: &[Event], policy: &Policy) -> Result<(), Box<dyn std::error::Error>> {
    /// let now: jiff::Timestamp = "2027-01-10T09:00:00Z".parse()?;
    /// let export = account.export(events, now, policy)?;
    /// let json = serde_json::to_string_pretty(&export)?; // for the person, or an auditor
    /// assert!(!json.contains("$argon2id$"));
    /// # Ok(()) }
    /// ```
    ///
    /// # Errors
    /// [`ExportError`] when the events are not as many as the account's version: give every
    /// event of the account, from its first.
    pub fn export<'e>(
        &self,
        events: impl IntoIterator<Item = &'e Event>,
        now: Timestamp,
        policy: &Policy,
    ) -> Result<PersonalDataExport, ExportError> {
        let mut history: Vec<ExportedEvent> = Vec::new();
        for event in events {
            if matches!(event, Event::PersonalDataErased { .. }) {
                history
                    .iter_mut()
                    .for_each(ExportedEvent::forget_personal_data);
            }
            history.push(ExportedEvent::of(event));
        }
        let given = u64::try_from(history.len()).unwrap_or(u64::MAX);
        if given != self.version {
            return Err(ExportError {
                version: self.version,
                events: given,
            });
        }
        Ok(PersonalDataExport {
            export_format: EXPORT_FORMAT,
            codice_fiscale: self.codice_fiscale,
            exported_at: now,
            person: self.person.as_deref().map(ExportedPerson::of),
            pin: self.exported_pin(now, policy),
            history,
        })
    }

    /// The PIN as it stands at `now`, for the export.
    fn exported_pin(&self, now: Timestamp, policy: &Policy) -> ExportedPin {
        let record = self.pin.as_ref();
        let (first_access_by, expires_at) = match record.map(|record| &record.stage) {
            Some(Stage::AwaitingFirstAccess(first)) => (Some(first.lapses_at), None),
            Some(Stage::Active(active)) => (None, Some(active.expires_at)),
            None => (None, None),
        };
        ExportedPin {
            phase: self.phase(now, policy),
            assurance: record.map(super::PinRecord::assurance),
            first_access_by,
            expires_at,
            consecutive_failures: self.consecutive_failures(),
            trusted_devices: record.map_or_else(Vec::new, |record| {
                record
                    .devices
                    .iter()
                    .map(|device| ExportedDevice {
                        device: device.id.clone(),
                        last_used_at: device.last_used_at,
                        trusted: device.trusted_at(now, &policy.trusted_devices),
                    })
                    .collect()
            }),
            restore_waiting_until: record
                .and_then(|record| record.restore.as_ref())
                .map(|restore| restore.lapses_at),
            upgrade_requested_via: record.and_then(|record| record.pending_upgrade),
        }
    }
}

/// The snake_case name a value is exported as.
trait ExportName {
    fn export_name(&self) -> &'static str;
}

impl ExportName for Role {
    fn export_name(&self) -> &'static str {
        match self {
            Role::Citizen => "citizen",
            Role::Intermediary => "intermediary",
        }
    }
}

impl ExportName for Channel {
    fn export_name(&self) -> &'static str {
        match self {
            Channel::Online => "online",
            Channel::ContactCenter => "contact_center",
            Channel::Sede => "sede",
        }
    }
}

impl ExportName for AssuranceLevel {
    fn export_name(&self) -> &'static str {
        match self {
            AssuranceLevel::Ordinary => "ordinary",
            AssuranceLevel::Dispositivo => "dispositivo",
        }
    }
}

impl ExportName for Credential {
    fn export_name(&self) -> &'static str {
        match self {
            Credential::Pin => "pin",
            Credential::PinFirstHalf => "pin_first_half",
            Credential::DigitalIdentity(_) => "digital_identity",
        }
    }
}

impl ExportName for UpgradeVia {
    fn export_name(&self) -> &'static str {
        match self {
            UpgradeVia::Online => "online",
            UpgradeVia::Fax => "fax",
        }
    }
}

impl ExportName for SunsetExemption {
    fn export_name(&self) -> &'static str {
        match self {
            SunsetExemption::NoItalianIdentityDocument => "no_italian_identity_document",
            SunsetExemption::LegalProtection => "legal_protection",
        }
    }
}

impl ExportName for ErasureReason {
    fn export_name(&self) -> &'static str {
        self.code()
    }
}

impl ExportName for Phase {
    fn export_name(&self) -> &'static str {
        match self {
            Phase::NoPin => "no_pin",
            Phase::AwaitingFirstAccess => "awaiting_first_access",
            Phase::FirstPinLapsed => "first_pin_lapsed",
            Phase::Active => "active",
            Phase::ExpiringSoon => "expiring_soon",
            Phase::Expired => "expired",
            Phase::Blocked => "blocked",
            Phase::Retired => "retired",
        }
    }
}

fn snake<T: ExportName, S: Serializer>(value: &T, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(value.export_name())
}

// serde's `serialize_with` hands the field by reference, which is an `Option`.
#[allow(clippy::ref_option)]
fn snake_option<T: ExportName, S: Serializer>(
    value: &Option<T>,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    match value {
        Some(value) => serializer.serialize_some(value.export_name()),
        None => serializer.serialize_none(),
    }
}
