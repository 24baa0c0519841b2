//! R8 in memory: no delivered code, and no trusted device's token, is ever left behind in a
//! block of freed heap memory.
//!
//! This test binary installs a global allocator that wraps the system's. Every block it hands
//! out is zeroed first, so whatever a block holds when it is freed was written during its own
//! life; and before each block goes back to the system, the allocator looks in it for a few
//! codes (the needles) and counts every block that still holds one. A secret wiped on drop
//! leaves zeros; a copy made along the way (a secret moved by value inside a `Vec` that grows,
//! a code copied into a `String`) leaves the characters, and is counted.
//!
//! The codes are not known before they are issued, so each scenario is played twice from the
//! same seed: once disarmed, to learn the codes it delivers, then armed, checking that it
//! delivers the same codes again. The crate is sans-IO and the generator seeded, so the two
//! runs are identical.
//!
//! Only freed heap blocks are searched: copies left on the stack are out of this test's reach.
//! The dependencies are searched too, since their frees pass through the same allocator:
//! `argon2` hashes the PIN through BLAKE2b with its buffers on the stack and its memory blocks
//! hold only values derived from the hash, so no heap copy of the PIN is expected from it.
//!
//! The allocator is the only `unsafe` code of the crate's tests: the crate itself forbids it.

mod common;

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::{Mutex, MutexGuard};

use common::*;
use inps_pin::{
    Account, ChannelRequest, Command, DEVICE_ID_LEN, DEVICE_TOKEN_LEN, DeviceToken, EnteredPin,
    FULL_LEN, HALF_LEN, Outcome, PhoneKind, PinPart, Policy, Reply,
};

// ---------------------------------------------------------------------------------------------
// The searching allocator

/// How many codes one search can look for.
const NEEDLE_SLOTS: usize = 8;

/// The longest code a needle holds: a device token, longer than any PIN.
const NEEDLE_LEN: usize = if DEVICE_TOKEN_LEN > FULL_LEN {
    DEVICE_TOKEN_LEN
} else {
    FULL_LEN
};

/// One code to look for, with the count of freed blocks found holding it. Atomics, so that the
/// allocator reads it without locking or allocating.
struct Needle {
    bytes: [AtomicU8; NEEDLE_LEN],
    len: AtomicUsize,
    /// Freed blocks that held the code.
    hits: AtomicUsize,
    /// The size of the largest of those blocks, to tell what kind of value it was.
    largest_block: AtomicUsize,
}

impl Needle {
    const fn new() -> Needle {
        Needle {
            bytes: [const { AtomicU8::new(0) }; NEEDLE_LEN],
            len: AtomicUsize::new(0),
            hits: AtomicUsize::new(0),
            largest_block: AtomicUsize::new(0),
        }
    }
}

static NEEDLES: [Needle; NEEDLE_SLOTS] = [const { Needle::new() }; NEEDLE_SLOTS];

/// Whether freed blocks are searched now.
static ARMED: AtomicBool = AtomicBool::new(false);

/// Held by each test for its whole run: the needles and the arming are shared by the binary.
static ONE_SEARCH_AT_A_TIME: Mutex<()> = Mutex::new(());

/// The system allocator, zeroing each block it hands out and searching each block it frees.
///
/// `realloc` is left to `GlobalAlloc`'s default, which allocates, copies and frees through the
/// two methods below: a block a growing `Vec` leaves behind is searched like any other.
struct SearchingAllocator;

