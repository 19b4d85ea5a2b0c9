//! Finding people: the list in alphabetical order, search as you type, and
//! filters.
//!
//! The index keeps one entry per person in name order, with the person's
//! searchable text folded once ([`fold`]), so a keystroke is one pass over
//! plain strings.

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
    /// Folded searchable text; the folded name comes first.
    hay: String,
    /// Where the name ends in `hay`.
    name_len: usize,
}

/// People in name order, with their folded searchable text.
#[derive(Default)]
pub struct SearchIndex {
    entries: Vec<Entry>,
    /// Each person's sort name, to find their entry again.
    names: HashMap<PersonId, (String, String)>,
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
    /// Builds the index of many people at once. Sorting first by the
    /// built-in Finnish order and then by `collator` costs the collator only
    /// about one comparison per person when the two mostly agree.
    pub fn build<'a>(people: impl Iterator<Item = Searchable<'a>>, collator: &dyn Collator) -> Self {
        let mut entries: Vec<Entry> = people.map(entry).collect();
        entries.sort_by_cached_key(|e| (finnish_key(&e.family), finnish_key(&e.given), e.id));
        entries.sort_by(|a, b| compare(collator, a, b));
        let names = entries.iter().map(|e| (e.id, (e.family.clone(), e.given.clone()))).collect();
        SearchIndex { entries, names }
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
        let new = entry(item);
        let at = self
            .entries
            .binary_search_by(|probe| compare(collator, probe, &new))
            .unwrap_or_else(|at| at);
        self.names.insert(new.id, (new.family.clone(), new.given.clone()));
        self.entries.insert(at, new);
    }

    pub fn remove(&mut self, id: PersonId, collator: &dyn Collator) {
        let Some((family, given)) = self.names.remove(&id) else { return };
        let probe_key = Entry { id, family, given, hay: String::new(), name_len: 0 };
        let found = self
            .entries
            .binary_search_by(|probe| compare(collator, probe, &probe_key))
            .ok()
            .filter(|&i| self.entries[i].id == id)
            .or_else(|| self.entries.iter().position(|e| e.id == id));
        if let Some(i) = found {
            self.entries.remove(i);
        }
    }

    /// The people whose text matches every word of `text`, best first:
    /// a name that starts with the word, then a name that contains it, then
    /// any other field; name order within each rank. `keep` filters further.
    pub fn search(&self, text: &str, mut keep: impl FnMut(PersonId) -> bool) -> Vec<PersonId> {
        let terms = query_terms(text);
        if terms.is_empty() {
            return self.entries.iter().map(|e| e.id).filter(|id| keep(*id)).collect();
        }
        let mut hits: Vec<(u32, PersonId)> = Vec::new();
        'people: for e in &self.entries {
            let mut score = 0;
            for term in &terms {
                match rank(e, term) {
                    Some(r) => score += r,
                    None => continue 'people,
                }
            }
            if keep(e.id) {
                hits.push((score, e.id));
            }
        }
        hits.sort_by_key(|(score, _)| *score); // stable: name order within a rank
        hits.into_iter().map(|(_, id)| id).collect()
    }
}

/// Splits a query into folded words; a word of digits also matches phone
/// numbers written with spaces.
fn query_terms(text: &str) -> Vec<String> {
    fold(text).split(' ').filter(|t| !t.is_empty()).map(str::to_owned).collect()
}

/// 0: a name word starts with the term; 1: the name contains it;
/// 2: another field contains it; `None`: no match.
fn rank(e: &Entry, term: &str) -> Option<u32> {
    let mut best: Option<u32> = None;
    for (pos, _) in e.hay.match_indices(term) {
        let r = if pos < e.name_len {
            let word_start = pos == 0 || matches!(e.hay.as_bytes()[pos - 1], b' ' | b'-');
            if word_start { 0 } else { 1 }
        } else {
            2
        };
        best = Some(best.map_or(r, |b| b.min(r)));
        if r == 0 {
            break;
        }
    }
    best
}

fn entry(item: Searchable<'_>) -> Entry {
    let p = item.person;
    let name = fold(&format!("{} {}", p.given_name, p.family_name));
    let mut hay = name.clone();
    let name_len = hay.len();
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
    Entry { id: p.id, family: p.family_name.clone(), given: p.given_name.clone(), hay, name_len }
}

fn compare(collator: &dyn Collator, a: &Entry, b: &Entry) -> Ordering {
    let family = |e: &Entry| if e.family.is_empty() { e.given.clone() } else { e.family.clone() };
    collator
        .compare(&family(a), &family(b))
        .then_with(|| collator.compare(&a.given, &b.given))
        .then_with(|| a.id.cmp(&b.id))
}


#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::testing::person_named;
    use crate::domain::text::FinnishOrder;

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
        ids.iter()
            .map(|id| people.iter().find(|p| p.id == *id).unwrap().family_name.clone())
            .collect()
    }

    #[test]
    fn list_is_in_finnish_order() {
        let (idx, people) =
            index(&[("Ö", "Öhman"), ("A", "Ahonen"), ("Ä", "Äijälä"), ("Z", "Zetor"), ("Å", "Åberg")]);
        let all = idx.all().collect();
        assert_eq!(names(&idx, &people, all), ["Ahonen", "Zetor", "Åberg", "Äijälä", "Öhman"]);
    }

    #[test]
    fn search_is_case_and_accent_insensitive_and_ranked() {
        let (idx, people) = index(&[
            ("Kati", "Häkkinen"),
            ("Mika", "Hakala"),
            ("Sakke", "Virtanen"),   // "akk" inside the given name
            ("Anna", "Lindholm"),
        ]);
        let check = |q: &str, want: &[&str]| {
            assert_eq!(names(&idx, &people, idx.search(q, |_| true)), want, "query {q:?}");
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
        assert!(idx.search("berg", |_| true).is_empty());
    }
}
