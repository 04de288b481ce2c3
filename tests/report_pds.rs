//! Bluesky filing on the person's own PDS, found from their DID document (issue 13, item 3),
//! and the older reason type for a labeler that refuses the impersonation one.
//!
//! Over real HTTP on loopback: a fake Bluesky playing the entryway (resolveHandle only: it
//! never gets the app password), another playing the person's PDS, and a fake DID host that is
//! both a PLC directory (`GET /<did>`) and a did:web host (`GET /.well-known/did.json`).

mod support_watch;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::routing::get;
use axum::{Json, Router};
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::FakeAccount;
use doppelwatch::report::bluesky::{
    BlueskyReporter, DEFAULT_PDS, REASON_IMPERSONATION, REASON_MISLEADING,
};
use doppelwatch::report::bluesky_pds::PdsResolver;
use doppelwatch::report::{self, ReportError};
use doppelwatch::secrets::Secret;
use doppelwatch::store::{AlertState, Store};
use serde_json::{json, Value};
use support_watch::*;

const PASSWORD: &str = "abcd-efgh-ijkl-mnop";
const SESSION: &str = "/xrpc/com.atproto.server.createSession";
const REPORT: &str = "/xrpc/com.atproto.moderation.createReport";
const RESOLVE: &str = "/xrpc/com.atproto.identity.resolveHandle";

#[derive(Default)]
struct Docs {
    plc: HashMap<String, Value>,
    web: Option<Value>,
    /// Every path asked, in order.
    asked: Vec<String>,
}

type SharedDocs = Arc<Mutex<Docs>>;

/// A fake PLC directory and did:web host on one loopback port.
struct DidHost {
    docs: SharedDocs,
    port: u16,
}

impl DidHost {
    async fn start() -> DidHost {
        async fn plc(
            State(docs): State<SharedDocs>,
            Path(did): Path<String>,
        ) -> (StatusCode, Json<Value>) {
            let mut docs = docs.lock().unwrap();
            docs.asked.push(format!("/{did}"));
            match docs.plc.get(&did) {
                Some(doc) => (StatusCode::OK, Json(doc.clone())),
                None => (
                    StatusCode::NOT_FOUND,
                    Json(json!({"message": "DID not registered"})),
                ),
            }
        }
        async fn web(State(docs): State<SharedDocs>) -> (StatusCode, Json<Value>) {
            let mut docs = docs.lock().unwrap();
            docs.asked.push("/.well-known/did.json".into());
            match &docs.web {
                Some(doc) => (StatusCode::OK, Json(doc.clone())),
                None => (StatusCode::NOT_FOUND, Json(json!({}))),
            }
        }
        let docs = SharedDocs::default();
        let app = Router::new()
            .route("/.well-known/did.json", get(web))
            .route("/{did}", get(plc))
            .with_state(docs.clone());
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        DidHost { docs, port }
    }

    /// The PLC directory's base URL.
    fn plc_url(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    /// The did:web origin (`localhost`, as a did:web names a host).
    fn web_origin(&self) -> String {
        format!("http://localhost:{}", self.port)
    }

    fn web_did(&self) -> String {
        format!("did:web:localhost%3A{}", self.port)
    }

    fn asked(&self, path: &str) -> usize {
        self.docs
            .lock()
            .unwrap()
            .asked
            .iter()
            .filter(|p| *p == path)
            .count()
    }
}

/// A DID document naming `handle` and `pds`, as the PLC directory serves them.
fn did_doc(did: &str, handle: &str, pds: &str) -> Value {
    json!({
        "@context": ["https://www.w3.org/ns/did/v1"],
        "id": did,
        "alsoKnownAs": [format!("at://{handle}")],
        "verificationMethod": [],
        "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": pds}]
    })
}

