//! Benchmark of `doppelwatch scan-handles` and `variants` (issue 2, item 7). Run it with
//! `scripts/bench-scan-handles` (or `cargo bench --bench scan_handles`).
//!
//! In one run: generates N synthetic handles (default 5,000,000; deterministic seed; words,
//! names, digits, underscores, Bluesky and Mastodon forms, a few planted look-alikes) and
//! 10,000 identities, then times on the same file
//! - `wc -l` (the I/O floor),
//! - the release `doppelwatch scan-handles` with 1, 100, 1,000 and 10,000 identities,
//! - the naive loop (`--naive`: strsim against every identity's handle) on a subset, scaled per
//!   handle,
//!
//! and prints handles per second (CPU time of the child: user + system, one core) with the
//! ratios against `wc -l`, against one identity and against the naive loop. It also times
//! `variants()` in process. Figures are printed, never asserted.
//!
//! Environment: `BENCH_HANDLES` (count), `BENCH_DIR` (work directory, default a temp dir),
//! `BENCH_RUNS` (runs per measurement, best kept; default 3).

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use doppelwatch::detect::variants::variants;
use doppelwatch::identity::Platform;

/// xorshift64*: deterministic, fast, good enough to pick words.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: usize) -> usize {
        (self.next() % n as u64) as usize
    }
    fn pick<'a>(&mut self, items: &[&'a str]) -> &'a str {
        items[self.below(items.len())]
    }
}

const WORDS: &[&str] = &[
    "sun", "moon", "star", "sky", "blue", "red", "green", "gold", "dark", "light", "happy",
    "lucky", "crazy", "wild", "cool", "hot", "ice", "fire", "storm", "rain", "snow", "cloud",
    "river", "ocean", "sea", "lake", "forest", "tree", "leaf", "rose", "lily", "tiger", "lion",
    "wolf", "fox", "bear", "eagle", "hawk", "raven", "crow", "cat", "dog", "bunny", "panda",
    "koala", "dragon", "ghost", "ninja", "pirate", "king", "queen", "prince", "knight", "wizard",
    "witch", "coffee", "tea", "pizza", "taco", "cookie", "honey", "sugar", "pepper", "salt",
    "lemon", "music", "guitar", "piano", "drum", "song", "dance", "art", "photo", "film", "movie",
    "book", "story", "poet", "writer", "reader", "gamer", "player", "coder", "dev", "tech", "data",
    "cyber", "pixel", "retro", "vintage", "urban", "city", "street", "road", "home", "house",
    "garden", "farm", "mountain", "valley", "desert", "island", "north", "south", "east", "west",
    "daily", "news", "report", "times", "post", "journal", "world", "global", "local", "life",
    "love", "dream", "hope", "soul", "mind", "heart", "spirit", "magic", "mystic", "cosmic",
    "rocket", "space", "planet", "comet", "galaxy", "atom", "quantum", "logic", "vector", "market",
    "trade", "money", "crypto", "stock", "bull", "sport", "soccer", "hockey", "tennis", "golf",
    "runner", "rider", "biker", "hiker", "chef", "baker", "doctor", "nurse", "teacher",
];

