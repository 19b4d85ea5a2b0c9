//! The register description / privacy notice (GDPR Art. 13 and 14) and
//! the record of processing activities (Art. 30), generated from the
//! register description, the register's schema (categories, custom
//! fields) and its retention rules, in Finnish, Swedish or English; and
//! the warnings about data the register stores that no purpose declares.

use std::collections::BTreeSet;

use super::description::{self, DataKind, LegalBasis, Purpose, RegisterDescription, Safeguard, Transfer};
use super::document::{Block, Document, DocumentKind, Section};
use super::retention::{Anchor, RetentionRule, RetentionRules, RetentionTarget};
use super::texts::{self, capitalise, count, t, tf, Lang};
use crate::domain::draft::FieldError;
use crate::domain::person::Source;
use crate::domain::record::RecordKind;
use crate::domain::register::Register;
use crate::domain::settings::{CategoryKey, Settings};

/// The sections of every privacy notice, in order (extra sections of the
/// organisation's own follow as `extra.0`, `extra.1`, …).
pub const NOTICE_SECTIONS: [&str; 15] = [
    "register",
    "controller",
    "contact",
    "dpo",
    "purposes",
    "data",
    "sources",
    "recipients",
    "transfers",
    "retention",
    "security",
    "rights",
    "complaint",
    "provision",
    "automated",
];

/// The sections of every record of processing activities, in order.
pub const RECORD_SECTIONS: [&str; 6] = ["controller", "activities", "recipients", "transfers", "retention", "security"];

// ----- names of things, in a language -----

pub(super) fn category_name(lang: Lang, settings: &Settings, key: &CategoryKey) -> String {
    if key.is_built_in() {
        return t(lang, &format!("category.{}", key.as_str()));
    }
    settings.category(key).map_or_else(|| key.as_str().to_owned(), |c| c.name.clone())
}

pub(super) fn data_name(lang: Lang, settings: &Settings, kind: &DataKind) -> String {
    match kind {
        DataKind::Custom(id) => settings.field(*id).map_or_else(|| id.to_string(), |f| f.name.clone()),
        other => t(lang, &format!("data.{}", other.key())),
    }
}

pub(super) fn source_name(lang: Lang, source: Source) -> String {
    t(lang, &format!("source.{}", source.key()))
}

pub(super) fn basis_name(lang: Lang, basis: LegalBasis) -> String {
    t(lang, &format!("basis.{}", basis.key()))
}

pub(super) fn register_name(lang: Lang, desc: &RegisterDescription) -> String {
    if desc.register_name.is_empty() {
        t(lang, "register.default_name")
    } else {
        desc.register_name.clone()
    }
}

fn standard_or(lang: Lang, purpose: &Purpose, own: &str, part: &str) -> String {
    if !own.is_empty() || !purpose.is_standard() {
        return own.to_owned();
    }
    let key = format!("purpose.{}.{part}", purpose.key);
    if texts::has(lang, &key) {
        t(lang, &key)
    } else {
        String::new()
    }
}

pub(super) fn purpose_name(lang: Lang, p: &Purpose) -> String {
    standard_or(lang, p, &p.name, "name")
}

pub(super) fn purpose_description(lang: Lang, p: &Purpose) -> String {
    standard_or(lang, p, &p.description, "description")
}

pub(super) fn purpose_interest(lang: Lang, p: &Purpose) -> String {
    if p.basis != LegalBasis::LegitimateInterest {
        return String::new();
    }
    standard_or(lang, p, &p.interest, "interest")
}

fn target_name(lang: Lang, settings: &Settings, target: &RetentionTarget) -> String {
    match target {
        RetentionTarget::Category(c) => category_name(lang, settings, c),
        RetentionTarget::Records(r) => t(lang, &format!("target.{}", r.key())),
        RetentionTarget::Dietary => t(lang, "target.dietary"),
    }
}

fn anchor_text(lang: Lang, anchor: Anchor) -> String {
    t(lang, &format!("anchor.{}", anchor.key()))
}

