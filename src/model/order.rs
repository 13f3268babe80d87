//! Stable sorting through one shared, non-generic routine.
//!
//! The standard library's stable sort is generic over the element type and the comparator, so
//! every call site adds its own copy of the sort (about 4 KB of WebAssembly each; twenty call
//! sites cost the page load tens of kilobytes). These helpers sort a list of positions with a
//! comparator behind `&dyn Fn`, which instantiates the sort once for the whole crate, then move
//! the elements into that order. Use them for the small lists of the calculation core and the
//! shell (countries, materials, findings); hot loops over millions of numbers keep the standard
//! sort.

use std::cmp::Ordering;
use std::collections::{BTreeMap, BTreeSet};

/// Sorts `items` stably by `compare`, like [`slice::sort_by`], through the shared routine.
///
/// Equal elements keep their order. Time is O(n log n) comparisons plus one pass of swaps.
pub fn sort_by<T>(items: &mut [T], compare: impl Fn(&T, &T) -> Ordering) {
    let view: &[T] = items;
    let mut order = sorted_positions(view.len(), &|a, b| compare(&view[a], &view[b]));
    // Position j must receive the element now at order[j]: follow each cycle of the
    // permutation, carrying its first element along; a visited slot is marked usize::MAX.
    for start in 0..order.len() {
        let mut at = start;
        loop {
            let from = std::mem::replace(&mut order[at], usize::MAX);
            if from == usize::MAX || from == start {
                break;
            }
            items.swap(at, from);
            at = from;
        }
    }
}

/// Sorts `items` stably by the key `key` returns, like [`slice::sort_by_key`].
pub fn sort_by_key<T, K: Ord>(items: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(items, |a, b| key(a).cmp(&key(b)));
}

/// Sorts `items` in ascending order, like [`slice::sort`].
pub fn sort<T: Ord>(items: &mut [T]) {
    sort_by(items, T::cmp);
}

/// The set of `items`, like `collect::<BTreeSet<_>>()` without its sort (the standard library
/// sorts what it collects into a B-tree, one more copy of the sort per element type): one
/// insertion after the other, O(n log n) all the same.
pub fn set_of<T: Ord>(items: impl IntoIterator<Item = T>) -> BTreeSet<T> {
    let mut set = BTreeSet::new();
    for item in items {
        set.insert(item);
    }
    set
}

/// The map of `entries`, like `collect::<BTreeMap<_, _>>()` without its sort (see [`set_of`]):
/// of equal keys, the last entry's value is kept, as `collect` keeps it.
pub fn map_of<K: Ord, V>(entries: impl IntoIterator<Item = (K, V)>) -> BTreeMap<K, V> {
    let mut map = BTreeMap::new();
    for (key, value) in entries {
        map.insert(key, value);
    }
    map
}

/// The positions `0..len` in the stable order `compare` defines: the one instantiation of the
/// standard library's sort that the helpers above share.
fn sorted_positions(len: usize, compare: &dyn Fn(usize, usize) -> Ordering) -> Vec<usize> {
    let mut positions: Vec<usize> = (0..len).collect();
    positions.sort_by(|&a, &b| compare(a, b));
    positions
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn matches_the_standard_stable_sort_on_every_small_input() {
        // Every list of length 0..=6 over the keys 0..3, paired with its original position so
        // that stability is visible.
        for len in 0..=6u32 {
            for code in 0..3u32.pow(len) {
                let mut list: Vec<(u32, u32)> =
                    (0..len).map(|i| ((code / 3u32.pow(i)) % 3, i)).collect();
                let mut expected = list.clone();
                expected.sort_by_key(|e| e.0);
                sort_by_key(&mut list, |e| e.0);
                assert_eq!(list, expected, "length {len}, code {code}");
            }
        }
    }

    #[test]
    fn sorts_owned_values_without_losing_any() {
        let mut words: Vec<String> = ["gallium", "cobalt", "antimony", "cobalt", ""]
            .iter()
            .map(|s| s.to_string())
            .collect();
        sort(&mut words);
        assert_eq!(words, ["", "antimony", "cobalt", "cobalt", "gallium"]);
        sort_by(&mut words, |a, b| b.len().cmp(&a.len()));
        assert_eq!(words, ["antimony", "gallium", "cobalt", "cobalt", ""]);
    }

    #[test]
    fn builds_the_sets_and_maps_collect_builds() {
        let entries = [(3, "c"), (1, "a"), (3, "last c"), (2, "b"), (1, "last a")];
        let collected: BTreeMap<i32, &str> = entries.into_iter().collect();
        assert_eq!(map_of(entries), collected);
        assert_eq!(map_of(entries)[&3], "last c");
        let keys = entries.map(|(k, _)| k);
        assert_eq!(set_of(keys), keys.into_iter().collect::<BTreeSet<_>>());
        assert!(set_of(Vec::<u8>::new()).is_empty());
    }
}
