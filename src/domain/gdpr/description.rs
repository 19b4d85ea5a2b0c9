//! How the organisation describes its register, once: the controller and
//! the contact for privacy matters, the purposes with their legal bases,
//! the kinds of data and groups of people each purpose uses, sources,
//! recipients, transfers, retention and security. The privacy notice and
//! the record of processing are generated from it.
//!
//! A [`RegisterDescription`] is its own document (not part of `Settings`),
//! stamped as a whole and merged last-writer-wins between colleagues.
//!
//! Texts left empty mean "the standard wording": the notice then uses the
//! phrase of the notice's language (see `texts/`), so the defaults read
//! well in Finnish, Swedish and English alike. What the organisation writes
//! itself is used as written.

use std::collections::BTreeSet;

use chrono::NaiveDate;

use super::retention::{self, RetentionRules};
use crate::domain::draft::{FieldError, Problems};
use crate::domain::ids::{FieldId, Stamp};
use crate::domain::person::Source;
use crate::domain::record::RecordKind;
use crate::domain::settings::{CategoryKey, Settings};
use crate::domain::validate::{self as v, Problem};

#[derive(Clone, Debug, PartialEq)]
pub struct RegisterDescription {
    pub controller: Controller,
    /// The contact person for privacy matters.
    pub contact: Contact,
    /// The data protection officer, if one is appointed.
    pub dpo: Option<Contact>,
    /// Empty: the standard name ("Asiakas- ja sidosryhmärekisteri").
    pub register_name: String,
    pub purposes: Vec<Purpose>,
    /// The regular sources of data (each has a standard wording).
    pub sources: BTreeSet<Source>,
    /// Anything to add about sources, in the organisation's words.
    pub sources_note: String,
    /// Regular disclosures.
    pub recipients: Vec<Recipient>,
    /// Transfers outside the EU/EEA.
    pub transfers: Vec<Transfer>,
    pub retention: RetentionRules,
    /// Empty: the standard wording.
    pub security_manual: String,
    /// Empty: the standard wording.
    pub security_it: String,
    /// Empty: "no automated decisions or profiling".
    pub automated_decisions: String,
    /// Sections of the organisation's own, printed after the others.
    pub extra: Vec<ExtraSection>,
    /// When the description last changed (set by the command).
    pub updated: Option<NaiveDate>,
    pub stamp: Stamp,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Controller {
    pub name: String,
    pub business_id: String,
    pub address: String,
    pub email: String,
    pub phone: String,
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Contact {
    pub name: String,
    pub email: String,
    pub phone: String,
    pub address: String,
}

/// Why the data is processed, on which legal basis, whose and which data.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Purpose {
    /// One of [`STANDARD_PURPOSES`] (its texts have a standard wording), or
    /// empty for a purpose of the organisation's own.
    pub key: String,
    /// Empty for a standard purpose: the standard name.
    pub name: String,
    /// Empty for a standard purpose: the standard description.
    pub description: String,
    pub basis: LegalBasis,
    /// The legitimate interest, written out (required for that basis unless
    /// the standard purpose has a standard wording of it).
    pub interest: String,
    /// The groups of people the purpose concerns.
    pub categories: BTreeSet<CategoryKey>,
    /// The kinds of data it uses.
    pub data: BTreeSet<DataKind>,
}

/// GDPR Art. 6(1): the legal bases a small office uses.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum LegalBasis {
    Consent,
    Contract,
    LegalObligation,
    LegitimateInterest,
}

impl LegalBasis {
    pub const ALL: [LegalBasis; 4] =
        [LegalBasis::Consent, LegalBasis::Contract, LegalBasis::LegalObligation, LegalBasis::LegitimateInterest];

    pub fn key(self) -> &'static str {
        match self {
            LegalBasis::Consent => "consent",
            LegalBasis::Contract => "contract",
            LegalBasis::LegalObligation => "legal_obligation",
            LegalBasis::LegitimateInterest => "legitimate_interest",
        }
    }

    pub fn from_key(key: &str) -> Option<LegalBasis> {
        LegalBasis::ALL.into_iter().find(|b| b.key() == key)
    }
}

