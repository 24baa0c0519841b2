//! A policy is validated wherever it is made or loaded (R34).
//!
//! [`Policy::validate`] checks the values that make no sense together or alone; loading a
//! policy with serde runs the same checks, after the checks of its parts' own types (a
//! [`HashCost`], a [`Lockout`], a [`Catalogue`]), and every refusal is a [`PolicyError`]
//! naming the field. A stored policy, or a configuration file, may give only the fields it
//! changes: the rest are [`Policy::default`]'s. A field the policy does not have is refused,
//! so that a misspelt setting is not silently ignored.

use jiff::SignedDuration;
use jiff::civil::Date;
use serde::Deserialize;
use thiserror::Error;

use super::Policy;
use crate::assurance::{Catalogue, CatalogueError, RawCatalogue};
use crate::device::{MAX_DEVICE_VALID_DAYS, MAX_TRUSTED_DEVICES, TrustedDevices};
use crate::hash::{HashCost, HashCostError, RawHashCost};
use crate::lockout::{DelayLadder, DelaySteps, Lockout, LockoutError, RawLockout};
use crate::restore::{MAX_RESTORE_REQUESTS, RestoreLimit};
use crate::sunset::Sunset;

/// The longest wait after a wrong 16 at a first access: 60 s (R25b, R34).
///
/// That lane slows a guesser and never blocks, so that a stranger can never stand in the way
/// of the owner's first access (R23a, R25a). A wait of a minute already holds a guesser to 60
/// checks of the code an hour; a longer one would hold the owner too, who may mistype a code
/// read from a letter, for nothing gained against 16 characters.
pub const MAX_FIRST_ACCESS_DELAY_SECS: u32 = 60;

/// The most days a 16-character PIN may wait for its first access: 365 (R9, R34).
///
/// A year covers the slowest post and the longest absence; an unused code kept alive for
/// longer is a code more likely found by someone else than used by its owner, and the
/// restore cap's window, no longer than this, stays within a year too (R23a).
pub const MAX_FIRST_ACCESS_WINDOW_DAYS: u16 = 365;

/// The most days personal data may be kept once an account has no live PIN: 3653, ten years
/// (R34, R36).
///
/// Ten years is the ordinary limitation period of Italian civil law (art. 2946 of the codice
/// civile): past it no claim about the PIN can need the person's data, and the security facts,
/// which are kept, answer for what happened.
pub const MAX_PERSONAL_DATA_RETENTION_DAYS: u16 = 3653;