/// The entryway and the PDS, both knowing `handle` as `did` (the PDS alone has the password).
async fn two_servers(handle: &str, did: Option<&str>) -> (FakeBluesky, FakeBluesky, String) {
    let entryway = FakeBluesky::start().await.unwrap();
    let pds = FakeBluesky::start().await.unwrap();
    let did = match did {
        Some(did) => pds.add_account_as(did, FakeAccount::new(handle)),
        None => pds.add_account(FakeAccount::new(handle)),
    };
    entryway.add_account_as(&did, FakeAccount::new(handle));
    pds.set_app_password(handle, PASSWORD);
    (entryway, pds, did)
}

fn two_alerts(store: &Store) -> (i64, i64) {
    (
        alert_for(
            store,
            bsky_profile("did:plc:imp1", "palmer-report.bsky.social", "PaImer Report"),
        ),
        alert_for(
            store,
            bsky_profile("did:plc:imp2", "palmerreport.bsky.social", "Palmer Report"),
        ),
    )
}

#[tokio::test]
async fn the_pds_comes_from_the_plc_document_and_the_entryway_never_gets_the_password() {
    let host = DidHost::start().await;
    let (entryway, pds, did) = two_servers("alice.test", None).await;
    host.docs
        .lock()
        .unwrap()
        .plc
        .insert(did.clone(), did_doc(&did, "alice.test", &pds.base_url()));
    let fakes = [entryway.base_url(), pds.base_url(), host.plc_url()];
    let resolver = PdsResolver::new(&entryway.base_url(), &host.plc_url(), &fakes).unwrap();
    let reporter = BlueskyReporter::resolving(resolver, "alice.test", Secret::new(PASSWORD));
    assert!(reporter.resolves_pds());
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let (first, second) = two_alerts(&store);

    report::file_report(&store, first, &reporter, 10, t(10))
        .await
        .unwrap();
    // A second filer of the same run (the app builds one per filing) reuses the resolution.
    let resolver = PdsResolver::new(&entryway.base_url(), &host.plc_url(), &fakes).unwrap();
    let again = BlueskyReporter::resolving(resolver, "alice.test", Secret::new(PASSWORD));
    report::file_report(&store, second, &again, 10, t(20))
        .await
        .unwrap();

    let received = pds.received_reports();
    assert_eq!(
        received.len(),
        2,
        "both reports went to the account's own PDS"
    );
    assert_eq!(received[0].reported_by, did);
    assert_eq!(received[0].category, REASON_IMPERSONATION);
    assert_eq!(received[1].subject, "did:plc:imp2");
    assert_eq!(pds.request_count(SESSION), 2, "one session per filer");
    assert_eq!(
        entryway.request_count(SESSION),
        0,
        "the entryway never saw the app password"
    );
    assert_eq!(entryway.request_count(REPORT), 0);
    assert_eq!(
        entryway.request_count(RESOLVE),
        1,
        "the handle was resolved once"
    );
    assert_eq!(
        host.asked(&format!("/{did}")),
        1,
        "the DID document was read once"
    );
    assert_eq!(store.alert(second).unwrap().state, AlertState::Reported);
}

#[tokio::test]
async fn a_did_web_account_is_found_at_its_hosts_well_known_document() {
    let host = DidHost::start().await;
    let web_did = host.web_did();
    let (entryway, pds, did) = two_servers("carol.test", Some(&web_did)).await;
    assert_eq!(did, web_did);
    host.docs.lock().unwrap().web = Some(did_doc(&did, "carol.test", &pds.base_url()));
    let fakes = [
        entryway.base_url(),
        pds.base_url(),
        host.plc_url(),
        host.web_origin(),
    ];
    let resolver = PdsResolver::new(&entryway.base_url(), &host.plc_url(), &fakes).unwrap();
    let reporter = BlueskyReporter::resolving(resolver, "carol.test", Secret::new(PASSWORD));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let (first, _) = two_alerts(&store);

    report::file_report(&store, first, &reporter, 10, t(10))
        .await
        .unwrap();

    assert_eq!(pds.received_reports().len(), 1);
    assert_eq!(pds.received_reports()[0].reported_by, web_did);
    assert_eq!(host.asked("/.well-known/did.json"), 1);
    assert_eq!(entryway.request_count(SESSION), 0);
}

