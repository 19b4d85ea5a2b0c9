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
use uuid::Uuid;

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
    pub(super) fn sorted(self) -> Spans {
        Spans { people: self.people.sorted(), orgs: self.orgs.sorted(), records: self.records.sorted(), ..self }
    }

    /// Spans in a document of `len` bytes.
    pub(super) fn of(len: usize) -> Spans {
        Spans { people: Kept::new(len), orgs: Kept::new(len), records: Kept::new(len), implied_by: None }
    }
}

/// One kind's texts: in the document's order, with their positions sorted
/// by id once the document is read (a quarter of a million of them cost a
/// map by hash more). Storage asks for them in the document's order, so
/// a [`Texts`] cursor finds most where the last one ended.
#[derive(Default)]
pub(super) struct Kept {
    /// The document's length.
    len: usize,
    texts: Vec<(Uuid, Range<usize>)>,
    /// Ids and their positions in `texts`, in the order of the ids.
    by_id: Vec<(u128, u32)>,
}

impl Kept {
    fn new(len: usize) -> Kept {
        Kept { len, texts: Vec::new(), by_id: Vec::new() }
    }

    /// Keeps an entity's text, given by where it lies (nothing: not kept).
    /// The reader adds each id once: it refuses a document that lists one
    /// twice.
    pub(super) fn add(&mut self, id: Uuid, at: Option<Range<usize>>) {
        let Some(at) = at else { return };
        if at.start < at.end && at.end <= self.len {
            self.texts.push((id, at));
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
    pub(super) fn new(bytes: Vec<u8>, spans: Spans) -> Source {
        Source { bytes, spans }
    }

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
    super::Reading::of(bytes).finish(now)
}
