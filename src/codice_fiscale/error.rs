//! Why a string is not a valid codice fiscale (R3), in English for operators and in Italian,
//! with a next step, for the person who typed it (R30).

use super::{Slot, TEMPORARY_DIGIT};

/// Why a string is not a valid codice fiscale.
///
/// Positions are 1-based positions in the normalised code, that is after
/// removing spaces and dashes. Every message says what is wrong and what to do.
///
/// ```
/// use inps_pin::{CodiceFiscale, CodiceFiscaleError};
///
/// assert_eq!(
///     CodiceFiscale::parse("RSSMRA80A01H501A"),
///     Err(CodiceFiscaleError::WrongCheckCharacter { expected: 'U', found: 'A' })
/// );
/// ```
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CodiceFiscaleError {
    /// The code has neither 16 characters (a personal code) nor 11 (a
    /// temporary one) once spaces and dashes are removed.
    #[error(
        "a codice fiscale has 16 letters and digits, or 11 digits for a temporary one, but \
         {found} were found (spaces and dashes are not counted): check the code on the tessera \
         sanitaria and type it again"
    )]
    WrongLength {
        /// How many characters were found after removing spaces and dashes.
        found: usize,
    },
    /// A character that never appears in a codice fiscale (not a letter,
    /// digit, space or dash), such as punctuation or an accented letter.
    #[error(
        "the character {found:?} at position {position} cannot appear in a codice fiscale, \
         which has only letters A-Z and digits 0-9: remove it, or check the code on the \
         tessera sanitaria and type it again"
    )]
    UnexpectedCharacter {
        /// The offending character.
        found: char,
        /// Its 1-based position, not counting spaces and dashes.
        position: usize,
    },
    /// A letter or digit where the layout of the code wants something else;
    /// in an 11-character code (a temporary one), any letter.
    #[error(
        "position {position} of the codice fiscale must be {expected}, but it is {found:?}: \
         check the code on the tessera sanitaria (or, for a temporary code, on the certificate \
         of the Agenzia delle Entrate)"
    )]
    InvalidCharacter {
        /// 1-based position (1-16, or 1-11 in a temporary code).
        position: usize,
        /// The character found there (upper-cased).
        found: char,
        /// What the position must hold, e.g. "a letter (A-Z)", or "a digit (a
        /// temporary codice fiscale has 11 digits)".
        expected: &'static str,
    },
    /// The birth day (positions 10-11) is not 01-31 (men) or 41-71 (women).
    #[error(
        "the birth day in the codice fiscale (positions 10-11) reads {day:02}, but it must be \
         01-31 for men or 41-71 for women: check the code on the tessera sanitaria"
    )]
    DayOutOfRange {
        /// The two-digit day as written (omocode letters decoded), 0-99.
        day: u8,
    },
    /// The birth date does not exist, e.g. 31 April or 30 February.
    #[error(
        "the birth date in the codice fiscale does not exist: month {month} has no day {day} \
         (year ending in {year_in_century:02}): check the code on the tessera sanitaria"
    )]
    NonexistentDate {
        /// The two-digit year, 0-99.
        year_in_century: u8,
        /// The month, 1-12.
        month: u8,
        /// The day of the month, 1-31 (the +40 for women removed).
        day: u8,
    },
    /// The check character (position 16) does not match the first 15.
    #[error(
        "the check character of the codice fiscale (position 16) should be {expected}, but it \
         is {found}: a character is probably mistyped, check the code on the tessera sanitaria"
    )]
    WrongCheckCharacter {
        /// The check character computed from positions 1-15.
        expected: char,
        /// The check character written.
        found: char,
    },
    /// The check digit of a temporary code (the 11th digit) does not match
    /// the first 10.
    #[error(
        "the check digit of the temporary codice fiscale (the 11th digit) should be {expected}, \
         but it is {found}: a digit is probably mistyped, check the code on the certificate \
         issued by the Agenzia delle Entrate and type it again"
    )]
    WrongTemporaryCheckDigit {
        /// The check digit computed from digits 1-10.
        expected: char,
        /// The check digit written.
        found: char,
    },
}

