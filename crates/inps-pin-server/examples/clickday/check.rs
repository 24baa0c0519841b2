//! After the load: what the service acknowledged must be in the database, and every outbox
//! row must have reached a carrier once.

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::time::{Duration, Instant};

use inps_pin::{CodiceFiscale, Event};
use inps_pin_server::inps_pin_sqlx::sqlx::{self, Row};
use inps_pin_server::inps_pin_sqlx::{Store, idempotency_key};

use crate::load::{Ack, Crowd};

/// Waits until no outbox row waits to be sent, or `within` passes: whether it emptied.
pub async fn drained(store: &Store, within: Duration) -> bool {
    let until = Instant::now() + within;
    loop {
        if let Ok(stats) = store.outbox_stats().await {
            if stats.unsent == 0 {
                return true;
            }
        }
        if Instant::now() >= until {
            return false;
        }
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

/// The outbox's rows: (codice fiscale, version, seq).
async fn outbox_rows(store: &Store) -> Vec<(String, i64, i64)> {
    sqlx::query("SELECT codice_fiscale, version, seq FROM outbox")
        .fetch_all(store.pool())
        .await
        .expect("the outbox reads")
        .iter()
        .map(|row| {
            (
                row.try_get(0).expect("cf"),
                row.try_get(1).expect("version"),
                row.try_get(2).expect("seq"),
            )
        })
        .collect()
}

/// What the events check found.
#[derive(Debug, Default)]
pub struct Lost {
    /// Acknowledged requests checked.
    pub acknowledged: usize,
    /// Acknowledged requests without their events, or without the outbox rows of their
    /// events.
    pub lost: usize,
}

/// Every acknowledged request has its event (a login, a first access, an issued PIN, a
/// restore) after the seeded ones, and an issued PIN's or a restore's event has its outbox
/// rows. More events than acknowledgements is fine: an answer that timed out or was cut by
/// a kill may still have been written.
pub async fn lost(store: &Store, crowd: &Crowd) -> Lost {
    let outbox: HashSet<(String, i64)> = outbox_rows(store)
        .await
        .into_iter()
        .map(|(cf, version, _)| (cf, version))
        .collect();
    let mut by_person: HashMap<usize, [usize; 4]> = HashMap::new();
    for (index, ack) in crowd.acks.lock().expect("acks").iter() {
        let slot = match ack {
            Ack::LoggedIn => 0,
            Ack::FirstAccess => 1,
            Ack::PinIssued => 2,
            Ack::Restore => 3,
        };
        by_person.entry(*index).or_default()[slot] += 1;
    }
    let mut report = Lost::default();
    for (index, acked) in by_person {
        let person = &crowd.seeded()[index];
        let cf = CodiceFiscale::parse(&person.cf).expect("a codice fiscale");
        let events = store.events(cf).await.expect("the events read");
        let mut found = [0usize; 4];
        for (position, event) in events.iter().enumerate().skip(person.version as usize) {
            let version = position as i64 + 1;
            let with_rows = outbox.contains(&(person.cf.clone(), version));
            match event {
                Event::LoggedIn { .. } => found[0] += 1,
                Event::FirstAccessCompleted { .. } => found[1] += 1,
                Event::PinIssued { .. } if with_rows => found[2] += 1,
                Event::RestoreRequested { .. } if with_rows => found[3] += 1,
                _ => {}
            }
        }
        for slot in 0..4 {
            report.acknowledged += acked[slot];
            report.lost += acked[slot].saturating_sub(found[slot]);
        }
    }
    report
}

/// What the deliveries check found.
#[derive(Debug, Default)]
pub struct Deliveries {
    /// Outbox rows.
    pub rows: usize,
    /// Rows whose key is in no carrier's log.
    pub missing: usize,
    /// Keys sent twice where the first copy is in the killed instance's log from before the
    /// kill: a claim that the kill cut before its mark committed, sent again by the other
    /// instance under the same key (a carrier drops it by the key).
    pub resent_after_kill: usize,
    /// Keys sent twice otherwise.
    pub twice: usize,
    /// Keys in a carrier's log that no outbox row has.
    pub phantom: usize,
}

/// A carrier's log and, for the killed instance, how long it was when the instance died.
pub struct CarrierLog {
    pub path: PathBuf,
    pub killed_at_length: Option<u64>,
}

/// Every outbox row's key is in a carrier's log, once (or twice after a kill, as said).
pub async fn deliveries(store: &Store, logs: &[CarrierLog]) -> Deliveries {
    let rows = outbox_rows(store).await;
    let keys: HashSet<String> = rows
        .iter()
        .map(|(cf, version, seq)| idempotency_key(cf, *version as u64, *seq as u32))
        .collect();
    // Each key's copies: whether each is from the killed instance before its death.
    let mut sent: HashMap<String, Vec<bool>> = HashMap::new();
    for log in logs {
        let text = std::fs::read_to_string(&log.path).unwrap_or_default();
        let mut offset = 0u64;
        for line in text.lines() {
            let before_kill = log.killed_at_length.is_some_and(|length| offset < length);
            offset += line.len() as u64 + 1;
            if let Some(key) = line
                .strip_prefix("key=")
                .and_then(|rest| rest.split_whitespace().next())
            {
                sent.entry(key.to_owned()).or_default().push(before_kill);
            }
        }
    }
    let mut report = Deliveries {
        rows: keys.len(),
        ..Deliveries::default()
    };
    for key in &keys {
        match sent.get(key).map(Vec::as_slice) {
            None | Some([]) => report.missing += 1,
            Some([_]) => {}
            Some([first, second]) if *first || *second => report.resent_after_kill += 1,
            Some(_) => report.twice += 1,
        }
    }
    report.phantom = sent.keys().filter(|key| !keys.contains(*key)).count();
    report
}
