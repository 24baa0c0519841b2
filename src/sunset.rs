//! The retirement of the PIN in 2020–2021 (R22a), as an optional policy preset.
//!
//! INPS circolare 87 of 17 July 2020 stopped issuing new PINs from 1 October 2020, except to
//! minors, to people without an Italian identity document, and to people under tutela,
//! curatela or amministrazione di sostegno; PINs already live could still be renewed. Every PIN
//! stopped working on 1 October 2021. The default policy has no sunset: it is the system the
//! sources describe.
//!
//! Between the two dates a live PIN keeps its whole life: logins, renewals, upgrades, and
//! restores (a restore replaces a live PIN; it is not a new one). From the second date every
//! command that uses a PIN is refused, and only a revocation still applies.

use jiff::civil::{Date, date};
use serde::{Deserialize, Serialize};

/// The dates of a retirement of the PIN: from `no_new_pins_from` new PINs are issued only to
/// exempt people; from `retired_from` no PIN works. Both are dates in Rome, from midnight.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Sunset {
    /// The first day no new PIN is issued but to the exempt.
    pub no_new_pins_from: Date,
    /// The first day no PIN works.
    pub retired_from: Date,
}

impl Sunset {
    /// INPS's own: no new PINs from 1 October 2020 (circolare 87 of 17 July 2020), none works
    /// from 1 October 2021.
    ///
    /// ```
    /// use inps_pin::{Policy, Sunset};
    ///
    /// let policy = Policy::default().with_sunset(Sunset::inps_2020_2021());
    /// assert_eq!(policy.sunset.map(|s| s.retired_from.year()), Some(2021));
    /// ```
    #[must_use]
    pub fn inps_2020_2021() -> Sunset {
        Sunset {
            no_new_pins_from: date(2020, 10, 1),
            retired_from: date(2021, 10, 1),
        }
    }
}

/// Why a person may still get a new PIN after `no_new_pins_from` (R22a). Minors need no
/// claim: the crate reads their age from the codice fiscale.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum SunsetExemption {
    /// The person has no Italian identity document, so cannot get SPID, CIE or CNS.
    NoItalianIdentityDocument,
    /// The person is under tutela, curatela or amministrazione di sostegno.
    LegalProtection,
}
