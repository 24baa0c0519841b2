//! Decide: from the account, a command and the caller's context, the events and effects, or a
//! refusal. Reads only; every change goes through an event (R27).

use rand_core::CryptoRng;

use crate::account::command::Command;
use crate::account::event::Event;
use crate::account::outcome::{Effect, LoginFailure, Outcome, Reply};
use crate::account::refusal::Refusal;
use crate::account::{Account, Context, FirstPin, PinState};
use crate::assurance::{Credential, Session};
use crate::channel::{ChannelRequest, ContactCenterLine};
use crate::civil_time::{add_rome_days, rome_date};
use crate::delivery::{Delivery, Medium, PinPart};
use crate::hash::{HashingFailed, PinHash, spend_one_verification};
use crate::person::Person;
use crate::secret::{EnteredPin, FULL_LEN, HALF_LEN, Secret};

impl From<HashingFailed> for Refusal {
    fn from(_: HashingFailed) -> Self {
        Refusal::HashingFailed
    }
}

impl Account {
    /// Decides a command without changing the account: the outcome to apply with
    /// [`Account::evolve`], or why it cannot apply.
    ///
    /// Use it instead of [`Account::handle`] to store the events (with a compare-and-swap on
    /// [`Account::version`]) before applying them.
    ///
    /// # Errors
    /// A [`Refusal`] saying why the command cannot apply and what to do instead.
    pub fn decide<R: CryptoRng + ?Sized>(
        &self,
        command: Command,
        context: &mut Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        match command {
            Command::RequestPin { person, channel } => {
                self.decide_request(person, channel, context)
            }
            Command::FirstAccess { pin } => self.decide_first_access(&pin, context),
            Command::LogIn { pin } => self.decide_login(&pin, context),
        }
    }

    /// R1, R10–R14: a 16-character PIN through a channel, its parts delivered as the channel
    /// says.
    fn decide_request<R: CryptoRng + ?Sized>(
        &self,
        person: Person,
        request: ChannelRequest,
        context: &mut Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        let now = context.now;
        let requested = person.codice_fiscale();
        if requested != self.codice_fiscale {
            return Err(Refusal::WrongAccount { requested });
        }
        match &self.pin {
            PinState::AwaitingFirstAccess(first) if now < first.lapses_at => {
                return Err(Refusal::PinAlreadyLive {
                    pending_first_access: true,
                });
            }
            PinState::Active(_) => {
                return Err(Refusal::PinAlreadyLive {
                    pending_first_access: false,
                });
            }
            PinState::None | PinState::AwaitingFirstAccess(_) => {}
        }
        // Every condition is checked before anything is drawn from the generator.
        let online_contact = match &request {
            ChannelRequest::Online => Some(
                person
                    .email()
                    .map(|email| Medium::Email(email.clone()))
                    .or_else(|| person.mobile().map(|mobile| Medium::Sms(mobile.clone())))
                    .ok_or(Refusal::NoContactForFirstHalf)?,
            ),
            _ => None,
        };
        if let ChannelRequest::Sede(sede) = &request {
            if !sede.document.is_valid_on(rome_date(now)) {
                return Err(Refusal::IdentityDocumentExpired {
                    expired_on: sede.document.expires_on(),
                });
            }
        }

        let channel = request.channel();
        let policy = context.policy;
        let whole = Secret::generate(FULL_LEN, context.rng);
        let whole_hash = PinHash::compute(whole.bytes(), policy.hash_cost, context.rng)?;
        let (first, second) = whole.split_halves();
        let first_half_hash = if policy.catalogue.any_accepts_first_half() {
            Some(PinHash::compute(
                first.bytes(),
                policy.hash_cost,
                context.rng,
            )?)
        } else {
            None
        };
        let lapses_at = add_rome_days(now, i64::from(policy.first_access_window_days));

        let residence = Medium::SealedPost(person.residence().clone());
        let mut deliveries = Vec::with_capacity(4);
        match request {
            ChannelRequest::Online => {
                // R11: on screen, and also by e-mail or SMS; the second half by post.
                deliveries.push(Delivery::new(
                    PinPart::FirstHalf,
                    Medium::Screen,
                    first.duplicate(),
                ));
                if let Some(contact) = online_contact {
                    deliveries.push(Delivery::new(
                        PinPart::FirstHalf,
                        contact,
                        first.duplicate(),
                    ));
                }
                deliveries.push(Delivery::new(PinPart::SecondHalf, residence, second));
            }
            ChannelRequest::ContactCenter { caller_phone } => {
                // R12: read by the operator, and also by e-mail and SMS; the second half by post.
                let line = ContactCenterLine::for_phone(caller_phone);
                deliveries.push(Delivery::new(
                    PinPart::FirstHalf,
                    Medium::ReadByOperator(line),
                    first.duplicate(),
                ));
                if let Some(email) = person.email() {
                    deliveries.push(Delivery::new(
                        PinPart::FirstHalf,
                        Medium::Email(email.clone()),
                        first.duplicate(),
                    ));
                }
                if let Some(mobile) = person.mobile() {
                    deliveries.push(Delivery::new(
                        PinPart::FirstHalf,
                        Medium::Sms(mobile.clone()),
                        first.duplicate(),
                    ));
                }
                deliveries.push(Delivery::new(PinPart::SecondHalf, residence, second));
            }
            ChannelRequest::Sede(sede) => {
                // R13: the whole code, sealed, at the counter.
                deliveries.push(Delivery::new(
                    PinPart::WholeFirstPin,
                    Medium::SealedEnvelopeAtCounter(sede.operator),
                    whole.duplicate(),
                ));
            }
        }

        let assurance = channel.assurance();
        let mut outcome = Outcome::new(Reply::PinIssued {
            channel,
            assurance,
            first_access_by: lapses_at,
        })
        .with_event(Event::PinIssued {
            at: now,
            person: Box::new(person),
            channel,
            assurance,
            whole: whole_hash,
            first_half: first_half_hash,
            lapses_at,
        });
        outcome
            .effects
            .extend(deliveries.into_iter().map(Effect::Deliver));
        Ok(outcome)
    }

