//! How the register is laid out in storage: documents grouped into pages.
//!
//! A browser database is slow with hundreds of thousands of small values
//! and fast with a few hundred large ones, so documents are kept in pages:
//! each entity kind has a fixed number of pages, a document's page is
//! chosen by a hash of its key, and a page is text with one line per
//! document, `<key>\t<JSON document>` (compact JSON never holds a raw tab
//! or newline). A change rewrites only the pages it touches.

use std::collections::BTreeMap;

use super::document::{Source, Texts};
use super::dto::{self, ConsentEntryDto, DisclosureDto, Implied, OrgOut, PersonOut, RecordOut, TombstoneDto};
use crate::domain::{Change, EntityRef};

/// The kinds of document kept in pages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Kind {
    People,
    Orgs,
    Records,
    Tombstones,
    Disclosures,
    /// Entries of the consent ledger.
    Consents,
    /// Rights requests.
    Requests,
}

impl Kind {
    pub const ALL: [Kind; 7] =
        [Kind::People, Kind::Orgs, Kind::Records, Kind::Tombstones, Kind::Disclosures, Kind::Consents, Kind::Requests];

    /// The prefix of this kind's page keys.
    pub fn prefix(self) -> &'static str {
        match self {
            Kind::People => "people",
            Kind::Orgs => "organisations",
            Kind::Records => "records",
            Kind::Tombstones => "tombstones",
            Kind::Disclosures => "disclosures",
            Kind::Consents => "consents",
            Kind::Requests => "requests",
        }
    }

    /// How many pages the kind is spread over (about 200 documents a page
    /// at 50 000 people and 200 000 records).
    pub fn pages(self) -> u32 {
        match self {
            Kind::People => 256,
            Kind::Orgs => 32,
            Kind::Records => 1024,
            Kind::Tombstones => 16,
            Kind::Disclosures => 16,
            // A few entries per person: about 200 a page at 50 000 people.
            Kind::Consents => 512,
            // A small office gets a few requests a year.
            Kind::Requests => 8,
        }
    }

    pub fn from_page_key(key: &str) -> Option<Kind> {
        let prefix = key.split('/').next()?;
        Kind::ALL.into_iter().find(|k| k.prefix() == prefix)
    }
}

/// The key of the page a document belongs to: `people/0042`.
pub fn page_key(kind: Kind, doc_key: &str) -> String {
    page_name(kind, page_number(kind, doc_key))
}

/// The number of the page a document belongs to.
fn page_number(kind: Kind, doc_key: &str) -> u32 {
    // FNV-1a: simple, stable across versions and platforms.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in doc_key.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    hash % kind.pages()
}

/// A page's key from its kind and number.
fn page_name(kind: Kind, number: u32) -> String {
    let mut key = String::with_capacity(kind.prefix().len() + 5);
    key.push_str(kind.prefix());
    key.push('/');
    for div in [1000, 100, 10, 1] {
        key.push(char::from(b'0' + (number / div % 10) as u8));
    }
    key
}

/// A page's documents by key.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Page {
    docs: BTreeMap<String, String>,
}

impl Page {
    /// Reads a page's text. A line without a tab is reported by its number.
    pub fn parse(text: &str) -> Result<Page, usize> {
        let mut docs = BTreeMap::new();
        for entry in Page::entries(text) {
            let (key, doc) = entry?;
            docs.insert(key.to_owned(), doc.to_owned());
        }
        Ok(Page { docs })
    }

    /// A page text's documents as `(key, document)`, without copying them
    /// (for reading the register at start). A line without a tab is an
    /// error with its number.
    pub fn entries(text: &str) -> impl Iterator<Item = Result<(&str, &str), usize>> {
        text.lines()
            .enumerate()
            .filter(|(_, line)| !line.is_empty())
            .map(|(n, line)| line.split_once('\t').ok_or(n + 1))
    }

    pub fn text(&self) -> String {
        let mut out = String::with_capacity(self.docs.values().map(|d| d.len() + 40).sum());
        for (key, doc) in &self.docs {
            out.push_str(key);
            out.push('\t');
            out.push_str(doc);
            out.push('\n');
        }
        out
    }

    pub fn set(&mut self, key: String, doc: Option<String>) {
        match doc {
            Some(doc) => self.docs.insert(key, doc),
            None => self.docs.remove(&key),
        };
    }

    pub fn is_empty(&self) -> bool {
        self.docs.is_empty()
    }

