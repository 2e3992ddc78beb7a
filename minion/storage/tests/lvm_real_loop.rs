//! docker_storage.configured and the lvm.* states against real LVM on loop
//! devices (no device-mapper in this kernel: metadata only, every command
//! with `--driverloaded n`). The thin pool itself is created for real in
//! the VM test; here it is written into the metadata and must be detected.

mod common;

use common::{exists, lines, Rig};
use serde_json::json;

const CSS_LINE: &str = "DOCKER_STORAGE_OPTIONS=\"--storage-driver devicemapper --storage-opt dm.fs=xfs --storage-opt dm.thinpooldev=/dev/mapper/docker--vg-docker--pool \"\n";

#[test]
fn devs_become_a_vg_as_planned_and_the_pool_needs_device_mapper() {
    let rig = Rig::new(2, 1024);
    let args = rig.job_args(json!({"devs": rig.loops.join(" "), "vg": "docker-vg", "storage_driver": "devicemapper", "min_data_size": "100M"}));
    let plan = rig.state("docker_storage.configured", args.clone(), true);
    assert_eq!(plan.result, None, "{}", plan.comment);
    let planned = lines(&plan, "plan");
    assert!(
        rig.recorder.writes().is_empty(),
        "test=True changed something: {:?}",
        rig.recorder.writes()
    );
    // c-s-s prepends unpartitioned disks: the second one comes first
    assert_eq!(
        planned[0],
        format!(
            "parted {} --script mklabel msdos mkpart primary 0% 100% set 1 lvm on",
            rig.loops[1]
        )
    );
    assert_eq!(
        planned[10],
        format!("vgcreate docker-vg {}p1 {}p1", rig.loops[1], rig.loops[0])
    );
    // 2 x 1 GiB -> 2 x 255 extents of 4 MiB = 4177920 sectors -> 4178s metadata
    assert_eq!(planned[11], "lvcreate -y --type thin-pool --zero n -c 512K --poolmetadatasize 4178s -l 40%FREE -n docker-pool docker-vg");

    let run = rig.state("docker_storage.configured", args, false);
    assert_eq!(run.result, Some(false));
    assert!(
        run.comment
            .contains("Can't create thin-pool without using device-mapper kernel driver"),
        "{}",
        run.comment
    );
    assert!(
        run.comment
            .starts_with(&format!("`{}` failed", planned[11])),
        "the real run planned a different pool: {}",
        run.comment
    );
    assert_eq!(
        lines(&run, "ran"),
        planned[..11].to_vec(),
        "the real run did not follow the plan"
    );
    assert_eq!(
        rig.lvm("vgs", &["--noheadings", "-o", "pv_count", "docker-vg"])
            .trim(),
        "2"
    );
    assert!(
        !exists(&rig.path("docker-storage")),
        "output file written without a pool"
    );
}

