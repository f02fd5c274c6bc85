//! Wall-clock time for evidence: UTC, RFC 3339, and always with its source.
//!
//! Every time sigillo writes says where it came from. The local clock is `local`;
//! a trusted timestamp authority's time lives in the RFC 3161 tokens, never here.
//! For reproducible tests and demos the clock can be pinned with `SIGILLO_NOW`
//! (an RFC 3339 time); manifests then say `clock: "override"` so such a bundle can
//! never pass for a real-time acquisition.

use chrono::{DateTime, SecondsFormat, Utc};

/// Environment variable that pins the clock (tests and demos only).
pub const NOW_ENV: &str = "SIGILLO_NOW";

/// A moment, with the clock it was read from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Stamp {
    /// The instant, in UTC.
    pub at: DateTime<Utc>,
    /// Where the time came from.
    pub clock: Clock,
}

/// Which clock a [`Stamp`] was read from.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, serde::Serialize, serde::Deserialize, schemars::JsonSchema,
)]
#[serde(rename_all = "lowercase")]
pub enum Clock {
    /// The local system clock (untrusted: whoever controls the machine sets it).
    Local,
    /// Pinned by `SIGILLO_NOW` (tests, demos): not a real acquisition time.
    Override,
}

impl Clock {
    /// The name written into manifests and custody entries.
    pub fn as_str(self) -> &'static str {
        match self {
            Clock::Local => "local",
            Clock::Override => "override",
        }
    }
}

impl Stamp {
    /// The current time (or the pinned time when `SIGILLO_NOW` is set and valid).
    pub fn now() -> Stamp {
        if let Ok(v) = std::env::var(NOW_ENV)
            && let Ok(t) = DateTime::parse_from_rfc3339(v.trim())
        {
            return Stamp {
                at: t.with_timezone(&Utc),
                clock: Clock::Override,
            };
        }
        Stamp {
            at: Utc::now(),
            clock: Clock::Local,
        }
    }

    /// RFC 3339 in UTC with millisecond precision, e.g. `2026-11-22T10:04:05.123Z`.
    pub fn rfc3339(&self) -> String {
        rfc3339(&self.at)
    }
}

/// Format a UTC instant the way sigillo writes all times.
pub fn rfc3339(t: &DateTime<Utc>) -> String {
    t.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Parse a time written by sigillo (or any RFC 3339 time) into UTC.
pub fn parse(s: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(s)
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Serde for times as sigillo writes them: RFC 3339 UTC with milliseconds and `Z`.
///
/// Reading accepts any RFC 3339 time; the strict readers re-serialise and compare, so a
/// time written in another form is reported rather than silently normalised.
pub mod rfc3339_millis {
    use chrono::{DateTime, Utc};
    use serde::{Deserialize, Deserializer, Serializer};

    /// Serialise as `2026-11-22T10:04:05.123Z`.
    pub fn serialize<S: Serializer>(t: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::rfc3339(t))
    }

    /// Parse any RFC 3339 time into UTC.
    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let s = String::deserialize(d)?;
        super::parse(&s).ok_or_else(|| {
            serde::de::Error::custom(format!(
                "'{}' is not an RFC 3339 time",
                crate::text::clip(&s, 40)
            ))
        })
    }
}
