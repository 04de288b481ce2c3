//! `doppelwatch-desktop --help` and `--version` answer (exit 0, on stdout) before anything
//! needs a display (issue 14, finding 12); a wrong option still gets the usage.

use std::process::Command;

const DESKTOP: &str = env!("CARGO_BIN_EXE_doppelwatch-desktop");

#[test]
fn help_lists_every_option_and_exits_0() {
    let out = Command::new(DESKTOP)
        .arg("--help")
        .env_remove("DISPLAY")
        .env_remove("WAYLAND_DISPLAY")
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    let help = String::from_utf8(out.stdout).unwrap();
    assert!(help.starts_with("usage: doppelwatch-desktop"), "{help}");
    for option in ["--demo", "--hidden", "--alert ID", "--inbox", "--version"] {
        assert!(help.contains(option), "{option} missing from:\n{help}");
    }
}

#[test]
fn version_names_the_program_and_exits_0() {
    let out = Command::new(DESKTOP)
        .arg("--version")
        .env_remove("DISPLAY")
        .output()
        .unwrap();
    assert!(out.status.success(), "{:?}", out.status);
    assert_eq!(
        String::from_utf8(out.stdout).unwrap(),
        format!("doppelwatch-desktop {}\n", env!("CARGO_PKG_VERSION"))
    );
}

#[test]
fn a_wrong_option_is_refused_with_the_usage() {
    let out = Command::new(DESKTOP).arg("--bogus").output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let said = String::from_utf8(out.stderr).unwrap();
    assert!(said.contains("usage: doppelwatch-desktop"), "{said}");
}
