//! Fixtures shared by the integration tests: seeded generators, explicit timestamps, people,
//! the steps every scenario starts with, and the readers of what an outcome delivered.
//!
//! Each test binary compiles its own copy of this module and uses a different part of it. What
//! only the random-run properties need (tallies, per-step checks of R27, R29 and R8) is in
//! [`scenario`]; the abstract run of a whole life the lifecycle properties play is in
//! [`lifecycle_run`]; the rig the rule tests of a PIN's life drive is in [`rig`]. Each is
//! imported explicitly by the files that use it.
#![allow(dead_code)] // each test file uses a different part

pub mod lifecycle_run;
pub mod rig;
pub mod scenario;

use inps_pin::{
    Account, Address, ArchiveRecord, AssuranceLevel, Attested, ChannelRequest, CodiceFiscale,
    Command, ContactError, Context, DelayLadder, DocumentKind, Email, EnteredPin, HashCost,
    IdentityDocument, LandlineNumber, LaneClosed, Lockout, LoginFailure, MAX_BLOCK_AFTER, Medium,
    MobileNumber, OperatorId, Outcome, Person, PersonName, PhoneKind, PinPart, Policy, Refusal,
    Reply, Role, SedeRequest, Service, ServiceId, Session, Sunset, TesseraSanitaria,
};
use jiff::civil::{Date, date};
use jiff::{SignedDuration, Timestamp, ToSpan};
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

// ---------------------------------------------------------------------------------------------
// Policies, the catalogue, generators

/// The policy every test uses: the default, with the cheap hash cost so the suite runs fast,
/// and attestations current for [`ATTESTATIONS_LAST`]: the fixtures' attestations are all
/// checked once, at [`attested_at`], before any instant a test runs at, so that the tests of
/// other rules need no clock for them. R35's window (an hour by default) and its refusals are
/// pinned in `tests/r35_attestations.rs`, with [`Policy::DEFAULT_ATTESTATION_VALID_FOR`].
///
/// The personal data is kept until erased on request: the lives the tests of other rules play
/// run their clock through every deadline, and a year after a PIN stopped the default
/// retention period (R36) would erase the person and end the PIN they still test. R36's
/// retention is pinned in `tests/r36_personal_data.rs` with
/// [`Policy::DEFAULT_PERSONAL_DATA_RETENTION_DAYS`].
pub fn policy() -> Policy {
    let mut policy = Policy::default().with_hash_cost(HashCost::CHEAP);
    policy.attestation_valid_for = ATTESTATIONS_LAST;
    policy.personal_data_retention_days = None;
    policy
}

/// The test policy without R25's delays and block, nor R25b's delays of first accesses: the
/// tests of issuance, login and the machine pin those rules and often retry at one instant,
/// which the delays would turn away. Delays and blocks are pinned in `tests/rules_lockout.rs`
/// and `tests/r25b_bounded_guessing.rs`.
pub fn policy_without_lockout() -> Policy {
    let mut policy = policy();
    policy.lockout = Lockout::new(vec![], MAX_BLOCK_AFTER).unwrap();
    policy.first_access_delays = DelayLadder::default();
    policy
}

/// The test policy with INPS's sunset (R22a): no new PINs from 1 October 2020, none works from
/// 1 October 2021.
pub fn sunset_policy() -> Policy {
    policy().with_sunset(Sunset::inps_2020_2021())
}

/// `policy` with the first half alone accepted for the 600-euro bonus (R9a), as in 2020: a PIN
/// issued under it keeps a hash of its first half too.
pub fn accepting_first_half(mut policy: Policy) -> Policy {
    policy
        .catalogue
        .accept_first_half(&ServiceId::BONUS_600)
        .unwrap();
    policy
}

/// A service a caller adds to the standard catalogue (R19a): an ordinary one.
pub fn cassetto_previdenziale() -> Service {
    Service::new(
        ServiceId::new("cassetto-previdenziale"),
        "Cassetto previdenziale",
        "Social-security drawer",
        AssuranceLevel::Ordinary,
    )
}

/// A generator seeded for repeatable runs.
pub fn rng(seed: u64) -> ChaCha20Rng {
    ChaCha20Rng::seed_from_u64(seed)
}

