//! Logins per second through the real HTTP server, driven over 127.0.0.1 by this process as
//! the client, against bare Argon2 verifications per second of the PHC string the server
//! stored, on the same cores in the same run. Target: the server keeps at least 90 % of bare
//! Argon2 with 2 clients and 95 % with 4 and 8.
//!
//! The server is the `inps-pin-server` binary, started as a process of its own on a SQLite
//! file (PostgreSQL too with `INPS_PIN_BENCH_POSTGRES=1`: a throwaway cluster) at the default
//! policy (Argon2id m=19456 KiB, t=2, p=1). Eight accounts are taken to an active PIN first.
//! Each client is a thread with one keep-alive connection, logging in to its own account one
//! login after another: `POST /v1/login`, the answer read whole. The bare side is two threads
//! (one per core) verifying the stored PHC string, while the server idles.
//!
//! Each side runs without pause and is measured in steady state: after a warm-up, over a
//! window, each worker's completions inside it, less one, over the time from its first to its
//! last there, summed over the workers. Each client count runs between two bare windows, its
//! ratio taken to their mean, and the counts' order rotates round by round, so that drift in
//! the machine's load hits both sides of a ratio alike; the printout gives each round, the
//! medians, and the median of the rounds' ratios, each client count as a `BENCHMARK` line
//! (`scripts/benchmarks.py`).
//!
//! ```text
//! cargo bench -p inps-pin-server --bench http_logins     # 8 rounds of 1.5 s windows
//! cargo test -p inps-pin-server --bench http_logins      # one short round, no target checked
//! ```

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::process::{Child, Command as Process, Stdio};
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use argon2::{Argon2, PasswordHash, PasswordVerifier};
use inps_pin::{CodiceFiscale, PinPart, Policy};
use inps_pin_server::inps_pin_sqlx::testing::{self, Scratch};
use inps_pin_server::{Config, MemoryCarrier, ServiceBuilder, drain_outbox};
use serde_json::{Value, json};

/// Bare Argon2's threads: one per core of the machine the targets are set for.
const CORES: usize = 2;
/// The client counts measured: one per core (latency-bound), then two and four per core.
const CLIENTS: [usize; 3] = [2, 4, 8];
/// One account per client, so that clients never wait on each other's account.
const ACCOUNTS: [&str; 8] = [
    "RSSMRA80A01H501U",
    "RCCMNL83S18D969H",
    "RSSMRA80A02H501Z",
    "VRDGPP85T10F205R",
    "BNCLGU70A01F205B",
    "VRDLRA75B42F205D",
    "GLLMRC90C15L219A",
    "FRRGNN88D20A662K",
];

/// How long each side runs: a warm-up, then the measured window.
struct Timing {
    rounds: usize,
    warm_up: Duration,
    window: Duration,
}

/// The operations a worker completed, at these instants.
type Completions = Vec<Instant>;

/// For each worker, its completions inside the window, less one, over the time from its first
/// to its last there; summed.
fn steady_rate(workers: &[Completions], from: Instant, to: Instant) -> f64 {
    workers
        .iter()
        .map(|done| {
            let inside: Vec<&Instant> = done
                .iter()
                .filter(|at| **at >= from && **at <= to)
                .collect();
            match (inside.first(), inside.last()) {
                (Some(first), Some(last)) if inside.len() > 1 => {
                    (inside.len() - 1) as f64 / last.duration_since(**first).as_secs_f64()
                }
                _ => 0.0,
            }
        })
        .sum()
}

/// Runs `workers` threads of `work` for the warm-up and the window: the steady rate.
fn steady<F>(workers: usize, timing: &Timing, work: F) -> f64
where
    F: Fn(usize, &AtomicBool) -> Completions + Sync,
{
    let stop = AtomicBool::new(false);
    let started = Instant::now();
    let done: Vec<Completions> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..workers)
            .map(|index| {
                let work = &work;
                let stop = &stop;
                scope.spawn(move || work(index, stop))
            })
            .collect();
        std::thread::sleep(timing.warm_up + timing.window);
        stop.store(true, Ordering::Relaxed);
        threads
            .into_iter()
            .map(|thread| thread.join().unwrap())
            .collect()
    });
    steady_rate(
        &done,
        started + timing.warm_up,
        started + timing.warm_up + timing.window,
    )
}

/// One keep-alive connection to the server.
struct Client {
    reader: BufReader<TcpStream>,
    writer: TcpStream,
}

