//! The service: built from the configuration and what the deployment supplies, then served.

use std::future::Future;
use std::net::SocketAddr;
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::time::Duration;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use axum::routing::{delete, get, post};
use axum::serve::ListenerExt as _;
use inps_pin::rand_core::Rng;
use inps_pin::{OperatorId, Policy};
use inps_pin_sqlx::{
    Accounts, Clock, DecidingOptions, DecidingPool, Entropy, ManualClock, OutboxKey, OutboxKeys,
    PersonalDataKey, PersonalDataKeys, Store, StoreOptions,
};
use jiff::SignedDuration;
use tokio::net::TcpListener;
use tokio::sync::watch;
use tokio::task::JoinHandle;
use zeroize::Zeroizing;

use crate::carrier::{Carrier, LogCarrier, drain_outbox};
use crate::config::{Config, ConfigError, field};
use crate::handlers;
use crate::limits::{ClientLimiter, Pacing};
use crate::metrics::Metrics;
use crate::operators::{
    OperatorDirectory, OperatorEntry, OperatorRole, StaticOperators, new_operator_key,
};
use crate::registers::{
    Archive, ArchiveFixture, CardFixture, FixtureArchive, FixtureTesseraRegister, TesseraRegister,
};
use crate::state::AppState;
use crate::{demo, edge};

