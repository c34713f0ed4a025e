//! The site's visitor settings: when a visit counts as overdue, when the kiosk signs out
//! whoever is left, and how long personal data is kept. Site data (`Author::Site`): written on
//! a standalone kiosk's admin screen, by the site hub once enrolled; last writer wins.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{FieldError, FieldErrorCode};

pub const DEFAULT_RETENTION_DAYS: u32 = 90;
pub const RETENTION_DAYS_RANGE: std::ops::RangeInclusive<u32> = 1..=3650;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct VisitorSettings {
    /// Days a visit's personal data is kept after its sign-in (1-3650).
    pub retention_days: u32,
    /// The site's end of day (`HH:MM`, site time): a visit with no expected end is overdue after it.
    pub end_of_day: String,
    /// When the kiosk signs out everyone still on site (`HH:MM`, site time); empty: never.
    pub auto_sign_out: String,
}

impl Default for VisitorSettings {
    fn default() -> Self {
        VisitorSettings {
            retention_days: DEFAULT_RETENTION_DAYS,
            end_of_day: "18:00".into(),
            auto_sign_out: "23:00".into(),
        }
    }
}

/// `HH:MM` (24-hour) as a time of day.
pub fn parse_clock(text: &str) -> Option<jiff::civil::Time> {
    let (h, m) = text.trim().split_once(':')?;
    if h.is_empty() || h.len() > 2 || m.len() != 2 {
        return None;
    }
    jiff::civil::Time::new(h.parse().ok()?, m.parse().ok()?, 0, 0).ok()
}

impl VisitorSettings {
    /// Every bad field at once.
    pub fn validate(&self) -> Result<(), Vec<FieldError>> {
        let mut errors = Vec::new();
        if !RETENTION_DAYS_RANGE.contains(&self.retention_days) {
            errors.push(FieldError::new("retention_days", FieldErrorCode::OutOfRange));
        }
        if parse_clock(&self.end_of_day).is_none() {
            errors.push(FieldError::new("end_of_day", FieldErrorCode::TimeFormat));
        }
        if !self.auto_sign_out.trim().is_empty() && parse_clock(&self.auto_sign_out).is_none() {
            errors.push(FieldError::new("auto_sign_out", FieldErrorCode::TimeFormat));
        }
        if errors.is_empty() { Ok(()) } else { Err(errors) }
    }

    pub fn end_of_day_time(&self) -> jiff::civil::Time {
        parse_clock(&self.end_of_day).unwrap_or(jiff::civil::Time::constant(18, 0, 0, 0))
    }

    pub fn auto_sign_out_time(&self) -> Option<jiff::civil::Time> {
        parse_clock(&self.auto_sign_out)
    }
}

/// The start of the site-local day `days` days before `now`: personal data of visits signed in
/// before it is purged. Whole days, so a purge run at any hour of a day removes the same visits.
pub fn retention_horizon(now: jiff::Timestamp, tz: &jiff::tz::TimeZone, days: u32) -> jiff::Timestamp {
    let today = now.to_zoned(tz.clone()).date();
    let day = today.checked_sub(jiff::Span::new().days(i64::from(days))).unwrap_or(today);
    day.to_zoned(tz.clone()).map(|z| z.timestamp()).unwrap_or(now)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_are_valid_and_bad_values_name_their_field() {
        assert!(VisitorSettings::default().validate().is_ok());
        let bad = VisitorSettings { retention_days: 0, end_of_day: "25:00".into(), auto_sign_out: "7pm".into() };
        let fields: Vec<String> = bad.validate().unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["retention_days", "end_of_day", "auto_sign_out"]);
        let never = VisitorSettings { auto_sign_out: "".into(), ..VisitorSettings::default() };
        assert!(never.validate().is_ok());
        assert_eq!(never.auto_sign_out_time(), None);
        assert_eq!(parse_clock("9:05"), Some(jiff::civil::Time::constant(9, 5, 0, 0)));
        assert_eq!(parse_clock("09:5"), None);
    }

    #[test]
    fn the_horizon_is_a_site_local_midnight() {
        let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        // 2026-03-02 09:00 Shanghai.
        let now: jiff::Timestamp = "2026-03-02T01:00:00Z".parse().unwrap();
        let horizon = retention_horizon(now, &tz, 90);
        assert_eq!(horizon.to_zoned(tz).to_string(), "2025-12-02T00:00:00+08:00[Asia/Shanghai]");
    }
}
