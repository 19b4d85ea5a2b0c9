//! Finding people: the list in alphabetical order, search as you type, and
//! filters.
//!
//! The index keeps one entry per person in name order, with the person's
//! searchable text folded once ([`fold`]) and kept in one string in list
//! order, so a keystroke is one pass through memory in order. Typing on
//! narrows the previous search: when the new text only adds to the old one,
//! only the people the old text matched are read.
//!
//! Opening a large register needs only the order to show the list; the
//! searchable texts can be made afterwards ([`SearchIndex::order`],
//! [`SearchIndex::fill_texts`]), and are made by the first search that
//! needs them if nothing made them before.

use std::cell::RefCell;
use std::cmp::Ordering;
use std::collections::{BTreeSet, HashMap};

use chrono::NaiveDate;

use super::ids::{OrgId, PersonId};
use super::person::Person;
use super::settings::CategoryKey;
use super::text::{finnish_key, fold, Collator};

/// What to look for. Every part that is set must match.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Filter {
    /// Words to find in names, organisations, e-mails, phones, custom text.
    pub text: String,
    /// The person is in at least one of these categories.
    pub categories: BTreeSet<CategoryKey>,
    pub org: Option<OrgId>,
    pub tag: Option<String>,
    /// The last customer event was on or before this date.
    pub last_event_before: Option<NaiveDate>,
    /// The last customer event was on or after this date.
    pub last_event_after: Option<NaiveDate>,
}

impl Filter {
    pub fn text(text: impl Into<String>) -> Self {
        Filter { text: text.into(), ..Filter::default() }
    }

    /// Whether only the text part is set.
    pub fn is_text_only(&self) -> bool {
        self.categories.is_empty()
            && self.org.is_none()
            && self.tag.is_none()
            && self.last_event_before.is_none()
            && self.last_event_after.is_none()
    }
}

/// What the index keeps of one person.
#[derive(Clone, Debug)]
struct Entry {
    id: PersonId,
    family: String,
    given: String,
}

/// Where a person's folded searchable text is in [`Texts::text`]; the
/// folded name comes first.
#[derive(Clone, Copy, Debug)]
struct Span {
    start: usize,
    end: usize,
    /// The length of the name at the start of the text.
    name_len: usize,
}

/// The folded searchable texts of every entry.
#[derive(Default)]
struct Texts {
    /// Every entry's searchable text, one after another, in list order
    /// when made (changed entries' texts go to the end). Reading texts
    /// in memory order keeps a search over 50 000 people fast.
    text: String,
    /// Where each entry's text is: `spans[i]` belongs to `entries[i]`.
    spans: Vec<Span>,
    /// Bytes of `text` no entry uses any more (changed or removed people).
    unused: usize,
}

/// People in name order, with their folded searchable text.
#[derive(Default)]
pub struct SearchIndex {
    entries: Vec<Entry>,
    /// The searchable texts, once made (`None` until then).
    texts: RefCell<Option<Texts>>,
    /// Each person's sort name, to find their entry again.
    names: HashMap<PersonId, (String, String)>,
    /// The last text search: its words and the entries that matched them
    /// (before any other filter). Forgotten whenever an entry changes.
    last: RefCell<Option<LastSearch>>,
}

struct LastSearch {
    terms: Vec<String>,
    matched: Vec<usize>,
}

impl LastSearch {
    /// Whether everything `terms` matches is among what this search
    /// matched: each old word is inside the new word at its place (the
    /// user typed on), and new words may follow.
    fn covers(&self, terms: &[String]) -> bool {
        terms.len() >= self.terms.len() && self.terms.iter().zip(terms).all(|(old, new)| new.contains(old.as_str()))
    }
}

/// The text of a person the index searches, besides the name.
pub struct Searchable<'a> {
    pub person: &'a Person,
    /// Names of the organisations the person is linked to.
    pub org_names: Vec<&'a str>,
    /// Custom text fields' values.
    pub custom_text: Vec<&'a str>,
}

