//! A document read with where each entity's JSON lies in it, so that
//! storage can keep an imported entity's text as the document wrote it
//! instead of writing it again ([`crate::bundle::pages::Verbatim`]).
//!
//! Writing the JSON of a quarter of a million entities is a large part of
//! an import; copying their text is a small one. Storage reads that text
//! with the document's implied stamps and times (`implied_by`), so it
//! reads into the same entity as the document did.

use std::ops::Range;

use chrono::{DateTime, Utc};
use serde::de::{DeserializeOwned, Deserializer};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::Value;
use uuid::Uuid;

use super::{check_kind, checked, parse, schema, RawDocument};
use crate::bundle::dto::{ConsentEntryDto, DisclosureDto, OrgDto, PersonDto, RecordDto, TombstoneDto};
use crate::bundle::BundleError;
use crate::domain::{EntityRef, Snapshot};

/// An entity as parsed: its DTO, and where its JSON lies when that is kept.
pub(super) trait Parsed<D> {
    fn into_parts(self) -> (D, Option<Range<usize>>);
}

impl<D> Parsed<D> for D {
    fn into_parts(self) -> (D, Option<Range<usize>>) {
        (self, None)
    }
}

/// A DTO with the addresses of its JSON in the document's bytes.
pub(super) struct Spanned<T> {
    value: T,
    at: Range<usize>,
}

impl<T> Parsed<T> for Spanned<T> {
    fn into_parts(self) -> (T, Option<Range<usize>>) {
        (self.value, Some(self.at))
    }
}

impl<'de, T: DeserializeOwned> Deserialize<'de> for Spanned<T> {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let raw: &'de RawValue = Deserialize::deserialize(d)?;
        let text = raw.get();
        let value = serde_json::from_str(text).map_err(serde::de::Error::custom)?;
        let start = text.as_ptr() as usize;
        Ok(Spanned { value, at: start..start + text.len() })
    }
}

type SpannedDocument = RawDocument<
    Spanned<PersonDto>,
    Spanned<OrgDto>,
    Spanned<RecordDto>,
    TombstoneDto,
    DisclosureDto,
    ConsentEntryDto,
    crate::bundle::gdpr::RequestDto,
>;

/// Where the entities' texts lie in a document, by id, as offsets.
#[derive(Default)]
pub(super) struct Spans {
    pub(super) implied_by: Option<Uuid>,
    pub(super) people: Kept,
    pub(super) orgs: Kept,
    pub(super) records: Kept,
}

impl Spans {
    /// Spans that keep nothing.
    pub(super) fn none() -> Spans {
        Spans::default()
    }

    /// Ready to look up, once every text is added.
    fn sorted(self) -> Spans {
        Spans { people: self.people.sorted(), orgs: self.orgs.sorted(), records: self.records.sorted(), ..self }
    }

    fn of(bytes: &[u8]) -> Spans {
        let start = bytes.as_ptr() as usize;
        let at = start..start + bytes.len();
        Spans { people: Kept::new(&at), orgs: Kept::new(&at), records: Kept::new(&at), implied_by: None }
    }
}

/// One kind's texts: in the document's order, with their positions sorted
/// by id once the document is read (a quarter of a million of them cost a
/// map by hash more). Storage asks for them in the document's order, so
/// a [`Texts`] cursor finds most where the last one ended.
#[derive(Default)]
pub(super) struct Kept {
    bytes: Range<usize>,
    texts: Vec<(Uuid, Range<usize>)>,
    /// Ids and their positions in `texts`, in the order of the ids.
    by_id: Vec<(u128, u32)>,
}

impl Kept {
    fn new(bytes: &Range<usize>) -> Kept {
        Kept { bytes: bytes.clone(), texts: Vec::new(), by_id: Vec::new() }
    }

    /// Keeps an entity's text, given by its addresses (nothing: not kept).
    /// The reader adds each id once: it refuses a document that lists one
    /// twice.
    pub(super) fn add(&mut self, id: Uuid, at: Option<Range<usize>>) {
        let Some(at) = at else { return };
        if at.start >= self.bytes.start && at.end <= self.bytes.end && at.start < at.end {
            self.texts.push((id, at.start - self.bytes.start..at.end - self.bytes.start));
        }
    }

