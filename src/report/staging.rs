//! Outputs are written to a hidden temporary file beside their target and
//! renamed into place when complete. Every temporary file is listed here
//! while it exists, so that a second SIGINT/SIGTERM, which exits at once
//! without unwinding, can still remove them (`remove_all`): an impatient
//! operator's double Ctrl-C leaves nothing behind, hidden or not.
//!
//! An output that names a symbolic link is written to the file the link
//! names (the link is left a link, as `>` in a shell leaves it); an output
//! that replaces a file keeps that file's permissions.
//!
//! An output that names a device, a FIFO or a socket (`/dev/null`,
//! `/dev/stdout`, a named pipe) is written in place: a temporary file
//! renamed over it would replace the device with a regular file (run as
//! root, `--clean-out /dev/null` did exactly that to `/dev/null`).

use std::fs::File;
use std::io;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard};

/// The temporary files of this process not yet renamed or removed.
static LIVE: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());

fn live() -> MutexGuard<'static, Vec<PathBuf>> {
    // A panic elsewhere while the list was held leaves it as it was.
    LIVE.lock().unwrap_or_else(|e| e.into_inner())
}

/// A temporary file for the output at `path`, removed when dropped unless
/// `commit` moved it into place.
#[derive(Debug)]
pub(crate) struct TmpFile {
    tmp: PathBuf,
    path: PathBuf,
    committed: bool,
    /// The target is not a regular file: written as it is, never renamed
    /// over or removed.
    in_place: bool,
}

impl TmpFile {
    /// Create `.NAME.claimscrub-tmp` beside `path` (beside the file it
    /// names, if it is a symbolic link).
    pub(crate) fn create(path: &Path) -> io::Result<(TmpFile, File)> {
        // A device or FIFO as it is named: `/dev/stdout` is a link to a
        // link to `pipe:[…]`, which is no path.
        if std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir()) {
            let file = std::fs::OpenOptions::new().write(true).open(path)?;
            let t = TmpFile {
                tmp: path.to_path_buf(),
                path: path.to_path_buf(),
                committed: false,
                in_place: true,
            };
            return Ok((t, file));
        }
        let path = &target_of(path);
        let name = path
            .file_name()
            .ok_or_else(|| io::Error::new(io::ErrorKind::InvalidInput, "not a file name"))?;
        let tmp = path.with_file_name(format!(".{}.claimscrub-tmp", name.to_string_lossy()));
        // Listed and created under the lock: `remove_all` cannot run
        // between the two and miss the file.
        let mut live = live();
        let file = File::create(&tmp)?;
        live.push(tmp.clone());
        drop(live);
        // The file it replaces keeps its permissions (a nightly job's
        // outputs readable by a group, say), as `sed -i` keeps them.
        if let Some(m) = std::fs::metadata(path).ok().filter(|m| m.is_file()) {
            file.set_permissions(m.permissions())?;
        }
        Ok((
            TmpFile {
                tmp,
                path: path.to_path_buf(),
                committed: false,
                in_place: false,
            },
            file,
        ))
    }

    /// Rename the (closed, complete) temporary file to its target.
    pub(crate) fn commit(mut self) -> io::Result<()> {
        if !self.in_place {
            std::fs::rename(&self.tmp, &self.path)?;
        }
        self.committed = true;
        Ok(())
    }
}

/// The file that writing `path` replaces: symbolic links followed, also to
/// a file that does not exist yet (a link made before last night's run).
pub(crate) fn target_of(path: &Path) -> PathBuf {
    let mut p = path.to_path_buf();
    // As many links as the kernel follows (ELOOP past 40).
    for _ in 0..40 {
        // An error for anything but a link (a file, a missing name).
        let Ok(t) = std::fs::read_link(&p) else {
            break;
        };
        p = match p.parent() {
            Some(dir) if t.is_relative() => dir.join(t),
            _ => t,
        };
    }
    p
}

/// Where an output lands, the same for every way of naming it (`out.837`,
/// `./out.837`, a link to it): two outputs with one place would write one
/// temporary file between them.
pub(crate) fn place_of(path: &Path) -> PathBuf {
    if let Ok(c) = std::fs::canonicalize(path) {
        return c;
    }
    let t = target_of(path);
    let dir = match t.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    };
    match (std::fs::canonicalize(dir), t.file_name()) {
        (Ok(dir), Some(name)) => dir.join(name),
        _ => t,
    }
}

/// Not committed (the run failed, was interrupted, or another output could
/// not be written): removed, so a failed nightly run leaves no hidden
/// half-written files to fill the disk night after night.
impl Drop for TmpFile {
    fn drop(&mut self) {
        if self.in_place {
            return;
        }
        let mut live = live();
        if !self.committed {
            let _ = std::fs::remove_file(&self.tmp);
        }
        if let Some(i) = live.iter().position(|p| *p == self.tmp) {
            live.swap_remove(i);
        }
    }
}

/// Remove every temporary file still listed and keep the list locked: for
/// a handler about to exit the process, so that no new one is made after.
/// Returns how many were removed.
pub fn remove_all() -> (usize, MutexGuard<'static, Vec<PathBuf>>) {
    let mut live = live();
    let n = live
        .drain(..)
        .filter(|p| std::fs::remove_file(p).is_ok())
        .count();
    (n, live)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d =
            std::env::temp_dir().join(format!("claimscrub-staging-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn listed(p: &Path) -> bool {
        live().iter().any(|q| q == p)
    }

    #[test]
    fn a_committed_file_is_in_place_and_no_longer_listed() {
        let d = dir("commit");
        let target = d.join("out.csv");
        let (t, mut f) = TmpFile::create(&target).unwrap();
        let tmp = d.join(".out.csv.claimscrub-tmp");
        assert!(tmp.exists() && listed(&tmp));
        io::Write::write_all(&mut f, b"done").unwrap();
        drop(f);
        t.commit().unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"done");
        assert!(!tmp.exists() && !listed(&tmp));
        std::fs::remove_dir_all(&d).unwrap();
    }

    #[test]
    fn a_dropped_file_is_removed_and_no_longer_listed() {
        let d = dir("drop");
        let target = d.join("out.837");
        let (t, _f) = TmpFile::create(&target).unwrap();
        let tmp = d.join(".out.837.claimscrub-tmp");
        drop(t);
        assert!(!tmp.exists() && !listed(&tmp) && !target.exists());
        std::fs::remove_dir_all(&d).unwrap();
    }
}