impl SearchIndex {
    /// Builds the index of many people at once, texts and all.
    pub fn build<'a>(people: impl Iterator<Item = Searchable<'a>>, collator: &dyn Collator) -> Self {
        let items: Vec<Searchable<'a>> = people.collect();
        let index = SearchIndex::order(items.iter().map(|item| item.person), collator);
        let mut by_id: HashMap<PersonId, Searchable<'a>> =
            items.into_iter().map(|item| (item.person.id, item)).collect();
        index.fill_texts(|id| by_id.remove(&id));
        index
    }

    /// Builds the order of many people at once, without their searchable
    /// texts: all the list needs. Sorting first by the built-in Finnish
    /// order and then by `collator` costs the collator only about one
    /// comparison per person when the two mostly agree.
    pub fn order<'a>(people: impl Iterator<Item = &'a Person>, collator: &dyn Collator) -> Self {
        let items: Vec<Entry> =
            people.map(|p| Entry { id: p.id, family: p.family_name.clone(), given: p.given_name.clone() }).collect();
        // The collator (the browser's, across the boundary to JavaScript)
        // compares each distinct name, not each pair of people: many
        // people share a name. Then people are ordered by their names'
        // ranks, which gives the order `compare` gives.
        let keys: Vec<(u32, u32)> = {
            let mut names: Vec<&str> =
                items.iter().flat_map(|e| [family(e), e.given.as_str()]).collect::<BTreeSet<_>>().into_iter().collect();
            names.sort_by_cached_key(|n| finnish_key(n));
            names.sort_by(|a, b| collator.compare(a, b));
            let mut rank: HashMap<&str, u32> = HashMap::with_capacity(names.len());
            let mut r = 0;
            for (i, name) in names.iter().enumerate() {
                if i > 0 && collator.compare(names[i - 1], name) != Ordering::Equal {
                    r += 1;
                }
                rank.insert(name, r);
            }
            items.iter().map(|e| (rank[family(e)], rank[e.given.as_str()])).collect()
        };
        let mut items: Vec<((u32, u32, PersonId), Entry)> =
            keys.into_iter().zip(items).map(|((f, g), e)| ((f, g, e.id), e)).collect();
        items.sort_unstable_by_key(|(key, _)| *key);
        let entries: Vec<Entry> = items.into_iter().map(|(_, e)| e).collect();
        let names = entries.iter().map(|e| (e.id, (e.family.clone(), e.given.clone()))).collect();
        SearchIndex { entries, texts: RefCell::new(None), names, last: RefCell::new(None) }
    }

    /// Whether the searchable texts are made.
    pub fn has_texts(&self) -> bool {
        self.texts.borrow().is_some()
    }

    /// Makes the searchable texts, in list order, if they are not made yet.
    /// `source` gives what to search of each person in the index; a person
    /// it does not know is found by nothing.
    pub fn fill_texts<'a>(&self, mut source: impl FnMut(PersonId) -> Option<Searchable<'a>>) {
        if self.has_texts() {
            return;
        }
        let mut texts = Texts { spans: Vec::with_capacity(self.entries.len()), ..Texts::default() };
        for e in &self.entries {
            let start = texts.text.len();
            let name_len = match source(e.id) {
                Some(item) => push_hay(item, &mut texts.text),
                None => 0,
            };
            texts.spans.push(Span { start, end: texts.text.len(), name_len });
        }
        *self.texts.borrow_mut() = Some(texts);
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Everyone, in name order.
    pub fn all(&self) -> impl Iterator<Item = PersonId> + '_ {
        self.entries.iter().map(|e| e.id)
    }

    /// Adds or replaces a person's entry.
    pub fn upsert(&mut self, item: Searchable<'_>, collator: &dyn Collator) {
        self.remove(item.person.id, collator);
        *self.last.get_mut() = None;
        let p = item.person;
        let new = Entry { id: p.id, family: p.family_name.clone(), given: p.given_name.clone() };
        let at = self.entries.binary_search_by(|probe| compare(collator, probe, &new)).unwrap_or_else(|at| at);
        if let Some(texts) = self.texts.get_mut() {
            let start = texts.text.len();
            let name_len = push_hay(item, &mut texts.text);
            texts.spans.insert(at, Span { start, end: texts.text.len(), name_len });
        }
        self.names.insert(new.id, (new.family.clone(), new.given.clone()));
        self.entries.insert(at, new);
    }

    pub fn remove(&mut self, id: PersonId, collator: &dyn Collator) {
        *self.last.get_mut() = None;
        let Some((family, given)) = self.names.remove(&id) else { return };
        let probe_key = Entry { id, family, given };
        let found = self
            .entries
            .binary_search_by(|probe| compare(collator, probe, &probe_key))
            .ok()
            .filter(|&i| self.entries[i].id == id)
            .or_else(|| self.entries.iter().position(|e| e.id == id));
        if let Some(i) = found {
            self.entries.remove(i);
            if let Some(texts) = self.texts.get_mut() {
                let gone = texts.spans.remove(i);
                texts.unused += gone.end - gone.start;
                if texts.unused > texts.text.len() / 2 {
                    texts.compact();
                }
            }
        }
    }

    /// The people whose text matches every word of `text`, best first:
    /// a name that starts with the word, then a name that contains it, then
    /// any other field; name order within each rank. `keep` filters further.
    /// `source` gives what to search of a person, if the texts are not
    /// made yet ([`SearchIndex::fill_texts`]).
    pub fn search<'a>(
        &self,
        text: &str,
        mut keep: impl FnMut(PersonId) -> bool,
        source: impl FnMut(PersonId) -> Option<Searchable<'a>>,
    ) -> Vec<PersonId> {
        let terms = query_terms(text);
        if terms.is_empty() {
            return self.entries.iter().map(|e| e.id).filter(|id| keep(*id)).collect();
        }
        self.fill_texts(source);
        let texts = self.texts.borrow();
        let Some(texts) = texts.as_ref() else { return Vec::new() };
        let narrowed = self.last.borrow_mut().take().filter(|l| l.covers(&terms)).map(|l| l.matched);
        let candidates: Box<dyn Iterator<Item = usize>> = match narrowed {
            Some(matched) => Box::new(matched.into_iter()),
            None => Box::new(0..self.entries.len()),
        };
        let mut matched = Vec::new();
        // One list per score (the sum of the words' ranks), each in name order.
        let mut by_score: Vec<Vec<PersonId>> = vec![Vec::new(); 2 * terms.len() + 1];
        'people: for i in candidates {
            let e = &self.entries[i];
            let span = texts.spans[i];
            let hay = &texts.text[span.start..span.end];
            let mut score = 0;
            for term in &terms {
                match rank(hay, span.name_len, term) {
                    Some(r) => score += r as usize,
                    None => continue 'people,
                }
            }
            matched.push(i);
            if keep(e.id) {
                by_score[score].push(e.id);
            }
        }
        *self.last.borrow_mut() = Some(LastSearch { terms, matched });
        by_score.concat()
    }
}

