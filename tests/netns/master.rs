//! Through a real salt-master: the master runs in the "outside" namespace
//! (192.0.2.10, behind the ToR), a Halite minion in node1's namespace, and
//! `salt -G rack:r12 state.apply network` moves node1 onto orb0 over the very
//! link the minion talks to its master on. The confirmation includes the
//! master's ret port, and the minion still answers afterwards.

use crate::topo::{nsx_ok, ping, Topo};
use halite_tests::minion::{wait_answering, Minion};
use halite_tests::require_salt;
use halite_tests::salt::{Master, MasterSpec, PINNED_SALT};
use serde_json::{json, Value};

#[test]
fn salt_targets_the_rack_and_the_node_moves_onto_orb0_keeping_its_master() {
    if !crate::topo::available() {
        return;
    }
    let venv = require_salt!(PINNED_SALT);
    let topo = Topo::up();
    let repo = halite_tests::repo_root();
    let extra = json!({
        "file_roots": {"base": [repo.join("states"), repo.join("formulas")]},
        "pillar_roots": {"base": [repo.join("pillar")]},
    });
    let master = Master::start(
        &venv,
        MasterSpec {
            extra: extra.as_object().cloned().unwrap(),
            netns: Some((topo.ext(), "192.0.2.10".into())),
            ..Default::default()
        },
    );
    let minion = Minion::start_in_netns(
        &master,
        "r12-n01",
        json!({"grains": {"rack": "r12", "roles": ["k8s-node"]}}),
        &topo.node(1),
    );
    wait_answering(&master, &minion);

    let pillar = format!("pillar={}", topo.cni_pillar(1));
    let (v, code) = master.salt_json(&[
        "-G",
        "rack:r12",
        "state.apply",
        "network",
        &pillar,
        "--timeout",
        "60",
    ]);
    let states = v["r12-n01"]
        .as_object()
        .unwrap_or_else(|| panic!("no return from r12-n01: {v:#}\n{}", minion.log()));
    for (key, r) in states {
        assert_eq!(r["result"], Value::Bool(true), "{key}: {r:#}");
    }
    assert_eq!(code, 0, "{v:#}");
    let moved = states
        .values()
        .find(|r| r["__id__"] == "node-network-address")
        .unwrap();
    let comment = moved["comment"].as_str().unwrap();
    println!("{comment}");
    assert!(
        comment.contains(&format!("tcp 192.0.2.10:{}", master.ret_port)),
        "the move was confirmed against the master: {comment}"
    );
    let addrs = nsx_ok(
        &topo.node(1),
        &["ip", "-4", "-o", "addr", "show", "dev", "orb0"],
    );
    assert!(addrs.contains("10.9.4.11/22"), "{addrs}");
    assert!(ping(&topo.ext(), "10.9.4.11"));
    wait_answering(&master, &minion);
}
