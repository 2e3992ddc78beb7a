//! Minions under test: Halite's (`halite minion`) and, for differential tests,
//! the Python `salt-minion` from the same venv as the master.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};

use serde_json::{json, Value};

use crate::salt::{terminate, Master};

/// Which implementation to start.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Flavor {
    Halite,
    Python,
}

/// A running minion; killed on drop.
pub struct Minion {
    pub id: String,
    pub flavor: Flavor,
    pub dir: tempfile::TempDir,
    /// Extra environment of the minion process (e.g. a PATH with fakes first).
    pub env: Vec<(String, String)>,
    /// The network namespace the minion runs in, if any.
    pub netns: Option<String>,
    /// A hosts file the minion sees as /etc/hosts (its own mount namespace).
    pub hosts_file: Option<PathBuf>,
    child: Option<Child>,
}

impl Minion {
    pub fn conf_dir(&self) -> PathBuf {
        self.dir.path().join("etc")
    }
    pub fn root_dir(&self) -> PathBuf {
        self.dir.path().join("root")
    }
    /// Inside root_dir: Salt prefixes paths outside it with root_dir.
    pub fn log_file(&self) -> PathBuf {
        self.root_dir().join("minion.log")
    }

    /// Write a minion config pointing at `master` (plus `extra` keys) and start it.
    pub fn start(master: &Master, id: &str, flavor: Flavor, extra: Value) -> Minion {
        Self::start_with_env(master, id, flavor, extra, Vec::new())
    }

    /// Like [`Minion::start`], with extra environment variables.
    pub fn start_with_env(
        master: &Master,
        id: &str,
        flavor: Flavor,
        extra: Value,
        env: Vec<(String, String)>,
    ) -> Minion {
        let mut m = Minion::unstarted(id, flavor);
        m.env = env;
        m.write_config(master, extra);
        m.spawn(&master.venv);
        m
    }

    /// Like [`Minion::start`], resolving names through `hosts` (bound over
    /// /etc/hosts in a mount namespace of the minion's own, so a test can
    /// make a master's name appear without touching the machine's file).
    pub fn start_with_hosts(
        master: &Master,
        id: &str,
        flavor: Flavor,
        extra: Value,
        hosts: &Path,
    ) -> Minion {
        let mut m = Minion::unstarted(id, flavor);
        m.hosts_file = Some(hosts.to_path_buf());
        m.write_config(master, extra);
        m.spawn(&master.venv);
        m
    }

    /// A Halite minion inside network namespace `netns`, reaching `master`
    /// at its address there.
    pub fn start_in_netns(master: &Master, id: &str, extra: Value, netns: &str) -> Minion {
        let mut m = Minion::unstarted(id, Flavor::Halite);
        m.netns = Some(netns.to_string());
        let mut extra = extra;
        if let Value::Object(o) = &mut extra {
            o.entry("master").or_insert(json!(master.host));
        }
        m.write_config(master, extra);
        m.spawn(&master.venv);
        m
    }

    /// A minion in a fresh directory, not configured or started yet.
    fn unstarted(id: &str, flavor: Flavor) -> Minion {
        let dir = tempfile::Builder::new()
            .prefix("halite-minion-")
            .tempdir()
            .expect("tempdir");
        Minion {
            id: id.to_string(),
            flavor,
            dir,
            env: Vec::new(),
            netns: None,
            hosts_file: None,
            child: None,
        }
    }

    fn write_config(&self, master: &Master, extra: Value) {
        fs::create_dir_all(self.conf_dir()).unwrap();
        let mut conf = json!({
            "id": self.id,
            "master": "127.0.0.1",
            "master_port": master.ret_port,
            "publish_port": master.publish_port,
            "root_dir": self.root_dir(),
            "log_file": self.log_file(),
            "log_level_logfile": "debug",
            "acceptance_wait_time": 1,
            "random_reauth_delay": 0,
        });
        // `extra` keys override the defaults; a null value removes the key.
        if let (Some(obj), Value::Object(more)) = (conf.as_object_mut(), extra) {
            for (k, v) in more {
                if v.is_null() {
                    obj.remove(&k);
                } else {
                    obj.insert(k, v);
                }
            }
        }
        fs::write(
            self.conf_dir().join("minion"),
            serde_json::to_string_pretty(&conf).unwrap(),
        )
        .unwrap();
    }

    #[allow(clippy::disallowed_methods)] // test harness: starts the minion under test
    fn spawn(&mut self, venv: &Path) {
        let conf = self.conf_dir();
        let program = match self.flavor {
            Flavor::Halite => crate::halite_bin(),
            Flavor::Python => venv.join("bin/salt-minion"),
        };
        let mut cmd = match (&self.netns, &self.hosts_file) {
            (Some(ns), _) => {
                let mut c = Command::new("ip");
                c.args(["netns", "exec", ns]).arg(program);
                c
            }
            (None, Some(hosts)) => {
                let mut c = Command::new("unshare");
                c.args(["--mount", "--propagation", "private", "sh", "-c"])
                    .arg(r#"mount --bind "$0" /etc/hosts && exec "$@""#)
                    .arg(hosts)
                    .arg(program);
                c
            }
            (None, None) => Command::new(program),
        };
        if self.flavor == Flavor::Halite {
            cmd.arg("minion");
        }
        cmd.envs(self.env.iter().cloned());
        cmd.arg("-c")
            .arg(&conf)
            .args(["-l", "quiet"])
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        self.child = Some(cmd.spawn().expect("start minion"));
    }

    /// Stop and start again with the same config and keys.
    pub fn restart(&mut self, venv: &Path) {
        self.stop();
        self.spawn(venv);
    }

    pub fn stop(&mut self) {
        if let Some(mut c) = self.child.take() {
            terminate(&mut c);
        }
    }

    /// Is the process still alive?
    pub fn is_running(&mut self) -> bool {
        self.child
            .as_mut()
            .is_some_and(|c| matches!(c.try_wait(), Ok(None)))
    }

    /// The process id.
    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// The minion's log so far (for assertions and failure messages).
    pub fn log(&self) -> String {
        fs::read_to_string(self.log_file()).unwrap_or_default()
    }
}

/// Wait (up to 60 s) until `minion` answers `test.ping` through `master`.
pub fn wait_answering(master: &Master, minion: &Minion) {
    let up = crate::net::wait_until(std::time::Duration::from_secs(60), || {
        master
            .salt_json(&[&minion.id, "test.ping", "--timeout", "5"])
            .0
            .get(&minion.id)
            == Some(&json!(true))
    });
    assert!(
        up,
        "minion {} never answered; log:\n{}",
        minion.id,
        minion.log()
    );
}

impl Drop for Minion {
    fn drop(&mut self) {
        self.stop();
    }
}
