//! Importing contacts from other tools (a CSV or vCard file, read by
//! `bundle::csv` and `bundle::vcard` into [`ImportRow`]s): a preview that
//! checks every row the way the person form does and finds likely
//! duplicates in the register and in the file, then one plan for all the
//! rows the user chose to add or merge — written in one transaction, all
//! or nothing.
//!
//! Everything imported gets the provenance and categories the user chose
//! (source "import", the file's name as detail). Consents are recorded only
//! when the file states them (a column mapped to a purpose), with the
//! source "imported".

use std::collections::{BTreeMap, BTreeSet, HashMap};

use chrono::NaiveDate;

use super::audit::{AuditAction, EntityRef};
use super::commands::{build_person, empty_like, keys, CommandError, Planner};
use super::consent::{ConsentEntry, ConsentSource, ConsentState, Purpose};
use super::draft::{validate_person, FieldError, OrgChoice, PersonData, PersonDraft, ProvenanceDraft};
use super::ids::{ConsentId, OrgId, PersonId};
use super::merge_people::merge_person_fields;
use super::person::{Affiliation, Person, Source};
use super::register::{Change, Register};
use super::settings::CategoryKey;
use super::text::fold;
use super::validate::{self as v, Problem};

/// Something reading a row found. [`RowIssue::id`] is the message id;
/// an error makes the row unimportable, a warning asks the user to check.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum RowIssue {
    /// A quoted cell was never closed: the row was read with its quotes as
    /// plain text and may be cut wrong (error).
    BrokenQuoting,
    /// More or fewer cells than the header has (warning: missing cells
    /// are empty, extra cells are ignored).
    CellCount { expected: usize, found: usize },
    /// This line was not UTF-8 and was read as Windows-1252 (warning:
    /// check the letters).
    EncodingGuessed,
    /// A cell the mapped field cannot take, e.g. "maybe" for a consent
    /// (error). `column` is the file's header (or vCard property).
    Value { column: String, problem: Problem },
    /// A vCard without a name or a card that was never ended (error).
    Malformed,
}

impl RowIssue {
    pub fn id(&self) -> &'static str {
        match self {
            RowIssue::BrokenQuoting => "broken_quoting",
            RowIssue::CellCount { .. } => "cell_count",
            RowIssue::EncodingGuessed => "encoding_guessed",
            RowIssue::Value { .. } => "value_invalid",
            RowIssue::Malformed => "malformed",
        }
    }

    pub fn is_error(&self) -> bool {
        !matches!(self, RowIssue::CellCount { .. } | RowIssue::EncodingGuessed)
    }
}

/// One contact read from a file.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ImportRow {
    /// The line in the file where the contact starts (1-based).
    pub line: usize,
    pub draft: PersonDraft,
    /// Consents the file states (only when a column maps to a purpose).
    pub consents: Vec<(Purpose, ConsentState)>,
    pub issues: Vec<RowIssue>,
}

impl ImportRow {
    /// Whether reading found an error (the row cannot be imported).
    pub fn unreadable(&self) -> bool {
        self.issues.iter().any(RowIssue::is_error)
    }
}

/// What the user chose for everything imported.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ImportOptions {
    /// Where the data came from (normally [`Source::Import`]).
    pub source: Source,
    /// The file's name (or what the user wrote instead).
    pub detail: String,
    /// When the data was obtained; empty: today.
    pub date: String,
    /// Categories every imported person gets.
    pub categories: BTreeSet<CategoryKey>,
    /// Tags every imported person gets.
    pub tags: Vec<String>,
    /// The wording of consents the file states, as the people saw it
    /// (required when the file states a given consent).
    pub consent_wording: String,
    /// When those consents were given; empty: the provenance date.
    pub consent_date: String,
}

impl Default for ImportOptions {
    fn default() -> Self {
        ImportOptions {
            source: Source::Import,
            detail: String::new(),
            date: String::new(),
            categories: BTreeSet::new(),
            tags: Vec::new(),
            consent_wording: String::new(),
            consent_date: String::new(),
        }
    }
}

