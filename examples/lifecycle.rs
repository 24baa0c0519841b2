//! A year and a half in the life of two PINs: a citizen's and an intermediary's.
//!
//! Emanuele Ricci, a citizen, asks the Contact Center for a PIN, makes the first access, loses
//! his PIN and restores it, has it made dispositivo through the back office, ignores the
//! warnings and renews his PIN when it has expired, every six months. Fabio Ciccone, an
//! intermediary, gets a dispositivo PIN at a sede, renews it every three months as soon as he
//! is warned, and is blocked by a stranger hammering his codice fiscale until he restores it.
//!
//! The clock is driven the way a service drives it: before each scripted action, every
//! deadline the accounts report ([`Account::poll_deadline`]) up to that instant is applied with
//! a [`Command::Tick`]. Dates are printed in Rome time.
//!
//! Run with `cargo run --example lifecycle`.

use inps_pin::{
    Account, Address, ArchiveRecord, Attested, ChannelRequest, CodiceFiscale, Command, Context,
    DeviceToken, DocumentKind, Effect, Email, EnteredPin, IdentityDocument, MobileNumber, Notice,
    OperatorId, Outcome, Person, PersonName, PhoneKind, PinPart, PinStatus, Policy, Refusal,
    RejectionReason, Reply, Role, SedeRequest, UpgradeDecision, UpgradeVia, rome_time_zone,
};
use jiff::Timestamp;
use jiff::civil::date;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

type Error = Box<dyn std::error::Error>;

/// One person's account, and what the person remembers: the PIN they would type.
struct Holder {
    label: &'static str,
    account: Account,
    remembered: String,
    /// Renews as soon as the expiry warning arrives, rather than when refused.
    renews_when_warned: bool,
    /// The device cookie of the holder's usual computer, once it is a trusted device (R25a).
    device: Option<String>,
}

/// The service around the accounts: the policy, a generator, the clock.
struct Service {
    policy: Policy,
    rng: ChaCha20Rng,
    now: Timestamp,
}

impl Service {
    /// What the service's own check (`checked_by`: an operator, or a system such as the archive
    /// lookup) vouches for, now (R35): the crate cannot look at a document or an archive.
    fn vouched<T>(&self, fact: T, checked_by: &OperatorId) -> Attested<T> {
        Attested::vouched_for(fact, checked_by.clone(), self.now)
    }

    /// The archive's record of `person`, as the service's lookup found it. Here the archive
    /// holds the residence they gave; where it holds another, the letter goes there.
    fn archive(&self, person: &Person) -> Result<Attested<ArchiveRecord>, Error> {
        let record = ArchiveRecord::new(person.codice_fiscale(), person.residence().clone());
        Ok(self.vouched(record, &OperatorId::new("archive-lookup")?))
    }

    /// Moves the clock to `until`, applying every deadline on the way, in order.
    fn advance(&mut self, holders: &mut [&mut Holder], until: Timestamp) -> Result<(), Error> {
        loop {
            let next = holders
                .iter()
                .enumerate()
                .filter_map(|(index, holder)| {
                    holder
                        .account
                        .poll_deadline(&self.policy)
                        .map(|at| (at, index))
                })
                .filter(|(at, _)| *at <= until)
                .min();
            let Some((at, index)) = next else { break };
            self.now = at.max(self.now);
            if let Some(holder) = holders.get_mut(index) {
                let outcome = self.handle(holder, Command::Tick)?;
                if !outcome.events.is_empty() {
                    print_outcome(self.now, holder, "the clock", &outcome);
                }
                let warned = outcome
                    .notifications()
                    .any(|n| matches!(n.about(), Notice::ExpiryWarning { .. }));
                if warned && holder.renews_when_warned {
                    let pin = EnteredPin::parse(&holder.remembered)?;
                    self.act(
                        holder,
                        "reads the warning and renews at once",
                        Command::RenewPin {
                            pin,
                            trust_device: false,
                            device: None,
                        },
                    )?;
                }
            }
        }
        self.now = until;
        Ok(())
    }

    fn handle(&mut self, holder: &mut Holder, command: Command) -> Result<Outcome, Refusal> {
        holder.account.handle(
            command,
            &mut Context::new(self.now, &self.policy, &mut self.rng),
        )
    }

    /// Runs a scripted action at the current time and prints what came of it.
    fn act(
        &mut self,
        holder: &mut Holder,
        what: &str,
        command: Command,
    ) -> Result<Option<Outcome>, Error> {
        match self.handle(holder, command) {
            Ok(outcome) => {
                print_outcome(self.now, holder, what, &outcome);
                remember_new_pin(holder, &outcome);
                Ok(Some(outcome))
            }
            Err(refusal) => {
                println!(
                    "{}  {:<8} {what}\n{:>28}refused [{}]: {}",
                    rome(self.now),
                    holder.label,
                    "",
                    refusal.code(),
                    refusal.message_it()
                );
                Ok(None)
            }
        }
    }
}

