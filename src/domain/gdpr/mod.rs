//! The GDPR desk: the register description and the documents generated
//! from it (privacy notice, record of processing), the rights requests and
//! their handling (access reports, rectification, erasure with legal
//! holds, restriction, objection to direct marketing), and retention.
//!
//! - `description.rs`: what the organisation declares about its register
//!   (its own document, merged last-writer-wins), with standard defaults.
//! - `requests.rs`: the request register and its due dates.
//! - `retention.rs`: retention rules, legal holds, the dry run.
//! - `erasure.rs`: the erasure preview, erasure and the retention purge.
//! - `restriction.rs`: restricted people, and the guard that freezes them.
//! - `notice.rs`: the privacy notice, the Art. 30 record and warnings.
//! - `access_report.rs`: a person's access report.
//! - `document.rs`: generated documents as structure, and as HTML.
//! - `texts.rs` + `texts/*.json`: the documents' wording in fi, sv, en.
//! - `plan.rs`: planning the commands ([`GdprCommand`]).
//!
//! Every user-facing problem has a stable message id: field problems are
//! [`crate::domain::Problem`]s, refusals are [`Refusal`]s ([`Refusal::id`]),
//! holds are [`Hold`]s ([`Hold::id`]) and notice warnings are [`Warning`]s.

pub mod access_report;
pub mod description;
pub mod document;
pub mod erasure;
pub mod notice;
pub(crate) mod plan;
pub mod requests;
pub mod restriction;
pub mod retention;
pub mod texts;

use std::collections::BTreeMap;
use std::sync::LazyLock;

use chrono::NaiveDate;

use crate::domain::consent::ConsentSource;
use crate::domain::draft::PersonDraft;
use crate::domain::ids::{PersonId, RequestId};
use crate::domain::register::Register;

pub use access_report::access_report;
pub use description::{
    Contact, Controller, DataKind, ExtraSection, LegalBasis, Purpose, Recipient, RegisterDescription, Safeguard,
    Transfer, STANDARD_PURPOSES,
};
pub use document::{to_html, Block, Document, DocumentKind, Section};
pub use erasure::{ErasureChoice, ErasurePreview, Kept};
pub use notice::{notice, processing_record, warnings, Warning};
pub use requests::{
    opened_request, Extension, Request, RequestDraft, RequestKind, RequestOverview, RequestStatus, Requester,
};
pub use restriction::{Restriction, RestrictionKind};
pub use retention::{
    Anchor, Due, DueTarget, Hold, Period, RecordType, RetentionRule, RetentionRules, RetentionTarget, RuleHit, Unit,
    Why,
};
pub use texts::Lang;

/// What the GDPR desk keeps in the register besides people and records.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct GdprData {
    /// `None` until the organisation saves a description (the defaults
    /// apply meanwhile).
    pub description: Option<RegisterDescription>,
    pub requests: BTreeMap<RequestId, Request>,
}

static DEFAULT_DESCRIPTION: LazyLock<RegisterDescription> = LazyLock::new(RegisterDescription::default);

impl Register {
    /// The register description (the defaults until one is saved).
    pub fn description(&self) -> &RegisterDescription {
        self.gdpr.description.as_ref().unwrap_or(&DEFAULT_DESCRIPTION)
    }

    /// Whether the organisation has saved a description of its own.
    pub fn has_description(&self) -> bool {
        self.gdpr.description.is_some()
    }
}

