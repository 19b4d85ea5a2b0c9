//! Likely duplicates, and merging two people into one with a per-field
//! choice. Merging keeps every relationship record (see
//! [`super::commands::Command::MergePeople`]).

use std::collections::{BTreeMap, BTreeSet, HashMap};

use super::ids::{OrgId, PersonId};
use super::person::{Person, PersonField};
use super::register::Register;
use super::text::fold;

/// Which side a merged field takes its value from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum MergeSide {
    /// The person who stays.
    Keep,
    /// The person merged away.
    Other,
    /// Both values (lists are joined, notes put one after the other).
    Both,
}

impl PersonField {
    /// Whether both sides' values can be kept together.
    pub fn can_join(&self) -> bool {
        !matches!(self, PersonField::Name | PersonField::Provenance | PersonField::Restriction | PersonField::Custom(_))
    }
}

/// The side a field takes when the user has not chosen: the one that has a
/// value; both when both have different values that can be joined.
pub fn default_side(field: &PersonField, keep: &Person, other: &Person) -> MergeSide {
    let empty = |p: &Person| p.same_field(&blank(p), field);
    match (empty(keep), empty(other)) {
        (true, false) => MergeSide::Other,
        (false, false) if field.can_join() && !keep.same_field(other, field) => MergeSide::Both,
        _ => MergeSide::Keep,
    }
}

/// `keep` with each field taken from the chosen side (or the default side).
/// Ids, creation time and stamps stay `keep`'s.
pub fn merge_person_fields(keep: &Person, other: &Person, choices: &BTreeMap<PersonField, MergeSide>) -> Person {
    let mut out = keep.clone();
    for field in keep.fields_of_both(other) {
        let side = choices.get(&field).copied().unwrap_or_else(|| default_side(&field, keep, other));
        let side = if side == MergeSide::Both && !field.can_join() { MergeSide::Keep } else { side };
        match side {
            MergeSide::Keep => {}
            MergeSide::Other => out.take_field(other, &field),
            MergeSide::Both => join_field(&mut out, other, &field),
        }
    }
    out.created = keep.created.min(other.created);
    out
}

fn join<T: Clone + PartialEq>(into: &mut Vec<T>, from: &[T]) {
    for item in from {
        if !into.contains(item) {
            into.push(item.clone());
        }
    }
}

fn join_field(out: &mut Person, from: &Person, field: &PersonField) {
    match field {
        PersonField::Emails => join(&mut out.emails, &from.emails),
        PersonField::Phones => join(&mut out.phones, &from.phones),
        PersonField::Addresses => join(&mut out.addresses, &from.addresses),
        PersonField::Websites => join(&mut out.websites, &from.websites),
        PersonField::Socials => join(&mut out.socials, &from.socials),
        PersonField::Affiliations => {
            for a in &from.affiliations {
                if !out.affiliations.iter().any(|b| b.org == a.org) {
                    out.affiliations.push(a.clone());
                }
            }
        }
        PersonField::Categories => out.categories.extend(from.categories.iter().cloned()),
        PersonField::Tags => out.tags.extend(from.tags.iter().cloned()),
        PersonField::Notes => {
            if out.notes.is_empty() {
                out.notes = from.notes.clone();
            } else if !from.notes.is_empty() && from.notes != out.notes {
                out.notes = format!("{}\n\n{}", out.notes, from.notes);
            }
        }
        PersonField::Name | PersonField::Provenance | PersonField::Restriction | PersonField::Custom(_) => {}
    }
}

/// A person with every field empty (same id and provenance).
fn blank(p: &Person) -> Person {
    Person {
        given_name: String::new(),
        family_name: String::new(),
        emails: vec![],
        phones: vec![],
        addresses: vec![],
        websites: vec![],
        socials: vec![],
        affiliations: vec![],
        categories: BTreeSet::new(),
        tags: BTreeSet::new(),
        custom: BTreeMap::new(),
        notes: String::new(),
        ..p.clone()
    }
}

/// Why two people look like the same person.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum DuplicateReason {
    SameEmail(String),
    SamePhone(String),
    /// Names that differ by at most a typo, at the same organisation.
    SimilarNameSameOrg(OrgId),
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct DuplicatePair {
    /// The person added first (the one a merge keeps by default).
    pub a: PersonId,
    pub b: PersonId,
    pub reasons: Vec<DuplicateReason>,
}

