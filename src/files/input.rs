//! Reading a file the person named (an image, an identity): only a regular file, opened so a
//! FIFO or a device cannot block the open, and read with a size bound.
//!
//! Must never: block on a FIFO, read a device, or read past the bound.

use std::fs::File;
use std::io::{self, Read};
use std::path::Path;

/// Why a file was not read, in words to follow "cannot use FILE: ".
#[derive(Debug, thiserror::Error)]
pub enum InputError {
    #[error("cannot open it ({0})")]
    Open(io::Error),
    #[error("it is {0}, not a regular file: give the path of a file")]
    NotRegular(&'static str),
    #[error("it is larger than {} MiB", .0 / (1024 * 1024))]
    TooLarge(u64),
    #[error("cannot read it ({0})")]
    Read(io::Error),
}

/// Opens `path` for reading without blocking (a FIFO with no writer would block a plain open)
/// and checks that it is a regular file.
pub fn open_regular(path: &Path) -> Result<File, InputError> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK);
    }
    let file = options.open(path).map_err(InputError::Open)?;
    let meta = file.metadata().map_err(InputError::Read)?;
    if let Some(kind) = super::output::non_regular_kind(&meta) {
        return Err(InputError::NotRegular(kind));
    }
    Ok(file)
}

/// The whole content of the regular file at `path`, when it is at most `max` bytes.
pub fn read_regular(path: &Path, max: u64) -> Result<Vec<u8>, InputError> {
    let file = open_regular(path)?;
    let mut bytes = Vec::new();
    file.take(max.saturating_add(1))
        .read_to_end(&mut bytes)
        .map_err(InputError::Read)?;
    if bytes.len() as u64 > max {
        return Err(InputError::TooLarge(max));
    }
    Ok(bytes)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn fifos_folders_and_devices_are_refused_without_blocking() {
        let tmp = tempfile::tempdir().unwrap();
        let fifo = tmp.path().join("fifo");
        let made = std::process::Command::new("mkfifo")
            .arg(&fifo)
            .status()
            .unwrap();
        assert!(made.success());
        // No writer: a plain open would block here for ever.
        assert!(matches!(
            read_regular(&fifo, 10),
            Err(InputError::NotRegular("a FIFO (named pipe)"))
        ));
        assert!(matches!(
            read_regular(tmp.path(), 10),
            Err(InputError::NotRegular("a folder"))
        ));
        assert!(matches!(
            read_regular(Path::new("/dev/zero"), 10),
            Err(InputError::NotRegular("a device"))
        ));
        let file = tmp.path().join("f");
        std::fs::write(&file, b"12345").unwrap();
        assert_eq!(read_regular(&file, 5).unwrap(), b"12345");
        assert!(matches!(
            read_regular(&file, 4),
            Err(InputError::TooLarge(4))
        ));
    }
}
