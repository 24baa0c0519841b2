//! Assurance levels, sessions, the service catalogue and authorisation decisions.
//!
//! A session carries the level its credential earned: an ordinary PIN lets a person *consult*
//! their data, a dispositivo PIN lets them *apply* for benefits (R15). SPID at level 2 or 3,
//! CIE and CNS count as dispositivo from 21 July 2017 (R18). The [`Catalogue`] says what level
//! each service needs (R19a) and answers with an [`Authorisation`] that names the service, the
//! level it needs, the level the session has and, when refused, why (R19).

use std::borrow::Cow;

use jiff::Timestamp;
use jiff::civil::Date;
use serde::{Deserialize, Serialize};
use thiserror::Error;

use crate::CodiceFiscale;
use crate::civil_time::rome_start_of_day;

/// How much a credential proves: enough to consult one's data, or to apply for benefits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum AssuranceLevel {
    /// "PIN ordinario": consult one's own data (R15).
    Ordinary,
    /// "PIN dispositivo": apply for benefits and services (R15).
    Dispositivo,
}

impl AssuranceLevel {
    /// The Italian name, as INPS writes it.
    #[must_use]
    pub fn italian(self) -> &'static str {
        match self {
            AssuranceLevel::Ordinary => "ordinario",
            AssuranceLevel::Dispositivo => "dispositivo",
        }
    }
}

/// The level of a SPID identity (the public digital identity system).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub enum SpidLevel {
    /// Level 1: user name and password.
    One,
    /// Level 2: a second factor.
    Two,
    /// Level 3: a hardware device.
    Three,
}

/// A national digital identity a person can log in with instead of the PIN (R18).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum DigitalIdentity {
    /// SPID, at the level the identity provider asserted.
    Spid(SpidLevel),
    /// CIE, the electronic identity card.
    Cie,
    /// CNS, the national services card.
    Cns,
}

/// What a session was opened with.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Credential {
    /// The PIN: the 8-character PIN after first access.
    Pin,
    /// The first 8 characters of a first PIN whose second half is still in the post: enough
    /// only for the services the policy names (R9a).
    PinFirstHalf,
    /// A national digital identity.
    DigitalIdentity(DigitalIdentity),
}

/// An authenticated session: who, with what, at which level, since when.
///
/// Made by a successful PIN login ([`Reply::LoggedIn`](crate::Reply::LoggedIn)) or by
/// [`Session::from_digital_identity`].
///
/// A PIN session remembers which PIN opened it (its generation) and whether it was opened from
/// a trusted device, so that it ends with that PIN (R31):
/// [`Account::check_session`](crate::Account::check_session) says whether it still stands,
/// and [`Effect::EndSessions`](crate::Effect::EndSessions) tells the service when to end it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Session {
    codice_fiscale: CodiceFiscale,
    credential: Credential,
    level: AssuranceLevel,
    started_at: Timestamp,
    /// The generation of the PIN that opened it; `None` for a digital identity.
    #[serde(default)]
    pin_generation: Option<u64>,
    /// Opened from a trusted device (R25a): a block of everyone else's lane leaves it standing.
    #[serde(default)]
    from_trusted_device: bool,
}

impl Session {
    pub(crate) fn new(
        codice_fiscale: CodiceFiscale,
        credential: Credential,
        level: AssuranceLevel,
        started_at: Timestamp,
        pin_generation: u64,
        from_trusted_device: bool,
    ) -> Session {
        Session {
            codice_fiscale,
            credential,
            level,
            started_at,
            pin_generation: Some(pin_generation),
            from_trusted_device,
        }
    }

    /// The generation of the PIN that opened it (R31); `None` for a digital identity, which no
    /// PIN change ends.
    #[must_use]
    pub fn pin_generation(&self) -> Option<u64> {
        self.pin_generation
    }

    /// Whether it was opened from a trusted device (R25a).
    #[must_use]
    pub fn from_trusted_device(&self) -> bool {
        self.from_trusted_device
    }

