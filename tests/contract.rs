//! Contract tests: every request our clients send and every answer our fakes serve, checked
//! against the platforms' official descriptions (Bluesky's lexicons, X's OpenAPI document,
//! Mastodon's API documentation, the YouTube Data API reference), and the official examples
//! parsed by the real parsers.
//! One module per platform in `tests/contract/`; the checkers live in `support_contract`;
//! `contract/coverage.rs` fails when a fake or a client gains an endpoint no module checks.

mod support_contract;
mod support_watch;

#[path = "contract/bluesky.rs"]
mod bluesky;
#[path = "contract/bluesky_did.rs"]
mod bluesky_did;
#[path = "contract/coverage.rs"]
mod coverage;
#[path = "contract/mastodon.rs"]
mod mastodon;
#[path = "contract/x.rs"]
mod x;
#[path = "contract/youtube.rs"]
mod youtube;
