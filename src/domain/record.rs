//! Relationship data: what happened between the organisation and a person.
//! Contracts, orders and assignments; feedback; support tickets; training
//! participations; event participations.

use chrono::{DateTime, NaiveDate, Utc};

use super::ids::{OrgId, PersonId, RecordId, Stamp};

#[derive(Clone, Debug, PartialEq)]
pub struct Record {
    pub id: RecordId,
    pub person: PersonId,
    /// The organisation the record was made with, if any.
    pub org: Option<OrgId>,
    pub kind: RecordKind,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub stamp: Stamp,
}

#[derive(Clone, Debug, PartialEq)]
pub enum RecordKind {
    Contract(Contract),
    Feedback(Feedback),
    Ticket(Ticket),
    Training(Training),
    Event(EventParticipation),
}

/// A contract, an order or an assignment (toimeksianto).
#[derive(Clone, Debug, PartialEq)]
pub struct Contract {
    pub kind: ContractKind,
    pub title: String,
    pub start: Option<NaiveDate>,
    pub end: Option<NaiveDate>,
    /// The value in cents of euro.
    pub value_cents: Option<i64>,
    pub billing: Billing,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum ContractKind {
    Contract,
    Order,
    Assignment,
}

/// Where the billing of a contract stands. An open invoice or a collection
/// case is a legal hold: the person cannot be erased while it lasts.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Billing {
    NotBilled,
    Paid,
    OpenInvoice,
    InCollection,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Feedback {
    pub date: NaiveDate,
    pub text: String,
}

/// A support ticket or a maintenance assignment.
#[derive(Clone, Debug, PartialEq)]
pub struct Ticket {
    pub opened: NaiveDate,
    pub closed: Option<NaiveDate>,
    pub description: String,
}

#[derive(Clone, Debug, PartialEq)]
pub struct Training {
    pub name: String,
    pub date: NaiveDate,
    pub completed: bool,
    pub grade: String,
    /// A record the law requires to be kept (e.g. work-site qualifications).
    pub statutory: bool,
}

#[derive(Clone, Debug, PartialEq)]
pub struct EventParticipation {
    pub name: String,
    pub date: NaiveDate,
    /// Dietary restrictions: shown only on request, and deleted once the
    /// event is over.
    pub dietary: Option<String>,
}

impl Record {
    /// Where the record goes in a document: a person's records side by
    /// side (their repeated ids compress), each person's by id. The ids as
    /// numbers, which order as the ids do but compare in a step or two.
    pub fn document_order(&self) -> (u128, u128) {
        (self.person.uuid().as_u128(), self.id.uuid().as_u128())
    }
}

impl RecordKind {
    /// A short stable name of the kind, for filters, audit and bundles.
    pub fn key(&self) -> &'static str {
        match self {
            RecordKind::Contract(_) => "contract",
            RecordKind::Feedback(_) => "feedback",
            RecordKind::Ticket(_) => "ticket",
            RecordKind::Training(_) => "training",
            RecordKind::Event(_) => "event",
        }
    }

    /// The date the record sits at on a timeline.
    pub fn date(&self) -> Option<NaiveDate> {
        match self {
            RecordKind::Contract(c) => c.start.or(c.end),
            RecordKind::Feedback(f) => Some(f.date),
            RecordKind::Ticket(t) => Some(t.opened),
            RecordKind::Training(t) => Some(t.date),
            RecordKind::Event(e) => Some(e.date),
        }
    }

    /// The latest date this record counts as a customer event: a contract's
    /// end (or start), a ticket's closing (or opening), feedback, training.
    /// Event participation is not a customer event: prospects go to events.
    pub fn customer_event_date(&self) -> Option<NaiveDate> {
        match self {
            RecordKind::Contract(c) => c.end.max(c.start),
            RecordKind::Ticket(t) => t.closed.max(Some(t.opened)),
            RecordKind::Feedback(f) => Some(f.date),
            RecordKind::Training(t) => Some(t.date),
            RecordKind::Event(_) => None,
        }
    }

    /// Fields that differ, for the audit log (names only, never values).
    pub fn changed_fields(&self, other: &RecordKind) -> Vec<&'static str> {
        use RecordKind as K;
        let mut f = Vec::new();
        let mut check = |differs: bool, name: &'static str| {
            if differs {
                f.push(name)
            }
        };
        match (self, other) {
            (K::Contract(a), K::Contract(b)) => {
                check(a.kind != b.kind, "kind");
                check(a.title != b.title, "title");
                check(a.start != b.start, "start");
                check(a.end != b.end, "end");
                check(a.value_cents != b.value_cents, "value");
                check(a.billing != b.billing, "billing");
            }
            (K::Feedback(a), K::Feedback(b)) => {
                check(a.date != b.date, "date");
                check(a.text != b.text, "text");
            }
            (K::Ticket(a), K::Ticket(b)) => {
                check(a.opened != b.opened, "opened");
                check(a.closed != b.closed, "closed");
                check(a.description != b.description, "description");
            }
            (K::Training(a), K::Training(b)) => {
                check(a.name != b.name, "name");
                check(a.date != b.date, "date");
                check(a.completed != b.completed, "completed");
                check(a.grade != b.grade, "grade");
                check(a.statutory != b.statutory, "statutory");
            }
            (K::Event(a), K::Event(b)) => {
                check(a.name != b.name, "name");
                check(a.date != b.date, "date");
                check(a.dietary != b.dietary, "dietary");
            }
            _ => check(true, "kind"),
        }
        f
    }
}

impl Billing {
    pub const ALL: [Billing; 4] = [Billing::NotBilled, Billing::Paid, Billing::OpenInvoice, Billing::InCollection];

    pub fn key(self) -> &'static str {
        match self {
            Billing::NotBilled => "not_billed",
            Billing::Paid => "paid",
            Billing::OpenInvoice => "open_invoice",
            Billing::InCollection => "in_collection",
        }
    }

    pub fn from_key(key: &str) -> Option<Billing> {
        Billing::ALL.into_iter().find(|b| b.key() == key)
    }

    /// Whether this billing state stops an erasure.
    pub fn is_hold(self) -> bool {
        matches!(self, Billing::OpenInvoice | Billing::InCollection)
    }
}

impl ContractKind {
    pub const ALL: [ContractKind; 3] = [ContractKind::Contract, ContractKind::Order, ContractKind::Assignment];

    pub fn key(self) -> &'static str {
        match self {
            ContractKind::Contract => "contract",
            ContractKind::Order => "order",
            ContractKind::Assignment => "assignment",
        }
    }

    pub fn from_key(key: &str) -> Option<ContractKind> {
        ContractKind::ALL.into_iter().find(|k| k.key() == key)
    }
}
