//! Writing a file the person asked for (an evidence bundle) without destroying anything:
//! an existing file is replaced only when asked, never the database or its companions, never
//! anything that is not a regular file (a device, a FIFO, a folder, a symlink to one); the
//! content goes to a temporary file created exclusively (`O_EXCL`: a symlink planted at its
//! name is never followed) with mode 0600 in the target's folder, and is moved into place only
//! once complete.
//!
//! Must never: open the target path for writing, follow a symlink to write, or leave a
//! temporary file behind on failure.

use std::fs::{File, OpenOptions};
use std::io;
use std::path::{Path, PathBuf};

use rand::Rng;

/// Why a file was not written; names the path and says what to do.
#[derive(Debug, thiserror::Error)]
pub enum OutputError {
    #[error("{path} already exists: choose another file name, or pass --force to replace it")]
    Exists { path: PathBuf },
    #[error("{path} is {kind}, not a regular file: it is never written over, even with --force; choose a file name")]
    NotRegular { path: PathBuf, kind: &'static str },
    #[error("{path} is Doppelwatch's own database (or one of its files): it is never written over; choose another file name")]
    Protected { path: PathBuf },
    #[error("{path} names no file: give a file name such as case-12.zip")]
    NoFileName { path: PathBuf },
    #[error("the folder {path} cannot be used ({source}): create it or choose another place")]
    Folder { path: PathBuf, source: io::Error },
    #[error("cannot write {path}: {source}")]
    Write { path: PathBuf, source: io::Error },
}

/// What a write may do to what is already there.
#[derive(Debug, Clone, Default)]
pub struct OutputPolicy {
    /// Replace an existing regular file (the CLI's `--force`).
    pub replace: bool,
    /// Files never written over, with their SQLite companions (`-wal`, `-shm`, `-journal`):
    /// the database.
    pub protected: Vec<PathBuf>,
}

/// Companion files SQLite keeps beside a database.
const DB_COMPANIONS: [&str; 4] = ["", "-wal", "-shm", "-journal"];

/// Writes `out` through `write` as the module docs describe; returns the absolute path written.
pub fn write_new_file(
    out: &Path,
    policy: &OutputPolicy,
    write: impl FnOnce(&mut File) -> io::Result<()>,
) -> Result<PathBuf, OutputError> {
    let target = resolve_target(out)?;
    check_target(&target, policy)?;
    let folder = target.parent().unwrap_or(Path::new("/")).to_path_buf();
    let (temp, mut file) = create_temp(&folder, &target)?;
    let written = write(&mut file).and_then(|()| file.sync_all());
    drop(file);
    let placed = written.and_then(|()| place(&temp, &target, policy.replace));
    let _ = std::fs::remove_file(&temp);
    match placed {
        Ok(()) => {
            // The rename is durable once the folder is synced (best effort: not every
            // platform can open a folder).
            if let Ok(dir) = File::open(&folder) {
                let _ = dir.sync_all();
            }
            Ok(target)
        }
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => {
            Err(OutputError::Exists { path: target })
        }
        Err(source) => Err(OutputError::Write {
            path: target,
            source,
        }),
    }
}

/// `out` with its folder made absolute and canonical (the file itself is not followed).
fn resolve_target(out: &Path) -> Result<PathBuf, OutputError> {
    let name = match out.file_name() {
        Some(name) if !out.as_os_str().to_string_lossy().ends_with('/') => name.to_owned(),
        _ => {
            return Err(OutputError::NoFileName {
                path: out.to_path_buf(),
            })
        }
    };
    let folder = match out.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let folder = folder
        .canonicalize()
        .and_then(|f| {
            if f.is_dir() {
                Ok(f)
            } else {
                Err(io::Error::other("it is not a folder"))
            }
        })
        .map_err(|source| OutputError::Folder {
            path: folder.clone(),
            source,
        })?;
    Ok(folder.join(name))
}

/// The refusals that hold whatever the policy: the database, and anything not a regular file;
/// an existing file only without `replace`.
fn check_target(target: &Path, policy: &OutputPolicy) -> Result<(), OutputError> {
    let protected = |path: &Path| OutputError::Protected {
        path: path.to_path_buf(),
    };
    for db in &policy.protected {
        let Some(db_name) = db.file_name() else {
            continue;
        };
        let db_folder = db
            .parent()
            .and_then(|p| p.canonicalize().ok())
            .unwrap_or_default();
        for suffix in DB_COMPANIONS {
            let mut name = db_name.to_owned();
            name.push(suffix);
            let companion = db_folder.join(&name);
            if companion == target || same_file(&companion, target) {
                return Err(protected(target));
            }
        }
    }
    let Ok(link) = std::fs::symlink_metadata(target) else {
        return Ok(());
    };
    let followed = std::fs::metadata(target);
    let kind = match &followed {
        Err(_) => Some("a symlink to nothing"),
        Ok(meta) => non_regular_kind(meta),
    };
    if let Some(kind) = kind {
        let kind = if link.file_type().is_symlink() && kind != "a symlink to nothing" {
            "a symlink to something that is not a file"
        } else {
            kind
        };
        return Err(OutputError::NotRegular {
            path: target.to_path_buf(),
            kind,
        });
    }
    if !policy.replace {
        return Err(OutputError::Exists {
            path: target.to_path_buf(),
        });
    }
    Ok(())
}

/// What a non-regular file is, in words; None for a regular file.
pub(crate) fn non_regular_kind(meta: &std::fs::Metadata) -> Option<&'static str> {
    let kind = meta.file_type();
    if kind.is_file() {
        return None;
    }
    if kind.is_dir() {
        return Some("a folder");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if kind.is_fifo() {
            return Some("a FIFO (named pipe)");
        }
        if kind.is_char_device() || kind.is_block_device() {
            return Some("a device");
        }
        if kind.is_socket() {
            return Some("a socket");
        }
    }
    Some("not a regular file")
}

