//! Decide: from the account, a command and the caller's context, the events and effects, or a
//! refusal. Reads only; every change goes through an event (R27).

use jiff::Timestamp;
use jiff::ToSpan;
use jiff::civil::Date;
use rand_core::CryptoRng;

use crate::account::command::Command;
use crate::account::event::Event;
use crate::account::outcome::{Effect, LoginFailure, Outcome, Reply};
use crate::account::refusal::{LivePin, Refusal};
use crate::account::{Account, ActivePin, Context, FirstPin, PinDue, PinState};
use crate::assurance::{AssuranceLevel, Credential, Session};
use crate::channel::{ChannelRequest, ContactCenterLine, IdentityDocument, OperatorId};
use crate::civil_time::{add_rome_days, add_rome_months, rome_date, rome_start_of_day};
use crate::delivery::{Delivery, Medium, PinPart};
use crate::hash::{HashingFailed, PinHash, spend_one_verification};
use crate::notification::{Notice, Notification};
use crate::person::{Email, MobileNumber, Person, Role};
use crate::policy::Policy;
use crate::secret::{EnteredPin, FULL_LEN, HALF_LEN, Secret};
use crate::tessera::TesseraSanitaria;
use crate::upgrade::{UpgradeDecision, UpgradeVia};

impl From<HashingFailed> for Refusal {
    fn from(_: HashingFailed) -> Self {
        Refusal::HashingFailed
    }
}

/// A freshly drawn 16-character PIN with its hashes, before it is delivered.
struct FreshPin {
    first: Secret,
    second: Secret,
    whole: Secret,
    whole_hash: PinHash,
    first_half_hash: Option<PinHash>,
    lapses_at: Timestamp,
}

