//! A list read from a document, kept in chunks: a whole register's
//! records are 200 000 entities, and one growing vector would copy them
//! all again each time it doubled.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{Deserialize, Deserializer, SeqAccess, Visitor};

/// The largest chunk, in items; chunks grow up to it as the list does.
const MAX_CHUNK: usize = 4096;
const MIN_CHUNK: usize = 16;

/// A list kept in chunks, in order.
pub(super) struct Chunked<T> {
    chunks: Vec<Vec<T>>,
    len: usize,
}

impl<T> Default for Chunked<T> {
    fn default() -> Self {
        Chunked { chunks: Vec::new(), len: 0 }
    }
}

impl<T> Chunked<T> {
    pub(super) fn push(&mut self, item: T) {
        match self.chunks.last_mut() {
            Some(chunk) if chunk.len() < chunk.capacity() => chunk.push(item),
            _ => {
                let mut chunk = Vec::with_capacity(self.len.clamp(MIN_CHUNK, MAX_CHUNK));
                chunk.push(item);
                self.chunks.push(chunk);
            }
        }
        self.len += 1;
    }

    pub(super) fn len(&self) -> usize {
        self.len
    }
}

impl<T> IntoIterator for Chunked<T> {
    type Item = T;
    type IntoIter = std::iter::Flatten<std::vec::IntoIter<Vec<T>>>;

    /// The items in order; each chunk is freed once it is passed.
    fn into_iter(self) -> Self::IntoIter {
        self.chunks.into_iter().flatten()
    }
}

impl<T> FromIterator<T> for Chunked<T> {
    fn from_iter<I: IntoIterator<Item = T>>(items: I) -> Self {
        let mut list = Chunked::default();
        for item in items {
            list.push(item);
        }
        list
    }
}

impl<'de, T: Deserialize<'de>> Deserialize<'de> for Chunked<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct Items<T>(PhantomData<T>);
        impl<'de, T: Deserialize<'de>> Visitor<'de> for Items<T> {
            type Value = Chunked<T>;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a list")
            }
            fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Chunked<T>, A::Error> {
                let mut list = Chunked::default();
                while let Some(item) = seq.next_element()? {
                    list.push(item);
                }
                Ok(list)
            }
        }
        deserializer.deserialize_seq(Items(PhantomData))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_keeps_every_item_in_order_across_chunks() {
        for n in [0, 1, MIN_CHUNK, MIN_CHUNK + 1, 1000, 3 * MAX_CHUNK + 7] {
            let list: Chunked<usize> = (0..n).collect();
            assert_eq!(list.len(), n);
            assert!(list.chunks.iter().all(|c| c.len() <= MAX_CHUNK), "{n}: a chunk over the largest");
            assert_eq!(list.into_iter().collect::<Vec<_>>(), (0..n).collect::<Vec<_>>(), "{n}");
        }
    }

    #[test]
    fn a_list_reads_from_json_and_refuses_what_is_not_a_list() {
        let list: Chunked<u32> = serde_json::from_str("[3, 1, 2]").unwrap();
        assert_eq!(list.into_iter().collect::<Vec<_>>(), [3, 1, 2]);
        let empty: Chunked<u32> = serde_json::from_str("[]").unwrap();
        assert_eq!(empty.len(), 0);
        assert!(serde_json::from_str::<Chunked<u32>>("{}").is_err());
        assert!(serde_json::from_str::<Chunked<u32>>("[1, \"two\"]").is_err());
    }
}