impl CodiceFiscaleError {
    /// A stable code for logs and APIs, such as `codice_fiscale.wrong_check_character` (R30).
    ///
    /// ```
    /// use inps_pin::CodiceFiscale;
    ///
    /// let error = CodiceFiscale::parse("RSSMRA80A01H501A").unwrap_err();
    /// assert_eq!(error.code(), "codice_fiscale.wrong_check_character");
    /// assert!(error.message_it().contains("tessera sanitaria"));
    /// ```
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            CodiceFiscaleError::WrongLength { .. } => "codice_fiscale.wrong_length",
            CodiceFiscaleError::UnexpectedCharacter { .. } => "codice_fiscale.unexpected_character",
            CodiceFiscaleError::InvalidCharacter { .. } => "codice_fiscale.invalid_character",
            CodiceFiscaleError::DayOutOfRange { .. } => "codice_fiscale.day_out_of_range",
            CodiceFiscaleError::NonexistentDate { .. } => "codice_fiscale.nonexistent_date",
            CodiceFiscaleError::WrongCheckCharacter { .. } => {
                "codice_fiscale.wrong_check_character"
            }
            CodiceFiscaleError::WrongTemporaryCheckDigit { .. } => {
                "codice_fiscale.wrong_temporary_check_digit"
            }
        }
    }

    /// The message for the person who typed the code, in Italian: what is wrong and what to
    /// do next (R30). The English one, for operators, is `Display`.
    #[must_use]
    pub fn message_it(&self) -> String {
        const CHECK_THE_CARD: &str =
            "Controlla il codice sulla tessera sanitaria e inseriscilo di nuovo.";
        match self {
            CodiceFiscaleError::WrongLength { found } => format!(
                "Il codice fiscale ha 16 caratteri tra lettere e cifre (11 cifre se è \
                 provvisorio), ma ne sono stati inseriti {found}, senza contare spazi e trattini. \
                 {CHECK_THE_CARD}"
            ),
            CodiceFiscaleError::UnexpectedCharacter { found, position } => format!(
                "Il carattere «{}» in posizione {position} non può comparire in un codice \
                 fiscale, che contiene solo lettere dalla A alla Z e cifre: toglilo, oppure \
                 controlla il codice sulla tessera sanitaria e inseriscilo di nuovo.",
                found.escape_debug()
            ),
            CodiceFiscaleError::InvalidCharacter {
                position,
                found,
                expected,
            } => format!(
                "In posizione {position} il codice fiscale deve avere {}, ma c'è «{}». \
                 Controlla il codice sulla tessera sanitaria (o, se è provvisorio, sul \
                 certificato dell'Agenzia delle Entrate) e inseriscilo di nuovo.",
                expected_it(expected),
                found.escape_debug()
            ),
            CodiceFiscaleError::DayOutOfRange { day } => format!(
                "Il giorno di nascita nel codice fiscale (posizioni 10 e 11) è {day:02}, ma deve \
                 essere tra 01 e 31 per gli uomini o tra 41 e 71 per le donne. {CHECK_THE_CARD}"
            ),
            CodiceFiscaleError::NonexistentDate { month, day, .. } => format!(
                "La data di nascita nel codice fiscale non esiste: il mese {month} non ha il \
                 giorno {day}. {CHECK_THE_CARD}"
            ),
            // The expected character is left out: told it, a person would change the last
            // character, when the mistyped one is probably another.
            CodiceFiscaleError::WrongCheckCharacter { .. } => format!(
                "L'ultimo carattere del codice fiscale (il carattere di controllo) non \
                 corrisponde ai precedenti: probabilmente un carattere è stato digitato male. \
                 {CHECK_THE_CARD}"
            ),
            CodiceFiscaleError::WrongTemporaryCheckDigit { .. } => "L'ultima cifra del codice \
                 fiscale provvisorio (la cifra di controllo) non corrisponde alle precedenti: \
                 probabilmente una cifra è stata digitata male. Controlla il codice sul \
                 certificato dell'Agenzia delle Entrate e inseriscilo di nuovo."
                .to_owned(),
        }
    }
}

/// What a position must hold, in Italian, for each English description the parser gives.
fn expected_it(expected: &str) -> &'static str {
    const SLOTS: [(Slot, &str); 4] = [
        (Slot::Letter, "una lettera (A-Z)"),
        (
            Slot::Digit,
            "una cifra (0-9) o una lettera di omocodia (L M N P Q R S T U V)",
        ),
        (Slot::Month, "la lettera del mese (A B C D E H L M P R S T)"),
        (Slot::Check, "una lettera (A-Z), il carattere di controllo"),
    ];
    if expected == TEMPORARY_DIGIT {
        return "una cifra (il codice fiscale provvisorio ha 11 cifre)";
    }
    SLOTS
        .iter()
        .find(|(slot, _)| slot.expected() == expected)
        .map_or("un altro carattere", |&(_, italian)| italian)
}
