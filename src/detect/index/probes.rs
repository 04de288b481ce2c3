//! The probes of one index lookup: the table keys of a scanned key as it is, with each byte
//! deleted and with each pair of bytes deleted, kept only when the bit filter lets them pass.
//! Pure arithmetic on the key and the filter; never touches the table, never allocates once
//! its buffers have grown.
//!
//! The hashes are the same polynomial hashes the index is built with ([`super::prefix_hashes`]):
//! `hash(s) = Σ s[k]·BASE^(len-1-k)` modulo 2^64. From the suffix sums
//! `S[k] = Σ_{m≥k} s[m]·BASE^(n-1-m)` of the whole key and `t[j] = S[j+1] - S[j]·BASE⁻¹`
//! (BASE is odd, so it has an inverse modulo 2^64), the key without byte `i` hashes to
//! `d(i) = S[0]·BASE⁻¹ + t[i]`, and without bytes `i < j` to `d(i)·BASE⁻¹ + t[j]`: one
//! multiply-add per probe. The filter pass is branch-free (each probe's key is written and the
//! count advances only when its bit is set), so the filter's cache misses overlap instead of
//! waiting on one another.

use super::{filter_bit, table_key, Filter, BASE};

/// The inverse of [`BASE`] modulo 2^64 (Newton's iteration doubles the correct bits each step:
/// an odd number is its own inverse to 3 bits, six steps give 192).
const BASE_INV: u64 = {
    let mut x = BASE;
    let mut step = 0;
    while step < 6 {
        x = x.wrapping_mul(2u64.wrapping_sub(BASE.wrapping_mul(x)));
        step += 1;
    }
    x
};

/// Reusable buffers of [`Probes::collect`].
#[derive(Default)]
pub(super) struct Probes {
    /// `t[j]` of the key being probed.
    tail: Vec<u64>,
    /// `d(i)·BASE⁻¹` of the key being probed.
    head: Vec<u64>,
    /// The table keys that passed the filter (the first `count` of them).
    keys: Vec<u64>,
}

impl Probes {
    /// Table keys of `key`, of its one-byte deletions when `singles` and of its two-byte
    /// deletions when `pairs`, that pass `filter`. `key` is at most `MAX_EDIT_LEN + 2` bytes.
    pub(super) fn collect(
        &mut self,
        key: &[u8],
        singles: bool,
        pairs: bool,
        filter: &Filter,
    ) -> &[u64] {
        let n = key.len();
        if n > super::MAX_EDIT_LEN + 2 {
            return &[];
        }
        let singles = singles && n >= 1;
        let pairs = pairs && singles && n >= 2;
        let most = 1 + if singles { n } else { 0 } + if pairs { n * n / 2 } else { 0 };
        if self.keys.len() < most {
            self.keys.resize(most, 0);
        }
        self.tail.clear();
        self.head.clear();
        // Suffix sums, from the end: `suffix` is S[k] and `next` S[k+1].
        let mut tail_rev = [0u64; super::MAX_EDIT_LEN + 2];
        let mut suffix = 0u64;
        let mut power = 1u64;
        for (k, &b) in key.iter().enumerate().rev() {
            let next = suffix;
            suffix = suffix.wrapping_add((b as u64).wrapping_mul(power));
            power = power.wrapping_mul(BASE);
            tail_rev[k] = next.wrapping_sub(suffix.wrapping_mul(BASE_INV));
        }
        let whole = suffix;
        let keys = &mut self.keys[..];
        let mut count = 0;
        let mut probe = |k: u64, count: &mut usize| {
            let (word, bit) = filter_bit(k);
            keys[*count] = k;
            *count += usize::from(filter[word] & bit != 0);
        };
        probe(table_key(whole, n), &mut count);
        if !singles {
            return &self.keys[..count];
        }
        let tail = &tail_rev[..n];
        let lead = whole.wrapping_mul(BASE_INV);
        let len1 = table_key(0, n - 1);
        for &t in tail {
            let d = lead.wrapping_add(t);
            probe(d ^ len1, &mut count);
            self.head.push(d.wrapping_mul(BASE_INV));
        }
        if pairs {
            let len2 = table_key(0, n - 2);
            for (i, &h) in self.head.iter().enumerate() {
                for &t in &tail[i + 1..] {
                    probe(h.wrapping_add(t) ^ len2, &mut count);
                }
            }
        }
        &self.keys[..count]
    }
}

#[cfg(test)]
mod tests {
    use super::super::{deletion_hash, pair_deletion_hash, prefix_hashes, FILTER_WORDS};
    use super::*;

    #[test]
    fn base_inverse_is_the_inverse() {
        assert_eq!(BASE.wrapping_mul(BASE_INV), 1);
    }

    /// With every filter bit set, the probes are exactly the full, one-deletion and
    /// two-deletion table keys the index is built with, in order.
    #[test]
    fn probes_are_the_built_deletion_keys() {
        let filter: Box<Filter> = Box::new([u64::MAX; FILTER_WORDS]);
        let mut probes = Probes::default();
        for key in [&b"palmerreport"[..], b"ab", b"x", b"kavorinzelbek12345"] {
            let n = key.len();
            let mut prefix = Vec::new();
            prefix_hashes(key, &mut prefix);
            let mut expected = vec![table_key(prefix[n], n)];
            expected.extend((0..n).map(|i| table_key(deletion_hash(&prefix, i), n - 1)));
            let singles = expected.len();
            for i in 0..n {
                for j in i + 1..n {
                    expected.push(table_key(pair_deletion_hash(&prefix, i, j), n - 2));
                }
            }
            assert_eq!(probes.collect(key, false, false, &filter), &expected[..1]);
            assert_eq!(
                probes.collect(key, true, false, &filter),
                &expected[..singles]
            );
            assert_eq!(probes.collect(key, true, true, &filter), &expected[..]);
        }
    }

    /// Probes whose filter bit is clear are dropped; the others keep their order.
    #[test]
    fn probes_stop_at_the_filter() {
        let key = b"palmerreport";
        let mut all = Probes::default();
        let everything: Box<Filter> = Box::new([u64::MAX; FILTER_WORDS]);
        let every = all.collect(key, true, true, &everything).to_vec();
        let mut filter: Box<Filter> = Box::new([0; FILTER_WORDS]);
        let kept: Vec<u64> = every.iter().copied().step_by(7).collect();
        for &k in &kept {
            let (word, bit) = filter_bit(k);
            filter[word] |= bit;
        }
        let mut probes = Probes::default();
        let got = probes.collect(key, true, true, &filter);
        assert!(kept.iter().all(|k| got.contains(k)), "{got:?}");
        assert!(got.len() < every.len(), "{} of {}", got.len(), every.len());
    }
}
