//! The contract tests' own coverage: every API route a fake serves and every API path or XRPC
//! method a client builds must be among the endpoints the platforms' contract tests check
//! (their `CHECKED` lists, each asserted equal to what its test recorded going through the
//! checker). A fake or a client that gains an endpoint without a contract check fails here,
//! by name.
//!
//! Read from the source text, so nothing needs to run: the fakes' `.route("<path>", get(..))`
//! calls under `src/fake/`, and in the rest of `src/` (unit tests left out) the string literals
//! holding an XRPC method (`app.bsky.feed.getAuthorFeed`) or a REST path (`/api/v1/...`,
//! `/2/...`, `/youtube/v3/...`, `/.well-known/...`). The PLC directory's `/{did}` is built
//! from a bare `{}/{did}` and is not found this way; `bluesky_did` checks it.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

/// Routes the fakes serve that are not platform API endpoints, and why.
const NOT_API: &[(&str, &str)] = &[
    ("/img/avatar/plain/{did}/{file}", "Bluesky's CDN avatar images"),
    (
        "/subscribe",
        "Jetstream (its subscribe request and profile records: jetstream_profile_records_follow_the_profile_lexicon_fake_and_official)",
    ),
    ("/system/accounts/avatars/{id}/original.png", "Mastodon avatar files"),
    ("/avatars/original/missing.png", "Mastodon's default avatar file"),
    ("/profile_images/{id}/avatar_normal.png", "X's avatar images"),
    ("/yt3/{id}/photo.png", "YouTube's channel thumbnails"),
];

/// Literal paths in the clients that are not endpoints they call, and why.
const NOT_CALLED: &[(&str, &str)] = &[
    (
        "/2/problems/",
        "X's problem type URIs (read in answers, never asked)",
    ),
    (
        ":",
        "the XRPC URL template (`/xrpc/{nsid}`); its methods are found by name",
    ),
];

/// `GET app.bsky.feed.getAuthorFeed`, `GET /api/v1/accounts/:` (placeholders as `:`) from a
/// `CHECKED` entry (`GET /2/users (getUsersByIds)` loses its operation id).
fn normalise(endpoint: &str) -> String {
    let endpoint = endpoint.split(" (").next().unwrap_or(endpoint);
    let endpoint = endpoint.replace("/xrpc/", "");
    endpoint
        .split('/')
        .map(|seg| {
            if seg.starts_with(':') || seg.starts_with('{') {
                ":"
            } else {
                seg
            }
        })
        .collect::<Vec<_>>()
        .join("/")
}