/// A rule in words: "Asiakkaiden yhteyshenkilöt: 10 vuotta viimeisen
/// asiakastapahtuman jälkeen".
pub fn rule_text(lang: Lang, settings: &Settings, rule: &RetentionRule) -> String {
    let period = count(lang, rule.period.unit.key(), rule.period.amount);
    tf(
        lang,
        "retention.rule",
        &[
            ("what", &target_name(lang, settings, &rule.applies_to)),
            ("period", &period),
            ("anchor", &anchor_text(lang, rule.anchor)),
        ],
    )
}

/// Every retention sentence: the rules, accounting, statutory training,
/// holds.
pub(super) fn retention_lines(lang: Lang, settings: &Settings, rules: &RetentionRules) -> Vec<String> {
    let mut lines: Vec<String> = rules.rules.iter().map(|r| rule_text(lang, settings, r)).collect();
    lines.push(tf(lang, "retention.accounting", &[("years", &rules.accounting_years.to_string())]));
    lines.push(tf(lang, "retention.statutory_training", &[("years", &rules.statutory_training_years.to_string())]));
    lines
}

fn transfer_text(lang: Lang, tr: &Transfer) -> String {
    let safeguard = match (tr.safeguard, tr.note.is_empty()) {
        (Safeguard::Other, _) => tr.note.clone(),
        (s, true) => t(lang, &format!("safeguard.{}", s.key())),
        (s, false) => format!("{} ({})", t(lang, &format!("safeguard.{}", s.key())), tr.note),
    };
    tf(lang, "transfers.item", &[("recipient", &tr.recipient), ("country", &tr.country), ("safeguard", &safeguard)])
}

fn contact_fields(lang: Lang, name: &str, email: &str, phone: &str, address: &str) -> Vec<(String, String)> {
    [("label.name", name), ("label.address", address), ("label.email", email), ("label.phone", phone)]
        .into_iter()
        .filter(|(_, v)| !v.is_empty())
        .map(|(k, v)| (t(lang, k), v.to_owned()))
        .collect()
}

fn controller_fields(lang: Lang, desc: &RegisterDescription) -> Vec<(String, String)> {
    let c = &desc.controller;
    let mut fields = vec![(t(lang, "label.name"), c.name.clone())];
    if !c.business_id.is_empty() {
        fields.push((t(lang, "label.business_id"), c.business_id.clone()));
    }
    fields.extend(contact_fields(lang, "", &c.email, &c.phone, &c.address));
    fields
}

/// The contact for privacy matters in one line (for the rights section).
fn contact_line(desc: &RegisterDescription) -> String {
    let c = &desc.contact;
    [c.name.as_str(), c.email.as_str(), c.phone.as_str(), c.address.as_str()]
        .into_iter()
        .filter(|s| !s.is_empty())
        .collect::<Vec<_>>()
        .join(", ")
}

/// The categories the description's purposes concern, in the register's
/// order (built-in first, then the organisation's own).
fn declared_categories(desc: &RegisterDescription, settings: &Settings) -> Vec<CategoryKey> {
    let declared = desc.declared_categories();
    settings.all_categories().into_iter().filter(|c| declared.contains(c)).collect()
}

/// The data kinds the purposes concerning `category` use.
fn data_of(desc: &RegisterDescription, category: &CategoryKey) -> BTreeSet<DataKind> {
    desc.purposes.iter().filter(|p| p.categories.contains(category)).flat_map(|p| p.data.iter().copied()).collect()
}

/// The rights of the data subject, as list items.
pub(super) fn rights_list(lang: Lang) -> Vec<String> {
    [
        "access",
        "rectification",
        "erasure",
        "restriction",
        "objection",
        "direct_marketing",
        "portability",
        "withdraw_consent",
    ]
    .iter()
    .map(|k| t(lang, &format!("rights.{k}")))
    .collect()
}

pub(super) fn complaint_text(lang: Lang) -> String {
    t(lang, "complaint.text")
}

fn section(key: impl Into<String>, heading: String, blocks: Vec<Block>) -> Section {
    Section { key: key.into(), heading, blocks }
}

fn heading(lang: Lang, key: &str) -> String {
    t(lang, &format!("section.{key}"))
}

