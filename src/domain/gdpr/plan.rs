//! Planning the GDPR desk's commands: the same two steps as every command
//! (check, then list the changes with one stamp and their audit entries),
//! for [`GdprCommand`]s.

use uuid::Uuid;

use super::description;
use super::requests::{self, Requester};
use super::{erasure, restriction, GdprCommand};
use crate::domain::audit::{AuditAction, AuditEntry, EntityRef};
use crate::domain::commands::{Command, CommandError, Env, Plan};
use crate::domain::consent::ConsentSource;
use crate::domain::draft::FieldError;
use crate::domain::ids::{PersonId, RequestId, Stamp};
use crate::domain::person::Person;
use crate::domain::register::{Change, Register, Tombstone, TombstoneReason};
use crate::domain::validate::Problem;

/// A plan being built: every change gets the command's stamp.
pub(crate) struct Gp<'r, 'e, 'a> {
    pub reg: &'r Register,
    pub env: &'e mut Env<'a>,
    pub stamp: Stamp,
    pub plan: Plan,
    audits: usize,
}

impl<'r, 'e, 'a> Gp<'r, 'e, 'a> {
    pub fn new(reg: &'r Register, env: &'e mut Env<'a>) -> Self {
        let stamp = reg.clock.next(env.now.timestamp_millis().max(0) as u64, reg.device);
        Gp { reg, env, stamp, plan: Plan::default(), audits: 0 }
    }

    pub fn push(&mut self, change: Change) {
        self.plan.changes.push(change);
    }

    pub fn audit(&mut self, action: AuditAction, entity: EntityRef, fields: Vec<String>) {
        let key = AuditEntry::key_for(self.stamp, self.audits);
        self.audits += 1;
        self.plan.changes.push(Change::Audit(AuditEntry {
            key,
            at: self.env.now,
            actor: self.env.actor.name.clone(),
            action,
            entity,
            fields,
        }));
    }

    pub fn tombstone(&mut self, entity: EntityRef, reason: TombstoneReason) {
        self.push(Change::PutTombstone(Tombstone { entity, stamp: self.stamp, reason }));
    }

    pub fn new_uuid(&mut self) -> Uuid {
        (self.env.new_id)()
    }

    pub fn person(&self, id: PersonId) -> Result<&'r Person, CommandError> {
        self.reg.person(id).ok_or(CommandError::NotFound(EntityRef::Person(id)))
    }

    /// A request named by a command must exist and be linked to the person
    /// the command is about.
    pub fn check_request(&self, request: Option<RequestId>, person: PersonId) -> Result<(), CommandError> {
        let Some(id) = request else { return Ok(()) };
        match self.reg.request(id) {
            None => Err(CommandError::Invalid(vec![FieldError::new("request", Problem::Missing)])),
            Some(r) if r.requester != Requester::Person(person) => {
                Err(CommandError::Invalid(vec![FieldError::new("request", Problem::ChoiceInvalid)]))
            }
            Some(_) => Ok(()),
        }
    }

    /// Plans another command as part of this one and takes its changes:
    /// it has the same stamp (same clock, same time), and its audit
    /// entries are numbered on after this plan's.
    pub fn include(&mut self, command: &Command) -> Result<(), CommandError> {
        let other = self.reg.plan(command, self.env)?;
        for change in other.changes {
            match change {
                Change::Audit(mut entry) => {
                    entry.key = AuditEntry::key_for(self.stamp, self.audits);
                    self.audits += 1;
                    self.plan.changes.push(Change::Audit(entry));
                }
                Change::Clock(_) => {}
                other => self.plan.changes.push(other),
            }
        }
        self.plan.affected += other.affected;
        if self.plan.created.is_none() {
            self.plan.created = other.created;
        }
        Ok(())
    }

    pub fn finish(mut self) -> Plan {
        if !self.plan.changes.is_empty() {
            self.plan.changes.push(Change::Clock(self.stamp));
        }
        self.plan
    }
}

/// Plans a GDPR command (access was checked by the caller).
pub(crate) fn plan(reg: &Register, command: &GdprCommand, env: &mut Env<'_>) -> Result<Plan, CommandError> {
    let mut gp = Gp::new(reg, env);
    match command {
        GdprCommand::UpdateDescription(new) => {
            let mut desc = description::validate(new, &reg.settings).map_err(CommandError::Invalid)?;
            let old = reg.description();
            let changed = old.changed_sections(&desc);
            if changed.is_empty() && reg.gdpr.description.is_some() {
                return Ok(Plan::default());
            }
            desc.updated = Some(gp.env.today);
            desc.stamp = gp.stamp;
            gp.push(Change::PutDescription(Box::new(desc)));
            let fields = changed.iter().map(|s| format!("description.{s}")).collect();
            gp.audit(AuditAction::Updated, EntityRef::Settings, fields);
            gp.plan.affected = 1;
        }
        GdprCommand::OpenRequest(draft) => requests::plan_open(&mut gp, draft)?,
        GdprCommand::UpdateRequest(id, draft) => requests::plan_update(&mut gp, *id, draft)?,
        GdprCommand::ExtendRequest { id, told_on, reason } => requests::plan_extend(&mut gp, *id, told_on, reason)?,
        GdprCommand::LinkRequest { id, person } => requests::plan_link(&mut gp, *id, *person)?,
        GdprCommand::CloseRequest { id, status, outcome } => requests::plan_close(&mut gp, *id, *status, outcome)?,
        GdprCommand::Rectify { request, person, draft } => {
            gp.person(*person)?;
            gp.check_request(Some(*request), *person)?;
            let before = gp.plan.changes.len();
            gp.include(&Command::UpdatePerson(*person, draft.clone()))?;
            let fields: Vec<String> = gp.plan.changes[before..]
                .iter()
                .find_map(|c| match c {
                    Change::Audit(a) if a.entity == EntityRef::Person(*person) => Some(a.fields.clone()),
                    _ => None,
                })
                .unwrap_or_default();
            if !fields.is_empty() {
                gp.audit(AuditAction::Rectified(*request), EntityRef::Person(*person), fields);
            }
        }
        GdprCommand::Erase { person, request, choice } => erasure::plan_erase(&mut gp, *person, *request, *choice)?,
        GdprCommand::Restrict { person, request } => restriction::plan_restrict(&mut gp, *person, *request)?,
        GdprCommand::LiftRestriction { person, request } => restriction::plan_lift(&mut gp, *person, *request)?,
        GdprCommand::ObjectToDirectMarketing { person, request, source } => {
            plan_objection(&mut gp, *person, *request, *source)?
        }
        GdprCommand::PurgeRetention { today } => erasure::plan_purge(&mut gp, *today)?,
    }
    Ok(gp.finish())
}

/// An objection to direct marketing (GDPR Art. 21(2)–(3)): every marketing
/// prohibition at once, no questions asked (the consent ledger's
/// [`Command::ObjectToMarketing`], dated the day the request arrived), and
/// an audit entry naming the request.
fn plan_objection(
    gp: &mut Gp<'_, '_, '_>,
    person: PersonId,
    request: Option<RequestId>,
    source: ConsentSource,
) -> Result<(), CommandError> {
    gp.person(person)?;
    gp.check_request(request, person)?;
    let date = request.and_then(|id| gp.reg.request(id)).map(|r| r.received.format("%Y-%m-%d").to_string());
    gp.include(&Command::ObjectToMarketing { person, date: date.unwrap_or_default(), source })?;
    gp.audit(AuditAction::ObjectedToMarketing(request), EntityRef::Person(person), vec!["consents".into()]);
    Ok(())
}
