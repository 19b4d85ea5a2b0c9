//! The changes an import makes, with the user's picks, and their audit
//! entries.

use super::*;

impl Register {
    /// The changes that import `incoming`, with the user's picks for
    /// conflicts: write them in one transaction, then [`Register::apply`].
    /// Importing what is already here plans nothing. Fails (changing
    /// nothing) when a pick names a conflict that no longer exists: the
    /// register changed since the preview; preview again.
    pub fn plan_import(&self, incoming: &Snapshot, choices: &Choices, env: &mut Env<'_>) -> Result<Plan, CommandError> {
        if !env.actor.level.may_edit() {
            return Err(CommandError::NotAllowed);
        }
        let (observed, stamp) = self.import_stamp(incoming.max_stamp(), env);
        let merge = self.merge(incoming.clone(), Some(Picks { choices, stamp, now: env.now }));
        self.plan_merged(merge, observed, stamp, choices, env)
    }

    /// [`Register::plan_import`] from the merge its preview made
    /// ([`Register::prepare_import`]), without merging again: the same
    /// plan. `None` when that merge no longer holds
    /// ([`PreparedImport::holds`]: the register changed since the preview,
    /// or a pick overrides a winner); plan the document again then.
    pub fn plan_prepared_import(
        &self,
        prepared: PreparedImport,
        choices: &Choices,
        env: &mut Env<'_>,
    ) -> Option<Result<Plan, CommandError>> {
        if !env.actor.level.may_edit() {
            return Some(Err(CommandError::NotAllowed));
        }
        if !prepared.holds(self, choices) {
            return None;
        }
        let (observed, stamp) = self.import_stamp(prepared.max_stamp, env);
        Some(self.plan_merged(prepared.merge, observed, stamp, choices, env))
    }

    /// The clock the import observes (ours and the document's latest), and
    /// the import's own stamp after it.
    fn import_stamp(&self, incoming_max: Stamp, env: &Env<'_>) -> (Stamp, Stamp) {
        let observed = self.clock.max(incoming_max);
        (observed, observed.next(env.now.timestamp_millis().max(0) as u64, self.device))
    }

