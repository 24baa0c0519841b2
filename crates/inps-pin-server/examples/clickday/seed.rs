//! The crowd, seeded in process: N people decided by the library on every core and written to
//! the store in batches of whole accounts (no HTTP, no outbox: their letters count as
//! delivered), with each person's codes kept by the harness, which plays them.

use std::sync::mpsc;

use inps_pin::rand_core::SeedableRng;
use inps_pin::{
    Account, Address, ArchiveRecord, Attested, ChannelRequest, CodiceFiscale, Command, Context,
    DocumentKind, Effect, Email, EnteredPin, Event, IdentityDocument, MobileNumber, OperatorId,
    Person, PersonName, PinPart, Policy, Role,
};
use inps_pin_server::inps_pin_sqlx::{Commit, Store, Write};
use jiff::Timestamp;
use rand_chacha::ChaCha20Rng;

/// Accounts a commit writes.
const BATCH: usize = 250;

/// Where a person starts.
#[derive(Clone, Debug)]
pub enum Start {
    /// A PIN requested online: the first half (R9a applications) and the second (by post).
    Pending { first: String, second: String },
    /// First access done: the 8-character PIN; dispositivo after an upgrade at a sede.
    Active { pin: String, dispositivo: bool },
    /// In the institute's archive, without a PIN: may request one.
    ArchiveOnly,
}

/// One seeded person.
#[derive(Clone, Debug)]
pub struct Seeded {
    pub cf: String,
    pub email: String,
    pub mobile: String,
    pub start: Start,
    /// The events seeded for the account: the load's events come after.
    pub version: u64,
}

/// A valid codice fiscale for person `n` (R3): a surname and name code, a birth date, Rome,
/// and the check character computed as the specification says.
pub fn codice_fiscale(n: usize) -> CodiceFiscale {
    const ODD: [u32; 26] = [
        1, 0, 5, 7, 9, 13, 15, 17, 19, 21, 2, 4, 18, 20, 11, 3, 6, 8, 12, 14, 16, 10, 22, 25, 24,
        23,
    ];
    let letters = |mut value: usize| -> String {
        (0..3)
            .map(|_| {
                let letter = char::from(b'A' + (value % 26) as u8);
                value /= 26;
                letter
            })
            .collect()
    };
    let month = b"ABCDEHLMPRST"[n % 12] as char;
    let body = format!(
        "{}{}{:02}{}{:02}H501",
        letters(n),
        letters(n / 17_576 + 7),
        50 + n % 50,
        month,
        1 + n % 28
    );
    let sum: u32 = body
        .chars()
        .enumerate()
        .map(|(index, c)| {
            let value = c.to_digit(10).unwrap_or_else(|| c as u32 - 'A' as u32);
            if index % 2 == 0 {
                ODD[value as usize]
            } else {
                value
            }
        })
        .sum();
    let check = char::from(b'A' + (sum % 26) as u8);
    CodiceFiscale::parse(&format!("{body}{check}")).expect("a valid codice fiscale")
}

/// The residence every seeded person has in the archive.
pub fn residence() -> Address {
    Address::new("Via Roma 1", "00184", "Roma", "RM").expect("an address")
}

pub fn email(n: usize) -> String {
    format!("persona{n}@example.it")
}

pub fn mobile(n: usize) -> String {
    format!("+39 3{:09}", n)
}

/// Which start person `n` gets: 10 % in the archive only, 20 % active (half of them
/// dispositivo), 70 % awaiting their first access.
pub fn kind_of(n: usize) -> u8 {
    match n % 20 {
        0 | 1 => 0,
        2..=5 => 1,
        _ => 2,
    }
}

/// A seeded account: its events and the codes the person holds.
struct Decided {
    index: usize,
    account: Account,
    events: Vec<Event>,
    start: Start,
}

