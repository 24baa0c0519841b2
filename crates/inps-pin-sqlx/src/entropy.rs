//! Where each command's random generator comes from: the operating system, or a seed.

use std::sync::Mutex;

use inps_pin::rand_core::{Rng, SeedableRng};
use rand_chacha::ChaCha20Rng;

/// The source of the per-command generators.
///
/// Each command gets a fresh ChaCha20 generator seeded from the source: it moves to the
/// deciding thread with the command, and no lock is held while Argon2 runs.
#[derive(Debug)]
pub enum Entropy {
    /// The operating system's generator (`getrandom`): what a service uses.
    Os,
    /// A seeded generator: repeatable tests and simulations, never a service.
    Seeded(Box<Mutex<ChaCha20Rng>>),
}

impl Entropy {
    /// A seeded source, for tests.
    #[must_use]
    pub fn seeded(seed: u64) -> Entropy {
        Entropy::Seeded(Box::new(Mutex::new(ChaCha20Rng::seed_from_u64(seed))))
    }

    /// A fresh generator for one command.
    #[must_use]
    pub fn generator(&self) -> ChaCha20Rng {
        let mut seed = [0u8; 32];
        match self {
            Entropy::Os => inps_pin::rand_core::UnwrapErr(getrandom::SysRng).fill_bytes(&mut seed),
            Entropy::Seeded(master) => match master.lock() {
                Ok(mut master) => master.fill_bytes(&mut seed),
                Err(poisoned) => poisoned.into_inner().fill_bytes(&mut seed),
            },
        }
        ChaCha20Rng::from_seed(seed)
    }
}
