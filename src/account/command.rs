//! Commands: what a caller asks of an account.

use serde::{Deserialize, Serialize};

use crate::channel::ChannelRequest;
use crate::person::Person;
use crate::secret::EnteredPin;

/// Something a person, an operator or the service asks of an account.
///
/// A typed PIN is never serialized: a command read back from storage carries an empty PIN,
/// which never matches, so stored commands cannot be replayed into logins. Replay events
/// instead ([`Account::replay`](crate::Account::replay)).
#[derive(Debug, Serialize, Deserialize)]
#[non_exhaustive]
// A command is built once and consumed at once; boxing the person would add an allocation and
// noise at every call site for no saving.
#[allow(clippy::large_enum_variant)]
pub enum Command {
    /// Request a PIN through a channel, with the data that channel collects (R1, R10–R14).
    RequestPin {
        /// Who asks, with their contacts and residence.
        person: Person,
        /// Through which channel.
        channel: ChannelRequest,
    },
    /// The first access: the whole 16-character PIN, exchanged for an 8-character PIN shown on
    /// screen (R6).
    FirstAccess {
        /// The 16 characters as typed.
        #[serde(skip)]
        pin: EnteredPin,
    },
    /// A login with the PIN (R15), or with the first half alone where the policy allows it
    /// (R9a).
    LogIn {
        /// The PIN as typed.
        #[serde(skip)]
        pin: EnteredPin,
    },
}

impl Command {
    /// A stable name for logs.
    #[must_use]
    pub fn name(&self) -> &'static str {
        match self {
            Command::RequestPin { .. } => "request_pin",
            Command::FirstAccess { .. } => "first_access",
            Command::LogIn { .. } => "log_in",
        }
    }
}
