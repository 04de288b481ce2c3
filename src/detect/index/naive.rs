//! The naive baseline of `scan-handles --naive`, for the benchmark only: Damerau-Levenshtein of
//! every handle against every identity's handles. It never judges anything for real.

use std::io::{self, Write};

use super::{core_of, HandleMatch, ScanStats, MAX_LINE};
use crate::detect::{Reason, Signal, Verdict};
use crate::identity::Identity;

/// The naive baseline for benchmarks: Damerau-Levenshtein (strsim) of every handle against
/// every identity handle, at most one edit. Only `scripts/bench-scan-handles` uses it.
pub struct NaiveScanner {
    cores: Vec<(usize, String)>,
    names: Vec<String>,
}

impl NaiveScanner {
    pub fn new(identities: &[Identity]) -> NaiveScanner {
        let mut cores = Vec::new();
        for (i, identity) in identities.iter().enumerate() {
            for h in &identity.handles {
                let (core, _) = core_of(h.handle.as_bytes());
                cores.push((i, String::from_utf8_lossy(core).to_lowercase()));
            }
        }
        NaiveScanner {
            cores,
            names: identities.iter().map(|i| i.name.clone()).collect(),
        }
    }

    /// Scans `input` line by line (a `String` per line, a loop over all identities).
    pub fn scan_stream<R: io::BufRead, W: Write>(
        &self,
        input: R,
        output: W,
    ) -> io::Result<ScanStats> {
        use io::{BufRead as _, Read as _};
        let mut out = io::BufWriter::new(output);
        let mut stats = ScanStats::default();
        let mut input = input;
        let mut line = Vec::new();
        loop {
            line.clear();
            // Bounded like the index's scan: a "line" longer than MAX_LINE is no handle and is
            // dropped up to its newline without being kept.
            let n = (&mut input)
                .take(MAX_LINE as u64 + 1)
                .read_until(b'\n', &mut line)?;
            if n == 0 {
                break;
            }
            if line.len() > MAX_LINE && line.last() != Some(&b'\n') {
                skip_to_newline(&mut input)?;
                stats.lines += 1;
                stats.skipped += 1;
                continue;
            }
            if line.last() == Some(&b'\n') {
                line.pop();
            }
            stats.lines += 1;
            let Ok(text) = String::from_utf8(std::mem::take(&mut line)) else {
                stats.skipped += 1;
                continue;
            };
            let text = text.trim().trim_start_matches('@').to_string();
            let (core, _) = core_of(text.as_bytes());
            let core = String::from_utf8_lossy(core).to_lowercase();
            for (identity, own) in &self.cores {
                if strsim::damerau_levenshtein(&core, own) <= 1 {
                    stats.matches += 1;
                    let m = HandleMatch {
                        handle: text.clone(),
                        identity: self.names[*identity].clone(),
                        verdict: Verdict::Suspicious,
                        reasons: vec![Reason {
                            signal: Signal::NearHandle,
                            detail: format!("within one edit of {own}"),
                        }],
                    };
                    serde_json::to_writer(&mut out, &m)?;
                    out.write_all(b"\n")?;
                }
            }
        }
        out.flush()?;
        Ok(stats)
    }
}

/// Drops input up to and including the next newline (or the end), keeping nothing.
fn skip_to_newline<R: io::BufRead>(input: &mut R) -> io::Result<()> {
    loop {
        let chunk = match input.fill_buf() {
            Ok(chunk) => chunk,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(());
        }
        if let Some(at) = memchr::memchr(b'\n', chunk) {
            input.consume(at + 1);
            return Ok(());
        }
        let n = chunk.len();
        input.consume(n);
    }
}
