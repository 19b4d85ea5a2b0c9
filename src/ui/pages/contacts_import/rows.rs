//! What the import page shows of a file: the column choices, each row's
//! status and problems, and the decision picked for it.

use crate::bundle::csv::{AddressPart, CsvFile, FileError, LabelKind, LabelTexts, Target};
use crate::domain::{
    ContactsPreview, Decision, ImportRow, MatchReason, PersonId, Purpose, Register, RowIssue, RowStatus, Settings,
};
use crate::ui::i18n::*;
use crate::ui::pages::person_consents::purpose_name;
use crate::ui::text::{self, I18n};

/// Rows shown in the preview table (the choices cover every row).
pub(super) const SHOWN_ROWS: usize = 500;

pub fn file_error(i18n: I18n, e: FileError) -> &'static str {
    match e.id() {
        "empty" => t_string!(i18n, import.error_empty),
        "binary" => t_string!(i18n, import.error_binary),
        "spreadsheet" => t_string!(i18n, import.error_spreadsheet),
        "too_large" => t_string!(i18n, import.error_too_large),
        "no_rows" => t_string!(i18n, import.error_no_rows),
        "no_cards" => t_string!(i18n, import.error_no_cards),
        _ => t_string!(i18n, import.error_read),
    }
}

pub(super) fn label_texts(i18n: I18n) -> LabelTexts {
    LabelTexts {
        work: t_string!(i18n, import.label_work).to_owned(),
        home: t_string!(i18n, import.label_home).to_owned(),
        mobile: t_string!(i18n, import.label_mobile).to_owned(),
        other: t_string!(i18n, import.label_other).to_owned(),
    }
}

/// Whether the file is a vCard (by its name or its first line).
pub fn looks_like_vcard(name: &str, bytes: &[u8]) -> bool {
    let lower = name.to_lowercase();
    if lower.ends_with(".vcf") || lower.ends_with(".vcard") {
        return true;
    }
    let start: Vec<u8> = bytes
        .iter()
        .copied()
        .skip_while(|b| matches!(b, 0xEF | 0xBB | 0xBF | b' ' | b'\r' | b'\n' | b'\t'))
        .take(11)
        .collect();
    start.eq_ignore_ascii_case(b"BEGIN:VCARD")
}

/// The fields a column can go to: (value, text). Values are
/// [`Target::key`]s.
pub(super) fn target_choices(i18n: I18n, reg: &Register) -> Vec<(String, String)> {
    let mut list: Vec<(String, String)> = vec![
        ("ignore", t_string!(i18n, import.t_ignore)),
        ("given_name", t_string!(i18n, import.t_given_name)),
        ("middle_name", t_string!(i18n, import.t_middle_name)),
        ("family_name", t_string!(i18n, import.t_family_name)),
        ("full_name", t_string!(i18n, import.t_full_name)),
        ("email", t_string!(i18n, import.t_email)),
        ("email_label", t_string!(i18n, import.t_email_label)),
        ("phone", t_string!(i18n, import.t_phone)),
        ("phone_label", t_string!(i18n, import.t_phone_label)),
        ("address_street", t_string!(i18n, import.t_address_street)),
        ("address_street2", t_string!(i18n, import.t_address_street2)),
        ("address_postal_code", t_string!(i18n, import.t_address_postal_code)),
        ("address_city", t_string!(i18n, import.t_address_city)),
        ("address_region", t_string!(i18n, import.t_address_region)),
        ("address_country", t_string!(i18n, import.t_address_country)),
        ("address_po_box", t_string!(i18n, import.t_address_po_box)),
        ("address_label", t_string!(i18n, import.t_address_label)),
        ("organisation", t_string!(i18n, import.t_organisation)),
        ("role", t_string!(i18n, import.t_role)),
        ("department", t_string!(i18n, import.t_department)),
        ("website", t_string!(i18n, import.t_website)),
        ("notes", t_string!(i18n, import.t_notes)),
        ("tags", t_string!(i18n, import.t_tags)),
        ("marketing_prohibition", t_string!(i18n, import.t_marketing_prohibition)),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_owned(), v.to_owned()))
    .collect();
    let config = reg.consent_config();
    for p in config.purposes() {
        let name = purpose_name(i18n, config, &p);
        list.push((format!("consent:{}", p.key()), t_string!(i18n, import.t_consent, purpose = name).to_string()));
    }
    for f in &reg.settings().fields {
        list.push((format!("custom:{}", f.id), f.name.clone()));
    }
    list
}

/// The target a chosen value means for column `i` (the automatic mapping
/// is kept when the user picks the same kind, so labels and pairs stay).
pub(super) fn target_from(value: &str, i: usize, auto: &Target, settings: &Settings) -> Target {
    if auto.key() == value {
        return auto.clone();
    }
    let n = u8::try_from(200 + i).unwrap_or(u8::MAX);
    let address = |part| Target::Address { n: 0, label: LabelKind::None, part };
    match value {
        "given_name" => Target::GivenName,
        "middle_name" => Target::MiddleName,
        "family_name" => Target::FamilyName,
        "full_name" => Target::FullName,
        "email" => Target::Email { n, label: LabelKind::None },
        "email_label" => Target::EmailLabel { n: 0 },
        "phone" => Target::Phone { n, label: LabelKind::None },
        "phone_label" => Target::PhoneLabel { n: 0 },
        "address_street" => address(AddressPart::Street),
        "address_street2" => address(AddressPart::Street2),
        "address_postal_code" => address(AddressPart::PostalCode),
        "address_city" => address(AddressPart::City),
        "address_region" => address(AddressPart::Region),
        "address_country" => address(AddressPart::Country),
        "address_po_box" => address(AddressPart::PoBox),
        "address_label" => Target::AddressLabel { n: 0 },
        "organisation" => Target::Organisation,
        "role" => Target::Role,
        "department" => Target::Department,
        "website" => Target::Website,
        "notes" => Target::Notes,
        "tags" => Target::Tags,
        "marketing_prohibition" => Target::MarketingProhibition,
        other => {
            if let Some(p) = other.strip_prefix("consent:").and_then(Purpose::from_key) {
                Target::Consent(p)
            } else if let Some(f) =
                other.strip_prefix("custom:").and_then(|id| id.parse().ok()).and_then(|id| settings.field(id))
            {
                Target::Custom(f.id)
            } else {
                Target::Ignore
            }
        }
    }
}

