//! `Arbitrary` for the inputs users fuzz with (feature `arbitrary`, as jiff offers): every
//! value is valid, built from the fuzzer's bytes (a [`CodiceFiscale`] with a computed check
//! character, omocode and temporary codes included; contacts, addresses and people that
//! parse; a [`Policy`] that passes [`Policy::validate`]), and a [`FuzzScenario`]: a seed, a
//! policy and timed abstract steps that a [`Driver`] types with the codes earlier deliveries
//! gave, right and wrong, with wild jumps of the clock.
//!
//! The parsers take `&str`, so a fuzzer of the parsers needs nothing from here; these are for
//! fuzzers of a service built on the crate.
//!
//! Stored forms ([`StoredEvent`](crate::StoredEvent), [`Account`](crate::Account),
//! [`OutboxDelivery`](crate::OutboxDelivery)) have no `Arbitrary`: an arbitrary one would be a
//! state no command sequence reaches. Fuzz their loading from arbitrary bytes instead (the
//! crate's `fuzz/` does, in JSON and postcard), or reach them through a [`FuzzScenario`].
//!
//! ```
//! use arbitrary::{Arbitrary, Unstructured};
//! use inps_pin::fuzzing::FuzzScenario;
//!
//! let bytes = [7u8; 256];
//! let scenario = FuzzScenario::arbitrary(&mut Unstructured::new(&bytes))?;
//! let mut driver = scenario.driver()?;
//! for step in &scenario.steps {
//!     let _ = driver.play(step);
//! }
//! assert_eq!(inps_pin::Account::replay(driver.account.codice_fiscale(), &driver.events), driver.account);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

use arbitrary::{Arbitrary, Error, Result, Unstructured};
use jiff::SignedDuration;
use jiff::civil::{Date, date};

use crate::testing::{Cast, Driver, FixtureError, START, SUNSET_START, Step};
use crate::{
    Address, Catalogue, CodiceFiscale, CodiceFiscaleError, DelayLadder, DocumentKind, Email,
    ErasureReason, HashCost, IdentityDocument, LandlineNumber, Lockout, MAX_BLOCK_AFTER,
    MAX_PERSONAL_DATA_RETENTION_DAYS, MAX_RESTORE_REQUESTS, MobileNumber, OperatorId, Person,
    PersonName, Policy, RejectionReason, RestoreLimit, Role, Sunset, TesseraSanitaria,
    TrustedDevices, UpgradeVia,
};

const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const LOWER: &[u8] = b"abcdefghijklmnopqrstuvwxyz";
const DIGITS: &[u8] = b"0123456789";
const MONTHS: &[u8] = b"ABCDEHLMPRST";
const OMOCODE: &[u8] = b"LMNPQRSTUV";

/// One byte of `alphabet`, chosen by the fuzzer.
fn pick(u: &mut Unstructured<'_>, alphabet: &[u8]) -> Result<u8> {
    u.choose(alphabet).copied()
}

/// `min..=max` characters of `alphabet`.
fn word(u: &mut Unstructured<'_>, alphabet: &[u8], min: usize, max: usize) -> Result<String> {
    let len = u.int_in_range(min..=max)?;
    (0..len)
        .map(|_| pick(u, alphabet).map(char::from))
        .collect()
}