fn main() -> Result<(), Error> {
    let mut service = Service {
        policy: Policy::default(),
        rng: ChaCha20Rng::seed_from_u64(2026),
        now: instant("2026-01-12T09:00:00Z")?,
    };
    let emanuele = Person::new(
        PersonName::parse("Emanuele")?,
        PersonName::parse("Ricci")?,
        CodiceFiscale::parse("RCCMNL83S18D969H")?,
        Role::Citizen,
        Address::new("Via XX Settembre 40", "16121", "Genova", "GE")?,
    )
    .with_email(Email::parse("emanuele.ricci@example.it")?)
    .with_mobile(MobileNumber::parse("347 765 4321")?);
    let fabio = Person::new(
        PersonName::parse("Fabio")?,
        PersonName::parse("Ciccone")?,
        CodiceFiscale::parse("CCCFBA85D03L219P")?,
        Role::Intermediary,
        Address::new("Corso Vittorio Emanuele II 12", "10123", "Torino", "TO")?,
    )
    .with_email(Email::parse("f.ciccone@patronato.example.it")?)
    .with_mobile(MobileNumber::parse("+39 320 111 2233")?);
    let mut citizen = Holder {
        label: "Ricci",
        account: Account::new(emanuele.codice_fiscale()),
        remembered: String::new(),
        renews_when_warned: false,
        device: None,
    };
    let mut intermediary = Holder {
        label: "Ciccone",
        account: Account::new(fabio.codice_fiscale()),
        remembered: String::new(),
        renews_when_warned: true,
        device: None,
    };
    let id_card =
        IdentityDocument::new(DocumentKind::IdentityCard, "CA 00000 AA", date(2031, 3, 1))?;
    let operator = OperatorId::new("sede-torino-07")?;
    // Who examines the copies attached to written requests for the dispositivo PIN.
    let intake = OperatorId::new("backoffice-intake")?;

    println!("The lives of two INPS PINs (times in Rome)\n");

    // January: both request a PIN.
    let issued = service.act(
        &mut citizen,
        "calls the Contact Center from his mobile",
        Command::RequestPin {
            person: emanuele.clone(),
            channel: ChannelRequest::ContactCenter {
                caller_phone: PhoneKind::Mobile,
            },
            archive: service.archive(&emanuele)?,
        },
    )?;
    remember_first_pin(&mut citizen, issued.as_ref());
    let issued = service.act(
        &mut intermediary,
        "requests a PIN at the Torino sede with form MV35",
        Command::RequestPin {
            person: fabio.clone(),
            channel: ChannelRequest::Sede(SedeRequest {
                document: service.vouched(id_card.clone(), &operator),
            }),
            archive: service.archive(&fabio)?,
        },
    )?;
    remember_first_pin(&mut intermediary, issued.as_ref());
    first_access(
        &mut service,
        &mut intermediary,
        "makes the first access with the envelope's code",
    )?;

    // The letter with Emanuele's second half arrives a week later.
    let mut everyone = [&mut citizen, &mut intermediary];
    service.advance(&mut everyone, instant("2026-01-20T17:00:00Z")?)?;
    first_access(
        &mut service,
        &mut citizen,
        "the letter came: first access with all 16 characters",
    )?;
    log_in(
        &mut service,
        &mut citizen,
        "consults his contribution record",
    )?;

    // March: Emanuele loses his PIN and restores it with his two contacts.
    let mut everyone = [&mut citizen, &mut intermediary];
    service.advance(&mut everyone, instant("2026-03-09T08:00:00Z")?)?;
    citizen.remembered.clear();
    let restored = service.act(
        &mut citizen,
        "lost his PIN: restores it with his e-mail and mobile",
        Command::Restore {
            email: Email::parse("emanuele.ricci@example.it")?,
            mobile: MobileNumber::parse("347 765 4321")?,
        },
    )?;
    remember_first_pin(&mut citizen, restored.as_ref());
    first_access(
        &mut service,
        &mut citizen,
        "first access with the restored 16 characters",
    )?;

    // April: he asks for the dispositivo PIN online; the back office first rejects, then approves.
    let mut everyone = [&mut citizen, &mut intermediary];
    service.advance(&mut everyone, instant("2026-04-02T10:00:00Z")?)?;
    log_in(
        &mut service,
        &mut intermediary,
        "files a client's application from his office computer",
    )?;
    let blurred = IdentityDocument::new(
        DocumentKind::DrivingLicence,
        "GE 1234567 X",
        date(2030, 9, 1),
    )?;
    service.act(
        &mut citizen,
        "asks online for the dispositivo PIN, with a scan of his licence",
        Command::RequestUpgrade {
            via: UpgradeVia::Online,
            document: service.vouched(blurred, &intake),
        },
    )?;
    let mut everyone = [&mut citizen, &mut intermediary];
    service.advance(&mut everyone, instant("2026-04-07T14:00:00Z")?)?;
    service.act(
        &mut citizen,
        "the back office reviews the request",
        Command::DecideUpgrade {
            decision: UpgradeDecision::Reject(RejectionReason::new(
                "la copia del documento non è leggibile",
            )?),
            reviewer: OperatorId::new("backoffice-03")?,
        },
    )?;
    service.act(
        &mut citizen,
        "sends the request again by fax, with his identity card",
        Command::RequestUpgrade {
            via: UpgradeVia::Fax,
            document: service.vouched(id_card.clone(), &intake),
        },
    )?;
    let mut everyone = [&mut citizen, &mut intermediary];
    service.advance(&mut everyone, instant("2026-04-10T11:00:00Z")?)?;
    service.act(
        &mut citizen,
        "the back office reviews the fax",
        Command::DecideUpgrade {
            decision: UpgradeDecision::Approve,
            reviewer: OperatorId::new("backoffice-03")?,
        },
    )?;

    // A stranger hammers Fabio's codice fiscale in May, until the PIN blocks.
    let mut everyone = [&mut citizen, &mut intermediary];
    service.advance(&mut everyone, instant("2026-05-18T22:00:00Z")?)?;
    for guess in [
        "AAAAAAAA", "BBBBBBBB", "CCCCCCCC", "DDDDDDDD", "EEEEEEEE", "FFFFFFFF", "GGGGGGGG",
        "HHHHHHHH", "JJJJJJJJ", "KKKKKKKK",
    ] {
        let mut everyone = [&mut citizen, &mut intermediary];
        let after_delay = service
            .now
            .checked_add(jiff::SignedDuration::from_secs(11))?;
        service.advance(&mut everyone, after_delay)?;
        service.act(
            &mut intermediary,
            "a stranger tries a PIN",
            Command::LogIn {
                pin: EnteredPin::parse(guess)?,
                device: None,
                trust_device: false,
            },
        )?;
    }
    // Fabio's office computer is a trusted device: the stranger's failures never reach it.
    log_in(
        &mut service,
        &mut intermediary,
        "meanwhile logs in from his office computer, a trusted device",
    )?;
    let mut everyone = [&mut citizen, &mut intermediary];
    service.advance(&mut everyone, instant("2026-05-19T07:30:00Z")?)?;
    log_in_elsewhere(
        &mut service,
        &mut intermediary,
        "tries to log in from a new laptop in the morning",
    )?;
    let restored = service.act(
        &mut intermediary,
        "restores his PIN with his e-mail and mobile",
        Command::Restore {
            email: Email::parse("f.ciccone@patronato.example.it")?,
            mobile: MobileNumber::parse("320 111 2233")?,
        },
    )?;
    remember_first_pin(&mut intermediary, restored.as_ref());
    first_access(
        &mut service,
        &mut intermediary,
        "first access with the restored 16 characters",
    )?;

    // Through to mid-2027: Fabio renews whenever warned; Emanuele only when refused.
    let mut month = date(2026, 6, 1);
    while month <= date(2027, 6, 1) {
        let morning = month
            .at(9, 0, 0, 0)
            .to_zoned_datetime(rome_time_zone())?
            .timestamp();
        let mut everyone = [&mut citizen, &mut intermediary];
        service.advance(&mut everyone, morning)?;
        log_in_or_renew(&mut service, &mut citizen, "logs in for his monthly check")?;
        log_in_or_renew(
            &mut service,
            &mut intermediary,
            "logs in to file a client's application",
        )?;
        month = month.checked_add(jiff::Span::new().months(1))?;
    }

    println!(
        "\n{} at version {}, {} at version {}: every step above is an event in their logs.",
        citizen.label,
        citizen.account.version(),
        intermediary.label,
        intermediary.account.version()
    );
    Ok(())
}

