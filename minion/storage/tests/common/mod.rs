//! Real LVM on loop devices without device-mapper: a private
//! `LVM_SYSTEM_DIR` whose filter accepts only this rig's loops, every
//! command with `--driverloaded n` (what the kernel here allows), and a
//! context running halite-storage's functions over a recording runner.
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use halite_api::{
    CmdOutput, CmdSpec, CommandRunner, Ctx, Registry, RunError, StateReturn, SystemRunner, Value,
};
use serde_json::json;

/// Runs everything on the host and remembers each command line, except
/// `docker`, which is answered from `docker_version` (not installed when
/// `None`) so the deferred-removal options do not depend on the machine.
#[derive(Default)]
pub struct Recorder {
    pub log: Mutex<Vec<Vec<String>>>,
    pub docker_version: Mutex<Option<String>>,
}

impl CommandRunner for Recorder {
    fn run(&self, spec: &CmdSpec) -> Result<CmdOutput, RunError> {
        self.log.lock().unwrap().push(spec.argv.clone());
        if spec.argv[0] == "docker" {
            return match self.docker_version.lock().unwrap().clone() {
                None => Err(RunError::Spawn {
                    cmd: "docker".into(),
                    source: std::io::Error::from(std::io::ErrorKind::NotFound),
                }),
                Some(v) => Ok(CmdOutput {
                    pid: 0,
                    retcode: 1,
                    stdout: format!("{v}\n").into_bytes(),
                    stderr: b"Cannot connect to the Docker daemon".to_vec(),
                    timed_out: false,
                }),
            };
        }
        SystemRunner.run(spec)
    }
}

impl Recorder {
    /// `lvm` verbs that write metadata (anything but reports and config).
    pub fn lvm_writes(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|a| a[0] == "lvm" && !matches!(a[1].as_str(), "pvs" | "vgs" | "lvs" | "config"))
            .map(|a| a.join(" "))
            .collect()
    }

    /// Commands that are not read-only queries.
    pub fn writes(&self) -> Vec<String> {
        self.log
            .lock()
            .unwrap()
            .iter()
            .filter(|a| !is_query(a))
            .map(|a| a.join(" "))
            .collect()
    }

    pub fn clear(&self) {
        self.log.lock().unwrap().clear();
    }
}

/// Read-only questions: lsblk, `wipefs --json`, docker's version, LVM reports.
fn is_query(a: &[String]) -> bool {
    let verb = a.get(1).map(String::as_str).unwrap_or("");
    match a[0].as_str() {
        "lsblk" | "docker" => true,
        "wipefs" => verb == "--json",
        "lvm" => matches!(verb, "pvs" | "vgs" | "lvs" | "config"),
        _ => false,
    }
}

/// Loop devices and a private LVM configuration; torn down on drop.
pub struct Rig {
    pub dir: tempfile::TempDir,
    pub loops: Vec<String>,
    pub recorder: Arc<Recorder>,
}

