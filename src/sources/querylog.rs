//! Noting the queries a check sends and which of them failed, for sources that keep going
//! past a failed query without reporting it themselves (see [`Source::check_report`]'s default).
//!
//! [`record_queries`] runs a check with a log scoped to it (a tokio task-local, so checks of
//! several identities running at once never mix their logs); [`Http::get_json`] notes each
//! query in it. A query is a GET with parameters (a search, a lookup, a directory page);
//! parameterless requests such as a server's instance information are metadata, not part of
//! the net, and are not counted. The words name the asked term, never the whole URL, so no
//! secret in a query string could reach the status line.
//!
//! [`Source::check_report`]: super::Source::check_report
//! [`Http::get_json`]: super::http::Http::get_json

use std::cell::RefCell;
use std::future::Future;

use url::Url;

use super::{QueryFailure, SourceError};

/// The queries sent within one [`record_queries`] scope.
#[derive(Debug, Default)]
pub struct QueryLog {
    /// Queries sent (their retries count once).
    pub sent: usize,
    /// The ones that failed after their retries, in order.
    pub failures: Vec<QueryFailure>,
}

tokio::task_local! {
    static QUERY_LOG: RefCell<QueryLog>;
}

/// Runs `check`, noting every query sent through [`super::http::Http::get_json`] within it.
pub async fn record_queries<F: Future>(check: F) -> (F::Output, QueryLog) {
    QUERY_LOG
        .scope(RefCell::new(QueryLog::default()), async move {
            let output = check.await;
            let log = QUERY_LOG.with(|log| std::mem::take(&mut *log.borrow_mut()));
            (output, log)
        })
        .await
}

/// Notes one query's outcome in the current scope's log, if there is one.
pub(crate) fn note<T, E: std::borrow::Borrow<SourceError>>(url: &Url, result: &Result<T, E>) {
    if url.query().is_none() {
        return;
    }
    let _ = QUERY_LOG.try_with(|log| {
        let mut log = log.borrow_mut();
        log.sent += 1;
        if let Err(e) = result {
            log.failures.push(QueryFailure::new(
                query_words(url),
                url.host_str().unwrap_or_default(),
                e.borrow(),
            ));
        }
    });
}

/// What a query asked, in words: `search "Jane Doe"`, `lookup of janedoe`, `lookup of 3
/// usernames (janed0e, ...)`, `directory of new accounts`; else its path.
pub fn query_words(url: &Url) -> String {
    let pairs: Vec<(String, String)> = url.query_pairs().into_owned().collect();
    let get = |key: &str| {
        pairs
            .iter()
            .find(|(k, _)| k == key)
            .map(|(_, v)| v.as_str())
    };
    let listed = |key: &str| -> Vec<String> {
        pairs
            .iter()
            .filter(|(k, _)| k == key)
            .flat_map(|(_, v)| v.split(',').map(str::to_string).collect::<Vec<_>>())
            .filter(|v| !v.is_empty())
            .collect()
    };
    if let Some(term) = get("q").or_else(|| get("query")) {
        return format!("search {term:?}");
    }
    if let Some(acct) = get("acct") {
        return format!("lookup of {acct}");
    }
    for key in ["usernames", "actors", "ids", "forHandle", "id"] {
        let names = listed(key);
        match names.as_slice() {
            [] => {}
            [one] => return format!("lookup of {one}"),
            [first, ..] => return format!("lookup of {} accounts ({first}, ...)", names.len()),
        }
    }
    if url.path().ends_with("/directory") {
        return "directory of new accounts".into();
    }
    url.path().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::identity::Platform;

    fn url(s: &str) -> Url {
        Url::parse(s).unwrap()
    }

    #[test]
    fn queries_are_named_by_what_they_asked() {
        let cases = [
            (
                "https://m.example/api/v2/search?q=Jane+Doe&type=accounts",
                "search \"Jane Doe\"",
            ),
            (
                "https://m.example/api/v1/accounts/lookup?acct=janedoe",
                "lookup of janedoe",
            ),
            (
                "https://x.example/2/users/by?usernames=a,b,c&user.fields=x",
                "lookup of 3 accounts (a, ...)",
            ),
            (
                "https://m.example/api/v1/directory?order=new&local=true",
                "directory of new accounts",
            ),
            ("https://m.example/api/v1/other?x=1", "/api/v1/other"),
        ];
        for (u, words) in cases {
            assert_eq!(query_words(&url(u)), words, "{u}");
        }
    }

    #[tokio::test]
    async fn failures_are_noted_only_inside_a_scope_and_metadata_is_not_a_query() {
        let failed: Result<(), SourceError> = Err(SourceError::Api {
            platform: Platform::Mastodon,
            message: "/api/v2/search answered 503".into(),
        });
        let ok: Result<(), SourceError> = Ok(());
        // Outside a scope: nothing to note into, and no panic.
        note(&url("https://m.example/api/v2/search?q=a"), &failed);
        let ((), log) = record_queries(async {
            note(&url("https://m.example/api/v2/instance"), &failed);
            note(&url("https://m.example/api/v2/search?q=a"), &ok);
            note(&url("https://m.example/api/v2/search?q=b"), &failed);
        })
        .await;
        assert_eq!(log.sent, 2);
        assert_eq!(
            log.failures,
            vec![QueryFailure {
                query: "search \"b\"".into(),
                server: "m.example".into(),
                error: "/api/v2/search answered 503".into(),
            }]
        );
    }
}