fn first_access(service: &mut Service, holder: &mut Holder, what: &str) -> Result<(), Error> {
    let pin = EnteredPin::parse(&holder.remembered)?;
    let trust_device = holder.device.is_none();
    service.act(holder, what, Command::FirstAccess { pin, trust_device })?;
    Ok(())
}

fn log_in(
    service: &mut Service,
    holder: &mut Holder,
    what: &str,
) -> Result<Option<Outcome>, Error> {
    // From the holder's usual computer: its cookie if it has one, and asking to be trusted
    // (again, once an unused cookie has run out; a trusted device is not trusted twice).
    let pin = EnteredPin::parse(&holder.remembered)?;
    let device = holder
        .device
        .as_deref()
        .map(DeviceToken::parse)
        .transpose()?;
    service.act(
        holder,
        what,
        Command::LogIn {
            pin,
            device,
            trust_device: true,
        },
    )
}

/// A login from a computer that is not a trusted device: no cookie, none asked for.
fn log_in_elsewhere(
    service: &mut Service,
    holder: &mut Holder,
    what: &str,
) -> Result<Option<Outcome>, Error> {
    let pin = EnteredPin::parse(&holder.remembered)?;
    service.act(
        holder,
        what,
        Command::LogIn {
            pin,
            device: None,
            trust_device: false,
        },
    )
}