impl Client {
    fn connect(port: u16) -> Client {
        let stream = TcpStream::connect(("127.0.0.1", port)).unwrap();
        stream.set_nodelay(true).unwrap();
        Client {
            reader: BufReader::new(stream.try_clone().unwrap()),
            writer: stream,
        }
    }

    /// A POST with a JSON body: the status and the body.
    fn post(&mut self, path: &str, body: &str) -> (u16, Vec<u8>) {
        let request = format!(
            "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\ncontent-length: {}\r\n\r\n{body}",
            body.len()
        );
        self.writer.write_all(request.as_bytes()).unwrap();
        let mut line = String::new();
        self.reader.read_line(&mut line).unwrap();
        let status: u16 = line.split_whitespace().nth(1).unwrap().parse().unwrap();
        let mut length = 0;
        loop {
            line.clear();
            self.reader.read_line(&mut line).unwrap();
            let header = line.trim_end();
            if header.is_empty() {
                break;
            }
            if let Some((name, value)) = header.split_once(':') {
                if name.eq_ignore_ascii_case("content-length") {
                    length = value.trim().parse().unwrap();
                }
            }
        }
        let mut body = vec![0; length];
        self.reader.read_exact(&mut body).unwrap();
        (status, body)
    }
}

/// The server's process, killed on drop.
struct Server {
    child: Child,
    port: u16,
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The configuration both the seeding and the server use.
fn config(url: &str, dir: &Path) -> Config {
    Config {
        database_url: url.to_owned(),
        outbox_keys: Some(format!("bench:{}", "42".repeat(32))),
        personal_data_keys: Some(format!("bench-people:{}", "43".repeat(32))),
        operators: vec![inps_pin_server::OperatorEntry {
            id: "bench".to_owned(),
            roles: vec![inps_pin_server::OperatorRole::Auditor],
            key_sha256: inps_pin_server::key_hash("bench-operator-key"),
        }],
        archive_file: Some(dir.join("archive.json")),
        tessera_file: Some(dir.join("tessera.json")),
        carrier_log: Some(dir.join("carrier.log")),
        load: inps_pin_server::LoadConfig {
            // Every client is 127.0.0.1.
            anonymous_per_minute: 0,
            ..inps_pin_server::LoadConfig::default()
        },
        ..Config::default()
    }
}

/// The stand-in archive's and register's files: every account lives at Via Roma 1.
fn write_fixtures(dir: &Path) {
    let archive: Vec<Value> = ACCOUNTS
        .iter()
        .map(|cf| {
            json!({"codice_fiscale": cf, "street": "Via Roma 1", "postal_code": "00184",
                "city": "Roma", "province": "RM"})
        })
        .collect();
    std::fs::write(dir.join("archive.json"), Value::from(archive).to_string()).unwrap();
    std::fs::write(dir.join("tessera.json"), "[]").unwrap();
}

/// Takes every account to an active PIN, in process: the PINs, and the PHC string stored for
/// the first.
fn seed(url: &str, dir: &Path) -> (Vec<String>, String) {
    let runtime = tokio::runtime::Runtime::new().unwrap();
    runtime.block_on(async {
        let carrier = std::sync::Arc::new(MemoryCarrier::new());
        let service = ServiceBuilder::new(config(url, dir))
            .carrier(carrier.clone())
            .policy(Policy::default())
            .build()
            .await
            .unwrap();
        let router = service.router();
        let mut pins = Vec::new();
        for cf in ACCOUNTS {
            let person = json!({"first_name": "Mario", "surname": "Rossi", "codice_fiscale": cf,
                "street": "Via Roma 1", "postal_code": "00184", "city": "Roma", "province": "RM",
                "email": "mario.rossi@example.it", "mobile": "+39 347 123 4567"});
            let issued = call(&router, "/v1/pin-requests", person).await;
            let first = issued["shown"][0]["code"].as_str().unwrap().to_owned();
            drain_outbox(&service.state().accounts, carrier.as_ref(), 100)
                .await
                .unwrap();
            let second = carrier.last_code(cf, PinPart::SecondHalf).unwrap();
            let pin = json!({"codice_fiscale": cf, "pin": format!("{first}{second}")});
            let done = call(&router, "/v1/first-access", pin).await;
            pins.push(done["shown"][0]["code"].as_str().unwrap().to_owned());
        }
        let account = service
            .state()
            .accounts
            .store()
            .load(CodiceFiscale::parse(ACCOUNTS[0]).unwrap())
            .await
            .unwrap();
        let phc = phc_in(&serde_json::to_value(&account).unwrap())
            .unwrap()
            .to_owned();
        service.state().accounts.store().close().await;
        (pins, phc)
    })
}

async fn call(router: &axum::Router, path: &str, body: Value) -> Value {
    use tower::ServiceExt as _;
    let request = axum::http::Request::post(path)
        .header("content-type", "application/json")
        .body(axum::body::Body::from(body.to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    assert!(
        response.status().is_success(),
        "{path}: {}",
        response.status()
    );
    let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
        .await
        .unwrap();
    serde_json::from_slice(&bytes).unwrap()
}

/// The first `$argon2id$…` string in a JSON value: the stored PIN hash.
fn phc_in(value: &Value) -> Option<&str> {
    match value {
        Value::String(text) if text.starts_with("$argon2id$") => Some(text),
        Value::Array(items) => items.iter().find_map(phc_in),
        Value::Object(map) => map.values().find_map(phc_in),
        _ => None,
    }
}

/// Starts the server binary on `url`, and waits until it is ready.
fn start_server(url: &str, dir: &Path) -> Server {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|listener| listener.local_addr())
        .unwrap()
        .port();
    let mut config = config(url, dir);
    config.listen = format!("127.0.0.1:{port}");
    let toml = format!(
        "listen = \"{}\"\ndatabase_url = \"{}\"\narchive_file = \"{}\"\ntessera_file = \"{}\"\n\
         carrier_log = \"{}\"\n[load]\nanonymous_per_minute = 0\n[[operators]]\nid = \"bench\"\n\
         roles = [\"auditor\"]\nkey_sha256 = \"{}\"\n",
        config.listen,
        url,
        dir.join("archive.json").display(),
        dir.join("tessera.json").display(),
        dir.join("carrier.log").display(),
        inps_pin_server::key_hash("bench-operator-key"),
    );
    std::fs::write(dir.join("server.toml"), toml).unwrap();
    let child = Process::new(env!("CARGO_BIN_EXE_inps-pin-server"))
        .arg("--config")
        .arg(dir.join("server.toml"))
        .env("INPS_PIN_OUTBOX_KEYS", config.outbox_keys.clone().unwrap())
        .env(
            "INPS_PIN_PERSONAL_DATA_KEYS",
            config.personal_data_keys.clone().unwrap(),
        )
        .env("RUST_LOG", "warn")
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let server = Server { child, port };
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(stream) = TcpStream::connect(("127.0.0.1", port)) {
            let mut client = Client {
                reader: BufReader::new(stream.try_clone().unwrap()),
                writer: stream,
            };
            let request = "GET /readyz HTTP/1.1\r\nhost: x\r\n\r\n";
            client.writer.write_all(request.as_bytes()).unwrap();
            let mut line = String::new();
            if client.reader.read_line(&mut line).is_ok() && line.contains(" 200 ") {
                return server;
            }
        }
        assert!(Instant::now() < deadline, "the server did not become ready");
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Logins per second of `clients` clients, each on its own account and connection.
fn logins(server: &Server, pins: &[String], clients: usize, timing: &Timing) -> f64 {
    steady(clients, timing, |index, stop| {
        let mut client = Client::connect(server.port);
        let body = json!({"codice_fiscale": ACCOUNTS[index], "pin": pins[index]}).to_string();
        let mut done = Completions::new();
        while !stop.load(Ordering::Relaxed) {
            let (status, answer) = client.post("/v1/login", &body);
            assert_eq!(status, 200, "{}", String::from_utf8_lossy(&answer));
            done.push(Instant::now());
        }
        done
    })
}

/// Verifications per second of one thread per core, on the stored PHC string.
fn bare(phc: &str, pin: &str, timing: &Timing) -> f64 {
    let hash = PasswordHash::new(phc).unwrap();
    steady(CORES, timing, |_, stop| {
        let mut done = Completions::new();
        while !stop.load(Ordering::Relaxed) {
            Argon2::default()
                .verify_password(std::hint::black_box(pin.as_bytes()), &hash)
                .unwrap();
            done.push(Instant::now());
        }
        done
    })
}

fn median(values: &mut [f64]) -> f64 {
    values.sort_by(f64::total_cmp);
    values[values.len() / 2]
}

/// The first and third quartiles of `values`, sorted in place.
fn quartiles(values: &mut [f64]) -> (f64, f64) {
    values.sort_by(f64::total_cmp);
    let at = |q: f64| values[((values.len() - 1) as f64 * q).round() as usize];
    (at(0.25), at(0.75))
}

/// Alternates bare Argon2 and the server with each client count, and prints the rounds,
/// the medians and the median ratios.
fn measure(backend: &str, url: &str, dir: &Path, timing: &Timing) {
    write_fixtures(dir);
    let (pins, phc) = seed(url, dir);
    assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
    let server = start_server(url, dir);
    let mut bare_rates = Vec::new();
    let mut served: [Vec<f64>; CLIENTS.len()] = Default::default();
    let mut ratios: [Vec<f64>; CLIENTS.len()] = Default::default();
    println!(
        "http_logins on {backend}: logins/s through the server against bare Argon2 verifications/s on {CORES} threads"
    );
    for round in 0..timing.rounds {
        // Bare Argon2 before and after each client count, the client counts' order rotating
        // round by round: each count's ratio is to the mean of the two bare windows that
        // bracket it, so that drift in the machine's speed over a round moves the baseline as
        // it moves the server.
        let order: Vec<usize> = (0..CLIENTS.len())
            .map(|at| (at + round) % CLIENTS.len())
            .collect();
        let mut before = bare(&phc, &pins[0], timing);
        bare_rates.push(before);
        let mut sequence = vec![format!("bare {before:.1}")];
        let mut rates = [0.0; CLIENTS.len()];
        let mut bracketing = [0.0; CLIENTS.len()];
        for side in order {
            rates[side] = logins(&server, &pins, CLIENTS[side], timing);
            let after = bare(&phc, &pins[0], timing);
            bracketing[side] = (before + after) / 2.0;
            sequence.push(format!(
                "{} clients {:.1} ({:.1} %)",
                CLIENTS[side],
                rates[side],
                100.0 * rates[side] / bracketing[side]
            ));
            sequence.push(format!("bare {after:.1}"));
            bare_rates.push(after);
            before = after;
        }
        for side in 0..CLIENTS.len() {
            served[side].push(rates[side]);
            ratios[side].push(rates[side] / bracketing[side]);
        }
        println!("  round {round} (/s): {}", sequence.join(", "));
    }
    println!(
        "  median bare Argon2: {:.1} verifications/s",
        median(&mut bare_rates)
    );
    let bare_median = median(&mut bare_rates);
    for (side, clients) in CLIENTS.iter().enumerate() {
        let target = if *clients == 2 { 90.0 } else { 95.0 };
        let rate = median(&mut served[side]);
        let ratio = median(&mut ratios[side]);
        let (q1, q3) = quartiles(&mut ratios[side]);
        println!(
            "  median {clients} clients: {rate:.1} logins/s, {:.1} % of bare (target >= {target} %)",
            100.0 * ratio
        );
        let line = json!({
            "id": format!("http_logins_{}_{clients}_clients", backend.to_lowercase()),
            "measure": format!(
                "logins/s through the HTTP server, {clients} clients, {backend}, default cost"
            ),
            "target": format!("≥ {target} % of the baseline"),
            "value": rate,
            "unit": "logins/s",
            "baseline": format!("bare Argon2 verifications/s on {CORES} threads"),
            "baseline_value": bare_median,
            "baseline_unit": "verifications/s",
            "ratio": ratio,
            "ratio_iqr": [q1, q3],
            "pairs": format!("{} rounds", timing.rounds),
            "met": ratio >= target / 100.0,
            "test_mode": timing.rounds == 1,
        });
        println!("BENCHMARK {line}");
    }
    drop(server);
}

fn main() {
    let full = std::env::args().any(|arg| arg == "--bench");
    let timing = if full {
        Timing {
            rounds: 8,
            warm_up: Duration::from_millis(300),
            window: Duration::from_millis(1500),
        }
    } else {
        Timing {
            rounds: 1,
            warm_up: Duration::from_millis(50),
            window: Duration::from_millis(300),
        }
    };
    let dir = Scratch::new("http-logins", "sqlite");
    measure("SQLite", &dir.sqlite_url("bench.db"), &dir, &timing);
    if std::env::var("INPS_PIN_BENCH_POSTGRES").as_deref() == Ok("1") {
        let Some(server) = testing::server() else {
            return;
        };
        let runtime = tokio::runtime::Runtime::new().unwrap();
        let url = runtime.block_on(testing::database(&server.url(), "inps_pin_http_logins"));
        drop(runtime);
        let dir = Scratch::new("http-logins", "postgres");
        measure("PostgreSQL", &url, &dir, &timing);
    }
}