    /// A session for a person who logged in with SPID, CIE or CNS at `at`.
    ///
    /// From `dispositivo_since` (midnight in Rome; the policy's
    /// [`digital_identity_dispositivo_since`](crate::Policy::digital_identity_dispositivo_since),
    /// 21 July 2017) SPID level 2 or 3, CIE and CNS count as a dispositivo PIN; before that
    /// date, and SPID level 1 at any date, as an ordinary one (R18).
    ///
    /// It takes the date rather than the whole policy so that assurance levels do not depend
    /// on the policy, which itself holds the [`Catalogue`].
    ///
    /// ```
    /// use inps_pin::{AssuranceLevel, CodiceFiscale, DigitalIdentity, Policy, Session, SpidLevel};
    ///
    /// let cf = CodiceFiscale::parse("RSSMRA80A01H501U")?;
    /// let since = Policy::default().digital_identity_dispositivo_since;
    /// let spid2 = DigitalIdentity::Spid(SpidLevel::Two);
    /// let late = Session::from_digital_identity(cf, spid2, "2020-05-01T10:00:00Z".parse()?, since);
    /// assert_eq!(late.level(), AssuranceLevel::Dispositivo);
    /// let early = Session::from_digital_identity(cf, spid2, "2017-07-20T21:59:59Z".parse()?, since);
    /// assert_eq!(early.level(), AssuranceLevel::Ordinary);
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    #[must_use]
    pub fn from_digital_identity(
        codice_fiscale: CodiceFiscale,
        identity: DigitalIdentity,
        at: Timestamp,
        dispositivo_since: Date,
    ) -> Session {
        let strong = match identity {
            DigitalIdentity::Spid(level) => level >= SpidLevel::Two,
            DigitalIdentity::Cie | DigitalIdentity::Cns => true,
        };
        let since = rome_start_of_day(dispositivo_since);
        let level = if strong && at >= since {
            AssuranceLevel::Dispositivo
        } else {
            AssuranceLevel::Ordinary
        };
        Session {
            pin_generation: None,
            from_trusted_device: false,
            ..Session::new(
                codice_fiscale,
                Credential::DigitalIdentity(identity),
                level,
                at,
                0,
                false,
            )
        }
    }

    /// Whose session it is.
    #[must_use]
    pub fn codice_fiscale(&self) -> CodiceFiscale {
        self.codice_fiscale
    }

    /// What it was opened with.
    #[must_use]
    pub fn credential(&self) -> Credential {
        self.credential
    }

    /// The level it holds.
    #[must_use]
    pub fn level(&self) -> AssuranceLevel {
        self.level
    }

    /// When it was opened.
    #[must_use]
    pub fn started_at(&self) -> Timestamp {
        self.started_at
    }
}