#[test]
fn existing_pool_is_detected_configured_once_then_left_alone() {
    let rig = Rig::new(1, 1024);
    rig.vg("docker-vg");
    rig.metadata_only_pool("docker-vg", "docker-pool");
    let args = rig.job_args(json!({"vg": "docker-vg", "storage_driver": "devicemapper"}));
    let profile = rig
        .etc()
        .join("profile/docker-vg--docker-pool-extend.profile");

    let plan = rig.state("docker_storage.configured", args.clone(), true);
    assert_eq!(
        lines(&plan, "plan"),
        vec![
            format!("write {}", rig.path("docker-storage")),
            format!("write {}", profile.display()),
            "lvchange --metadataprofile docker-vg--docker-pool-extend docker-vg/docker-pool"
                .to_string(),
        ]
    );
    let run = rig.state("docker_storage.configured", args.clone(), false);
    assert_eq!(run.result, Some(true), "{}", run.comment);
    assert_eq!(
        std::fs::read_to_string(rig.path("docker-storage")).unwrap(),
        CSS_LINE
    );
    assert_eq!(
        std::fs::read_to_string(&profile).unwrap(),
        "activation {\n\tthin_pool_autoextend_threshold=60\n\tthin_pool_autoextend_percent=20\n\n}\n"
    );
    assert_eq!(
        rig.lv_field("docker-vg", "docker-pool", "lv_profile"),
        "docker-vg--docker-pool-extend"
    );
    assert_eq!(
        rig.lv_field("docker-vg", "docker-pool", "segtype"),
        "thin-pool"
    );

    rig.recorder.clear();
    let again = rig.state("docker_storage.configured", args.clone(), false);
    assert_eq!(again.result, Some(true), "{}", again.comment);
    assert!(again.changes.is_empty(), "{:?}", again.changes);
    assert!(
        again
            .comment
            .starts_with("Container storage is already configured"),
        "{}",
        again.comment
    );
    assert!(
        rig.recorder.lvm_writes().is_empty(),
        "second apply wrote LVM metadata: {:?}",
        rig.recorder.lvm_writes()
    );
    assert!(
        rig.recorder.writes().is_empty(),
        "second apply ran {:?}",
        rig.recorder.writes()
    );

    // AUTO_EXTEND_POOL=no detaches the profile and deletes its file, once
    let no = rig.job_args(
        json!({"vg": "docker-vg", "storage_driver": "devicemapper", "auto_extend_pool": "no"}),
    );
    let run = rig.state("docker_storage.configured", no.clone(), false);
    assert_eq!(
        lines(&run, "ran"),
        vec![
            "lvchange --detachprofile docker-vg/docker-pool".to_string(),
            format!("rm -f {}", profile.display())
        ]
    );
    assert_eq!(rig.lv_field("docker-vg", "docker-pool", "lv_profile"), "");
    assert!(!profile.exists());
    rig.recorder.clear();
    assert!(rig
        .state("docker_storage.configured", no, false)
        .changes
        .is_empty());
    assert!(rig.recorder.lvm_writes().is_empty());

    // usage of the (inactive) pool, with its autoextend settings
    let usage = rig
        .exec(
            "docker_storage.usage",
            json!({"output_file": rig.path("docker-storage")}),
        )
        .unwrap();
    assert_eq!(usage["vg"], "docker-vg");
    assert_eq!(usage["pool"], "docker-pool");
    assert_eq!(usage["size_bytes"], 400u64 << 20);
    assert_eq!(usage["autoextend"]["enabled"], false);
    assert_eq!(usage["active"], false);
}

#[test]
fn the_sysconfig_file_drives_the_job() {
    let rig = Rig::new(1, 1024);
    rig.vg("docker-vg");
    rig.metadata_only_pool("docker-vg", "docker-pool");
    std::fs::write(
        rig.path("docker-storage-setup"),
        "VG=docker-vg\nPOOL_AUTOEXTEND_THRESHOLD=70\nPOOL_AUTOEXTEND_PERCENT=30\n",
    )
    .unwrap();
    // no storage_driver argument: the file exists, so c-s-s's default (devicemapper)
    let run = rig.state("docker_storage.configured", rig.job_args(json!({})), false);
    assert_eq!(run.result, Some(true), "{}", run.comment);
    assert_eq!(
        std::fs::read_to_string(rig.path("docker-storage")).unwrap(),
        CSS_LINE
    );
    let usage = rig
        .exec(
            "docker_storage.usage",
            json!({"vg": "docker-vg", "warn_percent": 80}),
        )
        .unwrap();
    // an existing file is kept as it is (c-s-s rewrites it only when missing)
    *rig.recorder.docker_version.lock().unwrap() = Some("28.2.2".into());
    let kept = rig.state("docker_storage.configured", rig.job_args(json!({})), false);
    assert!(kept.changes.is_empty(), "{:?}", kept.changes);
    assert_eq!(
        std::fs::read_to_string(rig.path("docker-storage")).unwrap(),
        CSS_LINE
    );
    // missing, with docker 28 installed (its daemon down, as at boot): both
    // deferred options, like c-s-s
    std::fs::remove_file(rig.path("docker-storage")).unwrap();
    let run = rig.state("docker_storage.configured", rig.job_args(json!({})), false);
    assert_eq!(
        lines(&run, "ran"),
        vec![format!("write {}", rig.path("docker-storage"))]
    );
    assert_eq!(
        std::fs::read_to_string(rig.path("docker-storage")).unwrap(),
        CSS_LINE.replace(" \"\n", " --storage-opt dm.use_deferred_removal=true --storage-opt dm.use_deferred_deletion=true \"\n")
    );
    assert_eq!(usage["autoextend"]["threshold"], 70);
    assert_eq!(usage["autoextend"]["percent"], 30);
}

