//! The lifecycle table: for every command in every phase, the checks that run, in order, and
//! what follows when they all pass. Every decision of the account is read from here (h11's rule:
//! every transition in one table), and the diagrams in the docs are drawn from it.
//!
//! The order of the checks is part of the rules (R30): what a person could type wrongly (a
//! codice fiscale that is not the account's, a 16 where an 8 goes) is answered first, in every
//! phase, so the answer tells nothing of the account (so is what an attestation says: whose
//! record it is, and whether it is current, R35); the lockout's gate comes before any PIN
//! is verified, so a guesser is slowed before Argon2 runs, and a guess it turns away costs no
//! Argon2 and no event (R25b) and is answered as a wrong PIN is (R30a); and a PIN's own state
//! (lapsed, expired, first access due) is told only to whoever typed the right PIN.

use crate::account::command::CommandKind;
use crate::account::phase::{Phase, listed_enum};

listed_enum! {
    /// One check of a row of the table. A check either passes, refuses the command with a
    /// [`Refusal`](crate::Refusal), or (a PIN check) answers it with a counted failure.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[non_exhaustive]
    pub enum Check {
        /// R1: the person in a request has the account's codice fiscale (`request.wrong_account`).
        SameAccount => "the request is for this account (R1)",
        /// R3: a temporary codice fiscale only where the policy accepts one.
        TemporaryCodiceFiscale => "a temporary codice fiscale only if the policy allows (R3)",
        /// R22a: after the sunset's retirement no PIN works (`sunset.pins_retired`).
        SunsetAllowsUse => "the sunset has not retired PINs (R22a)",
        /// R22a: after the cut-off, new PINs only for minors and the exempt.
        SunsetAllowsNewPin => "the sunset still issues this person a PIN (R22a)",
        /// R11: an online request names an e-mail or a mobile for the first half.
        ContactForFirstHalf => "online: an e-mail or mobile for the first half (R11)",
        /// R13, R16: the identity document is valid today.
        DocumentValid => "the identity document is valid (R13, R16)",
        /// R6: the first access is typed with all 16 characters.
        WholePinTyped => "all 16 characters typed (R6)",
        /// R25, R25b, R30a: the lane is not inside the delay after a wrong PIN, nor blocked.
        /// Else no PIN is checked and nothing is written: everyone without a trusted device is
        /// answered as a wrong PIN is, uncounted (a delay told only to known codici fiscali
        /// would tell them apart); a trusted device, which proved more than a codice fiscale,
        /// is told its own delay (`login.delayed`, R25a).
        LoginDelay => "the lane is open, else a failed login, unchecked (R25, R25b, R30a)",
        /// R8, R25: the typed PIN matches the live one; a wrong PIN is a counted failure, which
        /// may block the PIN.
        Pin => "the PIN is right, else a counted failure (R8, R25)",
        /// R9a: as [`Check::Pin`], and the first half alone also matches where the policy
        /// keeps its hash.
        PinOrFirstHalf => "the PIN, or its first half where allowed, is right (R9a, R25)",
        /// R25b: the waiting 16's own lane is not inside the delay after a wrong 16. Else no
        /// PIN is checked and nothing is written, and the answer is a wrong PIN's. The lane
        /// only slows: no block stands before a first access.
        FirstAccessDelay => "the first-access lane is open, else a failed first access, unchecked (R25b)",
        /// R6, R23a, R25b: the 16 typed is one waiting for its first access (the issued one,
        /// or a restore's beside the PIN in use), else a failure counted in that code's own
        /// lane (none counted where no 16 waits). No login lane's delay or block stands before
        /// it, and a wrong 16 touches none of them, nor the PIN in use, nor any session: the
        /// owner's way back must never wait on a stranger (R25a).
        WaitingCode => "the 16 waits for its first access, else a failure in its own lane (R6, R23a, R25b)",
        /// R16: the PIN is still ordinary (`upgrade.already_dispositivo`).
        Ordinary => "the PIN is ordinary (R16)",
        /// R17: no written upgrade request waits already.
        NoUpgradeWaiting => "no upgrade request waits (R17)",
        /// R17: a written upgrade request waits for this decision.
        UpgradeWaiting => "an upgrade request waits (R17)",
        /// R23a: a first access proved the contacts (the post reached the archive's residence):
        /// before it, whoever requested the PIN gave them. A block hides the stage, so the
        /// row checks it itself.
        ContactsProven => "a first access proved the contacts (R23a)",
        /// R23: the two contacts given are the two registered.
        ContactsMatch => "the two registered contacts are given (R23)",
        /// R23a: the account took fewer restores than the policy's cap in its window.
        RestoreLimit => "under the cap on restores since the last first access (R23a)",
        /// R24: the tessera sanitaria carries the account's codice fiscale.
        TesseraMatches => "the tessera is this person's (R24)",
        /// R24: the tessera sanitaria is valid today.
        TesseraValid => "the tessera is valid (R24)",
        /// R35: the archive record vouched for is the account's codice fiscale's
        /// (`request.archive_not_matching`).
        ArchiveMatches => "the archive record is this person's (R35)",
        /// R35: every attestation the command carries was checked no later than now and no
        /// longer ago than the policy allows (`attestation.from_the_future`,
        /// `attestation.stale`).
        AttestationCurrent => "every attestation is current (R35)",
        /// R36: the account holds personal data or a PIN, else there is nothing to erase
        /// (`erasure.nothing_to_erase`): erasing twice writes nothing the second time.
        SomethingToErase => "personal data or a PIN to erase (R36)",
    }
}

