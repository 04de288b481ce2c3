//! Generates the Tauri context and one permission per app command, so capabilities can grant
//! exactly the commands the UI uses (issue 6, item 6).

fn main() {
    let commands: &[&str] = &include!("src/command_names.in");
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .app_manifest(tauri_build::AppManifest::new().commands(commands)),
    )
    .expect("failed to run tauri-build");
}
