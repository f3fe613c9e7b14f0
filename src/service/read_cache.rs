//! The read cache (查询缓存): answers of the hottest reads (the county asset list, a distribution
//! page) kept by user and URI for one ledger version (账簿版本号). Every committed write raises the
//! version (see `store::Write::commit`), in this process or any other on the same database; a
//! reader that sees a version other than the one the cache holds empties it. So a cached answer
//! is never older than the ledger the request saw when it began. Readers that ask for the same
//! answer at once wait for the first one's, so a burst after a write computes it once.

use axum::body::Bytes;
use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use tokio::sync::OnceCell;

/// The most answers kept; past it the cache starts again empty. With answers of at most
/// [`KEEP_BYTES`] the cache holds at most 128 MiB (a county's asset page of 100 rows is ~45 KiB).
const CAPACITY: usize = 256;

/// The largest answer kept; a larger one is computed for each reader.
pub const KEEP_BYTES: usize = 512 * 1024;

/// Whose answer and to what: the user (what they may see and what is masked for them) and the
/// request's path and query.
pub type Key = (i32, String);

/// Where one answer is kept: filled once, by the first reader that computes it.
pub type Slot = Arc<OnceCell<Bytes>>;

#[derive(Default)]
pub struct ReadCache {
    inner: Mutex<Generation>,
}

#[derive(Default)]
struct Generation {
    version: i64,
    slots: HashMap<Key, Slot>,
}

impl ReadCache {
    /// The slot of `key` at `version`; a different version empties the cache first.
    pub fn slot(&self, version: i64, key: Key) -> Slot {
        let Ok(mut g) = self.inner.lock() else {
            // A poisoned lock: compute the answer, keep nothing.
            return Slot::default();
        };
        if g.version != version {
            g.version = version;
            g.slots.clear();
        }
        if g.slots.len() >= CAPACITY && !g.slots.contains_key(&key) {
            g.slots.clear();
        }
        g.slots.entry(key).or_default().clone()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(uri: &str) -> Key {
        (1, uri.to_string())
    }

    fn fill(slot: &Slot, answer: &'static [u8]) {
        slot.set(Bytes::from_static(answer)).unwrap();
    }

    #[test]
    fn an_answer_is_kept_only_for_the_version_and_user_it_was_computed_at() {
        let c = ReadCache::default();
        fill(&c.slot(7, key("/a")), b"seven");
        assert_eq!(c.slot(7, key("/a")).get().map(|b| &b[..]), Some(&b"seven"[..]));
        assert!(
            c.slot(7, (2, "/a".to_string())).get().is_none(),
            "another user's answer"
        );
        assert!(c.slot(8, key("/a")).get().is_none(), "a newer ledger");
        assert!(c.slot(7, key("/a")).get().is_none(), "the old generation is gone");
    }

    #[test]
    fn a_slot_of_a_version_the_cache_has_left_fills_nothing_new() {
        let c = ReadCache::default();
        let late = c.slot(7, key("/a"));
        assert!(c.slot(8, key("/b")).get().is_none());
        fill(&late, b"late");
        assert!(c.slot(8, key("/a")).get().is_none());
    }

    #[test]
    fn a_full_cache_starts_again() {
        let c = ReadCache::default();
        for i in 0..=CAPACITY {
            fill(&c.slot(1, key(&format!("/{i}"))), b"x");
        }
        assert!(c.slot(1, key("/0")).get().is_none());
        assert!(c.slot(1, key(&format!("/{CAPACITY}"))).get().is_some());
    }

    #[tokio::test]
    async fn readers_that_ask_at_once_compute_the_answer_once() {
        let c = Arc::new(ReadCache::default());
        let computed = Arc::new(std::sync::atomic::AtomicU32::new(0));
        let mut readers = tokio::task::JoinSet::new();
        for _ in 0..8 {
            let (c, computed) = (c.clone(), computed.clone());
            readers.spawn(async move {
                let slot = c.slot(3, key("/a"));
                slot.get_or_init(|| async {
                    computed.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                    Bytes::from_static(b"once")
                })
                .await
                .clone()
            });
        }
        while let Some(answer) = readers.join_next().await {
            assert_eq!(&answer.unwrap()[..], b"once");
        }
        assert_eq!(computed.load(std::sync::atomic::Ordering::SeqCst), 1);
    }
}
