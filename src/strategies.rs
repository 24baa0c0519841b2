//! Proptest strategies for every input a user of the crate meets (feature `proptest`): valid
//! codici fiscali (omocode variants and temporary codes included) and near-misses with the
//! error each must give, names, contacts, addresses, people of both roles, identity
//! documents, tessere, attestations, valid policies, commands, and timed sequences of steps
//! that reach every [`Phase`](crate::Phase), typed with the codes earlier deliveries gave
//! (played by a [`Driver`]).
//!
//! Each `*_text` strategy gives what a person could type, which the matching parser accepts;
//! the typed strategies give the parsed value. The check character is computed here from the
//! published tables, independently of the crate.
//!
//! A user's own property test, on their service's handling of a whole life (in a test file,
//! each `fn` carries `#[test]`; here `main` calls them):
//!
//! ```
//! use inps_pin::strategies;
//! use proptest::prelude::*;
//!
//! proptest! {
//!     #![proptest_config(ProptestConfig::with_cases(8))]
//!     fn replaying_the_events_gives_the_account((mut driver, steps) in strategies::scenario()) {
//!         for step in &steps {
//!             let _ = driver.play(step);
//!             let rebuilt = inps_pin::Account::replay(driver.account.codice_fiscale(), &driver.events);
//!             prop_assert_eq!(&rebuilt, &driver.account);
//!         }
//!     }
//!
//!     fn every_generated_code_parses(code in strategies::codice_fiscale_text()) {
//!         prop_assert!(inps_pin::CodiceFiscale::parse(&code).is_ok());
//!     }
//! }
//!
//! fn main() {
//!     replaying_the_events_gives_the_account();
//!     every_generated_code_parses();
//! }
//! ```

use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp};
use proptest::collection::vec;
use proptest::prelude::*;
use proptest::sample::select;

use crate::testing::{
    Act, Applicant, Card, Cast, Contacts, Document, Driver, Entry, START, SUNSET_START, Step, Via,
    Wait, cheap_policy,
};
use crate::{
    Address, ArchiveRecord, Attested, Catalogue, CodiceFiscale, CodiceFiscaleError, Command,
    DocumentKind, Email, HashCost, IdentityDocument, LandlineNumber, Lockout, MAX_BLOCK_AFTER,
    MAX_RESTORE_REQUESTS, MobileNumber, OperatorId, Person, PersonName, Policy, RejectionReason,
    RestoreLimit, Role, Sunset, TesseraSanitaria, TrustedDevices, UpgradeVia,
};

// ---------------------------------------------------------------------------------------------
// Codici fiscali (R3)

/// The month letters A B C D E H L M P R S T, January first.
const MONTHS: &[u8; 12] = b"ABCDEHLMPRST";
/// The omocode letters standing for 0-9.
const OMOCODE: &[u8; 10] = b"LMNPQRSTUV";
/// The 0-based positions of the digits an omocode code may write as letters.
const OMOCODE_POSITIONS: [usize; 7] = [6, 7, 9, 10, 12, 13, 14];
/// The ODD table, for 0-9 then A-Z.
const ODD: [u32; 36] = [
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, // 0-9
    1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
    23, // A-Z
];

/// The value of a character in the EVEN table (digits 0-9, letters A-Z 0-25) and its index
/// in [`ODD`].
fn table_values(byte: u8) -> (u32, usize) {
    match byte {
        b'0'..=b'9' => (u32::from(byte - b'0'), usize::from(byte - b'0')),
        b'A'..=b'Z' => (u32::from(byte - b'A'), 10 + usize::from(byte - b'A')),
        _ => (0, 0),
    }
}

/// The check character of the first 15 characters of `body` (R3).
#[must_use]
pub fn check_character(body: &[u8]) -> char {
    let sum: u32 = body
        .iter()
        .take(15)
        .enumerate()
        .map(|(index, &byte)| {
            let (even, odd_index) = table_values(byte);
            // Position index + 1 is odd when index is even.
            if index % 2 == 0 {
                ODD.get(odd_index).copied().unwrap_or(0)
            } else {
                even
            }
        })
        .sum();
    char::from(b'A' + u8::try_from(sum % 26).unwrap_or(0))
}

