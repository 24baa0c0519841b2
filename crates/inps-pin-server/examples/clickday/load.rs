//! The crowd at work: people who apply for the 600-euro bonus with the first half of their
//! PIN (R9a) or with their 8-character PIN, first accesses, new PIN requests, restores, and a
//! stranger's wrong guesses on random accounts. Every answer is classed (admitted, shed,
//! error), timed, and checked against the person who asked.

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use serde_json::{Value, json};

use crate::http::{self, Answer, Balancer, Failure};
use crate::seed::{Seeded, Start};

/// What a request was.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Op {
    FirstHalfLogin,
    Login,
    Authorise,
    FirstAccess,
    PinRequest,
    Restore,
    Guess,
    Probe,
}

/// How an answer is counted.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// The API's own answer, decided: a success, a refusal, the one answer for wrong
    /// credentials.
    Admitted,
    /// Turned away without the work: 503 `service.busy` and the like, 429 of the per-client
    /// limit.
    Shed,
    /// Not the API's answer: a timeout, a broken connection that no instance took over, a
    /// 500, a body that does not read.
    Error,
}

/// Which part of the run a request belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Phase {
    Unloaded,
    /// The closed loop before the load: its capacity sets the offered rate.
    Capacity,
    Load,
    Recovery,
    /// The closed loop again after the recovery: the baseline is the mean of both, so that
    /// the machine's drift over the run falls on the baseline as on the load.
    CapacityAfter,
}

/// One request, as the client saw it.
#[derive(Clone, Copy, Debug)]
pub struct Record {
    /// When it was due (seconds since the harness started): for the first request of an
    /// arrival, its arrival; the latency counts from then.
    pub due: f64,
    pub done: f64,
    pub latency_ms: f64,
    pub class: Class,
    pub op: Op,
    pub phase: Phase,
}

/// A request that the service acknowledged and that must have left its events (and outbox
/// rows) behind.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Ack {
    LoggedIn,
    FirstAccess,
    PinIssued,
    Restore,
}

/// Where a person stands, as far as the harness knows.
#[derive(Clone, Debug)]
enum State {
    Pending {
        first: String,
        second: Option<String>,
    },
    Active {
        pin: String,
    },
    ArchiveOnly,
    /// An answer that changes the account was lost: what the account holds is unknown.
    Unknown,
}

struct Person {
    state: State,
    busy: bool,
}

/// What kind of arrival.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Flow {
    FirstHalfApplication,
    PinApplication,
    FirstAccess,
    PinRequest,
    Restore,
    Guess,
}

/// The mix, per 100 arrivals.
const MIX: [(Flow, u32); 6] = [
    (Flow::FirstHalfApplication, 45),
    (Flow::PinApplication, 20),
    (Flow::FirstAccess, 5),
    (Flow::PinRequest, 10),
    (Flow::Restore, 5),
    (Flow::Guess, 15),
];

impl Flow {
    /// The requests an arrival of this kind asks for.
    pub fn requests(self) -> u32 {
        match self {
            Flow::FirstHalfApplication | Flow::PinApplication => 2,
            _ => 1,
        }
    }
}

/// Requests per arrival on average, over the mix.
pub fn requests_per_arrival() -> f64 {
    let total: u32 = MIX.iter().map(|(_, weight)| weight).sum();
    let requests: u32 = MIX
        .iter()
        .map(|(flow, weight)| weight * flow.requests())
        .sum();
    f64::from(requests) / f64::from(total)
}

/// A small, fast generator for the load's choices (not for anything secret).
pub struct XorShift(u64);

impl XorShift {
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed | 1)
    }
    pub fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        self.0 = x;
        x
    }
    pub fn below(&mut self, n: usize) -> usize {
        (self.next() % n.max(1) as u64) as usize
    }
    /// Uniform in (0, 1].
    pub fn unit(&mut self) -> f64 {
        ((self.next() >> 11) as f64 + 1.0) / (1u64 << 53) as f64
    }
}

