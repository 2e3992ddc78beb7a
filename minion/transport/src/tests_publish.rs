//! Publication robustness against a local PUB socket: garbage, truncated,
//! forged, oversized, replayed and foreign-topic frames are dropped and the
//! link keeps delivering valid jobs.

use std::time::Duration;

use halite_proto::auth::Credentials;
use halite_proto::{crypto, wire, Crypticle, MasterKey, MinionKeys, SigAlgo};
use rmpv::Value as Mp;
use serde_json::json;

use crate::link::MasterLink;
use crate::settings::LinkSettings;

struct Fixture {
    link: MasterLink,
    publisher: zmq::Socket,
    aes: Crypticle,
    master_private: MinionKeys,
    _dir: tempfile::TempDir,
}

fn closed_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    l.local_addr().unwrap().port()
}

fn fixture() -> Fixture {
    let ctx = zmq::Context::new();
    let publisher = ctx.socket(zmq::PUB).unwrap();
    publisher.bind("tcp://127.0.0.1:*").unwrap();
    let endpoint = publisher.get_last_endpoint().unwrap().unwrap();
    let port: u16 = endpoint.rsplit(':').next().unwrap().parse().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let opts = json!({"id": "m1", "master": "127.0.0.1", "publish_port": port, "master_port": closed_port(),
        "pki_dir": dir.path().join("pki").display().to_string(), "auth_timeout": 1, "auth_tries": 1,
        "halite_max_publication_bytes": 4096});
    let settings = LinkSettings::from_opts(opts.as_object().unwrap()).unwrap();
    let master_private = MinionKeys::generate(1024).unwrap();
    let master_key = MasterKey::from_pem(master_private.public_pem_clean(), "test").unwrap();
    let aes_key = Crypticle::generate_key_string();
    let creds = Credentials {
        aes_key: aes_key.clone(),
        session_key: Crypticle::generate_key_string(),
        publish_port: None,
        master_key,
        master_key_is_new: false,
    };
    let keys = MinionKeys::generate(1024).unwrap();
    let link = MasterLink::from_parts(settings, keys, ctx, "token".into(), creds).unwrap();
    std::thread::sleep(Duration::from_millis(300));
    Fixture {
        link,
        publisher,
        aes: Crypticle::from_key_string(&aes_key).unwrap(),
        master_private,
        _dir: dir,
    }
}

fn job(serial: u64, jid: &str) -> Mp {
    wire::mp_map([
        ("fun", Mp::from("test.ping")),
        ("arg", Mp::Array(vec![])),
        ("tgt", Mp::from("*")),
        ("jid", Mp::from(jid)),
        ("ret", Mp::from("")),
        ("tgt_type", Mp::from("glob")),
        ("user", Mp::from("root")),
        ("serial", Mp::from(serial)),
    ])
}

impl Fixture {
    fn frame(&self, load: &Mp) -> Vec<u8> {
        let blob = self.aes.dumps(load);
        let sig = crypto::sign(self.master_private.pkey(), SigAlgo::Pkcs1v15Sha1, &blob).unwrap();
        wire::encode(&wire::mp_map([
            ("enc", Mp::from("aes")),
            ("load", Mp::Binary(blob)),
            ("sig_algo", Mp::from("PKCS1v15-SHA1")),
            ("sig", Mp::Binary(sig)),
        ]))
    }

    fn send(&self, frames: &[Vec<u8>]) {
        self.publisher.send_multipart(frames, 0).unwrap();
    }

    fn next_jid(&self) -> Option<String> {
        let load = self
            .link
            .next_publication(Duration::from_secs(3))
            .unwrap()?;
        assert!(load.get("serial").is_none());
        Some(load["jid"].as_str().unwrap().to_string())
    }
}

#[test]
fn bad_frames_are_dropped_and_the_link_keeps_serving() {
    let f = fixture();
    let good1 = f.frame(&job(1, "1"));
    let mut truncated = good1.clone();
    truncated.truncate(good1.len() / 2);
    let forged_blob = Crypticle::from_key_string(&Crypticle::generate_key_string())
        .unwrap()
        .dumps(&job(9, "forged"));
    let forged = wire::encode(&wire::mp_map([
        ("enc", Mp::from("aes")),
        ("load", Mp::Binary(forged_blob)),
    ]));
    let mut bad_sig = wire::decode(&f.frame(&job(5, "badsig")), "t").unwrap();
    if let Mp::Map(e) = &mut bad_sig {
        wire::map_set(e, "sig", Mp::Binary(vec![1; 128]));
    }
    let oversized = f.frame(&wire::mp_map([("fun", Mp::from("x".repeat(5000)))]));

    f.send(&[b"\xc1garbage".to_vec()]);
    f.send(&[truncated]);
    f.send(&[forged]);
    f.send(&[wire::encode(&bad_sig)]);
    f.send(&[oversized]);
    f.send(&[
        halite_proto::publish::topic_for("other").into_bytes(),
        f.frame(&job(7, "other")),
    ]);
    f.send(std::slice::from_ref(&good1));
    f.send(&[good1]); // replay: same serial
    f.send(&[f.frame(&wire::mp_map([
        ("fun", Mp::from("x")),
        ("serial", Mp::from(2)),
    ]))]); // not a job
    f.send(&[b"broadcast".to_vec(), f.frame(&job(3, "3"))]);

    assert_eq!(f.next_jid().as_deref(), Some("1"));
    assert_eq!(f.next_jid().as_deref(), Some("3"));
    assert_eq!(
        f.link.next_publication(Duration::from_millis(300)).unwrap(),
        None
    );
}

#[test]
fn timeout_returns_none() {
    let f = fixture();
    let start = std::time::Instant::now();
    assert_eq!(
        f.link.next_publication(Duration::from_millis(200)).unwrap(),
        None
    );
    assert!(start.elapsed() >= Duration::from_millis(200));
}
