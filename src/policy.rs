//! The policy: the rules a deployment may set, with the system the sources describe as default.

use jiff::SignedDuration;
use jiff::civil::{Date, date};
use serde::{Deserialize, Serialize};

use crate::assurance::Catalogue;
use crate::device::TrustedDevices;
use crate::hash::HashCost;
use crate::lockout::{DelayLadder, Lockout};
use crate::person::Role;
use crate::restore::RestoreLimit;
use crate::sunset::Sunset;

mod validation;
pub use validation::{
    MAX_FIRST_ACCESS_DELAY_SECS, MAX_FIRST_ACCESS_WINDOW_DAYS, MAX_PERSONAL_DATA_RETENTION_DAYS,
    PolicyError,
};

/// The rules a deployment may set, passed by the caller into every command.
///
/// `Policy::default()` is the system the sources describe; every field says why it has its
/// default. The struct is `#[non_exhaustive]`: start from the default and change fields.
///
/// A policy is validated wherever it is made or loaded (R34): loading one with serde runs
/// [`Policy::validate`] and refuses values that make no sense with a [`PolicyError`] naming the
/// field; a policy changed in code is checked by calling [`Policy::validate`] or
/// [`Policy::validated`] once it is complete (the `with_*` builders and field assignments do
/// not check). A configuration file may give only the fields it changes; the rest are the
/// default's, and a field the policy does not have is refused.
///
/// ```
/// use inps_pin::{HashCost, Policy, ServiceId};
///
/// // What tests and simulations use: the same code paths with the cheapest Argon2 cost.
/// let mut policy = Policy::default().with_hash_cost(HashCost::CHEAP);
/// // The Covid rule of 2020 (R9a): the first half alone opens the 600-euro bonus application.
/// policy.catalogue.accept_first_half(&ServiceId::BONUS_600)?;
/// assert_eq!(policy.first_access_window_days, 90);
/// # Ok::<(), inps_pin::CatalogueError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "validation::RawPolicy")]
#[non_exhaustive]
pub struct Policy {
    /// Argon2id cost for every PIN hash (R8). Default [`HashCost::OWASP`]: OWASP's first
    /// recommendation, slow enough that a stolen database does not give its PINs away cheaply.
    pub hash_cost: HashCost,
    /// The most a stored PIN hash may cost to verify, value by value (R35): a stored hash that
    /// asks for more memory, passes or lanes is refused without running Argon2. Default
    /// [`Policy::DEFAULT_MAX_STORED_HASH_COST`], four times OWASP's memory and passes, with
    /// RFC 9106's 4 lanes: room for the policy to raise its cost over the years while hashes
    /// made earlier still verify, and still under half a second a login. A stored cost above
    /// every cost the policy ever issued is damage or an attack (a login held for hours, or
    /// memory exhausted), never a PIN to check. [`Policy::validate`] refuses a
    /// [`hash_cost`](Self::hash_cost) above it: raise both together (a policy used without
    /// validation still verifies its own hashes, the bound raised to its cost). There is no lower
    /// bound: whoever can write a stored hash can write one of a PIN they chose at any cost, so
    /// a floor would stop nothing; a hash weaker than the policy's is better made again at a
    /// successful login.
    pub max_stored_hash_cost: HashCost,
    /// Calendar days (in Rome) within which a 16-character PIN must be used for the first
    /// access before it lapses and the person must request again (R9). Default 90: the second
    /// half travels by ordinary post, which can take weeks, and three months leave room for a
    /// holiday without keeping an unused code alive for long. At most
    /// [`MAX_FIRST_ACCESS_WINDOW_DAYS`].
    pub first_access_window_days: u16,
    /// The waits, in seconds, after the 1st, 2nd, … wrong 16 typed at a first access (the last
    /// one repeating), counted in the lane of the 16 that waits for it: they slow further
    /// first accesses and never block them (R25b). Written as a list of seconds. Default
    /// [`Policy::DEFAULT_FIRST_ACCESS_DELAYS_SECS`], 1, 2 and then 5 s: an owner who mistypes
    /// the 16 read from a screen and a letter once or twice waits no longer than it takes to
    /// look again, while a guesser gets at most one check of the code every 5 s (720 Argon2
    /// runs an hour for the account, nothing written while a delay runs). A block would let a
    /// stranger stop the owner's way back (R23a, R25a), and 16 characters (80 bits) are not
    /// guessed at that pace, so the lane never blocks. Each wait at most
    /// [`MAX_FIRST_ACCESS_DELAY_SECS`].
    pub first_access_delays: DelayLadder,
    /// The date (midnight in Rome) from which SPID level 2+, CIE and CNS count as a dispositivo
    /// PIN (R18). Default 21 July 2017, the date the sources give.
    pub digital_identity_dispositivo_since: Date,
    /// The services and the level each needs (R19a), and which accept the first half of a PIN
    /// alone (R9a). Default [`Catalogue::standard`], with no first-half services: outside the
    /// 2020 emergency the whole PIN was always needed.
    pub catalogue: Catalogue,
    /// Calendar months (in Rome) a citizen's PIN lasts from its first access or renewal (R20).
    /// Default 6, as the sources give.
    pub citizen_validity_months: u8,
    /// Calendar months an intermediary's PIN lasts (R20). Default 3, as the sources give:
    /// intermediaries act for many citizens, so their code is changed more often.
    pub intermediary_validity_months: u8,
    /// Calendar days before expiry at which the person is warned, and from which the PIN can
    /// be renewed (R21, R22). Default 14: two weeks leave room to renew at leisure, and a
    /// warning much earlier is forgotten by the time it matters. 0 sends no warning and allows
    /// renewal only once expired.
    pub expiry_warning_days: u16,
    /// Delays and block after wrong PINs (R25). Default [`Lockout::default`]. Each delay at
    /// most [`MAX_DELAY_SECS`](crate::MAX_DELAY_SECS), one hour.
    pub lockout: Lockout,
    /// The retirement of the PIN (R22a). Default none: the system the sources describe.
    /// [`Sunset::inps_2020_2021`] carries INPS's dates.
    pub sunset: Option<Sunset>,
    /// Trusted devices (R25a): how many, for how long, and their own lockout. Default
    /// [`TrustedDevices::default`].
    pub trusted_devices: TrustedDevices,
    /// How many restore requests an account takes in a window since the PIN's last completed
    /// first access (R23a). Default [`RestoreLimit::default`]: 3 in 7 Rome days.
    pub restore_limit: RestoreLimit,
    /// Whether a PIN may be requested with an 11-digit temporary codice fiscale (R3). Default
    /// false: the sources speak of the 16-character code, and a temporary code belongs to
    /// someone whose definitive code is still being assigned; the PIN would be keyed to a code
    /// that is about to change. A deployment that serves such people turns it on.
    pub accept_temporary_codice_fiscale: bool,
    /// How long an attestation ([`Attested`](crate::Attested)) stays current after its check
    /// (R35): a command whose attestation was checked longer ago is refused with
    /// [`Refusal::AttestationStale`](crate::Refusal::AttestationStale), and the caller checks
    /// again. Default [`Policy::DEFAULT_ATTESTATION_VALID_FOR`], one hour: the check belongs
    /// to the same counter visit, call or online session as the command it is for, and an hour
    /// covers a slow one; an attestation kept longer could outlive what it says (a card
    /// reported stolen and replaced, a residence changed in the archive) or be sent again by
    /// whoever kept it. A stored policy whose value is not positive is refused when it loads.
    pub attestation_valid_for: SignedDuration,
    /// Calendar days (in Rome) an account's personal data is kept once it has no live PIN,
    /// before a [`Command::Tick`](crate::Command::Tick) erases it with
    /// [`ErasureReason::RetentionPeriod`](crate::ErasureReason::RetentionPeriod) (R36). The
    /// days count from the instant the last PIN stopped working: revoked, lapsed unused (R9),
    /// expired (R20), or retired by the sunset (R22a); a blocked PIN is still live, since a
    /// restore gives it back. The deadline is [`Account::poll_deadline`](crate::Account::poll_deadline)'s
    /// like any other. The erasure ends an expired PIN that was never renewed: from then the
    /// person requests again, with their data. `None` keeps the data until a
    /// [`Command::Erase`](crate::Command::Erase).
    ///
    /// Default `Some(365)`: storage limitation by default (GDPR art. 5(1)(e), 25(2)). While a
    /// PIN stopped working less than a year ago its holder is likely to come back (benefits and
    /// declarations come round yearly; an expired PIN is renewed with the guided procedure,
    /// whose notices and restores need the contacts); after a year of silence the data serves
    /// nobody, and a new request collects it again (R1). The security facts stay. At least 1
    /// and at most [`MAX_PERSONAL_DATA_RETENTION_DAYS`]. A policy file without the field gets
    /// the default; `null` keeps the data until erased on request.
    pub personal_data_retention_days: Option<u16>,
}

