//! The HTTP API's own request and response types, version 1: snake case, documented, and
//! independent of the library's storage forms, so that a rename in Rust is not a wire break.
//! The OpenAPI document (`GET /v1/openapi.json`) is generated from them.

use inps_pin::{
    AssuranceLevel, Channel, ContactCenterLine, Delivery, DocumentKind, ErasureReason, Medium,
    PhoneKind, PinPart, UpgradeVia,
};
use serde::{Deserialize, Deserializer, Serialize};
use utoipa::ToSchema;
use zeroize::Zeroizing;

/// Text that holds a secret (a typed PIN): read from the request into a buffer wiped on drop,
/// and parsed from there into the library's wiped type.
#[derive(Default)]
pub struct SecretText(pub(crate) Zeroizing<String>);

impl std::fmt::Debug for SecretText {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SecretText([redacted])")
    }
}

impl<'de> Deserialize<'de> for SecretText {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<SecretText, D::Error> {
        String::deserialize(deserializer).map(|text| SecretText(Zeroizing::new(text)))
    }
}

/// The person's data, as typed in a PIN request (R1).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PersonForm {
    /// First name.
    #[schema(example = "Mario")]
    pub first_name: String,
    /// Surname.
    #[schema(example = "Rossi")]
    pub surname: String,
    /// The codice fiscale, 16 characters (case and spaces are forgiven).
    #[schema(example = "RSSMRA80A01H501U")]
    pub codice_fiscale: String,
    /// Citizen (6-month PIN) or intermediary (3-month PIN).
    #[serde(default)]
    pub role: PersonRole,
    /// Street and number of the residence.
    #[schema(example = "Via Roma 1")]
    pub street: String,
    /// Postal code (CAP), 5 digits.
    #[schema(example = "00184")]
    pub postal_code: String,
    /// Municipality.
    #[schema(example = "Roma")]
    pub city: String,
    /// Province, two letters.
    #[schema(example = "RM")]
    pub province: String,
    /// E-mail: where the first half may go, and one of the two contacts of a restore.
    #[schema(example = "mario.rossi@example.it")]
    pub email: Option<String>,
    /// Mobile number: where the first half may go, and the other contact of a restore.
    #[schema(example = "+39 347 123 4567")]
    pub mobile: Option<String>,
}

/// A person's role (R2).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PersonRole {
    /// A citizen.
    #[default]
    Citizen,
    /// An intermediary (patronato, CAF, professional).
    Intermediary,
}

/// A PIN typed by the person, with their codice fiscale.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PinForm {
    /// The codice fiscale.
    #[schema(example = "RSSMRA80A01H501U")]
    pub codice_fiscale: String,
    /// The PIN: 8 characters, or the 16 of a first access.
    #[schema(value_type = String, format = Password, example = "ABCDEFGH")]
    pub pin: SecretText,
    /// Whether to trust this device from now on (a cookie, R25a).
    #[serde(default)]
    pub trust_device: bool,
}

/// A restore request: the codice fiscale and the two registered contacts (R23).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RestoreForm {
    /// The codice fiscale.
    #[schema(example = "RSSMRA80A01H501U")]
    pub codice_fiscale: String,
    /// The registered e-mail.
    #[schema(example = "mario.rossi@example.it")]
    pub email: String,
    /// The registered mobile number.
    #[schema(example = "+39 347 123 4567")]
    pub mobile: String,
}

/// An authorisation request: may the logged-in person use this service?
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AuthoriseForm {
    /// The service's id in the catalogue.
    #[schema(example = "estratto-contributivo")]
    pub service: String,
}

/// An identity document, as the operator examined it (R13, R16).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DocumentForm {
    /// What kind of document.
    pub kind: DocumentType,
    /// Its number.
    #[schema(example = "CA12345AB")]
    pub number: String,
    /// Its expiry date, `YYYY-MM-DD`.
    #[schema(example = "2030-01-31")]
    pub expires_on: String,
}

/// Kinds of identity document.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum DocumentType {
    /// Carta d'identità.
    IdentityCard,
    /// Passaporto.
    Passport,
    /// Patente di guida.
    DrivingLicence,
    /// Another document the institute accepts.
    Other,
}

