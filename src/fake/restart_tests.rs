//! A fake started again (the desktop demo's, after its watcher died): the same loopback port,
//! the same accounts placed quietly, and the reports it had received given back; reports
//! kept in a [`ReportBook`] before they are answered.

use std::sync::{Arc, Mutex};
use std::time::Duration;

use serde_json::{json, Value};

use super::bluesky::{stable_did, FakeBluesky};
use super::mastodon::FakeMastodon;
use super::{lock, FakeAccount, ReceivedReport, ReportAnswer, ReportBook};
use crate::identity::Platform;

/// A book in memory that answers as told.
#[derive(Debug, Default)]
struct Book {
    kept: Mutex<Vec<(Platform, ReceivedReport)>>,
    /// Refuse to keep anything (a full disk).
    refuse: bool,
    /// Hold the answer to the report of this number.
    hold: Option<usize>,
}

impl ReportBook for Book {
    fn keep(&self, platform: &Platform, report: &ReceivedReport) -> std::io::Result<ReportAnswer> {
        if self.refuse {
            return Err(std::io::Error::other("no space left on device"));
        }
        let mut kept = lock(&self.kept);
        kept.push((platform.clone(), report.clone()));
        Ok(if self.hold == Some(kept.len()) {
            ReportAnswer::Hold
        } else {
            ReportAnswer::Answer
        })
    }
}

const PASSWORD: &str = "restart-test-password";
const PERSON: &str = "palmerreport.bsky.social";

fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .unwrap()
}

