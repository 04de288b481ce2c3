//! `scan` (issue 3). `watch` lives in `watch.rs` (issue 4: it runs the watch service).

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

pub fn scan(_args: ScanArgs) -> i32 {
    super::usage_error("scan: not built yet (issue 3)")
}
