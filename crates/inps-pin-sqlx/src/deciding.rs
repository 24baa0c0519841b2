//! The deciding pool: one thread per core runs the crate's `decide`, fed from one bounded
//! queue.
//!
//! A login's decision is Argon2 at the default cost: 19 MiB and about 20 ms of one core. At
//! most one runs per core, so that a burst of logins queues instead of sharing the cores among
//! as many Argon2 runs (every login slower, none sooner, all their memory held at once).
//!
//! The queue is bounded, and every job carries a deadline: a job that cannot start soon is
//! refused at once ([`DecideError::Busy`]), so the caller can answer 503 with `Retry-After`
//! instead of waiting without bound; a job whose deadline passed while it waited, or whose
//! caller has gone (its future dropped: the client closed the connection), is dropped without
//! running. When the crowd leaves, the queue holds only work someone still waits for.
//!
//! Threads of its own rather than `spawn_blocking` behind a semaphore: there, each decision
//! began with two thread wake-ups (the waiting task, then a blocking thread) while the core
//! that had just finished sat idle, and under load the cores were 5-8 % idle. A pool thread
//! that finishes a decision takes the next one from the queue at once.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::atomic::{AtomicU8, AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

use thiserror::Error;

/// A job waits in the queue.
const QUEUED: u8 = 0;
/// A pool thread took it: it runs to its end.
const STARTED: u8 = 1;
/// Its caller stopped waiting (its future was dropped): it is dropped unrun.
const ABANDONED: u8 = 2;
/// Its caller's deadline passed before a thread took it: it is dropped unrun.
const EXPIRED: u8 = 3;

/// A decision queued for a pool thread.
struct Job {
    deadline: Instant,
    queued: Instant,
    /// The wait the pool predicted for it before calibration ([`DecidingPool::expected_wait`]).
    predicted: Duration,
    /// [`QUEUED`] until a thread starts it or its caller stops waiting, whichever comes
    /// first: the one that moves it on decides whether it runs.
    state: Arc<AtomicU8>,
    work: Box<dyn FnOnce(Duration) + Send>,
}

/// Why a decision did not run.
#[derive(Clone, Copy, Debug, Error, PartialEq, Eq)]
#[non_exhaustive]
pub enum DecideError {
    /// The queue is full: what waits already would not start before its deadline.
    #[error("the deciding queue is full")]
    Busy,
    /// It waited past its deadline and was dropped unrun.
    #[error("the decision waited past its deadline")]
    Expired,
    /// It panicked (its caller alone is told; the thread goes on).
    #[error("the decision panicked")]
    Panicked,
    /// The pool has stopped.
    #[error("the deciding threads have stopped")]
    Stopped,
}

/// Counters of the pool, for metrics.
#[derive(Debug, Default)]
pub struct DecidingStats {
    /// Jobs waiting now.
    pub queued: AtomicUsize,
    /// Jobs admitted ([`DecidingPool::admit`]) and not yet sent: their accounts are loading.
    /// Counted as queued in every prediction, so that a burst checked all at once is not all
    /// admitted, loaded, and then refused, slowly, at the queue.
    pub admitted: AtomicUsize,
    /// Jobs running now.
    pub running: AtomicUsize,
    /// Jobs run to their end.
    pub completed: AtomicU64,
    /// Jobs refused because the queue was full.
    pub refused_busy: AtomicU64,
    /// Jobs dropped unrun: past their deadline.
    pub expired: AtomicU64,
    /// Jobs dropped unrun: their caller had gone.
    pub abandoned: AtomicU64,
    /// Time spent running jobs, in microseconds.
    pub busy_micros: AtomicU64,
    /// How long a job runs, in microseconds: a moving average (weight 1/32) of the jobs run,
    /// wall time on the thread (so a machine whose cores are shared reads slower). What a
    /// job sent now would wait is predicted from it.
    pub job_micros: AtomicU64,
    /// How the waits jobs had compare with the waits predicted for them, in thousandths (a
    /// moving average, weight 1/16; 0 until a job has waited): the prediction is multiplied
    /// by it. Threads that the machine's other work keeps off the cores between jobs make a
    /// queue slower than its jobs' times say; this is how much.
    pub wait_calibration_milli: AtomicU64,
}

