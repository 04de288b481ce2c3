//! Fake Mastodon.
