//! The service's configuration: a TOML file, then the environment (`INPS_PIN_…`, with `__`
//! between nested names), checked at start like the policy (R34). A service that would start
//! insecurely refuses to start and says what to configure.

use std::path::{Path, PathBuf};
use std::time::Duration;

use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use inps_pin_sqlx::{
    KeyError, Keyring, OutboxKeys, PersonalDataKeys, SealingKey, SqliteSynchronous,
};
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::operators::OperatorEntry;

/// The configuration of one instance.
///
/// Every field has a default except what must be the deployment's own (operators, outbox
/// keys, personal-data keys, registers): those the service refuses to start without, unless
/// in demo mode.
#[derive(Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Where to listen.
    pub listen: String,
    /// `sqlite://file?mode=rwc` (embedded) or `postgres://user@host/db` (several instances).
    pub database_url: String,
    /// Connections in the pool.
    pub max_connections: u32,
    /// SQLite's durability ([`SqliteSynchronous`]).
    pub sqlite_synchronous: SqliteSynchronous,
    /// PostgreSQL's `synchronous_commit`.
    pub postgres_synchronous_commit: bool,
    /// A JSON policy file; it may give only the fields it changes (R34). None: the default
    /// policy, the system the sources describe.
    pub policy_file: Option<PathBuf>,
    /// The longest a session lasts, in minutes, whatever its PIN does.
    pub session_minutes: u32,
    /// The outbox's keys: `id:64-hex-digits`, comma-separated, the first sealing. Give it in
    /// the environment (`INPS_PIN_OUTBOX_KEYS`), not in a file.
    pub outbox_keys: Option<String>,
    /// The master keys that wrap each person's own data key (R36): `id:64-hex-digits`,
    /// comma-separated, the first wrapping. Give it in the environment
    /// (`INPS_PIN_PERSONAL_DATA_KEYS`), not in a file.
    pub personal_data_keys: Option<String>,
    /// The operators and the SHA-256 of their keys.
    pub operators: Vec<OperatorEntry>,
    /// The archive's records (a JSON array), for the stand-in archive.
    pub archive_file: Option<PathBuf>,
    /// The health-card register's cards (a JSON array), for the stand-in register.
    pub tessera_file: Option<PathBuf>,
    /// Where the stand-in carrier writes what it sends, codes included.
    pub carrier_log: Option<PathBuf>,
    /// Load: the deciding queue, deadlines, limits.
    pub load: LoadConfig,
    /// The background tasks.
    pub tasks: TaskConfig,
    /// The name of a header a trusted proxy sets to the client's address (e.g.
    /// `x-forwarded-for`): the per-client limit counts by it, by the last address of a list
    /// (the one the proxy appended). None: by the peer's address.
    pub client_ip_header: Option<String>,
    /// Demo mode: built-in fixtures, a demo operator and key printed at start, a clock that
    /// operators can move. Never in production.
    pub demo: bool,
}

/// How the service meets more than it can serve.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct LoadConfig {
    /// Deciding threads; None: one per core.
    pub deciding_threads: Option<usize>,
    /// The most decisions that may wait; None: 24 a thread (at 20 ms a decision, about half
    /// a second of work).
    pub queue_bound: Option<usize>,
    /// How long a decision may wait for a thread before it is dropped and answered 503.
    pub max_wait_ms: u64,
    /// How long a decided command waits for the database to come back (a restart) before
    /// it is answered 503; its Argon2 has run, and a client told 503 sends it again.
    pub outage_patience_ms: u64,
    /// How long a request may take before it is answered 503.
    pub request_timeout_ms: u64,
    /// The largest request body.
    pub body_limit_bytes: usize,
    /// Requests a client may make to the anonymous endpoints in a minute (0: no limit).
    pub anonymous_per_minute: u32,
    /// Requests in flight at once; beyond it, 503 at once.
    pub max_in_flight: usize,
}

impl Default for LoadConfig {
    fn default() -> LoadConfig {
        LoadConfig {
            deciding_threads: None,
            queue_bound: None,
            max_wait_ms: 600,
            outage_patience_ms: 2_000,
            request_timeout_ms: 10_000,
            body_limit_bytes: 16 * 1024,
            anonymous_per_minute: 60,
            max_in_flight: 4096,
        }
    }
}