fn sh(argv: &[&str]) -> CmdOutput {
    let out = SystemRunner
        .run(&CmdSpec::argv(argv.iter().copied()))
        .unwrap();
    assert_eq!(
        out.retcode,
        0,
        "{argv:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

impl Rig {
    /// `count` sparse disks of `size_mib` each, attached with partition scanning.
    pub fn new(count: usize, size_mib: u64) -> Rig {
        let dir = tempfile::tempdir().unwrap();
        let mut loops = Vec::new();
        for i in 0..count {
            let img = dir.path().join(format!("d{i}.img"));
            std::fs::File::create(&img)
                .unwrap()
                .set_len(size_mib << 20)
                .unwrap();
            let out = sh(&["losetup", "-f", "--show", "-P", img.to_str().unwrap()]);
            loops.push(String::from_utf8_lossy(&out.stdout).trim().to_string());
        }
        let rig = Rig {
            dir,
            loops,
            recorder: Arc::new(Recorder::default()),
        };
        rig.write_lvm_conf();
        rig
    }

    fn write_lvm_conf(&self) {
        let etc = self.etc();
        std::fs::create_dir_all(etc.join("profile")).unwrap();
        std::fs::create_dir_all(self.dir.path().join("lock")).unwrap();
        let accept: Vec<String> = self
            .loops
            .iter()
            .flat_map(|l| [format!("\"a|^{l}$|\""), format!("\"a|^{l}p1$|\"")])
            .collect();
        let conf = format!(
            "devices {{\n  filter = [ {}, \"r|.*|\" ]\n  obtain_device_list_from_udev = 0\n  external_device_info_source = \"none\"\n  use_devicesfile = 0\n}}\n\
             activation {{ udev_sync = 0  udev_rules = 0  monitoring = 0 }}\n\
             global {{ locking_dir = \"{}\" }}\nbackup {{ backup = 0  archive = 0 }}\n",
            accept.join(", "),
            self.dir.path().join("lock").display()
        );
        std::fs::write(etc.join("lvm.conf"), conf).unwrap();
    }

    pub fn etc(&self) -> PathBuf {
        self.dir.path().join("etc")
    }

    pub fn path(&self, name: &str) -> String {
        self.dir.path().join(name).to_string_lossy().into_owned()
    }

    /// `lvm VERB ARGS` in this rig (asserting success), stdout.
    pub fn lvm(&self, verb: &str, args: &[&str]) -> String {
        let mut argv = vec!["lvm", verb];
        argv.extend_from_slice(args);
        argv.extend(["--driverloaded", "n"]);
        let mut spec = CmdSpec::argv(argv.iter().copied());
        spec.env.insert(
            "LVM_SYSTEM_DIR".into(),
            self.etc().to_string_lossy().into_owned(),
        );
        spec.env
            .insert("LVM_SUPPRESS_FD_WARNINGS".into(), "1".into());
        let out = SystemRunner.run(&spec).unwrap();
        assert_eq!(
            out.retcode,
            0,
            "lvm {verb} {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout).into_owned()
    }

    /// One field of `lvs` for `vg/lv` (empty when the LV is missing).
    pub fn lv_field(&self, vg: &str, lv: &str, field: &str) -> String {
        let out = self.lvm(
            "lvs",
            &[
                "--reportformat",
                "json",
                "-o",
                &format!("lv_name,{field}"),
                vg,
            ],
        );
        let doc: Value = serde_json::from_str(&out).unwrap();
        doc["report"][0]["lv"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["lv_name"] == lv)
            .map(|r| r[field].as_str().unwrap().trim().to_string())
            .unwrap_or_default()
    }

    /// A VG of all loops (partitioned as c-s-s does).
    pub fn vg(&self, vg: &str) -> Vec<String> {
        let mut parts = Vec::new();
        for l in &self.loops {
            sh(&[
                "parted", l, "--script", "mklabel", "msdos", "mkpart", "primary", "0%", "100%",
                "set", "1", "lvm", "on",
            ]);
            let p = format!("{l}p1");
            wait_block(&p);
            self.lvm("pvcreate", &["-y", &p]);
            parts.push(p);
        }
        let mut args = vec![vg];
        args.extend(parts.iter().map(String::as_str));
        self.lvm("vgcreate", &args);
        parts
    }

    /// A VG on whole devices.
    pub fn vg_on(&self, devices: &[&str], vg: &str) {
        let mut args = vec!["-y"];
        args.extend_from_slice(devices);
        self.lvm("pvcreate", &args);
        let mut args = vec![vg];
        args.extend_from_slice(devices);
        self.lvm("vgcreate", &args);
    }

    /// A thin pool in LVM metadata only (the dm thin target is not in this
    /// kernel, so lvcreate cannot make one): two linear LVs become the pool's
    /// hidden data and metadata LVs, and a thin-pool LV is written over them
    /// with `vgcfgrestore --force`.
    pub fn metadata_only_pool(&self, vg: &str, pool: &str) {
        for (suffix, size) in [("D", "400M"), ("M", "8M")] {
            let name = format!("{pool}{suffix}");
            self.lvm(
                "lvcreate",
                &["-an", "-Zn", "-y", "-L", size, "-n", &name, vg],
            );
        }
        let file = self.path("vg.txt");
        self.lvm("vgcfgbackup", &["-f", &file, vg]);
        let text = std::fs::read_to_string(&file).unwrap();
        std::fs::write(&file, thin_pool_metadata(&text, pool)).unwrap();
        self.lvm("vgcfgrestore", &["--force", "-f", &file, vg]);
    }
}

/// Rename `<pool>D`/`<pool>M` to `<pool>_tdata`/`<pool>_tmeta`, hide them,
/// and add the thin-pool LV using them.
fn thin_pool_metadata(text: &str, pool: &str) -> String {
    let mut out = String::new();
    let mut extents = 0u64;
    let mut in_sub = false;
    for line in text.lines() {
        let t = line.trim();
        if t == format!("{pool}D {{") || t == format!("{pool}M {{") {
            let suffix = if t.starts_with(&format!("{pool}D")) {
                "_tdata"
            } else {
                "_tmeta"
            };
            out.push_str(&format!("\t\t{pool}{suffix} {{\n"));
            in_sub = suffix == "_tdata";
            continue;
        }
        if in_sub {
            if let Some(n) = t.strip_prefix("extent_count = ") {
                extents = n.split_whitespace().next().unwrap().parse().unwrap();
                in_sub = false;
            }
        }
        out.push_str(line);
        out.push('\n');
    }
    for sub in ["_tdata", "_tmeta"] {
        let head = format!("\t\t{pool}{sub} {{\n");
        let i = out.find(&head).unwrap();
        let j = i + out[i..]
            .find("status = [\"READ\", \"WRITE\", \"VISIBLE\"]")
            .unwrap();
        out.replace_range(
            j..j + "status = [\"READ\", \"WRITE\", \"VISIBLE\"]".len(),
            "status = [\"READ\", \"WRITE\"]",
        );
    }
    let lv = format!(
        "\t\t{pool} {{\n\t\t\tid = \"aaaaaa-bbbb-cccc-dddd-eeee-ffff-gggggg\"\n\t\t\tstatus = [\"READ\", \"WRITE\", \"VISIBLE\"]\n\t\t\tflags = []\n\
         \t\t\tcreation_time = 1700000000\n\t\t\tcreation_host = \"test\"\n\t\t\tsegment_count = 1\n\n\t\t\tsegment1 {{\n\
         \t\t\t\tstart_extent = 0\n\t\t\t\textent_count = {extents}\n\n\t\t\t\ttype = \"thin-pool\"\n\t\t\t\tmetadata = \"{pool}_tmeta\"\n\
         \t\t\t\tpool = \"{pool}_tdata\"\n\t\t\t\ttransaction_id = 0\n\t\t\t\tchunk_size = 1024\n\t\t\t\tdiscards = \"passdown\"\n\
         \t\t\t\tzero_new_blocks = 0\n\t\t\t}}\n\t\t}}\n"
    );
    let k = out.find("\tlogical_volumes {\n").unwrap() + "\tlogical_volumes {\n".len();
    out.insert_str(k, &lv);
    out
}

/// Exit code of a host command.
pub fn rc(argv: &[&str]) -> i32 {
    SystemRunner
        .run(&CmdSpec::argv(argv.iter().copied()))
        .unwrap()
        .retcode
}

pub fn wait_block(path: &str) {
    for _ in 0..50 {
        if halite_storage::disk::is_block_device(path) {
            return;
        }
        std::thread::sleep(std::time::Duration::from_millis(100));
    }
    panic!("{path} did not appear");
}

impl Drop for Rig {
    fn drop(&mut self) {
        let mut spec = CmdSpec::argv([
            "lvm",
            "vgs",
            "--noheadings",
            "-o",
            "vg_name",
            "--driverloaded",
            "n",
        ]);
        spec.env.insert(
            "LVM_SYSTEM_DIR".into(),
            self.etc().to_string_lossy().into_owned(),
        );
        if let Ok(out) = SystemRunner.run(&spec) {
            for vg in String::from_utf8_lossy(&out.stdout).split_whitespace() {
                let mut rm =
                    CmdSpec::argv(["lvm", "vgremove", "-y", "-f", vg, "--driverloaded", "n"]);
                rm.env = spec.env.clone();
                let _ = SystemRunner.run(&rm);
            }
        }
        for l in &self.loops {
            let _ = SystemRunner.run(&CmdSpec::argv(["losetup", "-d", l.as_str()]));
        }
    }
}

impl Rig {
    /// A minion context: this crate's functions, LVM pointed at the rig.
    pub fn ctx(&self) -> Ctx {
        let mut reg = Registry::new();
        halite_storage::register(&mut reg);
        let opts = json!({"id": "node1", "lvm_system_dir": self.etc(), "lvm_driverloaded": false});
        Ctx {
            opts: Arc::new(opts.as_object().unwrap().clone()),
            grains: Arc::new(json!({})),
            pillar: Arc::new(json!({})),
            saltenv: "base".into(),
            test: false,
            runner: self.recorder.clone(),
            files: Arc::new(halite_api::NoFiles),
            templates: Arc::new(halite_api::VerbatimTemplates),
            registry: Arc::new(reg),
            context: Default::default(),
            master: None,
            net: std::sync::Arc::new(halite_api::NoNetwork),
        }
    }

    /// Arguments that keep the job inside the rig's directory.
    pub fn job_args(&self, extra: Value) -> Value {
        let mut a = json!({
            "name": "container-storage",
            "config_file": self.path("docker-storage-setup"),
            "output_file": self.path("docker-storage"),
            "docker_root_dir": self.path("docker"),
            "fstab": self.path("fstab"),
            "device_wait_timeout": 5,
        });
        a.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        a
    }

    /// Run a state function; `args` includes `name`.
    pub fn state(&self, fun: &str, args: Value, test: bool) -> StateReturn {
        let ctx = self.ctx();
        let spec = *ctx.registry.state(fun).unwrap();
        let mut args = args.as_object().unwrap().clone();
        let name = args
            .remove("name")
            .and_then(|v| v.as_str().map(str::to_string))
            .unwrap();
        let call = halite_api::StateCall {
            ctx: &ctx,
            name,
            args,
            test,
        };
        (spec.run)(&call)
    }

    /// Run an execution function with keyword arguments.
    pub fn exec(&self, fun: &str, kwargs: Value) -> Result<Value, String> {
        let ctx = self.ctx();
        ctx.call(fun, vec![], kwargs.as_object().unwrap().clone())
            .map(|o| o.ret)
            .map_err(|e| e.to_string())
    }
}

pub fn lines(ret: &StateReturn, key: &str) -> Vec<String> {
    ret.changes
        .get(key)
        .and_then(Value::as_array)
        .map(|a| a.iter().map(|v| v.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

pub fn exists(p: &str) -> bool {
    Path::new(p).exists()
}
