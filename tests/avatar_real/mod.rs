//! The real-asset avatar evaluation (issue 9, items 1 and 5), written without reading the
//! detector: pictures nobody on the team drew and the copies an impostor makes of them (the
//! avatar-real-pictures crate in pictures/), and the figures the detector must reach on them
//! (this file and report.rs). Only the public API is used: `fingerprint_reference` for the person's own
//! picture, `fingerprint` for an account's picture, `compare`.
//!
//! Owns building and scoring the sets; it never changes the detector and never lowers a bound:
//! the bounds come from the test file.

pub mod report;

use doppelwatch::detect::avatar::{compare, fingerprint, fingerprint_reference, AvatarFingerprint};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Instant;

use avatar_real_pictures::{sources, transforms, Stickers, KINDS};
pub use avatar_real_pictures::{Class, Split, CLASSES};

/// What a set must reach; the test file sets them.
pub struct Bounds {
    /// Fewest originals per class in the set (an empty or shrunken set fails).
    pub min_originals_per_class: usize,
    /// Least share of copies matched, in every class and every kind of copy (each cell of
    /// the table).
    pub min_copies_matched: f64,
    /// Least share of copies matched per class, over all kinds of copy (one per class, in the
    /// order of `CLASSES`).
    pub min_copies_matched_per_class: [f64; 3],
    /// Least share of copies matched per kind of copy, over all classes.
    pub min_copies_matched_per_kind: f64,
    /// Highest share of false matches among distinct pictures of one class.
    pub max_false_matches: f64,
}

/// One picture as the detector sees it: as the person's own picture, as an account's picture,
/// and every copy of it as an account's picture. `None` is a fingerprint error.
pub struct Fingerprints {
    pub id: String,
    pub class: Option<Class>,
    pub reference: Option<AvatarFingerprint>,
    pub plain: Option<AvatarFingerprint>,
    pub copies: Vec<Option<AvatarFingerprint>>,
}

fn fingerprints(
    id: &str,
    class: Option<Class>,
    img: &image::RgbImage,
    stickers: &Stickers,
    cpu: &Cpu,
) -> Fingerprints {
    let t = thread_cpu_us();
    let own = transforms::png(img);
    cpu.making.fetch_add(thread_cpu_us() - t, Ordering::Relaxed);
    dump(id, "original", &own);
    let t = thread_cpu_us();
    let reference = fingerprint_reference(&own).ok();
    let plain = fingerprint(&own).ok();
    cpu.fingerprinting
        .fetch_add(thread_cpu_us() - t, Ordering::Relaxed);
    let copies = (0..KINDS.len())
        .map(|k| {
            let t = thread_cpu_us();
            let bytes = transforms::copy(k, id, img, stickers);
            cpu.making.fetch_add(thread_cpu_us() - t, Ordering::Relaxed);
            dump(id, KINDS[k], &bytes);
            let t = thread_cpu_us();
            let fp = fingerprint(&bytes).ok();
            cpu.fingerprinting
                .fetch_add(thread_cpu_us() - t, Ordering::Relaxed);
            fp
        })
        .collect();
    Fingerprints {
        id: id.to_string(),
        class,
        reference,
        plain,
        copies,
    }
}

/// With AVATAR_REAL_DUMP=DIR, writes a picture there to look at (DIR/<id>/<kind>.png|jpg).
fn dump(id: &str, kind: &str, bytes: &[u8]) {
    let Some(dir) = std::env::var_os("AVATAR_REAL_DUMP") else {
        return;
    };
    let safe = |s: &str| {
        s.replace(
            |c: char| !c.is_ascii_alphanumeric() && c != '-' && c != '.',
            "_",
        )
    };
    let folder = std::path::Path::new(&dir).join(safe(id));
    let ext = if bytes.starts_with(&[0xff, 0xd8]) {
        "jpg"
    } else {
        "png"
    };
    let written = std::fs::create_dir_all(&folder)
        .and_then(|()| std::fs::write(folder.join(format!("{}.{ext}", safe(kind))), bytes));
    if let Err(e) = written {
        panic!("AVATAR_REAL_DUMP {}: {e}", folder.display());
    }
}

/// CPU time one set spent making copies and fingerprinting them, in microseconds (information
/// only: the wall time depends on what else the machine runs).
#[derive(Default)]
struct Cpu {
    making: AtomicUsize,
    fingerprinting: AtomicUsize,
}

/// This thread's CPU time in microseconds (0 where the clock is not there).
fn thread_cpu_us() -> usize {
    #[cfg(unix)]
    {
        let mut t = libc::timespec {
            tv_sec: 0,
            tv_nsec: 0,
        };
        // SAFETY: clock_gettime only writes the timespec we own.
        if unsafe { libc::clock_gettime(libc::CLOCK_THREAD_CPUTIME_ID, &mut t) } == 0 {
            return t.tv_sec as usize * 1_000_000 + t.tv_nsec as usize / 1000;
        }
    }
    0
}

/// Maps `f` over `items` on every core (the order is kept).
pub fn par_map<T: Sync, R: Send>(items: &[T], f: impl Fn(&T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map(|n| n.get())
        .unwrap_or(1)
        .min(8);
    let next = AtomicUsize::new(0);
    let mut done: Vec<(usize, R)> = std::thread::scope(|s| {
        let workers: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut out = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(item) = items.get(i) else { break };
                        out.push((i, f(item)));
                    }
                    out
                })
            })
            .collect();
        workers
            .into_iter()
            .flat_map(|w| w.join().expect("worker thread"))
            .collect()
    });
    done.sort_by_key(|(i, _)| *i);
    done.into_iter().map(|(_, r)| r).collect()
}

/// Builds the set of `split`, scores it, prints the tables and asserts `bounds`.
pub fn evaluate(split: Split, bounds: &Bounds) {
    let started = Instant::now();
    let npm = sources::npm_dir();
    let stickers = Stickers::load(&npm);
    let originals = sources::originals(split);
    let defaults = sources::defaults();
    let drawn = started.elapsed();
    let cpu = Cpu::default();
    let people = par_map(&originals, |o| {
        fingerprints(&o.id, Some(o.class), &o.image, &stickers, &cpu)
    });
    let default_fps = par_map(&defaults, |d| {
        fingerprints(&d.id, None, &d.image, &stickers, &cpu)
    });
    let built = started.elapsed();

    let scores = report::score(&people, &default_fps);
    let lines = report::render(split, &scores, built, started.elapsed());
    println!("{lines}");
    // each picture: as the person's, as an account's, and its copies as accounts'
    let pictures = (people.len() + default_fps.len()) * (KINDS.len() + 2);
    let fingerprinting = cpu.fingerprinting.load(Ordering::Relaxed) as f64 / 1e6;
    println!(
        "  (originals drawn in {:.1} s; CPU time: copies made {:.1} s, {pictures} pictures fingerprinted {:.1} s, {:.1} ms each)",
        drawn.as_secs_f64(),
        cpu.making.load(Ordering::Relaxed) as f64 / 1e6,
        fingerprinting,
        fingerprinting * 1000.0 / pictures as f64
    );
    let failures = report::check(&scores, bounds);
    assert!(
        failures.is_empty(),
        "avatar real-asset {} set misses its bounds:\n  {}\n(tables above; bounds at the top of tests/avatar_real_eval.rs)",
        split.name(),
        failures.join("\n  ")
    );
}

/// Whether the detector calls the account's picture a copy of the person's own.
pub fn matched(reference: &AvatarFingerprint, candidate: &AvatarFingerprint) -> (bool, f32) {
    let m = compare(reference, candidate);
    (m.matched, m.similarity)
}
