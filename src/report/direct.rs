//! The large outputs (the clean and rejected files, the acknowledgments)
//! are written past the page cache where the file system allows it
//! (`O_DIRECT`), in whole aligned blocks, by a thread of their own.
//!
//! Through the page cache, the kernel copied every byte a second time into
//! pages it had to find, and the disk writing came later: on ext4, mostly
//! at the rename that puts a finished file over last night's (the
//! `auto_da_alloc` flush), with the run's cores waiting on the disk. Written
//! direct, the bytes go from our buffers to the disk as the run goes, and
//! are there before the rename. A direct write waits for the disk, so a
//! writer thread does it while the serial stage fills the next block.
//! Direct writing is asked for only on the local disk file systems (ext4,
//! XFS, btrfs); elsewhere (tmpfs, network and FUSE file systems, where it
//! is refused, or slow), and wherever it is refused, the same thread writes
//! through the page cache.

use std::fs::File;
use std::io::{self, Write};
use std::os::unix::io::AsRawFd;
use std::sync::mpsc::{channel, sync_channel, Receiver, SyncSender};
use std::thread::JoinHandle;

/// The alignment `O_DIRECT` asks of the buffer, the file offset and the
/// length (the largest logical block size in use).
const BLOCK: usize = 4096;
/// Bytes handed to the kernel at a time: a multiple of `BLOCK`.
const CAP: usize = 512 << 10;
/// Blocks per file at most: one being filled, the others queued or being
/// written. The writer thread shares two cores with two checkers: it can
/// wait several milliseconds to be run, while the serial stage fills about
/// a block a millisecond (every output, 1,000,000 claims). With 3 blocks
/// the serial stage waited for a free one 380 times, 129 ms in all (a core
/// idle: 8% of the run on disk); with 4, 130-160 times; with 6 or 8, never.
/// A file is given more than one block only when it fills faster than its
/// writer writes (`OutFile::hand_on`): the small ones keep one or two.
const BLOCKS: usize = 8;

/// `CAP` bytes aligned to `BLOCK`, inside a vector of `CAP + BLOCK`.
struct Block {
    v: Vec<u8>,
    at: usize,
}

impl Block {
    fn new() -> Block {
        let v = vec![0u8; CAP + BLOCK];
        let at = v.as_ptr().align_offset(BLOCK);
        Block { v, at }
    }

    fn bytes(&mut self) -> &mut [u8] {
        &mut self.v[self.at..self.at + CAP]
    }
}

/// A file written in `CAP`-byte blocks by a writer thread.
pub(crate) struct OutFile {
    block: Block,
    len: usize,
    made: usize,
    /// Blocks written, back for reuse.
    free: Receiver<Block>,
    /// To the writer: a block and how many of its bytes to write (fewer than
    /// `CAP` only for the last).
    full: Option<SyncSender<(Block, usize)>>,
    writer: Option<JoinHandle<io::Result<()>>>,
}

impl OutFile {
    /// Write `file` (new and empty), direct where it is a regular file on
    /// one of the local disk file systems and takes `O_DIRECT`. (Not on a
    /// FIFO, whose file system is its directory's: there `O_DIRECT` is
    /// packet mode, which drops what a reader's short read does not take.)
    pub(crate) fn new(file: File) -> io::Result<OutFile> {
        let regular = file.metadata().is_ok_and(|m| m.is_file());
        let direct = regular && on_local_disk(&file) && set_direct(&file, true).is_ok();
        Self::with(file, direct)
    }

    /// `direct` says whether `file` is open with `O_DIRECT`.
    fn with(file: File, direct: bool) -> io::Result<OutFile> {
        let (full, todo) = sync_channel::<(Block, usize)>(BLOCKS);
        let (done, free) = channel();
        let writer = std::thread::Builder::new()
            .name("cs-write".into())
            .spawn(move || {
                let mut w = Writer { file, direct };
                for (mut block, n) in todo {
                    w.write(&mut block, n)?;
                    // The file's owner may be gone (dropped unfinished).
                    let _ = done.send(block);
                }
                Ok(())
            })?;
        Ok(OutFile {
            block: Block::new(),
            len: 0,
            made: 1,
            free,
            full: Some(full),
            writer: Some(writer),
        })
    }

