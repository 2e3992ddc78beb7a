//! The one `flock(2)` wrapper of the network crates: rollback records and
//! halite-cni's allocation store are both guarded by exclusive file locks.

use std::fs::File;
use std::io;
use std::os::fd::AsRawFd;

/// Take an exclusive lock on `file` (held until the file is closed);
/// `nonblocking` fails with `WouldBlock` instead of waiting.
#[allow(unsafe_code)]
pub fn lock_exclusive(file: &File, nonblocking: bool) -> io::Result<()> {
    let flags = libc::LOCK_EX | if nonblocking { libc::LOCK_NB } else { 0 };
    // SAFETY: flock(2) on an fd owned by `file`; no memory is involved.
    let rc = unsafe { libc::flock(file.as_raw_fd(), flags) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}