fn subtitle(lang: Lang, desc: &RegisterDescription) -> Vec<String> {
    let mut lines = vec![register_name(lang, desc), t(lang, "notice.basis")];
    if let Some(d) = desc.updated {
        lines.push(tf(lang, "notice.updated", &[("date", &texts::date(lang, d))]));
    }
    lines
}

// ----- the privacy notice -----

/// The privacy notice of the register in `lang`. Refused with the
/// description's field problems (e.g. `controller.name` required) while
/// the description is incomplete.
pub fn notice(reg: &Register, lang: Lang) -> Result<Document, Vec<FieldError>> {
    notice_of(reg.description(), reg.settings(), lang)
}

/// The privacy notice of a description (not necessarily saved yet).
pub fn notice_of(desc: &RegisterDescription, settings: &Settings, lang: Lang) -> Result<Document, Vec<FieldError>> {
    let desc = description::validate(desc, settings)?;
    let mut sections = vec![
        section("register", heading(lang, "register"), vec![Block::Paragraph(register_name(lang, &desc))]),
        section("controller", heading(lang, "controller"), vec![Block::Fields(controller_fields(lang, &desc))]),
    ];
    let c = &desc.contact;
    sections.push(section(
        "contact",
        heading(lang, "contact"),
        vec![Block::Fields(contact_fields(lang, &c.name, &c.email, &c.phone, &c.address))],
    ));
    let dpo = match &desc.dpo {
        Some(d) => Block::Fields(contact_fields(lang, &d.name, &d.email, &d.phone, &d.address)),
        None => Block::Paragraph(t(lang, "dpo.none")),
    };
    sections.push(section("dpo", heading(lang, "dpo"), vec![dpo]));

    let mut blocks = vec![Block::Paragraph(t(lang, "purposes.intro"))];
    for p in &desc.purposes {
        blocks.push(Block::Heading(purpose_name(lang, p)));
        let text = purpose_description(lang, p);
        if !text.is_empty() {
            blocks.push(Block::Paragraph(text));
        }
        blocks.push(Block::Paragraph(tf(lang, "purposes.basis", &[("basis", &basis_name(lang, p.basis))])));
        let interest = purpose_interest(lang, p);
        if !interest.is_empty() {
            blocks.push(Block::Paragraph(tf(lang, "purposes.interest", &[("interest", &interest)])));
        }
        if p.basis == LegalBasis::Consent {
            blocks.push(Block::Paragraph(t(lang, "purposes.consent_withdrawal")));
        }
        let groups: Vec<String> = settings
            .all_categories()
            .iter()
            .filter(|c| p.categories.contains(*c))
            .map(|c| category_name(lang, settings, c))
            .collect();
        blocks.push(Block::Paragraph(tf(lang, "purposes.people", &[("groups", &groups.join(", "))])));
    }
    sections.push(section("purposes", heading(lang, "purposes"), blocks));

    let mut blocks = vec![Block::Paragraph(t(lang, "data.intro"))];
    let mut dietary = false;
    for category in declared_categories(&desc, settings) {
        let kinds = data_of(&desc, &category);
        dietary |= kinds.contains(&DataKind::Dietary);
        blocks.push(Block::Heading(category_name(lang, settings, &category)));
        blocks.push(Block::List(kinds.iter().map(|k| data_name(lang, settings, k)).collect()));
    }
    if dietary {
        blocks.push(Block::Paragraph(t(lang, "data.dietary_note")));
    }
    blocks.push(Block::Paragraph(t(lang, "data.requests_note")));
    sections.push(section("data", heading(lang, "data"), blocks));

    let mut blocks = Vec::new();
    if desc.sources.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "sources.none")));
    } else {
        blocks.push(Block::Paragraph(t(lang, "sources.intro")));
        blocks.push(Block::List(desc.sources.iter().map(|s| source_name(lang, *s)).collect()));
    }
    if !desc.sources_note.is_empty() {
        blocks.push(Block::Paragraph(desc.sources_note.clone()));
    }
    sections.push(section("sources", heading(lang, "sources"), blocks));

    sections.push(section("recipients", heading(lang, "recipients"), recipient_blocks(lang, &desc)));
    sections.push(section("transfers", heading(lang, "transfers"), transfer_blocks(lang, &desc)));

    let mut blocks = vec![Block::List(retention_lines(lang, settings, &desc.retention))];
    blocks.push(Block::Paragraph(t(lang, "retention.holds")));
    blocks.push(Block::Paragraph(t(lang, "retention.end")));
    sections.push(section("retention", heading(lang, "retention"), blocks));

    sections.push(section("security", heading(lang, "security"), security_blocks(lang, &desc)));

    let rights = vec![
        Block::Paragraph(t(lang, "rights.intro")),
        Block::List(rights_list(lang)),
        Block::Paragraph(tf(lang, "rights.how", &[("contact", &contact_line(&desc))])),
        Block::Paragraph(t(lang, "rights.time")),
        Block::Paragraph(t(lang, "rights.recorded")),
    ];
    sections.push(section("rights", heading(lang, "rights"), rights));
    sections.push(section("complaint", heading(lang, "complaint"), vec![Block::Paragraph(complaint_text(lang))]));
    sections.push(section("provision", heading(lang, "provision"), vec![Block::Paragraph(t(lang, "provision.text"))]));
    let automated =
        if desc.automated_decisions.is_empty() { t(lang, "automated.none") } else { desc.automated_decisions.clone() };
    sections.push(section("automated", heading(lang, "automated"), vec![Block::Paragraph(automated)]));
    for (i, x) in desc.extra.iter().enumerate() {
        sections.push(section(format!("extra.{i}"), x.heading.clone(), vec![Block::Paragraph(x.text.clone())]));
    }
    Ok(Document {
        kind: DocumentKind::Notice,
        lang,
        title: t(lang, "notice.title"),
        subtitle: subtitle(lang, &desc),
        sections,
    })
}

