//! Credential expiry, pure: the "valid until" a person types, written back
//! in UTC, and how a credential stands against it now ("expires in 5h",
//! "expires soon", "expired 2d ago").
//!
//! Dates are civil UTC dates computed here (days from 1970-01-01 by Howard
//! Hinnant's algorithm), so the browser and the server agree without a
//! time library in the wasm bundle.

use serde::{Deserialize, Serialize};

use crate::domain::age::short_age;

/// How long an ECR token (`aws ecr get-login-password`) is valid.
pub const ECR_TOKEN_SECONDS: i64 = 12 * 3600;

/// The default warning thresholds: a week, then a day, before expiry.
pub const DEFAULT_WARNINGS: [i64; 2] = [7 * 86_400, 86_400];

/// How a credential with a "valid until" stands at a given time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum Expiry {
    /// Further away than every warning threshold.
    Valid {
        /// Seconds left.
        left: i64,
    },
    /// Within a warning threshold.
    Soon {
        /// Seconds left.
        left: i64,
        /// The smallest threshold crossed, in seconds (e.g. a day).
        within: i64,
    },
    /// Past its "valid until".
    Expired {
        /// Seconds since it expired.
        ago: i64,
    },
}

impl Expiry {
    /// Where a credential valid until `until` stands at `now` against the
    /// warning thresholds `warnings` (seconds before expiry, any order).
    pub fn at(until: i64, now: i64, warnings: &[i64]) -> Expiry {
        let left = until - now;
        if left <= 0 {
            return Expiry::Expired { ago: -left };
        }
        match warnings.iter().filter(|w| left <= **w).min() {
            Some(within) => Expiry::Soon {
                left,
                within: *within,
            },
            None => Expiry::Valid { left },
        }
    }

    /// A short label: "expires in 5h", "expired 2d ago".
    pub fn label(&self) -> String {
        match self {
            Expiry::Valid { left } | Expiry::Soon { left, .. } => {
                format!("expires in {}", short_age(*left))
            }
            Expiry::Expired { ago } => format!("expired {} ago", short_age(*ago)),
        }
    }

    /// "valid", "soon" or "expired", for styling and tests.
    pub fn level(&self) -> &'static str {
        match self {
            Expiry::Valid { .. } => "valid",
            Expiry::Soon { .. } => "soon",
            Expiry::Expired { .. } => "expired",
        }
    }

    /// A sort key, most urgent first: expired (longest ago first), then by
    /// time left.
    pub fn urgency(&self) -> (u8, i64) {
        match self {
            Expiry::Expired { ago } => (0, -ago),
            Expiry::Soon { left, .. } | Expiry::Valid { left } => (1, *left),
        }
    }

    /// Whether it is expired.
    pub fn is_expired(&self) -> bool {
        matches!(self, Expiry::Expired { .. })
    }
}

/// Why a typed "valid until" was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Write the date as YYYY-MM-DD or YYYY-MM-DD HH:MM (UTC), e.g. 2027-03-31 or 2027-03-31 18:00."
)]
pub struct BadDate;

/// Reads a typed "valid until": `YYYY-MM-DD` (valid through the end of that
/// day, UTC), `YYYY-MM-DD HH:MM[:SS]` or with `T`, optionally ending in `Z`
/// or an offset `±HH:MM`. Answers seconds since the Unix epoch.
pub fn parse_valid_until(text: &str) -> Result<i64, BadDate> {
    let text = text.trim();
    let (date, rest) = text.split_at(text.len().min(10));
    let days = parse_date(date).ok_or(BadDate)?;
    let rest = rest.trim_start_matches(['T', 't', ' ']);
    if rest.is_empty() {
        return Ok(days * 86_400 + 86_399);
    }
    let (time, offset) = split_offset(rest).ok_or(BadDate)?;
    let mut parts = time.split(':');
    let hour = number(parts.next(), 0..=23)?;
    let minute = number(parts.next(), 0..=59)?;
    let second = match parts.next() {
        Some(s) => number(Some(s), 0..=59)?,
        None => 0,
    };
    if parts.next().is_some() {
        return Err(BadDate);
    }
    Ok(days * 86_400 + hour * 3600 + minute * 60 + second - offset)
}

/// `until` as shown and stored: `2027-03-31T18:00:00Z`.
pub fn format_rfc3339(unix: i64) -> String {
    let (days, secs) = (unix.div_euclid(86_400), unix.rem_euclid(86_400));
    let (y, m, d) = civil_from_days(days);
    format!(
        "{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}Z",
        secs / 3600,
        secs % 3600 / 60,
        secs % 60
    )
}

/// `until` for people: `2027-03-31 18:00 UTC`.
pub fn format_utc(unix: i64) -> String {
    let text = format_rfc3339(unix);
    format!("{} {} UTC", &text[..10], &text[11..16])
}

