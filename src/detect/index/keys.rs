//! The keys the index compares: look-alikes folded, separators dropped, and the other readings
//! of a key (without merges, `nn` as `m`, digits for letters). Pure functions; no lookups.

use crate::detect::confusables::confusable_skeleton;

/// Per-byte fold of ASCII: lowercase, `I`/`1`/`|` → `l`, `0` → `o`, separators → 0 (dropped).
/// Bytes of non-ASCII UTF-8 pass unchanged. Matches the UTS #39 skeleton of ASCII letters and
/// digits followed by lowercasing (`tests::ascii_fold_agrees_with_uts39`).
const FOLD: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        let c = b as u8;
        t[b] = match c {
            b'I' | b'1' | b'|' => b'l',
            b'0' | b'O' => b'o',
            b'A'..=b'Z' => c + 32,
            b'_' | b'.' | b'-' => 0,
            _ => c,
        };
        b += 1;
    }
    t
};

/// Appends the look-alike key of `s` (ASCII, or the UTF-8 output of a Unicode fold) to `out`:
/// [`FOLD`] per byte, then `rn`→`m`, `vv`→`w`, `cl`→`d` left to right.
#[inline]
pub fn fold_ascii_into(s: &[u8], out: &mut Vec<u8>) -> bool {
    let start = out.len();
    let mut merges = false;
    for &b in s {
        let f = FOLD[b as usize];
        if f == 0 {
            continue;
        }
        if out.len() > start {
            let last = out.len() - 1;
            let merged = match (out[last], f) {
                (b'r', b'n') => b'm',
                (b'v', b'v') => b'w',
                (b'c', b'l') => b'd',
                _ => 0,
            };
            if merged != 0 {
                out[last] = merged;
                merges = true;
                continue;
            }
        }
        out.push(f);
    }
    merges
}

/// The key of ASCII `s` without the `rn`/`vv`/`cl` merges: an edit that creates or breaks such
/// a pair (`Wenzel` → `Wenzcl`, e for c) is one edit here but two on the merged key.
#[inline]
pub fn fold_ascii_unmerged_into(s: &[u8], out: &mut Vec<u8>) {
    out.extend(s.iter().map(|&b| FOLD[b as usize]).filter(|&f| f != 0));
}

/// Positions of `nn` in `key` (overlapping ones included): each may be a weak look-alike of
/// `m` that UTS #39 does not list. Read one at a time: `knninnix` is `kminnix` or `knnimix`.
pub(super) fn nn_positions(key: &[u8]) -> impl Iterator<Item = usize> + '_ {
    key.windows(2)
        .enumerate()
        .filter(|(_, w)| w[0] == b'n' && w[1] == b'n')
        .map(|(i, _)| i)
}

/// `key` with the `nn` at `pos` read as `m`, into `out` (cleared first).
pub(super) fn nn_as_m_at(key: &[u8], pos: usize, out: &mut Vec<u8>) {
    out.clear();
    out.extend_from_slice(&key[..pos]);
    out.push(b'm');
    out.extend_from_slice(&key[pos + 2..]);
}

/// Appends the look-alike key of any string to `out` (slow path for non-ASCII handles): the
/// detector's [`confusable_skeleton`] (UTS #39 plus case, diacritics, fullwidth, invisible
/// characters), then the same separator drop and merges as the ASCII path, so a handle and the
/// detector agree on what looks the same.
pub fn fold_unicode_into(s: &str, out: &mut Vec<u8>) {
    let _ = fold_ascii_into(confusable_skeleton(s).as_bytes(), out);
}

/// The look-alike key of `s` as a string.
pub fn handle_key(s: &str) -> String {
    let mut out = Vec::with_capacity(s.len());
    if s.is_ascii() {
        let _ = fold_ascii_into(s.as_bytes(), &mut out);
    } else {
        fold_unicode_into(s, &mut out);
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// What [`leet_into`] reads each byte as.
const LEET: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut b = 0;
    while b < 256 {
        t[b] = match b as u8 {
            b'3' => b'e',
            b'4' | b'@' => b'a',
            b'5' | b'$' => b's',
            b'7' => b't',
            b'8' | b'6' => b'b',
            b'9' | b'q' => b'g',
            b'i' | b'!' => b'l',
            other => other,
        };
        b += 1;
    }
    t
};

/// The key with digits and symbols written for letters read back, and the letter pairs fonts
/// draw alike made one (`i`/`l`, `q`/`g`), into `out` (cleared first).
pub(super) fn leet_into(key: &[u8], out: &mut Vec<u8>) {
    out.clear();
    out.extend(key.iter().map(|&b| LEET[b as usize]));
}
