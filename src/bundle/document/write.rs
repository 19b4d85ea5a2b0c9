//! Writing the register document: from a snapshot ([`write_to`]) or
//! straight from the register ([`write_view_to`]), the same bytes either
//! way, with every entity written borrowed.

use serde::Serialize;

use super::{DocumentDto, ScopeDto, FORMAT, VERSION};
use crate::bundle::dto::{
    seen_to_dto, ConsentConfigDto, ConsentEntryDto, DisclosureDto, Implied, OrgDto, OrgOut, PersonDto, PersonOut,
    RecordDto, RecordOut, SettingsDto, TombstoneDto,
};
use crate::domain::{ConsentConfig, ExportView, Organisation, Person, Record, Snapshot};

impl From<&Snapshot> for DocumentDto {
    fn from(s: &Snapshot) -> Self {
        let implied = Implied::by(s.device);
        DocumentDto::with(
            s,
            s.people.iter().map(|p| PersonDto::written(p, implied)).collect(),
            s.orgs.iter().map(|o| OrgDto::written(o, implied)).collect(),
            records_in_order(s).into_iter().map(|r| RecordDto::written(r, implied)).collect(),
        )
    }
}

/// The records in their document order ([`Record::document_order`]).
/// (Sorted by keys beside the references, not through them: faster.)
fn records_in_order(s: &Snapshot) -> Vec<&Record> {
    let mut records: Vec<((u128, u128), &Record)> = s.records.iter().map(|r| (r.document_order(), r)).collect();
    records.sort_unstable_by_key(|(key, _)| *key);
    records.into_iter().map(|(_, r)| r).collect()
}

/// A list written item by item as `write` makes each, borrowing it.
struct Lazily<'a, T, O>(Vec<&'a T>, Implied, fn(&'a T, Implied) -> O);

impl<T, O: Serialize> Serialize for Lazily<'_, T, O> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq(self.0.iter().map(|item| (self.2)(item, self.1)))
    }
}

type Borrowed<'a> = DocumentDto<
    Lazily<'a, Person, PersonOut<'a>>,
    Lazily<'a, Organisation, OrgOut<'a>>,
    Lazily<'a, Record, RecordOut<'a>>,
>;

impl<P, O, R> DocumentDto<P, O, R> {
    /// The document of `s` with these entities.
    fn with(s: &Snapshot, people: P, organisations: O, records: R) -> Self {
        DocumentDto {
            format: FORMAT.into(),
            version: VERSION,
            exported_at: s.exported_at,
            device: s.device.uuid(),
            clock: crate::bundle::dto::stamp_text(&s.clock),
            seen: seen_to_dto(&s.seen),
            scope: ScopeDto::from(&s.scope),
            settings: s.settings.as_ref().map(|st| SettingsDto { user_name: String::new(), ..SettingsDto::from(st) }),
            people,
            organisations,
            records,
            tombstones: s.tombstones.iter().map(TombstoneDto::from).collect(),
            disclosures: s.disclosures.iter().map(DisclosureDto::from).collect(),
            consents: s.consents.iter().map(ConsentEntryDto::from).collect(),
            // The defaults are what a reader assumes without a config.
            consent_config: s
                .consent_config
                .as_ref()
                .filter(|c| **c != ConsentConfig::default())
                .map(ConsentConfigDto::from),
            register_description: s.description.as_ref().map(crate::bundle::gdpr::RegisterDescriptionDto::from),
            requests: s.requests.iter().map(crate::bundle::gdpr::RequestDto::from).collect(),
        }
    }
}

/// The document's bytes (compact JSON).
pub fn write(snapshot: &Snapshot) -> Vec<u8> {
    let mut out = Vec::new();
    write_to(snapshot, &mut out).expect("documents always serialise into memory");
    out
}

/// Writes the document's JSON into `out` piece by piece, so that a host can
/// pass the pieces on (to be compressed) while the rest is being written.
/// Fails only if `out` does.
pub fn write_to(snapshot: &Snapshot, out: impl std::io::Write) -> std::io::Result<()> {
    let implied = Implied::by(snapshot.device);
    let doc: Borrowed = DocumentDto::with(
        snapshot,
        Lazily(snapshot.people.iter().collect(), implied, PersonOut::new),
        Lazily(snapshot.orgs.iter().collect(), implied, OrgOut::new),
        Lazily(records_in_order(snapshot), implied, RecordOut::new),
    );
    serde_json::to_writer(out, &doc).map_err(std::io::Error::from)
}

/// Writes the document of an export that borrows from the register
/// ([`crate::domain::Register::export_view`]): the same bytes as
/// [`write_to`] of its snapshot, without copying the register first.
pub fn write_view_to(view: &ExportView<'_>, out: impl std::io::Write) -> std::io::Result<()> {
    let implied = Implied::by(view.head.device);
    let records: Vec<&Record> = view.records.iter().map(|r| &**r).collect();
    let doc: Borrowed = DocumentDto::with(
        &view.head,
        Lazily(view.people.iter().map(|p| &**p).collect(), implied, PersonOut::new),
        Lazily(view.orgs.clone(), implied, OrgOut::new),
        Lazily(records, implied, RecordOut::new),
    );
    serde_json::to_writer(out, &doc).map_err(std::io::Error::from)
}
