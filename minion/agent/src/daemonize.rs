//! Detaching `halite minion -d` from the terminal (Salt's `daemonize`: fork,
//! setsid, chdir /, umask 022, fork again, stdio to /dev/null).

use std::io;

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
