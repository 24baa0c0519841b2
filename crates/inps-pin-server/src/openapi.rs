//! The OpenAPI document, generated from the API's types and handlers.

use utoipa::openapi::security::{ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityScheme};
use utoipa::{Modify, OpenApi};

use crate::handlers;

/// Version 1 of the API.
#[derive(OpenApi)]
#[openapi(
    info(
        title = "INPS PIN",
        version = "1",
        description = "The INPS online PIN: requests, first access, login, renewal, restore, \
                       authorisation, the person's export; operators' requests, revocations, upgrades, \
                       exports and erasures. Every \
                       error is `{code, message}`, the message in Italian."
    ),
    paths(
        handlers::person::request_pin,
        handlers::person::first_access,
        handlers::person::login,
        handlers::person::renew,
        handlers::person::restore,
        handlers::person::authorise,
        handlers::person::log_out,
        handlers::personal_data::my_export,
        handlers::operator::contact_center_request,
        handlers::operator::sede_request,
        handlers::operator::revoke,
        handlers::operator::upgrade_request,
        handlers::operator::upgrade_decision,
        handlers::operator::sede_upgrade,
        handlers::operator::account_view,
        handlers::personal_data::account_export,
        handlers::personal_data::erasure,
        handlers::operator::demo_clock,
        handlers::operations::openapi,
    ),
    modifiers(&Security),
    tags(
        (name = "person", description = "What the person does online"),
        (name = "operator", description = "What operators do; `x-operator-key` required"),
        (name = "operations", description = "The API's own description"),
    )
)]
pub struct ApiDoc;

/// The two ways a request proves who sends it.
struct Security;

impl Modify for Security {
    fn modify(&self, openapi: &mut utoipa::openapi::OpenApi) {
        let components = openapi.components.get_or_insert_with(Default::default);
        components.add_security_scheme(
            "session",
            SecurityScheme::Http(HttpBuilder::new().scheme(HttpAuthScheme::Bearer).build()),
        );
        components.add_security_scheme(
            "operator_key",
            SecurityScheme::ApiKey(ApiKey::Header(ApiKeyValue::new("x-operator-key"))),
        );
    }
}
