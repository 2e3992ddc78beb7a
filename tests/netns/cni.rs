//! halite-cni as a runtime calls it: the conflist that `state.apply network`
//! wrote (halite_net.cni_config, this node's pod range from rack r12's
//! pillar), the plugin run inside the node namespace with the CNI_*
//! environment. 20 pods on two nodes by concurrent ADDs reach each other,
//! the ToR and the nodes; DEL of all leaves nothing. Beside the reference
//! `ptp` plugin (Debian's containernetworking-plugins): the same result
//! shape, the same kind of attachment, the same error codes, nothing left
//! behind by a failed ADD.

use crate::topo::{must, nsx, nsx_ok, Topo};
use serde_json::{json, Value};
use std::path::Path;
use std::process::{Command, Stdio};

const PTP: &str = "/usr/lib/cni/ptp";

/// Run a CNI plugin inside `ns` with `env` and `conf` on stdin.
fn cni(ns: &str, plugin: &str, env: &[(&str, &str)], conf: &Value) -> (Value, i32) {
    raw_cni(ns, plugin, env, &conf.to_string())
}

fn env<'a>(cmd: &'a str, id: &'a str, netns: &'a str) -> Vec<(&'a str, &'a str)> {
    let mut e = vec![
        ("CNI_COMMAND", cmd),
        ("CNI_CONTAINERID", id),
        ("CNI_IFNAME", "eth0"),
    ];
    if !netns.is_empty() {
        e.push(("CNI_NETNS", netns));
    }
    e
}

/// The plugin config a runtime hands over from a conflist: the list's
/// `name` and `cniVersion` added to the plugin's entry.
fn plugin_conf(conflist: &Path) -> Value {
    let list: Value = serde_json::from_str(&std::fs::read_to_string(conflist).unwrap()).unwrap();
    let mut conf = list["plugins"][0].clone();
    conf["name"] = list["name"].clone();
    conf["cniVersion"] = list["cniVersion"].clone();
    conf
}

fn halite_cni() -> String {
    halite_tests::halite_bin()
        .with_file_name("halite-cni")
        .display()
        .to_string()
}

/// The keys of a result, recursively for its list entries.
fn shape(v: &Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(m.iter().map(|(k, v)| (k.clone(), shape(v))).collect()),
        Value::Array(items) => Value::Array(items.iter().map(shape).collect()),
        _ => Value::Null,
    }
}