/// `body` (15 characters) with its check character.
fn with_check(mut body: Vec<u8>) -> String {
    body.truncate(15);
    let check = check_character(&body);
    let mut code: String = body.into_iter().map(char::from).collect();
    code.push(check);
    code
}

/// The days of `month` (1-12) in a year ending in `year_in_century`, as the crate counts them
/// (a February 29 exists in any year divisible by 4: 00 may be 2000).
fn days_in(month: u8, year_in_century: u8) -> u8 {
    match month {
        4 | 6 | 9 | 11 => 30,
        2 if year_in_century % 4 == 0 => 29,
        2 => 28,
        _ => 31,
    }
}

/// The 15 characters before the check: surname and name letters, a birth date that exists,
/// sex, a place code of the right shape.
fn personal_body() -> impl Strategy<Value = Vec<u8>> {
    (
        "[A-Z]{6}",
        0..100u8,
        1..=12u8,
        1..=31u8,
        any::<bool>(),
        "[A-Z][0-9]{3}",
    )
        .prop_map(|(letters, year, month, day, female, place)| {
            let day = day.min(days_in(month, year)) + if female { 40 } else { 0 };
            let month_letter = MONTHS.get(usize::from(month - 1)).copied().unwrap_or(b'A');
            let mut body = letters.into_bytes();
            body.extend(format!("{year:02}").bytes());
            body.push(month_letter);
            body.extend(format!("{day:02}").bytes());
            body.extend(place.bytes());
            body
        })
}

/// Valid personal codici fiscali of 16 characters, without omocodia.
pub fn personal_codice_fiscale_text() -> impl Strategy<Value = String> {
    personal_body().prop_map(with_check)
}

/// Valid omocode codici fiscali: a personal code with a non-empty subset of its digits at
/// positions 7, 8, 10, 11, 13, 14, 15 written as L M N P Q R S T U V, the check character
/// computed over the code as written.
pub fn omocode_codice_fiscale_text() -> impl Strategy<Value = String> {
    (personal_body(), 1..128u8).prop_map(|(mut body, mask)| {
        for (bit, position) in OMOCODE_POSITIONS.iter().enumerate() {
            if mask & (1 << bit) != 0 {
                if let Some(byte) = body.get_mut(*position) {
                    if byte.is_ascii_digit() {
                        *byte = OMOCODE
                            .get(usize::from(*byte - b'0'))
                            .copied()
                            .unwrap_or(*byte);
                    }
                }
            }
        }
        with_check(body)
    })
}

/// Valid temporary codici fiscali: 11 digits, the last the check digit of the first 10.
pub fn temporary_codice_fiscale_text() -> impl Strategy<Value = String> {
    "[0-9]{10}".prop_map(|digits| {
        let check = temporary_check_digit(&digits);
        format!("{digits}{check}")
    })
}

/// The check digit of the first 10 digits of a temporary code: odd positions summed, even
/// positions doubled (less 9 above 9), the sum's complement to 10.
fn temporary_check_digit(digits: &str) -> char {
    let sum: u32 = digits
        .bytes()
        .take(10)
        .enumerate()
        .map(|(index, byte)| {
            let digit = u32::from(byte.wrapping_sub(b'0'));
            if index % 2 == 0 {
                digit
            } else if digit * 2 > 9 {
                digit * 2 - 9
            } else {
                digit * 2
            }
        })
        .sum();
    char::from(b'0' + u8::try_from((10 - sum % 10) % 10).unwrap_or(0))
}

