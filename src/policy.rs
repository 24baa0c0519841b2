//! The policy: the rules a deployment may set, with the system the sources describe as default.

use jiff::civil::{Date, date};
use serde::{Deserialize, Serialize};

use crate::assurance::Catalogue;
use crate::hash::HashCost;
use crate::lockout::Lockout;
use crate::person::Role;
use crate::sunset::Sunset;

/// The rules a deployment may set, passed by the caller into every command.
///
/// `Policy::default()` is the system the sources describe; every field says why it has its
/// default. The struct is `#[non_exhaustive]`: start from the default and change fields.
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
#[non_exhaustive]
pub struct Policy {
    /// Argon2id cost for every PIN hash (R8). Default [`HashCost::OWASP`]: OWASP's first
    /// recommendation, slow enough that a stolen database does not give its PINs away cheaply.
    pub hash_cost: HashCost,
    /// Calendar days (in Rome) within which a 16-character PIN must be used for the first
    /// access before it lapses and the person must request again (R9). Default 90: the second
    /// half travels by ordinary post, which can take weeks, and three months leave room for a
    /// holiday without keeping an unused code alive for long.
    pub first_access_window_days: u16,
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
    /// Delays and block after wrong PINs (R25). Default [`Lockout::default`].
    pub lockout: Lockout,
    /// The retirement of the PIN (R22a). Default none: the system the sources describe.
    /// [`Sunset::inps_2020_2021`] carries INPS's dates.
    pub sunset: Option<Sunset>,
    /// Whether a PIN may be requested with an 11-digit temporary codice fiscale (R3). Default
    /// false: the sources speak of the 16-character code, and a temporary code belongs to
    /// someone whose definitive code is still being assigned; the PIN would be keyed to a code
    /// that is about to change. A deployment that serves such people turns it on.
    pub accept_temporary_codice_fiscale: bool,
}

impl Policy {
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
            first_access_window_days: 90,
            digital_identity_dispositivo_since: date(2017, 7, 21),
            catalogue: Catalogue::standard(),
            citizen_validity_months: 6,
            intermediary_validity_months: 3,
            expiry_warning_days: 14,
            lockout: Lockout::default(),
            sunset: None,
            accept_temporary_codice_fiscale: false,
        }
    }
}
