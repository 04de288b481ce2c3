//! `doppelwatch scan` as a person runs it, against the fake servers
//! over loopback (base URLs from the `DOPPELWATCH_*_URL` variables).

use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::mastodon::FakeMastodon;
use doppelwatch::fake::FakeAccount;
use serde_json::Value;
use tokio::process::Command;

const IDENTITY: &str = r#"{
  "name": "Palmer Report",
  "handles": [
    {"platform": "bluesky", "handle": "palmerreport.com"},
    {"platform": "mastodon", "handle": "PalmerReport@social.example"},
    {"platform": "x", "handle": "PalmerReport"}
  ]
}"#;

struct World {
    dir: tempfile::TempDir,
    bluesky: FakeBluesky,
    mastodon: FakeMastodon,
}

async fn world() -> World {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("id.json"), IDENTITY).unwrap();
    std::fs::write(
        dir.path().join("config.json"),
        r#"{"http": {"timeout_secs": 10}}"#,
    )
    .unwrap();
    let bluesky = FakeBluesky::start().await.unwrap();
    bluesky.add_account(
        FakeAccount::new("palmerreport.com")
            .name("Palmer Report")
            .followers(90_000),
    );
    bluesky.add_account(FakeAccount::new("arnoldpalmer.bsky.social").name("Arnold Palmer"));
    let mastodon = FakeMastodon::start("social.example").await.unwrap();
    mastodon.add_account(
        FakeAccount::new("PalmerReport")
            .name("Palmer Report")
            .followers(50_000),
    );
    World {
        dir,
        bluesky,
        mastodon,
    }
}

fn command(world: &World, args: &[&str]) -> Command {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_doppelwatch"));
    cmd.args(args)
        .arg("--identity")
        .arg(world.dir.path().join("id.json"))
        .arg("--no-keychain")
        .env("DOPPELWATCH_CONFIG", world.dir.path().join("config.json"))
        .env("DOPPELWATCH_BLUESKY_URL", world.bluesky.base_url())
        .env("DOPPELWATCH_JETSTREAM_URL", world.bluesky.jetstream_url())
        .env("DOPPELWATCH_MASTODON_URL", world.mastodon.base_url())
        .env("DOPPELWATCH_X_URL", "http://127.0.0.1:9")
        .env("DOPPELWATCH_LOOPBACK_FAKES", "1")
        .env("RUST_LOG", "warn")
        .kill_on_drop(true);
    cmd
}

fn lines(stdout: &[u8]) -> Vec<Value> {
    String::from_utf8_lossy(stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{e}: {l}")))
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_prints_impostors_as_json_lines() {
    let w = world().await;
    w.bluesky
        .add_account(FakeAccount::new("palmer-report.bsky.social").name("Palmer Report"));
    w.mastodon
        .add_account(FakeAccount::new("PaImerReport").name("Palmer Report"));
    let out = command(&w, &["scan", "--source", "bluesky,mastodon"])
        .output()
        .await
        .unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(0), "{stderr}");
    let found = lines(&out.stdout);
    let bsky = found
        .iter()
        .find(|f| f["handle"] == "palmer-report.bsky.social")
        .unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(bsky["platform"], "bluesky");
    assert_eq!(
        bsky["profile_url"],
        "https://bsky.app/profile/palmer-report.bsky.social"
    );
    assert!(bsky["id"].as_str().unwrap().starts_with("bluesky:did:plc:"));
    assert_ne!(bsky["verdict"], "clear");
    assert!(bsky["score"].as_f64().unwrap() > 0.0);
    assert!(!bsky["reasons"].as_array().unwrap().is_empty());
    assert!(bsky["found_by"]["kind"].is_string());
    let masto = found
        .iter()
        .find(|f| f["handle"] == "PaImerReport@social.example")
        .unwrap_or_else(|| panic!("{found:?}"));
    assert_eq!(masto["platform"], "mastodon");
    // Cleared candidates (the namesake, the person's own accounts) are not printed by default...
    assert!(!found.iter().any(|f| f["verdict"] == "clear"), "{found:?}");
    assert!(!found
        .iter()
        .any(|f| f["handle"] == "arnoldpalmer.bsky.social"));
    // ...but are with --all.
    let all = command(&w, &["scan", "--source", "bluesky", "--all"])
        .output()
        .await
        .unwrap();
    let all = lines(&all.stdout);
    assert!(all.iter().any(|f| f["verdict"] == "clear"), "{all:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn scan_says_what_is_wrong() {
    let w = world().await;
    let out = command(&w, &["scan", "--source", "bluesky,myspace"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("\"myspace\" is not a source"));
    // X asked for without credentials: said, and the exit code tells.
    let out = command(&w, &["scan", "--source", "bluesky,x"])
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("x skipped: needs your X API bearer token"),
        "{stderr}"
    );
    // A source that is down: its error on stderr, exit 1.
    let dead = {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        listener.local_addr().unwrap()
    };
    let mut cmd = command(&w, &["scan", "--source", "mastodon"]);
    cmd.env("DOPPELWATCH_MASTODON_URL", format!("http://{dead}"));
    std::fs::write(
        w.dir.path().join("config.json"),
        r#"{"http": {"timeout_secs": 2, "max_retries": 1}}"#,
    )
    .unwrap();
    let out = cmd.output().await.unwrap();
    assert_eq!(out.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&out.stderr).contains("mastodon:"));
    let bad_id = w.dir.path().join("bad.json");
    std::fs::write(&bad_id, "{\"name\": \"\"}").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_doppelwatch"))
        .args(["scan", "--identity"])
        .arg(&bad_id)
        .output()
        .await
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("field name"));
}
