//! Hostile input for the wire layer (proptest, bounded: `PROPTEST_CASES`,
//! which proptest reads itself, default 256 per property): the msgpack decoder, publication frame
//! parsing and AES/HMAC decryption never panic, reject what they cannot
//! read, and a single flipped bit of a real ciphertext never decrypts.

use halite_proto::crypticle::Crypticle;
use halite_proto::{publish, wire};
use proptest::prelude::*;

/// Arbitrary JSON-like values (what loads carry).
fn value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        ".{0,40}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 64, 8, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..8).prop_map(serde_json::Value::from),
            prop::collection::vec(("[a-z_]{1,10}", inner), 0..8)
                .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn decode_never_panics(bytes in prop::collection::vec(any::<u8>(), 0..4096)) {
        let _ = wire::decode(&bytes, "fuzz");
    }

    #[test]
    fn frame_parsing_never_panics(frames in prop::collection::vec(prop::collection::vec(any::<u8>(), 0..512), 0..4)) {
        let _ = publish::parse_frames(&frames, "node1");
    }

    #[test]
    fn values_round_trip_through_msgpack(v in value()) {
        let bytes = wire::encode(&wire::from_value(&v));
        let back = wire::to_value(&wire::decode(&bytes, "fuzz").unwrap());
        prop_assert_eq!(back, v);
    }

    #[test]
    fn garbage_never_decrypts(blob in prop::collection::vec(any::<u8>(), 0..2048)) {
        let key = Crypticle::from_key_string(&Crypticle::generate_key_string()).unwrap();
        prop_assert!(key.decrypt(&blob).is_err());
    }

    #[test]
    fn a_flipped_bit_never_decrypts(plain in prop::collection::vec(any::<u8>(), 0..512), at in any::<prop::sample::Index>(), bit in 0u8..8) {
        let key = Crypticle::from_key_string(&Crypticle::generate_key_string()).unwrap();
        let mut blob = key.encrypt(&plain);
        prop_assert_eq!(key.decrypt(&blob).unwrap(), plain);
        let i = at.index(blob.len());
        blob[i] ^= 1 << bit;
        prop_assert!(key.decrypt(&blob).is_err());
    }
}
