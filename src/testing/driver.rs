//! The driver: an account with its clock, policy, seeded generator and cast, that plays steps,
//! learns the codes the deliveries gave, and reports what each step did ([`Observed`]).

use jiff::{SignedDuration, Timestamp, ToSpan};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;
use zeroize::Zeroizing;

use super::{
    Act, Applicant, Cast, Contacts, Document, Entry, FixtureError, START, SUNSET_START, Step, Via,
    Wait, cheap_policy,
};
use crate::{
    Account, ChannelRequest, Command, Context, DeviceToken, EnteredPin, Event, Outcome,
    PIN_ALPHABET, PhoneKind, PinPart, Policy, Refusal, Reply, SedeRequest, Session, Sunset,
    UpgradeDecision, rome_time_zone,
};

/// What a step did, without its secrets: the reply or the refusal, and the events.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Observed {
    /// The reply, or why the command was refused.
    pub result: Result<Reply, Refusal>,
    /// The events the step applied.
    pub events: Vec<Event>,
}

impl Observed {
    /// What `result` shows, secrets aside.
    #[must_use]
    pub fn of(result: &Result<Outcome, Refusal>) -> Observed {
        match result {
            Ok(outcome) => Observed {
                result: Ok(outcome.reply.clone()),
                events: outcome.events.clone(),
            },
            Err(refusal) => Observed {
                result: Err(refusal.clone()),
                events: Vec::new(),
            },
        }
    }
}

/// The codes the deliveries gave so far, wiped on drop.
#[derive(Clone, Default)]
struct Codes {
    sixteen: Option<Zeroizing<String>>,
    eight: Option<Zeroizing<String>>,
    device: Option<Zeroizing<String>>,
}

/// An account with its clock, policy, seeded generator and cast, that runs commands and
/// remembers what the deliveries gave.
///
/// The fields are public so a test can look at and change anything; [`Driver::run`] keeps
/// [`events`](Self::events) and the codes in step with the account.
#[derive(Clone)]
pub struct Driver {
    /// The account under test.
    pub account: Account,
    /// The rules in force.
    pub policy: Policy,
    /// The clock: every command runs at this instant.
    pub now: Timestamp,
    /// The generator handed to every command.
    pub rng: ChaCha20Rng,
    /// The people and checked facts the steps use.
    pub cast: Cast,
    /// Every event applied to the account, oldest first: [`Account::replay`] of them gives
    /// the account back (R29).
    pub events: Vec<Event>,
    codes: Codes,
}

impl core::fmt::Debug for Driver {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        // No code, and not the generator's state: what a failing test needs to read.
        f.debug_struct("Driver")
            .field("account", &self.account)
            .field("now", &self.now)
            .field("owner", &self.cast.owner.codice_fiscale())
            .field("events", &self.events.len())
            .field("knows_sixteen", &self.codes.sixteen.is_some())
            .field("knows_eight", &self.codes.eight.is_some())
            .field("knows_device", &self.codes.device.is_some())
            .finish_non_exhaustive()
    }
}

impl PartialEq for Driver {
    /// Equal when the account, clock, policy, cast, events and generator agree; the codes
    /// follow from those.
    fn eq(&self, other: &Driver) -> bool {
        self.account == other.account
            && self.now == other.now
            && self.policy == other.policy
            && self.cast == other.cast
            && self.events == other.events
            && self.rng == other.rng
    }
}

impl Driver {
    /// A fresh account of `cast.owner`, at `now`, under `policy`, with a generator seeded
    /// from `seed`.
    #[must_use]
    pub fn new(cast: Cast, policy: Policy, now: Timestamp, seed: u64) -> Driver {
        Driver {
            account: Account::new(cast.owner.codice_fiscale()),
            policy,
            now,
            rng: ChaCha20Rng::seed_from_u64(seed),
            cast,
            events: Vec::new(),
            codes: Codes::default(),
        }
    }

    /// Mario's fresh account ([`Cast::mario`]) at [`START`] under [`cheap_policy`].
    ///
    /// # Errors
    /// None in practice: see [`Cast::mario`].
    pub fn mario(seed: u64) -> Result<Driver, FixtureError> {
        Ok(Driver::new(Cast::mario()?, cheap_policy(), START, seed))
    }

