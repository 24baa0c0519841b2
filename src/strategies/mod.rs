//! Proptest strategies for every input a user of the crate meets (feature `proptest`): valid
//! codici fiscali (omocode variants and temporary codes included) and near-misses with the
//! error each must give, names, contacts, addresses, people of both roles, identity
//! documents, tessere, attestations, valid policies, commands, and timed sequences of steps
//! that reach every [`Phase`](crate::Phase), typed with the codes earlier deliveries gave
//! (played by a [`Driver`]).
//!
//! Each `*_text` strategy gives what a person could type, which the matching parser accepts;
//! the typed strategies give the parsed value. The check character is computed here from the
//! published tables, independently of the crate.
//!
//! [`StepWeights`] weighs the kinds of command in generated steps, or leaves some out
//! ([`steps_with`]), and [`steps_where`] keeps only the steps a closure accepts. The generated
//! people and clock ([`cast`], [`driver`]) shrink towards the standard fixture, so a failing
//! case names Mario at [`START`] unless the people or the clock matter.
//!
//! A user's own property test, on their service's handling of a whole life (in a test file,
//! each `fn` carries `#[test]`; here `main` calls them):
//!
//! ```
//! use inps_pin::strategies;
//! use proptest::prelude::*;
//!
//! proptest! {
//!     #![proptest_config(ProptestConfig::with_cases(8))]
//!     fn replaying_the_events_gives_the_account((mut driver, steps) in strategies::scenario()) {
//!         for step in &steps {
//!             let _ = driver.play(step);
//!             let rebuilt = inps_pin::Account::replay(driver.account.codice_fiscale(), &driver.events);
//!             prop_assert_eq!(&rebuilt, &driver.account);
//!         }
//!     }
//!
//!     fn every_generated_code_parses(code in strategies::codice_fiscale_text()) {
//!         prop_assert!(inps_pin::CodiceFiscale::parse(&code).is_ok());
//!     }
//! }
//!
//! fn main() {
//!     replaying_the_events_gives_the_account();
//!     every_generated_code_parses();
//! }
//! ```

use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use crate::testing::{
    Act, Applicant, Card, Cast, Contacts, Document, Driver, Entry, START, SUNSET_START, Step, Via,
    Wait, cheap_policy,
};
use crate::{
    Address, ArchiveRecord, Attested, Catalogue, CodiceFiscale, CodiceFiscaleError, Command,
    DelayLadder, DocumentKind, Email, ErasureReason, HashCost, IdentityDocument, LandlineNumber,
    Lockout, MAX_BLOCK_AFTER, MAX_PERSONAL_DATA_RETENTION_DAYS, MAX_RESTORE_REQUESTS, MobileNumber,
    OperatorId, Person, PersonName, Policy, RejectionReason, RestoreLimit, Role, Sunset,
    TesseraSanitaria, TrustedDevices, UpgradeVia,
};

mod codice_fiscale;
mod commands;
mod documents;
mod people;
mod policy;
mod weights;

pub use codice_fiscale::*;
pub use commands::*;
pub use documents::*;
pub use people::*;
pub use policy::*;
pub use weights::*;
