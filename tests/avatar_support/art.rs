//! Non-photographic avatars, generated in code: flat logos and wordmarks on a background,
//! cartoon-style illustrated faces, and emoji-style pictures on a transparent background. Each
//! seed is a different picture of the same style, so distinct seeds are the hard negatives (two
//! flat logos, two cartoon faces, two smileys) that must not match.
//!
//! Shapes are drawn from signed distance functions with a one-pixel anti-aliased edge, the way a
//! vector renderer draws an SVG icon.

use image::{Rgba, RgbaImage};

use super::Rng;

/// The kinds of picture people use as avatars.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Photo,
    Illustration,
    Logo,
    Emoji,
}

impl Class {
    pub const ALL: [Class; 4] = [Class::Photo, Class::Illustration, Class::Logo, Class::Emoji];

    pub fn name(self) -> &'static str {
        match self {
            Class::Photo => "photo",
            Class::Illustration => "illustration",
            Class::Logo => "logo",
            Class::Emoji => "emoji",
        }
    }
}

/// A picture of `class`; distinct seeds are distinct pictures.
pub fn picture(class: Class, seed: u64, size: u32) -> RgbaImage {
    match class {
        Class::Photo => opaque(&super::photo(seed, size)),
        Class::Illustration => illustration(seed, size),
        Class::Logo => logo(seed, size),
        Class::Emoji => emoji(seed, size),
    }
}

/// An RGB picture as RGBA, fully opaque.
pub fn opaque(image: &image::RgbImage) -> RgbaImage {
    RgbaImage::from_fn(image.width(), image.height(), |x, y| {
        let [r, g, b] = image.get_pixel(x, y).0;
        Rgba([r, g, b, 255])
    })
}

/// A shape in unit coordinates (0..1 across the picture).
#[derive(Debug, Clone, Copy)]
pub enum Shape {
    /// Centre, radii, rotation.
    Ellipse([f32; 2], [f32; 2], f32),
    /// Centre, outer radius, thickness.
    Ring([f32; 2], f32, f32),
    /// A thick line segment with round ends: from, to, half thickness.
    Capsule([f32; 2], [f32; 2], f32),
    /// Centre, half sizes, corner radius.
    RoundRect([f32; 2], [f32; 2], f32),
    /// A triangle.
    Triangle([f32; 2], [f32; 2], [f32; 2]),
    /// An arc of a circle: centre, radius, half thickness, start angle, end angle (radians).
    Arc([f32; 2], f32, f32, f32, f32),
}

impl Shape {
    /// Signed distance (negative inside), in unit coordinates.
    fn distance(&self, p: [f32; 2]) -> f32 {
        match *self {
            Shape::Ellipse(c, r, angle) => {
                let (dx, dy) = (p[0] - c[0], p[1] - c[1]);
                let (ca, sa) = (angle.cos(), angle.sin());
                let (u, v) = ((dx * ca + dy * sa) / r[0], (-dx * sa + dy * ca) / r[1]);
                // Approximate distance: scaled by the smaller radius.
                ((u * u + v * v).sqrt() - 1.0) * r[0].min(r[1])
            }
            Shape::Ring(c, radius, thickness) => {
                let d = ((p[0] - c[0]).powi(2) + (p[1] - c[1]).powi(2)).sqrt();
                (d - (radius - thickness / 2.0)).abs() - thickness / 2.0
            }
            Shape::Capsule(a, b, half) => segment_distance(p, a, b) - half,
            Shape::RoundRect(c, half, radius) => {
                let qx = (p[0] - c[0]).abs() - half[0] + radius;
                let qy = (p[1] - c[1]).abs() - half[1] + radius;
                let outside = (qx.max(0.0).powi(2) + qy.max(0.0).powi(2)).sqrt();
                outside + qx.max(qy).min(0.0) - radius
            }
            Shape::Triangle(a, b, c) => {
                let edges = [
                    segment_distance(p, a, b),
                    segment_distance(p, b, c),
                    segment_distance(p, c, a),
                ];
                let d = edges.iter().copied().fold(f32::MAX, f32::min);
                let side = |u: [f32; 2], v: [f32; 2]| {
                    (v[0] - u[0]) * (p[1] - u[1]) - (v[1] - u[1]) * (p[0] - u[0])
                };
                let (s1, s2, s3) = (side(a, b), side(b, c), side(c, a));
                let inside =
                    (s1 >= 0.0 && s2 >= 0.0 && s3 >= 0.0) || (s1 <= 0.0 && s2 <= 0.0 && s3 <= 0.0);
                if inside {
                    -d
                } else {
                    d
                }
            }
            Shape::Arc(c, radius, half, start, end) => {
                let (dx, dy) = (p[0] - c[0], p[1] - c[1]);
                let angle = dy.atan2(dx);
                let within = if start <= end {
                    angle >= start && angle <= end
                } else {
                    angle >= start || angle <= end
                };
                if within {
                    ((dx * dx + dy * dy).sqrt() - radius).abs() - half
                } else {
                    let end_point = |a: f32| [c[0] + radius * a.cos(), c[1] + radius * a.sin()];
                    let (e1, e2) = (end_point(start), end_point(end));
                    let d1 = ((p[0] - e1[0]).powi(2) + (p[1] - e1[1]).powi(2)).sqrt();
                    let d2 = ((p[0] - e2[0]).powi(2) + (p[1] - e2[1]).powi(2)).sqrt();
                    d1.min(d2) - half
                }
            }
        }
    }
}

