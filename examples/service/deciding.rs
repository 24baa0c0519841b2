//! The deciding pool: one thread per core runs the crate's `decide`, fed from one queue.
//!
//! A login's decision is Argon2 at the default cost: 19 MiB and about 20 ms of one core. At
//! most one runs per core, so that a burst of logins queues instead of sharing the cores among
//! as many Argon2 runs (every login slower, none sooner, all their memory held at once).
//!
//! Why threads of its own rather than `spawn_blocking` behind a semaphore of one permit per
//! core, as this service first did: there, each decision began with two thread wake-ups (the
//! waiting task, to take the permit just freed; then a blocking thread, to run it) while the
//! core that had just finished sat idle, and under load the cores were 5-8 % idle
//! (`benches/service_logins.rs`). A pool thread that finishes a decision takes the next one
//! from the queue at once.

use std::panic::{AssertUnwindSafe, catch_unwind};
use std::sync::{Arc, Mutex, mpsc};
use std::time::{Duration, Instant};

/// A decision queued for a pool thread.
type Job = Box<dyn FnOnce() + Send>;

/// Threads that run decisions, one at a time each; dropped, they finish the queue and stop.
pub struct DecidingPool {
    jobs: mpsc::Sender<Job>,
}

impl DecidingPool {
    /// `threads` threads (at least one), named `deciding-N`.
    pub fn new(threads: usize) -> Result<DecidingPool, String> {
        let (jobs, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        for index in 0..threads.max(1) {
            let queue = Arc::clone(&queue);
            std::thread::Builder::new()
                .name(format!("deciding-{index}"))
                .spawn(move || {
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
                        // A job that panics loses its own answer (its caller is told), not
                        // the thread.
                        let _ = catch_unwind(AssertUnwindSafe(job));
                    }
                })
                .map_err(|error| format!("starting deciding thread {index}: {error}"))?;
        }
        Ok(DecidingPool { jobs })
    }

    /// Runs `work` on a pool thread and returns its result, with how long it waited for one.
    ///
    /// The work runs to its end even if the caller stops waiting (a client that went away):
    /// an Argon2 run cannot be interrupted, and its core is taken until it ends either way.
    pub async fn run<T: Send + 'static>(
        &self,
        work: impl FnOnce() -> T + Send + 'static,
    ) -> Result<(T, Duration), String> {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let queued = Instant::now();
        self.jobs
            .send(Box::new(move || {
                let waited = queued.elapsed();
                // The caller may have gone: nobody to tell, then.
                let _ = answer.send((work(), waited));
            }))
            .map_err(|_| "the deciding threads have stopped".to_owned())?;
        answered
            .await
            .map_err(|_| "a decision ended without an answer (it panicked)".to_owned())
    }
}
