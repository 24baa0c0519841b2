//! Commands: what a caller asks of an account.

use serde::{Deserialize, Serialize};

use crate::device::DeviceToken;

use crate::account::phase::listed_enum;
use crate::archive::ArchiveRecord;
use crate::attestation::Attested;
use crate::channel::{ChannelRequest, IdentityDocument, OperatorId};
use crate::person::{Email, MobileNumber, Person};
use crate::personal_data::ErasureReason;
use crate::secret::EnteredPin;
use crate::tessera::TesseraSanitaria;
use crate::upgrade::{UpgradeDecision, UpgradeVia};

/// Something a person, an operator, the back office or the clock asks of an account.
///
/// A command is a request with secrets in it, not a record: it serializes for logs without
/// its secrets (a typed PIN, a device token), and it does not deserialize, so a stored or
/// queued command can never be replayed into a login. Store and replay events instead
/// ([`Account::replay`](crate::Account::replay)).
///
/// A command is `Send` but not `Sync`: the [`EnteredPin`](crate::EnteredPin) it may carry
/// remembers, through a shared reference, which stored hashes it was checked against (R32),
/// so that deciding the same command again after a lost compare-and-swap runs no second
/// Argon2. Move a command to the thread that decides it (a blocking pool for the hash, for
/// one); two threads deciding one command at once would race on that memory, and the
/// compiler refuses it.
#[derive(Debug, Serialize)]
#[non_exhaustive]
// A command is built once and consumed at once; boxing the person would add an allocation and
// noise at every call site for no saving.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Request a PIN through a channel, with the data that channel collects (R1, R10–R14),
    /// and the institute's archive record of the person (R35).
    RequestPin {
        /// Who asks, with their contacts and residence.
        person: Person,
        /// Through which channel.
        channel: ChannelRequest,
        /// The archive's record of this codice fiscale, which the caller's lookup matched to
        /// the requester's name and birth data. The second half goes by post to its residence,
        /// not to the one in `person`.
        archive: Attested<ArchiveRecord>,
    },
    /// The first access: the whole 16-character PIN, exchanged for an 8-character PIN shown on
    /// screen (R6).
    FirstAccess {
        /// The 16 characters as typed.
        #[serde(skip)]
        pin: EnteredPin,
        /// Make the client a trusted device on success (R25a): the outcome carries its token.
        trust_device: bool,
    },
    /// A login with the PIN (R15), or with the first half alone where the policy allows it
    /// (R9a).
    LogIn {
        /// The PIN as typed.
        #[serde(skip)]
        pin: EnteredPin,
        /// The client's device token, if it has one (R25a): a valid one of this account counts
        /// the attempt in that device's own lane, apart from every other client's.
        #[serde(skip)]
        device: Option<DeviceToken>,
        /// Make the client a trusted device on success, if it is not one (R25a).
        trust_device: bool,
    },
    /// The guided renewal of an expired PIN, or of one about to expire (R21): the current PIN
    /// for a new 8-character PIN at the same level.
    RenewPin {
        /// The current PIN as typed.
        #[serde(skip)]
        pin: EnteredPin,
        /// The client's device token, if it has one (R25a): as for [`Command::LogIn`], a valid
        /// one of this account counts the attempt in that device's own lane, so a stranger's
        /// block does not stand before the owner's renewal.
        #[serde(skip)]
        device: Option<DeviceToken>,
        /// Make the client a trusted device on success (R25a).
        trust_device: bool,
    },
    /// A written request to make the PIN dispositivo, with a copy of an identity document,
    /// online or by fax (R16). It waits for [`Command::DecideUpgrade`]. Send it only for a
    /// person the service has identified (logged in online, or a signed fax): its refusals
    /// say what state the PIN is in.
    RequestUpgrade {
        /// How it was sent.
        via: UpgradeVia,
        /// The document copied into it, as whoever examined the copy vouches for it (R35).
        document: Attested<IdentityDocument>,
    },
    /// The back office's decision on a pending upgrade request (R17).
    DecideUpgrade {
        /// Approve, or reject with a reason.
        decision: UpgradeDecision,
        /// Who decided.
        reviewer: OperatorId,
    },
    /// An upgrade at a sede: the operator checks the document and decides on the spot (R16,
    /// R17). The operator who vouches for the document ([`Attested::checked_by`]) decides.
    UpgradeAtSede {
        /// The document shown, as the operator who saw it vouches for it (R35).
        document: Attested<IdentityDocument>,
    },
    /// Restore a lost or blocked PIN with the two contacts registered at the request (R23): a
    /// new 16 goes to them and waits beside the PIN in use, which keeps working until the new
    /// code's first access replaces it (R23a).
    Restore {
        /// The first contact.
        email: Email,
        /// The second contact.
        mobile: MobileNumber,
    },
    /// Revoke the PIN with the tessera sanitaria (R24); a new one can be requested after.
    Revoke {
        /// The card, as the caller's check against the health-card register vouches for it
        /// (R35): issued to this codice fiscale, neither revoked nor replaced.
        tessera: Attested<TesseraSanitaria>,
    },
    /// Erase the person's data (R36): the person in the account and in every event, the
    /// reasons given for rejecting their upgrades. The account keeps its security facts (what
    /// happened to its PINs, when, at which level, who checked what) and its codice fiscale,
    /// and records the erasure itself ([`Event::PersonalDataErased`](crate::Event::PersonalDataErased)).
    /// A live PIN ends with it, like a revocation, and its sessions with it (R31): its holder
    /// could no longer be told of a block, a restore or an expiry, nor restore it. A later
    /// request brings new data. Refused, with nothing written, when the account holds no
    /// personal data and no PIN (erased already, or never requested).
    ///
    /// Send it for the person's request (GDPR art. 17), a court's or the supervisory
    /// authority's order; [`Command::Tick`] sends it itself at the end of the policy's
    /// retention period. A service stores the facts apart from the personal data
    /// ([`StoredEvent::split`](crate::StoredEvent::split)) and, after the erasure, makes the
    /// stored personal data unreadable (destroys the person's key).
    Erase {
        /// Why.
        reason: ErasureReason,
    },
    /// Time passed: apply whatever is due (warnings, expiry, the end of the first-access
    /// window, the end of the personal data's retention period). A harmless no-op when
    /// nothing is. Send it at [`Account::poll_deadline`](crate::Account::poll_deadline).
    Tick,
}

