//! The test fleet: master + salt-api, twelve Halite minions with fake
//! rpm-ostree, a supervisor that plays each machine's reboot (restarts the
//! minion when the fake asks), the inventory file and `halite-ctl` runs.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::thread::JoinHandle;
use std::time::Duration;

use halite_tests::minion::{wait_answering, Flavor, Minion};
use halite_tests::net::{free_port, wait_listening};
use halite_tests::ostree_fake::{FakeTools, NEXT};
use halite_tests::salt::{terminate, Master, MasterSpec};
use serde_json::{json, Value};

pub const RACKS: [&str; 3] = ["r1", "r2", "r3"];
pub const PER_RACK: usize = 4;
const SECRET: &str = "fleet-test-secret";

pub struct Node {
    pub id: String,
    pub rack: String,
    /// The node's sandbox root (pillar `node:root`): where its states write.
    pub root: PathBuf,
    pub tools: FakeTools,
    pub minion: Mutex<Minion>,
}

impl Node {
    /// What the fleet-test state wrote, if anything.
    pub fn applied(&self) -> Option<String> {
        fs::read_to_string(self.root.join("fleet/applied")).ok()
    }
    /// The version the fake machine has booted.
    pub fn booted_version(&self) -> String {
        let st = self.tools.status();
        let deps = st["deployments"].as_array().cloned().unwrap_or_default();
        deps.iter()
            .find(|d| d["booted"] == json!(true))
            .and_then(|d| d["version"].as_str().map(str::to_string))
            .unwrap_or_default()
    }
    pub fn make_unhealthy(&self) {
        let _ = fs::remove_file(self.tools.health_marker());
    }
}

pub struct Fleet {
    pub dir: tempfile::TempDir,
    pub master: Master,
    api: Option<Child>,
    pub api_url: String,
    pub nodes: Arc<Vec<Node>>,
    stop: Arc<AtomicBool>,
    supervisor: Option<JoinHandle<()>>,
}

impl Fleet {
    pub fn roots(&self) -> PathBuf {
        self.dir.path().join("roots")
    }
    pub fn state_dir(&self) -> PathBuf {
        self.dir.path().join("ctl")
    }
    pub fn inventory(&self) -> PathBuf {
        self.dir.path().join("fleet.yaml")
    }
    /// Where the inventory's pre/post node hooks log (`pre r1-n1 r1`).
    pub fn hooks_log(&self) -> PathBuf {
        self.dir.path().join("hooks.log")
    }
    pub fn node(&self, id: &str) -> &Node {
        self.nodes.iter().find(|n| n.id == id).unwrap()
    }

    /// Master (with `halite-ctl master-config`'s output in master.d) and
    /// salt-api up, every minion answering, the inventory written.
    pub fn start(venv: &Path) -> Fleet {
        let dir = tempfile::Builder::new()
            .prefix("halite-fleet-")
            .tempdir()
            .unwrap();
        let api_port = free_port();
        let roots = dir.path().join("roots");
        let ctl_conf = run_ctl(&[
            "master-config",
            "--root",
            roots.to_str().unwrap(),
            "--user",
            "ctl",
            "--eauth",
            "sharedsecret",
            "--api-port",
            &api_port.to_string(),
        ]);
        assert!(
            ctl_conf.status.success(),
            "{}",
            String::from_utf8_lossy(&ctl_conf.stderr)
        );
        let mut extra = serde_json::Map::new();
        extra.insert("sharedsecret".into(), json!(SECRET));
        extra.insert("worker_threads".into(), json!(4));
        let master = Master::start(
            venv,
            MasterSpec {
                extra,
                include: vec![(
                    "halite-ctl.conf".into(),
                    String::from_utf8(ctl_conf.stdout).unwrap(),
                )],
                ..Default::default()
            },
        );
        let api_log = dir.path().join("salt-api.out");
        let api = master.spawn_cli("salt-api", &["-l", "warning"], &api_log);
        assert!(
            wait_listening(api_port, Duration::from_secs(60)),
            "salt-api did not listen: {}",
            fs::read_to_string(&api_log).unwrap_or_default()
        );
        let mut nodes = Vec::new();
        for rack in RACKS {
            for i in 1..=PER_RACK {
                nodes.push(start_node(&master, dir.path(), rack, i));
            }
        }
        for n in &nodes {
            wait_answering(&master, &n.minion.lock().unwrap());
        }
        let fleet = Fleet {
            dir,
            master,
            api: Some(api),
            api_url: format!("http://127.0.0.1:{api_port}"),
            nodes: Arc::new(nodes),
            stop: Arc::new(AtomicBool::new(false)),
            supervisor: None,
        };
        fleet.write_inventory("");
        fleet.supervise()
    }

    /// Play the machines: a node whose fake rebooted gets its minion restarted.
    fn supervise(mut self) -> Fleet {
        let nodes = Arc::clone(&self.nodes);
        let stop = Arc::clone(&self.stop);
        let venv = self.master.venv.clone();
        self.supervisor = Some(std::thread::spawn(move || {
            while !stop.load(Ordering::Relaxed) {
                for n in nodes.iter() {
                    if n.tools.take_reboot_request() {
                        n.minion.lock().unwrap().restart(&venv);
                    }
                }
                std::thread::sleep(Duration::from_millis(200));
            }
        }));
        self
    }

