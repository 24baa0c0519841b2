//! Why a name, contact or address was rejected, and which value the rejection is about.

use core::fmt;

use thiserror::Error;

/// Which value a [`ContactError`] is about.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ContactField {
    /// A first name or a surname ([`PersonName`](super::PersonName) does not know which of the
    /// two it is).
    Name,
    /// A whole e-mail address.
    Email,
    /// The part of an e-mail address before the `@`.
    EmailLocalPart,
    /// The part of an e-mail address after the `@`.
    EmailDomain,
    /// A mobile phone number.
    Mobile,
    /// A landline phone number.
    Landline,
    /// The street and civic number of an address.
    Street,
    /// The postal code (CAP) of an address.
    PostalCode,
    /// The municipality (comune) of an address.
    Municipality,
    /// The province of an address.
    Province,
}

impl ContactField {
    /// A well-formed value of the field, quoted in messages about its shape.
    fn example(self) -> &'static str {
        match self {
            ContactField::Name => "Anna Maria",
            ContactField::Email => "name@example.it",
            ContactField::EmailLocalPart => "name",
            ContactField::EmailDomain => "example.it",
            ContactField::Mobile => "333 1234567",
            ContactField::Landline => "06 1234567",
            ContactField::Street => "Via Roma 1",
            ContactField::PostalCode => "00184",
            ContactField::Municipality => "Roma",
            ContactField::Province => "RM",
        }
    }
}

impl ContactField {
    /// The field's name in Italian, as a form labels it: for messages to citizens (R30).
    ///
    /// ```
    /// use inps_pin::ContactField;
    ///
    /// assert_eq!(ContactField::Mobile.italian(), "numero di cellulare");
    /// ```
    #[must_use]
    pub fn italian(self) -> &'static str {
        match self {
            ContactField::Name => "nome o cognome",
            ContactField::Email => "indirizzo e-mail",
            ContactField::EmailLocalPart => "parte dell'indirizzo e-mail prima di @",
            ContactField::EmailDomain => "dominio dell'indirizzo e-mail (dopo @)",
            ContactField::Mobile => "numero di cellulare",
            ContactField::Landline => "numero di telefono fisso",
            ContactField::Street => "via e numero civico",
            ContactField::PostalCode => "CAP",
            ContactField::Municipality => "comune",
            ContactField::Province => "provincia",
        }
    }

    /// A well-formed value of the field, quoted in Italian messages.
    fn example_it(self) -> &'static str {
        match self {
            ContactField::Email => "nome@example.it",
            ContactField::EmailLocalPart => "nome",
            other => other.example(),
        }
    }
}

impl fmt::Display for ContactField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            ContactField::Name => "name",
            ContactField::Email => "e-mail address",
            ContactField::EmailLocalPart => "part of the e-mail address before '@'",
            ContactField::EmailDomain => "domain of the e-mail address (after '@')",
            ContactField::Mobile => "mobile number",
            ContactField::Landline => "landline number",
            ContactField::Street => "street and civic number",
            ContactField::PostalCode => "postal code (CAP)",
            ContactField::Municipality => "municipality",
            ContactField::Province => "province",
        })
    }
}