/// How the pool is sized.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct DecidingOptions {
    /// Threads; at least one. One per core: a decision is a core's worth of work.
    pub threads: usize,
    /// The most jobs that may wait. Beyond it, [`DecideError::Busy`] at once.
    pub queue_bound: usize,
    /// How long a job may wait before it starts; past it, it is dropped unrun.
    pub max_wait: Duration,
}

impl Default for DecidingOptions {
    /// A thread per core; a queue of 64 a core (at 20 ms a decision, about 1.3 s of work);
    /// 2 s of waiting at most.
    fn default() -> DecidingOptions {
        let threads = std::thread::available_parallelism().map_or(1, |cores| cores.get());
        DecidingOptions {
            threads,
            queue_bound: threads.saturating_mul(64),
            max_wait: Duration::from_secs(2),
        }
    }
}

/// Threads that run decisions, one at a time each; dropped, they finish the queue and stop.
pub struct DecidingPool {
    jobs: mpsc::SyncSender<Job>,
    options: DecidingOptions,
    stats: Arc<DecidingStats>,
}

impl std::fmt::Debug for DecidingPool {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DecidingPool")
            .field("options", &self.options)
            .finish_non_exhaustive()
    }
}

/// Marks the job abandoned when its caller's future is dropped before a thread took it.
struct AbandonOnDrop(Arc<AtomicU8>);

/// A job admitted on its way to the pool ([`DecidingPool::admit`]): counted as queued until
/// dropped. Drop it when the job is sent, or given up.
#[derive(Debug)]
#[must_use = "an admission counts as queued only while it is held"]
pub struct Admission<'pool> {
    stats: &'pool DecidingStats,
}

impl Drop for Admission<'_> {
    fn drop(&mut self) {
        self.stats.admitted.fetch_sub(1, Ordering::AcqRel);
    }
}

impl Drop for AbandonOnDrop {
    fn drop(&mut self) {
        let _ = self
            .0
            .compare_exchange(QUEUED, ABANDONED, Ordering::AcqRel, Ordering::Acquire);
    }
}

impl DecidingPool {
    /// Starts the threads, named `deciding-N`.
    ///
    /// # Errors
    /// The operating system's refusal to start a thread.
    pub fn new(options: DecidingOptions) -> std::io::Result<DecidingPool> {
        let (jobs, queue) = mpsc::sync_channel::<Job>(options.queue_bound.max(1));
        let queue = Arc::new(Mutex::new(queue));
        let stats = Arc::new(DecidingStats::default());
        for index in 0..options.threads.max(1) {
            let queue = Arc::clone(&queue);
            let stats = Arc::clone(&stats);
            std::thread::Builder::new()
                .name(format!("deciding-{index}"))
                .spawn(move || worker(&queue, &stats))?;
        }
        Ok(DecidingPool {
            jobs,
            options,
            stats,
        })
    }

    /// The pool's counters.
    #[must_use]
    pub fn stats(&self) -> &Arc<DecidingStats> {
        &self.stats
    }

    /// How the pool is sized.
    #[must_use]
    pub fn options(&self) -> DecidingOptions {
        self.options
    }

    /// Whether a job sent now would be refused: the queue is at its bound, or the jobs
    /// ahead of it would keep it waiting past half of [`DecidingOptions::max_wait`].
    ///
    /// The bound alone is a count: when decisions take longer than the bound was sized for
    /// (cores shared with other work, a costlier hash), a queue within its bound still holds
    /// more than `max_wait` of work, and every job that joins it waits out its deadline and
    /// is answered busy only then. Predicting the wait from how long jobs run now answers
    /// those at once instead. Half, because a crowd keeps the queue at whatever limit it
    /// has: the jobs at its tail must not be lost to the deadline when the prediction, an
    /// average, runs short.
    /// Jobs admitted and not yet sent count as queued.
    #[must_use]
    pub fn is_full(&self) -> bool {
        self.refuses(self.waiting())
    }

    /// Jobs waiting in the queue, and admitted on their way to it.
    fn waiting(&self) -> usize {
        self.stats
            .queued
            .load(Ordering::Acquire)
            .saturating_add(self.stats.admitted.load(Ordering::Acquire))
    }

