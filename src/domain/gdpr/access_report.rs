//! A person's access report (GDPR Art. 15): everything the register holds
//! about them, why (purposes and legal bases), where it came from, who
//! received it (the disclosure log), how long it is kept, and their own
//! requests — as a document to print or download. The machine-readable copy
//! (portability, Art. 20) is written by `bundle::gdpr`.
//!
//! The report is the one output that includes a restricted person.

use chrono::NaiveDate;

use super::description::{DataKind, LegalBasis};
use super::document::{Block, Document, DocumentKind, Section};
use super::notice::{
    basis_name, category_name, complaint_text, data_label, purpose_interest, purpose_name, register_name,
    retention_lines, rights_list, source_name, transfer_blocks,
};
use super::texts::{self, t, tf, Lang};
use crate::domain::consent::Purpose as ConsentPurpose;
use crate::domain::ids::{PersonId, RequestId};
use crate::domain::person::Person;
use crate::domain::record::{Record, RecordKind};
use crate::domain::register::Register;
use crate::domain::settings::{format_number, CustomValue};

fn date(lang: Lang, d: NaiveDate) -> String {
    texts::date(lang, d)
}

fn opt_date(lang: Lang, d: Option<NaiveDate>) -> String {
    d.map(|d| date(lang, d)).unwrap_or_default()
}

fn yes_no(lang: Lang, b: bool) -> String {
    t(lang, if b { "yes" } else { "no" })
}

/// Cents of euro as money: `1 234,50 €` (fi, sv), `€1,234.50` (en).
pub fn money(lang: Lang, cents: i64) -> String {
    let sign = if cents < 0 { "-" } else { "" };
    let abs = cents.unsigned_abs();
    let (euros, rest) = (abs / 100, abs % 100);
    let digits = euros.to_string();
    let sep = if lang == Lang::En { ',' } else { '\u{a0}' };
    let mut grouped = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            grouped.push(sep);
        }
        grouped.push(c);
    }
    match lang {
        Lang::En => format!("{sign}€{grouped}.{rest:02}"),
        _ => format!("{sign}{grouped},{rest:02}\u{a0}€"),
    }
}

fn custom_text(lang: Lang, v: &CustomValue) -> String {
    match v {
        CustomValue::Text(s) | CustomValue::Choice(s) => s.clone(),
        CustomValue::Number(n) => format_number(*n),
        CustomValue::Date(d) => date(lang, *d),
        CustomValue::YesNo(b) => yes_no(lang, *b),
    }
}

fn person_fields(reg: &Register, p: &Person, lang: Lang) -> Vec<(String, String)> {
    let settings = reg.settings();
    let label = |k: DataKind| data_label(lang, settings, &k);
    let mut f: Vec<(String, String)> = Vec::new();
    let mut add = |label: String, value: String| {
        if !value.is_empty() {
            f.push((label, value));
        }
    };
    add(label(DataKind::Name), p.display_name());
    add(label(DataKind::Emails), p.emails.iter().map(|e| e.value.clone()).collect::<Vec<_>>().join(", "));
    add(label(DataKind::Phones), p.phones.iter().map(|e| e.value.clone()).collect::<Vec<_>>().join(", "));
    add(label(DataKind::Addresses), p.addresses.iter().map(|a| a.one_line()).collect::<Vec<_>>().join("; "));
    add(label(DataKind::Websites), p.websites.join(", "));
    add(
        label(DataKind::Socials),
        p.socials.iter().map(|s| format!("{}: {}", s.service, s.handle)).collect::<Vec<_>>().join(", "),
    );
    let orgs: Vec<String> = p
        .affiliations
        .iter()
        .filter_map(|a| {
            reg.org(a.org).map(|o| if a.role.is_empty() { o.name.clone() } else { format!("{} ({})", o.name, a.role) })
        })
        .collect();
    add(label(DataKind::Affiliations), orgs.join(", "));
    let groups: Vec<String> = settings
        .all_categories()
        .iter()
        .filter(|c| p.categories.contains(*c))
        .map(|c| category_name(lang, settings, c))
        .collect();
    add(t(lang, "label.categories"), groups.join(", "));
    add(label(DataKind::Tags), p.tags.iter().cloned().collect::<Vec<_>>().join(", "));
    for (id, value) in &p.custom {
        add(data_label(lang, settings, &DataKind::Custom(*id)), custom_text(lang, value));
    }
    add(label(DataKind::Notes), p.notes.clone());
    if let Some(r) = &p.restriction {
        add(t(lang, "label.restriction"), date(lang, r.since));
    }
    add(t(lang, "label.created"), date(lang, p.created.date_naive()));
    add(t(lang, "label.updated"), date(lang, p.updated.date_naive()));
    f
}

