//! Evolve: apply one event. Infallible and deterministic, so replay rebuilds the account (R29).

use jiff::Timestamp;

use crate::account::event::Event;
use crate::account::{Account, ActivePin, FirstPin, PinRecord, Stage};
use crate::assurance::AssuranceLevel;
use crate::hash::PinHash;
use crate::lockout::LockState;
use crate::person::Person;

impl Account {
    /// Applies one event and counts it in the version.
    ///
    /// Events are facts: this never fails and never checks them again. Apply only events that
    /// [`Account::decide`] returned for this account, in order. An event that finds no PIN to
    /// act on (which `decide` never returns) changes nothing but the version.
    pub fn evolve(&mut self, event: &Event) {
        match event {
            Event::PinIssued {
                person,
                assurance,
                whole,
                first_half,
                lapses_at,
                ..
            } => {
                self.person = Some(Person::clone(person));
                // A new record: no lock and no upgrade request survive from an earlier PIN.
                self.pin = Some(PinRecord {
                    stage: first_stage(*assurance, whole, first_half.as_ref(), *lapses_at),
                    lock: LockState::default(),
                    pending_upgrade: None,
                });
            }
            Event::PinRestored {
                assurance,
                whole,
                first_half,
                lapses_at,
                ..
            } => {
                // A restore replaces the code: the lock ends, and an upgrade request made for
                // the old code ends with it (the person sends it again once in with the new
                // one, R16, R17).
                self.pin = Some(PinRecord {
                    stage: first_stage(*assurance, whole, first_half.as_ref(), *lapses_at),
                    lock: LockState::default(),
                    pending_upgrade: None,
                });
            }
            Event::FirstAccessCompleted {
                pin,
                assurance,
                expires_at,
                ..
            } => {
                if let Some(record) = &mut self.pin {
                    record.stage = Stage::Active(ActivePin {
                        assurance: *assurance,
                        hash: pin.clone(),
                        expires_at: *expires_at,
                        warned: false,
                        expiry_noted: false,
                    });
                    record.lock.clear();
                }
            }
            Event::PinRenewed {
                pin, expires_at, ..
            } => {
                if let Some(record) = &mut self.pin {
                    // Renewal keeps the level and a waiting upgrade request: the same holder
                    // just proved the same PIN (R21).
                    if let Stage::Active(active) = &mut record.stage {
                        active.hash = pin.clone();
                        active.expires_at = *expires_at;
                        active.warned = false;
                        active.expiry_noted = false;
                    }
                    record.lock.clear();
                }
            }
            Event::LoggedIn { .. } => self.with_pin(|record| record.lock.clear()),
            Event::LoginFailed { at, .. } => {
                self.with_pin(|record| record.lock.record_failure(*at))
            }
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
            Event::PinRevoked { .. } => self.pin = None,
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
