//! Private files: folders we create or use for our data are 0700, files in them (database and
//! its WAL/SHM/journal companions, sockets, logs, exported bundles) 0600 — set explicitly, so
//! a permissive umask (0022, 0002) changes nothing, and folders or files an older version left
//! world-readable are tightened when opened.
//!
//! Must never: change the mode of anything but our own data (the folder given and the files
//! named), or fail a command because a mode could not be changed (a read-only mount, a file
//! owned by someone else): that is logged instead. Never follow a symlink planted where one
//! of our files goes (opened with `O_NOFOLLOW`: the open fails instead).

use std::fs::File;
use std::io;
use std::path::Path;

/// Mode of our folders.
pub const DIR_MODE: u32 = 0o700;
/// Mode of our files.
pub const FILE_MODE: u32 = 0o600;

/// Creates `dir` (and missing parents) as 0700 and makes `dir` itself 0700 if it was not.
pub fn ensure_private_dir(dir: &Path) -> io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    builder.recursive(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        builder.mode(DIR_MODE);
    }
    builder.create(dir)?;
    set_mode(dir, DIR_MODE);
    Ok(())
}

/// Makes an open file 0600 (whatever the umask was when it was created).
pub fn restrict_file(file: &File) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = file.metadata() {
            if meta.permissions().mode() & 0o777 != FILE_MODE {
                if let Err(e) = file.set_permissions(std::fs::Permissions::from_mode(FILE_MODE)) {
                    tracing::warn!("cannot make a file private (mode 0600): {e}");
                }
            }
        }
    }
    #[cfg(not(unix))]
    let _ = file;
}

/// Makes the regular file at `path` 0600 if it exists (a symlink is not followed).
pub fn restrict_path(path: &Path) {
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.file_type().is_file() => set_mode(path, FILE_MODE),
        _ => {}
    }
}

/// Takes the group's and others' bits off the folder or regular file at `path` (a symlink is
/// not followed), keeping the owner's: what a reader does to data it must not make writable
/// (a 0777 folder becomes 0700, a 0666 file 0600, a 0555 folder 0500).
pub fn drop_shared_bits(path: &Path) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        if let Ok(meta) = std::fs::symlink_metadata(path) {
            let mode = meta.permissions().mode() & 0o777;
            if (meta.is_dir() || meta.is_file()) && mode & 0o077 != 0 {
                set_mode(path, mode & 0o700);
            }
        }
    }
    #[cfg(not(unix))]
    let _ = path;
}

/// Opens (creating if needed) a private file for appending: a log.
pub fn open_private_append(path: &Path) -> io::Result<File> {
    let mut options = private_options();
    options.append(true).create(true);
    let file = options.open(path)?;
    restrict_file(&file);
    Ok(file)
}

/// Creates (or truncates) a private file: a log started afresh.
pub fn create_private(path: &Path) -> io::Result<File> {
    let mut options = private_options();
    options.write(true).create(true).truncate(true);
    let file = options.open(path)?;
    restrict_file(&file);
    Ok(file)
}

/// Opens (creating if needed) a private file for writing without truncating it: a lock file,
/// emptied only once its lock is held.
pub fn open_private_lock(path: &Path) -> io::Result<File> {
    let mut options = private_options();
    options.write(true).create(true).truncate(false);
    let file = options.open(path)?;
    restrict_file(&file);
    Ok(file)
}

/// Options that create files 0600 and never follow a symlink at the path.
fn private_options() -> std::fs::OpenOptions {
    #[allow(unused_mut)]
    let mut options = std::fs::OpenOptions::new();
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(FILE_MODE).custom_flags(libc::O_NOFOLLOW);
    }
    options
}

fn set_mode(path: &Path, mode: u32) {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let Ok(meta) = std::fs::symlink_metadata(path) else {
            return;
        };
        if meta.permissions().mode() & 0o777 == mode {
            return;
        }
        if let Err(e) = std::fs::set_permissions(path, std::fs::Permissions::from_mode(mode)) {
            tracing::warn!(
                "cannot make {} private (mode {mode:o}): {e}",
                path.display()
            );
        }
    }
    #[cfg(not(unix))]
    let _ = (path, mode);
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;
    use std::os::unix::fs::PermissionsExt;

    fn mode(path: &Path) -> u32 {
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn folders_and_files_are_private_and_old_ones_are_tightened() {
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("a/b");
        ensure_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700);
        std::fs::set_permissions(&dir, std::fs::Permissions::from_mode(0o755)).unwrap();
        ensure_private_dir(&dir).unwrap();
        assert_eq!(mode(&dir), 0o700, "an old 0755 folder is tightened");

        let log = dir.join("x.log");
        drop(open_private_append(&log).unwrap());
        assert_eq!(mode(&log), 0o600);
        std::fs::set_permissions(&log, std::fs::Permissions::from_mode(0o644)).unwrap();
        restrict_path(&log);
        assert_eq!(mode(&log), 0o600);
        drop(create_private(&log).unwrap());
        assert_eq!(mode(&log), 0o600);
    }

    #[test]
    fn a_symlink_where_our_file_goes_is_never_followed() {
        let tmp = tempfile::tempdir().unwrap();
        let victim = tmp.path().join("victim");
        std::fs::write(&victim, "precious").unwrap();
        std::fs::set_permissions(&victim, std::fs::Permissions::from_mode(0o644)).unwrap();
        let link = tmp.path().join("watcher.lock");
        std::os::unix::fs::symlink(&victim, &link).unwrap();
        assert!(create_private(&link).is_err());
        assert!(open_private_append(&link).is_err());
        assert!(open_private_lock(&link).is_err());
        assert_eq!(std::fs::read_to_string(&victim).unwrap(), "precious");
        assert_eq!(mode(&victim), 0o644);
    }
}