#[test]
fn refusals_name_the_problem_and_touch_nothing() {
    let rig = Rig::new(2, 512);
    let (a, b) = (&rig.loops[0], &rig.loops[1]);
    // a disk with a filesystem on it
    assert_eq!(common::rc(&["mkfs.ext4", "-q", "-F", a]), 0);
    let refuse = |extra: serde_json::Value, want: &str| {
        rig.recorder.clear();
        let mut args = json!({"vg": "docker-vg", "storage_driver": "devicemapper"});
        args.as_object_mut()
            .unwrap()
            .extend(extra.as_object().unwrap().clone());
        for test in [true, false] {
            let r = rig.state(
                "docker_storage.configured",
                rig.job_args(args.clone()),
                test,
            );
            assert_eq!(r.result, Some(false), "{want}: {}", r.comment);
            assert!(
                r.comment.contains(want),
                "expected {want:?} in {:?}",
                r.comment
            );
            assert!(r.changes.is_empty());
        }
        assert!(
            rig.recorder.writes().is_empty(),
            "{want}: ran {:?}",
            rig.recorder.writes()
        );
    };
    refuse(
        json!({"devs": a}),
        &format!("Found ext4 signature on device {a} at offset 0x438"),
    );
    refuse(
        json!({"devs": format!("{b} {a}")}),
        "Wipe signatures using wipefs or use WIPE_SIGNATURES=true",
    );
    refuse(
        json!({"data_size": "lots"}),
        "state argument: DATA_SIZE=\"lots\" is invalid",
    );
    refuse(
        json!({"storage_driver": "zfs"}),
        "STORAGE_DRIVER=\"zfs\" is invalid",
    );
    refuse(
        json!({"devs": ""}),
        "VG docker-vg does not exist and DEVS is empty",
    );
    refuse(
        json!({"devs": "/dev/halite-no-such-disk"}),
        "/dev/halite-no-such-disk is not a valid block device",
    );

    // a partition in DEVS
    assert_eq!(
        common::rc(&[
            "parted", b, "--script", "mklabel", "msdos", "mkpart", "primary", "0%", "100%"
        ]),
        0
    );
    common::wait_block(&format!("{b}p1"));
    refuse(
        json!({"devs": format!("{b}p1")}),
        &format!("DEVS: {b}p1 is a partition"),
    );
    refuse(
        json!({"devs": b.as_str()}),
        &format!("Device {b} is already partitioned and cannot be added to volume group docker-vg"),
    );

    // wipe_signatures: the plan wipes, and says so
    let r = rig.state(
        "docker_storage.configured",
        rig.job_args(
            json!({"devs": a, "vg": "docker-vg", "wipe_signatures": true, "min_data_size": "10M"}),
        ),
        true,
    );
    assert_eq!(r.result, None, "{}", r.comment);
    assert_eq!(lines(&r, "plan")[0], format!("wipefs -a {a}"));
    assert_eq!(common::rc(&["wipefs", "-a", a]), 0);

    // a VG that exists, but docker used loopback devicemapper before
    rig.vg_on(&[a.as_str()], "docker-vg");
    // a disk in use by another VG is never wiped, even when told to wipe
    refuse(
        json!({"devs": a, "vg": "other-vg", "wipe_signatures": true}),
        &format!("Device {a} is a physical volume of volume group docker-vg (not other-vg); not touching it"),
    );
    std::fs::create_dir_all(rig.path("docker/devicemapper/metadata")).unwrap();
    refuse(
        json!({}),
        "Docker has been previously configured for use with devicemapper graph driver",
    );
    std::fs::remove_dir_all(rig.path("docker")).unwrap();
    // an output file naming a pool someone else made
    std::fs::write(rig.path("docker-storage"), "DOCKER_STORAGE_OPTIONS=\"--storage-driver devicemapper --storage-opt dm.thinpooldev=/dev/mapper/other-pool\"\n").unwrap();
    refuse(
        json!({}),
        "Thin pool /dev/mapper/other-pool does not seem to be managed by container-storage-setup",
    );
    std::fs::write(
        rig.path("docker-storage"),
        "DOCKER_STORAGE_OPTIONS=\"--storage-driver overlay2 \"\n",
    )
    .unwrap();
    refuse(json!({}), "Storage is already configured with overlay2 driver. Can't configure it with devicemapper driver.");
    assert_eq!(
        std::fs::read_to_string(rig.path("docker-storage")).unwrap(),
        "DOCKER_STORAGE_OPTIONS=\"--storage-driver overlay2 \"\n"
    );
}