impl Policy {
    /// Checks the policy (R34): every value makes sense alone and with the others.
    ///
    /// Loading a policy with serde runs this; a policy built in code (from
    /// [`Policy::default`], the `with_*` builders, or by setting its public fields) is checked
    /// by calling it, or [`Policy::validated`], once it is complete. The checks, in order:
    ///
    /// - `hash_cost` asks for no more memory, passes or lanes than `max_stored_hash_cost`
    ///   allows, so that the policy's own hashes are within its bound for stored ones (R35);
    /// - `citizen_validity_months` and `intermediary_validity_months` are at least 1;
    /// - `expiry_warning_days` is shorter than the fewest days the shorter validity can last
    ///   (3 months last 89 days or more), else a PIN would be expiring from the day it is given;
    /// - `first_access_window_days` is 1 to [`MAX_FIRST_ACCESS_WINDOW_DAYS`];
    /// - every wait of `first_access_delays` is at most [`MAX_FIRST_ACCESS_DELAY_SECS`];
    /// - `trusted_devices.max_devices` is at most [`MAX_TRUSTED_DEVICES`], and
    ///   `trusted_devices.valid_days` at most [`MAX_DEVICE_VALID_DAYS`] and at least 1 when
    ///   `trusted_devices.max_devices` is not 0;
    /// - `restore_limit.max_requests` is 1 to [`MAX_RESTORE_REQUESTS`], and
    ///   `restore_limit.window_days` at least 1;
    /// - a sunset's `retired_from` is not before its `no_new_pins_from`;
    /// - `personal_data_retention_days`, when given, is 1 to
    ///   [`MAX_PERSONAL_DATA_RETENTION_DAYS`].
    ///
    /// A block above 100 failures or a delay above an hour ([`Lockout`], [`DelayLadder`]), an
    /// absurd Argon2 cost ([`HashCost`]) and the same service twice ([`Catalogue`]) cannot be
    /// built at all; loading them is refused with the field named.
    ///
    /// ```
    /// use inps_pin::{Policy, PolicyError};
    ///
    /// assert_eq!(Policy::default().validate(), Ok(()));
    /// let mut policy = Policy::default();
    /// policy.citizen_validity_months = 0;
    /// let error = policy.validate().unwrap_err();
    /// assert_eq!(error.field(), "citizen_validity_months");
    /// ```
    ///
    /// # Errors
    /// The first [`PolicyError`] found, naming the field and what to do.
    pub fn validate(&self) -> Result<(), PolicyError> {
        self.check_hash_cost_within_bound()?;
        for (field, months) in [
            ("citizen_validity_months", self.citizen_validity_months),
            (
                "intermediary_validity_months",
                self.intermediary_validity_months,
            ),
        ] {
            if months == 0 {
                return Err(PolicyError::ZeroValidity { field });
            }
        }
        self.check_warning_shorter_than_validity()?;
        if self.first_access_window_days == 0 {
            return Err(PolicyError::ZeroFirstAccessWindow);
        }
        if self.first_access_window_days > MAX_FIRST_ACCESS_WINDOW_DAYS {
            return Err(PolicyError::FirstAccessWindowTooLong {
                found: self.first_access_window_days,
            });
        }
        if let Some(found) = self
            .first_access_delays
            .longest_secs()
            .filter(|&longest| longest > MAX_FIRST_ACCESS_DELAY_SECS)
        {
            return Err(PolicyError::FirstAccessDelayTooLong { found });
        }
        let devices = &self.trusted_devices;
        if devices.max_devices > MAX_TRUSTED_DEVICES {
            return Err(PolicyError::TooManyDevices {
                found: devices.max_devices,
            });
        }
        if devices.valid_days > MAX_DEVICE_VALID_DAYS {
            return Err(PolicyError::DeviceValidityTooLong {
                found: devices.valid_days,
            });
        }
        if devices.max_devices > 0 && devices.valid_days == 0 {
            return Err(PolicyError::ZeroDeviceValidity {
                max_devices: devices.max_devices,
            });
        }
        let restores = self.restore_limit;
        if restores.max_requests == 0 || restores.max_requests > MAX_RESTORE_REQUESTS {
            return Err(PolicyError::RestoreRequests {
                found: restores.max_requests,
            });
        }
        if restores.window_days == 0 {
            return Err(PolicyError::ZeroRestoreWindow);
        }
        // A capped owner waits for the window; a restore's code waiting the whole window must
        // still work at its end, or the cap could outlast every code sent (R23a, R25a).
        if restores.window_days > self.first_access_window_days {
            return Err(PolicyError::RestoreWindowOutlastsCodes {
                window_days: restores.window_days,
                first_access_window_days: self.first_access_window_days,
            });
        }
        if !self.attestation_valid_for.is_positive() {
            return Err(PolicyError::AttestationValidity {
                found: self.attestation_valid_for,
            });
        }
        if let Some(sunset) = self.sunset {
            if sunset.retired_from < sunset.no_new_pins_from {
                return Err(PolicyError::SunsetOutOfOrder {
                    no_new_pins_from: sunset.no_new_pins_from,
                    retired_from: sunset.retired_from,
                });
            }
        }
        if let Some(found) = self
            .personal_data_retention_days
            .filter(|days| !(1..=MAX_PERSONAL_DATA_RETENTION_DAYS).contains(days))
        {
            return Err(PolicyError::PersonalDataRetention { found });
        }
        Ok(())
    }

    /// The policy, once [`validate`](Self::validate) accepts it: for the end of a chain of
    /// builders.
    ///
    /// ```
    /// use inps_pin::{HashCost, Policy, Sunset};
    ///
    /// let policy = Policy::default()
    ///     .with_hash_cost(HashCost::CHEAP)
    ///     .with_sunset(Sunset::inps_2020_2021())
    ///     .validated()?;
    /// # let _ = policy;
    /// # Ok::<(), inps_pin::PolicyError>(())
    /// ```
    ///
    /// # Errors
    /// The first [`PolicyError`] found.
    pub fn validated(self) -> Result<Policy, PolicyError> {
        self.validate()?;
        Ok(self)
    }

    fn check_hash_cost_within_bound(&self) -> Result<(), PolicyError> {
        let (cost, bound) = (self.hash_cost, self.max_stored_hash_cost);
        let values = [
            ("memory (KiB)", cost.memory_kib(), bound.memory_kib()),
            ("iterations", cost.iterations(), bound.iterations()),
            ("parallelism", cost.parallelism(), bound.parallelism()),
        ];
        match values
            .into_iter()
            .find(|&(_, asked, allowed)| asked > allowed)
        {
            Some((value, asked, allowed)) => Err(PolicyError::HashCostAboveStoredBound {
                value,
                hash_cost: asked,
                max_stored: allowed,
            }),
            None => Ok(()),
        }
    }