impl From<DocumentType> for DocumentKind {
    fn from(kind: DocumentType) -> DocumentKind {
        match kind {
            DocumentType::IdentityCard => DocumentKind::IdentityCard,
            DocumentType::Passport => DocumentKind::Passport,
            DocumentType::DrivingLicence => DocumentKind::DrivingLicence,
            DocumentType::Other => DocumentKind::Other,
        }
    }
}

/// A PIN request taken by a Contact Center operator on the phone (R12).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ContactCenterForm {
    /// The caller's data.
    pub person: PersonForm,
    /// The phone the caller rang from: it sets the number they are told to call (R12).
    pub caller_phone: CallerPhone,
}

/// The kind of phone a caller rang from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum CallerPhone {
    /// A landline (803 164, toll-free).
    Landline,
    /// A mobile (06 164 164).
    Mobile,
}

impl From<CallerPhone> for PhoneKind {
    fn from(phone: CallerPhone) -> PhoneKind {
        match phone {
            CallerPhone::Landline => PhoneKind::Landline,
            CallerPhone::Mobile => PhoneKind::Mobile,
        }
    }
}

/// A PIN request at a sede, with form MV35 and the document the operator examined (R13).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SedeForm {
    /// The person's data.
    pub person: PersonForm,
    /// The document examined at the counter.
    pub document: DocumentForm,
}

/// A revocation with the tessera sanitaria (R24); the service checks the card against the
/// health-card register.
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeForm {
    /// The codice fiscale.
    #[schema(example = "RSSMRA80A01H501U")]
    pub codice_fiscale: String,
    /// The card's number (20 digits, starting with 80380).
    #[schema(example = "80380000500000000001")]
    pub card_number: String,
    /// The card's expiry date, `YYYY-MM-DD`.
    #[schema(example = "2029-12-31")]
    pub expires_on: String,
}

/// A written upgrade request, as the intake operator received it (R16, R17).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpgradeRequestForm {
    /// The codice fiscale.
    #[schema(example = "RSSMRA80A01H501U")]
    pub codice_fiscale: String,
    /// How it arrived.
    pub via: UpgradeChannel,
    /// The copy of the document attached to it.
    pub document: DocumentForm,
}

/// How a written upgrade request arrived.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum UpgradeChannel {
    /// Online.
    Online,
    /// By fax.
    Fax,
}

impl From<UpgradeChannel> for UpgradeVia {
    fn from(via: UpgradeChannel) -> UpgradeVia {
        match via {
            UpgradeChannel::Online => UpgradeVia::Online,
            UpgradeChannel::Fax => UpgradeVia::Fax,
        }
    }
}

/// The back office's decision on a waiting upgrade request (R17).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpgradeDecisionForm {
    /// The codice fiscale.
    #[schema(example = "RSSMRA80A01H501U")]
    pub codice_fiscale: String,
    /// Approve, or reject with a reason.
    pub approve: bool,
    /// Why it is rejected (required to reject).
    pub reason: Option<String>,
}

/// An upgrade at a sede, decided on the spot (R16).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SedeUpgradeForm {
    /// The codice fiscale.
    #[schema(example = "RSSMRA80A01H501U")]
    pub codice_fiscale: String,
    /// The document examined at the counter.
    pub document: DocumentForm,
}

/// Moves the demo's clock forward (only with `--demo`).
#[derive(Debug, Deserialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ClockForm {
    /// Days to add.
    #[serde(default)]
    pub advance_days: i64,
    /// Seconds to add.
    #[serde(default)]
    pub advance_seconds: i64,
}

// ---- answers ----

/// Every answer that is not a success: a stable code, and a message in Italian fit to show
/// the person, which says what to do next (R30).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErrorBody {
    /// Stable, for programs and logs.
    #[schema(example = "login.failed")]
    pub code: String,
    /// For the person, in Italian.
    #[schema(example = "Codice fiscale o PIN non corretti.")]
    pub message: String,
}

/// A part of a PIN shown in this answer (a screen, the operator's voice); the other parts
/// travel by their carriers and never appear in an answer.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ShownPart {
    /// Which part.
    pub part: PartName,
    /// How it reaches the person.
    pub medium: ShownMedium,
    /// The code.
    #[schema(example = "ABCDEFGH")]
    pub code: String,
}

/// Parts of a PIN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PartName {
    /// The first 8 of the 16 characters.
    FirstHalf,
    /// The last 8 of the 16 characters.
    SecondHalf,
    /// All 16 characters (sede).
    WholeFirstPin,
    /// The 8-character PIN of every later login.
    Pin,
}