fn record_blocks(records: &[&Record], lang: Lang) -> Vec<Block> {
    let l = |k: &str| t(lang, &format!("label.{k}"));
    let mut blocks = Vec::new();
    let mut table = |kind: &str, head: Vec<String>, rows: Vec<Vec<String>>| {
        if !rows.is_empty() {
            blocks.push(Block::Heading(t(lang, &format!("rec.{kind}"))));
            blocks.push(Block::Table { head, rows });
        }
    };
    let contracts: Vec<Vec<String>> = records
        .iter()
        .filter_map(|r| match &r.kind {
            RecordKind::Contract(c) => Some(vec![
                t(lang, &format!("contract.{}", c.kind.key())),
                c.title.clone(),
                opt_date(lang, c.start),
                opt_date(lang, c.end),
                c.value_cents.map(|v| money(lang, v)).unwrap_or_default(),
                t(lang, &format!("billing.{}", c.billing.key())),
            ]),
            _ => None,
        })
        .collect();
    table("contract", vec![l("kind"), l("title"), l("start"), l("end"), l("value"), l("billing")], contracts);
    let feedback = records
        .iter()
        .filter_map(|r| match &r.kind {
            RecordKind::Feedback(f) => Some(vec![date(lang, f.date), f.text.clone()]),
            _ => None,
        })
        .collect();
    table("feedback", vec![l("date"), l("text")], feedback);
    let tickets = records
        .iter()
        .filter_map(|r| match &r.kind {
            RecordKind::Ticket(x) => Some(vec![date(lang, x.opened), opt_date(lang, x.closed), x.description.clone()]),
            _ => None,
        })
        .collect();
    table("ticket", vec![l("opened"), l("closed"), l("description")], tickets);
    let training = records
        .iter()
        .filter_map(|r| match &r.kind {
            RecordKind::Training(x) => Some(vec![
                x.name.clone(),
                date(lang, x.date),
                yes_no(lang, x.completed),
                x.grade.clone(),
                yes_no(lang, x.statutory),
            ]),
            _ => None,
        })
        .collect();
    table("training", vec![l("name"), l("date"), l("completed"), l("grade"), l("statutory")], training);
    let events = records
        .iter()
        .filter_map(|r| match &r.kind {
            RecordKind::Event(x) => {
                Some(vec![x.name.clone(), date(lang, x.date), x.dietary.clone().unwrap_or_default()])
            }
            _ => None,
        })
        .collect();
    table("event", vec![l("name"), l("date"), l("dietary")], events);
    if blocks.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "report.no_records")));
    }
    blocks
}

/// The person's consent ledger, newest answer first.
fn consent_blocks(reg: &Register, person: PersonId, lang: Lang) -> Vec<Block> {
    let entries = reg.consents_of(person);
    if entries.is_empty() {
        return vec![Block::Paragraph(t(lang, "report.no_consents"))];
    }
    let l = |k: &str| t(lang, &format!("label.{k}"));
    let purpose = |p: &ConsentPurpose| match p {
        ConsentPurpose::Newsletter(id) => {
            let name = reg.consent_config().newsletter(*id).map(|n| n.name.clone()).unwrap_or_default();
            tf(lang, "consent.newsletter", &[("name", &name)])
        }
        ConsentPurpose::DirectMarketing(c) => t(lang, &format!("consent.marketing.{}", c.key())),
        other => t(lang, &format!("consent.{}", other.key())),
    };
    vec![Block::Table {
        head: vec![l("consent_purpose"), l("answer"), l("date"), l("how"), l("wording")],
        rows: entries
            .iter()
            .map(|e| {
                vec![
                    purpose(&e.purpose),
                    t(lang, &format!("consent_state.{}", e.state.key())),
                    date(lang, e.date),
                    t(lang, &format!("consent_source.{}", e.source.key())),
                    e.wording.clone(),
                ]
            })
            .collect(),
    }]
}

