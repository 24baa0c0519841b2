//! Deliveries: the one place a secret leaves the crate (R8).
//!
//! A [`Delivery`] says which part of a PIN goes where (screen, e-mail, SMS, the operator's
//! voice, the post, the counter) and carries the code itself for the carrier. Serialized, a
//! delivery keeps everything but the code, so a service can record it in an audit log; the code
//! travels in memory, from [`Delivery::secret`] to the carrier.
//!
//! Two kinds of delivery, by their [`Medium`]:
//!
//! - **Parts shown on a screen belong to the immediate reply** ([`Medium::is_screen`],
//!   [`Delivery::is_for_the_reply`]): the first half at the end of the online procedure, the
//!   8-character PIN at a first access or a renewal, the first half the Contact Center operator
//!   reads aloud while the person is on the line. The service shows them in the response to the
//!   request that produced them, and never stores them.
//! - **Parts a carrier takes** (e-mail, SMS, post, the counter's envelope:
//!   [`Medium::is_carrier`]) may wait for it in an outbox. For that, and only on request,
//!   [`Delivery::into_outbox`] gives an [`OutboxDelivery`](crate::OutboxDelivery), the one
//!   serialized form that holds a code (R33).

use core::fmt;

use serde::{Deserialize, Serialize};

use crate::channel::{ContactCenterLine, OperatorId};
use crate::outbox::{NotForOutbox, OutboxDelivery};
use crate::person::{Address, Email, MobileNumber, Person};
use crate::secret::{FULL_LEN, HALF_LEN, Secret};

/// Which part of which PIN a delivery carries.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
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

impl PinPart {
    /// How many characters a code of this part has.
    pub(crate) fn code_len(self) -> usize {
        match self {
            PinPart::FirstHalf | PinPart::SecondHalf | PinPart::Pin => HALF_LEN,
            PinPart::WholeFirstPin => FULL_LEN,
        }
    }

    /// The part in words, for log lines.
    fn describe(self) -> &'static str {
        match self {
            PinPart::FirstHalf => "first half of the PIN",
            PinPart::SecondHalf => "second half of the PIN",
            PinPart::WholeFirstPin => "16-character PIN",
            PinPart::Pin => "8-character PIN",
        }
    }
}

/// How a part of a PIN reaches the person.
///
/// Either shown on a screen during the request ([`Medium::is_screen`]), or taken by a carrier
/// ([`Medium::is_carrier`]); every medium is exactly one of the two.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
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
    /// Whether the code is shown on a screen while the request that produced it is still
    /// open: the person's own ([`Medium::Screen`]), or the Contact Center operator's, who
    /// reads it aloud while the person is on the line ([`Medium::ReadByOperator`]). Such a part
    /// belongs to the immediate reply and never to an outbox (R33): once the page is gone or
    /// the call is over, nobody is there to read it.
    ///
    /// ```
    /// use inps_pin::{ContactCenterLine, Medium};
    ///
    /// assert!(Medium::Screen.is_screen());
    /// assert!(Medium::ReadByOperator(ContactCenterLine::TollFree).is_screen());
    /// assert!(!Medium::Screen.is_carrier());
    /// ```
    #[must_use]
    pub fn is_screen(&self) -> bool {
        match self {
            Medium::Screen | Medium::ReadByOperator(_) => true,
            Medium::Email(_)
            | Medium::Sms(_)
            | Medium::SealedPost(_)
            | Medium::Post(_)
            | Medium::SealedEnvelopeAtCounter(_) => false,
        }
    }

    /// Whether a carrier takes the part (the mailer, the SMS gateway, the post, the counter's
    /// printer), so that it may wait for it in an outbox (R33): the opposite of
    /// [`is_screen`](Self::is_screen).
    #[must_use]
    pub fn is_carrier(&self) -> bool {
        !self.is_screen()
    }

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
/// `Debug`, `Display` and serde never show the code: only [`Delivery::secret`] does. A part
/// shown on screen ([`Delivery::is_for_the_reply`]) goes into the response to the request; a
/// part for a carrier is handed to it directly, or through an outbox in the one serialized form
/// that keeps the code, [`Delivery::into_outbox`] (R33).
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

    /// Whether the part is shown on a screen and so belongs to the immediate reply to the
    /// request, never to an outbox (R33): see [`Medium::is_screen`].
    #[must_use]
    pub fn is_for_the_reply(&self) -> bool {
        self.medium.is_screen()
    }

    /// The delivery in the one serialized form that keeps its code, for an outbox that holds
    /// it until the carrier has taken it (R33). Opt-in: a plain `Delivery` serializes without
    /// its code.
    ///
    /// ```
    /// # use inps_pin::*;
    /// # fn queue(delivery: Delivery) -> Result<(), Box<dyn std::error::Error>> {
    /// match delivery.into_outbox() {
    ///     Ok(outbox) => {
    ///         let record = serde_json::to_vec(&outbox)?; // holds the code: encrypt it
    /// #       let _ = record;
    ///     }
    ///     // A part shown on screen goes into the reply, now.
    ///     Err(NotForOutbox::OnScreen(delivery)) => { /* show delivery.secret() */ }
    ///     Err(other) => return Err(other.into()),
    /// }
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// [`NotForOutbox::OnScreen`] for a part shown on screen, which belongs to the immediate
    /// reply; [`NotForOutbox::WithoutCode`] for a delivery whose code was taken or that went
    /// through serde. Both give the delivery back.
    pub fn into_outbox(self) -> Result<OutboxDelivery, NotForOutbox> {
        OutboxDelivery::from_delivery(self)
    }

    /// The part, the medium and the code, for the outbox form.
    pub(crate) fn into_parts(self) -> (PinPart, Medium, Option<Secret>) {
        (self.part, self.medium, self.secret)
    }

    /// A delivery that lost its code (the outbox's refusal gives it back whole).
    pub(crate) fn from_parts(part: PinPart, medium: Medium, secret: Option<Secret>) -> Delivery {
        Delivery {
            part,
            medium,
            secret,
        }
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

/// How a part goes, in words: shared by [`Delivery`] and [`OutboxDelivery`]'s `Display`.
pub(crate) fn describe(part: PinPart, medium: &Medium, f: &mut fmt::Formatter<'_>) -> fmt::Result {
    write!(f, "{} {medium}", part.describe())
}

impl fmt::Display for Delivery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        describe(self.part, &self.medium, f)
    }
}
