//! Hostile input for the SLS compiler (proptest, bounded: `PROPTEST_CASES`,
//! which proptest reads itself, default 256 per property): arbitrary high data (any shape where Salt
//! expects declarations) and well-formed data with random requisites
//! (missing targets, cycles, `_in` forms) never panic the compiler; it
//! returns Salt's errors or an order in which every chunk appears (twice
//! only for a prereq target: its test-mode check first) and
//! every `require` target runs before the state that requires it.

use halite_api::{Map, Registry, StateCall, StateReturn, StateSpec, Value};
use halite_state::compile::compile;
use proptest::prelude::*;
use serde_json::json;

fn ok(call: &StateCall<'_>) -> StateReturn {
    StateReturn::ok(call.name.clone(), "")
}

fn registry() -> Registry {
    let mut reg = Registry::new();
    reg.add_states(&[
        StateSpec {
            name: "fake.run",
            run: ok,
            mod_watch: Some(ok),
        },
        StateSpec {
            name: "fake.other",
            run: ok,
            mod_watch: None,
        },
    ]);
    reg
}

fn junk() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::from),
        any::<i32>().prop_map(Value::from),
        "[a-z._ -]{0,12}".prop_map(Value::from),
        Just(Value::from("fake.run")),
        Just(Value::from("require")),
    ];
    leaf.prop_recursive(4, 40, 5, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::from),
            prop::collection::vec(
                ("[a-z_.]{1,8}|fake|require|watch|name|order|__sls__", inner),
                0..5
            )
            .prop_map(|kv| Value::Object(kv.into_iter().collect())),
        ]
    })
}

const REQS: [&str; 8] = [
    "require",
    "watch",
    "onchanges",
    "onfail",
    "prereq",
    "require_in",
    "watch_in",
    "listen",
];

/// Well-formed states `s0..sN` with random requisites between them (and to
/// missing ids), some with `order`.
fn declarations() -> impl Strategy<Value = (Map, Vec<(usize, usize)>)> {
    let edge = (0usize..8, 0usize..10, 0usize..10);
    (
        2usize..9,
        prop::collection::vec(edge, 0..12),
        prop::collection::vec(any::<bool>(), 9),
    )
        .prop_map(|(n, edges, ordered)| {
            let mut high = Map::new();
            let mut requires = Vec::new();
            let mut reqs: Vec<Vec<(String, String)>> = vec![Vec::new(); n];
            for (kind, from, to) in edges {
                let from = from % n;
                // targets past n are missing ids
                reqs[from].push((REQS[kind].to_string(), format!("s{to}")));
                if REQS[kind] == "require" && to < n && to != from {
                    requires.push((from, to));
                }
            }
            for (i, r) in reqs.into_iter().enumerate() {
                let mut decl = vec![json!("run"), json!({"name": format!("n{i}")})];
                // one list per requisite kind: a repeated kind would replace
                // the earlier one, as in Salt's compile_high_data
                let mut kinds: Vec<(String, Vec<Value>)> = Vec::new();
                for (kind, target) in r {
                    match kinds.iter_mut().find(|(k, _)| *k == kind) {
                        Some((_, list)) => list.push(json!({"fake": target})),
                        None => kinds.push((kind, vec![json!({"fake": target})])),
                    }
                }
                for (kind, list) in kinds {
                    decl.push(json!({ kind: list }));
                }
                if ordered[i] {
                    decl.push(json!({"order": i}));
                }
                high.insert(
                    format!("s{i}"),
                    json!({"fake": decl, "__sls__": "fuzz", "__env__": "base"}),
                );
            }
            (high, requires)
        })
}

proptest! {
    #[test]
    fn arbitrary_high_data_never_panics(high in prop::collection::vec(("[a-z0-9_]{1,6}", junk()), 0..8)) {
        let high: Map = high.into_iter().collect();
        let _ = compile(high, &registry());
    }

    #[test]
    fn requisites_order_every_chunk_once((high, requires) in declarations()) {
        let n = high.len();
        let has_prereq = serde_json::to_string(&high).unwrap().contains("\"prereq\"");
        match compile(high, &registry()) {
            Err(errors) => prop_assert!(!errors.is_empty()),
            Ok(c) => {
                let mut seen = c.order.clone();
                seen.sort_unstable();
                seen.dedup();
                prop_assert_eq!(seen.len(), n, "every chunk is ordered");
                if !has_prereq {
                    // only a prereq target runs twice (its test-mode check first)
                    prop_assert_eq!(c.order.len(), n, "a chunk ordered twice: {:?}", c.order);
                }
                // the real run of a chunk is its last place in the order
                let pos = |id: &str| c.order.iter().rposition(|&i| c.graph.chunks[i]["__id__"] == json!(id));
                for (from, to) in requires {
                    let (f, t) = (pos(&format!("s{from}")), pos(&format!("s{to}")));
                    if let (Some(f), Some(t)) = (f, t) {
                        prop_assert!(t < f, "s{} requires s{} but runs first: {:?}", from, to, c.order);
                    }
                }
            }
        }
    }
}
