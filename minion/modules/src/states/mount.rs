//! `mount.mounted`: mount a device (through `mount` via the runner) and keep
//! its fstab entry.

use std::path::Path;

use halite_api::{CmdSpec, StateCall, StateReturn, StateSpec, Value};

use super::{ret, str_list};
use crate::util::atomic;

pub const SPECS: &[StateSpec] = &[StateSpec {
    name: "mount.mounted",
    run: mounted,
    mod_watch: None,
}];

fn mounted(call: &StateCall<'_>) -> StateReturn {
    mounted_impl(call, Path::new("/proc/self/mounts"))
}

fn unescape(s: &str) -> String {
    s.replace("\\040", " ")
        .replace("\\011", "\t")
        .replace("\\134", "\\")
}

/// The device mounted at `name`, from a mounts table.
fn active_device(mounts: &Path, name: &str) -> Option<String> {
    let text = std::fs::read_to_string(mounts).ok()?;
    text.lines().rev().find_map(|l| {
        let f: Vec<&str> = l.split_whitespace().collect();
        (f.len() >= 2 && unescape(f[1]) == name).then(|| unescape(f[0]))
    })
}

/// Add or update the fstab line; returns "new", "update" or "present".
fn persist(config: &Path, entry: &[String; 6], test: bool) -> std::io::Result<&'static str> {
    let text = std::fs::read_to_string(config).unwrap_or_default();
    let line = entry.join("\t\t");
    let mut status = "new";
    let mut lines: Vec<String> = Vec::new();
    for l in text.lines() {
        let f: Vec<&str> = l.split_whitespace().collect();
        if !l.trim_start().starts_with('#') && f.len() >= 2 && f[1] == entry[1] {
            let same = f.len() >= 6 && f.iter().zip(entry.iter()).all(|(a, b)| a == b);
            status = if same { "present" } else { "update" };
            lines.push(if same { l.to_string() } else { line.clone() });
        } else {
            lines.push(l.to_string());
        }
    }
    if status == "new" {
        lines.push(line);
    }
    if status != "present" && !test {
        atomic::write_atomic(config, format!("{}\n", lines.join("\n")).as_bytes(), 0o644)?;
    }
    Ok(status)
}

pub fn mounted_impl(call: &StateCall<'_>, mounts: &Path) -> StateReturn {
    let name = call.name.trim_end_matches('/').to_string();
    let name = if name.is_empty() {
        "/".to_string()
    } else {
        name
    };
    let Some(device) = call.get_str("device") else {
        return ret(call, Some(false), "Missing required argument: device");
    };
    let fstype = call.get_str("fstype").unwrap_or_else(|| "auto".into());
    let opts = {
        let o = str_list(call.get("opts"));
        if o.is_empty() {
            vec!["defaults".to_string()]
        } else {
            o
        }
    };
    let mut r = ret(call, Some(true), "");
    let current = active_device(mounts, &name);
    if let Some(dev) = &current {
        r.comment = "Target was already mounted".into();
        if *dev != device && !call.test {
            r.comment.push_str(&format!(" (device {dev})"));
        }
    } else if call.test {
        let exists = Path::new(&name).is_dir();
        r.result = None;
        r.comment = if exists {
            format!("{name} would be mounted")
        } else if call.get_bool("mkmnt", false) {
            format!("{name} would be created and mounted")
        } else {
            return ret(
                call,
                Some(false),
                format!("{name} does not exist and would not be created"),
            );
        };
    } else {
        if !Path::new(&name).is_dir() {
            if !call.get_bool("mkmnt", false) {
                return ret(call, Some(false), "Mount directory is not present");
            }
            if let Err(e) = std::fs::create_dir_all(&name) {
                return ret(call, Some(false), format!("Unable to create {name}: {e}"));
            }
        }
        let argv = vec![
            "mount".to_string(),
            "-t".into(),
            fstype.clone(),
            "-o".into(),
            opts.join(","),
            device.clone(),
            name.clone(),
        ];
        match call.ctx.runner.run(&CmdSpec::argv(argv)) {
            Ok(o) if o.retcode == 0 => {
                r.changes.insert("mount".into(), Value::Bool(true));
                r.comment = "Target was successfully mounted".into();
            }
            Ok(o) => {
                return ret(
                    call,
                    Some(false),
                    format!("{}{}", o.stdout_text(), o.stderr_text()),
                )
            }
            Err(e) => return ret(call, Some(false), e.to_string()),
        }
    }
    if call.get_bool("persist", true) {
        let config = call
            .get_str("config")
            .unwrap_or_else(|| "/etc/fstab".into());
        let entry = [
            device,
            name.clone(),
            fstype,
            opts.join(","),
            call.get_str("dump").unwrap_or_else(|| "0".into()),
            call.get_str("pass_num").unwrap_or_else(|| "0".into()),
        ];
        match persist(Path::new(&config), &entry, call.test) {
            Ok("new") => {
                r.changes.insert("persist".into(), "new".into());
                r.comment.push_str(". Added new entry to the fstab.");
            }
            Ok("update") => {
                r.changes.insert("persist".into(), "update".into());
                r.comment.push_str(". Updated the entry in the fstab.");
            }
            Ok(_) => r.comment.push_str(". Entry already exists in the fstab."),
            Err(e) => {
                r.result = Some(false);
                r.comment
                    .push_str(&format!(". Unable to write {config}: {e}"));
            }
        }
        if call.test && r.result == Some(true) && r.changes.contains_key("persist") {
            r.result = None;
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{changes, ctx_with, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn mount_paths() {
        let d = TempDir::new("mount");
        let fake = FakeRunner::new();
        let ctx = ctx_with(fake.clone(), &d.0);
        let mounts = d.path("mounts");
        let mnt = d.s("mnt");
        std::fs::write(&mounts, "").unwrap();
        let fstab = d.s("fstab");
        let args = json!({"name": mnt, "device": "/dev/sdb1", "fstype": "ext4", "config": fstab})
            .as_object()
            .unwrap()
            .clone();
        let mk = |test| StateCall {
            ctx: &ctx,
            name: mnt.clone(),
            args: args.clone(),
            test,
        };
        let r = mounted_impl(&mk(true), &mounts);
        assert_eq!(
            (r.result, r.comment.clone()),
            (
                Some(false),
                format!("{mnt} does not exist and would not be created")
            )
        );
        let r = mounted_impl(&mk(false), &mounts);
        assert_eq!(r.comment, "Mount directory is not present");
        std::fs::create_dir(&mnt).unwrap();
        let r = mounted_impl(&mk(false), &mounts);
        assert_eq!(
            r.comment,
            "Target was successfully mounted. Added new entry to the fstab."
        );
        assert_eq!(changes(&r), json!({"mount": true, "persist": "new"}));
        assert!(fake.commands()[0].starts_with("mount -t ext4 -o defaults /dev/sdb1"));
        std::fs::write(&mounts, format!("/dev/sdb1 {mnt} ext4 rw 0 0\n")).unwrap();
        let r = mounted_impl(&mk(false), &mounts);
        assert_eq!(
            (r.comment.as_str(), changes(&r)),
            (
                "Target was already mounted. Entry already exists in the fstab.",
                json!({})
            )
        );
    }
}
