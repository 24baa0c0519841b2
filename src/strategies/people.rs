//! Strategies for people: names, contacts, addresses, both roles (R1, R2, R4).

use super::*;

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
