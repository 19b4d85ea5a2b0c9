//! Reading a document in one pass, each person, organisation and record
//! with where its JSON lies, and as its text arrives: an import reads what
//! has been decompressed while the rest is still being decompressed
//! ([`Reading`]).
//!
//! Reading each entity's text first, to know where it lies, and then again
//! into its DTO, costs a sixth more than reading it once. The rest of the
//! document is read as [`super::read`] reads it.

use std::ops::Range;

use chrono::{DateTime, Utc};
use serde::de::{Deserialize, DeserializeOwned, IgnoredAny};
use serde_json::value::RawValue;
use serde_json::Value;

use super::source::{Source, Spans};
use super::{check_kind, checked, parse, schema, Chunked, RawDocument};
use crate::bundle::dto::{ConsentEntryDto, DisclosureDto, OrgDto, PersonDto, RecordDto, TombstoneDto};
use crate::bundle::gdpr::RequestDto;
use crate::bundle::BundleError;
use crate::domain::Snapshot;

/// A DTO with where its JSON lies in the document (offsets).
pub(super) struct Spanned<T> {
    value: T,
    at: Range<usize>,
}

impl<T> super::source::Parsed<T> for Spanned<T> {
    fn into_parts(self) -> (T, Option<Range<usize>>) {
        (self.value, Some(self.at))
    }
}

type SpannedDocument = RawDocument<
    Spanned<PersonDto>,
    Spanned<OrgDto>,
    Spanned<RecordDto>,
    TombstoneDto,
    DisclosureDto,
    ConsentEntryDto,
    RequestDto,
>;

/// The document without its people, organisations and records: only
/// which of those lists it has.
type RestDocument =
    RawDocument<IgnoredAny, IgnoredAny, IgnoredAny, TombstoneDto, DisclosureDto, ConsentEntryDto, RequestDto>;

/// A document read as its text arrives ([`Reading::push`]), then checked
/// as [`super::read_source`] checks it ([`Reading::finish`]).
pub struct Reading {
    text: String,
    /// What came after `text`: the start of a character not yet whole, or
    /// everything after bytes that are not UTF-8.
    rest: Vec<u8>,
    not_utf8: bool,
    /// A document with line breaks is not written by this app, and keeps
    /// no texts (storage keeps a page's texts one per line).
    line_break: bool,
    walker: Walker,
    /// `false` once the walk stopped at something it does not read; the
    /// whole document is then walked again (or read to say why).
    walking: bool,
}

impl Reading {
    /// Ready for a document of about `capacity` bytes.
    pub fn new(capacity: usize) -> Reading {
        Reading {
            text: String::with_capacity(capacity),
            rest: Vec::new(),
            not_utf8: false,
            line_break: false,
            walker: Walker::default(),
            walking: true,
        }
    }

    /// The whole document at once.
    pub fn of(bytes: Vec<u8>) -> Reading {
        let line_break = bytes.contains(&b'\n');
        let (text, rest, not_utf8) = match String::from_utf8(bytes) {
            Ok(text) => (text, Vec::new(), false),
            Err(e) => (String::new(), e.into_bytes(), true),
        };
        Reading { text, rest, not_utf8, line_break, walker: Walker::default(), walking: true }
    }

    /// Adds the next piece of the document and reads as far as it goes.
    pub fn push(&mut self, piece: &[u8]) {
        if self.not_utf8 {
            self.rest.extend_from_slice(piece);
            return;
        }
        self.line_break |= piece.contains(&b'\n');
        // The start of a character the last piece ended in goes first.
        let mut joined = std::mem::take(&mut self.rest);
        let piece = if joined.is_empty() {
            piece
        } else {
            joined.extend_from_slice(piece);
            &joined[..]
        };
        match std::str::from_utf8(piece) {
            Ok(text) => self.text.push_str(text),
            Err(e) => {
                let (whole, after) = piece.split_at(e.valid_up_to());
                // Not UTF-8 (`error_len`), or a character not yet whole.
                self.not_utf8 = e.error_len().is_some();
                match std::str::from_utf8(whole) {
                    Ok(text) => {
                        self.text.push_str(text);
                        self.rest = after.to_vec();
                    }
                    Err(_) => {
                        self.not_utf8 = true;
                        self.rest = piece.to_vec();
                    }
                }
            }
        }
        if self.walking && !self.line_break && !self.not_utf8 {
            self.walking = self.walker.walk(&self.text, false).is_ok();
        }
    }