/// Why a name, contact or address was rejected.
///
/// Each message says what was wrong and what to do. Messages never contain the rejected value
/// itself, only at most one offending character and its position.
///
/// Positions count characters from 1, in the value after surrounding whitespace is trimmed.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ContactError {
    /// The value is empty or only whitespace.
    #[error("the {field} is empty: enter it")]
    Empty {
        /// The value that was empty.
        field: ContactField,
    },
    /// The value has fewer characters than allowed.
    #[error(
        "the {field} is too short ({found} characters, at least {min}): enter it in full, like {}",
        .field.example()
    )]
    TooShort {
        /// The value that was too short.
        field: ContactField,
        /// The fewest characters allowed.
        min: usize,
        /// The characters found, after trimming and collapsing whitespace.
        found: usize,
    },
    /// The value has more characters than allowed.
    #[error(
        "the {field} is too long ({found} characters, at most {max}): shorten it, for example \
         with the usual abbreviations"
    )]
    TooLong {
        /// The value that was too long.
        field: ContactField,
        /// The most characters allowed.
        max: usize,
        /// The characters found, after trimming and collapsing whitespace.
        found: usize,
    },
    /// The value must have an exact number of characters, and has another.
    #[error(
        "the {field} has {found} characters but must have exactly {expected}: enter it like {}",
        .field.example()
    )]
    WrongLength {
        /// The value with the wrong length.
        field: ContactField,
        /// The number of characters required.
        expected: usize,
        /// The characters found, after trimming.
        found: usize,
    },
    /// The value contains a character that is not allowed in it.
    #[error(
        "the {field} contains {character:?} at position {position}, which is not allowed there: \
         remove or replace it"
    )]
    InvalidCharacter {
        /// The value with the character.
        field: ContactField,
        /// The character that is not allowed.
        character: char,
        /// Its position, counting characters from 1 after trimming surrounding whitespace.
        position: usize,
    },
    /// The value has no letter at all.
    #[error("the {field} contains no letter: write it out in letters, like {}", .field.example())]
    NoLetter {
        /// The value without a letter.
        field: ContactField,
    },
    /// The street has no civic number, so an envelope sent there could not be delivered.
    #[error(
        "the street has no civic number: add the building number (or \"snc\" if the building \
         has none), so that a sealed envelope can be delivered"
    )]
    MissingCivicNumber,
    /// The e-mail address has no `@`.
    #[error("the e-mail address has no '@': enter the whole address, like name@example.it")]
    EmailMissingAt,
    /// The e-mail address has more than one `@`.
    #[error(
        "the e-mail address has {found} '@' signs but must have exactly one: enter a single \
         address"
    )]
    EmailTooManyAt {
        /// The number of `@` signs found.
        found: usize,
    },
    /// A dot starts or ends the part, or two dots follow each other.
    #[error(
        "the {field} starts or ends with a dot, or has two dots in a row: check the address for \
         typos"
    )]
    EmailMisplacedDot {
        /// `ContactField::EmailLocalPart` or `ContactField::EmailDomain`.
        field: ContactField,
    },
    /// The domain is a single label, with no dot.
    #[error(
        "the domain of the e-mail address has no dot: enter the full domain after '@', like \
         example.it"
    )]
    EmailDomainWithoutDot,
    /// One dot-separated label of the domain is longer than allowed.
    #[error(
        "a part of the e-mail domain between dots is too long ({found} characters, at most \
         {max}): check the address for typos"
    )]
    EmailDomainLabelTooLong {
        /// The most characters allowed in one label.
        max: usize,
        /// The characters found in the longest offending label.
        found: usize,
    },
    /// A label of the domain starts or ends with a hyphen.
    #[error(
        "a part of the e-mail domain between dots starts or ends with '-': check the address for \
         typos"
    )]
    EmailDomainLabelHyphen,
    /// The last label of the domain is not a top-level domain of two or more letters.
    #[error(
        "the e-mail domain does not end with a top-level domain of at least two letters (like \
         .it or .com): check the end of the address"
    )]
    EmailTopLevelDomain,
    /// The phone number has a country code other than Italy's.
    #[error("the {field} is not an Italian number: enter it without a prefix, or with +39 or 0039")]
    ForeignNumber {
        /// `ContactField::Mobile` or `ContactField::Landline`.
        field: ContactField,
    },
    /// The number given as a mobile starts with 0, as landlines do.
    #[error(
        "the mobile number starts with 0, so it looks like a landline: enter a mobile number \
         (they start with 3), or give this one as a landline"
    )]
    MobileLooksLikeLandline,
    /// The number given as a landline starts with 3, as mobiles do.
    #[error(
        "the landline number starts with 3, so it looks like a mobile: enter a fixed-line \
         number (they start with 0), or give this one as a mobile"
    )]
    LandlineLooksLikeMobile,
    /// The national number starts with a digit no number of its kind starts with.
    #[error("the {field} starts with {found:?} but must start with {expected:?}: check the number")]
    WrongLeadingDigit {
        /// `ContactField::Mobile` or `ContactField::Landline`.
        field: ContactField,
        /// The first digit of the national number.
        found: char,
        /// The digit every number of this kind starts with.
        expected: char,
    },
    /// The landline number starts with 00, which no Italian area code does.
    #[error(
        "the landline number starts with 00, and no Italian area code does: enter it with its \
         area code, like 06 1234567"
    )]
    LandlineWithoutAreaCode,
    /// The national number has too few or too many digits.
    #[error(
        "the {field} has {found} digits but must have {min} to {max}, not counting the +39 \
         prefix: check that no digit is missing or repeated"
    )]
    WrongDigitCount {
        /// `ContactField::Mobile` or `ContactField::Landline`.
        field: ContactField,
        /// The digits of the national number found.
        found: usize,
        /// The fewest digits allowed.
        min: usize,
        /// The most digits allowed.
        max: usize,
    },
}