/// Signs in as the person and reports `subject`; the answer's status and body.
async fn report(fake: &FakeBluesky, subject: &str) -> reqwest::Result<(u16, Value)> {
    let http = client();
    let session: Value = http
        .post(format!(
            "{}/xrpc/com.atproto.server.createSession",
            fake.base_url()
        ))
        .json(&json!({"identifier": PERSON, "password": PASSWORD}))
        .send()
        .await?
        .json()
        .await?;
    let token = session["accessJwt"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    let answer = http
        .post(format!(
            "{}/xrpc/com.atproto.moderation.createReport",
            fake.base_url()
        ))
        .bearer_auth(token)
        .json(&json!({
            "reasonType": "com.atproto.moderation.defs#reasonMisleading",
            "reason": "impersonation",
            "subject": {"$type": "com.atproto.admin.defs#repoRef", "did": subject},
        }))
        .send()
        .await?;
    let status = answer.status().as_u16();
    Ok((status, answer.json().await.unwrap_or(Value::Null)))
}

fn person() -> FakeAccount {
    FakeAccount::new(PERSON).name("Palmer Report")
}

fn impostor() -> FakeAccount {
    FakeAccount::new("paimerreport.bsky.social")
        .name("PaImer Report")
        .avatar(super::sample_avatar_png(11))
}

/// Starts `start` on `port`, tried again until the fake stopped before lets go of it.
async fn again_on<T, F, Fut>(port: u16, start: F) -> T
where
    F: Fn(u16) -> Fut,
    Fut: std::future::Future<Output = std::io::Result<T>>,
{
    let deadline = std::time::Instant::now() + Duration::from_secs(10);
    loop {
        match start(port).await {
            Ok(fake) => return fake,
            Err(e) if std::time::Instant::now() > deadline => panic!("port {port}: {e}"),
            Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
        }
    }
}

async fn bluesky_on(port: u16, book: &Arc<Book>) -> FakeBluesky {
    let fake = again_on(port, FakeBluesky::start_on).await;
    fake.add_account_as(&stable_did(PERSON), person());
    fake.set_app_password(PERSON, PASSWORD);
    fake.keep_reports_in(book.clone());
    fake
}

#[tokio::test]
async fn a_restarted_fake_bluesky_has_its_port_accounts_and_reports_again() {
    let book = Arc::new(Book::default());
    let first = bluesky_on(0, &book).await;
    let port: u16 = first
        .base_url()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    let did = stable_did(&impostor().handle);
    assert_eq!(
        did,
        stable_did("PaimerReport.bsky.social"),
        "one DID per handle"
    );
    first.add_account_as(&did, impostor());
    let avatar = first.avatar_cid(&did).unwrap();
    let (status, _) = report(&first, &did).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(lock(&book.kept).len(), 1, "kept before it was answered");
    let received = first.received_reports();
    drop(first);

    // Started again on the same port, given back its account (quietly) and its reports.
    let again = bluesky_on(port, &book).await;
    assert_eq!(again.base_url(), format!("http://127.0.0.1:{port}"));
    let events_before = again.latest_time_us();
    again.restore_account_as(&did, impostor());
    assert_eq!(
        again.latest_time_us(),
        events_before,
        "the live stream does not announce a restored account again"
    );
    assert_eq!(again.avatar_cid(&did), Some(avatar), "the same picture URL");
    again.restore_reports(received.clone());
    assert_eq!(again.received_reports(), received);
    let profile: Value = client()
        .get(format!(
            "{}/xrpc/app.bsky.actor.getProfile?actor=paimerreport.bsky.social",
            again.base_url()
        ))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(profile["did"], did.as_str());

    // The next report counts on from what it had received.
    let (status, answer) = report(&again, &did).await.unwrap();
    assert_eq!(status, 200);
    assert_eq!(answer["id"], 2);
    assert_eq!(again.received_reports().len(), 2);
    assert_eq!(lock(&book.kept).len(), 2);
}

#[tokio::test]
async fn a_report_the_book_cannot_keep_is_refused_and_a_held_one_never_answered() {
    let refusing = Arc::new(Book {
        refuse: true,
        ..Book::default()
    });
    let fake = bluesky_on(0, &refusing).await;
    let did = fake.add_account(impostor());
    let (status, _) = report(&fake, &did).await.unwrap();
    assert_eq!(status, 503, "a report not kept is not received");
    assert!(fake.received_reports().is_empty());

    let holding = Arc::new(Book {
        hold: Some(1),
        ..Book::default()
    });
    let fake = bluesky_on(0, &holding).await;
    let err = report(&fake, &did).await.unwrap_err();
    assert!(err.is_timeout(), "{err}");
    assert_eq!(fake.received_reports().len(), 1, "received, never answered");
    assert_eq!(lock(&holding.kept).len(), 1);
}

#[tokio::test]
async fn a_restarted_fake_mastodon_keeps_its_ids_and_reports() {
    let book = Arc::new(Book::default());
    let first = FakeMastodon::start("mastodon.example").await.unwrap();
    first.keep_reports_in(book.clone());
    first.add_user_token("user-token", "palmerreport");
    let id = first.add_account(FakeAccount::new("paImerreport").name("PaImer Report"));
    let answer = client()
        .post(format!("{}/api/v1/reports", first.base_url()))
        .bearer_auth("user-token")
        .json(&json!({"account_id": id, "comment": "impersonation", "category": "other"}))
        .send()
        .await
        .unwrap();
    assert_eq!(answer.status().as_u16(), 200);
    let kept = lock(&book.kept).clone();
    assert_eq!(kept.len(), 1);
    assert_eq!(kept[0].0, Platform::Mastodon);
    assert_eq!(kept[0].1.subject, id);
    let port: u16 = first
        .base_url()
        .rsplit(':')
        .next()
        .unwrap()
        .parse()
        .unwrap();
    drop(first);

    let again = again_on(port, |p| FakeMastodon::start_on("mastodon.example", p)).await;
    assert_eq!(
        again.add_account(FakeAccount::new("paImerreport").name("PaImer Report")),
        id,
        "accounts placed in the same order get the same ids"
    );
    again.restore_reports(kept.into_iter().map(|(_, r)| r).collect());
    assert_eq!(again.received_reports().len(), 1);
    assert_eq!(again.received_reports()[0].subject, id);
}