impl ImportOptions {
    /// The row's draft with the chosen provenance, categories and tags.
    pub fn apply(&self, draft: &PersonDraft) -> PersonDraft {
        let mut d = draft.clone();
        d.provenance = ProvenanceDraft { source: self.source, detail: self.detail.clone(), date: self.date.clone() };
        d.categories.extend(self.categories.iter().cloned());
        for tag in &self.tags {
            if !d.tags.contains(tag) {
                d.tags.push(tag.clone());
            }
        }
        d
    }
}

/// Why a row looks like someone already in the register.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum MatchReason {
    Email,
    Phone,
    /// The same name at an organisation of the same name.
    NameAndOrg,
}

impl MatchReason {
    pub fn id(self) -> &'static str {
        match self {
            MatchReason::Email => "same_email",
            MatchReason::Phone => "same_phone",
            MatchReason::NameAndOrg => "same_name_and_org",
        }
    }
}

/// What the preview found for a row.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RowStatus {
    /// Nobody like this in the register or earlier in the file.
    New,
    /// Likely someone already in the register (the best match first).
    Duplicate { of: PersonId, reasons: Vec<MatchReason>, others: Vec<PersonId> },
    /// Likely the same person as an earlier row of the file (its index).
    InFile { row: usize, reasons: Vec<MatchReason> },
    /// The form's checks refuse it, field by field (paths as in the form).
    Invalid(Vec<FieldError>),
    /// Reading the file found an error in the row (see its issues).
    Unreadable,
}

impl RowStatus {
    pub fn id(&self) -> &'static str {
        match self {
            RowStatus::New => "new",
            RowStatus::Duplicate { .. } => "duplicate",
            RowStatus::InFile { .. } => "duplicate_in_file",
            RowStatus::Invalid(_) => "invalid",
            RowStatus::Unreadable => "unreadable",
        }
    }

    pub fn importable(&self) -> bool {
        !matches!(self, RowStatus::Invalid(_) | RowStatus::Unreadable)
    }
}

/// What to do with a row.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Decision {
    Skip,
    Add,
    /// Into this person: lists are joined, empty fields filled, the
    /// person's own name and provenance kept.
    Merge(PersonId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PreviewRow {
    pub line: usize,
    pub status: RowStatus,
    /// What the preview suggests: add new people, merge matches by e-mail
    /// or phone (unless the match is restricted), skip the rest.
    pub suggested: Decision,
    pub issues: Vec<RowIssue>,
}

/// The preview of a contacts import, row by row.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ContactsPreview {
    pub rows: Vec<PreviewRow>,
}

impl ContactsPreview {
    /// How many rows have each status (by [`RowStatus::id`]).
    pub fn counts(&self) -> BTreeMap<&'static str, usize> {
        let mut counts = BTreeMap::new();
        for r in &self.rows {
            *counts.entry(r.status.id()).or_insert(0) += 1;
        }
        counts
    }

    /// The suggested decisions, one per row.
    pub fn suggestions(&self) -> Vec<Decision> {
        self.rows.iter().map(|r| r.suggested).collect()
    }
}

/// The rows and the user's decisions: what [`super::Command::ImportContacts`]
/// plans.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ContactsImport {
    pub rows: Vec<ImportRow>,
    /// One per row.
    pub decisions: Vec<Decision>,
    pub options: ImportOptions,
}

/// The keys a person is recognised by.
fn name_key(given: &str, family: &str) -> String {
    fold(&format!("{given} {family}"))
}

/// Finds likely duplicates in the register and earlier in the file, with
/// the register's indexes built once (so 100 000 rows take linear time).
pub struct DuplicateFinder<'r> {
    reg: &'r Register,
    by_phone: HashMap<String, Vec<PersonId>>,
    by_name_org: HashMap<(String, String), Vec<PersonId>>,
    /// Earlier rows of the file by key.
    file_email: HashMap<String, usize>,
    file_phone: HashMap<String, usize>,
    file_name_org: HashMap<(String, String), usize>,
}

