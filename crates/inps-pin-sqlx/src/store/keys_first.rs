//! On SQLite, the person keys' file is written before the main file (R36): a new person's key
//! is on disk before any data sealed under it, and an erased person's key is gone before the
//! erasure is recorded.
//!
//! SQLite commits a transaction over attached files in WAL mode atomically in each file, not
//! across them, the main file first. Were a key written in the command's one transaction, a
//! crash between the two files could leave data sealed under a key never stored (the person's
//! data lost), or an erasure recorded beside the key it was to destroy. So each key change is
//! committed first, alone, in the keys file, whose commits wait for the disk
//! (`synchronous = FULL`); the command's transaction follows. A crash between the two leaves a
//! key with nothing sealed under it yet, which the person's next write finds and uses, or a key
//! gone whose erasure is not recorded yet: the data is unreadable, the account loads its facts
//! alone, and the erasure runs again, on request or at the retention deadline its facts still
//! give. A command that then loses the compare-and-swap leaves the same, and is decided again.
//! A key left unused, its person never back, is deleted once no command can still be about to
//! seal under it ([`Store::purge_unused_keys`]). PostgreSQL writes everything in one
//! transaction.

use jiff::{SignedDuration, Timestamp};

use crate::commit::{Commit, Keying, Write};
use crate::error::StoreError;
use crate::store::Store;

impl Store {
    /// How old a key with nothing sealed under it must be before
    /// [`Store::purge_unused_keys`] deletes it: far longer than a command takes from storing
    /// its person's key to its own transaction, retries included.
    pub const UNUSED_KEY_GRACE: SignedDuration = SignedDuration::from_hours(1);

    /// Deletes the person keys stored before `now` less [`Store::UNUSED_KEY_GRACE`] whose
    /// person has no event: keys a crash or a lost race left between the keys file and the
    /// command's transaction (R36: no key outlives the purpose it was made for). Returns how
    /// many.
    ///
    /// # Errors
    /// [`StoreError`] if the database fails.
    pub async fn purge_unused_keys(&self, now: Timestamp) -> Result<u64, StoreError> {
        // Near the earliest instant there is no key old enough.
        let before = now
            .checked_sub(Store::UNUSED_KEY_GRACE)
            .unwrap_or(Timestamp::MIN);
        let done = sqlx::query(
            "DELETE FROM person_keys WHERE created_at < $1 AND NOT EXISTS
             (SELECT 1 FROM events WHERE events.codice_fiscale = person_keys.codice_fiscale)",
        )
        .bind(before.as_millisecond())
        .execute(self.pool())
        .await?;
        Ok(done.rows_affected())
    }

    /// Commits, in the keys file alone, the keys these writes create and delete; a created key
    /// is a stored one for the transaction that follows. `Some(Commit::LostRace)`: another
    /// writer stored a key for one of these people first, so the write is to be decided again
    /// (its next load finds that key); the command's rows were not written.
    pub(super) async fn commit_keys_first(
        &self,
        writes: &[Write<'_>],
        keyings: &mut [Keying<'_>],
    ) -> Result<Option<Commit>, StoreError> {
        for (write, keying) in writes.iter().zip(keyings.iter_mut()) {
            let codice_fiscale = write.next.codice_fiscale();
            *keying = match std::mem::replace(keying, Keying::Nothing) {
                Keying::Fresh(key, wrapped) => {
                    let stored = sqlx::query(
                        "INSERT INTO person_keys (codice_fiscale, key_id, wrapped, created_at)
                         VALUES ($1, $2, $3, $4) ON CONFLICT (codice_fiscale) DO NOTHING",
                    )
                    .bind(codice_fiscale.as_str())
                    .bind(wrapped.key_id.as_str())
                    .bind(wrapped.bytes.as_slice())
                    .bind(write.now.as_millisecond())
                    .execute(self.pool())
                    .await?;
                    if stored.rows_affected() == 0 {
                        return Ok(Some(Commit::LostRace));
                    }
                    Keying::Found(key)
                }
                Keying::Erase { legacy } => {
                    sqlx::query("DELETE FROM person_keys WHERE codice_fiscale = $1")
                        .bind(codice_fiscale.as_str())
                        .execute(self.pool())
                        .await?;
                    Keying::Erase { legacy }
                }
                unchanged => unchanged,
            };
        }
        Ok(None)
    }
}

#[cfg(test)]
mod tests {
    use inps_pin::Account;
    use inps_pin::testing::Cast;
    use sqlx::Row as _;

    use super::*;
    use crate::testing::{self, Scratch};
    use crate::{Entropy, PersonKey, PersonalDataKey, PersonalDataKeys};

    /// Two writers gave one new person a key each: the second to store it loses the race, and
    /// the first's key stays, so that nothing is sealed under a key that is not stored.
    #[tokio::test]
    async fn r36_a_key_stored_first_by_another_writer_makes_this_write_a_lost_race() {
        let dir = Scratch::new("keys-first", "race");
        let master =
            || PersonalDataKeys::new(PersonalDataKey::from_hex("m", &"4d".repeat(32)).unwrap());
        let store = Store::connect(&dir.sqlite_url("race.db"), master())
            .await
            .unwrap();
        let master = master();
        let codice_fiscale = Cast::mario().unwrap().owner.codice_fiscale();
        let account = Account::new(codice_fiscale);
        let now = "2027-04-01T08:00:00Z".parse().unwrap();
        let write = testing::write_of_events(&account, &account, &[], now);
        let mut rng = Entropy::seeded(3).generator();
        let wrapped_of = |keying: &Keying<'_>| match keying {
            Keying::Fresh(_, wrapped) => wrapped.bytes.clone(),
            _ => panic!("a fresh key"),
        };
        let mut fresh = || {
            let (key, wrapped) = PersonKey::generate(&master, codice_fiscale.as_str(), &mut rng);
            Keying::Fresh(key, wrapped)
        };
        let mut first = [fresh()];
        let first_bytes = wrapped_of(&first[0]);
        let mut second = [fresh()];
        let write = std::slice::from_ref(&write);

        assert_eq!(
            store.commit_keys_first(write, &mut first).await.unwrap(),
            None
        );
        assert!(matches!(first[0], Keying::Found(_)), "stored: sealed under");
        assert_eq!(
            store.commit_keys_first(write, &mut second).await.unwrap(),
            Some(Commit::LostRace)
        );
        let stored: Vec<u8> = sqlx::query("SELECT wrapped FROM person_keys")
            .fetch_one(store.pool())
            .await
            .unwrap()
            .try_get(0)
            .unwrap();
        assert_eq!(stored, first_bytes, "the first writer's key");
    }
}
