//! `doppelwatch-watcher --help` and `--version` answer (exit 0, on stdout) instead of being
//! refused as unknown options (issue 14, finding 12); a wrong option still gets the usage.
//! Output that cannot be written (`> /dev/full`) is an error (exit 1), as in the CLI.

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

#[cfg(target_os = "linux")]
#[test]
fn help_and_version_that_cannot_be_written_exit_1_and_say_so() {
    for flag in ["--help", "--version"] {
        let full = std::fs::OpenOptions::new()
            .write(true)
            .open("/dev/full")
            .unwrap();
        let out = Command::new(WATCHER)
            .arg(flag)
            .stdout(full)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(1), "{flag} > /dev/full: {out:?}");
        let said = String::from_utf8_lossy(&out.stderr);
        assert!(said.contains("cannot write the output"), "{flag}: {said}");
    }
}
