//! [`Register::plan`]: what each command changes, and its audit entries.

use super::*;

impl Register {
    /// Checks a command and returns what it would change. The register is
    /// not touched: write the plan's changes, then [`Register::apply`] them.
    pub fn plan(&self, command: &Command, env: &mut Env<'_>) -> Result<Plan, CommandError> {
        access::check(env.actor, command, self)?;
        crate::domain::gdpr::restriction::guard(self, command, env.today)?;
        let stamp = self.clock.next(env.now.timestamp_millis().max(0) as u64, self.device);
        let mut p = Planner { reg: self, env, stamp, plan: Plan::default(), audits: 0, new_orgs: BTreeMap::new() };
        match command {
            Command::AddPerson(draft) => {
                let data = validate_person(draft, &self.settings, p.env.today).map_err(CommandError::Invalid)?;
                let affiliations = p.resolve_affiliations(&data.affiliations).map_err(CommandError::Invalid)?;
                let id = PersonId::new(p.new_uuid());
                let person = build_person(id, data, affiliations, p.env.now, p.env.now, BTreeMap::new(), stamp);
                let fields = person.changed_fields(&empty_like(&person));
                p.plan.changes.push(Change::PutPerson(person));
                p.audit(AuditAction::Created, EntityRef::Person(id), keys(&fields));
                p.plan.created = Some(EntityRef::Person(id));
                p.plan.affected = 1;
            }
            Command::UpdatePerson(id, draft) => {
                let old = self.person(*id).ok_or(CommandError::NotFound(EntityRef::Person(*id)))?;
                let data = validate_person(draft, &self.settings, p.env.today).map_err(CommandError::Invalid)?;
                let affiliations = p.resolve_affiliations(&data.affiliations).map_err(CommandError::Invalid)?;
                let mut person =
                    build_person(*id, data, affiliations, old.created, p.env.now, old.stamps.clone(), stamp);
                person.provenance.date =
                    if draft.provenance.date.trim().is_empty() { old.provenance.date } else { person.provenance.date };
                person.restriction = old.restriction.clone();
                let changed = old.changed_fields(&person);
                if changed.is_empty() {
                    return Ok(Plan::default());
                }
                person.stamps = old.stamps.clone();
                for field in &changed {
                    person.stamps.insert(field.clone(), stamp);
                }
                p.plan.changes.push(Change::PutPerson(person));
                p.audit(AuditAction::Updated, EntityRef::Person(*id), keys(&changed));
                p.plan.affected = 1;
            }
            Command::DeletePerson(id) => {
                self.person(*id).ok_or(CommandError::NotFound(EntityRef::Person(*id)))?;
                for record in self.records_of(*id) {
                    p.plan.changes.push(Change::RemoveRecord(record.id));
                    p.plan.changes.push(tombstone(EntityRef::Record(record.id), stamp, TombstoneReason::Deleted));
                    p.audit(AuditAction::Deleted, EntityRef::Record(record.id), vec![]);
                }
                p.plan.changes.extend(self.remove_consents_of(*id));
                p.plan.changes.push(Change::RemovePerson(*id));
                p.plan.changes.push(tombstone(EntityRef::Person(*id), stamp, TombstoneReason::Deleted));
                p.audit(AuditAction::Deleted, EntityRef::Person(*id), vec![]);
                p.plan.affected = 1;
            }
            Command::AddOrg(draft) => {
                let data = validate_org(draft).map_err(CommandError::Invalid)?;
                check_org_name(self, &data.name, None)?;
                let id = OrgId::new(p.new_uuid());
                let org = Organisation {
                    id,
                    name: data.name,
                    business_id: data.business_id,
                    address: data.address,
                    website: data.website,
                    notes: data.notes,
                    created: p.env.now,
                    updated: p.env.now,
                    stamp,
                };
                let blank = Organisation { name: String::new(), ..org.clone() };
                let blank = Organisation {
                    business_id: None,
                    address: Default::default(),
                    website: None,
                    notes: String::new(),
                    ..blank
                };
                let fields = org.changed_fields(&blank);
                p.plan.changes.push(Change::PutOrg(org));
                p.audit(AuditAction::Created, EntityRef::Org(id), strs(&fields));
                p.plan.created = Some(EntityRef::Org(id));
                p.plan.affected = 1;
            }
            Command::UpdateOrg(id, draft) => {
                let old = self.org(*id).ok_or(CommandError::NotFound(EntityRef::Org(*id)))?;
                let data = validate_org(draft).map_err(CommandError::Invalid)?;
                check_org_name(self, &data.name, Some(*id))?;
                let org = Organisation {
                    id: *id,
                    name: data.name,
                    business_id: data.business_id,
                    address: data.address,
                    website: data.website,
                    notes: data.notes,
                    created: old.created,
                    updated: p.env.now,
                    stamp,
                };
                let changed = old.changed_fields(&org);
                if changed.is_empty() {
                    return Ok(Plan::default());
                }
                p.plan.changes.push(Change::PutOrg(org));
                p.audit(AuditAction::Updated, EntityRef::Org(*id), strs(&changed));
                p.plan.affected = 1;
            }
            Command::DeleteOrg(id) => {
                self.org(*id).ok_or(CommandError::NotFound(EntityRef::Org(*id)))?;
                for member in self.members(*id) {
                    let mut person = self.people[&member].clone();
                    person.affiliations.retain(|a| a.org != *id);
                    person.updated = p.env.now;
                    person.stamps.insert(PersonField::Affiliations, stamp);
                    p.plan.changes.push(Change::PutPerson(person));
                    p.audit(AuditAction::Updated, EntityRef::Person(member), vec!["affiliations".into()]);
                }
                for record in self.records_of_org(*id) {
                    let mut record = record.clone();
                    record.org = None;
                    record.updated = p.env.now;
                    record.stamp = stamp;
                    p.audit(AuditAction::Updated, EntityRef::Record(record.id), vec!["organisation".into()]);
                    p.plan.changes.push(Change::PutRecord(record));
                }
                p.plan.changes.push(Change::RemoveOrg(*id));
                p.plan.changes.push(tombstone(EntityRef::Org(*id), stamp, TombstoneReason::Deleted));
                p.audit(AuditAction::Deleted, EntityRef::Org(*id), vec![]);
                p.plan.affected = 1;
            }
            Command::AddRecord(draft) => {
                check_record_links(self, draft)?;
                let kind = validate_record(&draft.kind, p.env.today, true).map_err(CommandError::Invalid)?;
                let id = RecordId::new(p.new_uuid());
                let fields = kind.changed_fields(&blank_of(&kind));
                let record = Record {
                    id,
                    person: draft.person,
                    org: draft.org,
                    kind,
                    created: p.env.now,
                    updated: p.env.now,
                    stamp,
                };
                p.plan.changes.push(Change::PutRecord(record));
                p.audit(AuditAction::Created, EntityRef::Record(id), strs(&fields));
                p.plan.created = Some(EntityRef::Record(id));
                p.plan.affected = 1;
            }
            Command::UpdateRecord(id, draft) => {
                let old = self.record(*id).ok_or(CommandError::NotFound(EntityRef::Record(*id)))?;
                check_record_links(self, draft)?;
                let kind = validate_record(&draft.kind, p.env.today, false).map_err(CommandError::Invalid)?;
                let mut changed = old.kind.changed_fields(&kind);
                if old.org != draft.org {
                    changed.push("organisation");
                }
                if old.person != draft.person {
                    changed.push("person");
                }
                if changed.is_empty() {
                    return Ok(Plan::default());
                }
                let record = Record {
                    id: *id,
                    person: draft.person,
                    org: draft.org,
                    kind,
                    created: old.created,
                    updated: p.env.now,
                    stamp,
                };
                p.plan.changes.push(Change::PutRecord(record));
                p.audit(AuditAction::Updated, EntityRef::Record(*id), strs(&changed));
                p.plan.affected = 1;
            }
            Command::DeleteRecord(id) => {
                self.record(*id).ok_or(CommandError::NotFound(EntityRef::Record(*id)))?;
                p.plan.changes.push(Change::RemoveRecord(*id));
                p.plan.changes.push(tombstone(EntityRef::Record(*id), stamp, TombstoneReason::Deleted));
                p.audit(AuditAction::Deleted, EntityRef::Record(*id), vec![]);
                p.plan.affected = 1;
            }
            Command::MergePeople { keep, other, choices } => {
                let a = self.person(*keep).ok_or(CommandError::NotFound(EntityRef::Person(*keep)))?;
                let b = self.person(*other).ok_or(CommandError::NotFound(EntityRef::Person(*other)))?;
                if keep == other {
                    return Err(CommandError::Invalid(vec![FieldError::new("other", Problem::Missing)]));
                }
                let mut merged = merge_person_fields(a, b, choices);
                merged.updated = p.env.now;
                let changed = a.changed_fields(&merged);
                for field in &changed {
                    merged.stamps.insert(field.clone(), stamp);
                }
                p.plan.changes.push(Change::PutPerson(merged));
                for record in self.records_of(*other) {
                    let mut moved = record.clone();
                    moved.person = *keep;
                    moved.updated = p.env.now;
                    moved.stamp = stamp;
                    p.plan.changes.push(Change::PutRecord(moved));
                    p.audit(AuditAction::Updated, EntityRef::Record(record.id), vec!["person".into()]);
                }
                // The ledger follows the person: what they said stays true.
                for entry in self.consents_of(*other) {
                    p.plan.changes.push(Change::PutConsent(crate::domain::consent::ConsentEntry {
                        person: *keep,
                        ..entry.clone()
                    }));
                }
                p.plan.changes.push(Change::RemovePerson(*other));
                p.plan.changes.push(tombstone(EntityRef::Person(*other), stamp, TombstoneReason::MergedInto(*keep)));
                p.audit(AuditAction::MergedFrom(*other), EntityRef::Person(*keep), keys(&changed));
                p.audit(AuditAction::MergedInto(*keep), EntityRef::Person(*other), vec![]);
                p.plan.affected = 2;
            }
            Command::PurgePastDietary => {
                let mut due: Vec<&Record> = self
                    .records
                    .values()
                    .filter(|r| matches!(&r.kind, RecordKind::Event(e) if e.dietary.is_some() && e.date < p.env.today))
                    .collect();
                due.sort_by_key(|r| r.id);
                for record in due {
                    let mut purged = record.clone();
                    if let RecordKind::Event(e) = &mut purged.kind {
                        e.dietary = None;
                    }
                    purged.updated = p.env.now;
                    purged.stamp = stamp;
                    p.plan.changes.push(Change::PutRecord(purged));
                    p.audit(AuditAction::DietaryPurged, EntityRef::Record(record.id), vec!["dietary".into()]);
                    p.plan.affected += 1;
                }
            }
            Command::LogDietaryView(id) => {
                self.record(*id).ok_or(CommandError::NotFound(EntityRef::Record(*id)))?;
                p.audit(AuditAction::DietaryViewed, EntityRef::Record(*id), vec!["dietary".into()]);
            }
            Command::UpdateSettings(new) => {
                let (settings, changed) = check_settings(self, new).map_err(CommandError::Invalid)?;
                if changed.is_empty() {
                    return Ok(Plan::default());
                }
                p.plan.changes.push(Change::PutSettings(Settings { stamp, ..settings }));
                p.audit(AuditAction::Updated, EntityRef::Settings, strs(&changed));
            }
            Command::SaveSegment { name, filter } => {
                let name = v::short_text(name).map_err(|e| CommandError::Invalid(vec![FieldError::new("name", e)]))?;
                if name.is_empty() {
                    return Err(CommandError::Invalid(vec![FieldError::new("name", Problem::Required)]));
                }
                let mut settings = self.settings.clone();
                match settings.segments.iter_mut().find(|s| fold(&s.name) == fold(&name)) {
                    Some(existing) => existing.filter = filter.clone(),
                    None => {
                        let id = SegmentId::new(p.new_uuid());
                        settings.segments.push(Segment { id, name, filter: filter.clone() });
                    }
                }
                p.plan.changes.push(Change::PutSettings(Settings { stamp, ..settings }));
                p.audit(AuditAction::Updated, EntityRef::Settings, vec!["segments".into()]);
            }
            Command::RecordDisclosure { recipient, purpose, scope, people } => {
                let mut problems = Problems::default();
                let recipient = problems.check("recipient", v::short_text(recipient)).unwrap_or_default();
                let purpose = problems.check("purpose", v::long_text(purpose)).unwrap_or_default();
                problems.finish(()).map_err(CommandError::Invalid)?;
                let mut people = people.clone();
                people.sort();
                people.dedup();
                let id = DisclosureId::new(p.new_uuid());
                p.plan.changes.push(Change::PutDisclosure(Disclosure {
                    id,
                    at: p.env.now,
                    by: p.env.actor.name.clone(),
                    recipient,
                    purpose,
                    scope: scope.trim().to_owned(),
                    people,
                }));
                p.plan.affected = 1;
            }
            Command::RecordConsent { person, purpose, state, date, source, wording } => {
                p.record_consent(*person, *purpose, *state, date, *source, wording)?;
            }
            Command::ObjectToMarketing { person, date, source } => {
                p.object_to_marketing(*person, date, *source)?;
            }
            Command::UpdateConsentConfig(config) => {
                p.update_consent_config(config)?;
            }
            Command::RecordPartnerDisclosure { recipient, purpose, scope, people } => {
                p.record_partner_disclosure(recipient, purpose, scope, people)?;
            }
            Command::ImportContacts(import) => {
                p.import_contacts(import)?;
            }
            Command::Gdpr(command) => return crate::domain::gdpr::plan::plan(self, command, p.env),
            Command::DeleteSegment(id) => {
                let mut settings = self.settings.clone();
                let before = settings.segments.len();
                settings.segments.retain(|s| s.id != *id);
                if settings.segments.len() == before {
                    return Ok(Plan::default());
                }
                p.plan.changes.push(Change::PutSettings(Settings { stamp, ..settings }));
                p.audit(AuditAction::Updated, EntityRef::Settings, vec!["segments".into()]);
            }
        }
        Ok(p.finish())
    }
}