    pub fn docs(&self) -> impl Iterator<Item = (&str, &str)> {
        self.docs.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

/// A document key: the id as hyphenated lowercase hex, like its `Display`,
/// without the formatting machinery.
#[cfg(test)]
fn key(id: uuid::Uuid) -> String {
    id.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer()).to_owned()
}

/// A document's key: an id, whose text is its hyphenated lowercase hex
/// (which sorts as the id does), or another text (a tombstone's
/// `person:<id>`). An id's key is kept as a number, to sort by, and as its
/// text, made once, without a string of its own: an import has a quarter
/// of a million.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum DocKey {
    Id(u128, [u8; 36]),
    Text(String),
}

impl DocKey {
    fn id(id: uuid::Uuid) -> DocKey {
        let mut text = [0; 36];
        id.hyphenated().encode_lower(&mut text);
        DocKey::Id(id.as_u128(), text)
    }

    fn text(&self) -> &str {
        match self {
            DocKey::Id(_, text) => std::str::from_utf8(text).expect("hex digits and hyphens"),
            DocKey::Text(text) => text,
        }
    }

    fn into_string(self) -> String {
        match self {
            DocKey::Id(..) => self.text().to_owned(),
            DocKey::Text(text) => text,
        }
    }
}

/// Where a change's document is kept: its kind and document key. Changes
/// that are not paged (audit, settings, clock, seen) give `None`.
fn place(change: &Change) -> Option<(Kind, DocKey)> {
    use DocKey::Text;
    let id = DocKey::id;
    Some(match change {
        Change::PutPerson(p) => (Kind::People, id(p.id.uuid())),
        Change::RemovePerson(gone) => (Kind::People, id(gone.uuid())),
        Change::PutOrg(o) => (Kind::Orgs, id(o.id.uuid())),
        Change::RemoveOrg(gone) => (Kind::Orgs, id(gone.uuid())),
        Change::PutRecord(r) => (Kind::Records, id(r.id.uuid())),
        Change::RemoveRecord(gone) => (Kind::Records, id(gone.uuid())),
        Change::PutTombstone(t) => (Kind::Tombstones, Text(dto::entity_key(&t.entity))),
        Change::PutDisclosure(d) => (Kind::Disclosures, Text(d.id.to_string())),
        Change::PutConsent(e) => (Kind::Consents, id(e.id.uuid())),
        Change::RemoveConsent(gone) => (Kind::Consents, id(gone.uuid())),
        Change::PutRequest(r) => (Kind::Requests, Text(r.id.to_string())),
        Change::PutSettings(_)
        | Change::Audit(_)
        | Change::Clock(_)
        | Change::Seen(_)
        | Change::PutConsentConfig(_)
        | Change::PutDescription(_) => return None,
    })
}

/// Writes the document a change puts at the end of `out`; `false` when the
/// change removes its document (or is not paged).
fn write_doc(change: &Change, out: &mut Vec<u8>) -> bool {
    let written = match change {
        Change::PutPerson(p) => serde_json::to_writer(out, &PersonOut::new(p, Implied::LITTLE)),
        Change::PutOrg(o) => serde_json::to_writer(out, &OrgOut::new(o, Implied::LITTLE)),
        Change::PutRecord(r) => serde_json::to_writer(out, &RecordOut::new(r, Implied::LITTLE)),
        Change::PutTombstone(t) => serde_json::to_writer(out, &TombstoneDto::from(t)),
        Change::PutDisclosure(d) => serde_json::to_writer(out, &DisclosureDto::from(d)),
        Change::PutConsent(e) => serde_json::to_writer(out, &ConsentEntryDto::from(e)),
        Change::PutRequest(r) => serde_json::to_writer(out, &super::gdpr::RequestDto::from(r)),
        _ => return false,
    };
    written.expect("documents always serialise");
    true
}

/// The page entry a change writes: kind, document key, and the document
/// (`None` removes it). Changes that are not paged give `None`.
pub fn entry(change: &Change) -> Option<(Kind, String, Option<String>)> {
    let (kind, key) = place(change)?;
    let key = key.into_string();
    let mut out = Vec::new();
    let doc = write_doc(change, &mut out).then(|| String::from_utf8(out).expect("JSON is UTF-8"));
    Some((kind, key, doc))
}

/// Room for a typical document of a kind in a page's text (growing a
/// string step by step costs more than the writing).
fn room(kind: Kind) -> usize {
    match kind {
        Kind::People => 720,
        Kind::Orgs | Kind::Records | Kind::Consents => 400,
        _ => 300,
    }
}