listed_enum! {
    /// A refusal that a row gives once its checks pass, named after the
    /// [`Refusal`](crate::Refusal) it gives.
    #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
    #[non_exhaustive]
    pub enum Refuse {
        /// R14: a PIN is live already.
        PinAlreadyLive => "refused: a PIN is live (R14)",
        /// R22a: no PIN works any more.
        PinsRetired => "refused: retired (R22a)",
        /// R9: the 16 lapsed.
        FirstPinLapsed => "refused: the 16 lapsed (R9)",
        /// R6: the 16 is for the first access.
        FirstAccessRequired => "refused: first access first (R6)",
        /// R20: the PIN expired.
        PinExpired => "refused: expired, renew (R20, R21)",
        /// R21: renewal is not open yet.
        RenewalNotDue => "refused: renewal not open (R21)",
        /// R25: the PIN is blocked.
        PinBlocked => "refused: blocked, restore (R25)",
        /// There is no PIN to act on.
        NoPin => "refused: no PIN",
        /// R23, R24, R30: the contacts do not match (and no PIN reads the same).
        ContactsNotMatching => "refused: contacts do not match (R23, R30)",
        /// R17: no upgrade request waits (it ended with the PIN it was for, or there was none).
        NoUpgradePending => "refused: no request waits (R17)",
    }
}

/// What a row does once all its checks pass.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Then {
    /// R10–R13: a 16-character PIN is issued and its parts delivered as the channel says.
    Issue,
    /// R6: the 16 is exchanged for an 8 shown on screen, and a session opens.
    CompleteFirstAccess,
    /// R15: a session opens at the PIN's level.
    OpenSession,
    /// R6, R9a: the right 16 learns that the first access is due; the right first half opens a
    /// session where the policy allows it.
    FirstAccessDue,
    /// R21: a new 8 at the same level, and a session.
    Renew,
    /// R16, R17: the written request waits for the back office.
    RecordUpgradeRequest,
    /// R17: the back office approves or rejects the waiting request.
    DecideUpgrade,
    /// R16, R17: the sede operator approves on the spot.
    ApproveAtSede,
    /// R23, R23a: a new 16, its halves to the two registered contacts, waiting beside the PIN
    /// in use; the owner is told.
    Restore,
    /// R24: the PIN is revoked.
    Revoke,
    /// R36: the person's data is erased, and a live PIN ends with it.
    Erase,
    /// R9, R20, R22: whatever the clock made due is recorded and told.
    ApplyTime,
    /// R30: no account has a PIN here: the answer of an unknown codice fiscale, after the
    /// time of one verification.
    AnswerUnknown,
    /// R25b, R30a: the lane is blocked: the answer of a wrong PIN, uncounted, with no PIN
    /// checked and nothing written.
    TurnAway,
    /// The command is refused.
    Refuse(Refuse),
}

