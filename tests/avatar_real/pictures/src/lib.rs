//! Draws the pictures of the real-asset avatar evaluation (tests/avatar_real_eval.rs): the
//! originals from packages' assets (sources.rs), the copies an impostor makes (transforms.rs),
//! and the stable hash and generator that pick the split and the copies' parameters.
//!
//! Owns making pictures only: it never calls the detector (the test does) and never fetches
//! anything; a missing asset panics with what to install. Test-only, never published.

pub mod sources;
pub mod transforms;

pub use sources::{defaults, originals, DefaultPicture, Original, Split};
pub use transforms::{copy, png, Stickers, KINDS};

/// The kinds of picture people use as avatars.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
pub enum Class {
    Photo,
    Illustration,
    Logo,
}

pub const CLASSES: [Class; 3] = [Class::Photo, Class::Illustration, Class::Logo];

impl Class {
    pub fn name(self) -> &'static str {
        match self {
            Class::Photo => "photo",
            Class::Illustration => "illustration",
            Class::Logo => "logo",
        }
    }
}

/// FNV-1a with a final mix, 64 bits: stable across machines, Rust versions and runs (unlike
/// std's hasher), so the split and every drawn parameter stay the same.
pub fn stable_hash(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    // splitmix64's finaliser, so that neighbouring names spread over the whole range
    h = (h ^ (h >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    h = (h ^ (h >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    h ^ (h >> 31)
}

/// splitmix64: a small, stable generator for the copies' parameters.
pub struct Rng(u64);

impl Rng {
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }

    /// Uniform in 0..n (n > 0).
    pub fn below(&mut self, n: u64) -> u64 {
        self.next_u64() % n
    }

    /// Uniform in [lo, hi).
    pub fn range(&mut self, lo: f32, hi: f32) -> f32 {
        lo + (hi - lo) * ((self.next_u64() >> 40) as f32 / (1u64 << 24) as f32)
    }
}
