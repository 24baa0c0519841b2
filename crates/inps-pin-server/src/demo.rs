//! The demo's fixtures: a few people in the stand-in archive and their cards in the stand-in
//! health-card register. Whoever is not here cannot request a PIN in the demo, and what a
//! client types never adds anyone.

use crate::registers::{ArchiveFixture, CardFixture, FixtureArchive, FixtureTesseraRegister};

/// (codice fiscale, street, postal code, city, province, card number).
const PEOPLE: &[(&str, &str, &str, &str, &str, &str)] = &[
    (
        "RSSMRA80A01H501U",
        "Via Roma 1",
        "00184",
        "Roma",
        "RM",
        "80380000001234567890",
    ),
    (
        "RCCMNL83S18D969H",
        "Via XX Settembre 10",
        "16121",
        "Genova",
        "GE",
        "80380000009876543210",
    ),
    (
        "CCCFBA85D03L219P",
        "Corso Francia 5",
        "10138",
        "Torino",
        "TO",
        "80380000005555555555",
    ),
    (
        "VRDGPP80A01F205X",
        "Piazza Duomo 2",
        "20122",
        "Milano",
        "MI",
        "80380000001111111111",
    ),
];

/// When every demo card expires.
const CARD_EXPIRY: &str = "2035-12-31";

/// The demo archive.
#[must_use]
pub fn archive() -> FixtureArchive {
    let fixtures: Vec<ArchiveFixture> = PEOPLE
        .iter()
        .map(
            |(cf, street, postal_code, city, province, _)| ArchiveFixture {
                codice_fiscale: (*cf).to_owned(),
                street: (*street).to_owned(),
                postal_code: (*postal_code).to_owned(),
                city: (*city).to_owned(),
                province: (*province).to_owned(),
            },
        )
        .collect();
    // The table is this file's own and known good; an empty archive if it were not.
    FixtureArchive::from_fixtures(&fixtures).unwrap_or_default()
}

/// The demo health-card register.
#[must_use]
pub fn tessera_register() -> FixtureTesseraRegister {
    let fixtures: Vec<CardFixture> = PEOPLE
        .iter()
        .map(|(cf, _, _, _, _, card)| CardFixture {
            codice_fiscale: (*cf).to_owned(),
            card_number: (*card).to_owned(),
            expires_on: CARD_EXPIRY.to_owned(),
        })
        .collect();
    FixtureTesseraRegister::from_fixtures(&fixtures).unwrap_or_default()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_demo_person_is_in_the_archive_and_the_register() {
        assert_eq!(super::archive().len(), super::PEOPLE.len());
    }
}
