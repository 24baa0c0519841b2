//! The handlers, one function an endpoint, public so that a service can lay its routes out
//! its own way ([`crate::Service::v1_routes`] is one layout; `examples/patronato.rs` another).

pub mod operations;
pub mod operator;
pub mod person;
pub mod personal_data;

pub use operations::{health, metrics, not_found, openapi, ready};
pub use operator::{
    account_view, contact_center_request, demo_clock, revoke, sede_request, sede_upgrade,
    upgrade_decision, upgrade_request,
};
pub use person::{authorise, first_access, log_out, login, renew, request_pin, restore};
pub use personal_data::{account_export, erasure, my_export};
