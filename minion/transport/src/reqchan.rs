//! Lock-step request/reply on REQ sockets: a small pool of idle sockets;
//! a socket that timed out or failed is discarded (its REQ state machine is
//! stuck) and the next try uses a new one (§2.1, §7.4).

use std::sync::Mutex;
use std::time::Duration;

use crate::error::TransportError;
use crate::settings::LinkSettings;
use crate::sockets;

/// Idle REQ sockets to one master endpoint.
pub struct RequestPool {
    idle: Mutex<Vec<zmq::Socket>>,
}

const MAX_IDLE: usize = 4;

impl RequestPool {
    pub fn new() -> Self {
        RequestPool {
            idle: Mutex::new(Vec::new()),
        }
    }

    /// Send `frame` and wait for one reply frame, `tries` times `timeout`.
    pub fn exchange(
        &self,
        ctx: &zmq::Context,
        settings: &LinkSettings,
        what: &str,
        frame: &[u8],
        timeout: Duration,
        tries: u32,
    ) -> Result<Vec<u8>, TransportError> {
        for attempt in 1..=tries {
            let socket = self.take(ctx, settings)?;
            match exchange_once(&socket, frame, timeout) {
                Ok(Some(reply)) => {
                    self.give_back(socket);
                    return Ok(reply);
                }
                Ok(None) => tracing::warn!(
                    "no reply to {what} within {:?} (try {attempt}/{tries}); retrying on a new connection",
                    timeout
                ),
                Err(e) => tracing::warn!("{what}: zeromq error {e} (try {attempt}/{tries})"),
            }
        }
        Err(TransportError::Timeout {
            what: what.to_string(),
            endpoint: settings.endpoint(settings.master_port),
            tries,
            timeout_secs: timeout.as_secs(),
        })
    }

    fn take(
        &self,
        ctx: &zmq::Context,
        settings: &LinkSettings,
    ) -> Result<zmq::Socket, TransportError> {
        let pooled = self.idle.lock().unwrap_or_else(|p| p.into_inner()).pop();
        match pooled {
            Some(s) => Ok(s),
            None => sockets::request_socket(ctx, settings),
        }
    }

    fn give_back(&self, socket: zmq::Socket) {
        let mut idle = self.idle.lock().unwrap_or_else(|p| p.into_inner());
        if idle.len() < MAX_IDLE {
            idle.push(socket);
        }
    }
}

/// One send + receive. `Ok(None)` on timeout.
fn exchange_once(
    socket: &zmq::Socket,
    frame: &[u8],
    timeout: Duration,
) -> Result<Option<Vec<u8>>, zmq::Error> {
    socket.send(frame, 0)?;
    let ms = i64::try_from(timeout.as_millis()).unwrap_or(i64::MAX);
    if socket.poll(zmq::POLLIN, ms)? == 0 {
        return Ok(None);
    }
    let mut parts = socket.recv_multipart(0)?;
    Ok(parts.pop())
}