const FIRST: &[&str] = &[
    "james",
    "mary",
    "john",
    "patricia",
    "robert",
    "jennifer",
    "michael",
    "linda",
    "william",
    "elizabeth",
    "david",
    "barbara",
    "richard",
    "susan",
    "joseph",
    "jessica",
    "thomas",
    "sarah",
    "charles",
    "karen",
    "chris",
    "nancy",
    "daniel",
    "lisa",
    "matthew",
    "betty",
    "anthony",
    "margaret",
    "mark",
    "sandra",
    "donald",
    "ashley",
    "steven",
    "kimberly",
    "paul",
    "emily",
    "andrew",
    "donna",
    "joshua",
    "michelle",
    "kenneth",
    "dorothy",
    "kevin",
    "carol",
    "brian",
    "amanda",
    "george",
    "melissa",
    "edward",
    "deborah",
    "ronald",
    "stephanie",
    "timothy",
    "rebecca",
    "jason",
    "sharon",
    "jeffrey",
    "laura",
    "ryan",
    "cynthia",
    "jacob",
    "kathleen",
    "gary",
    "amy",
    "nicholas",
    "shirley",
    "eric",
    "angela",
    "jonathan",
    "helen",
    "stephen",
    "anna",
    "larry",
    "brenda",
    "justin",
    "pamela",
    "scott",
    "nicole",
    "brandon",
    "emma",
    "benjamin",
    "samantha",
    "samuel",
    "katherine",
    "gregory",
    "christine",
    "frank",
    "debra",
    "alexander",
    "rachel",
    "raymond",
    "catherine",
    "patrick",
    "carolyn",
    "jack",
    "janet",
    "dennis",
    "ruth",
    "jerry",
    "maria",
    "tyler",
    "heather",
    "aaron",
    "diane",
    "jose",
    "virginia",
];

const LAST: &[&str] = &[
    "smith",
    "johnson",
    "williams",
    "brown",
    "jones",
    "garcia",
    "miller",
    "davis",
    "rodriguez",
    "martinez",
    "hernandez",
    "lopez",
    "gonzalez",
    "wilson",
    "anderson",
    "thomas",
    "taylor",
    "moore",
    "jackson",
    "martin",
    "lee",
    "perez",
    "thompson",
    "white",
    "harris",
    "sanchez",
    "clark",
    "ramirez",
    "lewis",
    "robinson",
    "walker",
    "young",
    "allen",
    "king",
    "wright",
    "scott",
    "torres",
    "nguyen",
    "hill",
    "flores",
    "green",
    "adams",
    "nelson",
    "baker",
    "hall",
    "rivera",
    "campbell",
    "mitchell",
    "carter",
    "roberts",
    "gomez",
    "phillips",
    "evans",
    "turner",
    "diaz",
    "parker",
    "cruz",
    "edwards",
    "collins",
    "reyes",
    "stewart",
    "morris",
    "morales",
    "murphy",
    "cook",
    "rogers",
    "gutierrez",
    "ortiz",
    "morgan",
    "cooper",
    "peterson",
    "bailey",
    "reed",
    "kelly",
    "howard",
    "ramos",
    "kim",
    "cox",
    "ward",
    "richardson",
    "watson",
    "brooks",
    "chavez",
    "wood",
    "james",
    "bennett",
    "gray",
    "mendoza",
    "ruiz",
    "hughes",
    "price",
    "alvarez",
    "castillo",
    "sanders",
    "patel",
    "myers",
    "long",
    "ross",
    "foster",
    "jimenez",
    "palmer",
    "report",
];

const SERVERS: &[&str] = &["mastodon.social", "mas.to", "mstdn.social", "hachyderm.io"];

fn camel(w: &str) -> String {
    let mut c = w.chars();
    c.next()
        .map(|f| f.to_ascii_uppercase().to_string() + c.as_str())
        .unwrap_or_default()
}

/// One realistic handle core.
fn core(rng: &mut Rng) -> String {
    let styled = |rng: &mut Rng, w: &str| {
        if rng.below(10) < 4 {
            camel(w)
        } else {
            w.to_string()
        }
    };
    let mut s = match rng.below(100) {
        0..=29 => {
            let (a, b) = (rng.pick(WORDS), rng.pick(WORDS));
            styled(rng, a) + &styled(rng, b)
        }
        30..=44 => format!("{}_{}", rng.pick(WORDS), rng.pick(WORDS)),
        45..=64 => {
            let (f, l) = (rng.pick(FIRST), rng.pick(LAST));
            match rng.below(4) {
                0 => format!("{f}_{l}"),
                1 => camel(f) + &camel(l),
                2 => format!("{}{l}", &f[..1]),
                _ => format!("{f}{l}"),
            }
        }
        65..=79 => rng.pick(WORDS).to_string(),
        _ => rng.pick(FIRST).to_string(),
    };
    if rng.below(100) < 35 {
        let digits = 1 + rng.below(4);
        for _ in 0..digits {
            s.push((b'0' + rng.below(10) as u8) as char);
        }
    }
    s.truncate(15);
    s
}

