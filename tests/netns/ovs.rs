//! cbr0 on a real Open vSwitch with the userspace (netdev) datapath: a
//! private ovsdb-server + ovs-vswitchd inside node1's namespace (as
//! ../shared/docs/node-modules-recipes/ovs-userspace.sh runs them), the
//! bridge, ports and flow table from the node-network formula, traffic
//! through the flows, and a second apply that runs no OVS write.

use crate::topo::{must, nsx, nsx_ok, ping, run, Topo};
use serde_json::{json, Value};
use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};

/// Private OVS daemons; stopped on drop.
struct Ovs {
    dir: PathBuf,
}

impl Ovs {
    fn env(&self) -> Vec<(String, String)> {
        ["RUNDIR", "LOGDIR", "DBDIR", "SYSCONFDIR"]
            .iter()
            .map(|k| {
                (
                    format!("OVS_{k}"),
                    self.dir.join(k.to_lowercase()).display().to_string(),
                )
            })
            .collect()
    }

    fn start(ns: &str, dir: &Path) -> Option<Ovs> {
        if !run(&["ovsdb-tool", "--version"]).status.success() {
            eprintln!("skipping: needs openvswitch-switch (tests/scripts/install-deps.sh)");
            return None;
        }
        let ovs = Ovs {
            dir: dir.join("ovs"),
        };
        for (_, d) in ovs.env() {
            std::fs::create_dir_all(d).unwrap();
        }
        let run_dir = ovs.dir.join("rundir");
        let db = ovs.dir.join("dbdir/conf.db");
        let sock = format!("unix:{}/db.sock", run_dir.display());
        must(&[
            "ovsdb-tool",
            "create",
            db.to_str().unwrap(),
            "/usr/share/openvswitch/vswitch.ovsschema",
        ]);
        let envs = ovs.env();
        let with_env = |argv: &[&str]| {
            let mut all = vec!["env".to_string()];
            all.extend(envs.iter().map(|(k, v)| format!("{k}={v}")));
            all.extend(argv.iter().map(|s| s.to_string()));
            all
        };
        let pid = |name: &str| format!("--pidfile={}/{name}.pid", run_dir.display());
        let log =
            |name: &str| format!("--log-file={}/{name}.log", ovs.dir.join("logdir").display());
        let server = with_env(&[
            "ovsdb-server",
            db.to_str().unwrap(),
            &format!("--remote=p{sock}"),
            &pid("ovsdb-server"),
            "--detach",
            &log("ovsdb-server"),
        ]);
        nsx_ok(ns, &server.iter().map(String::as_str).collect::<Vec<_>>());
        let init = with_env(&["ovs-vsctl", "--no-wait", "init"]);
        must(&init.iter().map(String::as_str).collect::<Vec<_>>());
        let switchd = with_env(&[
            "ovs-vswitchd",
            &sock,
            &pid("ovs-vswitchd"),
            "--detach",
            &log("ovs-vswitchd"),
        ]);
        nsx_ok(ns, &switchd.iter().map(String::as_str).collect::<Vec<_>>());
        Some(ovs)
    }
}

impl Drop for Ovs {
    fn drop(&mut self) {
        for name in ["ovs-vswitchd", "ovsdb-server"] {
            let pidfile = self.dir.join("rundir").join(format!("{name}.pid"));
            if let Ok(pid) = std::fs::read_to_string(pidfile) {
                run(&["kill", pid.trim()]);
            }
        }
    }
}

/// `ovs-vsctl`/`ovs-ofctl` shims first on PATH that log each call.
fn shims(dir: &Path) -> (PathBuf, PathBuf) {
    let bin = dir.join("shims");
    let log = dir.join("ovs-calls.log");
    std::fs::create_dir_all(&bin).unwrap();
    for tool in ["ovs-vsctl", "ovs-ofctl"] {
        let path = bin.join(tool);
        std::fs::write(
            &path,
            format!(
                "#!/bin/sh\necho \"{tool} $*\" >> {}\nexec /usr/bin/{tool} \"$@\"\n",
                log.display()
            ),
        )
        .unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o755)).unwrap();
    }
    (bin, log)
}

