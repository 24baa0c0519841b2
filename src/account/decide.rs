//! Decide: from the account, a command and the caller's context, the events and effects, or a
//! refusal. Reads only; every change goes through an event (R27).
//!
//! What runs, and in which order, is the lifecycle table's (`table.rs`): [`Account::decide`]
//! looks up the row for the command in the account's phase, runs its checks in order, and
//! carries out what the row says. This file holds how each check and each outcome is done, and
//! no decision of its own about which applies when.

use jiff::Timestamp;
use rand_core::CryptoRng;

use crate::account::command::Command;
use crate::account::event::Event;
use crate::account::outcome::{Effect, LaneClosed, Outcome, Reply};
use crate::account::phase::{PinStatus, renewable_from, retired_since};
use crate::account::refusal::Refusal;
use crate::account::session_end::SessionEnd;
use crate::account::sunset_rules::{sunset_allows_new_pin, sunset_allows_use};
use crate::account::table::{Check, Refuse, Then, row};
use crate::account::verify::{
    Matched, Verified, lane_device, lane_lockout, verify_typed, verify_waiting,
};
use crate::account::wrong_pin::unknown_pin;
use crate::account::{Account, Context, PinDue, PinRecord, Stage};
use crate::assurance::{AssuranceLevel, Credential, Session};
use crate::channel::{ChannelRequest, IdentityDocument};
use crate::civil_time::{add_rome_days, rome_date};
use crate::delivery::Medium;
use crate::device::{DeviceToken, Lane};
use crate::hash::{HashCost, HashingFailed, PinHash};
use crate::lockout::LockGate;
use crate::notification::{Notice, Notification};
use crate::person::Person;
use crate::personal_data::ErasureReason;
use crate::policy::Policy;
use crate::secret::FULL_LEN;
use crate::upgrade::UpgradeDecision;

impl From<HashingFailed> for Refusal {
    fn from(_: HashingFailed) -> Self {
        Refusal::HashingFailed
    }
}

/// What a check found when it did not refuse.
enum Checked {
    /// Nothing to say: the next check runs.
    Passed,
    /// The typed PIN matched this code.
    Matched(Matched),
    /// The command is answered here: a wrong PIN, counted.
    Answered(Box<Outcome>),
}

impl Account {
    /// Decides a command without changing the account: the outcome to apply with
    /// [`Account::evolve`], or why it cannot apply.
    ///
    /// The account's phase at `context.now` ([`Account::status`]) and the command's kind pick
    /// a row of the lifecycle table ([`crate::lifecycle::row`]); its checks run in order, and
    /// the first that does not pass answers. Use it instead of [`Account::handle`] to store the
    /// events (with a compare-and-swap on [`Account::version`]) before applying them.
    ///
    /// # Errors
    /// A [`Refusal`] saying why the command cannot apply and what to do instead.
    pub fn decide<R: CryptoRng + ?Sized>(
        &self,
        command: &Command,
        context: &mut Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        let lane = self.lane_of(command, context);
        let status = self.status_in(context.now, context.policy, &lane);
        let row = row(command.kind(), status.phase());
        let mut matched = None;
        for &check in row.checks {
            match self.check(check, command, &lane, context)? {
                Checked::Passed => {}
                Checked::Matched(code) => matched = Some(code),
                Checked::Answered(outcome) => return Ok(*outcome),
            }
        }
        self.carry_out(row.then, command, status, matched, &lane, context)
    }

