//! The Bluesky PDS resolver's DID document reads against their official descriptions: the PLC
//! directory's `GET /{did}` (`ResolveDid` in its OpenAPI description,
//! `tests/fixtures/bluesky/plc/plc-server-openapi-subset.json`) and a did:web host's
//! `GET /.well-known/did.json` (the did:web method: the same `DidDocument`), through the
//! recorder in front of a DID host serving bluesky-social/atproto's own example documents
//! (`tests/fixtures/bluesky/plc/did_documents.json`), each read by the real resolver.

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Path, State};
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use axum::Router;
use doppelwatch::fake::bluesky::FakeBluesky;
use doppelwatch::fake::FakeAccount;
use doppelwatch::report::bluesky_pds::PdsResolver;
use serde_json::{json, Value};

use crate::support_contract::openapi::OpenApi;
use crate::support_contract::{assert_conform, json_fixture, Contract, Exchange, Recorder};

/// The DID document endpoints the resolver calls, each checked here.
pub const CHECKED: &[&str] = &[
    "GET /.well-known/did.json (did:web)",
    "GET /{did} (ResolveDid)",
];

const PLC_DID: &str = "did:plc:yk4dd2qkboz2yv6tpubpc6co";

/// The properties W3C DID Core (§5) gives a DID document, with its JSON-LD `@context`: the PLC
/// description's `DidDocument` leaves `@context` out although the directory sends it, so it is
/// checked openly and its fields against this list.
const DID_CORE: &[&str] = &[
    "@context",
    "id",
    "alsoKnownAs",
    "controller",
    "verificationMethod",
    "authentication",
    "assertionMethod",
    "keyAgreement",
    "capabilityInvocation",
    "capabilityDelegation",
    "service",
];

/// PLC exchanges against the directory's description, did:web ones against its `DidDocument`.
struct DidContract {
    plc: OpenApi,
}

impl DidContract {
    fn load() -> DidContract {
        DidContract {
            plc: OpenApi::load_open("bluesky/plc/plc-server-openapi-subset.json"),
        }
    }

    /// Mismatches of a document's fields against DID Core, and against the description's
    /// `DidDocument` when `schema` (the PLC check already validates its own answers).
    fn document_errors(&self, document: &Value, schema: bool) -> Vec<String> {
        let mut errs = Vec::new();
        if schema {
            let reference = json!({"$ref": "#/components/schemas/DidDocument"});
            errs = self.plc.schemas().errors(&reference, document);
        }
        for key in document.as_object().into_iter().flatten().map(|(k, _)| k) {
            if !DID_CORE.contains(&key.as_str()) {
                errs.push(format!("{key:?} is not a DID Core property"));
            }
        }
        errs
    }
}

impl Contract for DidContract {
    fn check(&self, ex: &Exchange) -> Result<String, Vec<String>> {
        let mut errs = Vec::new();
        let web = ex.path == "/.well-known/did.json";
        let endpoint = if web {
            if ex.method != "GET" || !ex.query.is_empty() || !ex.body.is_empty() {
                errs.push("a did:web document is read with a plain GET".into());
            }
            "GET /.well-known/did.json (did:web)".to_string()
        } else {
            self.plc.check(ex).unwrap_or_else(|e| {
                errs.extend(e);
                String::new()
            })
        };
        if ex.status == 200 {
            match ex.json_response() {
                Some(document) => errs.extend(self.document_errors(&document, web)),
                None => errs.push("the document is not JSON".into()),
            }
        }
        if errs.is_empty() {
            Ok(endpoint)
        } else {
            Err(errs)
        }
    }
}

/// Documents by path (`/<did>` or `/.well-known/did.json`).
type Docs = Arc<Mutex<HashMap<String, Value>>>;

/// A PLC directory and did:web host on one loopback port, answering as plc.directory does
/// (`application/did+ld+json`; a 404 `{message}` for an unknown DID).
async fn did_host() -> (String, Docs) {
    async fn document(docs: &Docs, path: String) -> Response {
        let found = docs.lock().unwrap().get(&path).cloned();
        match found {
            Some(doc) => (
                [(header::CONTENT_TYPE, "application/did+ld+json")],
                doc.to_string(),
            )
                .into_response(),
            None => (
                StatusCode::NOT_FOUND,
                axum::Json(json!({"message": format!("DID not registered: {}", &path[1..])})),
            )
                .into_response(),
        }
    }
    async fn plc(State(docs): State<Docs>, Path(did): Path<String>) -> Response {
        document(&docs, format!("/{did}")).await
    }
    async fn web(State(docs): State<Docs>) -> Response {
        document(&docs, "/.well-known/did.json".into()).await
    }
    let docs = Docs::default();
    let app = Router::new()
        .route("/.well-known/did.json", get(web))
        .route("/{did}", get(plc))
        .with_state(docs.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move {
        let _ = axum::serve(listener, app).await;
    });
    (url, docs)
}

