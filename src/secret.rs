//! PINs and PIN halves: the alphabet, uniform generation, redaction.
//!
//! Two types carry secrets. A [`Secret`] is a code the crate generated (a half, a whole
//! 16-character PIN, an 8-character PIN): it can only be made from the caller's
//! cryptographic generator, and it leaves the crate only inside a delivery effect. An
//! [`EnteredPin`] is what a person typed at a login or a first access. Neither has `Display`,
//! `Clone` or `Serialize`; both print as `[redacted]` in `Debug` and are wiped on drop.

use core::fmt;

use crate::hash::{HashCost, PinHash, PinHashError, VerificationMemo};
use rand_core::CryptoRng;
use thiserror::Error;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// The characters of every generated PIN.
///
/// Upper-case letters and digits without the look-alikes `0`/`O` and `1`/`I` (and no lower
/// case, so no `l`): halves are read aloud over the phone by the Contact Center and printed in
/// letters, where those pairs are mistaken for one another (R7). 32 characters, so each carries
/// exactly 5 bits: an 8-character half holds 40 bits, the 16-character PIN 80.
pub const PIN_ALPHABET: &[u8; 32] = b"ABCDEFGHJKLMNPQRSTUVWXYZ23456789";

/// Characters in one half of the first PIN, and in the PIN given at first access (R5, R6).
pub const HALF_LEN: usize = 8;
/// Characters in the PIN first issued (R5).
pub const FULL_LEN: usize = 16;

/// Up to 16 characters of a PIN, on the heap, wiped on drop: the storage both secret types
/// share.
///
/// The characters live in one heap block, allocated once at full capacity and never grown, so
/// the code exists in memory exactly once: moving a secret (into a delivery, into an effect,
/// when a `Vec` of effects grows) moves the pointer, not the characters, and leaves no copy
/// behind in freed memory or on the stack (R8). Every way to fill it writes into that block.
///
/// The count lives in the block too, so that a `PinChars` is one pointer: a count beside the
/// pointer would make every move of a secret copy the count's seven bytes of padding in pieces,
/// and the next 16-byte read of the moved value wait for them.
struct PinChars(Box<Block>);

/// The heap block of a [`PinChars`]: 17 bytes, served from the same size of `malloc` chunk as
/// 16 would be.
struct Block {
    chars: [u8; FULL_LEN],
    len: u8,
}

/// What the bytes of a new block hold until characters are written over them: never a PIN
/// character, and never read (only the first `len` bytes are).
///
/// Not zero on purpose: a block of zeros is allocated with `calloc`, which glibc serves
/// without its per-thread cache, from the slower general path, and whose freed blocks then
/// fill that cache and push every `free` onto the general path too. Any other constant makes
/// it a plain `malloc` and one 16-byte store, which the writes of a 16-character PIN make dead.
/// With zeros, the allocation would be most of the cost of [`EnteredPin::parse`].
const UNWRITTEN: u8 = 0xFF;

impl PinChars {
    /// No characters yet: the block is allocated at full capacity, holding [`UNWRITTEN`].
    fn empty() -> PinChars {
        PinChars(Box::new(Block {
            chars: [UNWRITTEN; FULL_LEN],
            len: 0,
        }))
    }

    /// The first 16 of `bytes`, copied from one heap block into a new one.
    fn copied_from<'b>(bytes: impl IntoIterator<Item = &'b u8>) -> PinChars {
        let mut copy = PinChars::empty();
        for (slot, &byte) in copy.0.chars.iter_mut().zip(bytes) {
            *slot = byte;
            copy.0.len += 1;
        }
        copy
    }

    /// Writes the PIN character each of `typed` stands for into the block, all `N` of them
    /// without a branch, and keeps them if every one was a PIN character (the length is then
    /// `N`). Returns whether it did; if not, the block holds what was written, for the caller
    /// to wipe or overwrite.
    fn fill_exactly<const N: usize>(&mut self, typed: &[u8; N]) -> bool {
        let mut all_pin_characters = true;
        for (slot, &byte) in self.0.chars.iter_mut().zip(typed) {
            let class = BYTE_CLASS
                .get(usize::from(byte))
                .copied()
                .unwrap_or(NOT_IN_PIN);
            *slot = class;
            all_pin_characters &= class > NOT_ASCII;
        }
        if all_pin_characters {
            self.0.len = u8::try_from(N).unwrap_or_default();
        }
        all_pin_characters
    }

    fn len(&self) -> usize {
        usize::from(self.0.len)
    }

    fn bytes(&self) -> &[u8] {
        self.0.chars.get(..self.len()).unwrap_or_default()
    }
}