    /// The lane a command's PIN attempt is counted in (R25a): a login that presents a valid,
    /// unexpired token of one of this account's trusted devices is that device's; everything
    /// else is the anonymous lane.
    fn lane_of<R: CryptoRng + ?Sized>(&self, command: &Command, context: &Context<'_, R>) -> Lane {
        let (Command::LogIn {
            device: Some(token),
            ..
        }
        | Command::RenewPin {
            device: Some(token),
            ..
        }) = command
        else {
            return Lane::Anonymous;
        };
        let id = token.device_id();
        let trusted = self.pin.as_ref().and_then(|record| {
            record.devices.iter().find(|device| {
                device.id == id && device.trusted_at(context.now, &context.policy.trusted_devices)
            })
        });
        match trusted {
            Some(device)
                if device.hash.verify_within(
                    token.secret_bytes(),
                    context.policy.stored_hash_cost_bound(),
                ) == Ok(true) =>
            {
                Lane::Device(id)
            }
            _ => Lane::Anonymous,
        }
    }

    /// Runs one check of a row.
    fn check<R: CryptoRng + ?Sized>(
        &self,
        check: Check,
        command: &Command,
        lane: &Lane,
        context: &Context<'_, R>,
    ) -> Result<Checked, Refusal> {
        let now = context.now;
        let policy = context.policy;
        let passed = match (check, command) {
            (Check::SameAccount, Command::RequestPin { person, .. }) => {
                let requested = person.codice_fiscale();
                if requested != self.codice_fiscale {
                    return Err(Refusal::WrongAccount { requested });
                }
                Checked::Passed
            }
            (Check::TemporaryCodiceFiscale, Command::RequestPin { person, .. }) => {
                if person.codice_fiscale().is_temporary() && !policy.accept_temporary_codice_fiscale
                {
                    return Err(Refusal::TemporaryCodiceFiscale);
                }
                Checked::Passed
            }
            (Check::SunsetAllowsUse, _) => {
                sunset_allows_use(policy, now)?;
                Checked::Passed
            }
            (Check::SunsetAllowsNewPin, Command::RequestPin { person, .. }) => {
                sunset_allows_new_pin(policy, person, now)?;
                Checked::Passed
            }
            (
                Check::ContactForFirstHalf,
                Command::RequestPin {
                    person, channel, ..
                },
            ) => {
                if matches!(channel, ChannelRequest::Online)
                    && Medium::electronic_contact(person).is_none()
                {
                    return Err(Refusal::NoContactForFirstHalf);
                }
                Checked::Passed
            }
            (Check::DocumentValid, Command::RequestPin { channel, .. }) => {
                if let ChannelRequest::Sede(sede) = channel {
                    document_valid(sede.document.fact(), now)?;
                }
                Checked::Passed
            }
            (
                Check::DocumentValid,
                Command::RequestUpgrade { document, .. } | Command::UpgradeAtSede { document },
            ) => {
                document_valid(document.fact(), now)?;
                Checked::Passed
            }
            (Check::ArchiveMatches, Command::RequestPin { archive, .. }) => {
                if archive.fact().codice_fiscale() != self.codice_fiscale {
                    return Err(Refusal::ArchiveNotMatching);
                }
                Checked::Passed
            }
            (Check::AttestationCurrent, _) => {
                let checked_at = attestations_checked_at(command).ok_or(Refusal::Internal)?;
                for checked_at in checked_at.into_iter().flatten() {
                    attestation_current(checked_at, now, policy)?;
                }
                Checked::Passed
            }
            (Check::WholePinTyped, Command::FirstAccess { pin, .. }) => {
                // The caller knows how many characters were typed: answering this first, in
                // every phase, tells nobody whether a PIN is pending (R30).
                if pin.len() != FULL_LEN {
                    return Err(Refusal::WholePinRequired);
                }
                Checked::Passed
            }
            (Check::LoginDelay, _) => {
                let gate = self
                    .pin
                    .as_ref()
                    .and_then(|record| record.lock(lane))
                    .map_or(Ok(()), |lock| lock.gate(now, lane_lockout(policy, lane)));
                let closed = match gate {
                    Ok(()) => return Ok(Checked::Passed),
                    Err(LockGate::Blocked) => LaneClosed::Blocked,
                    Err(LockGate::Delayed { retry_after }) => LaneClosed::Delayed { retry_after },
                };
                match (lane, closed) {
                    // Whoever knows a codice fiscale is answered as for a wrong PIN (R30a).
                    (Lane::Anonymous, _) => {
                        Checked::Answered(Box::new(self.turned_away(closed, lane, false)))
                    }
                    // A trusted device proved more than a codice fiscale: it is told its own
                    // delay (R25a). Its lane never stays blocked (the device is forgotten).
                    (Lane::Device(_), LaneClosed::Delayed { retry_after }) => {
                        return Err(Refusal::LoginDelayed { retry_after });
                    }
                    (Lane::Device(_), LaneClosed::Blocked) => return Err(Refusal::PinBlocked),
                }
            }
            (Check::FirstAccessDelay, Command::FirstAccess { .. }) => {
                let delays = &policy.first_access_delays;
                match self.record()?.first_access_lock.delay_until(now, delays) {
                    None => Checked::Passed,
                    Some(retry_after) => Checked::Answered(Box::new(self.turned_away(
                        LaneClosed::Delayed { retry_after },
                        lane,
                        true,
                    ))),
                }
            }
            (
                Check::Pin | Check::PinOrFirstHalf | Check::WaitingCode,
                Command::FirstAccess { pin, .. }
                | Command::LogIn { pin, .. }
                | Command::RenewPin { pin, .. },
            ) => {
                let record = self.record()?;
                let bound = policy.stored_hash_cost_bound();
                let verified = match check {
                    Check::WaitingCode => verify_waiting(record, pin, now, bound),
                    _ => verify_typed(record, pin, check == Check::PinOrFirstHalf, bound),
                };
                match verified.map_err(|_| Refusal::StoredHashRejected)? {
                    Verified::Matched(code) => Checked::Matched(code),
                    Verified::Wrong { unverified } if check == Check::WaitingCode => {
                        Checked::Answered(Box::new(self.wrong_first_access(context, unverified)))
                    }
                    Verified::Wrong { .. } => {
                        Checked::Answered(Box::new(self.wrong_pin(context, lane)))
                    }
                }
            }
            (Check::RestoreLimit, _) => {
                let limit = policy.restore_limit;
                let record = self.record()?;
                let window = i64::from(limit.window_days);
                let in_window: Vec<Timestamp> = record
                    .restores_requested
                    .iter()
                    .map(|request| request.at)
                    .filter(|at| now < add_rome_days(*at, window))
                    .collect();
                if in_window.len() >= usize::from(limit.max_requests) {
                    let oldest = in_window.first().copied().unwrap_or(now);
                    return Err(Refusal::RestoreLimitReached {
                        retry_after: add_rome_days(oldest, window),
                    });
                }
                Checked::Passed
            }
            (Check::Ordinary, _) => {
                if self.record()?.assurance() == AssuranceLevel::Dispositivo {
                    return Err(Refusal::AlreadyDispositivo);
                }
                Checked::Passed
            }
            (Check::NoUpgradeWaiting, _) => {
                if self.record()?.pending_upgrade.is_some() {
                    return Err(Refusal::UpgradePending);
                }
                Checked::Passed
            }
            (Check::UpgradeWaiting, _) => {
                if self.record()?.pending_upgrade.is_none() {
                    return Err(Refusal::NoUpgradePending);
                }
                Checked::Passed
            }
            (Check::ContactsProven, Command::Restore { .. }) => {
                // Reads like wrong contacts: a caller learns nothing of the PIN's stage (R30).
                if !matches!(self.record()?.stage, Stage::Active(_)) {
                    return Err(Refusal::ContactsNotMatching);
                }
                Checked::Passed
            }
            (Check::ContactsMatch, Command::Restore { email, mobile }) => {
                let registered = self.person.as_deref().and_then(Person::registered_contacts);
                if !registered.is_some_and(|(e, m)| e == email && m == mobile) {
                    return Err(Refusal::ContactsNotMatching);
                }
                Checked::Passed
            }
            (Check::TesseraMatches, Command::Revoke { tessera }) => {
                if tessera.fact().codice_fiscale() != self.codice_fiscale {
                    return Err(Refusal::TesseraNotMatching);
                }
                Checked::Passed
            }
            (Check::TesseraValid, Command::Revoke { tessera }) => {
                let tessera = tessera.fact();
                if !tessera.is_valid_on(rome_date(now)) {
                    return Err(Refusal::TesseraExpired {
                        expired_on: tessera.expires_on(),
                    });
                }
                Checked::Passed
            }
            (Check::SomethingToErase, Command::Erase { .. }) => {
                // Read from the facts alone as well: the person may be kept apart (R36).
                if !self.holds_personal_data() {
                    return Err(Refusal::NothingToErase);
                }
                Checked::Passed
            }
            // A check the table names for a command that cannot carry what it checks: a
            // defect of the table, refused rather than skipped (a test keeps it unreachable).
            _ => return Err(Refusal::Internal),
        };
        Ok(passed)
    }

