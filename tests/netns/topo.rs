//! The seed's topology in network namespaces this test makes (as
//! ../shared/docs/node-modules-recipes/netns-topology.sh builds it), before
//! orb0 exists: a ToR namespace with one L2 segment carrying the node and
//! pod gateways, an "outside" host, two nodes with their IP still on eth0,
//! and empty pod namespaces named as the rack's pillar names them.
//! Everything is removed on drop.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};
use std::sync::{Mutex, MutexGuard};

/// One topology at a time: the pod namespaces' names come from pillar.
static ONE_AT_A_TIME: Mutex<()> = Mutex::new(());

pub const PODS: [&str; 3] = ["p1a", "p1b", "p2a"];

pub struct Topo {
    pub prefix: String,
    pub dir: tempfile::TempDir,
    _serial: MutexGuard<'static, ()>,
}

#[allow(clippy::disallowed_methods)] // test harness: host setup
pub fn run(argv: &[&str]) -> Output {
    Command::new(argv[0])
        .args(&argv[1..])
        .stdin(Stdio::null())
        .output()
        .unwrap_or_else(|e| panic!("{argv:?}: {e}"))
}

/// Run and require success.
pub fn must(argv: &[&str]) -> String {
    let out = run(argv);
    assert!(
        out.status.success(),
        "{argv:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

/// Run inside a namespace.
pub fn nsx(ns: &str, argv: &[&str]) -> Output {
    let mut all = vec!["ip", "netns", "exec", ns];
    all.extend_from_slice(argv);
    run(&all)
}

pub fn nsx_ok(ns: &str, argv: &[&str]) -> String {
    let mut all = vec!["ip", "netns", "exec", ns];
    all.extend_from_slice(argv);
    must(&all)
}

/// Two pings, 1 s timeout each.
pub fn ping(ns: &str, ip: &str) -> bool {
    nsx(ns, &["ping", "-n", "-c", "2", "-W", "1", "-i", "0.2", ip])
        .status
        .success()
}

/// Whether this machine can run the netns tests (root, ip, ping).
pub fn available() -> bool {
    let ok =
        run(&["ip", "netns", "list"]).status.success() && run(&["ping", "-V"]).status.success();
    if !ok {
        eprintln!(
            "skipping: needs root, iproute2 and iputils-ping (tests/scripts/install-deps.sh)"
        );
    }
    ok
}

impl Topo {
    pub fn ns(&self, name: &str) -> String {
        format!("{}-{name}", self.prefix)
    }
    pub fn tor(&self) -> String {
        self.ns("tor")
    }
    pub fn ext(&self) -> String {
        self.ns("ext")
    }
    pub fn node(&self, n: u8) -> String {
        self.ns(&format!("node{n}"))
    }

    /// ToR + outside host + two nodes (IP on eth0) + empty pod namespaces.
    pub fn up() -> Topo {
        let serial = ONE_AT_A_TIME.lock().unwrap_or_else(|e| e.into_inner());
        let topo = Topo {
            prefix: format!("hn{}", std::process::id() % 100000),
            dir: tempfile::Builder::new()
                .prefix("halite-netns-")
                .tempdir()
                .unwrap(),
            _serial: serial,
        };
        topo.clean();
        topo.base();
        topo.node_up(1, "10.9.4.11");
        topo.node_up(2, "10.9.4.12");
        for pod in PODS {
            must(&["ip", "netns", "add", pod]);
        }
        topo
    }

    fn base(&self) {
        let (tor, ext) = (self.tor(), self.ext());
        for n in [&tor, &ext] {
            must(&["ip", "netns", "add", n]);
            nsx_ok(n, &["ip", "link", "set", "lo", "up"]);
        }
        for cmd in [
            "ip link add sw0 type bridge stp_state 0 forward_delay 0",
            "ip addr add 10.9.4.1/22 dev sw0",
            "ip addr add 10.10.0.1/22 dev sw0",
            "ip link set sw0 up",
            "sysctl -qw net.ipv4.ip_forward=1 net.ipv4.conf.all.send_redirects=0 net.ipv4.conf.sw0.send_redirects=0",
        ] {
            nsx_ok(&tor, &cmd.split(' ').collect::<Vec<_>>());
        }
        must(&[
            "ip", "link", "add", "ext0", "netns", &tor, "type", "veth", "peer", "name", "eth0",
            "netns", &ext,
        ]);
        nsx_ok(&tor, &["ip", "addr", "add", "192.0.2.1/24", "dev", "ext0"]);
        nsx_ok(&tor, &["ip", "link", "set", "ext0", "up"]);
        nsx_ok(&ext, &["ip", "addr", "add", "192.0.2.10/24", "dev", "eth0"]);
        nsx_ok(&ext, &["ip", "link", "set", "eth0", "up"]);
        nsx_ok(&ext, &["ip", "route", "add", "default", "via", "192.0.2.1"]);
    }

    fn node_up(&self, n: u8, ip: &str) {
        let (tor, node) = (self.tor(), self.node(n));
        let port = format!("sw0-n{n}");
        must(&["ip", "netns", "add", &node]);
        nsx_ok(&node, &["ip", "link", "set", "lo", "up"]);
        must(&[
            "ip", "link", "add", &port, "netns", &tor, "type", "veth", "peer", "name", "eth0",
            "netns", &node,
        ]);
        nsx_ok(&tor, &["ip", "link", "set", &port, "master", "sw0"]);
        nsx_ok(&tor, &["ip", "link", "set", &port, "up"]);
        nsx_ok(
            &node,
            &["ip", "addr", "add", &format!("{ip}/22"), "dev", "eth0"],
        );
        nsx_ok(&node, &["ip", "link", "set", "eth0", "up"]);
        nsx_ok(
            &node,
            &[
                "ip", "route", "add", "default", "via", "10.9.4.1", "dev", "eth0",
            ],
        );
        nsx_ok(
            &node,
            &[
                "sysctl",
                "-qw",
                "net.ipv4.ip_forward=1",
                "net.ipv4.conf.all.rp_filter=1",
                "net.ipv4.conf.default.rp_filter=1",
            ],
        );
    }

    fn clean(&self) {
        let list = must(&["ip", "netns", "list"]);
        for line in list.lines() {
            let name = line.split_whitespace().next().unwrap_or("");
            if name.starts_with(&format!("{}-", self.prefix)) || PODS.contains(&name) {
                run(&["ip", "netns", "del", name]);
            }
        }
    }

    /// A masterless minion config for node `n` (minion id `r12-n0N`, rack
    /// r12, the repository's states/, formulas/ and pillar/).
    pub fn node_config(&self, n: u8) -> PathBuf {
        let dir = self.dir.path().join(format!("node{n}"));
        std::fs::create_dir_all(dir.join("cache")).unwrap();
        let repo = halite_tests::repo_root();
        let conf = serde_json::json!({
            "id": format!("r12-n0{n}"),
            "file_client": "local",
            "file_roots": {"base": [repo.join("states"), repo.join("formulas")]},
            "pillar_roots": {"base": [repo.join("pillar")]},
            "cachedir": dir.join("cache"),
            "log_file": dir.join("minion.log"),
            "grains": {"rack": "r12", "roles": ["k8s-node"]},
        });
        std::fs::write(
            dir.join("minion"),
            serde_json::to_string_pretty(&conf).unwrap(),
        )
        .unwrap();
        dir
    }

    /// `halite call --local -c CONF --out=json ARGS` inside node `n`.
    pub fn call(&self, n: u8, args: &[&str]) -> (serde_json::Value, Output) {
        self.call_env(n, args, &[])
    }

    /// [`Topo::call`] with extra environment variables.
    pub fn call_env(
        &self,
        n: u8,
        args: &[&str],
        env: &[(String, String)],
    ) -> (serde_json::Value, Output) {
        let conf = self.node_config(n);
        let bin = halite_tests::halite_bin();
        let vars: Vec<String> = env.iter().map(|(k, v)| format!("{k}={v}")).collect();
        let mut argv = vec!["env"];
        argv.extend(vars.iter().map(String::as_str));
        argv.extend([
            bin.to_str().unwrap(),
            "call",
            "--local",
            "-c",
            conf.to_str().unwrap(),
            "--out=json",
        ]);
        let pillar = self.with_sandbox_pillar(n, args);
        argv.extend(args.iter().filter(|a| !a.starts_with("pillar=")));
        if args.first() == Some(&"state.apply") {
            argv.push(&pillar);
        }
        let out = nsx(&self.node(n), &argv);
        let v = serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null);
        (v, out)
    }

    /// The CNI directories inside this topology's temp dir (never the host's
    /// /etc/cni or /opt/cni), merged under a test's own `pillar=` override.
    pub fn cni_pillar(&self, n: u8) -> serde_json::Value {
        let d = self.dir.path().join(format!("node{n}"));
        serde_json::json!({"node_network": {"cni": {
            "conf_dir": d.join("cni/net.d"),
            "bin_dir": d.join("cni/bin"),
            "data_dir": d.join("cni/networks"),
        }}})
    }

    /// `pillar=` with the CNI sandbox and the test's own override merged.
    pub fn with_sandbox_pillar(&self, n: u8, args: &[&str]) -> String {
        let mut base = self.cni_pillar(n);
        if let Some(own) = args.iter().find_map(|a| a.strip_prefix("pillar=")) {
            let own: serde_json::Value = serde_json::from_str(own).expect("pillar= is JSON");
            merge(&mut base, &own);
        }
        format!("pillar={base}")
    }

    pub fn pending_dir(&self, n: u8) -> PathBuf {
        self.node_config(n).join("cache/net/pending")
    }
}

impl Drop for Topo {
    fn drop(&mut self) {
        self.clean();
    }
}

/// The files in `dir` with extension `ext`.
pub fn files_with(dir: &Path, ext: &str) -> Vec<PathBuf> {
    std::fs::read_dir(dir)
        .into_iter()
        .flatten()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == ext))
        .collect()
}

/// Deep-merge `over` into `base` (objects merged, everything else replaced).
pub fn merge(base: &mut serde_json::Value, over: &serde_json::Value) {
    match (base, over) {
        (serde_json::Value::Object(b), serde_json::Value::Object(o)) => {
            for (k, v) in o {
                merge(b.entry(k.clone()).or_insert(serde_json::Value::Null), v);
            }
        }
        (b, o) => *b = o.clone(),
    }
}