    /// R6, R9: the 16 characters exchanged for an 8-character PIN shown on screen.
    fn decide_first_access<R: CryptoRng + ?Sized>(
        &self,
        pin: &EnteredPin,
        context: &mut Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        let first = match &self.pin {
            PinState::AwaitingFirstAccess(first) => first,
            PinState::None => return Ok(self.unknown_pin(pin, context)),
            // The 16 stopped working at the first access (R6): one more wrong PIN.
            PinState::Active(_) => return Ok(self.wrong_pin(pin, context, true)),
        };
        if pin.len() != FULL_LEN {
            return Err(Refusal::WholePinRequired);
        }
        if !first.whole.verify(pin.bytes()) {
            return Ok(self.wrong_pin(pin, context, false));
        }
        // Only the holder of the right 16 learns that they lapsed.
        lapse_check(first, context.now)?;

        let now = context.now;
        let new_pin = Secret::generate(HALF_LEN, context.rng);
        let hash = PinHash::compute(new_pin.bytes(), context.policy.hash_cost, context.rng)?;
        let session = Session::new(self.codice_fiscale, Credential::Pin, first.assurance, now);
        Ok(Outcome::new(Reply::FirstAccessCompleted(session))
            .with_event(Event::FirstAccessCompleted {
                at: now,
                pin: hash,
                assurance: first.assurance,
            })
            .with_effect(Effect::Deliver(Delivery::new(
                PinPart::Pin,
                Medium::Screen,
                new_pin,
            ))))
    }

    /// R15, R9a: a session at the PIN's level, or a counted failure.
    fn decide_login<R: CryptoRng + ?Sized>(
        &self,
        pin: &EnteredPin,
        context: &mut Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        let now = context.now;
        let (credential, assurance) = match &self.pin {
            PinState::None => return Ok(self.unknown_pin(pin, context)),
            PinState::AwaitingFirstAccess(first) if pin.len() == FULL_LEN => {
                if !first.whole.verify(pin.bytes()) {
                    return Ok(self.wrong_pin(pin, context, false));
                }
                lapse_check(first, now)?;
                return Err(Refusal::FirstAccessRequired);
            }
            PinState::AwaitingFirstAccess(first) => {
                // R9a: the first half alone, where the policy kept its hash.
                let Some(first_half) = &first.first_half else {
                    return Ok(self.wrong_pin(pin, context, true));
                };
                if !first_half.verify(pin.first_half()) || pin.len() != HALF_LEN {
                    return Ok(self.wrong_pin(pin, context, false));
                }
                lapse_check(first, now)?;
                (Credential::PinFirstHalf, first.assurance)
            }
            PinState::Active(active) => {
                if pin.len() != HALF_LEN {
                    return Ok(self.wrong_pin(pin, context, true));
                }
                if !active.hash.verify(pin.bytes()) {
                    return Ok(self.wrong_pin(pin, context, false));
                }
                (Credential::Pin, active.assurance)
            }
        };
        let session = Session::new(self.codice_fiscale, credential, assurance, now);
        Ok(
            Outcome::new(Reply::LoggedIn(session)).with_event(Event::LoggedIn {
                at: now,
                credential,
            }),
        )
    }

    /// A wrong PIN: counted, answered like an unknown person (R25, R30). When no hash was
    /// checked (`unverified`), the time of one verification is spent so the answer does not
    /// come faster and tell which case it was.
    fn wrong_pin<R: CryptoRng + ?Sized>(
        &self,
        pin: &EnteredPin,
        context: &Context<'_, R>,
        unverified: bool,
    ) -> Outcome {
        if unverified {
            spend_one_verification(context.policy.hash_cost, pin.bytes());
        }
        let failures = self.consecutive_failures.saturating_add(1);
        Outcome::new(Reply::LoginFailed(LoginFailure::new(failures)))
            .with_event(Event::LoginFailed { at: context.now })
    }

    /// A PIN typed for an account that has none: nothing to count, the same answer as an
    /// unknown person (R30).
    fn unknown_pin<R: CryptoRng + ?Sized>(
        &self,
        pin: &EnteredPin,
        context: &Context<'_, R>,
    ) -> Outcome {
        Outcome::new(Reply::LoginFailed(LoginFailure::for_unknown_person(
            context.policy,
            pin,
        )))
    }
}

fn lapse_check(first: &FirstPin, now: jiff::Timestamp) -> Result<(), Refusal> {
    if now >= first.lapses_at {
        return Err(Refusal::FirstPinLapsed {
            lapsed_at: first.lapses_at,
        });
    }
    Ok(())
}
