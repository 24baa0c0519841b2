//! The outbox: what the carriers must take, written in the same transaction as the events
//! that caused it, sealed at rest, claimed by one drainer at a time, retried with backoff and
//! deleted once sent (R33).
//!
//! Each row is keyed by (codice fiscale, version, seq): the version of the account the command
//! wrote and the effect's place among its effects. That key is the idempotency key a carrier
//! is given, so a row handed over twice (a crash between the carrier and the mark, two
//! drainers on one SQLite file) is sent once.

use inps_pin::rand_core::CryptoRng;
use inps_pin::{CodiceFiscale, Medium, Notification, OutboxDelivery, PinPart};
use jiff::{SignedDuration, Timestamp};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroizing;

use crate::sealing::{OpenError, OutboxKeys, Sealed};

/// What a carrier must carry: a part of a PIN, with its code, or a notice.
#[derive(Debug, Serialize, Deserialize)]
#[non_exhaustive]
pub enum OutboxMessage {
    /// A part of a PIN through e-mail, SMS, post or the counter's envelope.
    Delivery(OutboxDelivery),
    /// A warning, an expiry, a decision: no code.
    Notice(Notification),
}

impl OutboxMessage {
    /// The kind stored in the row: `delivery` or `notice`.
    #[must_use]
    pub fn kind(&self) -> &'static str {
        match self {
            OutboxMessage::Delivery(_) => "delivery",
            OutboxMessage::Notice(_) => "notice",
        }
    }

    /// What it is and by which kind of carrier, without any code, address or number: kept
    /// in clear beside the sealed payload after it is sent, so it holds no personal data
    /// (R36): "second half of the PIN by post", "notice notice.expiry_warning by e-mail".
    #[must_use]
    pub fn description(&self) -> String {
        match self {
            OutboxMessage::Delivery(delivery) => {
                let part = match delivery.part() {
                    PinPart::FirstHalf => "first half of the PIN",
                    PinPart::SecondHalf => "second half of the PIN",
                    PinPart::WholeFirstPin => "16-character PIN",
                    _ => "8-character PIN",
                };
                format!("{part} by {}", carrier_kind(delivery.medium()))
            }
            OutboxMessage::Notice(notice) => {
                format!(
                    "notice {} by {}",
                    notice.about().code(),
                    carrier_kind(notice.to())
                )
            }
        }
    }

    /// The message as JSON in a buffer wiped on drop, allocated once at its final size (a
    /// growing buffer would leave copies of the code in the memory it freed).
    fn to_json(&self) -> Result<Zeroizing<Vec<u8>>, serde_json::Error> {
        let mut counter = ByteCounter(0);
        serde_json::to_writer(&mut counter, self)?;
        let mut buffer = Zeroizing::new(Vec::with_capacity(counter.0));
        serde_json::to_writer(&mut *buffer, self)?;
        Ok(buffer)
    }
}

/// The kind of carrier a medium names, without the address or number.
fn carrier_kind(medium: &Medium) -> &'static str {
    match medium {
        Medium::Email(_) => "e-mail",
        Medium::Sms(_) => "SMS",
        Medium::SealedPost(_) | Medium::Post(_) => "post",
        Medium::SealedEnvelopeAtCounter(_) => "the counter's envelope",
        Medium::ReadByOperator(_) => "the Contact Center's voice",
        Medium::Screen => "screen",
        _ => "another carrier",
    }
}

/// Counts the bytes written to it.
struct ByteCounter(usize);