pub(super) fn recipient_blocks(lang: Lang, desc: &RegisterDescription) -> Vec<Block> {
    let mut blocks = Vec::new();
    if desc.recipients.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "recipients.none")));
    } else {
        blocks.push(Block::Paragraph(t(lang, "recipients.intro")));
        let items = desc
            .recipients
            .iter()
            .map(|r| if r.purpose.is_empty() { r.name.clone() } else { format!("{}: {}", r.name, r.purpose) })
            .collect();
        blocks.push(Block::List(items));
    }
    blocks.push(Block::Paragraph(t(lang, "recipients.authorities")));
    blocks
}

pub(super) fn transfer_blocks(lang: Lang, desc: &RegisterDescription) -> Vec<Block> {
    if desc.transfers.is_empty() {
        return vec![Block::Paragraph(t(lang, "transfers.none"))];
    }
    vec![
        Block::Paragraph(t(lang, "transfers.intro")),
        Block::List(desc.transfers.iter().map(|tr| transfer_text(lang, tr)).collect()),
    ]
}

fn security_blocks(lang: Lang, desc: &RegisterDescription) -> Vec<Block> {
    let or_standard = |own: &str, key: &str| if own.is_empty() { t(lang, key) } else { own.to_owned() };
    vec![
        Block::Heading(t(lang, "security.manual_heading")),
        Block::Paragraph(or_standard(&desc.security_manual, "security.manual")),
        Block::Heading(t(lang, "security.it_heading")),
        Block::Paragraph(or_standard(&desc.security_it, "security.it")),
    ]
}

// ----- the record of processing activities -----

/// The record of processing activities (GDPR Art. 30(1)) in `lang`.
pub fn processing_record(reg: &Register, lang: Lang) -> Result<Document, Vec<FieldError>> {
    processing_record_of(reg.description(), reg.settings(), lang)
}

