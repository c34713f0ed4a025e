//! Visits: the sign-in form's rules and the visit as the desk sees it.

use serde::{Deserialize, Serialize};
use ts_rs::TS;

use crate::error::{FieldError, FieldErrorCode};
use crate::ids::{HostId, VisitId};
use crate::op::{HostRecord, VisitFields};

pub const NAME_MAX_CHARS: usize = 100;
pub const COMPANY_MAX_CHARS: usize = 120;
pub const PURPOSE_MAX_CHARS: usize = 200;

/// The sign-in form as the receptionist filled it in.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
#[serde(deny_unknown_fields)]
pub struct NewVisit {
    pub name: String,
    pub company: String,
    pub host_id: HostId,
    pub purpose: String,
}

impl Default for NewVisit {
    fn default() -> Self {
        NewVisit { name: String::new(), company: String::new(), host_id: HostId(String::new()), purpose: String::new() }
    }
}

impl NewVisit {
    /// Check every field and return the cleaned values, or every field error at once so the
    /// form can mark them all. `host` is the directory entry for `host_id`, if there is one.
    pub fn validate(&self, host: Option<&HostRecord>) -> Result<VisitFields, Vec<FieldError>> {
        let mut errors = Vec::new();
        let name = clean_text("name", &self.name, NAME_MAX_CHARS, true, &mut errors);
        let company = clean_text("company", &self.company, COMPANY_MAX_CHARS, false, &mut errors);
        let purpose = clean_text("purpose", &self.purpose, PURPOSE_MAX_CHARS, false, &mut errors);
        if self.host_id.0.trim().is_empty() {
            errors.push(FieldError::new("host_id", FieldErrorCode::Required));
        } else {
            match host {
                None => errors.push(FieldError::new("host_id", FieldErrorCode::UnknownHost)),
                Some(h) if !h.active => errors.push(FieldError::new("host_id", FieldErrorCode::HostInactive)),
                Some(_) => {}
            }
        }
        if errors.is_empty() {
            Ok(VisitFields { name, company, host_id: self.host_id.clone(), purpose })
        } else {
            Err(errors)
        }
    }
}

/// Trim, collapse runs of white space, and refuse what has no place in a name on a badge:
/// control characters, invisible format characters and bidirectional overrides (which can make
/// a printed name read differently from what was stored).
pub(crate) fn clean_text(field: &str, raw: &str, max: usize, required: bool, errors: &mut Vec<FieldError>) -> String {
    if raw.chars().any(is_forbidden_char) {
        errors.push(FieldError::new(field, FieldErrorCode::ControlCharacters));
        return String::new();
    }
    let cleaned = raw.split_whitespace().collect::<Vec<_>>().join(" ");
    if required && cleaned.is_empty() {
        errors.push(FieldError::new(field, FieldErrorCode::Required));
    } else if cleaned.chars().count() > max {
        errors.push(FieldError::too_long(field, max));
    }
    cleaned
}

fn is_forbidden_char(c: char) -> bool {
    // Tabs and newlines are white space to collapse, not an attack; the rest of Cc is refused.
    (c.is_control() && !matches!(c, '\t' | '\n' | '\r'))
        || matches!(c,
            '\u{00AD}'                  // soft hyphen
            | '\u{061C}'                // Arabic letter mark
            | '\u{180E}'                // Mongolian vowel separator
            | '\u{200B}'..='\u{200F}'   // zero-width space/joiners, LRM, RLM
            | '\u{2028}'..='\u{202E}'   // line/paragraph separators, bidi embeddings and overrides
            | '\u{2060}'..='\u{206F}'   // word joiner, invisible operators, bidi isolates
            | '\u{FEFF}'                // byte order mark
            | '\u{FFF9}'..='\u{FFFB}'   // interlinear annotation
        )
}

/// A host as the sign-in form offers it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct HostSummary {
    pub id: HostId,
    pub name: String,
    pub department: String,
    pub extension: String,
}