/// Counters of what the checks found while the load ran.
#[derive(Default)]
pub struct Counters {
    pub cross_person: AtomicU64,
    /// Admitted answers that were not what the person expected (a right PIN refused while a
    /// stranger's guesses delayed the account, a restore over its limit): the API's own, and
    /// counted for the report.
    pub unexpected: AtomicU64,
    pub timeouts: AtomicU64,
    pub broken: AtomicU64,
    pub internal: AtomicU64,
    pub unreadable: AtomicU64,
    /// Shed answers.
    pub shed: AtomicU64,
    /// Shed answers by status and code.
    pub shed_codes: Mutex<std::collections::BTreeMap<String, u64>>,
}

/// The harness's view of the crowd and of what happened.
pub struct Crowd {
    pub started: Instant,
    pub balancer: Balancer,
    people: Mutex<Vec<Person>>,
    seeded: Vec<Seeded>,
    /// People kept for the recovery probe: never guessed at, never in a flow.
    pub probes: Vec<usize>,
    rng: Mutex<XorShift>,
    clients: AtomicU64,
    pub records: Mutex<Vec<Record>>,
    pub acks: Mutex<Vec<(usize, Ack)>>,
    pub counters: Counters,
    /// Requests offered by arrivals: (arrival time, requests).
    pub offered: Mutex<Vec<(f64, u32)>>,
    /// How late the open loop started an arrival, at most, in microseconds: latencies count
    /// from the due time, so a harness that fell behind would charge its lag to the service.
    pub latest_start_micros: AtomicU64,
}

impl Crowd {
    pub fn new(seeded: Vec<Seeded>, balancer: Balancer, started: Instant) -> Crowd {
        let mut probes = Vec::new();
        let people = seeded
            .iter()
            .enumerate()
            .map(|(index, person)| {
                let state = match &person.start {
                    Start::Pending { first, second } => State::Pending {
                        first: first.clone(),
                        second: Some(second.clone()),
                    },
                    Start::Active { pin, .. } => State::Active { pin: pin.clone() },
                    Start::ArchiveOnly => State::ArchiveOnly,
                };
                let probe = matches!(state, State::Active { .. }) && probes.len() < 4;
                if probe {
                    probes.push(index);
                }
                Person { state, busy: probe }
            })
            .collect();
        Crowd {
            started,
            balancer,
            people: Mutex::new(people),
            seeded,
            probes,
            rng: Mutex::new(XorShift::new(0x5eed_c11c_da11)),
            clients: AtomicU64::new(0),
            records: Mutex::new(Vec::new()),
            acks: Mutex::new(Vec::new()),
            counters: Counters::default(),
            offered: Mutex::new(Vec::new()),
            latest_start_micros: AtomicU64::new(0),
        }
    }

    /// Shed answers so far.
    fn shed_count(&self) -> u64 {
        self.counters.shed.load(Ordering::Relaxed)
    }

    pub fn seeded(&self) -> &[Seeded] {
        &self.seeded
    }

    fn secs(&self, at: Instant) -> f64 {
        at.duration_since(self.started).as_secs_f64()
    }

    /// A client address of its own for each arrival, from the benchmarking range
    /// 198.18.0.0/15 (RFC 2544): only ever a header value, never an address dialled.
    fn client(&self) -> String {
        let n = self.clients.fetch_add(1, Ordering::Relaxed) % (1 << 17);
        format!("198.{}.{}.{}", 18 + (n >> 16), (n >> 8) & 0xff, n & 0xff)
    }

    pub fn pick_flow(&self) -> Flow {
        let total: u32 = MIX.iter().map(|(_, weight)| weight).sum();
        let mut roll = self.rng.lock().expect("rng").below(total as usize) as u32;
        for (flow, weight) in MIX {
            if roll < weight {
                return flow;
            }
            roll -= weight;
        }
        Flow::Guess
    }

