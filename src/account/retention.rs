//! How long the person's data is kept once the account has no live PIN (R36): the deadline a
//! tick erases it at.

use jiff::Timestamp;

use crate::account::{Account, Stage};
use crate::civil_time::{add_rome_days, rome_start_of_day};
use crate::policy::Policy;

impl Account {
    /// Whether the account's record holds the person's data (R36): in the account, or split
    /// off its facts and kept apart by the service ([`Account::split`]). `false` before any
    /// request and once erased; the facts alone say the same as the whole account, so a
    /// service can tell from them whether it keeps a key for this person.
    ///
    /// A PIN comes with the person who requested it and an erasure ends it, so a PIN or a
    /// revocation whose data was not erased yet means personal data is held.
    #[must_use]
    pub fn holds_personal_data(&self) -> bool {
        self.person.is_some() || self.pin.is_some() || self.revoked_at.is_some()
    }

    /// When the PIN stopped, or will stop, being live (R36): revoked, lapsed unused (R9),
    /// expired (R20), or retired by the sunset (R22a), whichever comes first. A block does not
    /// end it: a restore gives it back. `None` without a PIN and without a known revocation (a
    /// cached account of a format before 3 does not know when its PIN was revoked).
    fn pin_ends_at(&self, policy: &Policy) -> Option<Timestamp> {
        let Some(record) = &self.pin else {
            return self.revoked_at;
        };
        let own_end = match &record.stage {
            Stage::AwaitingFirstAccess(first) => first.lapses_at,
            Stage::Active(active) => active.expires_at,
        };
        Some(
            policy
                .sunset
                .map(|sunset| rome_start_of_day(sunset.retired_from))
                .map_or(own_end, |retired| own_end.min(retired)),
        )
    }

    /// When the person's data is erased (R36): the policy's retention days (Rome calendar days)
    /// after the PIN stopped being live. `None` when the policy keeps the data until an erasure
    /// on request, and when no personal data is held.
    pub(crate) fn retention_deadline(&self, policy: &Policy) -> Option<Timestamp> {
        let days = policy.personal_data_retention_days?;
        if !self.holds_personal_data() {
            return None;
        }
        let ended = self.pin_ends_at(policy)?;
        Some(add_rome_days(ended, i64::from(days)))
    }

    /// The earlier of `pin_deadline` (one of the PIN's own) and the retention deadline. The
    /// retention deadline never comes before the PIN's end, so a PIN deadline no later than
    /// that end is the answer without the calendar arithmetic.
    pub(super) fn earliest_with_retention(
        &self,
        pin_deadline: Option<Timestamp>,
        policy: &Policy,
    ) -> Option<Timestamp> {
        match (pin_deadline, self.pin_ends_at(policy)) {
            (Some(due), Some(ends)) if due <= ends => Some(due),
            _ => match (pin_deadline, self.retention_deadline(policy)) {
                (Some(due), Some(retention)) => Some(due.min(retention)),
                (due, retention) => due.or(retention),
            },
        }
    }
}
