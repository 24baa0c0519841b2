//! The INPS online PIN as a sans-IO state machine.
//!
//! # Overview
//!
//! The PIN was the personal code with which Italian citizens and intermediaries reached the
//! online services of INPS, the social-security institute. This crate models its life as
//! types and a state machine that a service embeds: a [`CodiceFiscale`] parsed with its check
//! character, a validated [`Person`], PIN halves generated from the caller's generator and
//! kept as Argon2id hashes, the three issuance channels, the first access that swaps the
//! 16-character PIN for an 8-character one, logins that open a [`Session`] at an
//! [`AssuranceLevel`], and the [`Catalogue`] that decides which services a session may use.
//!
//! The crate does no I/O (R26): no clock, no randomness of its own, no files, no network. The
//! caller passes the time, the [`Policy`] and a `rand_core::CryptoRng` into every command
//! through a [`Context`], and receives what must happen outside as values: the [`Event`]s to
//! store, the [`Effect`]s to carry out (deliveries of PIN parts, notifications), and the
//! [`Reply`]. [`Account::poll_deadline`] says when the account next needs the clock (the end
//! of the first-access window, the expiry warning, the expiry, the end of the personal data's
//! retention period); the caller then sends
//! [`Command::Tick`]. The end of a login delay needs no tick: it follows from the clock.
//!
//! Every account is in one [`Phase`]; what each [`Command`] does in each phase is one table,
//! [`lifecycle::row`], from which this picture is drawn (the README has it as a Mermaid
//! diagram, with the whole table):
//!
//! ```text
#![doc = include_str!("account/lifecycle.txt")]
//! ```
//!
//! In any live phase, 10 wrong PINs in a row block the PIN until a restore or a revocation,
//! after delays of 1, 3, 5 and 10 s (R25); a guess inside a delay or after the block is turned
//! away unchecked (no Argon2, no event, R25b) with the answer of a wrong PIN (R30a). An ordinary PIN becomes dispositivo by a written
//! request (online, fax) that the back office decides, or at a sede on the spot (R16, R17);
//! renewal and restore keep the level. With the sunset preset, no new PINs from 1 October 2020
//! and none works from 1 October 2021 (R22a).
//!
//! # Usage
//!
//! ```
//! use inps_pin::*;
//! use rand_chacha::ChaCha20Rng;
//! use rand_core::SeedableRng;
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut rng = ChaCha20Rng::seed_from_u64(1); // a real service seeds from the OS
//! let policy = Policy::default().with_hash_cost(HashCost::CHEAP); // tests only: see HashCost
//!
//! let person = Person::new(
//!     PersonName::parse("Mario")?,
//!     PersonName::parse("Rossi")?,
//!     CodiceFiscale::parse("RSSMRA80A01H501U")?,
//!     Role::Citizen,
//!     Address::new("Via Roma 1", "00184", "Roma", "RM")?,
//! )
//! .with_email(Email::parse("mario.rossi@example.it")?);
//! let mut account = Account::new(person.codice_fiscale());
//!
//! // The service looked the person up in the institute's archive, which holds this residence,
//! // and vouches for what it found (R35): the crate cannot check an archive itself.
//! let now: jiff::Timestamp = "2026-11-24T09:00:00Z".parse()?;
//! let found = ArchiveRecord::new(
//!     person.codice_fiscale(),
//!     Address::new("Via Roma 1", "00184", "Roma", "RM")?,
//! );
//! let archive = Attested::vouched_for(found, OperatorId::new("archive-lookup")?, now);
//!
//! // The request: the first half on screen and by e-mail, the second by post to the
//! // archive's residence.
//! let issued = account.handle(
//!     Command::RequestPin { person, channel: ChannelRequest::Online, archive },
//!     &mut Context::new(now, &policy, &mut rng),
//! )?;
//! let part = |wanted| issued.deliveries().find(|d| d.part() == wanted).and_then(|d| d.secret());
//! let whole = EnteredPin::from_halves(
//!     part(PinPart::FirstHalf).ok_or("no first half")?,
//!     part(PinPart::SecondHalf).ok_or("no second half")?,
//! );
//!
//! // The first access swaps the 16 characters for an 8-character PIN, shown on screen.
//! let later: jiff::Timestamp = "2026-12-01T09:00:00Z".parse()?;
//! let first = account.handle(Command::FirstAccess { pin: whole, trust_device: false }, &mut Context::new(later, &policy, &mut rng))?;
//! let Reply::FirstAccessCompleted(session) = first.reply else { return Err("no session".into()) };
//!
//! // An ordinary PIN consults, and does not apply for benefits.
//! assert!(policy.catalogue.authorise(&session, &ServiceId::CONTRIBUTION_RECORD)?.is_allowed());
//! assert!(!policy.catalogue.authorise(&session, &ServiceId::BONUS_600)?.is_allowed());
//! assert_eq!(account.version(), 2);
//! # Ok(())
//! # }
//! ```
//!
//! # Features
//!
//! All off by default; each is for users' test suites and fuzzers, never for a service's
//! production build.
//!
//! - **`testing`**: `inps_pin::testing`: fixtures (a citizen's and an intermediary's
//!   cast, the cheap policy, calendar months in Rome) and a `Driver` that holds an account
//!   with its clock and seeded generator, types the codes the deliveries gave, and jumps the
//!   clock to the next deadline.
//! - **`proptest`** (implies `testing`): `inps_pin::strategies` for every input
//!   type and for timed sequences of steps, with weights and filters, and a
//!   `inps_pin::reference_model` on `proptest-state-machine` with a runner
//!   configuration whose failures print the shrunk case first. Re-exports the versions it
//!   is built against: `inps_pin::proptest`, `inps_pin::proptest_state_machine`.
//! - **`arbitrary`** (implies `testing`): `Arbitrary` for the input types, valid policies and
//!   fuzz scenarios in `inps_pin::fuzzing`. Re-exports `inps_pin::arbitrary`.
//!
//! # Design
//!
//! - **Decide, then evolve.** [`Account::decide`] reads and returns events or a [`Refusal`];
//!   [`Account::evolve`] applies an event and cannot fail. A refusal therefore changes nothing
//!   (R27), and replaying events rebuilds an account (R29). [`Account::version`] counts the
//!   events, for compare-and-swap in the caller's database.
//! - **Secrets have their own types.** [`Secret`] (generated) and [`EnteredPin`] (typed) are
//!   wiped on drop, redacted in `Debug`, and have no `Display`, `Clone` or `Serialize`. A secret
//!   leaves the crate only inside a [`Delivery`], whose serialized form omits it (R8). A carrier's
//!   delivery can wait in an outbox as an [`OutboxDelivery`], on request: the one serialized
//!   form that holds a code, to keep encrypted until sent (R33). Parts shown on screen belong
//!   to the immediate reply and never get it.
//! - **A policy is checked where it is made or loaded** (R34): [`Policy::validate`], run by
//!   serde too, refuses values that make no sense with a [`PolicyError`] naming the field; a
//!   configuration file gives only the fields it changes.
//! - **A wrong PIN is not an error.** It changes the account (the failure is counted), so it is
//!   a [`Reply::LoginFailed`], and it reads exactly like an unknown codice fiscale
//!   ([`LoginFailure::for_unknown_person`], R30), and so does a guess a delay or the block turns
//!   away (R30a): operators read why in [`FailureDetail::closed`]. An unknown codice fiscale
//!   spends one decoy verification at what the stored hashes cost
//!   ([`Context::with_decoy_cost`]).
//! - **Guessing is bounded work (R25b).** A lane inside its delay or blocked checks no PIN and
//!   writes nothing, and a PIN of a length no stored code has is checked against no hash.
//! - **A stranger cannot keep the owner out** (R23a, R25a). A login from a trusted device
//!   ([`DeviceToken`]) counts in that device's own lane; everyone else's failures delay and
//!   block only everyone else. A restore's new code waits beside the live PIN until its first
//!   access, which no login lane's delay or block stands before: a wrong 16 counts in that
//!   code's own lane, which slows by seconds and never blocks (R25b). A block ends no session
//!   (R31). The person's reply to a wrong PIN carries nothing; operators read
//!   [`Outcome::failure`].
//! - **Civil time.** Windows are counted in calendar days in Europe/Rome, with the time-zone
//!   data compiled in ([`rome_time_zone`]).
//! - **Effects are returned, never queued.** Every call returns its effects; there is nothing
//!   to drain later.
//! - **Trust boundaries (R35).** The crate checks what it can itself (check characters,
//!   shapes, dates, its own hashes). A fact only a register, the institute's archive or an
//!   operator can check (a tessera sanitaria, a person's archive record, an identity
//!   document) arrives as an [`Attested`] value from the caller's own check, naming who
//!   checked it and when, and is refused once older than the policy allows; the
//!   [`Attested`] docs list every one and what the caller must have checked.
//! - **The person's data apart from the security facts (R36).** A stored event or account
//!   splits into facts that replay alone and hold no personal data, and the person's
//!   [`PersonalData`] ([`StoredEvent::split`], [`Account::split`]), and joins back exactly
//!   ([`StoredEvent::join`], [`Account::join`]): a service seals the personal data under a key
//!   of the person's own and destroys the key to erase it everywhere, backups included.
//!   [`Command::Erase`] records the erasure ([`Event::PersonalDataErased`]) and ends a live
//!   PIN; the policy's retention period ([`Policy::personal_data_retention_days`]) is a
//!   deadline a tick erases at; [`Account::export`] gives everything held about the person,
//!   never a secret.
#![cfg_attr(docsrs, feature(doc_cfg))]
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing,
    clippy::must_use_candidate,
    clippy::ref_option,
    clippy::map_unwrap_or,
    clippy::return_self_not_must_use
)]