    /// A person not in a flow whose state fits, marked busy.
    fn take(&self, fits: impl Fn(&State) -> bool) -> Option<(usize, State)> {
        let mut people = self.people.lock().expect("people");
        let mut rng = self.rng.lock().expect("rng");
        for _ in 0..32 {
            let index = rng.below(people.len());
            let person = &mut people[index];
            if !person.busy && fits(&person.state) {
                person.busy = true;
                return Some((index, person.state.clone()));
            }
        }
        None
    }

    fn give_back(&self, index: usize, state: Option<State>) {
        let mut people = self.people.lock().expect("people");
        let person = &mut people[index];
        person.busy = false;
        if let Some(state) = state {
            person.state = state;
        }
    }

    /// Sends one request and records its answer; the answer's body as JSON when it is the
    /// API's.
    async fn call(
        &self,
        op: Op,
        phase: Phase,
        request: Vec<u8>,
        due: Instant,
    ) -> (Class, Option<(u16, Value)>, u32) {
        let failovers_before = self.balancer.failovers.load(Ordering::Relaxed);
        let result = self.balancer.send(&request, due).await;
        let failed_over =
            (self.balancer.failovers.load(Ordering::Relaxed) - failovers_before) as u32;
        let done = Instant::now();
        let latency_ms = done.duration_since(due).as_secs_f64() * 1000.0;
        let (class, parsed) = match result {
            Ok(answer) => self.classify(answer, latency_ms),
            Err(Failure::Timeout) => {
                self.counters.timeouts.fetch_add(1, Ordering::Relaxed);
                (Class::Error, None)
            }
            Err(Failure::Broken) => {
                self.counters.broken.fetch_add(1, Ordering::Relaxed);
                (Class::Error, None)
            }
        };
        let record = Record {
            due: self.secs(due),
            done: self.secs(done),
            latency_ms,
            class,
            op,
            phase,
        };
        self.records.lock().expect("records").push(record);
        (class, parsed, failed_over)
    }

    fn classify(&self, answer: Answer, latency_ms: f64) -> (Class, Option<(u16, Value)>) {
        let Answer { status, body } = answer;
        if status == 204 && body.is_empty() {
            return (Class::Admitted, Some((status, Value::Null)));
        }
        let Ok(value) = serde_json::from_slice::<Value>(&body) else {
            self.counters.unreadable.fetch_add(1, Ordering::Relaxed);
            return (Class::Error, None);
        };
        if (200..300).contains(&status) {
            return (Class::Admitted, Some((status, value)));
        }
        let code = value["code"].as_str().unwrap_or_default().to_owned();
        if code.is_empty() || value["message"].as_str().is_none() {
            self.counters.unreadable.fetch_add(1, Ordering::Relaxed);
            return (Class::Error, None);
        }
        let class = match status {
            503 => Class::Shed,
            429 if code == "request.rate_limited" => Class::Shed,
            500.. => {
                self.counters.internal.fetch_add(1, Ordering::Relaxed);
                Class::Error
            }
            _ => Class::Admitted,
        };
        if class == Class::Shed {
            self.counters.shed.fetch_add(1, Ordering::Relaxed);
            *self
                .counters
                .shed_codes
                .lock()
                .expect("codes")
                .entry(format!(
                    "{status} {code}{}",
                    if latency_ms > 50.0 {
                        " (over 50 ms)"
                    } else {
                        ""
                    }
                ))
                .or_default() += 1;
        }
        (class, Some((status, value)))
    }

    /// Whether an answer that opened a session or issued a PIN names the person who asked.
    fn check_person(&self, index: usize, value: &Value) {
        if value["codice_fiscale"].as_str() != Some(self.seeded[index].cf.as_str()) {
            self.counters.cross_person.fetch_add(1, Ordering::Relaxed);
        }
    }

    fn ack(&self, index: usize, ack: Ack) {
        self.acks.lock().expect("acks").push((index, ack));
    }

