//! The registers behind the attestations (R35): the institute's archive, which holds each
//! person's residence, and the health-card register, which says whether a tessera sanitaria
//! is this person's and valid. The service consults them itself; what a client typed is never
//! taken for what a register holds.

use std::collections::HashMap;

use async_trait::async_trait;
use inps_pin::{Address, ArchiveRecord, CodiceFiscale, TesseraSanitaria};
use jiff::civil::Date;
use serde::Deserialize;
use thiserror::Error;

/// A register could not be consulted (down, timed out): the request is answered with a
/// temporary error and changes nothing.
#[derive(Debug, Error)]
#[error("the register could not be consulted: {0}")]
pub struct RegisterUnavailable(pub String);

/// The institute's archive: the person's record, as the institute holds it (S1: the PIN is
/// issued on the data in the institute's archives, and the second half goes to the residence
/// the archive holds).
#[async_trait]
pub trait Archive: Send + Sync {
    /// The record of `codice_fiscale`, if the archive holds one.
    ///
    /// # Errors
    /// [`RegisterUnavailable`] if the archive cannot answer now.
    async fn lookup(
        &self,
        codice_fiscale: CodiceFiscale,
    ) -> Result<Option<ArchiveRecord>, RegisterUnavailable>;
}

/// What the health-card register says of a card.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum CardStatus {
    /// The register holds this card, for this codice fiscale, with this expiry.
    Valid,
    /// It does not (a made-up number, another person's card, a replaced card).
    Unknown,
}

/// The health-card register (Sistema Tessera Sanitaria).
#[async_trait]
pub trait TesseraRegister: Send + Sync {
    /// Whether the register holds `card` as given.
    ///
    /// # Errors
    /// [`RegisterUnavailable`] if the register cannot answer now.
    async fn check(&self, card: &TesseraSanitaria) -> Result<CardStatus, RegisterUnavailable>;
}

/// An archive record in a fixture file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ArchiveFixture {
    /// Whose.
    pub codice_fiscale: String,
    /// Residence: street and number.
    pub street: String,
    /// Residence: postal code.
    pub postal_code: String,
    /// Residence: municipality.
    pub city: String,
    /// Residence: province.
    pub province: String,
}

/// A card in a fixture file.
#[derive(Clone, Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CardFixture {
    /// Whose.
    pub codice_fiscale: String,
    /// Its number.
    pub card_number: String,
    /// Its expiry, `YYYY-MM-DD`.
    pub expires_on: String,
}

/// Why a fixture table was refused.
#[derive(Debug, Error)]
#[error("{table}[{index}]: {message}")]
pub struct FixtureError {
    /// Which table.
    pub table: &'static str,
    /// Which entry.
    pub index: usize,
    /// What is wrong.
    pub message: String,
}

/// An archive that is a table of records: the stand-in for the demo and the tests, and for a
/// deployment that loads an export of the archive.
#[derive(Clone, Debug, Default)]
pub struct FixtureArchive {
    records: HashMap<CodiceFiscale, ArchiveRecord>,
}

impl FixtureArchive {
    /// An empty archive.
    #[must_use]
    pub fn new() -> FixtureArchive {
        FixtureArchive::default()
    }

    /// With one more record.
    #[must_use]
    pub fn with(mut self, record: ArchiveRecord) -> FixtureArchive {
        self.records.insert(record.codice_fiscale(), record);
        self
    }

    /// The table, every entry checked as the library checks input.
    ///
    /// # Errors
    /// [`FixtureError`] naming the entry and what is wrong.
    pub fn from_fixtures(fixtures: &[ArchiveFixture]) -> Result<FixtureArchive, FixtureError> {
        let mut archive = FixtureArchive::new();
        for (index, fixture) in fixtures.iter().enumerate() {
            let error = |message: String| FixtureError {
                table: "archive",
                index,
                message,
            };
            let codice_fiscale =
                CodiceFiscale::parse(&fixture.codice_fiscale).map_err(|e| error(e.to_string()))?;
            let residence = Address::new(
                &fixture.street,
                &fixture.postal_code,
                &fixture.city,
                &fixture.province,
            )
            .map_err(|e| error(e.to_string()))?;
            archive = archive.with(ArchiveRecord::new(codice_fiscale, residence));
        }
        Ok(archive)
    }

    /// How many records.
    #[must_use]
    pub fn len(&self) -> usize {
        self.records.len()
    }

    /// Whether it holds none.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.records.is_empty()
    }
}

#[async_trait]
impl Archive for FixtureArchive {
    async fn lookup(
        &self,
        codice_fiscale: CodiceFiscale,
    ) -> Result<Option<ArchiveRecord>, RegisterUnavailable> {
        Ok(self.records.get(&codice_fiscale).cloned())
    }
}

/// A health-card register that is a table of cards: the stand-in for the demo and the tests.
#[derive(Clone, Debug, Default)]
pub struct FixtureTesseraRegister {
    cards: Vec<TesseraSanitaria>,
}

impl FixtureTesseraRegister {
    /// An empty register.
    #[must_use]
    pub fn new() -> FixtureTesseraRegister {
        FixtureTesseraRegister::default()
    }

    /// With one more card.
    #[must_use]
    pub fn with(mut self, card: TesseraSanitaria) -> FixtureTesseraRegister {
        self.cards.push(card);
        self
    }

    /// The table, every entry checked as the library checks input.
    ///
    /// # Errors
    /// [`FixtureError`] naming the entry and what is wrong.
    pub fn from_fixtures(fixtures: &[CardFixture]) -> Result<FixtureTesseraRegister, FixtureError> {
        let mut register = FixtureTesseraRegister::new();
        for (index, fixture) in fixtures.iter().enumerate() {
            let error = |message: String| FixtureError {
                table: "tessera",
                index,
                message,
            };
            let codice_fiscale =
                CodiceFiscale::parse(&fixture.codice_fiscale).map_err(|e| error(e.to_string()))?;
            let expires_on: Date = fixture
                .expires_on
                .parse()
                .map_err(|e: jiff::Error| error(e.to_string()))?;
            let card = TesseraSanitaria::new(codice_fiscale, &fixture.card_number, expires_on)
                .map_err(|e| error(e.to_string()))?;
            register = register.with(card);
        }
        Ok(register)
    }
}

#[async_trait]
impl TesseraRegister for FixtureTesseraRegister {
    async fn check(&self, card: &TesseraSanitaria) -> Result<CardStatus, RegisterUnavailable> {
        Ok(if self.cards.contains(card) {
            CardStatus::Valid
        } else {
            CardStatus::Unknown
        })
    }
}