pub fn processing_record_of(
    desc: &RegisterDescription,
    settings: &Settings,
    lang: Lang,
) -> Result<Document, Vec<FieldError>> {
    let desc = description::validate(desc, settings)?;
    let mut controller = controller_fields(lang, &desc);
    let contact = contact_line(&desc);
    controller.push((t(lang, "label.contact"), contact));
    let dpo = match &desc.dpo {
        Some(d) => [d.name.as_str(), d.email.as_str(), d.phone.as_str(), d.address.as_str()]
            .into_iter()
            .filter(|s| !s.is_empty())
            .collect::<Vec<_>>()
            .join(", "),
        None => t(lang, "dpo.none"),
    };
    controller.push((t(lang, "label.dpo"), dpo));
    let mut sections = vec![section("controller", heading(lang, "controller"), vec![Block::Fields(controller)])];

    let recipients: Vec<String> = desc.recipients.iter().map(|r| r.name.clone()).collect();
    let recipients = if recipients.is_empty() { t(lang, "recipients.none") } else { recipients.join(", ") };
    let transfers = if desc.transfers.is_empty() {
        t(lang, "transfers.none")
    } else {
        desc.transfers.iter().map(|tr| transfer_text(lang, tr)).collect::<Vec<_>>().join("; ")
    };
    let mut blocks = Vec::new();
    for p in &desc.purposes {
        blocks.push(Block::Heading(purpose_name(lang, p)));
        let groups: Vec<String> = settings
            .all_categories()
            .iter()
            .filter(|c| p.categories.contains(*c))
            .map(|c| category_name(lang, settings, c))
            .collect();
        let data: Vec<String> = p.data.iter().map(|k| data_name(lang, settings, k)).collect();
        let retention: Vec<String> = desc
            .retention
            .rules
            .iter()
            .filter(|r| match &r.applies_to {
                RetentionTarget::Category(c) => p.categories.contains(c),
                RetentionTarget::Records(kind) => p.data.iter().any(|d| record_data(*kind) == Some(*d)),
                RetentionTarget::Dietary => p.data.contains(&DataKind::Dietary),
            })
            .map(|r| rule_text(lang, settings, r))
            .collect();
        let mut fields = vec![(t(lang, "label.purpose"), purpose_description(lang, p))];
        fields.retain(|(_, v)| !v.is_empty());
        fields.push((t(lang, "label.basis"), basis_name(lang, p.basis)));
        let interest = purpose_interest(lang, p);
        if !interest.is_empty() {
            fields.push((t(lang, "label.interest"), interest));
        }
        fields.push((t(lang, "label.people"), groups.join(", ")));
        fields.push((t(lang, "label.data"), data.join(", ")));
        fields.push((t(lang, "label.recipients"), recipients.clone()));
        fields.push((t(lang, "label.transfers"), transfers.clone()));
        if !retention.is_empty() {
            fields.push((t(lang, "label.retention"), retention.join("; ")));
        }
        blocks.push(Block::Fields(fields));
    }
    sections.push(section("activities", t(lang, "record.activities"), blocks));
    sections.push(section("recipients", heading(lang, "recipients"), recipient_blocks(lang, &desc)));
    sections.push(section("transfers", heading(lang, "transfers"), transfer_blocks(lang, &desc)));
    sections.push(section(
        "retention",
        heading(lang, "retention"),
        vec![
            Block::List(retention_lines(lang, settings, &desc.retention)),
            Block::Paragraph(t(lang, "retention.holds")),
        ],
    ));
    sections.push(section("security", heading(lang, "security"), security_blocks(lang, &desc)));
    Ok(Document {
        kind: DocumentKind::ProcessingRecord,
        lang,
        title: t(lang, "record.title"),
        subtitle: subtitle(lang, &desc),
        sections,
    })
}

fn record_data(kind: super::retention::RecordType) -> Option<DataKind> {
    use super::retention::RecordType as R;
    Some(match kind {
        R::Contract => DataKind::Contracts,
        R::Feedback => DataKind::Feedback,
        R::Ticket => DataKind::Tickets,
        R::Training => DataKind::Training,
        R::Event => DataKind::Events,
    })
}

// ----- warnings -----