impl ContactError {
    /// The value the error is about.
    ///
    /// ```
    /// use inps_pin::Email;
    ///
    /// let field = Email::parse("mario.rossi").map_err(|error| error.field().to_string());
    /// assert_eq!(field, Err("e-mail address".to_owned()));
    /// ```
    #[must_use]
    pub fn field(&self) -> ContactField {
        match self {
            ContactError::Empty { field }
            | ContactError::TooShort { field, .. }
            | ContactError::TooLong { field, .. }
            | ContactError::WrongLength { field, .. }
            | ContactError::InvalidCharacter { field, .. }
            | ContactError::NoLetter { field }
            | ContactError::EmailMisplacedDot { field }
            | ContactError::ForeignNumber { field }
            | ContactError::WrongLeadingDigit { field, .. }
            | ContactError::WrongDigitCount { field, .. } => *field,
            ContactError::MissingCivicNumber => ContactField::Street,
            ContactError::EmailMissingAt | ContactError::EmailTooManyAt { .. } => {
                ContactField::Email
            }
            ContactError::EmailDomainWithoutDot
            | ContactError::EmailDomainLabelTooLong { .. }
            | ContactError::EmailDomainLabelHyphen
            | ContactError::EmailTopLevelDomain => ContactField::EmailDomain,
            ContactError::MobileLooksLikeLandline => ContactField::Mobile,
            ContactError::LandlineLooksLikeMobile | ContactError::LandlineWithoutAreaCode => {
                ContactField::Landline
            }
        }
    }
}

