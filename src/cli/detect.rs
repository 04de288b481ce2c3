//! `score`, `variants`, `scan-handles`, `avatar-hash` (issue 2).

use std::path::PathBuf;

use clap::Args;

#[derive(Args)]
pub struct ScoreArgs {
    /// Identity JSON file.
    #[arg(long)]
    pub identity: PathBuf,
    /// Candidate profiles, one JSON object per line.
    #[arg(long)]
    pub candidates: PathBuf,
    /// Date account ages are measured against (RFC 3339 or YYYY-MM-DD); defaults to now.
    /// Makes a scoring run reproducible.
    #[arg(long)]
    pub now: Option<String>,
}

#[derive(Args)]
pub struct VariantsArgs {
    /// Platform whose handle rules the variants must follow (x, bluesky, mastodon, ...).
    #[arg(long)]
    pub platform: String,
    /// The real handle.
    pub handle: String,
    /// At most this many variants.
    #[arg(long)]
    pub limit: Option<usize>,
}

#[derive(Args)]
pub struct ScanHandlesArgs {
    /// Identity JSON file; repeat for several identities.
    #[arg(long = "identity", required = true)]
    pub identities: Vec<PathBuf>,
}

#[derive(Args)]
pub struct AvatarHashArgs {
    /// Image file.
    pub image: PathBuf,
}

pub fn score(args: ScoreArgs) -> i32 {
    super::score::run(args)
}

pub fn variants(_args: VariantsArgs) -> i32 {
    super::usage_error("variants: not built yet (issue 2)")
}

pub fn scan_handles(_args: ScanHandlesArgs) -> i32 {
    super::usage_error("scan-handles: not built yet (issue 2)")
}

pub fn avatar_hash(_args: AvatarHashArgs) -> i32 {
    super::usage_error("avatar-hash: not built yet (issue 2)")
}
