//! The c-s-s job as a pure function: from the configuration and what the
//! host looks like ([`Facts`]) to the ordered [`Step`]s c-s-s would run, or
//! a refusal saying why nothing may be touched.
//!
//! It runs in two phases like c-s-s: [`disks`] (partition DEVS, PVs, VG),
//! then [`storage`] (root LV growth, thin pool or overlay, profile, output
//! file, container root LV). A real run gathers facts again between them;
//! test mode plans the second phase against [`Facts::with_new_pvs`], the VG
//! LVM will make of the new partitions.

pub mod engine;
pub mod step;

use crate::config::{CssConfig, Driver, RootLv};
use crate::disk::{predicted_first_partition, Disk};
use crate::lvm::{dm_name, Lv, Pv, Vg};
use crate::output;
use crate::size::{human, Size};

pub use step::Step;

/// Files the job reads and writes (state arguments; c-s-s's paths by default).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Paths {
    /// `/etc/sysconfig/docker-storage`; `None` writes no output file.
    pub output_file: Option<String>,
    pub fstab: String,
    /// The docker root whose `devicemapper/metadata` means "used before".
    pub docker_root: String,
    /// `/etc/docker/daemon.json` to set `storage-driver` in, if any.
    pub daemon_json: Option<String>,
    /// `/etc/containers/storage.conf` to set `driver` in, if any.
    pub storage_conf: Option<String>,
}

impl Default for Paths {
    fn default() -> Self {
        Paths {
            output_file: Some("/etc/sysconfig/docker-storage".into()),
            fstab: "/etc/fstab".into(),
            docker_root: "/var/lib/docker".into(),
            daemon_json: None,
            storage_conf: None,
        }
    }
}

/// What the host looks like, as far as the job cares.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Facts {
    pub root_device: Option<String>,
    pub root_vg: Option<String>,
    /// Size of the root LV in bytes (for ROOT_SIZE).
    pub root_lv_size: Option<u64>,
    pub vgs: Vec<Vg>,
    pub pvs: Vec<Pv>,
    /// LVs of the target VG.
    pub lvs: Vec<Lv>,
    pub disks: Vec<Disk>,
    pub output_text: Option<String>,
    /// `dm.thinpooldev` of the output file exists as a block device.
    pub configured_pool_present: bool,
    pub docker_metadata: bool,
    pub profile_dir: String,
    pub profile_text: Option<String>,
    pub docker_version: Option<(u32, u32)>,
    pub mounts: String,
    pub fstab_text: String,
    /// Directories that exist among those the plan may create.
    pub existing_dirs: Vec<String>,
    pub daemon_json: Option<String>,
    pub storage_conf: Option<String>,
}

/// The first phase's result.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct DiskPlan {
    pub steps: Vec<Step>,
    /// (partition, size of its disk) for every PV the plan creates.
    pub new_pvs: Vec<(String, u64)>,
}

/// The VG the job works on: `VG`, else the root VG.
pub fn target_vg(cfg: &CssConfig, facts: &Facts) -> Option<String> {
    cfg.vg.clone().or_else(|| facts.root_vg.clone())
}

impl Facts {
    pub fn vg(&self, name: &str) -> Option<&Vg> {
        self.vgs.iter().find(|v| v.name == name)
    }

    fn lv(&self, name: &str) -> Option<&Lv> {
        self.lvs.iter().find(|l| l.name == name)
    }

    fn pv_in_vg(&self, pv: &str, vg: &str) -> bool {
        self.pvs.iter().any(|p| p.name == pv && p.vg == vg)
    }

    /// These facts after the disk phase: the VG grown (or created) by the
    /// new PVs. A partition made by `parted … 0% 100%` starts at 1 MiB and
    /// ends at the disk's end; LVM puts the first extent 1 MiB in and uses
    /// whole 4 MiB extents.
    pub fn with_new_pvs(&self, vg: &str, new_pvs: &[(String, u64)]) -> Facts {
        const MIB: u64 = 1 << 20;
        let mut f = self.clone();
        let extent = f
            .vg(vg)
            .map(|v| v.extent_size)
            .filter(|&e| e > 0)
            .unwrap_or(4 * MIB);
        let added: u64 = new_pvs
            .iter()
            .map(|(_, disk)| disk.saturating_sub(2 * MIB) / extent * extent)
            .sum();
        match f.vgs.iter_mut().find(|v| v.name == vg) {
            Some(v) => {
                v.size += added;
                v.free += added;
                v.pv_count += new_pvs.len() as u64;
            }
            None if !new_pvs.is_empty() => f.vgs.push(Vg {
                name: vg.to_string(),
                size: added,
                free: added,
                extent_size: extent,
                pv_count: new_pvs.len() as u64,
                lv_count: 0,
            }),
            None => {}
        }
        for (part, _) in new_pvs {
            f.pvs.push(Pv {
                name: part.clone(),
                vg: vg.to_string(),
                size: 0,
                free: 0,
            });
        }
        f
    }
}