pub(super) fn why(i18n: I18n, reasons: &[MatchReason]) -> String {
    reasons
        .iter()
        .map(|r| match r {
            MatchReason::Email => t_string!(i18n, import.why_same_email),
            MatchReason::Phone => t_string!(i18n, import.why_same_phone),
            MatchReason::NameAndOrg => t_string!(i18n, import.why_same_name_and_org),
        })
        .collect::<Vec<_>>()
        .join(", ")
}

pub(super) fn issue_text(i18n: I18n, issue: &RowIssue) -> String {
    match issue {
        RowIssue::BrokenQuoting => t_string!(i18n, import.issue_broken_quoting).to_owned(),
        RowIssue::CellCount { expected, found } => {
            t_string!(i18n, import.issue_cell_count, expected = *expected, found = *found).to_string()
        }
        RowIssue::EncodingGuessed => t_string!(i18n, import.issue_encoding_guessed).to_owned(),
        RowIssue::Value { column, problem } => {
            let problem = text::problem(i18n, problem);
            t_string!(i18n, import.issue_value_invalid, column = column.clone(), problem = problem).to_string()
        }
        RowIssue::Malformed => t_string!(i18n, import.issue_malformed).to_owned(),
    }
}

/// What was read from the chosen file.
#[derive(Clone)]
pub(super) enum Loaded {
    Csv(CsvFile),
    Vcard(Vec<ImportRow>),
}

/// One row of the preview, ready to show.
#[derive(Clone, PartialEq)]
pub(super) struct ShownRow {
    pub(super) index: usize,
    pub(super) line: usize,
    pub(super) name: String,
    pub(super) email: String,
    pub(super) status: String,
    pub(super) problems: Vec<String>,
    pub(super) importable: bool,
    /// (person, name) to merge into.
    pub(super) merge: Vec<(PersonId, String)>,
}

pub(super) fn shown_rows(i18n: I18n, reg: &Register, rows: &[ImportRow], preview: &ContactsPreview) -> Vec<ShownRow> {
    let line_of = |i: usize| rows.get(i).map_or(0, |r| r.line);
    preview
        .rows
        .iter()
        .zip(rows)
        .enumerate()
        .take(SHOWN_ROWS)
        .map(|(index, (p, row))| {
            let name_of = |id: &PersonId| reg.person(*id).map(|p| p.display_name()).unwrap_or_default();
            let status = match &p.status {
                RowStatus::New => t_string!(i18n, import.status_new).to_owned(),
                RowStatus::Duplicate { of, reasons, .. } => {
                    t_string!(i18n, import.status_duplicate, name = name_of(of), why = why(i18n, reasons)).to_string()
                }
                RowStatus::InFile { row, reasons } => {
                    t_string!(i18n, import.status_duplicate_in_file, line = line_of(*row), why = why(i18n, reasons))
                        .to_string()
                }
                RowStatus::Invalid(_) => t_string!(i18n, import.status_invalid).to_owned(),
                RowStatus::Unreadable => t_string!(i18n, import.status_unreadable).to_owned(),
            };
            let mut problems: Vec<String> = p.issues.iter().map(|i| issue_text(i18n, i)).collect();
            if let RowStatus::Invalid(errors) = &p.status {
                problems.extend(errors.iter().map(|e| {
                    let field = crate::ui::pages::audit::field_name(i18n, reg, e.field.split('.').next().unwrap_or(""));
                    format!("{field}: {}", text::problem(i18n, &e.problem))
                }));
            }
            let merge = match &p.status {
                RowStatus::Duplicate { of, others, .. } => {
                    std::iter::once(of).chain(others).map(|id| (*id, name_of(id))).collect()
                }
                _ => vec![],
            };
            let name = format!("{} {}", row.draft.given_name, row.draft.family_name).trim().to_owned();
            ShownRow {
                index,
                line: p.line,
                name,
                email: row.draft.emails.first().map(|e| e.value.clone()).unwrap_or_default(),
                status,
                problems,
                importable: p.status.importable(),
                merge,
            }
        })
        .collect()
}

pub(super) fn decision_value(d: &Decision) -> String {
    match d {
        Decision::Skip => "skip".into(),
        Decision::Add => "add".into(),
        Decision::Merge(id) => format!("merge:{id}"),
    }
}

pub(super) fn decision_from(value: &str) -> Decision {
    match value {
        "add" => Decision::Add,
        v => v.strip_prefix("merge:").and_then(|id| id.parse().ok()).map_or(Decision::Skip, Decision::Merge),
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Busy {
    No,
    Checking(usize, usize),
    Applying,
}