impl<'r> DuplicateFinder<'r> {
    pub fn new(reg: &'r Register) -> Self {
        let mut by_phone: HashMap<String, Vec<PersonId>> = HashMap::new();
        let mut by_name_org: HashMap<(String, String), Vec<PersonId>> = HashMap::new();
        for p in reg.people() {
            for ph in &p.phones {
                by_phone.entry(ph.value.clone()).or_default().push(p.id);
            }
            let name = name_key(&p.given_name, &p.family_name);
            for a in &p.affiliations {
                if let Some(org) = reg.org(a.org) {
                    by_name_org.entry((name.clone(), fold(&org.name))).or_default().push(p.id);
                }
            }
        }
        for ids in by_phone.values_mut().chain(by_name_org.values_mut()) {
            ids.sort();
            ids.dedup();
        }
        DuplicateFinder {
            reg,
            by_phone,
            by_name_org,
            file_email: HashMap::new(),
            file_phone: HashMap::new(),
            file_name_org: HashMap::new(),
        }
    }

    /// The status of the row at `index` (rows must come in file order).
    fn check(&mut self, index: usize, data: &PersonData) -> RowStatus {
        let name = name_key(&data.given_name, &data.family_name);
        let org_names: Vec<String> = data
            .affiliations
            .iter()
            .filter_map(|(choice, _)| match choice {
                OrgChoice::New(n) => Some(fold(n)),
                OrgChoice::Existing(id) => self.reg.org(*id).map(|o| fold(&o.name)),
            })
            .collect();
        // In the register: count the reasons per person.
        let mut found: BTreeMap<PersonId, BTreeSet<MatchReason>> = BTreeMap::new();
        for e in &data.emails {
            for id in self.reg.email_owners(&e.value, None) {
                found.entry(id).or_default().insert(MatchReason::Email);
            }
        }
        for ph in &data.phones {
            for id in self.by_phone.get(&ph.value).into_iter().flatten() {
                found.entry(*id).or_default().insert(MatchReason::Phone);
            }
        }
        for org in &org_names {
            for id in self.by_name_org.get(&(name.clone(), org.clone())).into_iter().flatten() {
                found.entry(*id).or_default().insert(MatchReason::NameAndOrg);
            }
        }
        // In the file: the first earlier row that shares a key.
        let mut in_file: BTreeMap<usize, BTreeSet<MatchReason>> = BTreeMap::new();
        for e in &data.emails {
            let key = e.value.to_lowercase();
            match self.file_email.get(&key) {
                Some(row) => {
                    in_file.entry(*row).or_default().insert(MatchReason::Email);
                }
                None => {
                    self.file_email.insert(key, index);
                }
            }
        }
        for ph in &data.phones {
            match self.file_phone.get(&ph.value) {
                Some(row) => {
                    in_file.entry(*row).or_default().insert(MatchReason::Phone);
                }
                None => {
                    self.file_phone.insert(ph.value.clone(), index);
                }
            }
        }
        for org in org_names {
            let key = (name.clone(), org);
            match self.file_name_org.get(&key) {
                Some(row) => {
                    in_file.entry(*row).or_default().insert(MatchReason::NameAndOrg);
                }
                None => {
                    self.file_name_org.insert(key, index);
                }
            }
        }
        if !found.is_empty() {
            let mut ranked: Vec<(PersonId, BTreeSet<MatchReason>)> = found.into_iter().collect();
            // Most reasons first, e-mail before phone before name; then id.
            ranked.sort_by(|a, b| b.1.len().cmp(&a.1.len()).then(a.1.cmp(&b.1)).then(a.0.cmp(&b.0)));
            let (of, reasons) = ranked[0].clone();
            let others = ranked[1..].iter().map(|(id, _)| *id).collect();
            return RowStatus::Duplicate { of, reasons: reasons.into_iter().collect(), others };
        }
        if let Some((row, reasons)) = in_file.into_iter().next() {
            return RowStatus::InFile { row, reasons: reasons.into_iter().collect() };
        }
        RowStatus::New
    }
}

