//! How the register is laid out in storage: documents grouped into pages.
//!
//! A browser database is slow with hundreds of thousands of small values
//! and fast with a few hundred large ones, so documents are kept in pages:
//! each entity kind has a fixed number of pages, a document's page is
//! chosen by a hash of its key, and a page is text with one line per
//! document, `<key>\t<JSON document>` (compact JSON never holds a raw tab
//! or newline). A change rewrites only the pages it touches.

use std::collections::BTreeMap;

use super::dto::{self, ConsentEntryDto, DisclosureDto, Implied, OrgOut, PersonOut, RecordOut, TombstoneDto};
use crate::domain::Change;

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
    // FNV-1a: simple, stable across versions and platforms.
    let mut hash: u32 = 0x811c_9dc5;
    for byte in doc_key.bytes() {
        hash ^= u32::from(byte);
        hash = hash.wrapping_mul(0x0100_0193);
    }
    // Written out by hand: this runs for every document a change touches.
    let number = hash % kind.pages();
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

/// A document's JSON, written into room for a typical one of its kind
/// (`room`): growing a string step by step costs more than the writing.
fn json<T: serde::Serialize>(value: &T, room: usize) -> String {
    let mut out = Vec::with_capacity(room);
    serde_json::to_writer(&mut out, value).expect("documents always serialise");
    String::from_utf8(out).expect("JSON is UTF-8")
}

/// A document key: the id as hyphenated lowercase hex, like its `Display`,
/// without the formatting machinery.
fn key(id: uuid::Uuid) -> String {
    id.hyphenated().encode_lower(&mut uuid::Uuid::encode_buffer()).to_owned()
}

/// The page entry a change writes: kind, document key, and the document
/// (`None` removes it). Changes that are not paged (audit, settings,
/// clock, seen) give `None`.
pub fn entry(change: &Change) -> Option<(Kind, String, Option<String>)> {
    Some(match change {
        Change::PutPerson(p) => (Kind::People, key(p.id.uuid()), Some(json(&PersonOut::new(p, Implied::LITTLE), 768))),
        Change::RemovePerson(id) => (Kind::People, key(id.uuid()), None),
        Change::PutOrg(o) => (Kind::Orgs, key(o.id.uuid()), Some(json(&OrgOut::new(o, Implied::LITTLE), 384))),
        Change::RemoveOrg(id) => (Kind::Orgs, key(id.uuid()), None),
        Change::PutRecord(r) => (Kind::Records, key(r.id.uuid()), Some(json(&RecordOut::new(r, Implied::LITTLE), 384))),
        Change::RemoveRecord(id) => (Kind::Records, key(id.uuid()), None),
        Change::PutTombstone(t) => {
            (Kind::Tombstones, dto::entity_key(&t.entity), Some(json(&TombstoneDto::from(t), 256)))
        }
        Change::PutDisclosure(d) => (Kind::Disclosures, d.id.to_string(), Some(json(&DisclosureDto::from(d), 256))),
        Change::PutConsent(e) => (Kind::Consents, key(e.id.uuid()), Some(json(&ConsentEntryDto::from(e), 384))),
        Change::RemoveConsent(id) => (Kind::Consents, key(id.uuid()), None),
        Change::PutRequest(r) => (Kind::Requests, r.id.to_string(), Some(json(&super::gdpr::RequestDto::from(r), 512))),
        Change::PutSettings(_)
        | Change::Audit(_)
        | Change::Clock(_)
        | Change::Seen(_)
        | Change::PutConsentConfig(_)
        | Change::PutDescription(_) => return None,
    })
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
}