    /// Whether a job behind `waiting` others is refused: the bound, or the predicted wait.
    fn refuses(&self, waiting: usize) -> bool {
        waiting >= self.options.queue_bound.max(1) || self.would_wait_too_long(waiting)
    }

    /// Admits a job on its way to the pool, or refuses it at once as [`Self::is_full`] would,
    /// counting every job admitted before it. A caller that has work to do before sending
    /// the job (loading an account) takes the admission first and keeps it until it calls
    /// [`Self::run`]: a burst of callers that all checked [`Self::is_full`] at once would all
    /// pass it, spend their loads, and be refused at the queue, late; a database that stalls
    /// would gather an unbounded crowd of loads.
    ///
    /// # Errors
    /// [`DecideError::Busy`], counted as refused.
    pub fn admit(&self) -> Result<Admission<'_>, DecideError> {
        let ahead = self.stats.admitted.fetch_add(1, Ordering::AcqRel);
        let admission = Admission { stats: &self.stats };
        let waiting = self
            .stats
            .queued
            .load(Ordering::Acquire)
            .saturating_add(ahead);
        if self.refuses(waiting) {
            drop(admission);
            self.count_refused();
            return Err(DecideError::Busy);
        }
        Ok(admission)
    }

    /// Whether a job joining `queued` others is predicted to wait past half its deadline.
    /// Before any job has run there is nothing to predict from: a job waits behind at most
    /// one job a thread then (a fresh instance that a balancer hands its share of a crowd
    /// would otherwise queue the whole bound, and lose its tail to the deadline).
    fn would_wait_too_long(&self, queued: usize) -> bool {
        if self.stats.job_micros.load(Ordering::Relaxed) == 0 {
            return queued >= self.options.threads.max(1);
        }
        self.expected_wait(queued) > self.options.max_wait / 2
    }

    /// What a job joining `queued` waiting others would wait for a thread: the uncalibrated
    /// prediction ([`Self::uncalibrated_wait`]) times how the waits jobs had compared with
    /// theirs.
    #[must_use]
    pub fn expected_wait(&self, queued: usize) -> Duration {
        let predicted = self.uncalibrated_wait(queued);
        match self.stats.wait_calibration_milli.load(Ordering::Relaxed) {
            0 => predicted,
            milli => predicted
                .saturating_mul(u32::try_from(milli).unwrap_or(u32::MAX))
                .checked_div(1000)
                .unwrap_or(predicted),
        }
    }

    /// What a job joining `queued` waiting others would wait for a thread, from the jobs'
    /// times alone: it starts once as many jobs have ended as there are jobs ahead of it
    /// beyond the threads, and the threads end one every average job time over their
    /// number. Zero while a thread is free, and until a job has run.
    #[must_use]
    pub fn uncalibrated_wait(&self, queued: usize) -> Duration {
        let job = self.stats.job_micros.load(Ordering::Relaxed);
        let running = self.stats.running.load(Ordering::Acquire);
        let threads = self.options.threads.max(1);
        let ahead = (queued + running + 1).saturating_sub(threads);
        let ahead = u64::try_from(ahead).unwrap_or(u64::MAX);
        let threads = u64::try_from(threads).unwrap_or(1);
        Duration::from_micros(job.saturating_mul(ahead) / threads)
    }

    /// Counts a job refused before it was sent (a caller that checked [`Self::is_full`]).
    pub fn count_refused(&self) {
        self.stats.refused_busy.fetch_add(1, Ordering::Relaxed);
    }

    /// Runs `work` on a pool thread and returns its result, with how long it waited for one.
    ///
    /// Refused at once when the queue is full; dropped unrun, and answered
    /// [`DecideError::Expired`] at its deadline, if no thread has taken it within
    /// [`DecidingOptions::max_wait`]; dropped unrun if this future is dropped first. Once
    /// started, the work runs to its end: an Argon2 run cannot be interrupted.
    ///
    /// # Errors
    /// [`DecideError`]: busy, expired, panicked or stopped.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<(T, Duration), DecideError> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let state = Arc::new(AtomicU8::new(QUEUED));
        let _guard = AbandonOnDrop(Arc::clone(&state));
        let queued = Instant::now();
        let deadline = queued + self.options.max_wait;
        let ahead = self.stats.queued.fetch_add(1, Ordering::AcqRel);
        let job = Job {
            deadline,
            queued,
            predicted: self.uncalibrated_wait(ahead),
            state: Arc::clone(&state),
            work: Box::new(move |waited| {
                // The caller may have gone: nobody to tell, then.
                let _ = answer.send((work(), waited));
            }),
        };
        if self.would_wait_too_long(ahead) {
            self.stats.queued.fetch_sub(1, Ordering::AcqRel);
            self.stats.refused_busy.fetch_add(1, Ordering::Relaxed);
            return Err(DecideError::Busy);
        }
        match self.jobs.try_send(job) {
            Ok(()) => {}
            Err(mpsc::TrySendError::Full(_)) => {
                self.stats.queued.fetch_sub(1, Ordering::AcqRel);
                self.stats.refused_busy.fetch_add(1, Ordering::Relaxed);
                return Err(DecideError::Busy);
            }
            Err(mpsc::TrySendError::Disconnected(_)) => {
                self.stats.queued.fetch_sub(1, Ordering::AcqRel);
                return Err(DecideError::Stopped);
            }
        }
        let mut answered = answered;
        let answer = match tokio::time::timeout_at(deadline.into(), &mut answered).await {
            Ok(answer) => answer,
            // The deadline came first: unless a thread has taken the job meanwhile, it is
            // dropped unrun and the caller answered now, not when a thread frees up.
            Err(_) => {
                if state
                    .compare_exchange(QUEUED, EXPIRED, Ordering::AcqRel, Ordering::Acquire)
                    .is_ok()
                {
                    self.stats.expired.fetch_add(1, Ordering::Relaxed);
                    return Err(DecideError::Expired);
                }
                answered.await
            }
        };
        match answer {
            Ok(answer) => Ok(answer),
            // The job was dropped unrun (expired) or panicked: the worker counted which.
            Err(_) if Instant::now() >= deadline => Err(DecideError::Expired),
            Err(_) => Err(DecideError::Panicked),
        }
    }
}

