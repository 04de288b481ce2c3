//! The redirect rule of every platform API client (searches, lookups, report filing; base
//! URLs from the settings): a redirect is followed only to the same origin (scheme, host and
//! port) as the request, at most [`MAX_API_REDIRECTS`] times, and no Referer is ever sent.
//! A platform server cannot send our requests (carrying the person's name as the search
//! query, or a token) to another host, loopback or not.
//!
//! Must never: follow a redirect to another origin, or let a Referer header out.

use reqwest::redirect::{Attempt, Policy};

/// Redirects an API request follows at most.
pub const MAX_API_REDIRECTS: usize = 3;

/// The redirect policy of API clients: same origin only, at most [`MAX_API_REDIRECTS`].
/// Clients using it must also be built with `.referer(false)` ([`builder`] does both).
pub fn same_origin_redirects() -> Policy {
    Policy::custom(|attempt: Attempt<'_>| {
        let Some(first) = attempt.previous().first() else {
            return attempt.stop();
        };
        if attempt.previous().len() > MAX_API_REDIRECTS {
            return attempt.error(format!("more than {MAX_API_REDIRECTS} redirects"));
        }
        if attempt.url().origin() != first.origin() {
            let to = attempt.url().origin().ascii_serialization();
            let from = first.origin().ascii_serialization();
            return attempt.error(format!(
                "{from} redirected to another server ({to}); a platform API is only followed on its own server"
            ));
        }
        attempt.follow()
    })
}

/// A client builder with the API redirect rule and no Referer.
pub fn builder() -> reqwest::ClientBuilder {
    reqwest::Client::builder()
        .redirect(same_origin_redirects())
        .referer(false)
}
