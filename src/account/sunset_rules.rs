//! The sunset's rules as the account's checks apply them (R22a): no PIN works after the
//! retirement, and after the cut-off new PINs go only to minors and the exempt.

use jiff::Timestamp;
use jiff::ToSpan;
use jiff::civil::Date;

use crate::account::phase::retired_since;
use crate::account::refusal::Refusal;
use crate::civil_time::{rome_date, rome_start_of_day};
use crate::person::Person;
use crate::policy::Policy;

/// R22a: after the retirement no PIN works.
pub(crate) fn sunset_allows_use(policy: &Policy, now: Timestamp) -> Result<(), Refusal> {
    match retired_since(policy, now) {
        Some(since) => Err(Refusal::PinsRetired { since }),
        None => Ok(()),
    }
}

/// R22a: after the cut-off a new PIN goes only to minors and to the exempt.
pub(crate) fn sunset_allows_new_pin(
    policy: &Policy,
    person: &Person,
    now: Timestamp,
) -> Result<(), Refusal> {
    sunset_allows_use(policy, now)?;
    let Some(sunset) = policy.sunset else {
        return Ok(());
    };
    if now < rome_start_of_day(sunset.no_new_pins_from) {
        return Ok(());
    }
    if person.sunset_exemption().is_some() || is_minor(person, rome_date(now)) {
        return Ok(());
    }
    Err(Refusal::NewPinsDiscontinued {
        since: sunset.no_new_pins_from,
    })
}

/// Under 18 on `today`, by the birth date in the codice fiscale (its century read as the
/// latest that is not in the future). A temporary code has no birth date: its holder is not
/// taken for a minor, and may declare an exemption like anyone else.
fn is_minor(person: &Person, today: Date) -> bool {
    person
        .codice_fiscale()
        .birth_date(today)
        .and_then(|birth| birth.checked_add(18.years()).ok())
        .is_some_and(|adulthood| today < adulthood)
}