/// Proptest settings for the suite: `cases` cases from a fixed seed, so every run explores the
/// same scenarios and no test is flaky, and no regression files written beside the tests (a
/// counterexample worth keeping becomes a named test).
pub fn proptest_config(cases: u32) -> proptest::test_runner::Config {
    proptest::test_runner::Config {
        cases,
        failure_persistence: None,
        rng_seed: proptest::test_runner::RngSeed::Fixed(0x1A5_2026),
        ..proptest::test_runner::Config::default()
    }
}

// ---------------------------------------------------------------------------------------------
// Instants

/// An instant, from RFC 3339 text.
pub fn at(text: &str) -> Timestamp {
    text.parse().unwrap()
}

/// The instant every scenario starts at.
pub fn t0() -> Timestamp {
    at("2026-11-24T09:00:00Z")
}

/// The day after `t0()`, at the same time: when the scenarios make the first access.
pub fn day_after() -> Timestamp {
    at("2026-11-25T09:00:00Z")
}

/// When a PIN requested at `t0()` lapses under the default 90-day window: 90 calendar days in
/// Rome, at the same wall-clock time (no summer-time change in between).
pub fn t0_lapse() -> Timestamp {
    at("2027-02-22T09:00:00Z")
}

/// `now` moved by `days` calendar days in Rome, at the same wall-clock time: how the crate
/// counts the first-access window and the expiry warning.
pub fn plus_rome_days(now: Timestamp, days: i64) -> Timestamp {
    now.to_zoned_datetime(inps_pin::rome_time_zone())
        .checked_add(days.days())
        .unwrap()
        .timestamp()
}

// ---------------------------------------------------------------------------------------------
// Codici fiscali

/// A codice fiscale the test knows to be valid.
pub fn cf(code: &str) -> CodiceFiscale {
    CodiceFiscale::parse(code).unwrap_or_else(|e| panic!("{code} should parse: {e}"))
}

/// The check character (R3) of the first 15 characters of a codice fiscale, computed
/// independently of the crate, straight from the published tables: the odd table at positions
/// 1, 3, …, 15, the value itself (digits 0–9, letters 0–25) at 2, 4, …, 14. Lets the tests build
/// valid codes for any birth date.
pub fn check_character(body: &str) -> char {
    assert_eq!(body.len(), 15, "the body is the first 15 characters");
    let odd = |c: char| -> u32 {
        match c {
            '0' | 'A' => 1,
            '1' | 'B' => 0,
            '2' | 'C' => 5,
            '3' | 'D' => 7,
            '4' | 'E' => 9,
            '5' | 'F' => 13,
            '6' | 'G' => 15,
            '7' | 'H' => 17,
            '8' | 'I' => 19,
            '9' | 'J' => 21,
            'K' => 2,
            'L' => 4,
            'M' => 18,
            'N' => 20,
            'O' => 11,
            'P' => 3,
            'Q' => 6,
            'R' => 8,
            'S' => 12,
            'T' => 14,
            'U' => 16,
            'V' => 10,
            'W' => 22,
            'X' => 25,
            'Y' => 24,
            'Z' => 23,
            other => panic!("not in the odd table: {other:?}"),
        }
    };
    let even = |c: char| -> u32 {
        match c {
            '0'..='9' => c as u32 - '0' as u32,
            'A'..='Z' => c as u32 - 'A' as u32,
            other => panic!("not in the even table: {other:?}"),
        }
    };
    let sum: u32 = body
        .chars()
        .enumerate()
        .map(|(i, c)| if (i + 1) % 2 == 1 { odd(c) } else { even(c) })
        .sum();
    char::from(b'A' + u8::try_from(sum % 26).unwrap())
}

/// A full codice fiscale from its first 15 characters.
pub fn with_check_character(body: &str) -> String {
    format!("{body}{}", check_character(body))
}

// ---------------------------------------------------------------------------------------------
// People and their contacts

/// Mario Rossi's codice fiscale: the account most scenarios run on.
pub fn mario_cf() -> CodiceFiscale {
    cf("RSSMRA80A01H501U")
}