/// Every valid form, as typed: personal, omocode and temporary codes, sometimes in lower case
/// or with spaces and dashes (which the parser normalises).
pub fn codice_fiscale_text() -> impl Strategy<Value = String> {
    let code = prop_oneof![
        4 => personal_codice_fiscale_text(),
        2 => omocode_codice_fiscale_text(),
        1 => temporary_codice_fiscale_text(),
    ];
    (code, 0..4u8).prop_map(|(code, style)| match style {
        0 => code.to_ascii_lowercase(),
        1 => format!("  {code} "),
        2 => code
            .chars()
            .enumerate()
            .flat_map(|(index, c)| {
                (index == 3 || index == 6)
                    .then_some('-')
                    .into_iter()
                    .chain([c])
            })
            .collect(),
        _ => code,
    })
}

/// Valid codici fiscali, parsed (personal, omocode and temporary).
pub fn codice_fiscale() -> impl Strategy<Value = CodiceFiscale> {
    codice_fiscale_text().prop_filter_map("a generated code parses", |code| {
        CodiceFiscale::parse(&code).ok()
    })
}

/// Valid personal codici fiscali (no temporary code: a policy accepts those only on request).
pub fn personal_codice_fiscale() -> impl Strategy<Value = CodiceFiscale> {
    prop_oneof![
        3 => personal_codice_fiscale_text(),
        1 => omocode_codice_fiscale_text(),
    ]
    .prop_filter_map("a generated code parses", |code| {
        CodiceFiscale::parse(&code).ok()
    })
}

/// A text that is almost a codice fiscale, and the error the parser must give for it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct NearMiss {
    /// What is typed.
    pub text: String,
    /// The error [`CodiceFiscale::parse`] must return.
    pub expected: CodiceFiscaleError,
}

/// Near-misses: one character off (a letter changed), the wrong check character, a birth
/// date that does not exist, a day out of range, a wrong length, a temporary code's wrong
/// check digit; each with the error it must give.
pub fn codice_fiscale_near_miss() -> impl Strategy<Value = NearMiss> {
    let wrong_check = (personal_codice_fiscale_text(), 1..26u8).prop_map(|(code, shift)| {
        let mut bytes = code.into_bytes();
        let right = bytes.pop().unwrap_or(b'A');
        let wrong = b'A' + (right - b'A' + shift) % 26;
        bytes.push(wrong);
        NearMiss {
            text: bytes.into_iter().map(char::from).collect(),
            expected: CodiceFiscaleError::WrongCheckCharacter {
                expected: char::from(right),
                found: char::from(wrong),
            },
        }
    });
    // A letter of the name, surname or place changed for another: the check character no
    // longer matches (each table maps letters one to one, so any change shows).
    let one_off = (
        personal_codice_fiscale_text(),
        select(vec![0usize, 1, 2, 3, 4, 5, 11]),
        1..26u8,
    )
        .prop_map(|(code, position, shift)| {
            let mut bytes = code.into_bytes();
            let found = bytes.last().copied().unwrap_or(b'A');
            if let Some(byte) = bytes.get_mut(position) {
                *byte = b'A' + (*byte - b'A' + shift) % 26;
            }
            let expected = check_character(&bytes);
            NearMiss {
                text: bytes.into_iter().map(char::from).collect(),
                expected: CodiceFiscaleError::WrongCheckCharacter {
                    expected,
                    found: char::from(found),
                },
            }
        });
    let impossible_date = (
        personal_body(),
        select(vec![
            (2u8, 30u8),
            (2, 31),
            (4, 31),
            (6, 31),
            (9, 31),
            (11, 31),
        ]),
        any::<bool>(),
    )
        .prop_map(|(mut body, (month, day), female)| {
            let year_in_century = two_digits(body.get(6..8));
            if let Some(letter) = body.get_mut(8) {
                *letter = MONTHS.get(usize::from(month - 1)).copied().unwrap_or(b'B');
            }
            let written = day + if female { 40 } else { 0 };
            set_day(&mut body, written);
            NearMiss {
                text: with_check(body),
                expected: CodiceFiscaleError::NonexistentDate {
                    year_in_century,
                    month,
                    day,
                },
            }
        });
    let day_out_of_range = (
        personal_body(),
        prop_oneof![Just(0u8), 32..=40u8, 72..=99u8],
    )
        .prop_map(|(mut body, day)| {
            set_day(&mut body, day);
            NearMiss {
                text: with_check(body),
                expected: CodiceFiscaleError::DayOutOfRange { day },
            }
        });
    // Eleven characters read as a temporary code, so a cut keeps 1-10 or 12-15 of them; or
    // one is added to the 16.
    let wrong_length = (personal_codice_fiscale_text(), 1..16usize).prop_map(|(code, keep)| {
        let (text, found) = match keep {
            11 => (format!("{code}X"), 17),
            keep => (code.chars().take(keep).collect(), keep),
        };
        NearMiss {
            text,
            expected: CodiceFiscaleError::WrongLength { found },
        }
    });
    let temporary = (temporary_codice_fiscale_text(), 1..10u8).prop_map(|(code, shift)| {
        let mut bytes = code.into_bytes();
        let right = bytes.pop().unwrap_or(b'0');
        let wrong = b'0' + (right - b'0' + shift) % 10;
        bytes.push(wrong);
        NearMiss {
            text: bytes.into_iter().map(char::from).collect(),
            expected: CodiceFiscaleError::WrongTemporaryCheckDigit {
                expected: char::from(right),
                found: char::from(wrong),
            },
        }
    });
    prop_oneof![
        wrong_check,
        one_off,
        impossible_date,
        day_out_of_range,
        wrong_length,
        temporary
    ]
}