/// Phase one: partition the DEVS disks, create PVs, create or extend the VG.
pub fn disks(cfg: &CssConfig, facts: &Facts) -> Result<DiskPlan, String> {
    let mut plan = DiskPlan::default();
    let Some(vg) = target_vg(cfg, facts) else {
        return Ok(plan);
    };
    if cfg.devs.is_empty() {
        return Ok(plan);
    }
    let mut new_disks: Vec<&Disk> = Vec::new();
    for disk in &facts.disks {
        if !disk.is_block {
            return Err(format!("DEVS: {} is not a valid block device.", disk.path));
        }
        if disk.path.starts_with("/dev/dm-") || disk.path.starts_with("/dev/mapper/") {
            // the kernel makes no partition nodes on device-mapper devices
            // (kpartx does, with other names): refuse before parted runs
            return Err(format!(
                "DEVS: {} is a device-mapper device ({}); give the underlying whole disk",
                disk.given, disk.path
            ));
        }
        if disk.is_partition {
            return Err(format!(
                "DEVS: {} is a partition. Partition specification unsupported at this time: name the whole disk.",
                disk.given
            ));
        }
        if facts.pv_in_vg(&disk.path, &vg) {
            continue; // a whole-disk PV of the VG (lvm.vg_present's way)
        }
        if let Some(part) = &disk.first_child {
            if facts.pv_in_vg(part, &vg) {
                continue; // already partitioned and part of the VG
            }
        }
        // never wipe what is in use, whatever wipe_signatures says
        let in_use = std::iter::once(&disk.path).chain(disk.first_child.iter());
        for dev in in_use {
            if let Some(pv) = facts
                .pvs
                .iter()
                .find(|p| &p.name == dev && !p.vg.is_empty())
            {
                return Err(format!(
                    "Device {} is a physical volume of volume group {} (not {vg}); not touching it",
                    pv.name, pv.vg
                ));
            }
            if let Some(at) = crate::disk::mounted_at(&facts.mounts, std::slice::from_ref(dev)) {
                return Err(format!("Device {dev} is mounted on {at}; not touching it"));
            }
        }
        if cfg.wipe_signatures {
            new_disks.push(disk);
        } else if disk.first_child.is_none() {
            new_disks.insert(0, disk); // c-s-s prepends these
        } else {
            return Err(format!(
                "Device {} is already partitioned and cannot be added to volume group {vg} \
                 (set wipe_signatures: true to wipe it)",
                disk.path
            ));
        }
    }
    for disk in &new_disks {
        if let Some(sig) = disk.signatures.first() {
            if !cfg.wipe_signatures {
                return Err(format!(
                    "Found {} signature on device {} at offset {}. Wipe signatures using wipefs or use WIPE_SIGNATURES=true and retry.",
                    sig.kind, disk.path, sig.offset
                ));
            }
            plan.steps.push(Step::run(&["wipefs", "-a", &disk.path]));
        }
    }
    for disk in &new_disks {
        plan.steps.push(partition_step(disk));
        plan.steps.push(Step::Run {
            argv: vec!["udevadm".into(), "settle".into()],
            optional: true,
        });
        let part = predicted_first_partition(&disk.path);
        plan.steps.push(Step::WaitDevice {
            path: part.clone(),
            timeout: cfg.device_wait_timeout,
        });
        plan.steps.push(Step::run(&["wipefs", "-f", "-a", &part]));
        plan.steps.push(Step::lvm("pvcreate", &[&part]));
        plan.new_pvs.push((part, disk.size));
    }
    if !plan.new_pvs.is_empty() {
        let verb = if facts.vg(&vg).is_some() {
            "vgextend"
        } else {
            "vgcreate"
        };
        let mut args = vec![vg.clone()];
        args.extend(plan.new_pvs.iter().map(|(p, _)| p.clone()));
        plan.steps.push(Step::Lvm {
            verb: verb.into(),
            args,
        });
    }
    Ok(plan)
}

