//! halite's plan against container-storage-setup's command sequence for each
//! documented configuration (tests/fixtures/css/, transcribed from c-s-s's
//! source): same commands, same order, same output file; c-s-s's no-op
//! re-runs left out, halite's additions named.

use std::path::PathBuf;

use halite_storage::config::{Driver, RawSettings};
use halite_storage::disk::Disk;
use halite_storage::lvm::{Lv, Pv, Vg};
use halite_storage::plan::{self, Facts, Paths, Step};
use serde_json::Value;

fn fixtures() -> Vec<(String, Value)> {
    let dir = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/css");
    let mut out: Vec<(String, Value)> = std::fs::read_dir(&dir)
        .unwrap()
        .filter_map(|e| {
            let p = e.unwrap().path();
            (p.extension()? == "json").then(|| {
                (
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    serde_json::from_str(&std::fs::read_to_string(&p).unwrap()).unwrap(),
                )
            })
        })
        .collect();
    out.sort_by(|a, b| a.0.cmp(&b.0));
    assert!(out.len() >= 6, "fixtures missing in {}", dir.display());
    out
}

fn s(v: &Value, k: &str) -> String {
    v[k].as_str().unwrap_or("").to_string()
}

fn facts(host: &Value) -> Facts {
    let list = |k: &str| host[k].as_array().cloned().unwrap_or_default();
    Facts {
        root_device: host["root_device"].as_str().map(str::to_string),
        root_vg: host["root_vg"].as_str().map(str::to_string),
        vgs: list("vgs")
            .iter()
            .map(|v| Vg {
                name: s(v, "name"),
                size: v["size"].as_u64().unwrap(),
                free: v["free"].as_u64().unwrap(),
                extent_size: 4 << 20,
                pv_count: 1,
                lv_count: 0,
            })
            .collect(),
        pvs: list("pvs")
            .iter()
            .map(|p| Pv {
                name: s(p, "name"),
                vg: s(p, "vg"),
                size: 0,
                free: 0,
            })
            .collect(),
        lvs: list("lvs")
            .iter()
            .map(|l| Lv {
                name: s(l, "name"),
                vg: String::new(),
                attr: s(l, "attr"),
                segtype: s(l, "segtype"),
                size: 0,
                profile: s(l, "profile"),
                chunk_size: 0,
                data_percent: None,
                metadata_percent: None,
                metadata_size: 0,
                path: String::new(),
                extent_size: 4 << 20,
            })
            .collect(),
        disks: list("disks")
            .iter()
            .map(|d| Disk {
                given: s(d, "path"),
                path: s(d, "path"),
                is_block: true,
                is_partition: false,
                first_child: d["first_child"].as_str().map(str::to_string),
                signatures: vec![],
                size: d["size"].as_u64().unwrap(),
            })
            .collect(),
        output_text: host["output_file"].as_str().map(str::to_string),
        configured_pool_present: host["configured_pool_present"].as_bool().unwrap_or(false),
        profile_dir: "/etc/lvm/profile".into(),
        profile_text: host["profile"].as_str().map(str::to_string),
        ..Facts::default()
    }
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect()
}

#[test]
fn plans_match_container_storage_setup() {
    for (name, fx) in fixtures() {
        let mut raw = RawSettings::default();
        let text: String = fx["config"]
            .as_object()
            .unwrap()
            .iter()
            .map(|(k, v)| format!("{k}=\"{}\"\n", v.as_str().unwrap()))
            .collect();
        raw.merge_file("/etc/sysconfig/docker-storage-setup", &text);
        let cfg = raw
            .validate(Driver::Devicemapper)
            .unwrap_or_else(|e| panic!("{name}: {e}"));
        let facts = facts(&fx["host"]);
        let paths = Paths::default();
        let disks = plan::disks(&cfg, &facts).unwrap_or_else(|e| panic!("{name}: {e}"));
        let after = facts.with_new_pvs(&plan::target_vg(&cfg, &facts).unwrap(), &disks.new_pvs);
        let rest = plan::storage(&cfg, &paths, &after).unwrap_or_else(|e| panic!("{name}: {e}"));
        let steps: Vec<&Step> = disks.steps.iter().chain(rest.iter()).collect();
        let shown: Vec<String> = steps
            .iter()
            .filter(|s| !matches!(s, Step::WaitDevice { .. }))
            .map(|s| s.to_string())
            .collect();

        let extra = strings(&fx["halite_extra"]);
        let noop = strings(&fx["css_noop"]);
        let expected: Vec<String> = strings(&fx["css_commands"])
            .into_iter()
            .filter(|c| !noop.contains(c))
            .collect();
        let ours: Vec<String> = shown
            .iter()
            .filter(|c| !extra.contains(c))
            .cloned()
            .collect();
        assert_eq!(ours, expected, "{name}: plan differs from c-s-s");
        for e in &extra {
            assert!(shown.contains(e), "{name}: halite step {e:?} missing");
        }
        let written = steps.iter().find_map(|s| match s {
            Step::Write { path, content, .. } if path == "/etc/sysconfig/docker-storage" => {
                Some(content.clone())
            }
            _ => None,
        });
        assert_eq!(
            written.as_deref(),
            fx["output_file"].as_str(),
            "{name}: output file"
        );
    }
}

#[test]
fn converged_host_plans_nothing() {
    let fx = fixtures()
        .into_iter()
        .find(|(n, _)| n == "pool-exists.json")
        .unwrap()
        .1;
    let mut raw = RawSettings::default();
    raw.merge_file("f", "DEVS=/dev/vdb\nVG=docker-vg\n");
    let cfg = raw.validate(Driver::Devicemapper).unwrap();
    let facts = facts(&fx["host"]);
    assert!(plan::disks(&cfg, &facts).unwrap().steps.is_empty());
    assert!(plan::storage(&cfg, &Paths::default(), &facts)
        .unwrap()
        .is_empty());
}

#[test]
fn device_mapper_devs_are_refused_before_parted() {
    let mut raw = RawSettings::default();
    raw.merge_file("f", "DEVS=/dev/mapper/mpatha\nVG=docker-vg\n");
    let cfg = raw.validate(Driver::Devicemapper).unwrap();
    let facts = Facts {
        disks: vec![Disk {
            given: "/dev/mapper/mpatha".into(),
            path: "/dev/dm-3".into(),
            is_block: true,
            is_partition: false,
            first_child: None,
            signatures: vec![],
            size: 1 << 30,
        }],
        ..Facts::default()
    };
    let err = plan::disks(&cfg, &facts).unwrap_err();
    assert!(
        err.contains("/dev/mapper/mpatha is a device-mapper device (/dev/dm-3)"),
        "{err}"
    );
}