#[test]
fn twenty_pods_by_concurrent_adds_reach_everything_and_del_leaves_nothing() {
    if !crate::topo::available() {
        return;
    }
    let topo = Topo::up();
    for n in [1, 2] {
        let (v, _) = topo.call(n, &["state.apply", "network"]);
        let bad: Vec<&Value> = v["local"]
            .as_object()
            .unwrap_or_else(|| panic!("{v}"))
            .values()
            .filter(|r| r["result"] != json!(true))
            .collect();
        assert!(bad.is_empty(), "{bad:#?}");
    }
    let confs: Vec<Value> = [1, 2]
        .iter()
        .map(|n| {
            plugin_conf(
                &topo
                    .dir
                    .path()
                    .join(format!("node{n}/cni/net.d/10-halite.conflist")),
            )
        })
        .collect();
    assert_eq!(confs[0]["ipam"]["range"], "10.10.1.0/25");
    let link = std::fs::read_link(topo.dir.path().join("node1/cni/bin/halite-cni")).unwrap();
    assert_eq!(link.display().to_string(), halite_cni());

    // 10 pods per node, all ADDs at once
    let pods: Vec<(u8, String)> = (0..20)
        .map(|i| (1 + (i % 2) as u8, topo.ns(&format!("cpod{i}"))))
        .collect();
    for (_, ns) in &pods {
        must(&["ip", "netns", "add", ns]);
    }
    let results: Vec<(Value, i32)> = std::thread::scope(|s| {
        let handles: Vec<_> = pods
            .iter()
            .map(|(n, ns)| {
                let (node, conf) = (topo.node(*n), &confs[*n as usize - 1]);
                let netns = format!("/run/netns/{ns}");
                s.spawn(move || cni(&node, &halite_cni(), &env("ADD", ns, &netns), conf))
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    let mut ips = Vec::new();
    for (doc, status) in &results {
        assert_eq!(*status, 0, "{doc}");
        ips.push(
            doc["ips"][0]["address"]
                .as_str()
                .unwrap()
                .split('/')
                .next()
                .unwrap()
                .to_string(),
        );
    }
    let mut unique = ips.clone();
    unique.sort();
    unique.dedup();
    assert_eq!(unique.len(), 20, "double allocation: {ips:?}");

    let mut failed = Vec::new();
    let mut checks = 0;
    for (i, (n, ns)) in pods.iter().enumerate() {
        let node_ip = if *n == 1 { "10.9.4.11" } else { "10.9.4.12" };
        let mut targets: Vec<&str> = ips
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, ip)| ip.as_str())
            .collect();
        targets.extend(["10.9.4.1", "10.10.0.1", node_ip]);
        for ip in targets {
            checks += 1;
            let ok = nsx(ns, &["ping", "-n", "-c", "1", "-W", "2", ip])
                .status
                .success()
                || nsx(ns, &["ping", "-n", "-c", "1", "-W", "2", ip])
                    .status
                    .success();
            if !ok {
                failed.push(format!("{ns} -> {ip}"));
            }
        }
    }
    println!(
        "{checks} pod pings (every pod to every other, the ToR, the node): {} failed",
        failed.len()
    );
    assert!(failed.is_empty(), "{failed:?}");

    // CHECK passes for a pod as ADD made it
    let (n, ns) = &pods[0];
    let mut conf = confs[*n as usize - 1].clone();
    conf["prevResult"] = results[0].0.clone();
    let netns = format!("/run/netns/{ns}");
    let (doc, status) = cni(
        &topo.node(*n),
        &halite_cni(),
        &env("CHECK", ns, &netns),
        &conf,
    );
    assert_eq!(status, 0, "{doc}");

    std::thread::scope(|s| {
        for (n, ns) in &pods {
            let (node, conf) = (topo.node(*n), &confs[*n as usize - 1]);
            s.spawn(move || {
                let netns = format!("/run/netns/{ns}");
                let (doc, status) = cni(&node, &halite_cni(), &env("DEL", ns, &netns), conf);
                assert_eq!(status, 0, "{doc}");
            });
        }
    });
    for n in [1u8, 2] {
        let node = topo.node(n);
        let links = nsx_ok(&node, &["ip", "-o", "link", "show"]);
        assert!(!links.contains(": hc"), "veths left on node{n}: {links}");
        let routes = nsx_ok(&node, &["ip", "route"]);
        assert!(
            !routes.contains("10.10.1."),
            "routes left on node{n}: {routes}"
        );
        let data = topo
            .dir
            .path()
            .join(format!("node{n}/cni/networks/halite-pods"));
        let left: Vec<_> = std::fs::read_dir(&data)
            .unwrap()
            .flatten()
            .filter(|e| {
                e.file_name()
                    .to_string_lossy()
                    .parse::<std::net::Ipv4Addr>()
                    .is_ok()
            })
            .collect();
        assert!(left.is_empty(), "allocations left on node{n}: {left:?}");
    }
    // DEL again (the runtime retries): still success
    let (doc, status) = cni(
        &topo.node(1),
        &halite_cni(),
        &env("DEL", &pods[0].1, ""),
        &confs[0],
    );
    assert_eq!(status, 0, "{doc}");
}

#[test]
fn beside_the_reference_ptp_plugin_same_result_shape_attachment_and_errors() {
    if !crate::topo::available() || !Path::new(PTP).exists() {
        eprintln!("skipping: needs {PTP} (containernetworking-plugins)");
        return;
    }
    let topo = Topo::up();
    let data = topo.dir.path().join("data");
    let ours = json!({"cniVersion": "1.0.0", "name": "halite-pods", "type": "halite-cni",
        "gateway": "10.10.0.1", "prefixLength": 22,
        "ipam": {"range": "10.10.1.0/25", "dataDir": data}});
    let theirs = json!({"cniVersion": "1.0.0", "name": "ptp-pods", "type": "ptp",
        "ipam": {"type": "host-local", "subnet": "10.10.0.0/22", "rangeStart": "10.10.1.2",
                 "rangeEnd": "10.10.1.100", "gateway": "10.10.0.1", "dataDir": data,
                 "routes": [{"dst": "0.0.0.0/0", "gw": "10.10.0.1"}]}});
    // each plugin gets its own "node" and pod namespaces
    let (host_a, host_b) = (topo.node(1), topo.node(2));
    let (pod_a, pod_b) = (topo.ns("refpod-a"), topo.ns("refpod-b"));
    for ns in [&pod_a, &pod_b] {
        must(&["ip", "netns", "add", ns]);
    }
    let (a, sa) = cni(
        &host_a,
        &halite_cni(),
        &env("ADD", "ctr-a", &format!("/run/netns/{pod_a}")),
        &ours,
    );
    let (b, sb) = cni(
        &host_b,
        PTP,
        &env("ADD", "ctr-b", &format!("/run/netns/{pod_b}")),
        &theirs,
    );
    assert_eq!((sa, sb), (0, 0), "halite: {a}\nptp: {b}");
    println!("halite-cni: {a}\nptp:        {b}");
    assert_eq!(shape(&a), shape(&b), "result shapes differ");
    for (host, pod, doc) in [(&host_a, &pod_a, &a), (&host_b, &pod_b, &b)] {
        let host_end = doc["interfaces"][0]["name"].as_str().unwrap();
        let ip = doc["ips"][0]["address"]
            .as_str()
            .unwrap()
            .split('/')
            .next()
            .unwrap();
        let pod_addr = nsx_ok(pod, &["ip", "-4", "-o", "addr", "show", "dev", "eth0"]);
        assert!(pod_addr.contains(&format!("{ip}/")), "{pod_addr}");
        let pod_route = nsx_ok(pod, &["ip", "route", "show", "default"]);
        assert!(pod_route.starts_with("default via"), "{pod_route}");
        let host_route = nsx_ok(host, &["ip", "route", "show", ip]);
        assert!(
            host_route.contains(&format!("dev {host_end}")),
            "{host_route}"
        );
        assert_eq!(
            doc["interfaces"][1]["sandbox"],
            json!(format!("/run/netns/{pod}"))
        );
    }

    // spec errors: both plugins answer with the same codes; nothing is left
    let before = nsx_ok(&host_a, &["ip", "-o", "link", "show"]);
    for (what, conf_text, netns, code) in [
        ("missing CNI_NETNS", None, "", 4),
        ("undecodable config", Some("{bad"), "/run/netns/x", 6),
    ] {
        for (plugin, conf) in [(halite_cni(), &ours), (PTP.to_string(), &theirs)] {
            let (doc, status) = match conf_text {
                None => cni(&host_a, &plugin, &env("ADD", "ctr-e", netns), conf),
                Some(text) => raw_cni(&host_a, &plugin, &env("ADD", "ctr-e", netns), text),
            };
            assert_eq!(status, 1, "{what} {plugin}: {doc}");
            assert_eq!(doc["code"], json!(code), "{what} {plugin}: {doc}");
            assert!(doc["msg"].as_str().is_some_and(|m| !m.is_empty()));
        }
    }
    // a pod namespace that does not exist: an error, no veth, no allocation
    let (doc, status) = cni(
        &host_a,
        &halite_cni(),
        &env("ADD", "ctr-f", "/run/netns/no-such-pod"),
        &ours,
    );
    assert_eq!(status, 1, "{doc}");
    assert_eq!(doc["code"], json!(3));
    assert_eq!(nsx_ok(&host_a, &["ip", "-o", "link", "show"]), before);
    let held: Vec<String> = std::fs::read_dir(data.join("halite-pods"))
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().to_string())
        .filter(|n| n.parse::<std::net::Ipv4Addr>().is_ok())
        .collect();
    assert_eq!(held.len(), 1, "only ctr-a's address: {held:?}");
}

/// Run a CNI plugin inside `ns`, as a runtime does: only `CNI_*`, CNI_PATH
/// and PATH in its environment, `text` on stdin.
#[allow(clippy::disallowed_methods)] // test harness: plays the container runtime
fn raw_cni(ns: &str, plugin: &str, env: &[(&str, &str)], text: &str) -> (Value, i32) {
    use std::io::Write;
    let mut cmd = Command::new("ip");
    cmd.args(["netns", "exec", ns, plugin])
        .env_clear()
        .env("CNI_PATH", "/usr/lib/cni")
        .env("PATH", "/usr/sbin:/usr/bin:/sbin:/bin")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    for (k, v) in env {
        cmd.env(k, v);
    }
    let mut child = cmd.spawn().unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(text.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let doc = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (doc, out.status.code().unwrap_or(-1))
}
