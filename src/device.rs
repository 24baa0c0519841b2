//! Trusted devices (R25a): a stranger can never keep the owner out.
//!
//! Following OWASP's "device cookies" defence against online guessing, a successful login,
//! first access or renewal can hand the client a [`DeviceToken`]: 130 random bits from the
//! caller's generator, which the service keeps in a cookie. The account keeps only a hash of
//! each, for a bounded number of devices ([`TrustedDevices::max_devices`]), each valid for a
//! policy period. A login that presents a valid token of this account is counted apart from all
//! others, in its device's own lane with its own small lockout; failures from everyone else
//! (the anonymous lane, the one [`Lockout`] of R25) delay and block only everyone else:
//!
//! ```text
//!   time ──────────────────────────────────────────────────────────────────────▶
//!   stranger (no token):  ✗ 1s ✗ 3s ✗ 5s ✗ 10s ✗ … ✗ blocked        (anonymous lane)
//!   owner, trusted device:         ✓ session     ✓ session   ✓       (device lane: never
//!                                                                      delayed by the above)
//!   owner, new browser:   delayed / blocked like the stranger → restore (R23a), which the
//!                         stranger cannot stop
//! ```
//!
//! A device whose own lane reaches its block is forgotten: its token stops working, and its
//! client is one more unknown client.

use core::fmt;

use jiff::Timestamp;
use rand_core::CryptoRng;
use serde::{Deserialize, Serialize};
use thiserror::Error;
use zeroize::Zeroize;

use crate::civil_time::before_rome_days_after;
use crate::hash::PinHash;
use crate::lockout::{LockState, Lockout};
use crate::secret::{PIN_ALPHABET, uniform_char};

/// Characters of a device's public identifier, at the start of its token.
pub const DEVICE_ID_LEN: usize = 4;
/// Characters of a token's secret part: 26 × 5 bits = 130 bits (R25a asks for at least 128).
pub const DEVICE_SECRET_LEN: usize = 26;
/// Characters of a whole token: the identifier, then the secret.
pub const DEVICE_TOKEN_LEN: usize = DEVICE_ID_LEN + DEVICE_SECRET_LEN;

/// The most devices any policy may trust at once ([`TrustedDevices::max_devices`]), and so the
/// most a stored account may hold: 20 (R34, R35).
///
/// Four times the default: room for a household's devices and a few spare, while every login
/// that presents a token looks through the list, and a longer one keeps forgotten devices
/// trusted. A stored account that holds more was not written by the crate and does not load.
pub const MAX_TRUSTED_DEVICES: u8 = 20;

/// The most days any policy may trust a device after its last login
/// ([`TrustedDevices::valid_days`]): 400 (R34).
///
/// A little over a year, so that a device used once a year (a yearly declaration) can stay
/// trusted; a device unused for longer is most likely replaced, sold or lost, and its cookie
/// should open nothing.
pub const MAX_DEVICE_VALID_DAYS: u16 = 400;

/// A device token: what the client keeps (a cookie) to be recognised as a trusted device.
///
/// Made by the crate from the caller's generator and handed out in
/// [`Outcome::trusted_device`](crate::Outcome::trusted_device); read back from the cookie
/// with [`DeviceToken::parse`]. A secret like a PIN: wiped on drop, redacted in `Debug`, no
/// `Display`, `Clone` or `Serialize`; its characters live on the heap, once.
pub struct DeviceToken {
    chars: Box<[u8; DEVICE_TOKEN_LEN]>,
}

impl DeviceToken {
    /// A new token, uniformly over [`PIN_ALPHABET`].
    pub(crate) fn generate<R: CryptoRng + ?Sized>(rng: &mut R) -> DeviceToken {
        let mut token = DeviceToken {
            chars: Box::new([0; DEVICE_TOKEN_LEN]),
        };
        for slot in token.chars.iter_mut() {
            *slot = uniform_char(rng);
        }
        token
    }

    /// A token as the client presented it (from its cookie).
    ///
    /// ```
    /// use inps_pin::DeviceToken;
    ///
    /// assert!(DeviceToken::parse("ABCD23456789ABCDEFGHJKLMNPQRST").is_ok());
    /// assert!(DeviceToken::parse("too short").is_err());
    /// ```
    ///
    /// # Errors
    /// [`DeviceTokenError`] if it does not have 30 characters of the PIN alphabet: a cookie
    /// the crate never made. Treat the client as one without a token.
    pub fn parse(cookie: &str) -> Result<DeviceToken, DeviceTokenError> {
        let bytes = cookie.trim().as_bytes();
        if bytes.len() != DEVICE_TOKEN_LEN {
            return Err(DeviceTokenError);
        }
        let mut token = DeviceToken {
            chars: Box::new([0; DEVICE_TOKEN_LEN]),
        };
        for (slot, byte) in token.chars.iter_mut().zip(bytes) {
            if !PIN_ALPHABET.contains(byte) {
                // Dropping `token` wipes what was copied so far.
                return Err(DeviceTokenError);
            }
            *slot = *byte;
        }
        Ok(token)
    }

    /// The characters, for the cookie. Do not log what it returns.
    #[must_use]
    pub fn expose(&self) -> &str {
        // Every byte is from PIN_ALPHABET, which is ASCII, so this never fails.
        core::str::from_utf8(self.chars.as_slice()).unwrap_or_default()
    }

    /// The device's public identifier.
    #[must_use]
    pub fn device_id(&self) -> DeviceId {
        // Its characters are from the PIN alphabet, checked when it was made or parsed.
        DeviceId(self.id_bytes().try_into().unwrap_or([b'?'; DEVICE_ID_LEN]))
    }

