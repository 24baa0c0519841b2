//! The INPS online PIN as a sans-IO state machine.
#![forbid(unsafe_code)]
#![deny(missing_docs)]
#![warn(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::panic,
    clippy::indexing_slicing
)]

mod account;
mod assurance;
mod channel;
mod civil_time;
mod codice_fiscale;
mod delivery;
mod hash;
mod person;
mod policy;
mod secret;
mod timestamp_serde;

pub use account::{
    Account, Command, Context, Effect, Event, LoginFailure, Outcome, PinStatus, Refusal, Reply,
};
pub use assurance::{
    AssuranceLevel, Authorisation, Catalogue, CatalogueError, Credential, DenialReason,
    DigitalIdentity, Service, ServiceId, Session, SpidLevel, UnknownService, Verdict,
};
pub use channel::{
    Channel, ChannelRequest, ContactCenterLine, DocumentError, DocumentKind, IdentityDocument,
    OperatorId, OperatorIdError, SedeRequest,
};
pub use civil_time::rome_time_zone;
pub use codice_fiscale::{CodiceFiscale, CodiceFiscaleError, Sex};
pub use delivery::{Delivery, Medium, PinPart};
pub use hash::{HashCost, HashCostError, PinHash, PinHashError};
pub use person::{
    Address, ContactError, Email, LandlineNumber, MobileNumber, Person, PersonName, PhoneKind,
    PostalCode, Province, Role,
};
pub use policy::Policy;
pub use secret::{EnteredPin, FULL_LEN, HALF_LEN, PIN_ALPHABET, PinFormatError, Secret};
