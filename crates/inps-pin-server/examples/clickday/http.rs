//! A raw HTTP/1.1 client over keep-alive connections to 127.0.0.1, and a balancer in front of
//! the instances that does what a load balancer does: a connection refused or reset on one
//! instance is tried on the next (a failover, counted apart), until the client's timeout.

use std::io::ErrorKind;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::TcpStream;

/// An answer: its status and body.
#[derive(Debug)]
pub struct Answer {
    pub status: u16,
    pub body: Vec<u8>,
}

/// Why no answer came.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Failure {
    /// The client's timeout passed.
    Timeout,
    /// Every instance refused or reset until the timeout, or an answer did not read.
    Broken,
}

type Conn = BufReader<TcpStream>;

/// One instance: its port, its idle connections, and since when it refuses connections.
struct Instance {
    port: u16,
    idle: Mutex<Vec<Conn>>,
    /// Milliseconds since the balancer started until which this instance is skipped.
    down_until: AtomicU64,
}

/// The balancer.
pub struct Balancer {
    instances: Vec<Instance>,
    next: AtomicUsize,
    started: Instant,
    timeout: Duration,
    /// Requests tried again on another instance (or, with one, again on it).
    pub failovers: AtomicU64,
}

/// What went wrong with one try on one instance.
enum Try {
    /// Refused, reset, closed: try the next instance.
    Over,
    /// The answer did not read as HTTP.
    Garbled,
}

fn is_connection_failure(kind: ErrorKind) -> bool {
    matches!(
        kind,
        ErrorKind::ConnectionRefused
            | ErrorKind::ConnectionReset
            | ErrorKind::ConnectionAborted
            | ErrorKind::BrokenPipe
            | ErrorKind::UnexpectedEof
            | ErrorKind::NotConnected
    )
}

impl Balancer {
    pub fn new(ports: &[u16], timeout: Duration) -> Balancer {
        Balancer {
            instances: ports
                .iter()
                .map(|&port| Instance {
                    port,
                    idle: Mutex::new(Vec::new()),
                    down_until: AtomicU64::new(0),
                })
                .collect(),
            next: AtomicUsize::new(0),
            started: Instant::now(),
            timeout,
            failovers: AtomicU64::new(0),
        }
    }

    fn now_ms(&self) -> u64 {
        self.started.elapsed().as_millis() as u64
    }

    /// The instance for the next try: round robin, passing over those found down lately.
    fn pick(&self) -> &Instance {
        let count = self.instances.len();
        let now = self.now_ms();
        for _ in 0..count {
            let index = self.next.fetch_add(1, Ordering::Relaxed) % count;
            let instance = &self.instances[index];
            if instance.down_until.load(Ordering::Relaxed) <= now {
                return instance;
            }
        }
        &self.instances[self.next.fetch_add(1, Ordering::Relaxed) % count]
    }

    /// Sends `request` (whole, head and body) and reads the answer, within the client timeout
    /// from `since`; a refused or reset connection is tried on the next instance.
    pub async fn send(&self, request: &[u8], since: Instant) -> Result<Answer, Failure> {
        let deadline = since + self.timeout;
        let mut tries = 0u32;
        loop {
            let instance = self.pick();
            let attempt = tokio::time::timeout_at(deadline.into(), self.try_on(instance, request));
            match attempt.await {
                Err(_) => return Err(Failure::Timeout),
                Ok(Ok(answer)) => return Ok(answer),
                Ok(Err(Try::Garbled)) => return Err(Failure::Broken),
                Ok(Err(Try::Over)) => {
                    tries += 1;
                    self.failovers.fetch_add(1, Ordering::Relaxed);
                    if tries % self.instances.len() as u32 == 0 {
                        // Every instance failed in turn: wait a moment (a restart).
                        let pause = Instant::now() + Duration::from_millis(50);
                        if pause >= deadline {
                            return Err(Failure::Timeout);
                        }
                        tokio::time::sleep_until(pause.into()).await;
                    }
                }
            }
        }
    }