const SYLLABLES: &[&str] = &[
    "ka", "vo", "ri", "del", "min", "zor", "vex", "lu", "na", "ther", "quin", "bra", "sto", "mel",
    "dra", "fen", "gal", "hor", "jin", "kel", "mor", "nix", "pra", "quo", "ras", "sil", "tor",
    "ulv", "wen", "yar", "zel", "bek", "cor", "dun", "esk", "fal", "gor", "hal", "isk", "jor",
];

/// A made-up name of two or three syllables ("Kavorin"), standing for a public figure's
/// distinctive name: distinct from the words and first/last names of ordinary handles, so
/// matches are mostly the planted look-alikes, as in a real network.
fn pseudo_name(rng: &mut Rng) -> String {
    let n = 2 + rng.below(2);
    let s: String = (0..n).map(|_| rng.pick(SYLLABLES)).collect();
    camel(&s)
}

/// The identities: "Palmer Report" first, then made-up "First Last" public figures. Returns
/// (identity JSON, X handle) pairs.
fn identities(n: usize) -> Vec<(String, String)> {
    let mut out = vec![(
        r#"{"name":"Palmer Report","handles":[{"platform":"x","handle":"PalmerReport"},{"platform":"bluesky","handle":"palmerreport.com"},{"platform":"mastodon","handle":"PalmerReport@mastodon.social"}]}"#
            .to_string(),
        "PalmerReport".to_string(),
    )];
    let mut rng = Rng(7);
    let mut seen = std::collections::HashSet::new();
    while out.len() < n {
        let (f, l) = (pseudo_name(&mut rng), pseudo_name(&mut rng));
        let x = format!("{f}{l}");
        if x.len() > 15 || !seen.insert(x.to_lowercase()) {
            continue;
        }
        let lower = x.to_lowercase();
        let bsky = if rng.below(2) == 0 {
            format!("{lower}.bsky.social")
        } else {
            format!("{lower}.com")
        };
        let mut json = format!(
            r#"{{"name":"{f} {l}","handles":[{{"platform":"x","handle":"{x}"}},{{"platform":"bluesky","handle":"{bsky}"}}"#
        );
        if rng.below(3) == 0 {
            json.push_str(&format!(
                r#",{{"platform":"mastodon","handle":"{x}@mastodon.social"}}"#
            ));
        }
        json.push_str("]}");
        out.push((json, x));
    }
    out
}

/// Writes `n` handles; every 10,000th is a look-alike of one of the identities (cycling
/// through the first 1, 100, 1,000 or 10,000 so each run has some).
fn generate_handles(path: &Path, n: usize, x_handles: &[String]) -> std::io::Result<()> {
    let mut rng = Rng(42);
    let mut out = BufWriter::new(File::create(path)?);
    let mut planted = 0usize;
    for i in 0..n {
        if i % 10_000 == 5_000 {
            // Cycle through identities 0, 1, 2.. so every identity count sees some attacks.
            let target = &x_handles[planted % x_handles.len()];
            let v = variants(&Platform::X, target, 20);
            if let Some(v) = v.get(planted % v.len().max(1)) {
                writeln!(out, "{}", v.handle)?;
                planted += 1;
                continue;
            }
        }
        let c = core(&mut rng);
        match rng.below(10) {
            0..=5 => writeln!(out, "{c}")?,
            6..=8 => writeln!(out, "{}.bsky.social", c.to_lowercase().replace('_', "-"))?,
            _ => writeln!(out, "{c}@{}", rng.pick(SERVERS))?,
        }
    }
    out.flush()
}