// SAFETY: every method forwards to `System` with the caller's own pointer and layout, which
// upholds `GlobalAlloc`'s contract; the only addition is reading a block that is still
// allocated, before it is handed back.
unsafe impl GlobalAlloc for SearchingAllocator {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: the caller's layout has a non-zero size, as `GlobalAlloc::alloc` requires.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        // SAFETY: as for `alloc`.
        unsafe { System.alloc_zeroed(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.load(Ordering::SeqCst) {
            // SAFETY: `ptr` is a block this allocator handed out with `layout` and has not
            // freed yet (the caller's contract), so its `layout.size()` bytes are readable;
            // they were zeroed when it was handed out, so every one is initialised.
            let block = unsafe { std::slice::from_raw_parts(ptr, layout.size()) };
            search(block);
        }
        // SAFETY: the caller's pointer and layout, as `GlobalAlloc::dealloc` requires.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: SearchingAllocator = SearchingAllocator;

/// Counts `block` against every needle that occurs in it. Allocates nothing: it runs inside the
/// allocator.
fn search(block: &[u8]) {
    for needle in &NEEDLES {
        let len = needle.len.load(Ordering::SeqCst);
        if len == 0 || len > block.len() {
            continue;
        }
        let mut wanted = [0u8; NEEDLE_LEN];
        for (byte, stored) in wanted.iter_mut().zip(&needle.bytes) {
            *byte = stored.load(Ordering::SeqCst);
        }
        let wanted = &wanted[..len];
        if block.windows(len).any(|window| window == wanted) {
            needle.hits.fetch_add(1, Ordering::SeqCst);
            needle
                .largest_block
                .fetch_max(block.len(), Ordering::SeqCst);
        }
    }
}

/// The exclusive use of the needles for one test, disarmed and cleared.
fn exclusive_search() -> MutexGuard<'static, ()> {
    let guard = ONE_SEARCH_AT_A_TIME
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    ARMED.store(false, Ordering::SeqCst);
    for needle in &NEEDLES {
        needle.len.store(0, Ordering::SeqCst);
        needle.hits.store(0, Ordering::SeqCst);
        needle.largest_block.store(0, Ordering::SeqCst);
        for byte in &needle.bytes {
            byte.store(0, Ordering::SeqCst);
        }
    }
    guard
}

/// Sets needle `slot` to the concatenation of `parts`, straight into the atomics: learning a
/// code must not leave a copy of it on the heap either.
fn set_needle(slot: usize, parts: &[&[u8]]) {
    let needle = &NEEDLES[slot];
    let mut len = 0;
    for &byte in parts.iter().flat_map(|part| part.iter()) {
        needle.bytes[len].store(byte, Ordering::SeqCst);
        len += 1;
    }
    needle.len.store(len, Ordering::SeqCst);
}

/// Whether needle `slot` is the concatenation of `parts`. Allocates nothing.
fn needle_is(slot: usize, parts: &[&[u8]]) -> bool {
    let needle = &NEEDLES[slot];
    let mut len = 0;
    for &byte in parts.iter().flat_map(|part| part.iter()) {
        if len >= NEEDLE_LEN || needle.bytes[len].load(Ordering::SeqCst) != byte {
            return false;
        }
        len += 1;
    }
    len == needle.len.load(Ordering::SeqCst)
}

fn hits(slot: usize) -> usize {
    NEEDLES[slot].hits.load(Ordering::SeqCst)
}

fn largest_block(slot: usize) -> usize {
    NEEDLES[slot].largest_block.load(Ordering::SeqCst)
}

// ---------------------------------------------------------------------------------------------
// A PIN's whole life, played twice

/// The codes a life delivers, by needle slot.
const FIRST_HALF: usize = 0;
const SECOND_HALF: usize = 1;
const WHOLE_SIXTEEN: usize = 2;
const EIGHT_AT_FIRST_ACCESS: usize = 3;
const EIGHT_AT_RENEWAL: usize = 4;
const SLOT_NAMES: [&str; 5] = [
    "the first half",
    "the second half",
    "the whole 16 characters",
    "the 8 characters given at first access",
    "the 8 characters given at renewal",
];

/// What a run does with each code it is delivered: learn it, or check it is the one learnt.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Pass {
    Learning,
    Armed,
}

impl Pass {
    fn code(self, slot: usize, parts: &[&[u8]]) {
        match self {
            Pass::Learning => set_needle(slot, parts),
            Pass::Armed => assert!(
                needle_is(slot, parts),
                "the armed run delivered another {} than the learning run",
                SLOT_NAMES.get(slot).copied().unwrap_or("device token")
            ),
        }
    }
}

/// The code delivered for `part` in `outcome`, without copying it.
fn delivered(outcome: &Outcome, part: PinPart) -> &[u8] {
    outcome
        .deliveries()
        .find(|d| d.part() == part)
        .and_then(|d| d.secret())
        .unwrap_or_else(|| panic!("no {part:?} delivered"))
        .expose()
        .as_bytes()
}

/// A PIN typed from a buffer on the stack, through `EnteredPin::parse`, the way a login form's
/// text reaches the crate (without a heap `String` of the code in the test itself).
fn typed(code: &[u8]) -> EnteredPin {
    let mut buffer = [0u8; FULL_LEN];
    buffer[..code.len()].copy_from_slice(code);
    let pin = EnteredPin::parse(std::str::from_utf8(&buffer[..code.len()]).unwrap()).unwrap();
    buffer.fill(0);
    std::hint::black_box(&buffer);
    pin
}

/// A PIN's life through `channel`, under a policy that keeps a hash of the first half (R9a),
/// so that every hashing path runs: issuance, a login with the first half alone, the first
/// access, a login with the 8, a renewal once expired, a login with the new 8. Each outcome is
/// dropped as soon as its codes are read.
fn life(channel: ChannelRequest, seed: u64, pass: Pass) {
    let policy: Policy = accepting_first_half(policy());
    let mut rng = rng(seed);
    let person = person();
    let mut account = Account::new(person.codice_fiscale());

    let issued = request(&mut account, person, channel, t0(), &policy, &mut rng);
    let sixteen = whole_pin_from(&issued);
    let first_half = if let Some(whole) = issued
        .deliveries()
        .find(|d| d.part() == PinPart::WholeFirstPin)
    {
        let whole = whole.secret().unwrap().expose().as_bytes();
        pass.code(FIRST_HALF, &[&whole[..HALF_LEN]]);
        pass.code(SECOND_HALF, &[&whole[HALF_LEN..]]);
        pass.code(WHOLE_SIXTEEN, &[whole]);
        // The sede's whole code is typed whole; its first half is cut here from the 16.
        typed(&whole[..HALF_LEN])
    } else {
        let first = delivered(&issued, PinPart::FirstHalf);
        let second = delivered(&issued, PinPart::SecondHalf);
        pass.code(FIRST_HALF, &[first]);
        pass.code(SECOND_HALF, &[second]);
        pass.code(WHOLE_SIXTEEN, &[first, second]);
        typed(first)
    };
    drop(issued);

    // R9a: the first 8 characters alone, where the policy allows.
    let outcome = run(
        &mut account,
        Command::LogIn {
            pin: first_half,
            device: None,
            trust_device: false,
        },
        t0(),
        &policy,
        &mut rng,
    )
    .unwrap();
    assert!(matches!(outcome.reply, Reply::LoggedIn(_)));
    drop(outcome);

    let accessed = first_access(&mut account, sixteen, day_after(), &policy, &mut rng);
    pass.code(EIGHT_AT_FIRST_ACCESS, &[delivered(&accessed, PinPart::Pin)]);
    let eight = typed(delivered(&accessed, PinPart::Pin));
    let eight_again = new_pin_from(&accessed);
    drop(accessed);
    session(&mut account, eight, day_after(), &policy, &mut rng);

    let expired = plus_rome_days(day_after(), 200);
    let renewed = run(
        &mut account,
        Command::RenewPin {
            pin: eight_again,
            trust_device: false,
            device: None,
        },
        expired,
        &policy,
        &mut rng,
    )
    .unwrap();
    assert!(matches!(renewed.reply, Reply::PinRenewed(_)));
    pass.code(EIGHT_AT_RENEWAL, &[delivered(&renewed, PinPart::Pin)]);
    let new_eight = new_pin_from(&renewed);
    drop(renewed);
    session(&mut account, new_eight, expired, &policy, &mut rng);
    drop(account);
}

/// Plays the life twice (learning, then armed) and asserts that no freed block held a code.
fn assert_no_code_in_freed_blocks(channel: impl Fn() -> ChannelRequest, seed: u64) {
    let _search = exclusive_search();
    life(channel(), seed, Pass::Learning);
    for slot in 0..SLOT_NAMES.len() {
        assert_ne!(
            NEEDLES[slot].len.load(Ordering::SeqCst),
            0,
            "{} not learnt",
            SLOT_NAMES[slot]
        );
    }
    let request = channel();
    ARMED.store(true, Ordering::SeqCst);
    life(request, seed, Pass::Armed);
    ARMED.store(false, Ordering::SeqCst);
    for (slot, name) in SLOT_NAMES.iter().enumerate() {
        assert_eq!(
            hits(slot),
            0,
            "{name} was found in {} freed block(s), the largest of {} bytes",
            hits(slot),
            largest_block(slot)
        );
    }
}

#[test]
fn r8_no_delivered_code_in_any_freed_block_online() {
    assert_no_code_in_freed_blocks(|| ChannelRequest::Online, 81);
}

#[test]
fn r8_no_delivered_code_in_any_freed_block_contact_center() {
    assert_no_code_in_freed_blocks(|| contact_center(PhoneKind::Mobile), 82);
}

#[test]
fn r8_no_delivered_code_in_any_freed_block_sede() {
    assert_no_code_in_freed_blocks(sede_request, 83);
}

// ---------------------------------------------------------------------------------------------
// A trusted device's token, played twice

/// The token's needles: the whole cookie, and its secret part alone.
const WHOLE_TOKEN: usize = 5;
const TOKEN_SECRET: usize = 6;
const TOKEN_SLOTS: [(usize, &str); 2] = [
    (WHOLE_TOKEN, "the device token"),
    (TOKEN_SECRET, "the device token's secret part"),
];

/// A device token read back from a cookie held in a buffer on the stack, as a request's header
/// reaches the crate (without a heap `String` of the token in the test itself).
fn cookie(token: &[u8]) -> DeviceToken {
    let mut buffer = [0u8; DEVICE_TOKEN_LEN];
    buffer.copy_from_slice(token);
    let parsed = DeviceToken::parse(std::str::from_utf8(&buffer).unwrap()).unwrap();
    buffer.fill(0);
    std::hint::black_box(&buffer);
    parsed
}

/// A trusted device's life: a login that trusts the client (the token handed out in the
/// outcome), logins and a renewal presenting the token read back from the cookie, and a
/// wrong PIN from the device. Each outcome and token is dropped as soon as it is read.
fn device_life(seed: u64, pass: Pass) {
    let policy = policy();
    let mut rng = rng(seed);
    let person = person();
    let mut account = Account::new(person.codice_fiscale());
    let issued = request(
        &mut account,
        person,
        ChannelRequest::Online,
        t0(),
        &policy,
        &mut rng,
    );
    let sixteen = whole_pin_from(&issued);
    drop(issued);
    let accessed = first_access(&mut account, sixteen, day_after(), &policy, &mut rng);
    let eight = new_pin_from(&accessed);
    let eight_again = new_pin_from(&accessed);
    let eight_last = new_pin_from(&accessed);
    drop(accessed);

    let trusting = run(
        &mut account,
        Command::LogIn {
            pin: eight,
            device: None,
            trust_device: true,
        },
        day_after(),
        &policy,
        &mut rng,
    )
    .unwrap();
    let token = trusting
        .trusted_device
        .as_ref()
        .unwrap()
        .expose()
        .as_bytes();
    pass.code(WHOLE_TOKEN, &[token]);
    pass.code(TOKEN_SECRET, &[&token[DEVICE_ID_LEN..]]);
    let from_device = cookie(token);
    let from_device_again = cookie(token);
    let from_device_last = cookie(token);
    drop(trusting);

    let outcome = run(
        &mut account,
        Command::LogIn {
            pin: eight_again,
            device: Some(from_device),
            trust_device: false,
        },
        day_after(),
        &policy,
        &mut rng,
    )
    .unwrap();
    assert!(matches!(outcome.reply, Reply::LoggedIn(_)));
    drop(outcome);
    let outcome = run(
        &mut account,
        Command::LogIn {
            pin: typed(b"ZZZZZZZZ"),
            device: Some(from_device_again),
            trust_device: false,
        },
        day_after(),
        &policy,
        &mut rng,
    )
    .unwrap();
    assert!(matches!(outcome.reply, Reply::LoginFailed(_)));
    drop(outcome);
    let renewed = run(
        &mut account,
        Command::RenewPin {
            pin: eight_last,
            trust_device: false,
            device: Some(from_device_last),
        },
        plus_rome_days(day_after(), 200),
        &policy,
        &mut rng,
    )
    .unwrap();
    assert!(matches!(renewed.reply, Reply::PinRenewed(_)));
    drop(renewed);
    drop(account);
}

#[test]
fn r8_no_device_token_in_any_freed_block() {
    let _search = exclusive_search();
    device_life(86, Pass::Learning);
    for (slot, name) in TOKEN_SLOTS {
        assert_ne!(
            NEEDLES[slot].len.load(Ordering::SeqCst),
            0,
            "{name} not learnt"
        );
    }
    ARMED.store(true, Ordering::SeqCst);
    device_life(86, Pass::Armed);
    ARMED.store(false, Ordering::SeqCst);
    for (slot, name) in TOKEN_SLOTS {
        assert_eq!(
            hits(slot),
            0,
            "{name} was found in {} freed block(s), the largest of {} bytes",
            hits(slot),
            largest_block(slot)
        );
    }
}

/// The detector finds a token that is not wiped: the token's characters copied into a heap
/// block of the same size as the token's own, freed without a wipe.
#[test]
fn r8_search_finds_a_device_token_left_unwiped() {
    let _search = exclusive_search();
    let token = b"ABCD23456789ABCDEFGHJKLMNPQRST";
    set_needle(WHOLE_TOKEN, &[token]);
    ARMED.store(true, Ordering::SeqCst);
    let copy: Box<[u8; DEVICE_TOKEN_LEN]> = Box::new(*token);
    std::hint::black_box(&copy);
    drop(copy);
    // The crate's own token, parsed and dropped, is wiped.
    drop(cookie(token));
    ARMED.store(false, Ordering::SeqCst);
    assert_eq!(hits(WHOLE_TOKEN), 1);
    assert_eq!(largest_block(WHOLE_TOKEN), DEVICE_TOKEN_LEN);
}

// ---------------------------------------------------------------------------------------------
// The search can fail

/// The first half delivered by an online request from `seed`, set as needle 0, and the outcome
/// that carries it.
fn first_half_as_needle(seed: u64) -> Outcome {
    let (_account, issued) = requested(person(), ChannelRequest::Online, &policy(), &mut rng(seed));
    set_needle(FIRST_HALF, &[delivered(&issued, PinPart::FirstHalf)]);
    issued
}

/// The detector is not blind: a code copied into a `String` that is then freed is found. This
/// is the mistake the tests above would catch in the crate.
#[test]
fn r8_search_finds_a_code_copied_into_a_freed_string() {
    let _search = exclusive_search();
    let issued = first_half_as_needle(84);
    ARMED.store(true, Ordering::SeqCst);
    let copy: String = std::str::from_utf8(delivered(&issued, PinPart::FirstHalf))
        .unwrap()
        .to_owned();
    // Keeps the allocation: without it the compiler may elide the copy altogether.
    std::hint::black_box(&copy);
    drop(copy);
    ARMED.store(false, Ordering::SeqCst);
    assert_eq!(hits(FIRST_HALF), 1);
    assert_eq!(largest_block(FIRST_HALF), HALF_LEN);
}

/// The detector finds the copies a secret held inline leaves when it is moved by value: a code
/// of 16 bytes kept inside each element of a `Vec`, which copies its elements and frees the old
/// block as it grows. This is how the crate's secrets were kept before they moved to the heap
/// (`[u8; 16]` inside `Secret`, moved into a `Delivery`, into an `Effect`, into a `Vec`).
#[test]
fn r8_search_finds_a_code_left_by_a_growing_vec_of_inline_codes() {
    struct InlineCode {
        chars: [u8; FULL_LEN],
        len: u8,
    }
    impl Drop for InlineCode {
        fn drop(&mut self) {
            // Wiped on drop, like the crate's secrets: the copies the `Vec` left are not.
            self.chars.fill(0);
            std::hint::black_box(&self.chars);
        }
    }

    let _search = exclusive_search();
    let issued = first_half_as_needle(85);
    ARMED.store(true, Ordering::SeqCst);
    let mut codes: Vec<InlineCode> = Vec::with_capacity(1);
    let mut code = InlineCode {
        chars: [0; FULL_LEN],
        len: 0,
    };
    for (slot, &byte) in code
        .chars
        .iter_mut()
        .zip(delivered(&issued, PinPart::FirstHalf))
    {
        *slot = byte;
        code.len += 1;
    }
    codes.push(code);
    for _ in 0..4 {
        codes.push(InlineCode {
            chars: [0; FULL_LEN],
            len: 0,
        });
    }
    std::hint::black_box(&codes);
    drop(codes);
    ARMED.store(false, Ordering::SeqCst);
    // Every block the `Vec` outgrew held the code; the last one was wiped by the drops.
    assert!(
        hits(FIRST_HALF) >= 1,
        "the copies of the growing Vec went unseen"
    );
}
