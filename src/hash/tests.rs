//! The hash's unit tests: what loads, what verifies, the bound (R8, R35).

use super::*;
use crate::Policy;
use rand_chacha::ChaCha20Rng;
use rand_core::SeedableRng;

/// R8: the comparison of a computed hash with the stored one says equal for equal hashes
/// and unequal for a difference in any bit of any byte, first, last or between.
#[test]
fn r8_hashes_compare_equal_only_when_every_bit_is() {
    let stored: [u8; OUTPUT_LEN] = core::array::from_fn(|i| (i as u8).wrapping_mul(37));
    assert!(constant_time_eq(&stored, &stored.clone()));
    for byte in 0..OUTPUT_LEN {
        for bit in 0..8 {
            let mut other = stored;
            if let Some(changed) = other.get_mut(byte) {
                *changed ^= 1 << bit;
            }
            assert!(!constant_time_eq(&stored, &other), "byte {byte}, bit {bit}");
        }
    }
    assert!(!constant_time_eq(&stored, &[0; OUTPUT_LEN]));
}

/// R35: the Base64 reader loads exactly the salts and hashes the `phc` crate's decoder
/// does, so that it loads no stored hash that decoder refuses: each of
/// 64 random byte strings, and every string one character away from its writing (each
/// character replaced by each of the 64 letters, a padding `=` and a space), or one
/// character longer or shorter.
#[test]
fn r35_the_base64_reader_takes_what_the_phc_decoder_takes() {
    use argon2::password_hash::phc::Output;
    use rand_core::Rng;
    fn by_phc<const N: usize>(text: &str) -> Option<[u8; N]> {
        Output::decode(text).ok()?.as_bytes().try_into().ok()
    }
    fn both_agree<const N: usize>(bytes: [u8; N]) {
        let mut buffer = [0u8; 64];
        let Ok(written) = base64(&bytes, &mut buffer) else {
            unreachable!("64 bytes hold the Base64 of {N}")
        };
        let written = written.to_owned();
        assert_eq!(unbase64::<N>(&written), Some(bytes), "{written}");
        let letters = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/= ";
        let mut variants = vec![format!("{written}A"), written[1..].to_owned()];
        for position in 0..written.len() {
            for letter in letters.chars() {
                let mut variant = written.clone();
                variant.replace_range(position..=position, letter.encode_utf8(&mut [0; 4]));
                variants.push(variant);
            }
        }
        for variant in variants {
            assert_eq!(unbase64::<N>(&variant), by_phc::<N>(&variant), "{variant}");
        }
    }
    let mut rng = ChaCha20Rng::seed_from_u64(35);
    for _ in 0..64 {
        let mut salt = [0u8; SALT_LEN];
        let mut output = [0u8; OUTPUT_LEN];
        rng.fill_bytes(&mut salt);
        rng.fill_bytes(&mut output);
        both_agree(salt);
        both_agree(output);
    }
}

/// What `base64ct`, the library that writes the PHC string's Base64, reads in `text`.
fn by_base64ct<const N: usize>(text: &str) -> Option<[u8; N]> {
    let mut bytes = [0u8; N];
    let decoded = Base64Unpadded::decode(text, &mut bytes).ok()?.len();
    (decoded == N).then_some(bytes)
}

/// R35: the word-at-a-time reader takes what `base64ct` takes, character by character: every
/// ASCII byte and a two-byte character at every position of a salt's and a hash's writing.
#[test]
fn r35_the_base64_reader_takes_what_base64ct_takes_at_every_position() {
    fn every_variant<const N: usize>(bytes: [u8; N]) {
        let mut buffer = [0u8; 64];
        let Ok(written) = base64(&bytes, &mut buffer) else {
            unreachable!("64 bytes hold the Base64 of {N}")
        };
        let written = written.to_owned();
        assert_eq!(unbase64::<N>(&written), Some(bytes));
        for position in 0..written.len() {
            let mut variants: Vec<String> = (0..=0x7fu8)
                .map(|byte| {
                    let mut variant = written.clone().into_bytes();
                    variant[position] = byte;
                    String::from_utf8(variant).unwrap_or_default()
                })
                .collect();
            // Two bytes from 0x80 up in place of two characters, the same length: `°` is
            // C2 B0, which without their high bits are `B0`, two letters of the alphabet.
            for wide in ["é", "°"] {
                let mut variant = written.clone();
                variant.replace_range(position..(position + 2).min(written.len()), wide);
                variants.push(variant);
            }
            for variant in variants {
                assert_eq!(
                    unbase64::<N>(&variant),
                    by_base64ct::<N>(&variant),
                    "{variant:?}"
                );
            }
        }
    }
    let mut rng = ChaCha20Rng::seed_from_u64(64);
    for _ in 0..16 {
        let mut salt = [0u8; SALT_LEN];
        let mut output = [0u8; OUTPUT_LEN];
        rand_core::Rng::fill_bytes(&mut rng, &mut salt);
        rand_core::Rng::fill_bytes(&mut rng, &mut output);
        every_variant(salt);
        every_variant(output);
    }
    // Every value in every position of the last character, where bits past the bytes lie.
    for last in 0..64u8 {
        let mut salt = [0u8; SALT_LEN];
        salt[SALT_LEN - 1] = last << 2;
        every_variant(salt);
    }
}

