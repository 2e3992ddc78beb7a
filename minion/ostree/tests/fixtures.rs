//! Every real and synthetic status document in ../shared/fixtures parses,
//! and the model answers the questions the states ask of it.

mod common;

use halite_ostree::model::{bootc::Host, rpm_ostree::Status};

fn files(dir: &str) -> Vec<String> {
    let root = common::shared().join("fixtures").join(dir);
    let mut out: Vec<String> = std::fs::read_dir(&root)
        .unwrap_or_else(|e| panic!("{}: {e}", root.display()))
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.ends_with(".json") || n.ends_with(".yaml"))
        .map(|n| format!("{dir}/{n}"))
        .collect();
    out.sort();
    out
}

#[test]
fn every_rpm_ostree_fixture_parses() {
    let all: Vec<String> = ["rpm-ostree", "upstream/zincati", "upstream/rpm-ostree"]
        .iter()
        .flat_map(|d| files(d))
        .collect();
    assert!(all.len() >= 7, "{all:?}");
    for f in all {
        let st = Status::parse(&common::fixture(&f)).unwrap_or_else(|e| panic!("{f}: {e}"));
        assert!(!st.deployments.is_empty(), "{f}");
        assert!(st.default_deployment().is_some(), "{f}");
    }
}

#[test]
fn every_bootc_fixture_parses() {
    let all = files("upstream/bootc");
    assert!(all.len() >= 10, "{all:?}");
    for f in all {
        Host::from_value(common::fixture_json(&f)).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
}

#[test]
fn staged_and_locked_deployment_with_zincati_driver() {
    let st = Status::parse(&common::fixture("rpm-ostree/status-booted-staged.json")).unwrap();
    let staged = st.staged().unwrap();
    assert!(staged.finalization_locked && !staged.booted);
    assert_eq!(
        st.pending().unwrap().version.as_deref(),
        Some("40.20240602.3.0")
    );
    assert_eq!(
        st.booted().unwrap().version.as_deref(),
        Some("40.20240519.3.0")
    );
    assert_eq!(st.update_driver.as_ref().unwrap().driver_name, "Zincati");
    assert!(st
        .booted()
        .unwrap()
        .extra
        .contains_key("pending-base-checksum"));
}

#[test]
fn layered_deployment_is_identified_by_its_base_commit() {
    let st = Status::parse(&common::fixture(
        "rpm-ostree/status-booted-rollback-layered.json",
    ))
    .unwrap();
    let booted = st.booted().unwrap();
    let base = booted.base_checksum.as_deref().unwrap();
    assert_ne!(base, booted.checksum);
    assert_eq!(booted.base_identity(), base);
    assert!(!booted.requested_packages.is_empty());
    assert!(st.rollback().unwrap().pinned);
    assert!(st.pending().is_none());
}

#[test]
fn container_origin_is_identified_by_digest_and_transaction_is_seen() {
    let st = Status::parse(&common::fixture(
        "rpm-ostree/status-transaction-active.json",
    ))
    .unwrap();
    let d = st.booted().unwrap();
    assert!(d.origin.is_none());
    assert_eq!(
        d.base_identity(),
        d.container_image_reference_digest.as_deref().unwrap()
    );
    assert!(st
        .transaction_title()
        .unwrap()
        .starts_with("UpdateDeployment by :1."));
    assert!(st.cached_update.is_some());
}

#[test]
fn upstream_workstation_keeps_unknown_keys() {
    let text = common::fixture("upstream/rpm-ostree/workstation-status.json");
    let st = Status::parse(&text).unwrap();
    let raw: serde_json::Value = serde_json::from_str(&text).unwrap();
    let raw0 = raw["deployments"][0].as_object().unwrap();
    let d0 = &st.deployments[0];
    for key in raw0.keys() {
        let modeled = serde_json::to_value(d0).unwrap();
        assert!(modeled.get(key).is_some(), "key {key} lost");
    }
}

#[test]
fn bootc_staged_and_booted_digests() {
    let h = Host::from_value(common::fixture_json(
        "upstream/bootc/spec-staged-booted.yaml",
    ))
    .unwrap();
    assert!(h.manageable());
    assert!(h
        .staged_image()
        .unwrap()
        .image_digest
        .starts_with("sha256:16dc2b"));
    assert!(h
        .booted_image()
        .unwrap()
        .image_digest
        .starts_with("sha256:736b35"));
    let null = Host::from_value(common::fixture_json("upstream/bootc/spec-v1-null.json")).unwrap();
    assert!(!null.manageable());
    let to_bootc = Host::from_value(common::fixture_json(
        "upstream/bootc/spec-ostree-to-bootc.yaml",
    ))
    .unwrap();
    assert!(
        !to_bootc.manageable(),
        "booted from a plain ostree commit, no image"
    );
}