/// The number two ASCII digits write (0 if they are not two digits).
fn two_digits(bytes: Option<&[u8]>) -> u8 {
    match bytes {
        Some([tens @ b'0'..=b'9', units @ b'0'..=b'9']) => (tens - b'0') * 10 + (units - b'0'),
        _ => 0,
    }
}

/// Writes the two-digit `day` at positions 10 and 11 of `body`.
fn set_day(body: &mut [u8], day: u8) {
    if let Some([tens, units]) = body.get_mut(9..11) {
        *tens = b'0' + day / 10;
        *units = b'0' + day % 10;
    }
}

// ---------------------------------------------------------------------------------------------
// People (R1, R2, R4)

/// First names and surnames as typed: Italian ones with accents, apostrophes and two words.
pub fn person_name_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z][a-z]{1,12}",
        "[A-Z][a-zàèéìòù]{1,10}( [A-Z][a-z]{1,10})?",
        "(D'|De |Di |Lo |La )[A-Z][a-z]{2,10}",
        "  [a-z]{2,10}   [A-Z][a-z]{1,8} ",
    ]
}

/// Names, parsed.
pub fn person_name() -> impl Strategy<Value = PersonName> {
    person_name_text().prop_filter_map("a generated name parses", |text| {
        PersonName::parse(&text).ok()
    })
}

/// E-mail addresses as typed.
pub fn email_text() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,10}([._+-][a-z0-9]{1,8})?@[a-z][a-z0-9]{0,10}(-[a-z0-9]{1,5})?(\\.[a-z]{2,8})?\\.(it|com|org|eu|net)"
}

/// E-mail addresses, parsed.
pub fn email() -> impl Strategy<Value = Email> {
    email_text().prop_filter_map("a generated e-mail parses", |text| Email::parse(&text).ok())
}

/// Italian mobile numbers as typed: with or without +39 or 0039, with spaces or dashes.
pub fn mobile_text() -> impl Strategy<Value = String> {
    "(\\+39 ?|0039 )?3[0-9]{2}[ -]?[0-9]{3}[ -]?[0-9]{3,4}"
}

/// Mobile numbers, parsed.
pub fn mobile() -> impl Strategy<Value = MobileNumber> {
    mobile_text().prop_filter_map("a generated mobile parses", |text| {
        MobileNumber::parse(&text).ok()
    })
}

/// Italian landline numbers as typed: an area code from 0 (not 00), 6 to 11 digits.
pub fn landline_text() -> impl Strategy<Value = String> {
    "(\\+39 )?0[1-9][0-9]?[ /]?[0-9]{4,8}"
}