/// A login; if the PIN expired, the guided renewal first.
fn log_in_or_renew(service: &mut Service, holder: &mut Holder, what: &str) -> Result<(), Error> {
    if matches!(
        holder.account.status(service.now, &service.policy),
        PinStatus::Expired { .. }
    ) {
        let pin = EnteredPin::parse(&holder.remembered)?;
        service.act(
            holder,
            "renews the expired PIN with the guided procedure",
            Command::RenewPin {
                pin,
                trust_device: false,
                device: None,
            },
        )?;
    }
    log_in(service, holder, what)?;
    Ok(())
}

/// The person keeps the 16 characters they were given (both halves, or the envelope).
fn remember_first_pin(holder: &mut Holder, outcome: Option<&Outcome>) {
    let Some(outcome) = outcome else { return };
    let part = |wanted: PinPart| {
        outcome
            .deliveries()
            .find(|d| d.part() == wanted)
            .and_then(|d| d.secret())
            .map(|s| s.expose().to_owned())
    };
    holder.remembered = part(PinPart::WholeFirstPin)
        .or_else(|| Some(part(PinPart::FirstHalf)? + &part(PinPart::SecondHalf)?))
        .unwrap_or_default();
}

/// The person keeps the 8-character PIN shown on screen.
fn remember_new_pin(holder: &mut Holder, outcome: &Outcome) {
    if let Some(token) = &outcome.trusted_device {
        holder.device = Some(token.expose().to_owned());
    }
    if let Some(code) = outcome
        .deliveries()
        .find(|d| d.part() == PinPart::Pin)
        .and_then(|d| d.secret())
    {
        holder.remembered = code.expose().to_owned();
    }
}

fn print_outcome(now: Timestamp, holder: &Holder, what: &str, outcome: &Outcome) {
    let events: Vec<&str> = outcome.events.iter().map(|e| e.name()).collect();
    println!(
        "{}  {:<8} {what}  [{}]",
        rome(now),
        holder.label,
        events.join(", ")
    );
    for effect in &outcome.effects {
        match effect {
            Effect::Deliver(delivery) => {
                let code = delivery.secret().map(|s| s.expose()).unwrap_or("");
                println!("{:>28}deliver {delivery}: {code}", "");
            }
            Effect::Notify(notification) => {
                println!(
                    "{:>28}notify  {}: {}",
                    "",
                    notification.to(),
                    notification.about().message_it()
                );
            }
            other => println!("{:>28}{other:?}", ""),
        }
    }
    match &outcome.reply {
        Reply::LoggedIn(session)
        | Reply::FirstAccessCompleted(session)
        | Reply::PinRenewed(session) => {
            println!("{:>28}session at level {}", "", session.level().italian());
        }
        Reply::LoginFailed(failure) => {
            // The count is the operators' (R30): the person sees only the message.
            let count = outcome
                .failure
                .as_ref()
                .map_or(0, |detail| detail.consecutive_failures);
            println!(
                "{:>28}{} (operator view: {count} in a row)",
                "",
                failure.message_en()
            );
        }
        _ => {}
    }
    if let Some(Notice::PinBlocked) = outcome.notifications().map(|n| n.about()).next() {
        println!("{:>28}the PIN is blocked until a restore", "");
    }
}

fn rome(now: Timestamp) -> String {
    now.to_zoned_datetime(rome_time_zone())
        .strftime("%Y-%m-%d %H:%M")
        .to_string()
}

fn instant(text: &str) -> Result<Timestamp, jiff::Error> {
    text.parse()
}
