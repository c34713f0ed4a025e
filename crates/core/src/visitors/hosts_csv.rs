//! The host directory as a CSV file: name, department, phone extension, email, may-escort, and
//! optionally an id. Headers may be in English or Chinese. The import is all-or-nothing: every
//! bad row is reported with its line number, column and reason, and nothing is stored unless
//! every row is good.

use serde::{Deserialize, Serialize};
use strum::{EnumIter, IntoStaticStr};
use ts_rs::TS;

pub const MAX_BYTES: usize = 2 * 1024 * 1024;
pub const MAX_ROWS: usize = 10_000;
pub const NAME_MAX: usize = 100;
pub const DEPARTMENT_MAX: usize = 100;
pub const EMAIL_MAX: usize = 254;
pub const EXTENSION_MAX: usize = 20;
pub const ID_MAX: usize = 64;

/// Why a row (or the file) was refused. Each has an `import-error-<code>` message.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, TS, EnumIter, IntoStaticStr)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum ImportErrorCode {
    /// The file is not UTF-8 text (save it as "CSV UTF-8").
    NotUtf8,
    /// The file has no data rows.
    Empty,
    TooLarge,
    /// A required column (name) is missing from the header.
    MissingColumn,
    /// A header names the same column twice, or a column Frontdesk does not know.
    BadHeader,
    /// The row has another number of fields than the header.
    FieldCount,
    Required,
    TooLong,
    ControlCharacters,
    BadEmail,
    BadExtension,
    /// may-escort must be yes/no (是/否, true/false, 1/0).
    BadYesNo,
    BadId,
    DuplicateId,
    DuplicateEmail,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, TS)]
pub struct ImportRowError {
    /// The line in the file (1 is the header).
    pub line: u32,
    /// The column, as named in Frontdesk (`name`, `email`…); empty for the whole row or file.
    pub column: String,
    pub code: ImportErrorCode,
}

/// A good row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportRow {
    pub line: u32,
    pub id: Option<String>,
    pub name: String,
    pub department: String,
    pub extension: String,
    pub email: String,
    pub may_escort: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
enum Column {
    Id,
    Name,
    Department,
    Extension,
    Email,
    MayEscort,
}

impl Column {
    fn name(self) -> &'static str {
        match self {
            Column::Id => "id",
            Column::Name => "name",
            Column::Department => "department",
            Column::Extension => "extension",
            Column::Email => "email",
            Column::MayEscort => "may_escort",
        }
    }

    fn from_header(header: &str) -> Option<Column> {
        let h = header.trim().to_lowercase().replace(['_', '-'], " ");
        Some(match h.as_str() {
            "id" | "host id" | "编号" | "工号" => Column::Id,
            "name" | "full name" | "姓名" | "名字" => Column::Name,
            "department" | "dept" | "部门" => Column::Department,
            "extension" | "phone extension" | "ext" | "分机" | "分机号" | "电话分机" => Column::Extension,
            "email" | "e mail" | "邮箱" | "电子邮件" | "电子邮箱" => Column::Email,
            "may escort" | "escort" | "can escort" | "可陪同" | "可以陪同" | "能否陪同" => Column::MayEscort,
            _ => return None,
        })
    }
}

fn yes_no(value: &str) -> Option<bool> {
    match value.trim().to_lowercase().as_str() {
        "" | "no" | "n" | "false" | "0" | "否" | "不" | "不可" => Some(false),
        "yes" | "y" | "true" | "1" | "是" | "可" | "可以" => Some(true),
        _ => None,
    }
}

