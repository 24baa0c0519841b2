//! The carriers (mail server, SMS gateway, postman, the counter's printer) and the task that
//! drains the outbox into them.
//!
//! A carrier takes a message under its idempotency key and must take a key it has already
//! taken without sending again: a row may be handed over twice (a crash between the carrier
//! and the mark, two drainers on one SQLite file). The service's own log says what went where
//! and under which key, never a code.

use std::collections::HashSet;
use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;

use async_trait::async_trait;
use inps_pin::{Medium, PinPart};
use inps_pin_sqlx::{Accounts, OutboxMessage, StoreError};
use thiserror::Error;

/// A carrier refused a message: it stays in the outbox and is tried again after a backoff.
#[derive(Debug, Error)]
#[error("the carrier refused the message: {0}")]
pub struct CarrierError(pub String);

/// The deployment's carriers: e-mail, SMS, post, the counter's printer.
#[async_trait]
pub trait Carrier: Send + Sync {
    /// Sends `message` under `key`. A key already sent must be accepted without sending again.
    ///
    /// # Errors
    /// [`CarrierError`] if it cannot take the message now.
    async fn send(&self, key: &str, message: &OutboxMessage) -> Result<(), CarrierError>;
}

/// What a stand-in carrier sent: enough for a test to play the person who reads it.
#[derive(Clone, Debug)]
pub struct Sent {
    /// The idempotency key.
    pub key: String,
    /// Which part of a PIN, for a delivery.
    pub part: Option<PinPart>,
    /// Through what.
    pub medium: Medium,
    /// The code, for a delivery: what the person receives.
    pub code: Option<String>,
    /// What it is and where it goes, without the code.
    pub description: String,
}

#[derive(Default)]
struct Sending {
    keys: HashSet<String>,
    sent: Vec<Sent>,
}

/// A carrier that keeps what it sent in memory, each key once: for tests and examples.
#[derive(Default)]
pub struct MemoryCarrier {
    state: Mutex<Sending>,
}

impl std::fmt::Debug for MemoryCarrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MemoryCarrier").finish_non_exhaustive()
    }
}

impl MemoryCarrier {
    /// An empty carrier.
    #[must_use]
    pub fn new() -> MemoryCarrier {
        MemoryCarrier::default()
    }

    /// Everything sent, in order.
    #[must_use]
    pub fn sent(&self) -> Vec<Sent> {
        lock(&self.state).sent.clone()
    }

    /// The code of the last delivery of `part` to `codice_fiscale`'s account.
    #[must_use]
    pub fn last_code(&self, codice_fiscale: &str, part: PinPart) -> Option<String> {
        let prefix = format!("{codice_fiscale}-");
        lock(&self.state)
            .sent
            .iter()
            .rev()
            .find(|sent| sent.key.starts_with(&prefix) && sent.part == Some(part))
            .and_then(|sent| sent.code.clone())
    }
}

fn lock(state: &Mutex<Sending>) -> std::sync::MutexGuard<'_, Sending> {
    match state.lock() {
        Ok(state) => state,
        Err(poisoned) => poisoned.into_inner(),
    }
}

/// What a message is, for a stand-in carrier's record.
fn record(key: &str, message: &OutboxMessage) -> Sent {
    match message {
        OutboxMessage::Delivery(delivery) => Sent {
            key: key.to_owned(),
            part: Some(delivery.part()),
            medium: delivery.medium().clone(),
            code: Some(delivery.secret().expose().to_owned()),
            description: delivery.to_string(),
        },
        OutboxMessage::Notice(notice) => Sent {
            key: key.to_owned(),
            part: None,
            medium: notice.to().clone(),
            code: None,
            description: notice.to_string(),
        },
        other => Sent {
            key: key.to_owned(),
            part: None,
            medium: Medium::Screen,
            code: None,
            description: other.description(),
        },
    }
}

#[async_trait]
impl Carrier for MemoryCarrier {
    async fn send(&self, key: &str, message: &OutboxMessage) -> Result<(), CarrierError> {
        let mut state = lock(&self.state);
        if state.keys.insert(key.to_owned()) {
            state.sent.push(record(key, message));
        }
        Ok(())
    }
}