    /// How many people, organisations and records are read so far.
    pub fn entities(&self) -> usize {
        let w = &self.walker;
        [w.people.as_ref().map(Chunked::len), w.orgs.as_ref().map(Chunked::len), w.records.as_ref().map(Chunked::len)]
            .into_iter()
            .flatten()
            .sum()
    }

    /// How many bytes have come.
    pub fn len(&self) -> usize {
        self.text.len() + self.rest.len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Reads the rest and checks the document (`now`: the reader's time).
    pub fn finish(self, now: DateTime<Utc>) -> Result<(Snapshot, Source), BundleError> {
        let Reading { text, rest, not_utf8, line_break, mut walker, walking } = self;
        if not_utf8 || !rest.is_empty() {
            let mut bytes = text.into_bytes();
            bytes.extend_from_slice(&rest);
            parse(&bytes)?;
            return Err(schema("document: text that is not UTF-8"));
        }
        if line_break {
            let snapshot = super::read(text.as_bytes(), now)?;
            return Ok((snapshot, Source::new(text.into_bytes(), Spans::none())));
        }
        // A walk of the text so far may stop at what the whole reads.
        if !walking {
            walker = Walker::default();
        }
        let doc = match walker.walk(&text, true) {
            Ok(()) => walker.document(&text),
            Err(()) => None,
        };
        let Some(doc) = doc else {
            // Read again to say what is wrong (the same shapes: it fails too).
            parse(text.as_bytes())?;
            return Err(schema("document"));
        };
        check_kind(Some(&Value::from(doc.format.as_str())), Some(&Value::from(doc.version)))?;
        let mut spans = Spans::of(text.len());
        let snapshot = checked(doc, now, &mut spans)?;
        Ok((snapshot, Source::new(text.into_bytes(), spans.sorted())))
    }
}

/// Where a walk is in the document.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
enum Step {
    #[default]
    Open,
    /// After `{`.
    First,
    /// A member's name, `:` and value (or the start of its list).
    Member,
    /// The next item of a list (`true`: the first, or none).
    Items(List, bool),
    /// After a member.
    After,
    /// After the document.
    End,
    Done,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum List {
    People,
    Orgs,
    Records,
}

/// Why a step stops: the text so far ends first, or it is not a document
/// this walk reads (which [`super::parse`] then explains).
enum Stop {
    More,
    Bad,
}

/// A walk through a document's text, step by step; a step that cannot
/// finish with the text so far is taken again when more has come.
#[derive(Default)]
struct Walker {
    at: usize,
    step: Step,
    people: Option<Chunked<Spanned<PersonDto>>>,
    orgs: Option<Chunked<Spanned<OrgDto>>>,
    records: Option<Chunked<Spanned<RecordDto>>>,
    /// The other members: where their names and values lie.
    others: Vec<(Range<usize>, Range<usize>)>,
}

impl Walker {
    /// Walks as far as `text` goes (`whole`: it is the whole document).
    /// `Err`: the text is not a document this walk reads.
    fn walk(&mut self, text: &str, whole: bool) -> Result<(), ()> {
        while self.step != Step::Done {
            let mut cursor = Cursor { text, at: self.at, whole };
            match self.step(&mut cursor) {
                Ok(next) => {
                    self.at = cursor.at;
                    self.step = next;
                }
                Err(Stop::More) if !whole => return Ok(()),
                Err(_) => return Err(()),
            }
        }
        Ok(())
    }

    /// Takes one step, or none (the walker changes only once it is taken).
    fn step(&mut self, c: &mut Cursor) -> Result<Step, Stop> {
        Ok(match self.step {
            Step::Open => {
                c.expect(b'{')?;
                Step::First
            }
            Step::First if c.eat(b'}')? => Step::End,
            Step::First => Step::Member,
            Step::Member => {
                let (name, name_at) = c.value::<String>()?;
                c.expect(b':')?;
                let list = match name.as_str() {
                    "people" => List::People,
                    "organisations" => List::Orgs,
                    "records" => List::Records,
                    _ => {
                        let (_, at) = c.value::<&RawValue>()?;
                        self.others.push((name_at, at));
                        return Ok(Step::After);
                    }
                };
                c.expect(b'[')?;
                // Listed twice: refused, as the rest of the document is.
                let started = match list {
                    List::People => self.people.replace(Chunked::default()).is_none(),
                    List::Orgs => self.orgs.replace(Chunked::default()).is_none(),
                    List::Records => self.records.replace(Chunked::default()).is_none(),
                };
                if !started {
                    return Err(Stop::Bad);
                }
                Step::Items(list, true)
            }
            Step::Items(_, true) if c.eat(b']')? => Step::After,
            Step::Items(list, _) => {
                let last = match list {
                    List::People => item(c, &mut self.people)?,
                    List::Orgs => item(c, &mut self.orgs)?,
                    List::Records => item(c, &mut self.records)?,
                };
                if last {
                    Step::After
                } else {
                    Step::Items(list, false)
                }
            }
            Step::After if c.eat(b',')? => Step::Member,
            Step::After => {
                c.expect(b'}')?;
                Step::End
            }
            Step::End => match c.space() {
                Some(_) => return Err(Stop::Bad),
                None if c.whole => Step::Done,
                None => return Err(Stop::More),
            },
            Step::Done => Step::Done,
        })
    }

    /// The document walked: its lists as walked, the rest read from the
    /// other members' texts. `None`: it does not read.
    fn document(self, text: &str) -> Option<SpannedDocument> {
        let mut rest = String::from("{");
        for (name, value) in &self.others {
            rest.push_str(text.get(name.clone())?);
            rest.push(':');
            rest.push_str(text.get(value.clone())?);
            rest.push(',');
        }
        let lists = [
            ("people", self.people.is_some()),
            ("organisations", self.orgs.is_some()),
            ("records", self.records.is_some()),
        ];
        for (name, present) in lists {
            if present {
                rest.push_str(&format!("\"{name}\":[],"));
            }
        }
        if rest.ends_with(',') {
            rest.pop();
        }
        rest.push('}');
        let doc: RestDocument = serde_json::from_str(&rest).ok()?;
        Some(RawDocument {
            format: doc.format,
            version: doc.version,
            exported_at: doc.exported_at,
            device: doc.device,
            clock: doc.clock,
            seen: doc.seen,
            scope: doc.scope,
            settings: doc.settings,
            people: self.people?,
            organisations: self.orgs?,
            records: self.records?,
            tombstones: doc.tombstones,
            disclosures: doc.disclosures,
            consents: doc.consents,
            consent_config: doc.consent_config,
            register_description: doc.register_description,
            requests: doc.requests,
        })
    }
}

/// Reads a list's next item and what follows it; `true`: it was the last.
/// The item is added only once both are read.
fn item<T: DeserializeOwned>(c: &mut Cursor, list: &mut Option<Chunked<Spanned<T>>>) -> Result<bool, Stop> {
    let (value, at) = c.value::<T>()?;
    let last = if c.eat(b',')? {
        false
    } else {
        c.expect(b']')?;
        true
    };
    list.as_mut().ok_or(Stop::Bad)?.push(Spanned { value, at });
    Ok(last)
}

/// A position in a document's text (`whole`: all of it; otherwise the
/// text so far, which may end anywhere).
struct Cursor<'t> {
    text: &'t str,
    at: usize,
    whole: bool,
}

impl<'t> Cursor<'t> {
    /// Skips white space; the byte after it, if any.
    fn space(&mut self) -> Option<u8> {
        let bytes = self.text.as_bytes();
        while let Some(&b) = bytes.get(self.at) {
            if !matches!(b, b' ' | b'\t' | b'\n' | b'\r') {
                return Some(b);
            }
            self.at += 1;
        }
        None
    }

    /// Where the text ends: the document's end, or where more will come.
    fn ended(&self) -> Stop {
        if self.whole {
            Stop::Bad
        } else {
            Stop::More
        }
    }

    /// Takes `b` after white space, if it is there.
    fn eat(&mut self, b: u8) -> Result<bool, Stop> {
        match self.space() {
            None => Err(self.ended()),
            Some(found) if found == b => {
                self.at += 1;
                Ok(true)
            }
            Some(_) => Ok(false),
        }
    }

    fn expect(&mut self, b: u8) -> Result<(), Stop> {
        if self.eat(b)? {
            Ok(())
        } else {
            Err(Stop::Bad)
        }
    }

    /// The value after white space, and where its JSON lies.
    fn value<T: Deserialize<'t>>(&mut self) -> Result<(T, Range<usize>), Stop> {
        if self.space().is_none() {
            return Err(self.ended());
        }
        let start = self.at;
        let mut values = serde_json::Deserializer::from_str(self.text.get(start..).ok_or(Stop::Bad)?).into_iter::<T>();
        match values.next() {
            Some(Ok(value)) => {
                let end = start + values.byte_offset();
                // A value that ends where the text so far ends may go on
                // (a number's next digits).
                if end == self.text.len() && !self.whole {
                    return Err(Stop::More);
                }
                self.at = end;
                Ok((value, start..end))
            }
            Some(Err(e)) if e.is_eof() => Err(self.ended()),
            _ => Err(Stop::Bad),
        }
    }
}