impl Default for PinChars {
    fn default() -> Self {
        PinChars::empty()
    }
}

impl Drop for PinChars {
    // Inlined into the drop of a secret, wherever it is dropped: a typed PIN is made and dropped
    // once per login, and a call would cost as much as the wipe.
    #[inline]
    fn drop(&mut self) {
        // Wipes the heap block before `Box` frees it (`zeroize` writes volatile, so the
        // compiler cannot drop the writes as dead stores).
        self.0.chars.zeroize();
        self.0.len.zeroize();
    }
}

impl ZeroizeOnDrop for PinChars {}

/// A code the crate generated: a PIN half, a whole first PIN, or the 8-character PIN.
///
/// It is made only by the crate, from the caller's [`CryptoRng`], and reaches the caller inside
/// a [`Delivery`](crate::Delivery) effect, whose carrier reads it with [`Secret::expose`].
/// It is wiped from memory on drop and prints as `[redacted]`. Its characters live on the
/// heap, once: moving a `Secret` moves a pointer and leaves no copy of the code behind (R8).
pub struct Secret(PinChars);

impl Secret {
    /// Draws `len` characters (at most [`FULL_LEN`]) uniformly over [`PIN_ALPHABET`].
    pub(crate) fn generate<R: CryptoRng + ?Sized>(len: usize, rng: &mut R) -> Secret {
        let mut drawn = PinChars::empty();
        for slot in drawn.0.chars.iter_mut().take(len) {
            *slot = uniform_char(rng);
            drawn.0.len += 1;
        }
        Secret(drawn)
    }

    /// The characters, for the carrier of the delivery (the screen, the e-mail, the letter).
    ///
    /// This is the one way a secret leaves the crate: call it where the code is handed over,
    /// and do not log what it returns.
    #[must_use]
    pub fn expose(&self) -> &str {
        // Every byte comes from PIN_ALPHABET, which is ASCII, so this never fails.
        core::str::from_utf8(self.bytes()).unwrap_or_default()
    }

    /// How many characters the code has: 8 or 16.
    #[must_use]
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a generated code has 8 or 16 characters.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.0.len() == 0
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        self.0.bytes()
    }

    /// A code read back from an outbox record (R33), checked before anything is copied: 8 or
    /// 16 characters of [`PIN_ALPHABET`], exactly as [`expose`](Self::expose) wrote them.
    /// `None` for anything else; nothing of the input is kept then.
    pub(crate) fn from_stored(code: &str) -> Option<Secret> {
        let bytes = code.as_bytes();
        let well_formed = (bytes.len() == HALF_LEN || bytes.len() == FULL_LEN)
            && bytes.iter().all(|byte| PIN_ALPHABET.contains(byte));
        well_formed.then(|| Secret(PinChars::copied_from(bytes)))
    }

    /// A second copy of the same code, for a second delivery of it (screen and e-mail).
    /// Private so that callers cannot multiply secrets.
    pub(crate) fn duplicate(&self) -> Secret {
        Secret(PinChars::copied_from(self.bytes()))
    }

    /// The first and second half of a 16-character code.
    pub(crate) fn split_halves(&self) -> (Secret, Secret) {
        let bytes = self.bytes();
        (
            Secret(PinChars::copied_from(
                bytes.get(..HALF_LEN).unwrap_or_default(),
            )),
            Secret(PinChars::copied_from(
                bytes.get(HALF_LEN..).unwrap_or_default(),
            )),
        )
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret({} chars, [redacted])", self.0.len())
    }
}