impl Policy {
    /// The default [`max_stored_hash_cost`](Self::max_stored_hash_cost): 77 824 KiB (4 ×
    /// 19 456), 8 passes (4 × 2), 4 lanes.
    pub const DEFAULT_MAX_STORED_HASH_COST: HashCost = HashCost::FOUR_TIMES_OWASP;

    /// The default [`first_access_delays`](Self::first_access_delays): 1, 2, then 5 seconds.
    pub const DEFAULT_FIRST_ACCESS_DELAYS_SECS: [u32; 3] = [1, 2, 5];

    /// The default [`attestation_valid_for`](Self::attestation_valid_for): one hour.
    pub const DEFAULT_ATTESTATION_VALID_FOR: SignedDuration = SignedDuration::from_hours(1);

    /// The default [`personal_data_retention_days`](Self::personal_data_retention_days): a
    /// year.
    pub const DEFAULT_PERSONAL_DATA_RETENTION_DAYS: u16 = 365;

    /// The bound a stored hash's cost must keep to (R35): [`max_stored_hash_cost`](
    /// Self::max_stored_hash_cost), raised where needed to the policy's own
    /// [`hash_cost`](Self::hash_cost), so that the hashes the policy makes always verify.
    pub(crate) fn stored_hash_cost_bound(&self) -> HashCost {
        self.max_stored_hash_cost.at_least(self.hash_cost)
    }