fn number(part: Option<&str>, range: std::ops::RangeInclusive<i64>) -> Result<i64, BadDate> {
    let part = part.ok_or(BadDate)?;
    if part.len() != 2 || !part.bytes().all(|b| b.is_ascii_digit()) {
        return Err(BadDate);
    }
    let n: i64 = part.parse().map_err(|_| BadDate)?;
    range.contains(&n).then_some(n).ok_or(BadDate)
}

/// The time and the offset in seconds east of UTC.
fn split_offset(rest: &str) -> Option<(&str, i64)> {
    if let Some(time) = rest.strip_suffix(['Z', 'z']) {
        return Some((time, 0));
    }
    match rest.rfind(['+', '-']) {
        Some(i) => {
            let sign = if rest.as_bytes()[i] == b'-' { -1 } else { 1 };
            let (h, m) = rest[i + 1..].split_once(':')?;
            let h = number(Some(h), 0..=23).ok()?;
            let m = number(Some(m), 0..=59).ok()?;
            Some((&rest[..i], sign * (h * 3600 + m * 60)))
        }
        None => Some((rest, 0)),
    }
}

fn parse_date(date: &str) -> Option<i64> {
    let b = date.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |s: &str| {
        s.bytes()
            .all(|c| c.is_ascii_digit())
            .then(|| s.parse::<i64>().ok())?
    };
    let (y, m, d) = (
        digits(&date[..4])?,
        digits(&date[5..7])?,
        digits(&date[8..])?,
    );
    if !(1..=12).contains(&m) || d < 1 || d > days_in_month(y, m) {
        return None;
    }
    Some(days_from_civil(y, m, d))
}

fn days_in_month(y: i64, m: i64) -> i64 {
    match m {
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        4 | 6 | 9 | 11 => 30,
        _ => 31,
    }
}

fn days_from_civil(y: i64, m: i64, d: i64) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i64, i64, i64) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    (yoe + era * 400 + i64::from(m <= 2), m, d)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn dates_read_as_utc() {
        assert_eq!(parse_valid_until("1970-01-01 00:00"), Ok(0));
        assert_eq!(parse_valid_until("1970-01-01"), Ok(86_399));
        // `date -u -d 2027-03-31T18:00:00Z +%s`
        assert_eq!(parse_valid_until("2027-03-31T18:00:00Z"), Ok(1_806_516_000));
        assert_eq!(parse_valid_until("2027-03-31 18:00"), Ok(1_806_516_000));
        assert_eq!(
            parse_valid_until("2027-03-31T20:00+02:00"),
            Ok(1_806_516_000)
        );
        assert_eq!(
            parse_valid_until("2027-03-31T13:30-04:30"),
            Ok(1_806_516_000)
        );
        assert_eq!(parse_valid_until("2028-02-29"), Ok(1_835_481_599));
    }

    #[test]
    fn bad_dates_are_refused() {
        for bad in [
            "",
            "tomorrow",
            "2027-02-29",
            "2027-13-01",
            "2027-3-1",
            "2027-03-31 24:00",
            "2027-03-31 18",
            "2027-03-31 18:00:00:00",
            "31/03/2027",
        ] {
            assert_eq!(parse_valid_until(bad), Err(BadDate), "{bad:?}");
        }
    }

    #[test]
    fn formatting_round_trips() {
        for unix in [
            0,
            86_399,
            951_782_400,
            1_806_516_000,
            4_102_444_800,
            -86_400,
        ] {
            assert_eq!(parse_valid_until(&format_rfc3339(unix)), Ok(unix));
        }
        assert_eq!(format_utc(1_806_516_000), "2027-03-31 18:00 UTC");
        assert_eq!(format_rfc3339(951_782_400), "2000-02-29T00:00:00Z");
    }

    #[test]
    fn standing_against_the_thresholds() {
        let w = DEFAULT_WARNINGS;
        assert_eq!(Expiry::at(100, 100, &w), Expiry::Expired { ago: 0 });
        assert_eq!(Expiry::at(100, 7300, &w).label(), "expired 2h ago");
        let left = 30 * 86_400;
        assert_eq!(Expiry::at(left, 0, &w), Expiry::Valid { left });
        assert_eq!(Expiry::at(left, 0, &w).label(), "expires in 30d");
        assert_eq!(
            Expiry::at(3 * 86_400, 0, &w),
            Expiry::Soon {
                left: 3 * 86_400,
                within: 7 * 86_400
            }
        );
        assert_eq!(
            Expiry::at(ECR_TOKEN_SECONDS, 0, &w),
            Expiry::Soon {
                left: ECR_TOKEN_SECONDS,
                within: 86_400
            }
        );
        assert_eq!(Expiry::at(ECR_TOKEN_SECONDS, 0, &[]).level(), "valid");
    }
}