    fn check_warning_shorter_than_validity(&self) -> Result<(), PolicyError> {
        let (validity_field, validity_months) =
            if self.intermediary_validity_months <= self.citizen_validity_months {
                (
                    "intermediary_validity_months",
                    self.intermediary_validity_months,
                )
            } else {
                ("citizen_validity_months", self.citizen_validity_months)
            };
        let fewest_days = fewest_days_in(validity_months);
        if u32::from(self.expiry_warning_days) >= fewest_days {
            return Err(PolicyError::WarningNotShorterThanValidity {
                warning_days: self.expiry_warning_days,
                validity_field,
                validity_months,
                fewest_days,
            });
        }
        Ok(())
    }
}

/// The fewest days `months` calendar months can last, as the crate counts them (a date plus
/// whole months, clamped to the end of a shorter month).
///
/// From day `d` of a month, adding months gives the same day `d`, or the last day of the
/// target month when it is shorter; either way the span is no shorter than the run of as many
/// whole months starting at the first or the next month. So the fewest days are the shortest
/// run of `months` consecutive month lengths, taken over a four-year cycle (one leap February).
fn fewest_days_in(months: u8) -> u32 {
    const DAYS: [u32; 12] = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    let length = |index: u32| {
        let days = DAYS.get((index % 12) as usize).copied().unwrap_or(31);
        // The cycle's first year is the leap year.
        if index % 48 == 1 { days + 1 } else { days }
    };
    (0..48u32)
        .map(|start| (start..start + u32::from(months)).map(length).sum())
        .min()
        .unwrap_or(0)
}