    fn plan_merged(
        &self,
        mut merge: Merge,
        observed: Stamp,
        stamp: Stamp,
        choices: &Choices,
        env: &mut Env<'_>,
    ) -> Result<Plan, CommandError> {
        let stale: Vec<FieldError> = choices
            .keys()
            .filter(|key| !merge.conflicts.iter().any(|c| &c.key == *key))
            .map(|key| FieldError::new(format!("conflicts.{}", key.entity.kind()), Problem::Missing))
            .collect();
        if !stale.is_empty() {
            return Err(CommandError::Invalid(stale));
        }

        // Room for every change at once: an import of a whole register is
        // a quarter of a million of them.
        let mut changes = Vec::with_capacity(
            merge.people.len()
                + merge.orgs.len()
                + merge.records.len()
                + merge.consents.len()
                + merge.tombstones.len()
                + 16,
        );
        let mut audits: Vec<(AuditAction, EntityRef, Vec<String>, &str)> = Vec::new();
        let actor = env.actor.name.as_str();
        let affected = merge.people.values().filter(|t| t.changed()).count()
            + merge.orgs.values().filter(|t| t.changed()).count()
            + merge.records.values().filter(|t| t.changed()).count();

        if let Some((settings, sections)) = &merge.settings {
            changes.push(Change::PutSettings(settings.clone()));
            audits.push((
                AuditAction::Imported,
                EntityRef::Settings,
                sections.iter().map(|s| (*s).to_owned()).collect(),
                actor,
            ));
        }
        if let Some(config) = &merge.consent_config {
            changes.push(Change::PutConsentConfig(config.clone()));
            audits.push((AuditAction::Imported, EntityRef::Settings, vec!["consent_config".into()], actor));
        }
        if let Some(description) = &merge.description {
            changes.push(Change::PutDescription(Box::new(description.clone())));
            audits.push((AuditAction::Imported, EntityRef::Settings, vec!["register_description".into()], actor));
        }
        if !merge.requests.is_empty() {
            changes.extend(merge.requests.iter().cloned().map(Change::PutRequest));
            audits.push((AuditAction::Imported, EntityRef::Settings, vec!["requests".into()], actor));
        }
        let mut removals = Vec::new();
        let mut verbatim = Vec::new();
        // What is new here is counted in one entry (an import of a whole
        // register would otherwise write one entry per person, organisation
        // and record); changes and deletions of what was here are audited
        // one by one.
        let mut added = [0usize; 3];
        for (id, t) in std::mem::take(&mut merge.orgs) {
            let changed = t.changed();
            let as_read = t.as_read;
            match (&t.before, t.after) {
                (None, Some(after)) if changed => {
                    verbatim.extend(as_read.then_some(changes.len()));
                    changes.push(Change::PutOrg(after));
                    added[1] += 1;
                }
                (Some(before), Some(after)) if changed => {
                    let fields = before.changed_fields(&after);
                    verbatim.extend(as_read.then_some(changes.len()));
                    changes.push(Change::PutOrg(after));
                    audits.push((AuditAction::Imported, EntityRef::Org(id), strs(&fields), actor));
                }
                (Some(_), None) => {
                    removals.push(Change::RemoveOrg(id));
                    audits.push((AuditAction::ImportDeleted, EntityRef::Org(id), vec![], actor));
                }
                _ => {}
            }
            if !t.picked.is_empty() {
                audits.push((AuditAction::Updated, EntityRef::Org(id), t.picked, actor));
            }
        }
        for (id, t) in std::mem::take(&mut merge.people) {
            let changed = t.changed();
            let as_read = t.as_read;
            match (&t.before, t.after) {
                (None, Some(after)) if changed => {
                    verbatim.extend(as_read.then_some(changes.len()));
                    changes.push(Change::PutPerson(after));
                    added[0] += 1;
                }
                (Some(before), Some(after)) if changed => {
                    let fields = before.changed_fields(&after);
                    verbatim.extend(as_read.then_some(changes.len()));
                    changes.push(Change::PutPerson(after));
                    audits.push((
                        AuditAction::Imported,
                        EntityRef::Person(id),
                        fields.iter().map(PersonField::key).collect(),
                        actor,
                    ));
                }
                (Some(_), None) => {
                    removals.push(Change::RemovePerson(id));
                    audits.push((AuditAction::ImportDeleted, EntityRef::Person(id), vec![], actor));
                }
                _ => {}
            }
            if !t.picked.is_empty() {
                audits.push((AuditAction::Updated, EntityRef::Person(id), t.picked, actor));
            }
        }
        for (id, t) in std::mem::take(&mut merge.records) {
            let changed = t.changed();
            let as_read = t.as_read;
            match (&t.before, t.after) {
                (None, Some(after)) if changed => {
                    verbatim.extend(as_read.then_some(changes.len()));
                    changes.push(Change::PutRecord(after));
                    added[2] += 1;
                }
                (Some(before), Some(after)) if changed => {
                    let fields = record_fields(before, &after);
                    verbatim.extend(as_read.then_some(changes.len()));
                    changes.push(Change::PutRecord(after));
                    audits.push((AuditAction::Imported, EntityRef::Record(id), strs(&fields), actor));
                }
                (Some(_), None) => {
                    removals.push(Change::RemoveRecord(id));
                    audits.push((AuditAction::ImportDeleted, EntityRef::Record(id), vec![], actor));
                }
                _ => {}
            }
            if !t.picked.is_empty() {
                audits.push((AuditAction::Updated, EntityRef::Record(id), t.picked, actor));
            }
        }
        let mut consent_people = BTreeSet::new();
        for (id, t) in std::mem::take(&mut merge.consents) {
            let changed = t.changed();
            match (&t.before, t.after) {
                (_, Some(after)) if changed => {
                    let person = after.person;
                    changes.push(Change::PutConsent(after));
                    consent_people.insert(person);
                }
                (Some(_), None) => removals.push(Change::RemoveConsent(id)),
                _ => {}
            }
        }
        for person in consent_people.into_iter().filter(|p| self.people.contains_key(p)) {
            audits.push((AuditAction::Imported, EntityRef::Person(person), vec!["consents".into()], actor));
        }
        let counts: Vec<String> = ["people", "organisations", "records"]
            .iter()
            .zip(added)
            .filter(|(_, n)| *n > 0)
            .map(|(kind, n)| format!("{ADDED_PREFIX}{kind}:{n}"))
            .collect();
        if !counts.is_empty() {
            audits.push((AuditAction::Imported, EntityRef::Settings, counts, actor));
        }
        // Records go before their people, people before organisations.
        removals.sort_by_key(|c| match c {
            Change::RemoveRecord(_) => 0,
            Change::RemovePerson(_) => 1,
            _ => 2,
        });
        changes.extend(removals);
        changes.extend(merge.tombstones.into_values().map(Change::PutTombstone));
        changes.extend(merge.disclosures.into_iter().map(Change::PutDisclosure));
        let quiet = changes.is_empty();
        if let Some(seen) = merge.seen {
            changes.push(Change::Seen(seen));
        }
        if quiet {
            // Nothing but news of what the sender has seen: note it, and
            // observe the sender's clock without a stamp of our own (a
            // stamp of our own would be news to the sender in turn).
            if !changes.is_empty() && observed > self.clock {
                changes.push(Change::Clock(observed));
            }
            return Ok(Plan { changes, created: None, affected: 0, verbatim: Vec::new() });
        }
        for (seq, (action, entity, fields, actor)) in audits.into_iter().enumerate() {
            changes.push(Change::Audit(AuditEntry {
                key: AuditEntry::key_for(stamp, seq),
                at: env.now,
                actor: actor.to_owned(),
                action,
                entity,
                fields,
            }));
        }
        changes.push(Change::Clock(stamp));
        Ok(Plan { changes, created: None, affected, verbatim })
    }
}

fn strs(fields: &[&'static str]) -> Vec<String> {
    fields.iter().map(|s| (*s).to_owned()).collect()
}

/// The names of a record's fields that differ, for the audit log.
pub(super) fn record_fields(old: &Record, new: &Record) -> Vec<&'static str> {
    let mut fields = old.kind.changed_fields(&new.kind);
    if old.org != new.org {
        fields.push("organisation");
    }
    if old.person != new.person {
        fields.push("person");
    }
    fields
}