mod account;
mod archive;
mod assurance;
mod attestation;
mod bounded;
mod channel;
mod civil_time;
mod codice_fiscale;
mod delivery;
mod device;
#[cfg(feature = "arbitrary")]
#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
pub mod fuzzing;
mod hash;
mod lockout;
mod notification;
mod outbox;
mod person;
mod personal_data;
mod policy;
#[cfg(feature = "proptest")]
#[cfg_attr(docsrs, doc(cfg(feature = "proptest")))]
pub mod reference_model;
mod restore;
mod secret;
#[cfg(feature = "proptest")]
#[cfg_attr(docsrs, doc(cfg(feature = "proptest")))]
pub mod strategies;
mod sunset;
mod tessera;
#[cfg(feature = "testing")]
#[cfg_attr(docsrs, doc(cfg(feature = "testing")))]
pub mod testing;
mod timestamp_serde;
mod upgrade;

pub use account::{
    Account, AccountFormatError, Command, CommandKind, Context, EXPORT_FORMAT, Effect, EndSessions,
    Event, ExportError, ExportedAddress, ExportedDevice, ExportedEvent, ExportedPerson,
    ExportedPin, ExportedSession, FailureDetail, LaneClosed, LoginFailure, Outcome,
    PersonalDataExport, Phase, PinStatus, Refusal, RefusalClass, Reply, STORED_FORMAT, SessionEnd,
    StoredEvent, UnversionedEvent,
};

