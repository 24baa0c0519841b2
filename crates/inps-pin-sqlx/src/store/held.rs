//! What the store keeps about a person beside their record (R36; GDPR art. 15): the sessions
//! they have open and the messages made for them, as the rows say, for the person's export.
//! Never a token or its hash, a payload, an address or a code.

use inps_pin::{CodiceFiscale, ExportedSession, Session};
use jiff::Timestamp;
use serde::Serialize;
use sqlx::Row as _;

use crate::error::StoreError;
use crate::store::Store;

/// The rows beside the record that name a person ([`Store::held_records`]).
#[derive(Debug, Default, Serialize)]
#[non_exhaustive]
pub struct HeldRecords {
    /// Their sessions still open, oldest first.
    pub sessions: Vec<HeldSession>,
    /// The deliveries and notices made for them, sent or waiting, oldest first.
    pub messages: Vec<HeldMessage>,
}

/// A session still open, as stored: in JSON the fields of [`ExportedSession`] and
/// `expires_at`.
#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct HeldSession {
    /// How it was opened, at which level, since when, from a trusted device.
    #[serde(flatten)]
    pub session: ExportedSession,
    /// When it ends whatever the PIN does.
    pub expires_at: Timestamp,
}

/// A message made for the person, described without its content.
#[derive(Debug, Serialize)]
#[non_exhaustive]
pub struct HeldMessage {
    /// `delivery` (a part of a PIN) or `notice`.
    pub kind: String,
    /// What it is and by which kind of carrier: "second half of the PIN by post".
    pub description: String,
    /// When it was made.
    pub created_at: Timestamp,
    /// When a carrier took it; `None` while it waits.
    pub sent_at: Option<Timestamp>,
    /// How many times a carrier failed to take it, each time tried again later.
    pub attempts: i64,
}

/// An instant stored as milliseconds since the epoch.
fn instant(millis: i64) -> Result<Timestamp, StoreError> {
    Timestamp::from_millisecond(millis).map_err(|_| StoreError::Overflow)
}

impl Store {
    /// The sessions and the messages the store keeps for `codice_fiscale`, beside the record
    /// that [`Store::events`] reads: what a person's export adds to [`inps_pin::Account::export`].
    ///
    /// # Errors
    /// [`StoreError`] if the database fails or an instant does not read.
    pub async fn held_records(
        &self,
        codice_fiscale: CodiceFiscale,
    ) -> Result<HeldRecords, StoreError> {
        let mut held = HeldRecords::default();
        let sessions = sqlx::query(
            "SELECT session, expires_at FROM sessions WHERE codice_fiscale = $1
             ORDER BY expires_at, token_hash",
        )
        .bind(codice_fiscale.as_str())
        .fetch_all(self.pool())
        .await?;
        for row in sessions {
            let text: String = row.try_get(0)?;
            // A session that does not read is refused when presented, as by `Store::session`.
            let Ok(session) = serde_json::from_str::<Session>(&text) else {
                continue;
            };
            held.sessions.push(HeldSession {
                session: session.export(),
                expires_at: instant(row.try_get(1)?)?,
            });
        }
        let messages = sqlx::query(
            "SELECT kind, description, created_at, sent_at, attempts FROM outbox
             WHERE codice_fiscale = $1 ORDER BY version, seq",
        )
        .bind(codice_fiscale.as_str())
        .fetch_all(self.pool())
        .await?;
        for row in messages {
            let sent_at: Option<i64> = row.try_get(3)?;
            held.messages.push(HeldMessage {
                kind: row.try_get(0)?,
                description: row.try_get(1)?,
                created_at: instant(row.try_get(2)?)?,
                sent_at: sent_at.map(instant).transpose()?,
                attempts: row.try_get(4)?,
            });
        }
        Ok(held)
    }
}