/// One character uniformly over [`PIN_ALPHABET`], by rejection sampling: a byte is kept only
/// below the largest multiple of the alphabet's size, so no character is favoured (R7). With 32
/// characters every byte is kept; the loop keeps the code right if the alphabet ever changes.
pub(crate) fn uniform_char<R: CryptoRng + ?Sized>(rng: &mut R) -> u8 {
    const SIZE: usize = PIN_ALPHABET.len();
    const LIMIT: usize = 256 - 256 % SIZE;
    loop {
        let mut byte = [0u8; 1];
        rng.fill_bytes(&mut byte);
        let [drawn] = byte;
        let value = usize::from(drawn);
        byte.zeroize();
        if value < LIMIT {
            if let Some(&c) = PIN_ALPHABET.get(value % SIZE) {
                return c;
            }
        }
    }
}

/// What [`EnteredPin::parse`] makes of each byte: the PIN character it stands for (upper
/// case), or one of the three markers below, which no PIN character equals.
///
/// Built at compile time from [`PIN_ALPHABET`], so the two cannot disagree: one lookup a byte
/// replaces a search of the alphabet, so that parsing stays near the cost of a copy.
const BYTE_CLASS: [u8; 256] = byte_classes();
/// A byte that is not in any PIN, even upper-cased: refused.
const NOT_IN_PIN: u8 = 0;
/// ASCII white space (as `char::is_whitespace` has it: tab, line feed, vertical tab, form
/// feed, carriage return, space) and `-`: skipped, since people type PINs in groups.
const SKIPPED: u8 = 1;
/// The first byte of a character beyond ASCII: never in a PIN, but skipped if white space.
const NOT_ASCII: u8 = 2;

// Runs at compile time only: an index out of bounds would be a build error, never a panic.
#[allow(clippy::indexing_slicing)]
const fn byte_classes() -> [u8; 256] {
    let mut classes = [NOT_IN_PIN; 256];
    let mut byte = 0x80;
    while byte < 256 {
        classes[byte] = NOT_ASCII;
        byte += 1;
    }
    let skipped = *b"\t\n\x0b\x0c\r -";
    let mut i = 0;
    while i < skipped.len() {
        classes[skipped[i] as usize] = SKIPPED;
        i += 1;
    }
    let mut i = 0;
    while i < PIN_ALPHABET.len() {
        let c = PIN_ALPHABET[i];
        classes[c as usize] = c;
        classes[c.to_ascii_lowercase() as usize] = c;
        i += 1;
    }
    classes
}

/// A PIN as a person typed it, normalised: spaces and dashes removed, letters upper-cased.
///
/// Parsed at the boundary so that a malformed entry never reaches an account. Wiped on drop,
/// redacted in `Debug`; like a [`Secret`], its characters live on the heap, once.
///
/// ```
/// use inps_pin::EnteredPin;
///
/// let pin = EnteredPin::parse("abcd-efgh")?;
/// assert_eq!(pin.len(), 8);
/// assert_eq!(format!("{pin:?}"), "EnteredPin(8 chars, [redacted])");
/// assert!(EnteredPin::parse("ABCD0FGH").is_err()); // 0 is never in a PIN
/// # Ok::<(), inps_pin::PinFormatError>(())
/// ```
///
/// It remembers which stored hashes it was checked against (never the characters), so a
/// service that retries the same command after a lost compare-and-swap, holding the same
/// `EnteredPin`, runs no second Argon2 verification against a hash that did not change (R32).
///
/// It is `Send` but not `Sync`: that memory is written through a shared reference (deciding
/// a command reads it by `&`), in cells that are not thread-safe. Move a typed PIN to the
/// thread that checks it, such as a blocking pool for the Argon2 work; sharing one between
/// threads that check it at once would race on the memory, and the compiler refuses it.
#[derive(Default)]
pub struct EnteredPin {
    chars: PinChars,
    checked: VerificationMemo,
}

