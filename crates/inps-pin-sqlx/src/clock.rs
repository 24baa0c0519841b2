//! Where a service's time comes from: the system's clock, or one a test or demo moves.

use std::sync::atomic::{AtomicI64, Ordering};

use jiff::{SignedDuration, Timestamp};

/// The time a command is decided at.
pub trait Clock: Send + Sync {
    /// Now.
    fn now(&self) -> Timestamp;
}

/// The system's clock.
#[derive(Clone, Copy, Debug, Default)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> Timestamp {
        Timestamp::now()
    }
}

/// A clock that starts at an instant, or at the system's time, and moves only when told to
/// (tests; a demo that jumps months ahead).
#[derive(Debug)]
pub struct ManualClock {
    /// `None`: the system's time plus the offset.
    fixed: Option<Timestamp>,
    offset_ms: AtomicI64,
}

impl ManualClock {
    /// Stands at `at` until moved.
    #[must_use]
    pub fn fixed(at: Timestamp) -> ManualClock {
        ManualClock {
            fixed: Some(at),
            offset_ms: AtomicI64::new(0),
        }
    }

    /// The system's time, plus what [`ManualClock::advance`] added.
    #[must_use]
    pub fn system_with_offset() -> ManualClock {
        ManualClock {
            fixed: None,
            offset_ms: AtomicI64::new(0),
        }
    }

    /// Moves the clock forward (or back, for a negative span).
    pub fn advance(&self, by: SignedDuration) {
        let millis = i64::try_from(by.as_millis()).unwrap_or(i64::MAX);
        self.offset_ms.fetch_add(millis, Ordering::SeqCst);
    }
}

impl Clock for ManualClock {
    fn now(&self) -> Timestamp {
        let base = self.fixed.unwrap_or_else(Timestamp::now);
        let offset = SignedDuration::from_millis(self.offset_ms.load(Ordering::SeqCst));
        base.checked_add(offset).unwrap_or(base)
    }
}
