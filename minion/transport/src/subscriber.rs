//! The SUB side: a socket plus a monitor that reports lost and
//! re-established connections (master restart), the serial tracker of the current AES key and
//! the re-auth rate limit for undecryptable publications.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use halite_proto::publish::SerialTracker;

use crate::error::TransportError;
use crate::settings::LinkSettings;
use crate::sockets;

static MONITOR_SEQ: AtomicU64 = AtomicU64::new(0);

/// What the socket monitor reported since the last look.
#[derive(Debug, Default, Clone, Copy)]
pub struct SubEvents {
    /// An established connection dropped.
    pub disconnected: bool,
    /// Connected again after a drop.
    pub reconnected: bool,
    /// The first connection of a socket opened after a lost connection was
    /// refused (the `_auth` answer came from a master shutting down).
    pub never_connected: bool,
}

/// One publish connection.
pub struct Subscriber {
    socket: zmq::Socket,
    monitor: zmq::Socket,
    handshakes: u64,
    /// Opened after the connection to the master was lost: a refused first
    /// connect is worth another `_auth` (see [`SubEvents::never_connected`]).
    after_loss: bool,
    /// Replay protection for the AES key of `generation`.
    pub serials: SerialTracker,
    /// Auth generation the serials belong to.
    pub generation: u64,
    /// When an undecryptable publication last caused a re-auth.
    pub last_reauth: Option<Instant>,
}

impl Subscriber {
    /// Connect to the master's publish port.
    pub fn open(
        ctx: &zmq::Context,
        s: &LinkSettings,
        port: u16,
        generation: u64,
    ) -> Result<Self, TransportError> {
        let socket = sockets::subscribe_socket(ctx, s, port)?;
        let endpoint = format!(
            "inproc://halite-sub-monitor-{}-{}",
            std::process::id(),
            MONITOR_SEQ.fetch_add(1, Ordering::Relaxed)
        );
        let events = zmq::SocketEvent::HANDSHAKE_SUCCEEDED as i32
            | zmq::SocketEvent::DISCONNECTED as i32
            | zmq::SocketEvent::CONNECT_RETRIED as i32;
        socket
            .monitor(&endpoint, events)
            .map_err(TransportError::zmq("starting the socket monitor"))?;
        let monitor = ctx
            .socket(zmq::PAIR)
            .map_err(TransportError::zmq("creating the monitor socket"))?;
        monitor
            .connect(&endpoint)
            .map_err(TransportError::zmq("connecting the monitor"))?;
        Ok(Subscriber {
            socket,
            monitor,
            handshakes: 0,
            after_loss: false,
            serials: SerialTracker::default(),
            generation,
            last_reauth: None,
        })
    }

    /// Read pending monitor events: was the connection lost, was it
    /// re-established (a handshake after the first one)?
    pub fn events(&mut self) -> SubEvents {
        let mut seen = SubEvents::default();
        while let Ok(parts) = self.monitor.recv_multipart(zmq::DONTWAIT) {
            let Some(head) = parts.first().filter(|p| p.len() >= 2) else {
                continue;
            };
            let event = u16::from_le_bytes([head[0], head[1]]);
            if event == zmq::SocketEvent::HANDSHAKE_SUCCEEDED as u16 {
                self.handshakes += 1;
                if self.handshakes > 1 {
                    seen.reconnected = true;
                }
            } else if event == zmq::SocketEvent::DISCONNECTED as u16 {
                tracing::warn!("publish connection to the master lost; reconnecting");
                seen.disconnected = true;
            } else if event == zmq::SocketEvent::CONNECT_RETRIED as u16
                && self.after_loss
                && self.handshakes == 0
            {
                seen.never_connected = true;
            }
        }
        seen
    }

    /// Mark a socket opened after the connection was lost.
    pub fn opened_after_loss(mut self) -> Self {
        self.after_loss = true;
        self
    }

    /// Wait up to `timeout` for one message; `Ok(None)` when none came.
    pub fn recv(&self, timeout: Duration) -> Result<Option<Vec<Vec<u8>>>, TransportError> {
        let ms = i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX);
        let ready = self
            .socket
            .poll(zmq::POLLIN, ms)
            .map_err(TransportError::zmq("polling the publish socket"))?;
        if ready == 0 {
            return Ok(None);
        }
        self.socket
            .recv_multipart(zmq::DONTWAIT)
            .map(Some)
            .or_else(|e| {
                if e == zmq::Error::EAGAIN {
                    Ok(None)
                } else {
                    Err(e)
                }
            })
            .map_err(TransportError::zmq("receiving a publication"))
    }
}
