//! The test rig: a [`Service`] built the way a deployment builds one (not in demo mode), with
//! operators of each role, a fixture archive and health-card register, a [`MemoryCarrier`],
//! a clock that moves only when told, a seeded generator and the cheap Argon2 cost; and
//! helpers that drive its router in process (`tower::ServiceExt::oneshot`) and play the
//! person who reads what the carrier delivered.

#![allow(dead_code, reason = "each test file uses its own part of the rig")]

use std::sync::Arc;

use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{HeaderMap, Method, Request, StatusCode, header};
use inps_pin::{
    Address, ArchiveRecord, CodiceFiscale, Event, HashCost, Medium, PinPart, Policy,
    TesseraSanitaria,
};
use inps_pin_server::{
    Config, Drained, FixtureArchive, FixtureTesseraRegister, LoadConfig, MemoryCarrier,
    OperatorEntry, OperatorRole, Sent, Service, ServiceBuilder, StaticOperators, drain_outbox,
    key_hash,
};
use inps_pin_sqlx::sqlx::Row as _;
use inps_pin_sqlx::{Entropy, ManualClock};
use jiff::{SignedDuration, Timestamp};
use serde_json::{Value, json};
use tower::ServiceExt as _;

/// Mario Rossi: in the archive, with a health card in the register.
pub const MARIO: &str = "RSSMRA80A01H501U";
/// Emanuele Ricci: in the archive, with a health card.
pub const EMANUELE: &str = "RCCMNL83S18D969H";
/// Fabio Cocco: in the archive, with a health card.
pub const FABIO: &str = "CCCFBA85D03L219P";
/// A valid codice fiscale the archive does not hold.
pub const NOT_IN_ARCHIVE: &str = "VRDGPP80A01F205X";

/// Mario's card, as the register holds it.
pub const MARIO_CARD: &str = "80380000001234567890";
/// Every fixture card's expiry.
pub const CARD_EXPIRY: &str = "2035-12-31";

/// The outbox key of every rig (a test key: 32 bytes of 0x11).
pub const OUTBOX_KEYS: &str =
    "test-2026:1111111111111111111111111111111111111111111111111111111111111111";

/// The master key of every rig's person keys (a test key: 32 bytes of 0x22).
pub const PERSONAL_DATA_KEYS: &str =
    "pd-2026:2222222222222222222222222222222222222222222222222222222222222222";

/// The operators of the rig: (id, key, role).
pub const SEDE: (&str, &str) = ("sede-roma-01", "op_test_sede_roma_01_secret");
/// A Contact Center operator.
pub const CONTACT_CENTER: (&str, &str) = ("cc-roma-01", "op_test_cc_roma_01_secret");
/// A back-office operator.
pub const BACK_OFFICE: (&str, &str) = ("bo-roma-01", "op_test_bo_roma_01_secret");
/// An auditor.
pub const AUDITOR: (&str, &str) = ("auditor-01", "op_test_auditor_01_secret");

/// The instant every rig's clock starts at: Monday 2 March 2026, 09:00 UTC.
pub fn t0() -> Timestamp {
    "2026-03-02T09:00:00Z".parse().unwrap()
}

/// The default policy with the cheapest Argon2 cost: tests hash hundreds of PINs.
pub fn cheap_policy() -> Policy {
    Policy::default().with_hash_cost(HashCost::CHEAP)
}

/// The residence the archive holds for anyone the rig knows: not what a form types.
pub fn archive_residence() -> Address {
    Address::new("Via del Corso 12", "00186", "Roma", "RM").unwrap()
}

/// A valid codice fiscale from its first 15 characters: the one check character that parses.
pub fn with_check(first_15: &str) -> String {
    ('A'..='Z')
        .map(|check| format!("{first_15}{check}"))
        .find(|code| CodiceFiscale::parse(code).is_ok())
        .unwrap()
}

