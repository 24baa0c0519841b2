//! New codes: a 16-character PIN issued through a channel and delivered as the channel says
//! (R5, R7, R10–R13), a restore's 16 to the registered contacts (R23, R23a), and the 8 a first
//! access or a renewal shows on screen (R6, R21). Drawn from the caller's generator, hashed at
//! the policy's cost; every condition was checked by the lifecycle table's row before.

use jiff::Timestamp;
use rand_core::CryptoRng;

use crate::account::event::Event;
use crate::account::outcome::{Effect, Outcome, Reply};
use crate::account::refusal::Refusal;
use crate::account::{Account, Context};
use crate::archive::ArchiveRecord;
use crate::assurance::{AssuranceLevel, Credential, Session};
use crate::attestation::Attested;
use crate::channel::{ChannelRequest, ContactCenterLine};
use crate::civil_time::{add_rome_days, add_rome_months};
use crate::delivery::{Delivery, Medium, PinPart};
use crate::hash::PinHash;
use crate::notification::Notice;
use crate::person::Person;
use crate::secret::{FULL_LEN, HALF_LEN, Secret};

/// A freshly drawn 16-character PIN with its hashes, before it is delivered.
pub(super) struct FreshPin {
    pub(super) first: Secret,
    pub(super) second: Secret,
    pub(super) whole: Secret,
    pub(super) whole_hash: PinHash,
    pub(super) first_half_hash: Option<PinHash>,
    pub(super) lapses_at: Timestamp,
}

/// A freshly drawn 8-character PIN: its delivery, its hash, its expiry and its session.
pub(super) struct ShortPin {
    pub(super) on_screen: Effect,
    pub(super) hash: PinHash,
    pub(super) expires_at: Timestamp,
    pub(super) session: Session,
}

impl Account {
    /// R1, R10–R13: a 16-character PIN through a channel, its parts delivered as the channel
    /// says. Every condition was checked by the row before anything is drawn from the
    /// generator. The residence is the archive's (R35): the one the request typed is dropped,
    /// so that neither the second half nor a later letter goes where a stranger asked.
    pub(super) fn issue<R: CryptoRng + ?Sized>(
        &self,
        person: &Person,
        request: &ChannelRequest,
        archive: &Attested<ArchiveRecord>,
        context: &mut Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        let now = context.now;
        let person = person.living_at(archive.fact().residence().clone());
        let online_contact = match request {
            ChannelRequest::Online => {
                Some(Medium::electronic_contact(&person).ok_or(Refusal::NoContactForFirstHalf)?)
            }
            _ => None,
        };
        let channel = request.channel();
        let fresh = fresh_pin(context, true)?;
        // R11: the first half on screen and by e-mail or SMS. R12: read by the operator on the
        // line the caller dialled, and sent by e-mail and SMS. R13: none, the whole code below.
        // Built as the outcome's effects: at most three first halves, then the rest.
        let first_half_to: [Option<Medium>; 3] = match request {
            ChannelRequest::Online => [Some(Medium::Screen), online_contact, None],
            ChannelRequest::ContactCenter { caller_phone } => [
                Some(Medium::ReadByOperator(ContactCenterLine::for_phone(
                    *caller_phone,
                ))),
                person.email().map(|email| Medium::Email(email.clone())),
                person.mobile().map(|mobile| Medium::Sms(mobile.clone())),
            ],
            ChannelRequest::Sede(_) => [None, None, None],
        };
        let mut effects = Vec::with_capacity(4);
        effects.extend(first_half_to.into_iter().flatten().map(|to| {
            Effect::Deliver(Delivery::new(
                PinPart::FirstHalf,
                to,
                fresh.first.duplicate(),
            ))
        }));
        let document_checked_by = match request {
            ChannelRequest::Sede(sede) => Some(sede.operator().clone()),
            ChannelRequest::Online | ChannelRequest::ContactCenter { .. } => None,
        };
        effects.push(Effect::Deliver(match request {
            // R13: the whole code, sealed, at the counter, by the operator who saw the document.
            ChannelRequest::Sede(sede) => Delivery::new(
                PinPart::WholeFirstPin,
                Medium::SealedEnvelopeAtCounter(sede.operator().clone()),
                fresh.whole,
            ),
            // R11, R12: the second half by ordinary post, sealed, to the archive's residence.
            ChannelRequest::Online | ChannelRequest::ContactCenter { .. } => Delivery::new(
                PinPart::SecondHalf,
                Medium::SealedPost(archive.fact().residence().clone()),
                fresh.second,
            ),
        }));

        let assurance = channel.assurance();
        let mut outcome = Outcome::new(Reply::PinIssued {
            channel,
            assurance,
            first_access_by: fresh.lapses_at,
        })
        .with_event(Event::PinIssued {
            at: now,
            role: person.role(),
            person: Some(Box::new(person)),
            channel,
            assurance,
            whole: fresh.whole_hash,
            first_half: fresh.first_half_hash,
            lapses_at: fresh.lapses_at,
            archive_checked_by: Some(archive.checked_by().clone()),
            document_checked_by,
        });
        outcome.effects = effects;
        Ok(outcome)
    }

