//! Hostile input for Salt's YAML dialect (proptest, bounded:
//! `PROPTEST_CASES`, default 256 per property): the loader never panics on
//! arbitrary text or on indicator-heavy near-YAML, and what the dumper
//! writes loads back as the same data.

use halite_render::yaml;
use proptest::prelude::*;

/// Text built from YAML's indicators, indentation and scalars.
fn near_yaml() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        Just("\n".to_string()),
        Just("  ".to_string()),
        Just("- ".to_string()),
        Just(": ".to_string()),
        Just("? ".to_string()),
        Just("{".to_string()),
        Just("}".to_string()),
        Just("[".to_string()),
        Just("]".to_string()),
        Just(", ".to_string()),
        Just("&a ".to_string()),
        Just("*a".to_string()),
        Just("!!str ".to_string()),
        Just("|".to_string()),
        Just(">-".to_string()),
        Just("'".to_string()),
        Just("\"".to_string()),
        Just("#".to_string()),
        Just("<<: ".to_string()),
        Just("---\n".to_string()),
        Just("\t".to_string()),
        "[a-z0-9._~=]{1,8}",
    ];
    prop::collection::vec(piece, 0..60).prop_map(|v| v.concat())
}

/// Data the dumper must write back faithfully.
fn value() -> impl Strategy<Value = serde_json::Value> {
    let leaf = prop_oneof![
        Just(serde_json::Value::Null),
        any::<bool>().prop_map(serde_json::Value::from),
        any::<i64>().prop_map(serde_json::Value::from),
        "\\PC{0,24}".prop_map(serde_json::Value::from),
        "[-a-z0-9 .:#{}\\[\\],&*!|>'\"%@`~=]{0,16}".prop_map(serde_json::Value::from),
    ];
    leaf.prop_recursive(4, 48, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 1..6).prop_map(serde_json::Value::from),
            prop::collection::vec(("[a-z][a-z0-9_.-]{0,10}", inner), 1..6)
                .prop_map(|kv| serde_json::Value::Object(kv.into_iter().collect())),
        ]
    })
}

proptest! {
    #[test]
    fn load_never_panics_on_text(text in "\\PC{0,400}") {
        let _ = yaml::load(&text);
    }

    #[test]
    fn load_never_panics_on_near_yaml(text in near_yaml()) {
        let _ = yaml::load(&text);
    }

    #[test]
    fn dumped_data_loads_back(v in value()) {
        let text = yaml::dump(&v);
        let back = yaml::load(&text);
        prop_assert!(back.is_ok(), "{text:?}: {back:?}");
        prop_assert_eq!(back.unwrap(), v, "{}", text);
    }
}