/// R35: on random strings of the alphabet, of its neighbours and beyond ASCII, of the right
/// length and around it, and on writings with a character or two replaced, the
/// word-at-a-time reader and `base64ct` agree.
#[test]
fn r35_the_base64_reader_agrees_with_base64ct_on_random_strings() {
    use rand_core::Rng;
    const LETTERS: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    const OTHERS: &[&str] = &[
        "=", " ", "-", "_", "@", "[", "`", "{", ".", ":", "\u{7f}", "é", "°", "\0",
    ];
    fn random_text(rng: &mut ChaCha20Rng, length: usize) -> String {
        let mut text = String::new();
        while text.len() < length {
            let draw = rng.next_u32();
            if draw % 16 == 0 {
                text.push_str(OTHERS[(draw as usize / 16) % OTHERS.len()]);
            } else {
                text.push(char::from(LETTERS[(draw as usize / 16) % LETTERS.len()]));
            }
        }
        text
    }
    /// The writing of random bytes, a character or two then replaced by a random one.
    fn near_writing(rng: &mut ChaCha20Rng, length: usize) -> String {
        let mut bytes = vec![0u8; length];
        rng.fill_bytes(&mut bytes);
        let mut buffer = [0u8; 64];
        let Ok(written) = base64(&bytes, &mut buffer) else {
            unreachable!("64 bytes hold the Base64 of {length}")
        };
        let mut text = written.to_owned();
        for _ in 0..rng.next_u32() % 3 {
            let position = rng.next_u32() as usize % text.len();
            let replacement = random_text(rng, 1);
            if text.is_char_boundary(position) && text.is_char_boundary(position + 1) {
                text.replace_range(position..=position, &replacement);
            }
        }
        text
    }
    let mut rng = ChaCha20Rng::seed_from_u64(4096);
    let (mut accepted, mut refused) = (0, 0);
    for round in 0..40_000 {
        let text = if round % 2 == 0 {
            random_text(&mut rng, [20, 21, 22, 23, 41, 42, 43, 44][round / 2 % 8])
        } else {
            near_writing(&mut rng, [SALT_LEN, OUTPUT_LEN][round / 2 % 2])
        };
        let salt = unbase64::<SALT_LEN>(&text);
        let output = unbase64::<OUTPUT_LEN>(&text);
        assert_eq!(salt, by_base64ct::<SALT_LEN>(&text), "{text:?}");
        assert_eq!(output, by_base64ct::<OUTPUT_LEN>(&text), "{text:?}");
        if salt.is_some() || output.is_some() {
            accepted += 1;
        } else {
            refused += 1;
        }
    }
    // Both kinds were tried, so the agreement says something about each.
    assert!(
        accepted > 1_000 && refused > 1_000,
        "{accepted} accepted, {refused} refused"
    );
}

fn cheap_hash_of(pin: &[u8]) -> PinHash {
    let mut rng = ChaCha20Rng::seed_from_u64(7);
    let hash = PinHash::compute(pin, HashCost::CHEAP, &mut rng);
    let Ok(hash) = hash else {
        unreachable!("the cheap cost is valid")
    };
    hash
}

/// The same salt and hash with other cost parameters, built without the checks of
/// loading: what a hash that somehow bypassed them would be.
fn with_params(hash: &PinHash, params: &str) -> PinHash {
    let number = |name: &str| -> u32 {
        params
            .split(',')
            .find_map(|pair| pair.strip_prefix(name))
            .and_then(|value| value.parse().ok())
            .unwrap_or_default()
    };
    PinHash {
        cost: HashCost::unchecked(number("m="), number("t="), number("p=")),
        ..hash.clone()
    }
}

