//! The carriers (postman, SMS gateway, mail server, the counter's printer), stood in for by a
//! log file, and the task that drains the outbox into them.
//!
//! **Codes.** The stand-in carrier writes what a real carrier would receive, codes included,
//! to its own log file (`carrier.log` beside the database by default): that file *is* the
//! letter, the SMS and the e-mail of this example, so the demo can read the codes from it.
//! Nothing else prints a code: the service's own log says only what went where, and under
//! which idempotency key.

use std::collections::HashSet;
use std::fs::OpenOptions;
use std::io::Write as _;
use std::path::PathBuf;
use std::sync::Mutex;

use inps_pin::{Medium, Notification, OutboxDelivery, PinPart};
use jiff::Timestamp;

use crate::store::{PendingOutboxRow, Store};

/// What the stand-in carrier sent: enough for the tests to play the person who reads it.
#[derive(Clone, Debug)]
pub struct Sent {
    pub key: String,
    pub kind: String,
    pub part: Option<PinPart>,
    pub medium: Option<Medium>,
    /// The code, for a delivery (the carrier's copy: what the person receives).
    pub code: Option<String>,
    pub description: String,
}

/// A carrier that writes what it would send to a file, and sends each idempotency key once.
pub struct LogCarrier {
    path: PathBuf,
    state: Mutex<CarrierState>,
}

struct CarrierState {
    keys: HashSet<String>,
    sent: Vec<Sent>,
}

impl LogCarrier {
    /// Opens the carrier's log, remembering the keys it already sent (a real carrier keeps
    /// these itself: that is what an idempotency key is for).
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
            state: Mutex::new(CarrierState {
                keys,
                sent: Vec::new(),
            }),
        }
    }

    /// Everything sent through this carrier since it was opened.
    pub fn sent(&self) -> Vec<Sent> {
        self.lock().sent.clone()
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, CarrierState> {
        match self.state.lock() {
            Ok(state) => state,
            Err(poisoned) => poisoned.into_inner(),
        }
    }

    /// Hands a row to the carrier. A key already sent is accepted without sending again.
    pub fn take(&self, row: &PendingOutboxRow) -> Result<(), String> {
        let key = row.idempotency_key();
        let mut state = self.lock();
        if state.keys.contains(&key) {
            return Ok(());
        }
        let (line, sent) = match row.kind.as_str() {
            "delivery" => {
                let delivery: OutboxDelivery = serde_json::from_str(&row.payload)
                    .map_err(|error| format!("an outbox delivery does not read back: {error}"))?;
                let who = match delivery.medium() {
                    Medium::Email(_) => "MAIL SERVER",
                    Medium::Sms(_) => "SMS GATEWAY",
                    Medium::SealedPost(_) | Medium::Post(_) => "POSTMAN",
                    Medium::SealedEnvelopeAtCounter(_) => "COUNTER PRINTER",
                    _ => "CARRIER",
                };
                let code = delivery.secret().expose().to_owned();
                (
                    format!("key={key} {who} receives: {delivery}; code: {code}"),
                    Sent {
                        key: key.clone(),
                        kind: row.kind.clone(),
                        part: Some(delivery.part()),
                        medium: Some(delivery.medium().clone()),
                        code: Some(code),
                        description: row.description.clone(),
                    },
                )
            }
            "notice" => {
                let notification: Notification = serde_json::from_str(&row.payload)
                    .map_err(|error| format!("an outbox notice does not read back: {error}"))?;
                (
                    format!(
                        "key={key} NOTICE {}: {}",
                        notification.to(),
                        notification.about().message_it()
                    ),
                    Sent {
                        key: key.clone(),
                        kind: row.kind.clone(),
                        part: None,
                        medium: Some(notification.to().clone()),
                        code: None,
                        description: row.description.clone(),
                    },
                )
            }
            other => return Err(format!("an outbox row of unknown kind {other}")),
        };
        let mut file = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.path)
            .map_err(|error| format!("the carrier log {}: {error}", self.path.display()))?;
        writeln!(file, "{line}").map_err(|error| format!("the carrier log: {error}"))?;
        state.keys.insert(key);
        state.sent.push(sent);
        Ok(())
    }
}

/// Hands the unsent outbox rows (up to 100, oldest first) to the carrier, marks them sent and
/// deletes their codes. Returns how many rows went out. A row whose carrier fails stays for
/// the next round; a crash between the carrier and the mark sends the row again under the
/// same key, which the carrier drops.
pub async fn drain_once(
    store: &Store,
    carrier: &LogCarrier,
    now: Timestamp,
) -> Result<usize, sqlx::Error> {
    Ok(drain_batch(store, carrier, now, 100).await?.sent)
}

/// What one batch of the drainer did.
pub struct Batch {
    /// Rows claimed.
    pub claimed: usize,
    /// Rows the carrier took.
    pub sent: usize,
}

/// Claims up to `limit` unsent rows ([`Store::claim_unsent`]: on PostgreSQL no other
/// instance's drainer gets them meanwhile), hands each to the carrier and marks it sent.
pub async fn drain_batch(
    store: &Store,
    carrier: &LogCarrier,
    now: Timestamp,
    limit: i64,
) -> Result<Batch, sqlx::Error> {
    let mut claim = store.claim_unsent(limit).await?;
    let rows = std::mem::take(&mut claim.rows);
    let mut sent = 0;
    for row in &rows {
        match carrier.take(row) {
            Ok(()) => {
                claim.mark_sent(row, now).await?;
                // The service's log: what went where, never the code.
                eprintln!(
                    "[outbox] handed to the carrier: {} (key {})",
                    row.description,
                    row.idempotency_key()
                );
                sent += 1;
            }
            Err(error) => eprintln!(
                "[outbox] the carrier refused key {}: {error}",
                row.idempotency_key()
            ),
        }
    }
    claim.finish().await?;
    Ok(Batch {
        claimed: rows.len(),
        sent,
    })
}
