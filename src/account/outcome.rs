//! What handling a command returns: events, effects and the reply.

use jiff::Timestamp;
use serde::{Deserialize, Serialize};

use crate::account::event::Event;
use crate::account::session_end::EndSessions;
use crate::assurance::{AssuranceLevel, Session};
use crate::channel::Channel;
use crate::delivery::Delivery;
use crate::device::{DeviceId, DeviceToken};
use crate::hash::HashCost;
use crate::notification::Notification;
use crate::personal_data::ErasureReason;
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
    /// What operators see of a failed login, first access or renewal (the count, the delay,
    /// the block, a guess turned away unchecked), never the person: the reply for it reads
    /// like an unknown codice fiscale's (R30, R30a).
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
/// (room for four, and the code that decides it) would run once per command and be fetched
/// again every time, Argon2 and the caller having run in between: a cache simulation of a
/// year counts 9 % fewer instruction-cache misses in the crate's own code this way.
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
    /// The person's data was erased (R36); a new request brings new data.
    PersonalDataErased {
        /// Why.
        reason: ErasureReason,
        /// A live PIN ended with it, and its sessions (R31).
        pin_ended: bool,
    },
    /// Time was applied: the events and effects say what was due, if anything.
    TimeApplied,
}

/// A failed login, as the person sees it: nothing at all that tells a wrong PIN from an
/// unknown codice fiscale, a lane inside its delay or a blocked PIN, in content or in
/// serialized form (R30, R30a). What operators need is in [`Outcome::failure`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LoginFailure(());

/// What operators see of a failed login, first access or renewal (R25, R25a, R25b, R30a):
/// kept apart from the reply, which must read the same for an unknown codice fiscale. Log it;
/// never show it to the person.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[non_exhaustive]
pub struct FailureDetail {
    /// Consecutive failures in the attempt's lane: this one included when it was
    /// [`counted`](Self::counted).
    pub consecutive_failures: u32,
    /// When the lane accepts a new try, if a delay follows (or, for a guess turned away, is
    /// running).
    #[serde(with = "crate::timestamp_serde::option")]
    pub retry_after: Option<Timestamp>,
    /// This failure blocked the lane: the PIN for every client without a trusted device, or
    /// (on a trusted device) the device, now forgotten.
    pub blocks: bool,
    /// The trusted device whose own lane counted it; `None`: every other client's lane.
    pub device: Option<DeviceId>,
    /// The attempt was a first access, counted in the lane of the 16 that waits for it, which
    /// slows and never blocks (R25b); `false`: a login or renewal.
    #[serde(default)]
    pub first_access: bool,
    /// The failure was counted: an event records it. `false` for a guess turned away by a
    /// lane inside its delay or blocked ([`closed`](Self::closed)), and for a 16 typed at a
    /// first access where none waits: no PIN was checked, and nothing was written (R25b).
    #[serde(default = "counted_by_default")]
    pub counted: bool,
    /// The lane was closed, and the guess turned away without checking any PIN (no Argon2)
    /// and without writing anything (R25b); the person was answered as for a wrong PIN
    /// (R30a). `None`: the lane was open.
    #[serde(default)]
    pub closed: Option<LaneClosed>,
}

/// Failures operators logged before [`FailureDetail::counted`] existed were all counted.
fn counted_by_default() -> bool {
    true
}

/// Why a lane turned a guess away unchecked (R25, R25b, R30a): for operators, in
/// [`FailureDetail::closed`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum LaneClosed {
    /// Inside the delay after a wrong PIN (or, at a first access, a wrong 16).
    Delayed {
        /// When the lane accepts a new try.
        #[serde(with = "crate::timestamp_serde")]
        retry_after: Timestamp,
    },
    /// Blocked after too many wrong PINs, until a restore or a revocation (R25).
    Blocked,
}

impl LoginFailure {
    pub(crate) fn new() -> LoginFailure {
        LoginFailure(())
    }

    /// The failure to report when no account has the codice fiscale typed (R30).
    ///
    /// It spends the time of one PIN verification at the policy's cost, so that the answer
    /// for an unknown person takes as long as the one for a wrong PIN, and reads the same.
    /// After the policy's cost changed, use [`LoginFailure::for_unknown_person_at`] with what
    /// the stored hashes cost (R30a).
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
        LoginFailure::for_unknown_person_at(policy, policy.hash_cost, pin)
    }

    /// [`LoginFailure::for_unknown_person`], spending one verification at `stored_cost`: what
    /// the stored PIN hashes cost, which after a change of the policy's cost is not the
    /// policy's for a while (R30a; see [`Context::with_decoy_cost`](crate::Context::with_decoy_cost)).
    /// A cost above the policy's bound on stored hashes is spent at that bound (R35).
    ///
    /// ```
    /// use inps_pin::{EnteredPin, HashCost, LoginFailure, Policy};
    ///
    /// let policy = Policy::default().with_hash_cost(HashCost::CHEAP);
    /// let pin = EnteredPin::parse("ABCDEFGH")?;
    /// let stored = HashCost::new(16, 1, 1).map_err(|_| "a valid cost")?;
    /// let _ = LoginFailure::for_unknown_person_at(&policy, stored, &pin);
    /// assert_eq!(pin.last_verification_cost(), Some(stored));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn for_unknown_person_at(
        policy: &Policy,
        stored_cost: HashCost,
        pin: &EnteredPin,
    ) -> LoginFailure {
        pin.spend_one_verification(stored_cost.at_most(policy.stored_hash_cost_bound()));
        LoginFailure::new()
    }

    /// A stable code, the same for a wrong PIN, an unknown person, a lane inside its delay
    /// and a blocked PIN.
    #[must_use]
    pub fn code(&self) -> &'static str {
        "login.credentials_invalid"
    }

    /// For operators.
    #[must_use]
    pub fn message_en(&self) -> &'static str {
        "the codice fiscale or the PIN is not correct, or too many attempts were made"
    }

    /// For the person: what to do next, without saying what went wrong, and what an honest
    /// owner does in every case: type it again, wait a few seconds and try again (a delay),
    /// and restore the PIN if it keeps failing (a block).
    #[must_use]
    pub fn message_it(&self) -> &'static str {
        "Accesso non riuscito: codice fiscale o PIN non corretti, oppure troppi tentativi \
         ravvicinati. Controlla di averli scritti bene e riprova tra qualche secondo. Se non hai \
         ancora fatto il primo accesso, usa il PIN completo di 16 caratteri. Se l'accesso \
         continua a non riuscire, ripristina il PIN online con la funzione \"Ripristina PIN\" \
         usando i recapiti registrati, oppure chiama il Contact Center: 803 164 da rete fissa, \
         06 164 164 da cellulare."
    }
}