fn pods(topo: &Topo) -> [String; 2] {
    let node = topo.node(1);
    let pods = [topo.ns("ovspod1"), topo.ns("ovspod2")];
    for (i, pod) in pods.iter().enumerate() {
        let port = format!("ovsv{}", i + 1);
        must(&["ip", "netns", "add", pod]);
        must(&[
            "ip", "link", "add", &port, "netns", &node, "type", "veth", "peer", "name", "eth0",
            "netns", pod,
        ]);
        nsx_ok(
            pod,
            &[
                "ip",
                "addr",
                "add",
                &format!("10.20.0.{}/24", i + 2),
                "dev",
                "eth0",
            ],
        );
        nsx_ok(pod, &["ip", "link", "set", "eth0", "up"]);
        // the netdev datapath and veths: TCP needs tx checksum offload off
        nsx(pod, &["ethtool", "-K", "eth0", "tx", "off"]);
        nsx_ok(&node, &["ip", "link", "set", &port, "up"]);
    }
    pods
}

fn cbr0_pillar(flows: &[&str]) -> String {
    let p = json!({"node_network": {"cbr0": {
        "datapath_type": "netdev",
        "ports": {"ovsv1": 1, "ovsv2": 2},
        "flows": flows,
    }}});
    format!("pillar={p}")
}

const FLOWS: [&str; 3] = [
    "table=0,priority=100,in_port=1,actions=output:2",
    "table=0,priority=100,in_port=2,actions=output:1",
    "table=0,priority=0,actions=drop",
];

fn apply(topo: &Topo, env: &[(String, String)], flows: &[&str]) -> Value {
    let (v, out) = topo.call_env(1, &["state.apply", "network", &cbr0_pillar(flows)], env);
    let failed: Vec<&Value> = v["local"]
        .as_object()
        .unwrap_or_else(|| panic!("{v} {}", String::from_utf8_lossy(&out.stderr)))
        .values()
        .filter(|r| r["result"] != Value::Bool(true))
        .collect();
    assert!(failed.is_empty(), "{failed:#?}");
    v
}

#[test]
fn cbr0_bridge_ports_and_flows_carry_traffic_and_a_second_apply_writes_nothing() {
    if !crate::topo::available() {
        return;
    }
    let topo = Topo::up();
    let Some(ovs) = Ovs::start(&topo.node(1), topo.dir.path()) else {
        return;
    };
    let pods = pods(&topo);
    let (shim_bin, calls) = shims(topo.dir.path());
    let mut env = ovs.env();
    env.push((
        "PATH".into(),
        format!("{}:/usr/sbin:/usr/bin:/sbin:/bin", shim_bin.display()),
    ));

    let v = apply(&topo, &env, &FLOWS);
    let flows = v["local"]
        .as_object()
        .unwrap()
        .values()
        .find(|r| r["__id__"] == "node-network-cbr0-flows")
        .unwrap()
        .clone();
    assert!(!flows["changes"].as_object().unwrap().is_empty(), "{flows}");
    assert!(ping(&pods[0], "10.20.0.3"), "ping through cbr0's flows");

    std::fs::remove_file(&calls).unwrap();
    let v = apply(&topo, &env, &FLOWS);
    for r in v["local"].as_object().unwrap().values() {
        assert_eq!(r["changes"], json!({}), "{r}");
    }
    let log = std::fs::read_to_string(&calls).unwrap();
    let reads = [
        "br-exists",
        "list-ports",
        "get interface",
        "br-to-parent",
        "br-to-vlan",
        "diff-flows",
    ];
    let writes: Vec<&str> = log
        .lines()
        .filter(|l| !reads.iter().any(|r| l.contains(r)))
        .collect();
    assert!(
        writes.is_empty(),
        "OVS writes during the converged apply: {writes:?}"
    );
    println!(
        "converged apply ran {} read-only OVS calls",
        log.lines().count()
    );

    // a table without the forwarding flows: replaced as a whole, traffic stops
    apply(&topo, &env, &FLOWS[2..]);
    assert!(
        !ping(&pods[0], "10.20.0.3"),
        "still forwarding after the flows were removed"
    );
    let mut of_env = vec!["env".to_string()];
    of_env.extend(ovs.env().iter().map(|(k, v)| format!("{k}={v}")));
    of_env.extend(["ovs-ofctl", "dump-flows", "--no-stats", "cbr0"].map(String::from));
    let table = must(&of_env.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(table.lines().count(), 1, "{table}");
}
