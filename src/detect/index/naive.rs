//! The naive baseline of `scan-handles --naive`, for the benchmark only: Damerau-Levenshtein of
//! every handle against every identity's handles. It never judges anything for real.

use std::io::{self, Write};

use super::{core_of, HandleMatch, ScanStats};
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
        let mut out = io::BufWriter::new(output);
        let mut stats = ScanStats::default();
        for line in input.split(b'\n') {
            let line = line?;
            stats.lines += 1;
            let Ok(text) = String::from_utf8(line) else {
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
