//! Detaching `halite minion -d` from the terminal (Salt's `daemonize`: fork,
//! setsid, chdir /, umask 022, fork again, stdio to /dev/null) and its pid file.

use std::io;
use std::path::Path;

/// Fork into the background. Returns only in the final child.
#[allow(unsafe_code)]
pub fn daemonize() -> io::Result<()> {
    // SAFETY: called before any thread is started; the parents exit at once with
    // `_exit`, so no state is shared across the forks.
    unsafe {
        fork_and_exit_parent()?;
        if libc::setsid() < 0 {
            return Err(io::Error::last_os_error());
        }
        libc::umask(0o022);
        fork_and_exit_parent()?;
    }
    std::env::set_current_dir("/")?;
    redirect_stdio()
}

#[allow(unsafe_code)]
unsafe fn fork_and_exit_parent() -> io::Result<()> {
    // SAFETY: see `daemonize`.
    match unsafe { libc::fork() } {
        -1 => Err(io::Error::last_os_error()),
        0 => Ok(()),
        _ => unsafe { libc::_exit(0) },
    }
}

#[allow(unsafe_code)]
fn redirect_stdio() -> io::Result<()> {
    use std::os::fd::AsRawFd;
    let null = std::fs::OpenOptions::new()
        .read(true)
        .write(true)
        .open("/dev/null")?;
    for fd in 0..3 {
        // SAFETY: dup2 on valid descriptors; replaces stdin/stdout/stderr.
        if unsafe { libc::dup2(null.as_raw_fd(), fd) } < 0 {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Write the pid file as Salt does (the pid, no newline), creating its directory.
pub fn write_pidfile(path: &Path) -> io::Result<()> {
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)?;
    }
    std::fs::write(path, std::process::id().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pidfile_holds_our_pid() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("run/minion.pid");
        write_pidfile(&path).unwrap();
        assert_eq!(
            std::fs::read_to_string(path).unwrap(),
            std::process::id().to_string()
        );
    }
}
