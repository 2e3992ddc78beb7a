//! The block-device seam: what c-s-s asks `lsblk`, `wipefs`, `readlink` and
//! `/proc/mounts`, asked through the one runner with JSON output
//! (`lsblk --json`, `wipefs --json`) or read from files.

use std::os::unix::fs::FileTypeExt;
use std::path::Path;

use halite_api::{CmdSpec, CommandRunner};
use serde_json::Value;

/// Why a device question had no answer.
#[derive(Debug, thiserror::Error)]
pub enum DiskError {
    #[error("`{cmd}` could not run: {why}")]
    Run { cmd: String, why: String },
    #[error("`{cmd}` failed: {message}")]
    Failed { cmd: String, message: String },
    #[error("`{cmd}` printed something that is not its JSON: {why}")]
    BadJson { cmd: String, why: String },
}

/// A signature `wipefs` found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Signature {
    pub offset: String,
    pub kind: String,
}

/// What is known about one DEVS entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Disk {
    /// As written in DEVS.
    pub given: String,
    /// Canonical `/dev/…` path (symlinks followed, bare names prefixed).
    pub path: String,
    pub is_block: bool,
    /// A partition (lsblk type `part`, or a loop partition with a parent).
    pub is_partition: bool,
    /// First child (partition) node, as c-s-s's `dev_query_first_child`.
    pub first_child: Option<String>,
    pub signatures: Vec<Signature>,
    pub size: u64,
}

/// Block-device questions over one runner.
pub struct Disks<'a> {
    runner: &'a dyn CommandRunner,
}

impl<'a> Disks<'a> {
    pub fn new(runner: &'a dyn CommandRunner) -> Disks<'a> {
        Disks { runner }
    }

    fn json(&self, argv: &[&str]) -> Result<Value, DiskError> {
        let cmd = argv.join(" ");
        let out = self
            .runner
            .run(&CmdSpec::argv(argv.iter().copied()))
            .map_err(|e| DiskError::Run {
                cmd: cmd.clone(),
                why: e.to_string(),
            })?;
        if out.retcode != 0 {
            return Err(DiskError::Failed {
                cmd,
                message: String::from_utf8_lossy(&out.stderr).trim().to_string(),
            });
        }
        let text = String::from_utf8_lossy(&out.stdout);
        if text.trim().is_empty() {
            return Ok(Value::Null);
        }
        serde_json::from_str(&text).map_err(|e| DiskError::BadJson {
            cmd,
            why: e.to_string(),
        })
    }

    /// Everything c-s-s checks about a DEVS entry.
    pub fn inspect(&self, given: &str) -> Result<Disk, DiskError> {
        let path = canonical(given);
        let is_block = is_block_device(&path);
        let mut disk = Disk {
            given: given.to_string(),
            path: path.clone(),
            is_block,
            is_partition: false,
            first_child: None,
            signatures: Vec::new(),
            size: 0,
        };
        if !is_block {
            return Ok(disk);
        }
        let tree = self.json(&["lsblk", "--json", "-b", "-p", "-o", "NAME,TYPE,SIZE", &path])?;
        let dev = &tree["blockdevices"][0];
        disk.size = as_u64(&dev["size"]);
        disk.first_child = dev["children"][0]["name"].as_str().map(str::to_string);
        let parents = self.json(&["lsblk", "--json", "-p", "-s", "-o", "NAME,TYPE", &path])?;
        let pdev = &parents["blockdevices"][0];
        disk.is_partition =
            dev["type"] == "part" || pdev["children"].as_array().is_some_and(|c| !c.is_empty());
        disk.signatures = self.signatures(&path)?;
        Ok(disk)
    }

    /// `wipefs --json DEV` (lists only; `-a` is never run here).
    pub fn signatures(&self, path: &str) -> Result<Vec<Signature>, DiskError> {
        let doc = self.json(&["wipefs", "--json", path])?;
        Ok(doc["signatures"]
            .as_array()
            .map(|sigs| {
                sigs.iter()
                    .map(|s| Signature {
                        offset: s["offset"].as_str().unwrap_or("").to_string(),
                        kind: s["type"].as_str().unwrap_or("").to_string(),
                    })
                    .collect()
            })
            .unwrap_or_default())
    }

    /// The first partition node lsblk lists under `disk`, right now.
    pub fn first_child(&self, disk: &str) -> Result<Option<String>, DiskError> {
        let tree = self.json(&["lsblk", "--json", "-p", "-o", "NAME", disk])?;
        Ok(tree["blockdevices"][0]["children"][0]["name"]
            .as_str()
            .map(str::to_string))
    }
}

fn as_u64(v: &Value) -> u64 {
    v.as_u64()
        .or_else(|| v.as_str().and_then(|s| s.parse().ok()))
        .unwrap_or(0)
}

/// c-s-s's compat canonicalisation: follow a symlink, accept a bare `sdb`.
pub fn canonical(given: &str) -> String {
    let path = if !given.starts_with('/') && !is_block_device(given) {
        format!("/dev/{given}")
    } else {
        given.to_string()
    };
    // symlinks (by-id, by-path, a bare name that is one) resolve to the disk
    if Path::new(&path).is_symlink() {
        if let Ok(target) = std::fs::canonicalize(&path) {
            return target.to_string_lossy().into_owned();
        }
    }
    path
}

pub fn is_block_device(path: &str) -> bool {
    std::fs::metadata(path).is_ok_and(|m| m.file_type().is_block_device())
}

/// The partition node the kernel creates first on `disk`: `p1` after a
/// trailing digit (`/dev/loop3p1`, `/dev/nvme0n1p1`), else `1`.
pub fn predicted_first_partition(disk: &str) -> String {
    if disk.ends_with(|c: char| c.is_ascii_digit()) {
        format!("{disk}p1")
    } else {
        format!("{disk}1")
    }
}

/// The device mounted on `/` (c-s-s: first field of the `/` line of
/// /proc/mounts that is not `rootfs`).
pub fn root_device(mounts: &str) -> Option<String> {
    mounts.lines().find_map(|l| {
        let mut f = l.split_whitespace();
        let (dev, mnt) = (f.next()?, f.next()?);
        (mnt == "/" && dev != "rootfs").then(|| dev.to_string())
    })
}

/// The mount point of `device` in a mounts table, if mounted.
pub fn mounted_at(mounts: &str, devices: &[String]) -> Option<String> {
    mounts.lines().find_map(|l| {
        let mut f = l.split_whitespace();
        let (dev, mnt) = (f.next()?, f.next()?);
        devices
            .iter()
            .any(|d| d == dev)
            .then(|| mnt.replace("\\040", " "))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partition_names() {
        assert_eq!(predicted_first_partition("/dev/vdb"), "/dev/vdb1");
        assert_eq!(predicted_first_partition("/dev/loop7"), "/dev/loop7p1");
        assert_eq!(predicted_first_partition("/dev/nvme0n1"), "/dev/nvme0n1p1");
    }

    #[test]
    fn root_from_mounts() {
        let m =
            "rootfs / rootfs rw 0 0\n/dev/mapper/rhel-root / xfs rw 0 0\nproc /proc proc rw 0 0\n";
        assert_eq!(root_device(m).as_deref(), Some("/dev/mapper/rhel-root"));
        assert_eq!(mounted_at(m, &["proc".into()]).as_deref(), Some("/proc"));
    }

    #[test]
    fn bare_names_get_dev() {
        assert_eq!(canonical("sdzz"), "/dev/sdzz");
        assert_eq!(canonical("/dev/sdzz"), "/dev/sdzz");
    }
}
