//! R33 at rest: a code leaves the service in the reply that shows it or through a carrier,
//! and never lies in the database in clear: not in the outbox before it is sent (payloads are
//! sealed), not in a sent row (its payload is deleted), not in the database's files, the
//! write-ahead log included, before or after a checkpoint. On SQLite and on PostgreSQL.
//!
//! R36 at rest: a person's data is never in the database's files in clear (it is sealed under
//! a key of their own), and once erased it is unreadable there (the key is gone, the sealed
//! columns emptied), while the account still replays from its events and refuses what it
//! refused. On SQLite (main file, write-ahead log, keys file) and on PostgreSQL (the data
//! directory after a checkpoint).

mod common;

use axum::http::StatusCode;
use common::*;
use inps_pin::{CodiceFiscale, Event, PinPart};
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

/// What a person's life left, before their erasure.
struct Life {
    cf: String,
    pin: String,
    bearer: String,
    wrong_login: Answer,
}

/// A person with distinctive data requests a PIN, makes the first access, logs in, fails a
/// login; their data reads back through their own export (so a search of the files that
/// finds none of it finds none for a reason).
async fn life(rig: &Rig, cf: &str) -> Life {
    let pin = rig.active_pin_with(&distinctive_person(cf)).await;
    let bearer = rig.session(cf, &pin).await;
    let wrong_login = rig.login(cf, &wrong_pin(&pin)).await;
    assert_eq!(
        wrong_login.status,
        StatusCode::UNAUTHORIZED,
        "{}",
        wrong_login.body
    );
    let export = rig
        .get("/v1/me/export", &[("authorization", &bearer)])
        .await;
    assert_eq!(export.status, StatusCode::OK, "{}", export.body);
    let text = String::from_utf8_lossy(&export.bytes).into_owned();
    for datum in DISTINCTIVE {
        assert!(text.contains(datum), "the export holds {datum}: {text}");
    }
    assert_eq!(rig.drain().await.claimed, 0, "everything went");
    Life {
        cf: cf.to_owned(),
        pin,
        bearer,
        wrong_login,
    }
}

/// The needles: the person's data, as typed and as stored.
fn personal_data() -> Vec<String> {
    DISTINCTIVE
        .iter()
        .map(|datum| (*datum).to_owned())
        .collect()
}

/// An auditor erases the person's data; what the account is and answers afterwards.
async fn erase_and_check(rig: &Rig, life: &Life) {
    let path = format!("/v1/operator/accounts/{}/erasure", life.cf);
    let erased = rig
        .operator(AUDITOR, &path, &json!({ "reason": "persons_request" }))
        .await;
    assert_eq!(erased.status, StatusCode::OK, "{}", erased.body);
    assert_eq!(erased.body["pin_ended"], true);
    let cf = CodiceFiscale::parse(&life.cf).unwrap();
    let store = rig.accounts().store();
    // The account replays from its events, the same as its cache, and holds no personal data.
    let loaded = store.load(cf).await.unwrap();
    assert_eq!(store.replay(cf).await.unwrap(), loaded);
    assert!(loaded.person().is_none());
    let events = store.events(cf).await.unwrap();
    assert!(events.iter().all(|event| !event.holds_personal_data()));
    assert!(matches!(events.first(), Some(Event::PinIssued { .. })));
    assert!(matches!(
        events.last(),
        Some(Event::PersonalDataErased { .. })
    ));
    // It refuses what it refused: the wrong PIN reads the same; the PIN it had, and the
    // session it opened, no longer serve; a second erasure has nothing to erase.
    let wrong = rig.login(&life.cf, &wrong_pin(&life.pin)).await;
    assert_eq!(
        (wrong.status, &wrong.body),
        (life.wrong_login.status, &life.wrong_login.body)
    );
    assert_eq!(
        rig.login(&life.cf, &life.pin).await.status,
        StatusCode::UNAUTHORIZED
    );
    let export = rig
        .get("/v1/me/export", &[("authorization", &life.bearer)])
        .await;
    assert_eq!(export.status, StatusCode::UNAUTHORIZED);
    let again = rig
        .operator(AUDITOR, &path, &json!({ "reason": "persons_request" }))
        .await;
    again.assert_coded(StatusCode::NOT_FOUND, "erasure.nothing_to_erase");
}

