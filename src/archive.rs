//! What the institute's archive holds of a person: the record a PIN is issued against (R35,
//! S1: "sulla base ... dei dati presenti negli archivi dell'Istituto").

use serde::{Deserialize, Serialize};

use crate::CodiceFiscale;
use crate::person::Address;

/// A person's record in the institute's archive, as the caller's lookup found it: their codice
/// fiscale and the residence the archive holds.
///
/// The crate takes it only as an [`Attested<ArchiveRecord>`](crate::Attested), in
/// [`Command::RequestPin`](crate::Command::RequestPin): the caller has looked the codice fiscale
/// up in the archive and found that the requester's name, surname and birth data match. The
/// second half of the PIN goes by post to this residence, never to the one the requester typed,
/// so whoever asks in someone else's name receives nothing at their own address.
///
/// ```
/// use inps_pin::{Address, ArchiveRecord, CodiceFiscale};
///
/// let record = ArchiveRecord::new(
///     CodiceFiscale::parse("RSSMRA80A01H501U")?,
///     Address::new("Via Roma 1", "00184", "Roma", "RM")?,
/// );
/// assert_eq!(record.codice_fiscale().as_str(), "RSSMRA80A01H501U");
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ArchiveRecord {
    codice_fiscale: CodiceFiscale,
    residence: Address,
}

impl ArchiveRecord {
    /// The archive's record of `codice_fiscale`, with the residence it holds.
    #[must_use]
    pub fn new(codice_fiscale: CodiceFiscale, residence: Address) -> ArchiveRecord {
        ArchiveRecord {
            codice_fiscale,
            residence,
        }
    }

    /// Whose record it is.
    #[must_use]
    pub fn codice_fiscale(&self) -> CodiceFiscale {
        self.codice_fiscale
    }

    /// The residence the archive holds: where the second half of the PIN is posted (R11, R12).
    #[must_use]
    pub fn residence(&self) -> &Address {
        &self.residence
    }
}
