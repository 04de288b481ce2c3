//! `score`, `variants`, `scan-handles`, `avatar-hash` (issue 2).

use std::path::PathBuf;

use clap::Args;

use super::out::Out;

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
    /// Benchmark baseline: compare every handle with every identity (strsim), no index.
    #[arg(long, hide = true)]
    pub naive: bool,
}

#[derive(Args)]
#[command(after_help = AVATAR_HASH_HELP)]
pub struct AvatarHashArgs {
    /// Image file (PNG, JPEG, GIF, WebP or BMP; at most 4096x4096 pixels and 16 MiB).
    pub image: PathBuf,
    /// Print the person's-own-avatar fingerprint: the candidate forms plus the shifted and scaled
    /// forms that let cropped or framed copies match, and the stored picture verified against.
    #[arg(long)]
    pub reference: bool,
}

const AVATAR_HASH_HELP: &str = "\
Output: one JSON object on stdout:
  {\"hashes\": [\"<16 hex digits>\", ...], \"form_words\": 3, \"forms\": N, \"quality\": 0..1,
   \"kind\": \"...\", \"width\": N, \"height\": N, \"format\": \"png\"|\"jpeg\"|\"gif\"|\"webp\"|\"bmp\"}
  hashes[0] is a header (format version, kind of picture, number of forms); then `forms` forms of
  `form_words` 64-bit words each (a 192-bit DCT hash, luma then colour, of the square inside the
  round-avatar circle: the image, its mirror, and both with each corner masked; with --reference,
  shifted and scaled forms follow), then a small thumbnail (and with --reference the stored
  picture) that matching verifies detail against. `kind` says what the picture is (a detailed
  picture; a flat picture such as a logo, drawing or emoji; or one that identifies nobody: a
  single colour, nearly a single colour, a plain gradient, a platform's default avatar). Quality
  0 means the picture identifies nobody and is never called a match; flat pictures have a low
  quality and match on a stricter rule. Animated images are hashed on their first frame.
Exit codes: 0 hashed; 1 the file was read but is not a usable image (undecodable, truncated,
  unsupported format such as SVG, too large or too small); 2 unusable arguments (no IMAGE given,
  or the file cannot be read).";

pub fn score(args: ScoreArgs) -> i32 {
    super::score::run(args)
}

/// How many variants `variants` prints without `--limit`.
pub const DEFAULT_VARIANT_LIMIT: usize = 200;

/// Prints one JSON line `{"handle", "kind"}` per variant, most plausible first.
pub fn variants(args: VariantsArgs) -> i32 {
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
    let mut out = Out::stdout();
    let printed = found
        .iter()
        .try_for_each(|v| out.emit_json(&serde_json::json!({"handle": v.handle, "kind": v.kind})));
    match printed.and_then(|()| out.finish()) {
        Ok(()) => 0,
        Err(status) => status,
    }
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

/// Streams handles from stdin and prints each look-alike of an identity as a JSON line
/// `{"handle", "identity", "verdict", "reasons"}`. Exit 0 when the whole input was read, 1 on a
/// read error, 2 when an identity file is unusable.
pub fn scan_handles(args: ScanHandlesArgs) -> i32 {
    use doppelwatch::detect::index::{HandleIndex, NaiveScanner};
    use doppelwatch::identity::Identity;

    let mut identities = Vec::with_capacity(args.identities.len());
    for path in &args.identities {
        match Identity::load(path) {
            // The same identity given twice would print every match twice.
            Ok(identity) if identities.contains(&identity) => {}
            Ok(identity) => identities.push(identity),
            Err(e) => return super::usage_error(format!("scan-handles: {e}")),
        }
    }
    let stdin = std::io::stdin();
    let mut out = Out::stdout();
    let result = if args.naive {
        NaiveScanner::new(&identities).scan_stream(stdin.lock(), &mut out)
    } else {
        HandleIndex::new(&identities).scan_stream(stdin.lock(), &mut out)
    };
    match result {
        Ok(_) => match out.finish() {
            Ok(()) => 0,
            Err(status) => status,
        },
        Err(e) => match out.failed() {
            // The output failed (closed pipe, full disk): said, if needed, by `out`.
            Some(status) => status,
            None => {
                super::out::eprintln_quiet(&format!(
                    "doppelwatch: scan-handles: reading handles failed: {e}"
                ));
                1
            }
        },
    }
}

pub fn avatar_hash(args: AvatarHashArgs) -> i32 {
    use doppelwatch::detect::avatar;

    let path = args.image.display();
    // A regular file only (a FIFO would block, a device never end); one byte past the limit is
    // read so an oversized file is reported as such. The decoder refuses it by size.
    let bytes = match doppelwatch::files::input::read_regular(
        &args.image,
        avatar::MAX_INPUT_BYTES as u64 + 1,
    ) {
        Ok(bytes) => bytes,
        Err(e) => return super::usage_error(format!("cannot use {path}: {e}")),
    };
    let info = match avatar::inspect(&bytes, args.reference) {
        Ok(info) => info,
        Err(e) => {
            eprintln!("doppelwatch: {path}: {e}");
            return 1;
        }
    };
    let hashes: Vec<String> = info
        .fingerprint
        .hashes
        .iter()
        .map(|h| format!("{h:016x}"))
        .collect();
    let json = serde_json::json!({
        "hashes": hashes,
        "form_words": avatar::FORM_WORDS,
        "forms": info.forms,
        "quality": (f64::from(info.fingerprint.quality) * 1000.0).round() / 1000.0,
        "kind": info.kind,
        "width": info.width,
        "height": info.height,
        "format": info.format,
    });
    let mut out = Out::stdout();
    match out.emit_line(&json.to_string()).and_then(|()| out.finish()) {
        Ok(()) => 0,
        Err(status) => status,
    }
}
