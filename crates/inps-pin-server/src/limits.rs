//! Per-client limits on the anonymous endpoints, and the pace of a failed login's answer.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

/// How many clients the limiter remembers before it forgets those of past windows.
const REMEMBERED_CLIENTS: usize = 100_000;

/// A fixed window of a minute per client: at most `per_minute` requests to the anonymous
/// endpoints (PIN requests, first accesses, logins, renewals, restores). It counts by client,
/// never by codice fiscale: it must not tell a stranger anything about a person (R30a).
#[derive(Debug)]
pub struct ClientLimiter {
    per_minute: u32,
    started: Instant,
    windows: Mutex<HashMap<IpAddr, (u64, u32)>>,
}

impl ClientLimiter {
    /// A limiter of `per_minute` requests a client; 0 limits nothing.
    #[must_use]
    pub fn new(per_minute: u32) -> ClientLimiter {
        ClientLimiter {
            per_minute,
            started: Instant::now(),
            windows: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request of `client`: `Ok`, or `Err(seconds)` until its window ends.
    ///
    /// # Errors
    /// The seconds to wait, when the client has used its minute.
    pub fn admit(&self, client: IpAddr) -> Result<(), u64> {
        if self.per_minute == 0 {
            return Ok(());
        }
        let elapsed = self.started.elapsed().as_secs();
        let window = elapsed / 60;
        let mut windows = match self.windows.lock() {
            Ok(windows) => windows,
            Err(poisoned) => poisoned.into_inner(),
        };
        if windows.len() >= REMEMBERED_CLIENTS {
            windows.retain(|_, (at, _)| *at == window);
        }
        let entry = windows.entry(client).or_insert((window, 0));
        if entry.0 != window {
            *entry = (window, 0);
        }
        if entry.1 >= self.per_minute {
            return Err(60 - elapsed % 60);
        }
        entry.1 += 1;
        Ok(())
    }
}

/// The pace of a failed login's answer (R30a: alike in time). A wrong PIN costs an Argon2
/// run; a guess during a delay or a block runs none (R25b). So that the two read alike, a
/// failure whose decision took less than the usual verification is answered after that
/// time: waited asleep, not computed, so the pacing costs no core.
#[derive(Debug, Default)]
pub struct Pacing {
    /// The usual time of a decision that ran Argon2, in microseconds (a moving average).
    verify_micros: AtomicU64,
}

impl Pacing {
    /// Learns from a decision that ran Argon2.
    pub fn observe(&self, decide: Duration) {
        let sample = u64::try_from(decide.as_micros()).unwrap_or(u64::MAX);
        // An exponential moving average with weight 1/16; the first sample is taken whole.
        let _ = self
            .verify_micros
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
                Some(if old == 0 {
                    sample
                } else {
                    old - old / 16 + sample / 16
                })
            });
    }

    /// How much longer a failure whose decision took `decide` must wait.
    #[must_use]
    pub fn remaining(&self, decide: Duration) -> Duration {
        let usual = Duration::from_micros(self.verify_micros.load(Ordering::Relaxed));
        usual.saturating_sub(decide)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_minute_and_then_waits_others_do_not() {
        let limiter = ClientLimiter::new(3);
        let one: IpAddr = "192.0.2.1".parse().unwrap();
        let two: IpAddr = "192.0.2.2".parse().unwrap();
        for _ in 0..3 {
            assert!(limiter.admit(one).is_ok());
        }
        let wait = limiter.admit(one).unwrap_err();
        assert!((1..=60).contains(&wait));
        assert!(limiter.admit(two).is_ok());
        assert!(ClientLimiter::new(0).admit(one).is_ok());
    }

    #[test]
    fn r30a_a_failure_without_argon2_waits_for_the_usual_verification() {
        let pacing = Pacing::default();
        assert_eq!(pacing.remaining(Duration::ZERO), Duration::ZERO);
        pacing.observe(Duration::from_millis(20));
        assert_eq!(
            pacing.remaining(Duration::from_micros(50)),
            Duration::from_micros(19_950)
        );
        assert_eq!(pacing.remaining(Duration::from_millis(25)), Duration::ZERO);
        for _ in 0..100 {
            pacing.observe(Duration::from_millis(40));
        }
        assert!(pacing.remaining(Duration::ZERO) > Duration::from_millis(39));
    }
}