/// Something the register holds that the description does not account
/// for.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Warning {
    /// Data of this kind is stored (or a custom field is declared), but no
    /// purpose names it.
    UndeclaredData(DataKind),
    /// People are in this group, but no purpose concerns it.
    UndeclaredCategory(CategoryKey),
    /// People's data came from a source the description does not list.
    UndeclaredSource(Source),
    /// People are in this group, but no retention rule covers it (they are
    /// never deleted by retention).
    NoRetentionRule(CategoryKey),
}

impl Warning {
    /// A stable message id for the interface.
    pub fn id(&self) -> &'static str {
        match self {
            Warning::UndeclaredData(_) => "warning.undeclared_data",
            Warning::UndeclaredCategory(_) => "warning.undeclared_category",
            Warning::UndeclaredSource(_) => "warning.undeclared_source",
            Warning::NoRetentionRule(_) => "warning.no_retention",
        }
    }

    /// The warning in words, in `lang`.
    pub fn message(&self, lang: Lang, settings: &Settings) -> String {
        let what = match self {
            Warning::UndeclaredData(k) => data_name(lang, settings, k),
            Warning::UndeclaredCategory(c) | Warning::NoRetentionRule(c) => category_name(lang, settings, c),
            Warning::UndeclaredSource(s) => source_name(lang, *s),
        };
        tf(lang, self.id(), &[("what", &what)])
    }
}

/// The kinds of data the register holds now: built-in fields with a value,
/// relationship records by kind, dietary data, consents, and every custom
/// field declared in Settings.
pub fn data_in_use(reg: &Register) -> BTreeSet<DataKind> {
    let mut used = BTreeSet::new();
    for p in reg.people() {
        let mut mark = |present: bool, kind: DataKind| {
            if present {
                used.insert(kind);
            }
        };
        mark(!p.given_name.is_empty() || !p.family_name.is_empty(), DataKind::Name);
        mark(!p.emails.is_empty(), DataKind::Emails);
        mark(!p.phones.is_empty(), DataKind::Phones);
        mark(!p.addresses.is_empty(), DataKind::Addresses);
        mark(!p.websites.is_empty(), DataKind::Websites);
        mark(!p.socials.is_empty(), DataKind::Socials);
        mark(!p.affiliations.is_empty(), DataKind::Affiliations);
        mark(!p.tags.is_empty(), DataKind::Tags);
        mark(!p.notes.is_empty(), DataKind::Notes);
        used.extend(p.custom.keys().map(|id| DataKind::Custom(*id)));
    }
    for r in reg.records() {
        used.insert(DataKind::of_record(&r.kind));
        if matches!(&r.kind, RecordKind::Event(e) if e.dietary.is_some()) {
            used.insert(DataKind::Dietary);
        }
    }
    if reg.consent_entries().any(|e| reg.person(e.person).is_some()) {
        used.insert(DataKind::Consents);
    }
    used.extend(reg.settings().fields.iter().map(|f| DataKind::Custom(f.id)));
    used
}

/// What the register holds that the saved (or default) description does
/// not account for, in order.
pub fn warnings(reg: &Register) -> Vec<Warning> {
    let desc = reg.description();
    let declared = desc.declared_data();
    let mut out: Vec<Warning> =
        data_in_use(reg).into_iter().filter(|k| !declared.contains(k)).map(Warning::UndeclaredData).collect();
    let categories: BTreeSet<CategoryKey> = reg.people().flat_map(|p| p.categories.iter().cloned()).collect();
    let purposes = desc.declared_categories();
    out.extend(categories.iter().filter(|c| !purposes.contains(*c)).cloned().map(Warning::UndeclaredCategory));
    let sources: BTreeSet<Source> = reg.people().map(|p| p.provenance.source).collect();
    out.extend(sources.into_iter().filter(|s| !desc.sources.contains(s)).map(Warning::UndeclaredSource));
    out.extend(
        categories
            .into_iter()
            .filter(|c| desc.retention.for_target(&RetentionTarget::Category(c.clone())).next().is_none())
            .map(Warning::NoRetentionRule),
    );
    out.sort();
    out
}

/// Capitalised label of a data kind (access reports use them as labels).
pub(super) fn data_label(lang: Lang, settings: &Settings, kind: &DataKind) -> String {
    capitalise(&data_name(lang, settings, kind))
}
