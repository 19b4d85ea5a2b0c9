//! What an import does to each entity it touches, kept in the order the
//! merge meets them.

use std::collections::HashMap;

use super::Counts;

/// One entity an import touches: how it is here, how it will be.
pub(super) struct Touched<T> {
    /// Boxed: most of an import is new here, and a whole register's
    /// import moves a quarter of a million of these (a person is 400
    /// bytes).
    pub(super) before: Option<Box<T>>,
    pub(super) after: Option<T>,
    /// Whether the bundle holds it (only those count as unchanged/skipped).
    pub(super) in_bundle: bool,
    /// Fields set by the user's picks (audited as a local edit).
    pub(super) picked: Vec<String>,
    /// Whether `after` is the bundle's entity exactly as read.
    pub(super) as_read: bool,
}

impl<T: PartialEq> Touched<T> {
    pub(super) fn changed(&self) -> bool {
        self.before.as_deref() != self.after.as_ref()
    }

    pub(super) fn count(&self, counts: &mut Counts) {
        match (self.before.as_deref(), &self.after) {
            (None, Some(_)) => counts.added += 1,
            (Some(_), None) => counts.erased += 1,
            (Some(b), Some(a)) if b != a => counts.updated += 1,
            (Some(_), Some(_)) if self.in_bundle => counts.unchanged += 1,
            (None, None) if self.in_bundle => counts.skipped += 1,
            _ => {}
        }
    }
}

/// The entities of one kind an import touches, in the order it meets
/// them: the bundle's first (its ids are unique: its reader refuses
/// duplicates), then those here that its tombstones settle. A list, not a
/// map: a whole register's import is a quarter of a million of them, and
/// only the tombstones look one up by id.
pub(super) struct Touches<K, T> {
    list: Vec<(K, Touched<T>)>,
    /// Where each id is in the list, made when first asked for.
    at: Option<HashMap<K, usize>>,
}

impl<K: Copy + Eq + std::hash::Hash, T> Touches<K, T> {
    pub(super) fn with_capacity(n: usize) -> Self {
        Touches { list: Vec::with_capacity(n), at: None }
    }

    pub(super) fn push(&mut self, id: K, touched: Touched<T>) {
        if let Some(at) = self.at.as_mut() {
            at.insert(id, self.list.len());
        }
        self.list.push((id, touched));
    }

    /// The entry of `id`, made by `make` if there is none.
    pub(super) fn entry_or_insert_with(&mut self, id: K, make: impl FnOnce() -> Touched<T>) -> &mut Touched<T> {
        let list = &mut self.list;
        let at = self.at.get_or_insert_with(|| list.iter().enumerate().map(|(i, (k, _))| (*k, i)).collect());
        let i = *at.entry(id).or_insert_with(|| {
            list.push((id, make()));
            list.len() - 1
        });
        &mut list[i].1
    }

    pub(super) fn len(&self) -> usize {
        self.list.len()
    }

    pub(super) fn values(&self) -> impl Iterator<Item = &Touched<T>> {
        self.list.iter().map(|(_, t)| t)
    }

    pub(super) fn iter_mut(&mut self) -> impl Iterator<Item = (K, &mut Touched<T>)> {
        self.list.iter_mut().map(|(k, t)| (*k, t))
    }
}

impl<K, T> Default for Touches<K, T> {
    fn default() -> Self {
        Touches { list: Vec::new(), at: None }
    }
}

impl<K, T> IntoIterator for Touches<K, T> {
    type Item = (K, Touched<T>);
    type IntoIter = std::vec::IntoIter<(K, Touched<T>)>;

    fn into_iter(self) -> Self::IntoIter {
        self.list.into_iter()
    }
}
