//! Restriction of processing (GDPR Art. 18): the person is frozen. They
//! stay visible, but nothing about them can be edited (except lifting the
//! restriction, erasure and an objection to direct marketing), and every
//! output — lists, labels, exports other than their own access report —
//! leaves them out. Retention does not delete them while the restriction
//! lasts.
//!
//! The restriction is a field of the person ([`PersonField::Restriction`])
//! with its own stamp, so it travels and merges like any other field.
//!
//! A person erased "except what a hold keeps" is restricted too, with
//! [`RestrictionKind::ErasedExceptHeld`]: that restriction cannot be lifted;
//! the entry goes when the holds end.

use chrono::NaiveDate;

use super::plan::Gp;
use super::{GdprCommand, Refusal};
use crate::domain::audit::{AuditAction, EntityRef};
use crate::domain::commands::{Command, CommandError};
use crate::domain::contacts_import::Decision;
use crate::domain::draft::validate_record;
use crate::domain::ids::{PersonId, RequestId};
use crate::domain::person::{Person, PersonField};
use crate::domain::register::{Change, Register};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Restriction {
    pub since: NaiveDate,
    /// The request it was made under, if any.
    pub request: Option<RequestId>,
    pub kind: RestrictionKind,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum RestrictionKind {
    /// The person asked for it (Art. 18); it can be lifted.
    Requested,
    /// What is left of a person erased except what legal holds keep.
    ErasedExceptHeld,
}

impl RestrictionKind {
    pub fn key(self) -> &'static str {
        match self {
            RestrictionKind::Requested => "requested",
            RestrictionKind::ErasedExceptHeld => "erased_except_held",
        }
    }

    pub fn from_key(key: &str) -> Option<RestrictionKind> {
        [RestrictionKind::Requested, RestrictionKind::ErasedExceptHeld].into_iter().find(|k| k.key() == key)
    }
}

impl Person {
    /// Whether processing of the person is restricted (outputs leave them
    /// out; edits are refused).
    pub fn is_restricted(&self) -> bool {
        self.restriction.is_some()
    }

    /// Whether the person is what is left of an erasure (a minimal entry
    /// kept for a legal hold).
    pub fn is_erased_except_held(&self) -> bool {
        self.restriction.as_ref().is_some_and(|r| r.kind == RestrictionKind::ErasedExceptHeld)
    }
}

/// Refuses commands that would edit a restricted person: their fields,
/// their records (except recording a payment: a change of billing alone),
/// merging them (also from a contacts file), deleting them (erasure is
/// the way), or deleting an organisation they are linked to.
pub(crate) fn guard(reg: &Register, command: &Command, today: NaiveDate) -> Result<(), CommandError> {
    let restricted = |id: PersonId| reg.person(id).is_some_and(Person::is_restricted);
    let check = |id: PersonId| {
        if restricted(id) {
            Err(CommandError::Refused(Refusal::Restricted(id)))
        } else {
            Ok(())
        }
    };
    match command {
        Command::UpdatePerson(id, _) | Command::DeletePerson(id) => check(*id),
        Command::MergePeople { keep, other, .. } => check(*keep).and(check(*other)),
        Command::AddRecord(draft) => check(draft.person),
        Command::UpdateRecord(id, draft) => {
            let Some(old) = reg.record(*id) else { return Ok(()) };
            if !restricted(old.person) && !restricted(draft.person) {
                return Ok(());
            }
            let billing_only = old.person == draft.person
                && old.org == draft.org
                && validate_record(&draft.kind, today, false)
                    .is_ok_and(|kind| old.kind.changed_fields(&kind).iter().all(|f| *f == "billing"));
            if billing_only {
                Ok(())
            } else {
                check(old.person).and(check(draft.person))
            }
        }
        Command::DeleteRecord(id) => reg.record(*id).map_or(Ok(()), |r| check(r.person)),
        Command::DeleteOrg(id) => {
            reg.members(*id).into_iter().chain(reg.records_of_org(*id).iter().map(|r| r.person)).try_for_each(check)
        }
        Command::Gdpr(GdprCommand::Rectify { person, .. }) => check(*person),
        Command::ImportContacts(import) => import.decisions.iter().try_for_each(|d| match d {
            Decision::Merge(target) => check(*target),
            _ => Ok(()),
        }),
        _ => Ok(()),
    }
}

pub(super) fn plan_restrict(
    gp: &mut Gp<'_, '_, '_>,
    person: PersonId,
    request: Option<RequestId>,
) -> Result<(), CommandError> {
    let old = gp.person(person)?;
    gp.check_request(request, person)?;
    if old.restriction.is_some() {
        return Ok(());
    }
    let mut p = old.clone();
    p.restriction = Some(Restriction { since: gp.env.today, request, kind: RestrictionKind::Requested });
    p.stamps.insert(PersonField::Restriction, gp.stamp);
    p.updated = gp.env.now;
    gp.push(Change::PutPerson(p));
    gp.audit(AuditAction::Restricted(request), EntityRef::Person(person), vec![PersonField::Restriction.key()]);
    gp.plan.affected = 1;
    Ok(())
}

pub(super) fn plan_lift(
    gp: &mut Gp<'_, '_, '_>,
    person: PersonId,
    request: Option<RequestId>,
) -> Result<(), CommandError> {
    let old = gp.person(person)?;
    gp.check_request(request, person)?;
    match &old.restriction {
        None => return Ok(()),
        Some(r) if r.kind == RestrictionKind::ErasedExceptHeld => {
            return Err(CommandError::Refused(Refusal::ErasedEntry(person)))
        }
        Some(_) => {}
    }
    let mut p = old.clone();
    p.restriction = None;
    p.stamps.insert(PersonField::Restriction, gp.stamp);
    p.updated = gp.env.now;
    gp.push(Change::PutPerson(p));
    gp.audit(AuditAction::RestrictionLifted(request), EntityRef::Person(person), vec![PersonField::Restriction.key()]);
    gp.plan.affected = 1;
    Ok(())
}
