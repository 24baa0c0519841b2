//! Logins per second through the example service (examples/service/) at the default Argon2
//! cost (OWASP, m=19456 KiB t=2 p=1), against bare `argon2` verifications per second of a PHC
//! string of that cost, on the same cores in the same run: target, the service keeps ≥ 90 %.
//!
//! The service side is the whole command path in process: `POST /login` through the router
//! (`tower::ServiceExt::oneshot`, as tests/service.rs does), JSON parsing, the per-account lock,
//! the account loaded from SQLite, Argon2 on a blocking thread, the event, cache and session
//! written in one transaction, the JSON answer. The bare side is two threads (the machine has
//! two cores) each verifying the very PIN and PHC string the service stored. The service is
//! measured three times against it:
//!
//! - with two tasks, each logging in to its own account (commands for one account are
//!   serialised) one login after another: as many clients as cores, so every millisecond a
//!   login spends outside Argon2 (the database, the hand-offs between threads) leaves a core
//!   idle. This is the latency-bound figure.
//! - with four and with eight tasks on as many accounts: more clients than cores, as a loaded
//!   service has, while the service still runs at most one Argon2 per core (its deciding
//!   permits), like the bare side. A login waiting for its commit no longer idles a core: the
//!   eight-task figure is the service's capacity, its logins per second, and what remains of
//!   the gap is CPU the service spends besides Argon2.
//!
//! Each side runs without pause and is measured in steady state: after a warm-up, over a
//! window of 1.5 s, each worker's completions inside the window over the time from its first
//! to its last there (no operation cut at an end, no barrier that charges a round for its
//! slowest worker). Under `cargo bench` a paired run first rotates the four sides round by
//! round (so drift in machine load hits all alike) and prints each rate and the ratios;
//! criterion then measures the two-task logins and the bare verifications as a group. With
//! `INPS_PIN_TIMING=1` the paired run also prints where a login's time goes, phase by phase
//! (`app::Phases`). Under `cargo test --benches` criterion runs each once: two logins and two
//! verifications, and no timing is checked.
//!
//! On a machine shared with other work the wall-clock ratios favour the service (the scheduler
//! credits its threads, which sleep on the database, over bare Argon2's, which never sleep).
//! Real-time scheduling (`chrt -f 10`) gave back the quiet rates once, but it starves the
//! machine's other work: to compare two builds under normal scheduling, alternate their bench
//! binaries run by run and compare the runs in pairs, as examples/service/README.md does.
//!
//! PostgreSQL: measured too when `INPS_PIN_TEST_POSTGRES_URL` names a server
//! (`postgres://user@host/db`; the bench creates its own database there), skipped otherwise,
//! and the output says so.

#[path = "../examples/service/app.rs"]
#[allow(dead_code)]
mod app;
#[path = "../examples/service/carrier.rs"]
#[allow(dead_code)]
mod carrier;
#[path = "../examples/service/http.rs"]
#[allow(dead_code)]
mod http;
#[path = "../tests/common/postgres.rs"]
#[allow(dead_code)]
mod postgres;
#[path = "../tests/common/scratch.rs"]
mod scratch;
#[path = "../examples/service/store.rs"]
#[allow(dead_code)]
mod store;

use std::hint::black_box;
use std::sync::Arc;
use std::time::{Duration, Instant};

use argon2::{Argon2, PasswordVerifier};
use axum::Router;
use axum::body::{Body, to_bytes};
use axum::http::{Request, StatusCode, header};
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use inps_pin::{CodiceFiscale, PinPart, Policy};
use jiff::Timestamp;
use serde_json::{Value, json};
use tokio::runtime::Runtime;
use tower::ServiceExt as _;

use app::{App, Clock, Entropy};
use carrier::LogCarrier;
use http::HttpState;
use scratch::Scratch;
use store::Store;

/// Concurrent logins (tasks) and verifications (threads): one per core.
const WORKERS: usize = 2;
/// The numbers of concurrent logins the service is measured with: as many clients as cores
/// (latency-bound: a login waiting for its commit idles its core), then two and four times as
/// many, as a loaded service has, while the service still runs at most one Argon2 per core
/// (its deciding permits), like the bare side's threads. The last is the service's capacity.
const TASKS: [usize; 3] = [WORKERS, 2 * WORKERS, 4 * WORKERS];
/// One account per task, so the tasks never wait on each other's account lock.
const ACCOUNTS: [&str; 4 * WORKERS] = [
    "RSSMRA80A01H501U",
    "RCCMNL83S18D969H",
    "RSSMRA80A02H501Z",
    "VRDGPP85T10F205R",
    "BNCLGU70A01F205B",
    "VRDLRA75B42F205D",
    "GLLMRC90C15L219A",
    "FRRGNN88D20A662K",
];
/// Paired rounds for the printed ratio.
const PAIRS: usize = 10;
/// Each side of a round runs without pause for `WARM_UP` plus `WINDOW` (then stops, and what
/// is in flight finishes uncounted); its rate is taken from the completions inside the window
/// only, in steady state, worker by worker (see [`steady_rate`]).
const WARM_UP: Duration = Duration::from_millis(200);
const WINDOW: Duration = Duration::from_millis(1500);

