//! `doppelwatch-watcher --help` and `--version` answer (exit 0, on stdout) instead of being
//! refused as unknown options (issue 14, finding 12); a wrong option still gets the usage.

use std::process::Command;

mod common;

use common::WATCHER;

#[test]
fn help_lists_every_option_and_exits_0() {
    for flag in ["--help", "-h"] {
        let out = Command::new(WATCHER).arg(flag).output().unwrap();
        assert!(out.status.success(), "{flag}: {:?}", out.status);
        let help = String::from_utf8(out.stdout).unwrap();
        assert!(help.starts_with("usage: doppelwatch-watcher"), "{help}");
        for option in [
            "--demo",
            "--quit",
            "--help",
            "--version",
            "DOPPELWATCH_DATA_DIR",
        ] {
            assert!(help.contains(option), "{option} missing from:\n{help}");
        }
    }
}

#[test]
fn version_names_the_program_and_exits_0() {
    let out = Command::new(WATCHER).arg("--version").output().unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("doppelwatch-watcher {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_wrong_option_is_refused_with_the_usage() {
    let out = Command::new(WATCHER).arg("--bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(
        said.contains("unknown option \"--bogus\"") && said.contains("usage: doppelwatch-watcher"),
        "{said}"
    );
}
