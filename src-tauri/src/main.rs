//! Placeholder until the Tauri shell lands (issue 5).
fn main() {
    println!("doppelwatch-desktop: {}", doppelwatch::VERSION);
}