fn decide_one(index: usize, policy: &Policy, now: Timestamp, rng: &mut ChaCha20Rng) -> Decided {
    let cf = codice_fiscale(index);
    let mut account = Account::new(cf);
    let mut events = Vec::new();
    let mut run = |account: &mut Account, command: Command, rng: &mut ChaCha20Rng| {
        let outcome = account
            .decide(&command, &mut Context::new(now, policy, rng))
            .expect("a seeding command is accepted");
        for event in &outcome.events {
            account.evolve(event);
        }
        events.extend(outcome.events.iter().cloned());
        let mut codes = Vec::new();
        for effect in &outcome.effects {
            if let Effect::Deliver(delivery) = effect {
                if let Some(secret) = delivery.secret() {
                    codes.push((delivery.part(), secret.expose().to_owned()));
                }
            }
        }
        codes
    };
    let kind = kind_of(index);
    if kind == 0 {
        return Decided {
            index,
            account,
            events,
            start: Start::ArchiveOnly,
        };
    }
    let person = Person::new(
        PersonName::parse("Mario").expect("a name"),
        PersonName::parse("Rossi").expect("a name"),
        cf,
        Role::Citizen,
        residence(),
    )
    .with_email(Email::parse(&email(index)).expect("an e-mail"))
    .with_mobile(MobileNumber::parse(&mobile(index)).expect("a mobile"));
    let archive_checker = OperatorId::new("archivio-inps").expect("an operator id");
    let archive = Attested::vouched_for(
        ArchiveRecord::new(cf, residence()),
        archive_checker.clone(),
        now,
    );
    let codes = run(
        &mut account,
        Command::RequestPin {
            person,
            channel: ChannelRequest::Online,
            archive,
        },
        rng,
    );
    let part = |codes: &[(PinPart, String)], wanted: PinPart| {
        codes
            .iter()
            .find(|(part, _)| *part == wanted)
            .map(|(_, code)| code.clone())
            .expect("the part was delivered")
    };
    let first = part(&codes, PinPart::FirstHalf);
    let second = part(&codes, PinPart::SecondHalf);
    if kind == 2 {
        return Decided {
            index,
            account,
            events,
            start: Start::Pending { first, second },
        };
    }
    let whole = EnteredPin::parse(&format!("{first}{second}")).expect("a typed PIN");
    let codes = run(
        &mut account,
        Command::FirstAccess {
            pin: whole,
            trust_device: false,
        },
        rng,
    );
    let pin = codes
        .into_iter()
        .map(|(_, code)| code)
        .find(|code| code.len() == 8)
        .expect("the new PIN on screen");
    let dispositivo = index % 40 < 20;
    if dispositivo {
        let document = IdentityDocument::new(
            DocumentKind::IdentityCard,
            &format!("CA{:05}AB", index % 100_000),
            jiff::civil::date(2031, 1, 31),
        )
        .expect("a document");
        let sede = OperatorId::new("sede-roma-01").expect("an operator id");
        run(
            &mut account,
            Command::UpgradeAtSede {
                document: Attested::vouched_for(document, sede, now),
            },
            rng,
        );
    }
    Decided {
        index,
        account,
        events,
        start: Start::Active { pin, dispositivo },
    }
}

/// Seeds `people` people at `now` under `policy` (its Argon2 cost is what seeding costs):
/// decided on `threads` threads, committed in batches as they come.
pub fn seed(
    runtime: &tokio::runtime::Runtime,
    store: &Store,
    policy: &Policy,
    people: usize,
    now: Timestamp,
    threads: usize,
) -> Vec<Seeded> {
    let (sender, batches) = mpsc::sync_channel::<Vec<Decided>>(threads * 2);
    let mut seeded: Vec<Option<Seeded>> = vec![None; people];
    std::thread::scope(|scope| {
        for thread in 0..threads {
            let sender = sender.clone();
            scope.spawn(move || {
                let mut start = thread * BATCH;
                while start < people {
                    let mut rng = ChaCha20Rng::seed_from_u64(start as u64);
                    let batch = (start..(start + BATCH).min(people))
                        .map(|index| decide_one(index, policy, now, &mut rng))
                        .collect();
                    if sender.send(batch).is_err() {
                        return;
                    }
                    start += threads * BATCH;
                }
            });
        }
        drop(sender);
        {
            for batch in batches {
                let reads: Vec<Account> = batch
                    .iter()
                    .map(|decided| Account::new(decided.account.codice_fiscale()))
                    .collect();
                let writes: Vec<Write<'_>> = batch
                    .iter()
                    .zip(&reads)
                    .filter(|(decided, _)| !decided.events.is_empty())
                    .map(|(decided, read)| Write {
                        read,
                        next: &decided.account,
                        events: &decided.events,
                        next_deadline: decided.account.poll_deadline(policy),
                        outbox: &[],
                        end_sessions: None,
                        new_session: None,
                        person_key: None,
                        now,
                    })
                    .collect();
                let written = runtime
                    .block_on(store.commit(&writes))
                    .expect("seeding commits");
                assert_eq!(written, Commit::Written, "a fresh database");
                for decided in batch {
                    seeded[decided.index] = Some(Seeded {
                        cf: decided.account.codice_fiscale().as_str().to_owned(),
                        email: email(decided.index),
                        mobile: mobile(decided.index),
                        start: decided.start,
                        version: decided.account.version(),
                    });
                }
            }
        }
    });
    seeded
        .into_iter()
        .map(|person| person.expect("every person seeded"))
        .collect()
}
