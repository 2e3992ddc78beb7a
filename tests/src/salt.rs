//! A real salt-master from the pinned PyPI venv, on 127.0.0.1 with free ports.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use crate::net::{free_port, wait_listening};

/// The Salt version the suite pins.
pub const PINNED_SALT: &str = "3008.4";

/// The venv holding Salt `version`: `$HALITE_SALT_VENV` (for the pinned version),
/// else `<repo>/.venv/salt-<version>` (made by tests/salt/ensure-venv.sh).
/// `None` when absent; when `HALITE_REQUIRE_SALT=1` (CI) absence is a panic.
pub fn venv(version: &str) -> Option<PathBuf> {
    let from_env = std::env::var("HALITE_SALT_VENV")
        .ok()
        .filter(|_| version == PINNED_SALT)
        .map(PathBuf::from);
    let base = std::env::var("HALITE_VENV_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| crate::repo_root().join(".venv"));
    let found = from_env
        .or_else(|| Some(base.join(format!("salt-{version}"))))
        .filter(|v| v.join("bin/salt-master").exists());
    if found.is_none() && std::env::var("HALITE_REQUIRE_SALT").as_deref() == Ok("1") {
        panic!("Salt {version} venv missing: run tests/salt/ensure-venv.sh {version}");
    }
    found
}

/// The Salt version a venv holds (from `salt-call --version`, e.g. "3007.13").
#[allow(clippy::disallowed_methods)] // test harness: asks the real Salt CLI
pub fn venv_version(venv: &Path) -> String {
    let out = Command::new(venv.join("bin/salt-call"))
        .arg("--version")
        .output();
    let text = out
        .map(|o| String::from_utf8_lossy(&o.stdout).to_string())
        .unwrap_or_default();
    text.split_whitespace().nth(1).unwrap_or("").to_string()
}

/// Halite emulates a 3008.4 minion. When the master (and so the Python minion in a
/// differential test) is older, these return-shape differences of the older
/// Python minion are expected; [`drop_version_differences`] removes them from
/// both sides before comparing:
/// - `__state_ran__: false` on requisite-failed chunks is new in 3008;
/// - `saltutil.sync_all` gained the `resources` key in 3008;
/// - a 3008 minion adds `resource_targets`, `pure_resource_target` and
///   `minion_is_target` to the publication after matching (Salt Resources), so
///   functions with `**kwargs` (`test.arg`) see them as `__pub_*` arguments.
pub const OLDER_MINION_ONLY_KEYS: &[&str] = &[
    "__state_ran__",
    "resources",
    "__pub_resource_targets",
    "__pub_pure_resource_target",
    "__pub_minion_is_target",
];

/// Remove [`OLDER_MINION_ONLY_KEYS`] (at any depth) when `version` is older than 3008.
pub fn drop_version_differences(v: &Value, version: &str) -> Value {
    if version.starts_with("3008") {
        return v.clone();
    }
    match v {
        Value::Object(m) => Value::Object(
            m.iter()
                .filter(|(k, _)| !OLDER_MINION_ONLY_KEYS.contains(&k.as_str()))
                .map(|(k, x)| (k.clone(), drop_version_differences(x, version)))
                .collect(),
        ),
        Value::Array(a) => Value::Array(
            a.iter()
                .map(|x| drop_version_differences(x, version))
                .collect(),
        ),
        other => other.clone(),
    }
}

/// Skip (return early from) a test when the Salt venv is absent, saying why.
#[macro_export]
macro_rules! require_salt {
    ($version:expr) => {
        match $crate::salt::venv($version) {
            Some(v) => v,
            None => {
                eprintln!(
                    "skipped: no Salt {} venv (run tests/salt/ensure-venv.sh)",
                    $version
                );
                return;
            }
        }
    };
}

/// A running salt-master; killed on drop.
pub struct Master {
    pub venv: PathBuf,
    pub dir: tempfile::TempDir,
    pub publish_port: u16,
    pub ret_port: u16,
    /// The network namespace the master (and its CLIs) run in, if any.
    pub netns: Option<String>,
    /// The address it listens on (`127.0.0.1` unless in a namespace).
    pub host: String,
    child: Option<Child>,
}

/// What to serve.
#[derive(Default)]
pub struct MasterSpec {
    /// Extra master config keys.
    pub extra: serde_json::Map<String, Value>,
    /// Run inside this network namespace, listening on this address.
    pub netns: Option<(String, String)>,
    /// Files of `master.d/` (name, content): included after the main
    /// config, so their keys win (e.g. `halite-ctl master-config` output).
    pub include: Vec<(String, String)>,
}

impl Master {
    pub fn conf_dir(&self) -> PathBuf {
        self.dir.path().join("etc")
    }
    pub fn file_root(&self) -> PathBuf {
        self.dir.path().join("srv/salt")
    }
    pub fn pillar_root(&self) -> PathBuf {
        self.dir.path().join("srv/pillar")
    }
    pub fn log_file(&self) -> PathBuf {
        self.dir.path().join("master.log")
    }

    /// Write the config and start `salt-master`; waits until both ports listen.
    pub fn start(venv: &Path, spec: MasterSpec) -> Master {
        let dir = tempfile::Builder::new()
            .prefix("halite-master-")
            .tempdir()
            .expect("tempdir");
        let mut m = Master {
            venv: venv.to_path_buf(),
            dir,
            publish_port: free_port(),
            ret_port: free_port(),
            host: spec
                .netns
                .as_ref()
                .map_or("127.0.0.1".into(), |(_, ip)| ip.clone()),
            netns: spec.netns.as_ref().map(|(ns, _)| ns.clone()),
            child: None,
        };
        fs::create_dir_all(m.conf_dir()).unwrap();
        fs::create_dir_all(m.file_root()).unwrap();
        fs::create_dir_all(m.pillar_root()).unwrap();
        m.write_config(&spec);
        m.spawn();
        m
    }

    fn write_config(&self, spec: &MasterSpec) {
        let root = self.dir.path();
        let mut conf = json!({
            "interface": self.host,
            "publish_port": self.publish_port,
            "ret_port": self.ret_port,
            "root_dir": root.join("root"),
            "pki_dir": root.join("pki"),
            "cachedir": root.join("cache"),
            "sock_dir": root.join("sock"),
            "log_file": self.log_file(),
            "log_level_logfile": "debug",
            "user": "root",
            "auto_accept": true,
            "worker_threads": 2,
            "file_roots": {"base": [self.file_root()]},
            "pillar_roots": {"base": [self.pillar_root()]},
        });
        let obj = conf.as_object_mut().unwrap();
        for (k, v) in &spec.extra {
            obj.insert(k.clone(), v.clone());
        }
        fs::write(
            self.conf_dir().join("master"),
            serde_json::to_string_pretty(&conf).unwrap(),
        )
        .unwrap();
        if !spec.include.is_empty() {
            let dir = self.conf_dir().join("master.d");
            fs::create_dir_all(&dir).unwrap();
            for (name, content) in &spec.include {
                fs::write(dir.join(name), content).unwrap();
            }
        }
    }

    /// A command for `program`, inside the master's namespace if it has one.
    #[allow(clippy::disallowed_methods)] // test harness: starts the real Salt programs
    fn command(&self, program: PathBuf) -> Command {
        match &self.netns {
            Some(ns) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns]).arg(program);
                c
            }
            None => Command::new(program),
        }
    }

    /// Whether the master accepts connections on `port` (from its namespace).
    #[allow(clippy::disallowed_methods)] // test harness: probes the master's port
    fn wait_port(&self, port: u16, limit: Duration) -> bool {
        let Some(ns) = &self.netns else {
            return wait_listening(port, limit);
        };
        let probe = format!("exec 3<>/dev/tcp/{}/{port}", self.host);
        crate::net::wait_until(limit, || {
            Command::new("ip")
                .args(["netns", "exec", ns, "bash", "-c", &probe])
                .stderr(Stdio::null())
                .status()
                .is_ok_and(|s| s.success())
        })
    }

    fn spawn(&mut self) {
        let child = self
            .command(self.venv.join("bin/salt-master"))
            .args(["-c", self.conf_dir().to_str().unwrap(), "-l", "warning"])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("start salt-master");
        self.child = Some(child);
        assert!(
            self.wait_port(self.ret_port, Duration::from_secs(60)),
            "salt-master did not listen on {}",
            self.ret_port
        );
        assert!(
            self.wait_port(self.publish_port, Duration::from_secs(30)),
            "salt-master publish port not up"
        );
    }

    /// Stop the master (SIGTERM, then wait).
    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            terminate(&mut c);
        }
    }

    /// Start it again on the same ports and keys.
    pub fn restart(&mut self) {
        self.restart_after(Duration::from_millis(500));
    }

    /// Stop it, leave it down for `down`, start it again.
    pub fn restart_after(&mut self, down: Duration) {
        self.stop();
        std::thread::sleep(down);
        self.spawn();
    }

    /// Run a master-side CLI (`salt`, `salt-run`, `salt-key`) with `-c conf_dir`.
    #[allow(clippy::disallowed_methods)] // test harness: drives the real Salt CLIs
    pub fn cli(&self, tool: &str, args: &[&str]) -> Output {
        self.command(self.venv.join("bin").join(tool))
            .arg("-c")
            .arg(self.conf_dir())
            .args(args)
            .output()
            .unwrap_or_else(|e| panic!("run {tool}: {e}"))
    }

    /// Start a master-side CLI in the background, its stdout to `out`
    /// (e.g. `salt-run state.event` listening while the test acts).
    #[allow(clippy::disallowed_methods)] // test harness: drives the real Salt CLIs
    pub fn spawn_cli(&self, tool: &str, args: &[&str], out: &Path) -> Child {
        let file = fs::File::create(out).unwrap_or_else(|e| panic!("{}: {e}", out.display()));
        self.command(self.venv.join("bin").join(tool))
            .arg("-c")
            .arg(self.conf_dir())
            .args(args)
            .stdout(file)
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| panic!("run {tool}: {e}"))
    }

    /// `salt <args> --out=json --static`, parsed. Text the CLI prints before the JSON
    /// document (e.g. "No minions matched the target.") is skipped; no JSON at all
    /// gives `Value::Null`.
    pub fn salt_json(&self, args: &[&str]) -> (Value, i32) {
        let mut all: Vec<&str> = args.to_vec();
        all.extend(["--out=json", "--static"]);
        let out = self.cli("salt", &all);
        let text = String::from_utf8_lossy(&out.stdout);
        let json_start = text.find(['{', '[']).unwrap_or(text.len());
        let v = serde_json::from_str(text[json_start..].trim()).unwrap_or(Value::Null);
        (v, out.status.code().unwrap_or(-1))
    }

    /// Accepted minion ids (`salt-key -L`).
    pub fn accepted_keys(&self) -> Vec<String> {
        let out = self.cli("salt-key", &["-L", "--out=json"]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
        v["minions"]
            .as_array()
            .map(|a| {
                a.iter()
                    .filter_map(|x| x.as_str().map(String::from))
                    .collect()
            })
            .unwrap_or_default()
    }
}

impl Drop for Master {
    fn drop(&mut self) {
        self.stop();
    }
}

/// SIGTERM a child and wait up to 15 s, then SIGKILL.
pub fn terminate(child: &mut Child) {
    let pid = child.id() as i32;
    let _ = send_signal(pid, "TERM");
    for _ in 0..150 {
        if let Ok(Some(_)) = child.try_wait() {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    let _ = child.kill();
    let _ = child.wait();
}

#[allow(clippy::disallowed_methods)] // test harness: signal a child process group member
fn send_signal(pid: i32, sig: &str) -> std::io::Result<()> {
    Command::new("kill")
        .args([format!("-{sig}"), pid.to_string()])
        .status()
        .map(|_| ())
}