/// Mario's residence, where the second half goes by post.
pub fn residence() -> Address {
    Address::new("Via Roma 1", "00184", "Roma", "RM").unwrap()
}

/// Mario's e-mail: where a first half goes, and one of the two contacts a restore checks.
pub fn mario_email() -> Email {
    Email::parse("mario.rossi@example.it").unwrap()
}

/// Mario's mobile: the other contact a restore checks.
pub fn mario_mobile() -> MobileNumber {
    MobileNumber::parse("+39 333 123 4567").unwrap()
}

/// Mario's landline: a contact that can receive no code.
pub fn mario_landline() -> LandlineNumber {
    LandlineNumber::parse("06 1234567").unwrap()
}

/// The field a contact error is about, by name.
///
/// `ContactField` is compared through its `Debug` form so that the tests do not depend on how
/// the crate root re-exports it.
pub fn contact_field(error: &ContactError) -> String {
    format!("{:?}", error.field())
}

/// Mario Rossi in `role`, with residence only: no contact to send a first half to.
pub fn bare_person_as(role: Role) -> Person {
    Person::new(
        PersonName::parse("Mario").unwrap(),
        PersonName::parse("Rossi").unwrap(),
        mario_cf(),
        role,
        residence(),
    )
}

/// Mario Rossi, citizen, with residence only.
pub fn bare_person() -> Person {
    bare_person_as(Role::Citizen)
}

/// Mario Rossi with e-mail, mobile and landline.
pub fn person() -> Person {
    bare_person()
        .with_email(mario_email())
        .with_mobile(mario_mobile())
        .with_landline(mario_landline())
}

/// Emanuele Ricci (RCCMNL83S18D969H), citizen, with e-mail and mobile: someone who is not the
/// holder of Mario's account.
pub fn other_person() -> Person {
    Person::new(
        PersonName::parse("Emanuele").unwrap(),
        PersonName::parse("Ricci").unwrap(),
        cf("RCCMNL83S18D969H"),
        Role::Citizen,
        residence(),
    )
    .with_email(Email::parse("emanuele.ricci@example.it").unwrap())
    .with_mobile(MobileNumber::parse("+39 347 765 4321").unwrap())
}

// ---------------------------------------------------------------------------------------------
// Attestations (R35)

/// How long the test policy keeps an attestation current: from [`attested_at`] past 2100, the
/// latest instant any test runs at.
pub const ATTESTATIONS_LAST: SignedDuration = SignedDuration::from_hours(24 * 366 * 140);

/// When the fixtures' attestations were checked: before every instant the tests run at (the
/// earliest is in 1999).
pub fn attested_at() -> Timestamp {
    at("1970-01-01T00:00:00Z")
}

/// `fact`, vouched for by `checked_by` at [`attested_at`].
pub fn attested_by<T>(fact: T, checked_by: OperatorId) -> Attested<T> {
    Attested::vouched_for(fact, checked_by, attested_at())
}

/// The system that looks people up in the institute's archive.
pub fn archive_lookup() -> OperatorId {
    operator("archive-lookup")
}

/// The system that checks cards against the health-card register (Sistema Tessera Sanitaria).
pub fn register_check() -> OperatorId {
    operator("sts-register")
}

/// The back-office clerk who examines the copies attached to written upgrade requests.
pub fn copy_examiner() -> OperatorId {
    operator("bo-intake-3")
}

/// The archive's record of `person` as the lookup found it: their codice fiscale and the
/// residence they gave (the fixtures' people live where the archive says).
pub fn archive_of(person: &Person) -> Attested<ArchiveRecord> {
    attested_by(
        ArchiveRecord::new(person.codice_fiscale(), person.residence().clone()),
        archive_lookup(),
    )
}

/// The archive's record of Mario.
pub fn mario_archive() -> Attested<ArchiveRecord> {
    archive_of(&person())
}

/// A PIN request of `person` through `channel`, with the archive's record of them.
pub fn request_pin(person: Person, channel: ChannelRequest) -> Command {
    Command::RequestPin {
        archive: archive_of(&person),
        person,
        channel,
    }
}

