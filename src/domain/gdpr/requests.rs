//! The request register: every rights request (access, rectification,
//! erasure, restriction, objection to direct marketing, portability), who
//! made it, when it arrived, how the requester's identity was verified,
//! when the answer is due, and how it was handled. The handling of a
//! request is itself recorded.
//!
//! Due dates: one calendar month from receipt, the same day of the month,
//! or the month's last day when the month is shorter (received 31 January,
//! due 28 February — 29 in a leap year). The time can be extended once by
//! two months from the original due date, when the person is told (GDPR
//! Art. 12(3)) — before the original due date.
//!
//! Requests merge between colleagues whole, the newer stamp winning.

use chrono::{DateTime, Months, NaiveDate, Utc};

use super::plan::Gp;
use super::Refusal;
use crate::domain::audit::{AuditAction, EntityRef};
use crate::domain::commands::CommandError;
use crate::domain::draft::{FieldError, Problems};
use crate::domain::ids::{PersonId, RequestId, Stamp};
use crate::domain::register::{Change, Register};
use crate::domain::validate::{self as v, Problem};

#[derive(Clone, Debug, PartialEq)]
pub struct Request {
    pub id: RequestId,
    pub requester: Requester,
    pub kind: RequestKind,
    pub received: NaiveDate,
    /// How the requester's identity was verified (empty: not yet).
    pub identity_check: String,
    /// One calendar month from receipt, unless set otherwise.
    pub due: NaiveDate,
    pub extension: Option<Extension>,
    pub status: RequestStatus,
    /// When it was closed.
    pub closed: Option<NaiveDate>,
    /// What was done, or why it was refused.
    pub outcome: String,
    /// Who handles it (who opened it, then who closed it).
    pub handled_by: String,
    pub created: DateTime<Utc>,
    pub updated: DateTime<Utc>,
    pub stamp: Stamp,
}

/// Who made the request.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Requester {
    /// A person in the register.
    Person(PersonId),
    /// Someone not (yet) identified as a person in the register. Linking
    /// the request to a person drops these details.
    Unidentified { name: String, contact: String },
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RequestKind {
    Access,
    Rectification,
    Erasure,
    Restriction,
    /// Objection to direct marketing.
    Objection,
    Portability,
}

impl RequestKind {
    pub const ALL: [RequestKind; 6] = [
        RequestKind::Access,
        RequestKind::Rectification,
        RequestKind::Erasure,
        RequestKind::Restriction,
        RequestKind::Objection,
        RequestKind::Portability,
    ];

    pub fn key(self) -> &'static str {
        match self {
            RequestKind::Access => "access",
            RequestKind::Rectification => "rectification",
            RequestKind::Erasure => "erasure",
            RequestKind::Restriction => "restriction",
            RequestKind::Objection => "objection",
            RequestKind::Portability => "portability",
        }
    }

    pub fn from_key(key: &str) -> Option<RequestKind> {
        RequestKind::ALL.into_iter().find(|k| k.key() == key)
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum RequestStatus {
    Open,
    /// Handled as asked.
    Done,
    /// Refused (the outcome says why: e.g. identity not verified, a legal
    /// hold).
    Refused,
    /// The requester withdrew it.
    Withdrawn,
}

impl RequestStatus {
    pub const ALL: [RequestStatus; 4] =
        [RequestStatus::Open, RequestStatus::Done, RequestStatus::Refused, RequestStatus::Withdrawn];

    pub fn key(self) -> &'static str {
        match self {
            RequestStatus::Open => "open",
            RequestStatus::Done => "done",
            RequestStatus::Refused => "refused",
            RequestStatus::Withdrawn => "withdrawn",
        }
    }

    pub fn from_key(key: &str) -> Option<RequestStatus> {
        RequestStatus::ALL.into_iter().find(|s| s.key() == key)
    }
}

/// The time to answer, extended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Extension {
    pub due: NaiveDate,
    /// When the person was told of the extension.
    pub told_on: NaiveDate,
    pub reason: String,
}

/// `date` plus `months` calendar months, clamped to the month's end.
pub fn add_months(date: NaiveDate, months: u32) -> NaiveDate {
    date.checked_add_months(Months::new(months)).unwrap_or(NaiveDate::MAX)
}

/// The answer to a request received on `received` is due one calendar
/// month later.
pub fn standard_due(received: NaiveDate) -> NaiveDate {
    add_months(received, 1)
}

/// An extension gives two more months from the original due date.
pub fn extended_due(due: NaiveDate) -> NaiveDate {
    add_months(due, 2)
}

impl Request {
    /// The date the answer is due now (extended or not).
    pub fn effective_due(&self) -> NaiveDate {
        self.extension.as_ref().map_or(self.due, |e| e.due)
    }

    pub fn is_open(&self) -> bool {
        self.status == RequestStatus::Open
    }

    /// Open, and past its due date.
    pub fn is_overdue(&self, today: NaiveDate) -> bool {
        self.is_open() && today > self.effective_due()
    }