/// A parse that the construction above guarantees; were it ever to fail, the fuzzer's input
/// is refused rather than a panic raised.
fn valid<T, E>(parsed: core::result::Result<T, E>) -> Result<T> {
    parsed.map_err(|_| Error::IncorrectFormat)
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for CodiceFiscale {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        if u.ratio(1, 8)? {
            // A temporary code: ten digits, and the check digit the parser names.
            let digits = word(u, DIGITS, 10, 10)?;
            return with_computed_check(&format!("{digits}0"));
        }
        let year: u8 = u.int_in_range(0..=99)?;
        let month: u8 = u.int_in_range(1..=12)?;
        let day = u.int_in_range(1..=days_in(month, year))? + if u.arbitrary()? { 40 } else { 0 };
        let mut body = word(u, LETTERS, 6, 6)?.into_bytes();
        body.extend(format!("{year:02}").bytes());
        body.push(MONTHS.get(usize::from(month - 1)).copied().unwrap_or(b'A'));
        body.extend(format!("{day:02}").bytes());
        body.push(pick(u, LETTERS)?);
        body.extend(word(u, DIGITS, 3, 3)?.bytes());
        // Omocodia: each digit of positions 7, 8, 10, 11, 13, 14, 15 may be a letter.
        let mask: u8 = if u.ratio(1, 4)? { u.arbitrary()? } else { 0 };
        for (bit, position) in [6usize, 7, 9, 10, 12, 13, 14].into_iter().enumerate() {
            if mask & (1 << bit) != 0 {
                if let Some(byte) = body.get_mut(position) {
                    *byte = OMOCODE
                        .get(usize::from(byte.wrapping_sub(b'0')))
                        .copied()
                        .unwrap_or(*byte);
                }
            }
        }
        let code: String = body.into_iter().map(char::from).collect();
        with_computed_check(&format!("{code}A"))
    }
}

/// `code` with its check character (or digit) replaced by the one the parser expects.
fn with_computed_check(code: &str) -> Result<CodiceFiscale> {
    match CodiceFiscale::parse(code) {
        Ok(cf) => Ok(cf),
        Err(
            CodiceFiscaleError::WrongCheckCharacter { expected, .. }
            | CodiceFiscaleError::WrongTemporaryCheckDigit { expected, .. },
        ) => {
            let mut fixed: String = code.chars().take(code.len().saturating_sub(1)).collect();
            fixed.push(expected);
            valid(CodiceFiscale::parse(&fixed))
        }
        Err(_) => Err(Error::IncorrectFormat),
    }
}