/// The background tasks' pace.
#[derive(Clone, Debug, Deserialize, Serialize, PartialEq, Eq)]
#[serde(deny_unknown_fields, default)]
pub struct TaskConfig {
    /// How often the ticker looks for due deadlines, in milliseconds.
    pub tick_interval_ms: u64,
    /// Accounts a tick batch takes.
    pub tick_batch: u32,
    /// How often the drainer looks for outbox rows, in milliseconds.
    pub drain_interval_ms: u64,
    /// Rows a drain takes.
    pub drain_batch: u32,
}

impl Default for TaskConfig {
    fn default() -> TaskConfig {
        TaskConfig {
            tick_interval_ms: 1000,
            tick_batch: 500,
            drain_interval_ms: 250,
            drain_batch: 200,
        }
    }
}

impl Default for Config {
    fn default() -> Config {
        Config {
            listen: "127.0.0.1:8080".to_owned(),
            database_url: "sqlite://inps-pin.db?mode=rwc".to_owned(),
            max_connections: 8,
            sqlite_synchronous: SqliteSynchronous::default(),
            postgres_synchronous_commit: true,
            policy_file: None,
            session_minutes: 30,
            outbox_keys: None,
            personal_data_keys: None,
            operators: Vec::new(),
            archive_file: None,
            tessera_file: None,
            carrier_log: None,
            load: LoadConfig::default(),
            tasks: TaskConfig::default(),
            client_ip_header: None,
            demo: false,
        }
    }
}

impl std::fmt::Debug for Config {
    /// Everything but the keys.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("listen", &self.listen)
            .field("database", &database_kind(&self.database_url))
            .field("policy_file", &self.policy_file)
            .field("session_minutes", &self.session_minutes)
            .field("outbox_keys", &self.outbox_keys.as_ref().map(|_| "<set>"))
            .field(
                "personal_data_keys",
                &self.personal_data_keys.as_ref().map(|_| "<set>"),
            )
            .field("operators", &self.operators.len())
            .field("load", &self.load)
            .field("tasks", &self.tasks)
            .field("demo", &self.demo)
            .finish_non_exhaustive()
    }
}

/// Which server a URL names, without what it may hold (a password).
#[must_use]
pub fn database_kind(url: &str) -> &'static str {
    if url.starts_with("postgres") {
        "postgresql"
    } else if url.starts_with("sqlite") {
        "sqlite"
    } else {
        "unknown"
    }
}

/// Why the service will not start, naming the setting and what to do.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum ConfigError {
    /// The file or the environment does not read.
    #[error("the configuration does not read: {0}")]
    Read(String),
    /// A setting is wrong or missing.
    #[error("{field}: {message}")]
    Field {
        /// Which setting.
        field: &'static str,
        /// What is wrong, and what to set.
        message: String,
    },
}

pub(crate) fn field(field: &'static str, message: impl Into<String>) -> ConfigError {
    ConfigError::Field {
        field,
        message: message.into(),
    }
}

impl Config {
    /// The defaults, then `file` if given, then the environment's `INPS_PIN_…` variables
    /// (`INPS_PIN_DATABASE_URL`, `INPS_PIN_OUTBOX_KEYS`, `INPS_PIN_LOAD__MAX_WAIT_MS`, …).
    ///
    /// # Errors
    /// [`ConfigError::Read`] for a file or variable that does not read.
    pub fn load(file: Option<&Path>) -> Result<Config, ConfigError> {
        let mut figment = Figment::from(Serialized::defaults(Config::default()));
        if let Some(file) = file {
            if !file.exists() {
                return Err(ConfigError::Read(format!(
                    "{} does not exist",
                    file.display()
                )));
            }
            figment = figment.merge(Toml::file(file));
        }
        // Every `INPS_PIN_` variable is a setting, and one the service does not know is an
        // error (a mistyped key must not pass unseen), but for `INPS_PIN_REQUIRE_POSTGRES`: the
        // test suites' switch (`inps_pin_sqlx::testing`), set in the environment the service's
        // own benches and CI start it from.
        figment
            .merge(
                Env::prefixed("INPS_PIN_")
                    .ignore(&["REQUIRE_POSTGRES"])
                    .split("__"),
            )
            .extract()
            .map_err(|error| ConfigError::Read(error.to_string()))
    }

