//! Reproduces every vector of salt-protocol-vectors.json (captured from a live
//! Salt 3008.4 master; see docs/protocol.md for provenance).

use base64::Engine;
use halite_proto::auth::{self, AuthContext, AuthOutcome};
use halite_proto::request::{self, Reply, RequestContext};
use halite_proto::wire::{self, bytes_of, map_get, str_of};
use halite_proto::{
    crypto, private, publish, Crypticle, EncAlgo, MasterKey, MinionKeys, ProtoError, SigAlgo,
};
use rmpv::Value as Mp;
use serde_json::{json, Value};

fn vectors() -> Value {
    serde_json::from_str(include_str!("data/salt-protocol-vectors.json")).unwrap()
}

fn b64(v: &Value) -> Vec<u8> {
    base64::engine::general_purpose::STANDARD
        .decode(v.as_str().unwrap())
        .unwrap()
}

fn refminion() -> (Value, MinionKeys, MasterKey) {
    let v = vectors();
    let r = v["refminion"].clone();
    let keys = MinionKeys::from_private_pem(
        r["minion_private_key_pem"].as_str().unwrap().as_bytes(),
        "vector",
    )
    .unwrap();
    let master =
        MasterKey::from_pem(v["master_public_key_pem"].as_str().unwrap(), "vector").unwrap();
    (r, keys, master)
}

fn ctx<'a>(keys: &'a MinionKeys, cached: Option<&'a MasterKey>, token: &'a str) -> AuthContext<'a> {
    AuthContext {
        id: "lab-vec",
        keys,
        cached_master: cached,
        enc_algo: EncAlgo::OaepSha1,
        sig_algo: SigAlgo::Pkcs1v15Sha1,
        token,
        autosign_grains: None,
        master_finger: None,
        hash_type: "sha256",
    }
}

fn nonce_of(request_frame: &[u8]) -> String {
    let env = wire::decode(request_frame, "t").unwrap();
    str_of(map_get(map_get(&env, "load").unwrap(), "nonce").unwrap())
        .unwrap()
        .to_string()
}

#[test]
fn tok_is_reproduced_byte_for_byte() {
    let (r, keys, _) = refminion();
    assert_eq!(keys.tok(), b64(&r["tok_x931_of_salt_b64"]).as_slice());
    assert_eq!(
        keys.public_pem_clean(),
        r["minion_public_key_pem"].as_str().unwrap().trim_end()
    );
}

#[test]
fn first_contact_auth_request_is_byte_identical_and_reply_opens() {
    let (r, keys, master) = refminion();
    let vec = &r["auth_first_contact"];
    let frame = b64(&vec["request_b64"]);
    let c = ctx(&keys, None, "unused");
    let built = auth::build_request(&c, &nonce_of(&frame)).unwrap();
    assert_eq!(
        built.frame, frame,
        "our _auth request must equal the captured one"
    );
    let AuthOutcome::Accepted(creds) =
        auth::process_reply(&c, &built, &b64(&vec["reply_b64"])).unwrap()
    else {
        panic!("expected accepted")
    };
    assert_eq!(creds.aes_key, vec["decrypted_aes_key"].as_str().unwrap());
    assert_eq!(
        creds.session_key,
        vec["decrypted_session_key"].as_str().unwrap()
    );
    assert!(creds.master_key_is_new);
    assert_eq!(creds.master_key, master);
    assert_eq!(creds.publish_port, Some(24505));
}

