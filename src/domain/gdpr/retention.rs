//! Retention: how long data is kept, what stops its deletion (legal holds),
//! and what is due on a given day.
//!
//! The rules come from the register description. A person is due when the
//! rule of **every** group they belong to has run out (a group without a
//! rule keeps them); a rule that does not apply to them (a prospect rule
//! for someone who became a customer) neither keeps nor releases them, but
//! at least one rule must release them. Relationship records and dietary
//! data have rules of their own.
//!
//! Holds stop deletion (and erasure): an open invoice or a collection
//! case; accounting material within its statutory period; a statutory
//! training record within its period; and, for retention only, a
//! restriction of processing the person asked for (GDPR Art. 18(1)(c)).
//!
//! A person erased "except what a hold keeps" stays as a minimal,
//! restricted entry; as soon as no hold is left, retention removes the
//! entry and its records for good (with `Erased` tombstones), whatever the
//! rules say.

use chrono::{Datelike, Days, Months, NaiveDate};

use super::restriction::RestrictionKind;
use crate::domain::draft::Problems;
use crate::domain::ids::{PersonId, RecordId};
use crate::domain::person::Person;
use crate::domain::record::{Billing, Record, RecordKind};
use crate::domain::register::Register;
use crate::domain::settings::{CategoryKey, Settings};
use crate::domain::validate::Problem;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionRules {
    pub rules: Vec<RetentionRule>,
    /// Accounting material — a contract, order or assignment with a value
    /// whose billing is paid — is kept until the end of the year this many
    /// years after the year of its date (its end, else its start). The
    /// Finnish Accounting Act (2:10) keeps vouchers six years and books ten.
    pub accounting_years: u32,
    /// A statutory training record is kept this many years after the
    /// training.
    pub statutory_training_years: u32,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RetentionRule {
    pub applies_to: RetentionTarget,
    pub period: Period,
    pub anchor: Anchor,
}

/// What a rule deletes.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RetentionTarget {
    /// The people of a group (with everything about them).
    Category(CategoryKey),
    /// Relationship records of a kind.
    Records(RecordType),
    /// The dietary restrictions of event participations.
    Dietary,
}

/// The kinds of relationship record, as rules name them.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RecordType {
    Contract,
    Feedback,
    Ticket,
    Training,
    Event,
}

impl RecordType {
    pub const ALL: [RecordType; 5] =
        [RecordType::Contract, RecordType::Feedback, RecordType::Ticket, RecordType::Training, RecordType::Event];