/// CPU time (user + system) of children reaped so far.
fn children_cpu() -> Duration {
    // SAFETY: getrusage only writes into the zeroed struct we pass.
    let usage = unsafe {
        let mut usage: libc::rusage = std::mem::zeroed();
        libc::getrusage(libc::RUSAGE_CHILDREN, &mut usage);
        usage
    };
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, t.tv_usec as u32 * 1000);
    tv(usage.ru_utime) + tv(usage.ru_stime)
}

/// Runs `cmd` with `input` on stdin; returns (best CPU time, best wall time, stdout lines).
fn measure(
    mut make: impl FnMut() -> Command,
    input: &Path,
    runs: usize,
) -> (Duration, Duration, usize) {
    let mut best_cpu = Duration::MAX;
    let mut best_wall = Duration::MAX;
    let mut lines = 0;
    for _ in 0..runs {
        let before = children_cpu();
        let start = Instant::now();
        let out = make()
            .stdin(File::open(input).expect("open input"))
            .stderr(Stdio::inherit())
            .output()
            .expect("run command");
        let wall = start.elapsed();
        let cpu = children_cpu() - before;
        assert!(out.status.success(), "{:?}", out.status);
        lines = out.stdout.iter().filter(|&&b| b == b'\n').count();
        best_cpu = best_cpu.min(cpu);
        best_wall = best_wall.min(wall);
    }
    (best_cpu, best_wall, lines)
}

