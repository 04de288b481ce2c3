//! Outbound network safety for URLs that come from remote data: which addresses are public
//! ([`addr`]) and the one guarded fetcher every such URL goes through ([`guarded`]).
//!
//! The platform APIs themselves (base URLs from the settings) use [`crate::sources::http`];
//! anything a server *tells* us to fetch (an avatar, later a post's media) must come here.

pub mod addr;
pub mod guarded;

pub use guarded::{FetchError, GuardedFetcher, Limits};
