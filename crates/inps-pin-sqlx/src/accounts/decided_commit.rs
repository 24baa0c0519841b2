//! A decided command's commit, through a database outage: its Argon2 has run and its answer
//! is known, so it waits for the database to come back rather than answer "unavailable" and
//! have its client send it, and run it, again.

use crate::accounts::Accounts;
use crate::commit::{Commit, Write};
use crate::error::StoreError;
use crate::outage::Entry;

impl Accounts {
    /// Commits a decided command, through a database outage: its Argon2 has run and its
    /// answer is known, so rather than answer "unavailable" it waits for the outage to end
    /// (up to the patience, [`Accounts::with_outage_patience`]) and commits then.
    ///
    /// A commit cut short by the database going away may have been written. Before it is
    /// tried again, the store is asked: the command's events at their versions (or, for a
    /// commit of a session alone, its session) mean it was, and it is not written twice.
    /// Otherwise the compare-and-swap decides as for any commit.
    pub(super) async fn commit_decided(&self, write: &Write<'_>) -> Result<Commit, StoreError> {
        let give_up = tokio::time::Instant::now() + self.outage_patience;
        let mut cut_short = false;
        loop {
            let entry = match self.outage.enter(self.clock.now()) {
                Entry::Refused => self
                    .outage
                    .reentry(&*self.clock, give_up)
                    .await
                    .ok_or(StoreError::Outage)?,
                entry => entry,
            };
            let committed = if cut_short {
                match self.written(write).await {
                    Ok(true) => Ok(Commit::Written),
                    Ok(false) => self.store.commit(std::slice::from_ref(write)).await,
                    Err(error) => Err(error),
                }
            } else {
                self.store.commit(std::slice::from_ref(write)).await
            };
            match committed {
                Ok(written) => {
                    if let Entry::Probe(probe) = entry {
                        probe.reachable();
                    }
                    return Ok(written);
                }
                Err(error) if error.is_unavailable() => {
                    self.outage.open_at(self.clock.now());
                    cut_short = true;
                    tracing::warn!(%error, "a decided command's commit was cut short: it waits for the database");
                }
                Err(error) => return Err(error),
            }
        }
    }

    /// Whether a write cut short reached the store: its events stand at their versions, or
    /// (a write of a session alone) its session exists.
    async fn written(&self, write: &Write<'_>) -> Result<bool, StoreError> {
        let codice_fiscale = write.next.codice_fiscale();
        if write.events.is_empty() {
            return Ok(match &write.new_session {
                Some(session) => self.store.session(session.token_hash).await?.is_some(),
                None => false,
            });
        }
        let stored = self.store.events(codice_fiscale).await?;
        let from = usize::try_from(write.read.version()).map_err(|_| StoreError::Overflow)?;
        Ok(stored
            .get(from..)
            .is_some_and(|after| after.starts_with(write.events)))
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use inps_pin::testing::Cast;
    use inps_pin::{
        Account, ChannelRequest, CodiceFiscale, Command, DigitalIdentity, Event, HashCost, Policy,
        Session,
    };
    use jiff::Timestamp;

    use super::*;
    use crate::commit::NewSession;
    use crate::testing::{self, Scratch};
    use crate::{
        Entropy, ManualClock, OutboxKey, OutboxKeys, PersonalDataKey, PersonalDataKeys, Store,
    };

    fn t0() -> Timestamp {
        "2027-04-01T08:00:00Z".parse().unwrap()
    }

    fn cf() -> CodiceFiscale {
        Cast::mario().unwrap().owner.codice_fiscale()
    }

    async fn accounts(dir: &Scratch) -> Accounts {
        let master =
            PersonalDataKeys::new(PersonalDataKey::from_hex("m", &"4d".repeat(32)).unwrap());
        let store = Store::connect(&dir.sqlite_url("cut.db"), master)
            .await
            .unwrap();
        let keys = OutboxKeys::new(OutboxKey::from_hex("k", &"3c".repeat(32)).unwrap());
        Accounts::new(
            store,
            Policy::default().with_hash_cost(HashCost::CHEAP),
            keys,
        )
        .unwrap()
        .with_clock(Arc::new(ManualClock::fixed(t0())))
        .with_entropy(Entropy::seeded(11))
    }

    /// Mario's request for a PIN online, his residence vouched for by the archive.
    fn request_pin() -> Command {
        let cast = Cast::mario().unwrap();
        Command::RequestPin {
            archive: cast.archive_of(&cast.owner, t0()),
            person: cast.owner,
            channel: ChannelRequest::Online,
        }
    }

    /// `read` after Mario's request, a PIN drawn from the accounts' generator.
    fn requested(accounts: &Accounts, read: &Account) -> (Account, Vec<Event>) {
        let mut rng = accounts.entropy.generator();
        testing::decided(read, request_pin(), t0(), &accounts.policy, &mut rng)
    }

    #[tokio::test]
    async fn a_commit_cut_short_is_found_written_by_its_events_at_their_versions() {
        let dir = Scratch::new("decided-commit", "events");
        let accounts = accounts(&dir).await;
        let read = Account::new(cf());
        let (next, events) = requested(&accounts, &read);
        let ours = testing::write_of_events(&read, &next, &events, t0());
        assert!(!accounts.written(&ours).await.unwrap(), "not yet");
        let committed = accounts.store.commit(std::slice::from_ref(&ours)).await;
        assert_eq!(committed.unwrap(), Commit::Written);
        assert!(
            accounts.written(&ours).await.unwrap(),
            "written: not to write again"
        );

        // Another decision on the same read (another PIN drawn): the versions it would take
        // hold events that are not its own, so it was not written, and its commit would lose
        // the compare-and-swap.
        let (theirs_next, theirs_events) = requested(&accounts, &read);
        assert_ne!(theirs_events, events);
        let theirs = testing::write_of_events(&read, &theirs_next, &theirs_events, t0());
        assert!(!accounts.written(&theirs).await.unwrap());
        let committed = accounts.store.commit(std::slice::from_ref(&theirs)).await;
        assert_eq!(committed.unwrap(), Commit::LostRace);
    }

    #[tokio::test]
    async fn a_commit_cut_short_that_opens_a_session_alone_is_found_written_by_its_session() {
        let dir = Scratch::new("decided-commit", "session");
        let accounts = accounts(&dir).await;
        let account = Account::new(cf());
        let since = accounts.policy.digital_identity_dispositivo_since;
        let session = Session::from_digital_identity(cf(), DigitalIdentity::Cie, t0(), since);
        let token_hash = "5e".repeat(32);
        let opening = NewSession {
            token_hash: &token_hash,
            session: &session,
            expires_at: t0(),
        };
        let ours = Write {
            new_session: Some(opening),
            ..testing::write_of_events(&account, &account, &[], t0())
        };
        assert!(!accounts.written(&ours).await.unwrap(), "not yet");
        let committed = accounts.store.commit(std::slice::from_ref(&ours)).await;
        assert_eq!(committed.unwrap(), Commit::Written);
        assert!(accounts.written(&ours).await.unwrap());
        // Nothing to look for: a write of nothing was never cut short of anything.
        let nothing = testing::write_of_events(&account, &account, &[], t0());
        assert!(!accounts.written(&nothing).await.unwrap());
    }
}