impl EnteredPin {
    /// Normalises and checks what a person typed: 8 or 16 characters of [`PIN_ALPHABET`]
    /// once spaces and dashes are removed and letters upper-cased.
    ///
    /// # Errors
    /// [`PinFormatError`] names the character and its position, or the length found.
    // Inlined where it is called: the usual entry is a few instructions around one
    // allocation, and a call, its saved registers and its result written through memory would
    // cost as much again. The rest stays one out-of-line function.
    #[inline]
    pub fn parse(typed: &str) -> Result<EnteredPin, PinFormatError> {
        // Each accepted character goes straight into the heap block, never into a buffer on
        // the stack. An early return drops `pin`, which wipes what was copied so far.
        let mut pin = PinChars::empty();
        // The usual entry: exactly 8 PIN characters, nothing to skip. One pass of a known
        // length, without branches; anything else (16 characters, a space, a dash, a wrong
        // character) takes the general path, which starts over and overwrites what this pass
        // wrote.
        if let Ok(half) = <&[u8; HALF_LEN]>::try_from(typed.as_bytes()) {
            if pin.fill_exactly(half) {
                return Ok(EnteredPin::new(pin));
            }
        }
        EnteredPin::parse_otherwise(typed, pin)
    }

    /// [`EnteredPin::parse`] past its usual entry, into `pin`, whose block may hold what that
    /// entry wrote.
    #[inline(never)]
    fn parse_otherwise(typed: &str, mut pin: PinChars) -> Result<EnteredPin, PinFormatError> {
        let bytes = typed.as_bytes();
        // A whole first PIN typed as delivered: 16 PIN characters, one pass.
        if let Ok(full) = <&[u8; FULL_LEN]>::try_from(bytes) {
            if pin.fill_exactly(full) {
                return Ok(EnteredPin::new(pin));
            }
        }
        // The general path may keep fewer characters: none of the passes above may linger
        // past them as a second copy.
        pin.0.chars.zeroize();
        // Characters counted so far, spaces and dashes aside: the position errors name.
        let mut count = 0usize;
        let mut at = 0usize;
        // Byte by byte: every character a PIN may hold is ASCII, one byte. A byte of a
        // longer character starts the slow path, which reads the whole character.
        while let Some(&byte) = bytes.get(at) {
            match BYTE_CLASS
                .get(usize::from(byte))
                .copied()
                .unwrap_or(NOT_IN_PIN)
            {
                SKIPPED => at += 1,
                NOT_ASCII => {
                    let c = typed.get(at..).and_then(|rest| rest.chars().next());
                    match c {
                        // White space beyond ASCII (a no-break space pasted from a letter).
                        Some(c) if c.is_whitespace() => at += c.len_utf8(),
                        _ => {
                            return Err(PinFormatError::Character {
                                position: count + 1,
                                look_alike: false,
                            });
                        }
                    }
                }
                NOT_IN_PIN => {
                    return Err(PinFormatError::Character {
                        position: count + 1,
                        look_alike: matches!(byte.to_ascii_uppercase(), b'0' | b'O' | b'1' | b'I'),
                    });
                }
                upper => {
                    // Beyond 16 characters nothing is kept: the length error below follows.
                    if let Some(slot) = pin.0.chars.get_mut(count) {
                        *slot = upper;
                    }
                    count += 1;
                    at += 1;
                }
            }
        }
        if count != HALF_LEN && count != FULL_LEN {
            return Err(PinFormatError::Length { found: count });
        }
        pin.0.len = u8::try_from(count).unwrap_or_default();
        Ok(EnteredPin::new(pin))
    }

    /// The 16-character PIN put together from its two delivered halves, as the person
    /// would type it (the first half, then the second).
    #[must_use]
    pub fn from_halves(first: &Secret, second: &Secret) -> EnteredPin {
        EnteredPin::new(PinChars::copied_from(
            first.bytes().iter().chain(second.bytes()),
        ))
    }

    /// A delivered code typed back exactly as delivered.
    #[must_use]
    pub fn from_secret(secret: &Secret) -> EnteredPin {
        EnteredPin::new(PinChars::copied_from(secret.bytes()))
    }

    fn new(chars: PinChars) -> EnteredPin {
        EnteredPin {
            chars,
            checked: VerificationMemo::default(),
        }
    }

    /// How many characters were typed: 8 or 16 (0 only for the empty default value, which
    /// never matches).
    #[must_use]
    pub fn len(&self) -> usize {
        self.chars.len()
    }

