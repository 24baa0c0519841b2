//! Fixtures: the people and checked facts of a scenario ([`Cast`]), the instants runs start
//! at, the cheap policy, and the error a fixture gives when it does not build.

use jiff::Timestamp;
use jiff::civil::{Date, date};

#[cfg(doc)]
use super::Driver;
use super::{Applicant, Card, Document};
use crate::{
    Address, ArchiveRecord, Attested, CodiceFiscale, CodiceFiscaleError, ContactError,
    DocumentError, DocumentKind, Email, HashCost, IdentityDocument, MobileNumber, OperatorId,
    OperatorIdError, Person, PersonName, Policy, Refusal, RejectionReason, RejectionReasonError,
    Role, SunsetExemption, TesseraError, TesseraSanitaria,
};

/// A fixture that did not build: one of the crate's parsers refused a value the fixture
/// thought valid. It names the parser's error.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("a test fixture did not build: {0}")]
pub struct FixtureError(pub(super) String);

macro_rules! fixture_error_from {
    ($($error:ty),*) => {$(
        impl From<$error> for FixtureError {
            fn from(error: $error) -> FixtureError {
                FixtureError(error.to_string())
            }
        }
    )*};
}
fixture_error_from!(
    CodiceFiscaleError,
    ContactError,
    DocumentError,
    OperatorIdError,
    TesseraError,
    RejectionReasonError,
    Refusal
);

/// The instant [`Driver::mario`] starts at: 2026-11-24T09:00:00Z.
pub const START: Timestamp = Timestamp::constant(1_795_510_800, 0);

/// The instant a sunset run ([`Driver::with_sunset`]) starts at: 2020-01-01T00:00:00Z, before
/// INPS's dates (R22a).
pub const SUNSET_START: Timestamp = Timestamp::constant(1_577_836_800, 0);

/// `instant` moved by `months` calendar months in Rome, as the crate counts a PIN's validity
/// (R20): the same day of the month and wall-clock time, or the month's last day when it is
/// shorter (31 August + 6 months = the end of February). Negative `months` move back; the
/// result saturates at the ends of the supported range.
///
/// ```
/// use inps_pin::testing::plus_rome_months;
///
/// let end_of_august: jiff::Timestamp = "2026-08-31T10:00:00Z".parse()?; // 12:00 in Rome
/// assert_eq!(plus_rome_months(end_of_august, 6).to_string(), "2027-02-28T11:00:00Z"); // 12:00 CET
/// # Ok::<(), jiff::Error>(())
/// ```
#[must_use]
pub fn plus_rome_months(instant: Timestamp, months: i64) -> Timestamp {
    crate::civil_time::add_rome_months(instant, months)
}

/// The policy tests use: the default with [`HashCost::CHEAP`], so thousands of PINs hash
/// quickly (never for real PINs).
#[must_use]
pub fn cheap_policy() -> Policy {
    Policy::default().with_hash_cost(HashCost::CHEAP)
}

/// The people and the checked facts of a scenario: the account's owner (with e-mail and
/// mobile, so a restore works), a stranger with another codice fiscale, contacts that are not
/// the owner's, and who checks what.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Cast {
    /// The account's owner, with e-mail and mobile.
    pub owner: Person,
    /// Someone else, with another codice fiscale.
    pub stranger: Person,
    /// An e-mail that is not the owner's.
    pub wrong_email: Email,
    /// A mobile that is not the owner's.
    pub wrong_mobile: MobileNumber,
    /// Who looks people up in the archive, checks cards and documents, and decides upgrades.
    pub operator: OperatorId,
    /// The reason a rejected upgrade gives.
    pub rejection: RejectionReason,
    /// The identity card shown at a sede or copied into a written request, valid through 2099.
    pub valid_document: IdentityDocument,
    /// The same card, expired in 1999.
    pub expired_document: IdentityDocument,
    /// The owner's tessera sanitaria, valid through 2099, and the same card expired in 1999.
    pub owner_tessere: [TesseraSanitaria; 2],
    /// The stranger's, valid and expired.
    pub stranger_tessere: [TesseraSanitaria; 2],
}

impl Cast {
    /// Mario Rossi (RSSMRA80A01H501U, citizen, Via Roma 1, Roma, with e-mail and mobile) and
    /// Emanuele Ricci (RCCMNL83S18D969H).
    ///
    /// # Errors
    /// None in practice: a [`FixtureError`] if a parser refused one of the fixed values.
    pub fn mario() -> Result<Cast, FixtureError> {
        let residence = Address::new("Via Roma 1", "00184", "Roma", "RM")?;
        let owner = Person::new(
            PersonName::parse("Mario")?,
            PersonName::parse("Rossi")?,
            CodiceFiscale::parse("RSSMRA80A01H501U")?,
            Role::Citizen,
            residence.clone(),
        )
        .with_email(Email::parse("mario.rossi@example.it")?)
        .with_mobile(MobileNumber::parse("+39 333 123 4567")?);
        let stranger = Person::new(
            PersonName::parse("Emanuele")?,
            PersonName::parse("Ricci")?,
            CodiceFiscale::parse("RCCMNL83S18D969H")?,
            Role::Citizen,
            residence,
        )
        .with_email(Email::parse("emanuele.ricci@example.it")?)
        .with_mobile(MobileNumber::parse("+39 347 765 4321")?);
        Cast::new(owner, stranger)
    }