    /// Carries out what a row says once its checks passed.
    fn carry_out<R: CryptoRng + ?Sized>(
        &self,
        then: Then,
        command: &Command,
        status: PinStatus,
        matched: Option<Matched>,
        lane: &Lane,
        context: &mut Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        let now = context.now;
        match (then, command) {
            (Then::Refuse(refuse), _) => Err(self.refusal(refuse, status, context.policy)),
            (
                Then::Issue,
                Command::RequestPin {
                    person,
                    channel,
                    archive,
                },
            ) => self.issue(person, channel, archive, context),
            (Then::CompleteFirstAccess, Command::FirstAccess { trust_device, .. }) => {
                let record = self.record()?;
                let assurance = record.assurance();
                let new = self.fresh_short_pin(assurance, false, context)?;
                let mut outcome = Outcome::new(Reply::FirstAccessCompleted(new.session))
                    .with_event(Event::FirstAccessCompleted {
                        at: now,
                        pin: new.hash,
                        assurance,
                        expires_at: new.expires_at,
                    })
                    .with_effect(new.on_screen);
                // Sessions the replaced code opened end with it (R31): the 8 a restore's code
                // replaces, or the first half of the 16 (R9a).
                let sessions_possible = match &record.stage {
                    Stage::Active(_) => true,
                    Stage::AwaitingFirstAccess(first) => first.first_half.is_some(),
                };
                if sessions_possible {
                    outcome = outcome
                        .with_effect(Effect::EndSessions(self.end_sessions(SessionEnd::Replaced)));
                }
                self.trusting_device(outcome, *trust_device, context)
            }
            (
                Then::OpenSession | Then::FirstAccessDue,
                Command::LogIn {
                    pin, trust_device, ..
                },
            ) => {
                let credential = match matched {
                    Some(Matched::Short) => Credential::Pin,
                    Some(Matched::FirstHalf) => Credential::PinFirstHalf,
                    // The right 16 before the first access: the one thing to do is that.
                    Some(Matched::Whole) => return Err(Refusal::FirstAccessRequired),
                    None => return Err(Refusal::Internal),
                };
                let record = self.record()?;
                let session = Session::new(
                    self.codice_fiscale,
                    credential,
                    record.assurance(),
                    now,
                    self.pin_generation,
                    *lane != Lane::Anonymous,
                );
                // The one moment the crate holds the right PIN: a hash made at another cost
                // than the policy's is made again, so a wrong PIN soon costs what an unknown
                // person's does (R30).
                let rehashed = match &record.stage {
                    Stage::Active(active)
                        if credential == Credential::Pin
                            && active.hash.rehash_needed(context.policy.hash_cost) =>
                    {
                        Some(PinHash::compute(
                            pin.bytes(),
                            context.policy.hash_cost,
                            context.rng,
                        )?)
                    }
                    _ => None,
                };
                let outcome = Outcome::new(Reply::LoggedIn(session)).with_event(Event::LoggedIn {
                    at: now,
                    credential,
                    device: lane_device(lane),
                    rehashed,
                });
                // A trusted device is trusted already.
                let trust = *trust_device && *lane == Lane::Anonymous;
                self.trusting_device(outcome, trust, context)
            }
            (Then::Renew, Command::RenewPin { trust_device, .. }) => {
                // A trusted device is trusted already.
                let from_device = *lane != Lane::Anonymous;
                let trust_device = *trust_device && !from_device;
                let assurance = self.record()?.assurance();
                let new = self.fresh_short_pin(assurance, from_device, context)?;
                let outcome = Outcome::new(Reply::PinRenewed(new.session))
                    .with_event(Event::PinRenewed {
                        at: now,
                        pin: new.hash,
                        expires_at: new.expires_at,
                        device: lane_device(lane),
                    })
                    .with_effect(new.on_screen)
                    .with_effect(Effect::EndSessions(self.end_sessions(SessionEnd::Replaced)));
                self.trusting_device(outcome, trust_device, context)
            }
            (Then::RecordUpgradeRequest, Command::RequestUpgrade { via, document }) => Ok(
                Outcome::new(Reply::UpgradeRequested).with_event(Event::UpgradeRequested {
                    at: now,
                    via: *via,
                    checked_by: Some(document.checked_by().clone()),
                }),
            ),
            (Then::DecideUpgrade, Command::DecideUpgrade { decision, reviewer }) => {
                let (approved, event, notice) = match decision {
                    UpgradeDecision::Approve => (
                        true,
                        Event::UpgradeApproved {
                            at: now,
                            by: reviewer.clone(),
                        },
                        Notice::UpgradeApproved,
                    ),
                    UpgradeDecision::Reject(reason) => (
                        false,
                        Event::UpgradeRejected {
                            at: now,
                            by: reviewer.clone(),
                            reason: Some(reason.clone()),
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
            // The operator who saw the document decides (R16, R17).
            (Then::ApproveAtSede, Command::UpgradeAtSede { document }) => Ok(Outcome::new(
                Reply::UpgradeDecided { approved: true },
            )
            .with_event(Event::UpgradeApproved {
                at: now,
                by: document.checked_by().clone(),
            })),
            (Then::Restore, Command::Restore { .. }) => self.restore(context),
            (Then::Revoke, Command::Revoke { tessera }) => Ok(self.notify(
                Outcome::new(Reply::PinRevoked)
                    .with_event(Event::PinRevoked {
                        at: now,
                        checked_by: Some(tessera.checked_by().clone()),
                    })
                    .with_effect(Effect::EndSessions(self.end_sessions(SessionEnd::Revoked))),
                Notice::PinRevoked,
            )),
            (Then::Erase, Command::Erase { reason }) => {
                let reply = Reply::PersonalDataErased {
                    reason: *reason,
                    pin_ended: self.pin.is_some(),
                };
                Ok(self.erasure(Outcome::new(reply), now, *reason))
            }
            (Then::ApplyTime, Command::Tick) => Ok(self.apply_time(context)),
            (Then::TurnAway, Command::LogIn { .. } | Command::RenewPin { .. }) => {
                Ok(self.turned_away(LaneClosed::Blocked, lane, false))
            }
            (
                Then::AnswerUnknown,
                Command::FirstAccess { pin, .. }
                | Command::LogIn { pin, .. }
                | Command::RenewPin { pin, .. },
            ) => Ok(unknown_pin(pin, context)),
            // What the table says to do does not fit the command: a defect of the table.
            _ => Err(Refusal::Internal),
        }
    }

    /// The refusal a row gives, with the data of the phase it was given in.
    fn refusal(&self, refuse: Refuse, status: PinStatus, policy: &Policy) -> Refusal {
        match (refuse, status) {
            // One answer whatever the live PIN is doing: its state is told to no one who only
            // knows the codice fiscale (R30a).
            (Refuse::PinAlreadyLive, _) => Refusal::PinAlreadyLive,
            (Refuse::PinsRetired, PinStatus::Retired { since }) => Refusal::PinsRetired { since },
            (Refuse::FirstPinLapsed, PinStatus::FirstPinLapsed { lapsed_at }) => {
                Refusal::FirstPinLapsed { lapsed_at }
            }
            (Refuse::FirstAccessRequired, _) => Refusal::FirstAccessRequired,
            (Refuse::PinExpired, PinStatus::Expired { expired_at, .. }) => {
                Refusal::PinExpired { expired_at }
            }
            (Refuse::RenewalNotDue, PinStatus::Active { expires_at, .. }) => {
                Refusal::RenewalNotDue {
                    renewable_from: renewable_from(expires_at, policy),
                }
            }
            (Refuse::PinBlocked, _) => Refusal::PinBlocked,
            (Refuse::NoPin, _) => Refusal::NoPin,
            (Refuse::ContactsNotMatching, _) => Refusal::ContactsNotMatching,
            (Refuse::NoUpgradePending, _) => Refusal::NoUpgradePending,
            _ => Refusal::Internal,
        }
    }

    /// The PIN record, which every row that needs one finds (the table keeps rows without a
    /// PIN away from checks that read it).
    fn record(&self) -> Result<&PinRecord, Refusal> {
        self.pin.as_ref().ok_or(Refusal::Internal)
    }

    /// The erasure of the person's data (R36), added to `outcome`: one event, and the end of
    /// the sessions of a PIN that ends with it (R31). No notice: the contacts it would go to
    /// are what is erased, and a message queued to them would outlive the erasure in the
    /// service's outbox.
    fn erasure(&self, outcome: Outcome, now: Timestamp, reason: ErasureReason) -> Outcome {
        let outcome = outcome.with_event(Event::PersonalDataErased { at: now, reason });
        if self.pin.is_some() {
            outcome.with_effect(Effect::EndSessions(
                self.end_sessions(SessionEnd::PersonalDataErased),
            ))
        } else {
            outcome
        }
    }

    /// Whatever the clock makes due: the lapse of an unused 16, the expiry warning, the expiry
    /// (R9, R20, R22), the end of the personal data's retention period (R36). Nothing due: no
    /// events. The erasure, once due, is all a tick records: a lapse or an expiry that a late
    /// tick would record with it would only tell the person what the erasure ends.
    fn apply_time<R: CryptoRng + ?Sized>(&self, context: &Context<'_, R>) -> Outcome {
        let now = context.now;
        let outcome = Outcome::new(Reply::TimeApplied);
        if self
            .retention_deadline(context.policy)
            .is_some_and(|deadline| deadline <= now)
        {
            return self.erasure(outcome, now, ErasureReason::RetentionPeriod);
        }
        let Some(record) = &self.pin else {
            return outcome;
        };
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
        let (event, notice) = match (due, &record.stage) {
            (Some(PinDue::Lapse), Stage::AwaitingFirstAccess(first)) => (
                Event::FirstPinLapsed { at: now },
                Notice::FirstPinLapsed {
                    lapsed_at: first.lapses_at,
                },
            ),
            (Some(PinDue::Warning), Stage::Active(active)) => (
                Event::ExpiryWarned { at: now },
                Notice::ExpiryWarning {
                    expires_at: active.expires_at,
                },
            ),
            (Some(PinDue::Expiry), Stage::Active(active)) => (
                Event::PinExpired { at: now },
                Notice::PinExpired {
                    expired_at: active.expires_at,
                },
            ),
            _ => return outcome,
        };
        let mut outcome = outcome.with_event(event);
        // An expired PIN, or a lapsed 16 whose first half may have opened sessions (R9a), ends
        // them (R31).
        let sessions_end = match (due, &record.stage) {
            (Some(PinDue::Expiry), _) => true,
            (Some(PinDue::Lapse), Stage::AwaitingFirstAccess(first)) => first.first_half.is_some(),
            _ => false,
        };
        if sessions_end {
            outcome =
                outcome.with_effect(Effect::EndSessions(self.end_sessions(SessionEnd::Expired)));
        }
        // Recorded without a notice when the notice would mislead: due before the sunset's
        // retirement but applied after it (a late tick), it would invite a renewal no PIN can
        // have (R22a); on a blocked PIN, the block notice already said to restore, which gives
        // a new PIN anyway (R25).
        if retired_since(context.policy, now).is_some() || record.lock.is_blocked() {
            return outcome;
        }
        self.notify(outcome, notice)
    }

    /// Makes the client a trusted device when the command asked for it and the policy trusts
    /// devices (R25a): a new token in the outcome, its hash in an event, the oldest device
    /// making room when the account trusts as many as the policy allows.
    fn trusting_device<R: CryptoRng + ?Sized>(
        &self,
        outcome: Outcome,
        asked: bool,
        context: &mut Context<'_, R>,
    ) -> Result<Outcome, Refusal> {
        let limits = &context.policy.trusted_devices;
        if !asked || limits.max_devices == 0 {
            return Ok(outcome);
        }
        let token = DeviceToken::generate(context.rng);
        let device = token.device_id();
        let hash = PinHash::compute(token.secret_bytes(), HashCost::CHEAP, context.rng)?;
        let devices = self
            .pin
            .as_ref()
            .map_or(&[][..], |record| &record.devices[..]);
        let same_id = devices.iter().find(|kept| kept.id == device);
        let full = devices.len() >= usize::from(limits.max_devices);
        // An expired device makes room first, then the oldest.
        let replaces = same_id
            .or_else(|| {
                full.then(|| {
                    devices
                        .iter()
                        .find(|kept| !kept.trusted_at(context.now, limits))
                        .or_else(|| devices.first())
                })
                .flatten()
            })
            .map(|kept| kept.id.clone());
        let mut outcome = outcome.with_event(Event::DeviceTrusted {
            at: context.now,
            device,
            hash,
            replaces,
        });
        outcome.trusted_device = Some(token);
        Ok(outcome)
    }

    /// Adds a notice to the person, through the fastest medium that reaches them.
    pub(super) fn notify(&self, outcome: Outcome, notice: Notice) -> Outcome {
        match self.person.as_deref() {
            Some(person) => {
                outcome.with_effect(Effect::Notify(Notification::to_person(person, notice)))
            }
            None => outcome,
        }
    }
}

/// When each attestation `command` carries was checked, or `None` for a command that carries
/// none (R35).
fn attestations_checked_at(command: &Command) -> Option<[Option<Timestamp>; 2]> {
    match command {
        Command::RequestPin {
            archive, channel, ..
        } => {
            let document = match channel {
                ChannelRequest::Sede(sede) => Some(sede.document.checked_at()),
                ChannelRequest::Online | ChannelRequest::ContactCenter { .. } => None,
            };
            Some([Some(archive.checked_at()), document])
        }
        Command::Revoke { tessera } => Some([Some(tessera.checked_at()), None]),
        Command::RequestUpgrade { document, .. } | Command::UpgradeAtSede { document } => {
            Some([Some(document.checked_at()), None])
        }
        _ => None,
    }
}

/// R35: an attestation checked no later than `now`, and no longer ago than the policy allows.
fn attestation_current(
    checked_at: Timestamp,
    now: Timestamp,
    policy: &Policy,
) -> Result<(), Refusal> {
    if checked_at > now {
        return Err(Refusal::AttestationFromTheFuture);
    }
    if checked_at.duration_until(now) > policy.attestation_valid_for {
        return Err(Refusal::AttestationStale { checked_at });
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
