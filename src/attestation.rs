//! Attestations: the facts the crate cannot check itself, each vouched for by the caller's own
//! check, naming who checked and when (R35).
//!
//! The crate checks what it can: check characters, shapes, dates, its own hashes. Whether a
//! card number is really on the health-card register, whether a person is in the institute's
//! archive, whether a document is genuine and the bearer's: these need a register, an archive or
//! an operator's eyes, which a sans-IO crate has none of (R26). So a command that relies on such
//! a fact takes it as an [`Attested`] value: the fact, who checked it ([`Attested::checked_by`],
//! an operator's staff code or a system's identifier) and when ([`Attested::checked_at`]).
//! A plain [`TesseraSanitaria`] (which anyone can make from digits they typed) does not fit
//! where an `Attested<TesseraSanitaria>` goes, so unchecked input cannot pass for checked.
//!
//! The crate still checks what an attestation says where it can: that it names the account's
//! codice fiscale where it carries one, that it was made no later than the command
//! (`checked_at <= now`), and that it is no older than the policy's
//! [`attestation_valid_for`](crate::Policy::attestation_valid_for) (an hour by default), so an
//! attestation is not kept and replayed once the register or the archive may have changed.
//!
#![doc = include_str!("attestations.md")]

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::channel::OperatorId;

/// A fact the crate cannot check, as the caller's own check vouched for it: who checked it and
/// when (R35).
///
/// Made only by [`Attested::vouched_for`], whose name says what it is: the caller's claim. The
/// crate trusts the fact and checks the rest ([`crate::Policy::attestation_valid_for`]).
/// Deserializing one is the same claim: deserialize only what the caller's own check wrote.
///
/// ```
/// use inps_pin::{ArchiveRecord, Address, Attested, CodiceFiscale, OperatorId};
///
/// // The archive lookup of the online procedure found Mario, with this residence.
/// let record = ArchiveRecord::new(
///     CodiceFiscale::parse("RSSMRA80A01H501U")?,
///     Address::new("Via Roma 1", "00184", "Roma", "RM")?,
/// );
/// let checked_at: jiff::Timestamp = "2026-11-24T08:59:30Z".parse()?;
/// let archive = Attested::vouched_for(record, OperatorId::new("archive-lookup")?, checked_at);
/// assert_eq!(archive.checked_by().as_str(), "archive-lookup");
/// assert_eq!(archive.checked_at(), checked_at);
/// assert_eq!(archive.fact().residence().municipality(), "Roma");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
///
#[doc = include_str!("attestations.md")]
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Attested<T> {
    fact: T,
    checked_by: OperatorId,
    #[serde(with = "crate::timestamp_serde")]
    checked_at: Timestamp,
}

impl<T> Attested<T> {
    /// The caller vouches for `fact`: `checked_by` (an operator's staff code, or the identifier
    /// of the system that checked) checked it at `checked_at`, as [`Attested`]'s table says
    /// for this kind of fact.
    #[must_use]
    pub fn vouched_for(fact: T, checked_by: OperatorId, checked_at: Timestamp) -> Attested<T> {
        Attested {
            fact,
            checked_by,
            checked_at,
        }
    }

    /// The fact vouched for.
    #[must_use]
    pub fn fact(&self) -> &T {
        &self.fact
    }

    /// Who checked it: an operator, or a system.
    #[must_use]
    pub fn checked_by(&self) -> &OperatorId {
        &self.checked_by
    }

    /// When it was checked.
    #[must_use]
    pub fn checked_at(&self) -> Timestamp {
        self.checked_at
    }
}