    fn unexpected(&self) {
        self.counters.unexpected.fetch_add(1, Ordering::Relaxed);
    }

    /// One arrival, due at `due`.
    pub async fn arrive(&self, flow: Flow, phase: Phase, due: Instant) {
        let client = self.client();
        match flow {
            Flow::FirstHalfApplication => {
                let Some((index, State::Pending { first, .. })) =
                    self.take(|state| matches!(state, State::Pending { .. }))
                else {
                    return self.guess(&client, phase, due).await;
                };
                self.application(index, &first, Op::FirstHalfLogin, &client, phase, due)
                    .await;
                self.give_back(index, None);
            }
            Flow::PinApplication => {
                let Some((index, State::Active { pin, .. })) =
                    self.take(|state| matches!(state, State::Active { .. }))
                else {
                    return self.guess(&client, phase, due).await;
                };
                self.application(index, &pin, Op::Login, &client, phase, due)
                    .await;
                self.give_back(index, None);
            }
            Flow::FirstAccess => {
                let Some((index, State::Pending { first, second })) = self.take(|state| {
                    matches!(
                        state,
                        State::Pending {
                            second: Some(_),
                            ..
                        }
                    )
                }) else {
                    return self.guess(&client, phase, due).await;
                };
                let whole = format!("{first}{}", second.unwrap_or_default());
                let body = json!({"codice_fiscale": self.seeded[index].cf, "pin": whole});
                let request = http::post("/v1/first-access", &client, None, &body.to_string());
                let (class, answer, failed_over) =
                    self.call(Op::FirstAccess, phase, request, due).await;
                let state = match (class, answer) {
                    (Class::Admitted, Some((200, value))) => {
                        self.check_person(index, &value);
                        self.ack(index, Ack::FirstAccess);
                        value["shown"][0]["code"]
                            .as_str()
                            .map(|pin| State::Active {
                                pin: pin.to_owned(),
                            })
                            .or(Some(State::Unknown))
                    }
                    (Class::Shed, _) if failed_over == 0 => None,
                    (Class::Admitted, _) if failed_over == 0 => {
                        self.unexpected();
                        None
                    }
                    // Lost, or answered by another instance after one that may have done it.
                    _ => Some(State::Unknown),
                };
                self.give_back(index, state);
            }
            Flow::PinRequest => {
                let Some((index, _)) = self.take(|state| matches!(state, State::ArchiveOnly))
                else {
                    return self.guess(&client, phase, due).await;
                };
                let person = &self.seeded[index];
                let body = json!({"first_name": "Mario", "surname": "Rossi",
                    "codice_fiscale": person.cf, "street": "Via Roma 1", "postal_code": "00184",
                    "city": "Roma", "province": "RM", "email": person.email,
                    "mobile": person.mobile});
                let request = http::post("/v1/pin-requests", &client, None, &body.to_string());
                let (class, answer, failed_over) =
                    self.call(Op::PinRequest, phase, request, due).await;
                let state = match (class, answer) {
                    (Class::Admitted, Some((201, value))) => {
                        self.check_person(index, &value);
                        self.ack(index, Ack::PinIssued);
                        value["shown"][0]["code"]
                            .as_str()
                            .map(|first| State::Pending {
                                first: first.to_owned(),
                                second: None,
                            })
                            .or(Some(State::Unknown))
                    }
                    (Class::Shed, _) if failed_over == 0 => None,
                    (Class::Admitted, _) if failed_over == 0 => {
                        self.unexpected();
                        None
                    }
                    _ => Some(State::Unknown),
                };
                self.give_back(index, state);
            }
            Flow::Restore => {
                let Some((index, _)) = self.take(|state| matches!(state, State::Active { .. }))
                else {
                    return self.guess(&client, phase, due).await;
                };
                let person = &self.seeded[index];
                let body = json!({"codice_fiscale": person.cf, "email": person.email,
                    "mobile": person.mobile});
                let request = http::post("/v1/restore", &client, None, &body.to_string());
                let (class, answer, _) = self.call(Op::Restore, phase, request, due).await;
                match (class, answer) {
                    (Class::Admitted, Some((202, _))) => self.ack(index, Ack::Restore),
                    (Class::Admitted, _) => self.unexpected(),
                    _ => {}
                }
                self.give_back(index, None);
            }
            Flow::Guess => self.guess(&client, phase, due).await,
        }
    }

