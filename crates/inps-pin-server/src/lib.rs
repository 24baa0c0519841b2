//! The INPS PIN as an HTTP service, on [`inps_pin`] and [`inps_pin_sqlx`].
//!
//! # Overview
//!
//! A [`ServiceBuilder`] takes the [`Config`] and what a deployment supplies (its
//! [`Carrier`], the institute's [`Archive`], the [`TesseraRegister`], the
//! [`OperatorDirectory`]) and builds a [`Service`]: the routes of version 1 of the API, the
//! background tasks (ticker, outbox drainer) and a way to serve them. The API's types are its
//! own ([`api`]), documented in an OpenAPI document served at `/v1/openapi.json`.
//!
//! Secure by default: without operators, an outbox key, a personal-data key and the registers
//! the service refuses to start and says what to configure (`--demo` makes a demo operator and
//! prints its key). Each person's data is stored sealed under a key of their own, which an
//! erasure destroys (R36).
//! Every malformed request gets a coded Italian answer; every answer carries
//! `Cache-Control: no-store` and the usual security headers; what cannot be served soon is
//! answered 503 with `Retry-After` at once.
//!
//! # Usage
//!
//! ```no_run
//! # async fn example() -> Result<(), Box<dyn std::error::Error>> {
//! use std::sync::Arc;
//! use inps_pin_server::{Config, MemoryCarrier, ServiceBuilder, bind};
//!
//! let config = Config { demo: true, ..Config::default() };
//! let service = ServiceBuilder::new(config)
//!     .carrier(Arc::new(MemoryCarrier::new())) // your e-mail, SMS and post
//!     .build()
//!     .await?;
//! let tasks = service.spawn_tasks();
//! let listener = bind("127.0.0.1:8080".parse()?)?;
//! service.serve(listener, async { let _ = tokio::signal::ctrl_c().await; }).await?;
//! tasks.stop().await;
//! # Ok(())
//! # }
//! ```
//!
//! A service with its own route layout takes the handlers ([`handlers`]) and wraps its
//! router with [`Service::finish`]: `examples/patronato.rs` does, in a page.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

pub mod api;
mod carrier;
mod config;
mod demo;
mod edge;
mod error;
mod extract;
pub mod handlers;
mod limits;
mod metrics;
mod openapi;
mod operators;
mod registers;
mod service;
mod state;

pub use carrier::{Carrier, CarrierError, Drained, LogCarrier, MemoryCarrier, Sent, drain_outbox};
pub use config::{
    Config, ConfigError, LoadConfig, TaskConfig, database_kind, parse_keyring, parse_outbox_keys,
};
pub use error::{ApiError, Coded, error_response, status_for};
pub use extract::{
    ApiJson, DEVICE_COOKIE, OPERATOR_KEY_HEADER, OperatorAuth, bearer, device_cookie,
};
pub use limits::{ClientLimiter, Pacing};
pub use metrics::Metrics;
pub use openapi::ApiDoc;
pub use operators::{
    Operator, OperatorDirectory, OperatorEntry, OperatorRole, OperatorsError, StaticOperators,
    key_hash, new_operator_key,
};
pub use registers::{
    Archive, ArchiveFixture, CardFixture, CardStatus, FixtureArchive, FixtureError,
    FixtureTesseraRegister, RegisterUnavailable, TesseraRegister,
};
pub use service::{Service, ServiceBuilder, StartError, Tasks, bind};
pub use state::AppState;

/// The trait macro the deployment's implementations of [`Carrier`], [`Archive`],
/// [`TesseraRegister`] and [`OperatorDirectory`] use.
pub use async_trait::async_trait;
/// The axum this crate was built against.
pub use axum;
/// The store crate.
pub use inps_pin_sqlx;