impl Then {
    /// The phase this leads to when it is not the phase the row starts from (the diagram's
    /// arrows). Wrong PINs lead to [`Phase::Blocked`] through [`Check::Pin`].
    #[must_use]
    pub fn leads_to(self) -> Option<Phase> {
        match self {
            Then::Issue => Some(Phase::AwaitingFirstAccess),
            Then::CompleteFirstAccess | Then::Renew => Some(Phase::Active),
            Then::Revoke | Then::Erase => Some(Phase::NoPin),
            Then::OpenSession
            | Then::FirstAccessDue
            | Then::RecordUpgradeRequest
            | Then::DecideUpgrade
            | Then::ApproveAtSede
            | Then::ApplyTime
            | Then::AnswerUnknown
            | Then::TurnAway
            | Then::Restore
            | Then::Refuse(_) => None,
        }
    }

    /// A short description, for the table in the docs.
    #[must_use]
    pub fn label(self) -> &'static str {
        match self {
            Then::Issue => "issue a 16",
            Then::CompleteFirstAccess => "a new 8 on screen, session",
            Then::OpenSession => "session",
            Then::FirstAccessDue => "16: first access due; half: session (R9a)",
            Then::Renew => "a new 8, same level, session",
            Then::RecordUpgradeRequest => "request waits",
            Then::DecideUpgrade => "approve or reject",
            Then::ApproveAtSede => "dispositivo",
            Then::Restore => "a new 16 beside, to the contacts",
            Then::Revoke => "revoked",
            Then::Erase => "personal data erased; a live PIN ends",
            Then::ApplyTime => "what is due",
            Then::AnswerUnknown => "failure, uncounted",
            Then::TurnAway => "failure, unchecked (R30a)",
            Then::Refuse(refuse) => refuse.label(),
        }
    }
}

/// One cell of the table: the checks, in the order they run, and what follows.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Row {
    /// The checks, in order; the first that does not pass answers the command.
    pub checks: &'static [Check],
    /// What follows when every check passes.
    pub then: Then,
}

const fn cell(checks: &'static [Check], then: Then) -> Row {
    Row { checks, then }
}

const fn refuse(checks: &'static [Check], refusal: Refuse) -> Row {
    Row {
        checks,
        then: Then::Refuse(refusal),
    }
}

use Check::{
    ArchiveMatches, AttestationCurrent, ContactForFirstHalf, ContactsMatch, ContactsProven,
    DocumentValid, FirstAccessDelay, LoginDelay, NoUpgradeWaiting, Ordinary, Pin, PinOrFirstHalf,
    RestoreLimit, SameAccount, SomethingToErase, SunsetAllowsNewPin, SunsetAllowsUse,
    TemporaryCodiceFiscale, TesseraMatches, TesseraValid, UpgradeWaiting, WaitingCode,
    WholePinTyped,
};
use Phase::{
    Active, AwaitingFirstAccess, Blocked, Expired, ExpiringSoon, FirstPinLapsed, NoPin, Retired,
};

