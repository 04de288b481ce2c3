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
    /// At most this many variants (default 200), most plausible first.
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

/// How many variants `variants` prints without `--limit`.
pub const DEFAULT_VARIANT_LIMIT: usize = 200;

/// Prints one JSON line `{"handle", "kind"}` per variant, most plausible first.
pub fn variants(args: VariantsArgs) -> i32 {
    use std::io::Write;

    let platform = match known_platform(&args.platform) {
        Ok(p) => p,
        Err(message) => return super::usage_error(message),
    };
    let handle = match doppelwatch::identity::validate_handle(&platform, &args.handle) {
        Ok(h) => h,
        Err(e) => return super::usage_error(format!("variants: {e}")),
    };
    let limit = args.limit.unwrap_or(DEFAULT_VARIANT_LIMIT);
    let found = doppelwatch::detect::variants::variants(&platform, &handle, limit);
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for v in &found {
        let line = serde_json::json!({"handle": v.handle, "kind": v.kind});
        if writeln!(out, "{line}").is_err() {
            // A closed pipe (e.g. `| head`) is not an error of ours.
            return 0;
        }
    }
    if out.flush().is_err() {
        return 0;
    }
    0
}

/// The platform named on the command line, refusing names Doppelwatch has no rules for.
fn known_platform(name: &str) -> Result<doppelwatch::identity::Platform, String> {
    use doppelwatch::identity::Platform;
    match Platform::parse(name) {
        Platform::Other(other) => Err(format!(
            "unknown platform {other:?}: use one of x, bluesky, mastodon, instagram, threads, youtube, tiktok, github, twitch"
        )),
        p => Ok(p),
    }
}

pub fn scan_handles(_args: ScanHandlesArgs) -> i32 {
    super::usage_error("scan-handles: not built yet (issue 2)")
}

pub fn avatar_hash(_args: AvatarHashArgs) -> i32 {
    super::usage_error("avatar-hash: not built yet (issue 2)")
}