    /// Checks every setting's shape and range. What a deployment must supply (operators,
    /// outbox keys, registers, carriers) is checked by [`crate::ServiceBuilder::build`], which
    /// knows what was supplied in code.
    ///
    /// # Errors
    /// [`ConfigError::Field`] naming the first setting that is wrong or missing.
    pub fn validate(&self) -> Result<(), ConfigError> {
        if self.listen.parse::<std::net::SocketAddr>().is_err() {
            return Err(field(
                "listen",
                "an address and port, such as 127.0.0.1:8080",
            ));
        }
        if database_kind(&self.database_url) == "unknown" {
            return Err(field(
                "database_url",
                "sqlite://FILE?mode=rwc or postgres://USER@HOST/DATABASE",
            ));
        }
        if !(1..=256).contains(&self.max_connections) {
            return Err(field("max_connections", "1 to 256"));
        }
        if !(1..=24 * 60).contains(&self.session_minutes) {
            return Err(field("session_minutes", "1 to 1440 (a day)"));
        }
        self.validate_load()?;
        if let Some(text) = &self.outbox_keys {
            parse_outbox_keys(text).map_err(|error| field("outbox_keys", error.to_string()))?;
        }
        if let Some(text) = &self.personal_data_keys {
            parse_keyring(text).map_err(|error| field("personal_data_keys", error.to_string()))?;
        }
        Ok(())
    }

    fn validate_load(&self) -> Result<(), ConfigError> {
        let load = &self.load;
        if load
            .deciding_threads
            .is_some_and(|n| !(1..=256).contains(&n))
        {
            return Err(field("load.deciding_threads", "1 to 256"));
        }
        if load
            .queue_bound
            .is_some_and(|n| !(1..=100_000).contains(&n))
        {
            return Err(field("load.queue_bound", "1 to 100000"));
        }
        if !(10..=60_000).contains(&load.max_wait_ms) {
            return Err(field("load.max_wait_ms", "10 to 60000"));
        }
        if load.outage_patience_ms > 60_000 {
            return Err(field("load.outage_patience_ms", "0 to 60000"));
        }
        if !(100..=300_000).contains(&load.request_timeout_ms) {
            return Err(field("load.request_timeout_ms", "100 to 300000"));
        }
        if !(1024..=1024 * 1024).contains(&load.body_limit_bytes) {
            return Err(field("load.body_limit_bytes", "1024 to 1048576"));
        }
        if !(1..=1_000_000).contains(&load.max_in_flight) {
            return Err(field("load.max_in_flight", "1 to 1000000"));
        }
        let tasks = &self.tasks;
        if !(10..=3_600_000).contains(&tasks.tick_interval_ms) {
            return Err(field("tasks.tick_interval_ms", "10 to 3600000"));
        }
        if !(1..=5_000).contains(&tasks.tick_batch) {
            return Err(field("tasks.tick_batch", "1 to 5000"));
        }
        if !(10..=3_600_000).contains(&tasks.drain_interval_ms) {
            return Err(field("tasks.drain_interval_ms", "10 to 3600000"));
        }
        if !(1..=5_000).contains(&tasks.drain_batch) {
            return Err(field("tasks.drain_batch", "1 to 5000"));
        }
        Ok(())
    }

    /// The outbox's keys, from [`Config::outbox_keys`].
    ///
    /// # Errors
    /// [`ConfigError::Field`] if missing or malformed.
    pub fn outbox(&self) -> Result<OutboxKeys, ConfigError> {
        let text = self
            .outbox_keys
            .as_deref()
            .ok_or_else(|| field("outbox_keys", "not set"))?;
        parse_outbox_keys(text).map_err(|error| field("outbox_keys", error.to_string()))
    }

    /// The master keys of the person keys, from [`Config::personal_data_keys`].
    ///
    /// # Errors
    /// [`ConfigError::Field`] if missing or malformed.
    pub fn personal_data(&self) -> Result<PersonalDataKeys, ConfigError> {
        let text = self
            .personal_data_keys
            .as_deref()
            .ok_or_else(|| field("personal_data_keys", "not set"))?;
        parse_keyring(text).map_err(|error| field("personal_data_keys", error.to_string()))
    }