/// Sorts `(key, value)` pairs by key and keeps the last of each key.
fn last_of_each_key<K: Ord, V>(entries: &mut Vec<(K, V)>) {
    entries.sort_by(|a, b| a.0.cmp(&b.0));
    entries.reverse();
    entries.dedup_by(|later, kept| later.0 == kept.0);
    entries.reverse();
}

/// Imported people, organisations and records whose documents storage
/// keeps as the bundle's document wrote them, instead of writing them
/// again: the positions of their changes (`Plan::verbatim`: each puts the
/// entity exactly as the document read) and the document.
#[derive(Clone, Copy)]
pub struct Verbatim<'a> {
    pub changes: &'a [usize],
    pub source: &'a Source,
}

/// What a page line gets: a change's document, or a document's text.
#[derive(Clone, Copy)]
enum Doc<'c> {
    Change(&'c Change),
    Text(&'c [u8]),
}

/// The pages a list of changes touches, and what each change does there.
/// A change's document is written straight into its page's new text.
pub struct Rewrite<'c> {
    pages: BTreeMap<(Kind, u32), Vec<(DocKey, Doc<'c>)>>,
    /// What goes before a kept text in place of its `{`: the device its
    /// implied stamps and times are by (`implied_by`), if any.
    opening: Vec<u8>,
}

impl<'c> Rewrite<'c> {
    pub fn new(changes: &'c [Change]) -> Rewrite<'c> {
        Rewrite::with(changes, None)
    }

    /// [`Rewrite::new`], keeping the texts of `verbatim`'s changes.
    pub fn with(changes: &'c [Change], verbatim: Option<Verbatim<'c>>) -> Rewrite<'c> {
        let mut pages: BTreeMap<(Kind, u32), Vec<(DocKey, Doc)>> = BTreeMap::new();
        let mut kept = verbatim.map_or(&[][..], |v| v.changes).iter().copied().peekable();
        // The kept changes come in the document's order: each text is
        // found where the last one ended.
        let mut texts = verbatim.map(|v| v.source.texts());
        for (at, change) in changes.iter().enumerate() {
            let Some((kind, key)) = place(change) else { continue };
            let text = match (kept.next_if_eq(&at), &mut texts) {
                (Some(_), Some(texts)) => kept_text(texts, change),
                _ => None,
            };
            let doc = text.map_or(Doc::Change(change), Doc::Text);
            let number = page_number(kind, key.text());
            pages.entry((kind, number)).or_default().push((key, doc));
        }
        let opening = match verbatim.and_then(|v| v.source.implied_by()) {
            Some(device) => {
                let mut device_text = uuid::Uuid::encode_buffer();
                format!("{{\"implied_by\":\"{}\",", device.hyphenated().encode_lower(&mut device_text)).into_bytes()
            }
            None => b"{".to_vec(),
        };
        Rewrite { pages, opening }
    }

    /// The keys of the pages touched: they are read before rewriting.
    pub fn page_keys(&self) -> Vec<String> {
        self.pages.keys().map(|&(kind, number)| page_name(kind, number)).collect()
    }

    /// Each touched page's key and new text, given the current texts of the
    /// touched pages that exist, by key. `None` for a page left without
    /// documents (to delete). A later change of a document wins over an
    /// earlier one. Fails with the key of a current text that does not
    /// read as a page.
    pub fn texts(self, current: &BTreeMap<String, String>) -> Result<Vec<(String, Option<String>)>, String> {
        let mut out = Vec::with_capacity(self.pages.len());
        self.each_text(current, |page_key, text| {
            out.push((page_key, text.map(|t| String::from_utf8(t).expect("keys, texts and JSON are UTF-8"))))
        })?;
        Ok(out)
    }

    /// [`Rewrite::texts`], handing each page to `out` as soon as it is made
    /// (in the order of their keys), so that the caller can work on one
    /// (seal it) while the next is made. The texts are UTF-8, handed over
    /// as bytes (to be sealed as they are, without checking them again).
    /// On failure, the pages handed over so far are not all of them.
    pub fn each_text(
        self,
        current: &BTreeMap<String, String>,
        mut out: impl FnMut(String, Option<Vec<u8>>),
    ) -> Result<(), String> {
        for ((kind, number), mut changes) in self.pages {
            let page_key = page_name(kind, number);
            last_of_each_key(&mut changes);
            let (mut old, old_len) = match current.get(&page_key) {
                Some(text) => {
                    (Page::entries(text).collect::<Result<Vec<_>, _>>().map_err(|_| page_key.clone())?, text.len())
                }
                None => (Vec::new(), 0),
            };
            last_of_each_key(&mut old);
            let mut text = Vec::with_capacity(old_len + changes.len() * room(kind));
            let mut old = old.into_iter().peekable();
            for (key, change) in &changes {
                let key = key.text();
                while let Some((old_key, doc)) = old.next_if(|(old_key, _)| *old_key < key) {
                    line(&mut text, old_key, doc.as_bytes());
                }
                old.next_if(|(old_key, _)| *old_key == key);
                let start = text.len();
                text.extend_from_slice(key.as_bytes());
                text.push(b'\t');
                let written = match change {
                    Doc::Change(change) => write_doc(change, &mut text),
                    Doc::Text(kept) => {
                        text.extend_from_slice(&self.opening);
                        text.extend_from_slice(&kept[1..]);
                        true
                    }
                };
                if written {
                    text.push(b'\n');
                } else {
                    text.truncate(start);
                }
            }
            for (old_key, doc) in old {
                line(&mut text, old_key, doc.as_bytes());
            }
            out(page_key, (!text.is_empty()).then_some(text));
        }
        Ok(())
    }
}

/// A change's entity's text as its document wrote it, where it can be
/// kept: an object written compactly (`{"…`; [`Source::text`] has no line
/// breaks).
fn kept_text<'s>(texts: &mut Texts<'s>, change: &Change) -> Option<&'s [u8]> {
    let entity = match change {
        Change::PutPerson(p) => EntityRef::Person(p.id),
        Change::PutOrg(o) => EntityRef::Org(o.id),
        Change::PutRecord(r) => EntityRef::Record(r.id),
        _ => return None,
    };
    texts.text(entity).filter(|text| text.starts_with(b"{\""))
}