    /// The same keys as `RecordKind::key`.
    pub fn key(self) -> &'static str {
        match self {
            RecordType::Contract => "contract",
            RecordType::Feedback => "feedback",
            RecordType::Ticket => "ticket",
            RecordType::Training => "training",
            RecordType::Event => "event",
        }
    }

    pub fn from_key(key: &str) -> Option<RecordType> {
        RecordType::ALL.into_iter().find(|t| t.key() == key)
    }

    pub fn of(kind: &RecordKind) -> RecordType {
        match kind {
            RecordKind::Contract(_) => RecordType::Contract,
            RecordKind::Feedback(_) => RecordType::Feedback,
            RecordKind::Ticket(_) => RecordType::Ticket,
            RecordKind::Training(_) => RecordType::Training,
            RecordKind::Event(_) => RecordType::Event,
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Unit {
    Days,
    Months,
    Years,
}

impl Unit {
    pub const ALL: [Unit; 3] = [Unit::Days, Unit::Months, Unit::Years];

    pub fn key(self) -> &'static str {
        match self {
            Unit::Days => "days",
            Unit::Months => "months",
            Unit::Years => "years",
        }
    }

    pub fn from_key(key: &str) -> Option<Unit> {
        Unit::ALL.into_iter().find(|u| u.key() == key)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Period {
    pub amount: u32,
    pub unit: Unit,
}

impl Period {
    pub fn years(amount: u32) -> Period {
        Period { amount, unit: Unit::Years }
    }

    /// The date this period after `from` (month ends clamp: 29 Feb + 1
    /// year is 28 Feb).
    pub fn after(self, from: NaiveDate) -> NaiveDate {
        let moved = match self.unit {
            Unit::Days => from.checked_add_days(Days::new(self.amount.into())),
            Unit::Months => from.checked_add_months(Months::new(self.amount)),
            Unit::Years => from.checked_add_months(Months::new(self.amount.saturating_mul(12))),
        };
        moved.unwrap_or(NaiveDate::MAX)
    }
}

/// The date a period is counted from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Anchor {
    /// The person's last customer event (contracts, tickets, feedback,
    /// training); when there is none, the day they were recorded.
    LastCustomerEvent,
    /// The latest date of any of the person's records (events included),
    /// or the day they were recorded.
    LastActivity,
    /// The day the person (or the record) was recorded.
    Created,
    /// The day the person was recorded, for people who never had a
    /// customer event (the rule does not apply to the others).
    CreatedWithoutCustomerEvent,
    /// The record's own date (a contract's end or start, a ticket's closing
    /// or opening, an event's date).
    RecordDate,
}

impl Anchor {
    pub const ALL: [Anchor; 5] = [
        Anchor::LastCustomerEvent,
        Anchor::LastActivity,
        Anchor::Created,
        Anchor::CreatedWithoutCustomerEvent,
        Anchor::RecordDate,
    ];

    pub fn key(self) -> &'static str {
        match self {
            Anchor::LastCustomerEvent => "last_customer_event",
            Anchor::LastActivity => "last_activity",
            Anchor::Created => "created",
            Anchor::CreatedWithoutCustomerEvent => "created_no_customer_event",
            Anchor::RecordDate => "record_date",
        }
    }

    pub fn from_key(key: &str) -> Option<Anchor> {
        Anchor::ALL.into_iter().find(|a| a.key() == key)
    }

    /// Whether a rule for this target may count from this anchor.
    pub fn fits(self, target: &RetentionTarget) -> bool {
        match target {
            RetentionTarget::Category(_) => self != Anchor::RecordDate,
            RetentionTarget::Records(_) => matches!(self, Anchor::RecordDate | Anchor::Created),
            RetentionTarget::Dietary => self == Anchor::RecordDate,
        }
    }
}

fn rule(applies_to: RetentionTarget, period: Period, anchor: Anchor) -> RetentionRule {
    RetentionRule { applies_to, period, anchor }
}

impl Default for RetentionRules {
    /// Rules after the seeds' notices: customer data 10 years after the
    /// last customer event, prospects 2 years after they were recorded
    /// unless they became customers, dietary data the day after the event.
    fn default() -> Self {
        let cat = |k: &str| RetentionTarget::Category(CategoryKey::new(k));
        RetentionRules {
            rules: vec![
                rule(cat(CategoryKey::CUSTOMER), Period::years(10), Anchor::LastCustomerEvent),
                rule(cat(CategoryKey::STAKEHOLDER), Period::years(5), Anchor::LastActivity),
                rule(cat(CategoryKey::SUPPORT), Period::years(5), Anchor::LastCustomerEvent),
                rule(cat(CategoryKey::PROSPECT), Period::years(2), Anchor::CreatedWithoutCustomerEvent),
                rule(cat(CategoryKey::TRAINING), Period::years(10), Anchor::LastCustomerEvent),
                rule(cat(CategoryKey::EVENT), Period::years(2), Anchor::LastActivity),
                rule(RetentionTarget::Dietary, Period { amount: 1, unit: Unit::Days }, Anchor::RecordDate),
            ],
            accounting_years: 6,
            statutory_training_years: 10,
        }
    }
}

impl RetentionRules {
    /// The rules for a target (several: the longest counts).
    pub fn for_target<'a>(&'a self, target: &'a RetentionTarget) -> impl Iterator<Item = &'a RetentionRule> {
        self.rules.iter().filter(move |r| &r.applies_to == target)
    }
}

/// The longest period a rule may have (years).
const MAX_YEARS: u32 = 100;

pub(crate) fn validate_rules(rules: &RetentionRules, settings: &Settings, p: &mut Problems) -> RetentionRules {
    for (i, r) in rules.rules.iter().enumerate() {
        if let RetentionTarget::Category(key) = &r.applies_to {
            if !settings.knows_category(key) {
                p.add(format!("retention.rules.{i}.target"), Problem::Missing);
            }
        }
        let years = match r.period.unit {
            Unit::Days => r.period.amount / 365,
            Unit::Months => r.period.amount / 12,
            Unit::Years => r.period.amount,
        };
        if years > MAX_YEARS {
            p.add(format!("retention.rules.{i}.amount"), Problem::NumberInvalid);
        }
        if !r.anchor.fits(&r.applies_to) {
            p.add(format!("retention.rules.{i}.anchor"), Problem::ChoiceInvalid);
        }
        if rules.rules[..i].iter().any(|o| o.applies_to == r.applies_to) {
            p.add(format!("retention.rules.{i}.target"), Problem::NameTaken);
        }
    }
    if rules.accounting_years == 0 || rules.accounting_years > MAX_YEARS {
        p.add("retention.accounting_years", Problem::NumberInvalid);
    }
    if rules.statutory_training_years == 0 || rules.statutory_training_years > MAX_YEARS {
        p.add("retention.statutory_training_years", Problem::NumberInvalid);
    }
    rules.clone()
}

// ----- holds -----

/// Something that stops data from being deleted.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Hold {
    /// A contract whose invoice is open.
    OpenInvoice(RecordId),
    /// A contract in debt collection.
    InCollection(RecordId),
    /// Accounting material within its statutory period (until the date).
    Accounting { record: RecordId, until: NaiveDate },
    /// A statutory training record within its period (until the date).
    StatutoryTraining { record: RecordId, until: NaiveDate },
    /// The person asked for their processing to be restricted: retention
    /// keeps them (an erasure request still erases).
    Restricted(PersonId),
}