/// A kind of personal data the register can hold: the built-in fields of a
/// person, relationship data, consents, and the organisation's custom
/// fields.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DataKind {
    Name,
    Emails,
    Phones,
    Addresses,
    Websites,
    Socials,
    /// The organisation a person represents, with their role there.
    Affiliations,
    Tags,
    Notes,
    /// Consents and prohibitions (direct marketing and others).
    Consents,
    Contracts,
    Feedback,
    Tickets,
    Training,
    Events,
    Dietary,
    Custom(FieldId),
}

impl DataKind {
    pub const BUILT_IN: [DataKind; 16] = [
        DataKind::Name,
        DataKind::Emails,
        DataKind::Phones,
        DataKind::Addresses,
        DataKind::Websites,
        DataKind::Socials,
        DataKind::Affiliations,
        DataKind::Tags,
        DataKind::Notes,
        DataKind::Consents,
        DataKind::Contracts,
        DataKind::Feedback,
        DataKind::Tickets,
        DataKind::Training,
        DataKind::Events,
        DataKind::Dietary,
    ];

    /// `name`, `emails`, …, `custom:<field id>`.
    pub fn key(&self) -> String {
        let fixed = match self {
            DataKind::Name => "name",
            DataKind::Emails => "emails",
            DataKind::Phones => "phones",
            DataKind::Addresses => "addresses",
            DataKind::Websites => "websites",
            DataKind::Socials => "socials",
            DataKind::Affiliations => "affiliations",
            DataKind::Tags => "tags",
            DataKind::Notes => "notes",
            DataKind::Consents => "consents",
            DataKind::Contracts => "contracts",
            DataKind::Feedback => "feedback",
            DataKind::Tickets => "tickets",
            DataKind::Training => "training",
            DataKind::Events => "events",
            DataKind::Dietary => "dietary",
            DataKind::Custom(id) => return format!("custom:{id}"),
        };
        fixed.to_owned()
    }

    pub fn from_key(key: &str) -> Option<DataKind> {
        if let Some(id) = key.strip_prefix("custom:") {
            return id.parse().ok().map(DataKind::Custom);
        }
        DataKind::BUILT_IN.into_iter().find(|k| k.key() == key)
    }

    /// The kind of data a relationship record is.
    pub fn of_record(kind: &RecordKind) -> DataKind {
        match kind {
            RecordKind::Contract(_) => DataKind::Contracts,
            RecordKind::Feedback(_) => DataKind::Feedback,
            RecordKind::Ticket(_) => DataKind::Tickets,
            RecordKind::Training(_) => DataKind::Training,
            RecordKind::Event(_) => DataKind::Events,
        }
    }
}

/// A regular recipient of data, and why it receives it.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Recipient {
    pub name: String,
    pub purpose: String,
}

/// A transfer of data outside the EU/EEA.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Transfer {
    pub recipient: String,
    pub country: String,
    pub safeguard: Safeguard,
    /// What the safeguard is, when it is [`Safeguard::Other`] (or more).
    pub note: String,
}

/// GDPR Art. 45–47: what makes a transfer lawful.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Safeguard {
    /// An adequacy decision of the Commission.
    Adequacy,
    /// The Commission's standard contractual clauses.
    StandardClauses,
    /// Binding corporate rules.
    BindingRules,
    Other,
}

impl Safeguard {
    pub const ALL: [Safeguard; 4] =
        [Safeguard::Adequacy, Safeguard::StandardClauses, Safeguard::BindingRules, Safeguard::Other];

    pub fn key(self) -> &'static str {
        match self {
            Safeguard::Adequacy => "adequacy",
            Safeguard::StandardClauses => "standard_clauses",
            Safeguard::BindingRules => "binding_rules",
            Safeguard::Other => "other",
        }
    }

    pub fn from_key(key: &str) -> Option<Safeguard> {
        Safeguard::ALL.into_iter().find(|s| s.key() == key)
    }
}

#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ExtraSection {
    pub heading: String,
    pub text: String,
}

/// The purposes with a standard wording, in the order the defaults list
/// them.
pub const STANDARD_PURPOSES: [&str; 7] = [
    "customer_relationship",
    "stakeholder_relations",
    "marketing",
    "development",
    "legal_obligation",
    "training",
    "events",
];