/// The access report of a person in `lang`, compiled on `today`, under a
/// request if one is named. `None` when the person is not here.
pub fn access_report(
    reg: &Register,
    person: PersonId,
    lang: Lang,
    today: NaiveDate,
    request: Option<RequestId>,
) -> Option<Document> {
    let p = reg.person(person)?;
    let desc = reg.description();
    let settings = reg.settings();
    let h = |k: &str| t(lang, &format!("report.section.{k}"));
    let section = |key: &str, heading: String, blocks: Vec<Block>| Section { key: key.into(), heading, blocks };

    let mut about = vec![
        (t(lang, "label.register"), register_name(lang, desc)),
        (t(lang, "label.controller"), desc.controller.name.clone()),
        (t(lang, "label.person"), p.display_name()),
        (t(lang, "label.date"), date(lang, today)),
    ];
    if let Some(r) = request.and_then(|id| reg.request(id)) {
        about.push((t(lang, "label.request"), date(lang, r.received)));
    }
    about.retain(|(_, v)| !v.is_empty());
    let mut sections = vec![
        section("about", h("about"), vec![Block::Fields(about), Block::Paragraph(t(lang, "report.intro"))]),
        section("person", h("person"), vec![Block::Fields(person_fields(reg, p, lang))]),
    ];
    let mut records = reg.records_of(person);
    records.reverse();
    sections.push(section("records", h("records"), record_blocks(&records, lang)));

    sections.push(section("consents", h("consents"), consent_blocks(reg, person, lang)));

    let mut blocks = Vec::new();
    for purpose in desc.purposes_for(&p.categories) {
        blocks.push(Block::Heading(purpose_name(lang, purpose)));
        blocks.push(Block::Paragraph(tf(lang, "purposes.basis", &[("basis", &basis_name(lang, purpose.basis))])));
        let interest = purpose_interest(lang, purpose);
        if !interest.is_empty() {
            blocks.push(Block::Paragraph(tf(lang, "purposes.interest", &[("interest", &interest)])));
        }
        if purpose.basis == LegalBasis::Consent {
            blocks.push(Block::Paragraph(t(lang, "purposes.consent_withdrawal")));
        }
    }
    if blocks.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "report.no_purposes")));
    }
    sections.push(section("purposes", h("purposes"), blocks));

    let mut source = vec![(t(lang, "label.source"), source_name(lang, p.provenance.source))];
    if !p.provenance.detail.is_empty() {
        source.push((t(lang, "label.detail"), p.provenance.detail.clone()));
    }
    source.push((t(lang, "label.date"), date(lang, p.provenance.date)));
    sections.push(section("sources", h("sources"), vec![Block::Fields(source)]));

    let disclosures = reg.disclosures_of(person);
    let mut blocks = if disclosures.is_empty() {
        vec![Block::Paragraph(t(lang, "report.no_disclosures"))]
    } else {
        let l = |k: &str| t(lang, &format!("label.{k}"));
        vec![Block::Table {
            head: vec![l("date"), l("recipient"), l("purpose")],
            rows: disclosures
                .iter()
                .map(|d| vec![date(lang, d.at.date_naive()), d.recipient.clone(), d.purpose.clone()])
                .collect(),
        }]
    };
    if !desc.recipients.is_empty() {
        blocks.push(Block::Paragraph(t(lang, "recipients.intro")));
        blocks.push(Block::List(desc.recipients.iter().map(|r| r.name.clone()).collect()));
    }
    blocks.extend(transfer_blocks(lang, desc));
    sections.push(section("recipients", h("recipients"), blocks));

    let mut lines: Vec<String> = desc
        .retention
        .rules
        .iter()
        .filter(|r| match &r.applies_to {
            super::retention::RetentionTarget::Category(c) => p.categories.contains(c),
            _ => true,
        })
        .map(|r| super::notice::rule_text(lang, settings, r))
        .collect();
    let all = retention_lines(lang, settings, &desc.retention);
    lines.extend(all.into_iter().skip(desc.retention.rules.len()));
    sections.push(section("retention", h("retention"), vec![Block::List(lines)]));

    let requests = reg.requests_of(person);
    let blocks = if requests.is_empty() {
        vec![Block::Paragraph(t(lang, "report.no_requests"))]
    } else {
        let l = |k: &str| t(lang, &format!("label.{k}"));
        vec![Block::Table {
            head: vec![l("kind"), l("received"), l("due"), l("status")],
            rows: requests
                .iter()
                .map(|r| {
                    vec![
                        t(lang, &format!("request.{}", r.kind.key())),
                        date(lang, r.received),
                        date(lang, r.effective_due()),
                        t(lang, &format!("status.{}", r.status.key())),
                    ]
                })
                .collect(),
        }]
    };
    sections.push(section("requests", h("requests"), blocks));
    sections.push(section(
        "rights",
        h("rights"),
        vec![Block::List(rights_list(lang)), Block::Paragraph(complaint_text(lang))],
    ));
    Some(Document {
        kind: DocumentKind::AccessReport,
        lang,
        title: t(lang, "report.title"),
        subtitle: vec![p.display_name(), register_name(lang, desc)],
        sections,
    })
}