#[tokio::test]
async fn a_document_naming_a_refused_pds_or_another_handle_gets_no_password() {
    let host = DidHost::start().await;
    let (entryway, pds, did) = two_servers("alice.test", None).await;
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let (first, _) = two_alerts(&store);
    // The PDS fake is not among the allowed loopback fakes here: only public https passes.
    let fakes = [entryway.base_url(), host.plc_url()];
    for (doc, what) in [
        (
            did_doc(&did, "alice.test", &pds.base_url()),
            "plain http on loopback",
        ),
        (
            did_doc(&did, "alice.test", "https://127.0.0.1:9"),
            "a loopback address",
        ),
        (
            did_doc(&did, "alice.test", "https://10.1.2.3"),
            "a private address",
        ),
        (
            did_doc(&did, "alice.test", "https://169.254.169.254"),
            "link-local metadata",
        ),
        (
            did_doc(&did, "alice.test", "https://user:pw@pds.example"),
            "credentials",
        ),
        (
            did_doc(&did, "mallory.test", "https://pds.example"),
            "another handle",
        ),
        (
            did_doc(
                "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa",
                "alice.test",
                "https://pds.example",
            ),
            "another DID",
        ),
        (
            json!({"id": did, "alsoKnownAs": ["at://alice.test"], "service": []}),
            "no PDS",
        ),
    ] {
        host.docs.lock().unwrap().plc.insert(did.clone(), doc);
        let resolver = PdsResolver::new(&entryway.base_url(), &host.plc_url(), &fakes).unwrap();
        let reporter = BlueskyReporter::resolving(resolver, "alice.test", Secret::new(PASSWORD));
        let err = report::file_report(&store, first, &reporter, 10, t(10))
            .await
            .unwrap_err();
        assert!(
            matches!(err, ReportError::PdsNotFound { .. }),
            "{what}: {err}"
        );
        assert!(
            err.to_string().contains("bluesky.pds_url"),
            "says what to do: {err}"
        );
        assert!(!err.to_string().contains(PASSWORD));
    }
    assert_eq!(
        pds.request_count(SESSION),
        0,
        "the app password went nowhere"
    );
    assert_eq!(entryway.request_count(SESSION), 0);
    assert!(store.reports_for(first).unwrap().is_empty());
}

#[tokio::test]
async fn a_pds_that_signs_in_another_account_gets_no_report() {
    let host = DidHost::start().await;
    let (_entryway, pds, did) = two_servers("alice.test", None).await;
    // The entryway says alice.test is `other`; its document names the PDS, which knows
    // alice.test as `did`: the session is for another account than the one resolved.
    let other = "did:plc:bbbbbbbbbbbbbbbbbbbbbbbb";
    let entryway2 = FakeBluesky::start().await.unwrap();
    entryway2.add_account_as(other, FakeAccount::new("alice.test"));
    host.docs
        .lock()
        .unwrap()
        .plc
        .insert(other.into(), did_doc(other, "alice.test", &pds.base_url()));
    let fakes = [entryway2.base_url(), pds.base_url(), host.plc_url()];
    let resolver = PdsResolver::new(&entryway2.base_url(), &host.plc_url(), &fakes).unwrap();
    let reporter = BlueskyReporter::resolving(resolver, "alice.test", Secret::new(PASSWORD));
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let (first, _) = two_alerts(&store);
    let err = report::file_report(&store, first, &reporter, 10, t(10))
        .await
        .unwrap_err();
    assert!(matches!(err, ReportError::Auth { .. }), "{err}");
    assert!(err.to_string().contains(&did), "{err}");
    assert!(pds.received_reports().is_empty());
}