/// `count` distinct valid codici fiscali (men born 1980-1989 in Rome, by day and month).
pub fn people(count: usize) -> Vec<String> {
    const MONTHS: &[char] = &['A', 'B', 'C', 'D', 'E', 'H', 'L', 'M', 'P', 'R', 'S', 'T'];
    let mut codes = Vec::with_capacity(count);
    'all: for year in 80..90 {
        for month in MONTHS {
            for day in 1..=28 {
                if codes.len() == count {
                    break 'all;
                }
                codes.push(with_check(&format!("BNCLCU{year}{month}{day:02}H501")));
            }
        }
    }
    assert_eq!(codes.len(), count, "not that many fixtures");
    codes
}

/// A person's form as typed online: the residence typed here is NOT the archive's.
pub fn person(cf: &str) -> Value {
    json!({
        "first_name": "Mario", "surname": "Rossi", "codice_fiscale": cf,
        "street": "Via Roma 1", "postal_code": "00184", "city": "Roma", "province": "RM",
        "email": "mario.rossi@example.it", "mobile": "+39 347 123 4567"
    })
}

/// What the record keeps of [`distinctive_person`]: what a search of the database's files
/// must not find in clear (R36). The mobile number as stored (`+39` and digits); the street
/// of the residence the archive holds, which is the one kept (R35), and is found nowhere else
/// in a rig with this person alone.
pub const DISTINCTIVE: &[&str] = &[
    "Zebedeo",
    "Quintilliani",
    "zebedeo.quintilliani@esempio.it",
    "3479182736",
    "Via del Corso 12",
];

/// A person's form whose name, e-mail, mobile and street are [`DISTINCTIVE`].
pub fn distinctive_person(cf: &str) -> Value {
    json!({
        "first_name": "Zebedeo", "surname": "Quintilliani", "codice_fiscale": cf,
        "street": "Vicolo Sbirulino 42", "postal_code": "00184", "city": "Roma", "province": "RM",
        "email": "zebedeo.quintilliani@esempio.it", "mobile": "+39 347 918 2736"
    })
}

/// An identity document, valid at [`t0`].
pub fn document() -> Value {
    json!({ "kind": "identity_card", "number": "CA00000AA", "expires_on": "2031-03-01" })
}

/// A PIN of the right length that is not `right`.
pub fn wrong_pin(right: &str) -> String {
    let wrong = if right.starts_with('A') { 'B' } else { 'A' };
    std::iter::repeat_n(wrong, right.len()).collect()
}

/// How to build a rig. `Setup::new(url)` is the rig every area uses; the fields change it.
pub struct Setup {
    /// The database.
    pub url: String,
    /// The generator's seed.
    pub seed: u64,
    /// The policy.
    pub policy: Policy,
    /// The load settings (the rig's default: no per-client limit, since every in-process
    /// request comes from the same unknown peer).
    pub load: LoadConfig,
    /// The header that names the client.
    pub client_ip_header: Option<String>,
    /// A clock shared with another rig, or a new one at [`t0`].
    pub clock: Option<Arc<ManualClock>>,
    /// More people in the archive (and their cards in the register).
    pub people: Vec<String>,
}

impl Setup {
    /// The rig every area uses, on `url`.
    pub fn new(url: &str) -> Setup {
        Setup {
            url: url.to_owned(),
            seed: 1,
            policy: cheap_policy(),
            load: LoadConfig {
                anonymous_per_minute: 0,
                ..LoadConfig::default()
            },
            client_ip_header: None,
            clock: None,
            people: Vec::new(),
        }
    }

    /// The configuration: what a deployment writes, with the outbox key and the operators.
    pub fn config(&self) -> Config {
        Config {
            database_url: self.url.clone(),
            outbox_keys: Some(OUTBOX_KEYS.to_owned()),
            personal_data_keys: Some(PERSONAL_DATA_KEYS.to_owned()),
            operators: operator_entries(),
            load: self.load.clone(),
            client_ip_header: self.client_ip_header.clone(),
            ..Config::default()
        }
    }