/// A carrier that writes what it would send to a file, codes included: that file *is* the
/// letter, the SMS and the e-mail of the demo, so a reader can take the codes from it. Each
/// key is sent once, across restarts (the keys are read back from the file).
pub struct LogCarrier {
    path: PathBuf,
    state: Mutex<Sending>,
}

impl std::fmt::Debug for LogCarrier {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LogCarrier")
            .field("path", &self.path)
            .finish_non_exhaustive()
    }
}

impl LogCarrier {
    /// Opens the log at `path`, remembering the keys it already sent.
    #[must_use]
    pub fn open(path: PathBuf) -> LogCarrier {
        let keys = std::fs::read_to_string(&path)
            .map(|text| {
                text.lines()
                    .filter_map(|line| line.strip_prefix("key="))
                    .filter_map(|rest| rest.split_whitespace().next())
                    .map(str::to_owned)
                    .collect()
            })
            .unwrap_or_default();
        LogCarrier {
            path,
            state: Mutex::new(Sending {
                keys,
                sent: Vec::new(),
            }),
        }
    }

    /// Everything sent since it was opened.
    #[must_use]
    pub fn sent(&self) -> Vec<Sent> {
        lock(&self.state).sent.clone()
    }
}

#[async_trait]
impl Carrier for LogCarrier {
    async fn send(&self, key: &str, message: &OutboxMessage) -> Result<(), CarrierError> {
        let mut state = lock(&self.state);
        if state.keys.contains(key) {
            return Ok(());
        }
        let sent = record(key, message);
        let who = match &sent.medium {
            Medium::Email(_) => "MAIL SERVER",
            Medium::Sms(_) => "SMS GATEWAY",
            Medium::SealedPost(_) | Medium::Post(_) => "POSTMAN",
            Medium::SealedEnvelopeAtCounter(_) => "COUNTER PRINTER",
            _ => "CARRIER",
        };
        let line = match (&sent.code, message) {
            (Some(code), _) => format!(
                "key={key} {who} receives: {}; code: {code}",
                sent.description
            ),
            (None, OutboxMessage::Notice(notice)) => format!(
                "key={key} NOTICE {}: {}",
                notice.to(),
                notice.about().message_it()
            ),
            (None, _) => format!("key={key} {who}: {}", sent.description),
        };
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|error| CarrierError(format!("the log {}: {error}", self.path.display())))?;
        writeln!(file, "{line}").map_err(|error| CarrierError(format!("the log: {error}")))?;
        state.keys.insert(key.to_owned());
        state.sent.push(sent);
        Ok(())
    }
}

/// What one round of the drainer did.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Drained {
    /// Rows claimed.
    pub claimed: usize,
    /// Rows the carrier took.
    pub sent: usize,
    /// Rows the carrier refused, or that did not open: tried again after a backoff.
    pub refused: usize,
}

/// Claims up to `limit` rows whose time has come, opens each, hands it to the carrier and
/// marks it sent (its payload deleted) or refused (tried again after a backoff).
///
/// # Errors
/// [`StoreError`] if the database fails; a carrier's refusal is counted, not an error.
pub async fn drain_outbox(
    accounts: &Accounts,
    carrier: &dyn Carrier,
    limit: u32,
) -> Result<Drained, StoreError> {
    let now = accounts.clock().now();
    let mut claim = accounts.store().claim_outbox(now, limit).await?;
    let rows = std::mem::take(&mut claim.rows);
    let mut drained = Drained {
        claimed: rows.len(),
        ..Drained::default()
    };
    for row in &rows {
        let key = row.idempotency_key();
        let result = match row.open(accounts.outbox_keys()) {
            Ok(message) => carrier
                .send(&key, &message)
                .await
                .map_err(|e| e.to_string()),
            Err(error) => Err(error.to_string()),
        };
        match result {
            Ok(()) => {
                claim.mark_sent(row, now).await?;
                tracing::info!(key, what = row.description, "handed to the carrier");
                drained.sent += 1;
            }
            Err(why) => {
                claim.mark_refused(row, now, &why).await?;
                tracing::warn!(key, why, "the carrier did not take a row");
                drained.refused += 1;
            }
        }
    }
    claim.finish().await?;
    Ok(drained)
}