/// Landline numbers, parsed.
pub fn landline() -> impl Strategy<Value = LandlineNumber> {
    landline_text().prop_filter_map("a generated landline parses", |text| {
        LandlineNumber::parse(&text).ok()
    })
}

/// The four parts of a residence as typed: street with a civic number (or "snc"), postal
/// code, municipality, province.
pub fn address_text() -> impl Strategy<Value = (String, String, String, String)> {
    (
        "(Via|Viale|Piazza|Corso|Vicolo|Largo) (dei |della |San )?[A-Z][a-zàè]{2,12},? ([1-9][0-9]{0,2}(/[A-C])?|snc)",
        "[0-9]{5}",
        "[A-Z][a-zàèìòù]{2,14}( [A-Z][a-z]{2,10})?",
        "[A-Za-z]{2}",
    )
}

/// Residences, parsed.
pub fn address() -> impl Strategy<Value = Address> {
    address_text().prop_filter_map(
        "a generated address parses",
        |(street, code, town, province)| Address::new(&street, &code, &town, &province).ok(),
    )
}

/// Both roles.
pub fn role() -> impl Strategy<Value = Role> {
    prop_oneof![3 => Just(Role::Citizen), 1 => Just(Role::Intermediary)]
}

/// People of both roles, with a personal codice fiscale and any mix of contacts.
pub fn person() -> impl Strategy<Value = Person> {
    (
        person_name(),
        person_name(),
        personal_codice_fiscale(),
        role(),
        address(),
        proptest::option::of(email()),
        proptest::option::of(mobile()),
        proptest::option::of(landline()),
    )
        .prop_map(
            |(name, surname, cf, role, residence, email, mobile, landline)| {
                let mut person = Person::new(name, surname, cf, role, residence);
                if let Some(email) = email {
                    person = person.with_email(email);
                }
                if let Some(mobile) = mobile {
                    person = person.with_mobile(mobile);
                }
                if let Some(landline) = landline {
                    person = person.with_landline(landline);
                }
                person
            },
        )
}

/// People with the two contacts a restore needs (R23).
pub fn person_with_contacts() -> impl Strategy<Value = Person> {
    (person(), email(), mobile())
        .prop_map(|(person, email, mobile)| person.with_email(email).with_mobile(mobile))
}

// ---------------------------------------------------------------------------------------------
// Documents, cards, operators, attestations (R13, R16, R24, R35)

/// Days from 2000 through 2099.
pub fn day() -> impl Strategy<Value = Date> {
    (0..36_500i64).prop_map(|days| {
        date(2000, 1, 1)
            .checked_add(jiff::Span::new().days(days))
            .unwrap_or(date(2000, 1, 1))
    })
}

/// Identity document numbers as typed.
pub fn document_number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[A-Z]{2}[ ]?[0-9]{5}[ ]?[A-Z]{2}",
        "[A-Za-z0-9]{1,20}",
        "[A-Z]{2}-[0-9]{7}"
    ]
}

/// Identity documents of every kind.
pub fn identity_document() -> impl Strategy<Value = IdentityDocument> {
    (
        select(vec![
            DocumentKind::IdentityCard,
            DocumentKind::Passport,
            DocumentKind::DrivingLicence,
        ]),
        document_number_text(),
        day(),
    )
        .prop_filter_map("a generated document parses", |(kind, number, day)| {
            IdentityDocument::new(kind, &number, day).ok()
        })
}

/// Tessera sanitaria numbers as typed: 20 digits from 80380, sometimes spaced.
pub fn tessera_number_text() -> impl Strategy<Value = String> {
    prop_oneof![
        "80380[0-9]{15}",
        "8038 0[0-9]{3} [0-9]{4} [0-9]{4} [0-9]{4}"
    ]
}

/// Tessere sanitarie of generated codici fiscali.
pub fn tessera() -> impl Strategy<Value = TesseraSanitaria> {
    (personal_codice_fiscale(), tessera_number_text(), day())
        .prop_filter_map("a generated card parses", |(cf, number, day)| {
            TesseraSanitaria::new(cf, &number, day).ok()
        })
}