    async fn try_on(&self, instance: &Instance, request: &[u8]) -> Result<Answer, Try> {
        let pooled = instance.idle.lock().expect("pool").pop();
        let reused = pooled.is_some();
        let mut conn = match pooled {
            Some(conn) => conn,
            None => match TcpStream::connect(("127.0.0.1", instance.port)).await {
                Ok(stream) => {
                    let _ = stream.set_nodelay(true);
                    BufReader::with_capacity(4096, stream)
                }
                Err(error) => {
                    if error.kind() == ErrorKind::ConnectionRefused {
                        // Down: pass over it for a moment, and forget its connections.
                        instance
                            .down_until
                            .store(self.now_ms() + 100, Ordering::Relaxed);
                        instance.idle.lock().expect("pool").clear();
                    }
                    return Err(Try::Over);
                }
            },
        };
        match exchange(&mut conn, request).await {
            Ok((answer, keep)) => {
                if keep {
                    instance.idle.lock().expect("pool").push(conn);
                }
                Ok(answer)
            }
            Err(error) if is_connection_failure(error.kind()) => {
                if !reused {
                    instance
                        .down_until
                        .store(self.now_ms() + 100, Ordering::Relaxed);
                }
                Err(Try::Over)
            }
            Err(_) => Err(Try::Garbled),
        }
    }
}

/// Writes a request and reads its answer: the answer, and whether the connection may be
/// used again.
async fn exchange(conn: &mut Conn, request: &[u8]) -> std::io::Result<(Answer, bool)> {
    conn.get_mut().write_all(request).await?;
    let mut line = String::new();
    if conn.read_line(&mut line).await? == 0 {
        return Err(ErrorKind::UnexpectedEof.into());
    }
    let status: u16 = line
        .split_whitespace()
        .nth(1)
        .and_then(|code| code.parse().ok())
        .ok_or(ErrorKind::InvalidData)?;
    let mut length = 0usize;
    let mut keep = true;
    loop {
        line.clear();
        if conn.read_line(&mut line).await? == 0 {
            return Err(ErrorKind::UnexpectedEof.into());
        }
        let header = line.trim_end();
        if header.is_empty() {
            break;
        }
        if let Some((name, value)) = header.split_once(':') {
            let value = value.trim();
            if name.eq_ignore_ascii_case("content-length") {
                length = value.parse().map_err(|_| ErrorKind::InvalidData)?;
            } else if name.eq_ignore_ascii_case("connection") && value.eq_ignore_ascii_case("close")
            {
                keep = false;
            } else if name.eq_ignore_ascii_case("transfer-encoding") {
                // The service answers with a length; anything else is not its answer.
                return Err(ErrorKind::InvalidData.into());
            }
        }
    }
    let mut body = vec![0; length];
    conn.read_exact(&mut body).await?;
    Ok((Answer { status, body }, keep))
}

/// A POST with a JSON body, from the client at `client` (the trusted proxy's header), with a
/// session's bearer token if any.
pub fn post(path: &str, client: &str, bearer: Option<&str>, body: &str) -> Vec<u8> {
    let auth = bearer
        .map(|token| format!("authorization: Bearer {token}\r\n"))
        .unwrap_or_default();
    format!(
        "POST {path} HTTP/1.1\r\nhost: 127.0.0.1\r\ncontent-type: application/json\r\n\
         x-forwarded-for: {client}\r\n{auth}content-length: {}\r\n\r\n{body}",
        body.len()
    )
    .into_bytes()
}

/// A GET.
pub fn get(path: &str) -> Vec<u8> {
    format!("GET {path} HTTP/1.1\r\nhost: 127.0.0.1\r\n\r\n").into_bytes()
}

/// Asks one port once, on a fresh connection (readiness).
pub async fn ask_once(port: u16, request: &[u8]) -> Option<Answer> {
    let stream = TcpStream::connect(("127.0.0.1", port)).await.ok()?;
    let mut conn = BufReader::new(stream);
    tokio::time::timeout(Duration::from_secs(2), exchange(&mut conn, request))
        .await
        .ok()?
        .ok()
        .map(|(answer, _)| answer)
}
