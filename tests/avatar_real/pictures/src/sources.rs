//! The original pictures of the real-asset avatar evaluation: photographs, illustrations and
//! logos that packages ship (Debian and npm; README.md beside this file names each source and
//! its licence), and the platforms' default avatars committed beside this file. Every original
//! becomes one opaque `SIDE` x `SIDE` picture: one "person" of the evaluation.
//!
//! Owns finding, choosing and drawing the originals and the dev/holdout split. It never reads
//! the detector and never fetches anything: a missing asset is a failure that says to run
//! `scripts/install-deps --test`, never a smaller set.

use image::{imageops, DynamicImage, Rgb, RgbImage, Rgba, RgbaImage};
use resvg::{tiny_skia, usvg};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::{stable_hash, Class, Rng};

/// Avatars per DiceBear style (10 styles).
const DICEBEAR_PER_STYLE: usize = 3;
/// One Simple Icons brand in this many (of about 3,500) is a logo of the set.
const SIMPLE_ICONS_ONE_IN: u64 = 50;

/// Side of every original, in pixels: what X and Mastodon serve (400x400).
pub const SIDE: u32 = 400;
/// Share of originals (by a stable hash of the name) in the dev set, in percent.
const DEV_PERCENT: u64 = 70;

/// What to do when an asset is missing.
pub const FIX: &str = "run `scripts/install-deps --test` (it installs the Debian packages and the npm assets under tests/avatar_real/npm)";
const GNOME_FACES: &str = "/usr/share/pixmaps/faces";
const PLASMA_AVATARS: &str = "/usr/share/plasma/avatars";
const PLASMA_WALLPAPERS: &str = "/usr/share/wallpapers";
const WORDMARK_FONT: &str = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf";

/// A square crop: (left, top, side) as fractions of the picture's height.
type Crop = (f32, f32, f32);

/// Plasma wallpapers that are photographs, with square crops that share no pixel. Pictures whose halves mirror or repeat
/// each other (the pier, the cups, the facade, the moss) give one crop only, so no two
/// "people" are halves of one symmetric or repeating scene.
const WALLPAPER_CROPS: &[(&str, &[Crop])] = &[
    ("BytheWater", &[(0.3, 0.0, 1.0)]),
    ("ColdRipple", &[(0.3, 0.0, 1.0)]),
    ("ColorfulCups", &[(0.3, 0.0, 1.0)]),
    ("EveningGlow", &[(0.0, 0.2, 0.8), (0.8, 0.2, 0.8)]),
    ("FallenLeaf", &[(0.0, 0.2, 0.8), (0.8, 0.2, 0.8)]),
    ("Grey", &[(0.3, 0.0, 1.0)]),
    ("Kite", &[(0.0, 0.2, 0.8), (0.8, 0.0, 0.8)]),
    ("OneStandsOut", &[(0.3, 0.0, 1.0)]),
    ("Path", &[(0.3, 0.0, 1.0)]),
    ("summer_1am", &[(0.6, 0.0, 1.0)]),
];

/// Which part of the originals a test uses.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Split {
    /// ~70%: the detector's author may look at and tune on these.
    Dev,
    /// ~30%: untouched until the end.
    Holdout,
}

impl Split {
    pub fn name(self) -> &'static str {
        match self {
            Split::Dev => "dev",
            Split::Holdout => "holdout",
        }
    }

    /// Whether the original called `id` (class/source/name) belongs to this split.
    pub fn holds(self, id: &str) -> bool {
        let dev = stable_hash(id.as_bytes()) % 100 < DEV_PERCENT;
        dev == (self == Split::Dev)
    }
}

/// One original picture: one "person" of the evaluation.
pub struct Original {
    pub class: Class,
    /// `source/name`, unique, stable: it picks the split and seeds the transformations.
    pub id: String,
    pub image: RgbImage,
}

/// A platform's default avatar or a near-empty picture.
pub struct DefaultPicture {
    pub id: String,
    pub image: RgbImage,
}

/// Picks and draws the originals of `split`, in a stable order (class, then id).
pub fn originals(split: Split) -> Vec<Original> {
    let npm = npm_dir();
    let fonts = wordmark_fonts();
    let mut out = Vec::new();
    out.extend(photos(split));
    out.extend(konqi(split));
    out.extend(openmoji(split, &npm));
    out.extend(dicebear(split, &npm));
    out.extend(simple_icons(split, &npm, &fonts));
    out.sort_by(|a, b| (a.class, &a.id).cmp(&(b.class, &b.id)));
    out
}