    fn id_bytes(&self) -> &[u8] {
        self.chars.get(..DEVICE_ID_LEN).unwrap_or_default()
    }

    pub(crate) fn secret_bytes(&self) -> &[u8] {
        self.chars.get(DEVICE_ID_LEN..).unwrap_or_default()
    }
}

impl Drop for DeviceToken {
    fn drop(&mut self) {
        self.chars.zeroize();
    }
}

impl zeroize::ZeroizeOnDrop for DeviceToken {}

impl fmt::Debug for DeviceToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceToken({}, [redacted])", self.device_id())
    }
}

/// Two tokens are equal when they name the same device (outcomes compare this way).
impl PartialEq for DeviceToken {
    fn eq(&self, other: &Self) -> bool {
        self.id_bytes() == other.id_bytes()
    }
}

impl Eq for DeviceToken {}

/// A cookie that is not a device token the crate made.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Error)]
#[error(
    "the device token is not one this service issued: treat the client as a new device and let the person log in with the PIN"
)]
pub struct DeviceTokenError;

impl DeviceTokenError {
    /// A stable code for logs and APIs: `device_token.invalid` (R30).
    #[must_use]
    pub fn code(&self) -> &'static str {
        "device_token.invalid"
    }

    /// The message in Italian, with what to do next (R30): the client is a new device, so the
    /// person logs in with the PIN.
    #[must_use]
    pub fn message_it(&self) -> String {
        "Questo dispositivo non è riconosciuto: accedi con il tuo PIN.".to_owned()
    }
}

/// A trusted device's public identifier: the first characters of its token, for logs and
/// events. Not a secret: knowing it gives nothing.
///
/// Its few ASCII characters are kept inline: a login from a trusted device copies it into its
/// lane and its event without allocating.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct DeviceId([u8; DEVICE_ID_LEN]);

impl DeviceId {
    /// The identifier.
    #[must_use]
    pub fn as_str(&self) -> &str {
        // Always ASCII: every way in checks its characters.
        core::str::from_utf8(&self.0).unwrap_or_default()
    }
}

// Written as the string it is, as when it held one.
impl fmt::Debug for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_tuple("DeviceId").field(&self.as_str()).finish()
    }
}

impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl TryFrom<String> for DeviceId {
    type Error = DeviceTokenError;
    fn try_from(id: String) -> Result<Self, Self::Error> {
        match <[u8; DEVICE_ID_LEN]>::try_from(id.as_bytes()) {
            Ok(bytes) if bytes.iter().all(|b| PIN_ALPHABET.contains(b)) => Ok(DeviceId(bytes)),
            _ => Err(DeviceTokenError),
        }
    }
}

impl From<DeviceId> for String {
    fn from(id: DeviceId) -> Self {
        id.as_str().to_owned()
    }
}

/// The policy's limits for trusted devices (R25a).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
#[non_exhaustive]
pub struct TrustedDevices {
    /// How many devices an account trusts at once; the oldest makes room for a new one.
    /// Default 5: a phone, a computer or two, a tablet, and one to spare, while a long list
    /// would keep forgotten devices trusted. 0 trusts none (every login is anonymous); at most
    /// [`MAX_TRUSTED_DEVICES`].
    pub max_devices: u8,
    /// Calendar days (in Rome) a device stays trusted after its last login (or the login that
    /// trusted it). Default 90: a quarter, the renewal period of an intermediary's PIN, so a
    /// device left unused for as long as a PIN lives is trusted no more. At most
    /// [`MAX_DEVICE_VALID_DAYS`].
    pub valid_days: u16,
    /// A trusted device's own delays and block. Default 1, 3, 5 and 10 s and a block at 5:
    /// the owner mistyping on their own device is slowed like anyone, and a stolen cookie
    /// gives five guesses before the device is forgotten.
    pub lockout: Lockout,
}

impl Default for TrustedDevices {
    fn default() -> Self {
        TrustedDevices {
            max_devices: 5,
            valid_days: 90,
            lockout: Lockout::new(vec![1, 3, 5, 10], 5).unwrap_or_default(),
        }
    }
}

/// What an account keeps of a trusted device: never the token, only a hash of its secret part.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct TrustedDevice {
    pub(crate) id: DeviceId,
    /// The token's secret part, hashed. 130 random bits need no slow hash: the same Argon2id
    /// code runs at its least cost, so a stolen database gives no token and a login stays fast.
    pub(crate) hash: PinHash,
    /// Its last login (or when it was trusted): it stays trusted for the policy's days after.
    #[serde(with = "crate::timestamp_serde")]
    pub(crate) last_used_at: Timestamp,
    /// The device's own lane of wrong PINs.
    pub(crate) lock: LockState,
}

impl TrustedDevice {
    /// Whether it is still trusted at `now` under `limits` (R25a).
    pub(crate) fn trusted_at(&self, now: Timestamp, limits: &TrustedDevices) -> bool {
        before_rome_days_after(now, self.last_used_at, i64::from(limits.valid_days))
    }
}

/// The bound on the devices a stored account holds.
pub(crate) struct StoredDevices;

impl crate::bounded::Bound for StoredDevices {
    const MAX: usize = MAX_TRUSTED_DEVICES as usize;
    const ITEMS: &'static str = "trusted devices";
}

/// Which count a login's failures go to (R25a).
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Lane {
    /// Every client without a valid token of this account.
    Anonymous,
    /// A client with a valid token of this account: that device's own count.
    Device(DeviceId),
}