    /// Hand the block on with its first `n` bytes; take an empty one.
    fn hand_on(&mut self, n: usize) -> io::Result<()> {
        let next = match self.free.try_recv() {
            Ok(b) => b,
            Err(_) if self.made < BLOCKS => {
                self.made += 1;
                Block::new()
            }
            Err(_) => match self.free.recv() {
                Ok(b) => b,
                Err(_) => return Err(self.stopped()),
            },
        };
        let block = std::mem::replace(&mut self.block, next);
        self.len = 0;
        match self.full.as_ref().map(|s| s.send((block, n))) {
            Some(Ok(())) => Ok(()),
            _ => Err(self.stopped()),
        }
    }

    /// The writer stopped: its error.
    fn stopped(&mut self) -> io::Error {
        self.full = None;
        join(self.writer.take(), "output")
            .err()
            .unwrap_or_else(|| io::Error::other("the output writer stopped"))
    }

    /// Write what is left, wait for every block to be written, close.
    pub(crate) fn finish(mut self) -> io::Result<()> {
        if self.len > 0 {
            self.hand_on(self.len)?;
        }
        self.full = None;
        join(self.writer.take(), "output")
    }
}

/// Wait for a writer thread (closed by dropping its sender): its result,
/// its panic passed on; none (waited for already) is an error that names
/// `what` it wrote.
pub(crate) fn join<T>(writer: Option<JoinHandle<io::Result<T>>>, what: &str) -> io::Result<T> {
    match writer.map(JoinHandle::join) {
        Some(Ok(r)) => r,
        Some(Err(p)) => std::panic::resume_unwind(p),
        None => Err(io::Error::other(format!("the {what} writer stopped"))),
    }
}

/// Dropped unfinished (the run failed or was interrupted): the writer is
/// let finish what it was given; the staged file is removed after.
impl Drop for OutFile {
    fn drop(&mut self) {
        self.full = None;
        if let Some(w) = self.writer.take() {
            let _ = w.join();
        }
    }
}

impl Write for OutFile {
    fn write(&mut self, data: &[u8]) -> io::Result<usize> {
        let n = data.len().min(CAP - self.len);
        let start = self.len;
        self.block.bytes()[start..start + n].copy_from_slice(&data[..n]);
        self.len += n;
        if self.len == CAP {
            self.hand_on(CAP)?;
        }
        Ok(n)
    }

    fn write_all(&mut self, mut data: &[u8]) -> io::Result<()> {
        while !data.is_empty() {
            let n = self.write(data)?;
            data = &data[n..];
        }
        Ok(())
    }

    /// Whole blocks go out as they fill: the rest waits for `finish`.
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// The writer thread's side.
struct Writer {
    file: File,
    direct: bool,
}

impl Writer {
    /// Write the block's first `n` bytes. Direct, a short (last) block is
    /// written whole, padded with zeros, and the file cut back to its
    /// length. A file system that took `O_DIRECT` at open but refuses the
    /// write is written through the page cache from then on.
    fn write(&mut self, block: &mut Block, n: usize) -> io::Result<()> {
        let whole = if self.direct {
            n.div_ceil(BLOCK) * BLOCK
        } else {
            n
        };
        block.bytes()[n..whole].fill(0);
        match self.file.write_all(&block.bytes()[..whole]) {
            Err(e) if self.direct && e.raw_os_error() == Some(libc::EINVAL) => {
                self.buffered()?;
                return self.write(block, n);
            }
            r => r?,
        }
        if whole > n {
            let end = self.file.metadata()?.len() - (whole - n) as u64;
            self.file.set_len(end)?;
        }
        Ok(())
    }

