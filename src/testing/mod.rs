//! What users' tests need and cannot build from the public API alone (feature `testing`): the
//! people and attestations of a scenario ([`Cast`]: a citizen's, [`Cast::mario`], and an
//! intermediary's, whose PIN expires every 3 months, [`Cast::intermediary`]), calendar months
//! in Rome as the crate counts them ([`plus_rome_months`]), and a [`Driver`] that holds an account
//! with its clock, policy and seeded generator, runs commands, remembers the codes the
//! deliveries gave, and jumps the clock straight to the next deadline (quinn-proto's test
//! harness is the model).
//!
//! A scenario is written in abstract [`Step`]s ("wait to the deadline, then log in with the
//! right 8"): the driver turns each into a real [`Command`] with the codes it learnt from the
//! deliveries before, so the same steps replay, shrink and can be generated
//! ([`crate::strategies`], feature `proptest`) or decoded from fuzzer bytes
//! ([`crate::fuzzing`], feature `arbitrary`).
//!
//! This module is for tests: it keeps the delivered codes in memory (wiped on drop, never in
//! `Debug`) so that later steps can type them, which a real service never does.
//!
//! ```
//! use inps_pin::testing::{Driver, Entry};
//! use inps_pin::{PinStatus, Reply};
//!
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let mut driver = Driver::mario(7)?;
//! let _issued = driver.request_online()?;
//! driver.first_access()?;
//! let session = driver.log_in()?;
//! assert!(driver.policy.catalogue.authorise(&session, &inps_pin::ServiceId::CONTRIBUTION_RECORD)?.is_allowed());
//!
//! // The clock jumps to each deadline in turn: the expiry warning, then the expiry.
//! let _warning = driver.advance_to_next_deadline();
//! let _expiry = driver.advance_to_next_deadline();
//! assert!(matches!(driver.account.status(driver.now, &driver.policy), PinStatus::Expired { .. }));
//! // A login with the right 8 now is refused; the driver types it for us.
//! let typed = driver.command(&inps_pin::testing::Act::LogIn { entry: Entry::Right8, device: false, trust_device: false });
//! assert!(driver.run(typed).is_err());
//! // A year later the retention period ends: the person's data is erased (R36).
//! while driver.advance_to_next_deadline().is_some() {}
//! assert!(driver.account.person().is_none());
//! # Ok(())
//! # }
//! ```
//!
//! Where things are: `fixtures.rs` the cast, the fixed instants and the cheap policy;
//! `step.rs` the step vocabulary; `driver.rs` the driver, what it observes and its code helpers.

#[cfg(doc)]
use crate::Command;

mod driver;
mod fixtures;
mod step;

pub use driver::*;
pub use fixtures::*;
pub use step::*;
