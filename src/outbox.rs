//! The outbox form of a delivery (R33): the one serialized form that holds a code.
//!
//! A carrier (the mailer, the SMS gateway, the post, the counter's printer) may be down when a
//! command is handled, so a service stores the events and the deliveries together, under one
//! compare-and-swap, and a worker hands the deliveries to the carriers later. A plain
//! [`Delivery`] serializes without its code, which is right for logs and audit trails and
//! useless for that worker. [`Delivery::into_outbox`] gives the worker's form on request:
//! an [`OutboxDelivery`], which serializes *with* the code.
//!
//! **This is the one serialized form in the crate that holds a secret.** Whoever stores it:
//!
//! - keeps it encrypted at rest, never in a log, a queue dump or a backup in clear;
//! - deletes it once the carrier has taken it (and wipes the buffer it was serialized into);
//! - derives any idempotency key for the carrier from the account, its version, the
//!   [`part`](OutboxDelivery::part) and the [`medium`](OutboxDelivery::medium), never from
//!   the code.
//!
//! Parts shown on a screen never get this form ([`NotForOutbox::OnScreen`]): they belong to
//! the immediate reply to the request, and a stored copy would outlive the page that showed it.

use core::fmt;

use serde::de::{self, Deserializer, Visitor};
use serde::ser::{SerializeStruct, Serializer};
use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroize;

use crate::delivery::{Delivery, Medium, PinPart, describe};
use crate::secret::Secret;

/// A delivery waiting for its carrier, with its code: THE one serialized form of the crate that
/// holds a secret (R33).
///
/// Made from a carrier's [`Delivery`] by [`Delivery::into_outbox`], stored by the service
/// (encrypted), read back, turned into a [`Delivery`] again with
/// [`into_delivery`](Self::into_delivery) for the carrier, and then deleted. Serializes and
/// deserializes with the code (`part`, `medium`, `code`); on the way in, a code that is not 8
/// or 16 characters of the PIN alphabet, a code of the wrong length for its part, or a medium
/// shown on screen is refused. Like a [`Secret`], the code lives once on the heap, is wiped on
/// drop and prints as `[redacted]` in `Debug`; there is no `Clone`.
///
/// ```
/// use inps_pin::OutboxDelivery;
///
/// let stored = r#"{"part":"SecondHalf","medium":{"SealedPost":{"street":"Via Roma 1",
///     "postal_code":"00184","municipality":"Roma","province":"RM"}},"code":"ABCDEFGH"}"#;
/// let outbox: OutboxDelivery = serde_json::from_str(stored)?;
/// assert_eq!(outbox.secret().expose(), "ABCDEFGH"); // for the carrier, and nobody else
/// assert!(!format!("{outbox:?}").contains("ABCDEFGH"));
/// let delivery = outbox.into_delivery(); // what the carrier takes
/// assert_eq!(delivery.secret().map(|code| code.len()), Some(8));
/// # Ok::<(), serde_json::Error>(())
/// ```
#[derive(Debug, Deserialize)]
#[serde(try_from = "StoredOutboxDelivery")]
pub struct OutboxDelivery {
    part: PinPart,
    medium: Medium,
    secret: Secret,
}

impl OutboxDelivery {
    /// The outbox form of a carrier's delivery that still holds its code.
    pub(crate) fn from_delivery(delivery: Delivery) -> Result<OutboxDelivery, NotForOutbox> {
        let (part, medium, secret) = delivery.into_parts();
        if medium.is_screen() {
            return Err(NotForOutbox::OnScreen(Delivery::from_parts(
                part, medium, secret,
            )));
        }
        match secret {
            Some(secret) => Ok(OutboxDelivery {
                part,
                medium,
                secret,
            }),
            None => Err(NotForOutbox::WithoutCode(Delivery::from_parts(
                part, medium, None,
            ))),
        }
    }

    /// Which part of which PIN.
    #[must_use]
    pub fn part(&self) -> PinPart {
        self.part
    }

    /// The carrier's medium: never one shown on screen.
    #[must_use]
    pub fn medium(&self) -> &Medium {
        &self.medium
    }

    /// The code, for the carrier: read it with [`Secret::expose`] where it is handed over, and
    /// never log it or make keys from it.
    #[must_use]
    pub fn secret(&self) -> &Secret {
        &self.secret
    }

    /// The delivery again, with its code, for the carrier that takes it now.
    #[must_use]
    pub fn into_delivery(self) -> Delivery {
        Delivery::from_parts(self.part, self.medium, Some(self.secret))
    }
}