impl From<PinPart> for PartName {
    fn from(part: PinPart) -> PartName {
        match part {
            PinPart::FirstHalf => PartName::FirstHalf,
            PinPart::SecondHalf => PartName::SecondHalf,
            PinPart::WholeFirstPin => PartName::WholeFirstPin,
            _ => PartName::Pin,
        }
    }
}

/// How a shown part reaches the person.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ShownMedium {
    /// On the screen of the online procedure.
    Screen,
    /// Read out by the Contact Center operator.
    Voice,
    /// Any other medium.
    Other,
}

impl ShownPart {
    /// A shown delivery, with its code; `None` for one without a code.
    #[must_use]
    pub fn of(delivery: &Delivery) -> Option<ShownPart> {
        let code = delivery.secret()?.expose().to_owned();
        let medium = match delivery.medium() {
            Medium::Screen => ShownMedium::Screen,
            Medium::ReadByOperator(_) => ShownMedium::Voice,
            _ => ShownMedium::Other,
        };
        Some(ShownPart {
            part: delivery.part().into(),
            medium,
            code,
        })
    }
}

/// Assurance levels (R15).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum Level {
    /// Consult one's own data.
    Ordinario,
    /// Apply for benefits.
    Dispositivo,
}

impl From<AssuranceLevel> for Level {
    fn from(level: AssuranceLevel) -> Level {
        match level {
            AssuranceLevel::Ordinary => Level::Ordinario,
            _ => Level::Dispositivo,
        }
    }
}

/// Issuance channels (R10).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ChannelName {
    /// The online procedure.
    Online,
    /// The Contact Center.
    ContactCenter,
    /// A sede's counter.
    Sede,
}

impl From<Channel> for ChannelName {
    fn from(channel: Channel) -> ChannelName {
        match channel {
            Channel::Online => ChannelName::Online,
            Channel::ContactCenter => ChannelName::ContactCenter,
            _ => ChannelName::Sede,
        }
    }
}

/// The numbers of the Contact Center (R12).
#[must_use]
pub fn contact_center_number(line: ContactCenterLine) -> &'static str {
    match line {
        ContactCenterLine::TollFree => "803 164",
        _ => "06 164 164",
    }
}

/// A PIN was issued: its parts are shown here or on their way (R11–R13).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PinIssuedResponse {
    /// Whose PIN.
    #[schema(example = "RSSMRA80A01H501U")]
    pub codice_fiscale: String,
    /// Through which channel.
    pub channel: ChannelName,
    /// At which level.
    pub level: Level,
    /// The first access must happen before this instant (RFC 3339).
    #[schema(example = "2027-02-22T09:00:00Z")]
    pub first_access_by: String,
    /// The parts shown in this answer.
    pub shown: Vec<ShownPart>,
    /// What to do next, in Italian.
    pub message: String,
}

/// A session: a first access, a login or a renewal succeeded.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct SessionResponse {
    /// Whose session: the codice fiscale of the person who logged in.
    #[schema(example = "RSSMRA80A01H501U")]
    pub codice_fiscale: String,
    /// The bearer token of the session (`Authorization: Bearer …`).
    pub session_token: String,
    /// The session's level.
    pub level: Level,
    /// When the session ends at the latest (RFC 3339).
    pub expires_at: String,
    /// The new 8-character PIN, after a first access or a renewal.
    pub shown: Vec<ShownPart>,
}

/// A request was accepted; what follows arrives by its carriers.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AcceptedResponse {
    /// Stable, for programs.
    #[schema(example = "restore.sent")]
    pub code: String,
    /// For the person, in Italian.
    pub message: String,
}

/// An authorisation decision (R19).
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AuthorisationResponse {
    /// The service, by name.
    pub service: String,
    /// Whether the session may use it.
    pub allowed: bool,
    /// The level it needs.
    pub required: Level,
    /// The level the session has.
    pub held: Level,
    /// Why it is refused, for programs.
    pub code: Option<String>,
    /// Why it is refused, in Italian.
    pub message: Option<String>,
}

/// What an operator did to an account.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct OperatorResponse {
    /// Stable, for programs.
    #[schema(example = "pin.revoked")]
    pub code: String,
    /// For the person at the counter or on the phone, in Italian.
    pub message: String,
    /// The parts shown to the operator (a sede's envelope is printed, not shown).
    pub shown: Vec<ShownPart>,
}