/// c-s-s's parted call: msdos, or GPT named `container-partition` above 2 TiB.
fn partition_step(disk: &Disk) -> Step {
    if disk.size > 2_199_023_255_040 {
        Step::run(&[
            "parted",
            &disk.path,
            "--script",
            "mklabel",
            "gpt",
            "mkpart",
            "container-partition",
            "0%",
            "100%",
            "set",
            "1",
            "lvm",
            "on",
        ])
    } else {
        Step::run(&[
            "parted", &disk.path, "--script", "mklabel", "msdos", "mkpart", "primary", "0%",
            "100%", "set", "1", "lvm", "on",
        ])
    }
}

/// Phase two: everything after the VG exists.
pub fn storage(cfg: &CssConfig, paths: &Paths, facts: &Facts) -> Result<Vec<Step>, String> {
    let mut steps = Vec::new();
    let vg = target_vg(cfg, facts);
    let grown = root_growth(cfg, facts, &mut steps)?;
    // the root LV grows first (as in c-s-s) and takes its extents from the
    // VG the pool may also come from
    let shrunk;
    let facts = match (grown, &facts.root_vg) {
        (Some(bytes), Some(root_vg)) => {
            let mut f = facts.clone();
            if let Some(v) = f.vgs.iter_mut().find(|v| &v.name == root_vg) {
                let extent = v.extent_size.max(1);
                v.free = v.free.saturating_sub(bytes.div_ceil(extent) * extent);
            }
            shrunk = f;
            &shrunk
        }
        _ => facts,
    };
    let current = facts
        .output_text
        .as_deref()
        .and_then(output::current_options);
    if current
        .as_deref()
        .is_some_and(output::is_old_data_meta_mode)
    {
        return Err(format!(
            "Old mode of passing data and metadata logical volumes to docker is not supported. Exiting. \
             ({} passes dm.datadev/dm.metadatadev)",
            paths.output_file.as_deref().unwrap_or("the output file")
        ));
    }
    if cfg.driver == Driver::None {
        return Ok(steps);
    }
    if let Some(existing) = current.as_deref().and_then(output::current_driver) {
        if existing != cfg.driver.name() {
            return Err(format!(
                "Storage is already configured with {existing} driver. Can't configure it with {} driver. \
                 To override, remove {} and retry.",
                cfg.driver.name(),
                paths.output_file.as_deref().unwrap_or("the output file")
            ));
        }
    }
    match cfg.driver {
        Driver::Devicemapper => thin_pool(
            cfg,
            paths,
            facts,
            vg.as_deref(),
            current.as_deref(),
            &mut steps,
        )?,
        _ => write_if_changed(
            &mut steps,
            paths.output_file.as_deref(),
            facts.output_text.as_deref(),
            output::options_file(cfg, "", None),
        ),
    }
    if let Some(root_lv) = &cfg.root_lv {
        let vg = vg.ok_or("CONTAINER_ROOT_LV_NAME needs a volume group: set VG (and DEVS)")?;
        extra_volume(cfg, root_lv, &vg, paths, facts, &mut steps)?;
    }
    engine::configure(cfg, paths, facts, &mut steps)?;
    Ok(steps)
}

/// Plans ROOT_SIZE; returns how many bytes the root LV grows.
fn root_growth(
    cfg: &CssConfig,
    facts: &Facts,
    steps: &mut Vec<Step>,
) -> Result<Option<u64>, String> {
    if cfg.growpart && facts.root_vg.is_some() {
        return Err("GROWPART=true is not supported by halite yet; grow the root partition with growpart and pvresize".into());
    }
    let (Some(size), Some(dev)) = (&cfg.root_size, &facts.root_device) else {
        return Ok(None);
    };
    if facts.root_vg.is_none() {
        return Ok(None);
    }
    match size {
        Size::Absolute { bytes, raw } => match facts.root_lv_size {
            Some(cur) if cur < *bytes => {
                steps.push(Step::lvm("lvextend", &["-r", "-L", raw, dev]));
                Ok(Some(bytes - cur))
            }
            _ => Ok(None),
        },
        Size::Percent { raw, .. } => Err(format!(
            "ROOT_SIZE={raw}: a percentage would grow the root LV on every run; give an absolute size such as 20G"
        )),
    }
}