impl From<&HostRecord> for HostSummary {
    fn from(h: &HostRecord) -> Self {
        HostSummary {
            id: h.id.clone(),
            name: h.name.clone(),
            department: h.department.clone(),
            extension: h.extension.clone(),
        }
    }
}

/// A visit as the desk shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct Visit {
    pub id: VisitId,
    pub name: String,
    pub company: String,
    pub purpose: String,
    /// The host, or `None` if the directory no longer knows the id.
    pub host: Option<HostSummary>,
    pub host_id: HostId,
    pub desk_id: String,
    #[ts(type = "string")]
    pub signed_in_at: jiff::Timestamp,
    #[ts(type = "string | null")]
    pub signed_out_at: Option<jiff::Timestamp>,
    /// Written on paper during an outage and entered afterwards, with its real times.
    pub back_entered: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(active: bool) -> HostRecord {
        HostRecord {
            id: HostId("zhang-wei".into()),
            name: "张伟".into(),
            department: "IT".into(),
            extension: "8012".into(),
            email: "z@example.com".into(),
            may_escort: true,
            active,
        }
    }

    fn form(name: &str) -> NewVisit {
        NewVisit { name: name.into(), company: "".into(), host_id: HostId("zhang-wei".into()), purpose: "".into() }
    }

    fn codes(result: Result<VisitFields, Vec<FieldError>>) -> Vec<(String, FieldErrorCode)> {
        result.unwrap_err().into_iter().map(|e| (e.field, e.code)).collect()
    }

    #[test]
    fn a_good_form_is_cleaned() {
        let fields = form("  王  小明 ").validate(Some(&host(true))).unwrap();
        assert_eq!(fields.name, "王 小明");
    }

    #[test]
    fn empty_and_blank_names_are_required() {
        for name in ["", "   ", "\t\n"] {
            assert_eq!(codes(form(name).validate(Some(&host(true)))), [("name".into(), FieldErrorCode::Required)]);
        }
    }

    #[test]
    fn over_long_fields_name_the_limit() {
        let err = form(&"名".repeat(NAME_MAX_CHARS + 1)).validate(Some(&host(true))).unwrap_err();
        assert_eq!(err, [FieldError::too_long("name", NAME_MAX_CHARS)]);
        // The limit counts characters, not bytes: a full-length Chinese name is fine.
        assert!(form(&"名".repeat(NAME_MAX_CHARS)).validate(Some(&host(true))).is_ok());
    }

    #[test]
    fn control_and_invisible_characters_are_refused() {
        for name in ["Ann\u{0}a", "Ann\u{7}", "\u{202E}evil", "zero\u{200B}width", "bom\u{FEFF}"] {
            assert_eq!(
                codes(form(name).validate(Some(&host(true)))),
                [("name".into(), FieldErrorCode::ControlCharacters)],
                "{name:?}"
            );
        }
    }

    #[test]
    fn unknown_and_inactive_hosts_are_refused() {
        assert_eq!(codes(form("Ann").validate(None)), [("host_id".into(), FieldErrorCode::UnknownHost)]);
        assert_eq!(codes(form("Ann").validate(Some(&host(false)))), [("host_id".into(), FieldErrorCode::HostInactive)]);
        let mut no_host = form("Ann");
        no_host.host_id = HostId(" ".into());
        assert_eq!(codes(no_host.validate(None)), [("host_id".into(), FieldErrorCode::Required)]);
    }

    #[test]
    fn every_bad_field_is_reported_at_once() {
        let bad = NewVisit {
            name: "".into(),
            company: "x".repeat(COMPANY_MAX_CHARS + 1),
            host_id: HostId("nobody".into()),
            purpose: "\u{1b}[31m".into(),
        };
        let fields: Vec<String> = bad.validate(None).unwrap_err().into_iter().map(|e| e.field).collect();
        assert_eq!(fields, ["name", "company", "purpose", "host_id"]);
    }
}
