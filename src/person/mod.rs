//! The person who holds or requests a PIN: names, contacts, residence address and role.
//!
//! Requesting a PIN collects the first name, surname, codice fiscale, residence address,
//! phone numbers and e-mail address (R1); the person acts either as a citizen or as an
//! intermediary (R2). Each value is a type that can only be made by validating it, so a
//! [`Person`] never holds an empty or malformed contact: the second half of the PIN travels in
//! a sealed envelope to the residence [`Address`], the first half by e-mail or SMS, and a
//! delivery must not silently go nowhere (R4).
//!
//! Every type here serializes as its normalised string form (or, for [`Address`] and
//! [`Person`], as a struct of them) and validates again when deserialized, so a stored value
//! that is invalid cannot be loaded.
//!
//! Errors are [`ContactError`]s. Their messages name the field and the kind of problem, and
//! keep the value itself out (error messages end up in logs); the one exception is a single
//! offending character, which is what a person needs to find the typo.

mod address;
mod email;
mod error;
mod name;
mod phone;
mod text;

use serde::{Deserialize, Serialize};

use crate::CodiceFiscale;
use crate::sunset::SunsetExemption;

pub use address::{Address, PostalCode, Province};
pub use email::Email;
pub use error::{ContactError, ContactField};
pub use name::PersonName;
pub use phone::{LandlineNumber, MobileNumber, PhoneKind};

/// The role in which a person holds a PIN (R2).
///
/// The role sets the expiry of the PIN: six months for a citizen, three for an intermediary.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Role {
    /// A citizen acting for themself.
    Citizen,
    /// A patronato, a CAF or a professional acting for citizens.
    Intermediary,
}

/// A person who holds or requests a PIN (R1), identified by the codice fiscale.
///
/// Made from the data a PIN request collects, each part already validated; the e-mail and the
/// phone numbers are optional and added with the `with_` methods.
///
/// ```
/// use inps_pin::{
///     Address, CodiceFiscale, Email, MobileNumber, Person, PersonName, PhoneKind, Role,
/// };
///
/// let person = Person::new(
///     PersonName::parse("Mario")?,
///     PersonName::parse("Rossi")?,
///     CodiceFiscale::parse("RSSMRA85T10A562S")?,
///     Role::Citizen,
///     Address::new("Via Roma 1", "00184", "Roma", "RM")?,
/// )
/// .with_email(Email::parse("mario.rossi@example.it")?)
/// .with_mobile(MobileNumber::parse("333 1234567")?);
///
/// assert!(person.registered_contacts().is_some());
/// assert_eq!(person.phone_kind(), Some(PhoneKind::Mobile));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Person {
    name: PersonName,
    surname: PersonName,
    codice_fiscale: CodiceFiscale,
    role: Role,
    residence: Address,
    // Never skipped when absent: non-self-describing formats such as postcard need every field.
    email: Option<Email>,
    mobile: Option<MobileNumber>,
    landline: Option<LandlineNumber>,
    sunset_exemption: Option<SunsetExemption>,
}

impl Person {
    /// A person with no e-mail and no phone number yet.
    #[must_use]
    pub fn new(
        name: PersonName,
        surname: PersonName,
        codice_fiscale: CodiceFiscale,
        role: Role,
        residence: Address,
    ) -> Person {
        Person {
            name,
            surname,
            codice_fiscale,
            role,
            residence,
            email: None,
            mobile: None,
            landline: None,
            sunset_exemption: None,
        }
    }

    /// The person, declaring a reason to get a new PIN after the sunset's cut-off (R22a).
    /// Minors need none: their age is read from the codice fiscale.
    #[must_use]
    pub fn with_sunset_exemption(mut self, exemption: SunsetExemption) -> Self {
        self.sunset_exemption = Some(exemption);
        self
    }

    /// The reason declared to get a new PIN after the sunset's cut-off, if any (R22a).
    #[must_use]
    pub fn sunset_exemption(&self) -> Option<SunsetExemption> {
        self.sunset_exemption
    }

    /// A copy of the person living at `residence` instead: the archive's, which a PIN
    /// request's post goes to whatever the request typed (R35). The text is shared, not
    /// copied.
    pub(crate) fn living_at(&self, residence: Address) -> Person {
        Person {
            residence,
            ..self.clone()
        }
    }

    /// The person with this e-mail address, replacing any previous one.
    #[must_use]
    pub fn with_email(mut self, email: Email) -> Self {
        self.email = Some(email);
        self
    }

    /// The person with this mobile number, replacing any previous one.
    #[must_use]
    pub fn with_mobile(mut self, mobile: MobileNumber) -> Self {
        self.mobile = Some(mobile);
        self
    }

    /// The person with this landline number, replacing any previous one.
    #[must_use]
    pub fn with_landline(mut self, landline: LandlineNumber) -> Self {
        self.landline = Some(landline);
        self
    }

    /// The first name.
    #[must_use]
    pub fn name(&self) -> &PersonName {
        &self.name
    }

    /// The surname.
    #[must_use]
    pub fn surname(&self) -> &PersonName {
        &self.surname
    }

    /// The codice fiscale, which identifies the person (R1).
    #[must_use]
    pub fn codice_fiscale(&self) -> CodiceFiscale {
        self.codice_fiscale
    }

    /// The role, which sets the PIN expiry (R2).
    #[must_use]
    pub fn role(&self) -> Role {
        self.role
    }

    /// The residence address, where sealed envelopes are posted.
    #[must_use]
    pub fn residence(&self) -> &Address {
        &self.residence
    }

    /// The e-mail address, if one is registered.
    #[must_use]
    pub fn email(&self) -> Option<&Email> {
        self.email.as_ref()
    }

    /// The mobile number, if one is registered.
    #[must_use]
    pub fn mobile(&self) -> Option<&MobileNumber> {
        self.mobile.as_ref()
    }

    /// The landline number, if one is registered.
    #[must_use]
    pub fn landline(&self) -> Option<&LandlineNumber> {
        self.landline.as_ref()
    }

    /// The two contacts a ripristino (restore) of the PIN uses: the e-mail address as the first
    /// contact and the mobile number as the second.
    ///
    /// `None` unless both are registered. This is a choice: a restore goes over two distinct
    /// channels, so that neither the mailbox nor the phone alone is enough to take over the
    /// PIN; with only one of them the person restores through another channel. A landline does
    /// not stand in for the mobile, since it cannot receive an SMS.
    #[must_use]
    pub fn registered_contacts(&self) -> Option<(&Email, &MobileNumber)> {
        Some((self.email.as_ref()?, self.mobile.as_ref()?))
    }

    /// The phone the person would call the Contact Center from, which sets the number to
    /// call (803 164 from a landline, 06 164 164 from a mobile).
    ///
    /// [`PhoneKind::Mobile`] if a mobile number is registered, else [`PhoneKind::Landline`] if
    /// a landline is, else `None` (the caller then cannot tell the person which number to
    /// call, and should show both). The mobile wins when both are registered: it is the phone
    /// the person has at hand wherever they are, so the likelier one to call from.
    #[must_use]
    pub fn phone_kind(&self) -> Option<PhoneKind> {
        if self.mobile.is_some() {
            Some(PhoneKind::Mobile)
        } else if self.landline.is_some() {
            Some(PhoneKind::Landline)
        } else {
            None
        }
    }
}
