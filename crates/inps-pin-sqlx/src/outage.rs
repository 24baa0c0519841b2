//! A database outage seen by one command, told to every other: the commands waiting for the
//! database at that moment are answered at once, and those that arrive after it are refused
//! before they wait for a connection, until one of them finds the database back.
//!
//! Without it, a database that restarts holds every command in flight in the pool's
//! connection attempts until it is back (or the acquire timeout passes), and a crowd's worth
//! of them answers "unavailable" together, late. With it (a circuit breaker):
//!
//! | state | a command arriving | its load fails: unreachable | its load succeeds |
//! |---|---|---|---|
//! | closed | goes to the database | open | — |
//! | open, within [`Outage::HOLD`] | answered "unavailable" at once | — | — |
//! | open, past the hold | the first probes the database; the others answered at once | open again | closed |
//!
//! Opening wakes the commands waiting for the database, which answer "unavailable" at once.
//!
//! A command already decided is not answered "unavailable" for an outage: its Argon2 has
//! run and its answer is known. It waits for the outage to end ([`Outage::reentry`], up to
//! the accounts' patience) and commits then; closing wakes it.

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::time::Duration;

use jiff::Timestamp;
use tokio::sync::Notify;
use tokio::sync::futures::Notified;

use crate::clock::Clock;

/// No outage: the instant it holds until is before every clock reading.
const CLOSED: i64 = i64::MIN;

/// The outage one command met, shared by every command of an [`Accounts`](crate::Accounts).
#[derive(Debug)]
pub struct Outage {
    /// Until when the outage refuses every command, in microseconds since the Unix epoch;
    /// [`CLOSED`] when the database was last found reachable. Read from the
    /// [`Accounts`](crate::Accounts)' clock, so that a test's manual clock decides it.
    until_micros: AtomicI64,
    /// Whether a command is trying the database past the hold.
    probing: AtomicBool,
    /// Wakes the commands waiting for the database when one of them meets the outage.
    opened: Notify,
    /// Wakes the decided commands waiting for the outage to end when a probe finds the
    /// database back.
    closed: Notify,
}

/// May a command go to the database ([`Outage::enter`]).
#[derive(Debug)]
#[must_use]
pub enum Entry<'outage> {
    /// No outage: go.
    Closed,
    /// The outage's hold has passed and this command tries the database for the others:
    /// [`Probe::reachable`] if it answers; dropped otherwise, so that another may try.
    Probe(Probe<'outage>),
    /// An outage holds: answer "unavailable" without trying.
    Refused,
}

/// The command that tries the database after an outage's hold ([`Entry::Probe`]).
#[derive(Debug)]
pub struct Probe<'outage>(&'outage Outage);

impl Probe<'_> {
    /// The database answered: the outage ends.
    pub fn reachable(self) {
        self.0.until_micros.store(CLOSED, Ordering::Release);
        self.0.closed.notify_waiters();
    }
}

impl Drop for Probe<'_> {
    fn drop(&mut self) {
        self.0.probing.store(false, Ordering::Release);
    }
}

impl Default for Outage {
    fn default() -> Outage {
        Outage::new()
    }
}

impl Outage {
    /// How long an outage, once met, refuses every command before one tries the database
    /// again: long enough that a crowd does not hammer a database that is restarting, short
    /// enough that one back from a restart (under a second) serves within a client's retry.
    pub const HOLD: Duration = Duration::from_millis(250);

    /// No outage met yet.
    #[must_use]
    pub fn new() -> Outage {
        Outage {
            until_micros: AtomicI64::new(CLOSED),
            probing: AtomicBool::new(false),
            opened: Notify::new(),
            closed: Notify::new(),
        }
    }

    /// Whether an outage holds at `now`: met, and not found over by a command since.
    #[must_use]
    pub fn holds_at(&self, now: Timestamp) -> bool {
        let until = self.until_micros.load(Ordering::Acquire);
        until != CLOSED && (now.as_microsecond() < until || self.probing.load(Ordering::Acquire))
    }

