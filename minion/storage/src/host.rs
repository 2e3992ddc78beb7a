//! Gathering [`Facts`] from the host: LVM reports, block devices, the files
//! c-s-s reads. Only reads; every command goes through the seams.

use std::path::Path;
use std::time::{Duration, Instant};

use halite_api::{CmdSpec, CommandRunner};

use crate::config::CssConfig;
use crate::disk::{self, Disks};
use crate::lvm::{dm_name, Lvm};
use crate::output;
use crate::plan::{target_vg, Facts, Paths};

/// Where the host's mount table is read.
const MOUNTS: &str = "/proc/self/mounts";

/// Read everything the plan needs. `dm_present: false` (LVM told there is
/// no device-mapper driver) skips waiting for `/dev/mapper` nodes, which
/// cannot exist then; the LVM metadata checks still apply.
pub fn gather(
    runner: &dyn CommandRunner,
    lvm: &Lvm<'_>,
    cfg: &CssConfig,
    paths: &Paths,
    dm_present: bool,
) -> Result<Facts, String> {
    let mounts = read(MOUNTS).unwrap_or_default();
    let mut facts = Facts {
        mounts,
        ..Facts::default()
    };
    facts.root_device = disk::root_device(&facts.mounts);
    facts.root_vg = facts
        .root_device
        .as_deref()
        .filter(|d| d.starts_with("/dev/"))
        .and_then(|d| lvm.vg_of_device(d));
    facts.vgs = lvm.vgs().map_err(|e| e.to_string())?;
    if !cfg.devs.is_empty() {
        // only the disk phase asks which PVs exist
        facts.pvs = lvm.pvs().map_err(|e| e.to_string())?;
    }
    if let Some(vg) = target_vg(cfg, &facts) {
        if facts.vg(&vg).is_some() {
            facts.lvs = lvm.lvs(&vg).map_err(|e| e.to_string())?;
        }
    }
    if let (Some(root_vg), Some(dev)) = (&facts.root_vg, &facts.root_device) {
        let root_lvs = lvm.lvs(root_vg).map_err(|e| e.to_string())?;
        facts.root_lv_size = root_lvs
            .iter()
            .find(|lv| {
                &lv.path == dev || format!("/dev/mapper/{}", dm_name(root_vg, &lv.name)) == *dev
            })
            .map(|lv| lv.size);
    }
    let disks = Disks::new(runner);
    for given in &cfg.devs {
        let disk = disks
            .inspect(given)
            .map_err(|e| format!("DEVS: {given}: {e}"))?;
        // the same disk named twice (a path and its by-id link) is one disk
        if !facts.disks.iter().any(|d| d.path == disk.path) {
            facts.disks.push(disk);
        }
    }
    facts.output_text = paths.output_file.as_deref().and_then(read);
    let configured = facts
        .output_text
        .as_deref()
        .and_then(output::current_options)
        .and_then(|o| output::configured_thinpool(&o));
    facts.configured_pool_present = match &configured {
        None => false,
        Some(_) if !dm_present => true,
        Some(dev) => wait_for_device(dev, cfg.device_wait_timeout),
    };
    facts.docker_metadata = Path::new(&paths.docker_root)
        .join("devicemapper/metadata")
        .is_dir();
    facts.profile_dir = lvm.profile_dir().map_err(|e| e.to_string())?;
    if let Some(vg) = target_vg(cfg, &facts) {
        let file = format!(
            "{}/{}.profile",
            facts.profile_dir,
            output::profile_name(&vg, &cfg.thinpool)
        );
        facts.profile_text = read(&file);
    }
    facts.docker_version = docker_version(runner);
    facts.fstab_text = read(&paths.fstab).unwrap_or_default();
    if let Some(lv) = &cfg.root_lv {
        if Path::new(&lv.mount_path).is_dir() {
            facts.existing_dirs.push(lv.mount_path.clone());
        }
    }
    facts.daemon_json = paths.daemon_json.as_deref().and_then(read);
    facts.storage_conf = paths.storage_conf.as_deref().and_then(read);
    Ok(facts)
}

fn read(path: &str) -> Option<String> {
    std::fs::read_to_string(path).ok()
}

/// c-s-s `wait_for_dev`: present now, or within `timeout` seconds.
pub fn wait_for_device(path: &str, timeout: u64) -> bool {
    let deadline = Instant::now() + Duration::from_secs(timeout);
    loop {
        if disk::is_block_device(path) {
            return true;
        }
        if Instant::now() >= deadline {
            return false;
        }
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// `docker version --format {{.Client.Version}}` as (major, minor); `None`
/// when docker is not installed (c-s-s then writes no deferred options).
fn docker_version(runner: &dyn CommandRunner) -> Option<(u32, u32)> {
    let out = runner
        .run(&CmdSpec::argv([
            "docker",
            "version",
            "--format",
            "{{.Client.Version}}",
        ]))
        .ok()?;
    let text = String::from_utf8_lossy(&out.stdout);
    let mut parts = text.trim().split('.');
    let major = parts.next()?.parse().ok()?;
    let minor = parts.next()?.parse().ok()?;
    Some((major, minor))
}