impl Purpose {
    /// Whether the purpose's texts have a standard wording.
    pub fn is_standard(&self) -> bool {
        STANDARD_PURPOSES.contains(&self.key.as_str())
    }

    /// Whether its legitimate interest has a standard wording.
    pub fn has_standard_interest(&self) -> bool {
        matches!(self.key.as_str(), "stakeholder_relations" | "marketing" | "development")
    }

    /// Whether the purpose concerns a person in any of these categories.
    pub fn concerns(&self, categories: &BTreeSet<CategoryKey>) -> bool {
        !self.categories.is_disjoint(categories)
    }
}

fn cats(keys: &[&str]) -> BTreeSet<CategoryKey> {
    keys.iter().map(|k| CategoryKey::new(*k)).collect()
}

fn standard(key: &str, basis: LegalBasis, categories: &[&str], data: &[DataKind]) -> Purpose {
    Purpose {
        key: key.into(),
        name: String::new(),
        description: String::new(),
        basis,
        interest: String::new(),
        categories: cats(categories),
        data: data.iter().copied().collect(),
    }
}

/// The purposes a small office usually has, after the seeds' notices.
pub fn standard_purposes() -> Vec<Purpose> {
    use DataKind as D;
    use LegalBasis as B;
    let contact = [D::Name, D::Emails, D::Phones, D::Addresses, D::Affiliations];
    let with = |extra: &[DataKind]| -> Vec<DataKind> { contact.iter().chain(extra).copied().collect() };
    vec![
        standard(
            "customer_relationship",
            B::Contract,
            &["customer", "support"],
            &with(&[D::Websites, D::Socials, D::Tags, D::Notes, D::Contracts, D::Feedback, D::Tickets]),
        ),
        standard(
            "stakeholder_relations",
            B::LegitimateInterest,
            &["stakeholder"],
            &with(&[D::Websites, D::Socials, D::Tags, D::Notes]),
        ),
        standard(
            "marketing",
            B::LegitimateInterest,
            &["customer", "stakeholder", "prospect", "event"],
            &with(&[D::Tags, D::Notes, D::Consents]),
        ),
        standard(
            "development",
            B::LegitimateInterest,
            &["customer", "support"],
            &[D::Name, D::Emails, D::Feedback, D::Consents],
        ),
        standard(
            "legal_obligation",
            B::LegalObligation,
            &["customer", "training"],
            &[D::Name, D::Addresses, D::Contracts, D::Training],
        ),
        standard("training", B::Contract, &["training"], &with(&[D::Training])),
        standard(
            "events",
            B::Consent,
            &["event"],
            &[D::Name, D::Emails, D::Phones, D::Affiliations, D::Events, D::Dietary],
        ),
    ]
}

impl Default for RegisterDescription {
    /// A description a small office can accept as it is, once it has
    /// filled in who it is and whom to contact.
    fn default() -> Self {
        RegisterDescription {
            controller: Controller::default(),
            contact: Contact::default(),
            dpo: None,
            register_name: String::new(),
            purposes: standard_purposes(),
            sources: [Source::ThePerson, Source::PublicRegister, Source::Partner, Source::EventSignup].into(),
            sources_note: String::new(),
            recipients: Vec::new(),
            transfers: Vec::new(),
            retention: RetentionRules::default(),
            security_manual: String::new(),
            security_it: String::new(),
            automated_decisions: String::new(),
            extra: Vec::new(),
            updated: None,
            stamp: Stamp::ZERO,
        }
    }
}

impl RegisterDescription {
    /// The purposes that concern a person in these categories.
    pub fn purposes_for<'a>(&'a self, categories: &'a BTreeSet<CategoryKey>) -> impl Iterator<Item = &'a Purpose> {
        self.purposes.iter().filter(move |p| p.concerns(categories))
    }

    /// Every kind of data some purpose declares.
    pub fn declared_data(&self) -> BTreeSet<DataKind> {
        self.purposes.iter().flat_map(|p| p.data.iter().copied()).collect()
    }

    /// Every category some purpose concerns.
    pub fn declared_categories(&self) -> BTreeSet<CategoryKey> {
        self.purposes.iter().flat_map(|p| p.categories.iter().cloned()).collect()
    }