/// The stable identifier of a service, such as `"estratto-contributivo"`.
///
/// The constants are the services the sources name (R19a); callers name their own with
/// [`ServiceId::new`].
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct ServiceId(Cow<'static, str>);

impl ServiceId {
    /// Consult the contribution record ("estratto contributivo").
    pub const CONTRIBUTION_RECORD: ServiceId = ServiceId(Cow::Borrowed("estratto-contributivo"));
    /// Consult the pension position ("posizione pensionistica").
    pub const PENSION_POSITION: ServiceId = ServiceId(Cow::Borrowed("posizione-pensionistica"));
    /// Consult Gestione Separata data.
    pub const GESTIONE_SEPARATA: ServiceId = ServiceId(Cow::Borrowed("gestione-separata"));
    /// Read the communications with INPS.
    pub const COMMUNICATIONS: ServiceId = ServiceId(Cow::Borrowed("comunicazioni"));
    /// Fill in and download forms ("modulistica").
    pub const FORMS: ServiceId = ServiceId(Cow::Borrowed("modulistica"));
    /// Apply for the 600-euro bonus of 2020.
    pub const BONUS_600: ServiceId = ServiceId(Cow::Borrowed("bonus-600-euro"));
    /// Apply for the bonus for children under 14 (the baby-sitter bonus of 2020).
    pub const BONUS_CHILDREN_UNDER_14: ServiceId = ServiceId(Cow::Borrowed("bonus-figli-under-14"));
    /// Pay a riscatto (buying back contribution years) by card in the mobile app.
    pub const PAY_RISCATTO: ServiceId = ServiceId(Cow::Borrowed("pagamento-riscatto"));
    /// Pay a ricongiunzione (joining contribution records) by card in the mobile app.
    pub const PAY_RICONGIUNZIONE: ServiceId = ServiceId(Cow::Borrowed("pagamento-ricongiunzione"));
    /// Pay rendite (annuities) by card in the mobile app.
    pub const PAY_RENDITE: ServiceId = ServiceId(Cow::Borrowed("pagamento-rendite"));

    /// A caller's own service identifier.
    #[must_use]
    pub fn new(id: impl Into<Cow<'static, str>>) -> ServiceId {
        ServiceId(id.into())
    }

    /// The identifier as text.
    #[must_use]
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl AsRef<str> for ServiceId {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

impl core::fmt::Display for ServiceId {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        f.write_str(&self.0)
    }
}

/// A service of INPS and the level it needs.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Service {
    id: ServiceId,
    name_it: Cow<'static, str>,
    name_en: Cow<'static, str>,
    required: AssuranceLevel,
    accepts_first_half: bool,
}

impl Service {
    /// A service with its Italian and English names and the level it needs. It does not accept
    /// the first half of a PIN alone until [`Catalogue::accept_first_half`] says so.
    #[must_use]
    pub fn new(
        id: ServiceId,
        name_it: impl Into<Cow<'static, str>>,
        name_en: impl Into<Cow<'static, str>>,
        required: AssuranceLevel,
    ) -> Service {
        Service {
            id,
            name_it: name_it.into(),
            name_en: name_en.into(),
            required,
            accepts_first_half: false,
        }
    }

    /// Its identifier.
    #[must_use]
    pub fn id(&self) -> &ServiceId {
        &self.id
    }

    /// Its name in Italian, for citizens.
    #[must_use]
    pub fn name_it(&self) -> &str {
        &self.name_it
    }

    /// Its name in English, for operators.
    #[must_use]
    pub fn name_en(&self) -> &str {
        &self.name_en
    }

    /// The level it needs.
    #[must_use]
    pub fn required(&self) -> AssuranceLevel {
        self.required
    }

    /// Whether the first 8 characters of a first PIN are enough for it (R9a).
    #[must_use]
    pub fn accepts_first_half(&self) -> bool {
        self.accepts_first_half
    }
}

/// The services a deployment offers, with the level each needs (R19a).
///
/// [`Catalogue::standard`] holds the services the sources name; callers add their own. A
/// catalogue never holds two services with one identifier: [`Catalogue::add`] refuses the
/// second, and so does loading a stored catalogue (R34).
///
/// ```
/// use inps_pin::{AssuranceLevel, Catalogue, Service, ServiceId};
///
/// let mut catalogue = Catalogue::standard();
/// catalogue.add(Service::new(
///     ServiceId::new("cassetto-previdenziale"),
///     "Cassetto previdenziale",
///     "Social-security drawer",
///     AssuranceLevel::Ordinary,
/// ))?;
/// assert!(catalogue.get("cassetto-previdenziale").is_some());
/// # Ok::<(), inps_pin::CatalogueError>(())
/// ```
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(try_from = "RawCatalogue")]
pub struct Catalogue {
    services: Vec<Service>,
}

/// A catalogue as written, before it is checked for duplicates: what a stored policy holds, so
/// that the policy can name its field when the catalogue is refused (R34).
#[derive(Deserialize)]
#[serde(rename = "Catalogue")]
pub(crate) struct RawCatalogue {
    services: Vec<Service>,
}

impl TryFrom<RawCatalogue> for Catalogue {
    type Error = CatalogueError;
    fn try_from(raw: RawCatalogue) -> Result<Self, Self::Error> {
        let mut catalogue = Catalogue::empty();
        for service in raw.services {
            catalogue.add(service)?;
        }
        Ok(catalogue)
    }
}

impl From<Catalogue> for RawCatalogue {
    fn from(catalogue: Catalogue) -> Self {
        RawCatalogue {
            services: catalogue.services,
        }
    }
}

impl Catalogue {
    /// No services at all.
    #[must_use]
    pub fn empty() -> Catalogue {
        Catalogue {
            services: Vec::new(),
        }
    }