/// The directory of the npm assets (tests/avatar_real/npm/node_modules), or a failure that
/// says how to install them.
pub fn npm_dir() -> PathBuf {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../npm");
    let modules = dir.join("node_modules");
    for package in ["simple-icons", "openmoji", "@dicebear/core"] {
        assert!(
            modules.join(package).join("package.json").is_file(),
            "the npm package {package} is missing in {}: {FIX}",
            modules.display()
        );
    }
    dir
}

fn need_dir(dir: &str, package: &str) -> PathBuf {
    let path = PathBuf::from(dir);
    assert!(
        path.is_dir(),
        "{dir} is missing (Debian package {package}): {FIX}"
    );
    path
}

/// Files of `dir` whose names end with one of `exts`, sorted; symbolic links are skipped (the
/// GNOME faces folder links to its legacy/ pictures, which are listed once from there).
fn files(dir: &Path, exts: &[&str]) -> Vec<PathBuf> {
    let entries =
        std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}: {FIX}", dir.display()));
    let mut out: Vec<PathBuf> = entries
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().map(|t| t.is_file()).unwrap_or(false))
        .map(|e| e.path())
        .filter(|p| {
            let name = p.to_string_lossy().to_lowercase();
            exts.iter().any(|x| name.ends_with(x))
        })
        .collect();
    out.sort();
    out
}

fn file_name(path: &Path) -> String {
    path.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default()
}