fn segment_distance(p: [f32; 2], a: [f32; 2], b: [f32; 2]) -> f32 {
    let (abx, aby) = (b[0] - a[0], b[1] - a[1]);
    let (apx, apy) = (p[0] - a[0], p[1] - a[1]);
    let t = ((apx * abx + apy * aby) / (abx * abx + aby * aby).max(1e-9)).clamp(0.0, 1.0);
    ((apx - abx * t).powi(2) + (apy - aby * t).powi(2)).sqrt()
}

/// How a layer is filled.
#[derive(Debug, Clone, Copy)]
pub enum Fill {
    Flat([f32; 3]),
    /// Vertical gradient from the first colour (top of the shape's box) to the second.
    Vertical([f32; 3], [f32; 3], f32, f32),
}

impl Fill {
    fn at(&self, y: f32) -> [f32; 3] {
        match *self {
            Fill::Flat(c) => c,
            Fill::Vertical(a, b, top, bottom) => {
                let t = ((y - top) / (bottom - top).max(1e-6)).clamp(0.0, 1.0);
                [0, 1, 2].map(|k| a[k] * (1.0 - t) + b[k] * t)
            }
        }
    }
}

/// A shape with its fill and an optional outline (colour, thickness in unit coordinates).
#[derive(Debug, Clone, Copy)]
pub struct Layer {
    pub shape: Shape,
    pub fill: Fill,
    pub outline: Option<([f32; 3], f32)>,
}

impl Layer {
    pub fn new(shape: Shape, colour: [f32; 3]) -> Layer {
        Layer {
            shape,
            fill: Fill::Flat(colour),
            outline: None,
        }
    }
    pub fn outlined(mut self, colour: [f32; 3], thickness: f32) -> Layer {
        self.outline = Some((colour, thickness));
        self
    }
}

/// Renders layers (in order, over `background`; `None` = transparent).
pub fn render(size: u32, background: Option<Fill>, layers: &[Layer]) -> RgbaImage {
    let s = size as f32;
    let pixel = 1.0 / s;
    RgbaImage::from_fn(size, size, |x, y| {
        let p = [(x as f32 + 0.5) / s, (y as f32 + 0.5) / s];
        let (mut colour, mut alpha) = match background {
            Some(fill) => (fill.at(p[1]), 1.0f32),
            None => ([0.0; 3], 0.0),
        };
        let mut over = |c: [f32; 3], a: f32| {
            if a <= 0.0 {
                return;
            }
            let out = a + alpha * (1.0 - a);
            for k in 0..3 {
                colour[k] = (c[k] * a + colour[k] * alpha * (1.0 - a)) / out.max(1e-6);
            }
            alpha = out;
        };
        for layer in layers {
            let d = layer.shape.distance(p);
            if let Some((line, thickness)) = layer.outline {
                let outer = (0.5 - (d - thickness) / pixel).clamp(0.0, 1.0);
                over(line, outer);
                let inner = (0.5 - d / pixel).clamp(0.0, 1.0);
                over(layer.fill.at(p[1]), inner);
            } else {
                over(layer.fill.at(p[1]), (0.5 - d / pixel).clamp(0.0, 1.0));
            }
        }
        Rgba([
            colour[0].clamp(0.0, 255.0) as u8,
            colour[1].clamp(0.0, 255.0) as u8,
            colour[2].clamp(0.0, 255.0) as u8,
            (alpha * 255.0).round() as u8,
        ])
    })
}