/// A tessera sanitaria as the register check vouches for it.
pub fn register_checked(tessera: TesseraSanitaria) -> Attested<TesseraSanitaria> {
    attested_by(tessera, register_check())
}

/// A revocation with `tessera`, as the register check vouches for it.
pub fn revoke_with(tessera: TesseraSanitaria) -> Command {
    Command::Revoke {
        tessera: register_checked(tessera),
    }
}

/// An identity document seen at the counter by [`sede_operator`].
pub fn seen_at_sede(document: IdentityDocument) -> Attested<IdentityDocument> {
    attested_by(document, sede_operator())
}

/// A copy of an identity document attached to a written request, examined by
/// [`copy_examiner`].
pub fn examined_copy(document: IdentityDocument) -> Attested<IdentityDocument> {
    attested_by(document, copy_examiner())
}

// ---------------------------------------------------------------------------------------------
// Channels and documents

/// Mario's identity card, valid through `expires_on`.
pub fn identity_card(expires_on: Date) -> IdentityDocument {
    IdentityDocument::new(DocumentKind::IdentityCard, "CA12345AB", expires_on).unwrap()
}

/// Mario's passport, valid through `expires_on`.
pub fn passport(expires_on: Date) -> IdentityDocument {
    IdentityDocument::new(DocumentKind::Passport, "YA1234567", expires_on).unwrap()
}

/// An INPS operator (counter or back office) by identifier.
pub fn operator(id: &str) -> OperatorId {
    OperatorId::new(id).unwrap()
}

/// The counter operator of every sede request.
pub fn sede_operator() -> OperatorId {
    operator("op-042")
}

/// A request at a sede, with `document`, seen by [`sede_operator`], who hands the envelope.
pub fn sede_with(document: IdentityDocument) -> ChannelRequest {
    ChannelRequest::Sede(SedeRequest {
        document: seen_at_sede(document),
    })
}

/// Mario's identity card, valid until 2030: good for every scenario.
pub fn valid_identity_card() -> IdentityDocument {
    identity_card(date(2030, 1, 1))
}

/// A request at a sede with [`valid_identity_card`].
pub fn sede_request() -> ChannelRequest {
    sede_with(valid_identity_card())
}

/// A call to the Contact Center from a phone of this kind.
pub fn contact_center(phone: PhoneKind) -> ChannelRequest {
    ChannelRequest::ContactCenter {
        caller_phone: phone,
    }
}

/// A restore (R23) with Mario's e-mail and mobile: the contacts [`person`] registers.
pub fn restore_with_mario_contacts() -> Command {
    Command::Restore {
        email: mario_email(),
        mobile: mario_mobile(),
    }
}

// ---------------------------------------------------------------------------------------------
// Running commands