/// The GDPR desk's commands (run as `Command::Gdpr(…)`).
// One command is made per user action: its size does not matter, and the
// rectification's draft stays as `Command::UpdatePerson` has it.
#[allow(clippy::large_enum_variant)]
#[derive(Clone, Debug, PartialEq)]
pub enum GdprCommand {
    /// Saves the register description (administrators). Refused with field
    /// problems when it is incomplete (e.g. `controller.name` required).
    UpdateDescription(Box<RegisterDescription>),
    /// Registers a request.
    OpenRequest(RequestDraft),
    /// Corrects an open request (requester, kind, dates, identity check).
    UpdateRequest(RequestId, RequestDraft),
    /// Extends the time to answer by two months; `told_on` (empty: today)
    /// is when the person was told, on or before the original due date.
    ExtendRequest { id: RequestId, told_on: String, reason: String },
    /// Links a request to the person it turned out to be about.
    LinkRequest { id: RequestId, person: PersonId },
    /// Closes a request: done, refused (with the reason in `outcome`) or
    /// withdrawn.
    CloseRequest { id: RequestId, status: RequestStatus, outcome: String },
    /// A rectification: the person's edit, with an audit entry naming the
    /// request (besides the edit's own entry).
    Rectify { request: RequestId, person: PersonId, draft: PersonDraft },
    /// Erases a person (administrators); see [`erasure`].
    Erase { person: PersonId, request: Option<RequestId>, choice: ErasureChoice },
    /// Restricts processing of a person.
    Restrict { person: PersonId, request: Option<RequestId> },
    /// Lifts a restriction (not the one of an erased person's minimal
    /// entry).
    LiftRestriction { person: PersonId, request: Option<RequestId> },
    /// Sets every marketing prohibition at once (the consent ledger's
    /// objection), dated the day the request arrived; `source` is how the
    /// objection came in.
    ObjectToDirectMarketing { person: PersonId, request: Option<RequestId>, source: ConsentSource },
    /// Deletes what retention has made due on `today` (administrators).
    PurgeRetention { today: NaiveDate },
}

impl GdprCommand {
    /// Whether only administrators may run it.
    pub fn admin_only(&self) -> bool {
        matches!(
            self,
            GdprCommand::UpdateDescription(_) | GdprCommand::Erase { .. } | GdprCommand::PurgeRetention { .. }
        )
    }
}

/// Why the GDPR desk refused a command. Each has a stable message id.
#[derive(Clone, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub enum Refusal {
    /// The person is restricted: only lifting the restriction, erasure and
    /// an objection to direct marketing are allowed (and recording that an
    /// invoice was paid).
    Restricted(PersonId),
    /// Legal holds stop a complete erasure: resolve them, or erase the
    /// rest.
    UnderHold(Vec<Hold>),
    /// The request is closed.
    RequestClosed(RequestId),
    /// The request's time was extended already (it can be, once).
    AlreadyExtended(RequestId),
    /// The minimal entry of an erased person stays restricted.
    ErasedEntry(PersonId),
}

impl Refusal {
    /// A stable message id for the interface.
    pub fn id(&self) -> &'static str {
        match self {
            Refusal::Restricted(_) => "gdpr.restricted",
            Refusal::UnderHold(_) => "gdpr.under_hold",
            Refusal::RequestClosed(_) => "gdpr.request_closed",
            Refusal::AlreadyExtended(_) => "gdpr.already_extended",
            Refusal::ErasedEntry(_) => "gdpr.erased_entry",
        }
    }
}

impl std::fmt::Display for Refusal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

// ----- sharing with colleagues -----

/// A deterministic order of two versions with one stamp (which happens only
/// when they are the same edit): their text.
fn rank<T: std::fmt::Debug>(stamp: crate::domain::ids::Stamp, value: &T) -> (crate::domain::ids::Stamp, String) {
    (stamp, format!("{value:?}"))
}

/// The register description an import brings: the incoming one when it is
/// newer than ours (last writer wins, whole). `None`: ours stays.
pub(crate) fn merged_description(
    local: Option<&RegisterDescription>,
    incoming: Option<&RegisterDescription>,
) -> Option<RegisterDescription> {
    let inc = incoming?;
    match local {
        Some(ours) if rank(ours.stamp, ours) >= rank(inc.stamp, inc) => None,
        _ => Some(inc.clone()),
    }
}

/// The requests an import brings: those new here, and newer versions of
/// ours (each request whole, last writer wins), in id order.
pub(crate) fn merged_requests(reg: &Register, incoming: &[Request]) -> Vec<Request> {
    let mut out: Vec<Request> = incoming
        .iter()
        .filter(|inc| match reg.gdpr.requests.get(&inc.id) {
            Some(ours) => rank(inc.stamp, *inc) > rank(ours.stamp, ours),
            None => true,
        })
        .cloned()
        .collect();
    out.sort_by_key(|r| r.id);
    out.dedup_by_key(|r| r.id);
    out
}

/// A merged person that is what is left of an erasure keeps only what the
/// minimal entry may hold, even when a colleague edited them meanwhile.
pub(crate) fn settle_erased_entry(person: &mut crate::domain::person::Person) {
    if person.is_erased_except_held() {
        *person = erasure::minimal(person);
    }
}
