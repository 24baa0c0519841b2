//! What handling a command returns: events, effects and the reply.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::account::event::Event;
use crate::account::session_end::EndSessions;
use crate::assurance::{AssuranceLevel, Session};
use crate::channel::Channel;
use crate::delivery::Delivery;
use crate::device::{DeviceId, DeviceToken};
use crate::notification::Notification;
use crate::policy::Policy;
use crate::secret::EnteredPin;

/// What a command produced: the events applied to the account, the effects the caller must
/// carry out, and the reply to the person.
///
/// Effects are returned here, from every call, and never queued inside the account for a later
/// drain: a caller cannot forget to collect them.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[must_use = "an outcome carries deliveries the caller must carry out"]
pub struct Outcome {
    /// The events, in the order they were applied; store them with the account.
    pub events: Vec<Event>,
    /// What must happen outside: deliveries of PIN parts, notifications, sessions to end.
    /// Parts shown on screen ([`Delivery::is_for_the_reply`]) go into the response now;
    /// carrier parts may be queued with [`Delivery::into_outbox`] (R33).
    pub effects: Vec<Effect>,
    /// The answer to the person.
    pub reply: Reply,
    /// A new trusted device's token, for the client's cookie (R25a), when the command asked
    /// for one and succeeded. A secret: never serialized, wiped on drop.
    #[serde(skip)]
    pub trusted_device: Option<DeviceToken>,
    /// What operators see of a wrong PIN (the count, the delay, the block), never the person:
    /// the reply for it reads like an unknown codice fiscale's (R30).
    pub failure: Option<FailureDetail>,
}

impl Outcome {
    pub(crate) fn new(reply: Reply) -> Outcome {
        Outcome {
            events: Vec::new(),
            effects: Vec::new(),
            reply,
            trusted_device: None,
            failure: None,
        }
    }

    pub(crate) fn with_event(mut self, event: Event) -> Outcome {
        push_first_allocated(&mut self.events, event);
        self
    }

    pub(crate) fn with_effect(mut self, effect: Effect) -> Outcome {
        push_first_allocated(&mut self.effects, effect);
        self
    }

    /// The deliveries among the effects, in order.
    pub fn deliveries(&self) -> impl Iterator<Item = &Delivery> {
        self.effects.iter().filter_map(|effect| match effect {
            Effect::Deliver(delivery) => Some(delivery),
            Effect::Notify(_) | Effect::EndSessions(_) => None,
        })
    }

    /// The sessions to end, if the command ended the PIN that opened them (R31).
    #[must_use]
    pub fn sessions_to_end(&self) -> Option<&EndSessions> {
        self.effects.iter().find_map(|effect| match effect {
            Effect::EndSessions(end) => Some(end),
            Effect::Deliver(_) | Effect::Notify(_) => None,
        })
    }

    /// The notifications among the effects, in order.
    pub fn notifications(&self) -> impl Iterator<Item = &Notification> {
        self.effects.iter().filter_map(|effect| match effect {
            Effect::Notify(notification) => Some(notification),
            Effect::Deliver(_) | Effect::EndSessions(_) => None,
        })
    }
}

/// Pushes `item` on `items`, allocating room for two when it has none: an outcome has one or
/// two events and as many effects. Allocated up front rather than by `push`, whose growth
/// (room for four, and the code that decides it) ran once per command and had to be fetched
/// again every time, Argon2 and the caller having run in between: a cache simulation of a
/// year counts 9 % fewer instruction-cache misses in the crate's own code (issue 12).
fn push_first_allocated<T>(items: &mut Vec<T>, item: T) {
    if items.capacity() == 0 {
        *items = Vec::with_capacity(2);
    }
    items.push(item);
}

/// Something the caller must make happen outside the crate.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Effect {
    /// Hand a part of a PIN to the person through a medium.
    Deliver(Delivery),
    /// Tell the person something about their PIN (a warning, an expiry, a decision).
    Notify(Notification),
    /// End these sessions: the PIN that opened them stopped being the live one (R31).
    EndSessions(EndSessions),
}