#[tokio::test]
async fn r36_a_persons_data_is_sealed_and_once_erased_unreadable_in_the_sqlite_file_wal_and_keys_file()
 {
    let dir = Scratch::new("server-at-rest", "r36-sqlite");
    let people = people(1);
    let mut setup = Setup::new(&sqlite_url(&dir));
    setup.people = people.clone();
    let rig = setup.start().await;
    let life = life(&rig, &people[0]).await;
    let needles = personal_data();
    // Sealed before the erasure: in none of the files, not even the write-ahead log.
    let wal = dir.join("service.db-wal");
    assert!(std::fs::metadata(&wal).is_ok_and(|meta| meta.len() > 0));
    assert!(std::fs::metadata(dir.join("service.db.keys")).is_ok_and(|meta| meta.len() > 0));
    assert_eq!(files_containing_any(&dir, &needles), Vec::new());

    erase_and_check(&rig, &life).await;
    assert_eq!(
        files_containing_any(&dir, &needles),
        Vec::new(),
        "after the erasure"
    );
    sqlx::query("PRAGMA wal_checkpoint(TRUNCATE)")
        .execute(rig.accounts().store().pool())
        .await
        .unwrap();
    assert_eq!(
        files_containing_any(&dir, &needles),
        Vec::new(),
        "after a checkpoint"
    );
    // No key is left for the person, and no sealed column holds anything.
    assert_eq!(rig.count("person_keys", Some(&life.cf)).await, 0);
    assert_eq!(sealed_rows(&rig, &life.cf).await, 0);
    // The searches find what is there: the codice fiscale is stored in clear.
    assert!(!files_containing_any(&dir, &people).is_empty());
}

/// Rows of an account whose sealed personal column holds anything.
async fn sealed_rows(rig: &Rig, cf: &str) -> i64 {
    let row = sqlx::query(
        "SELECT (SELECT COUNT(*) FROM events WHERE codice_fiscale = $1 AND personal IS NOT NULL)
              + (SELECT COUNT(*) FROM accounts WHERE codice_fiscale = $1 AND personal IS NOT NULL)",
    )
    .bind(cf.to_owned())
    .fetch_one(rig.accounts().store().pool())
    .await
    .unwrap();
    row.try_get::<i64, _>(0).unwrap()
}

#[tokio::test]
async fn postgres_r36_a_persons_data_is_sealed_and_once_erased_unreadable_in_the_data_directory_after_checkpoint()
 {
    let Some(server) = testing::server() else {
        return;
    };
    let url = testing::database(&server.url(), "inps_pin_r36_at_rest").await;
    let people = people(1);
    let mut setup = Setup::new(&url);
    setup.people = people.clone();
    let rig = setup.start().await;
    let life = life(&rig, &people[0]).await;
    let needles = personal_data();
    let testing::Server::Started(cluster) = &server else {
        eprintln!("a named PostgreSQL server: its files are not here to search");
        erase_and_check(&rig, &life).await;
        return;
    };
    let root = cluster.data_dir();
    let root = root.parent().unwrap().to_path_buf();
    let checkpoint = || async {
        sqlx::query("CHECKPOINT")
            .execute(rig.accounts().store().pool())
            .await
            .unwrap();
    };
    checkpoint().await;
    assert_eq!(files_containing_any(&root, &needles), Vec::new(), "sealed");

    erase_and_check(&rig, &life).await;
    checkpoint().await;
    assert_eq!(
        files_containing_any(&root, &needles),
        Vec::new(),
        "after the erasure"
    );
    assert_eq!(rig.count("person_keys", Some(&life.cf)).await, 0);
    assert_eq!(sealed_rows(&rig, &life.cf).await, 0);
    // The search finds what is there: the codice fiscale is stored in clear.
    assert!(!files_containing_any(&root, &people).is_empty());
}
