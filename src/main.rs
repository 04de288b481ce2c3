//! The `doppelwatch` command line.

fn main() {
    std::process::exit(doppelwatch_cli::run());
}

mod doppelwatch_cli {
    pub fn run() -> i32 {
        println!("doppelwatch {}", doppelwatch::VERSION);
        0
    }
}
