//! The step vocabulary: the abstract steps a scenario is written in, which the driver types
//! into real commands.

#[cfg(doc)]
use super::Driver;
#[cfg(doc)]
use crate::{Account, Command};
use crate::{CommandKind, ErasureReason, UpgradeVia};

/// Who asks for a PIN on the owner's account.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Applicant {
    /// The owner with e-mail and mobile.
    Owner,
    /// The owner with the residence only: no contacts, so no restore (R24).
    OwnerNoContacts,
    /// The owner, declaring a sunset exemption (R22a).
    OwnerExempt,
    /// Someone else with another codice fiscale: refused (wrong account).
    Stranger,
}

/// Through which channel a PIN is requested.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Via {
    /// Online.
    Online,
    /// The Contact Center, called from a landline.
    ContactCenterLandline,
    /// The Contact Center, called from a mobile.
    ContactCenterMobile,
    /// A sede, with a valid identity document.
    SedeValidDocument,
    /// A sede, with an expired identity document (refused).
    SedeExpiredDocument,
}

/// What the person types, from the codes delivered before.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Entry {
    /// The 16 of the last request or restore.
    Right16,
    /// That 16 with its last character changed.
    Wrong16,
    /// The 8 of the last first access or renewal.
    Right8,
    /// That 8 with its last character changed.
    Wrong8,
    /// The first 8 of the last 16.
    FirstHalf,
    /// These 8 characters of the alphabet (each index taken modulo its length): a stranger's
    /// guess, which is never the right 8.
    Guess([u8; 8]),
}

/// The contacts given for a restore.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Contacts {
    /// The owner's.
    Registered,
    /// Another e-mail.
    WrongEmail,
    /// Another mobile.
    WrongMobile,
}

/// The tessera sanitaria shown for a revocation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Card {
    /// The owner's, valid.
    Own,
    /// The owner's, expired.
    OwnExpired,
    /// The stranger's, valid.
    Strangers,
    /// The stranger's, expired.
    StrangersExpired,
}

/// An identity document, valid or expired.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Document {
    /// Valid through 2099.
    Valid,
    /// Expired in 1999.
    Expired,
}

/// An abstract command: what to do, with the codes and people left to the [`Driver`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Act {
    /// [`Command::RequestPin`].
    Request(Applicant, Via),
    /// [`Command::FirstAccess`].
    FirstAccess {
        /// What is typed.
        entry: Entry,
        /// Ask for a device token.
        trust_device: bool,
    },
    /// [`Command::LogIn`].
    LogIn {
        /// What is typed.
        entry: Entry,
        /// Present the last device token delivered, if any.
        device: bool,
        /// Ask for a device token.
        trust_device: bool,
    },
    /// [`Command::RenewPin`].
    Renew {
        /// What is typed.
        entry: Entry,
        /// Present the last device token delivered, if any.
        device: bool,
    },
    /// [`Command::RequestUpgrade`].
    RequestUpgrade(UpgradeVia, Document),
    /// [`Command::DecideUpgrade`]: approve (`true`) or reject.
    DecideUpgrade(bool),
    /// [`Command::UpgradeAtSede`].
    UpgradeAtSede(Document),
    /// [`Command::Restore`].
    Restore(Contacts),
    /// [`Command::Revoke`].
    Revoke(Card),
    /// [`Command::Erase`].
    Erase(ErasureReason),
    /// [`Command::Tick`].
    Tick,
}

impl Act {
    /// The kind of command the act stands for: what `strategies::StepWeights` (feature
    /// `proptest`) weighs, and what a filter on steps can match.
    #[must_use]
    pub fn kind(&self) -> CommandKind {
        match self {
            Act::Request(..) => CommandKind::RequestPin,
            Act::FirstAccess { .. } => CommandKind::FirstAccess,
            Act::LogIn { .. } => CommandKind::LogIn,
            Act::Renew { .. } => CommandKind::RenewPin,
            Act::RequestUpgrade(..) => CommandKind::RequestUpgrade,
            Act::DecideUpgrade(..) => CommandKind::DecideUpgrade,
            Act::UpgradeAtSede(..) => CommandKind::UpgradeAtSede,
            Act::Restore(..) => CommandKind::Restore,
            Act::Revoke(..) => CommandKind::Revoke,
            Act::Erase(..) => CommandKind::Erase,
            Act::Tick => CommandKind::Tick,
        }
    }
}

/// How far the clock moves before an act.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub enum Wait {
    /// Seconds.
    Seconds(u32),
    /// Calendar days in Rome.
    RomeDays(u16),
    /// To the account's [`Account::poll_deadline`], if it is ahead (else no wait).
    ToDeadline,
    /// To one nanosecond before it, if that is ahead.
    JustBeforeDeadline,
}

/// One step of a scenario: wait, then act.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "arbitrary", derive(arbitrary::Arbitrary))]
pub struct Step {
    /// How far the clock moves first.
    pub wait: Wait,
    /// What is done then.
    pub act: Act,
}