#[test]
fn auth_with_token_reply_checks_everything() {
    let (r, keys, master) = refminion();
    let vec = &r["auth_with_token"];
    let request_frame = b64(&vec["request_b64"]);
    let token = vec["token_plain"].as_str().unwrap();
    let c = ctx(&keys, Some(&master), token);
    let nonce = nonce_of(&request_frame);
    // Our request has the same shape (token is OAEP, so randomised).
    let ours = auth::build_request(&c, &nonce).unwrap();
    let (theirs, mine) = (
        wire::decode(&request_frame, "t").unwrap(),
        wire::decode(&ours.frame, "t").unwrap(),
    );
    let keys_of = |v: &Mp| match map_get(v, "load").unwrap() {
        Mp::Map(e) => e
            .iter()
            .map(|(k, _)| str_of(k).unwrap().to_string())
            .collect::<Vec<_>>(),
        _ => panic!(),
    };
    assert_eq!(keys_of(&theirs), keys_of(&mine));
    let token_cipher =
        bytes_of(map_get(map_get(&theirs, "load").unwrap(), "token").unwrap()).unwrap();
    assert_eq!(token_cipher.len(), 256);
    let reply = b64(&vec["reply_b64"]);
    let AuthOutcome::Accepted(creds) = auth::process_reply(&c, &ours, &reply).unwrap() else {
        panic!()
    };
    assert_eq!(creds.aes_key, vec["decrypted_aes_key"].as_str().unwrap());
    assert_eq!(
        creds.session_key,
        vec["decrypted_session_key"].as_str().unwrap()
    );
    assert!(!creds.master_key_is_new);

    // The X9.31 sig recovers to hex(sha256(aes)), as documented.
    let inner = wire::decode(
        bytes_of(map_get(&wire::decode(&reply, "t").unwrap(), "load").unwrap()).unwrap(),
        "t",
    )
    .unwrap();
    let recovered = crypto::x931_recover(
        master.rsa(),
        bytes_of(map_get(&inner, "sig").unwrap()).unwrap(),
    )
    .unwrap();
    assert_eq!(
        recovered,
        b"9593a23c399bd4d81b924b31985c309583262c700c3ec2d0f1c0d4add7b8a03f"
    );

    // Wrong token echo, wrong nonce, forged load, changed master key: all refused.
    let wrong_token = Crypticle::generate_key_string();
    let bad_tok = ctx(&keys, Some(&master), &wrong_token);
    assert!(matches!(
        auth::process_reply(&bad_tok, &ours, &reply),
        Err(ProtoError::Signature(_))
    ));
    let other_nonce = auth::AuthRequest {
        nonce: "0".repeat(32),
        ..ours.clone()
    };
    assert!(matches!(
        auth::process_reply(&c, &other_nonce, &reply),
        Err(ProtoError::NonceMismatch(_))
    ));
    let mut forged = reply.clone();
    forged[400] ^= 0x01;
    assert!(auth::process_reply(&c, &ours, &forged).is_err());
    let stranger = MasterKey::from_pem(keys.public_pem_clean(), "t").unwrap();
    let changed = ctx(&keys, Some(&stranger), token);
    assert!(matches!(
        auth::process_reply(&changed, &ours, &reply),
        Err(ProtoError::MasterKeyChanged)
    ));
}

#[test]
fn master_finger_is_enforced() {
    let (r, keys, master) = refminion();
    let vec = &r["auth_first_contact"];
    let frame = b64(&vec["request_b64"]);
    let good = master.fingerprint("sha256");
    for (finger, ok) in [(good.as_str(), true), ("00:11", false)] {
        let c = AuthContext {
            master_finger: Some(finger),
            ..ctx(&keys, None, "x")
        };
        let req = auth::build_request(&c, &nonce_of(&frame)).unwrap();
        let res = auth::process_reply(&c, &req, &b64(&vec["reply_b64"]));
        assert_eq!(res.is_ok(), ok, "{finger}: {res:?}");
    }
}

fn session(key: &Value) -> Crypticle {
    Crypticle::from_key_string(key.as_str().unwrap()).unwrap()
}

/// Decrypt a captured request, check envelope fields, then rebuild the frame
/// with the same IV and require byte equality. Returns the decrypted load.
fn reproduce_request(frame: &[u8], session: &Crypticle, id: &str, tok: &[u8]) -> Mp {
    let env = wire::decode(frame, "t").unwrap();
    assert_eq!(str_of(map_get(&env, "id").unwrap()), Some(id));
    assert_eq!(map_get(&env, "version").unwrap().as_u64(), Some(3));
    let blob = bytes_of(map_get(&env, "load").unwrap()).unwrap();
    let load = session.loads(blob, None).unwrap();
    assert_eq!(bytes_of(map_get(&load, "tok").unwrap()), Some(tok));
    assert_eq!(str_of(map_get(&load, "id").unwrap()), Some(id));
    let iv: [u8; 16] = blob[..16].try_into().unwrap();
    let rebuilt = session.encrypt_with_iv(&Crypticle::plaintext(&load, None), &iv);
    assert_eq!(rebuilt, blob, "re-encryption must reproduce the blob");
    let rctx = RequestContext {
        id,
        tok,
        session,
        enc_algo: EncAlgo::OaepSha1,
        sig_algo: SigAlgo::Pkcs1v15Sha1,
    };
    assert_eq!(
        request::envelope(&rctx, rebuilt),
        frame,
        "envelope must be byte-identical"
    );
    load
}

fn decode_data_reply(frame: &[u8], session: &Crypticle, nonce: &str) -> Mp {
    match request::decode_reply(frame, session, nonce).unwrap() {
        Reply::Data(v) => v,
        Reply::Private(_) => panic!("unexpected private reply"),
    }
}