    /// True only for the empty default value.
    #[must_use]
    pub fn is_empty(&self) -> bool {
        self.chars.len() == 0
    }

    /// How many Argon2 verifications have run for this typed PIN: each stored hash it was
    /// checked against once, however often the command was decided again (R32). For a
    /// service's metrics and tests.
    #[must_use]
    pub fn verifications(&self) -> u32 {
        self.checked.runs()
    }

    /// What the last Argon2 run for this typed PIN cost: the stored hash it was checked
    /// against, or the decoy an unknown codice fiscale runs (R30a); `None` when none ran (a
    /// lane inside its delay, a length no stored code has, R25b). A service learns from it what
    /// its stored hashes cost, to pass as the decoy's
    /// ([`Context::with_decoy_cost`](crate::Context::with_decoy_cost)), and can check that its
    /// unknown codici fiscali cost what its wrong PINs cost.
    #[must_use]
    pub fn last_verification_cost(&self) -> Option<HashCost> {
        self.checked.last_cost()
    }

    pub(crate) fn bytes(&self) -> &[u8] {
        self.chars.bytes()
    }

    /// Whether this PIN is the one `hash` was made from, within the policy's `bound` on stored
    /// costs (R35): remembered, so a retry against the same hash runs no Argon2 again.
    pub(crate) fn matches(&self, hash: &PinHash, bound: HashCost) -> Result<bool, PinHashError> {
        self.checked
            .verify(hash, bound, |hash| hash.verify_within(self.bytes(), bound))
    }

    /// Spends the time of one verification at `cost` once for this typed PIN, where no hash
    /// was checked, so the answer takes as long as a check would (R30); a retry spends none.
    pub(crate) fn spend_one_verification(&self, cost: HashCost) {
        self.checked.spend_once(cost, || {
            crate::hash::spend_one_verification(cost, self.bytes());
        });
    }
}

impl fmt::Debug for EnteredPin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "EnteredPin({} chars, [redacted])", self.chars.len())
    }
}

/// What was wrong with a typed PIN. It never repeats the PIN.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PinFormatError {
    /// The PIN has neither 8 nor 16 characters.
    #[error(
        "a PIN has 8 characters (or 16 for the first access), but {found} were typed: \
         type it again without other characters"
    )]
    Length {
        /// How many characters were typed, not counting spaces and dashes.
        found: usize,
    },
    /// A character that no PIN contains.
    #[error(
        "character {position} is not used in PINs{}: PINs have letters A-Z and digits 2-9 only",
        if *look_alike { " (PINs have no 0, O, 1 or I, to avoid look-alikes)" } else { "" }
    )]
    Character {
        /// The 1-based position of the character, not counting spaces and dashes.
        position: usize,
        /// Whether it was one of the look-alikes left out on purpose (`0`, `O`, `1`, `I`).
        look_alike: bool,
    },
}