/// Operator identifiers as typed.
pub fn operator_id_text() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9._-]{0,30}"
}

/// Operator identifiers.
pub fn operator_id() -> impl Strategy<Value = OperatorId> {
    operator_id_text().prop_filter_map("a generated id parses", |id| OperatorId::new(&id).ok())
}

/// Reasons for rejecting an upgrade, as typed.
pub fn rejection_reason_text() -> impl Strategy<Value = String> {
    "[A-Za-zàèéìòù][A-Za-zàèéìòù0-9 ,.'-]{0,200}"
}

/// Rejection reasons.
pub fn rejection_reason() -> impl Strategy<Value = RejectionReason> {
    rejection_reason_text().prop_filter_map("a generated reason parses", |reason| {
        RejectionReason::new(&reason).ok()
    })
}

/// `fact`, vouched for by a generated operator at `now` or up to `max_age` earlier (so still
/// current under a policy whose `attestation_valid_for` exceeds `max_age`).
pub fn attested<T: std::fmt::Debug>(
    fact: impl Strategy<Value = T>,
    now: Timestamp,
    max_age: SignedDuration,
) -> impl Strategy<Value = Attested<T>> {
    let max_secs = max_age.as_secs().max(0);
    (fact, operator_id(), 0..=max_secs).prop_map(move |(fact, operator, age)| {
        let checked_at = now
            .checked_sub(SignedDuration::from_secs(age))
            .unwrap_or(now);
        Attested::vouched_for(fact, operator, checked_at)
    })
}

/// The archive's record of `person`, vouched for at `now`.
pub fn archive_attestation(
    person: &Person,
    now: Timestamp,
) -> impl Strategy<Value = Attested<ArchiveRecord>> {
    let record = ArchiveRecord::new(person.codice_fiscale(), person.residence().clone());
    attested(Just(record), now, SignedDuration::from_mins(30))
}

// ---------------------------------------------------------------------------------------------
// Policies (R34)

/// Policies within their valid ranges, always with [`HashCost::CHEAP`] (they are for tests):
/// every value passes [`Policy::validate`].
pub fn policy() -> impl Strategy<Value = Policy> {
    // Delays sorted: a later failure never waits less than an earlier one.
    let sorted = |mut delays: Vec<u32>| {
        delays.sort_unstable();
        delays
    };
    let lockout = (vec(0..=60u32, 0..5).prop_map(sorted), 1..=MAX_BLOCK_AFTER)
        .prop_filter_map("a valid lockout", |(delays, block)| {
            Lockout::new(delays, block).ok()
        });
    let devices = (
        0..=10u8,
        1..=365u16,
        vec(0..=30u32, 0..4).prop_map(sorted),
        1..=20u32,
    )
        .prop_filter_map(
            "valid device limits",
            |(max_devices, valid_days, delays, block)| {
                Some(TrustedDevices {
                    max_devices,
                    valid_days,
                    lockout: Lockout::new(delays, block).ok()?,
                })
            },
        );
    let sunset = proptest::option::of(Just(Sunset::inps_2020_2021()));
    (
        (1..=12u8, 1..=12u8, 0..=27u16, 1..=365u16),
        (1..=MAX_RESTORE_REQUESTS, 1..=365u16),
        lockout,
        devices,
        sunset,
        any::<bool>(),
        1..=86_400i64,
    )
        .prop_filter_map(
            "a valid policy",
            |(
                (citizen, intermediary, warning, window),
                (max_requests, restore_window),
                lockout,
                trusted_devices,
                sunset,
                accept_temporary,
                attestation_secs,
            )| {
                Policy {
                    hash_cost: HashCost::CHEAP,
                    max_stored_hash_cost: Policy::DEFAULT_MAX_STORED_HASH_COST,
                    first_access_window_days: window,
                    digital_identity_dispositivo_since: date(2017, 7, 21),
                    catalogue: Catalogue::standard(),
                    citizen_validity_months: citizen,
                    intermediary_validity_months: intermediary,
                    expiry_warning_days: warning,
                    lockout,
                    sunset,
                    trusted_devices,
                    restore_limit: RestoreLimit {
                        max_requests,
                        window_days: restore_window.min(window),
                    },
                    accept_temporary_codice_fiscale: accept_temporary,
                    attestation_valid_for: SignedDuration::from_secs(attestation_secs),
                }
                .validated()
                .ok()
            },
        )
}