    /// Clear `O_DIRECT`: later writes go through the page cache.
    fn buffered(&mut self) -> io::Result<()> {
        set_direct(&self.file, false)?;
        self.direct = false;
        Ok(())
    }
}

/// Set or clear `O_DIRECT` on an open file.
fn set_direct(file: &File, on: bool) -> io::Result<()> {
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor `file` owns, with plain flags.
    let flags = unsafe { libc::fcntl(fd, libc::F_GETFL) };
    let flags = if on {
        flags | libc::O_DIRECT
    } else {
        flags & !libc::O_DIRECT
    };
    // SAFETY: as above.
    if flags < 0 || unsafe { libc::fcntl(fd, libc::F_SETFL, flags) } < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(())
}

/// The file is on ext4, XFS or btrfs.
fn on_local_disk(file: &File) -> bool {
    const EXT4: i64 = 0xEF53;
    const XFS: i64 = 0x5846_5342;
    const BTRFS: i64 = 0x9123_683E;
    // SAFETY: statfs is plain data, filled in by fstatfs on a descriptor
    // `file` owns.
    let mut st: libc::statfs = unsafe { std::mem::zeroed() };
    if unsafe { libc::fstatfs(file.as_raw_fd(), &mut st) } != 0 {
        return false;
    }
    matches!(st.f_type as i64, EXT4 | XFS | BTRFS)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every length around the block and buffer sizes, written in pieces
    /// of many sizes, direct (where the temporary directory allows it) and
    /// through the page cache: the file holds exactly the bytes written.
    #[test]
    fn a_file_holds_exactly_what_was_written() {
        let dir = std::env::temp_dir().join(format!("claimscrub-direct-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let lens = [
            0,
            1,
            BLOCK - 1,
            BLOCK,
            BLOCK + 1,
            CAP - 1,
            CAP,
            CAP + 1,
            7 * CAP + 4097,
        ];
        for direct in [true, false] {
            for &len in &lens {
                let path = dir.join(format!("out-{direct}-{len}"));
                let file = File::create(&path).unwrap();
                // Direct where this file system takes it (set_direct
                // refused: through the page cache).
                let direct = direct && set_direct(&file, true).is_ok();
                let mut out = OutFile::with(file, direct).unwrap();
                let data: Vec<u8> = (0..len).map(|i| (i * 7 % 251) as u8).collect();
                let mut rest = &data[..];
                let mut piece = 1;
                while !rest.is_empty() {
                    let n = piece.min(rest.len());
                    out.write_all(&rest[..n]).unwrap();
                    rest = &rest[n..];
                    piece = piece * 3 % 70_001 + 1;
                }
                out.finish().unwrap();
                assert_eq!(
                    std::fs::read(&path).unwrap(),
                    data,
                    "{len} bytes, direct {direct}"
                );
            }
        }
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A file system that took `O_DIRECT` but refuses a write (EINVAL: here
    /// a block one byte off its alignment, which the kernel refuses the
    /// same way) is written through the page cache from then on, the
    /// refused block included: the file holds exactly the bytes written.
    #[test]
    fn a_refused_direct_write_is_written_through_the_page_cache() {
        let dir = std::env::temp_dir().join(format!("claimscrub-einval-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("out");
        let file = File::create(&path).unwrap();
        if !(on_local_disk(&file) && set_direct(&file, true).is_ok()) {
            // No direct writing here (tmpfs, say): nothing to refuse.
            std::fs::remove_dir_all(&dir).unwrap();
            return;
        }
        let mut w = Writer { file, direct: true };
        let mut data = Vec::new();
        for (i, n) in [(0u8, CAP), (1, CAP), (2, 1000)] {
            let mut block = Block::new();
            if i == 1 {
                block.at += 1;
            }
            let bytes: Vec<u8> = (0..n).map(|k| (k as u8) ^ i).collect();
            block.bytes()[..n].copy_from_slice(&bytes);
            w.write(&mut block, n).unwrap();
            // Direct until the misaligned block, buffered after it.
            assert_eq!(w.direct, i == 0, "block {i}");
            data.extend(bytes);
        }
        drop(w);
        assert_eq!(std::fs::read(&path).unwrap(), data);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    /// A write that fails (the file was opened read-only) is told on the
    /// next hand-over or at `finish`, not lost.
    #[test]
    fn a_failed_write_is_told() {
        let dir = std::env::temp_dir().join(format!("claimscrub-direct-ro-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("ro");
        std::fs::write(&path, b"").unwrap();
        let mut out = OutFile::with(File::open(&path).unwrap(), false).unwrap();
        let data = vec![b'x'; 3 * CAP];
        let r = out.write_all(&data).and_then(|()| out.finish());
        assert!(r.is_err());
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
