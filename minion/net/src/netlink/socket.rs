//! A blocking rtnetlink socket: one request, then its replies until the dump's
//! DONE or the request's ACK. No runtime is needed for that.

use netlink_packet_core::{
    NetlinkHeader, NetlinkMessage, NetlinkPayload, NLM_F_ACK, NLM_F_DUMP, NLM_F_REQUEST,
};
use netlink_packet_route::RouteNetlinkMessage;
use netlink_sys::{protocols::NETLINK_ROUTE, Socket, SocketAddr};
use std::cell::Cell;
use std::io;
use std::os::fd::AsRawFd;
use std::path::Path;

/// Why a request failed.
#[derive(Debug, thiserror::Error)]
pub enum SocketError {
    #[error("netlink socket: {0}")]
    Io(#[from] io::Error),
    /// The kernel refused the request (errno).
    #[error("{0}")]
    Refused(io::Error),
    #[error("undecodable netlink reply: {0}")]
    Decode(String),
}

impl SocketError {
    /// The errno the kernel answered with, if it refused.
    pub fn errno(&self) -> Option<i32> {
        match self {
            SocketError::Refused(e) => e.raw_os_error(),
            _ => None,
        }
    }
}

/// One NETLINK_ROUTE socket, bound to the namespace it was opened in.
pub struct NlSocket {
    sock: Socket,
    seq: Cell<u32>,
}

impl NlSocket {
    /// A socket in the calling thread's network namespace.
    pub fn open() -> io::Result<Self> {
        let mut sock = Socket::new(NETLINK_ROUTE)?;
        sock.bind_auto()?;
        sock.connect(&SocketAddr::new(0, 0))?;
        Ok(NlSocket {
            sock,
            seq: Cell::new(1),
        })
    }

    /// A socket inside the network namespace at `path` (`/run/netns/NAME`).
    /// A helper thread enters the namespace and opens it; a netlink socket
    /// stays bound to the namespace it was created in, whoever uses it later.
    pub fn open_in(path: &Path) -> io::Result<Self> {
        let file = std::fs::File::open(path)?;
        std::thread::scope(|s| {
            s.spawn(|| {
                enter_netns(&file)?;
                NlSocket::open()
            })
            .join()
            .unwrap_or_else(|_| Err(io::Error::other("netns helper thread panicked")))
        })
    }

    /// A dump request (`NLM_F_DUMP`): every object of the kind.
    pub fn dump(&self, msg: RouteNetlinkMessage) -> Result<Vec<RouteNetlinkMessage>, SocketError> {
        self.exchange(msg, NLM_F_DUMP)
    }

    /// A change request with `flags` (`NLM_F_CREATE | NLM_F_EXCL`, ...),
    /// acknowledged by the kernel.
    pub fn change(&self, msg: RouteNetlinkMessage, flags: u16) -> Result<(), SocketError> {
        self.exchange(msg, flags | NLM_F_ACK).map(|_| ())
    }

    /// A get request for one object, acknowledged.
    pub fn get(&self, msg: RouteNetlinkMessage) -> Result<Vec<RouteNetlinkMessage>, SocketError> {
        self.exchange(msg, NLM_F_ACK)
    }

    fn exchange(
        &self,
        msg: RouteNetlinkMessage,
        flags: u16,
    ) -> Result<Vec<RouteNetlinkMessage>, SocketError> {
        let seq = self.seq.get().wrapping_add(1);
        self.seq.set(seq);
        let mut header = NetlinkHeader::default();
        header.flags = NLM_F_REQUEST | flags;
        header.sequence_number = seq;
        let mut packet = NetlinkMessage::new(header, NetlinkPayload::from(msg));
        packet.finalize();
        let mut buf = vec![0u8; packet.buffer_len()];
        packet.serialize(&mut buf);
        self.sock.send(&buf, 0)?;
        self.collect(seq)
    }

    fn collect(&self, seq: u32) -> Result<Vec<RouteNetlinkMessage>, SocketError> {
        let mut out = Vec::new();
        loop {
            let (data, _) = self.sock.recv_from_full()?;
            let mut offset = 0;
            while offset < data.len() {
                let packet = NetlinkMessage::<RouteNetlinkMessage>::deserialize(&data[offset..])
                    .map_err(|e| SocketError::Decode(e.to_string()))?;
                let len = packet.header.length as usize;
                if len == 0 {
                    return Err(SocketError::Decode("zero-length message".into()));
                }
                offset += (len + 3) & !3;
                if packet.header.sequence_number != seq {
                    continue; // a late reply to an earlier request
                }
                match packet.payload {
                    NetlinkPayload::Done(_) => return Ok(out),
                    NetlinkPayload::Error(e) => {
                        return match e.code {
                            None => Ok(out),
                            Some(code) => Err(SocketError::Refused(io::Error::from_raw_os_error(
                                -code.get(),
                            ))),
                        }
                    }
                    NetlinkPayload::InnerMessage(m) => out.push(m),
                    _ => {}
                }
            }
        }
    }
}

#[allow(unsafe_code)]
fn enter_netns(file: &std::fs::File) -> io::Result<()> {
    // SAFETY: setns(2) on a valid, open namespace fd; it changes only the
    // calling thread (a short-lived helper thread) and reports errors by errno.
    let rc = unsafe { libc::setns(file.as_raw_fd(), libc::CLONE_NEWNET) };
    if rc == 0 {
        Ok(())
    } else {
        Err(io::Error::last_os_error())
    }
}
