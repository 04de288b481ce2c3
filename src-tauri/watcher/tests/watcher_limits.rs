//! The watcher's socket under pressure (issue 14, finding 3): a connection limit, and an accept
//! loop that backs off instead of spinning when file descriptors run out. The real binary, its
//! real socket, idle clients that connect and say nothing.
#![cfg(target_os = "linux")]

use std::time::{Duration, Instant};

use doppelwatch_watcher::link::WatcherLink;
use doppelwatch_watcher::protocol::{Reply, Request};
use doppelwatch_watcher::socket::MAX_CLIENTS;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::net::UnixStream;

mod common;

use common::{hello, start_watcher_logging, tail, wait_exit, wait_for_log, Running};

/// Connects `n` clients that say nothing.
async fn idle_clients(socket: &std::path::Path, n: usize) -> Vec<UnixStream> {
    let mut clients = Vec::with_capacity(n);
    for _ in 0..n {
        clients.push(UnixStream::connect(socket).await.expect("connect"));
    }
    clients
}

/// Stops the watcher and returns its whole log.
async fn quit_and_read_log(
    link: &WatcherLink,
    watcher: &mut Running,
    log: &std::path::Path,
) -> String {
    let _ = link.request(&Request::Quit).await;
    assert!(wait_exit(watcher, "the watcher after quit").success());
    std::fs::read_to_string(log).unwrap()
}

#[tokio::test(flavor = "multi_thread")]
async fn connections_past_the_limit_are_told_so_and_closed() {
    let base = tempfile::tempdir().unwrap();
    let log = base.path().join("test-watcher.log");
    let mut watcher = start_watcher_logging(base.path(), &[], std::fs::File::create(&log).unwrap());
    let link = WatcherLink::new(base.path().to_path_buf(), false);
    assert!(matches!(hello(&link).await, Reply::Hello { .. }));

    // The limit's worth of idle clients, then 8 more; every one reads its first line.
    let extra = 8;
    let clients = idle_clients(&base.path().join("watcher.sock"), MAX_CLIENTS + extra).await;
    let (lines_tx, mut lines) = tokio::sync::mpsc::unbounded_channel();
    let mut readers = Vec::new();
    for client in clients {
        let lines_tx = lines_tx.clone();
        readers.push(tokio::spawn(async move {
            let mut line = String::new();
            let _ = BufReader::new(client).read_line(&mut line).await;
            let _ = lines_tx.send(line);
        }));
    }
    let busy = tokio::time::timeout(Duration::from_secs(30), async {
        let mut busy = 0;
        while busy < extra {
            let line = lines.recv().await.expect("a reader");
            assert!(line.contains("\"reply\":\"error\""), "{line}");
            if line.contains("is busy") {
                busy += 1;
            }
        }
        busy
    })
    .await
    .expect("the connections past the limit are refused within 30 s");
    assert_eq!(busy, extra);

    // The clients go away; a new one is served again, and the log tells the refusals once.
    for reader in &readers {
        reader.abort();
    }
    for reader in readers {
        let _ = reader.await;
    }
    // The watcher sees the closed connections when it next reads them: until then a new client
    // may still be told it is busy. Served again within a deadline.
    let deadline = std::time::Instant::now() + Duration::from_secs(30);
    loop {
        match hello(&link).await {
            Reply::Hello { .. } => break,
            other => assert!(
                std::time::Instant::now() < deadline,
                "not served again after the clients left: {other:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let text = wait_for_log(&log, "serving again after refusing").await;
    assert!(
        text.contains(&format!("serving again after refusing {extra} connections")),
        "{}",
        tail(&text)
    );
    let text = quit_and_read_log(&link, &mut watcher, &log).await;
    assert_eq!(
        text.matches("refusing more until one closes").count(),
        1,
        "{}",
        tail(&text)
    );
}

/// The watcher's open file descriptors.
fn open_fds(pid: u32) -> u64 {
    std::fs::read_dir(format!("/proc/{pid}/fd"))
        .unwrap()
        .count() as u64
}

/// Sets the watcher's limit of open files (as `prlimit --nofile` would).
fn limit_open_files(pid: u32, soft: u64) {
    let mut old = libc::rlimit {
        rlim_cur: 0,
        rlim_max: 0,
    };
    // SAFETY: prlimit reads `new` and writes `old`, both valid rlimit structs on this stack.
    let got = unsafe {
        libc::prlimit(
            pid as libc::pid_t,
            libc::RLIMIT_NOFILE,
            std::ptr::null(),
            &mut old,
        )
    };
    assert_eq!(got, 0, "prlimit: {}", std::io::Error::last_os_error());
    let new = libc::rlimit {
        rlim_cur: soft,
        rlim_max: old.rlim_max,
    };
    // SAFETY: as above.
    let set = unsafe {
        libc::prlimit(
            pid as libc::pid_t,
            libc::RLIMIT_NOFILE,
            &new,
            std::ptr::null_mut(),
        )
    };
    assert_eq!(set, 0, "prlimit: {}", std::io::Error::last_os_error());
}

#[tokio::test(flavor = "multi_thread")]
async fn out_of_file_descriptors_the_watcher_backs_off_and_recovers() {
    let base = tempfile::tempdir().unwrap();
    let log = base.path().join("test-watcher.log");
    let mut watcher = start_watcher_logging(base.path(), &[], std::fs::File::create(&log).unwrap());
    let link = WatcherLink::new(base.path().to_path_buf(), false);
    assert!(matches!(hello(&link).await, Reply::Hello { .. }));

    // Room for a handful of connections only, far below the connection limit, then 100 idle
    // clients: accepting fails with EMFILE while the pending connections stay queued.
    let pid = watcher.id();
    limit_open_files(pid, open_fds(pid) + 4);
    let clients = idle_clients(&base.path().join("watcher.sock"), 100).await;
    let text = wait_for_log(&log, "cannot accept a connection").await;
    assert!(
        text.contains("Too many open files"),
        "not EMFILE: {}",
        tail(&text)
    );

    // The clients go away: the watcher accepts again and answers a new one.
    drop(clients);
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        match link.request(&Request::Hello).await {
            Ok(Reply::Hello { pid: answered, .. }) => {
                assert_eq!(answered, pid);
                break;
            }
            other => assert!(
                Instant::now() < deadline,
                "no answer after the clients left: {other:?}"
            ),
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    wait_for_log(&log, "accepting connections again").await;

    // The log stays small: a burst of failures is told once, not once per failed accept
    // (before, 9.1 million lines in 19 s).
    let text = quit_and_read_log(&link, &mut watcher, &log).await;
    let lines = text.lines().count();
    assert!(lines < 40, "{lines} log lines; the end:\n{}", tail(&text));
    // A log file is plain text: no terminal colour codes.
    assert!(!text.contains('\u{1b}'), "colour codes in the log file");
}