/// The answer to the person who sent the command.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Reply {
    /// A 16-character PIN was issued; its parts are in the deliveries.
    PinIssued {
        /// Through which channel.
        channel: Channel,
        /// At which level (R11–R13).
        assurance: AssuranceLevel,
        /// The first access must happen before this instant (R9).
        #[serde(with = "crate::timestamp_serde")]
        first_access_by: Timestamp,
    },
    /// The first access is done; the new 8-character PIN is in the delivery, and the person is
    /// logged in.
    FirstAccessCompleted(Session),
    /// The login succeeded.
    LoggedIn(Session),
    /// The PIN was wrong (or no PIN matches): the failure was counted (R25, R30).
    LoginFailed(LoginFailure),
    /// The guided renewal gave a new 8-character PIN, in the delivery; the person is logged
    /// in (R21).
    PinRenewed(Session),
    /// The upgrade request waits for the back office (R17).
    UpgradeRequested,
    /// An upgrade was decided (R17).
    UpgradeDecided {
        /// Whether the PIN is now dispositivo.
        approved: bool,
    },
    /// A restore sent the halves of a new 16-character PIN to the two contacts (R23).
    PinRestored {
        /// The first access must happen before this instant (R9).
        #[serde(with = "crate::timestamp_serde")]
        first_access_by: Timestamp,
    },
    /// The PIN was revoked; a new one can be requested (R24).
    PinRevoked,
    /// Time was applied: the events and effects say what was due, if anything.
    TimeApplied,
}

/// A failed login, as the person sees it: nothing at all that tells a wrong PIN from an
/// unknown codice fiscale, in content or in serialized form (R30). What operators need is in
/// [`Outcome::failure`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LoginFailure(());

/// What operators see of a wrong PIN (R25, R25a, R30): kept apart from the reply, which must
/// read the same for an unknown codice fiscale. Log it; never show it to the person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FailureDetail {
    /// Consecutive failures in the attempt's lane, this one included.
    pub consecutive_failures: u32,
    /// When the lane accepts a new try, if a delay follows.
    #[serde(with = "crate::timestamp_serde::option")]
    pub retry_after: Option<Timestamp>,
    /// This failure blocked the lane: the PIN for every client without a trusted device, or
    /// (on a trusted device) the device, now forgotten.
    pub blocks: bool,
    /// The trusted device whose own lane counted it; `None`: every other client's lane.
    pub device: Option<DeviceId>,
}

impl LoginFailure {
    pub(crate) fn new() -> LoginFailure {
        LoginFailure(())
    }

    /// The failure to report when no account has the codice fiscale typed (R30).
    ///
    /// It spends the time of one PIN verification at the policy's cost, so that the answer
    /// for an unknown person takes as long as the one for a wrong PIN, and reads the same.
    ///
    /// ```
    /// use inps_pin::{EnteredPin, HashCost, LoginFailure, Policy};
    ///
    /// let policy = Policy::default().with_hash_cost(HashCost::CHEAP);
    /// let failure = LoginFailure::for_unknown_person(&policy, &EnteredPin::parse("ABCDEFGH")?);
    /// assert_eq!(failure.code(), "login.credentials_invalid");
    /// # Ok::<(), inps_pin::PinFormatError>(())
    /// ```
    #[must_use]
    pub fn for_unknown_person(policy: &Policy, pin: &EnteredPin) -> LoginFailure {
        pin.spend_one_verification(policy.hash_cost);
        LoginFailure::new()
    }

    /// A stable code, the same for a wrong PIN and an unknown person.
    #[must_use]
    pub fn code(&self) -> &'static str {
        "login.credentials_invalid"
    }

    /// For operators.
    #[must_use]
    pub fn message_en(&self) -> &'static str {
        "the codice fiscale or the PIN is not correct"
    }

    /// For the person: what to do next, without saying which of the two was wrong.
    #[must_use]
    pub fn message_it(&self) -> &'static str {
        "Codice fiscale o PIN non corretti. Controlla di averli scritti bene. Se non hai ancora \
         fatto il primo accesso, usa il PIN completo di 16 caratteri. Se hai smarrito il PIN, \
         puoi ripristinarlo online con i recapiti registrati o chiamare il Contact Center: \
         803 164 da rete fissa, 06 164 164 da cellulare."
    }
}