impl ContactError {
    /// A stable code for logs and APIs, such as `contact.email_missing_at` (R30). The field
    /// the error is about is [`field`](Self::field).
    ///
    /// ```
    /// use inps_pin::Email;
    ///
    /// let error = Email::parse("mario.rossi").unwrap_err();
    /// assert_eq!(error.code(), "contact.email_missing_at");
    /// assert!(error.message_it().contains("@"));
    /// ```
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            ContactError::Empty { .. } => "contact.empty",
            ContactError::TooShort { .. } => "contact.too_short",
            ContactError::TooLong { .. } => "contact.too_long",
            ContactError::WrongLength { .. } => "contact.wrong_length",
            ContactError::InvalidCharacter { .. } => "contact.invalid_character",
            ContactError::NoLetter { .. } => "contact.no_letter",
            ContactError::MissingCivicNumber => "contact.missing_civic_number",
            ContactError::EmailMissingAt => "contact.email_missing_at",
            ContactError::EmailTooManyAt { .. } => "contact.email_too_many_at",
            ContactError::EmailMisplacedDot { .. } => "contact.email_misplaced_dot",
            ContactError::EmailDomainWithoutDot => "contact.email_domain_without_dot",
            ContactError::EmailDomainLabelTooLong { .. } => "contact.email_domain_label_too_long",
            ContactError::EmailDomainLabelHyphen => "contact.email_domain_label_hyphen",
            ContactError::EmailTopLevelDomain => "contact.email_top_level_domain",
            ContactError::ForeignNumber { .. } => "contact.foreign_number",
            ContactError::MobileLooksLikeLandline => "contact.mobile_looks_like_landline",
            ContactError::LandlineLooksLikeMobile => "contact.landline_looks_like_mobile",
            ContactError::WrongLeadingDigit { .. } => "contact.wrong_leading_digit",
            ContactError::LandlineWithoutAreaCode => "contact.landline_without_area_code",
            ContactError::WrongDigitCount { .. } => "contact.wrong_digit_count",
        }
    }

    /// The message for the person who typed the value, in Italian: what is wrong and what to
    /// do next (R30). Like `Display`, it never repeats the value, only at most one character.
    #[must_use]
    pub fn message_it(&self) -> String {
        const CHECK_TYPOS: &str = "controlla che l'indirizzo non contenga errori di battitura.";
        let label = self.field().italian();
        let example = self.field().example_it();
        match self {
            ContactError::Empty { .. } => format!("Il campo «{label}» è vuoto: compilalo."),
            ContactError::TooShort { min, found, .. } => format!(
                "Il campo «{label}» è troppo corto ({found} caratteri, almeno {min}): scrivilo \
                 per intero, ad esempio «{example}»."
            ),
            ContactError::TooLong { max, found, .. } => format!(
                "Il campo «{label}» è troppo lungo ({found} caratteri, al massimo {max}): \
                 accorcialo, ad esempio con le abbreviazioni consuete."
            ),
            ContactError::WrongLength {
                expected, found, ..
            } => format!(
                "Il campo «{label}» ha {found} caratteri, ma deve averne esattamente \
                 {expected}: scrivilo come «{example}»."
            ),
            ContactError::InvalidCharacter {
                character,
                position,
                ..
            } => format!(
                "Il campo «{label}» contiene il carattere «{}» in posizione {position}, che lì \
                 non è ammesso: toglilo o sostituiscilo.",
                character.escape_debug()
            ),
            ContactError::NoLetter { .. } => format!(
                "Il campo «{label}» non contiene lettere: scrivilo in lettere, ad esempio \
                 «{example}»."
            ),
            ContactError::MissingCivicNumber => "Nell'indirizzo manca il numero civico: \
                 aggiungilo (o scrivi «snc» se l'edificio non ne ha), perché la busta chiusa \
                 possa essere consegnata."
                .to_owned(),
            ContactError::EmailMissingAt => "L'indirizzo e-mail non contiene «@»: scrivi \
                 l'indirizzo completo, ad esempio nome@example.it."
                .to_owned(),
            ContactError::EmailTooManyAt { found } => format!(
                "L'indirizzo e-mail contiene {found} simboli «@», ma deve averne uno solo: \
                 scrivi un solo indirizzo."
            ),
            ContactError::EmailMisplacedDot { .. } => format!(
                "Il campo «{label}» inizia o finisce con un punto, o ha due punti di seguito: \
                 {CHECK_TYPOS}"
            ),
            ContactError::EmailDomainWithoutDot => "Il dominio dell'indirizzo e-mail (dopo \
                 «@») non contiene un punto: scrivi il dominio completo, ad esempio example.it."
                .to_owned(),
            ContactError::EmailDomainLabelTooLong { max, found } => format!(
                "Una parte del dominio dell'indirizzo e-mail tra due punti è troppo lunga \
                 ({found} caratteri, al massimo {max}): {CHECK_TYPOS}"
            ),
            ContactError::EmailDomainLabelHyphen => format!(
                "Una parte del dominio dell'indirizzo e-mail tra due punti inizia o finisce con \
                 «-»: {CHECK_TYPOS}"
            ),
            ContactError::EmailTopLevelDomain => "Il dominio dell'indirizzo e-mail non termina \
                 con un dominio di primo livello di almeno due lettere (come .it o .com): \
                 controlla la fine dell'indirizzo."
                .to_owned(),
            ContactError::ForeignNumber { .. } => format!(
                "Il campo «{label}» non è un numero italiano: scrivilo senza prefisso, oppure \
                 con +39 o 0039."
            ),
            ContactError::MobileLooksLikeLandline => "Il numero di cellulare inizia con 0, come \
                 i numeri di rete fissa: inserisci un numero di cellulare (inizia con 3), oppure \
                 indica questo come numero fisso."
                .to_owned(),
            ContactError::LandlineLooksLikeMobile => "Il numero di telefono fisso inizia con 3, \
                 come i cellulari: inserisci un numero fisso (inizia con 0), oppure indica \
                 questo come cellulare."
                .to_owned(),
            ContactError::WrongLeadingDigit {
                found, expected, ..
            } => format!(
                "Il campo «{label}» inizia con {found}, ma deve iniziare con {expected}: \
                 controlla il numero."
            ),
            ContactError::LandlineWithoutAreaCode => "Il numero di telefono fisso inizia con 00, \
                 e nessun prefisso italiano inizia così: scrivilo con il prefisso, ad esempio \
                 06 1234567."
                .to_owned(),
            ContactError::WrongDigitCount {
                found, min, max, ..
            } => format!(
                "Il campo «{label}» ha {found} cifre, ma deve averne da {min} a {max}, senza \
                 contare il prefisso +39: controlla che nessuna cifra manchi o sia ripetuta."
            ),
        }
    }
}
