//! Splitting a stored event or account into its security facts and the person's data, and
//! joining them back (R36). See [`PersonalData`] for what each holds.

use crate::account::event::Event;
use crate::account::{Account, StoredEvent};
use crate::personal_data::{JoinError, PersonalData};

impl Event {
    /// The event's security facts, and the person's data taken out of it: the person of a
    /// [`Event::PinIssued`], the reason of an [`Event::UpgradeRejected`]; `None` from every
    /// other event, and from facts already split (R36).
    ///
    /// The facts replay alone (the account they rebuild holds no personal data) and serialize
    /// with none; [`Event::join`] gives back exactly this event.
    #[must_use]
    pub fn split(self) -> (Event, Option<PersonalData>) {
        match self {
            Event::PinIssued {
                at,
                role,
                person,
                channel,
                assurance,
                whole,
                first_half,
                lapses_at,
                archive_checked_by,
                document_checked_by,
            } => (
                Event::PinIssued {
                    at,
                    role,
                    person: None,
                    channel,
                    assurance,
                    whole,
                    first_half,
                    lapses_at,
                    archive_checked_by,
                    document_checked_by,
                },
                person.map(PersonalData::Person),
            ),
            Event::UpgradeRejected { at, by, reason } => (
                Event::UpgradeRejected {
                    at,
                    by,
                    reason: None,
                },
                reason.map(PersonalData::UpgradeRejectionReason),
            ),
            facts => (facts, None),
        }
    }

    /// The event whose facts are `facts` and whose personal data is `personal`, as
    /// [`Event::split`] gave them (R36). `None` gives the facts alone: what a service reads
    /// once the person's data was erased and its key destroyed.
    ///
    /// # Errors
    /// [`JoinError`] when `personal` has no place in `facts` (another kind of event's data,
    /// or facts that hold their own already), or is another role's person than the one the
    /// facts recorded. Nothing is joined then.
    pub fn join(facts: Event, personal: Option<PersonalData>) -> Result<Event, JoinError> {
        let Some(personal) = personal else {
            return Ok(facts);
        };
        match (facts, personal) {
            (
                Event::PinIssued {
                    at,
                    role,
                    person: None,
                    channel,
                    assurance,
                    whole,
                    first_half,
                    lapses_at,
                    archive_checked_by,
                    document_checked_by,
                },
                PersonalData::Person(person),
            ) => {
                if person.role() != role {
                    return Err(JoinError::OtherPerson);
                }
                Ok(Event::PinIssued {
                    at,
                    role,
                    person: Some(person),
                    channel,
                    assurance,
                    whole,
                    first_half,
                    lapses_at,
                    archive_checked_by,
                    document_checked_by,
                })
            }
            (
                Event::UpgradeRejected {
                    at,
                    by,
                    reason: None,
                },
                PersonalData::UpgradeRejectionReason(reason),
            ) => Ok(Event::UpgradeRejected {
                at,
                by,
                reason: Some(reason),
            }),
            (facts, personal) => Err(JoinError::NoPlace {
                facts: facts.name(),
                personal: personal.kind(),
            }),
        }
    }

    /// Whether the event holds the person's data (R36): a [`Event::PinIssued`] with its
    /// person, an [`Event::UpgradeRejected`] with its reason.
    #[must_use]
    pub fn holds_personal_data(&self) -> bool {
        matches!(
            self,
            Event::PinIssued {
                person: Some(_),
                ..
            } | Event::UpgradeRejected {
                reason: Some(_),
                ..
            }
        )
    }
}

impl StoredEvent {
    /// The stored event's security facts, to store in clear, and the person's data taken out
    /// of it, to store apart, sealed under the person's own key (R36). See [`Event::split`].
    ///
    /// ```
    /// use inps_pin::StoredEvent;
    ///
    /// # fn store(event: inps_pin::Event) -> Result<(), Box<dyn std::error::Error>> {
    /// let (facts, personal) = StoredEvent::new(event).split();
    /// let row = serde_json::to_string(&facts)?; // no name, contact or residence in it
    /// let sealed = personal.map(|data| serde_json::to_vec(&data)); // encrypt, then store
    /// # let _ = (row, sealed);
    /// # Ok(()) }
    /// ```
    #[must_use]
    pub fn split(self) -> (StoredEvent, Option<PersonalData>) {
        let format = self.format();
        let (facts, personal) = self.into_event().split();
        (StoredEvent::with_format(format, facts), personal)
    }

    /// The stored event whose facts are `facts` and whose personal data is `personal`, as
    /// [`StoredEvent::split`] gave them; `None` once the person's data is erased and its key
    /// destroyed. See [`Event::join`].
    ///
    /// # Errors
    /// [`JoinError`] when the personal data is another record's.
    pub fn join(
        facts: StoredEvent,
        personal: Option<PersonalData>,
    ) -> Result<StoredEvent, JoinError> {
        let format = facts.format();
        Event::join(facts.into_event(), personal)
            .map(|event| StoredEvent::with_format(format, event))
    }
}

impl Account {
    /// The account's security facts, to store in clear, and the person's data taken out of
    /// it, to store apart sealed under the person's own key (R36): the account with no
    /// [`person`](Account::person), and the person. The facts alone answer as the account
    /// replayed from its events' facts alone does ([`Account::replay`]), give the same
    /// deadlines ([`Account::poll_deadline`]) and decide an erasure the same; joined back
    /// ([`Account::join`]) they are exactly this account.
    #[must_use]
    pub fn split(mut self) -> (Account, Option<PersonalData>) {
        let person = self.person.take();
        (self, person.map(PersonalData::Person))
    }

    /// The account whose facts are `facts` and whose personal data is `personal`, as
    /// [`Account::split`] gave them; `None` once the person's data is erased and its key
    /// destroyed.
    ///
    /// # Errors
    /// [`JoinError`] when `personal` is not a person, when the facts hold their person
    /// already or hold no personal data at all (erased, or never requested), or when the person
    /// has another codice fiscale or role than the facts.
    pub fn join(facts: Account, personal: Option<PersonalData>) -> Result<Account, JoinError> {
        let Some(personal) = personal else {
            return Ok(facts);
        };
        match personal {
            // Facts that hold no personal data (erased, or never requested) have no place for any.
            PersonalData::Person(person)
                if facts.person.is_none() && facts.holds_personal_data() =>
            {
                if person.codice_fiscale() != facts.codice_fiscale || person.role() != facts.role {
                    return Err(JoinError::OtherPerson);
                }
                Ok(Account {
                    person: Some(person),
                    ..facts
                })
            }
            personal => Err(JoinError::NoPlace {
                facts: "account",
                personal: personal.kind(),
            }),
        }
    }
}