/// The days of `month` in a year ending in `year` (a 29 February in any year divisible by 4).
fn days_in(month: u8, year: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year % 4 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for PersonName {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let first = pick(u, LETTERS)?;
        let rest = word(u, LOWER, 1, 20)?;
        let name = format!("{}{rest}", char::from(first));
        let name = if u.ratio(1, 4)? {
            format!("{name} {}", word(u, LOWER, 2, 10)?)
        } else {
            name
        };
        valid(PersonName::parse(&name))
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for Email {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let local = format!(
            "{}{}",
            char::from(pick(u, LOWER)?),
            word(u, b"abcdefxyz0123456789._+-", 0, 20)?
        );
        // No dot at the end and none doubled: the parser's rule for the local part.
        let local = local.trim_end_matches('.').replace("..", ".");
        let domain = word(u, LOWER, 1, 20)?;
        let top = *u.choose(&["it", "com", "org", "eu", "net"])?;
        valid(Email::parse(&format!("{local}@{domain}.{top}")))
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for MobileNumber {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let digits = word(u, DIGITS, 8, 9)?;
        let prefix = *u.choose(&["", "+39", "+39 ", "0039"])?;
        valid(MobileNumber::parse(&format!("{prefix}3{digits}")))
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for LandlineNumber {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let area = pick(u, b"123456789")?;
        let digits = word(u, DIGITS, 4, 9)?;
        valid(LandlineNumber::parse(&format!(
            "0{}{digits}",
            char::from(area)
        )))
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for Address {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let kind = *u.choose(&["Via", "Viale", "Piazza", "Corso"])?;
        let name = format!(
            "{}{}",
            char::from(pick(u, LETTERS)?),
            word(u, LOWER, 2, 20)?
        );
        let number: u16 = u.int_in_range(1..=999)?;
        let postal_code = word(u, DIGITS, 5, 5)?;
        let town = format!(
            "{}{}",
            char::from(pick(u, LETTERS)?),
            word(u, LOWER, 2, 20)?
        );
        let province = word(u, LETTERS, 2, 2)?;
        valid(Address::new(
            &format!("{kind} {name} {number}"),
            &postal_code,
            &town,
            &province,
        ))
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for Role {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(if u.arbitrary()? {
            Role::Citizen
        } else {
            Role::Intermediary
        })
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for UpgradeVia {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        Ok(if u.arbitrary()? {
            UpgradeVia::Online
        } else {
            UpgradeVia::Fax
        })
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for ErasureReason {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        u.choose(ErasureReason::ALL).copied()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for DocumentKind {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        u.choose(&[
            DocumentKind::IdentityCard,
            DocumentKind::Passport,
            DocumentKind::DrivingLicence,
            DocumentKind::Other,
        ])
        .copied()
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for Person {
    /// A person with a personal codice fiscale (never a temporary one, which the default
    /// policy refuses) and any mix of contacts.
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let mut cf = CodiceFiscale::arbitrary(u)?;
        while cf.is_temporary() {
            cf = CodiceFiscale::arbitrary(u)?;
            if u.is_empty() {
                return Err(Error::NotEnoughData);
            }
        }
        let mut person = Person::new(
            PersonName::arbitrary(u)?,
            PersonName::arbitrary(u)?,
            cf,
            Role::arbitrary(u)?,
            Address::arbitrary(u)?,
        );
        if let Some(email) = Option::<Email>::arbitrary(u)? {
            person = person.with_email(email);
        }
        if let Some(mobile) = Option::<MobileNumber>::arbitrary(u)? {
            person = person.with_mobile(mobile);
        }
        if let Some(landline) = Option::<LandlineNumber>::arbitrary(u)? {
            person = person.with_landline(landline);
        }
        Ok(person)
    }
}

/// A day from 2000 through 2099.
fn arbitrary_day(u: &mut Unstructured<'_>) -> Result<Date> {
    let days: i64 = u.int_in_range(0..=36_499)?;
    Ok(date(2000, 1, 1)
        .checked_add(jiff::Span::new().days(days))
        .unwrap_or(date(2000, 1, 1)))
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for IdentityDocument {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let kind = DocumentKind::arbitrary(u)?;
        let number = word(u, b"ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 1, 20)?;
        valid(IdentityDocument::new(kind, &number, arbitrary_day(u)?))
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for TesseraSanitaria {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let cf = CodiceFiscale::arbitrary(u)?;
        let digits = word(u, DIGITS, 15, 15)?;
        valid(TesseraSanitaria::new(
            cf,
            &format!("80380{digits}"),
            arbitrary_day(u)?,
        ))
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for OperatorId {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let id = format!(
            "{}{}",
            char::from(pick(u, LOWER)?),
            word(u, b"abcxyz0123456789-._", 0, 40)?
        );
        valid(OperatorId::new(&id))
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for RejectionReason {
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let reason = format!(
            "{}{}",
            char::from(pick(u, LETTERS)?),
            word(u, b"abcdefghij ,.'", 0, 200)?
        );
        valid(RejectionReason::new(&reason))
    }
}

#[cfg_attr(docsrs, doc(cfg(feature = "arbitrary")))]
impl<'a> Arbitrary<'a> for Policy {
    /// A policy within its valid ranges, always with [`HashCost::CHEAP`] (fuzzing hashes
    /// thousands of PINs): it passes [`Policy::validate`].
    fn arbitrary(u: &mut Unstructured<'a>) -> Result<Self> {
        let delays = |u: &mut Unstructured<'a>, max: u32| -> Result<Vec<u32>> {
            let len = u.int_in_range(0..=4usize)?;
            let mut delays = (0..len)
                .map(|_| u.int_in_range(0..=max))
                .collect::<Result<Vec<u32>>>()?;
            // A later failure never waits less than an earlier one.
            delays.sort_unstable();
            Ok(delays)
        };
        let lockout = valid(Lockout::new(
            delays(u, 60)?,
            u.int_in_range(1..=MAX_BLOCK_AFTER)?,
        ))?;
        let device_lockout = valid(Lockout::new(delays(u, 30)?, u.int_in_range(1..=20)?))?;
        let window: u16 = u.int_in_range(1..=365)?;
        let first_access_delays = valid(DelayLadder::new(delays(u, 10)?))?;
        let policy = Policy {
            hash_cost: HashCost::CHEAP,
            max_stored_hash_cost: Policy::DEFAULT_MAX_STORED_HASH_COST,
            first_access_window_days: window,
            first_access_delays,
            digital_identity_dispositivo_since: date(2017, 7, 21),
            catalogue: Catalogue::standard(),
            citizen_validity_months: u.int_in_range(1..=12)?,
            intermediary_validity_months: u.int_in_range(1..=12)?,
            // Shorter than the shortest month, so shorter than any validity.
            expiry_warning_days: u.int_in_range(0..=27)?,
            lockout,
            sunset: if u.arbitrary()? {
                Some(Sunset::inps_2020_2021())
            } else {
                None
            },
            trusted_devices: TrustedDevices {
                max_devices: u.int_in_range(0..=10)?,
                valid_days: u.int_in_range(1..=365)?,
                lockout: device_lockout,
            },
            restore_limit: RestoreLimit {
                max_requests: u.int_in_range(1..=MAX_RESTORE_REQUESTS)?,
                window_days: u.int_in_range(1..=window)?,
            },
            accept_temporary_codice_fiscale: u.arbitrary()?,
            attestation_valid_for: SignedDuration::from_secs(u.int_in_range(1..=86_400)?),
            personal_data_retention_days: if u.arbitrary()? {
                Some(u.int_in_range(1..=MAX_PERSONAL_DATA_RETENTION_DAYS)?)
            } else {
                None
            },
        };
        valid(policy.validated())
    }
}

/// What a fuzzer of the machine plays: a seed for the generator, a policy, a start, and timed
/// abstract steps (typed by a [`Driver`] with the codes the deliveries gave, right and wrong).
#[derive(Clone, Debug, PartialEq, Eq, Arbitrary)]
pub struct FuzzScenario {
    /// Seeds the generator handed to every command.
    pub seed: u64,
    /// A generated valid policy, or the cheap default (`None`).
    pub policy: Option<Policy>,
    /// Start in 2020, before INPS's sunset dates, rather than in 2026.
    pub early_start: bool,
    /// The steps.
    pub steps: Vec<Step>,
}

impl FuzzScenario {
    /// A fresh driver for Mario's account under the scenario's policy, seed and start.
    ///
    /// # Errors
    /// None in practice: see [`Cast::mario`].
    pub fn driver(&self) -> core::result::Result<Driver, FixtureError> {
        Ok(self.driver_for(Cast::mario()?))
    }

    /// A fresh driver for `cast.owner`'s account under the scenario's policy, seed and start:
    /// for a fuzzer that builds its cast once (parsing [`Cast::mario`]'s fixed values on
    /// every input costs more than a short scenario).
    ///
    /// ```
    /// use arbitrary::{Arbitrary, Unstructured};
    /// use inps_pin::fuzzing::FuzzScenario;
    /// use inps_pin::testing::Cast;
    ///
    /// let cast = Cast::mario()?;
    /// let scenario = FuzzScenario::arbitrary(&mut Unstructured::new(&[3u8; 64]))?;
    /// assert_eq!(scenario.driver_for(cast.clone()), scenario.driver()?);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn driver_for(&self, cast: Cast) -> Driver {
        let policy = self
            .policy
            .clone()
            .unwrap_or_else(crate::testing::cheap_policy);
        let start = if self.early_start {
            SUNSET_START
        } else {
            START
        };
        Driver::new(cast, policy, start, self.seed)
    }
}
