//! Session tokens: 256 random bits in the client's hands; the database keeps their SHA-256.

use inps_pin::rand_core::CryptoRng;
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

/// A session token as handed to the client: 64 hexadecimal digits, wiped on drop, redacted in
/// `Debug`. The database never holds it, only its [`SessionToken::hash`].
pub struct SessionToken(Zeroizing<String>);

impl std::fmt::Debug for SessionToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SessionToken([redacted])")
    }
}

/// Appends `bytes` to `text` as lower-case hexadecimal digits.
fn push_hex(text: &mut String, bytes: &[u8]) {
    for byte in bytes {
        for nibble in [byte >> 4, byte & 0x0f] {
            text.push(char::from_digit(u32::from(nibble), 16).unwrap_or('0'));
        }
    }
}

impl SessionToken {
    /// A new token from the generator.
    #[must_use]
    pub fn generate(rng: &mut impl CryptoRng) -> SessionToken {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rng.fill_bytes(&mut *bytes);
        let mut text = Zeroizing::new(String::with_capacity(64));
        push_hex(&mut text, &*bytes);
        SessionToken(text)
    }

    /// The token, to send to the client.
    #[must_use]
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// What the database keeps: the SHA-256 of the token, in hexadecimal. A 256-bit random
    /// token needs no slow hash: nobody can guess one to test against a stolen table.
    #[must_use]
    pub fn hash(&self) -> String {
        hash_token(&self.0)
    }
}

/// The SHA-256 of a presented token, in hexadecimal: the key to look its session up by.
#[must_use]
pub fn hash_token(token: &str) -> String {
    let digest = Sha256::digest(token.as_bytes());
    let mut text = String::with_capacity(64);
    push_hex(&mut text, &digest);
    text
}

#[cfg(test)]
mod tests {
    use super::*;
    use inps_pin::rand_core::SeedableRng;

    #[test]
    fn a_token_is_64_hex_digits_its_hash_another_and_debug_shows_neither() {
        let mut rng = rand_chacha::ChaCha20Rng::seed_from_u64(3);
        let token = SessionToken::generate(&mut rng);
        assert_eq!(token.expose().len(), 64);
        assert!(token.expose().bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(token.hash(), token.expose());
        assert_eq!(token.hash(), hash_token(token.expose()));
        assert!(!format!("{token:?}").contains(token.expose()));
        assert_ne!(SessionToken::generate(&mut rng).expose(), token.expose());
    }
}