    /// Builds the service and its rig.
    pub async fn start(self) -> Rig {
        let clock = self
            .clock
            .clone()
            .unwrap_or_else(|| Arc::new(ManualClock::fixed(t0())));
        let carrier = Arc::new(MemoryCarrier::new());
        let mut archive = FixtureArchive::new();
        let mut register = FixtureTesseraRegister::new();
        let expiry: jiff::civil::Date = CARD_EXPIRY.parse().unwrap();
        let known = [MARIO, EMANUELE, FABIO]
            .into_iter()
            .map(str::to_owned)
            .chain(self.people.iter().cloned());
        for (index, cf) in known.enumerate() {
            let codice_fiscale = CodiceFiscale::parse(&cf).unwrap();
            archive = archive.with(ArchiveRecord::new(codice_fiscale, archive_residence()));
            let number = if cf == MARIO {
                MARIO_CARD.to_owned()
            } else {
                format!("80380{:015}", index + 1)
            };
            register =
                register.with(TesseraSanitaria::new(codice_fiscale, &number, expiry).unwrap());
        }
        let operators = StaticOperators::new(&operator_entries()).unwrap();
        let service = ServiceBuilder::new(self.config())
            .operators(Arc::new(operators))
            .archive(Arc::new(archive))
            .tessera_register(Arc::new(register))
            .carrier(Arc::clone(&carrier) as Arc<dyn inps_pin_server::Carrier>)
            .policy(self.policy)
            .clock(Arc::clone(&clock) as Arc<dyn inps_pin_sqlx::Clock>)
            .entropy(Entropy::seeded(self.seed))
            .build()
            .await
            .unwrap();
        Rig {
            router: service.router(),
            service,
            carrier,
            clock,
        }
    }
}

/// The operators' table: one operator per role, each with a key of their own.
pub fn operator_entries() -> Vec<OperatorEntry> {
    [
        (SEDE, OperatorRole::Sede),
        (CONTACT_CENTER, OperatorRole::ContactCenter),
        (BACK_OFFICE, OperatorRole::BackOffice),
        (AUDITOR, OperatorRole::Auditor),
    ]
    .into_iter()
    .map(|((id, key), role)| OperatorEntry {
        id: id.to_owned(),
        roles: vec![role],
        key_sha256: key_hash(key),
    })
    .collect()
}

/// An answer: status, headers, the body as JSON (`Null` if it is not) and its bytes.
#[derive(Debug)]
pub struct Answer {
    pub status: StatusCode,
    pub headers: HeaderMap,
    pub body: Value,
    pub bytes: Vec<u8>,
}

impl Answer {
    /// The body's `code`.
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or_default()
    }

    /// Asserts a coded error answer: this status and code, a JSON body of exactly `code` and
    /// `message`, the message for a person (not a parser's English, no value echoed).
    #[track_caller]
    pub fn assert_coded(&self, status: StatusCode, code: &str) {
        assert_eq!((self.status, self.code()), (status, code), "{}", self.body);
        assert_eq!(
            self.headers[header::CONTENT_TYPE],
            "application/json",
            "{code}"
        );
        let fields = self.body.as_object().unwrap();
        assert_eq!(fields.len(), 2, "{}", self.body);
        let message = self.body["message"].as_str().unwrap();
        assert!(!message.is_empty(), "{code}");
        for leak in [
            "`",
            "at line",
            "column",
            "expected",
            "missing field",
            "unknown field",
            "invalid type",
        ] {
            assert!(!message.contains(leak), "{code}: {message}");
        }
    }

    /// The code of the first part shown.
    pub fn shown_code(&self) -> String {
        self.body["shown"][0]["code"].as_str().unwrap().to_owned()
    }
}

/// One service, its router, its carrier and its clock.
pub struct Rig {
    pub service: Service,
    pub router: Router,
    pub carrier: Arc<MemoryCarrier>,
    pub clock: Arc<ManualClock>,
}

impl Rig {
    /// A rig on a fresh SQLite file in `dir`.
    pub async fn sqlite(dir: &std::path::Path) -> Rig {
        Setup::new(&sqlite_url(dir)).start().await
    }

    /// Sends a request through the router.
    pub async fn send(&self, request: Request<Body>) -> Answer {
        send(&self.router, request).await
    }

