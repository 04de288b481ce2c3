//! Parallel writers wait for each other instead of failing with "locked": every write
//! transaction begins IMMEDIATE and waits for the busy timeout (30 `dismiss` processes at once).

mod support_watch;

use std::process::{Command, Stdio};

use doppelwatch::store::{AlertState, Store};

#[test]
fn thirty_parallel_dismisses_all_succeed() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let ids = support_watch::data_dir_with_alerts(&data, 30);
    let children: Vec<_> = ids
        .iter()
        .map(|id| {
            Command::new(support_watch::doppelwatch_bin())
                .args(["dismiss", &id.to_string(), "--data-dir"])
                .arg(&data)
                .stdout(Stdio::null())
                .stderr(Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let mut failures = Vec::new();
    for (id, child) in ids.iter().zip(children) {
        let out = child.wait_with_output().unwrap();
        if !out.status.success() {
            failures.push((*id, String::from_utf8_lossy(&out.stderr).into_owned()));
        }
    }
    assert!(failures.is_empty(), "failed dismisses: {failures:#?}");
    let store = Store::open_in(&data).unwrap();
    for id in ids {
        assert_eq!(store.alert(id).unwrap().state, AlertState::Dismissed);
    }
}
