//! Salt's `lvm.*` states, side by side: the real `salt-call --local` and
//! `halite call --local` apply the same SLS files to identical, separate
//! loop-device rigs (real LVM metadata; `global/activation = 0` because this
//! kernel has no device-mapper), and the normalised results must be equal.
//! Accepted difference: where Salt's `changes` hold a `vgdisplay`/`lvdisplay`
//! dump, only its `Output from …` line is compared (docs/storage.md).

use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use halite_tests::require_salt;
use halite_tests::salt::PINNED_SALT;
use serde_json::{json, Value};

/// One loop device, a private LVM configuration and a minion config dir.
struct Rig {
    dir: tempfile::TempDir,
    dev: String,
}

#[allow(clippy::disallowed_methods)] // test harness: host setup
fn host(argv: &[&str]) -> String {
    let out = Command::new(argv[0]).args(&argv[1..]).output().unwrap();
    assert!(
        out.status.success(),
        "{argv:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).trim().to_string()
}

impl Rig {
    fn new(file_root: &Path) -> Rig {
        let dir = tempfile::Builder::new()
            .prefix("halite-lvm-")
            .tempdir()
            .unwrap();
        let img = dir.path().join("disk.img");
        fs::File::create(&img).unwrap().set_len(512 << 20).unwrap();
        let dev = host(&["losetup", "-f", "--show", img.to_str().unwrap()]);
        let etc = dir.path().join("lvm");
        fs::create_dir_all(etc.join("profile")).unwrap();
        fs::create_dir_all(dir.path().join("lock")).unwrap();
        fs::write(
            etc.join("lvm.conf"),
            format!(
                "devices {{ filter = [ \"a|^{dev}$|\", \"r|.*|\" ] obtain_device_list_from_udev = 0 \
                 external_device_info_source = \"none\" use_devicesfile = 0 }}\n\
                 activation {{ udev_sync = 0 udev_rules = 0 monitoring = 0 }}\n\
                 global {{ locking_dir = \"{}\" activation = 0 }}\nbackup {{ backup = 0 archive = 0 }}\n",
                dir.path().join("lock").display()
            ),
        )
        .unwrap();
        let minion = json!({
            "id": "lvm-node",
            "file_client": "local",
            "root_dir": dir.path().join("root"),
            "file_roots": {"base": [file_root]},
            "log_file": dir.path().join("minion.log"),
        });
        fs::create_dir_all(dir.path().join("etc")).unwrap();
        fs::create_dir_all(dir.path().join("root/etc/salt/pki/minion")).unwrap();
        fs::write(dir.path().join("etc/minion"), minion.to_string()).unwrap();
        Rig { dir, dev }
    }

    fn etc(&self) -> PathBuf {
        self.dir.path().join("etc")
    }

    /// `state.apply SLS pillar={"dev": DEV}` with `program` (salt-call or halite call).
    #[allow(clippy::disallowed_methods)] // test harness: runs both CLIs
    fn apply(&self, program: &[PathBuf], sls: &str, test: bool) -> Value {
        let pillar = json!({"dev": self.dev}).to_string();
        let mut cmd = Command::new(&program[0]);
        cmd.args(&program[1..])
            .arg("-c")
            .arg(self.etc())
            .args(["--local", "--out=json", "state.apply", sls])
            .arg(format!("pillar={pillar}"))
            .env("LVM_SYSTEM_DIR", self.dir.path().join("lvm"))
            .env("LVM_SUPPRESS_FD_WARNINGS", "1");
        if test {
            cmd.arg("test=True");
        }
        let out: Output = cmd.output().unwrap();
        let text = String::from_utf8_lossy(&out.stdout);
        let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| {
            panic!(
                "{program:?} {sls}: not JSON ({e}):\n{text}\n{}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        normalised(&doc["local"], &self.dev)
    }
}

impl Drop for Rig {
    #[allow(clippy::disallowed_methods)] // test harness: host teardown
    fn drop(&mut self) {
        let _ = Command::new("losetup").args(["-d", &self.dev]).output();
    }
}

/// Results by state id without times, order numbers and the device name;
/// `changes` dumps reduced to their `Output from …` line.
fn normalised(ret: &Value, dev: &str) -> Value {
    let mut out = serde_json::Map::new();
    for (key, state) in ret.as_object().expect("state results") {
        let id = key.split("_|-").nth(1).unwrap_or(key).to_string();
        let mut s = state.as_object().unwrap().clone();
        for k in [
            "start_time",
            "duration",
            "__run_num__",
            "__sls__",
            "__id__",
            "name",
        ] {
            s.remove(k);
        }
        if let Some(Value::Object(changes)) = s.get_mut("changes") {
            for v in changes.values_mut() {
                if let Value::Object(dump) = v {
                    let kept: serde_json::Map<String, Value> = dump
                        .iter()
                        .filter(|(k, _)| k.starts_with("Output from"))
                        .map(|(k, v)| (k.clone(), v.clone()))
                        .collect();
                    *v = Value::Object(kept);
                }
            }
        }
        let text = serde_json::to_string(&Value::Object(s))
            .unwrap()
            .replace(dev, "DEV");
        out.insert(id, serde_json::from_str(&text).unwrap());
    }
    Value::Object(out)
}

const PRESENT: &str = "\
pv:
  lvm.pv_present:
    - name: {{ pillar['dev'] }}
vg:
  lvm.vg_present:
    - name: vg1
    - devices: {{ pillar['dev'] }}
lv:
  lvm.lv_present:
    - name: data
    - vgname: vg1
    - size: 100M
smaller:
  lvm.lv_present:
    - name: data
    - vgname: vg1
    - size: 52M
grow:
  lvm.lv_present:
    - name: data
    - vgname: vg1
    - extents: 30
both:
  lvm.lv_present:
    - name: other
    - vgname: vg1
    - size: 10M
    - extents: 3
";

const ABSENT: &str = "\
lv:
  lvm.lv_absent:
    - name: data
    - vgname: vg1
vg:
  lvm.vg_absent:
    - name: vg1
pv:
  lvm.pv_absent:
    - name: {{ pillar['dev'] }}
";

#[test]
fn lvm_states_match_salt_call_on_real_lvm() {
    let venv = require_salt!(PINNED_SALT);
    let root = tempfile::tempdir().unwrap();
    fs::write(root.path().join("present.sls"), PRESENT).unwrap();
    fs::write(root.path().join("absent.sls"), ABSENT).unwrap();
    let salt = Rig::new(root.path());
    let halite = Rig::new(root.path());
    let salt_call = vec![venv.join("bin/salt-call")];
    let halite_call = vec![halite_tests::halite_bin(), PathBuf::from("call")];
    // test=True on empty disks, then apply, apply again (converged),
    // remove, remove again
    for (sls, test) in [
        ("present", true),
        ("present", false),
        ("present", false),
        ("absent", true),
        ("absent", false),
        ("absent", false),
    ] {
        let want = salt.apply(&salt_call, sls, test);
        let got = halite.apply(&halite_call, sls, test);
        assert_eq!(
            got, want,
            "{sls} test={test}: halite differs from salt-call"
        );
    }
}
