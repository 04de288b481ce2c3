//! The `doppelwatch` command line: thin adapters over the core library.

mod cli;

fn main() {
    std::process::exit(cli::run());
}
