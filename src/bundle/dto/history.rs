//! What the register remembers of its past: tombstones, the audit log,
//! the disclosure log.

use super::*;

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct TombstoneDto {
    /// `person`, `organisation`, `record`.
    pub kind: String,
    pub id: Uuid,
    pub stamp: String,
    /// `deleted`, `merged`, `erased`.
    pub reason: String,
    #[serde(default)]
    pub merged_into: Option<Uuid>,
}

impl From<&Tombstone> for TombstoneDto {
    fn from(t: &Tombstone) -> Self {
        let (kind, id) = entity_parts(&t.entity);
        let (reason, merged_into) = match &t.reason {
            TombstoneReason::Deleted => ("deleted", None),
            TombstoneReason::MergedInto(p) => ("merged", Some(p.uuid())),
            TombstoneReason::Erased => ("erased", None),
        };
        TombstoneDto { kind: kind.into(), id, stamp: stamp_text(&t.stamp), reason: reason.into(), merged_into }
    }
}

impl TryFrom<TombstoneDto> for Tombstone {
    type Error = DtoError;

    fn try_from(d: TombstoneDto) -> Result<Self, DtoError> {
        let reason = match (d.reason.as_str(), d.merged_into) {
            ("deleted", _) => TombstoneReason::Deleted,
            ("merged", Some(p)) => TombstoneReason::MergedInto(PersonId::new(p)),
            ("erased", _) => TombstoneReason::Erased,
            _ => return Err(bad("tombstone", d.reason)),
        };
        Ok(Tombstone { entity: entity_from(&d.kind, d.id)?, stamp: stamp(&d.stamp)?, reason })
    }
}

#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct AuditDto {
    pub key: String,
    pub at: DateTime<Utc>,
    pub actor: String,
    pub action: String,
    #[serde(default)]
    pub other: Option<Uuid>,
    pub entity_kind: String,
    pub entity_id: Uuid,
    #[serde(default)]
    pub fields: Vec<String>,
}

impl From<&AuditEntry> for AuditDto {
    fn from(a: &AuditEntry) -> Self {
        let other = match &a.action {
            AuditAction::MergedFrom(p) | AuditAction::MergedInto(p) => Some(p.uuid()),
            action => action.request().map(|r| r.uuid()),
        };
        let (entity_kind, entity_id) = entity_parts(&a.entity);
        AuditDto {
            key: a.key.clone(),
            at: a.at,
            actor: a.actor.clone(),
            action: a.action.key().into(),
            other,
            entity_kind: entity_kind.into(),
            entity_id,
            fields: a.fields.clone(),
        }
    }
}

impl TryFrom<AuditDto> for AuditEntry {
    type Error = DtoError;

    fn try_from(d: AuditDto) -> Result<Self, DtoError> {
        let other = || d.other.map(PersonId::new).ok_or_else(|| bad("audit", "merge without the other person"));
        let action = match d.action.as_str() {
            "created" => AuditAction::Created,
            "updated" => AuditAction::Updated,
            "deleted" => AuditAction::Deleted,
            "merged_from" => AuditAction::MergedFrom(other()?),
            "merged_into" => AuditAction::MergedInto(other()?),
            "dietary_purged" => AuditAction::DietaryPurged,
            "dietary_viewed" => AuditAction::DietaryViewed,
            "imported" => AuditAction::Imported,
            "import_deleted" => AuditAction::ImportDeleted,
            name => match crate::bundle::gdpr::audit_action(name, d.other) {
                Some(action) => action?,
                None => return Err(bad("audit action", name)),
            },
        };
        Ok(AuditEntry {
            key: d.key,
            at: d.at,
            actor: d.actor,
            action,
            entity: entity_from(&d.entity_kind, d.entity_id)?,
            fields: d.fields,
        })
    }
}

/// An entry of the disclosure log.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct DisclosureDto {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    #[serde(default)]
    pub by: String,
    #[serde(default)]
    pub recipient: String,
    #[serde(default)]
    pub purpose: String,
    #[serde(default)]
    pub scope: String,
    #[serde(default)]
    pub people: Vec<Uuid>,
}

impl From<&Disclosure> for DisclosureDto {
    fn from(d: &Disclosure) -> Self {
        DisclosureDto {
            id: d.id.uuid(),
            at: d.at,
            by: d.by.clone(),
            recipient: d.recipient.clone(),
            purpose: d.purpose.clone(),
            scope: d.scope.clone(),
            people: d.people.iter().map(|p| p.uuid()).collect(),
        }
    }
}

impl From<DisclosureDto> for Disclosure {
    fn from(d: DisclosureDto) -> Self {
        Disclosure {
            id: DisclosureId::new(d.id),
            at: d.at,
            by: d.by,
            recipient: d.recipient,
            purpose: d.purpose,
            scope: d.scope,
            people: d.people.into_iter().map(PersonId::new).collect(),
        }
    }
}