/// A policy that was refused (R34). Each error names the field, says what was wrong with it
/// and what to do; [`PolicyError::field`] gives the field's path for programs.
///
/// Every message is whole: where a part's own error says what was wrong (a [`HashCostError`],
/// a [`LockoutError`], a [`CatalogueError`]), the message includes it, and the error is in
/// the variant's `reason` field rather than given again as `source()`, so an error chain
/// prints it once. A policy loaded with serde keeps only the message, which is why it is
/// whole.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PolicyError {
    /// An Argon2id cost ([`HashCost`]) that the crate refuses.
    #[error("policy field `{field}`: {reason}")]
    HashCost {
        /// `hash_cost` or `max_stored_hash_cost`.
        field: &'static str,
        /// Why the cost was refused.
        reason: HashCostError,
    },
    /// A lockout ([`Lockout`]) or a delay ladder ([`DelayLadder`]) that the crate refuses: a
    /// block above 100 failures, a delay above an hour, too many delays, or delays that shrink.
    #[error("policy field `{field}`: {reason}")]
    Lockout {
        /// `lockout`, `trusted_devices.lockout` or `first_access_delays`.
        field: &'static str,
        /// Why the lockout was refused.
        reason: LockoutError,
    },
    /// A catalogue ([`Catalogue`]) with the same service twice.
    #[error("policy field `catalogue`: {reason}")]
    Catalogue {
        /// Why the catalogue was refused.
        reason: CatalogueError,
    },
    /// The policy's own cost asks for more than its bound on stored costs, so its own hashes
    /// would be outside the bound (R35).
    #[error(
        "policy field `hash_cost` asks for {value} {hash_cost}, above the {max_stored} that \
         `max_stored_hash_cost` allows: the policy's own hashes must be within its bound for \
         stored hashes; raise `max_stored_hash_cost` with `hash_cost`, or lower `hash_cost`"
    )]
    HashCostAboveStoredBound {
        /// Which value of the cost: `memory (KiB)`, `iterations` or `parallelism`.
        value: &'static str,
        /// What `hash_cost` asks for.
        hash_cost: u32,
        /// What `max_stored_hash_cost` allows.
        max_stored: u32,
    },
    /// A PIN would last no time at all (R20).
    #[error(
        "policy field `{field}` is 0: a PIN must last at least one month; the sources give 6 \
         months for citizens and 3 for intermediaries"
    )]
    ZeroValidity {
        /// `citizen_validity_months` or `intermediary_validity_months`.
        field: &'static str,
    },
    /// The warning would come before the PIN was even given (R22).
    #[error(
        "policy field `expiry_warning_days` is {warning_days}, not shorter than the shorter \
         validity (`{validity_field}` = {validity_months}, which can last as few as \
         {fewest_days} days): a PIN would be expiring from the day it is given; give fewer \
         warning days (the default is 14), or a longer validity"
    )]
    WarningNotShorterThanValidity {
        /// The warning, in days.
        warning_days: u16,
        /// The field of the shorter validity.
        validity_field: &'static str,
        /// The shorter validity, in months.
        validity_months: u8,
        /// The fewest days that many months can last.
        fewest_days: u32,
    },
    /// A 16-character PIN would lapse at once (R9).
    #[error(
        "policy field `first_access_window_days` is 0: a 16-character PIN would lapse before its \
         second half arrives by post; give the days it has for its first access (the default \
         is 90)"
    )]
    ZeroFirstAccessWindow,
    /// A 16-character PIN would wait for its first access longer than
    /// [`MAX_FIRST_ACCESS_WINDOW_DAYS`] (R9).
    #[error(
        "policy field `first_access_window_days` is {found}: a 16-character PIN may wait for its \
         first access at most {MAX_FIRST_ACCESS_WINDOW_DAYS} days (the default is 90); an unused \
         code kept alive longer is more likely found by someone else than used by its owner"
    )]
    FirstAccessWindowTooLong {
        /// The days given.
        found: u16,
    },
    /// A wait after a wrong 16 at a first access longer than [`MAX_FIRST_ACCESS_DELAY_SECS`]
    /// (R25b).
    #[error(
        "policy field `first_access_delays` has a wait of {found} s: a wrong 16 at a first \
         access slows the next one by at most {MAX_FIRST_ACCESS_DELAY_SECS} s (the default is \
         1, 2, then 5 s); a longer wait would hold the owner's first access back too"
    )]
    FirstAccessDelayTooLong {
        /// The longest wait given, in seconds.
        found: u32,
    },
    /// More trusted devices than [`MAX_TRUSTED_DEVICES`] (R25a).
    #[error(
        "policy field `trusted_devices.max_devices` is {found}: trust at most \
         {MAX_TRUSTED_DEVICES} devices at once (the default is 5); a longer list keeps \
         forgotten devices trusted"
    )]
    TooManyDevices {
        /// The number given.
        found: u8,
    },
    /// Devices trusted for longer than [`MAX_DEVICE_VALID_DAYS`] after their last login (R25a).
    #[error(
        "policy field `trusted_devices.valid_days` is {found}: trust a device at most \
         {MAX_DEVICE_VALID_DAYS} days after its last login (the default is 90); a device unused \
         for longer is most likely replaced, sold or lost"
    )]
    DeviceValidityTooLong {
        /// The days given.
        found: u16,
    },
    /// Devices would be trusted for no time at all (R25a).
    #[error(
        "policy field `trusted_devices.valid_days` is 0 while `trusted_devices.max_devices` is \
         {max_devices}: no device would ever be trusted; give the days a device stays trusted \
         (the default is 90), or set `max_devices` to 0 to trust none"
    )]
    ZeroDeviceValidity {
        /// The devices the policy would trust.
        max_devices: u8,
    },
    /// Restore requests per window outside 1 to [`MAX_RESTORE_REQUESTS`] (R23a).
    #[error(
        "policy field `restore_limit.max_requests` is {found}: allow 1 to \
         {MAX_RESTORE_REQUESTS} restore requests in a window (the default is 3); with 0 nobody \
         could restore a lost PIN"
    )]
    RestoreRequests {
        /// The number given.
        found: u8,
    },
    /// A restore window of no days, which would cap nothing (R23a).
    #[error(
        "policy field `restore_limit.window_days` is 0: a window of no days caps nothing; give \
         at least 1 day (the default is 7)"
    )]
    ZeroRestoreWindow,
    /// The restore cap's window is longer than a restore's code lives (R23a).
    #[error(
        "policy field `restore_limit.window_days` ({window_days}) is longer than \
         `first_access_window_days` ({first_access_window_days}): an owner at the cap could \
         outwait every code sent; give a window no longer than the first-access window"
    )]
    RestoreWindowOutlastsCodes {
        /// The window given.
        window_days: u16,
        /// How long a restore's code lives.
        first_access_window_days: u16,
    },
    /// An attestation would never be current (R35).
    #[error(
        "policy field `attestation_valid_for` is {found}: no attestation would ever be current; \
         give a positive duration such as \"PT1H\" (the default)"
    )]
    AttestationValidity {
        /// The duration given.
        found: SignedDuration,
    },
    /// PINs would stop working before new ones stop being issued (R22a).
    #[error(
        "policy field `sunset.retired_from` ({retired_from}) is before \
         `sunset.no_new_pins_from` ({no_new_pins_from}): new PINs must stop no later than every \
         PIN stops working; check the two dates"
    )]
    SunsetOutOfOrder {
        /// The first day no new PIN is issued.
        no_new_pins_from: Date,
        /// The first day no PIN works.
        retired_from: Date,
    },
    /// A retention period of personal data outside 1 to [`MAX_PERSONAL_DATA_RETENTION_DAYS`]
    /// days (R36).
    #[error(
        "policy field `personal_data_retention_days` is {found}: keep the personal data of an \
         account without a live PIN 1 to {MAX_PERSONAL_DATA_RETENTION_DAYS} days (the default \
         is 365), or give null to keep it until it is erased on request; with 0 an expired PIN \
         could not even be renewed"
    )]
    PersonalDataRetention {
        /// The days given.
        found: u16,
    },
}