/// Why the service did not start.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum StartError {
    /// The configuration is wrong, or something the deployment must supply is missing.
    #[error(transparent)]
    Config(#[from] ConfigError),
    /// The database could not be reached or migrated.
    #[error("the database")]
    Store(#[from] inps_pin_sqlx::StoreError),
    /// A thread or a file could not be opened.
    #[error("starting")]
    Io(#[from] std::io::Error),
}

/// Builds a [`Service`] from the configuration and what the deployment supplies: its carrier,
/// archive, health-card register and directory of operators. What is not supplied in code is
/// taken from the configuration (tables and a log, stand-ins), or in demo mode from built-in
/// fixtures; a service that would start without it refuses, naming what to configure.
pub struct ServiceBuilder {
    config: Config,
    carrier: Option<Arc<dyn Carrier>>,
    archive: Option<Arc<dyn Archive>>,
    tessera: Option<Arc<dyn TesseraRegister>>,
    operators: Option<Arc<dyn OperatorDirectory>>,
    policy: Option<Policy>,
    clock: Option<Arc<dyn Clock>>,
    entropy: Option<Entropy>,
}

impl std::fmt::Debug for ServiceBuilder {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ServiceBuilder")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

impl ServiceBuilder {
    /// A builder from a configuration.
    #[must_use]
    pub fn new(config: Config) -> ServiceBuilder {
        ServiceBuilder {
            config,
            carrier: None,
            archive: None,
            tessera: None,
            operators: None,
            policy: None,
            clock: None,
            entropy: None,
        }
    }

    /// The carriers that take deliveries and notices.
    #[must_use]
    pub fn carrier(mut self, carrier: Arc<dyn Carrier>) -> ServiceBuilder {
        self.carrier = Some(carrier);
        self
    }

    /// The institute's archive.
    #[must_use]
    pub fn archive(mut self, archive: Arc<dyn Archive>) -> ServiceBuilder {
        self.archive = Some(archive);
        self
    }

    /// The health-card register.
    #[must_use]
    pub fn tessera_register(mut self, register: Arc<dyn TesseraRegister>) -> ServiceBuilder {
        self.tessera = Some(register);
        self
    }

    /// The directory of operators.
    #[must_use]
    pub fn operators(mut self, operators: Arc<dyn OperatorDirectory>) -> ServiceBuilder {
        self.operators = Some(operators);
        self
    }

    /// The policy (instead of the configuration's file or the default).
    #[must_use]
    pub fn policy(mut self, policy: Policy) -> ServiceBuilder {
        self.policy = Some(policy);
        self
    }

    /// Another clock (tests).
    #[must_use]
    pub fn clock(mut self, clock: Arc<dyn Clock>) -> ServiceBuilder {
        self.clock = Some(clock);
        self
    }

    /// Another source of generators (tests: a seed).
    #[must_use]
    pub fn entropy(mut self, entropy: Entropy) -> ServiceBuilder {
        self.entropy = Some(entropy);
        self
    }

    /// Connects to the database (migrating it), starts the deciding threads, and gathers what
    /// the service needs.
    ///
    /// # Errors
    /// [`StartError`]: the configuration, something missing, the database.
    pub async fn build(self) -> Result<Service, StartError> {
        let config = self.config;
        config.validate()?;
        let demo = config.demo;
        let policy = match (self.policy, &config.policy_file) {
            (Some(policy), _) => policy,
            (None, Some(path)) => read_policy(path)?,
            (None, None) => Policy::default(),
        };
        let mut demo_key = None;
        let operators: Arc<dyn OperatorDirectory> = match self.operators {
            Some(operators) => operators,
            None if !config.operators.is_empty() => Arc::new(
                StaticOperators::new(&config.operators)
                    .map_err(|error| field("operators", error.to_string()))?,
            ),
            None if demo => {
                let (key, hash) =
                    new_operator_key(&mut inps_pin::rand_core::UnwrapErr(getrandom::SysRng));
                demo_key = Some(key);
                let entry = OperatorEntry {
                    id: "demo-operator".to_owned(),
                    roles: vec![
                        OperatorRole::Sede,
                        OperatorRole::ContactCenter,
                        OperatorRole::BackOffice,
                        OperatorRole::Auditor,
                    ],
                    key_sha256: hash,
                };
                Arc::new(
                    StaticOperators::new(&[entry])
                        .map_err(|error| field("operators", error.to_string()))?,
                )
            }
            None => {
                return Err(field(
                    "operators",
                    "no operator is configured, and the service has no default key: add \
                     [[operators]] entries (id, roles, key_sha256) to the configuration file \
                     (`inps-pin-server operator-key ID` makes a key and its hash), or start \
                     with --demo to try it",
                )
                .into());
            }
        };
        let keys = match &config.outbox_keys {
            Some(_) => config.outbox()?,
            None if demo => {
                let mut key = Zeroizing::new([0u8; 32]);
                inps_pin::rand_core::UnwrapErr(getrandom::SysRng).fill_bytes(&mut *key);
                OutboxKeys::new(
                    OutboxKey::new("demo", &key)
                        .map_err(|error| field("outbox_keys", error.to_string()))?,
                )
            }
            None => {
                return Err(field(
                    "outbox_keys",
                    "codes wait in the outbox sealed under a key of yours: set \
                     INPS_PIN_OUTBOX_KEYS to ID:64-HEX-DIGITS (`inps-pin-server outbox-key ID` \
                     makes one), or start with --demo",
                )
                .into());
            }
        };
        let personal_data_keys = match &config.personal_data_keys {
            Some(_) => config.personal_data()?,
            None if demo => {
                let mut key = Zeroizing::new([0u8; 32]);
                inps_pin::rand_core::UnwrapErr(getrandom::SysRng).fill_bytes(&mut *key);
                PersonalDataKeys::new(
                    PersonalDataKey::new("demo", &key)
                        .map_err(|error| field("personal_data_keys", error.to_string()))?,
                )
            }
            None => {
                return Err(field(
                    "personal_data_keys",
                    "each person's data is sealed under a key of their own, wrapped under a \
                     master key of yours: set INPS_PIN_PERSONAL_DATA_KEYS to \
                     ID:64-HEX-DIGITS (`inps-pin-server personal-data-key ID` makes one), or \
                     start with --demo",
                )
                .into());
            }
        };
        let archive: Arc<dyn Archive> = match (self.archive, &config.archive_file) {
            (Some(archive), _) => archive,
            (None, Some(path)) => {
                let fixtures: Vec<ArchiveFixture> = read_json(path, "archive_file")?;
                Arc::new(
                    FixtureArchive::from_fixtures(&fixtures)
                        .map_err(|error| field("archive_file", error.to_string()))?,
                )
            }
            (None, None) if demo => Arc::new(demo::archive()),
            (None, None) => return Err(missing_register("archive_file").into()),
        };
        let tessera: Arc<dyn TesseraRegister> = match (self.tessera, &config.tessera_file) {
            (Some(register), _) => register,
            (None, Some(path)) => {
                let fixtures: Vec<CardFixture> = read_json(path, "tessera_file")?;
                Arc::new(
                    FixtureTesseraRegister::from_fixtures(&fixtures)
                        .map_err(|error| field("tessera_file", error.to_string()))?,
                )
            }
            (None, None) if demo => Arc::new(demo::tessera_register()),
            (None, None) => return Err(missing_register("tessera_file").into()),
        };
        let carrier: Arc<dyn Carrier> = match (self.carrier, &config.carrier_log) {
            (Some(carrier), _) => carrier,
            (None, Some(path)) => Arc::new(LogCarrier::open(path.clone())),
            (None, None) if demo => Arc::new(LogCarrier::open("inps-pin-demo-carrier.log".into())),
            (None, None) => return Err(missing_register("carrier_log").into()),
        };

        let store = Store::connect_with(
            &config.database_url,
            &StoreOptions {
                max_connections: config.max_connections,
                sqlite_synchronous: config.sqlite_synchronous,
                postgres_synchronous_commit: config.postgres_synchronous_commit,
                ..StoreOptions::default()
            },
            personal_data_keys,
        )
        .await?;
        let defaults = DecidingOptions::default();
        let threads = config.load.deciding_threads.unwrap_or(defaults.threads);
        let deciding = DecidingPool::new(DecidingOptions {
            threads,
            queue_bound: config
                .load
                .queue_bound
                .unwrap_or_else(|| threads.saturating_mul(24)),
            max_wait: Duration::from_millis(config.load.max_wait_ms),
        })?;
        let device_cookie_age =
            SignedDuration::from_hours(24 * i64::from(policy.trusted_devices.valid_days));
        let demo_clock =
            (demo && self.clock.is_none()).then(|| Arc::new(ManualClock::system_with_offset()));
        let clock: Option<Arc<dyn Clock>> = match (&self.clock, &demo_clock) {
            (Some(clock), _) => Some(Arc::clone(clock)),
            (None, Some(demo)) => Some(Arc::clone(demo) as Arc<dyn Clock>),
            (None, None) => None,
        };
        let mut accounts = Accounts::new(store, policy, keys)?
            .with_deciding(Arc::new(deciding))
            .with_outage_patience(Duration::from_millis(config.load.outage_patience_ms))
            .with_session_lifetime(SignedDuration::from_mins(i64::from(config.session_minutes)));
        if let Some(clock) = clock {
            accounts = accounts.with_clock(clock);
        }
        if let Some(entropy) = self.entropy {
            accounts = accounts.with_entropy(entropy);
        }
        let state = AppState {
            accounts,
            archive,
            tessera,
            operators,
            carrier,
            archive_checker: OperatorId::new("archivio-inps")
                .map_err(|error| field("archive", error.to_string()))?,
            demo_clock,
            limiter: ClientLimiter::new(config.load.anonymous_per_minute),
            pacing: Pacing::default(),
            metrics: Metrics::default(),
            client_ip_header: config.client_ip_header.clone(),
            device_cookie_age,
            draining: AtomicBool::new(false),
            in_flight: AtomicUsize::new(0),
            max_in_flight: config.load.max_in_flight,
            request_timeout: config.request_timeout(),
        };
        Ok(Service {
            state: Arc::new(state),
            config,
            demo_key,
        })
    }
}

fn missing_register(name: &'static str) -> ConfigError {
    field(
        name,
        "the service consults the institute's archive and the health-card register and hands \
         codes to carriers: supply them in code (ServiceBuilder::archive, tessera_register, \
         carrier), or give the stand-ins' files in the configuration (archive_file, \
         tessera_file, carrier_log), or start with --demo",
    )
}

fn read_policy(path: &Path) -> Result<Policy, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| field("policy_file", format!("{}: {error}", path.display())))?;
    // A partial file is a whole policy: the rest are the defaults; a wrong value is refused
    // here, naming the field (R34).
    serde_json::from_str(&text).map_err(|error| field("policy_file", error.to_string()))
}

fn read_json<T: serde::de::DeserializeOwned>(
    path: &Path,
    name: &'static str,
) -> Result<T, ConfigError> {
    let text = std::fs::read_to_string(path)
        .map_err(|error| field(name, format!("{}: {error}", path.display())))?;
    serde_json::from_str(&text).map_err(|error| field(name, error.to_string()))
}

/// A built service: its routes, its background tasks, and a way to serve them.
pub struct Service {
    state: Arc<AppState>,
    config: Config,
    demo_key: Option<Zeroizing<String>>,
}

impl std::fmt::Debug for Service {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Service")
            .field("config", &self.config)
            .finish_non_exhaustive()
    }
}