/// The endpoints the platforms' contract tests check (those the fakes serve).
fn checked() -> BTreeSet<String> {
    [
        super::bluesky::CHECKED,
        super::mastodon::CHECKED,
        super::x::CHECKED,
        super::youtube::CHECKED,
    ]
    .concat()
    .iter()
    .map(|e| normalise(e))
    .collect()
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap().flatten() {
        let path = entry.path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// A file's text before its unit tests.
fn code_of(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap();
    match text.find("#[cfg(test)]") {
        Some(at) => text[..at].to_string(),
        None => text,
    }
}

/// `(method, path)` of every `.route("<path>", get(..))` / `post(..)` in `code`.
fn routes(code: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for (at, _) in code.match_indices(".route(") {
        let rest = code[at + 7..].trim_start();
        let Some(rest) = rest.strip_prefix('"') else {
            continue;
        };
        let Some(end) = rest.find('"') else { continue };
        let path = rest[..end].to_string();
        let after = rest[end + 1..]
            .trim_start()
            .trim_start_matches(',')
            .trim_start();
        let method: String = after
            .chars()
            .take_while(|c| c.is_ascii_alphabetic())
            .collect();
        out.push((method.to_ascii_uppercase(), path));
    }
    out
}

/// The string literals of `code`'s non-comment lines.
fn literals(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    for line in code.lines().filter(|l| !l.trim_start().starts_with("//")) {
        let mut current: Option<String> = None;
        let mut escaped = false;
        for c in line.chars() {
            match (&mut current, c) {
                (Some(lit), _) if escaped => {
                    lit.push(c);
                    escaped = false;
                }
                (Some(_), '\\') => escaped = true,
                (Some(_), '"') => out.extend(current.take()),
                (Some(lit), _) => lit.push(c),
                (None, '"') => current = Some(String::new()),
                (None, _) => {}
            }
        }
    }
    out
}

/// The REST paths and XRPC methods a literal names.
fn endpoints_in(literal: &str) -> Vec<String> {
    let mut out = Vec::new();
    for prefix in ["/api/v", "/2/", "/youtube/v3/", "/xrpc/", "/.well-known/"] {
        for (at, _) in literal.match_indices(prefix) {
            let path: String = literal[at..]
                .chars()
                .take_while(|c| c.is_ascii_alphanumeric() || "_/{}:.-".contains(*c))
                .collect();
            out.push(normalise(path.trim_end_matches(['/', '.'])));
        }
    }
    for token in literal.split(|c: char| !(c.is_ascii_alphanumeric() || c == '.')) {
        let segments: Vec<&str> = token.split('.').collect();
        let method = segments.last().copied().unwrap_or_default();
        if segments.len() >= 4
            && ["app", "com", "tools", "chat"].contains(&segments[0])
            && method.starts_with(|c: char| c.is_ascii_lowercase())
            && method.contains(|c: char| c.is_ascii_uppercase())
        {
            out.push(token.to_string());
        }
    }
    let mut seen = BTreeSet::new();
    out.retain(|e| seen.insert(e.clone()));
    out
}

fn without_method(endpoint: &str) -> &str {
    endpoint.split_once(' ').map_or(endpoint, |(_, rest)| rest)
}

#[test]
fn every_endpoint_the_fakes_serve_is_contract_checked() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src/fake"), &mut files);
    let mut served = BTreeSet::new();
    for file in &files {
        for (method, path) in routes(&code_of(file)) {
            if !NOT_API.iter().any(|(p, _)| *p == path) {
                served.insert(normalise(&format!("{method} {path}")));
            }
        }
    }
    // Both ways: nothing served unchecked, and no check of an endpoint no fake serves.
    assert_eq!(
        served,
        checked(),
        "the fakes' API routes (left) and the contract tests' CHECKED lists (right) differ: \
         add a contract check for a new route (tests/contract/<platform>.rs), or list a route \
         that is not a platform API in NOT_API"
    );
}

#[test]
fn every_endpoint_the_clients_build_is_contract_checked() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR"));
    let mut files = Vec::new();
    rust_files(&root.join("src"), &mut files);
    let fakes = root.join("src/fake");
    // Add the DID document reads, which no fake of ours serves (the test has its own host).
    let did_reads = super::bluesky_did::CHECKED.iter().map(|e| normalise(e));
    let checked: BTreeSet<String> = checked()
        .into_iter()
        .chain(did_reads)
        .map(|e| without_method(&e).to_string())
        .collect();
    let mut built = BTreeSet::new();
    let mut unchecked = Vec::new();
    for file in files.iter().filter(|f| !f.starts_with(&fakes)) {
        for literal in literals(&code_of(file)) {
            for endpoint in endpoints_in(&literal) {
                let not_called = NOT_CALLED
                    .iter()
                    .any(|(p, _)| endpoint == *p || (p.ends_with('/') && endpoint.starts_with(p)));
                if not_called {
                    continue;
                }
                if !checked.contains(&endpoint) {
                    unchecked.push(format!("{endpoint} ({})", file.display()));
                }
                built.insert(endpoint);
            }
        }
    }
    assert_eq!(
        unchecked,
        Vec::<String>::new(),
        "endpoints our clients build with no contract check"
    );
    // The scan sees the clients' endpoints (it is not blind): the two read for evidence.
    for endpoint in [
        "app.bsky.feed.getAuthorFeed",
        "/api/v1/accounts/:/statuses",
        "/.well-known/did.json",
    ] {
        assert!(
            built.contains(endpoint),
            "{endpoint} not found in {built:?}"
        );
    }
}

#[test]
fn the_scanners_read_routes_literals_and_endpoints() {
    let code = r#"
        Router::new()
            .route("/xrpc/app.bsky.feed.getAuthorFeed", get(feed))
            .route(
                "/api/v1/reports",
                post(report),
            );
        // let x = "/api/v9/commented";
        let url = format!("{}/api/v1/accounts/{id}/statuses?limit=1", base);
        let nsid = "com.atproto.moderation.defs#reasonMisleading";
        let m = "app.bsky.actor.getProfiles"; let esc = "a \"quoted\" /2/users/by thing";
    "#;
    assert_eq!(
        routes(code),
        [
            ("GET".into(), "/xrpc/app.bsky.feed.getAuthorFeed".into()),
            ("POST".into(), "/api/v1/reports".into())
        ]
    );
    let found: Vec<String> = literals(code)
        .iter()
        .flat_map(|l| endpoints_in(l))
        .collect();
    assert_eq!(
        found,
        [
            "app.bsky.feed.getAuthorFeed",
            "/api/v1/reports",
            "/api/v1/accounts/:/statuses",
            "app.bsky.actor.getProfiles",
            "/2/users/by"
        ]
    );
    assert_eq!(
        normalise("GET /xrpc/app.bsky.feed.getAuthorFeed"),
        "GET app.bsky.feed.getAuthorFeed"
    );
    assert_eq!(normalise("GET /2/users (getUsersByIds)"), "GET /2/users");
}