listed_enum! {
    /// The kind of a [`Command`], without its data: the columns of the lifecycle table
    /// ([`crate::lifecycle`]).
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
    #[non_exhaustive]
    pub enum CommandKind {
        /// [`Command::RequestPin`].
        RequestPin => "request_pin",
        /// [`Command::FirstAccess`].
        FirstAccess => "first_access",
        /// [`Command::LogIn`].
        LogIn => "log_in",
        /// [`Command::RenewPin`].
        RenewPin => "renew_pin",
        /// [`Command::RequestUpgrade`].
        RequestUpgrade => "request_upgrade",
        /// [`Command::DecideUpgrade`].
        DecideUpgrade => "decide_upgrade",
        /// [`Command::UpgradeAtSede`].
        UpgradeAtSede => "upgrade_at_sede",
        /// [`Command::Restore`].
        Restore => "restore",
        /// [`Command::Revoke`].
        Revoke => "revoke",
        /// [`Command::Erase`].
        Erase => "erase",
        /// [`Command::Tick`].
        Tick => "tick",
    }
}

impl Command {
    /// The command's kind: its column in the lifecycle table.
    #[must_use]
    pub fn kind(&self) -> CommandKind {
        match self {
            Command::RequestPin { .. } => CommandKind::RequestPin,
            Command::FirstAccess { .. } => CommandKind::FirstAccess,
            Command::LogIn { .. } => CommandKind::LogIn,
            Command::RenewPin { .. } => CommandKind::RenewPin,
            Command::RequestUpgrade { .. } => CommandKind::RequestUpgrade,
            Command::DecideUpgrade { .. } => CommandKind::DecideUpgrade,
            Command::UpgradeAtSede { .. } => CommandKind::UpgradeAtSede,
            Command::Restore { .. } => CommandKind::Restore,
            Command::Revoke { .. } => CommandKind::Revoke,
            Command::Erase { .. } => CommandKind::Erase,
            Command::Tick => CommandKind::Tick,
        }
    }

    /// A stable name for logs.
    #[must_use]
    pub fn name(&self) -> &'static str {
        self.kind().label()
    }
}