/// A saturated "brand" colour.
fn brand(rng: &mut Rng) -> [f32; 3] {
    let hue = rng.range(0.0, 6.0);
    let (sat, value) = (rng.range(0.55, 1.0), rng.range(0.45, 0.95));
    hsv(hue, sat, value)
}

fn hsv(hue: f32, sat: f32, value: f32) -> [f32; 3] {
    let c = value * sat;
    let x = c * (1.0 - ((hue % 2.0) - 1.0).abs());
    let (r, g, b) = match hue as u32 {
        0 => (c, x, 0.0),
        1 => (x, c, 0.0),
        2 => (0.0, c, x),
        3 => (0.0, x, c),
        4 => (x, 0.0, c),
        _ => (c, 0.0, x),
    };
    let m = value - c;
    [(r + m) * 255.0, (g + m) * 255.0, (b + m) * 255.0]
}

const WHITE: [f32; 3] = [255.0, 255.0, 255.0];
const INK: [f32; 3] = [25.0, 25.0, 30.0];

/// One letter-like glyph made of 1 to 3 strokes inside the box (left, top, width, height).
fn glyph(
    rng: &mut Rng,
    left: f32,
    top: f32,
    w: f32,
    h: f32,
    stroke: f32,
    colour: [f32; 3],
) -> Vec<Layer> {
    let point = |rng: &mut Rng| {
        // Strokes start and end on a 3 x 3 lattice of the box, like the bones of a letter.
        let (i, j) = ((rng.next() % 3) as f32, (rng.next() % 3) as f32);
        [left + w * i / 2.0, top + h * j / 2.0]
    };
    let strokes = 1 + (rng.next() % 3) as usize;
    let mut layers = Vec::new();
    for _ in 0..strokes {
        let kind = rng.next() % 5;
        let layer = if kind == 0 {
            Layer::new(
                Shape::Ring(
                    [left + w / 2.0, top + h / 2.0],
                    w.min(h) / 2.0,
                    stroke * 2.0,
                ),
                colour,
            )
        } else {
            let a = point(rng);
            let mut b = point(rng);
            if (a[0] - b[0]).abs() + (a[1] - b[1]).abs() < 1e-3 {
                b = [left + w - (a[0] - left), top + h - (a[1] - top)];
            }
            Layer::new(Shape::Capsule(a, b, stroke), colour)
        };
        layers.push(layer);
    }
    layers
}

/// A flat logo or wordmark on a background: a mark of a few flat shapes, a row of letter-like
/// glyphs, or a monogram in a badge; one or two colours over the background.
pub fn logo(seed: u64, size: u32) -> RgbaImage {
    let mut rng = Rng::new(seed ^ 0x1060);
    let (background, ink) = match rng.next() % 10 {
        0..=2 => (WHITE, brand(&mut rng)),
        3..=7 => (brand(&mut rng), if rng.unit() < 0.8 { WHITE } else { INK }),
        _ => (INK, brand(&mut rng)),
    };
    let second = brand(&mut rng);
    let mut layers = Vec::new();
    match rng.next() % 3 {
        // A wordmark: 3 to 8 glyphs in a row across the middle.
        0 => {
            let letters = 3 + (rng.next() % 6) as usize;
            let height = rng.range(0.12, 0.24);
            let width = (rng.range(0.6, 0.9) / letters as f32).min(height * 0.9);
            let total = width * letters as f32 * 1.25;
            let left = 0.5 - total / 2.0;
            let top = rng.range(0.42, 0.5) - height / 2.0;
            let stroke = height * rng.range(0.07, 0.12);
            for i in 0..letters {
                let x = left + i as f32 * width * 1.25;
                layers.extend(glyph(&mut rng, x, top, width, height, stroke, ink));
            }
            if rng.unit() < 0.5 {
                // An underline or a dot in the second colour.
                layers.push(Layer::new(
                    Shape::Capsule(
                        [left, top + height * 1.35],
                        [left + total * rng.range(0.3, 1.0), top + height * 1.35],
                        stroke,
                    ),
                    second,
                ));
            }
        }
        // A mark: 2 to 4 flat primitives around the centre.
        1 => {
            for _ in 0..2 + rng.next() % 3 {
                let c = [rng.range(0.3, 0.7), rng.range(0.3, 0.7)];
                let r = rng.range(0.08, 0.25);
                let colour = if rng.unit() < 0.7 { ink } else { second };
                let shape = match rng.next() % 5 {
                    0 => Shape::Ellipse(c, [r, r * rng.range(0.5, 1.0)], rng.range(0.0, 3.1)),
                    1 => Shape::Ring(c, r, r * rng.range(0.2, 0.45)),
                    2 => Shape::RoundRect(c, [r, r * rng.range(0.3, 1.0)], r * rng.range(0.0, 0.3)),
                    3 => Shape::Triangle(
                        [c[0], c[1] - r],
                        [c[0] - r * 0.9, c[1] + r * 0.7],
                        [c[0] + r * 0.9, c[1] + r * 0.7],
                    ),
                    _ => Shape::Capsule(
                        [c[0] - r, c[1] + rng.range(-r, r)],
                        [c[0] + r, c[1] + rng.range(-r, r)],
                        r * 0.25,
                    ),
                };
                layers.push(Layer::new(shape, colour));
            }
        }
        // A monogram: one or two glyphs in a circle or rounded square of the second colour.
        _ => {
            let r = rng.range(0.28, 0.4);
            let badge = if rng.unit() < 0.5 {
                Shape::Ellipse([0.5, 0.5], [r, r], 0.0)
            } else {
                Shape::RoundRect([0.5, 0.5], [r, r], r * rng.range(0.1, 0.4))
            };
            layers.push(Layer::new(badge, second));
            let letters = 1 + (rng.next() % 2) as usize;
            let h = r * 1.1;
            let w = h * 0.7;
            let left = 0.5 - (w * letters as f32 * 1.2) / 2.0;
            for i in 0..letters {
                layers.extend(glyph(
                    &mut rng,
                    left + i as f32 * w * 1.2,
                    0.5 - h / 2.0,
                    w,
                    h,
                    h * 0.09,
                    ink,
                ));
            }
        }
    }
    render(size, Some(Fill::Flat(background)), &layers)
}

