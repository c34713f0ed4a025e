//! The monthly alert report: how many alerts, how many were false alarms (per trigger, so a
//! site sees which way of raising misfires), and how fast guards acknowledged. Drills are
//! counted apart, each with its time to acknowledge.

use serde::{Deserialize, Serialize};
use strum::IntoEnumIterator;
use ts_rs::TS;

use super::{AlertKind, AlertOutcome, AlertRecord, AlertState, AlertTrigger};
use crate::ids::AlertId;

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AckStats {
    pub acknowledged: u32,
    /// Raised in the month and never acknowledged (still open, cancelled, or resolved by the hub).
    pub unacknowledged: u32,
    #[ts(type = "number | null")]
    pub median_seconds: Option<i64>,
    #[ts(type = "number | null")]
    pub p90_seconds: Option<i64>,
    #[ts(type = "number | null")]
    pub max_seconds: Option<i64>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct KindRow {
    pub kind: AlertKind,
    pub alerts: u32,
    pub real: u32,
    pub false_alarms: u32,
    pub cancelled: u32,
    /// Not resolved or cancelled yet.
    pub open: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct TriggerRow {
    pub trigger: AlertTrigger,
    pub alerts: u32,
    pub false_alarms: u32,
    pub cancelled: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct DrillRow {
    pub id: AlertId,
    pub kind: AlertKind,
    #[ts(type = "string")]
    pub raised_at: jiff::Timestamp,
    pub desk: String,
    #[ts(type = "number | null")]
    pub seconds_to_ack: Option<i64>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct AlertReport {
    /// `YYYY-MM`, in the site's time zone.
    pub month: String,
    pub timezone: String,
    /// Alerts raised in the month, drills not counted.
    pub alerts: u32,
    pub false_alarms: u32,
    pub cancelled: u32,
    pub by_kind: Vec<KindRow>,
    pub by_trigger: Vec<TriggerRow>,
    pub time_to_ack: AckStats,
    pub drills: Vec<DrillRow>,
    pub drill_time_to_ack: AckStats,
}

/// `YYYY-MM` → (year, month).
pub fn parse_month(text: &str) -> Option<(i16, i8)> {
    let (y, m) = text.trim().split_once('-')?;
    if y.len() != 4 || m.len() != 2 {
        return None;
    }
    let (year, month) = (y.parse::<i16>().ok()?, m.parse::<i8>().ok()?);
    jiff::civil::Date::new(year, month, 1).ok()?;
    Some((year, month))
}

fn stats(mut seconds: Vec<i64>, unacknowledged: u32) -> AckStats {
    seconds.sort_unstable();
    // Nearest rank: the smallest value with at least q of the values at or below it.
    let rank = |q: f64| -> Option<i64> {
        if seconds.is_empty() {
            return None;
        }
        let i = ((q * seconds.len() as f64).ceil() as usize).clamp(1, seconds.len()) - 1;
        Some(seconds[i])
    };
    AckStats {
        acknowledged: seconds.len() as u32,
        unacknowledged,
        median_seconds: rank(0.5),
        p90_seconds: rank(0.9),
        max_seconds: seconds.last().copied(),
    }
}

/// The report for `year`-`month` in `tz` over `records` (any set; those raised in other months
/// and placeholders are skipped).
pub fn monthly_report<'a>(
    records: impl IntoIterator<Item = &'a AlertRecord>,
    tz: &jiff::tz::TimeZone,
    timezone: &str,
    year: i16,
    month: i8,
) -> AlertReport {
    let in_month = |t: jiff::Timestamp| {
        let date = t.to_zoned(tz.clone()).date();
        date.year() == year && date.month() == month
    };
    let mut by_kind: Vec<KindRow> = AlertKind::iter()
        .map(|kind| KindRow { kind, alerts: 0, real: 0, false_alarms: 0, cancelled: 0, open: 0 })
        .collect();
    let mut by_trigger: Vec<TriggerRow> =
        AlertTrigger::iter().map(|trigger| TriggerRow { trigger, alerts: 0, false_alarms: 0, cancelled: 0 }).collect();
    let (mut acked, mut unacked) = (Vec::new(), 0u32);
    let (mut drill_acked, mut drill_unacked) = (Vec::new(), 0u32);
    let mut drills = Vec::new();
    let mut report =
        AlertReport { month: format!("{year:04}-{month:02}"), timezone: timezone.to_owned(), ..Default::default() };
    for record in records {
        let Some(raised) = record.raise() else { continue };
        if !in_month(raised.raised_at) {
            continue;
        }
        let to_ack = record.seconds_to_ack();
        if raised.drill {
            drills.push(DrillRow {
                id: record.id,
                kind: raised.kind,
                raised_at: raised.raised_at,
                desk: raised.source.device_name.clone(),
                seconds_to_ack: to_ack,
            });
            match to_ack {
                Some(s) => drill_acked.push(s),
                None => drill_unacked += 1,
            }
            continue;
        }
        let state = record.state();
        let false_alarm = record.outcome() == Some(AlertOutcome::FalseAlarm);
        let cancelled = state == AlertState::Cancelled;
        report.alerts += 1;
        report.false_alarms += u32::from(false_alarm);
        report.cancelled += u32::from(cancelled);
        if let Some(row) = by_kind.iter_mut().find(|r| r.kind == raised.kind) {
            row.alerts += 1;
            row.real += u32::from(record.outcome() == Some(AlertOutcome::Real));
            row.false_alarms += u32::from(false_alarm);
            row.cancelled += u32::from(cancelled);
            row.open += u32::from(!record.ended());
        }
        if let Some(row) = by_trigger.iter_mut().find(|r| r.trigger == raised.trigger) {
            row.alerts += 1;
            row.false_alarms += u32::from(false_alarm);
            row.cancelled += u32::from(cancelled);
        }
        match to_ack {
            Some(s) => acked.push(s),
            None => unacked += 1,
        }
    }
    drills.sort_by_key(|d| (d.raised_at, d.id));
    report.by_kind = by_kind.into_iter().filter(|r| r.alerts > 0).collect();
    report.by_trigger = by_trigger.into_iter().filter(|r| r.alerts > 0).collect();
    report.time_to_ack = stats(acked, unacked);
    report.drill_time_to_ack = stats(drill_acked, drill_unacked);
    report.drills = drills;
    report
}

#[cfg(test)]
mod tests {
    use super::super::*;
    use super::*;
    use crate::hlc::Hlc;
    use crate::i18n::Localized;
    use crate::ids::DeviceId;
    use crate::op::OpBody;

    fn record(
        kind: AlertKind,
        trigger: AlertTrigger,
        drill: bool,
        at: &str,
        ack_after: Option<i64>,
        outcome: Option<AlertOutcome>,
    ) -> AlertRecord {
        let id = AlertId::new();
        let device = DeviceId::new();
        let raised_at: jiff::Timestamp = at.parse().unwrap();
        let mut r = AlertRecord::new(id);
        let h = |n: u64| Hlc { millis: n, counter: 0, device };
        r.merge(
            h(1),
            &OpBody::AlertRaised(AlertRaised {
                alert_id: id,
                kind,
                level: kind.default_level(),
                trigger,
                drill,
                raised_at,
                source: AlertSource {
                    device,
                    device_name: "Lobby 1".into(),
                    desk_id: "lobby".into(),
                    desk_name: Localized { zh_cn: "大堂".into(), en: "Lobby".into() },
                },
                context: AlertContext { at_desk: DeskSession { role: None, admin: false }, visitors: vec![] },
                description: None,
                subject: None,
            }),
        );
        let guard = AlertActor { kind: ActorKind::Guard, id: "wang".into(), name: "Wang".into() };
        if let Some(s) = ack_after {
            r.merge(
                h(2),
                &OpBody::AlertAcknowledged(AlertAcknowledged {
                    alert_id: id,
                    by: guard.clone(),
                    at: raised_at + jiff::SignedDuration::from_secs(s),
                }),
            );
        }
        if let Some(outcome) = outcome {
            r.merge(
                h(3),
                &OpBody::AlertResolved(AlertResolved {
                    alert_id: id,
                    outcome,
                    note: String::new(),
                    by: guard,
                    at: raised_at + jiff::SignedDuration::from_secs(100),
                }),
            );
        }
        r
    }

    #[test]
    fn counts_false_alarms_per_trigger_and_times_to_acknowledge_with_drills_apart() {
        let tz = jiff::tz::TimeZone::get("Asia/Shanghai").unwrap();
        let records = vec![
            record(
                AlertKind::Duress,
                AlertTrigger::Discreet,
                false,
                "2026-05-01T01:00:00Z",
                Some(4),
                Some(AlertOutcome::Real),
            ),
            record(
                AlertKind::Duress,
                AlertTrigger::Discreet,
                false,
                "2026-05-02T01:00:00Z",
                Some(8),
                Some(AlertOutcome::FalseAlarm),
            ),
            record(
                AlertKind::Duress,
                AlertTrigger::Hotkey,
                false,
                "2026-05-03T01:00:00Z",
                Some(30),
                Some(AlertOutcome::FalseAlarm),
            ),
            record(AlertKind::Medical, AlertTrigger::Panel, false, "2026-05-04T01:00:00Z", None, None),
            record(
                AlertKind::Fire,
                AlertTrigger::Panel,
                true,
                "2026-05-05T01:00:00Z",
                Some(12),
                Some(AlertOutcome::Drill),
            ),
            // 30 April 17:00 UTC is 1 May 01:00 in Shanghai: May.
            record(AlertKind::Fire, AlertTrigger::Panel, false, "2026-04-30T17:00:00Z", Some(2), None),
            // 30 April 15:00 UTC is still April in Shanghai: not counted.
            record(AlertKind::Fire, AlertTrigger::Panel, false, "2026-04-30T15:00:00Z", Some(2), None),
        ];
        let report = monthly_report(&records, &tz, "Asia/Shanghai", 2026, 5);
        assert_eq!(report.month, "2026-05");
        assert_eq!((report.alerts, report.false_alarms), (5, 2));
        let discreet = report.by_trigger.iter().find(|r| r.trigger == AlertTrigger::Discreet).unwrap();
        assert_eq!((discreet.alerts, discreet.false_alarms), (2, 1));
        let hotkey = report.by_trigger.iter().find(|r| r.trigger == AlertTrigger::Hotkey).unwrap();
        assert_eq!((hotkey.alerts, hotkey.false_alarms), (1, 1));
        assert_eq!(report.time_to_ack.acknowledged, 4);
        assert_eq!(report.time_to_ack.unacknowledged, 1);
        assert_eq!(report.time_to_ack.median_seconds, Some(4));
        assert_eq!(report.time_to_ack.max_seconds, Some(30));
        assert_eq!(report.drills.len(), 1);
        assert_eq!(report.drills[0].seconds_to_ack, Some(12));
        assert_eq!(report.drill_time_to_ack.median_seconds, Some(12));
        let duress = report.by_kind.iter().find(|r| r.kind == AlertKind::Duress).unwrap();
        assert_eq!((duress.alerts, duress.real, duress.false_alarms, duress.open), (3, 1, 2, 0));
        assert!(!report.by_kind.iter().any(|r| r.kind == AlertKind::LostContact), "empty rows are left out");
    }

    #[test]
    fn months_are_parsed_strictly() {
        assert_eq!(parse_month("2026-05"), Some((2026, 5)));
        for bad in ["2026-13", "2026-5", "26-05", "2026/05", "", "2026-00"] {
            assert_eq!(parse_month(bad), None, "{bad}");
        }
    }
}