#[test]
fn session_encrypted_exchanges_round_trip() {
    let (r, keys, _) = refminion();
    for name in [
        "minion_event_start",
        "file_hash",
        "serve_file",
        "return_test_arg",
        "return_test_ping",
    ] {
        let vec = &r[name];
        let s = session(&vec["session_key"]);
        let load = reproduce_request(&b64(&vec["request_b64"]), &s, "lab-vec", keys.tok());
        let nonce = vec["nonce"].as_str().unwrap();
        assert_eq!(
            str_of(map_get(&load, "nonce").unwrap()),
            Some(nonce),
            "{name}"
        );
        let reply = decode_data_reply(&b64(&vec["reply_b64"]), &s, nonce);
        assert_eq!(
            wire::encode(&reply),
            b64(&vec["reply_plain_msgpack_b64"]),
            "{name}"
        );
        let wrong = "f".repeat(32);
        assert!(request::decode_reply(&b64(&vec["reply_b64"]), &s, &wrong).is_err());
    }
}

#[test]
fn serve_file_reply_carries_raw_bytes() {
    let (r, _, _) = refminion();
    let vec = &r["serve_file"];
    let reply = decode_data_reply(
        &b64(&vec["reply_b64"]),
        &session(&vec["session_key"]),
        vec["nonce"].as_str().unwrap(),
    );
    let data = bytes_of(map_get(&reply, "data").unwrap()).unwrap();
    assert!(data.starts_with(b"Hello {{ pillar['lab']['role'] }}"));
}

#[test]
fn pillar_send_private_reply_opens() {
    let (r, keys, master) = refminion();
    let vec = &r["pillar"];
    let s = session(&vec["session_key"]);
    let load = reproduce_request(&b64(&vec["request_b64"]), &s, "lab-vec", keys.tok());
    assert_eq!(str_of(map_get(&load, "cmd").unwrap()), Some("_pillar"));
    assert_eq!(str_of(map_get(&load, "ver").unwrap()), Some("2"));
    let nonce = vec["nonce"].as_str().unwrap();
    let Reply::Private(reply) = request::decode_reply(&b64(&vec["reply_b64"]), &s, nonce).unwrap()
    else {
        panic!()
    };
    let wrapped = bytes_of(map_get(&reply, "key").unwrap()).unwrap();
    let one_time = crypto::oaep_decrypt(keys.pkey(), EncAlgo::OaepSha1, wrapped).unwrap();
    assert_eq!(one_time, vec["one_time_key"].as_str().unwrap().as_bytes());
    let open = |n: &str| {
        private::open(
            &reply,
            "pillar",
            &keys,
            &master,
            EncAlgo::OaepSha1,
            SigAlgo::Pkcs1v15Sha1,
            n,
        )
    };
    let pillar = wire::to_value(&open(nonce).unwrap());
    assert!(pillar.is_object(), "{pillar}");
    assert!(pillar.get("lab").is_some(), "{pillar}");
    assert!(matches!(
        open(&"0".repeat(32)),
        Err(ProtoError::NonceMismatch(_))
    ));
    let stranger = MasterKey::from_pem(keys.public_pem_clean(), "t").unwrap();
    assert!(private::open(
        &reply,
        "pillar",
        &keys,
        &stranger,
        EncAlgo::OaepSha1,
        SigAlgo::Pkcs1v15Sha1,
        nonce
    )
    .is_err());
}

fn open_publication(
    frames: &[Vec<u8>],
    aes: &Crypticle,
    master: Option<&MasterKey>,
    id: &str,
) -> Mp {
    let sealed = publish::parse_frames(frames, id).unwrap().unwrap();
    if let Some(m) = master {
        sealed.verify(m, true).unwrap();
    }
    let load = sealed.decrypt(aes).unwrap();
    let iv: [u8; 16] = sealed.blob[..16].try_into().unwrap();
    assert_eq!(
        aes.encrypt_with_iv(&Crypticle::plaintext(&load, None), &iv),
        sealed.blob
    );
    load
}

#[test]
fn publications_verify_decrypt_and_reencrypt() {
    let (r, _, master) = refminion();
    for name in ["publish_test_arg", "publish_test_ping_list"] {
        let vec = &r[name];
        let frames: Vec<Vec<u8>> = vec["frames_b64"]
            .as_array()
            .unwrap()
            .iter()
            .map(b64)
            .collect();
        let aes = session(&vec["aes_key"]);
        let mut load = open_publication(&frames, &aes, Some(&master), "lab-vec");
        let plain = b64(&vec["plaintext_b64"]);
        assert_eq!(Crypticle::plaintext(&load, None), plain, "{name}");
        let mut serials = publish::SerialTracker::default();
        assert!(serials.accept(&mut load.clone()));
        assert!(
            !serials.accept(&mut load),
            "replayed serial must be dropped"
        );
        assert!(publish::is_job_load(&load));
        let wrong = Crypticle::from_key_string(&Crypticle::generate_key_string()).unwrap();
        let sealed = publish::parse_frames(&frames, "lab-vec").unwrap().unwrap();
        assert!(matches!(sealed.decrypt(&wrong), Err(ProtoError::Hmac)));
        let stranger =
            MasterKey::from_pem(&MinionKeys::generate(1024).unwrap().public_pem_file(), "t")
                .unwrap();
        assert!(sealed.verify(&stranger, true).is_err());
    }
    let load = open_publication(
        &[b64(&r["publish_test_arg"]["frames_b64"][0])],
        &session(&r["publish_test_arg"]["aes_key"]),
        None,
        "x",
    );
    assert_eq!(
        wire::to_value(&load),
        json!({"fun": "test.arg", "arg": ["alpha", 42, {"__kwarg__": true, "flag": true}], "tgt": "lab-vec",
               "jid": "20261124201318592891", "ret": "", "tgt_type": "glob", "user": "root", "serial": 2})
    );
}