fn suggestion(reg: &Register, status: &RowStatus) -> Decision {
    match status {
        RowStatus::New => Decision::Add,
        RowStatus::Duplicate { of, reasons, .. }
            if reasons.iter().any(|r| *r != MatchReason::NameAndOrg)
                && !reg.person(*of).is_some_and(Person::is_restricted) =>
        {
            Decision::Merge(*of)
        }
        _ => Decision::Skip,
    }
}

impl Register {
    /// Checks every row as the person form would (with the options
    /// applied) and finds likely duplicates. Changes nothing.
    pub fn preview_contacts_import(
        &self,
        rows: &[ImportRow],
        options: &ImportOptions,
        today: NaiveDate,
    ) -> ContactsPreview {
        let mut finder = DuplicateFinder::new(self);
        let rows = rows
            .iter()
            .enumerate()
            .map(|(i, row)| {
                let status = if row.unreadable() {
                    RowStatus::Unreadable
                } else {
                    match validate_person(&options.apply(&row.draft), &self.settings, today) {
                        Ok(data) => finder.check(i, &data),
                        Err(errors) => RowStatus::Invalid(errors),
                    }
                };
                PreviewRow { line: row.line, suggested: suggestion(self, &status), status, issues: row.issues.clone() }
            })
            .collect();
        ContactsPreview { rows }
    }
}