#[tokio::test]
async fn a_labeler_that_refuses_the_impersonation_reason_gets_the_older_one_once() {
    let fake = FakeBluesky::start().await.unwrap();
    fake.add_account(FakeAccount::new("palmerreport.com"));
    fake.set_app_password("palmerreport.com", PASSWORD);
    fake.refuse_reason_types(&[REASON_IMPERSONATION]);
    let reporter =
        BlueskyReporter::new(&fake.base_url(), "palmerreport.com", Secret::new(PASSWORD));
    assert!(!reporter.resolves_pds());
    let dir = tempfile::tempdir().unwrap();
    let store = Store::open_in(dir.path()).unwrap();
    let (first, second) = two_alerts(&store);

    let record = report::file_report(&store, first, &reporter, 10, t(10))
        .await
        .unwrap();
    let received = fake.received_reports();
    assert_eq!(received.len(), 1);
    assert_eq!(received[0].category, REASON_MISLEADING);
    assert_eq!(received[0].subject, "did:plc:imp1");
    assert!(
        record
            .detail
            .as_deref()
            .unwrap_or("")
            .starts_with(REASON_MISLEADING),
        "{record:?}"
    );
    assert_eq!(
        fake.request_count(REPORT),
        2,
        "the new reason, then the older one"
    );

    // A labeler refusing both: one try each, then the refusal in words.
    fake.refuse_reason_types(&[REASON_IMPERSONATION, REASON_MISLEADING]);
    let err = report::file_report(&store, second, &reporter, 10, t(20))
        .await
        .unwrap_err();
    assert!(
        matches!(err, ReportError::Refused { status: 400, .. }),
        "{err}"
    );
    assert!(err.to_string().contains("Invalid reason type"), "{err}");
    assert_eq!(fake.request_count(REPORT), 4);
    assert_eq!(fake.received_reports().len(), 1);
    assert_ne!(store.alert(second).unwrap().state, AlertState::Reported);
}

#[test]
fn the_default_pds_setting_means_the_did_document_decides() {
    let make = |pds: &str| {
        BlueskyReporter::for_settings(pds, "alice.test", Secret::new(PASSWORD), &[]).unwrap()
    };
    assert!(make(DEFAULT_PDS).resolves_pds());
    assert!(make("https://bsky.social/").resolves_pds());
    // A PDS the person set (settings, DOPPELWATCH_BLUESKY_PDS_URL, --pds) is used as is.
    assert!(!make("https://pds.example.org").resolves_pds());
    assert!(!make("http://127.0.0.1:4000").resolves_pds());
}

/// The lexicon file at `path` under `tests/fixtures/bluesky/lexicons/` (see its README).
fn lexicon(path: &str) -> Value {
    let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/bluesky/lexicons")
        .join(path);
    serde_json::from_slice(&std::fs::read(&file).unwrap()).unwrap()
}

#[test]
fn both_reason_types_are_the_official_lexicons_tokens() {
    let moderation = lexicon("com/atproto/moderation/defs.json");
    let ozone = lexicon("tools/ozone/report/defs.json");
    let known: Vec<&str> = moderation["defs"]["reasonType"]["knownValues"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    for reason in [REASON_IMPERSONATION, REASON_MISLEADING] {
        assert!(
            known.contains(&reason),
            "{reason} is a known createReport reasonType"
        );
        let (nsid, name) = reason.split_once('#').unwrap();
        let file = if nsid == "tools.ozone.report.defs" {
            &ozone
        } else {
            &moderation
        };
        assert_eq!(file["id"], nsid);
        assert_eq!(file["defs"][name]["type"], "token", "{reason}");
    }
    let create = lexicon("com/atproto/moderation/createReport.json");
    let input = &create["defs"]["main"]["input"]["schema"];
    assert_eq!(
        input["properties"]["reasonType"]["ref"],
        "com.atproto.moderation.defs#reasonType"
    );
    assert_eq!(input["required"], json!(["reasonType", "subject"]));
    assert_eq!(input["properties"]["reason"]["maxGraphemes"], 2000);
}