impl PolicyError {
    /// The path of the field the error is about, as a configuration file writes it: such as
    /// `expiry_warning_days` or `restore_limit.max_requests`.
    #[must_use]
    pub fn field(&self) -> &'static str {
        match self {
            PolicyError::HashCost { field, .. }
            | PolicyError::Lockout { field, .. }
            | PolicyError::ZeroValidity { field } => field,
            PolicyError::Catalogue { .. } => "catalogue",
            PolicyError::HashCostAboveStoredBound { .. } => "hash_cost",
            PolicyError::WarningNotShorterThanValidity { .. } => "expiry_warning_days",
            PolicyError::ZeroFirstAccessWindow | PolicyError::FirstAccessWindowTooLong { .. } => {
                "first_access_window_days"
            }
            PolicyError::FirstAccessDelayTooLong { .. } => "first_access_delays",
            PolicyError::TooManyDevices { .. } => "trusted_devices.max_devices",
            PolicyError::ZeroDeviceValidity { .. } | PolicyError::DeviceValidityTooLong { .. } => {
                "trusted_devices.valid_days"
            }
            PolicyError::RestoreRequests { .. } => "restore_limit.max_requests",
            PolicyError::ZeroRestoreWindow | PolicyError::RestoreWindowOutlastsCodes { .. } => {
                "restore_limit.window_days"
            }
            PolicyError::AttestationValidity { .. } => "attestation_valid_for",
            PolicyError::SunsetOutOfOrder { .. } => "sunset.retired_from",
            PolicyError::PersonalDataRetention { .. } => "personal_data_retention_days",
        }
    }
}

/// A policy as stored or written in a configuration file, before it is checked. Every field
/// may be left out, for the default's; the parts whose own types check themselves are read
/// raw here, so that a refusal names the policy's field.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields, rename = "Policy")]
pub(super) struct RawPolicy {
    hash_cost: RawHashCost,
    max_stored_hash_cost: RawHashCost,
    first_access_window_days: u16,
    #[serde(deserialize_with = "crate::bounded::vec::<_, _, DelaySteps>")]
    first_access_delays: Vec<u32>,
    digital_identity_dispositivo_since: Date,
    catalogue: RawCatalogue,
    citizen_validity_months: u8,
    intermediary_validity_months: u8,
    expiry_warning_days: u16,
    lockout: RawLockout,
    sunset: Option<Sunset>,
    trusted_devices: RawTrustedDevices,
    restore_limit: RestoreLimit,
    accept_temporary_codice_fiscale: bool,
    attestation_valid_for: SignedDuration,
    personal_data_retention_days: Option<u16>,
}

impl Default for RawPolicy {
    fn default() -> Self {
        RawPolicy::from(Policy::default())
    }
}

impl From<Policy> for RawPolicy {
    fn from(policy: Policy) -> Self {
        // Every field named: a field added to `Policy` must be added here too.
        let Policy {
            hash_cost,
            max_stored_hash_cost,
            first_access_window_days,
            first_access_delays,
            digital_identity_dispositivo_since,
            catalogue,
            citizen_validity_months,
            intermediary_validity_months,
            expiry_warning_days,
            lockout,
            sunset,
            trusted_devices,
            restore_limit,
            accept_temporary_codice_fiscale,
            attestation_valid_for,
            personal_data_retention_days,
        } = policy;
        RawPolicy {
            hash_cost: hash_cost.into(),
            max_stored_hash_cost: max_stored_hash_cost.into(),
            first_access_window_days,
            first_access_delays: first_access_delays.into(),
            digital_identity_dispositivo_since,
            catalogue: catalogue.into(),
            citizen_validity_months,
            intermediary_validity_months,
            expiry_warning_days,
            lockout: lockout.into(),
            sunset,
            trusted_devices: trusted_devices.into(),
            restore_limit,
            accept_temporary_codice_fiscale,
            attestation_valid_for,
            personal_data_retention_days,
        }
    }
}