    /// The services the sources name, at the level each needs by default (R19a): consulting
    /// needs an ordinary PIN, applying and paying need a dispositivo one.
    #[must_use]
    pub fn standard() -> Catalogue {
        use AssuranceLevel::{Dispositivo, Ordinary};
        let services = [
            (
                ServiceId::CONTRIBUTION_RECORD,
                "Estratto contributivo",
                "Contribution record",
                Ordinary,
            ),
            (
                ServiceId::PENSION_POSITION,
                "Posizione pensionistica",
                "Pension position",
                Ordinary,
            ),
            (
                ServiceId::GESTIONE_SEPARATA,
                "Gestione Separata",
                "Gestione Separata data",
                Ordinary,
            ),
            (
                ServiceId::COMMUNICATIONS,
                "Comunicazioni con l'INPS",
                "Communications with INPS",
                Ordinary,
            ),
            (ServiceId::FORMS, "Modulistica", "Forms", Ordinary),
            (
                ServiceId::BONUS_600,
                "Domanda bonus 600 euro",
                "600-euro bonus application",
                Dispositivo,
            ),
            (
                ServiceId::BONUS_CHILDREN_UNDER_14,
                "Domanda bonus per figli minori di 14 anni",
                "Bonus for children under 14 application",
                Dispositivo,
            ),
            (
                ServiceId::PAY_RISCATTO,
                "Pagamento riscatti (app)",
                "Pay a riscatto (app)",
                Dispositivo,
            ),
            (
                ServiceId::PAY_RICONGIUNZIONE,
                "Pagamento ricongiunzione (app)",
                "Pay a ricongiunzione (app)",
                Dispositivo,
            ),
            (
                ServiceId::PAY_RENDITE,
                "Pagamento rendite (app)",
                "Pay rendite (app)",
                Dispositivo,
            ),
        ];
        Catalogue {
            services: services
                .into_iter()
                .map(|(id, it, en, level)| Service::new(id, it, en, level))
                .collect(),
        }
    }

    /// Adds a caller's service.
    ///
    /// # Errors
    /// [`CatalogueError::Duplicate`] if a service with that identifier is already there.
    pub fn add(&mut self, service: Service) -> Result<(), CatalogueError> {
        if self.get(service.id.as_str()).is_some() {
            return Err(CatalogueError::Duplicate(service.id));
        }
        self.services.push(service);
        Ok(())
    }

    /// Lets the first 8 characters of a first PIN open this service while the second half is
    /// in the post, as INPS messaggio 1381 of 26 March 2020 did for the Covid bonuses (R9a).
    ///
    /// Takes effect for PINs issued while it is set: only then does the account keep a hash of
    /// the first half (keeping it costs some strength, so it is kept only when some service
    /// needs it).
    ///
    /// # Errors
    /// [`CatalogueError::Unknown`] if the catalogue has no such service.
    pub fn accept_first_half(&mut self, id: impl AsRef<str>) -> Result<(), CatalogueError> {
        let id = id.as_ref();
        match self.services.iter_mut().find(|s| s.id.as_str() == id) {
            Some(service) => {
                service.accepts_first_half = true;
                Ok(())
            }
            None => Err(CatalogueError::Unknown(ServiceId::new(id.to_owned()))),
        }
    }

    /// The service with this identifier.
    #[must_use]
    pub fn get(&self, id: &str) -> Option<&Service> {
        self.services.iter().find(|s| s.id.as_str() == id)
    }

    /// Every service, in the order they were added.
    pub fn services(&self) -> impl Iterator<Item = &Service> {
        self.services.iter()
    }

    /// Whether any service accepts the first half of a PIN alone (R9a).
    #[must_use]
    pub fn any_accepts_first_half(&self) -> bool {
        self.services.iter().any(|s| s.accepts_first_half)
    }

