//! systemd's readiness protocol (`sd_notify(3)`): with `Type=notify` the
//! unit is started once the minion has authenticated, compiled its pillar
//! and announced itself; `STOPPING=1` on the way out. A datagram to
//! `$NOTIFY_SOCKET` (a path, or `@name` for the abstract namespace); without
//! the variable (not under systemd) nothing is sent.

use std::io;
use std::os::linux::net::SocketAddrExt;
use std::os::unix::net::{SocketAddr, UnixDatagram};

/// Tell systemd `state` (e.g. `READY=1\nSTATUS=...`) if it is listening.
pub fn notify(state: &str) {
    let Some(target) = std::env::var_os("NOTIFY_SOCKET") else {
        return;
    };
    if let Err(e) = notify_to(&target.to_string_lossy(), state) {
        tracing::warn!("cannot notify systemd ({}): {e}", target.to_string_lossy());
    }
}

/// Send `state` to the notify socket `target`.
pub fn notify_to(target: &str, state: &str) -> io::Result<()> {
    let sock = UnixDatagram::unbound()?;
    let addr = match target.strip_prefix('@') {
        Some(name) => SocketAddr::from_abstract_name(name.as_bytes())?,
        None => SocketAddr::from_pathname(target)?,
    };
    sock.send_to_addr(state.as_bytes(), &addr)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ready_reaches_a_path_socket() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("notify");
        let listener = UnixDatagram::bind(&path).unwrap();
        notify_to(path.to_str().unwrap(), "READY=1\nSTATUS=serving").unwrap();
        let mut buf = [0u8; 64];
        let n = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1\nSTATUS=serving");
    }

    #[test]
    fn ready_reaches_an_abstract_socket() {
        let name = format!("halite-test-{}", std::process::id());
        let addr = SocketAddr::from_abstract_name(name.as_bytes()).unwrap();
        let listener = UnixDatagram::bind_addr(&addr).unwrap();
        notify_to(&format!("@{name}"), "READY=1").unwrap();
        let mut buf = [0u8; 16];
        let n = listener.recv(&mut buf).unwrap();
        assert_eq!(&buf[..n], b"READY=1");
    }
}