impl Planner<'_, '_, '_> {
    /// Plans a contacts import (see [`ContactsImport`]): every row to add
    /// or merge is checked again; one problem refuses the whole import.
    pub(crate) fn import_contacts(&mut self, import: &ContactsImport) -> Result<(), CommandError> {
        let ContactsImport { rows, decisions, options } = import;
        let reg = self.reg;
        if decisions.len() != rows.len() {
            return Err(CommandError::Invalid(vec![FieldError::new("decisions", Problem::Missing)]));
        }
        let today = self.env.today;
        let mut errors = Vec::new();
        let mut chosen: Vec<(usize, PersonData, Decision)> = Vec::new();
        for (i, (row, decision)) in rows.iter().zip(decisions).enumerate() {
            if *decision == Decision::Skip {
                continue;
            }
            if row.unreadable() {
                errors.push(FieldError::new(format!("rows.{i}"), Problem::Missing));
                continue;
            }
            if let Decision::Merge(target) = decision {
                match reg.person(*target) {
                    None => {
                        errors.push(FieldError::new(format!("rows.{i}.merge"), Problem::Missing));
                        continue;
                    }
                    // A restricted person is not edited, by an import either.
                    Some(p) if p.is_restricted() => {
                        return Err(CommandError::Refused(super::gdpr::Refusal::Restricted(*target)));
                    }
                    Some(_) => {}
                }
            }
            match validate_person(&options.apply(&row.draft), &reg.settings, today) {
                Ok(data) => chosen.push((i, data, *decision)),
                Err(list) => {
                    errors.extend(list.into_iter().map(|e| FieldError::new(format!("rows.{i}.{}", e.field), e.problem)))
                }
            }
        }
        let states: Vec<ConsentState> =
            chosen.iter().flat_map(|(i, _, _)| rows[*i].consents.iter().map(|(_, s)| *s)).collect();
        let wording = v::long_text(&options.consent_wording).unwrap_or_else(|problem| {
            errors.push(FieldError::new("consent_wording", problem));
            String::new()
        });
        if states.contains(&ConsentState::Given) && wording.is_empty() {
            errors.push(FieldError::new("consent_wording", Problem::Required));
        }
        let mut consent_date = None;
        if !states.is_empty() {
            let raw = if options.consent_date.trim().is_empty() { &options.date } else { &options.consent_date };
            match v::optional_date(raw) {
                Ok(Some(d)) if d > today => errors.push(FieldError::new("consent_date", Problem::DateInFuture)),
                Ok(d) => consent_date = Some(d.unwrap_or(today)),
                Err(problem) => errors.push(FieldError::new("consent_date", problem)),
            }
        }
        for (i, _, _) in &chosen {
            for (purpose, _) in &rows[*i].consents {
                if let Purpose::Newsletter(id) = purpose {
                    if reg.consent_config.newsletter(*id).is_none() {
                        errors.push(FieldError::new(format!("rows.{i}.consents"), Problem::Missing));
                    }
                }
            }
        }
        if !errors.is_empty() {
            return Err(CommandError::Invalid(errors));
        }

        let mut orgs: HashMap<String, OrgId> = reg.orgs().map(|o| (fold(&o.name), o.id)).collect();
        let mut merged: BTreeMap<PersonId, Person> = BTreeMap::new();
        let mut touched = 0;
        for (i, data, decision) in chosen {
            let affiliations = self.import_affiliations(&data.affiliations, &mut orgs);
            let person = match decision {
                Decision::Add => {
                    let id = PersonId::new(self.new_uuid());
                    let now = self.env.now;
                    let person = build_person(id, data, affiliations, now, now, BTreeMap::new(), self.stamp);
                    let fields = person.changed_fields(&empty_like(&person));
                    self.plan.changes.push(Change::PutPerson(person));
                    self.audit(AuditAction::Created, EntityRef::Person(id), keys(&fields));
                    touched += 1;
                    id
                }
                Decision::Merge(target) => {
                    let base = merged.get(&target).cloned().unwrap_or_else(|| reg.people[&target].clone());
                    let now = self.env.now;
                    let incoming = build_person(target, data, affiliations, now, now, BTreeMap::new(), self.stamp);
                    let mut out = merge_person_fields(&base, &incoming, &BTreeMap::new());
                    out.created = base.created;
                    // The same address in another case is the same address.
                    let mut seen = std::collections::HashSet::new();
                    out.emails.retain(|e| seen.insert(e.value.to_lowercase()));
                    merged.insert(target, out);
                    target
                }
                Decision::Skip => continue,
            };
            for (purpose, state) in &rows[i].consents {
                let entry = ConsentEntry {
                    id: ConsentId::new(self.new_uuid()),
                    person,
                    purpose: *purpose,
                    state: *state,
                    date: consent_date.unwrap_or(today),
                    source: ConsentSource::Imported,
                    wording: wording.clone(),
                    recorded_at: self.env.now,
                    by: self.env.actor.name.clone(),
                    stamp: self.stamp,
                };
                self.plan.changes.push(Change::PutConsent(entry));
            }
        }
        for (id, mut person) in merged {
            let old = &reg.people[&id];
            let changed = old.changed_fields(&person);
            if changed.is_empty() {
                continue;
            }
            person.updated = self.env.now;
            for field in &changed {
                person.stamps.insert(field.clone(), self.stamp);
            }
            self.plan.changes.push(Change::PutPerson(person));
            self.audit(AuditAction::Updated, EntityRef::Person(id), keys(&changed));
            touched += 1;
        }
        self.plan.affected = touched;
        Ok(())
    }

    /// Organisations by name, created once per plan (an index instead of
    /// a search per row).
    fn import_affiliations(
        &mut self,
        choices: &[(OrgChoice, String)],
        orgs: &mut HashMap<String, OrgId>,
    ) -> Vec<Affiliation> {
        let mut out: Vec<Affiliation> = Vec::new();
        for (choice, role) in choices {
            let org = match choice {
                OrgChoice::Existing(id) if self.reg.org(*id).is_some() => *id,
                OrgChoice::Existing(_) => continue,
                OrgChoice::New(name) => {
                    let key = fold(name);
                    match orgs.get(&key) {
                        Some(id) => *id,
                        None => {
                            let id = self.create_org(name);
                            orgs.insert(key, id);
                            id
                        }
                    }
                }
            };
            if !out.iter().any(|a| a.org == org) {
                out.push(Affiliation { org, role: role.clone() });
            }
        }
        out
    }
}
