//! Evolve: apply one event. Infallible and deterministic, so replay rebuilds the account (R29).

use jiff::Timestamp;

use crate::account::event::Event;
use crate::account::{
    Account, ActivePin, DeadlineMemo, FirstPin, PinRecord, RestoreCode, RestoreRequest, Stage,
};
use crate::assurance::AssuranceLevel;
use crate::device::{DeviceId, MAX_TRUSTED_DEVICES, TrustedDevice};
use crate::hash::PinHash;
use crate::lockout::LockState;
use crate::restore::MAX_RESTORE_REQUESTS;

impl Account {
    /// Applies one event and counts it in the version.
    ///
    /// Events are facts: this never fails and never checks them again. Apply only events that
    /// [`Account::decide`] returned for this account, in order. An event that finds no PIN to
    /// act on (which `decide` never returns) changes nothing but the version.
    pub fn evolve(&mut self, event: &Event) {
        match event {
            Event::PinIssued {
                role,
                person,
                assurance,
                whole,
                first_half,
                lapses_at,
                ..
            } => {
                self.role = *role;
                // The facts alone (the person split off or erased) leave no person (R36).
                self.person.clone_from(person);
                self.revoked_at = None;
                // A new record: no lock, request or device survives from an earlier PIN.
                self.pin = Some(PinRecord::new(first_stage(
                    *assurance,
                    whole,
                    first_half.as_ref(),
                    *lapses_at,
                )));
            }
            Event::PinRestored {
                assurance,
                whole,
                first_half,
                lapses_at,
                ..
            } => {
                // As such restores applied when they were written: the code replaced at once.
                self.pin = Some(PinRecord::new(first_stage(
                    *assurance,
                    whole,
                    first_half.as_ref(),
                    *lapses_at,
                )));
            }
            Event::RestoreRequested {
                at,
                whole,
                lapses_at,
            } => self.with_pin(|record| {
                // Beside the PIN in use, which nothing here touches (R23a).
                record.restore = Some(Box::new(RestoreCode {
                    whole: whole.clone(),
                    lapses_at: *lapses_at,
                }));
                // A new code waits: its first accesses start a lane of their own (R25b).
                record.first_access_lock.clear();
                record.restores_requested.push(RestoreRequest { at: *at });
                let excess = record
                    .restores_requested
                    .len()
                    .saturating_sub(usize::from(MAX_RESTORE_REQUESTS));
                record.restores_requested.drain(..excess);
            }),
            Event::DeviceTrusted {
                at,
                device,
                hash,
                replaces,
            } => self.with_pin(|record| {
                record
                    .devices
                    .retain(|kept| kept.id != *device && Some(&kept.id) != replaces.as_ref());
                record.devices.push(TrustedDevice {
                    id: device.clone(),
                    hash: hash.clone(),
                    last_used_at: *at,
                    lock: LockState::default(),
                });
                // No stream the crate writes holds more (a policy trusts at most as many, and
                // the oldest makes room): the bound a stored account is loaded with holds for
                // a replayed one too, whatever the events (R35).
                let excess = record
                    .devices
                    .len()
                    .saturating_sub(usize::from(MAX_TRUSTED_DEVICES));
                record.devices.drain(..excess);
            }),
            Event::FirstAccessCompleted {
                pin,
                assurance,
                expires_at,
                ..
            } => {
                if let Some(record) = &mut self.pin {
                    // The new 8 replaces whatever was live: the first 16, or the PIN in use
                    // when a restore's 16 was used. Its lock, a restore waiting and an upgrade
                    // request made for the replaced code end with it (R17, R23a).
                    record.stage = Stage::Active(ActivePin {
                        assurance: *assurance,
                        hash: pin.clone(),
                        expires_at: *expires_at,
                        warned: false,
                        expiry_noted: false,
                        deadline_memo: DeadlineMemo::default(),
                    });
                    record.lock.clear();
                    record.first_access_lock.clear();
                    record.restore = None;
                    record.pending_upgrade = None;
                    // The cap counts restores since the owner last came in: whoever asked
                    // before, the owner's way back stays open (R23a, R25a).
                    record.restores_requested.clear();
                }
            }
            Event::PinRenewed {
                at,
                pin,
                expires_at,
                device,
            } => {
                if let Some(record) = &mut self.pin {
                    // Renewal keeps the level and a waiting upgrade request: the same holder
                    // just proved the same PIN (R21).
                    if let Stage::Active(active) = &mut record.stage {
                        active.hash = pin.clone();
                        active.expires_at = *expires_at;
                        active.deadline_memo = DeadlineMemo::default();
                        active.warned = false;
                        active.expiry_noted = false;
                    }
                    record.lock.clear();
                    if let Some(used) = record
                        .devices
                        .iter_mut()
                        .find(|kept| Some(&kept.id) == device.as_ref())
                    {
                        used.last_used_at = *at;
                        used.lock.clear();
                    }
                }
            }
            Event::LoggedIn {
                at,
                device,
                rehashed,
                ..
            } => self.with_pin(|record| {
                if let Some(lock) = record.lock_mut(device.as_ref()) {
                    lock.clear();
                }
                // A trusted device stays trusted for the policy's days after its last use.
                if let Some(used) = record
                    .devices
                    .iter_mut()
                    .find(|kept| Some(&kept.id) == device.as_ref())
                {
                    used.last_used_at = *at;
                }
                if let (Some(hash), Stage::Active(active)) = (rehashed, &mut record.stage) {
                    active.hash = hash.clone();
                }
            }),
            Event::LoginFailed { at, device, blocks } => self.with_pin(|record| {
                if let Some(lock) = record.lock_mut(device.as_ref()) {
                    lock.record_failure(*at);
                }
                match (blocks, device) {
                    (false, _) => {}
                    (true, None) => record.lock.record_block(),
                    // A device whose own lane blocks is forgotten (R25a).
                    (true, Some(id)) => record.devices.retain(|kept| kept.id != *id),
                }
            }),
            Event::PinBlocked { .. } => self.with_pin(|record| record.lock.record_block()),
            // Retired: the end of a delay follows from the clock. Old streams still carry it.
            Event::LoginDelayEnded { .. } => {}
            Event::FirstPinLapsed { .. } => self.with_pin(|record| {
                if let Stage::AwaitingFirstAccess(first) = &mut record.stage {
                    first.lapse_noted = true;
                }
            }),
            Event::ExpiryWarned { .. } => self.with_pin(|record| {
                if let Stage::Active(active) = &mut record.stage {
                    active.warned = true;
                }
            }),
            Event::PinExpired { .. } => self.with_pin(|record| {
                if let Stage::Active(active) = &mut record.stage {
                    active.warned = true;
                    active.expiry_noted = true;
                }
            }),
            Event::UpgradeRequested { via, .. } => {
                self.with_pin(|record| record.pending_upgrade = Some(*via));
            }
            Event::UpgradeApproved { .. } => self.with_pin(|record| {
                match &mut record.stage {
                    Stage::AwaitingFirstAccess(first) => {
                        first.assurance = AssuranceLevel::Dispositivo;
                    }
                    Stage::Active(active) => active.assurance = AssuranceLevel::Dispositivo,
                }
                record.pending_upgrade = None;
            }),
            Event::UpgradeRejected { .. } => {
                self.with_pin(|record| record.pending_upgrade = None);
            }
            Event::PinRevoked { at, .. } => {
                self.pin = None;
                self.revoked_at = Some(*at);
            }
            Event::FirstAccessFailed { at } => {
                self.with_pin(|record| record.first_access_lock.record_failure(*at));
            }
            // The person's data goes, and a live PIN with it, like a revocation: its holder can
            // no longer be told of a block, a restore or an expiry, nor restore it (R36).
            Event::PersonalDataErased { .. } => {
                self.person = None;
                self.revoked_at = None;
                if self.pin.take().is_some() {
                    // Its sessions end with it (R31).
                    self.pin_generation = self.pin_generation.saturating_add(1);
                }
            }
        }
        // The live PIN changed: sessions opened with the one before end with it (R31).
        if matches!(
            event,
            Event::PinIssued { .. }
                | Event::PinRestored { .. }
                | Event::FirstAccessCompleted { .. }
                | Event::PinRenewed { .. }
                | Event::PinRevoked { .. }
        ) {
            self.pin_generation = self.pin_generation.saturating_add(1);
        }
        self.version = self.version.saturating_add(1);
    }

    fn with_pin(&mut self, change: impl FnOnce(&mut PinRecord)) {
        if let Some(record) = &mut self.pin {
            change(record);
        }
    }
}

/// A new 16-character PIN, from a request or a restore.
fn first_stage(
    assurance: AssuranceLevel,
    whole: &PinHash,
    first_half: Option<&PinHash>,
    lapses_at: Timestamp,
) -> Stage {
    Stage::AwaitingFirstAccess(FirstPin {
        assurance,
        whole: whole.clone(),
        first_half: first_half.cloned(),
        lapses_at,
        lapse_noted: false,
    })
}

impl PinRecord {
    /// The lock of the anonymous lane (`None`) or of a trusted device's (R25a).
    fn lock_mut(&mut self, device: Option<&DeviceId>) -> Option<&mut LockState> {
        match device {
            None => Some(&mut self.lock),
            Some(id) => self
                .devices
                .iter_mut()
                .find(|kept| kept.id == *id)
                .map(|kept| &mut kept.lock),
        }
    }
}
