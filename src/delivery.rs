//! Deliveries: the one place a secret leaves the crate (R8).
//!
//! A [`Delivery`] says which part of a PIN goes where (screen, e-mail, SMS, the operator's
//! voice, the post, the counter) and carries the code itself for the carrier. Serialized, a
//! delivery keeps everything but the code, so a service can record it in an outbox or an audit
//! log; the code travels only in memory, from [`Delivery::secret`] to the carrier.

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::channel::{ContactCenterLine, OperatorId};
use crate::person::{Address, Email, MobileNumber, Person};
use crate::secret::Secret;

/// Which part of which PIN a delivery carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum PinPart {
    /// The first 8 characters of a 16-character PIN.
    FirstHalf,
    /// The last 8 characters of a 16-character PIN.
    SecondHalf,
    /// All 16 characters, handed over at a sede.
    WholeFirstPin,
    /// The 8-character PIN given at first access, used for every later login.
    Pin,
}

/// How a part of a PIN reaches the person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Medium {
    /// Shown on screen at the end of the procedure.
    Screen,
    /// Sent by e-mail.
    Email(Email),
    /// Sent by SMS.
    Sms(MobileNumber),
    /// Read aloud by the Contact Center operator on the line the person called.
    ReadByOperator(ContactCenterLine),
    /// Ordinary post, in a sealed envelope, to the residence address.
    SealedPost(Address),
    /// Ordinary post, for notices that carry no code.
    Post(Address),
    /// A sealed envelope handed over at the sede counter by the operator who checked the
    /// identity document.
    SealedEnvelopeAtCounter(OperatorId),
}

impl Medium {
    /// The person's e-mail, or else their mobile by SMS: the fastest channel that reaches
    /// them without an operator or the post. `None` if they gave neither.
    pub(crate) fn electronic_contact(person: &Person) -> Option<Medium> {
        person
            .email()
            .map(|email| Medium::Email(email.clone()))
            .or_else(|| person.mobile().map(|mobile| Medium::Sms(mobile.clone())))
    }
}

impl fmt::Display for Medium {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Medium::Screen => f.write_str("on screen"),
            Medium::Email(email) => write!(f, "by e-mail to {email}"),
            Medium::Sms(mobile) => write!(f, "by SMS to {mobile}"),
            Medium::ReadByOperator(line) => {
                write!(f, "read by the Contact Center operator ({})", line.number())
            }
            Medium::SealedPost(address) => write!(f, "by post, sealed envelope, to {address}"),
            Medium::Post(address) => write!(f, "by post to {address}"),
            Medium::SealedEnvelopeAtCounter(operator) => {
                write!(
                    f,
                    "sealed envelope at the counter (operator {})",
                    operator.as_str()
                )
            }
        }
    }
}

/// A part of a PIN to hand to a person through one medium.
///
/// `Debug`, `Display` and serde never show the code: only [`Delivery::secret`] does.
///
/// ```
/// # use inps_pin::*;
/// # fn show(delivery: &Delivery) {
/// // The log line names the part and the medium, never the code.
/// let log_line = delivery.to_string(); // "first half of the PIN on screen"
/// if let Some(code) = delivery.secret() {
///     // hand code.expose() to the screen, the mailer, the printer…
/// #   let _ = code.expose();
/// }
/// # let _ = log_line;
/// # }
/// ```
#[derive(Debug, Serialize, Deserialize)]
pub struct Delivery {
    part: PinPart,
    medium: Medium,
    /// Never serialized: a delivery read back from storage has no code.
    #[serde(skip)]
    secret: Option<Secret>,
}

impl Delivery {
    pub(crate) fn new(part: PinPart, medium: Medium, secret: Secret) -> Delivery {
        Delivery {
            part,
            medium,
            secret: Some(secret),
        }
    }

    /// Which part of which PIN.
    #[must_use]
    pub fn part(&self) -> PinPart {
        self.part
    }

    /// How it travels.
    #[must_use]
    pub fn medium(&self) -> &Medium {
        &self.medium
    }

    /// The code, for the carrier; `None` once the delivery went through serde.
    #[must_use]
    pub fn secret(&self) -> Option<&Secret> {
        self.secret.as_ref()
    }

    /// Takes the code out, leaving `None`: for a carrier that consumes it.
    pub fn take_secret(&mut self) -> Option<Secret> {
        self.secret.take()
    }
}

impl PartialEq for Delivery {
    /// Equal when part and medium are; the code is never compared (it would not be in
    /// constant time, and two deliveries of one code are the same delivery).
    fn eq(&self, other: &Self) -> bool {
        self.part == other.part && self.medium == other.medium
    }
}

impl Eq for Delivery {}

impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let part = match self.part {
            PinPart::FirstHalf => "first half of the PIN",
            PinPart::SecondHalf => "second half of the PIN",
            PinPart::WholeFirstPin => "16-character PIN",
            PinPart::Pin => "8-character PIN",
        };
        write!(f, "{part} {}", self.medium)
    }
}