    /// A request with a JSON body (or none) and headers.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        headers: &[(&str, &str)],
    ) -> Answer {
        call(&self.router, method, path, body, headers).await
    }

    /// `POST` a JSON body.
    pub async fn post(&self, path: &str, body: &Value) -> Answer {
        self.call(Method::POST, path, Some(body), &[]).await
    }

    /// `POST` a JSON body with headers.
    pub async fn post_with(&self, path: &str, body: &Value, headers: &[(&str, &str)]) -> Answer {
        self.call(Method::POST, path, Some(body), headers).await
    }

    /// `GET`.
    pub async fn get(&self, path: &str, headers: &[(&str, &str)]) -> Answer {
        self.call(Method::GET, path, None, headers).await
    }

    /// `POST` as an operator (id, key).
    pub async fn operator(&self, who: (&str, &str), path: &str, body: &Value) -> Answer {
        self.post_with(path, body, &[("x-operator-key", who.1)])
            .await
    }

    /// The shared state's accounts.
    pub fn accounts(&self) -> &inps_pin_sqlx::Accounts {
        &self.service.state().accounts
    }

    /// Moves the clock.
    pub fn advance(&self, by: SignedDuration) {
        self.clock.advance(by);
    }

    /// Hands every due outbox row to the carrier.
    pub async fn drain(&self) -> Drained {
        drain_outbox(self.accounts(), self.carrier.as_ref(), 1000)
            .await
            .unwrap()
    }

    /// The code the carrier last delivered for this account and part.
    pub fn received(&self, cf: &str, part: PinPart) -> String {
        self.carrier
            .last_code(cf, part)
            .unwrap_or_else(|| panic!("no {part:?} delivered for {cf}"))
    }

    /// Everything the carrier sent for this account.
    pub fn sent_to(&self, cf: &str) -> Vec<Sent> {
        let prefix = format!("{cf}-");
        self.carrier
            .sent()
            .into_iter()
            .filter(|sent| sent.key.starts_with(&prefix))
            .collect()
    }

    /// Requests a PIN online: the first half shown on screen.
    pub async fn request_pin(&self, cf: &str) -> String {
        let issued = self.post("/v1/pin-requests", &person(cf)).await;
        assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
        issued.shown_code()
    }

    /// Requests a PIN online, reads the second half from the post, makes the first access:
    /// the 8-character PIN shown on screen.
    pub async fn active_pin(&self, cf: &str) -> String {
        let first = self.request_pin(cf).await;
        self.drain().await;
        let second = self.received(cf, PinPart::SecondHalf);
        let done = self
            .post(
                "/v1/first-access",
                &json!({ "codice_fiscale": cf, "pin": format!("{first}{second}") }),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        done.shown_code()
    }

    /// Requests a PIN online with this form, reads the second half from the post, makes the
    /// first access: the 8-character PIN shown on screen.
    pub async fn active_pin_with(&self, form: &Value) -> String {
        let cf = form["codice_fiscale"].as_str().unwrap();
        let issued = self.post("/v1/pin-requests", form).await;
        assert_eq!(issued.status, StatusCode::CREATED, "{}", issued.body);
        let first = issued.shown_code();
        self.drain().await;
        let second = self.received(cf, PinPart::SecondHalf);
        let done = self
            .post(
                "/v1/first-access",
                &json!({ "codice_fiscale": cf, "pin": format!("{first}{second}") }),
            )
            .await;
        assert_eq!(done.status, StatusCode::OK, "{}", done.body);
        done.shown_code()
    }

    /// Logs in.
    pub async fn login(&self, cf: &str, pin: &str) -> Answer {
        self.post("/v1/login", &json!({ "codice_fiscale": cf, "pin": pin }))
            .await
    }

    /// Logs in and returns the bearer header's value.
    pub async fn session(&self, cf: &str, pin: &str) -> String {
        let answer = self.login(cf, pin).await;
        assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
        format!("Bearer {}", answer.body["session_token"].as_str().unwrap())
    }

    /// The stored events of an account.
    pub async fn events(&self, cf: &str) -> Vec<Event> {
        self.accounts()
            .store()
            .events(CodiceFiscale::parse(cf).unwrap())
            .await
            .unwrap()
    }

    /// How many rows a table holds (all of them, or an account's).
    pub async fn count(&self, table: &str, cf: Option<&str>) -> i64 {
        let pool = self.accounts().store().pool();
        let row = match cf {
            Some(cf) => {
                inps_pin_sqlx::sqlx::query(&format!(
                    "SELECT COUNT(*) FROM {table} WHERE codice_fiscale = $1"
                ))
                .bind(cf.to_owned())
                .fetch_one(pool)
                .await
            }
            None => {
                inps_pin_sqlx::sqlx::query(&format!("SELECT COUNT(*) FROM {table}"))
                    .fetch_one(pool)
                    .await
            }
        }
        .unwrap();
        row.try_get::<i64, _>(0).unwrap()
    }
}