    /// The names of the parts that differ (for the audit log).
    pub fn changed_sections(&self, other: &RegisterDescription) -> Vec<&'static str> {
        let mut out = Vec::new();
        let mut check = |differs: bool, name: &'static str| {
            if differs {
                out.push(name)
            }
        };
        check(self.controller != other.controller, "controller");
        check(self.contact != other.contact, "contact");
        check(self.dpo != other.dpo, "dpo");
        check(self.register_name != other.register_name, "register_name");
        check(self.purposes != other.purposes, "purposes");
        check(self.sources != other.sources || self.sources_note != other.sources_note, "sources");
        check(self.recipients != other.recipients, "recipients");
        check(self.transfers != other.transfers, "transfers");
        check(self.retention != other.retention, "retention");
        check(self.security_manual != other.security_manual || self.security_it != other.security_it, "security");
        check(self.automated_decisions != other.automated_decisions, "automated_decisions");
        check(self.extra != other.extra, "extra");
        out
    }
}

fn short(p: &mut Problems, field: impl Into<String>, text: &str) -> String {
    p.check(field, v::short_text(text)).unwrap_or_default()
}

fn long(p: &mut Problems, field: impl Into<String>, text: &str) -> String {
    p.check(field, v::long_text(text)).unwrap_or_default()
}

fn contact(p: &mut Problems, prefix: &str, c: &Contact) -> Contact {
    let email = short(p, format!("{prefix}.email"), &c.email);
    let email =
        if email.is_empty() { email } else { p.check(format!("{prefix}.email"), v::email(&email)).unwrap_or_default() };
    Contact {
        name: short(p, format!("{prefix}.name"), &c.name),
        email,
        phone: short(p, format!("{prefix}.phone"), &c.phone),
        address: long(p, format!("{prefix}.address"), &c.address),
    }
}