    /// The same policy with another hash cost: [`HashCost::CHEAP`] for tests and simulations.
    #[must_use]
    pub fn with_hash_cost(mut self, cost: HashCost) -> Policy {
        self.hash_cost = cost;
        self
    }

    /// The same policy with a retirement of the PIN (R22a).
    #[must_use]
    pub fn with_sunset(mut self, sunset: Sunset) -> Policy {
        self.sunset = Some(sunset);
        self
    }

    /// Calendar months a PIN lasts for this role (R20).
    #[must_use]
    pub fn validity_months(&self, role: Role) -> u8 {
        match role {
            Role::Citizen => self.citizen_validity_months,
            Role::Intermediary => self.intermediary_validity_months,
        }
    }
}

impl Default for Policy {
    fn default() -> Self {
        Policy {
            hash_cost: HashCost::OWASP,
            max_stored_hash_cost: Policy::DEFAULT_MAX_STORED_HASH_COST,
            first_access_window_days: 90,
            first_access_delays: DelayLadder::new(
                Policy::DEFAULT_FIRST_ACCESS_DELAYS_SECS.to_vec(),
            )
            .unwrap_or_default(),
            digital_identity_dispositivo_since: date(2017, 7, 21),
            catalogue: Catalogue::standard(),
            citizen_validity_months: 6,
            intermediary_validity_months: 3,
            expiry_warning_days: 14,
            lockout: Lockout::default(),
            sunset: None,
            trusted_devices: TrustedDevices::default(),
            restore_limit: RestoreLimit::default(),
            accept_temporary_codice_fiscale: false,
            attestation_valid_for: Policy::DEFAULT_ATTESTATION_VALID_FOR,
            personal_data_retention_days: Some(Policy::DEFAULT_PERSONAL_DATA_RETENTION_DAYS),
        }
    }
}