    /// The request timeout.
    #[must_use]
    pub fn request_timeout(&self) -> Duration {
        Duration::from_millis(self.load.request_timeout_ms)
    }
}

/// `id:hex,id:hex`: the first seals, all open.
///
/// # Errors
/// [`KeyError`] for a malformed id or key, or an id twice.
pub fn parse_outbox_keys(text: &str) -> Result<OutboxKeys, KeyError> {
    parse_keyring(text)
}

/// `id:hex,id:hex`, for any keyring (the outbox's, the personal data's): the first seals,
/// all open.
///
/// # Errors
/// [`KeyError`] for a malformed id or key, or an id twice.
pub fn parse_keyring(text: &str) -> Result<Keyring, KeyError> {
    let mut keys: Option<Keyring> = None;
    for item in text
        .split(',')
        .map(str::trim)
        .filter(|item| !item.is_empty())
    {
        let (id, hex) = item.split_once(':').ok_or(KeyError::Material {
            id: item.split(':').next().unwrap_or_default().to_owned(),
        })?;
        let key = SealingKey::from_hex(id.trim(), hex)?;
        keys = Some(match keys {
            None => Keyring::new(key),
            Some(keys) => keys.with_previous(key)?,
        });
    }
    keys.ok_or(KeyError::Material { id: String::new() })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn production() -> Config {
        Config {
            operators: vec![OperatorEntry {
                id: "sede-roma-01".to_owned(),
                roles: vec![crate::operators::OperatorRole::Sede],
                key_sha256: "ab".repeat(32),
            }],
            outbox_keys: Some(format!("k1:{}", "11".repeat(32))),
            personal_data_keys: Some(format!("p1:{}", "22".repeat(32))),
            archive_file: Some("archive.json".into()),
            tessera_file: Some("tessera.json".into()),
            carrier_log: Some("carrier.log".into()),
            ..Config::default()
        }
    }

    fn refused(config: &Config) -> &'static str {
        match config.validate() {
            Err(ConfigError::Field { field, .. }) => field,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn r36_a_malformed_personal_data_key_is_refused_by_name() {
        let mut config = production();
        config.personal_data_keys = Some("p1:short".to_owned());
        assert_eq!(refused(&config), "personal_data_keys");
        config.personal_data_keys = Some(format!("p1:{}", "ab".repeat(32)));
        assert!(!format!("{config:?}").contains("abab"));
    }

    #[test]
    fn a_malformed_outbox_key_is_refused_by_name() {
        assert!(production().validate().is_ok());
        let mut config = production();
        config.outbox_keys = Some("k1:short".to_owned());
        assert_eq!(refused(&config), "outbox_keys");
    }

    #[test]
    fn settings_out_of_range_are_refused_by_name() {
        let mut config = production();
        config.load.max_wait_ms = 0;
        assert_eq!(refused(&config), "load.max_wait_ms");
        config.load.max_wait_ms = 600;
        config.load.outage_patience_ms = 60_001;
        assert_eq!(refused(&config), "load.outage_patience_ms");
        let mut config = production();
        config.listen = "everywhere".to_owned();
        assert_eq!(refused(&config), "listen");
        let mut config = production();
        config.database_url = "mysql://x".to_owned();
        assert_eq!(refused(&config), "database_url");
        let mut config = production();
        config.session_minutes = 0;
        assert_eq!(refused(&config), "session_minutes");
    }

    #[test]
    fn outbox_keys_read_as_id_and_hex_the_first_sealing() {
        let keys =
            parse_outbox_keys(&format!("new:{},old:{}", "11".repeat(32), "22".repeat(32))).unwrap();
        assert_eq!(keys.current_id(), "new");
        assert!(parse_outbox_keys("").is_err());
        assert!(parse_outbox_keys("nocolon").is_err());
        assert!(
            parse_outbox_keys(&format!("a:{},a:{}", "11".repeat(32), "22".repeat(32))).is_err()
        );
    }

    #[test]
    fn debug_never_shows_the_outbox_keys() {
        let config = production();
        assert!(!format!("{config:?}").contains(&"11".repeat(32)));
    }
}