fn first_lines(src: &Path, dst: &Path, n: usize) -> std::io::Result<()> {
    let text = std::fs::read(src)?;
    let end = text
        .iter()
        .enumerate()
        .filter(|(_, &b)| b == b'\n')
        .nth(n - 1)
        .map_or(text.len(), |(i, _)| i + 1);
    std::fs::write(dst, &text[..end])
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --all-targets` runs this binary without it, and
    // a multi-minute benchmark has no place in a test run.
    if !std::env::args().any(|a| a == "--bench") {
        println!("scan_handles bench: run it with scripts/bench-scan-handles (cargo bench)");
        return;
    }
    let n: usize = std::env::var("BENCH_HANDLES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(5_000_000);
    let runs: usize = std::env::var("BENCH_RUNS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(3);
    let tmp;
    let dir: PathBuf = match std::env::var("BENCH_DIR") {
        Ok(d) => PathBuf::from(d),
        Err(_) => {
            tmp = tempfile::tempdir().expect("temp dir");
            tmp.path().to_path_buf()
        }
    };
    std::fs::create_dir_all(&dir).expect("bench dir");
    let bin = env!("CARGO_BIN_EXE_doppelwatch");

    // --- variants, in process
    let t = Instant::now();
    let mut count = 0usize;
    let calls = 300;
    for _ in 0..calls {
        count += variants(&Platform::X, "PalmerReport", 200).len();
        count += variants(&Platform::Bluesky, "palmerreport.com", 200).len();
        count += variants(&Platform::Mastodon, "PalmerReport@mastodon.social", 200).len();
    }
    let per_call = t.elapsed() / (3 * calls as u32);
    println!(
        "variants(): {:.1} µs per call (limit 200; {} variants per call on average; x, bluesky, mastodon)",
        per_call.as_secs_f64() * 1e6,
        count / (3 * calls)
    );

    // --- data
    let all_ids = identities(10_000);
    let x_handles: Vec<String> = all_ids.iter().map(|(_, x)| x.clone()).collect();
    let handles = dir.join("handles.txt");
    let t = Instant::now();
    generate_handles(&handles, n, &x_handles).expect("generate handles");
    let size = std::fs::metadata(&handles).map(|m| m.len()).unwrap_or(0);
    println!(
        "generated {n} handles ({:.1} MB) in {:.1} s: {}",
        size as f64 / 1e6,
        t.elapsed().as_secs_f64(),
        handles.display()
    );
    let id_dir = dir.join("identities");
    std::fs::create_dir_all(&id_dir).expect("identity dir");
    let ids: Vec<PathBuf> = all_ids
        .into_iter()
        .enumerate()
        .map(|(i, (json, _))| {
            let p = id_dir.join(format!("{i:05}.json"));
            std::fs::write(&p, json).expect("write identity");
            p
        })
        .collect();
    let empty = dir.join("empty.txt");
    std::fs::write(&empty, b"").expect("empty input");

    // --- wc -l: the I/O floor
    let (wc_cpu, wc_wall, _) = measure(
        || {
            let mut c = Command::new("wc");
            c.arg("-l");
            c
        },
        &handles,
        runs,
    );
    let rate = |d: Duration, lines: usize| lines as f64 / d.as_secs_f64().max(1e-9);
    let wc_rate = rate(wc_cpu, n);
    println!(
        "\n{:<34} {:>9} {:>9} {:>14} {:>9} {:>9} {:>9} {:>8}",
        "run", "cpu s", "wall s", "handles/s", "vs wc", "vs 1 id", "vs naive", "matches"
    );
    println!(
        "{:<34} {:>9.3} {:>9.3} {:>14.0} {:>9} {:>9} {:>9} {:>8}",
        "wc -l",
        wc_cpu.as_secs_f64(),
        wc_wall.as_secs_f64(),
        wc_rate,
        "1.00",
        "",
        "",
        ""
    );

    let mut one_id_rate = 0.0;
    for k in [1usize, 100, 1_000, 10_000] {
        let scan_cmd = |naive: bool| {
            let ids = &ids[..k];
            move || {
                let mut c = Command::new(bin);
                c.arg("scan-handles");
                if naive {
                    c.arg("--naive");
                }
                for p in ids {
                    c.arg("--identity").arg(p);
                }
                c
            }
        };
        // Setup (loading identities, building the index) measured on empty input and reported
        // apart, so handles/s is the streaming rate.
        let (setup_cpu, _, _) = measure(scan_cmd(false), &empty, runs);
        let (cpu, wall, matches) = measure(scan_cmd(false), &handles, runs);
        let stream = cpu.saturating_sub(setup_cpu);
        let r = rate(stream, n);
        if k == 1 {
            one_id_rate = r;
        }
        // Naive on a subset sized to take seconds, not minutes; scaled per handle.
        let subset = (4_000_000 / (k * 3)).clamp(2_000, n);
        let sub_path = dir.join(format!("subset-{subset}.txt"));
        first_lines(&handles, &sub_path, subset).expect("subset");
        let (naive_setup, _, _) = measure(scan_cmd(true), &empty, 1);
        let (naive_cpu, _, _) = measure(scan_cmd(true), &sub_path, 1);
        let naive_rate = rate(naive_cpu.saturating_sub(naive_setup), subset);
        println!(
            "{:<34} {:>9.3} {:>9.3} {:>14.0} {:>9.2} {:>9.2} {:>9.1} {:>8}",
            format!("scan-handles, {k} identities"),
            cpu.as_secs_f64(),
            wall.as_secs_f64(),
            r,
            wc_rate / r,
            one_id_rate / r,
            r / naive_rate,
            matches
        );
        println!(
            "{:<34} {:>9.3} {:>9} {:>14.0}   (setup {:.3} s cpu; naive on the first {subset} handles)",
            format!("  naive, {k} identities"),
            naive_cpu.as_secs_f64(),
            "",
            naive_rate,
            setup_cpu.as_secs_f64()
        );
    }
    println!(
        "\nvs wc: scan time / wc -l time; vs 1 id: time per handle relative to one identity; \
         vs naive: speed-up over the strsim loop. handles/s = handles / (cpu - setup cpu), one core."
    );
}