/// Runs one command on the account at `now`.
pub fn run(
    account: &mut Account,
    command: Command,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> Result<Outcome, Refusal> {
    account.handle(command, &mut Context::new(now, policy, rng))
}

/// A PIN request that must apply.
pub fn request(
    account: &mut Account,
    person: Person,
    channel: ChannelRequest,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> Outcome {
    run(account, request_pin(person, channel), now, policy, rng).unwrap()
}

/// A first access that must apply (a wrong PIN applies too: it is a counted failure).
pub fn first_access(
    account: &mut Account,
    pin: EnteredPin,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> Outcome {
    run(
        account,
        Command::FirstAccess {
            pin,
            trust_device: false,
        },
        now,
        policy,
        rng,
    )
    .unwrap()
}

/// A login that must apply (a wrong PIN applies too: it is a counted failure).
pub fn log_in(
    account: &mut Account,
    pin: EnteredPin,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> Outcome {
    run(
        account,
        Command::LogIn {
            pin,
            device: None,
            trust_device: false,
        },
        now,
        policy,
        rng,
    )
    .unwrap()
}

/// A command that must be refused, checked for R27 on the way: the account (serialized), its
/// version and the generator are exactly as before. Returns the refusal.
pub fn refused(
    account: &mut Account,
    command: Command,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> Refusal {
    let name = command.name();
    let before = serde_json::to_string(&*account).unwrap();
    let version = account.version();
    let drawn = rng.get_word_pos();
    let refusal = match run(account, command, now, policy, rng) {
        Ok(outcome) => panic!("{name} at {now} applied: {:?}", outcome.reply),
        Err(refusal) => refusal,
    };
    let code = refusal.code();
    assert_eq!(
        serde_json::to_string(&*account).unwrap(),
        before,
        "the refused {name} ({code}) changed the account"
    );
    assert_eq!(
        account.version(),
        version,
        "the refused {name} ({code}) changed the version"
    );
    assert_eq!(
        rng.get_word_pos(),
        drawn,
        "the refused {name} ({code}) drew from the generator"
    );
    refusal
}

/// A PIN request that must be refused, checked as [`refused`] checks.
pub fn refused_request(
    account: &mut Account,
    person: Person,
    channel: ChannelRequest,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> Refusal {
    refused(account, request_pin(person, channel), now, policy, rng)
}

/// A new account for `person` with a PIN requested through `channel` at `t0()`; returns the
/// account and the issuing outcome.
pub fn requested(
    person: Person,
    channel: ChannelRequest,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> (Account, Outcome) {
    let mut account = Account::new(person.codice_fiscale());
    let outcome = request(&mut account, person, channel, t0(), policy, rng);
    (account, outcome)
}

/// A new account for `person` with a PIN requested through `channel` at `t0()`; returns the
/// account and the 16 characters.
pub fn issued(
    person: Person,
    channel: ChannelRequest,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> (Account, EnteredPin) {
    let (account, outcome) = requested(person, channel, policy, rng);
    (account, whole_pin_from(&outcome))
}

/// An account whose first access is done at `day_after()`; returns it with the first access's
/// outcome, which delivers the 8-character PIN.
pub fn first_access_done(
    person: Person,
    channel: ChannelRequest,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> (Account, Outcome) {
    let (mut account, whole) = issued(person, channel, policy, rng);
    let outcome = first_access(&mut account, whole, day_after(), policy, rng);
    assert!(matches!(outcome.reply, Reply::FirstAccessCompleted(_)));
    (account, outcome)
}

/// An account whose first access is done at `day_after()`; returns it with its 8-character PIN.
pub fn active(
    person: Person,
    channel: ChannelRequest,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> (Account, EnteredPin) {
    let (account, outcome) = first_access_done(person, channel, policy, rng);
    (account, new_pin_from(&outcome))
}

/// Logs in and returns the session, panicking on anything else.
pub fn session(
    account: &mut Account,
    pin: EnteredPin,
    now: Timestamp,
    policy: &Policy,
    rng: &mut ChaCha20Rng,
) -> Session {
    logged_in(&log_in(account, pin, now, policy, rng))
}

// ---------------------------------------------------------------------------------------------
// Reading an outcome

/// Every code delivered for `part`, exposed, in the order of the deliveries (a first half goes
/// to several media at once).
pub fn codes_of(outcome: &Outcome, part: PinPart) -> Vec<String> {
    outcome
        .deliveries()
        .filter(|d| d.part() == part)
        .map(|d| d.secret().unwrap().expose().to_owned())
        .collect()
}

/// The code delivered for `part`, if a delivery of it carries one.
pub fn find_code(outcome: &Outcome, part: PinPart) -> Option<String> {
    outcome
        .deliveries()
        .find(|d| d.part() == part)
        .and_then(|d| d.secret())
        .map(|s| s.expose().to_owned())
}

/// The code delivered for `part`; panics if none was, or if its deliveries disagree.
pub fn code_of(outcome: &Outcome, part: PinPart) -> String {
    let all = codes_of(outcome, part);
    assert!(!all.is_empty(), "no {part:?} delivered");
    assert!(
        all.iter().all(|c| *c == all[0]),
        "deliveries of {part:?} disagree"
    );
    all[0].clone()
}

/// The 16 characters of an issuing or restoring outcome, as the person would type them: the
/// whole code from the counter, or the two halves.
pub fn whole_code(outcome: &Outcome) -> String {
    find_code(outcome, PinPart::WholeFirstPin).unwrap_or_else(|| {
        format!(
            "{}{}",
            code_of(outcome, PinPart::FirstHalf),
            code_of(outcome, PinPart::SecondHalf)
        )
    })
}

/// The 16 characters a person would type, put together from an issuing outcome's deliveries
/// (the two halves, or the whole code from the counter) through `EnteredPin::from_halves` and
/// `EnteredPin::from_secret`.
pub fn whole_pin_from(outcome: &Outcome) -> EnteredPin {
    let part = |wanted: PinPart| outcome.deliveries().find(|d| d.part() == wanted);
    if let Some(whole) = part(PinPart::WholeFirstPin) {
        return EnteredPin::from_secret(whole.secret().unwrap());
    }
    EnteredPin::from_halves(
        part(PinPart::FirstHalf).unwrap().secret().unwrap(),
        part(PinPart::SecondHalf).unwrap().secret().unwrap(),
    )
}

/// The 8-character PIN shown on screen at a first access or a renewal.
pub fn new_pin_from(outcome: &Outcome) -> EnteredPin {
    let delivery = outcome
        .deliveries()
        .find(|d| d.part() == PinPart::Pin)
        .unwrap();
    EnteredPin::from_secret(delivery.secret().unwrap())
}

/// What was delivered and how: each delivery's part and medium, in order.
pub fn deliveries_of(outcome: &Outcome) -> Vec<(PinPart, Medium)> {
    outcome
        .deliveries()
        .map(|d| (d.part(), d.medium().clone()))
        .collect()
}

/// The session a login opened, panicking on any other reply.
pub fn logged_in(outcome: &Outcome) -> Session {
    match &outcome.reply {
        Reply::LoggedIn(session) => *session,
        other => panic!("expected a session, got {other:?}"),
    }
}

/// How many failures the lane of a wrong PIN counts, this one included, as operators see it
/// (R30: the person's reply carries nothing of it).
pub fn failure_count(outcome: &Outcome) -> u32 {
    login_failure(outcome);
    outcome
        .failure
        .as_ref()
        .expect("a counted failure has an operator view")
        .consecutive_failures
}

/// A guess a closed lane turned away (R25b, R30a): a wrong PIN's reply to the person, no event
/// and no effect, and the operators' view naming why; returns why.
pub fn turned_away(outcome: &Outcome) -> LaneClosed {
    login_failure(outcome);
    assert!(
        outcome.events.is_empty(),
        "a guess turned away writes nothing: {:?}",
        outcome.events
    );
    assert!(outcome.effects.is_empty(), "{:?}", outcome.effects);
    let failure = outcome
        .failure
        .as_ref()
        .expect("a guess turned away has an operator view");
    assert!(!failure.counted, "a guess turned away is not counted");
    failure.closed.expect("a guess turned away names why")
}

/// The typed PIN a command carries, if it carries one.
pub fn typed_pin(command: &Command) -> Option<&EnteredPin> {
    match command {
        Command::LogIn { pin, .. }
        | Command::RenewPin { pin, .. }
        | Command::FirstAccess { pin, .. } => Some(pin),
        _ => None,
    }
}

/// The counted failure a wrong PIN gave, panicking on any other reply.
pub fn login_failure(outcome: &Outcome) -> LoginFailure {
    match &outcome.reply {
        Reply::LoginFailed(failure) => *failure,
        other => panic!("expected a counted failure, got {other:?}"),
    }
}

// ---------------------------------------------------------------------------------------------
// Typing a PIN, and looking for one

/// A PIN as typed, known to be well formed.
pub fn entered(code: &str) -> EnteredPin {
    EnteredPin::parse(code).unwrap()
}

/// The same code with its first character changed: a wrong PIN of the right length (and, for a
/// 16, a wrong first half too).
pub fn wrong(code: &str) -> EnteredPin {
    let other = if code.starts_with('A') { 'B' } else { 'A' };
    entered(&format!("{other}{}", &code[1..]))
}

/// Whether `needle` occurs in `haystack` as a contiguous run of bytes: how the leak checks (R8)
/// look for a code in serialized forms that are not text.
pub fn contains_bytes(haystack: &[u8], needle: &[u8]) -> bool {
    !needle.is_empty() && haystack.windows(needle.len()).any(|w| w == needle)
}
