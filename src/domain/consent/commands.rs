//! The ledger's commands: recording an answer or an objection, changing
//! the purposes and newsletters, and disclosing to partners what they may
//! receive.

use std::collections::BTreeSet;

use super::*;

use crate::domain::audit::{AuditAction, EntityRef};
use crate::domain::commands::{CommandError, Planner};
use crate::domain::draft::{FieldError, Problems};
use crate::domain::text::fold;
use crate::domain::validate::{self as v, Problem};

/// The date a person answered: empty is today; never in the future.
fn answer_date(raw: &str, today: NaiveDate) -> Result<NaiveDate, Problem> {
    if raw.trim().is_empty() {
        return Ok(today);
    }
    let date = v::date(raw)?;
    if date > today {
        return Err(Problem::DateInFuture);
    }
    Ok(date)
}

impl Planner<'_, '_, '_> {
    fn consent_entry(
        &mut self,
        person: PersonId,
        purpose: Purpose,
        state: ConsentState,
        date: NaiveDate,
        source: ConsentSource,
        wording: String,
    ) -> ConsentEntry {
        ConsentEntry {
            id: ConsentId::new(self.new_uuid()),
            person,
            purpose,
            state,
            date,
            source,
            wording,
            recorded_at: self.env.now,
            by: self.env.actor.name.clone(),
            stamp: self.stamp,
        }
    }

    pub(crate) fn record_consent(
        &mut self,
        person: PersonId,
        purpose: Purpose,
        state: ConsentState,
        date: &str,
        source: ConsentSource,
        wording: &str,
    ) -> Result<(), CommandError> {
        self.reg.person(person).ok_or(CommandError::NotFound(EntityRef::Person(person)))?;
        let mut problems = Problems::default();
        if let Purpose::Newsletter(id) = purpose {
            if self.reg.consent_config.newsletter(id).is_none() {
                problems.add("purpose", Problem::Missing);
            }
        }
        let date = problems.check("date", answer_date(date, self.env.today));
        let wording = problems.check("wording", v::long_text(wording)).unwrap_or_default();
        if state == ConsentState::Given && wording.is_empty() && !problems.0.iter().any(|e| e.field == "wording") {
            problems.add("wording", Problem::Required);
        }
        problems.finish(()).map_err(CommandError::Invalid)?;
        let entry = self.consent_entry(person, purpose, state, date.unwrap_or(self.env.today), source, wording);
        self.plan.changes.push(Change::PutConsent(entry));
        self.audit(AuditAction::Updated, EntityRef::Person(person), vec!["consents".into()]);
        self.plan.affected = 1;
        Ok(())
    }

    pub(crate) fn object_to_marketing(
        &mut self,
        person: PersonId,
        date: &str,
        source: ConsentSource,
    ) -> Result<(), CommandError> {
        self.reg.person(person).ok_or(CommandError::NotFound(EntityRef::Person(person)))?;
        let date = answer_date(date, self.env.today)
            .map_err(|problem| CommandError::Invalid(vec![FieldError::new("date", problem)]))?;
        for purpose in self.reg.consent_config.marketing_purposes() {
            let entry = self.consent_entry(person, purpose, ConsentState::Refused, date, source, String::new());
            self.plan.changes.push(Change::PutConsent(entry));
        }
        self.audit(AuditAction::Updated, EntityRef::Person(person), vec!["consents".into()]);
        self.plan.affected = 1;
        Ok(())
    }

    pub(crate) fn update_consent_config(&mut self, new: &ConsentConfig) -> Result<(), CommandError> {
        let old = &self.reg.consent_config;
        let mut problems = Problems::default();
        let mut config = new.clone();
        let mut names = BTreeSet::new();
        let mut ids = BTreeSet::new();
        for (i, n) in config.newsletters.iter_mut().enumerate() {
            match v::short_text(&n.name) {
                Ok(name) if name.is_empty() => problems.add(format!("newsletters.{i}"), Problem::Required),
                Ok(name) => {
                    if !names.insert(fold(&name)) {
                        problems.add(format!("newsletters.{i}"), Problem::NameTaken);
                    }
                    n.name = name;
                }
                Err(problem) => problems.add(format!("newsletters.{i}"), problem),
            }
            if !ids.insert(n.id) {
                problems.add(format!("newsletters.{i}"), Problem::NameTaken);
            }
        }
        // A newsletter is retired, never removed: the ledger may refer to
        // it, and colleagues' registers join newsletters by id.
        for (i, gone) in old.newsletters.iter().enumerate() {
            if !config.newsletters.iter().any(|n| n.id == gone.id) {
                problems.add(format!("removed_newsletters.{i}"), Problem::InUse);
            }
        }
        problems.finish(()).map_err(CommandError::Invalid)?;
        config.stamp = old.stamp;
        if config == *old {
            return Ok(());
        }
        config.stamp = self.stamp;
        self.plan.changes.push(Change::PutConsentConfig(config));
        self.audit(AuditAction::Updated, EntityRef::Settings, vec!["consent_config".into()]);
        Ok(())
    }

    pub(crate) fn record_partner_disclosure(
        &mut self,
        recipient: &str,
        purpose: &str,
        scope: &str,
        people: &[PersonId],
    ) -> Result<(), CommandError> {
        let mut problems = Problems::default();
        let recipient = problems.check("recipient", v::short_text(recipient)).unwrap_or_default();
        if recipient.is_empty() && !problems.0.iter().any(|e| e.field == "recipient") {
            problems.add("recipient", Problem::Required);
        }
        let purpose = problems.check("purpose", v::long_text(purpose)).unwrap_or_default();
        let mut denied = Vec::new();
        for (i, id) in people.iter().enumerate() {
            match self.reg.person(*id) {
                None => problems.add(format!("people.{i}"), Problem::Missing),
                Some(p) if crate::domain::outputs::is_restricted(self.reg, p) => denied.push((*id, Denial::Restricted)),
                Some(_) => {
                    if let Err(denial) = self.reg.consent_allows(*id, &Purpose::PartnerDisclosure) {
                        denied.push((*id, denial));
                    }
                }
            }
        }
        problems.finish(()).map_err(CommandError::Invalid)?;
        if !denied.is_empty() {
            return Err(CommandError::NotPermitted(denied));
        }
        let mut people = people.to_vec();
        people.sort();
        people.dedup();
        let id = crate::domain::disclosure::DisclosureId::new(self.new_uuid());
        self.plan.changes.push(Change::PutDisclosure(crate::domain::disclosure::Disclosure {
            id,
            at: self.env.now,
            by: self.env.actor.name.clone(),
            recipient,
            purpose,
            scope: scope.trim().to_owned(),
            people,
        }));
        self.plan.affected = 1;
        Ok(())
    }
}