    /// Fabio's fresh account ([`Cast::intermediary`]: an intermediary, whose PIN expires
    /// every 3 months) at [`START`] under [`cheap_policy`].
    ///
    /// # Errors
    /// None in practice: see [`Cast::intermediary`].
    pub fn intermediary(seed: u64) -> Result<Driver, FixtureError> {
        Ok(Driver::new(
            Cast::intermediary()?,
            cheap_policy(),
            START,
            seed,
        ))
    }

    /// The same driver under INPS's sunset (R22a), its clock moved to [`SUNSET_START`] if the
    /// account has no event yet.
    #[must_use]
    pub fn with_sunset(mut self) -> Driver {
        self.policy = self.policy.with_sunset(Sunset::inps_2020_2021());
        if self.events.is_empty() {
            self.now = SUNSET_START;
        }
        self
    }

    /// A context for one command at [`now`](Self::now): for a wrapper that runs the command
    /// itself (then hand the outcome to [`Driver::learn`]).
    pub fn context(&mut self) -> Context<'_, ChaCha20Rng> {
        Context::new(self.now, &self.policy, &mut self.rng)
    }

    /// Runs `command` at [`now`](Self::now): decides, applies the events, learns the codes.
    ///
    /// # Errors
    /// The account's [`Refusal`]; the account is unchanged then (R27).
    pub fn run(&mut self, command: Command) -> Result<Outcome, Refusal> {
        let outcome = self.account.decide(
            &command,
            &mut Context::new(self.now, &self.policy, &mut self.rng),
        )?;
        self.learn(&outcome);
        Ok(outcome)
    }

    /// Applies an outcome a wrapper got for a command of this driver (decided on an account
    /// equal to [`account`](Self::account) with [`Driver::context`]): its events, and the
    /// codes its deliveries and device token carry.
    pub fn learn(&mut self, outcome: &Outcome) {
        for event in &outcome.events {
            self.account.evolve(event);
        }
        self.events.extend(outcome.events.iter().cloned());
        let code = |part: PinPart| {
            outcome
                .deliveries()
                .find(|delivery| delivery.part() == part)
                .and_then(|delivery| delivery.secret())
                .map(|secret| secret.expose().to_owned())
        };
        match &outcome.reply {
            Reply::PinIssued { .. } | Reply::PinRestored { .. } => {
                let whole = code(PinPart::WholeFirstPin).or_else(|| {
                    let first = code(PinPart::FirstHalf)?;
                    let second = code(PinPart::SecondHalf)?;
                    Some(first + &second)
                });
                self.codes.sixteen = whole.map(Zeroizing::new);
            }
            Reply::FirstAccessCompleted(_) | Reply::PinRenewed(_) => {
                self.codes.eight = code(PinPart::Pin).map(Zeroizing::new);
            }
            _ => {}
        }
        if let Some(token) = &outcome.trusted_device {
            self.codes.device = Some(Zeroizing::new(token.expose().to_owned()));
        }
    }

    /// Moves the clock to the account's next deadline, if there is one and it is ahead, and
    /// sends the tick due then. `None`: nothing will happen by itself.
    pub fn advance_to_next_deadline(&mut self) -> Option<Result<Outcome, Refusal>> {
        let deadline = self.account.poll_deadline(&self.policy)?;
        self.now = self.now.max(deadline);
        Some(self.run(Command::Tick))
    }

    /// Moves the clock as `wait` says (never back).
    pub fn wait(&mut self, wait: Wait) {
        let deadline = self.account.poll_deadline(&self.policy);
        self.now = match wait {
            Wait::Seconds(seconds) => self
                .now
                .checked_add(SignedDuration::from_secs(i64::from(seconds)))
                .unwrap_or(self.now),
            Wait::RomeDays(days) => self
                .now
                .to_zoned_datetime(rome_time_zone())
                .checked_add(i64::from(days).days())
                .map_or(self.now, |zoned| zoned.timestamp()),
            Wait::ToDeadline => deadline.unwrap_or(self.now),
            Wait::JustBeforeDeadline => deadline
                .and_then(|at| at.checked_sub(SignedDuration::from_nanos(1)).ok())
                .unwrap_or(self.now),
        }
        .max(self.now);
    }

    /// The command `act` stands for now, typed with the codes learnt so far (a code not
    /// delivered yet is typed as a valid entry that matches nothing).
    #[must_use]
    pub fn command(&self, act: &Act) -> Command {
        let now = self.now;
        match *act {
            Act::Request(applicant, via) => {
                let person = self.cast.applicant(applicant);
                let channel = match via {
                    Via::Online => ChannelRequest::Online,
                    Via::ContactCenterLandline => ChannelRequest::ContactCenter {
                        caller_phone: PhoneKind::Landline,
                    },
                    Via::ContactCenterMobile => ChannelRequest::ContactCenter {
                        caller_phone: PhoneKind::Mobile,
                    },
                    Via::SedeValidDocument => ChannelRequest::Sede(SedeRequest {
                        document: self.cast.document(Document::Valid, now),
                    }),
                    Via::SedeExpiredDocument => ChannelRequest::Sede(SedeRequest {
                        document: self.cast.document(Document::Expired, now),
                    }),
                };
                Command::RequestPin {
                    archive: self.cast.archive_of(&person, now),
                    person,
                    channel,
                }
            }
            Act::FirstAccess {
                entry,
                trust_device,
            } => Command::FirstAccess {
                pin: self.typed(entry),
                trust_device,
            },
            Act::LogIn {
                entry,
                device,
                trust_device,
            } => Command::LogIn {
                pin: self.typed(entry),
                device: self.device(device),
                trust_device,
            },
            Act::Renew { entry, device } => Command::RenewPin {
                pin: self.typed(entry),
                device: self.device(device),
                trust_device: false,
            },
            Act::RequestUpgrade(via, document) => Command::RequestUpgrade {
                via,
                document: self.cast.document(document, now),
            },
            Act::DecideUpgrade(approve) => Command::DecideUpgrade {
                decision: if approve {
                    UpgradeDecision::Approve
                } else {
                    UpgradeDecision::Reject(self.cast.rejection.clone())
                },
                reviewer: self.cast.operator.clone(),
            },
            Act::UpgradeAtSede(document) => Command::UpgradeAtSede {
                document: self.cast.document(document, now),
            },
            Act::Restore(contacts) => {
                let (email, mobile) = match contacts {
                    Contacts::Registered => (
                        self.cast.owner.email().cloned(),
                        self.cast.owner.mobile().cloned(),
                    ),
                    Contacts::WrongEmail => (
                        Some(self.cast.wrong_email.clone()),
                        self.cast.owner.mobile().cloned(),
                    ),
                    Contacts::WrongMobile => (
                        self.cast.owner.email().cloned(),
                        Some(self.cast.wrong_mobile.clone()),
                    ),
                };
                Command::Restore {
                    email: email.unwrap_or_else(|| self.cast.wrong_email.clone()),
                    mobile: mobile.unwrap_or_else(|| self.cast.wrong_mobile.clone()),
                }
            }
            Act::Revoke(card) => Command::Revoke {
                tessera: self.cast.tessera(card, now),
            },
            Act::Erase(reason) => Command::Erase { reason },
            Act::Tick => Command::Tick,
        }
    }

    /// Moves the clock as `step` says and returns its command: for a wrapper that runs the
    /// command itself (with [`Driver::context`], then [`Driver::learn`]).
    pub fn prepare(&mut self, step: &Step) -> Command {
        self.wait(step.wait);
        self.command(&step.act)
    }

    /// Plays `step`: waits, types, runs. Returns what it did, secrets aside.
    pub fn play(&mut self, step: &Step) -> Observed {
        let command = self.prepare(step);
        Observed::of(&self.run(command))
    }

    /// The 16 of the last request or restore, as typed, if one was delivered.
    #[must_use]
    pub fn sixteen(&self) -> Option<EnteredPin> {
        self.codes
            .sixteen
            .as_deref()
            .and_then(|code| EnteredPin::parse(code).ok())
    }

    /// The 8 of the last first access or renewal, as typed, if one was delivered.
    #[must_use]
    pub fn eight(&self) -> Option<EnteredPin> {
        self.codes
            .eight
            .as_deref()
            .and_then(|code| EnteredPin::parse(code).ok())
    }

    /// The last device token delivered, if any.
    #[must_use]
    pub fn device_token(&self) -> Option<DeviceToken> {
        self.codes
            .device
            .as_deref()
            .and_then(|token| DeviceToken::parse(token).ok())
    }

    fn device(&self, present: bool) -> Option<DeviceToken> {
        if present { self.device_token() } else { None }
    }

    /// What `entry` types now.
    fn typed(&self, entry: Entry) -> EnteredPin {
        // Valid entries that match nothing, before a code was delivered.
        const NO_SIXTEEN_YET: &str = "ABCDEFGHJKLMNPQR";
        const NO_EIGHT_YET: &str = "STUVWXYZ";
        let sixteen = self
            .codes
            .sixteen
            .as_deref()
            .map_or(NO_SIXTEEN_YET, String::as_str);
        let eight = self
            .codes
            .eight
            .as_deref()
            .map_or(NO_EIGHT_YET, String::as_str);
        let text = Zeroizing::new(match entry {
            Entry::Right16 => sixteen.to_owned(),
            Entry::Wrong16 => near_miss(sixteen),
            Entry::Right8 => eight.to_owned(),
            Entry::Wrong8 => near_miss(eight),
            Entry::FirstHalf => sixteen.get(..8).unwrap_or(NO_EIGHT_YET).to_owned(),
            Entry::Guess(indices) => {
                let guess: String = indices.iter().map(|&index| alphabet_char(index)).collect();
                if guess == eight {
                    near_miss(&guess)
                } else {
                    guess
                }
            }
        });
        // Every text above is 8 or 16 characters of the alphabet, so it always parses; were a
        // delivered code ever unparseable, the stand-in (also valid) is typed instead.
        EnteredPin::parse(&text)
            .or_else(|_| EnteredPin::parse(NO_EIGHT_YET))
            .unwrap_or_default()
    }

    // ----- Fixtures: the usual first steps, each one command -------------------------------

    /// The owner requests a PIN online.
    ///
    /// # Errors
    /// The account's [`Refusal`].
    pub fn request_online(&mut self) -> Result<Outcome, Refusal> {
        let command = self.command(&Act::Request(Applicant::Owner, Via::Online));
        self.run(command)
    }

    /// The first access with the right 16: returns the session it opens.
    ///
    /// # Errors
    /// The account's [`Refusal`], or [`FixtureError`] if the first access opened no session
    /// (a wrong PIN).
    pub fn first_access(&mut self) -> Result<Session, FixtureError> {
        let command = self.command(&Act::FirstAccess {
            entry: Entry::Right16,
            trust_device: false,
        });
        match self.run(command)?.reply {
            Reply::FirstAccessCompleted(session) => Ok(session),
            other => Err(FixtureError(format!("the first access replied {other:?}"))),
        }
    }

    /// A login with the right 8: returns its session.
    ///
    /// # Errors
    /// The account's [`Refusal`], or [`FixtureError`] if the login opened no session.
    pub fn log_in(&mut self) -> Result<Session, FixtureError> {
        let command = self.command(&Act::LogIn {
            entry: Entry::Right8,
            device: false,
            trust_device: false,
        });
        match self.run(command)?.reply {
            Reply::LoggedIn(session) => Ok(session),
            other => Err(FixtureError(format!("the login replied {other:?}"))),
        }
    }

    /// A fresh account of Mario whose PIN was requested online and whose first access is
    /// done a day later: returns the driver and the session the first access opened.
    ///
    /// # Errors
    /// None in practice: a [`FixtureError`] if a step was refused.
    pub fn first_access_done(seed: u64) -> Result<(Driver, Session), FixtureError> {
        let mut driver = Driver::mario(seed)?;
        let _issued = driver.request_online()?;
        driver.wait(Wait::Seconds(86_400));
        let session = driver.first_access()?;
        Ok((driver, session))
    }
}

/// The codes an outcome delivered, by part, exposed: for a test that types them.
#[must_use]
pub fn delivered_codes(outcome: &Outcome) -> Vec<(PinPart, Zeroizing<String>)> {
    outcome
        .deliveries()
        .filter_map(|delivery| {
            let secret = delivery.secret()?;
            Some((delivery.part(), Zeroizing::new(secret.expose().to_owned())))
        })
        .collect()
}

/// The character of the PIN alphabet at `index` modulo its length.
fn alphabet_char(index: u8) -> char {
    let len = PIN_ALPHABET.len();
    PIN_ALPHABET
        .get(usize::from(index) % len)
        .map_or('A', |&byte| char::from(byte))
}

/// `code` with its last character replaced by the next one of the alphabet: always wrong, and
/// still made of characters a PIN may have.
#[must_use]
pub fn near_miss(code: &str) -> String {
    let mut text: String = code.to_owned();
    if let Some(last) = text.pop() {
        let index = PIN_ALPHABET
            .iter()
            .position(|&c| char::from(c) == last)
            .unwrap_or(0);
        text.push(alphabet_char(u8::try_from(index + 1).unwrap_or(0)));
    }
    text
}