fn line(text: &mut Vec<u8>, key: &str, doc: &[u8]) {
    text.extend_from_slice(key.as_bytes());
    text.push(b'\t');
    text.extend_from_slice(doc);
    text.push(b'\n');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_round_trip_and_replace_lines() {
        let mut page = Page::default();
        let doc = |s: &str| serde_json::to_string(&serde_json::json!({ "x": s })).unwrap();
        page.set("b".into(), Some(doc("plain")));
        page.set("a".into(), Some(doc("a tab\there and a newline\n")));
        let text = page.text();
        assert_eq!(text.lines().count(), 2, "compact JSON keeps each document on one line");
        assert_eq!(Page::parse(&text).unwrap(), page);
        page.set("a".into(), None);
        assert_eq!(Page::parse(&page.text()).unwrap().docs().count(), 1);
        assert_eq!(Page::parse("no tab here\n"), Err(1));
        let entries: Vec<_> = Page::entries("a\t{}\n\nbad\nb\t[]\n").collect();
        assert_eq!(entries, vec![Ok(("a", "{}")), Err(3), Ok(("b", "[]"))]);
        assert!(Page::parse("").unwrap().is_empty());
    }

    #[test]
    fn page_keys_and_document_keys_never_change() {
        // Stored registers depend on these: a document must be found on the
        // page it was written to by every earlier version.
        let id = "0190d3a1-0000-7000-8000-00000000002a";
        assert_eq!(page_key(Kind::People, id), "people/0166");
        assert_eq!(page_key(Kind::Records, id), "records/0422");
        assert_eq!(page_key(Kind::Tombstones, "person:0190d3a1-0000-7000-8000-000000000007"), "tombstones/0001");
        assert_eq!(page_key(Kind::Orgs, "x"), "organisations/0007");
        let uuid: uuid::Uuid = id.parse().unwrap();
        assert_eq!(key(uuid), id);
        assert_eq!(key(uuid), uuid.to_string());
    }

    #[test]
    fn a_key_always_lands_on_the_same_page_and_pages_fill_evenly() {
        let key = "0190d3a1-0000-7000-8000-00000000002a";
        assert_eq!(page_key(Kind::People, key), page_key(Kind::People, key));
        assert!(page_key(Kind::Records, key).starts_with("records/"));
        let mut counts = BTreeMap::new();
        for n in 0..25_600u32 {
            let key =
                format!("0190d3a1-{:04x}-7{:03x}-8000-{:012x}", n % 65536, n % 4096, n.wrapping_mul(2_654_435_761));
            *counts.entry(page_key(Kind::People, &key)).or_insert(0u32) += 1;
        }
        assert_eq!(counts.len(), 256, "every page used");
        assert!(counts.values().all(|&c| (50..=170).contains(&c)), "about 100 a page: {:?}", counts.values().max());
        assert_eq!(Kind::from_page_key("organisations/0003"), Some(Kind::Orgs));
        assert_eq!(Kind::from_page_key("nothing/0003"), None);
    }

    /// The page texts the changes make, one document at a time: the
    /// reference [`Rewrite`] must agree with.
    fn one_by_one(changes: &[Change], current: &BTreeMap<String, String>) -> BTreeMap<String, Option<String>> {
        let mut pages: BTreeMap<String, Page> = BTreeMap::new();
        for change in changes {
            if let Some((kind, key, doc)) = entry(change) {
                let page_key = page_key(kind, &key);
                let page = pages.entry(page_key.clone()).or_insert_with(|| {
                    current.get(&page_key).map(|text| Page::parse(text).unwrap()).unwrap_or_default()
                });
                page.set(key, doc);
            }
        }
        pages.into_iter().map(|(key, page)| (key, (!page.is_empty()).then(|| page.text()))).collect()
    }

    #[test]
    fn a_rewrite_writes_what_setting_documents_one_by_one_writes() {
        use crate::domain::testing::person_named;
        use crate::domain::PersonId;
        let person = |n: u128, name: &str| person_named(n, name, "Virtanen");
        // Enough people that some share a page with others.
        let before: Vec<Change> = (1..=600).map(|n| Change::PutPerson(person(n, "Aino"))).collect();
        let current: BTreeMap<String, String> =
            one_by_one(&before, &BTreeMap::new()).into_iter().map(|(k, t)| (k, t.unwrap())).collect();
        let mut current_plus = current.clone();
        // A page of an earlier version, not in key order, with a line of a
        // document nobody changes.
        let odd = page_key(Kind::People, "zz-unchanged");
        let mut odd_text =
            format!("zz-unchanged\t{{\"x\":1}}\n{}", current_plus.get(&odd).cloned().unwrap_or_default());
        odd_text.push_str("aa-unchanged\t{}\n");
        current_plus.insert(odd, odd_text);
        let id = |n: u128| PersonId::new(uuid::Uuid::from_u128(n));
        let cases: Vec<(&str, Vec<Change>)> = vec![
            ("nothing paged", vec![Change::Clock(crate::domain::Stamp::ZERO)]),
            (
                "new people on new and existing pages",
                (590..=700).map(|n| Change::PutPerson(person(n, "Eino"))).collect(),
            ),
            ("removals, one of someone not there", vec![Change::RemovePerson(id(3)), Change::RemovePerson(id(5000))]),
            (
                "the later change of a document wins",
                vec![
                    Change::PutPerson(person(7, "first")),
                    Change::RemovePerson(id(7)),
                    Change::PutPerson(person(8, "first")),
                    Change::RemovePerson(id(8)),
                    Change::PutPerson(person(8, "last")),
                    Change::PutPerson(person(9000, "new")),
                    Change::RemovePerson(id(9000)),
                ],
            ),
            ("every person removed", (1..=600).map(|n| Change::RemovePerson(id(n))).collect()),
        ];
        for (name, changes) in cases {
            for current in [&current, &current_plus] {
                let texts: BTreeMap<_, _> = Rewrite::new(&changes).texts(current).unwrap().into_iter().collect();
                assert_eq!(texts, one_by_one(&changes, current), "{name}");
                let keys: Vec<_> = texts.keys().cloned().collect();
                let mut asked = Rewrite::new(&changes).page_keys();
                asked.sort();
                assert_eq!(asked, keys, "{name}: the pages read first are the pages written");
            }
        }
        let all_gone: Vec<Change> = (1..=600).map(|n| Change::RemovePerson(id(n))).collect();
        let texts = Rewrite::new(&all_gone).texts(&current).unwrap();
        assert!(!texts.is_empty() && texts.iter().all(|(_, t)| t.is_none()), "empty pages are deleted");
        let later = Rewrite::new(&all_gone[..1]).texts(&current).unwrap();
        assert!(later[0].1.as_ref().is_some_and(|t| !t.contains(&key(uuid::Uuid::from_u128(1)))));
    }

    #[test]
    fn a_rewrite_refuses_a_damaged_page() {
        use crate::domain::testing::person_named;
        let changes = vec![Change::PutPerson(person_named(1, "Aino", "Virtanen"))];
        let page = Rewrite::new(&changes).page_keys().remove(0);
        let current = BTreeMap::from([(page.clone(), "a line without a tab\n".to_owned())]);
        assert_eq!(Rewrite::new(&changes).texts(&current), Err(page));
    }
}