/// Checks a description against the register's settings and returns it
/// cleaned (texts trimmed, empty rows dropped), or a problem per field:
/// `controller.name` is required, and so is a way to reach the controller
/// (`controller.address`) and the contact person (`contact.name`,
/// `contact.email`); at least one purpose (`purposes`), each with a name
/// unless standard, a written-out legitimate interest, groups of people
/// and kinds of data; known categories and custom fields; complete
/// recipients, transfers and extra sections; sensible retention periods.
pub fn validate(desc: &RegisterDescription, settings: &Settings) -> Result<RegisterDescription, Vec<FieldError>> {
    let mut p = Problems::default();
    let mut out = desc.clone();

    let c = &desc.controller;
    out.controller = Controller {
        name: short(&mut p, "controller.name", &c.name),
        business_id: if c.business_id.trim().is_empty() {
            String::new()
        } else {
            p.check("controller.business_id", v::business_id(&c.business_id)).unwrap_or_default()
        },
        address: long(&mut p, "controller.address", &c.address),
        email: String::new(),
        phone: short(&mut p, "controller.phone", &c.phone),
    };
    let email = short(&mut p, "controller.email", &c.email);
    if !email.is_empty() {
        out.controller.email = p.check("controller.email", v::email(&email)).unwrap_or_default();
    }
    if c.name.trim().is_empty() {
        p.add("controller.name", Problem::Required);
    }
    if [&c.address, &c.email, &c.phone].iter().all(|s| s.trim().is_empty()) {
        p.add("controller.address", Problem::Required);
    }

    out.contact = contact(&mut p, "contact", &desc.contact);
    if desc.contact.name.trim().is_empty() {
        p.add("contact.name", Problem::Required);
    }
    if [&desc.contact.email, &desc.contact.phone, &desc.contact.address].iter().all(|s| s.trim().is_empty()) {
        p.add("contact.email", Problem::Required);
    }
    out.dpo = match &desc.dpo {
        None => None,
        Some(d) if [&d.name, &d.email, &d.phone, &d.address].iter().all(|s| s.trim().is_empty()) => None,
        Some(d) => {
            if d.email.trim().is_empty() && d.phone.trim().is_empty() && d.address.trim().is_empty() {
                p.add("dpo.email", Problem::Required);
            }
            Some(contact(&mut p, "dpo", d))
        }
    };
    out.register_name = short(&mut p, "register_name", &desc.register_name);

    if desc.purposes.is_empty() {
        p.add("purposes", Problem::Required);
    }
    let mut keys = BTreeSet::new();
    out.purposes = Vec::new();
    for (i, purpose) in desc.purposes.iter().enumerate() {
        let mut q = purpose.clone();
        q.key = purpose.key.trim().to_owned();
        if !q.key.is_empty() && (!q.is_standard() || !keys.insert(q.key.clone())) {
            p.add(format!("purposes.{i}"), if q.is_standard() { Problem::NameTaken } else { Problem::ChoiceInvalid });
        }
        q.name = short(&mut p, format!("purposes.{i}.name"), &purpose.name);
        q.description = long(&mut p, format!("purposes.{i}.description"), &purpose.description);
        q.interest = long(&mut p, format!("purposes.{i}.interest"), &purpose.interest);
        if q.name.is_empty() && !q.is_standard() {
            p.add(format!("purposes.{i}.name"), Problem::Required);
        }
        if q.basis == LegalBasis::LegitimateInterest && q.interest.is_empty() && !q.has_standard_interest() {
            p.add(format!("purposes.{i}.interest"), Problem::Required);
        }
        if q.basis != LegalBasis::LegitimateInterest {
            q.interest.clear();
        }
        if q.categories.is_empty() {
            p.add(format!("purposes.{i}.categories"), Problem::Required);
        } else if q.categories.iter().any(|c| !settings.knows_category(c)) {
            p.add(format!("purposes.{i}.categories"), Problem::Missing);
        }
        if q.data.is_empty() {
            p.add(format!("purposes.{i}.data"), Problem::Required);
        } else if q.data.iter().any(|d| matches!(d, DataKind::Custom(id) if settings.field(*id).is_none())) {
            p.add(format!("purposes.{i}.data"), Problem::Missing);
        }
        out.purposes.push(q);
    }

    out.sources_note = long(&mut p, "sources_note", &desc.sources_note);
    out.recipients = Vec::new();
    for (i, r) in desc.recipients.iter().enumerate() {
        if r.name.trim().is_empty() && r.purpose.trim().is_empty() {
            continue;
        }
        let name = short(&mut p, format!("recipients.{i}.name"), &r.name);
        if name.is_empty() {
            p.add(format!("recipients.{i}.name"), Problem::Required);
        }
        out.recipients.push(Recipient { name, purpose: long(&mut p, format!("recipients.{i}.purpose"), &r.purpose) });
    }
    out.transfers = Vec::new();
    for (i, t) in desc.transfers.iter().enumerate() {
        if [&t.recipient, &t.country, &t.note].iter().all(|s| s.trim().is_empty()) {
            continue;
        }
        let recipient = short(&mut p, format!("transfers.{i}.recipient"), &t.recipient);
        let country = short(&mut p, format!("transfers.{i}.country"), &t.country);
        let note = long(&mut p, format!("transfers.{i}.note"), &t.note);
        if recipient.is_empty() {
            p.add(format!("transfers.{i}.recipient"), Problem::Required);
        }
        if country.is_empty() {
            p.add(format!("transfers.{i}.country"), Problem::Required);
        }
        if t.safeguard == Safeguard::Other && note.is_empty() {
            p.add(format!("transfers.{i}.note"), Problem::Required);
        }
        out.transfers.push(Transfer { recipient, country, safeguard: t.safeguard, note });
    }
    out.retention = retention::validate_rules(&desc.retention, settings, &mut p);
    out.security_manual = long(&mut p, "security_manual", &desc.security_manual);
    out.security_it = long(&mut p, "security_it", &desc.security_it);
    out.automated_decisions = long(&mut p, "automated_decisions", &desc.automated_decisions);
    out.extra = Vec::new();
    for (i, x) in desc.extra.iter().enumerate() {
        if x.heading.trim().is_empty() && x.text.trim().is_empty() {
            continue;
        }
        let heading = short(&mut p, format!("extra.{i}.heading"), &x.heading);
        let text = long(&mut p, format!("extra.{i}.text"), &x.text);
        if heading.is_empty() {
            p.add(format!("extra.{i}.heading"), Problem::Required);
        }
        if text.is_empty() {
            p.add(format!("extra.{i}.text"), Problem::Required);
        }
        out.extra.push(ExtraSection { heading, text });
    }
    p.finish(out)
}