    /// Days until the due date (negative: overdue by that many days).
    pub fn days_left(&self, today: NaiveDate) -> i64 {
        (self.effective_due() - today).num_days()
    }

    pub fn person(&self) -> Option<PersonId> {
        match self.requester {
            Requester::Person(id) => Some(id),
            Requester::Unidentified { .. } => None,
        }
    }

    /// The entity its audit entries are about: the person when known, the
    /// register itself otherwise.
    pub fn audit_entity(&self) -> EntityRef {
        self.person().map_or(EntityRef::Settings, EntityRef::Person)
    }
}

/// What the request form holds, as typed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RequestDraft {
    pub requester: Requester,
    pub kind: RequestKind,
    /// Empty: today.
    pub received: String,
    pub identity_check: String,
    /// Empty: one month from receipt.
    pub due: String,
}

/// The requests on a dashboard.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct RequestOverview<'a> {
    /// Open and past due, the longest overdue first.
    pub overdue: Vec<&'a Request>,
    /// Open and due within `soon_days` days (today included), soonest first.
    pub due_soon: Vec<&'a Request>,
    /// Every open request, soonest due first.
    pub open: Vec<&'a Request>,
}

impl Register {
    pub fn request(&self, id: RequestId) -> Option<&Request> {
        self.gdpr.requests.get(&id)
    }

    /// Every request, the latest received first.
    pub fn requests(&self) -> Vec<&Request> {
        let mut list: Vec<&Request> = self.gdpr.requests.values().collect();
        list.sort_by(|a, b| b.received.cmp(&a.received).then(b.id.cmp(&a.id)));
        list
    }

    /// A person's requests, the latest received first.
    pub fn requests_of(&self, person: PersonId) -> Vec<&Request> {
        self.requests().into_iter().filter(|r| r.person() == Some(person)).collect()
    }

    /// What is due and overdue on `today`.
    pub fn request_overview(&self, today: NaiveDate, soon_days: i64) -> RequestOverview<'_> {
        let mut open: Vec<&Request> = self.gdpr.requests.values().filter(|r| r.is_open()).collect();
        open.sort_by(|a, b| a.effective_due().cmp(&b.effective_due()).then(a.id.cmp(&b.id)));
        RequestOverview {
            overdue: open.iter().copied().filter(|r| r.is_overdue(today)).collect(),
            due_soon: open.iter().copied().filter(|r| (0..=soon_days).contains(&r.days_left(today))).collect(),
            open,
        }
    }
}

fn invalid(field: &str, problem: Problem) -> CommandError {
    CommandError::Invalid(vec![FieldError::new(field, problem)])
}

/// A date typed into a form, empty meaning today; never in the future.
fn past_date(p: &mut Problems, field: &str, raw: &str, today: NaiveDate) -> Option<NaiveDate> {
    if raw.trim().is_empty() {
        return Some(today);
    }
    let d = p.check(field, v::date(raw))?;
    if d > today {
        p.add(field, Problem::DateInFuture);
        return None;
    }
    Some(d)
}

struct Checked {
    requester: Requester,
    received: NaiveDate,
    due: NaiveDate,
    identity_check: String,
}

fn check_draft(gp: &Gp<'_, '_, '_>, draft: &RequestDraft) -> Result<Checked, CommandError> {
    let mut p = Problems::default();
    let today = gp.env.today;
    let received = past_date(&mut p, "received", &draft.received, today);
    let identity_check = p.check("identity_check", v::long_text(&draft.identity_check)).unwrap_or_default();
    let requester = match &draft.requester {
        Requester::Person(id) => {
            if gp.reg.person(*id).is_none() {
                p.add("requester", Problem::Missing);
            }
            Requester::Person(*id)
        }
        Requester::Unidentified { name, contact } => {
            let name = p.check("requester.name", v::short_text(name)).unwrap_or_default();
            let contact = p.check("requester.contact", v::long_text(contact)).unwrap_or_default();
            if name.is_empty() {
                p.add("requester.name", Problem::Required);
            }
            if contact.is_empty() {
                p.add("requester.contact", Problem::Required);
            }
            Requester::Unidentified { name, contact }
        }
    };
    let due = match (received, draft.due.trim().is_empty()) {
        (Some(r), true) => Some(standard_due(r)),
        (r, false) => match p.check("due", v::date(&draft.due)) {
            Some(d) if r.is_some_and(|r| d < r) => {
                p.add("due", Problem::DateOrder);
                None
            }
            other => other,
        },
        (None, true) => None,
    };
    let checked = p
        .finish(())
        .map(|()| Checked { requester, received: received.unwrap_or(today), due: due.unwrap_or(today), identity_check })
        .map_err(CommandError::Invalid)?;
    Ok(checked)
}

fn existing(gp: &Gp<'_, '_, '_>, id: RequestId) -> Result<Request, CommandError> {
    gp.reg.request(id).cloned().ok_or_else(|| invalid("request", Problem::Missing))
}