/// A cartoon-style illustrated face: flat colours with dark outlines over a flat or gradient
/// background, head, hair, eyes, mouth and shoulders, each placed and coloured by the seed.
pub fn illustration(seed: u64, size: u32) -> RgbaImage {
    let mut rng = Rng::new(seed ^ 0x111a);
    let background = if rng.unit() < 0.5 {
        Fill::Flat(brand(&mut rng))
    } else {
        Fill::Vertical(brand(&mut rng), brand(&mut rng), 0.0, 1.0)
    };
    let line = [
        rng.range(10.0, 60.0),
        rng.range(10.0, 50.0),
        rng.range(10.0, 50.0),
    ];
    let width = rng.range(0.006, 0.014);
    let skin = hsv(
        rng.range(0.2, 0.8),
        rng.range(0.2, 0.6),
        rng.range(0.45, 0.98),
    );
    let hair = hsv(
        rng.range(0.0, 6.0),
        rng.range(0.2, 0.9),
        rng.range(0.1, 0.9),
    );
    let shirt = brand(&mut rng);
    let cx = rng.range(0.42, 0.58);
    let cy = rng.range(0.4, 0.5);
    let (hr, vr) = (rng.range(0.17, 0.24), rng.range(0.21, 0.29));
    let mut layers = vec![
        Layer::new(
            Shape::Ellipse([cx, cy + vr + 0.28], [rng.range(0.3, 0.42), 0.3], 0.0),
            shirt,
        )
        .outlined(line, width),
        Layer::new(Shape::Ellipse([cx, cy], [hr, vr], 0.0), skin).outlined(line, width),
    ];
    // Hair: a cap over the top of the head, sometimes with a side part or long sides.
    match rng.next() % 3 {
        0 => layers.push(
            Layer::new(
                Shape::Ellipse([cx, cy - vr * 0.55], [hr * 1.05, vr * 0.55], 0.0),
                hair,
            )
            .outlined(line, width),
        ),
        1 => {
            for side in [-1.0f32, 1.0] {
                layers.push(
                    Layer::new(
                        Shape::Ellipse(
                            [cx + side * hr * 0.45, cy - vr * 0.6],
                            [hr * 0.7, vr * 0.45],
                            side * rng.range(0.2, 0.6),
                        ),
                        hair,
                    )
                    .outlined(line, width),
                );
            }
        }
        _ => layers.push(
            Layer::new(
                Shape::RoundRect([cx, cy - vr * 0.6], [hr * 1.1, vr * 0.45], hr * 0.4),
                hair,
            )
            .outlined(line, width),
        ),
    }
    let eye_y = cy + rng.range(-0.05, 0.02);
    let eye_dx = hr * rng.range(0.35, 0.55);
    let eye_r = rng.range(0.02, 0.045);
    let big_eyes = rng.unit() < 0.5;
    for side in [-1.0f32, 1.0] {
        let c = [cx + side * eye_dx, eye_y];
        if big_eyes {
            layers.push(
                Layer::new(Shape::Ellipse(c, [eye_r, eye_r * 1.2], 0.0), WHITE)
                    .outlined(line, width),
            );
            layers.push(Layer::new(
                Shape::Ellipse([c[0], c[1] + eye_r * 0.2], [eye_r * 0.5, eye_r * 0.6], 0.0),
                line,
            ));
        } else {
            layers.push(Layer::new(
                Shape::Ellipse(c, [eye_r * 0.5, eye_r * 0.6], 0.0),
                line,
            ));
        }
        if rng.unit() < 0.4 {
            // Eyebrow.
            layers.push(Layer::new(
                Shape::Capsule(
                    [c[0] - eye_r, c[1] - eye_r * 2.0 + rng.range(-0.01, 0.01)],
                    [c[0] + eye_r, c[1] - eye_r * 2.2],
                    width,
                ),
                line,
            ));
        }
    }
    if rng.unit() < 0.3 {
        // Glasses.
        for side in [-1.0f32, 1.0] {
            layers.push(Layer::new(
                Shape::Ring([cx + side * eye_dx, eye_y], eye_r * 2.0, width * 1.5),
                line,
            ));
        }
    }
    let mouth_y = cy + vr * rng.range(0.35, 0.6);
    let mouth_r = hr * rng.range(0.25, 0.5);
    layers.push(Layer::new(
        Shape::Arc([cx, mouth_y - mouth_r], mouth_r, width * 1.2, 0.5, 2.6),
        line,
    ));
    render(size, Some(background), &layers)
}