impl Hold {
    /// A stable message id for the interface.
    pub fn id(&self) -> &'static str {
        match self {
            Hold::OpenInvoice(_) => "hold.open_invoice",
            Hold::InCollection(_) => "hold.in_collection",
            Hold::Accounting { .. } => "hold.accounting",
            Hold::StatutoryTraining { .. } => "hold.statutory_training",
            Hold::Restricted(_) => "hold.restricted",
        }
    }

    /// The record the hold keeps, if it is about a record.
    pub fn record(&self) -> Option<RecordId> {
        match self {
            Hold::OpenInvoice(r) | Hold::InCollection(r) => Some(*r),
            Hold::Accounting { record, .. } | Hold::StatutoryTraining { record, .. } => Some(*record),
            Hold::Restricted(_) => None,
        }
    }

    /// The hold in words, in `lang` ("Avoin lasku", "Kirjanpitoaineisto,
    /// säilytettävä 31.12.2026 asti").
    pub fn message(&self, lang: super::texts::Lang) -> String {
        let until = self.until().map(|d| super::texts::date(lang, d)).unwrap_or_default();
        super::texts::tf(lang, self.id(), &[("until", &until)])
    }

    /// The last day of the hold, when it ends by itself.
    pub fn until(&self) -> Option<NaiveDate> {
        match self {
            Hold::Accounting { until, .. } | Hold::StatutoryTraining { until, .. } => Some(*until),
            _ => None,
        }
    }
}