impl std::io::Write for ByteCounter {
    fn write(&mut self, bytes: &[u8]) -> std::io::Result<usize> {
        self.0 += bytes.len();
        Ok(bytes.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// The idempotency key of an outbox row: `{codice fiscale}-{version}-{seq}`. Derived from the
/// row's place, never from its content.
#[must_use]
pub fn idempotency_key(codice_fiscale: &str, version: u64, seq: u32) -> String {
    format!("{codice_fiscale}-{version}-{seq}")
}

/// A row to write with a command: its message sealed for its place.
#[derive(Clone, Debug)]
pub struct NewOutboxRow {
    pub(crate) seq: u32,
    pub(crate) kind: &'static str,
    pub(crate) sealed: Sealed,
    pub(crate) description: String,
}

/// Why a message could not be sealed.
#[derive(Debug, Error)]
#[error("an outbox message did not serialize: {0}")]
pub struct SealError(#[from] serde_json::Error);

impl NewOutboxRow {
    /// Seals `message` for the row (codice fiscale, version, seq).
    ///
    /// # Errors
    /// [`SealError`] if the message does not serialize.
    pub fn seal(
        keys: &OutboxKeys,
        codice_fiscale: CodiceFiscale,
        version: u64,
        seq: u32,
        message: &OutboxMessage,
        rng: &mut impl CryptoRng,
    ) -> Result<NewOutboxRow, SealError> {
        let json = message.to_json()?;
        let key = idempotency_key(codice_fiscale.as_str(), version, seq);
        Ok(NewOutboxRow {
            seq,
            kind: message.kind(),
            sealed: keys.seal(key.as_bytes(), &json, rng),
            description: message.description(),
        })
    }

    /// What it is and where it goes, without any code.
    #[must_use]
    pub fn description(&self) -> &str {
        &self.description
    }
}

/// A row waiting for its carrier, as claimed.
#[derive(Debug)]
pub struct PendingOutboxRow {
    /// Whose.
    pub codice_fiscale: String,
    /// The version of the account the command wrote.
    pub version: i64,
    /// Its place among that command's effects.
    pub seq: i64,
    /// `delivery` or `notice`.
    pub kind: String,
    /// What it is and where it goes, without any code.
    pub description: String,
    /// How many times a carrier refused it.
    pub attempts: i64,
    /// When it was written, in milliseconds since the epoch.
    pub created_at: i64,
    pub(crate) sealed: Option<Sealed>,
}

/// Why a pending row could not be opened.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum PendingError {
    /// The row has no payload: sent already, or written without one.
    #[error("the outbox row {0} has no payload")]
    NoPayload(String),
    /// The payload did not open.
    #[error("the outbox row {key}: {source}")]
    Open {
        /// The row's idempotency key.
        key: String,
        /// Why.
        #[source]
        source: OpenError,
    },
    /// The opened payload is not a message this release reads.
    #[error("the outbox row {key} does not read back: {source}")]
    Read {
        /// The row's idempotency key.
        key: String,
        /// Why.
        #[source]
        source: serde_json::Error,
    },
}

impl PendingOutboxRow {
    /// The key the carrier dedupes on: one row, one sending, across restarts and instances.
    #[must_use]
    pub fn idempotency_key(&self) -> String {
        format!("{}-{}-{}", self.codice_fiscale, self.version, self.seq)
    }

    /// The message, opened: only the drainer does this, right before the carrier takes it.
    ///
    /// # Errors
    /// [`PendingError`]: no payload, a payload that does not open, or one that does not read.
    pub fn open(&self, keys: &OutboxKeys) -> Result<OutboxMessage, PendingError> {
        let key = self.idempotency_key();
        let sealed = self
            .sealed
            .as_ref()
            .ok_or_else(|| PendingError::NoPayload(key.clone()))?;
        let json = keys
            .open(sealed, key.as_bytes())
            .map_err(|source| PendingError::Open {
                key: key.clone(),
                source,
            })?;
        serde_json::from_slice(&json).map_err(|source| PendingError::Read { key, source })
    }
}

/// How long a refused row waits before its next try: 1 s after the first refusal, doubling,
/// at most an hour. A carrier that is down is not hammered, and one that comes back within
/// the hour sends what waited within the hour.
#[must_use]
pub fn backoff(attempts: i64) -> SignedDuration {
    let exponent = u32::try_from(attempts.saturating_sub(1).clamp(0, 12)).unwrap_or(12);
    SignedDuration::from_secs((1i64 << exponent).min(3600))
}

/// The instant of a refused row's next try.
#[must_use]
pub fn next_attempt(now: Timestamp, attempts: i64) -> Timestamp {
    now.checked_add(backoff(attempts)).unwrap_or(now)
}

/// What the outbox holds, for metrics and operators.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct OutboxStats {
    /// Rows not yet sent.
    pub unsent: i64,
    /// When the oldest unsent row was written, in milliseconds since the epoch.
    pub oldest_unsent_at: Option<i64>,
    /// Sent rows that still hold a payload: must be none.
    pub sent_with_payload: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r33_a_refused_row_waits_longer_each_time_up_to_an_hour() {
        assert_eq!(backoff(1), SignedDuration::from_secs(1));
        assert_eq!(backoff(2), SignedDuration::from_secs(2));
        assert_eq!(backoff(5), SignedDuration::from_secs(16));
        assert_eq!(backoff(13), SignedDuration::from_secs(3600));
        assert_eq!(backoff(i64::MAX), SignedDuration::from_secs(3600));
        assert_eq!(backoff(0), SignedDuration::from_secs(1));
        assert_eq!(backoff(-5), SignedDuration::from_secs(1));
    }
}
