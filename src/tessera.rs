//! The tessera sanitaria, the national health card, with which a PIN is revoked (R24).
//!
//! The crate checks the card's shape (20 digits, the Italian health cards' prefix `80380`) and
//! its expiry. Whether the card was issued to this codice fiscale and is still in force only the
//! health-card register can say: a revocation takes the card as an
//! [`Attested<TesseraSanitaria>`](crate::Attested) from the caller's check of the register
//! (R35).

use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::CodiceFiscale;

/// Digits in the card's identification number, printed on its back.
const CARD_NUMBER_LEN: usize = 20;

/// How every Italian health card's number starts (ISO/IEC 7812): 80 for health, 380 for Italy.
const ITALIAN_HEALTH_CARD_PREFIX: &str = "80380";

/// A tessera sanitaria: whose it is, its number and its last valid day.
///
/// ```
/// use inps_pin::{CodiceFiscale, TesseraError, TesseraSanitaria};
/// use jiff::civil::date;
///
/// let cf = CodiceFiscale::parse("RSSMRA80A01H501U")?;
/// let card = TesseraSanitaria::new(cf, "8038 0000 0012 3456 7890", date(2029, 6, 30))?;
/// assert_eq!(card.card_number(), "80380000001234567890");
///
/// // Twenty digits, but no Italian health card's number.
/// let made_up = TesseraSanitaria::new(cf, "00000000000000000000", date(2029, 6, 30));
/// assert_eq!(made_up, Err(TesseraError::NotItalianHealthCard));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "RawTessera", into = "RawTessera")]
pub struct TesseraSanitaria {
    codice_fiscale: CodiceFiscale,
    card_number: String,
    expires_on: Date,
}

impl TesseraSanitaria {
    /// A card, its 20-digit number normalised (spaces and dashes removed).
    ///
    /// # Errors
    /// [`TesseraError`] if the number has other than 20 digits, or does not start with `80380`.
    pub fn new(
        codice_fiscale: CodiceFiscale,
        card_number: &str,
        expires_on: Date,
    ) -> Result<TesseraSanitaria, TesseraError> {
        let mut digits = String::with_capacity(CARD_NUMBER_LEN);
        for (index, c) in card_number
            .chars()
            .filter(|c| !c.is_whitespace() && *c != '-')
            .enumerate()
        {
            if !c.is_ascii_digit() {
                return Err(TesseraError::Character {
                    position: index + 1,
                });
            }
            digits.push(c);
        }
        if digits.len() != CARD_NUMBER_LEN {
            return Err(TesseraError::Length {
                found: digits.len(),
            });
        }
        if !digits.starts_with(ITALIAN_HEALTH_CARD_PREFIX) {
            return Err(TesseraError::NotItalianHealthCard);
        }
        Ok(TesseraSanitaria {
            codice_fiscale,
            card_number: digits,
            expires_on,
        })
    }

    /// Whose card it is.
    #[must_use]
    pub fn codice_fiscale(&self) -> CodiceFiscale {
        self.codice_fiscale
    }

    /// Its identification number.
    #[must_use]
    pub fn card_number(&self) -> &str {
        &self.card_number
    }

    /// Its last valid day.
    #[must_use]
    pub fn expires_on(&self) -> Date {
        self.expires_on
    }

    /// Whether it is valid on `day` (through its expiry date).
    #[must_use]
    pub fn is_valid_on(&self, day: Date) -> bool {
        day <= self.expires_on
    }
}

#[derive(Serialize, Deserialize)]
struct RawTessera {
    codice_fiscale: CodiceFiscale,
    card_number: String,
    expires_on: Date,
}

impl TryFrom<RawTessera> for TesseraSanitaria {
    type Error = TesseraError;
    fn try_from(raw: RawTessera) -> Result<Self, Self::Error> {
        TesseraSanitaria::new(raw.codice_fiscale, &raw.card_number, raw.expires_on)
    }
}

impl From<TesseraSanitaria> for RawTessera {
    fn from(card: TesseraSanitaria) -> Self {
        RawTessera {
            codice_fiscale: card.codice_fiscale,
            card_number: card.card_number,
            expires_on: card.expires_on,
        }
    }
}

/// What was wrong with a tessera sanitaria's number.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum TesseraError {
    /// Not 20 digits.
    #[error(
        "the card number has {found} digits, but a tessera sanitaria has {CARD_NUMBER_LEN}: copy it from the back of the card"
    )]
    Length {
        /// Digits found.
        found: usize,
    },
    /// A character other than a digit.
    #[error(
        "character {position} of the card number is not a digit: copy it from the back of the card"
    )]
    Character {
        /// 1-based, without spaces and dashes.
        position: usize,
    },
    /// Twenty digits that do not start with `80380`, as every Italian health card's number
    /// does (ISO/IEC 7812: 80 for health, 380 for Italy).
    #[error(
        "the card number does not start with {ITALIAN_HEALTH_CARD_PREFIX}, as every Italian tessera sanitaria's does: copy the 20 digits from the back of the card"
    )]
    NotItalianHealthCard,
}

impl TesseraError {
    /// A stable code for logs and APIs: `tessera.wrong_length` or `tessera.invalid_character`
    /// (R30).
    ///
    /// ```
    /// use inps_pin::{CodiceFiscale, TesseraSanitaria};
    /// use jiff::civil::date;
    ///
    /// let cf = CodiceFiscale::parse("RSSMRA80A01H501U")?;
    /// let error = TesseraSanitaria::new(cf, "8038 0000", date(2029, 6, 30)).unwrap_err();
    /// assert_eq!(error.code(), "tessera.wrong_length");
    /// assert!(error.message_it().contains("retro della tessera"));
    /// # Ok::<(), inps_pin::CodiceFiscaleError>(())
    /// ```
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            TesseraError::Length { .. } => "tessera.wrong_length",
            TesseraError::Character { .. } => "tessera.invalid_character",
            TesseraError::NotItalianHealthCard => "tessera.not_italian",
        }
    }

    /// The message for the person who typed the number, in Italian: what is wrong and what to
    /// do next (R30).
    #[must_use]
    pub fn message_it(&self) -> String {
        match self {
            TesseraError::Length { found } => format!(
                "Il numero della tessera sanitaria ha {CARD_NUMBER_LEN} cifre, ma ne sono state \
                 inserite {found}: copialo dal retro della tessera."
            ),
            TesseraError::Character { position } => format!(
                "Il carattere in posizione {position} del numero della tessera sanitaria non è \
                 una cifra: copia il numero dal retro della tessera."
            ),
            TesseraError::NotItalianHealthCard => "Il numero inserito non è quello di una \
                 tessera sanitaria italiana, che inizia con 80380: copialo dal retro della tessera."
                .to_owned(),
        }
    }
}
