//! ZeroMQ socket construction with Salt's minion-side options (§2.1, §2.2).

use crate::error::TransportError;
use crate::settings::LinkSettings;

fn keepalive(socket: &zmq::Socket, s: &LinkSettings) -> Result<(), TransportError> {
    let (on, idle, cnt, intvl) = s.tcp_keepalive;
    let e = TransportError::zmq;
    socket
        .set_tcp_keepalive(on)
        .map_err(e("setting TCP keepalive"))?;
    socket
        .set_tcp_keepalive_idle(idle)
        .map_err(e("setting TCP keepalive idle"))?;
    socket
        .set_tcp_keepalive_cnt(cnt)
        .map_err(e("setting TCP keepalive count"))?;
    socket
        .set_tcp_keepalive_intvl(intvl)
        .map_err(e("setting TCP keepalive interval"))?;
    if s.ipv6 || s.master.contains(':') {
        socket.set_ipv6(true).map_err(e("enabling IPv6"))?;
    }
    Ok(())
}

/// A connected REQ socket for the request channel.
pub fn request_socket(ctx: &zmq::Context, s: &LinkSettings) -> Result<zmq::Socket, TransportError> {
    let e = TransportError::zmq;
    let socket = ctx.socket(zmq::REQ).map_err(e("creating a REQ socket"))?;
    socket.set_linger(0).map_err(e("setting linger"))?;
    socket
        .set_reconnect_ivl_max(s.request_reconnect_ivl_max)
        .map_err(e("setting reconnect interval"))?;
    keepalive(&socket, s)?;
    socket
        .connect(&s.endpoint(s.master_port))
        .map_err(e("connecting the request channel"))?;
    Ok(socket)
}

/// A connected SUB socket for publications, with heartbeats and reconnect intervals.
pub fn subscribe_socket(
    ctx: &zmq::Context,
    s: &LinkSettings,
    publish_port: u16,
) -> Result<zmq::Socket, TransportError> {
    let e = TransportError::zmq;
    let socket = ctx.socket(zmq::SUB).map_err(e("creating a SUB socket"))?;
    socket.set_linger(1).map_err(e("setting linger"))?;
    socket
        .set_identity(s.id.as_bytes())
        .map_err(e("setting identity"))?;
    socket
        .set_reconnect_ivl(recon_interval(s))
        .map_err(e("setting reconnect interval"))?;
    socket
        .set_reconnect_ivl_max(s.recon_max)
        .map_err(e("setting max reconnect interval"))?;
    socket
        .set_heartbeat_ivl(s.heartbeat_ivl)
        .map_err(e("setting heartbeat interval"))?;
    socket
        .set_heartbeat_timeout(s.heartbeat_timeout)
        .map_err(e("setting heartbeat timeout"))?;
    socket
        .set_heartbeat_ttl(s.heartbeat_timeout)
        .map_err(e("setting heartbeat TTL"))?;
    keepalive(&socket, s)?;
    // No ZMQ_MAXMSGSIZE: libzmq treats an oversized frame as a protocol
    // error and ends the session without reconnecting, so one hostile frame
    // would cut the minion off its master for good (seen in
    // tests/e2e/hostile.rs). Oversized publications are dropped after
    // receipt instead (`halite_max_publication_bytes`).
    if s.zmq_filtering {
        socket
            .set_subscribe(b"broadcast")
            .map_err(e("subscribing"))?;
        let topic = halite_proto::publish::topic_for(&s.id);
        socket
            .set_subscribe(topic.as_bytes())
            .map_err(e("subscribing"))?;
    } else {
        socket.set_subscribe(b"").map_err(e("subscribing"))?;
    }
    socket
        .connect(&s.endpoint(publish_port))
        .map_err(e("connecting the publish channel"))?;
    Ok(socket)
}

/// A uniformly random integer in `[low, high]`.
/// The publish socket's reconnect interval as Salt draws it: random in
/// `[recon_default, recon_default + recon_max]` with `recon_randomize`.
pub fn recon_interval(s: &LinkSettings) -> i32 {
    if s.recon_randomize {
        random_between(s.recon_default, s.recon_default.saturating_add(s.recon_max))
    } else {
        s.recon_default
    }
}

pub fn random_between(low: i32, high: i32) -> i32 {
    if high <= low {
        return low;
    }
    let mut raw = [0u8; 4];
    openssl::rand::rand_bytes(&mut raw).expect("OpenSSL random generator failed");
    let span = (high - low) as u32 + 1;
    low + (u32::from_le_bytes(raw) % span) as i32
}