/// The holds on a record on `today`.
pub fn record_holds(record: &Record, today: NaiveDate, rules: &RetentionRules) -> Vec<Hold> {
    let mut holds = Vec::new();
    match &record.kind {
        RecordKind::Contract(c) => match c.billing {
            Billing::OpenInvoice => holds.push(Hold::OpenInvoice(record.id)),
            Billing::InCollection => holds.push(Hold::InCollection(record.id)),
            Billing::Paid if c.value_cents.is_some_and(|v| v != 0) => {
                let date = c.end.or(c.start).unwrap_or_else(|| record.created.date_naive());
                let year = date.year().saturating_add(rules.accounting_years.min(9_000) as i32);
                let until = NaiveDate::from_ymd_opt(year, 12, 31).unwrap_or(NaiveDate::MAX);
                if today <= until {
                    holds.push(Hold::Accounting { record: record.id, until });
                }
            }
            _ => {}
        },
        RecordKind::Training(t) if t.statutory => {
            let until = Period::years(rules.statutory_training_years).after(t.date);
            if today <= until {
                holds.push(Hold::StatutoryTraining { record: record.id, until });
            }
        }
        _ => {}
    }
    holds
}

impl Register {
    /// The holds on a person's records on `today` (a restriction is not
    /// counted here: it does not stop an erasure).
    pub fn holds_of(&self, person: PersonId, today: NaiveDate, rules: &RetentionRules) -> Vec<Hold> {
        let mut holds: Vec<Hold> =
            self.records_of(person).into_iter().flat_map(|r| record_holds(r, today, rules)).collect();
        holds.sort();
        holds
    }
}

// ----- what is due -----

/// What a retention run would delete.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum DueTarget {
    /// The person with everything about them.
    Person(PersonId),
    /// One relationship record.
    Record(RecordId),
    /// The dietary restrictions of an event participation.
    Dietary(RecordId),
}

/// Why something is due.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Why {
    /// These rules have run out (for a person: one per group they are in
    /// that the rule applies to).
    Rules(Vec<RuleHit>),
    /// The person was erased except what holds kept; they go as soon as
    /// the holds end.
    ErasedExceptHeld,
}

/// A rule that has run out: counted from `from`, it ended on `due_on`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleHit {
    pub rule: RetentionRule,
    pub from: NaiveDate,
    pub due_on: NaiveDate,
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Due {
    pub target: DueTarget,
    /// Whose data it is.
    pub person: PersonId,
    pub why: Why,
    /// What stops the deletion (empty: a purge deletes it).
    pub blocked_by: Vec<Hold>,
}

impl Due {
    pub fn is_blocked(&self) -> bool {
        !self.blocked_by.is_empty()
    }
}

fn anchor_date(reg: &Register, person: &Person, anchor: Anchor) -> Option<NaiveDate> {
    let created = person.created.date_naive();
    match anchor {
        Anchor::LastCustomerEvent => Some(reg.last_customer_event(person.id).unwrap_or(created)),
        Anchor::LastActivity => {
            let last =
                reg.records_of(person.id).iter().filter_map(|r| r.kind.customer_event_date().or(r.kind.date())).max();
            Some(last.map_or(created, |d| d.max(created)))
        }
        Anchor::Created => Some(created),
        Anchor::CreatedWithoutCustomerEvent => reg.last_customer_event(person.id).is_none().then_some(created),
        Anchor::RecordDate => None,
    }
}

fn record_anchor(record: &Record, anchor: Anchor) -> Option<NaiveDate> {
    match anchor {
        Anchor::RecordDate => record.kind.customer_event_date().or(record.kind.date()),
        Anchor::Created => Some(record.created.date_naive()),
        _ => None,
    }
}

/// The rule (of several for one target, the one ending last) that a date
/// counted from `from` would hit.
fn longest<'a>(
    rules: impl Iterator<Item = &'a RetentionRule>,
    from: impl Fn(Anchor) -> Option<NaiveDate>,
) -> Option<RuleHit> {
    rules
        .filter_map(|r| from(r.anchor).map(|d| RuleHit { rule: r.clone(), from: d, due_on: r.period.after(d) }))
        .max_by_key(|h| h.due_on)
}

