//! Upgrading an ordinary PIN to dispositivo (R16, R17).
//!
//! A written request with a copy of a valid identity document, sent online or by fax, waits
//! for the back office to approve it or reject it with a reason; at a sede the operator checks
//! the document and decides on the spot.

use core::fmt;

use serde::{Deserialize, Serialize};
use thiserror::Error;

/// How a written request to upgrade the PIN reached INPS (R16).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UpgradeVia {
    /// Through the web site, with a scan of the document.
    Online,
    /// By fax, with a copy of the document.
    Fax,
}

/// The back office's decision on a written request (R17).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum UpgradeDecision {
    /// The PIN becomes dispositivo.
    Approve,
    /// The request is rejected, for a reason the person is told.
    Reject(RejectionReason),
}

/// Why the back office rejected a request: told to the person, so it must say something.
///
/// ```
/// use inps_pin::RejectionReason;
///
/// let reason = RejectionReason::new("  la copia del documento non è leggibile ")?;
/// assert_eq!(reason.as_str(), "la copia del documento non è leggibile");
/// assert!(RejectionReason::new("   ").is_err());
/// # Ok::<(), inps_pin::RejectionReasonError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct RejectionReason(String);

/// The longest reason, in characters: it goes into an SMS or a short e-mail.
const MAX_REASON: usize = 300;

impl RejectionReason {
    /// A reason of 1 to 300 characters, trimmed, without control characters.
    ///
    /// # Errors
    /// [`RejectionReasonError`] if it is empty, too long, or has control characters.
    pub fn new(reason: &str) -> Result<RejectionReason, RejectionReasonError> {
        let reason = reason.trim();
        if reason.is_empty() {
            return Err(RejectionReasonError::Empty);
        }
        let length = reason.chars().count();
        if length > MAX_REASON {
            return Err(RejectionReasonError::TooLong { found: length });
        }
        if reason.chars().any(char::is_control) {
            return Err(RejectionReasonError::ControlCharacter);
        }
        Ok(RejectionReason(reason.to_owned()))
    }

    /// The reason.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for RejectionReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl TryFrom<String> for RejectionReason {
    type Error = RejectionReasonError;
    fn try_from(reason: String) -> Result<Self, Self::Error> {
        RejectionReason::new(&reason)
    }
}

impl From<RejectionReason> for String {
    fn from(reason: RejectionReason) -> Self {
        reason.0
    }
}

/// What was wrong with a rejection reason.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum RejectionReasonError {
    /// No reason: the person must be told why.
    #[error("a rejection needs a reason the person can act on: write one")]
    Empty,
    /// Longer than fits a short message.
    #[error("the reason has {found} characters, more than {MAX_REASON}: shorten it")]
    TooLong {
        /// Characters found.
        found: usize,
    },
    /// A control character (a line break, a tab).
    #[error("the reason has a control character: write it on one line")]
    ControlCharacter,
}

impl RejectionReasonError {
    /// A stable code for logs and APIs, such as `rejection_reason.empty` (R30).
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            RejectionReasonError::Empty => "rejection_reason.empty",
            RejectionReasonError::TooLong { .. } => "rejection_reason.too_long",
            RejectionReasonError::ControlCharacter => "rejection_reason.control_character",
        }
    }

    /// The message in Italian, for the back office that writes the reason, with what to do
    /// next (R30).
    ///
    /// ```
    /// use inps_pin::RejectionReason;
    ///
    /// let error = RejectionReason::new("   ").unwrap_err();
    /// assert_eq!(error.code(), "rejection_reason.empty");
    /// assert!(error.message_it().contains("motivo"));
    /// ```
    #[must_use]
    pub fn message_it(&self) -> String {
        match self {
            RejectionReasonError::Empty => "Il rifiuto deve indicare un motivo che la persona \
                 possa seguire: scrivilo."
                .to_owned(),
            RejectionReasonError::TooLong { found } => {
                format!("Il motivo ha {found} caratteri, più dei {MAX_REASON} ammessi: accorcialo.")
            }
            RejectionReasonError::ControlCharacter => "Il motivo contiene un carattere di \
                 controllo (un a capo, una tabulazione): scrivilo su una sola riga."
                .to_owned(),
        }
    }
}