/// The PHC string Argon2's own hasher writes for `pin` at `params`, with a fixed salt.
fn phc_by_argon2(pin: &[u8], params: Params) -> String {
    use argon2::PasswordHasher;
    let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
    let hashed = hasher.hash_password_with_salt(pin, b"0123456789abcdef");
    let Ok(hashed) = hashed else {
        unreachable!("valid parameters")
    };
    hashed.to_string()
}

#[test]
fn r8_a_hash_is_stored_as_the_phc_string_argon2_writes_and_reads() {
    use argon2::PasswordVerifier;
    let hash = cheap_hash_of(b"ABCDEFGH");
    let phc = hash.to_phc();
    // Loaded again, the same hash, written again byte for byte.
    assert_eq!(PinHash::try_from(phc.as_str()), Ok(hash.clone()));
    // Argon2's own verifier accepts it: the stack buffer computes the same hash.
    let parsed = PasswordHash::new(&phc).ok();
    let verify = |pin: &[u8]| {
        parsed
            .as_ref()
            .is_some_and(|parsed| Argon2::default().verify_password(pin, parsed).is_ok())
    };
    assert!(verify(b"ABCDEFGH") && !verify(b"ABCDEFGJ"));
    // And a hash Argon2 made, at the cheap cost (stack) and a larger one (heap), loads,
    // verifies and is written back unchanged.
    for params in [Params::new(8, 1, 1, None), Params::new(64, 2, 2, None)] {
        let Ok(params) = params else {
            unreachable!("valid parameters")
        };
        let phc = phc_by_argon2(b"ABCDEFGH", params);
        let Ok(loaded) = PinHash::try_from(phc.as_str()) else {
            unreachable!("{phc} loads")
        };
        assert_eq!(loaded.to_phc(), phc);
        let bound = HashCost::FOUR_TIMES_OWASP;
        assert_eq!(loaded.verify_within(b"ABCDEFGH", bound), Ok(true));
        assert_eq!(loaded.verify_within(b"ABCDEFGJ", bound), Ok(false));
    }
}

#[test]
fn r35_a_stored_hash_of_another_shape_does_not_load() {
    let phc = cheap_hash_of(b"ABCDEFGH").to_phc();
    let Some((params_and_salt, output)) = phc.rsplit_once('$') else {
        unreachable!("a PHC string")
    };
    let argon2 = |salt_len: usize, output_len: usize| {
        let params = Params::new(8, 1, 1, Some(output_len));
        let Ok(params) = params else {
            unreachable!("valid parameters")
        };
        let hasher = Argon2::new(Algorithm::Argon2id, Version::V0x13, params);
        let salt = vec![7u8; salt_len];
        use argon2::PasswordHasher;
        hasher
            .hash_password_with_salt(b"ABCDEFGH", &salt)
            .map(|hash| hash.to_string())
            .unwrap_or_default()
    };
    for (other, error) in [
        // Valid Argon2id PHC strings this crate does not write.
        (phc.replace("v=19", "v=16"), PinHashError::OtherShape),
        (phc.replace("$v=19", ""), PinHashError::OtherShape),
        (
            phc.replace("p=1$", "p=1,keyid=AAAAAA$"),
            PinHashError::OtherShape,
        ),
        (argon2(12, 32), PinHashError::OtherShape),
        (argon2(16, 64), PinHashError::OtherShape),
        (
            format!("{params_and_salt}${output}A"),
            PinHashError::OtherShape,
        ),
        // Not the order this crate writes.
        (
            phc.replace("m=8,t=1,p=1", "t=1,m=8,p=1"),
            PinHashError::OtherShape,
        ),
        // Not loadable at all.
        (
            phc.replace("argon2id", "argon2i"),
            PinHashError::NotArgon2id,
        ),
        (params_and_salt.to_owned(), PinHashError::NotPhc),
        (format!("{phc}$"), PinHashError::NotPhc),
        (format!("{params_and_salt}${output}!"), PinHashError::NotPhc),
        (
            phc.replace("m=8,t=1,p=1", "m=8,t=1,p=2"),
            PinHashError::NotPhc,
        ),
        (phc.replace("m=8", "m=99999999999"), PinHashError::NotPhc),
        (phc.replace("m=8", "m=08"), PinHashError::NotPhc),
        (String::new(), PinHashError::NotPhc),
    ] {
        assert_eq!(PinHash::try_from(other.as_str()), Err(error), "{other}");
    }
}