/// Whether two existing paths are the same file (same device and inode).
fn same_file(a: &Path, b: &Path) -> bool {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        match (std::fs::metadata(a), std::fs::metadata(b)) {
            (Ok(x), Ok(y)) => x.dev() == y.dev() && x.ino() == y.ino(),
            _ => false,
        }
    }
    #[cfg(not(unix))]
    {
        match (a.canonicalize(), b.canonicalize()) {
            (Ok(x), Ok(y)) => x == y,
            _ => false,
        }
    }
}

/// A new temporary file beside `target`, created exclusively with mode 0600.
fn create_temp(folder: &Path, target: &Path) -> Result<(PathBuf, File), OutputError> {
    let name = target
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut last = None;
    for _ in 0..8 {
        let tag: u64 = rand::thread_rng().gen();
        let temp = folder.join(format!(".{name}.{tag:016x}.partial"));
        let mut options = OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        match options.open(&temp) {
            Ok(file) => {
                // The mode is applied through the umask; make sure it is 0600 whatever it is.
                super::private::restrict_file(&file);
                return Ok((temp, file));
            }
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(source) => {
                return Err(OutputError::Write {
                    path: target.to_path_buf(),
                    source,
                })
            }
        }
    }
    Err(OutputError::Write {
        path: target.to_path_buf(),
        source: last.unwrap_or_else(|| io::Error::other("no temporary name was free")),
    })
}

/// Moves the complete temporary file into place: a rename when replacing is allowed, else a
/// hard link that fails if anything appeared at the target meanwhile (file systems without
/// hard links fall back to a rename after one more check).
fn place(temp: &Path, target: &Path, replace: bool) -> io::Result<()> {
    if replace {
        // Checked again just before: something may have replaced the file since.
        if let Ok(meta) = std::fs::metadata(target) {
            if non_regular_kind(&meta).is_some() {
                return Err(io::Error::other(
                    "it stopped being a regular file; it is not written over",
                ));
            }
        }
        return std::fs::rename(temp, target);
    }
    match std::fs::hard_link(temp, target) {
        Ok(()) => Ok(()),
        Err(e) if e.kind() == io::ErrorKind::AlreadyExists => Err(e),
        Err(_) => {
            if std::fs::symlink_metadata(target).is_ok() {
                return Err(io::Error::from(io::ErrorKind::AlreadyExists));
            }
            std::fs::rename(temp, target)
        }
    }
}