/// An account as operators see it: its state, never a code or a hash.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct AccountView {
    /// The codice fiscale.
    pub codice_fiscale: String,
    /// Events recorded.
    pub version: u64,
    /// The phase now.
    pub phase: String,
    /// Consecutive wrong PINs in the anonymous lane.
    pub consecutive_failures: u32,
    /// When the PIN expires (RFC 3339).
    pub expires_at: Option<String>,
    /// When the account next needs the clock (RFC 3339).
    pub next_deadline: Option<String>,
    /// The service's time (RFC 3339).
    pub now: String,
}

/// The demo's clock after a jump.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ClockResponse {
    /// The service's time now (RFC 3339).
    pub now: String,
    /// Accounts ticked because their deadline came.
    pub ticked: usize,
}

/// Why an auditor erases a person's data (R36): the reasons the record keeps.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Deserialize, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ErasureReasonForm {
    /// The person asked for it (GDPR art. 17(1)).
    PersonsRequest,
    /// The policy's retention period passed (GDPR art. 5(1)(e)); the ticker erases at that
    /// deadline by itself.
    RetentionPeriod,
    /// A court ordered it.
    CourtOrder,
    /// The Garante per la protezione dei dati personali ordered it (GDPR art. 58(2)(g)).
    SupervisoryAuthority,
}

impl From<ErasureReasonForm> for ErasureReason {
    fn from(reason: ErasureReasonForm) -> ErasureReason {
        match reason {
            ErasureReasonForm::PersonsRequest => ErasureReason::PersonsRequest,
            ErasureReasonForm::RetentionPeriod => ErasureReason::RetentionPeriod,
            ErasureReasonForm::CourtOrder => ErasureReason::CourtOrder,
            ErasureReasonForm::SupervisoryAuthority => ErasureReason::SupervisoryAuthority,
        }
    }
}

/// An erasure of a person's data (R36).
#[derive(Debug, Deserialize, Serialize, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ErasureForm {
    /// Why: it is recorded with the erasure, with no personal data.
    pub reason: ErasureReasonForm,
}

/// What an erasure did.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct ErasureResponse {
    /// `personal_data.erased`.
    #[schema(example = "personal_data.erased")]
    pub code: String,
    /// For the operator, in Italian.
    pub message: String,
    /// The reason recorded.
    pub reason: ErasureReasonForm,
    /// Whether the erasure ended a PIN (and the sessions it opened).
    pub pin_ended: bool,
}

/// Everything the record holds about a person (R36; GDPR art. 15 and 20), as JSON: the
/// library's export format, version `export_format`. `person` is `null` once erased; `pin`
/// is the PIN as it stands (`phase`, `assurance`, `first_access_by`, `expires_at`,
/// `consecutive_failures`, `trusted_devices`, `restore_waiting_until`,
/// `upgrade_requested_via`); `history` is every event of the record, oldest first, each an
/// object whose `event` names it and `at` dates it. No code, hash or token is ever in it.
#[derive(Debug, Serialize, Deserialize, ToSchema)]
pub struct PersonalDataExportBody {
    /// The layout's version (1).
    pub export_format: u32,
    /// Whose record.
    pub codice_fiscale: String,
    /// When the export was made (RFC 3339).
    pub exported_at: String,
    /// The person's data: `name`, `surname`, `role`, `residence` (`street`, `postal_code`,
    /// `municipality`, `province`), `email`, `mobile`, `landline`, `sunset_exemption`;
    /// `null` once erased or never given.
    #[schema(value_type = Option<Object>)]
    pub person: Option<serde_json::Value>,
    /// The PIN as it stands.
    #[schema(value_type = Object)]
    pub pin: serde_json::Value,
    /// Every event, oldest first.
    #[schema(value_type = Vec<Object>)]
    pub history: Vec<serde_json::Value>,
    /// What the service keeps beside the record: `sessions` still open (`credential`, `level`,
    /// `started_at`, `from_trusted_device`, `expires_at`) and `messages` made for the person
    /// (`kind`, `description`, `created_at`, `sent_at`, `attempts`); never a token, a code or
    /// an address.
    #[schema(value_type = Object)]
    pub held_by_the_service: serde_json::Value,
}