/// The background tasks of a service: the ticker, the outbox's drainer, the sessions' purge.
#[derive(Debug)]
pub struct Tasks {
    stop: watch::Sender<bool>,
    handles: Vec<JoinHandle<()>>,
}

impl Tasks {
    /// Stops them and waits for each to end its round.
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        for handle in self.handles {
            let _ = handle.await;
        }
    }
}

impl Service {
    /// The shared state (tests, a service's own handlers).
    #[must_use]
    pub fn state(&self) -> &Arc<AppState> {
        &self.state
    }

    /// The configuration it was built from.
    #[must_use]
    pub fn config(&self) -> &Config {
        &self.config
    }

    /// In demo mode, the key of the demo operator created at start: print it, never keep it.
    #[must_use]
    pub fn demo_operator_key(&self) -> Option<&str> {
        self.demo_key.as_deref().map(String::as_str)
    }

    /// Version 1 of the API, as routes to lay out or nest: the person's and the operators'.
    pub fn v1_routes() -> Router<Arc<AppState>> {
        Router::new()
            .route("/v1/pin-requests", post(handlers::request_pin))
            .route("/v1/first-access", post(handlers::first_access))
            .route("/v1/login", post(handlers::login))
            .route("/v1/renewal", post(handlers::renew))
            .route("/v1/restore", post(handlers::restore))
            .route("/v1/authorisations", post(handlers::authorise))
            .route("/v1/session", delete(handlers::log_out))
            .route("/v1/me/export", get(handlers::my_export))
            .route(
                "/v1/operator/contact-center/pin-requests",
                post(handlers::contact_center_request),
            )
            .route(
                "/v1/operator/sede/pin-requests",
                post(handlers::sede_request),
            )
            .route("/v1/operator/revocations", post(handlers::revoke))
            .route(
                "/v1/operator/upgrade-requests",
                post(handlers::upgrade_request),
            )
            .route(
                "/v1/operator/upgrade-decisions",
                post(handlers::upgrade_decision),
            )
            .route("/v1/operator/sede/upgrades", post(handlers::sede_upgrade))
            .route(
                "/v1/operator/accounts/{codice_fiscale}",
                get(handlers::account_view),
            )
            .route(
                "/v1/operator/accounts/{codice_fiscale}/export",
                get(handlers::account_export),
            )
            .route(
                "/v1/operator/accounts/{codice_fiscale}/erasure",
                post(handlers::erasure),
            )
            .route("/v1/operator/demo/clock", post(handlers::demo_clock))
            .route("/v1/openapi.json", get(handlers::openapi))
    }