#[test]
fn lvm_states_speak_salt() {
    let rig = Rig::new(1, 512);
    let d = rig.loops[0].clone();
    let st = |fun: &str, args: serde_json::Value, test: bool| rig.state(fun, args, test);

    let r = st("lvm.pv_present", json!({"name": d}), true);
    assert_eq!(
        (r.result, r.comment.as_str()),
        (
            None,
            format!("Physical Volume {d} is set to be created").as_str()
        )
    );
    let r = st("lvm.pv_present", json!({"name": d}), false);
    assert_eq!(
        (r.result, r.comment.as_str()),
        (Some(true), format!("Created Physical Volume {d}").as_str())
    );
    assert_eq!(r.changes["created"], true);
    let r = st("lvm.pv_present", json!({"name": d}), false);
    assert_eq!(r.comment, format!("Physical Volume {d} already present"));

    let r = st(
        "lvm.vg_present",
        json!({"name": "vg1", "devices": d}),
        false,
    );
    assert_eq!(
        (r.result, r.comment.as_str()),
        (Some(true), "Created Volume Group vg1")
    );
    assert_eq!(
        r.changes["created"]["Output from vgcreate"],
        "Volume group \"vg1\" successfully created"
    );
    let r = st(
        "lvm.vg_present",
        json!({"name": "vg1", "devices": [d]}),
        false,
    );
    assert_eq!(
        r.comment,
        format!("Volume Group vg1 already present\n{d} is part of Volume Group")
    );
    assert!(r.changes.is_empty());

    // activate/zero pass through to lvcreate as Salt does (no dm here: -an -Zn)
    let lv = json!({"name": "data", "vgname": "vg1", "size": "100M", "activate": "n", "zero": "n"});
    let r = st("lvm.lv_present", lv.clone(), true);
    assert_eq!(
        (r.result, r.comment.as_str()),
        (None, "Logical Volume data is set to be created")
    );
    let r = st("lvm.lv_present", lv.clone(), false);
    assert_eq!(
        (r.result, r.comment.as_str()),
        (Some(true), "Created Logical Volume data"),
        "{:?}",
        r.changes
    );
    assert_eq!(rig.lv_field("vg1", "data", "lv_size"), "100.00m");
    let r = st("lvm.lv_present", lv, false);
    assert_eq!(
        (r.result, r.comment.as_str()),
        (Some(true), "Logical Volume data already present")
    );
    let r = st(
        "lvm.lv_present",
        json!({"name": "data", "vgname": "vg1", "size": "50M"}),
        false,
    );
    assert_eq!(
        (r.result, r.comment.as_str()),
        (
            Some(false),
            "To reduce a Logical Volume option 'force' must be True."
        )
    );
    let r = st(
        "lvm.lv_present",
        json!({"name": "x", "vgname": "vg1", "size": "1M", "extents": "10"}),
        false,
    );
    assert_eq!(r.comment, "Only one of extents or size can be specified.");

    let r = st(
        "lvm.lv_absent",
        json!({"name": "data", "vgname": "vg1"}),
        false,
    );
    assert_eq!(
        (r.result, r.comment.as_str()),
        (Some(true), "Removed Logical Volume data")
    );
    let r = st(
        "lvm.lv_absent",
        json!({"name": "data", "vgname": "vg1"}),
        false,
    );
    assert_eq!(r.comment, "Logical Volume data already absent");
    let r = st("lvm.vg_absent", json!({"name": "vg1"}), false);
    assert_eq!(r.comment, "Removed Volume Group vg1");
    let r = st("lvm.pv_absent", json!({"name": d}), false);
    assert_eq!(r.comment, format!("Removed Physical Volume {d}"));
    assert_eq!(
        st("lvm.pv_absent", json!({"name": d}), false).comment,
        format!("Physical Volume {d} does not exist")
    );
}