    /// The inventory: three racks of four, one role running fleet-test,
    /// the OS image [`NEXT`]; `fleet_pillar` adds YAML under fleet.pillar.
    pub fn write_inventory(&self, fleet_message: &str) {
        let mut racks = String::new();
        for (r, rack) in RACKS.iter().enumerate() {
            racks.push_str(&format!(
                "  - name: {rack}\n    subnet: 10.{net}.0.0/24\n    tor: 10.{net}.0.1\n    nodes:\n",
                net = r + 1
            ));
            for n in self.nodes.iter().filter(|n| n.rack == *rack) {
                let i: usize = n.id.rsplit('n').next().unwrap().parse().unwrap();
                racks.push_str(&format!(
                    "      - {{name: {}, ip: 10.{}.0.{}, roles: [worker], pillar: {{node: {{root: '{}'}}}}}}\n",
                    n.id,
                    r + 1,
                    10 + i,
                    n.root.display()
                ));
            }
        }
        let hook = |phase: &str| {
            format!(
                "echo \\\"{phase} $HALITE_NODE $HALITE_RACK\\\" >> {}",
                self.hooks_log().display()
            )
        };
        let text = format!(
            "fleet:\n  name: fleet-test\n  roles: {{worker: [fleet-test]}}\n  os_image: {{refspec: 'rhcos:rhcos/9/x86_64/stable', version: '{NEXT}'}}\n  pillar: {{fleet_message: '{fleet_message}'}}\n  rollout: {{max_unavailable: 2, failure_budget: 0, canary: true, node_timeout: 60, reboot_timeout: 120, os_sls: os}}\n  hooks: {{pre_node: \"{}\", post_node: \"{}\"}}\nracks:\n{racks}",
            hook("pre"),
            hook("post")
        );
        fs::write(self.inventory(), text).unwrap();
    }

    /// Run halite-ctl with the API settings in its environment.
    pub fn ctl(&self, args: &[&str]) -> Output {
        let out = self.ctl_command(args).output().expect("run halite-ctl");
        eprintln!(
            "$ halite-ctl {}\n{}{}",
            args.join(" "),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        out
    }

    #[allow(clippy::disallowed_methods)] // test harness: runs the controller under test
    pub fn ctl_command(&self, args: &[&str]) -> Command {
        let mut c = Command::new(halite_tests::halite_ctl_bin());
        c.args(args)
            .env("HALITE_CTL_API_URL", &self.api_url)
            .env("HALITE_CTL_API_USER", "ctl")
            .env("HALITE_CTL_API_PASSWORD", SECRET)
            .env("HALITE_CTL_EAUTH", "sharedsecret");
        c
    }

    /// The sources of the fleet's tree: the test role, the repo's states
    /// (os.sls) and formulas (os-image).
    pub fn source_args(&self) -> Vec<String> {
        let repo = halite_tests::repo_root();
        let mut v = Vec::new();
        for s in [
            repo.join("tests/fleet/tree"),
            repo.join("states"),
            repo.join("formulas"),
        ] {
            v.push("--source".to_string());
            v.push(s.display().to_string());
        }
        v
    }

    pub fn publish(&self) -> Output {
        let inv = self.inventory().display().to_string();
        let root = self.roots().display().to_string();
        let mut args = vec!["publish", "--inventory", &inv, "--root", &root];
        let sources = self.source_args();
        args.extend(sources.iter().map(String::as_str));
        self.ctl(&args)
    }

    pub fn rollout(&self, what: &[&str], more: &[&str]) -> Output {
        let inv = self.inventory().display().to_string();
        let state = self.state_dir().display().to_string();
        let mut args = vec!["rollout"];
        args.extend(what);
        args.extend(["--inventory", &inv, "--state-dir", &state]);
        args.extend(more);
        self.ctl(&args)
    }

    pub fn status_json(&self) -> Value {
        let state = self.state_dir().display().to_string();
        let out = self.ctl(&["status", "--json", "--state-dir", &state]);
        serde_json::from_slice(&out.stdout).unwrap_or(Value::Null)
    }

    /// `state.apply` jobs the master's job cache holds per node.
    pub fn state_jobs(&self) -> std::collections::HashMap<String, usize> {
        let out = self.master.cli(
            "salt-run",
            &[
                "jobs.list_jobs",
                "search_function=state.apply",
                "--out=json",
            ],
        );
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        let mut count = std::collections::HashMap::new();
        for job in v
            .as_object()
            .map(|m| m.values().cloned().collect::<Vec<_>>())
            .unwrap_or_default()
        {
            for t in job["Target"].as_array().cloned().unwrap_or_default() {
                *count
                    .entry(t.as_str().unwrap_or("").to_string())
                    .or_insert(0) += 1;
            }
        }
        count
    }
}

/// halite-ctl without a master (render, check, master-config).
#[allow(clippy::disallowed_methods)] // test harness: runs the controller under test
pub fn run_ctl(args: &[&str]) -> Output {
    Command::new(halite_tests::halite_ctl_bin())
        .args(args)
        .output()
        .expect("run halite-ctl")
}

fn start_node(master: &Master, dir: &Path, rack: &str, i: usize) -> Node {
    let id = format!("{rack}-n{i}");
    let tools = FakeTools::new();
    fs::write(tools.health_marker(), "").unwrap();
    let root = dir.join("nodes").join(&id);
    fs::create_dir_all(&root).unwrap();
    let conf = json!({
        "grains": {"rack": rack},
        "ostree_health": {
            "commands": [format!("test -e {}", tools.health_marker().display())],
            "record": tools.dir.path().join("var/ostree-health.json"),
            "timeout": 20,
        },
    });
    let env = tools.env();
    let minion = Minion::start_with_env(master, &id, Flavor::Halite, conf, env);
    Node {
        id,
        rack: rack.to_string(),
        root,
        tools,
        minion: Mutex::new(minion),
    }
}

impl Drop for Fleet {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::Relaxed);
        if let Some(h) = self.supervisor.take() {
            let _ = h.join();
        }
        if let Some(mut api) = self.api.take() {
            terminate(&mut api);
        }
    }
}