impl fmt::Display for OutboxDelivery {
    /// Like a [`Delivery`]'s: the part and the medium, never the code.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        describe(self.part, &self.medium, f)
    }
}

impl Serialize for OutboxDelivery {
    /// `part`, `medium` and `code`: the code in clear, on purpose (R33). Encrypt the result.
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut record = serializer.serialize_struct("OutboxDelivery", 3)?;
        record.serialize_field("part", &self.part)?;
        record.serialize_field("medium", &self.medium)?;
        record.serialize_field("code", self.secret.expose())?;
        record.end()
    }
}

/// Why a delivery was not given the outbox form. Each variant gives the delivery back.
#[derive(Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum NotForOutbox {
    /// The part is shown on a screen (the person's, or the Contact Center operator's while the
    /// person is on the line): it belongs to the immediate reply, never to an outbox (R33).
    #[error(
        "the {0} belongs to the immediate reply, never to an outbox: show it in the response to the request"
    )]
    OnScreen(Delivery),
    /// The delivery holds no code any more: it was taken with
    /// [`Delivery::take_secret`], or the delivery went through serde, which drops it.
    #[error(
        "the {0} holds no code any more (taken, or read back from storage): make the outbox form from the delivery the command returned"
    )]
    WithoutCode(Delivery),
}

impl NotForOutbox {
    /// The delivery, given back: to show a screen part in the reply.
    #[must_use]
    pub fn into_delivery(self) -> Delivery {
        match self {
            NotForOutbox::OnScreen(delivery) | NotForOutbox::WithoutCode(delivery) => delivery,
        }
    }
}

/// The stored form, read before it is checked.
#[derive(Deserialize)]
#[serde(rename = "OutboxDelivery")]
struct StoredOutboxDelivery {
    part: PinPart,
    medium: Medium,
    code: StoredCode,
}

impl TryFrom<StoredOutboxDelivery> for OutboxDelivery {
    type Error = StoredOutboxError;
    fn try_from(stored: StoredOutboxDelivery) -> Result<Self, Self::Error> {
        // An early return drops `stored`, whose code is a `Secret`: wiped.
        if stored.medium.is_screen() {
            return Err(StoredOutboxError::OnScreen);
        }
        let StoredCode(secret) = stored.code;
        if secret.len() != stored.part.code_len() {
            return Err(StoredOutboxError::LengthForPart {
                part: stored.part,
                found: secret.len(),
            });
        }
        Ok(OutboxDelivery {
            part: stored.part,
            medium: stored.medium,
            secret,
        })
    }
}

/// What is wrong with a stored outbox record; never repeats the code.
#[derive(Debug, Error)]
enum StoredOutboxError {
    #[error(
        "an outbox record names a medium shown on screen, which never goes to an outbox: the record is damaged; discard it"
    )]
    OnScreen,
    #[error(
        "an outbox record's code has {found} characters, not the {} of a {part:?}: the record is damaged; discard it",
        .part.code_len()
    )]
    LengthForPart { part: PinPart, found: usize },
}

/// A stored code, copied once into a [`Secret`] and checked before the copy.
struct StoredCode(Secret);

impl<'de> Deserialize<'de> for StoredCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(CodeVisitor)
    }
}

struct CodeVisitor;

impl CodeVisitor {
    fn malformed<E: de::Error>() -> E {
        E::custom(
            "an outbox record's code is not 8 or 16 characters of the PIN alphabet: the record is damaged; discard it",
        )
    }
}

impl Visitor<'_> for CodeVisitor {
    type Value = StoredCode;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a code of 8 or 16 characters of the PIN alphabet")
    }

    fn visit_str<E: de::Error>(self, code: &str) -> Result<StoredCode, E> {
        Secret::from_stored(code)
            .map(StoredCode)
            .ok_or_else(Self::malformed)
    }

    /// An owned copy the deserializer made: wiped once the code is in the `Secret`.
    fn visit_string<E: de::Error>(self, mut code: String) -> Result<StoredCode, E> {
        let read = self.visit_str(&code);
        code.zeroize();
        read
    }

    fn visit_bytes<E: de::Error>(self, code: &[u8]) -> Result<StoredCode, E> {
        let text = core::str::from_utf8(code).map_err(|_| Self::malformed())?;
        self.visit_str(text)
    }

    fn visit_byte_buf<E: de::Error>(self, mut code: Vec<u8>) -> Result<StoredCode, E> {
        let read = self.visit_bytes(&code);
        code.zeroize();
        read
    }
}