    /// The routes of operations: `/healthz`, `/readyz`, `/metrics`.
    pub fn operations_routes() -> Router<Arc<AppState>> {
        Router::new()
            .route("/healthz", get(handlers::health))
            .route("/readyz", get(handlers::ready))
            .route("/metrics", get(handlers::metrics))
    }

    /// Any layout of routes, with what every answer needs: the edge (a cap on requests in
    /// flight, a deadline, the security headers), the body limit, a coded answer for what is
    /// not a route, and the state.
    pub fn finish(&self, routes: Router<Arc<AppState>>) -> Router {
        routes
            .fallback(handlers::not_found)
            .method_not_allowed_fallback(handlers::not_found)
            .layer(DefaultBodyLimit::max(self.config.load.body_limit_bytes))
            .layer(axum::middleware::from_fn_with_state(
                Arc::clone(&self.state),
                edge::edge,
            ))
            .with_state(Arc::clone(&self.state))
    }

    /// The standard router: version 1 of the API and the routes of operations.
    pub fn router(&self) -> Router {
        self.finish(Service::v1_routes().merge(Service::operations_routes()))
    }

    /// Starts the background tasks: the ticker drains every due deadline in batches, the
    /// drainer hands the outbox to the carrier, and expired sessions are purged.
    #[must_use]
    pub fn spawn_tasks(&self) -> Tasks {
        let (stop, stopped) = watch::channel(false);
        let tasks = &self.config.tasks;
        let ticker = {
            let state = Arc::clone(&self.state);
            let batch = tasks.tick_batch;
            every(
                Duration::from_millis(tasks.tick_interval_ms),
                stopped.clone(),
                move || {
                    let state = Arc::clone(&state);
                    async move {
                        match state.accounts.tick_due(batch).await {
                            Ok(report) => {
                                state.metrics.ticks.inc_by(report.ticked as u64);
                            }
                            Err(error) => {
                                tracing::error!(error = %error, "the ticker failed; retrying");
                            }
                        }
                        false
                    }
                },
            )
        };
        let drainer = {
            let state = Arc::clone(&self.state);
            let batch = tasks.drain_batch;
            every(
                Duration::from_millis(tasks.drain_interval_ms),
                stopped.clone(),
                move || {
                    let state = Arc::clone(&state);
                    async move {
                        match drain_outbox(&state.accounts, state.carrier.as_ref(), batch).await {
                            // A full batch: more may wait; go again at once.
                            Ok(drained) => {
                                drained.claimed >= batch as usize && drained.refused == 0
                            }
                            Err(error) => {
                                tracing::error!(error = %error, "the drainer failed; retrying");
                                false
                            }
                        }
                    }
                },
            )
        };
        let purge = {
            let state = Arc::clone(&self.state);
            every(Duration::from_secs(60), stopped, move || {
                let state = Arc::clone(&state);
                async move {
                    let now = state.accounts.clock().now();
                    if let Err(error) = state.accounts.store().purge_expired_sessions(now).await {
                        tracing::error!(error = %error, "purging sessions failed");
                    }
                    // Keys a crash left with nothing sealed under them (R36).
                    match state.accounts.store().purge_unused_keys(now).await {
                        Ok(0) => {}
                        Ok(purged) => tracing::info!(purged, "unused person keys deleted"),
                        Err(error) => tracing::error!(error = %error, "purging unused keys failed"),
                    }
                    false
                }
            })
        };
        Tasks {
            stop,
            handles: vec![ticker, drainer, purge],
        }
    }