pub fn has_forbidden_chars(s: &str) -> bool {
    s.chars().any(|c| {
        (c.is_control() && c != '\t')
            || matches!(c, '\u{200B}'..='\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
    })
}

pub fn email_ok(email: &str) -> bool {
    let Some((local, domain)) = email.split_once('@') else { return false };
    !local.is_empty()
        && domain.contains('.')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !email.chars().any(char::is_whitespace)
        && !domain.contains('@')
}

pub fn extension_ok(ext: &str) -> bool {
    ext.is_empty()
        || (ext.chars().all(|c| c.is_ascii_digit() || " +-()#".contains(c)) && ext.chars().any(|c| c.is_ascii_digit()))
}

pub fn id_ok(id: &str) -> bool {
    !id.is_empty() && id.len() <= ID_MAX && id.chars().all(|c| c.is_alphanumeric() || "-_.@".contains(c))
}

/// Check one host's fields (the import and the admin's edit form share this); errors carry
/// `line` 0 when there is no file.
pub fn check_fields(
    line: u32,
    name: &str,
    department: &str,
    extension: &str,
    email: &str,
    errors: &mut Vec<ImportRowError>,
) {
    let mut err = |column: &str, code| errors.push(ImportRowError { line, column: column.into(), code });
    for (column, value, max) in [
        ("name", name, NAME_MAX),
        ("department", department, DEPARTMENT_MAX),
        ("extension", extension, EXTENSION_MAX),
        ("email", email, EMAIL_MAX),
    ] {
        if has_forbidden_chars(value) {
            err(column, ImportErrorCode::ControlCharacters);
        } else if value.chars().count() > max {
            err(column, ImportErrorCode::TooLong);
        }
    }
    if name.trim().is_empty() {
        err("name", ImportErrorCode::Required);
    }
    if !email.is_empty() && !email_ok(email) {
        err("email", ImportErrorCode::BadEmail);
    }
    if !extension_ok(extension) {
        err("extension", ImportErrorCode::BadExtension);
    }
}

/// Parse and check a whole file. Every problem is reported, in file order.
pub fn parse(bytes: &[u8]) -> Result<Vec<ImportRow>, Vec<ImportRowError>> {
    let whole = |code| Err(vec![ImportRowError { line: 0, column: String::new(), code }]);
    if bytes.len() > MAX_BYTES {
        return whole(ImportErrorCode::TooLarge);
    }
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let mut reader = csv::ReaderBuilder::new().has_headers(false).flexible(true).from_reader(bytes);
    let mut records = reader.byte_records();
    let mut errors = Vec::new();

    let header = match records.next() {
        None => return whole(ImportErrorCode::Empty),
        Some(Err(_)) => return whole(ImportErrorCode::NotUtf8),
        Some(Ok(h)) => h,
    };
    let mut columns = Vec::new();
    for field in header.iter() {
        let Ok(text) = std::str::from_utf8(field) else { return whole(ImportErrorCode::NotUtf8) };
        match Column::from_header(text) {
            Some(c) if !columns.contains(&c) => columns.push(c),
            _ => errors.push(ImportRowError {
                line: 1,
                column: text.trim().to_owned(),
                code: ImportErrorCode::BadHeader,
            }),
        }
    }
    if !columns.contains(&Column::Name) {
        errors.push(ImportRowError { line: 1, column: "name".into(), code: ImportErrorCode::MissingColumn });
    }
    if !errors.is_empty() {
        return Err(errors);
    }

    let mut rows = Vec::new();
    let mut ids = std::collections::HashSet::new();
    let mut emails = std::collections::HashSet::new();
    for record in records {
        let record = match record {
            Ok(r) => r,
            Err(e) => {
                let line = e.position().map_or(0, |p| p.line() as u32);
                errors.push(ImportRowError { line, column: String::new(), code: ImportErrorCode::NotUtf8 });
                continue;
            }
        };
        let line = record.position().map_or(0, |p| p.line() as u32);
        if record.iter().all(|f| f.iter().all(u8::is_ascii_whitespace)) {
            continue; // blank lines, e.g. at the end of a spreadsheet export
        }
        if rows.len() + errors.len() >= MAX_ROWS {
            return whole(ImportErrorCode::TooLarge);
        }
        if record.len() != columns.len() {
            errors.push(ImportRowError { line, column: String::new(), code: ImportErrorCode::FieldCount });
            continue;
        }
        let mut values = std::collections::HashMap::new();
        let mut utf8 = true;
        for (column, field) in columns.iter().zip(record.iter()) {
            match std::str::from_utf8(field) {
                Ok(text) => {
                    values.insert(*column, text.trim().to_owned());
                }
                Err(_) => {
                    errors.push(ImportRowError { line, column: column.name().into(), code: ImportErrorCode::NotUtf8 });
                    utf8 = false;
                }
            }
        }
        if !utf8 {
            continue;
        }
        let get = |c: Column| values.get(&c).cloned().unwrap_or_default();
        let before = errors.len();
        let name = get(Column::Name).split_whitespace().collect::<Vec<_>>().join(" ");
        let (department, extension, email) = (get(Column::Department), get(Column::Extension), get(Column::Email));
        check_fields(line, &name, &department, &extension, &email, &mut errors);
        let may_escort = yes_no(&get(Column::MayEscort)).unwrap_or_else(|| {
            errors.push(ImportRowError { line, column: "may_escort".into(), code: ImportErrorCode::BadYesNo });
            false
        });
        let id = Some(get(Column::Id)).filter(|s| !s.is_empty());
        if let Some(id) = &id {
            if !id_ok(id) {
                errors.push(ImportRowError { line, column: "id".into(), code: ImportErrorCode::BadId });
            } else if !ids.insert(id.clone()) {
                errors.push(ImportRowError { line, column: "id".into(), code: ImportErrorCode::DuplicateId });
            }
        }
        if !email.is_empty() && !emails.insert(email.to_lowercase()) {
            errors.push(ImportRowError { line, column: "email".into(), code: ImportErrorCode::DuplicateEmail });
        }
        if errors.len() == before {
            rows.push(ImportRow { line, id, name, department, extension, email, may_escort });
        }
    }
    if !errors.is_empty() {
        return Err(errors);
    }
    if rows.is_empty() {
        return whole(ImportErrorCode::Empty);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_good_file_in_either_language_parses() {
        let csv = "\u{feff}姓名,部门,分机,邮箱,可陪同\n张伟,行政部,8012,zhang.wei@example.com,是\n\"Okafor, David\",Procurement,8074,,否\n\n";
        let rows = parse(csv.as_bytes()).unwrap();
        assert_eq!(rows.len(), 2);
        assert_eq!((rows[0].line, rows[0].name.as_str(), rows[0].may_escort), (2, "张伟", true));
        assert_eq!((rows[1].name.as_str(), rows[1].may_escort, rows[1].email.as_str()), ("Okafor, David", false, ""));
        let en =
            "Name,Department,Phone extension,Email,May escort,ID\nEmma Clarke,R&D,8061,emma@example.com,yes,emma\n";
        assert_eq!(parse(en.as_bytes()).unwrap()[0].id.as_deref(), Some("emma"));
    }

    #[test]
    fn every_bad_row_is_reported_with_its_line_and_reason() {
        let csv = "name,department,extension,email,may_escort\n\
                   Good One,IT,8300,good@example.com,yes\n\
                   ,IT,8300,,no\n\
                   Bad Mail,IT,8300,not-an-email,no\n\
                   Bad Ext,IT,call me,,no\n\
                   Bad Flag,IT,8300,,maybe\n\
                   Too,Many,Fields,,no,extra\n\
                   Dup Mail,IT,8300,GOOD@example.com,no\n";
        let errors = parse(csv.as_bytes()).unwrap_err();
        let got: Vec<(u32, &str, ImportErrorCode)> =
            errors.iter().map(|e| (e.line, e.column.as_str(), e.code)).collect();
        assert_eq!(
            got,
            [
                (3, "name", ImportErrorCode::Required),
                (4, "email", ImportErrorCode::BadEmail),
                (5, "extension", ImportErrorCode::BadExtension),
                (6, "may_escort", ImportErrorCode::BadYesNo),
                (7, "", ImportErrorCode::FieldCount),
                (8, "email", ImportErrorCode::DuplicateEmail),
            ]
        );
    }

    #[test]
    fn headers_files_and_encodings_are_checked() {
        let codes = |bytes: &[u8]| parse(bytes).unwrap_err().into_iter().map(|e| e.code).collect::<Vec<_>>();
        assert_eq!(codes(b""), [ImportErrorCode::Empty]);
        assert_eq!(codes(b"name,email\n"), [ImportErrorCode::Empty]);
        assert_eq!(codes(b"department,email\nIT,a@b.cn\n"), [ImportErrorCode::MissingColumn]);
        assert_eq!(codes(b"name,colour\nAnn,red\n"), [ImportErrorCode::BadHeader]);
        // "张伟" in GBK, as a spreadsheet on a Chinese Windows saves it by default.
        assert_eq!(codes(b"name\n\xd5\xc5\xce\xb0\n"), [ImportErrorCode::NotUtf8]);
        assert_eq!(codes(b"name\nA\x07nn\n"), [ImportErrorCode::ControlCharacters]);
    }
}
