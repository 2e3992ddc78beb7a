//! `state.apply network` (the repository's states/, formulas/node-network and
//! rack r12's pillar) run by `halite call --local` inside the node
//! namespaces: the node IP moves onto orb0 under a 10 ms ping stream, pods
//! get routed veths, the 14-check matrix passes, a second apply writes
//! nothing; a wrong gateway, a killed minion and a dead watchdog-less
//! restart all end with the node as it was before.

use crate::topo::{files_with, nsx, nsx_ok, ping, run, Topo};
use serde_json::Value;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// The state results of a `--out=json` highstate-like return, by `__id__`.
fn results(v: &Value) -> Vec<(String, Value)> {
    let mut out: Vec<(String, Value)> = v["local"]
        .as_object()
        .unwrap_or_else(|| panic!("no state results in {v}"))
        .values()
        .map(|r| (r["__id__"].as_str().unwrap_or("").to_string(), r.clone()))
        .collect();
    out.sort_by_key(|(_, r)| r["__run_num__"].as_u64());
    out
}

fn all_true(v: &Value) -> bool {
    results(v)
        .iter()
        .all(|(_, r)| r["result"] == Value::Bool(true))
}

fn apply_both(topo: &Topo) {
    for n in [1, 2] {
        let (v, out) = topo.call(n, &["state.apply", "network"]);
        assert!(
            all_true(&v),
            "node{n}: {v:#}\n{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

/// The matrix of ../shared/docs/node-modules.md §3.2 (14 checks).
fn matrix(topo: &Topo) -> Vec<(String, bool)> {
    let (n1, n2, ext, tor) = (topo.node(1), topo.node(2), topo.ext(), topo.tor());
    let mut checks: Vec<(String, bool)> = [
        ("pod->tor gw", "p1a", "10.10.0.1"),
        ("pod->tor", "p1a", "10.9.4.1"),
        ("pod->pod same node", "p1a", "10.10.3.2"),
        ("pod->pod other node", "p1a", "10.10.2.3"),
        ("pod(node2)->pod(node1)", "p2a", "10.10.3.2"),
        ("pod->own node", "p1a", "10.9.4.11"),
        ("pod->other node", "p1a", "10.9.4.12"),
        ("node->own pod", n1.as_str(), "10.10.2.2"),
        ("node2->pod on node1", n2.as_str(), "10.10.2.2"),
        ("pod->outside", "p1a", "192.0.2.10"),
        ("outside->pod", ext.as_str(), "10.10.3.2"),
        ("outside->node", ext.as_str(), "10.9.4.12"),
    ]
    .iter()
    .map(|(what, from, to)| (format!("{what} ({from} -> {to})"), ping(from, to)))
    .collect();
    let arp = nsx(
        &tor,
        &["arping", "-c", "2", "-w", "3", "-I", "sw0", "10.10.2.2"],
    );
    let text = String::from_utf8_lossy(&arp.stdout).to_lowercase();
    let mut macs: Vec<&str> = text
        .split('[')
        .skip(1)
        .filter_map(|s| s.split(']').next())
        .collect();
    macs.sort();
    macs.dedup();
    let orb0_mac = nsx_ok(&n1, &["cat", "/sys/class/net/orb0/address"]);
    checks.push((
        format!("exactly one ARP responder for 10.10.2.2 (saw {macs:?})"),
        macs.len() == 1,
    ));
    let neigh = nsx_ok(&tor, &["ip", "neigh", "show", "10.10.2.2", "dev", "sw0"]);
    checks.push((
        format!("ToR neighbour 10.10.2.2 is node1's orb0 {orb0_mac} ({neigh})"),
        neigh.contains(&orb0_mac),
    ));
    checks
}

/// Links as `index name`, to show that nothing was recreated.
fn link_indexes(ns: &str) -> String {
    let out = nsx_ok(ns, &["ip", "-o", "link", "show"]);
    out.lines()
        .map(|l| {
            l.split('@')
                .next()
                .unwrap_or(l)
                .split(": <")
                .next()
                .unwrap_or(l)
                .to_string()
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_move_loses_no_ping_the_matrix_passes_and_a_second_apply_writes_nothing() {
    if !crate::topo::available() {
        return;
    }
    let topo = Topo::up();
    let tor = topo.tor();
    assert!(ping(&tor, "10.9.4.11"));
    #[allow(clippy::disallowed_methods)] // test harness: the ToR's ping stream
    let stream = Command::new("ip")
        .args([
            "netns",
            "exec",
            &tor,
            "ping",
            "-n",
            "-q",
            "-i",
            "0.01",
            "-c",
            "300",
            "-W",
            "1",
            "10.9.4.11",
        ])
        .stdout(Stdio::piped())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(500));
    let started = Instant::now();
    apply_both(&topo);
    let took = started.elapsed();
    let stream = stream.wait_with_output().unwrap();
    let summary = String::from_utf8_lossy(&stream.stdout);
    let line = summary
        .lines()
        .find(|l| l.contains("packets transmitted"))
        .unwrap_or("");
    println!("ToR ping at 10 ms during the eth0 -> orb0 move of node1: {line}");
    println!(
        "both nodes' state.apply network took {:.2} s",
        took.as_secs_f64()
    );
    assert!(line.contains("300 packets transmitted"), "{summary}");

    let checks = matrix(&topo);
    for (what, ok) in &checks {
        println!("{} {what}", if *ok { "PASS" } else { "FAIL" });
    }
    let failed: Vec<_> = checks.iter().filter(|(_, ok)| !ok).collect();
    assert!(
        failed.is_empty(),
        "{} of {} checks failed: {failed:?}",
        failed.len(),
        checks.len()
    );

    // second apply: every state unchanged, no netlink event, same ifindexes
    let node = topo.node(1);
    let before = link_indexes(&node);
    let events = topo.dir.path().join("monitor.txt");
    #[allow(clippy::disallowed_methods)] // test harness: watches for netlink writes
    let mut monitor = Command::new("ip")
        .args(["-n", &node, "monitor", "link", "address", "route", "neigh"])
        .stdout(std::fs::File::create(&events).unwrap())
        .spawn()
        .unwrap();
    std::thread::sleep(Duration::from_millis(300));
    let (v, _) = topo.call(1, &["state.apply", "network"]);
    std::thread::sleep(Duration::from_millis(300));
    let _ = monitor.kill();
    let _ = monitor.wait();
    for (id, r) in results(&v) {
        assert_eq!(r["result"], Value::Bool(true), "{id}: {r}");
        assert_eq!(r["changes"], serde_json::json!({}), "{id}: {r}");
    }
    let seen = std::fs::read_to_string(&events).unwrap();
    // neighbour refreshes are the kernel's own; anything else is a write
    let writes: Vec<&str> = seen
        .lines()
        .filter(|l| {
            !l.contains("lladdr")
                && !l.contains("REACHABLE")
                && !l.contains("STALE")
                && !l.contains("DELAY")
                && !l.contains("PROBE")
        })
        .collect();
    assert!(
        writes.is_empty(),
        "netlink changes during the converged apply: {writes:?}"
    );
    assert_eq!(link_indexes(&node), before);
}

#[test]
fn a_wrong_gateway_is_not_confirmed_and_the_node_is_back_as_before() {
    if !crate::topo::available() {
        return;
    }
    let topo = Topo::up();
    let node = topo.node(1);
    let routes_before = nsx_ok(&node, &["ip", "route"]);
    let wrong = r#"pillar={"node_network": {"tor": "10.9.4.99", "confirm_timeout": 3}}"#;
    let (v, _) = topo.call(1, &["state.apply", "network", wrong]);
    let res = results(&v);
    let (_, moved) = res
        .iter()
        .find(|(id, _)| id == "node-network-address")
        .unwrap();
    assert_eq!(moved["result"], Value::Bool(false), "{moved}");
    let comment = moved["comment"].as_str().unwrap();
    println!("{comment}");
    assert!(comment.contains("no answer to ping 10.9.4.99"), "{comment}");
    assert!(comment.contains("Rolled back"), "{comment}");
    assert_eq!(nsx_ok(&node, &["ip", "route"]), routes_before);
    let addrs = nsx_ok(&node, &["ip", "-4", "-o", "addr", "show", "dev", "eth0"]);
    assert!(addrs.contains("10.9.4.11/22"), "{addrs}");
    assert!(ping(&topo.tor(), "10.9.4.11"), "the ToR reaches the node");
    assert!(
        ping(&node, "192.0.2.10"),
        "the node reaches the outside (where a master lives)"
    );
    assert!(files_with(&topo.pending_dir(1), "pending").is_empty());
}

/// Start the move with an unreachable gateway and a long confirmation, and
/// kill -9 the minion once the change is in.
fn kill_mid_change(topo: &Topo, confirm_timeout: u32) {
    let conf = topo.node_config(1);
    let bin = halite_tests::halite_bin();
    let pillar = format!(
        r#"pillar={{"node_network": {{"tor": "10.9.4.99", "confirm_timeout": {confirm_timeout}}}}}"#
    );
    #[allow(clippy::disallowed_methods)] // test harness: the minion to be killed
    let mut child = Command::new("ip")
        .args(["netns", "exec", &topo.node(1)])
        .arg(&bin)
        .args(["call", "--local", "-c"])
        .arg(&conf)
        .args([
            "state.apply",
            "network",
            &topo.with_sandbox_pillar(1, &[&pillar]),
        ])
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let in_place = halite_tests::net::wait_until(Duration::from_secs(20), || {
        nsx_ok(&topo.node(1), &["ip", "route"]).contains("via 10.9.4.99")
    });
    assert!(in_place, "the change never got applied");
    // `ip netns exec` execs the program, so the child is halite itself
    run(&["kill", "-9", &child.id().to_string()]);
    let _ = child.wait();
    assert!(nsx_ok(&topo.node(1), &["ip", "route"]).contains("via 10.9.4.99"));
    assert_eq!(files_with(&topo.pending_dir(1), "pending").len(), 1);
}

fn node_is_as_before(topo: &Topo) {
    let node = topo.node(1);
    let routes = nsx_ok(&node, &["ip", "route"]);
    assert!(routes.contains("default via 10.9.4.1 dev eth0"), "{routes}");
    let addrs = nsx_ok(&node, &["ip", "-4", "-o", "addr", "show", "dev", "eth0"]);
    assert!(addrs.contains("10.9.4.11/22"), "{addrs}");
    assert!(ping(&topo.tor(), "10.9.4.11"));
    assert!(files_with(&topo.pending_dir(1), "pending").is_empty());
    assert_eq!(files_with(&topo.pending_dir(1), "rolledback").len(), 1);
}

#[test]
fn killed_mid_change_the_restarted_minion_rolls_back_first() {
    if !crate::topo::available() {
        return;
    }
    let topo = Topo::up();
    kill_mid_change(&topo, 60);
    let (v, out) = topo.call(1, &["test.ping"]);
    assert_eq!(v["local"], Value::Bool(true));
    let log = std::fs::read_to_string(topo.node_config(1).join("minion.log")).unwrap_or_default();
    let said = format!("{}{log}", String::from_utf8_lossy(&out.stderr));
    assert!(
        said.contains("rolled back the unconfirmed change"),
        "{said}"
    );
    node_is_as_before(&topo);
}

#[test]
fn killed_mid_change_with_no_restart_the_watchdog_rolls_back() {
    if !crate::topo::available() {
        return;
    }
    let topo = Topo::up();
    kill_mid_change(&topo, 2);
    // deadline = confirm_timeout + the watchdog's 15 s grace
    let back = halite_tests::net::wait_until(Duration::from_secs(40), || {
        nsx_ok(&topo.node(1), &["ip", "route"]).contains("default via 10.9.4.1 dev eth0")
    });
    assert!(back, "the watchdog did not roll back");
    assert!(halite_tests::net::wait_until(
        Duration::from_secs(5),
        || { files_with(&topo.pending_dir(1), "rolledback").len() == 1 }
    ));
    node_is_as_before(&topo);
}