    /// Fabio Cecchi (CCCFBA85D03L219P, an intermediary: a consulente del lavoro in Torino, with
    /// e-mail and mobile), whose PIN expires every 3 months (R2, R20), and Mario Rossi
    /// (RSSMRA80A01H501U) as the stranger.
    ///
    /// ```
    /// use inps_pin::testing::{Cast, Driver, START, cheap_policy, plus_rome_months};
    /// use inps_pin::{PinStatus, Role};
    ///
    /// # fn main() -> Result<(), Box<dyn std::error::Error>> {
    /// let cast = Cast::intermediary()?;
    /// assert_eq!(cast.owner.role(), Role::Intermediary);
    /// let mut driver = Driver::new(cast, cheap_policy(), START, 3);
    /// let _issued = driver.request_online()?;
    /// driver.first_access()?;
    /// // Three calendar months in Rome, not six: expired.
    /// driver.now = plus_rome_months(driver.now, 3);
    /// assert!(matches!(driver.account.status(driver.now, &driver.policy), PinStatus::Expired { .. }));
    /// # Ok(())
    /// # }
    /// ```
    ///
    /// # Errors
    /// None in practice: a [`FixtureError`] if a parser refused one of the fixed values.
    pub fn intermediary() -> Result<Cast, FixtureError> {
        let owner = Person::new(
            PersonName::parse("Fabio")?,
            PersonName::parse("Cecchi")?,
            CodiceFiscale::parse("CCCFBA85D03L219P")?,
            Role::Intermediary,
            Address::new("Via Po 10", "10124", "Torino", "TO")?,
        )
        .with_email(Email::parse("fabio.cecchi@example.it")?)
        .with_mobile(MobileNumber::parse("+39 340 555 1234")?);
        let stranger = Cast::mario()?.owner;
        Cast::new(owner, stranger)
    }

    /// A cast around these two people (the stranger must have another codice fiscale for the
    /// steps that use them to mean what they say).
    ///
    /// # Errors
    /// None in practice: a [`FixtureError`] if a parser refused one of the fixed values.
    pub fn new(owner: Person, stranger: Person) -> Result<Cast, FixtureError> {
        Ok(Cast {
            wrong_email: Email::parse("nessuno@example.org")?,
            wrong_mobile: MobileNumber::parse("+39 320 000 1111")?,
            operator: OperatorId::new("test-operator")?,
            rejection: RejectionReason::new("la copia del documento non è leggibile")?,
            valid_document: IdentityDocument::new(
                DocumentKind::IdentityCard,
                "CA00000AA",
                expiry(true),
            )?,
            expired_document: IdentityDocument::new(
                DocumentKind::IdentityCard,
                "CA00000AA",
                expiry(false),
            )?,
            owner_tessere: tessere(owner.codice_fiscale())?,
            stranger_tessere: tessere(stranger.codice_fiscale())?,
            owner,
            stranger,
        })
    }

    /// The owner as `applicant` names them.
    #[must_use]
    pub fn applicant(&self, applicant: Applicant) -> Person {
        match applicant {
            Applicant::Owner => self.owner.clone(),
            Applicant::OwnerNoContacts => Person::new(
                self.owner.name().clone(),
                self.owner.surname().clone(),
                self.owner.codice_fiscale(),
                self.owner.role(),
                self.owner.residence().clone(),
            ),
            Applicant::OwnerExempt => self
                .owner
                .clone()
                .with_sunset_exemption(SunsetExemption::LegalProtection),
            Applicant::Stranger => self.stranger.clone(),
        }
    }

    /// The archive's record of `person`, as the lookup at `now` found it: their residence.
    #[must_use]
    pub fn archive_of(&self, person: &Person, now: Timestamp) -> Attested<ArchiveRecord> {
        Attested::vouched_for(
            ArchiveRecord::new(person.codice_fiscale(), person.residence().clone()),
            self.operator.clone(),
            now,
        )
    }

    /// The identity card, checked at `now`.
    #[must_use]
    pub fn document(&self, document: Document, now: Timestamp) -> Attested<IdentityDocument> {
        let card = match document {
            Document::Valid => &self.valid_document,
            Document::Expired => &self.expired_document,
        };
        Attested::vouched_for(card.clone(), self.operator.clone(), now)
    }

    /// A tessera sanitaria, checked against the register at `now`.
    #[must_use]
    pub fn tessera(&self, card: Card, now: Timestamp) -> Attested<TesseraSanitaria> {
        let [valid, expired] = match card {
            Card::Own | Card::OwnExpired => &self.owner_tessere,
            Card::Strangers | Card::StrangersExpired => &self.stranger_tessere,
        };
        let tessera = match card {
            Card::Own | Card::Strangers => valid,
            Card::OwnExpired | Card::StrangersExpired => expired,
        };
        Attested::vouched_for(tessera.clone(), self.operator.clone(), now)
    }
}

/// A card of `codice_fiscale`, valid and expired.
fn tessere(codice_fiscale: CodiceFiscale) -> Result<[TesseraSanitaria; 2], TesseraError> {
    let card = |valid| TesseraSanitaria::new(codice_fiscale, "80380000001234567890", expiry(valid));
    Ok([card(true)?, card(false)?])
}

/// Valid through 2099, or expired at the end of 1999: before and after every run's clock.
fn expiry(valid: bool) -> Date {
    if valid {
        date(2099, 12, 31)
    } else {
        date(1999, 12, 31)
    }
}
