//! Regression: two processes opening a new data directory at once (the watcher starting while
//! `doppelwatch alerts` or the app opens the store) raced through the migrations and one died
//! with "table identities already exists". Many openers at once must all succeed.
//!
//! Run: `cargo test --test crash_store_concurrent_open`.

use std::sync::{Arc, Barrier};

use doppelwatch::store::Store;

#[test]
fn many_openers_of_a_fresh_store_all_succeed() {
    for round in 0..20 {
        let dir = tempfile::tempdir().unwrap();
        let openers = 6;
        let barrier = Arc::new(Barrier::new(openers));
        let handles: Vec<_> = (0..openers)
            .map(|_| {
                let barrier = barrier.clone();
                let path = dir.path().to_path_buf();
                std::thread::spawn(move || {
                    barrier.wait();
                    Store::open_in(&path).map(|s| s.schema_version().unwrap())
                })
            })
            .collect();
        let versions: Vec<i64> = handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap()
                    .unwrap_or_else(|e| panic!("round {round}: an opener failed: {e}"))
            })
            .collect();
        assert!(
            versions.iter().all(|v| *v == versions[0] && *v > 0),
            "{versions:?}"
        );
        let store = Store::open_in(dir.path()).unwrap();
        assert_eq!(store.integrity_check().unwrap(), "ok");
    }
}
