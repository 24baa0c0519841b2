//! Events: what happened to an account, the facts it is rebuilt from (R29).

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::assurance::{AssuranceLevel, Credential};
use crate::channel::{Channel, OperatorId};
use crate::device::DeviceId;
use crate::hash::PinHash;
use crate::person::{Person, Role};
use crate::personal_data::ErasureReason;
use crate::upgrade::{RejectionReason, UpgradeVia};

/// A fact about an account. Applying an account's events in order, from
/// [`Account::new`](crate::Account::new), rebuilds it exactly (R29).
///
/// New variants go at the end, and a variant's fields change only with a new stored format:
/// the binary stored form (postcard) is the declaration order, and every stored format stays
/// readable (R32; the layouts of format 0 and of formats 1 and 2 are kept in `stored/v0.rs`
/// and `stored/v2.rs`).
///
/// Events are self-contained: each carries what its effect on the account needs (hashes,
/// levels, deadlines), so replay needs no policy. They hold PIN hashes, never PINs (R8).
///
/// Two events hold the person's data (R36): [`Event::PinIssued`] (the person) and
/// [`Event::UpgradeRejected`] (the reviewer's free-text reason). [`Event::split`] takes it out,
/// leaving the security facts, which replay alone; [`Event::join`] puts it back. Every other
/// event is a security fact only.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Event {
    /// A 16-character PIN was issued (R5, R10–R13).
    ///
    /// Read from every stored form that has it, JSON of the formats before 3 included, which
    /// kept the role inside the person.
    #[serde(deserialize_with = "crate::account::stored::pin_issued_fields")]
    PinIssued {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// The role the PIN was issued for, which sets its expiry (R2, R20): a security fact,
        /// kept when the person is split off or erased.
        role: Role,
        /// The person as the request gave them: contacts as of now, and the residence the
        /// institute's archive holds (R35), whatever the request typed; their role is
        /// `role`. `None` in the facts split off for storage apart ([`Event::split`]), and
        /// once erased (R36). Boxed so that the other events, which are most of a stored log,
        /// stay small.
        person: Option<Box<Person>>,
        /// Through which channel.
        channel: Channel,
        /// The level it starts at.
        assurance: AssuranceLevel,
        /// Hash of all 16 characters.
        whole: PinHash,
        /// Hash of the first 8, kept only when some service accepts the first half (R9a).
        first_half: Option<PinHash>,
        /// When the 16 lapses if unused (R9).
        #[serde(with = "crate::timestamp_serde")]
        lapses_at: Timestamp,
        /// Who vouched for the archive record the PIN was issued against (R35). `None` in
        /// events stored before attestations existed.
        #[serde(default)]
        archive_checked_by: Option<OperatorId>,
        /// At a sede, the operator who checked the identity document and handed over the
        /// envelope (R13, R35); `None` online, through the Contact Center, and in events
        /// stored before attestations existed.
        #[serde(default)]
        document_checked_by: Option<OperatorId>,
    },
    /// The first access exchanged the 16 characters for an 8-character PIN (R6).
    FirstAccessCompleted {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// Hash of the new 8-character PIN.
        pin: PinHash,
        /// Its level: the first PIN's, earned by the channel's identity check.
        assurance: AssuranceLevel,
        /// When it expires (R20).
        #[serde(with = "crate::timestamp_serde")]
        expires_at: Timestamp,
    },
    /// A login succeeded.
    LoggedIn {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// With the PIN, or its first half alone (R9a).
        credential: Credential,
        /// From this trusted device (R25a); `None` from any other client.
        #[serde(default)]
        device: Option<DeviceId>,
        /// The PIN hashed again at the policy's cost, when the stored hash had another (R30:
        /// a wrong PIN then costs what an unknown person's costs).
        #[serde(default)]
        rehashed: Option<PinHash>,
    },
    /// A wrong PIN at a login or renewal: counted (R25). (A wrong 16 at a first access is
    /// [`Event::FirstAccessFailed`]; in streams whose first accesses counted here, it replays
    /// as it was counted.) The delay it starts
    /// follows from its instant and the policy, so nothing more is stored for it.
    LoginFailed {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// In this trusted device's own count (R25a); `None`: in the count of every other
        /// client.
        #[serde(default)]
        device: Option<DeviceId>,
        /// It reached its lane's block: the PIN is blocked for every client without a trusted
        /// device (and the person told), or the device is forgotten (R25, R25a). One event per
        /// guess, the blocking one too.
        #[serde(default)]
        blocks: bool,
    },
    /// Retired: too many consecutive failures blocked the PIN until a restore (R25). Now
    /// [`Event::LoginFailed`] says so itself (`blocks`), one event per guess; streams written
    /// before still replay.
    PinBlocked {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    /// The delay after a failure ended. Never written by this release, since the end of a
    /// delay follows from the clock (one stored event per wrong PIN, R25a); stored streams
    /// that hold it replay, and applying it changes nothing but the version.
    LoginDelayEnded {
        /// When the clock said so.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    /// The 16-character PIN lapsed without a first access (R9).
    FirstPinLapsed {
        /// When the clock said so.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    /// The person was warned that the PIN expires soon (R22).
    ExpiryWarned {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    /// The PIN expired (R20).
    PinExpired {
        /// When the clock said so.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    /// The guided renewal gave a new 8-character PIN, at the same level (R21).
    PinRenewed {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// Hash of the new PIN.
        pin: PinHash,
        /// When it expires (R20).
        #[serde(with = "crate::timestamp_serde")]
        expires_at: Timestamp,
        /// From this trusted device (R25a), which stays trusted from then.
        #[serde(default)]
        device: Option<DeviceId>,
    },
    /// A written upgrade request waits for the back office (R16, R17).
    UpgradeRequested {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// How it was sent.
        via: UpgradeVia,
        /// Who examined the copy of the identity document (R16, R35). `None` in events stored
        /// before attestations existed.
        #[serde(default)]
        checked_by: Option<OperatorId>,
    },
    /// The PIN became dispositivo (R16, R17).
    UpgradeApproved {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// The back-office reviewer, or the sede operator who checked the document and decided
        /// (R16, R17, R35).
        by: OperatorId,
    },
    /// The back office rejected the upgrade request (R17).
    UpgradeRejected {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// Who decided.
        by: OperatorId,
        /// Why, as written to the person: free text, which may name them or their document,
        /// so it is the person's data (R36). `None` in the facts split off for storage apart
        /// ([`Event::split`]), and once erased.
        reason: Option<RejectionReason>,
    },
    /// Retired: a restore that replaced the PIN at once with a new 16 (R23 before R23a).
    /// Streams written before still replay as they did; new restores are
    /// [`Event::RestoreRequested`].
    PinRestored {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// Its level: the restored PIN's.
        assurance: AssuranceLevel,
        /// Hash of all 16 characters.
        whole: PinHash,
        /// Hash of the first 8, as for [`Event::PinIssued`].
        first_half: Option<PinHash>,
        /// When the 16 lapses if unused (R9).
        #[serde(with = "crate::timestamp_serde")]
        lapses_at: Timestamp,
    },
    /// The PIN was revoked with the tessera sanitaria (R24).
    PinRevoked {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// Who checked the tessera against the health-card register (R35). `None` in events
        /// stored before attestations existed.
        #[serde(default)]
        checked_by: Option<OperatorId>,
    },
    /// A restore with the two registered contacts: a new 16-character PIN, its halves sent to
    /// them, waits beside the PIN in use, which keeps working until the new code's first
    /// access replaces it (R23, R23a).
    RestoreRequested {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// Hash of all 16 characters.
        whole: PinHash,
        /// When the 16 lapses if unused (R9).
        #[serde(with = "crate::timestamp_serde")]
        lapses_at: Timestamp,
    },
    /// A client became a trusted device: its token's hash is kept (R25a). It stays trusted for
    /// the policy's days after its last login.
    DeviceTrusted {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// The device.
        device: DeviceId,
        /// Hash of the token's secret part.
        hash: PinHash,
        /// The device it makes room for, when the account trusted as many as the policy allows.
        replaces: Option<DeviceId>,
    },
    /// A wrong 16 typed at a first access: counted in the lane of the 16 that waits for it,
    /// whose delays follow from this instant and the policy; it never blocks, and touches no
    /// other lane, no PIN in use and no session (R25b).
    FirstAccessFailed {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
    },
    /// The person's data was erased (R36): the account keeps its security facts and no
    /// personal data; a PIN still live ended with it, like a revocation, with its sessions
    /// (R31). Holds no personal data itself. A later request brings new data.
    PersonalDataErased {
        /// When.
        #[serde(with = "crate::timestamp_serde")]
        at: Timestamp,
        /// Why: the person's request, the retention period, an order.
        reason: ErasureReason,
    },
}

impl Event {
    /// When it happened.
    #[must_use]
    pub fn at(&self) -> Timestamp {
        match self {
            Event::PinIssued { at, .. }
            | Event::FirstAccessCompleted { at, .. }
            | Event::LoggedIn { at, .. }
            | Event::LoginFailed { at, .. }
            | Event::PinBlocked { at }
            | Event::LoginDelayEnded { at }
            | Event::FirstPinLapsed { at }
            | Event::ExpiryWarned { at }
            | Event::PinExpired { at }
            | Event::PinRenewed { at, .. }
            | Event::UpgradeRequested { at, .. }
            | Event::UpgradeApproved { at, .. }
            | Event::UpgradeRejected { at, .. }
            | Event::PinRestored { at, .. }
            | Event::RestoreRequested { at, .. }
            | Event::DeviceTrusted { at, .. }
            | Event::PinRevoked { at, .. }
            | Event::FirstAccessFailed { at }
            | Event::PersonalDataErased { at, .. } => *at,
        }
    }

    /// A stable name for logs.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Event::PinIssued { .. } => "pin_issued",
            Event::FirstAccessCompleted { .. } => "first_access_completed",
            Event::LoggedIn { .. } => "logged_in",
            Event::LoginFailed { .. } => "login_failed",
            Event::PinBlocked { .. } => "pin_blocked",
            Event::LoginDelayEnded { .. } => "login_delay_ended",
            Event::FirstPinLapsed { .. } => "first_pin_lapsed",
            Event::ExpiryWarned { .. } => "expiry_warned",
            Event::PinExpired { .. } => "pin_expired",
            Event::PinRenewed { .. } => "pin_renewed",
            Event::UpgradeRequested { .. } => "upgrade_requested",
            Event::UpgradeApproved { .. } => "upgrade_approved",
            Event::UpgradeRejected { .. } => "upgrade_rejected",
            Event::PinRestored { .. } => "pin_restored",
            Event::RestoreRequested { .. } => "restore_requested",
            Event::DeviceTrusted { .. } => "device_trusted",
            Event::PinRevoked { .. } => "pin_revoked",
            Event::FirstAccessFailed { .. } => "first_access_failed",
            Event::PersonalDataErased { .. } => "personal_data_erased",
        }
    }
}