/// A freshly drawn 8-character PIN: its delivery, its hash, its expiry and its session.
struct ShortPin {
    on_screen: Effect,
    hash: PinHash,
    expires_at: Timestamp,
    session: Session,
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
            Command::RenewPin { pin } => self.decide_renewal(&pin, context),
            Command::RequestUpgrade { via, document } => {
                self.decide_upgrade_request(via, &document, context)
            }
            Command::DecideUpgrade { decision, reviewer } => {
                self.decide_upgrade_decision(decision, reviewer, context)
            }
            Command::UpgradeAtSede { document, operator } => {
                self.decide_upgrade_at_sede(&document, operator, context)
            }
            Command::Restore { email, mobile } => self.decide_restore(&email, &mobile, context),
            Command::Revoke { tessera } => self.decide_revoke(&tessera, context),
            Command::Tick => Ok(self.decide_tick(context)),
        }
    }

    /// R1, R10–R14, R22a: a 16-character PIN through a channel, its parts delivered as the
    /// channel says.
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
        if requested.is_temporary() && !context.policy.accept_temporary_codice_fiscale {
            return Err(Refusal::TemporaryCodiceFiscale);
        }
        if let Some(live) = self.live_pin(now) {
            return Err(Refusal::PinAlreadyLive { live });
        }
        sunset_allows_new_pin(context.policy, &person, now)?;
        // Every condition is checked before anything is drawn from the generator.
        let online_contact = match &request {
            ChannelRequest::Online => {
                Some(Medium::electronic_contact(&person).ok_or(Refusal::NoContactForFirstHalf)?)
            }
            _ => None,
        };
        if let ChannelRequest::Sede(sede) = &request {
            document_valid(&sede.document, now)?;
        }

        let channel = request.channel();
        let fresh = fresh_pin(context)?;
        // R11: the first half on screen and by e-mail or SMS. R12: read by the operator on the
        // line the caller dialled, and sent by e-mail and SMS. R13: none, the whole code below.
        let first_half_to: Vec<Medium> = match &request {
            ChannelRequest::Online => [Some(Medium::Screen), online_contact]
                .into_iter()
                .flatten()
                .collect(),
            ChannelRequest::ContactCenter { caller_phone } => [
                Some(Medium::ReadByOperator(ContactCenterLine::for_phone(
                    *caller_phone,
                ))),
                person.email().map(|email| Medium::Email(email.clone())),
                person.mobile().map(|mobile| Medium::Sms(mobile.clone())),
            ]
            .into_iter()
            .flatten()
            .collect(),
            ChannelRequest::Sede(_) => Vec::new(),
        };
        let mut deliveries: Vec<Delivery> = first_half_to
            .into_iter()
            .map(|to| Delivery::new(PinPart::FirstHalf, to, fresh.first.duplicate()))
            .collect();
        deliveries.push(match request {
            // R13: the whole code, sealed, at the counter.
            ChannelRequest::Sede(sede) => Delivery::new(
                PinPart::WholeFirstPin,
                Medium::SealedEnvelopeAtCounter(sede.operator),
                fresh.whole,
            ),
            // R11, R12: the second half by ordinary post, sealed, to the residence.
            ChannelRequest::Online | ChannelRequest::ContactCenter { .. } => Delivery::new(
                PinPart::SecondHalf,
                Medium::SealedPost(person.residence().clone()),
                fresh.second,
            ),
        });

        let assurance = channel.assurance();
        let mut outcome = Outcome::new(Reply::PinIssued {
            channel,
            assurance,
            first_access_by: fresh.lapses_at,
        })
        .with_event(Event::PinIssued {
            at: now,
            person: Box::new(person),
            channel,
            assurance,
            whole: fresh.whole_hash,
            first_half: fresh.first_half_hash,
            lapses_at: fresh.lapses_at,
        });
        outcome
            .effects
            .extend(deliveries.into_iter().map(Effect::Deliver));
        Ok(outcome)
    }

    /// R6, R9, R20: the 16 characters exchanged for an 8-character PIN shown on screen.
    fn decide_first_access<R: CryptoRng + ?Sized>(
        &self,
        pin: &EnteredPin,
        context: &mut Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        sunset_allows_use(context.policy, context.now)?;
        // The caller knows how many characters were typed: answering this first, in every
        // state, tells nobody whether a PIN is pending (R30).
        if pin.len() != FULL_LEN {
            return Err(Refusal::WholePinRequired);
        }
        let first = match &self.pin {
            PinState::None => return Ok(unknown_pin(pin, context)),
            PinState::AwaitingFirstAccess(first) => first,
            // The 16 stopped working at the first access (R6): one more wrong PIN.
            PinState::Active(_) => {
                self.attempt_allowed(context.now)?;
                return Ok(self.wrong_pin(pin, context, true));
            }
        };
        self.attempt_allowed(context.now)?;
        if !first.whole.verify(pin.bytes()) {
            return Ok(self.wrong_pin(pin, context, false));
        }
        // Only the holder of the right 16 learns that they lapsed.
        lapse_check(first, context.now)?;

        let now = context.now;
        let new = self.fresh_short_pin(first.assurance, context)?;
        Ok(Outcome::new(Reply::FirstAccessCompleted(new.session))
            .with_event(Event::FirstAccessCompleted {
                at: now,
                pin: new.hash,
                assurance: first.assurance,
                expires_at: new.expires_at,
            })
            .with_effect(new.on_screen))
    }

    /// R15, R9a, R20, R25: a session at the PIN's level, or a counted failure.
    fn decide_login<R: CryptoRng + ?Sized>(
        &self,
        pin: &EnteredPin,
        context: &mut Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        let now = context.now;
        sunset_allows_use(context.policy, now)?;
        // Never blocked nor delayed without a PIN: a revocation clears both.
        self.attempt_allowed(now)?;
        let (credential, assurance) = match &self.pin {
            PinState::None => return Ok(unknown_pin(pin, context)),
            PinState::AwaitingFirstAccess(first) if pin.len() == FULL_LEN => {
                return self.first_access_due(first, pin, context);
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
                if let Err(failure) = self.check_active_pin(active, pin, context) {
                    return Ok(failure);
                }
                // Only the holder of the right PIN learns that it expired (R20, R30).
                if now >= active.expires_at {
                    return Err(Refusal::PinExpired {
                        expired_at: active.expires_at,
                    });
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

    /// R21: the current PIN for a new 8-character one at the same level, once renewal opens.
    fn decide_renewal<R: CryptoRng + ?Sized>(
        &self,
        pin: &EnteredPin,
        context: &mut Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        let now = context.now;
        sunset_allows_use(context.policy, now)?;
        self.attempt_allowed(now)?;
        let active = match &self.pin {
            PinState::None => return Ok(unknown_pin(pin, context)),
            PinState::AwaitingFirstAccess(first) => {
                return self.first_access_due(first, pin, context);
            }
            PinState::Active(active) => active,
        };
        if let Err(failure) = self.check_active_pin(active, pin, context) {
            return Ok(failure);
        }
        let renewable_from = active.renewable_from(context.policy);
        if now < renewable_from {
            return Err(Refusal::RenewalNotDue { renewable_from });
        }
        let new = self.fresh_short_pin(active.assurance, context)?;
        Ok(Outcome::new(Reply::PinRenewed(new.session))
            .with_event(Event::PinRenewed {
                at: now,
                pin: new.hash,
                expires_at: new.expires_at,
            })
            .with_effect(new.on_screen))
    }

    /// R16, R17: a written request with a valid document waits for the back office.
    fn decide_upgrade_request<R: CryptoRng + ?Sized>(
        &self,
        via: UpgradeVia,
        document: &IdentityDocument,
        context: &Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        self.upgradable(document, context)?;
        if self.pending_upgrade.is_some() {
            return Err(Refusal::UpgradePending);
        }
        Ok(
            Outcome::new(Reply::UpgradeRequested).with_event(Event::UpgradeRequested {
                at: context.now,
                via,
            }),
        )
    }

    /// R17: the back office approves, or rejects with a reason the person is told.
    fn decide_upgrade_decision<R: CryptoRng + ?Sized>(
        &self,
        decision: UpgradeDecision,
        reviewer: OperatorId,
        context: &Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        let now = context.now;
        sunset_allows_use(context.policy, now)?;
        if self.pending_upgrade.is_none() {
            return Err(Refusal::NoUpgradePending);
        }
        let (approved, event, notice) = match decision {
            UpgradeDecision::Approve => (
                true,
                Event::UpgradeApproved {
                    at: now,
                    by: reviewer,
                },
                Notice::UpgradeApproved,
            ),
            UpgradeDecision::Reject(reason) => (
                false,
                Event::UpgradeRejected {
                    at: now,
                    by: reviewer,
                    reason: reason.clone(),
                },
                Notice::UpgradeRejected {
                    reason: reason.as_str().to_owned(),
                },
            ),
        };
        Ok(self.notify(
            Outcome::new(Reply::UpgradeDecided { approved }).with_event(event),
            notice,
        ))
    }

    /// R16, R17: at a sede the operator checks the document and decides on the spot.
    fn decide_upgrade_at_sede<R: CryptoRng + ?Sized>(
        &self,
        document: &IdentityDocument,
        operator: OperatorId,
        context: &Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        self.upgradable(document, context)?;
        Ok(
            Outcome::new(Reply::UpgradeDecided { approved: true }).with_event(
                Event::UpgradeApproved {
                    at: context.now,
                    by: operator,
                },
            ),
        )
    }

    /// R23: the codice fiscale (the account's key) and the two registered contacts give a new
    /// 16-character PIN, its first half to the first contact and the second to the second.
    fn decide_restore<R: CryptoRng + ?Sized>(
        &self,
        email: &Email,
        mobile: &MobileNumber,
        context: &mut Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        let now = context.now;
        sunset_allows_use(context.policy, now)?;
        // No PIN, no contacts registered and wrong contacts all read the same: a caller who
        // knows a codice fiscale learns neither whether it has a PIN nor which contacts
        // (R24, R30). The message covers each case: request, or revoke and request.
        let Some(assurance) = self.pin.assurance() else {
            return Err(Refusal::ContactsNotMatching);
        };
        let registered = self.person.as_ref().and_then(Person::registered_contacts);
        let Some((registered_email, registered_mobile)) =
            registered.filter(|(e, m)| *e == email && *m == mobile)
        else {
            return Err(Refusal::ContactsNotMatching);
        };
        let fresh = fresh_pin(context)?;
        Ok(Outcome::new(Reply::PinRestored {
            first_access_by: fresh.lapses_at,
        })
        .with_event(Event::PinRestored {
            at: now,
            assurance,
            whole: fresh.whole_hash,
            first_half: fresh.first_half_hash,
            lapses_at: fresh.lapses_at,
        })
        .with_effect(Effect::Deliver(Delivery::new(
            PinPart::FirstHalf,
            Medium::Email(registered_email.clone()),
            fresh.first,
        )))
        .with_effect(Effect::Deliver(Delivery::new(
            PinPart::SecondHalf,
            Medium::Sms(registered_mobile.clone()),
            fresh.second,
        ))))
    }

    /// R24: the tessera sanitaria revokes the PIN; a new request is then possible.
    fn decide_revoke<R: CryptoRng + ?Sized>(
        &self,
        tessera: &TesseraSanitaria,
        context: &Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        if tessera.codice_fiscale() != self.codice_fiscale {
            return Err(Refusal::TesseraNotMatching);
        }
        if !tessera.is_valid_on(rome_date(context.now)) {
            return Err(Refusal::TesseraExpired {
                expired_on: tessera.expires_on(),
            });
        }
        if matches!(self.pin, PinState::None) {
            return Err(Refusal::NoPin);
        }
        Ok(self.notify(
            Outcome::new(Reply::PinRevoked).with_event(Event::PinRevoked { at: context.now }),
            Notice::PinRevoked,
        ))
    }

    /// Whatever the clock makes due: the end of a login delay, the lapse of an unused 16, the
    /// expiry warning, the expiry (R9, R20, R22, R25). Nothing due: no events.
    fn decide_tick<R: CryptoRng + ?Sized>(&self, context: &Context<'_, R>) -> Outcome {
        let now = context.now;
        let mut outcome = Outcome::new(Reply::TimeApplied);
        if self.retry_not_before.is_some_and(|end| now >= end) {
            outcome = outcome.with_event(Event::LoginDelayEnded { at: now });
        }
        // A clock that jumps past both the warning and the expiry sends only the expiry: a
        // warning after it is noise.
        let due = self
            .pin_deadlines(context.policy)
            .filter(|(at, _)| *at <= now)
            .map(|(_, due)| due)
            .max_by_key(|due| match due {
                PinDue::Lapse | PinDue::Warning => 0,
                PinDue::Expiry => 1,
            });
        let (event, notice) = match (due, &self.pin) {
            (Some(PinDue::Lapse), PinState::AwaitingFirstAccess(first)) => (
                Event::FirstPinLapsed { at: now },
                Notice::FirstPinLapsed {
                    lapsed_at: first.lapses_at,
                },
            ),
            (Some(PinDue::Warning), PinState::Active(active)) => (
                Event::ExpiryWarned { at: now },
                Notice::ExpiryWarning {
                    expires_at: active.expires_at,
                },
            ),
            (Some(PinDue::Expiry), PinState::Active(active)) => (
                Event::PinExpired { at: now },
                Notice::PinExpired {
                    expired_at: active.expires_at,
                },
            ),
            _ => return outcome,
        };
        outcome = outcome.with_event(event);
        // Recorded without a notice when the notice would mislead: due before the sunset's
        // retirement but applied after it (a late tick), it would invite a renewal no PIN can
        // have (R22a); on a blocked PIN, the block notice already said to restore, which gives
        // a new PIN anyway (R25).
        if sunset_allows_use(context.policy, now).is_ok() && !self.blocked {
            outcome = self.notify(outcome, notice);
        }
        outcome
    }

    /// What a new request finds alive, if anything (R14).
    fn live_pin(&self, now: Timestamp) -> Option<LivePin> {
        match &self.pin {
            PinState::None => None,
            _ if self.blocked => Some(LivePin::Blocked),
            PinState::AwaitingFirstAccess(first) if now < first.lapses_at => {
                Some(LivePin::PendingFirstAccess)
            }
            PinState::AwaitingFirstAccess(_) => None,
            PinState::Active(active) if now >= active.expires_at => Some(LivePin::Expired),
            PinState::Active(_) => Some(LivePin::Active),
        }
    }

    /// A login or renewal while the 16 waits for its first access: the right 16 learns that
    /// the first access is due (or that the 16 lapsed); anything else is a wrong PIN, so the
    /// answer tells a guesser nothing about the account (R6, R9, R30).
    fn first_access_due<R: CryptoRng + ?Sized>(
        &self,
        first: &FirstPin,
        pin: &EnteredPin,
        context: &Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        if pin.len() != FULL_LEN {
            return Ok(self.wrong_pin(pin, context, true));
        }
        if !first.whole.verify(pin.bytes()) {
            return Ok(self.wrong_pin(pin, context, false));
        }
        lapse_check(first, context.now)?;
        Err(Refusal::FirstAccessRequired)
    }

    /// R25: refuses a try while blocked or inside a delay, before any verification.
    fn attempt_allowed(&self, now: Timestamp) -> Result<(), Refusal> {
        if self.blocked {
            return Err(Refusal::PinBlocked);
        }
        match self.retry_not_before {
            Some(retry_after) if now < retry_after => Err(Refusal::LoginDelayed { retry_after }),
            _ => Ok(()),
        }
    }

    /// The 8-character PIN against the active hash; a mismatch is the failure outcome.
    fn check_active_pin<R: CryptoRng + ?Sized>(
        &self,
        active: &ActivePin,
        pin: &EnteredPin,
        context: &Context<'_, R>,
    ) -> Result<(), Outcome> {
        if pin.len() != HALF_LEN {
            return Err(self.wrong_pin(pin, context, true));
        }
        if !active.hash.verify(pin.bytes()) {
            return Err(self.wrong_pin(pin, context, false));
        }
        Ok(())
    }

    /// R16: what an upgrade needs, by request or at a sede: an ordinary PIN in use, not
    /// expired, and a valid document.
    fn upgradable<R: CryptoRng + ?Sized>(
        &self,
        document: &IdentityDocument,
        context: &Context<'_, R>,
    ) -> Result<(), Refusal> {
        let now = context.now;
        sunset_allows_use(context.policy, now)?;
        let active = match &self.pin {
            PinState::None => return Err(Refusal::NoPin),
            PinState::AwaitingFirstAccess(_) => return Err(Refusal::FirstAccessRequired),
            PinState::Active(active) => active,
        };
        // A blocked PIN is restored first: raising its level would hand more to whoever
        // restores it, before the owner has shown up (R25).
        if self.blocked {
            return Err(Refusal::PinBlocked);
        }
        if active.assurance == AssuranceLevel::Dispositivo {
            return Err(Refusal::AlreadyDispositivo);
        }
        if now >= active.expires_at {
            return Err(Refusal::PinExpired {
                expired_at: active.expires_at,
            });
        }
        document_valid(document, now)
    }

    /// A wrong PIN: counted, answered like an unknown person (R25, R30); at the policy's count
    /// it blocks the PIN and the person is told. When no hash was checked (`unverified`), the
    /// time of one verification is spent so the answer does not come faster and tell which
    /// case it was.
    fn wrong_pin<R: CryptoRng + ?Sized>(
        &self,
        pin: &EnteredPin,
        context: &Context<'_, R>,
        unverified: bool,
    ) -> Outcome {
        if unverified {
            spend_one_verification(context.policy.hash_cost, pin.bytes());
        }
        let now = context.now;
        let lockout = &context.policy.lockout;
        let failures = self.consecutive_failures.saturating_add(1);
        let reply = Reply::LoginFailed(LoginFailure::new(failures));
        if lockout.blocks(failures) {
            let outcome = Outcome::new(reply)
                .with_event(Event::LoginFailed {
                    at: now,
                    retry_not_before: None,
                })
                .with_event(Event::PinBlocked { at: now });
            return self.notify(outcome, Notice::PinBlocked);
        }
        let retry_not_before = lockout
            .delay_after(failures)
            .map(|delay| now.checked_add(delay).unwrap_or(Timestamp::MAX));
        Outcome::new(reply).with_event(Event::LoginFailed {
            at: now,
            retry_not_before,
        })
    }

    /// A new 8-character PIN for the first access or a renewal (R6, R21): shown on screen,
    /// lasting the role's months (R20), and the session it opens at `assurance`.
    fn fresh_short_pin<R: CryptoRng + ?Sized>(
        &self,
        assurance: AssuranceLevel,
        context: &mut Context<'_, R>,
    ) -> Result<ShortPin, Refusal> {
        let now = context.now;
        let pin = Secret::generate(HALF_LEN, context.rng);
        let hash = PinHash::compute(pin.bytes(), context.policy.hash_cost, context.rng)?;
        let months = context.policy.validity_months(self.role());
        Ok(ShortPin {
            on_screen: Effect::Deliver(Delivery::new(PinPart::Pin, Medium::Screen, pin)),
            hash,
            expires_at: add_rome_months(now, i64::from(months)),
            session: Session::new(self.codice_fiscale, Credential::Pin, assurance, now),
        })
    }

    /// Adds a notice to the person, through the fastest medium that reaches them.
    fn notify(&self, outcome: Outcome, notice: Notice) -> Outcome {
        match &self.person {
            Some(person) => {
                outcome.with_effect(Effect::Notify(Notification::to_person(person, notice)))
            }
            None => outcome,
        }
    }

    /// The role that sets the expiry (R2, R20); a citizen until a request says otherwise.
    fn role(&self) -> Role {
        self.person.as_ref().map_or(Role::Citizen, Person::role)
    }
}

/// A PIN typed for an account that has none: nothing to count, the same answer as an unknown
/// person (R30).
fn unknown_pin<R: CryptoRng + ?Sized>(pin: &EnteredPin, context: &Context<'_, R>) -> Outcome {
    Outcome::new(Reply::LoginFailed(LoginFailure::for_unknown_person(
        context.policy,
        pin,
    )))
}

fn lapse_check(first: &FirstPin, now: Timestamp) -> Result<(), Refusal> {
    if now >= first.lapses_at {
        return Err(Refusal::FirstPinLapsed {
            lapsed_at: first.lapses_at,
        });
    }
    Ok(())
}

fn document_valid(document: &IdentityDocument, now: Timestamp) -> Result<(), Refusal> {
    if document.is_valid_on(rome_date(now)) {
        Ok(())
    } else {
        Err(Refusal::IdentityDocumentExpired {
            expired_on: document.expires_on(),
        })
    }
}

/// A new 16-character PIN, its hashes and its first-access window (R5, R7, R8, R9, R9a).
fn fresh_pin<R: CryptoRng + ?Sized>(context: &mut Context<'_, R>) -> Result<FreshPin, Refusal> {
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
    Ok(FreshPin {
        first,
        second,
        whole,
        whole_hash,
        first_half_hash,
        lapses_at: add_rome_days(context.now, i64::from(policy.first_access_window_days)),
    })
}

/// R22a: after the retirement no PIN works.
fn sunset_allows_use(policy: &Policy, now: Timestamp) -> Result<(), Refusal> {
    match policy.sunset {
        Some(sunset) if now >= rome_start_of_day(sunset.retired_from) => {
            Err(Refusal::PinsRetired {
                since: sunset.retired_from,
            })
        }
        _ => Ok(()),
    }
}

/// R22a: after the cut-off a new PIN goes only to minors and to the exempt.
fn sunset_allows_new_pin(policy: &Policy, person: &Person, now: Timestamp) -> Result<(), Refusal> {
    sunset_allows_use(policy, now)?;
    let Some(sunset) = policy.sunset else {
        return Ok(());
    };
    if now < rome_start_of_day(sunset.no_new_pins_from) {
        return Ok(());
    }
    if person.sunset_exemption().is_some() || is_minor(person, rome_date(now)) {
        return Ok(());
    }
    Err(Refusal::NewPinsDiscontinued {
        since: sunset.no_new_pins_from,
    })
}

/// Under 18 on `today`, by the birth date in the codice fiscale (its century read as the
/// latest that is not in the future). A temporary code has no birth date: its holder is not
/// taken for a minor, and may declare an exemption like anyone else.
fn is_minor(person: &Person, today: Date) -> bool {
    person
        .codice_fiscale()
        .birth_date(today)
        .and_then(|birth| birth.checked_add(18.years()).ok())
        .is_some_and(|adulthood| today < adulthood)
}
