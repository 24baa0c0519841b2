//! Lists read from storage or configuration with a hard bound on their length (R32, R35).
//!
//! Stored data is not trusted: a cached account is a cache, and whoever can write the cache can
//! write an account with twenty thousand trusted devices, each checked at every login that
//! presents a token. Every list a stored form holds is therefore read through [`vec`], which
//! refuses, with a serde error, a list longer than the most the crate ever keeps there, before
//! reading (or allocating room for) any item past the bound.

use core::fmt;
use core::marker::PhantomData;

use serde::de::{self, SeqAccess, Visitor};
use serde::{Deserialize, Deserializer};

/// A kind of list with its bound: how many items the crate ever keeps in it, and what they are
/// called in the error.
pub(crate) trait Bound {
    /// The most items a list of this kind may hold.
    const MAX: usize;
    /// What the items are, in the plural, for the error ("trusted devices").
    const ITEMS: &'static str;
}

/// Reads a list of at most `B::MAX` items.
///
/// # Errors
/// A serde error naming the items and the bound when the list holds more, raised at the first
/// item past the bound; the errors of the items themselves otherwise.
pub(crate) fn vec<'de, D, T, B>(deserializer: D) -> Result<Vec<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
    B: Bound,
{
    deserializer.deserialize_seq(BoundedVisitor::<T, B>(PhantomData))
}

struct BoundedVisitor<T, B>(PhantomData<(T, B)>);

impl<'de, T: Deserialize<'de>, B: Bound> Visitor<'de> for BoundedVisitor<T, B> {
    type Value = Vec<T>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "a list of at most {} {}", B::MAX, B::ITEMS)
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Vec<T>, A::Error> {
        // Room for what the input announces, never for more than the bound.
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0).min(B::MAX));
        while let Some(item) = seq.next_element()? {
            if items.len() == B::MAX {
                return Err(de::Error::custom(TooMany::<B>(PhantomData)));
            }
            items.push(item);
        }
        Ok(items)
    }
}

/// The error for a list past its bound.
struct TooMany<B>(PhantomData<B>);

impl<B: Bound> fmt::Display for TooMany<B> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "the stored list holds more than {} {}, more than the crate ever keeps there: the \
             stored data is damaged or was tampered with (for a cached account, rebuild it \
             from its events with Account::replay)",
            B::MAX,
            B::ITEMS
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Three;
    impl Bound for Three {
        const MAX: usize = 3;
        const ITEMS: &'static str = "numbers";
    }

    #[derive(Debug, Deserialize)]
    struct Holder {
        #[serde(deserialize_with = "vec::<_, _, Three>")]
        items: Vec<u32>,
    }

    #[test]
    fn r35_a_list_up_to_its_bound_loads_and_one_past_it_is_refused_naming_the_bound() {
        let loaded: Result<Holder, _> = serde_json::from_str(r#"{"items":[1,2,3]}"#);
        assert_eq!(loaded.map(|holder| holder.items).ok(), Some(vec![1, 2, 3]));
        let refused = serde_json::from_str::<Holder>(r#"{"items":[1,2,3,4]}"#)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(refused.contains("more than 3 numbers"), "{refused}");
    }

    #[test]
    fn r35_a_list_past_its_bound_is_refused_before_its_later_items_are_read() {
        // The fifth item is not even a number: the error is the bound's, raised first.
        let refused = serde_json::from_str::<Holder>(r#"{"items":[1,2,3,4,"x"]}"#)
            .err()
            .map(|error| error.to_string())
            .unwrap_or_default();
        assert!(refused.contains("more than 3 numbers"), "{refused}");
    }
}