fn open_one(gp: &Gp<'_, '_, '_>, id: RequestId) -> Result<Request, CommandError> {
    let r = existing(gp, id)?;
    if !r.is_open() {
        return Err(CommandError::Refused(Refusal::RequestClosed(id)));
    }
    Ok(r)
}

fn put(gp: &mut Gp<'_, '_, '_>, mut r: Request, action: AuditAction, fields: &[&str]) {
    r.updated = gp.env.now;
    r.stamp = gp.stamp;
    let entity = r.audit_entity();
    gp.push(Change::PutRequest(r));
    gp.audit(action, entity, fields.iter().map(|f| (*f).to_owned()).collect());
    gp.plan.affected = 1;
}

pub(super) fn plan_open(gp: &mut Gp<'_, '_, '_>, draft: &RequestDraft) -> Result<(), CommandError> {
    let c = check_draft(gp, draft)?;
    let id = RequestId::new(gp.new_uuid());
    let request = Request {
        id,
        requester: c.requester,
        kind: draft.kind,
        received: c.received,
        identity_check: c.identity_check,
        due: c.due,
        extension: None,
        status: RequestStatus::Open,
        closed: None,
        outcome: String::new(),
        handled_by: gp.env.actor.name.clone(),
        created: gp.env.now,
        updated: gp.env.now,
        stamp: gp.stamp,
    };
    put(gp, request, AuditAction::RequestOpened(id), &["kind", "received", "due"]);
    Ok(())
}

pub(super) fn plan_update(gp: &mut Gp<'_, '_, '_>, id: RequestId, draft: &RequestDraft) -> Result<(), CommandError> {
    let old = open_one(gp, id)?;
    let c = check_draft(gp, draft)?;
    let mut r = old.clone();
    r.requester = c.requester;
    r.kind = draft.kind;
    r.received = c.received;
    r.identity_check = c.identity_check;
    r.due = c.due;
    if let Some(e) = &mut r.extension {
        e.due = extended_due(r.due);
    }
    let mut fields = Vec::new();
    for (differs, name) in [
        (old.requester != r.requester, "requester"),
        (old.kind != r.kind, "kind"),
        (old.received != r.received, "received"),
        (old.identity_check != r.identity_check, "identity_check"),
        (old.due != r.due, "due"),
    ] {
        if differs {
            fields.push(name);
        }
    }
    if fields.is_empty() {
        return Ok(());
    }
    put(gp, r, AuditAction::Updated, &fields);
    Ok(())
}

pub(super) fn plan_extend(
    gp: &mut Gp<'_, '_, '_>,
    id: RequestId,
    told_on: &str,
    reason: &str,
) -> Result<(), CommandError> {
    let mut r = open_one(gp, id)?;
    if r.extension.is_some() {
        return Err(CommandError::Refused(Refusal::AlreadyExtended(id)));
    }
    let mut p = Problems::default();
    let told = past_date(&mut p, "told_on", told_on, gp.env.today);
    let reason = p.check("reason", v::long_text(reason)).unwrap_or_default();
    if let Some(t) = told {
        if t < r.received || t > r.due {
            p.add("told_on", Problem::DateOrder);
        }
    }
    p.finish(()).map_err(CommandError::Invalid)?;
    let told_on = told.unwrap_or(gp.env.today);
    r.extension = Some(Extension { due: extended_due(r.due), told_on, reason });
    put(gp, r, AuditAction::RequestExtended(id), &["due"]);
    Ok(())
}

pub(super) fn plan_link(gp: &mut Gp<'_, '_, '_>, id: RequestId, person: PersonId) -> Result<(), CommandError> {
    let mut r = existing(gp, id)?;
    gp.person(person)?;
    if r.requester == Requester::Person(person) {
        return Ok(());
    }
    r.requester = Requester::Person(person);
    put(gp, r, AuditAction::RequestLinked(id), &["requester"]);
    Ok(())
}

pub(super) fn plan_close(
    gp: &mut Gp<'_, '_, '_>,
    id: RequestId,
    status: RequestStatus,
    outcome: &str,
) -> Result<(), CommandError> {
    let mut r = open_one(gp, id)?;
    let outcome = v::long_text(outcome).map_err(|e| invalid("outcome", e))?;
    if status == RequestStatus::Open {
        return Err(invalid("status", Problem::ChoiceInvalid));
    }
    if status == RequestStatus::Refused && outcome.is_empty() {
        return Err(invalid("outcome", Problem::Required));
    }
    r.status = status;
    r.outcome = outcome;
    r.closed = Some(gp.env.today);
    r.handled_by = gp.env.actor.name.clone();
    put(gp, r, AuditAction::RequestClosed(id), &["status", "outcome"]);
    Ok(())
}

/// The id of the request a plan opened (requests are not entities the
/// plan's `created` can name).
pub fn opened_request(plan: &crate::domain::commands::Plan) -> Option<RequestId> {
    plan.changes.iter().find_map(|c| match c {
        Change::Audit(a) => match a.action {
            AuditAction::RequestOpened(id) => Some(id),
            _ => None,
        },
        _ => None,
    })
}
