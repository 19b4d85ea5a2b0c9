//! The pure core: the register in memory, its entities, commands,
//! validation, search and merging. No IO, no clock, no randomness: the host
//! passes the time and fresh ids in ([`Env`]). No web crate is named here
//! (a test checks), so all of it is tested natively.

pub mod access;
pub mod audit;
pub mod backup;
pub mod commands;
pub mod consent;
pub mod contacts_import;
pub mod disclosure;
pub mod draft;
pub mod gdpr;
pub mod ids;
pub mod merge_people;
pub mod org;
pub mod outputs;
pub mod person;
pub mod rebase;
pub mod record;
pub mod register;
pub mod search;
pub mod settings;
pub mod sync;
#[doc(hidden)]
pub mod testing;
pub mod text;
pub mod validate;

pub use access::{Actor, Level};
pub use audit::{AuditAction, AuditEntry, EntityRef};
pub use commands::{Command, CommandError, Env, Plan};
pub use consent::{
    Basis, Channel, ConsentConfig, ConsentEntry, ConsentSource, ConsentState, Denial, Newsletter, Purpose,
};
pub use contacts_import::{
    ContactsImport, ContactsPreview, Decision, ImportOptions, ImportRow, MatchReason, PreviewRow, RowIssue, RowStatus,
};
pub use disclosure::{Disclosure, DisclosureId};
pub use draft::{
    AffiliationDraft, FieldError, LabeledDraft, OrgChoice, OrgDraft, PersonDraft, ProvenanceDraft, RecordDraft,
    RecordDraftKind,
};
pub use ids::{ConsentId, DeviceId, FieldId, NewsletterId, OrgId, PersonId, RecordId, RequestId, SegmentId, Stamp};
pub use merge_people::{DuplicatePair, DuplicateReason, MergeSide};
pub use org::Organisation;
pub use outputs::{Audience, Label, LabelOptions, LabelPage, LabelSheet, Reason};
pub use person::{Address, Affiliation, Labeled, Person, PersonField, Provenance, Social, Source};
pub use record::{Billing, ContractKind, Record, RecordKind};
pub use register::{Change, Parts, Register, Tombstone, TombstoneReason};
pub use search::Filter;
pub use settings::{CategoryDef, CategoryKey, CustomValue, FieldDef, FieldKind, Segment, Settings};
pub use sync::{
    Choices, Conflict, ConflictKey, Counts, Entity, ExportScope, ExportView, ImportPreview, PreparedImport, Side,
    Snapshot,
};
pub use text::{fold, Collator, FinnishOrder};
pub use validate::Problem;
