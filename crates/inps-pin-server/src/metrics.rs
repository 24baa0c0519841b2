//! Prometheus metrics: logins, failures, blocks, shed requests, the deciding queue, Argon2's
//! time, the outbox's lag. Served at `GET /metrics`; nothing in them names a person.

use std::sync::atomic::AtomicI64;

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::gauge::Gauge;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

/// A label of one value.
#[derive(Clone, Debug, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct Why {
    /// The value.
    pub reason: &'static str,
}

/// The service's metrics.
#[derive(Debug)]
pub struct Metrics {
    registry: Registry,
    /// Logins (and first accesses, renewals) that opened a session.
    pub logins: Counter,
    /// Logins that failed (a wrong PIN, an unknown codice fiscale, a delay, a block).
    pub login_failures: Counter,
    /// Failures that blocked a lane.
    pub blocks: Counter,
    /// Requests answered 503 or 429 at once, by why.
    pub shed: Family<Why, Counter>,
    /// Decisions waiting for a deciding thread.
    pub queue_depth: Gauge,
    /// Requests in flight.
    pub in_flight: Gauge,
    /// The time of each decision that ran Argon2, in seconds.
    pub argon2_seconds: Histogram,
    /// Outbox rows not yet taken by a carrier.
    pub outbox_unsent: Gauge,
    /// How long the oldest of them has waited, in seconds.
    pub outbox_lag_seconds: Gauge<f64, std::sync::atomic::AtomicU64>,
    /// Operator actions, by what they did.
    pub operator_actions: Family<Why, Counter>,
    /// Accounts ticked by the ticker.
    pub ticks: Counter,
}

impl Default for Metrics {
    fn default() -> Metrics {
        let mut registry = Registry::with_prefix("inps_pin");
        let metrics = Metrics {
            logins: Counter::default(),
            login_failures: Counter::default(),
            blocks: Counter::default(),
            shed: Family::default(),
            queue_depth: Gauge::default(),
            in_flight: Gauge::default(),
            argon2_seconds: Histogram::new(exponential_buckets(0.001, 2.0, 14)),
            outbox_unsent: Gauge::default(),
            outbox_lag_seconds: Gauge::default(),
            operator_actions: Family::default(),
            ticks: Counter::default(),
            registry: Registry::default(),
        };
        registry.register("logins", "Sessions opened by a PIN", metrics.logins.clone());
        registry.register(
            "login_failures",
            "Failed logins: wrong PIN, unknown codice fiscale, delay or block",
            metrics.login_failures.clone(),
        );
        registry.register(
            "blocks",
            "Failures that blocked a lane",
            metrics.blocks.clone(),
        );
        registry.register(
            "shed",
            "Requests answered at once with 503 or 429, by reason",
            metrics.shed.clone(),
        );
        registry.register(
            "queue_depth",
            "Decisions waiting for a deciding thread",
            metrics.queue_depth.clone(),
        );
        registry.register("in_flight", "Requests in flight", metrics.in_flight.clone());
        registry.register(
            "argon2_seconds",
            "Time of each decision that ran Argon2",
            metrics.argon2_seconds.clone(),
        );
        registry.register(
            "outbox_unsent",
            "Outbox rows not yet taken by a carrier",
            metrics.outbox_unsent.clone(),
        );
        registry.register(
            "outbox_lag_seconds",
            "How long the oldest unsent outbox row has waited",
            metrics.outbox_lag_seconds.clone(),
        );
        registry.register(
            "operator_actions",
            "Operator actions, by action",
            metrics.operator_actions.clone(),
        );
        registry.register(
            "ticks",
            "Accounts ticked at their deadline",
            metrics.ticks.clone(),
        );
        Metrics {
            registry,
            ..metrics
        }
    }
}

impl Metrics {
    /// Counts a request shed for `reason`.
    pub fn shed(&self, reason: &'static str) {
        self.shed.get_or_create(&Why { reason }).inc();
    }

    /// Counts an operator action.
    pub fn operator_action(&self, action: &'static str) {
        self.operator_actions
            .get_or_create(&Why { reason: action })
            .inc();
    }

    /// The text exposition.
    #[must_use]
    pub fn encode(&self) -> String {
        let mut text = String::new();
        // Writing to a String cannot fail.
        let _ = prometheus_client::encoding::text::encode(&mut text, &self.registry);
        text
    }
}

/// Sets a gauge from a count.
pub fn set(gauge: &Gauge<i64, AtomicI64>, value: impl TryInto<i64>) {
    gauge.set(value.try_into().unwrap_or(i64::MAX));
}