/// The row for `command` in `phase`: the whole machine, one cell at a time.
///
/// ```
/// use inps_pin::lifecycle::{Check, Refuse, Then, row};
/// use inps_pin::{CommandKind, Phase};
///
/// // An upgrade is decided only on a PIN that could be upgraded at a sede (R16, R17).
/// assert_eq!(row(CommandKind::DecideUpgrade, Phase::Expired).then, Then::Refuse(Refuse::PinExpired));
/// assert_eq!(row(CommandKind::LogIn, Phase::Active).checks, [Check::SunsetAllowsUse, Check::LoginDelay, Check::PinOrFirstHalf]);
/// ```
#[must_use]
#[allow(clippy::too_many_lines)] // the table is one piece on purpose
pub fn row(command: CommandKind, phase: Phase) -> Row {
    match command {
        // The archive's record and the attestations are answered in every phase, before what
        // the phase says: their answer depends on the request alone (R30, R35).
        CommandKind::RequestPin => match phase {
            NoPin | FirstPinLapsed => cell(
                &[
                    SameAccount,
                    TemporaryCodiceFiscale,
                    ArchiveMatches,
                    AttestationCurrent,
                    SunsetAllowsNewPin,
                    ContactForFirstHalf,
                    DocumentValid,
                ],
                Then::Issue,
            ),
            AwaitingFirstAccess | Active | ExpiringSoon | Expired | Blocked => refuse(
                &[
                    SameAccount,
                    TemporaryCodiceFiscale,
                    ArchiveMatches,
                    AttestationCurrent,
                ],
                Refuse::PinAlreadyLive,
            ),
            Retired => refuse(
                &[
                    SameAccount,
                    TemporaryCodiceFiscale,
                    ArchiveMatches,
                    AttestationCurrent,
                ],
                Refuse::PinsRetired,
            ),
        },
        CommandKind::FirstAccess => match phase {
            NoPin => cell(&[SunsetAllowsUse, WholePinTyped], Then::AnswerUnknown),
            // The issued 16, or a restore's beside the PIN in use: its first access replaces
            // whatever was live, the block included (R6, R23a, R25).
            AwaitingFirstAccess | Active | ExpiringSoon | Expired | Blocked => cell(
                &[
                    SunsetAllowsUse,
                    WholePinTyped,
                    FirstAccessDelay,
                    WaitingCode,
                ],
                Then::CompleteFirstAccess,
            ),
            FirstPinLapsed => refuse(
                &[
                    SunsetAllowsUse,
                    WholePinTyped,
                    FirstAccessDelay,
                    WaitingCode,
                ],
                Refuse::FirstPinLapsed,
            ),
            Retired => refuse(&[], Refuse::PinsRetired),
        },
        CommandKind::LogIn => match phase {
            NoPin => cell(&[SunsetAllowsUse], Then::AnswerUnknown),
            AwaitingFirstAccess => cell(
                &[SunsetAllowsUse, LoginDelay, PinOrFirstHalf],
                Then::FirstAccessDue,
            ),
            FirstPinLapsed => refuse(
                &[SunsetAllowsUse, LoginDelay, PinOrFirstHalf],
                Refuse::FirstPinLapsed,
            ),
            Active | ExpiringSoon => cell(
                &[SunsetAllowsUse, LoginDelay, PinOrFirstHalf],
                Then::OpenSession,
            ),
            Expired => refuse(
                &[SunsetAllowsUse, LoginDelay, PinOrFirstHalf],
                Refuse::PinExpired,
            ),
            // Answered as a wrong PIN: a block told to whoever knows a codice fiscale would
            // tell a person with a PIN from one without (R30a).
            Blocked => cell(&[SunsetAllowsUse], Then::TurnAway),
            Retired => refuse(&[], Refuse::PinsRetired),
        },
        CommandKind::RenewPin => match phase {
            NoPin => cell(&[SunsetAllowsUse], Then::AnswerUnknown),
            AwaitingFirstAccess => refuse(
                &[SunsetAllowsUse, LoginDelay, Pin],
                Refuse::FirstAccessRequired,
            ),
            FirstPinLapsed => refuse(&[SunsetAllowsUse, LoginDelay, Pin], Refuse::FirstPinLapsed),
            Active => refuse(&[SunsetAllowsUse, LoginDelay, Pin], Refuse::RenewalNotDue),
            ExpiringSoon | Expired => cell(&[SunsetAllowsUse, LoginDelay, Pin], Then::Renew),
            Blocked => cell(&[SunsetAllowsUse], Then::TurnAway),
            Retired => refuse(&[], Refuse::PinsRetired),
        },
        // Both upgrade paths and the back office's decision share one shape: only an ordinary
        // 8 in use, neither blocked nor expired, is raised (R16, R17, R25).
        CommandKind::RequestUpgrade => upgrade(
            phase,
            cell(
                &[
                    SunsetAllowsUse,
                    Ordinary,
                    AttestationCurrent,
                    DocumentValid,
                    NoUpgradeWaiting,
                ],
                Then::RecordUpgradeRequest,
            ),
        ),
        CommandKind::UpgradeAtSede => upgrade(
            phase,
            cell(
                &[SunsetAllowsUse, Ordinary, AttestationCurrent, DocumentValid],
                Then::ApproveAtSede,
            ),
        ),
        CommandKind::DecideUpgrade => match phase {
            // A request ends with the PIN it was for (revoked, restored, issued anew), and none
            // can be made before the first access.
            NoPin | AwaitingFirstAccess | FirstPinLapsed => {
                refuse(&[SunsetAllowsUse], Refuse::NoUpgradePending)
            }
            _ => upgrade(
                phase,
                cell(&[SunsetAllowsUse, UpgradeWaiting], Then::DecideUpgrade),
            ),
        },
        CommandKind::Restore => match phase {
            // No PIN reads like wrong contacts: a caller who knows a codice fiscale learns
            // neither whether it has a PIN nor which contacts (R24, R30).
            // Contacts are the owner's only once a first access proved the post reached the
            // archive's residence: before it, whoever requested gave them (R23a). All read
            // like wrong contacts.
            NoPin | AwaitingFirstAccess | FirstPinLapsed => {
                refuse(&[SunsetAllowsUse], Refuse::ContactsNotMatching)
            }
            Active | ExpiringSoon | Expired | Blocked => cell(
                &[SunsetAllowsUse, ContactsProven, ContactsMatch, RestoreLimit],
                Then::Restore,
            ),
            Retired => refuse(&[], Refuse::PinsRetired),
        },
        // The register's word on the card comes as an attestation (R35); its expiry is the
        // crate's to check.
        CommandKind::Revoke => match phase {
            NoPin => refuse(
                &[TesseraMatches, AttestationCurrent, TesseraValid],
                Refuse::NoPin,
            ),
            // Even after the retirement: the person may want the record closed (R22a).
            AwaitingFirstAccess | FirstPinLapsed | Active | ExpiringSoon | Expired | Blocked
            | Retired => cell(
                &[TesseraMatches, AttestationCurrent, TesseraValid],
                Then::Revoke,
            ),
        },
        // In every phase, after the retirement too: the person's data is theirs whatever the
        // PIN is doing (R36).
        CommandKind::Erase => cell(&[SomethingToErase], Then::Erase),
        CommandKind::Tick => cell(&[], Then::ApplyTime),
    }
}