#[test]
fn devicemapper_to_overlay2_is_refused_in_place_and_planned_beside_the_pool() {
    let rig = Rig::new(1, 2048);
    rig.vg("docker-vg");
    rig.metadata_only_pool("docker-vg", "docker-pool");
    let dm = rig.job_args(json!({"vg": "docker-vg", "storage_driver": "devicemapper"}));
    assert_eq!(
        rig.state("docker_storage.configured", dm, false).result,
        Some(true)
    );
    let overlay = rig.job_args(json!({
        "vg": "docker-vg", "storage_driver": "overlay2",
        "container_root_lv_name": "docker-root", "container_root_lv_size": "1G",
        "container_root_lv_mount_path": rig.path("var-lib-docker"),
    }));
    // the node still has the devicemapper file: switching in place is refused
    rig.recorder.clear();
    let r = rig.state("docker_storage.configured", overlay.clone(), false);
    assert_eq!(r.result, Some(false));
    assert!(r.comment.contains("Storage is already configured with devicemapper driver. Can't configure it with overlay2 driver. To override, remove"), "{}", r.comment);
    assert!(rig.recorder.writes().is_empty());
    // the migration (docs/storage.md): engine stopped, file moved away; the
    // new LV goes beside the pool, which is left alone
    std::fs::rename(
        rig.path("docker-storage"),
        rig.path("docker-storage.devicemapper"),
    )
    .unwrap();
    let plan = lines(
        &rig.state("docker_storage.configured", overlay, true),
        "plan",
    );
    let dev = "/dev/docker-vg/docker-root";
    assert_eq!(
        plan,
        vec![
            format!("write {}", rig.path("docker-storage")),
            format!("mkdir -p {}", rig.path("var-lib-docker")),
            "lvcreate -y -L 1G -n docker-root docker-vg".to_string(),
            format!("mkfs -t xfs {dev}"),
            format!("mount {dev} {}", rig.path("var-lib-docker")),
            format!("restorecon -R {}", rig.path("var-lib-docker")),
            format!(
                "{}: {dev} {} xfs defaults 0 0",
                rig.path("fstab"),
                rig.path("var-lib-docker")
            ),
            format!("check ftype=1 on {}", rig.path("var-lib-docker")),
        ]
    );
    assert!(
        !plan.iter().any(|s| s.contains("docker-pool")),
        "the plan touches the pool: {plan:?}"
    );
}

#[test]
fn the_grain_reports_the_configured_pool() {
    let rig = Rig::new(1, 1024);
    rig.vg("docker-vg");
    rig.metadata_only_pool("docker-vg", "docker-pool");
    let args = rig.job_args(json!({"vg": "docker-vg", "storage_driver": "devicemapper"}));
    assert_eq!(
        rig.state("docker_storage.configured", args, false).result,
        Some(true)
    );
    let opts = json!({
        "lvm_system_dir": rig.etc(), "lvm_driverloaded": false,
        "docker_storage_output_file": rig.path("docker-storage"),
    });
    let grains = halite_storage::usage::grains(opts.as_object().unwrap(), rig.recorder.as_ref());
    let g = &grains["docker_storage"];
    assert_eq!(
        (g["driver"].as_str(), g["vg"].as_str(), g["pool"].as_str()),
        (Some("devicemapper"), Some("docker-vg"), Some("docker-pool"))
    );
    assert_eq!(g["alert"], false);
    assert_eq!(g["warn_percent"], 80.0);
    // nothing configured: no grain
    let none = json!({"docker_storage_output_file": rig.path("missing")});
    assert!(
        halite_storage::usage::grains(none.as_object().unwrap(), rig.recorder.as_ref()).is_empty()
    );
}
