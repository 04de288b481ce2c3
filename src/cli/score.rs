//! `doppelwatch score --identity ID.json --candidates C.jsonl`: one JSON line out per line in.
//!
//! Contract (other programs depend on it):
//! - each input line gives `{"id", "verdict", "score", "reasons": [{"signal", "detail"}]}`, in
//!   input order, exactly these keys;
//! - a line that cannot be read gives `{"id"?, "error"}` (id when it could be read) and the run
//!   goes on; a blank line is such a line (`"error": "line N is blank"`), so output line N always
//!   answers input line N;
//! - exit 0 when every line was scored, 1 when some failed, 2 when the identity or candidates
//!   file is unusable (message on stderr);
//! - a line longer than 1 MiB is answered with an error and skipped to its end without being
//!   kept; one that does not end within 64 MiB (`/dev/zero`) stops the run (exit 1);
//! - avatar paths must name regular files (a FIFO or a device is refused, never read).
//!
//! Candidates are read leniently: unknown keys are ignored, `id` may be a string or a number and
//! is echoed as given, `created_at` may be RFC 3339, a date or Unix seconds, `followers` a number
//! or a numeric string; the handle is scored as given, whatever its characters. A candidate avatar
//! that cannot be read or decoded is not compared, and a reason says so.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};

use chrono::{DateTime, NaiveDate, NaiveDateTime, Utc};
use serde::Serialize;
use serde_json::{Map, Value};

use doppelwatch::detect::avatar::{self, AvatarFingerprint};
use doppelwatch::detect::{Detector, Reason, Signal};
use doppelwatch::identity::{Identity, Platform};
use doppelwatch::profile::Profile;

use super::detect::ScoreArgs;

/// Largest candidate line read; longer lines are refused (hostile or broken input).
const MAX_LINE_BYTES: usize = 1 << 20;
/// Longest stretch of an over-long line skipped while looking for its end; past it, the
/// input is not JSON lines (`/dev/zero`) and reading stops.
const MAX_SKIP_BYTES: u64 = 64 << 20;
/// Largest avatar file read.
const MAX_AVATAR_BYTES: u64 = 20 << 20;

#[derive(Serialize)]
struct Scored<'a> {
    id: &'a Value,
    verdict: &'static str,
    score: f64,
    reasons: &'a [Reason],
}

#[derive(Serialize)]
struct Failed<'a> {
    #[serde(skip_serializing_if = "Option::is_none")]
    id: Option<&'a Value>,
    error: String,
}

/// A candidate line as read, before scoring.
struct Candidate {
    id: Value,
    profile: Profile,
    avatar: Option<PathBuf>,
}