impl Register {
    /// Pairs of people who are likely the same person: the same e-mail or
    /// phone number, or a similar name at the same organisation.
    pub fn find_duplicates(&self) -> Vec<DuplicatePair> {
        let mut pairs: BTreeMap<(PersonId, PersonId), BTreeSet<DuplicateReason>> = BTreeMap::new();
        let mut add = |x: PersonId, y: PersonId, reason: DuplicateReason| {
            let key = if x < y { (x, y) } else { (y, x) };
            pairs.entry(key).or_default().insert(reason);
        };
        let mut by_email: HashMap<String, Vec<PersonId>> = HashMap::new();
        let mut by_phone: HashMap<&str, Vec<PersonId>> = HashMap::new();
        let mut by_org: HashMap<OrgId, Vec<(PersonId, String)>> = HashMap::new();
        for p in self.people.values() {
            for e in &p.emails {
                by_email.entry(e.value.to_lowercase()).or_default().push(p.id);
            }
            for ph in &p.phones {
                by_phone.entry(ph.value.as_str()).or_default().push(p.id);
            }
            let name = fold(&format!("{} {}", p.given_name, p.family_name));
            for a in &p.affiliations {
                by_org.entry(a.org).or_default().push((p.id, name.clone()));
            }
        }
        for (email, ids) in by_email {
            for_each_pair(&ids, |x, y| add(x, y, DuplicateReason::SameEmail(email.clone())));
        }
        for (phone, ids) in by_phone {
            for_each_pair(&ids, |x, y| add(x, y, DuplicateReason::SamePhone(phone.to_owned())));
        }
        for (org, members) in by_org {
            for (i, (x, xn)) in members.iter().enumerate() {
                for (y, yn) in &members[i + 1..] {
                    if similar_names(xn, yn) {
                        add(*x, *y, DuplicateReason::SimilarNameSameOrg(org));
                    }
                }
            }
        }
        let mut out: Vec<DuplicatePair> = pairs
            .into_iter()
            .map(|((x, y), reasons)| {
                let (a, b) = match (self.people.get(&x), self.people.get(&y)) {
                    (Some(px), Some(py)) if py.created < px.created => (y, x),
                    _ => (x, y),
                };
                DuplicatePair { a, b, reasons: reasons.into_iter().collect() }
            })
            .collect();
        out.sort_by(|p, q| self.compare_people(p.a, q.a).then(self.compare_people(p.b, q.b)));
        out
    }
}

fn for_each_pair(ids: &[PersonId], mut f: impl FnMut(PersonId, PersonId)) {
    let unique: BTreeSet<PersonId> = ids.iter().copied().collect();
    let unique: Vec<PersonId> = unique.into_iter().collect();
    for (i, x) in unique.iter().enumerate() {
        for y in &unique[i + 1..] {
            f(*x, *y);
        }
    }
}

/// Folded full names that are equal, or differ by one typo (two for names
/// of ten letters or more).
pub fn similar_names(a: &str, b: &str) -> bool {
    if a == b {
        return !a.is_empty();
    }
    let limit = if a.chars().count().min(b.chars().count()) >= 10 { 2 } else { 1 };
    a.chars().count().abs_diff(b.chars().count()) <= limit && edit_distance(a, b) <= limit
}

/// Levenshtein distance between two strings, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut diagonal = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let above = row[j + 1];
            row[j + 1] = (above + 1).min(row[j] + 1).min(diagonal + usize::from(ca != *cb));
            diagonal = above;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edit_distances() {
        for (a, b, d) in [
            ("", "", 0),
            ("kati", "kati", 0),
            ("kati", "katti", 1),
            ("virtanen", "virtasen", 1),
            ("abc", "", 3),
            ("kitten", "sitting", 3),
        ] {
            assert_eq!(edit_distance(a, b), d, "{a} ~ {b}");
        }
    }

    #[test]
    fn similar_name_rules() {
        assert!(similar_names("kati hakkinen", "kati hakinen"));
        assert!(similar_names("matti virtanen", "mati virtasen"));
        assert!(!similar_names("anna aho", "anne ahola"));
        assert!(!similar_names("", ""));
    }
}