    /// Ready to look up, once every text is added.
    fn sorted(mut self) -> Kept {
        // Positions fit in 32 bits: a document is far smaller than 4 GB.
        self.by_id = self.texts.iter().zip(0..).map(|((id, _), i)| (id.as_u128(), i)).collect();
        self.by_id.sort_unstable_by_key(|&(id, _)| id);
        self
    }

    /// The position of an id's text, trying `near` first.
    fn find(&self, id: Uuid, near: usize) -> Option<usize> {
        if self.texts.get(near).is_some_and(|(at, _)| *at == id) {
            return Some(near);
        }
        let i = self.by_id.binary_search_by_key(&id.as_u128(), |&(id, _)| id).ok()?;
        Some(self.by_id[i].1 as usize)
    }
}

/// Looks up entities' texts, fastest in the order the document lists them
/// ([`Source::texts`]).
pub struct Texts<'s> {
    source: &'s Source,
    /// Where the next person's, organisation's and record's text is
    /// looked for first.
    next: [usize; 3],
}

impl<'s> Texts<'s> {
    /// An entity's text as [`Source::text`] gives it.
    pub fn text(&mut self, entity: EntityRef) -> Option<&'s [u8]> {
        let spans = &self.source.spans;
        let (kept, id, next) = match entity {
            EntityRef::Person(id) => (&spans.people, id.uuid(), &mut self.next[0]),
            EntityRef::Org(id) => (&spans.orgs, id.uuid(), &mut self.next[1]),
            EntityRef::Record(id) => (&spans.records, id.uuid(), &mut self.next[2]),
            EntityRef::Settings => return None,
        };
        let at = kept.find(id, *next)?;
        *next = at + 1;
        self.source.bytes.get(kept.texts[at].1.clone())
    }
}

/// A document's bytes and where its entities' texts lie in them.
pub struct Source {
    bytes: Vec<u8>,
    spans: Spans,
}

impl Source {
    /// The document's bytes.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The device whose stamps and times the texts leave implied, if any.
    pub fn implied_by(&self) -> Option<Uuid> {
        self.spans.implied_by
    }

    /// An entity's text as the document wrote it: compact JSON without
    /// line breaks. `None` for other entities, and where the document
    /// was not read with its texts kept.
    pub fn text(&self, entity: EntityRef) -> Option<&[u8]> {
        self.texts().text(entity)
    }

    /// Looks up many entities' texts, fastest in the document's order.
    pub fn texts(&self) -> Texts<'_> {
        Texts { source: self, next: [usize::MAX; 3] }
    }

    /// How many entities' texts are kept.
    pub fn len(&self) -> usize {
        self.spans.people.texts.len() + self.spans.orgs.texts.len() + self.spans.records.texts.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }
}

/// [`super::read`], keeping the document's bytes and where each person's,
/// organisation's and record's text lies in them. A document with line
/// breaks (not as this app writes them) keeps no texts: a page stores a
/// document per line.
pub fn read_source(bytes: Vec<u8>, now: DateTime<Utc>) -> Result<(Snapshot, Source), BundleError> {
    if bytes.contains(&b'\n') {
        let snapshot = super::read(&bytes, now)?;
        return Ok((snapshot, Source { bytes, spans: Spans::none() }));
    }
    let mut spans = Spans::of(&bytes);
    let snapshot = match serde_json::from_slice::<SpannedDocument>(&bytes) {
        Ok(doc) => {
            check_kind(Some(&Value::from(doc.format.as_str())), Some(&Value::from(doc.version)))?;
            let snapshot = checked(doc, now, &mut spans)?;
            spans = spans.sorted();
            snapshot
        }
        // Read again to say what is wrong (the same shapes: it fails too).
        Err(_) => {
            parse(&bytes)?;
            return Err(schema("document"));
        }
    };
    Ok((snapshot, Source { bytes, spans }))
}