/// Runs the subcommand; returns the exit code.
pub fn run(args: ScoreArgs) -> i32 {
    let identity = match Identity::load(&args.identity) {
        Ok(identity) => identity,
        Err(e) => return super::usage_error(format!("score: {e}")),
    };
    let now = match args.now.as_deref() {
        None => Utc::now(),
        Some(text) => match parse_time(text) {
            Some(t) => t,
            None => {
                return super::usage_error(format!(
                    "score: --now {text:?} is not a date; use RFC 3339 (2026-01-31T12:00:00Z) or YYYY-MM-DD"
                ))
            }
        },
    };
    let reference_avatar = match &identity.avatar {
        None => None,
        Some(path) => match read_avatar(path, avatar::fingerprint_reference) {
            Ok(fp) => Some(fp),
            Err(why) => {
                return super::usage_error(format!(
                    "score: the identity's avatar {} cannot be used: {why}. Fix the \"avatar\" path in {} or remove it",
                    path.display(),
                    args.identity.display()
                ))
            }
        },
    };
    let file = match File::open(&args.candidates) {
        Ok(f) => f,
        Err(e) => {
            return super::usage_error(format!(
                "score: cannot read candidates file {}: {e}",
                args.candidates.display()
            ))
        }
    };
    if file.metadata().is_ok_and(|m| m.is_dir()) {
        return super::usage_error(format!(
            "score: candidates path {} is a directory; give a JSON-lines file",
            args.candidates.display()
        ));
    }
    let base = args
        .candidates
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_default();
    let detector = Detector::new(identity, reference_avatar);

    let mut out = super::out::Out::stdout();
    let mut reader = BufReader::new(file);
    let mut buf = Vec::new();
    let mut line_no = 0usize;
    let mut failed = false;
    loop {
        buf.clear();
        let read = match (&mut reader)
            .take(MAX_LINE_BYTES as u64 + 1)
            .read_until(b'\n', &mut buf)
        {
            Ok(n) => n,
            Err(e) => {
                eprintln!(
                    "doppelwatch: score: reading {} failed after line {line_no}: {e}",
                    args.candidates.display()
                );
                failed = true;
                break;
            }
        };
        if read == 0 {
            break;
        }
        line_no += 1;
        let mut stop_after = None;
        let line_result = if buf.len() > MAX_LINE_BYTES && !buf.ends_with(b"\n") {
            // Skip the rest of the over-long line without keeping it; a "line" that does not
            // end (`/dev/zero`) stops the run once it has cost MAX_SKIP_BYTES of reading.
            match skip_line(&mut reader, MAX_SKIP_BYTES) {
                Ok(true) => {}
                Ok(false) => {
                    stop_after = Some(format!(
                        "line {line_no} did not end within {} MiB; stopped reading (is it a JSON-lines file?)",
                        MAX_SKIP_BYTES >> 20
                    ))
                }
                Err(e) => stop_after = Some(format!("reading failed after line {line_no}: {e}")),
            }
            Err((None, format!("line {line_no} is longer than 1 MiB")))
        } else {
            read_candidate(&buf, line_no, &base)
        };
        let written = match line_result {
            Ok(candidate) => {
                let mut extra = Vec::new();
                let fingerprint = candidate.avatar.as_ref().and_then(|path| {
                    match read_avatar(path, avatar::fingerprint) {
                        Ok(fp) => Some(fp),
                        Err(why) => {
                            extra.push(Reason {
                                signal: Signal::Avatar,
                                detail: format!(
                                    "avatar {} was not compared: {why}",
                                    path.display()
                                ),
                            });
                            None
                        }
                    }
                });
                let mut assessment = detector.assess(&candidate.profile, fingerprint.as_ref(), now);
                assessment.reasons.extend(extra);
                write_json(
                    &mut out,
                    &Scored {
                        id: &candidate.id,
                        verdict: assessment.verdict.as_str(),
                        score: assessment.score,
                        reasons: &assessment.reasons,
                    },
                )
            }
            Err((id, error)) => {
                failed = true;
                write_json(
                    &mut out,
                    &Failed {
                        id: id.as_ref(),
                        error,
                    },
                )
            }
        };
        if written.is_err() {
            // The output failed: closed (`| head`, quietly) or full (said by `out`).
            return out.failed().unwrap_or(super::out::EXIT_OUTPUT_FAILED);
        }
        if let Some(why) = stop_after {
            eprintln!("doppelwatch: score: {}: {why}", args.candidates.display());
            break;
        }
    }
    if let Err(status) = out.finish() {
        return status;
    }
    i32::from(failed)
}

/// Reads and drops bytes up to and including the next newline, at most `limit` bytes.
/// Ok(true) when the newline (or the end of the input) was reached, Ok(false) when `limit`
/// bytes went by without one. Nothing is kept: memory stays at the reader's buffer.
fn skip_line(reader: &mut impl BufRead, limit: u64) -> std::io::Result<bool> {
    let mut skipped = 0u64;
    loop {
        let chunk = match reader.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(true);
        }
        if let Some(at) = memchr::memchr(b'\n', chunk) {
            reader.consume(at + 1);
            return Ok(true);
        }
        let n = chunk.len();
        reader.consume(n);
        skipped += n as u64;
        if skipped >= limit {
            return Ok(false);
        }
    }
}

fn write_json<T: Serialize>(out: &mut impl Write, value: &T) -> std::io::Result<()> {
    serde_json::to_writer(&mut *out, value).map_err(std::io::Error::other)?;
    out.write_all(b"\n")
}

/// Reads and fingerprints an avatar file, bounded in size, with `fingerprint` (the reference
/// form set for the person's own avatar, the plain one for candidates).
fn read_avatar(
    path: &Path,
    fingerprint: fn(&[u8]) -> Result<AvatarFingerprint, avatar::AvatarError>,
) -> Result<AvatarFingerprint, String> {
    // A FIFO or a device given as an image would block or never end: regular files only.
    let bytes = doppelwatch::files::input::read_regular(path, MAX_AVATAR_BYTES)
        .map_err(|e| e.to_string())?;
    fingerprint(&bytes).map_err(|e| e.to_string())
}

type LineError = (Option<Value>, String);