    /// Decides whether `session` may use the service `id` (R19). Allocates nothing.
    ///
    /// ```
    /// use inps_pin::{Catalogue, CodiceFiscale, DenialReason, DigitalIdentity, Policy, ServiceId, Session, SpidLevel, Verdict};
    ///
    /// let policy = Policy::default();
    /// let cf = CodiceFiscale::parse("RSSMRA80A01H501U")?;
    /// let spid1 = Session::from_digital_identity(
    ///     cf,
    ///     DigitalIdentity::Spid(SpidLevel::One),
    ///     "2020-05-01T10:00:00Z".parse()?,
    ///     policy.digital_identity_dispositivo_since,
    /// );
    /// let decision = policy.catalogue.authorise(&spid1, &ServiceId::BONUS_600)?;
    /// assert_eq!(decision.verdict, Verdict::Refused(DenialReason::LevelTooLow));
    /// # Ok::<(), Box<dyn std::error::Error>>(())
    /// ```
    ///
    /// # Errors
    /// [`UnknownService`] if the catalogue has no such service.
    pub fn authorise<'c>(
        &'c self,
        session: &Session,
        id: &(impl AsRef<str> + ?Sized),
    ) -> Result<Authorisation<'c>, UnknownService> {
        let id = id.as_ref();
        let service = self.get(id).ok_or(UnknownService)?;
        let verdict = match session.credential {
            Credential::PinFirstHalf if !service.accepts_first_half => {
                Verdict::Refused(DenialReason::WholePinRequired)
            }
            // A service open to the first half alone is open to the whole PIN too: having
            // proved more, a person must not be able to do less (R9a).
            Credential::PinFirstHalf | Credential::Pin if service.accepts_first_half => {
                Verdict::Allowed
            }
            _ if session.level < service.required => Verdict::Refused(DenialReason::LevelTooLow),
            _ => Verdict::Allowed,
        };
        Ok(Authorisation {
            service,
            required: service.required,
            held: session.level,
            credential: session.credential,
            verdict,
        })
    }
}

impl Default for Catalogue {
    fn default() -> Self {
        Catalogue::standard()
    }
}

/// A change to the catalogue that was refused.
#[derive(Clone, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum CatalogueError {
    /// Two services cannot share an identifier.
    #[error("the catalogue already has a service \"{0}\": choose another identifier")]
    Duplicate(ServiceId),
    /// No service has that identifier.
    #[error("the catalogue has no service \"{0}\": add it first")]
    Unknown(ServiceId),
}

/// The service asked for is not in the catalogue.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error("no such service in the catalogue: check the identifier or add the service")]
pub struct UnknownService;

/// An authorisation decision: the service, the level it needs, the level the session holds and
/// the verdict with its reason (R19).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[must_use]
pub struct Authorisation<'c> {
    /// The service asked for.
    pub service: &'c Service,
    /// The level it needs.
    pub required: AssuranceLevel,
    /// The level the session holds.
    pub held: AssuranceLevel,
    /// What the session was opened with.
    pub credential: Credential,
    /// Allowed, or refused and why.
    pub verdict: Verdict,
}

impl Authorisation<'_> {
    /// Whether the session may use the service.
    #[must_use]
    pub fn is_allowed(&self) -> bool {
        self.verdict == Verdict::Allowed
    }
}

/// The answer of an authorisation decision.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum Verdict {
    /// The session may use the service.
    Allowed,
    /// It may not, for this reason.
    Refused(DenialReason),
}

/// Why a session may not use a service.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[non_exhaustive]
pub enum DenialReason {
    /// The service needs a dispositivo PIN (or SPID level 2+, CIE, CNS) and the session is
    /// ordinary (R15, R18).
    LevelTooLow,
    /// The session was opened with the first half of a PIN alone, which this service does not
    /// accept (R9a).
    WholePinRequired,
}

impl DenialReason {
    /// A stable code for logs and APIs.
    #[must_use]
    pub fn code(self) -> &'static str {
        match self {
            DenialReason::LevelTooLow => "authorisation.level_too_low",
            DenialReason::WholePinRequired => "authorisation.whole_pin_required",
        }
    }

    /// For operators.
    #[must_use]
    pub fn message_en(self) -> &'static str {
        match self {
            DenialReason::LevelTooLow => {
                "this service needs a dispositivo PIN, or SPID level 2 or higher, CIE or CNS; \
                 the session is ordinary"
            }
            DenialReason::WholePinRequired => {
                "this service needs the whole PIN; the session was opened with its first half only"
            }
        }
    }

    /// For citizens: what to do next.
    #[must_use]
    pub fn message_it(self) -> &'static str {
        match self {
            DenialReason::LevelTooLow => {
                "Per questo servizio serve il PIN dispositivo. Puoi chiedere di trasformare il tuo \
                 PIN ordinario in dispositivo online, via fax con copia di un documento di \
                 identità valido, o in una sede INPS; in alternativa accedi con SPID di livello 2, \
                 CIE o CNS."
            }
            DenialReason::WholePinRequired => {
                "Per questo servizio serve il PIN completo. Quando ricevi per posta la seconda \
                 parte del PIN, completa il primo accesso e poi entra con il nuovo PIN."
            }
        }
    }
}