impl PinFormatError {
    /// A stable code for logs and APIs: `pin.wrong_length` or `pin.invalid_character` (R30).
    ///
    /// ```
    /// use inps_pin::EnteredPin;
    ///
    /// let error = EnteredPin::parse("ABCD").unwrap_err();
    /// assert_eq!(error.code(), "pin.wrong_length");
    /// assert!(error.message_it().contains("8 caratteri"));
    /// ```
    #[must_use]
    pub fn code(&self) -> &'static str {
        match self {
            PinFormatError::Length { .. } => "pin.wrong_length",
            PinFormatError::Character { .. } => "pin.invalid_character",
        }
    }

    /// The message for the person who typed the PIN, in Italian: what is wrong and what to do
    /// next (R30). It never repeats the PIN, nor the character at fault.
    #[must_use]
    pub fn message_it(&self) -> String {
        match self {
            PinFormatError::Length { found } => format!(
                "Il PIN ha 8 caratteri (16 per il primo accesso), ma ne sono stati inseriti \
                 {found}: inseriscilo di nuovo, senza altri caratteri."
            ),
            PinFormatError::Character {
                position,
                look_alike,
            } => format!(
                "Il carattere in posizione {position} non si usa nei PIN, che contengono solo \
                 lettere dalla A alla Z e cifre dal 2 al 9{}: controlla il PIN e inseriscilo di \
                 nuovo.",
                if *look_alike {
                    " (mai 0, O, 1 o I, che si confondono tra loro)"
                } else {
                    ""
                }
            ),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand_chacha::ChaCha20Rng;
    use rand_core::{Rng, SeedableRng};

    #[test]
    fn alphabet_has_no_look_alikes_and_no_repeats() {
        for c in b"0O1Il" {
            assert!(!PIN_ALPHABET.contains(c));
        }
        let mut sorted = PIN_ALPHABET.to_vec();
        sorted.sort_unstable();
        sorted.dedup();
        assert_eq!(sorted.len(), PIN_ALPHABET.len());
    }

    /// What `EnteredPin::parse` must do, character by character, as it was first written: the
    /// table-driven parse must agree with it on every input, errors included.
    fn reference_parse(typed: &str) -> Result<Vec<u8>, PinFormatError> {
        let mut kept = Vec::new();
        let mut count = 0usize;
        for c in typed.chars() {
            if c.is_whitespace() || c == '-' {
                continue;
            }
            count += 1;
            let upper = c.to_ascii_uppercase();
            match u8::try_from(upper)
                .ok()
                .filter(|b| PIN_ALPHABET.contains(b))
            {
                Some(byte) => kept.push(byte),
                None => {
                    return Err(PinFormatError::Character {
                        position: count,
                        look_alike: matches!(upper, '0' | 'O' | '1' | 'I'),
                    });
                }
            }
        }
        if count != HALF_LEN && count != FULL_LEN {
            return Err(PinFormatError::Length { found: count });
        }
        Ok(kept)
    }

    fn assert_agrees(typed: &str) {
        let parsed = EnteredPin::parse(typed).map(|pin| pin.bytes().to_vec());
        assert_eq!(parsed, reference_parse(typed), "{typed:?}");
    }

    /// Every ASCII character, and characters beyond it that look like PIN characters, are
    /// white space, or are several bytes long.
    fn tricky_characters() -> Vec<char> {
        (0u8..128)
            .map(char::from)
            .chain([
                '\u{85}',
                '\u{a0}',
                '\u{2028}',
                '\u{3000}',
                '\u{feff}',
                'é',
                'ı',
                'İ',
                'ſ',
                'Ｏ',
                '０',
                '２',
                '€',
                '\u{1F600}',
            ])
            .collect()
    }

    #[test]
    fn parse_agrees_with_the_character_by_character_definition_at_every_position() {
        let bodies = [
            "",
            "ABCDEFG",
            "abcd 234",
            "ABCDEFGHJKLMNPQ",
            "ABCD-EFGH-JKLM-NPQ",
            "ABCDEFGHJKLMNPQRS",
        ];
        for c in tricky_characters() {
            for body in bodies {
                // The bodies are ASCII: every index is a character boundary.
                for at in 0..=body.len() {
                    let mut typed = body.to_owned();
                    typed.insert(at, c);
                    assert_agrees(&typed);
                }
            }
        }
    }

    #[test]
    fn parse_agrees_with_the_character_by_character_definition_on_random_entries() {
        let tricky = tricky_characters();
        let mut rng = ChaCha20Rng::seed_from_u64(12);
        let mut accepted = 0;
        for _ in 0..20_000 {
            let len = rng.next_u32() % 20;
            let typed: String = (0..len)
                .map(|_| {
                    let pick = rng.next_u32() as usize;
                    // Mostly PIN characters (either case), so that some entries are valid.
                    if pick % 8 == 0 {
                        tricky[pick / 8 % tricky.len()]
                    } else {
                        let c = char::from(PIN_ALPHABET[pick / 8 % PIN_ALPHABET.len()]);
                        if pick % 3 == 0 {
                            c.to_ascii_lowercase()
                        } else {
                            c
                        }
                    }
                })
                .collect();
            assert_agrees(&typed);
            accepted += usize::from(EnteredPin::parse(&typed).is_ok());
        }
        assert!(
            accepted > 100,
            "only {accepted} random entries were valid PINs"
        );
    }
}