fn worker(queue: &Mutex<mpsc::Receiver<Job>>, stats: &DecidingStats) {
    loop {
        // The lock is held only while waiting, so each job goes to one thread.
        let next = match queue.lock() {
            Ok(queue) => queue.recv(),
            Err(poisoned) => poisoned.into_inner().recv(),
        };
        let Ok(job) = next else {
            // Every sender is gone: the service has stopped.
            return;
        };
        stats.queued.fetch_sub(1, Ordering::AcqRel);
        let started = Instant::now();
        calibrate(stats, job.predicted, started - job.queued);
        match job
            .state
            .compare_exchange(QUEUED, STARTED, Ordering::AcqRel, Ordering::Acquire)
        {
            Ok(_) => {}
            Err(ABANDONED) => {
                stats.abandoned.fetch_add(1, Ordering::Relaxed);
                continue;
            }
            // Expired: its caller was answered at the deadline, and counted it.
            Err(_) => continue,
        }
        if started > job.deadline {
            stats.expired.fetch_add(1, Ordering::Relaxed);
            continue;
        }
        stats.running.fetch_add(1, Ordering::AcqRel);
        let waited = started - job.queued;
        // A job that panics loses its own answer (its caller is told), not the thread.
        let _ = catch_unwind(AssertUnwindSafe(move || (job.work)(waited)));
        stats.running.fetch_sub(1, Ordering::AcqRel);
        stats.completed.fetch_add(1, Ordering::Relaxed);
        let micros = u64::try_from(started.elapsed().as_micros()).unwrap_or(u64::MAX);
        stats.busy_micros.fetch_add(micros, Ordering::Relaxed);
        // The first job is taken whole; then each moves the average a 32nd of the way: jobs
        // differ (no Argon2 during a delay, two hashes for a new PIN), and what a queue of
        // them will take is their mean, not the last few.
        let _ = stats
            .job_micros
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
                Some(if old == 0 {
                    micros.max(1)
                } else {
                    old - old / 32 + micros / 32
                })
            });
    }
}

