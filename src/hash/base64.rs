//! Reading the PHC string's Base64 (a salt and a hash, unpadded, the `+/` alphabet): eight
//! characters at a time in one 64-bit word, in constant time.
//!
//! Every account load reads its PIN hash's 65 characters. `base64ct`, which writes them, reads
//! them in constant time one character at a time, about three times as long as a table of the
//! 256 byte values; a table indexed by the characters of a stored hash leaks them through the
//! cache, and the hash is all an offline guess of an 8-character PIN needs. Here each step works
//! on eight characters at once with the same arithmetic and no table and no branch on a
//! character (DESIGN.md, "Hand-written or a library?"). What it takes is what `base64ct` takes:
//! `tests.rs` holds the two to the same answer on every string one character away from a
//! writing, and on random strings of the alphabet and beyond.

/// One byte in every lane of a word.
const fn lanes(byte: u8) -> u64 {
    u64::from_le_bytes([byte; 8])
}

const HIGH_BITS: u64 = lanes(0x80);
const LOW_SEVEN_BITS: u64 = lanes(0x7f);

/// For each lane of `word` (each below 0x80), its high bit set if the lane is `lowest` or more
/// (`lowest` at most 0x80): adding `0x80 - lowest` carries into the high bit from `lowest` on,
/// and never out of the lane.
const fn at_least(word: u64, lowest: u8) -> u64 {
    word.wrapping_add(lanes(0x80 - lowest)) & HIGH_BITS
}

/// The lanes of `word` from `lowest` to `highest`, as a whole byte of ones each.
const fn between(word: u64, lowest: u8, highest: u8) -> u64 {
    let high_bit = at_least(word, lowest) & !at_least(word, highest + 1);
    // A 0 or 1 in each lane, times 0xff: a full lane, no carry into the next.
    (high_bit >> 7).wrapping_mul(0xff)
}

/// The eight characters in `word` (the first in the lowest byte) as their eight 6-bit values,
/// one a lane, and a word that is not zero if any of them is not in the alphabet.
const fn decode_lanes(word: u64) -> (u64, u64) {
    // A byte from 0x80 up is not ASCII; without its high bit it would pass for a letter.
    let not_ascii = word & HIGH_BITS;
    let word = word & LOW_SEVEN_BITS;
    let upper = between(word, b'A', b'Z');
    let lower = between(word, b'a', b'z');
    let digit = between(word, b'0', b'9');
    let plus = between(word, b'+', b'+');
    let slash = between(word, b'/', b'/');
    // What each range adds to a character to make its value, modulo 256.
    let offset = (upper & lanes(0u8.wrapping_sub(b'A')))
        | (lower & lanes(26u8.wrapping_sub(b'a')))
        | (digit & lanes(52 - b'0'))
        | (plus & lanes(62 - b'+'))
        | (slash & lanes(63 - b'/'));
    // Lane by lane addition modulo 256: the low seven bits added, the high bit by exclusive or,
    // so that no carry crosses into the next lane.
    let values = ((word & LOW_SEVEN_BITS).wrapping_add(offset & LOW_SEVEN_BITS))
        ^ ((word ^ offset) & HIGH_BITS);
    let in_alphabet = upper | lower | digit | plus | slash;
    (values, not_ascii | !in_alphabet)
}

/// The eight 6-bit values of `values` (the first in the lowest lane) as the 48 bits they write,
/// first value first, in the top of six big-endian bytes.
const fn pack_lanes(values: u64) -> [u8; 6] {
    // Pairs of lanes into 12-bit values in 16-bit lanes, the first of each pair on top; then
    // pairs of those into 24-bit values in 32-bit lanes.
    let pairs = ((values & 0x00ff_00ff_00ff_00ff) << 6) | ((values >> 8) & 0x00ff_00ff_00ff_00ff);
    let quads = ((pairs & 0x0000_ffff_0000_ffff) << 12) | ((pairs >> 16) & 0x0000_ffff_0000_ffff);
    let first = (quads & 0x00ff_ffff) as u32;
    let second = ((quads >> 32) & 0x00ff_ffff) as u32;
    let [_, a, b, c] = first.to_be_bytes();
    let [_, d, e, f] = second.to_be_bytes();
    [a, b, c, d, e, f]
}

/// The `N` bytes `text` writes in the PHC string's Base64 (unpadded, the `+/` alphabet), if it
/// writes exactly `N` and is their one writing: its length is that of `N` bytes, and the bits
/// of its last character past the bytes are zero, as `base64ct` requires.
pub(super) fn unbase64<const N: usize>(text: &str) -> Option<[u8; N]> {
    let text = text.as_bytes();
    if text.len() != (N * 4).div_ceil(3) {
        return None;
    }
    let mut bytes = [0u8; N];
    let mut slots = bytes.iter_mut();
    // Every lane outside the alphabet, and every bit past the bytes, gathered: one branch on
    // them all at the end, never one on a character.
    let mut refused = 0u64;
    for chunk in text.chunks(8) {
        // A last chunk of fewer than eight is filled with 'A', whose value is zero.
        let mut eight = [b'A'; 8];
        for (lane, character) in eight.iter_mut().zip(chunk) {
            *lane = *character;
        }
        let (values, outside) = decode_lanes(u64::from_le_bytes(eight));
        refused |= outside;
        for byte in pack_lanes(values) {
            match slots.next() {
                Some(slot) => *slot = byte,
                None => refused |= u64::from(byte),
            }
        }
    }
    (refused == 0).then_some(bytes)
}