/// One service instance on one database, with an active PIN on each account.
struct Rig {
    router: Router,
    pins: Vec<String>,
    /// The PHC string the database holds for the first account's PIN.
    phc: String,
    state: Arc<HttpState>,
    _scratch: Scratch,
}

fn t0() -> Timestamp {
    Timestamp::from_second(1_795_000_000).unwrap()
}

fn person(cf: &str) -> Value {
    json!({
        "first_name": "Mario", "surname": "Rossi", "codice_fiscale": cf,
        "street": "Via Roma 1", "postal_code": "00184", "city": "Roma", "province": "RM",
        "email": "mario.rossi@example.it", "mobile": "347 123 4567"
    })
}

async fn post(router: &Router, path: &str, body: Value) -> (StatusCode, Value) {
    let request = Request::post(path)
        .header(header::CONTENT_TYPE, "application/json")
        .body(Body::from(body.to_string()))
        .unwrap();
    let response = router.clone().oneshot(request).await.unwrap();
    let status = response.status();
    let bytes = to_bytes(response.into_body(), 1 << 20).await.unwrap();
    (
        status,
        serde_json::from_slice(&bytes).unwrap_or(Value::Null),
    )
}

impl Rig {
    /// The service at the default policy on `url`, and each account taken to an active PIN
    /// (requested online, second half from the carrier, first access).
    async fn start(url: &str, dir: Scratch) -> Rig {
        let store = Store::connect(url, 8).await.unwrap();
        let app = App::new(
            store,
            Policy::default(),
            Clock::fixed(t0()),
            Entropy::seeded(7),
        )
        .unwrap();
        let state = Arc::new(HttpState {
            app,
            operator_key: "bench-operator-key".to_owned(),
            demo_clock: false,
        });
        let router = http::router(Arc::clone(&state));
        let carrier = LogCarrier::open(dir.join("carrier.log"));
        let mut pins = Vec::new();
        for cf in ACCOUNTS {
            let (status, issued) = post(&router, "/online/request", person(cf)).await;
            assert_eq!(status, StatusCode::CREATED, "{issued}");
            let first = issued["shown"][0]["code"].as_str().unwrap().to_owned();
            carrier::drain_once(&state.app.store, &carrier, state.app.clock.now())
                .await
                .unwrap();
            let second = carrier
                .sent()
                .into_iter()
                .rev()
                .find(|sent| sent.key.starts_with(cf) && sent.part == Some(PinPart::SecondHalf))
                .and_then(|sent| sent.code)
                .unwrap();
            let (status, done) = post(
                &router,
                "/first-access",
                json!({ "codice_fiscale": cf, "pin": format!("{first}{second}") }),
            )
            .await;
            assert_eq!(status, StatusCode::OK, "{done}");
            pins.push(done["shown"][0]["code"].as_str().unwrap().to_owned());
        }
        let account = state
            .app
            .store
            .load(CodiceFiscale::parse(ACCOUNTS[0]).unwrap())
            .await
            .unwrap();
        let json = serde_json::to_value(&account).unwrap();
        let phc = phc_in(&json).unwrap().to_owned();
        assert!(phc.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"), "{phc}");
        Rig {
            router,
            pins,
            phc,
            state,
            _scratch: dir,
        }
    }

    /// `per_task` logins on each of `tasks` accounts, the accounts' tasks running at once: the
    /// wall time.
    async fn logins(&self, tasks: usize, per_task: u64) -> Duration {
        let start = Instant::now();
        self.login_tasks(tasks, move |done| done < per_task).await;
        start.elapsed()
    }

    /// `tasks` tasks on as many accounts, each logging in one login after another while
    /// `go_on(the logins it has made)` holds: when each task's logins ended.
    async fn login_tasks(
        &self,
        tasks: usize,
        go_on: impl Fn(u64) -> bool + Clone + Send + 'static,
    ) -> Vec<Completions> {
        let tasks: Vec<_> = ACCOUNTS[..tasks]
            .iter()
            .zip(&self.pins)
            .map(|(cf, pin)| {
                let router = self.router.clone();
                let body = json!({ "codice_fiscale": cf, "pin": pin });
                let go_on = go_on.clone();
                tokio::spawn(async move {
                    let mut done = Completions::new();
                    while go_on(done.len() as u64) {
                        let (status, answer) = post(&router, "/login", body.clone()).await;
                        assert_eq!(status, StatusCode::OK, "{answer}");
                        done.push(Instant::now());
                    }
                    done
                })
            })
            .collect();
        let mut workers = Vec::new();
        for task in tasks {
            workers.push(task.await.unwrap());
        }
        workers
    }
}

/// The operations a worker completed, at these instants.
type Completions = Vec<Instant>;

/// The rate of `workers`, each running operations one after another without pause: for each
/// worker, its completions inside `[from, to]`, less one, over the time from its first to its
/// last there (so that no operation is cut at either end of the window, and a worker's start
/// or stop does not count), summed over the workers. A barrier at the end of a fixed count of
/// operations would instead charge each round for its slowest worker's tail, which a
/// service's varying latency makes longer than bare Argon2's.
fn steady_rate(workers: &[Completions], from: Instant, to: Instant) -> f64 {
    workers
        .iter()
        .map(|done| {
            let inside: Vec<_> = done
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

impl Rig {
    /// Logins per second of `tasks` tasks on as many accounts, each logging in without pause,
    /// in steady state: [`WARM_UP`], then [`WINDOW`] measured.
    /// Also the logins completed in all, warm-up and the last in flight included.
    async fn steady_logins(&self, tasks: usize) -> (f64, u64) {
        let stop = Arc::new(std::sync::atomic::AtomicBool::new(false));
        let started = Instant::now();
        let running = {
            let stop = Arc::clone(&stop);
            self.login_tasks(tasks, move |_| {
                !stop.load(std::sync::atomic::Ordering::Relaxed)
            })
        };
        let stopping = async {
            tokio::time::sleep(WARM_UP + WINDOW).await;
            stop.store(true, std::sync::atomic::Ordering::Relaxed);
        };
        let (workers, ()) = tokio::join!(running, stopping);
        let completed = workers.iter().map(|done| done.len() as u64).sum();
        let rate = steady_rate(&workers, started + WARM_UP, started + WARM_UP + WINDOW);
        (rate, completed)
    }
}

/// Verifications per second of `WORKERS` threads, each verifying without pause, in steady
/// state, measured as [`Rig::steady_logins`] is; and the verifications completed in all.
fn steady_verifications(phc: &str, pin: &str) -> (f64, u64) {
    let stop = std::sync::atomic::AtomicBool::new(false);
    let started = Instant::now();
    let workers: Vec<Completions> = std::thread::scope(|scope| {
        let threads: Vec<_> = (0..WORKERS)
            .map(|_| {
                scope.spawn(|| {
                    let mut done = Completions::new();
                    while !stop.load(std::sync::atomic::Ordering::Relaxed) {
                        Argon2::default()
                            .verify_password(black_box(pin.as_bytes()), black_box(phc))
                            .unwrap();
                        done.push(Instant::now());
                    }
                    done
                })
            })
            .collect();
        std::thread::sleep(WARM_UP + WINDOW);
        stop.store(true, std::sync::atomic::Ordering::Relaxed);
        threads.into_iter().map(|t| t.join().unwrap()).collect()
    });
    let completed = workers.iter().map(|done| done.len() as u64).sum();
    let rate = steady_rate(&workers, started + WARM_UP, started + WARM_UP + WINDOW);
    (rate, completed)
}

/// `per_thread` verifications on each of `WORKERS` threads at once: the wall time.
fn bare_verifications(phc: &str, pin: &str, per_thread: u64) -> Duration {
    let start = Instant::now();
    std::thread::scope(|scope| {
        for _ in 0..WORKERS {
            scope.spawn(|| {
                for _ in 0..per_thread {
                    Argon2::default()
                        .verify_password(black_box(pin.as_bytes()), black_box(phc))
                        .unwrap();
                }
            });
        }
    });
    start.elapsed()
}

/// The first `$argon2id$...` string anywhere in a JSON value: the stored PIN hash.
fn phc_in(value: &Value) -> Option<&str> {
    match value {
        Value::String(s) if s.starts_with("$argon2id$") => Some(s),
        Value::Array(items) => items.iter().find_map(phc_in),
        Value::Object(map) => map.values().find_map(phc_in),
        _ => None,
    }
}

/// The CPU time this process has used so far, all its threads, from `/proc/self/stat` (Linux;
/// in clock ticks of 10 ms, so only sums over many rounds mean anything): unlike wall time it
/// is not stretched when other work shares the machine. `None` elsewhere.
fn process_cpu() -> Option<Duration> {
    let stat = std::fs::read_to_string("/proc/self/stat").ok()?;
    let (_, fields) = stat.rsplit_once(')')?;
    let mut fields = fields.split_whitespace().skip(11);
    let user: u64 = fields.next()?.parse().ok()?;
    let system: u64 = fields.next()?.parse().ok()?;
    Some(Duration::from_millis((user + system) * 10))
}

/// Runs `f` and adds the process's CPU time it took to `sum`.
fn cpu_of<T>(sum: &mut Duration, f: impl FnOnce() -> T) -> T {
    let before = process_cpu();
    let value = f();
    if let (Some(before), Some(after)) = (before, process_cpu()) {
        *sum += after.saturating_sub(before);
    }
    value
}

/// The first, second and third quartiles.
fn quartiles(v: &mut [f64]) -> (f64, f64, f64) {
    v.sort_by(f64::total_cmp);
    let at = |q: f64| v[((v.len() - 1) as f64 * q).round() as usize];
    (at(0.25), at(0.5), at(0.75))
}

/// Alternates the service (with each of [`TASKS`]) and bare Argon2 (`WORKERS` threads) `PAIRS`
/// times, each side in steady state ([`steady_rate`]), and prints the median rates and the
/// median ratio of the rounds, service / bare, with its interquartile range.
fn paired(runtime: &Runtime, backend: &str, rig: &Rig, phc: &str, pin: &str) {
    let mut service: [Vec<f64>; TASKS.len()] = Default::default();
    let mut ratios: [Vec<f64>; TASKS.len()] = Default::default();
    let mut bare = Vec::new();
    // The phases of the logins (`INPS_PIN_TIMING=1`), with each number of tasks.
    let mut timed: [Option<app::PhaseTotals>; TASKS.len()] = Default::default();
    // The process's CPU time in the measured rounds, and the operations it did (all of them,
    // warm-up and the last in flight included): logins with each number of tasks, bare.
    let mut service_cpu = [(Duration::ZERO, 0u64); TASKS.len()];
    let mut bare_cpu = (Duration::ZERO, 0u64);
    for round in 0..=PAIRS {
        // The first round warms up.
        let measured = round > 0;
        let mut rates = [0.0; TASKS.len()];
        let mut bare_rate = 0.0;
        // Which side goes first rotates, so that drift in the machine's load hits all alike.
        for side in 0..=TASKS.len() {
            let side = (side + round) % (TASKS.len() + 1);
            let mut spent = Duration::ZERO;
            if let Some(&tasks) = TASKS.get(side) {
                let _before = rig.state.app.take_phase_totals();
                let (rate, completed) =
                    cpu_of(&mut spent, || runtime.block_on(rig.steady_logins(tasks)));
                rates[side] = rate;
                if measured {
                    service_cpu[side].0 += spent;
                    service_cpu[side].1 += completed;
                    if let Some(phases) = rig.state.app.take_phase_totals() {
                        timed[side].get_or_insert_default().add(&phases);
                    }
                }
            } else {
                let (rate, completed) = cpu_of(&mut spent, || steady_verifications(phc, pin));
                bare_rate = rate;
                if measured {
                    bare_cpu.0 += spent;
                    bare_cpu.1 += completed;
                }
            }
        }
        if measured {
            for (i, rate) in rates.into_iter().enumerate() {
                service[i].push(rate);
                ratios[i].push(rate / bare_rate);
            }
            bare.push(bare_rate);
        }
    }
    let bare_median = quartiles(&mut bare).1;
    let window = WINDOW.as_secs_f64();
    for (i, tasks) in TASKS.into_iter().enumerate() {
        let (r1, r2, r3) = quartiles(&mut ratios[i]);
        eprintln!(
            "service_logins paired on {backend} ({PAIRS} rounds of {window:.1} s windows in \
             steady state, {tasks} login tasks / {WORKERS} threads): service {:.1} logins/s, \
             bare argon2 {:.1} verifications/s (medians); service/bare median {:.1} % \
             (IQR {:.1}-{:.1} %), target >= 90 %",
            quartiles(&mut service[i]).1,
            bare_median,
            r2 * 100.0,
            r1 * 100.0,
            r3 * 100.0,
        );
    }
    // CPU per operation: what the service spends on a login besides its Argon2, whatever else
    // runs on the machine (on PostgreSQL the server's own CPU is another process's, not here).
    let per_op = |(cpu, ops): (Duration, u64)| cpu.as_secs_f64() * 1000.0 / ops.max(1) as f64;
    let bare_ms = per_op(bare_cpu);
    for (i, tasks) in TASKS.into_iter().enumerate() {
        let service_ms = per_op(service_cpu[i]);
        eprintln!(
            "service_logins CPU on {backend} with {tasks} tasks: {service_ms:.2} ms a login, \
             {bare_ms:.2} ms a bare verification: {:.1} % of a login's CPU is Argon2",
            100.0 * bare_ms / service_ms
        );
    }
    for (i, tasks) in TASKS.into_iter().enumerate() {
        if let Some(totals) = &timed[i] {
            // Each task logs in one after another: tasks over the rate is one login's wall time.
            let per = |tasks: usize, rate: f64| 1000.0 * tasks as f64 / rate;
            eprintln!(
                "service_logins on {backend} with {tasks} tasks: one login {:.2} ms through the \
                 router, one bare verification {:.2} ms",
                per(tasks, quartiles(&mut service[i]).1),
                per(WORKERS, bare_median)
            );
            print_phases(backend, totals);
        }
    }
}

/// The mean time of each phase of a command (`INPS_PIN_TIMING=1`): where the service's time
/// goes besides Argon2.
fn print_phases(backend: &str, totals: &app::PhaseTotals) {
    let n = totals.commands.max(1) as f64;
    let ms = |d: Duration| d.as_secs_f64() * 1000.0 / n;
    let s = &totals.sums;
    eprintln!(
        "service_logins phases on {backend}, mean of {} commands: total {:.2} ms = lock {:.2} \
         + load {:.2} + queue {:.2} + decide {:.2} + prepare {:.2} + commit {:.2} \
         (+ {:.2} unaccounted)",
        totals.commands,
        ms(s.total),
        ms(s.lock),
        ms(s.load),
        ms(s.queue),
        ms(s.decide),
        ms(s.prepare),
        ms(s.commit),
        ms(s.total)
            - ms(s.lock)
            - ms(s.load)
            - ms(s.queue)
            - ms(s.decide)
            - ms(s.prepare)
            - ms(s.commit),
    );
}

fn service_logins(c: &mut Criterion) {
    // `cargo bench` passes `--bench`; `cargo test --benches` does not (criterion's test mode).
    let measuring = std::env::args().any(|arg| arg == "--bench");
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(WORKERS)
        .enable_all()
        .build()
        .unwrap();

    let dir = Scratch::new("bench", "sqlite");
    let sqlite = format!("sqlite://{}?mode=rwc", dir.join("service.db").display());
    let mut rigs = vec![("sqlite", runtime.block_on(Rig::start(&sqlite, dir)))];
    match std::env::var("INPS_PIN_TEST_POSTGRES_URL") {
        Ok(server) => {
            let url = runtime.block_on(postgres::database(&server, "inps_pin_bench"));
            rigs.push((
                "postgres",
                runtime.block_on(Rig::start(&url, Scratch::new("bench", "pg"))),
            ));
        }
        Err(_) => eprintln!(
            "service_logins: PostgreSQL SKIPPED (set INPS_PIN_TEST_POSTGRES_URL=postgres://user@host/db \
             to measure it too); SQLite only"
        ),
    }
    // The bare side verifies the very PIN and hash the service stored.
    let pin = rigs[0].1.pins[0].clone();
    let phc = rigs[0].1.phc.clone();

    if measuring {
        for (backend, rig) in &rigs {
            paired(&runtime, backend, rig, &phc, &pin);
        }
    }

    let mut group = c.benchmark_group("service_logins");
    group.sample_size(10);
    // Each iteration is one login (or verification) on each of the workers.
    group.throughput(Throughput::Elements(WORKERS as u64));
    for (backend, rig) in &rigs {
        group.bench_function(format!("{backend}_login_{WORKERS}_tasks"), |b| {
            b.iter_custom(|iters| runtime.block_on(rig.logins(WORKERS, iters)));
        });
    }
    group.bench_function(format!("bare_argon2_verify_{WORKERS}_threads"), |b| {
        b.iter_custom(|iters| bare_verifications(&phc, &pin, iters));
    });
    group.finish();
}

criterion_group!(benches, service_logins);
criterion_main!(benches);
