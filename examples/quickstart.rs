//! A citizen requests a PIN online, receives both halves, makes the first access, logs in, is
//! allowed to consult the contribution record and refused an application for a benefit.
//!
//! Run with `cargo run --example quickstart`.
//!
//! Every effect is printed as the service would carry it out. A code appears only on the line
//! of the delivery that carries it: that line stands for the screen, the e-mail or the letter.

use inps_pin::{
    Account, Address, ArchiveRecord, Attested, ChannelRequest, CodiceFiscale, Command, Context,
    Effect, Email, EnteredPin, MobileNumber, OperatorId, Outcome, Person, PersonName, PinPart,
    Policy, Reply, Role, ServiceId, Session, Verdict, rome_time_zone,
};
use jiff::Timestamp;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    // A real service passes a generator seeded by the operating system; a fixed seed keeps
    // this walk-through the same on every run.
    let mut rng = ChaCha20Rng::seed_from_u64(2017);
    // The default policy: the system the sources describe, with OWASP's Argon2id cost.
    let policy = Policy::default();

    let person = Person::new(
        PersonName::parse("Mario")?,
        PersonName::parse("Rossi")?,
        CodiceFiscale::parse("rss mra 80a01 h501u")?,
        Role::Citizen,
        Address::new("Via Roma 1", "00184", "Roma", "rm")?,
    )
    .with_email(Email::parse("mario.rossi@example.it")?)
    .with_mobile(MobileNumber::parse("333 123 4567")?);
    let mut account = Account::new(person.codice_fiscale());

    // 1. The request, through the online procedure (R11). The service has looked Mario up in
    //    the institute's archive: the crate cannot, so the service vouches for what it found
    //    (R35), and the second half goes to the residence the archive holds.
    let now = instant("2026-11-24T09:00:00Z")?;
    step(now, "Mario Rossi requests a PIN online");
    let found = ArchiveRecord::new(
        person.codice_fiscale(),
        Address::new("Via Roma 1", "00184", "Roma", "RM")?,
    );
    let archive = Attested::vouched_for(found, OperatorId::new("archive-lookup")?, now);
    let issued = account.handle(
        Command::RequestPin {
            person,
            channel: ChannelRequest::Online,
            archive,
        },
        &mut Context::new(now, &policy, &mut rng),
    )?;
    show(&issued);
    let first_half = delivered(&issued, PinPart::FirstHalf)?;
    let second_half = delivered(&issued, PinPart::SecondHalf)?;

    // 2. A week later the letter has come: the first access with all 16 characters (R6).
    let now = instant("2026-12-01T18:30:00Z")?;
    step(now, "first access with the 16 characters");
    let first_access = account.handle(
        Command::FirstAccess {
            pin: EnteredPin::from_halves(first_half, second_half),
            trust_device: false,
        },
        &mut Context::new(now, &policy, &mut rng),
    )?;
    show(&first_access);
    let pin = EnteredPin::from_secret(delivered(&first_access, PinPart::Pin)?);

    // 3. A later login with the 8-character PIN (R15).
    let now = instant("2026-12-05T08:15:00Z")?;
    step(now, "login with the 8-character PIN");
    let login = account.handle(
        Command::LogIn {
            pin,
            device: None,
            trust_device: false,
        },
        &mut Context::new(now, &policy, &mut rng),
    )?;
    show(&login);
    let Reply::LoggedIn(session) = login.reply else {
        return Err("the login should have succeeded".into());
    };

    // 4. What the session may do (R19, R19a).
    authorise(&policy, &session, &ServiceId::CONTRIBUTION_RECORD)?;
    authorise(&policy, &session, &ServiceId::BONUS_600)?;

    println!(
        "\naccount {} at version {}: its PINs are kept as Argon2id hashes only",
        account.codice_fiscale(),
        account.version()
    );
    Ok(())
}

fn instant(text: &str) -> Result<Timestamp, jiff::Error> {
    text.parse()
}

fn step(now: Timestamp, what: &str) {
    let rome = now.to_zoned_datetime(rome_time_zone());
    println!("\n{}  {what}", rome.strftime("%Y-%m-%d %H:%M %Z"));
}

fn show(outcome: &Outcome) {
    for event in &outcome.events {
        println!("  event   {}", event.name());
    }
    for effect in &outcome.effects {
        match effect {
            Effect::Deliver(delivery) => {
                let code = delivery.secret().map(|s| s.expose()).unwrap_or("");
                println!("  deliver {delivery}: {code}");
            }
            _ => println!("  effect  {effect:?}"),
        }
    }
    match &outcome.reply {
        Reply::PinIssued {
            assurance,
            first_access_by,
            ..
        } => println!(
            "  reply   PIN {} issued; first access by {}",
            assurance.italian(),
            first_access_by.to_zoned_datetime(rome_time_zone()).date()
        ),
        Reply::FirstAccessCompleted(session) | Reply::LoggedIn(session) => {
            println!("  reply   logged in, level {}", session.level().italian());
        }
        Reply::LoginFailed(failure) => println!("  reply   {}", failure.message_it()),
        other => println!("  reply   {other:?}"),
    }
}

fn delivered(outcome: &Outcome, part: PinPart) -> Result<&inps_pin::Secret, &'static str> {
    outcome
        .deliveries()
        .find(|delivery| delivery.part() == part)
        .and_then(|delivery| delivery.secret())
        .ok_or("a delivery is missing")
}

fn authorise(
    policy: &Policy,
    session: &Session,
    service: &ServiceId,
) -> Result<(), inps_pin::UnknownService> {
    let decision = policy.catalogue.authorise(session, service)?;
    let name = decision.service.name_it();
    match decision.verdict {
        Verdict::Allowed => println!(
            "  allowed {name}: needs {}, session is {}",
            decision.required.italian(),
            decision.held.italian()
        ),
        Verdict::Refused(reason) => println!(
            "  refused {name}: needs {}, session is {} [{}]\n          {}",
            decision.required.italian(),
            decision.held.italian(),
            reason.code(),
            reason.message_it()
        ),
        // `Verdict` may grow in a later release: what this code does not know, it refuses.
        _ => println!("  refused {name}: a verdict this example does not know"),
    }
    Ok(())
}