fn thin_pool(
    cfg: &CssConfig,
    paths: &Paths,
    facts: &Facts,
    vg: Option<&str>,
    current: Option<&str>,
    steps: &mut Vec<Step>,
) -> Result<(), String> {
    let pool = cfg.thinpool.as_str();
    let vg = vg.ok_or(
        "No valid volume group found: set VG (and DEVS to create it); the root filesystem is not on LVM",
    )?;
    let device = format!("/dev/mapper/{}", dm_name(vg, pool));
    if let Some(tpool) = current.and_then(output::configured_thinpool) {
        if tpool != device {
            return Err(format!(
                "Thin pool {tpool} does not seem to be managed by container-storage-setup (expected {device}). Exiting."
            ));
        }
        if !facts.configured_pool_present {
            return Err(format!(
                "Already configured thin pool {tpool} is not available. If thin pool exists and is taking longer to activate, \
                 set DEVICE_WAIT_TIMEOUT to a higher value and retry. If thin pool does not exist any more, remove {} and retry",
                paths.output_file.as_deref().unwrap_or("the output file")
            ));
        }
    }
    let vg_info = facts.vg(vg).ok_or_else(|| {
        format!("No valid volume group found: VG {vg} does not exist and DEVS is empty. Exiting.")
    })?;
    let existing = facts.lv(pool);
    let created = match existing {
        Some(lv) if lv.is_thin_pool() => false,
        Some(lv) => {
            return Err(format!(
                "{vg}/{pool} exists but is not a thin pool (segment type {}); not touching it",
                lv.segtype
            ))
        }
        None => {
            if facts.docker_metadata {
                return Err(format!(
                    "Docker has been previously configured for use with devicemapper graph driver. Not creating a new thin pool \
                     as existing docker metadata will fail to work with it. Manual cleanup is required before this will succeed. \
                     ({}/devicemapper/metadata exists; stop docker and remove {} to reset it, which destroys its images and containers)",
                    paths.docker_root, paths.docker_root
                ));
            }
            steps.push(create_pool_step(cfg, vg_info)?);
            true
        }
    };
    let content = output::options_file(cfg, &device, facts.docker_version);
    if created {
        if let (Some(path), Some(content)) = (&paths.output_file, content) {
            steps.push(Step::Write {
                path: path.clone(),
                content,
                mode: 0o644,
            });
        }
    } else if facts.output_text.is_none() {
        // c-s-s rewrites the file only when it is missing: a node it set up
        // keeps its options (deferred removal/deletion as it decided them)
        write_if_changed(steps, paths.output_file.as_deref(), None, content);
    }
    profile_steps(cfg, facts, vg, existing, steps);
    Ok(())
}

/// c-s-s `create_lvm_thin_pool`, MIN_DATA_SIZE check included.
fn create_pool_step(cfg: &CssConfig, vg: &Vg) -> Result<Step, String> {
    let mut data = cfg.data_size.clone();
    if let Some(min) = &cfg.min_data_size {
        let min_bytes = min.resolve(vg.size, vg.free);
        if vg.free < min_bytes {
            return Err(format!(
                "There is not enough free space in volume group {} to create data volume of size MIN_DATA_SIZE={min} \
                 ({} free).",
                vg.name,
                human(vg.free)
            ));
        }
        if data.resolve(vg.size, vg.free) < min_bytes {
            data = min.clone();
        }
    }
    let meta = match &cfg.pool_meta_size {
        Some(s) => s.to_string(),
        None => format!("{}s", vg.size / 512 / 1000 + 1),
    };
    let mut args: Vec<String> = ["-y", "--type", "thin-pool", "--zero", "n"]
        .iter()
        .map(|s| s.to_string())
        .collect();
    if let Some(chunk) = &cfg.chunk_size {
        args.extend(["-c".into(), chunk.clone()]);
    }
    args.extend(["--poolmetadatasize".into(), meta]);
    args.extend(data.lvcreate_args());
    args.extend(["-n".into(), cfg.thinpool.clone(), vg.name.clone()]);
    Ok(Step::Lvm {
        verb: "lvcreate".into(),
        args,
    })
}

/// Attach (and write) or detach (and delete) the autoextend profile, only
/// where the pool or the file differ. A new pool gets what c-s-s does.
fn profile_steps(
    cfg: &CssConfig,
    facts: &Facts,
    vg: &str,
    existing: Option<&Lv>,
    steps: &mut Vec<Step>,
) {
    let pool = &cfg.thinpool;
    let name = output::profile_name(vg, pool);
    let file = format!("{}/{name}.profile", facts.profile_dir);
    let target = format!("{vg}/{pool}");
    if cfg.auto_extend_pool {
        let text = output::profile_text(cfg.autoextend_threshold, cfg.autoextend_percent);
        if facts.profile_text.as_deref() != Some(text.as_str()) {
            steps.push(Step::Write {
                path: file,
                content: text,
                mode: 0o644,
            });
        }
        if existing.is_none_or(|lv| lv.profile != name) {
            steps.push(Step::lvm(
                "lvchange",
                &["--metadataprofile", &name, &target],
            ));
        }
    } else {
        if existing.is_none_or(|lv| !lv.profile.is_empty()) {
            steps.push(Step::lvm("lvchange", &["--detachprofile", &target]));
        }
        if facts.profile_text.is_some() || existing.is_none() {
            steps.push(Step::Remove { path: file });
        }
    }
}

