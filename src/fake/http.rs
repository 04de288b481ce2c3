//! The HTTP plumbing every fake server shares: binding a loopback port, serving the plain routes
//! beside the API routes behind the misbehaviour layer, the accessors over the shared request
//! log, and reading query strings and search words. It must never hold a platform's own shapes
//! or rules (each fake's module does).

use std::sync::Arc;

use axum::Router;

use super::{misbehaviour_layer, serve, Common, Server};

/// A fake's loopback port, bound before its state is made (the state knows its base URL).
pub(crate) struct Bound {
    listener: tokio::net::TcpListener,
    /// `http://127.0.0.1:PORT`.
    pub base_url: String,
}

/// Binds `127.0.0.1:port` (`0`: any free port).
pub(crate) async fn bind_loopback(port: u16) -> std::io::Result<Bound> {
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await?;
    let addr = listener.local_addr()?;
    Ok(Bound {
        listener,
        base_url: format!("http://{addr}"),
    })
}

impl Bound {
    /// Serves `plain` (avatars, streams: never misbehaving) and `api` (behind the misbehaviour
    /// layer, counted in `common`'s request log) with `state`, until the guard is dropped.
    pub(crate) fn serve<S>(
        self,
        common: &Arc<Common>,
        plain: Router<S>,
        api: Router<S>,
        state: S,
    ) -> Server
    where
        S: Clone + Send + Sync + 'static,
    {
        let api = api.layer(axum::middleware::from_fn_with_state(
            common.clone(),
            misbehaviour_layer,
        ));
        serve(self.listener, plain.merge(api).with_state(state))
    }
}

/// The accessors every fake offers over its shared [`Common`] (`self.state.common`).
macro_rules! common_accessors {
    () => {
        /// Turns on a misbehaviour (see [`Misbehave`](crate::fake::Misbehave)).
        pub fn misbehave(&self, m: $crate::fake::Misbehave) {
            self.state.common.misbehave(m);
        }

        /// How many requests reached this path (e.g. `/xrpc/com.atproto.server.createSession`).
        pub fn request_count(&self, path: &str) -> usize {
            self.state.common.request_count(path)
        }

        /// How many API requests reached the server in all (retries included).
        pub fn total_requests(&self) -> usize {
            self.state.common.total_requests()
        }

        /// The query strings of the requests to this path, oldest first (e.g. to see which
        /// `offset`s a paging client asked for).
        pub fn request_queries(&self, path: &str) -> Vec<String> {
            self.state.common.request_queries(path)
        }
    };
}
pub(crate) use common_accessors;

/// The pairs of a raw query string, decoded, in order.
pub(crate) fn query_pairs(raw: &Option<String>) -> Vec<(String, String)> {
    raw.as_deref()
        .map(|q| {
            url::form_urlencoded::parse(q.as_bytes())
                .into_owned()
                .collect()
        })
        .unwrap_or_default()
}

/// The first value of `key` among `pairs`.
pub(crate) fn param(pairs: &[(String, String)], key: &str) -> Option<String> {
    pairs.iter().find(|(k, _)| k == key).map(|(_, v)| v.clone())
}

/// Words of a display name or handle, lowercased, for search.
pub(crate) fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}