    /// R23: a new 16-character PIN, its first half to the registered e-mail and the second to
    /// the registered mobile (the row checked that they were given).
    pub(super) fn restore<R: CryptoRng + ?Sized>(
        &self,
        context: &mut Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        let (email, mobile) = self
            .person
            .as_deref()
            .and_then(Person::registered_contacts)
            .ok_or(Refusal::ContactsNotMatching)?;
        // The restore's 16 is for its first access only: no first half opens anything (R9a).
        let fresh = fresh_pin(context, false)?;
        let outcome = Outcome::new(Reply::PinRestored {
            first_access_by: fresh.lapses_at,
        })
        .with_event(Event::RestoreRequested {
            at: context.now,
            whole: fresh.whole_hash,
            lapses_at: fresh.lapses_at,
        })
        .with_effect(Effect::Deliver(Delivery::new(
            PinPart::FirstHalf,
            Medium::Email(email.clone()),
            fresh.first,
        )))
        .with_effect(Effect::Deliver(Delivery::new(
            PinPart::SecondHalf,
            Medium::Sms(mobile.clone()),
            fresh.second,
        )));
        // Whoever asked, the owner hears of it, and learns that the PIN still works (R23a).
        Ok(self.notify(outcome, Notice::RestoreRequested))
    }

    /// A new 8-character PIN for the first access or a renewal (R6, R21): shown on screen,
    /// lasting the role's months (R20), and the session it opens at `assurance`, with the
    /// generation the new PIN will have (R31).
    pub(super) fn fresh_short_pin<R: CryptoRng + ?Sized>(
        &self,
        assurance: AssuranceLevel,
        from_trusted_device: bool,
        context: &mut Context<'_, R>,
    ) -> Result<ShortPin, Refusal> {
        let now = context.now;
        let pin = Secret::generate(HALF_LEN, context.rng);
        let hash = PinHash::compute(pin.bytes(), context.policy.hash_cost, context.rng)?;
        let months = context.policy.validity_months(self.role);
        Ok(ShortPin {
            on_screen: Effect::Deliver(Delivery::new(PinPart::Pin, Medium::Screen, pin)),
            hash,
            expires_at: add_rome_months(now, i64::from(months)),
            session: Session::new(
                self.codice_fiscale,
                Credential::Pin,
                assurance,
                now,
                self.pin_generation.saturating_add(1),
                from_trusted_device,
            ),
        })
    }
}

/// A new 16-character PIN, its hashes and its first-access window (R5, R7, R8, R9, R9a).
pub(super) fn fresh_pin<R: CryptoRng + ?Sized>(
    context: &mut Context<'_, R>,
    first_half_may_open: bool,
) -> Result<FreshPin, Refusal> {
    let policy = context.policy;
    let whole = Secret::generate(FULL_LEN, context.rng);
    let whole_hash = PinHash::compute(whole.bytes(), policy.hash_cost, context.rng)?;
    let (first, second) = whole.split_halves();
    let first_half_hash = if first_half_may_open && policy.catalogue.any_accepts_first_half() {
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
