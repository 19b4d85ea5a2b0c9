//! The audit log: who changed what and when. It names entities by id and
//! fields by name, and never copies a personal value, so an erasure leaves
//! nothing behind in it.

use chrono::{DateTime, Utc};

use super::ids::{OrgId, PersonId, RecordId, Stamp};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AuditEntry {
    /// Unique and in order: the change's stamp and a sequence number.
    pub key: String,
    pub at: DateTime<Utc>,
    /// The local user name from Settings.
    pub actor: String,
    pub action: AuditAction,
    pub entity: EntityRef,
    /// The names of the fields that changed (never their values).
    pub fields: Vec<String>,
}

impl AuditEntry {
    pub fn key_for(stamp: Stamp, seq: usize) -> String {
        format!("{stamp}#{seq:04}")
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub enum AuditAction {
    Created,
    Updated,
    Deleted,
    /// Another person was merged into this one.
    MergedFrom(PersonId),
    /// This person was merged into another one and is gone.
    MergedInto(PersonId),
    /// Dietary data removed after the event, by the automatic clean-up.
    DietaryPurged,
    /// Dietary data was shown on screen.
    DietaryViewed,
    /// Added or changed by importing a colleague's bundle (the fields name
    /// what changed).
    Imported,
    /// Removed by importing a colleague's bundle: it was deleted or erased
    /// there.
    ImportDeleted,
}

impl AuditAction {
    pub fn key(&self) -> &'static str {
        match self {
            AuditAction::Created => "created",
            AuditAction::Updated => "updated",
            AuditAction::Deleted => "deleted",
            AuditAction::MergedFrom(_) => "merged_from",
            AuditAction::MergedInto(_) => "merged_into",
            AuditAction::DietaryPurged => "dietary_purged",
            AuditAction::DietaryViewed => "dietary_viewed",
            AuditAction::Imported => "imported",
            AuditAction::ImportDeleted => "import_deleted",
        }
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum EntityRef {
    Person(PersonId),
    Org(OrgId),
    Record(RecordId),
    Settings,
}

impl EntityRef {
    pub fn kind(&self) -> &'static str {
        match self {
            EntityRef::Person(_) => "person",
            EntityRef::Org(_) => "organisation",
            EntityRef::Record(_) => "record",
            EntityRef::Settings => "settings",
        }
    }
}