    /// Serves on `listener` until `shutdown` completes, then finishes the requests in flight
    /// (and the decisions they wait for) before returning.
    ///
    /// # Errors
    /// The listener's failure.
    pub async fn serve(
        &self,
        listener: TcpListener,
        shutdown: impl Future<Output = ()> + Send + 'static,
    ) -> std::io::Result<()> {
        let state = Arc::clone(&self.state);
        let router = self.router();
        // Answers are small and a client waits for each: send them without Nagle's delay.
        let listener = listener.tap_io(|tcp| {
            let _ = tcp.set_nodelay(true);
        });
        axum::serve(
            listener,
            router.into_make_service_with_connect_info::<SocketAddr>(),
        )
        .with_graceful_shutdown(async move {
            shutdown.await;
            state.draining.store(true, Ordering::Release);
            tracing::info!("shutting down: finishing the requests in flight");
        })
        .await
    }
}

/// Runs `round` every `period` until stopped; a round that returns `true` is run again at once.
fn every<F, Fut>(
    period: Duration,
    mut stopped: watch::Receiver<bool>,
    mut round: F,
) -> JoinHandle<()>
where
    F: FnMut() -> Fut + Send + 'static,
    Fut: Future<Output = bool> + Send,
{
    tokio::spawn(async move {
        loop {
            if *stopped.borrow() {
                return;
            }
            if round().await {
                continue;
            }
            tokio::select! {
                _ = tokio::time::sleep(period) => {}
                _ = stopped.changed() => return,
            }
        }
    })
}

/// Binds `address` for listening even while the sockets of an instance that just died linger
/// (`SO_REUSEADDR`): a restart after a crash does not fail with "Address already in use".
///
/// # Errors
/// The operating system's refusal.
pub fn bind(address: SocketAddr) -> std::io::Result<TcpListener> {
    let socket = if address.is_ipv4() {
        tokio::net::TcpSocket::new_v4()?
    } else {
        tokio::net::TcpSocket::new_v6()?
    };
    socket.set_reuseaddr(true)?;
    socket.bind(address)?;
    socket.listen(1024)
}