/// An emoji-style picture on a transparent background: a smiley face (disc, eyes, mouth and
/// extras chosen by the seed) or a simple object (heart, star-like burst, fruit).
pub fn emoji(seed: u64, size: u32) -> RgbaImage {
    let mut rng = Rng::new(seed ^ 0xe30);
    let outline = rng.unit() < 0.5;
    let line = [90.0, 60.0, 20.0];
    let mut layers = Vec::new();
    if rng.unit() < 0.6 {
        let yellow = [
            rng.range(240.0, 255.0),
            rng.range(190.0, 215.0),
            rng.range(40.0, 80.0),
        ];
        let face = Layer {
            shape: Shape::Ellipse([0.5, 0.5], [0.44, 0.44], 0.0),
            fill: if rng.unit() < 0.5 {
                Fill::Flat(yellow)
            } else {
                Fill::Vertical([255.0, 225.0, 90.0], [240.0, 160.0, 20.0], 0.06, 0.94)
            },
            outline: outline.then_some((line, 0.012)),
        };
        layers.push(face);
        let dark = [70.0, 45.0, 25.0];
        let eye_y = rng.range(0.36, 0.44);
        let eye_dx = rng.range(0.12, 0.17);
        let eyes = rng.next() % 4;
        for side in [-1.0f32, 1.0] {
            let c = [0.5 + side * eye_dx, eye_y];
            match eyes {
                0 => layers.push(Layer::new(Shape::Ellipse(c, [0.035, 0.06], 0.0), dark)),
                1 => layers.push(Layer::new(
                    Shape::Arc([c[0], c[1] + 0.03], 0.05, 0.014, 3.6, 5.8),
                    dark,
                )),
                2 => {
                    // Heart eyes.
                    let red = [230.0, 30.0, 50.0];
                    layers.push(Layer::new(
                        Shape::Ellipse([c[0] - 0.025, c[1]], [0.035, 0.035], 0.0),
                        red,
                    ));
                    layers.push(Layer::new(
                        Shape::Ellipse([c[0] + 0.025, c[1]], [0.035, 0.035], 0.0),
                        red,
                    ));
                    layers.push(Layer::new(
                        Shape::Triangle(
                            [c[0] - 0.058, c[1] + 0.01],
                            [c[0] + 0.058, c[1] + 0.01],
                            [c[0], c[1] + 0.075],
                        ),
                        red,
                    ));
                }
                _ => {
                    layers.push(
                        Layer::new(Shape::Ellipse(c, [0.05, 0.05], 0.0), WHITE)
                            .outlined(dark, 0.008),
                    );
                    layers.push(Layer::new(Shape::Ellipse(c, [0.022, 0.022], 0.0), dark));
                }
            }
        }
        let mouth_y = rng.range(0.6, 0.68);
        match rng.next() % 4 {
            0 => layers.push(Layer::new(
                Shape::Arc([0.5, mouth_y - 0.12], 0.17, 0.016, 0.5, 2.64),
                dark,
            )),
            1 => {
                // Open grin: a half disc with teeth.
                layers.push(Layer::new(
                    Shape::Ellipse(
                        [0.5, mouth_y],
                        [rng.range(0.13, 0.2), rng.range(0.06, 0.1)],
                        0.0,
                    ),
                    dark,
                ));
                layers.push(Layer::new(
                    Shape::RoundRect([0.5, mouth_y - 0.035], [0.1, 0.02], 0.01),
                    WHITE,
                ));
            }
            2 => layers.push(Layer::new(
                Shape::Capsule(
                    [0.4, mouth_y],
                    [0.6, mouth_y + rng.range(-0.03, 0.03)],
                    0.015,
                ),
                dark,
            )),
            _ => layers.push(Layer::new(
                Shape::Ellipse([0.5, mouth_y], [0.05, 0.065], 0.0),
                dark,
            )),
        }
        if rng.unit() < 0.35 {
            // Blush.
            for side in [-1.0f32, 1.0] {
                layers.push(Layer::new(
                    Shape::Ellipse([0.5 + side * 0.25, 0.55], [0.06, 0.035], 0.0),
                    [250.0, 140.0, 120.0],
                ));
            }
        }
        if rng.unit() < 0.3 {
            // A tear or a sweat drop.
            let side = if rng.unit() < 0.5 { -1.0 } else { 1.0 };
            layers.push(Layer::new(
                Shape::Ellipse([0.5 + side * 0.3, 0.3], [0.04, 0.065], 0.0),
                [80.0, 160.0, 240.0],
            ));
        }
    } else {
        let main = brand(&mut rng);
        let accent = brand(&mut rng);
        let lined = |layer: Layer| {
            if outline {
                layer.outlined(INK, 0.012)
            } else {
                layer
            }
        };
        match rng.next() % 3 {
            0 => {
                // Heart.
                let r = rng.range(0.18, 0.22);
                layers.push(lined(Layer::new(
                    Shape::Ellipse([0.5 - r * 0.75, 0.4], [r, r], 0.0),
                    main,
                )));
                layers.push(lined(Layer::new(
                    Shape::Ellipse([0.5 + r * 0.75, 0.4], [r, r], 0.0),
                    main,
                )));
                layers.push(Layer::new(
                    Shape::Triangle([0.5 - r * 1.68, 0.47], [0.5 + r * 1.68, 0.47], [0.5, 0.88]),
                    main,
                ));
            }
            1 => {
                // A burst: triangles around a disc.
                let spikes = 5 + rng.next() % 4;
                for i in 0..spikes {
                    let a = i as f32 * std::f32::consts::TAU / spikes as f32;
                    let b = a + std::f32::consts::PI / spikes as f32;
                    layers.push(Layer::new(
                        Shape::Triangle(
                            [0.5 + 0.42 * a.cos(), 0.5 + 0.42 * a.sin()],
                            [0.5 + 0.2 * (a - 0.6).cos(), 0.5 + 0.2 * (a - 0.6).sin()],
                            [0.5 + 0.2 * (b).cos(), 0.5 + 0.2 * (b).sin()],
                        ),
                        accent,
                    ));
                }
                layers.push(lined(Layer::new(
                    Shape::Ellipse([0.5, 0.5], [0.25, 0.25], 0.0),
                    main,
                )));
            }
            _ => {
                // A fruit: a round body, a stem and a leaf.
                let r = rng.range(0.3, 0.38);
                layers.push(lined(Layer::new(
                    Shape::Ellipse([0.5, 0.56], [r, r * rng.range(0.85, 1.0)], 0.0),
                    main,
                )));
                layers.push(Layer::new(
                    Shape::Capsule([0.5, 0.26], [0.53, 0.12], 0.018),
                    [100.0, 70.0, 30.0],
                ));
                layers.push(lined(Layer::new(
                    Shape::Ellipse([0.62, 0.16], [0.09, 0.04], rng.range(-0.6, 0.2)),
                    [60.0, 170.0, 60.0],
                )));
                layers.push(Layer::new(
                    Shape::Ellipse([0.38, 0.45], [0.05, 0.08], 0.4),
                    [255.0, 255.0, 255.0],
                ));
            }
        }
    }
    render(size, None, &layers)
}