    /// Log in (with the first half or the PIN), then ask for the 600-euro bonus: open to the
    /// first half under R9a, and so to the whole PIN at any level.
    async fn application(
        &self,
        index: usize,
        pin: &str,
        op: Op,
        client: &str,
        phase: Phase,
        due: Instant,
    ) {
        let body = json!({"codice_fiscale": self.seeded[index].cf, "pin": pin});
        let request = http::post("/v1/login", client, None, &body.to_string());
        let (class, answer, _) = self.call(op, phase, request, due).await;
        let token = match (class, answer) {
            (Class::Admitted, Some((200, value))) => {
                self.check_person(index, &value);
                self.ack(index, Ack::LoggedIn);
                value["session_token"].as_str().map(str::to_owned)
            }
            (Class::Admitted, _) => {
                self.unexpected();
                None
            }
            _ => None,
        };
        let Some(token) = token else { return };
        let request = http::post(
            "/v1/authorisations",
            client,
            Some(&token),
            r#"{"service":"bonus-600-euro"}"#,
        );
        let (class, answer, _) = self
            .call(Op::Authorise, phase, request, Instant::now())
            .await;
        if class == Class::Admitted && !matches!(answer, Some((200, _))) {
            self.unexpected();
        }
    }

    /// A stranger's wrong 8 characters for a random person's codice fiscale.
    async fn guess(&self, client: &str, phase: Phase, due: Instant) {
        let (index, pin) = {
            let mut rng = self.rng.lock().expect("rng");
            let mut index = rng.below(self.seeded.len());
            while self.probes.contains(&index) {
                index = rng.below(self.seeded.len());
            }
            let alphabet = inps_pin::PIN_ALPHABET;
            let pin: String = (0..8)
                .map(|_| char::from(alphabet[rng.below(alphabet.len())]))
                .collect();
            (index, pin)
        };
        let body = json!({"codice_fiscale": self.seeded[index].cf, "pin": pin});
        let request = http::post("/v1/login", client, None, &body.to_string());
        let (class, answer, _) = self.call(Op::Guess, phase, request, due).await;
        if class == Class::Admitted && !matches!(answer, Some((401, _))) {
            self.unexpected();
        }
    }

    /// A login of a probe person, timed from now: its latency and whether it succeeded.
    pub async fn probe(&self, which: usize, phase: Phase) -> (Duration, bool) {
        let index = self.probes[which % self.probes.len()];
        let pin = match &self.people.lock().expect("people")[index].state {
            State::Active { pin, .. } => pin.clone(),
            _ => unreachable!("a probe is active"),
        };
        let body = json!({"codice_fiscale": self.seeded[index].cf, "pin": pin});
        let request = http::post("/v1/login", &self.client(), None, &body.to_string());
        let started = Instant::now();
        let (class, answer, _) = self.call(Op::Probe, phase, request, started).await;
        let ok = class == Class::Admitted && matches!(answer, Some((200, _)));
        if let (true, Some((_, value))) = (ok, &answer) {
            self.check_person(index, value);
            self.ack(index, Ack::LoggedIn);
        }
        (started.elapsed(), ok)
    }
}

