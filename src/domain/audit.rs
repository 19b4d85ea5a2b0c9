//! The audit log: who changed what and when. It names entities by id and
//! fields by name, and never copies a personal value, so an erasure leaves
//! nothing behind in it.

use chrono::{DateTime, Utc};

use super::ids::{OrgId, PersonId, RecordId, RequestId, Stamp};

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
    /// A rights request was registered (about this person, or about the
    /// register while the requester is not identified).
    RequestOpened(RequestId),
    /// The time to answer a request was extended.
    RequestExtended(RequestId),
    /// A request was linked to this person.
    RequestLinked(RequestId),
    /// A request was closed (done, refused or withdrawn).
    RequestClosed(RequestId),
    /// The fields were corrected under a rectification request (besides
    /// the edit's own `Updated` entry).
    Rectified(RequestId),
    /// Erased for good, under a request if one is named.
    Erased(Option<RequestId>),
    /// Erased except what legal holds keep: the fields named were removed
    /// and the person stays as a minimal restricted entry.
    ErasedExceptHeld(Option<RequestId>),
    /// Processing restricted.
    Restricted(Option<RequestId>),
    /// A restriction lifted.
    RestrictionLifted(Option<RequestId>),
    /// Every direct marketing prohibition set at once.
    ObjectedToMarketing(Option<RequestId>),
    /// Deleted by the retention purge (the fields name what went when not
    /// all of it did, e.g. `dietary`).
    RetentionPurged,
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
            AuditAction::RequestOpened(_) => "request_opened",
            AuditAction::RequestExtended(_) => "request_extended",
            AuditAction::RequestLinked(_) => "request_linked",
            AuditAction::RequestClosed(_) => "request_closed",
            AuditAction::Rectified(_) => "rectified",
            AuditAction::Erased(_) => "erased",
            AuditAction::ErasedExceptHeld(_) => "erased_except_held",
            AuditAction::Restricted(_) => "restricted",
            AuditAction::RestrictionLifted(_) => "restriction_lifted",
            AuditAction::ObjectedToMarketing(_) => "objected_to_marketing",
            AuditAction::RetentionPurged => "retention_purged",
        }
    }

    /// The request the action was taken under, if any.
    pub fn request(&self) -> Option<RequestId> {
        match self {
            AuditAction::RequestOpened(r)
            | AuditAction::RequestExtended(r)
            | AuditAction::RequestLinked(r)
            | AuditAction::RequestClosed(r)
            | AuditAction::Rectified(r) => Some(*r),
            AuditAction::Erased(r)
            | AuditAction::ErasedExceptHeld(r)
            | AuditAction::Restricted(r)
            | AuditAction::RestrictionLifted(r)
            | AuditAction::ObjectedToMarketing(r) => *r,
            _ => None,
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