// ---------------------------------------------------------------------------------------------
// Commands and timed sequences

/// How far the clock moves before a step: nothing, seconds, a day, up to 200 days, calendar
/// days in Rome, to the next deadline or one nanosecond before it.
pub fn wait() -> impl Strategy<Value = Wait> {
    const DAY: u32 = 86_400;
    prop_oneof![
        3 => Just(Wait::Seconds(0)),
        3 => (0..=60u32).prop_map(Wait::Seconds),
        3 => (0..=DAY).prop_map(Wait::Seconds),
        1 => (0..=200 * DAY).prop_map(Wait::Seconds),
        1 => (0..=200u16).prop_map(Wait::RomeDays),
        4 => Just(Wait::ToDeadline),
        2 => Just(Wait::JustBeforeDeadline),
    ]
}

/// A stranger's guess: 8 characters of the alphabet.
pub fn guess() -> impl Strategy<Value = Entry> {
    proptest::array::uniform8(any::<u8>()).prop_map(Entry::Guess)
}

/// Every abstract command, right and wrong codes, valid and expired documents and cards, the
/// owner's and a stranger's data.
pub fn act() -> impl Strategy<Value = Act> {
    let applicant = prop_oneof![
        4 => Just(Applicant::Owner),
        1 => Just(Applicant::OwnerNoContacts),
        2 => Just(Applicant::OwnerExempt),
        1 => Just(Applicant::Stranger),
    ];
    let via = prop_oneof![
        3 => Just(Via::Online),
        1 => Just(Via::ContactCenterLandline),
        1 => Just(Via::ContactCenterMobile),
        1 => Just(Via::SedeValidDocument),
        1 => Just(Via::SedeExpiredDocument),
    ];
    let sixteen = prop_oneof![
        5 => Just(Entry::Right16),
        1 => Just(Entry::Wrong16),
        1 => Just(Entry::FirstHalf),
    ];
    let eight = prop_oneof![
        5 => Just(Entry::Right8),
        1 => Just(Entry::Wrong8),
        1 => Just(Entry::Right16),
        1 => Just(Entry::FirstHalf),
        2 => guess(),
    ];
    let document = prop_oneof![4 => Just(Document::Valid), 1 => Just(Document::Expired)];
    let upgrade_via = prop_oneof![Just(UpgradeVia::Online), Just(UpgradeVia::Fax)];
    prop_oneof![
        5 => (applicant, via).prop_map(|(who, via)| Act::Request(who, via)),
        5 => (sixteen, any::<bool>()).prop_map(|(entry, trust_device)| Act::FirstAccess { entry, trust_device }),
        8 => (eight.clone(), any::<bool>(), any::<bool>())
            .prop_map(|(entry, device, trust_device)| Act::LogIn { entry, device, trust_device }),
        3 => (eight, any::<bool>()).prop_map(|(entry, device)| Act::Renew { entry, device }),
        2 => (upgrade_via, document.clone()).prop_map(|(via, doc)| Act::RequestUpgrade(via, doc)),
        2 => any::<bool>().prop_map(Act::DecideUpgrade),
        2 => document.prop_map(Act::UpgradeAtSede),
        3 => prop_oneof![
            4 => Just(Contacts::Registered),
            1 => Just(Contacts::WrongEmail),
            1 => Just(Contacts::WrongMobile),
        ].prop_map(Act::Restore),
        3 => prop_oneof![
            4 => Just(Card::Own),
            1 => Just(Card::OwnExpired),
            1 => Just(Card::Strangers),
            1 => Just(Card::StrangersExpired),
        ].prop_map(Act::Revoke),
        4 => Just(Act::Tick),
    ]
}

