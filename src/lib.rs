//! Doppelwatch core: who the person is ([`identity`]), what a platform shows of an account
//! ([`profile`]), and how much that account copies the person ([`detect`]).
//!
//! The core has no GUI dependency: the CLI (`src/main.rs`) and the desktop shell (`src-tauri`)
//! are thin adapters over it.

pub mod app;
pub mod config;
pub mod detect;
pub mod fake;
pub mod files;
pub mod identity;
pub mod log_limit;
pub mod logging;
pub mod net;
pub mod notify;
pub mod platforms;
pub mod posts;
pub mod profile;
pub mod report;
pub mod secrets;
pub mod sources;
pub mod store;
pub mod watch;

/// The crate version, shown by the CLI and the desktop app.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");