/// An upgrade's row: `in_use` for an 8 in use and not expired, the same refusals elsewhere for
/// every upgrade path (R16, R17).
fn upgrade(phase: Phase, in_use: Row) -> Row {
    match phase {
        Active | ExpiringSoon => in_use,
        NoPin => refuse(&[SunsetAllowsUse], Refuse::NoPin),
        AwaitingFirstAccess => refuse(&[SunsetAllowsUse], Refuse::FirstAccessRequired),
        FirstPinLapsed => refuse(&[SunsetAllowsUse], Refuse::FirstPinLapsed),
        // The level is told before the expiry: a dispositivo PIN needs no upgrade in any case.
        Expired => refuse(&[SunsetAllowsUse, Ordinary], Refuse::PinExpired),
        // A blocked PIN is restored first: raising its level would hand more to whoever
        // restores it, before the owner has shown up (R25).
        Blocked => refuse(&[SunsetAllowsUse], Refuse::PinBlocked),
        Retired => refuse(&[], Refuse::PinsRetired),
    }
}

/// The transitions the clock makes by itself, without a command (a tick only records them and
/// tells the person, or, at the end of the retention period, erases the person's data): each
/// with what makes it happen.
pub const CLOCK: &[(Phase, Phase, &str)] = &[
    (
        AwaitingFirstAccess,
        FirstPinLapsed,
        "unused for the first-access window (R9)",
    ),
    (Active, ExpiringSoon, "the warning days before expiry (R22)"),
    (
        ExpiringSoon,
        Expired,
        "6 months; 3 for intermediaries (R20)",
    ),
    (Active, Retired, "the sunset (R22a)"),
    (ExpiringSoon, Retired, "the sunset (R22a)"),
    (Expired, Retired, "the sunset (R22a)"),
    (AwaitingFirstAccess, Retired, "the sunset (R22a)"),
    (
        FirstPinLapsed,
        NoPin,
        "the retention period of personal data (R36)",
    ),
    (
        Expired,
        NoPin,
        "the retention period of personal data (R36)",
    ),
    (
        Retired,
        NoPin,
        "the retention period of personal data (R36)",
    ),
];
