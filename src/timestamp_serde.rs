//! Timestamps on the wire: RFC 3339 text in human-readable formats (JSON), whole seconds and
//! nanoseconds as two integers in binary ones (postcard), so a stored account stays small.
//!
//! Used as `#[serde(with = "crate::timestamp_serde")]` on every `Timestamp` field.

use jiff::Timestamp;
use serde::de::Error as _;
use serde::{Deserialize, Deserializer, Serialize, Serializer};

pub(crate) fn serialize<S: Serializer>(
    instant: &Timestamp,
    serializer: S,
) -> Result<S::Ok, S::Error> {
    if serializer.is_human_readable() {
        instant.serialize(serializer)
    } else {
        (instant.as_second(), instant.subsec_nanosecond()).serialize(serializer)
    }
}

pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
    deserializer: D,
) -> Result<Timestamp, D::Error> {
    if deserializer.is_human_readable() {
        Timestamp::deserialize(deserializer)
    } else {
        let (second, nanosecond) = <(i64, i32)>::deserialize(deserializer)?;
        Timestamp::new(second, nanosecond).map_err(D::Error::custom)
    }
}

/// The same for `Option<Timestamp>`: `#[serde(with = "crate::timestamp_serde::option")]`.
pub(crate) mod option {
    use jiff::Timestamp;
    use serde::{Deserialize, Deserializer, Serialize, Serializer};

    #[derive(Serialize, Deserialize)]
    struct Wire(#[serde(with = "super")] Timestamp);

    // serde's `with` calls this with a reference to the field, which is an `Option`.
    #[allow(clippy::ref_option)]
    pub(crate) fn serialize<S: Serializer>(
        instant: &Option<Timestamp>,
        serializer: S,
    ) -> Result<S::Ok, S::Error> {
        instant.map(Wire).serialize(serializer)
    }

    pub(crate) fn deserialize<'de, D: Deserializer<'de>>(
        deserializer: D,
    ) -> Result<Option<Timestamp>, D::Error> {
        Ok(Option::<Wire>::deserialize(deserializer)?.map(|Wire(instant)| instant))
    }
}
