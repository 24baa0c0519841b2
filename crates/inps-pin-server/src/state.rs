//! What every handler shares: the accounts, the deployment's registers, carrier and
//! operators, the limits and the metrics.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize};
use std::time::Duration;

use inps_pin::OperatorId;
use inps_pin_sqlx::{Accounts, ManualClock};
use jiff::SignedDuration;

use crate::carrier::Carrier;
use crate::limits::{ClientLimiter, Pacing};
use crate::metrics::Metrics;
use crate::operators::OperatorDirectory;
use crate::registers::{Archive, TesseraRegister};

/// The shared state of one instance.
pub struct AppState {
    /// The accounts, on their store.
    pub accounts: Accounts,
    /// The institute's archive (R35).
    pub archive: Arc<dyn Archive>,
    /// The health-card register (R35).
    pub tessera: Arc<dyn TesseraRegister>,
    /// The operators.
    pub operators: Arc<dyn OperatorDirectory>,
    /// The carriers.
    pub carrier: Arc<dyn Carrier>,
    /// The name archive lookups are attested under.
    pub archive_checker: OperatorId,
    /// The demo's movable clock, when in demo mode.
    pub demo_clock: Option<Arc<ManualClock>>,
    /// Per-client limits on the anonymous endpoints.
    pub limiter: ClientLimiter,
    /// The pace of failed logins' answers.
    pub pacing: Pacing,
    /// Metrics.
    pub metrics: Metrics,
    /// The header a trusted proxy sets to the client's address.
    pub client_ip_header: Option<String>,
    /// How long a device cookie lives.
    pub device_cookie_age: SignedDuration,
    /// Whether the service is draining for shutdown (`/readyz` says no).
    pub draining: AtomicBool,
    /// Requests in flight now.
    pub in_flight: AtomicUsize,
    /// The most requests in flight; beyond it, 503 at once.
    pub max_in_flight: usize,
    /// How long a request may take before it is answered 503.
    pub request_timeout: Duration,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("accounts", &self.accounts)
            .field("demo", &self.demo_clock.is_some())
            .finish_non_exhaustive()
    }
}
