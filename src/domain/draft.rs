//! Drafts: what a form holds, as typed. Validation turns a draft into data
//! the register keeps, or into a list of problems, one per field.

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;

use super::ids::{FieldId, OrgId, PersonId};
use super::person::{Address, Labeled, Provenance, Social, Source};
use super::record::{Billing, Contract, ContractKind, EventParticipation, Feedback, RecordKind, Ticket, Training};
use super::settings::{CategoryKey, CustomValue, FieldKind, Settings};
use super::validate::{self as v, Problem};

/// A problem with one field of a form. `field` is a path such as
/// `family_name`, `emails.1`, `addresses.0.postal_code` or `custom.<id>`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FieldError {
    pub field: String,
    pub problem: Problem,
}

impl FieldError {
    pub fn new(field: impl Into<String>, problem: Problem) -> Self {
        FieldError { field: field.into(), problem }
    }
}

/// Collects field problems while a draft is checked.
#[derive(Default)]
pub(crate) struct Problems(pub Vec<FieldError>);

impl Problems {
    /// Keeps the value, or notes the problem under `field`.
    pub fn check<T>(&mut self, field: impl Into<String>, result: Result<T, Problem>) -> Option<T> {
        match result {
            Ok(value) => Some(value),
            Err(problem) => {
                self.0.push(FieldError::new(field, problem));
                None
            }
        }
    }

    pub fn add(&mut self, field: impl Into<String>, problem: Problem) {
        self.0.push(FieldError::new(field, problem));
    }

