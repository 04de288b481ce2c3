//! Generates the Tauri context and one permission per app command, so capabilities can grant
//! exactly the commands the UI uses (issue 6, item 6). The commands come from the one IPC list,
//! src/commands/list.rs (read here for their names only).

/// Reads the command names out of the IPC list.
macro_rules! ipc {
    (
        commands { $($module:ident :: $name:ident ( $($args:tt)* ) -> $ret:ty ;)* }
        events { $($events:tt)* }
    ) => {
        const COMMANDS: &[&str] = &[$(stringify!($name)),*];
    };
}

include!("src/commands/list.rs");

fn main() {
    println!("cargo:rerun-if-changed=src/commands/list.rs");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("failed to run tauri-build");
}