impl TryFrom<RawPolicy> for Policy {
    type Error = PolicyError;
    fn try_from(raw: RawPolicy) -> Result<Self, Self::Error> {
        let hash_cost = |field, cost: RawHashCost| {
            HashCost::try_from(cost).map_err(|reason| PolicyError::HashCost { field, reason })
        };
        let lockout = |field, lockout: RawLockout| {
            Lockout::try_from(lockout).map_err(|reason| PolicyError::Lockout { field, reason })
        };
        let policy = Policy {
            hash_cost: hash_cost("hash_cost", raw.hash_cost)?,
            max_stored_hash_cost: hash_cost("max_stored_hash_cost", raw.max_stored_hash_cost)?,
            first_access_window_days: raw.first_access_window_days,
            first_access_delays: DelayLadder::new(raw.first_access_delays).map_err(|reason| {
                PolicyError::Lockout {
                    field: "first_access_delays",
                    reason,
                }
            })?,
            digital_identity_dispositivo_since: raw.digital_identity_dispositivo_since,
            catalogue: Catalogue::try_from(raw.catalogue)
                .map_err(|reason| PolicyError::Catalogue { reason })?,
            citizen_validity_months: raw.citizen_validity_months,
            intermediary_validity_months: raw.intermediary_validity_months,
            expiry_warning_days: raw.expiry_warning_days,
            lockout: lockout("lockout", raw.lockout)?,
            sunset: raw.sunset,
            trusted_devices: TrustedDevices {
                max_devices: raw.trusted_devices.max_devices,
                valid_days: raw.trusted_devices.valid_days,
                lockout: lockout("trusted_devices.lockout", raw.trusted_devices.lockout)?,
            },
            restore_limit: raw.restore_limit,
            accept_temporary_codice_fiscale: raw.accept_temporary_codice_fiscale,
            attestation_valid_for: raw.attestation_valid_for,
            personal_data_retention_days: raw.personal_data_retention_days,
        };
        policy.validated()
    }
}

/// The trusted devices' limits as written, their lockout raw.
#[derive(Deserialize)]
#[serde(default, deny_unknown_fields, rename = "TrustedDevices")]
struct RawTrustedDevices {
    max_devices: u8,
    valid_days: u16,
    lockout: RawLockout,
}

impl Default for RawTrustedDevices {
    fn default() -> Self {
        TrustedDevices::default().into()
    }
}

impl From<TrustedDevices> for RawTrustedDevices {
    fn from(devices: TrustedDevices) -> Self {
        RawTrustedDevices {
            max_devices: devices.max_devices,
            valid_days: devices.valid_days,
            lockout: devices.lockout.into(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn r34_the_fewest_days_of_some_months_are_the_shortest_runs_of_months() {
        assert_eq!(fewest_days_in(1), 28); // February
        assert_eq!(fewest_days_in(2), 59); // February and March
        assert_eq!(fewest_days_in(3), 89); // February to April
        assert_eq!(fewest_days_in(6), 181); // September to February, or February to July
        assert_eq!(fewest_days_in(12), 365);
        assert_eq!(fewest_days_in(48), 1461);
        assert_eq!(fewest_days_in(0), 0);
    }

    #[test]
    fn r34_the_fewest_days_agree_with_jiffs_month_arithmetic_from_every_day_of_four_years() {
        use jiff::ToSpan;
        for months in 1..=30u8 {
            let mut fewest = i32::MAX;
            let mut day = jiff::civil::date(2023, 1, 1);
            while day.year() < 2027 {
                let later = day.checked_add(i64::from(months).months()).unwrap_or(day);
                let days = day.until(later).map_or(0, |span| span.get_days());
                fewest = fewest.min(days);
                day = day.tomorrow().unwrap_or(later);
            }
            assert_eq!(
                i64::from(fewest),
                i64::from(fewest_days_in(months)),
                "{months}"
            );
        }
    }
}