/// Sends a request through a router.
pub async fn send(router: &Router, request: Request<Body>) -> Answer {
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let headers = response.headers().clone();
    let bytes = to_bytes(response.into_body(), 1 << 22)
        .await
        .unwrap()
        .to_vec();
    let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
    Answer {
        status,
        headers,
        body,
        bytes,
    }
}

/// A request with a JSON body (or none) and headers, through a router.
pub async fn call(
    router: &Router,
    method: Method,
    path: &str,
    body: Option<&Value>,
    headers: &[(&str, &str)],
) -> Answer {
    let mut request = Request::builder().method(method).uri(path);
    for (name, value) in headers {
        request = request.header(*name, *value);
    }
    let body = match body {
        Some(body) => {
            request = request.header(header::CONTENT_TYPE, "application/json");
            Body::from(body.to_string())
        }
        None => Body::empty(),
    };
    send(router, request.body(body).unwrap()).await
}

/// The second half of a PIN request went by sealed post: to this address.
pub fn sealed_post_address(sent: &[Sent]) -> Address {
    sent.iter()
        .find_map(|sent| match (&sent.part, &sent.medium) {
            (Some(PinPart::SecondHalf), Medium::SealedPost(address)) => Some(address.clone()),
            _ => None,
        })
        .expect("a second half by sealed post")
}

/// A SQLite URL for the file `service.db` in `dir`.
pub fn sqlite_url(dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("service.db").display())
}

/// Every (file, needle) under `dir` (recursively) where the file's bytes contain the needle:
/// [`inps_pin_sqlx::testing::files_containing`] for many needles at once, reading each file
/// once. A PostgreSQL cluster's directory is tens of megabytes, and a byte-by-byte search per
/// code of a burst takes minutes in a debug build; here only the runs of bytes that occur in
/// some needle are compared.
pub fn files_containing_any(
    dir: &std::path::Path,
    needles: &[String],
) -> Vec<(std::path::PathBuf, String)> {
    let mut allowed = [false; 256];
    for needle in needles {
        for byte in needle.bytes() {
            allowed[usize::from(byte)] = true;
        }
    }
    let set: std::collections::HashSet<&[u8]> =
        needles.iter().map(|needle| needle.as_bytes()).collect();
    let mut lengths: Vec<usize> = needles.iter().map(String::len).collect();
    lengths.sort_unstable();
    lengths.dedup();
    let mut found = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(next) = stack.pop() {
        if let Ok(entries) = std::fs::read_dir(&next) {
            stack.extend(entries.flatten().map(|entry| entry.path()));
            continue;
        }
        let Ok(bytes) = std::fs::read(&next) else {
            continue;
        };
        let mut run = 0;
        for (end, byte) in bytes.iter().enumerate() {
            if !allowed[usize::from(*byte)] {
                run = 0;
                continue;
            }
            run += 1;
            for &length in lengths.iter().take_while(|&&length| length <= run) {
                let window = &bytes[end + 1 - length..=end];
                if set.contains(window) {
                    found.push((next.clone(), String::from_utf8_lossy(window).into_owned()));
                }
            }
        }
    }
    found
}