/// The official example documents, the did:web one made from the Multikey example.
fn examples(web_did: &str, web_handle: &str) -> (Value, Value, Value) {
    let official = json_fixture("bluesky/plc/did_documents.json");
    let mut web = official["multikey"].clone();
    web["id"] = json!(web_did);
    web["alsoKnownAs"] = json!([format!("at://{web_handle}")]);
    web["verificationMethod"][0]["id"] = json!(format!("{web_did}#atproto"));
    web["verificationMethod"][0]["controller"] = json!(web_did);
    (
        official["legacy"].clone(),
        official["multikey"].clone(),
        web,
    )
}

async fn record_everything() -> Vec<Exchange> {
    let (host, docs) = did_host().await;
    let rec = Recorder::start(&host).await;
    let port = rec.base_url.rsplit(':').next().unwrap().to_string();
    let web_did = format!("did:web:localhost%3A{port}");
    let (legacy, multikey, web) = examples(&web_did, "webby.example.com");
    let entryway = FakeBluesky::start().await.unwrap();
    entryway.add_account_as(PLC_DID, FakeAccount::new("dholms.xyz"));
    entryway.add_account_as(&web_did, FakeAccount::new("webby.example.com"));
    entryway.add_account_as(
        "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa",
        FakeAccount::new("unregistered.example.com"),
    );
    let fakes = [
        entryway.base_url(),
        rec.base_url.clone(),
        format!("http://localhost:{port}"),
    ];
    let resolver = PdsResolver::new(&entryway.base_url(), &rec.base_url, &fakes).unwrap();

    // Both official did:plc documents, read by the real resolver.
    for doc in [legacy, multikey] {
        docs.lock().unwrap().insert(format!("/{PLC_DID}"), doc);
        resolver.forget("dholms.xyz");
        let found = resolver.resolve("dholms.xyz").await.unwrap();
        assert_eq!(
            (found.did.as_str(), found.pds.as_str()),
            (PLC_DID, "https://bsky.social")
        );
    }
    docs.lock()
        .unwrap()
        .insert("/.well-known/did.json".into(), web);
    let found = resolver.resolve("webby.example.com").await.unwrap();
    assert_eq!(found.pds, "https://bsky.social");
    assert!(resolver.resolve("unregistered.example.com").await.is_err());
    rec.exchanges()
}

#[tokio::test]
async fn every_did_document_read_follows_the_plc_description_and_did_core() {
    let exchanges = record_everything().await;
    let covered = assert_conform(&DidContract::load(), &exchanges);
    assert_eq!(covered.into_iter().collect::<Vec<_>>(), CHECKED);
    let statuses: Vec<(String, u16)> = exchanges
        .iter()
        .map(|e| (e.path.clone(), e.status))
        .collect();
    assert_eq!(
        statuses,
        [
            (format!("/{PLC_DID}"), 200),
            (format!("/{PLC_DID}"), 200),
            ("/.well-known/did.json".into(), 200),
            ("/did:plc:aaaaaaaaaaaaaaaaaaaaaaaa".into(), 404),
        ]
    );
}

#[tokio::test]
async fn the_did_checker_catches_real_mismatches() {
    let contract = DidContract::load();
    let exchanges = record_everything().await;
    let mut bad = exchanges[0].clone();
    let mut doc = bad.json_response().unwrap();
    doc.as_object_mut().unwrap().remove("id");
    doc["service"][0]["serviceEndpoint"] = json!({"uri": "https://bsky.social"});
    doc["handle"] = json!("dholms.xyz");
    bad.response = serde_json::to_vec(&doc).unwrap();
    bad.query.push(("format".into(), "json".into()));
    let errs = contract.check(&bad).unwrap_err().join("\n");
    for wanted in [
        "required field \"id\" is missing",
        "serviceEndpoint: object where the schema says string",
        "\"handle\" is not a DID Core property",
        "query parameter \"format\" is not in the operation",
    ] {
        assert!(errs.contains(wanted), "{wanted}: {errs}");
    }
    // An answer in a media type the description does not give for the status.
    let mut json_typed = exchanges[0].clone();
    json_typed.response_headers = vec![("content-type".into(), "text/html".into())];
    let errs = contract.check(&json_typed).unwrap_err().join("\n");
    assert!(
        errs.contains("no text/html answer is described for status 200"),
        "{errs}"
    );
}
