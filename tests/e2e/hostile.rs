//! A hostile publisher between a real master and a Halite minion: the
//! minion's `publish_port` points at a relay that forwards the master's
//! publications and mixes in garbage frames, truncated msgpack, frames over
//! `halite_max_publication_bytes`, publications with flipped bytes (forged:
//! the HMAC fails), envelopes sealed with no key the minion has, and
//! replays of a real publication. Each one is dropped and logged, a replay
//! never runs a job twice, real jobs through the master keep being
//! answered, and the minion's RSS stays bounded.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use halite_tests::minion::{wait_answering, Flavor, Minion};
use halite_tests::net::{free_port, wait_until};
use halite_tests::require_salt;
use halite_tests::salt::{Master, MasterSpec, PINNED_SALT};
use serde_json::json;

/// What the relay is told to send besides what it forwards.
type Inject = Vec<Vec<u8>>;

struct Relay {
    inject: mpsc::Sender<Inject>,
    /// Every publication forwarded from the master (multipart, last frame
    /// the payload).
    seen: Arc<Mutex<Vec<Vec<Vec<u8>>>>>,
    stop: Arc<AtomicBool>,
}

impl Relay {
    fn start(master_publish: u16, port: u16) -> Relay {
        let (tx, rx) = mpsc::channel::<Inject>();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let stop = Arc::new(AtomicBool::new(false));
        let (seen2, stop2) = (Arc::clone(&seen), Arc::clone(&stop));
        std::thread::spawn(move || {
            let ctx = zmq::Context::new();
            let sub = ctx.socket(zmq::SUB).unwrap();
            sub.set_subscribe(b"").unwrap();
            sub.connect(&format!("tcp://127.0.0.1:{master_publish}"))
                .unwrap();
            let publ = ctx.socket(zmq::PUB).unwrap();
            publ.bind(&format!("tcp://127.0.0.1:{port}")).unwrap();
            while !stop2.load(Ordering::SeqCst) {
                if sub.poll(zmq::POLLIN, 50).unwrap_or(0) > 0 {
                    if let Ok(parts) = sub.recv_multipart(0) {
                        publ.send_multipart(parts.iter().map(Vec::as_slice), 0)
                            .unwrap();
                        seen2.lock().unwrap().push(parts);
                    }
                }
                while let Ok(frames) = rx.try_recv() {
                    publ.send_multipart(frames.iter().map(Vec::as_slice), 0)
                        .unwrap();
                }
            }
        });
        Relay {
            inject: tx,
            seen,
            stop,
        }
    }

    fn send(&self, frames: Vec<Vec<u8>>) {
        self.inject.send(frames).unwrap();
    }

    fn last_seen(&self) -> Vec<Vec<u8>> {
        self.seen
            .lock()
            .unwrap()
            .last()
            .cloned()
            .expect("a forwarded publication")
    }
}

impl Drop for Relay {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
    }
}

/// A deterministic byte stream (xorshift), for garbage and flip positions.
struct Noise(u64);

impl Noise {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn bytes(&mut self, n: usize) -> Vec<u8> {
        (0..n).map(|_| self.next() as u8).collect()
    }
}

fn msgpack(v: &rmpv::Value) -> Vec<u8> {
    let mut out = Vec::new();
    rmpv::encode::write_value(&mut out, v).unwrap();
    out
}

fn rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.split_whitespace().next()?.parse().ok())
        .unwrap_or(0)
}

fn pings(master: &Master, id: &str) -> bool {
    master.salt_json(&[id, "test.ping", "--timeout", "10"]).0[id] == json!(true)
}

#[test]
fn hostile_publisher_frames_are_dropped_and_the_minion_keeps_serving() {
    let venv = require_salt!(PINNED_SALT);
    let master = Master::start(&venv, MasterSpec::default());
    let port = free_port();
    let relay = Relay::start(master.publish_port, port);
    let conf = json!({"publish_port": port, "halite_max_publication_bytes": 1 << 20});
    let minion = Minion::start(&master, "hostile-1", Flavor::Halite, conf);
    wait_answering(&master, &minion);
    let pid = minion.pid().unwrap();
    let rss_before = rss_kib(pid);
    let real = relay.last_seen();
    let payload = real.last().unwrap().clone();
    let topic: Vec<Vec<u8>> = real[..real.len() - 1].to_vec();
    let with_topic = |p: Vec<u8>| {
        let mut f = topic.clone();
        f.push(p);
        f
    };
    let mut noise = Noise(0x9e37_79b9_7f4a_7c15);
    let mut sent = 0;

    // garbage and truncated msgpack
    for i in 0..300 {
        relay.send(with_topic(noise.bytes(1 + i % 2048)));
        relay.send(with_topic(
            payload[..payload.len() * (i % 9 + 1) / 10].to_vec(),
        ));
        sent += 2;
    }
    // forged: one byte of a real publication flipped
    for _ in 0..200 {
        let mut p = payload.clone();
        let at = (noise.next() as usize) % p.len();
        p[at] ^= 1 << (noise.next() % 8);
        relay.send(with_topic(p));
        sent += 1;
    }
    // sealed with a key the minion does not have
    for _ in 0..100 {
        let env = rmpv::Value::Map(vec![
            ("enc".into(), "aes".into()),
            ("load".into(), rmpv::Value::Binary(noise.bytes(96))),
        ]);
        relay.send(with_topic(msgpack(&env)));
        sent += 1;
    }
    // replays of the real publication
    for _ in 0..20 {
        relay.send(real.clone());
        sent += 1;
    }
    assert!(
        pings(&master, "hostile-1"),
        "no answer after {sent} hostile frames:\n{}",
        minion.log()
    );

    // frames over the limit: received, then dropped (the connection stays)
    for _ in 0..5 {
        relay.send(with_topic(noise.bytes(4 << 20)));
        sent += 1;
    }
    let answered = wait_until(Duration::from_secs(60), || pings(&master, "hostile-1"));
    assert!(
        answered,
        "no answer after oversized frames:\n{}",
        minion.log()
    );
    let rss_after = rss_kib(pid);

    let log = minion.log();
    for want in [
        "dropping a malformed publication",
        "dropping a replayed publication",
        "dropping a publication: signature verification failed",
        "dropping a publication that fails HMAC",
        "dropping a 4194304-byte publication (limit 1048576)",
    ] {
        assert!(log.contains(want), "no {want:?} in:\n{log}");
    }
    // forged publications re-authenticate at most once per rate-limit window
    let reauths = log
        .matches("publication failed HMAC verification; re-authenticating")
        .count();
    assert!((1..=3).contains(&reauths), "{reauths} re-auths:\n{log}");
    // the replayed job ran once
    let jid = log
        .lines()
        .filter(|l| l.contains("Executing command test.ping with jid"))
        .map(|l| l.rsplit(' ').next().unwrap().to_string())
        .collect::<Vec<_>>();
    let mut unique = jid.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(jid.len(), unique.len(), "a job ran twice:\n{log}");
    eprintln!(
        "hostile frames sent: {sent}; re-auths {reauths}; minion RSS {rss_before} KiB before, {rss_after} KiB after"
    );
    assert!(
        rss_after < rss_before + 32 * 1024,
        "RSS grew from {rss_before} KiB to {rss_after} KiB"
    );
}