#[test]
fn return_load_builder_matches_captured_return_byte_for_byte() {
    let (r, keys, _) = refminion();
    let publication = open_publication(
        &[b64(&r["publish_test_arg"]["frames_b64"][0])],
        &session(&r["publish_test_arg"]["aes_key"]),
        None,
        "x",
    );
    let mut job = wire::to_value(&publication);
    job.as_object_mut().unwrap().remove("serial");
    let result = halite_proto::loads::JobResult {
        ret: json!({"args": ["alpha", 42], "kwargs": {"flag": true}}),
        retcode: 0,
        success: true,
        out: None,
    };
    let load = halite_proto::loads::return_load("lab-vec", job.as_object().unwrap(), &result);
    let vec = &r["return_test_arg"];
    let s = session(&vec["session_key"]);
    let captured = reproduce_request(&b64(&vec["request_b64"]), &s, "lab-vec", keys.tok());
    let ts = map_get(&captured, "ts").unwrap().as_u64().unwrap();
    let rctx = RequestContext {
        id: "lab-vec",
        tok: keys.tok(),
        session: &s,
        enc_algo: EncAlgo::OaepSha1,
        sig_algo: SigAlgo::Pkcs1v15Sha1,
    };
    let ours = request::finish_load(
        &rctx,
        wire::from_value(&load),
        vec["nonce"].as_str().unwrap(),
        ts,
    )
    .unwrap();
    assert_eq!(wire::encode(&ours), wire::encode(&captured));
}

#[test]
fn real_salt_minion_exchange_decrypts() {
    let v = vectors();
    let real = &v["real_salt_minion_3008_4"];
    let master =
        MasterKey::from_pem(v["master_public_key_pem"].as_str().unwrap(), "vector").unwrap();
    let frame = b64(&real["publish_test_ping"]["frame_b64"]);
    let aes = session(&real["publish_test_ping"]["aes_key"]);
    let load = open_publication(std::slice::from_ref(&frame), &aes, Some(&master), "lab-m1");
    assert_eq!(
        Crypticle::plaintext(&load, None),
        b64(&real["publish_test_ping"]["plaintext_b64"])
    );

    let ret = &real["return_test_ping"];
    let s = session(&ret["session_key"]);
    let req = b64(&ret["request_b64"]);
    assert_eq!(b64(&ret["req_frames_b64"][1]), req);
    let env = wire::decode(&req, "t").unwrap();
    let blob = bytes_of(map_get(&env, "load").unwrap()).unwrap();
    assert_eq!(s.decrypt(blob).unwrap(), b64(&ret["request_plaintext_b64"]));
    let load = s.loads(blob, None).unwrap();
    let tok = bytes_of(map_get(&load, "tok").unwrap()).unwrap().to_vec();
    reproduce_request(&req, &s, "lab-m1", &tok);
    let nonce = str_of(map_get(&load, "nonce").unwrap()).unwrap();
    assert_eq!(
        decode_data_reply(&b64(&ret["reply_b64"]), &s, nonce),
        Mp::Nil
    );
    assert_eq!(
        s.decrypt(bytes_of(&wire::decode(&b64(&ret["reply_b64"]), "t").unwrap()).unwrap())
            .unwrap(),
        b64(&ret["reply_plaintext_b64"])
    );
}

#[test]
fn master_fingerprint_equals_salts_pem_finger() {
    // Value printed by Salt 3008.4's salt.utils.crypt.pem_finger(sum_type="sha256")
    // on the vector master key (also quoted in §6.4 of the spec).
    let (_, _, master) = refminion();
    assert_eq!(
        master.fingerprint("sha256"),
        "6c:7e:65:2c:87:00:a2:64:17:36:6b:96:af:8a:2b:d9:7d:e8:c6:04:cb:ab:89:0f:2b:4a:d5:41:6f:73:dc:86"
    );
}
