//! Format 1: the cached account as the crate wrote it before the lane of first accesses
//! (R25b) was stored.
//!
//! A format-1 account is today's with its PIN record one field shorter: the record ended with
//! its trusted devices. The parts inside the record (the stage, the locks, the restore, the
//! devices) are stored as they are today, so they are read with today's types; the record
//! itself is kept here, field for field, so that a format-1 account still decodes in every
//! format, postcard included (whose layout is the declaration order). Its lists are read with
//! the same bounds as today's (R35). Read, never written.

use serde::Deserialize;

use crate::account::{PinRecord as Current, RestoreCode, RestoreRequest, Stage};
use crate::device::TrustedDevice;
use crate::lockout::LockState;
use crate::upgrade::UpgradeVia;

/// A PIN record as format 1 stored it.
#[derive(Deserialize)]
pub(super) struct PinRecord {
    stage: Stage,
    lock: LockState,
    pending_upgrade: Option<UpgradeVia>,
    #[serde(default)]
    restore: Option<Box<RestoreCode>>,
    #[serde(
        default,
        deserialize_with = "crate::bounded::vec::<_, _, crate::restore::StoredRestoreRequests>"
    )]
    restores_requested: Vec<RestoreRequest>,
    #[serde(
        default,
        deserialize_with = "crate::bounded::vec::<_, _, crate::device::StoredDevices>"
    )]
    devices: Vec<TrustedDevice>,
}

impl From<PinRecord> for Current {
    /// Format 1 kept no count of wrong first accesses: the lane starts empty, as it does for a
    /// new code.
    fn from(old: PinRecord) -> Current {
        Current {
            stage: old.stage,
            lock: old.lock,
            pending_upgrade: old.pending_upgrade,
            restore: old.restore,
            restores_requested: old.restores_requested,
            devices: old.devices,
            first_access_lock: LockState::default(),
        }
    }
}