/// The lifecycle table: what every command does in every [`Phase`], and the diagrams drawn
/// from it.
///
/// [`row`](lifecycle::row) is the table the account decides by; [`mermaid`](lifecycle::mermaid),
/// [`text`](lifecycle::text) and [`markdown`](lifecycle::markdown) draw it (the README and these
/// docs show their output, and a test keeps them current).
///
/// ```
/// use inps_pin::lifecycle::{Then, row};
/// use inps_pin::{CommandKind, Phase};
///
/// // Every command has a row in every phase.
/// for &command in CommandKind::ALL {
///     for &phase in Phase::ALL {
///         let _ = row(command, phase);
///     }
/// }
/// assert_eq!(row(CommandKind::RequestPin, Phase::NoPin).then, Then::Issue);
/// assert!(inps_pin::lifecycle::mermaid().starts_with("stateDiagram-v2"));
/// ```
pub mod lifecycle {
    pub use crate::account::diagram::{Transition, markdown, mermaid, text, transitions};
    pub use crate::account::table::{CLOCK, Check, Refuse, Row, Then, row};
}
pub use archive::ArchiveRecord;
pub use assurance::{
    AssuranceLevel, Authorisation, Catalogue, CatalogueError, Credential, DenialReason,
    DigitalIdentity, Service, ServiceId, Session, SpidLevel, UnknownService, Verdict,
};
pub use attestation::Attested;
pub use channel::{
    Channel, ChannelRequest, ContactCenterLine, DocumentError, DocumentKind, IdentityDocument,
    OperatorId, OperatorIdError, SedeRequest,
};
pub use civil_time::rome_time_zone;
pub use codice_fiscale::{CodiceFiscale, CodiceFiscaleError, Sex};
pub use delivery::{Delivery, Medium, PinPart};
pub use device::{
    DEVICE_ID_LEN, DEVICE_SECRET_LEN, DEVICE_TOKEN_LEN, DeviceId, DeviceToken, DeviceTokenError,
    MAX_DEVICE_VALID_DAYS, MAX_TRUSTED_DEVICES, TrustedDevices,
};
pub use hash::{HashCost, HashCostError, PinHash, PinHashError};
pub use lockout::{
    DelayLadder, Lockout, LockoutError, MAX_BLOCK_AFTER, MAX_DELAY_SECS, MAX_DELAY_STEPS,
};
pub use notification::{Notice, Notification};
pub use outbox::{NotForOutbox, OutboxDelivery};
pub use person::{
    Address, ContactError, ContactField, Email, LandlineNumber, MobileNumber, Person, PersonName,
    PhoneKind, PostalCode, Province, Role,
};
pub use personal_data::{ErasureReason, JoinError, PersonalData};
pub use policy::{
    MAX_FIRST_ACCESS_DELAY_SECS, MAX_FIRST_ACCESS_WINDOW_DAYS, MAX_PERSONAL_DATA_RETENTION_DAYS,
    Policy, PolicyError,
};
pub use restore::{MAX_RESTORE_REQUESTS, RestoreLimit};
pub use secret::{EnteredPin, FULL_LEN, HALF_LEN, PIN_ALPHABET, PinFormatError, Secret};
pub use sunset::{Sunset, SunsetExemption};
pub use tessera::{TesseraError, TesseraSanitaria};
pub use upgrade::{RejectionReason, RejectionReasonError, UpgradeDecision, UpgradeVia};

/// The `rand_core` this crate is built against, so that callers name the same `CryptoRng`
/// (two versions of the trait are two different traits): `inps_pin::rand_core::CryptoRng`.
pub use rand_core;

/// The `arbitrary` the [`fuzzing`] impls are for (feature `arbitrary`).
#[cfg(feature = "arbitrary")]
#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
pub use arbitrary;
/// The `proptest` this crate's strategies are built against (feature `proptest`), so that a
/// user's suite combines them with its own without a second copy: `inps_pin::proptest`.
#[cfg(feature = "proptest")]
#[cfg_attr(docsrs, doc(cfg(feature = "proptest")))]
pub use proptest;
/// The `proptest-state-machine` the [`reference_model`] implements (feature `proptest`).
#[cfg(feature = "proptest")]
#[cfg_attr(docsrs, doc(cfg(feature = "proptest")))]
pub use proptest_state_machine;