/// The closed loop: `workers` people one arrival after another, until the admitted
/// throughput is steady (the last five one-second windows within 15 % of their mean) or
/// `longest` has passed. The capacity (admitted requests a second), whether it was steady,
/// and the admitted requests of every one-second window.
pub async fn capacity(
    crowd: &Arc<Crowd>,
    phase: Phase,
    workers: usize,
    longest: Duration,
) -> (f64, bool, Vec<f64>) {
    let stop = Arc::new(AtomicBool::new(false));
    let start = Instant::now();
    let mut handles = Vec::new();
    for _ in 0..workers {
        let crowd = Arc::clone(crowd);
        let stop = Arc::clone(&stop);
        handles.push(tokio::spawn(async move {
            while !stop.load(Ordering::Relaxed) {
                let flow = crowd.pick_flow();
                let shed_before = crowd.shed_count();
                crowd.arrive(flow, phase, Instant::now()).await;
                if crowd.shed_count() > shed_before {
                    // Told to come back later: a person does not hammer a busy service, and
                    // a client that did would measure its own loop, not the capacity.
                    tokio::time::sleep(Duration::from_millis(100)).await;
                }
            }
        }));
    }
    let from = crowd.secs(start);
    let mut windows: Vec<f64> = Vec::new();
    let mut steady = false;
    let warm_up = 3;
    loop {
        tokio::time::sleep_until((start + Duration::from_secs(windows.len() as u64 + 1)).into())
            .await;
        let second = windows.len() as f64;
        let admitted = crowd
            .records
            .lock()
            .expect("records")
            .iter()
            .filter(|record| {
                record.phase == phase
                    && record.class == Class::Admitted
                    && record.done >= from + second
                    && record.done < from + second + 1.0
            })
            .count();
        windows.push(admitted as f64);
        if windows.len() >= warm_up + 5 {
            let last = &windows[windows.len() - 5..];
            let mean = last.iter().sum::<f64>() / 5.0;
            let (low, high) = last.iter().fold((f64::MAX, 0.0f64), |(low, high), &v| {
                (low.min(v), high.max(v))
            });
            if mean > 0.0 && (high - low) / mean <= 0.15 {
                steady = true;
                break;
            }
        }
        if start.elapsed() >= longest {
            break;
        }
    }
    stop.store(true, Ordering::Relaxed);
    for handle in handles {
        let _ = handle.await;
    }
    let last = &windows[windows.len().saturating_sub(5)..];
    let capacity = last.iter().sum::<f64>() / last.len().max(1) as f64;
    (capacity, steady, windows)
}

/// The open loop: arrivals at random (Poisson) at `rate(t)` requests a second, `t` seconds
/// since its start, for `duration`; each arrival its own task. Returns when the last arrival
/// is due (the end of the load); the tasks go on until their answers come.
pub async fn open_loop(
    crowd: &Arc<Crowd>,
    duration: Duration,
    rate: impl Fn(f64) -> f64,
    tasks: &mut tokio::task::JoinSet<()>,
) -> Instant {
    let start = Instant::now();
    let per_arrival = requests_per_arrival();
    let mut rng = XorShift::new(0xa1217a15);
    let mut due = start;
    let end = start + duration;
    while due < end {
        let t = due.duration_since(start).as_secs_f64();
        let arrivals_per_second = (rate(t) / per_arrival).max(1.0);
        let gap = -rng.unit().ln() / arrivals_per_second;
        due += Duration::from_secs_f64(gap);
        if due >= end {
            break;
        }
        if due > Instant::now() {
            tokio::time::sleep_until(due.into()).await;
        }
        let late = Instant::now().saturating_duration_since(due);
        crowd.latest_start_micros.fetch_max(
            u64::try_from(late.as_micros()).unwrap_or(u64::MAX),
            Ordering::Relaxed,
        );
        let flow = crowd.pick_flow();
        crowd
            .offered
            .lock()
            .expect("offered")
            .push((crowd.secs(due), flow.requests()));
        let crowd = Arc::clone(crowd);
        let at = due;
        tasks.spawn(async move { crowd.arrive(flow, Phase::Load, at).await });
    }
    end
}