/// Moves the calibration of predicted waits towards how a job's wait compared with its
/// prediction: every job taken from the queue counts, run or not (a job that expired waited
/// longest of all). A prediction under a millisecond says too little to compare with.
fn calibrate(stats: &DecidingStats, predicted: Duration, waited: Duration) {
    let predicted = u64::try_from(predicted.as_micros()).unwrap_or(u64::MAX);
    if predicted < 1_000 {
        return;
    }
    let waited = u64::try_from(waited.as_micros()).unwrap_or(u64::MAX);
    // Between a quarter and sixteen times: one job descheduled for a second must not make
    // the pool refuse everything for long, nor one lucky run let it promise too much.
    let ratio = (waited.saturating_mul(1000) / predicted).clamp(250, 16_000);
    let _ =
        stats
            .wait_calibration_milli
            .fetch_update(Ordering::Relaxed, Ordering::Relaxed, |old| {
                Some(if old == 0 {
                    ratio
                } else {
                    old - old / 16 + ratio / 16
                })
            });
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Yields until `condition` holds; fails after 10 s rather than spin for ever.
    async fn until(what: &str, condition: impl Fn() -> bool) {
        let start = Instant::now();
        while !condition() {
            assert!(
                start.elapsed() < Duration::from_secs(10),
                "waited 10 s for {what}"
            );
            tokio::task::yield_now().await;
        }
    }

    /// Runs one job and waits until the thread has counted it (its answer comes first).
    async fn warm(pool: &DecidingPool, work: impl FnOnce() + Send + 'static) {
        let before = pool.stats().completed.load(Ordering::Acquire);
        pool.run(work).await.unwrap();
        until("the job to be counted", || {
            pool.stats().completed.load(Ordering::Acquire) > before
                && pool.stats().running.load(Ordering::Acquire) == 0
        })
        .await;
    }

    fn pool(threads: usize, queue_bound: usize, max_wait: Duration) -> DecidingPool {
        DecidingPool::new(DecidingOptions {
            threads,
            queue_bound,
            max_wait,
        })
        .unwrap()
    }

    #[test]
    fn admitted_jobs_count_as_queued_until_they_are_sent_or_given_up() {
        // A burst that checks the pool all at once, before any of it has loaded its
        // account: only as many as the bound are admitted; the rest are refused at once.
        let pool = pool(4, 3, Duration::from_secs(5));
        let first = pool.admit().unwrap();
        let _second = pool.admit().unwrap();
        let _third = pool.admit().unwrap();
        assert_eq!(pool.stats().admitted.load(Ordering::Acquire), 3);
        assert!(pool.is_full());
        assert_eq!(pool.admit().unwrap_err(), DecideError::Busy);
        assert_eq!(pool.stats().refused_busy.load(Ordering::Relaxed), 1);
        assert_eq!(
            pool.stats().admitted.load(Ordering::Acquire),
            3,
            "a refusal holds no place"
        );
        drop(first);
        assert!(!pool.is_full());
        let _fourth = pool.admit().unwrap();
    }

    #[tokio::test]
    async fn the_pool_answers_and_outlives_a_panicking_decision() {
        let pool = pool(1, 4, Duration::from_secs(5));
        let (value, _) = pool.run(|| 41 + 1).await.unwrap();
        assert_eq!(value, 42);
        let panicked = pool
            .run(|| -> u32 { std::panic::panic_any("a decision that panics") })
            .await;
        assert_eq!(panicked.unwrap_err(), DecideError::Panicked);
        assert_eq!(pool.run(|| 7).await.unwrap().0, 7);
    }

    #[tokio::test]
    async fn a_full_queue_refuses_at_once() {
        let pool = Arc::new(pool(1, 1, Duration::from_secs(5)));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(Mutex::new(wait));
        // One job holds the thread, one fills the queue; the third is refused.
        let holder = {
            let pool = Arc::clone(&pool);
            let wait = Arc::clone(&wait);
            tokio::spawn(async move {
                pool.run(move || {
                    let _ = wait.lock().map(|wait| wait.recv());
                })
                .await
            })
        };
        until("the holder to run", || {
            pool.stats().running.load(Ordering::Acquire) > 0
        })
        .await;
        let queued = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move { pool.run(|| 1).await })
        };
        until("a job to queue", || {
            pool.stats().queued.load(Ordering::Acquire) > 0
        })
        .await;
        assert_eq!(pool.run(|| 2).await.unwrap_err(), DecideError::Busy);
        assert_eq!(pool.stats().refused_busy.load(Ordering::Relaxed), 1);
        release.send(()).unwrap();
        assert!(holder.await.unwrap().is_ok());
        assert_eq!(queued.await.unwrap().unwrap().0, 1);
    }

    #[tokio::test]
    async fn a_job_that_would_wait_past_its_deadline_is_refused_at_once() {
        // Jobs of 20 ms or more, a deadline of 400 ms: however slow the machine, at most
        // ten fit in half the deadline, far fewer than the bound of 100 would let in.
        let pool = Arc::new(pool(1, 100, Duration::from_millis(400)));
        warm(&pool, || std::thread::sleep(Duration::from_millis(20))).await;
        assert_eq!(pool.expected_wait(0), Duration::ZERO, "the thread is free");
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(Mutex::new(wait));
        let holder = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                pool.run(move || {
                    let _ = wait.lock().map(|wait| wait.recv());
                })
                .await
            })
        };
        until("the holder to run", || {
            pool.stats().running.load(Ordering::Acquire) > 0
        })
        .await;
        let mut queued = Vec::new();
        let refused_at = loop {
            if pool.is_full() {
                let started = Instant::now();
                assert_eq!(pool.run(|| 0).await.unwrap_err(), DecideError::Busy);
                break started.elapsed();
            }
            let pool_for_job = Arc::clone(&pool);
            queued.push(tokio::spawn(async move { pool_for_job.run(|| 1).await }));
            let expected = queued.len();
            let job = queued.last().expect("just pushed");
            until("the job to queue", || {
                pool.stats().queued.load(Ordering::Acquire) >= expected || job.is_finished()
            })
            .await;
            if job.is_finished() {
                // Refused by its own check: the prediction moved since `is_full`.
                let job = queued.pop().expect("just pushed");
                assert_eq!(job.await.unwrap().unwrap_err(), DecideError::Busy);
                break Duration::ZERO;
            }
        };
        assert!(
            (1..=10).contains(&queued.len()),
            "{} queued before the refusal",
            queued.len()
        );
        assert!(
            refused_at < Duration::from_millis(100),
            "refused at once, not at the deadline"
        );
        release.send(()).unwrap();
        assert!(holder.await.unwrap().is_ok());
        for job in queued {
            let _ = job.await.unwrap();
        }
    }

    #[tokio::test]
    async fn a_fresh_pool_queues_one_job_a_thread_until_it_can_predict() {
        let pool = Arc::new(pool(1, 8, Duration::from_secs(5)));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(Mutex::new(wait));
        let holder = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                pool.run(move || {
                    let _ = wait.lock().map(|wait| wait.recv());
                })
                .await
            })
        };
        until("the holder to run", || {
            pool.stats().running.load(Ordering::Acquire) > 0
        })
        .await;
        let queued = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move { pool.run(|| 1).await })
        };
        until("a job to queue", || {
            pool.stats().queued.load(Ordering::Acquire) > 0
        })
        .await;
        assert!(pool.is_full());
        assert_eq!(pool.run(|| 2).await.unwrap_err(), DecideError::Busy);
        release.send(()).unwrap();
        assert!(holder.await.unwrap().is_ok());
        assert_eq!(queued.await.unwrap().unwrap().0, 1);
    }

    #[tokio::test]
    async fn a_queue_slower_than_its_jobs_say_is_predicted_as_slow_as_it_was() {
        let pool = pool(1, 10, Duration::from_secs(1));
        pool.stats().job_micros.store(10_000, Ordering::Relaxed);
        pool.stats().running.store(1, Ordering::Relaxed);
        assert_eq!(pool.expected_wait(0), Duration::from_millis(10));
        // A job predicted to wait 10 ms waited 30: the thread was kept off the core.
        calibrate(
            pool.stats(),
            Duration::from_millis(10),
            Duration::from_millis(30),
        );
        assert_eq!(pool.expected_wait(0), Duration::from_millis(30));
        assert_eq!(pool.uncalibrated_wait(0), Duration::from_millis(10));
        pool.stats().running.store(0, Ordering::Relaxed);
        assert_eq!(pool.expected_wait(0), Duration::ZERO, "a thread is free");
    }

    #[tokio::test]
    async fn a_job_no_thread_takes_by_its_deadline_is_answered_at_the_deadline() {
        let pool = Arc::new(pool(1, 4, Duration::from_millis(50)));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(Mutex::new(wait));
        let holder = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                pool.run(move || {
                    let _ = wait.lock().map(|wait| wait.recv());
                })
                .await
            })
        };
        until("the holder to run", || {
            pool.stats().running.load(Ordering::Acquire) > 0
        })
        .await;
        // The only thread is held for as long as this test likes: the queued job is answered
        // at its deadline all the same, and never runs.
        let ran = Arc::new(AtomicUsize::new(0));
        let counted = Arc::clone(&ran);
        let late = tokio::time::timeout(
            Duration::from_secs(5),
            pool.run(move || counted.fetch_add(1, Ordering::SeqCst)),
        )
        .await
        .expect("answered at its deadline, not when the thread frees up");
        assert_eq!(late.unwrap_err(), DecideError::Expired);
        assert_eq!(pool.stats().running.load(Ordering::Acquire), 1);
        release.send(()).unwrap();
        assert!(holder.await.unwrap().is_ok());
        // Once the thread has dropped the expired job, the pool takes work again.
        until("the expired job to leave the queue", || {
            pool.stats().queued.load(Ordering::Acquire) == 0
                && pool.stats().running.load(Ordering::Acquire) == 0
        })
        .await;
        assert_eq!(pool.run(|| 3).await.unwrap().0, 3);
        assert_eq!(ran.load(Ordering::SeqCst), 0);
        assert_eq!(pool.stats().expired.load(Ordering::Relaxed), 1);
    }

    #[tokio::test]
    async fn work_whose_caller_has_gone_or_whose_deadline_passed_is_not_run() {
        let pool = Arc::new(pool(1, 8, Duration::from_millis(50)));
        // Jobs that take no time, as far as the prediction knows: it queues more than one.
        pool.stats().job_micros.store(1, Ordering::Relaxed);
        let ran = Arc::new(AtomicUsize::new(0));
        let (release, wait) = std::sync::mpsc::channel::<()>();
        let wait = Arc::new(Mutex::new(wait));
        let holder = {
            let pool = Arc::clone(&pool);
            tokio::spawn(async move {
                pool.run(move || {
                    let _ = wait.lock().map(|wait| wait.recv());
                })
                .await
            })
        };
        until("the holder to run", || {
            pool.stats().running.load(Ordering::Acquire) > 0
        })
        .await;
        // A caller that goes away: its future is dropped while the job waits.
        let gone = {
            let pool = Arc::clone(&pool);
            let ran = Arc::clone(&ran);
            tokio::spawn(async move { pool.run(move || ran.fetch_add(1, Ordering::SeqCst)).await })
        };
        until("a job to queue", || {
            pool.stats().queued.load(Ordering::Acquire) > 0
        })
        .await;
        gone.abort();
        let _ = gone.await;
        // A caller that waits past the deadline.
        let late = {
            let pool = Arc::clone(&pool);
            let ran = Arc::clone(&ran);
            tokio::spawn(async move { pool.run(move || ran.fetch_add(1, Ordering::SeqCst)).await })
        };
        until("two jobs to queue", || {
            pool.stats().queued.load(Ordering::Acquire) >= 2
        })
        .await;
        // Hold the thread past the deadline without sleeping: wait for the clock to pass it.
        let start = Instant::now();
        while start.elapsed() < Duration::from_millis(60) {
            tokio::task::yield_now().await;
        }
        release.send(()).unwrap();
        assert!(holder.await.unwrap().is_ok());
        assert_eq!(late.await.unwrap().unwrap_err(), DecideError::Expired);
        // The late caller was answered at its deadline; the thread drops both jobs when it
        // reaches them.
        until("the abandoned job to be dropped", || {
            pool.stats().abandoned.load(Ordering::Relaxed) > 0
        })
        .await;
        assert_eq!(ran.load(Ordering::SeqCst), 0);
        assert_eq!(pool.stats().abandoned.load(Ordering::Relaxed), 1);
        assert_eq!(pool.stats().expired.load(Ordering::Relaxed), 1);
    }
}