fn decode(path: &Path) -> DynamicImage {
    let bytes = std::fs::read(path).unwrap_or_else(|e| panic!("{}: {e}: {FIX}", path.display()));
    image::load_from_memory(&bytes).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Lays a picture with transparency on a solid background.
pub fn flatten(img: &RgbaImage, bg: [u8; 3]) -> RgbImage {
    RgbImage::from_fn(img.width(), img.height(), |x, y| {
        let Rgba([r, g, b, a]) = *img.get_pixel(x, y);
        let a = u32::from(a);
        let mix = |c: u8, k: u8| ((u32::from(c) * a + u32::from(k) * (255 - a) + 127) / 255) as u8;
        Rgb([mix(r, bg[0]), mix(g, bg[1]), mix(b, bg[2])])
    })
}

/// The centred square of a picture at `SIDE` x `SIDE`.
fn square(img: &DynamicImage) -> RgbImage {
    let rgb = flatten(&img.to_rgba8(), [255, 255, 255]);
    let side = rgb.width().min(rgb.height());
    let x = (rgb.width() - side) / 2;
    let y = (rgb.height() - side) / 2;
    let cut = imageops::crop_imm(&rgb, x, y, side, side).to_image();
    imageops::resize(&cut, SIDE, SIDE, imageops::FilterType::Lanczos3)
}

fn photos(split: Split) -> Vec<Original> {
    let mut out = Vec::new();
    let faces = need_dir(GNOME_FACES, "gnome-control-center-data");
    let sources = [
        ("gnome-faces", files(&faces, &[".jpg", ".png"])),
        (
            "gnome-faces-legacy",
            files(&faces.join("legacy"), &[".jpg", ".png"]),
        ),
        (
            "plasma-avatar-photos",
            files(
                &need_dir(PLASMA_AVATARS, "plasma-workspace-data").join("photos"),
                &[".png"],
            ),
        ),
    ];
    for (source, paths) in sources {
        assert!(
            paths.len() >= 10,
            "only {} pictures under {source}: {FIX}",
            paths.len()
        );
        for path in paths {
            let id = format!("photo/{source}/{}", file_name(&path));
            if split.holds(&id) {
                out.push(Original {
                    class: Class::Photo,
                    id,
                    image: square(&decode(&path)),
                });
            }
        }
    }
    let walls = need_dir(PLASMA_WALLPAPERS, "plasma-workspace-wallpapers");
    for (name, crops) in WALLPAPER_CROPS {
        for (n, &(left, top, side)) in crops.iter().enumerate() {
            let id = format!("photo/plasma-wallpaper/{name}-{n}");
            if !split.holds(&id) {
                continue;
            }
            let path = walls.join(name).join("contents/images/2560x1600.jpg");
            let img = decode(&path).to_rgb8();
            let h = img.height() as f32;
            let (x, y, s) = ((left * h) as u32, (top * h) as u32, (side * h) as u32);
            assert!(
                x + s <= img.width() && y + s <= img.height(),
                "crop outside {}",
                path.display()
            );
            let cut = imageops::crop_imm(&img, x, y, s, s).to_image();
            let image = imageops::resize(&cut, SIDE, SIDE, imageops::FilterType::Lanczos3);
            out.push(Original {
                class: Class::Photo,
                id,
                image,
            });
        }
    }
    out
}

/// KDE Plasma's illustrated user pictures (Konqi the dragon in 17 roles), on white.
fn konqi(split: Split) -> Vec<Original> {
    let paths = files(
        &need_dir(PLASMA_AVATARS, "plasma-workspace-data"),
        &[".png"],
    );
    assert!(
        paths.len() >= 10,
        "only {} Konqi pictures: {FIX}",
        paths.len()
    );
    paths
        .into_iter()
        .map(|p| (format!("illustration/konqi/{}", file_name(&p)), p))
        .filter(|(id, _)| split.holds(id))
        .map(|(id, p)| Original {
            class: Class::Illustration,
            id,
            image: square(&decode(&p)),
        })
        .collect()
}

/// OpenMoji animals and a few faces, each on a background colour of its own.
fn openmoji(split: Split, npm: &Path) -> Vec<Original> {
    let dir = npm.join("node_modules/openmoji");
    let list = read_json(&dir.join("data/openmoji.json"));
    let mut out = Vec::new();
    let mut seen = 0;
    for entry in list.as_array().into_iter().flatten() {
        let text = |k: &str| {
            entry
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let (hex, group, sub) = (text("hexcode"), text("group"), text("subgroups"));
        let animal = group == "animals-nature" && sub.starts_with("animal-");
        let face = group == "smileys-emotion" && sub.starts_with("face-");
        if !text("skintone").is_empty() || !(animal || face) {
            continue;
        }
        // Faces differ from each other by a mouth or the eyes only: keep few of them, keep
        // more animals; about 30 in all.
        let keep = stable_hash(format!("openmoji/{hex}").as_bytes()) % if face { 24 } else { 6 };
        if keep != 0 {
            continue;
        }
        seen += 1;
        let id = format!("illustration/openmoji/{hex}");
        if !split.holds(&id) {
            continue;
        }
        let svg = std::fs::read(dir.join("color/svg").join(format!("{hex}.svg")))
            .unwrap_or_else(|e| panic!("openmoji {hex}: {e}: {FIX}"));
        let bg = PALETTE[(stable_hash(id.as_bytes()) % PALETTE.len() as u64) as usize];
        let image = render_svg(&svg, SIDE, 0.8, Some(bg), None);
        out.push(Original {
            class: Class::Illustration,
            id,
            image: flatten(&image, bg),
        });
    }
    assert!(seen >= 20, "only {seen} OpenMoji pictures chosen: {FIX}");
    out
}

/// Background colours for emoji tiles and borders: white, black and common flat colours.
pub const PALETTE: [[u8; 3]; 8] = [
    [255, 255, 255],
    [0, 0, 0],
    [29, 155, 240],
    [255, 214, 0],
    [230, 57, 70],
    [42, 157, 143],
    [244, 162, 97],
    [123, 44, 191],
];

/// DiceBear cartoon avatars (10 styles by named artists), made by tests/avatar_real/npm/dicebear.mjs.
fn dicebear(split: Split, npm: &Path) -> Vec<Original> {
    let script = npm.join("dicebear.mjs");
    let output = std::process::Command::new("node")
        .arg(&script)
        .arg(DICEBEAR_PER_STYLE.to_string())
        .current_dir(npm)
        .output()
        .unwrap_or_else(|e| panic!("node {}: {e}: {FIX}", script.display()));
    assert!(
        output.status.success(),
        "node {} failed: {}: {FIX}",
        script.display(),
        String::from_utf8_lossy(&output.stderr)
    );
    let mut out = Vec::new();
    let mut seen = 0;
    for line in String::from_utf8_lossy(&output.stdout).lines() {
        let v: serde_json::Value =
            serde_json::from_str(line).expect("dicebear.mjs prints JSON lines");
        let (Some(name), Some(svg)) = (v["name"].as_str(), v["svg"].as_str()) else {
            panic!("dicebear.mjs line without name or svg: {line}");
        };
        seen += 1;
        let id = format!("illustration/dicebear/{name}");
        if split.holds(&id) {
            let image = render_svg(svg.as_bytes(), SIDE, 1.0, None, None);
            out.push(Original {
                class: Class::Illustration,
                id,
                image: flatten(&image, [255, 255, 255]),
            });
        }
    }
    assert!(seen >= 25, "dicebear.mjs made only {seen} avatars: {FIX}");
    out
}

/// Simple Icons brand logos in three layouts: the glyph in the brand colour on white (or on
/// near-black when the colour is too light), the glyph in white on a tile of the brand colour,
/// and a wordmark (glyph above the brand's name in the brand colour).
fn simple_icons(split: Split, npm: &Path, fonts: &Arc<usvg::fontdb::Database>) -> Vec<Original> {
    let dir = npm.join("node_modules/simple-icons");
    let list = read_json(&dir.join("data/simple-icons.json"));
    let mut out = Vec::new();
    let mut seen = 0;
    for entry in list.as_array().into_iter().flatten() {
        let text = |k: &str| {
            entry
                .get(k)
                .and_then(|v| v.as_str())
                .unwrap_or("")
                .to_string()
        };
        let (slug, title, hex) = (text("slug"), text("title"), text("hex"));
        let h = stable_hash(format!("simple-icons/{slug}").as_bytes());
        if h % SIMPLE_ICONS_ONE_IN != 0 {
            continue;
        }
        seen += 1;
        let id = format!("logo/simple-icons/{slug}");
        if !split.holds(&id) {
            continue;
        }
        let icon = std::fs::read_to_string(dir.join("icons").join(format!("{slug}.svg")))
            .unwrap_or_else(|e| panic!("simple-icons {slug}: {e}: {FIX}"));
        let path = icon
            .split(" d=\"")
            .nth(1)
            .and_then(|rest| rest.split('"').next())
            .unwrap_or_else(|| panic!("simple-icons {slug}: no path"));
        let svg = logo_svg(path, &title, &hex, (h / SIMPLE_ICONS_ONE_IN) % 3);
        let image = render_svg(svg.as_bytes(), SIDE, 1.0, None, Some(fonts.clone()));
        out.push(Original {
            class: Class::Logo,
            id,
            image: flatten(&image, [255, 255, 255]),
        });
    }
    assert!(seen >= 50, "only {seen} Simple Icons chosen: {FIX}");
    out
}

fn logo_svg(path: &str, title: &str, hex: &str, layout: u64) -> String {
    let rgb = u32::from_str_radix(hex, 16).unwrap_or(0);
    let (r, g, b) = ((rgb >> 16) & 255, (rgb >> 8) & 255, rgb & 255);
    let light = 0.2126 * r as f32 + 0.7152 * g as f32 + 0.0722 * b as f32 > 200.0;
    let brand = format!("#{hex}");
    let s = SIDE as f32;
    let (bg, fg, glyph, top) = match layout {
        0 => (
            if light { "#1b1b1b" } else { "#ffffff" }.to_string(),
            brand,
            0.62,
            0.19,
        ),
        1 => (
            brand,
            if light { "#111111" } else { "#ffffff" }.to_string(),
            0.56,
            0.22,
        ),
        _ => (
            if light { "#1b1b1b" } else { "#ffffff" }.to_string(),
            brand,
            0.42,
            0.12,
        ),
    };
    let scale = s * glyph / 24.0;
    let left = (s - s * glyph) / 2.0;
    let mut svg = format!(
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{s}" height="{s}" viewBox="0 0 {s} {s}"><rect width="{s}" height="{s}" fill="{bg}"/><path transform="translate({left} {}) scale({scale})" fill="{fg}" d="{path}"/>"#,
        s * top
    );
    if layout == 2 {
        let chars = title.chars().count().max(1) as f32;
        let size = (s * 0.86 / (0.68 * chars)).min(s * 0.16);
        let name: String = title
            .chars()
            .map(|c| match c {
                '&' => "&amp;".to_string(),
                '<' => "&lt;".to_string(),
                '>' => "&gt;".to_string(),
                '"' => "&quot;".to_string(),
                c => c.to_string(),
            })
            .collect();
        svg.push_str(&format!(
            r#"<text x="{}" y="{}" font-family="DejaVu Sans" font-weight="bold" font-size="{size}" text-anchor="middle" fill="{fg}">{name}</text>"#,
            s / 2.0,
            s * 0.82
        ));
    }
    svg.push_str("</svg>");
    svg
}

fn read_json(path: &Path) -> serde_json::Value {
    let text =
        std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}: {FIX}", path.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// The font the wordmarks are drawn with (Debian fonts-dejavu-core), loaded by path so every
/// machine draws the same letters.
pub fn wordmark_fonts() -> Arc<usvg::fontdb::Database> {
    let mut db = usvg::fontdb::Database::new();
    assert!(
        Path::new(WORDMARK_FONT).is_file(),
        "{WORDMARK_FONT} is missing (fonts-dejavu-core): {FIX}"
    );
    db.load_font_data(
        std::fs::read(WORDMARK_FONT).unwrap_or_else(|e| panic!("{WORDMARK_FONT}: {e}: {FIX}")),
    );
    Arc::new(db)
}

/// Draws an SVG centred in a `side` x `side` picture, fitted to `fill` of the side, on a
/// transparent (or `bg`) background.
pub fn render_svg(
    svg: &[u8],
    side: u32,
    fill: f32,
    bg: Option<[u8; 3]>,
    fonts: Option<Arc<usvg::fontdb::Database>>,
) -> RgbaImage {
    let mut options = usvg::Options::default();
    if let Some(fonts) = fonts {
        options.fontdb = fonts;
    }
    let tree = usvg::Tree::from_data(svg, &options).unwrap_or_else(|e| panic!("SVG: {e}"));
    let mut pixmap = tiny_skia::Pixmap::new(side, side).expect("a non-empty picture");
    if let Some([r, g, b]) = bg {
        pixmap.fill(tiny_skia::Color::from_rgba8(r, g, b, 255));
    }
    let size = tree.size();
    let scale = side as f32 * fill / size.width().max(size.height());
    let dx = (side as f32 - size.width() * scale) / 2.0;
    let dy = (side as f32 - size.height() * scale) / 2.0;
    let transform = tiny_skia::Transform::from_row(scale, 0.0, 0.0, scale, dx, dy);
    resvg::render(&tree, transform, &mut pixmap.as_mut());
    RgbaImage::from_fn(side, side, |x, y| {
        let c = pixmap
            .pixel(x, y)
            .map(|p| p.demultiply())
            .unwrap_or_else(|| tiny_skia::ColorU8::from_rgba(0, 0, 0, 0));
        Rgba([c.red(), c.green(), c.blue(), c.alpha()])
    })
}

/// The platforms' default avatars (committed beside this file) and near-empty pictures made
/// here: one colour, one colour with faint noise, a faint gradient, one colour with a dot.
pub fn defaults() -> Vec<DefaultPicture> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../defaults");
    let mut out = Vec::new();
    for path in files(&dir, &[".png", ".jpg"]) {
        let image = flatten(&decode(&path).to_rgba8(), [255, 255, 255]);
        out.push(DefaultPicture {
            id: format!("default/{}", file_name(&path)),
            image,
        });
    }
    assert!(
        out.len() >= 2,
        "the committed default avatars under {} are missing",
        dir.display()
    );
    let solid = |c: [u8; 3]| RgbImage::from_pixel(SIDE, SIDE, Rgb(c));
    for (name, c) in [
        ("white", [255, 255, 255]),
        ("black", [0, 0, 0]),
        ("grey", [128, 128, 128]),
        ("light-blue-grey", [204, 214, 221]),
        ("blue", [29, 155, 240]),
    ] {
        out.push(DefaultPicture {
            id: format!("near-empty/solid-{name}"),
            image: solid(c),
        });
    }
    let mut rng = Rng::new(stable_hash(b"near-empty/noise"));
    let noise = RgbImage::from_fn(SIDE, SIDE, |_, _| {
        let d = (rng.below(7) as i32) - 3;
        let v = (200 + d) as u8;
        Rgb([v, v, (210 + d) as u8])
    });
    out.push(DefaultPicture {
        id: "near-empty/noise-light-grey".into(),
        image: noise,
    });
    let gradient = RgbImage::from_fn(SIDE, SIDE, |_, y| {
        let v = 40 + (y * 10 / SIDE) as u8;
        Rgb([v, v + 5, v + 20])
    });
    out.push(DefaultPicture {
        id: "near-empty/gradient-dark".into(),
        image: gradient,
    });
    let mut dot = solid([245, 245, 245]);
    for y in 190..210 {
        for x in 190..210 {
            dot.put_pixel(x, y, Rgb([120, 120, 120]));
        }
    }
    out.push(DefaultPicture {
        id: "near-empty/dot-on-white".into(),
        image: dot,
    });
    out
}
