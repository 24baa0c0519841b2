//! R33 at rest: a code leaves the service in the reply that shows it or through a carrier,
//! and never lies in the database in clear: not in the outbox before it is sent (payloads are
//! sealed), not in a sent row (its payload is deleted), not in the database's files, the
//! write-ahead log included, before or after a checkpoint. On SQLite and on PostgreSQL.

mod common;

use axum::http::StatusCode;
use common::*;
use inps_pin::PinPart;
use inps_pin_sqlx::sqlx::{self, Row as _};
use inps_pin_sqlx::testing::{self, Scratch, files_containing};
use serde_json::json;

/// Every outbox row's stored bytes (payload, description, last error), as they are now.
async fn outbox_bytes(rig: &Rig) -> Vec<Vec<u8>> {
    let rows = sqlx::query("SELECT payload, description, last_error FROM outbox")
        .fetch_all(rig.accounts().store().pool())
        .await
        .unwrap();
    rows.iter()
        .map(|row| {
            let mut bytes = row
                .try_get::<Option<Vec<u8>>, _>(0)
                .unwrap()
                .unwrap_or_default();
            bytes.extend(row.try_get::<String, _>(1).unwrap().into_bytes());
            bytes.extend(
                row.try_get::<Option<String>, _>(2)
                    .unwrap()
                    .unwrap_or_default()
                    .into_bytes(),
            );
            bytes
        })
        .collect()
}

/// What a burst left: every code delivered or shown, and the outbox as it was before the
/// first drain.
struct Burst {
    codes: Vec<String>,
    unsent_outbox: Vec<Vec<u8>>,
}

/// PIN requests for `people`, first accesses for half of them, restores for those, and the
/// drainer sending everything.
async fn burst(rig: &Rig, people: &[String]) -> Burst {
    let mut shown = Vec::new();
    for cf in people {
        shown.push(rig.request_pin(cf).await);
    }
    let unsent_outbox = outbox_bytes(rig).await;
    assert_eq!(
        unsent_outbox.len(),
        2 * people.len(),
        "a first and a second half each"
    );
    rig.drain().await;
    for (cf, first) in people.iter().zip(&shown.clone()).step_by(2) {
        let whole = format!("{first}{}", rig.received(cf, PinPart::SecondHalf));
        let done = rig
            .post(
                "/v1/first-access",
                &json!({ "codice_fiscale": cf, "pin": whole }),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        shown.push(done.shown_code());
        let restore = json!({
            "codice_fiscale": cf, "email": "mario.rossi@example.it", "mobile": "347 123 4567"
        });
        assert_eq!(
            rig.post("/v1/restore", &restore).await.status,
            StatusCode::ACCEPTED
        );
    }
    let drained = rig.drain().await;
    assert!(drained.sent >= people.len(), "{drained:?}");
    assert_eq!(rig.drain().await.claimed, 0, "everything went");
    let mut codes: Vec<String> = rig
        .carrier
        .sent()
        .into_iter()
        .filter_map(|sent| sent.code)
        .chain(shown)
        .collect();
    codes.sort();
    codes.dedup();
    // Two halves each; for every other person an 8 on screen and a restore's two halves.
    assert_eq!(codes.len(), 2 * people.len() + 3 * people.len().div_ceil(2));
    Burst {
        codes,
        unsent_outbox,
    }
}

/// What every backend must show: sealed before sending, no payload after.
async fn assert_outbox_holds_no_code(rig: &Rig, burst: &Burst) {
    for code in &burst.codes {
        for row in &burst.unsent_outbox {
            assert!(
                !row.windows(code.len()).any(|w| w == code.as_bytes()),
                "a code in clear in an unsent outbox row"
            );
        }
    }
    let stats = rig.accounts().store().outbox_stats().await.unwrap();
    assert_eq!((stats.unsent, stats.sent_with_payload), (0, 0));
    let kept = sqlx::query(
        "SELECT COUNT(*) FROM outbox WHERE sent_at IS NOT NULL
         AND (payload IS NOT NULL OR key_id IS NOT NULL)",
    )
    .fetch_one(rig.accounts().store().pool())
    .await
    .unwrap()
    .try_get::<i64, _>(0)
    .unwrap();
    assert_eq!(kept, 0, "a sent row keeps its payload");
    for row in outbox_bytes(rig).await {
        for code in &burst.codes {
            assert!(!row.windows(code.len()).any(|w| w == code.as_bytes()));
        }
    }
}

#[track_caller]
fn assert_no_file_holds(dir: &std::path::Path, codes: &[String], when: &str) {
    for code in codes {
        let found = files_containing(dir, code.as_bytes());
        assert!(found.is_empty(), "{when}: a code in clear in {found:?}");
    }
}

#[tokio::test]
async fn r33_no_delivered_or_shown_code_is_at_rest_in_the_sqlite_files() {
    let dir = Scratch::new("server-at-rest", "sqlite");
    let people = people(16);
    let mut setup = Setup::new(&sqlite_url(&dir));
    setup.people = people.clone();
    let rig = setup.start().await;
    let burst = burst(&rig, &people).await;
    assert_outbox_holds_no_code(&rig, &burst).await;

    let wal = dir.join("service.db-wal");
    assert!(
        std::fs::metadata(&wal).is_ok_and(|meta| meta.len() > 0),
        "the write-ahead log holds the recent pages"
    );
    assert_no_file_holds(&dir, &burst.codes, "before a checkpoint");
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(rig.accounts().store().pool())
        .await
        .unwrap();
    assert_no_file_holds(&dir, &burst.codes, "after a checkpoint");
    assert_eq!(files_containing_any(&dir, &burst.codes), Vec::new());
    // The searches find what is there: the codice fiscale is stored in clear.
    assert!(!files_containing(&dir, people[0].as_bytes()).is_empty());
    assert!(!files_containing_any(&dir, &people[..1]).is_empty());
}

#[tokio::test]
async fn postgres_r33_no_delivered_or_shown_code_is_at_rest_in_the_cluster() {
    let Some(server) = testing::server() else {
        return;
    };
    let url = testing::database(&server.url(), "inps_pin_at_rest").await;
    let people = people(12);
    let mut setup = Setup::new(&url);
    setup.people = people.clone();
    let rig = setup.start().await;
    let burst = burst(&rig, &people).await;
    assert_outbox_holds_no_code(&rig, &burst).await;
    match &server {
        testing::Server::Started(cluster) => {
            sqlx::query("CHECKPOINT")
                .execute(rig.accounts().store().pool())
                .await
                .unwrap();
            // The data directory (tables, write-ahead log) and the server's log beside it.
            let root = cluster.data_dir();
            let root = root.parent().unwrap();
            assert_eq!(files_containing_any(root, &burst.codes), Vec::new());
            // The search finds what is there: the codici fiscali are stored in clear.
            let found = files_containing_any(root, &people);
            assert!(
                people
                    .iter()
                    .all(|cf| found.iter().any(|(_, needle)| needle == cf)),
                "{found:?}"
            );
        }
        testing::Server::Named(_) => {
            eprintln!("a named PostgreSQL server: its files are not here to search");
        }
    }
}