/// A person's hits when every group they are in has let them go.
fn person_hits(reg: &Register, person: &Person, today: NaiveDate, rules: &RetentionRules) -> Option<Vec<RuleHit>> {
    let mut hits = Vec::new();
    for category in &person.categories {
        let target = RetentionTarget::Category(category.clone());
        let mut for_cat = rules.for_target(&target).peekable();
        for_cat.peek()?; // a group without a rule keeps the person
        if let Some(hit) = longest(for_cat, |a| anchor_date(reg, person, a)) {
            if hit.due_on > today {
                return None;
            }
            hits.push(hit);
        }
    }
    (!hits.is_empty()).then_some(hits)
}

impl Register {
    /// What retention would delete on `today` under `rules`, and what
    /// stops each deletion. Reading only. People first, then records, then
    /// dietary data, each in id order. A record or dietary entry is not
    /// listed when its person goes (unblocked) anyway.
    pub fn retention_dry_run(&self, today: NaiveDate, rules: &RetentionRules) -> Vec<Due> {
        let mut people: Vec<&Person> = self.people.values().collect();
        people.sort_by_key(|p| p.id);
        let mut out = Vec::new();
        let mut going = std::collections::BTreeSet::new();
        for person in people {
            let restriction = person.restriction.as_ref().map(|r| r.kind);
            let (why, mut blocked_by) = match restriction {
                Some(RestrictionKind::ErasedExceptHeld) => {
                    (Why::ErasedExceptHeld, self.holds_of(person.id, today, rules))
                }
                _ => match person_hits(self, person, today, rules) {
                    Some(hits) => (Why::Rules(hits), self.holds_of(person.id, today, rules)),
                    None => continue,
                },
            };
            if restriction == Some(RestrictionKind::Requested) {
                blocked_by.push(Hold::Restricted(person.id));
            }
            if blocked_by.is_empty() {
                going.insert(person.id);
            }
            out.push(Due { target: DueTarget::Person(person.id), person: person.id, why, blocked_by });
        }
        let mut records: Vec<&Record> = self.records.values().filter(|r| !going.contains(&r.person)).collect();
        records.sort_by_key(|r| r.id);
        let restricted = |id: PersonId| {
            self.person(id).and_then(|p| p.restriction.as_ref()).is_some_and(|r| r.kind == RestrictionKind::Requested)
        };
        let mut dietary = Vec::new();
        for record in records {
            let target = RetentionTarget::Records(RecordType::of(&record.kind));
            if let Some(hit) = longest(rules.for_target(&target), |a| record_anchor(record, a)) {
                if hit.due_on <= today {
                    let mut blocked_by = record_holds(record, today, rules);
                    if restricted(record.person) {
                        blocked_by.push(Hold::Restricted(record.person));
                    }
                    let unblocked = blocked_by.is_empty();
                    out.push(Due {
                        target: DueTarget::Record(record.id),
                        person: record.person,
                        why: Why::Rules(vec![hit]),
                        blocked_by,
                    });
                    if unblocked {
                        continue;
                    }
                }
            }
            if matches!(&record.kind, RecordKind::Event(e) if e.dietary.is_some()) {
                if let Some(hit) = longest(rules.for_target(&RetentionTarget::Dietary), |a| record_anchor(record, a)) {
                    if hit.due_on <= today {
                        dietary.push(Due {
                            target: DueTarget::Dietary(record.id),
                            person: record.person,
                            why: Why::Rules(vec![hit]),
                            blocked_by: Vec::new(),
                        });
                    }
                }
            }
        }
        out.extend(dietary);
        out
    }

    /// How many deletions a purge would do today under the register's own
    /// rules (for the dashboard).
    pub fn retention_due_count(&self, today: NaiveDate) -> usize {
        self.retention_dry_run(today, &self.description().retention).iter().filter(|d| !d.is_blocked()).count()
    }
}