#[test]
fn a_hash_verifies_its_pin_only() {
    let hash = cheap_hash_of(b"ABCDEFGH");
    assert!(hash.to_phc().starts_with("$argon2id$v=19$m=8,t=1,p=1$"));
    assert!(hash.verify_within(b"ABCDEFGH", HashCost::CHEAP) == Ok(true));
    assert!(hash.verify_within(b"ABCDEFGJ", HashCost::CHEAP) == Ok(false));
    assert_eq!(hash.cost(), HashCost::CHEAP);
    assert!(!format!("{hash:?}").contains(&hash.to_phc()));
}

#[test]
fn r35_a_stored_hash_within_the_policy_bound_is_verified() {
    let hash = cheap_hash_of(b"ABCDEFGH");
    let bound = Policy::default().stored_hash_cost_bound();
    assert_eq!(hash.verify_within(b"ABCDEFGH", bound), Ok(true));
    assert_eq!(hash.verify_within(b"ABCDEFGJ", bound), Ok(false));
    // At the bound exactly, still verified.
    assert_eq!(hash.verify_within(b"ABCDEFGH", HashCost::CHEAP), Ok(true));
}

/// Running the last three would take a minute and 1 GiB, then hours (2^32 - 1 passes),
/// then 4 TiB of memory: the test finishing is the proof that none is run.
#[test]
fn r35_stored_hash_above_the_policy_bound_is_refused_without_running() {
    let hash = cheap_hash_of(b"ABCDEFGH");
    let bound = Policy::default().stored_hash_cost_bound();
    for (params, memory_kib, iterations, parallelism) in [
        // Just above the bound first: an implementation that ran them would fail here, in
        // well under a second, rather than hang on the cases below.
        ("m=77825,t=1,p=1", 77_825, 1, 1),
        ("m=64,t=1,p=8", 64, 1, 8),
        ("m=77824,t=9,p=1", 77_824, 9, 1),
        ("m=1048576,t=64,p=1", 1_048_576, 64, 1),
        ("m=8,t=4294967295,p=1", 8, u32::MAX, 1),
        ("m=4294967295,t=1,p=1", u32::MAX, 1, 1),
    ] {
        let tampered = with_params(&hash, params);
        let refusal = tampered.verify_within(b"ABCDEFGH", bound);
        assert_eq!(
            refusal,
            Err(PinHashError::CostAboveBound {
                memory_kib,
                iterations,
                parallelism,
                bound,
            }),
            "{params}"
        );
        let message = refusal.err().map(|e| e.to_string()).unwrap_or_default();
        assert!(
            message.contains(&format!(
                "cost m={memory_kib} KiB, t={iterations}, p={parallelism}, above the \
                 policy's bound (m=77824 KiB, t=8, p=4)"
            )) && message.ends_with("restore the PIN"),
            "{message}"
        );
    }
}

#[test]
fn r35_the_policys_own_cost_is_always_within_its_bound() {
    let mut policy = Policy::default();
    assert_eq!(
        policy.stored_hash_cost_bound(),
        HashCost::new(77_824, 8, 4).unwrap()
    );
    policy.hash_cost = HashCost::new(100_000, 3, 8).unwrap();
    assert_eq!(
        policy.stored_hash_cost_bound(),
        HashCost::new(100_000, 8, 8).unwrap()
    );
}

#[test]
fn r35_stored_hash_beyond_the_limits_does_not_load() {
    let hash = cheap_hash_of(b"ABCDEFGH");
    let absurd = with_params(&hash, "m=8,t=4294967295,p=1").to_phc();
    assert_eq!(
        PinHash::try_from(absurd),
        Err(PinHashError::CostBeyondLimits {
            memory_kib: 8,
            iterations: u32::MAX,
            parallelism: 1
        })
    );
    let at_the_limits = with_params(&hash, "m=1048576,t=64,p=16").to_phc();
    assert!(PinHash::try_from(at_the_limits).is_ok());
}

#[test]
fn r8_a_hash_at_another_cost_than_the_policys_is_to_be_made_again() {
    let hash = cheap_hash_of(b"ABCDEFGH");
    assert!(!hash.rehash_needed(HashCost::CHEAP));
    assert!(hash.rehash_needed(HashCost::OWASP));
    assert!(with_params(&hash, "m=16,t=1,p=1").rehash_needed(HashCost::CHEAP));
}
