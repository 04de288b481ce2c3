//! `scan` and `watch` (issue 3).

use std::path::PathBuf;

use clap::Args;

#[derive(Args)]
pub struct ScanArgs {
    /// Identity JSON file.
    #[arg(long)]
    pub identity: PathBuf,
    /// Comma-separated sources (bluesky,mastodon,x); default: all configured.
    #[arg(long)]
    pub source: Option<String>,
}

#[derive(Args)]
pub struct WatchArgs {
    /// Identity JSON file.
    #[arg(long)]
    pub identity: PathBuf,
    /// Comma-separated sources (bluesky,mastodon,x); default: all configured.
    #[arg(long)]
    pub source: Option<String>,
}

pub fn scan(_args: ScanArgs) -> i32 {
    super::usage_error("scan: not built yet (issue 3)")
}

pub fn watch(_args: WatchArgs) -> i32 {
    super::usage_error("watch: not built yet (issue 3)")
}