/// One step: a wait and an act.
pub fn step() -> impl Strategy<Value = Step> {
    (wait(), act()).prop_map(|(wait, act)| Step { wait, act })
}

/// A few steps that belong together, so that sequences reach the far phases as well as the
/// near ones: mostly one step, sometimes a fresh PIN and its first access, a burst of a
/// stranger's guesses spaced to beat the delays (towards a block), the clock run to the
/// deadlines and a renewal, or an upgrade request and its decision.
pub fn segment() -> impl Strategy<Value = Vec<Step>> {
    let seconds = |range: std::ops::RangeInclusive<u32>| range.prop_map(Wait::Seconds);
    let fresh_pin = (wait(), seconds(0..=7 * 86_400)).prop_map(|(wait, later)| {
        vec![
            Step {
                wait,
                act: Act::Request(Applicant::Owner, Via::Online),
            },
            Step {
                wait: later,
                act: Act::FirstAccess {
                    entry: Entry::Right16,
                    trust_device: true,
                },
            },
        ]
    });
    let burst = vec(
        (seconds(10..=12), guess()).prop_map(|(wait, entry)| Step {
            wait,
            act: Act::LogIn {
                entry,
                device: false,
                trust_device: false,
            },
        }),
        5..=12,
    );
    let clock = (1..=3usize, any::<bool>()).prop_map(|(ticks, device)| {
        let mut steps: Vec<Step> = (0..ticks)
            .map(|_| Step {
                wait: Wait::ToDeadline,
                act: Act::Tick,
            })
            .collect();
        steps.push(Step {
            wait: Wait::Seconds(60),
            act: Act::Renew {
                entry: Entry::Right8,
                device,
            },
        });
        steps
    });
    let upgrade = (any::<bool>(), seconds(0..=30 * 86_400)).prop_map(|(approve, later)| {
        vec![
            Step {
                wait: Wait::Seconds(60),
                act: Act::RequestUpgrade(UpgradeVia::Online, Document::Valid),
            },
            Step {
                wait: later,
                act: Act::DecideUpgrade(approve),
            },
        ]
    });
    prop_oneof![
        16 => step().prop_map(|step| vec![step]),
        3 => fresh_pin,
        2 => burst,
        3 => clock,
        2 => upgrade,
    ]
}

/// Timed sequences of 1 to about 100 steps (segments flattened).
pub fn steps() -> impl Strategy<Value = Vec<Step>> {
    vec(segment(), 1..40).prop_map(|segments| segments.into_iter().flatten().collect())
}

/// A fresh driver: a generated owner with contacts (either role) and stranger, the cheap
/// default policy or INPS's sunset (starting in 2020), a generated seed.
pub fn driver() -> impl Strategy<Value = Driver> {
    (
        person_with_contacts(),
        person(),
        any::<bool>(),
        any::<u64>(),
        0..366u32 * 86_400,
    )
        .prop_filter_map(
            "a cast of two people",
            |(owner, stranger, sunset, seed, offset)| {
                if owner.codice_fiscale() == stranger.codice_fiscale() {
                    return None;
                }
                let cast = Cast::new(owner, stranger).ok()?;
                let driver = Driver::new(cast, cheap_policy(), START, seed);
                Some(if sunset {
                    let mut driver = driver.with_sunset();
                    driver.now = SUNSET_START
                        .checked_add(SignedDuration::from_secs(i64::from(offset)))
                        .unwrap_or(SUNSET_START);
                    driver
                } else {
                    driver
                })
            },
        )
}

/// A driver and a timed sequence of steps for it: what a property over whole lives of an
/// account plays.
pub fn scenario() -> impl Strategy<Value = (Driver, Vec<Step>)> {
    (driver(), steps())
}

/// Concrete commands for `driver` as it stands (codes it learnt included): for a property of
/// one command.
pub fn command(driver: Driver) -> impl Strategy<Value = Command> {
    act().prop_map(move |act| driver.command(&act))
}