/// Splits a query into folded words; a word of digits also matches phone
/// numbers written with spaces.
fn query_terms(text: &str) -> Vec<String> {
    fold(text).split(' ').filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

/// 0: a name word starts with the term; 1: the name contains it;
/// 2: another field contains it; `None`: no match. `hay` is a person's
/// searchable text, the name (`name_len` bytes) first.
fn rank(hay: &str, name_len: usize, term: &str) -> Option<u32> {
    // A plain scan for the term's first byte: the texts are short, and this
    // is quicker here than a general substring search. Both are UTF-8, so a
    // match always starts at a character.
    let hay = hay.as_bytes();
    let term = term.as_bytes();
    let (&first, rest) = term.split_first()?;
    let last = hay.len().checked_sub(term.len())?;
    let mut best = None;
    let mut pos = 0;
    while pos <= last {
        match hay[pos..=last].iter().position(|&b| b == first) {
            Some(skip) => pos += skip,
            None => break,
        }
        if &hay[pos + 1..pos + term.len()] == rest {
            if pos >= name_len {
                // Past the name: every later match ranks 2 as well.
                return Some(best.unwrap_or(2));
            }
            if pos == 0 || matches!(hay[pos - 1], b' ' | b'-') {
                return Some(0);
            }
            best = Some(1);
        }
        pos += 1;
    }
    best
}

impl Texts {
    /// Writes the texts again in list order, leaving out the unused ones.
    fn compact(&mut self) {
        let mut text = String::with_capacity(self.text.len() - self.unused);
        for span in &mut self.spans {
            let start = text.len();
            text.push_str(&self.text[span.start..span.end]);
            (span.start, span.end) = (start, text.len());
        }
        self.text = text;
        self.unused = 0;
    }
}

/// Appends a person's folded searchable text to `hay`, the name first;
/// returns the length of the name.
fn push_hay(item: Searchable<'_>, hay: &mut String) -> usize {
    let p = item.person;
    let start = hay.len();
    hay.push_str(&fold(&format!("{} {}", p.given_name, p.family_name)));
    let name_len = hay.len() - start;
    let mut push = |s: &str| {
        if !s.is_empty() {
            hay.push('\u{1}');
            hay.push_str(&fold(s));
        }
    };
    for org in &item.org_names {
        push(org);
    }
    for e in &p.emails {
        push(&e.value);
    }
    for phone in &p.phones {
        push(&phone.value);
        // The national form people type: +358 40… is also 040…
        if let Some(national) = phone.value.strip_prefix("+358") {
            push(&format!("0{national}"));
        }
    }
    for a in &p.affiliations {
        push(&a.role);
    }
    for tag in &p.tags {
        push(tag);
    }
    for text in &item.custom_text {
        push(text);
    }
    name_len
}

/// The name a person is sorted by first: the family name, or the given
/// name when there is none.
fn family(e: &Entry) -> &str {
    if e.family.is_empty() {
        &e.given
    } else {
        &e.family
    }
}

fn compare<'a>(collator: &dyn Collator, a: &'a Entry, b: &'a Entry) -> Ordering {
    collator
        .compare(family(a), family(b))
        .then_with(|| collator.compare(&a.given, &b.given))
        .then_with(|| a.id.cmp(&b.id))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::person_named;
    use crate::domain::text::FinnishOrder;

    /// For an index built with its texts: never asked.
    fn none(_: PersonId) -> Option<Searchable<'static>> {
        None
    }

    fn index(names: &[(&str, &str)]) -> (SearchIndex, Vec<Person>) {
        let people: Vec<Person> =
            names.iter().enumerate().map(|(i, (g, f))| person_named(i as u128 + 1, g, f)).collect();
        let idx = SearchIndex::build(
            people.iter().map(|p| Searchable { person: p, org_names: vec![], custom_text: vec![] }),
            &FinnishOrder,
        );
        (idx, people)
    }

    fn names(idx: &SearchIndex, people: &[Person], ids: Vec<PersonId>) -> Vec<String> {
        let _ = idx;
        ids.iter().map(|id| people.iter().find(|p| p.id == *id).unwrap().family_name.clone()).collect()
    }

    #[test]
    fn list_is_in_finnish_order() {
        let (idx, people) = index(&[("Ö", "Öhman"), ("A", "Ahonen"), ("Ä", "Äijälä"), ("Z", "Zetor"), ("Å", "Åberg")]);
        let all = idx.all().collect();
        assert_eq!(names(&idx, &people, all), ["Ahonen", "Zetor", "Åberg", "Äijälä", "Öhman"]);
    }

    #[test]
    fn search_is_case_and_accent_insensitive_and_ranked() {
        let (idx, people) = index(&[
            ("Kati", "Häkkinen"),
            ("Mika", "Hakala"),
            ("Sakke", "Virtanen"), // "akk" inside the given name
            ("Anna", "Lindholm"),
        ]);
        let check = |q: &str, want: &[&str]| {
            assert_eq!(names(&idx, &people, idx.search(q, |_| true, none)), want, "query {q:?}");
        };
        check("hakkinen", &["Häkkinen"]);
        check("HÄKK", &["Häkkinen"]);
        check("hak", &["Hakala", "Häkkinen"]);
        check("akk", &["Häkkinen", "Virtanen"]); // both inside a name; name order
        check("kati häk", &["Häkkinen"]);
        check("nobody", &[]);
        check("", &["Hakala", "Häkkinen", "Lindholm", "Virtanen"]);
    }

    #[test]
    fn typing_on_narrows_the_last_search_and_finds_the_same() {
        let names = [
            ("Kati", "Häkkinen"),
            ("Mika", "Hakala"),
            ("Sakke", "Virtanen"),
            ("Anna", "Lindholm"),
            ("Hanna", "Kallio"),
        ];
        let (mut idx, people) = index(&names);
        let fresh = |q: &str, keep: &dyn Fn(PersonId) -> bool| index(&names).0.search(q, keep, none);
        let all = |_: PersonId| true;
        for q in ["h", "ha", "hak", "hakk", "hak", "ha", "ha ", "ha k", "ha ka", "", "a", "an", "anna", "anna x", "a"] {
            assert_eq!(idx.search(q, all, none), fresh(q, &all), "query {q:?}");
        }
        // Another filter on the same text is applied to all the text's matches.
        let kati = people[0].id;
        assert_eq!(idx.search("k", |id| id != kati, none), fresh("k", &|id| id != kati));
        assert_eq!(idx.search("ka", |id| id == kati, none), vec![kati]);
        // A change forgets the last search: a new person is found.
        assert_eq!(idx.search("ber", all, none), vec![]);
        let b = person_named(10, "Bo", "Berg");
        idx.upsert(Searchable { person: &b, org_names: vec![], custom_text: vec![] }, &FinnishOrder);
        assert_eq!(idx.search("berg", all, none), vec![b.id]);
        idx.remove(b.id, &FinnishOrder);
        assert_eq!(idx.search("berg", all, none), vec![]);
    }

    #[test]
    fn texts_of_changed_people_are_reclaimed() {
        let (mut idx, _) = index(&[("Anna", "Aho"), ("Cecilia", "Ceder")]);
        for round in 0..100 {
            let family = if round % 2 == 0 { "Berg" } else { "Björk" };
            let b = person_named(10, "Bo", family);
            idx.upsert(Searchable { person: &b, org_names: vec![], custom_text: vec![] }, &FinnishOrder);
            assert_eq!(idx.search(&fold(family), |_| true, none), vec![b.id]);
            assert_eq!(idx.search("ceder", |_| true, none).len(), 1);
            let texts = idx.texts.borrow();
            let texts = texts.as_ref().unwrap();
            assert!(texts.unused <= texts.text.len() / 2 + "bo bjork".len());
        }
        assert_eq!(idx.search("berg", |_| true, none), vec![]);
        assert_eq!(idx.len(), 3);
    }

    #[test]
    fn upsert_and_remove_keep_the_order() {
        let (mut idx, mut people) = index(&[("A", "Aho"), ("C", "Ceder")]);
        let b = person_named(10, "B", "Berg");
        idx.upsert(Searchable { person: &b, org_names: vec![], custom_text: vec![] }, &FinnishOrder);
        people.push(b.clone());
        let all = idx.all().collect();
        assert_eq!(names(&idx, &people, all), ["Aho", "Berg", "Ceder"]);
        let mut renamed = b.clone();
        renamed.family_name = "Öberg".into();
        idx.upsert(Searchable { person: &renamed, org_names: vec![], custom_text: vec![] }, &FinnishOrder);
        people.retain(|p| p.id != b.id);
        people.push(renamed.clone());
        let all = idx.all().collect();
        assert_eq!(names(&idx, &people, all), ["Aho", "Ceder", "Öberg"]);
        idx.remove(renamed.id, &FinnishOrder);
        assert_eq!(idx.len(), 2);
        assert!(idx.search("berg", |_| true, none).is_empty());
    }

    #[test]
    fn texts_made_after_the_order_find_the_same_as_texts_made_at_once() {
        let names = [("Kati", "Häkkinen"), ("Mika", "Hakala"), ("Sakke", "Virtanen"), ("Anna", "Lindholm")];
        let mut people: Vec<Person> =
            names.iter().enumerate().map(|(i, (g, f))| person_named(i as u128 + 1, g, f)).collect();
        people[1].tags.insert("golf".into());
        fn item(p: &Person) -> Searchable<'_> {
            let org_names = if p.family_name == "Virtanen" { vec!["Hakkarainen Oy"] } else { vec![] };
            Searchable { person: p, org_names, custom_text: vec![] }
        }
        let mut lazy = SearchIndex::order(people.iter(), &FinnishOrder);
        assert!(!lazy.has_texts());
        // Changes before the texts are made are in them when they are.
        let b = person_named(10, "Bo", "Hakberg");
        lazy.upsert(item(&b), &FinnishOrder);
        lazy.remove(people[3].id, &FinnishOrder);
        assert!(!lazy.has_texts(), "a change does not make the texts");
        let mut all: Vec<Person> = people[..3].to_vec();
        all.push(b.clone());
        let eager = SearchIndex::build(all.iter().map(item), &FinnishOrder);
        assert_eq!(lazy.all().collect::<Vec<_>>(), eager.all().collect::<Vec<_>>());
        let mut asked = 0;
        let source = |id: PersonId| all.iter().find(|p| p.id == id).map(item);
        let found = lazy.search(
            "hak",
            |_| true,
            |id| {
                asked += 1;
                source(id)
            },
        );
        assert_eq!(found, eager.search("hak", |_| true, none));
        assert_eq!(found.len(), 4, "three names and an organisation");
        assert_eq!(asked, 4, "each person's text is made once");
        for q in ["golf", "hakkarainen", "lindholm", "bo hak", ""] {
            assert_eq!(lazy.search(q, |_| true, none), eager.search(q, |_| true, none), "query {q:?}");
        }
        // Made once: later changes keep them up to date.
        lazy.remove(b.id, &FinnishOrder);
        assert_eq!(lazy.search("hakberg", |_| true, none), vec![]);
        let c = person_named(11, "Cia", "Golfström");
        lazy.upsert(item(&c), &FinnishOrder);
        assert_eq!(lazy.search("golf", |_| true, none), vec![c.id, people[1].id]);
    }

    /// Compares without regard to case, and counts its calls.
    struct CountingCaseless(std::cell::Cell<usize>);

    impl Collator for CountingCaseless {
        fn compare(&self, a: &str, b: &str) -> Ordering {
            self.0.set(self.0.get() + 1);
            FinnishOrder.compare(&a.to_lowercase(), &b.to_lowercase())
        }
    }

    #[test]
    fn building_gives_the_order_of_comparing_people_and_asks_the_collator_per_name() {
        let families = ["Virtanen", "virtanen", "Åberg", "Aho", "", "Öhman", "Ahola", "von Wright", "Väisänen"];
        let givens = ["Anna", "anna", "Ülle", "Eero", "Zoë", "Åke", "Mika"];
        let people: Vec<Person> = (0..600u128)
            .map(|n| person_named(n * 7919 % 600 + 1, givens[(n % 7) as usize], families[(n % 9) as usize]))
            .collect();
        let collator = CountingCaseless(std::cell::Cell::new(0));
        let idx = SearchIndex::build(
            people.iter().map(|p| Searchable { person: p, org_names: vec![], custom_text: vec![] }),
            &collator,
        );
        assert!(collator.0.get() < 200, "{} comparisons for 16 distinct names", collator.0.get());
        // The same order as adding one person after another, each placed by
        // comparing people.
        let mut one_by_one = SearchIndex::default();
        for p in &people {
            one_by_one.upsert(Searchable { person: p, org_names: vec![], custom_text: vec![] }, &collator);
        }
        assert_eq!(idx.all().collect::<Vec<_>>(), one_by_one.all().collect::<Vec<_>>());
        let first = idx.all().next().unwrap();
        let first = people.iter().find(|p| p.id == first).unwrap();
        assert_eq!((first.given_name.to_lowercase(), first.family_name.as_str()), ("anna".into(), "Aho"));
    }
}