/// Parses one candidate line; the error carries the id when it could be read.
fn read_candidate(raw: &[u8], line_no: usize, base: &Path) -> Result<Candidate, LineError> {
    let mut raw = raw;
    if line_no == 1 {
        raw = raw.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(raw);
    }
    let text = std::str::from_utf8(raw)
        .map_err(|_| (None, format!("line {line_no} is not valid UTF-8")))?;
    let text = text.trim_end_matches(['\n', '\r']);
    if text.trim().is_empty() {
        return Err((None, format!("line {line_no} is blank")));
    }
    let value: Value = serde_json::from_str(text)
        .map_err(|e| (None, format!("line {line_no} is not valid JSON: {e}")))?;
    let Value::Object(obj) = value else {
        return Err((None, format!("line {line_no} is not a JSON object")));
    };
    let id = match obj.get("id") {
        None | Some(Value::Null) => {
            return Err((None, format!("line {line_no}: field id is missing")));
        }
        Some(v @ (Value::String(_) | Value::Number(_))) => v.clone(),
        Some(other) => {
            return Err((
                Some(other.clone()),
                format!("line {line_no}: field id must be a string or a number"),
            ))
        }
    };
    let fail = |msg: String| (Some(id.clone()), format!("line {line_no}: {msg}"));
    let handle = match text_field(&obj, &["handle", "username", "acct"]).map_err(&fail)? {
        Some(h) if !h.trim().is_empty() => h,
        _ => return Err(fail("field handle is missing or empty".into())),
    };
    let platform = match text_field(&obj, &["platform"]).map_err(&fail)? {
        Some(p) if !p.trim().is_empty() => Platform::parse(&p),
        _ => Platform::Other(String::new()),
    };
    let display_name = text_field(&obj, &["display_name", "displayName", "name"]).map_err(&fail)?;
    let bio = text_field(&obj, &["bio", "description", "note"]).map_err(&fail)?;
    let created_at = match text_or_number(&obj, &["created_at", "createdAt"]) {
        None => None,
        Some(Value::Number(n)) => n
            .as_i64()
            .and_then(|secs| DateTime::from_timestamp(secs, 0))
            .map(Some)
            .ok_or_else(|| fail("field created_at is not a valid Unix time".into()))?,
        Some(Value::String(s)) => Some(parse_time(&s).ok_or_else(|| {
            fail(format!(
                "field created_at {s:?} is not a date (use RFC 3339 such as 2026-01-31T12:00:00Z, or YYYY-MM-DD)"
            ))
        })?),
        Some(_) => return Err(fail("field created_at must be a string".into())),
    };
    let followers = match text_or_number(&obj, &["followers", "followers_count", "followersCount"])
    {
        None => None,
        Some(Value::Number(n)) => Some(
            n.as_u64()
                .or_else(|| n.as_f64().filter(|f| *f >= 0.0).map(|f| f as u64))
                .ok_or_else(|| fail("field followers must be a non-negative number".into()))?,
        ),
        Some(Value::String(s)) => Some(
            s.trim()
                .replace(',', "")
                .parse::<u64>()
                .map_err(|_| fail(format!("field followers {s:?} is not a number")))?,
        ),
        Some(_) => return Err(fail("field followers must be a number".into())),
    };
    let labels = match obj.get("labels") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(|v| match v {
                Value::String(s) => Some(s.clone()),
                // Bluesky label objects carry the label in "val".
                Value::Object(o) => o.get("val").and_then(Value::as_str).map(str::to_string),
                _ => None,
            })
            .collect(),
        Some(_) => return Err(fail("field labels must be a list of strings".into())),
    };
    let avatar = match text_field(&obj, &["avatar"]).map_err(&fail)? {
        Some(p) if !p.trim().is_empty() => {
            let p = PathBuf::from(p);
            Some(if p.is_absolute() { p } else { base.join(p) })
        }
        _ => None,
    };
    Ok(Candidate {
        id: id.clone(),
        profile: Profile {
            platform,
            handle,
            display_name,
            bio,
            created_at,
            followers,
            labels,
            ..Profile::default()
        },
        avatar,
    })
}

/// The first of `keys` present as a string (null counts as absent); a wrong type is an error.
fn text_field(obj: &Map<String, Value>, keys: &[&str]) -> Result<Option<String>, String> {
    for key in keys {
        match obj.get(*key) {
            None | Some(Value::Null) => continue,
            Some(Value::String(s)) => return Ok(Some(s.clone())),
            Some(Value::Number(n)) if *key != "avatar" => return Ok(Some(n.to_string())),
            Some(_) => return Err(format!("field {key} must be a string")),
        }
    }
    Ok(None)
}

fn text_or_number(obj: &Map<String, Value>, keys: &[&str]) -> Option<Value> {
    keys.iter()
        .filter_map(|k| obj.get(*k))
        .find(|v| !v.is_null())
        .cloned()
}

/// RFC 3339, `YYYY-MM-DD`, or `YYYY-MM-DD HH:MM:SS` (UTC).
fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    let text = text.trim();
    if let Ok(t) = DateTime::parse_from_rfc3339(text) {
        return Some(t.with_timezone(&Utc));
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%d %H:%M:%S") {
        return Some(t.and_utc());
    }
    if let Ok(t) = NaiveDateTime::parse_from_str(text, "%Y-%m-%dT%H:%M:%S") {
        return Some(t.and_utc());
    }
    NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.and_hms_opt(0, 0, 0))
        .map(|t| t.and_utc())
}