    pub fn finish<T>(self, value: T) -> Result<T, Vec<FieldError>> {
        if self.0.is_empty() {
            Ok(value)
        } else {
            Err(self.0)
        }
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct LabeledDraft {
    pub label: String,
    pub value: String,
}

/// Which organisation a person is linked to: one that exists, or a new one
/// by name (an existing organisation of the same name is used instead).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OrgChoice {
    Existing(OrgId),
    New(String),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AffiliationDraft {
    pub org: OrgChoice,
    pub role: String,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProvenanceDraft {
    pub source: Source,
    pub detail: String,
    /// Empty means today.
    pub date: String,
}

impl Default for ProvenanceDraft {
    fn default() -> Self {
        ProvenanceDraft { source: Source::ThePerson, detail: String::new(), date: String::new() }
    }
}

/// A person as the form holds it. Empty rows (an e-mail row with nothing in
/// it) are dropped, not errors.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PersonDraft {
    pub given_name: String,
    pub family_name: String,
    pub emails: Vec<LabeledDraft>,
    pub phones: Vec<LabeledDraft>,
    pub addresses: Vec<Address>,
    pub websites: Vec<String>,
    pub socials: Vec<Social>,
    pub affiliations: Vec<AffiliationDraft>,
    pub categories: BTreeSet<CategoryKey>,
    pub tags: Vec<String>,
    pub custom: BTreeMap<FieldId, String>,
    pub provenance: ProvenanceDraft,
    pub notes: String,
}

/// A validated person, before the register gives it an id and stamps.
#[derive(Clone, Debug, PartialEq)]
pub struct PersonData {
    pub given_name: String,
    pub family_name: String,
    pub emails: Vec<Labeled>,
    pub phones: Vec<Labeled>,
    pub addresses: Vec<Address>,
    pub websites: Vec<String>,
    pub socials: Vec<Social>,
    /// Organisation choices in form order, with their roles.
    pub affiliations: Vec<(OrgChoice, String)>,
    pub categories: BTreeSet<CategoryKey>,
    pub tags: BTreeSet<String>,
    pub custom: BTreeMap<FieldId, CustomValue>,
    pub provenance: Provenance,
    pub notes: String,
}

/// Checks a person draft against the register's settings.
pub fn validate_person(
    draft: &PersonDraft,
    settings: &Settings,
    today: NaiveDate,
) -> Result<PersonData, Vec<FieldError>> {
    let mut p = Problems::default();
    let given_name = p.check("given_name", v::short_text(&draft.given_name)).unwrap_or_default();
    let family_name = p.check("family_name", v::short_text(&draft.family_name)).unwrap_or_default();
    if given_name.is_empty() && family_name.is_empty() {
        p.add("family_name", Problem::NameRequired);
    }

    let labeled =
        |p: &mut Problems, rows: &[LabeledDraft], name: &str, check: &dyn Fn(&str) -> Result<String, Problem>| {
            let mut out = Vec::new();
            for (i, row) in rows.iter().enumerate() {
                if row.value.trim().is_empty() {
                    continue;
                }
                let label = p.check(format!("{name}.{i}.label"), v::short_text(&row.label));
                if let (Some(value), Some(label)) = (p.check(format!("{name}.{i}"), check(&row.value)), label) {
                    if !out.iter().any(|l: &Labeled| l.value == value) {
                        out.push(Labeled { label, value });
                    }
                }
            }
            out
        };
    let emails = labeled(&mut p, &draft.emails, "emails", &v::email);
    let phones = labeled(&mut p, &draft.phones, "phones", &|raw| v::phone(raw, &settings.country_code));

    let mut addresses = Vec::new();
    for (i, a) in draft.addresses.iter().enumerate() {
        let mut part =
            |name: &str, raw: &str| p.check(format!("addresses.{i}.{name}"), v::short_text(raw)).unwrap_or_default();
        let address = Address {
            label: part("label", &a.label),
            street: part("street", &a.street),
            postal_code: part("postal_code", &a.postal_code),
            city: part("city", &a.city),
            country: part("country", &a.country),
        };
        if !address.is_empty() {
            addresses.push(address);
        }
    }

    let mut websites = Vec::new();
    for (i, raw) in draft.websites.iter().enumerate() {
        if !raw.trim().is_empty() {
            if let Some(url) = p.check(format!("websites.{i}"), v::url(raw)) {
                websites.push(url);
            }
        }
    }

    let mut socials = Vec::new();
    for (i, s) in draft.socials.iter().enumerate() {
        if s.handle.trim().is_empty() {
            continue;
        }
        let service = p.check(format!("socials.{i}.service"), v::short_text(&s.service));
        let handle = p.check(format!("socials.{i}"), v::short_text(&s.handle));
        if let (Some(service), Some(handle)) = (service, handle) {
            socials.push(Social { service, handle });
        }
    }

    let mut affiliations = Vec::new();
    for (i, a) in draft.affiliations.iter().enumerate() {
        let role = p.check(format!("affiliations.{i}.role"), v::short_text(&a.role));
        let org = match &a.org {
            OrgChoice::New(name) if name.trim().is_empty() => continue,
            OrgChoice::New(name) => p.check(format!("affiliations.{i}"), v::short_text(name)).map(OrgChoice::New),
            OrgChoice::Existing(id) => Some(OrgChoice::Existing(*id)),
        };
        if let (Some(org), Some(role)) = (org, role) {
            affiliations.push((org, role));
        }
    }

    for key in &draft.categories {
        if !settings.knows_category(key) {
            p.add("categories", Problem::Missing);
        }
    }

    let mut tags = BTreeSet::new();
    for raw in &draft.tags {
        if let Some(tag) = p.check("tags", v::short_text(raw)) {
            if !tag.is_empty() {
                tags.insert(tag);
            }
        }
    }

    let custom = validate_custom(&mut p, &draft.custom, settings);

    let provenance_date = if draft.provenance.date.trim().is_empty() {
        Some(today)
    } else {
        p.check("provenance.date", v::date(&draft.provenance.date)).and_then(|d| {
            if d > today {
                p.add("provenance.date", Problem::DateInFuture);
                None
            } else {
                Some(d)
            }
        })
    };
    let detail = p.check("provenance.detail", v::short_text(&draft.provenance.detail));
    let notes = p.check("notes", v::long_text(&draft.notes)).unwrap_or_default();

    let provenance = Provenance {
        source: draft.provenance.source,
        detail: detail.unwrap_or_default(),
        date: provenance_date.unwrap_or(today),
    };
    p.finish(PersonData {
        given_name,
        family_name,
        emails,
        phones,
        addresses,
        websites,
        socials,
        affiliations,
        categories: draft.categories.clone(),
        tags,
        custom,
        provenance,
        notes,
    })
}

/// Checks the custom fields declared in Settings. Values of fields that are
/// not declared are dropped.
fn validate_custom(
    p: &mut Problems,
    raw: &BTreeMap<FieldId, String>,
    settings: &Settings,
) -> BTreeMap<FieldId, CustomValue> {
    let mut out = BTreeMap::new();
    for def in &settings.fields {
        let text = raw.get(&def.id).map(|s| s.trim()).unwrap_or_default();
        let path = format!("custom.{}", def.id);
        if text.is_empty() {
            if def.required {
                p.add(path, Problem::Required);
            }
            continue;
        }
        if let Some(value) = p.check(path, parse_custom(&def.kind, text)) {
            out.insert(def.id, value);
        }
    }
    out
}

/// Reads a custom field's value from text, by the field's kind.
pub fn parse_custom(kind: &FieldKind, text: &str) -> Result<CustomValue, Problem> {
    match kind {
        FieldKind::Text => v::long_text(text).map(CustomValue::Text),
        FieldKind::Number => v::number(text).map(CustomValue::Number),
        FieldKind::Date => v::date(text).map(CustomValue::Date),
        FieldKind::YesNo => match text.to_lowercase().as_str() {
            "yes" | "true" | "kyllä" | "ja" | "1" | "on" => Ok(CustomValue::YesNo(true)),
            "no" | "false" | "ei" | "nej" | "0" | "off" => Ok(CustomValue::YesNo(false)),
            _ => Err(Problem::YesNoInvalid),
        },
        FieldKind::Choice(options) => options
            .iter()
            .find(|o| o.to_lowercase() == text.to_lowercase())
            .map(|o| CustomValue::Choice(o.clone()))
            .ok_or(Problem::ChoiceInvalid),
    }
}

/// An organisation as its form holds it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct OrgDraft {
    pub name: String,
    pub business_id: String,
    pub address: Address,
    pub website: String,
    pub notes: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct OrgData {
    pub name: String,
    pub business_id: Option<String>,
    pub address: Address,
    pub website: Option<String>,
    pub notes: String,
}

pub fn validate_org(draft: &OrgDraft) -> Result<OrgData, Vec<FieldError>> {
    let mut p = Problems::default();
    let name = p.check("name", v::short_text(&draft.name)).unwrap_or_default();
    if name.is_empty() && p.0.is_empty() {
        p.add("name", Problem::Required);
    }
    let business_id = if draft.business_id.trim().is_empty() {
        None
    } else {
        p.check("business_id", v::business_id(&draft.business_id))
    };
    let website = if draft.website.trim().is_empty() { None } else { p.check("website", v::url(&draft.website)) };
    let mut part = |name: &str, raw: &str| p.check(format!("address.{name}"), v::short_text(raw)).unwrap_or_default();
    let address = Address {
        label: String::new(),
        street: part("street", &draft.address.street),
        postal_code: part("postal_code", &draft.address.postal_code),
        city: part("city", &draft.address.city),
        country: part("country", &draft.address.country),
    };
    let notes = p.check("notes", v::long_text(&draft.notes)).unwrap_or_default();
    p.finish(OrgData { name, business_id, address, website, notes })
}

/// A relationship record as its form holds it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RecordDraft {
    pub person: PersonId,
    pub org: Option<OrgId>,
    pub kind: RecordDraftKind,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RecordDraftKind {
    Contract { kind: ContractKind, title: String, start: String, end: String, value: String, billing: Billing },
    Feedback { date: String, text: String },
    Ticket { opened: String, closed: String, description: String },
    Training { name: String, date: String, completed: bool, grade: String, statutory: bool },
    Event { name: String, date: String, dietary: String },
}

/// How far back a new event participation may be dated.
pub const EVENT_MAX_AGE_DAYS: i64 = 366;

/// Checks a record draft. `is_new` applies the rules for new records (an
/// event participation dated more than a year back is refused).
pub fn validate_record(draft: &RecordDraftKind, today: NaiveDate, is_new: bool) -> Result<RecordKind, Vec<FieldError>> {
    let mut p = Problems::default();
    let kind = match draft {
        RecordDraftKind::Contract { kind, title, start, end, value, billing } => {
            let title = required_text(&mut p, "title", title);
            let start = p.check("start", v::optional_date(start)).flatten();
            let end = p.check("end", v::optional_date(end)).flatten();
            if let (Some(s), Some(e)) = (start, end) {
                if e < s {
                    p.add("end", Problem::DateOrder);
                }
            }
            let value_cents = if value.trim().is_empty() { None } else { p.check("value", v::money_cents(value)) };
            RecordKind::Contract(Contract { kind: *kind, title, start, end, value_cents, billing: *billing })
        }
        RecordDraftKind::Feedback { date, text } => {
            let date = past_date(&mut p, "date", date, today);
            let text = p.check("text", v::long_text(text)).unwrap_or_default();
            if text.is_empty() && !p.0.iter().any(|e| e.field == "text") {
                p.add("text", Problem::Required);
            }
            RecordKind::Feedback(Feedback { date, text })
        }
        RecordDraftKind::Ticket { opened, closed, description } => {
            let opened = past_date(&mut p, "opened", opened, today);
            let closed = p.check("closed", v::optional_date(closed)).flatten();
            if closed.is_some_and(|c| c < opened) {
                p.add("closed", Problem::DateOrder);
            }
            let description = p.check("description", v::long_text(description)).unwrap_or_default();
            RecordKind::Ticket(Ticket { opened, closed, description })
        }
        RecordDraftKind::Training { name, date, completed, grade, statutory } => {
            let name = required_text(&mut p, "name", name);
            let date = p.check("date", required_date(date)).unwrap_or(today);
            let grade = p.check("grade", v::short_text(grade)).unwrap_or_default();
            RecordKind::Training(Training { name, date, completed: *completed, grade, statutory: *statutory })
        }
        RecordDraftKind::Event { name, date, dietary } => {
            let name = required_text(&mut p, "name", name);
            let date = p.check("date", required_date(date)).unwrap_or(today);
            if is_new && (today - date).num_days() > EVENT_MAX_AGE_DAYS {
                p.add("date", Problem::DateTooOld);
            }
            let dietary = p.check("dietary", v::long_text(dietary)).filter(|d| !d.is_empty());
            RecordKind::Event(EventParticipation { name, date, dietary })
        }
    };
    p.finish(kind)
}

fn required_text(p: &mut Problems, field: &str, raw: &str) -> String {
    let text = p.check(field, v::short_text(raw)).unwrap_or_default();
    if text.is_empty() && !p.0.iter().any(|e| e.field == field) {
        p.add(field, Problem::Required);
    }
    text
}

fn required_date(raw: &str) -> Result<NaiveDate, Problem> {
    if raw.trim().is_empty() {
        Err(Problem::Required)
    } else {
        v::date(raw)
    }
}

/// A required date that cannot be in the future; `today` stands in when it
/// is wrong (the problem is noted).
fn past_date(p: &mut Problems, field: &str, raw: &str, today: NaiveDate) -> NaiveDate {
    match p.check(field, required_date(raw)) {
        Some(d) if d > today => {
            p.add(field, Problem::DateInFuture);
            today
        }
        Some(d) => d,
        None => today,
    }
}