    /// Whether a command arriving at `now` goes to the database (see the module's table).
    pub fn enter(&self, now: Timestamp) -> Entry<'_> {
        let until = self.until_micros.load(Ordering::Acquire);
        if until == CLOSED {
            return Entry::Closed;
        }
        if now.as_microsecond() < until {
            return Entry::Refused;
        }
        match self
            .probing
            .compare_exchange(false, true, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => Entry::Probe(Probe(self)),
            Err(_) => Entry::Refused,
        }
    }

    /// A command met the database unreachable at `now`: the outage refuses every command for
    /// [`Outage::HOLD`] from then, and the commands waiting for the database are woken to
    /// answer.
    pub fn open_at(&self, now: Timestamp) {
        let hold = i64::try_from(Outage::HOLD.as_micros()).unwrap_or(i64::MAX);
        let until = now.as_microsecond().saturating_add(hold);
        self.until_micros.fetch_max(until, Ordering::AcqRel);
        self.opened.notify_waiters();
    }

    /// Waits until a command may go to the database again: at once if no outage holds; else
    /// until a probe finds the database back, or the hold passes and this command becomes
    /// the probe. `None` if that has not happened by `give_up`.
    ///
    /// The hold is read from `clock`, the one [`Outage::open_at`] was given; `give_up` is the
    /// runtime's. While another command probes, this one looks again every tenth of a hold,
    /// in case that probe is given up without an answer.
    pub async fn reentry(
        &self,
        clock: &dyn Clock,
        give_up: tokio::time::Instant,
    ) -> Option<Entry<'_>> {
        loop {
            let closed = self.closed.notified();
            tokio::pin!(closed);
            closed.as_mut().enable();
            let now = clock.now();
            match self.enter(now) {
                Entry::Refused => {}
                entry => return Some(entry),
            }
            let runtime_now = tokio::time::Instant::now();
            if runtime_now >= give_up {
                return None;
            }
            let until = self.until_micros.load(Ordering::Acquire);
            let hold_left = u64::try_from(until.saturating_sub(now.as_microsecond()))
                .map_or(Duration::ZERO, Duration::from_micros);
            let look_again = runtime_now + hold_left.clamp(Outage::HOLD / 10, Outage::HOLD);
            tokio::select! {
                () = closed => {}
                () = tokio::time::sleep_until(look_again.min(give_up)) => {}
            }
        }
    }

    /// Resolves when a command meets an outage after it is enabled
    /// ([`Notified::enable`]) or first polled: enable it before [`Outage::enter`], and no
    /// outage falls between the two.
    pub fn opened(&self) -> Notified<'_> {
        self.opened.notified()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn met() -> Timestamp {
        "2027-04-01T08:00:00Z".parse().unwrap()
    }

    fn after(millis: i64) -> Timestamp {
        met() + jiff::SignedDuration::from_millis(millis)
    }

    #[test]
    fn an_outage_refuses_for_its_hold_then_lets_one_command_probe_and_ends_when_it_answers() {
        let outage = Outage::new();
        assert!(matches!(outage.enter(met()), Entry::Closed), "none met yet");
        outage.open_at(met());
        assert!(outage.holds_at(met()));
        assert!(matches!(outage.enter(after(249)), Entry::Refused));
        // Past the hold, one command probes; the others are still refused meanwhile.
        let Entry::Probe(probe) = outage.enter(after(250)) else {
            panic!("the first past the hold probes")
        };
        assert!(matches!(outage.enter(after(251)), Entry::Refused));
        assert!(outage.holds_at(after(251)));
        probe.reachable();
        assert!(!outage.holds_at(after(252)));
        assert!(matches!(outage.enter(after(252)), Entry::Closed));
    }

    #[test]
    fn a_probe_that_fails_opens_the_outage_again_and_one_given_up_lets_another_probe() {
        let outage = Outage::new();
        outage.open_at(met());
        let Entry::Probe(probe) = outage.enter(after(300)) else {
            panic!("probes")
        };
        // It met the database unreachable: a new hold from then.
        outage.open_at(after(300));
        drop(probe);
        assert!(matches!(outage.enter(after(549)), Entry::Refused));
        let Entry::Probe(given_up) = outage.enter(after(550)) else {
            panic!("probes again")
        };
        // Its client went away before the database answered: the next command probes.
        drop(given_up);
        assert!(matches!(outage.enter(after(551)), Entry::Probe(_)));
        // An earlier report does not shorten a later one.
        outage.open_at(after(1000));
        outage.open_at(met());
        assert!(matches!(outage.enter(after(1100)), Entry::Refused));
    }

    #[tokio::test]
    async fn the_commands_waiting_for_the_database_are_woken_when_one_meets_the_outage() {
        let outage = Arc::new(Outage::new());
        let mut tasks = Vec::new();
        for _ in 0..3 {
            let outage_for_task = Arc::clone(&outage);
            let (registered, ready) = tokio::sync::oneshot::channel();
            tasks.push(tokio::spawn(async move {
                let opened = outage_for_task.opened();
                tokio::pin!(opened);
                opened.as_mut().enable();
                let _ = registered.send(());
                opened.await;
            }));
            ready.await.unwrap();
        }
        outage.open_at(met());
        for task in tasks {
            task.await.unwrap();
        }
    }

    /// The runtime's time, from `met()`: what tokio's paused clock says, as a timestamp.
    struct RuntimeClock(tokio::time::Instant);

    impl Clock for RuntimeClock {
        fn now(&self) -> Timestamp {
            met() + jiff::SignedDuration::try_from(self.0.elapsed()).unwrap()
        }
    }

    #[tokio::test(start_paused = true)]
    async fn a_decided_command_waits_out_the_hold_and_then_probes_the_database_itself() {
        let clock = RuntimeClock(tokio::time::Instant::now());
        let outage = Outage::new();
        let started = tokio::time::Instant::now();
        let patience = started + Duration::from_secs(10);
        assert!(matches!(
            outage.reentry(&clock, patience).await,
            Some(Entry::Closed)
        ));
        assert_eq!(started.elapsed(), Duration::ZERO, "no outage: at once");

        outage.open_at(clock.now());
        let entry = outage.reentry(&clock, patience).await;
        assert!(matches!(entry, Some(Entry::Probe(_))), "{entry:?}");
        assert_eq!(started.elapsed(), Outage::HOLD, "the hold, no more");
    }

    #[tokio::test(start_paused = true)]
    async fn a_decided_command_is_woken_when_another_command_finds_the_database_back() {
        let clock = Arc::new(RuntimeClock(tokio::time::Instant::now()));
        let outage = Arc::new(Outage::new());
        outage.open_at(clock.now());
        tokio::time::advance(Outage::HOLD).await;
        let Entry::Probe(probe) = outage.enter(clock.now()) else {
            panic!("past the hold, a command probes")
        };
        let started = tokio::time::Instant::now();
        let waiting = tokio::spawn({
            let (clock, outage) = (Arc::clone(&clock), Arc::clone(&outage));
            async move {
                let entry = outage
                    .reentry(
                        &*clock,
                        tokio::time::Instant::now() + Duration::from_secs(10),
                    )
                    .await;
                (matches!(entry, Some(Entry::Closed)), started.elapsed())
            }
        });
        // While the probe is out, the waiting command looks again every tenth of a hold
        // (25 ms) and stays refused; the probe answers between two looks.
        let answered_after = Duration::from_millis(60);
        tokio::time::sleep(answered_after).await;
        assert!(!waiting.is_finished());
        probe.reachable();
        let (closed, waited) = waiting.await.unwrap();
        assert!(closed, "the outage ended");
        assert_eq!(waited, answered_after, "woken when the probe answered");
    }

    #[tokio::test(start_paused = true)]
    async fn a_decided_command_gives_up_at_its_patience() {
        let clock = RuntimeClock(tokio::time::Instant::now());
        let outage = Outage::new();
        outage.open_at(clock.now());
        let started = tokio::time::Instant::now();
        let entry = outage.reentry(&clock, started + Outage::HOLD / 2).await;
        assert!(entry.is_none(), "{entry:?}");
        assert_eq!(started.elapsed(), Outage::HOLD / 2);
    }
}