/// c-s-s `setup_extra_lv_fs`: the XFS LV for the engine root, mounted, in fstab.
fn extra_volume(
    cfg: &CssConfig,
    lv: &RootLv,
    vg: &str,
    paths: &Paths,
    facts: &Facts,
    steps: &mut Vec<Step>,
) -> Result<(), String> {
    let dev = format!("/dev/{vg}/{}", lv.name);
    let mapper = format!("/dev/mapper/{}", dm_name(vg, &lv.name));
    if !facts.existing_dirs.contains(&lv.mount_path) {
        steps.push(Step::Mkdir {
            path: lv.mount_path.clone(),
        });
    }
    let ours = [dev.clone(), mapper.clone()];
    let mounted = crate::disk::mounted_at(&facts.mounts, &ours);
    // something else already lives there: never mount over it
    if let Some(other) = source_at(&facts.mounts, &lv.mount_path).filter(|s| !ours.contains(s)) {
        return Err(format!(
            "{} is already mounted from {other}; not mounting {dev} over it",
            lv.mount_path
        ));
    }
    if let Some(other) = source_at(&facts.fstab_text, &lv.mount_path).filter(|s| !ours.contains(s))
    {
        return Err(format!(
            "{} has an entry for {} from {other}; not replacing it with {dev}",
            paths.fstab, lv.mount_path
        ));
    }
    let exists = facts.lv(&lv.name).is_some();
    if !exists {
        let mut args: Vec<String> = vec!["-y".into()];
        args.extend(lv.size.lvcreate_args());
        args.extend(["-n".into(), lv.name.clone(), vg.to_string()]);
        steps.push(Step::Lvm {
            verb: "lvcreate".into(),
            args,
        });
        steps.push(Step::run(&["mkfs", "-t", "xfs", &dev]));
    }
    match mounted {
        Some(at) if at == lv.mount_path => {}
        Some(at) => {
            return Err(format!(
                "{dev} is mounted on {at}, not on CONTAINER_ROOT_LV_MOUNT_PATH={}",
                lv.mount_path
            ))
        }
        None => {
            steps.push(Step::run(&["mount", &dev, &lv.mount_path]));
            if !exists {
                // c-s-s labels a new filesystem's root for SELinux.
                steps.push(Step::Run {
                    argv: vec!["restorecon".into(), "-R".into(), lv.mount_path.clone()],
                    optional: true,
                });
            }
        }
    }
    let line = format!("{dev} {} xfs defaults 0 0", lv.mount_path);
    if !fstab_has(&facts.fstab_text, &line) {
        steps.push(Step::Fstab {
            fstab: paths.fstab.clone(),
            line,
            mount_point: lv.mount_path.clone(),
        });
    }
    if matches!(cfg.driver, Driver::Overlay | Driver::Overlay2) {
        steps.push(Step::CheckFtype {
            mount_point: lv.mount_path.clone(),
        });
    }
    Ok(())
}

/// The source of the (last) mounts-table or fstab line for `mount_point`.
fn source_at(table: &str, mount_point: &str) -> Option<String> {
    table
        .lines()
        .rev()
        .filter(|l| !l.trim_start().starts_with('#'))
        .filter_map(|l| {
            let mut f = l.split_whitespace();
            let (src, mnt) = (f.next()?, f.next()?);
            (mnt.replace("\\040", " ") == mount_point).then(|| src.to_string())
        })
        .next()
}

fn fstab_has(fstab: &str, line: &str) -> bool {
    let want: Vec<&str> = line.split_whitespace().collect();
    fstab
        .lines()
        .any(|l| l.split_whitespace().collect::<Vec<_>>() == want)
}

fn write_if_changed(
    steps: &mut Vec<Step>,
    path: Option<&str>,
    current: Option<&str>,
    content: Option<String>,
) {
    if let (Some(path), Some(content)) = (path, content) {
        if current != Some(content.as_str()) {
            steps.push(Step::Write {
                path: path.to_string(),
                content,
                mode: 0o644,
            });
        }
    }
}

/// Steps that change something (the plan minus waits and checks).
pub fn changes(steps: &[Step]) -> Vec<&Step> {
    steps
        .iter()
        .filter(|s| !matches!(s, Step::WaitDevice { .. } | Step::CheckFtype { .. }))
        .collect()
}
