//! Scratch files: unnamed temporary files for what is too large to hold in
//! memory (records of the duplicate-line rule, a transaction too large to
//! hold). Such a file lasts as long as the run holds it open and leaves
//! nothing behind, even if the run is killed.

use std::fs::File;
use std::path::Path;

/// A scratch file in the temporary folder: unnamed from the start where the
/// system can (`O_TMPFILE`, Linux), else named, readable by its owner only,
/// and its name removed at once (what goes in holds claim data). `None`
/// where none can be made (the caller keeps what it has in memory).
#[cfg(unix)]
pub fn file() -> Option<File> {
    file_in(&std::env::temp_dir(), true)
}

#[cfg(not(unix))]
pub fn file() -> Option<File> {
    None
}

/// `file` in `dir`; `unnamed`: try `O_TMPFILE` first.
#[cfg(unix)]
pub fn file_in(dir: &Path, unnamed: bool) -> Option<File> {
    use std::os::unix::fs::OpenOptionsExt;
    use std::sync::atomic::{AtomicU32, Ordering};
    let mut open = std::fs::OpenOptions::new();
    open.read(true).write(true).mode(0o600);
    #[cfg(target_os = "linux")]
    if unnamed {
        if let Ok(file) = open.clone().custom_flags(libc::O_TMPFILE).open(dir) {
            return Some(file);
        }
    }
    #[cfg(not(target_os = "linux"))]
    let _ = unnamed;
    static N: AtomicU32 = AtomicU32::new(0);
    let path = dir.join(format!(
        "claimscrub-v001-{}-{}",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    ));
    let file = open.create_new(true).open(&path).ok()?;
    std::fs::remove_file(&path).ok()?;
    Some(file)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The file leaves no name behind, either way it is made, and only its
    /// owner may read it (it holds claim data).
    #[cfg(unix)]
    #[test]
    fn a_scratch_file_has_no_name_and_one_reader() {
        use std::io::Write;
        use std::os::unix::fs::{FileExt, PermissionsExt};
        let dir = std::env::temp_dir().join(format!("cs-v001-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let mut seen = Vec::new();
        for unnamed in [true, false] {
            let Some(mut file) = file_in(&dir, unnamed) else {
                seen.push((unnamed, None));
                continue;
            };
            let names = std::fs::read_dir(&dir).unwrap().count();
            let mode = file.metadata().unwrap().permissions().mode() & 0o777;
            file.write_all(b"\x05C17\0").unwrap();
            let mut back = [0u8; 5];
            file.read_exact_at(&mut back, 0).unwrap();
            seen.push((unnamed, Some((names, mode, back))));
        }
        // The folder goes before anything is asserted.
        std::fs::remove_dir_all(&dir).unwrap();
        for (unnamed, got) in seen {
            assert_eq!(got, Some((0, 0o600, *b"\x05C17\0")), "unnamed {unnamed}");
        }
    }
}
