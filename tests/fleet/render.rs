//! `halite-ctl render` refuses bad input and writes nothing: an inventory
//! with a duplicate node, an address outside its rack and an unknown role
//! (every problem named by its entry), and a tree one node cannot render
//! (named by node, SLS and line).

use std::fs;

use crate::fleet::run_ctl;

const INVENTORY: &str = r#"
fleet:
  name: bad
  roles: {worker: [fleet-test]}
racks:
  - name: r1
    subnet: 10.1.0.0/24
    tor: 10.1.0.1
    nodes:
      - {name: r1-n1, ip: 10.1.0.11, roles: [worker], pillar: {node: {root: /tmp/x}}}
      - {name: r1-n2, ip: 10.1.0.12, roles: [worker], pillar: {node: {root: /tmp/x}}}
  - name: r2
    subnet: 10.2.0.0/24
    tor: 10.2.0.1
    nodes:
      - {name: r2-n1, ip: 10.2.0.11, roles: [worker], pillar: {node: {root: /tmp/x}}}
"#;

fn render(
    dir: &std::path::Path,
    inventory: &str,
    source: &std::path::Path,
) -> std::process::Output {
    let inv = dir.join("fleet.yaml");
    fs::write(&inv, inventory).unwrap();
    let out = dir.join("out");
    run_ctl(&[
        "render",
        "--inventory",
        inv.to_str().unwrap(),
        "--source",
        source.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ])
}

#[test]
fn a_bad_inventory_names_every_entry_and_writes_nothing() {
    let dir = tempfile::tempdir().unwrap();
    let source = halite_tests::repo_root().join("tests/fleet/tree");
    let ok = render(dir.path(), INVENTORY, &source);
    assert!(
        ok.status.success(),
        "{}",
        String::from_utf8_lossy(&ok.stderr)
    );
    fs::remove_dir_all(dir.path().join("out")).unwrap();

    let bad = INVENTORY
        .replace(
            "{name: r2-n1, ip: 10.2.0.11, roles: [worker]",
            "{name: r1-n2, ip: 10.2.0.11, roles: [worker]",
        )
        .replace(
            "{name: r1-n2, ip: 10.1.0.12, roles: [worker]",
            "{name: r1-n2, ip: 10.9.0.12, roles: [db]",
        )
        .replace(
            "  roles: {worker: [fleet-test]}",
            "  roles: {worker: [fleet-test]}\n  reconnect: {master_auth_per_second: 0}",
        );
    let out = render(dir.path(), &bad, &source);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(1), "{err}");
    for want in [
        "racks[0] (r1) nodes[1] (r1-n2).ip: 10.9.0.12 is outside the rack subnet 10.1.0.0/24",
        "racks[0] (r1) nodes[1] (r1-n2).roles: unknown role 'db' (fleet.roles has: worker)",
        "racks[1] (r2) nodes[0] (r1-n2): duplicate node name (also racks[0] (r1) nodes[1] (r1-n2))",
        "fleet.reconnect.master_auth_per_second: must be at least 1",
    ] {
        assert!(err.contains(want), "missing {want:?} in:\n{err}");
    }
    assert!(err.contains("fleet.yaml: 4 problem(s)"), "{err}");
    assert!(
        !dir.path().join("out").exists(),
        "render wrote output for a bad inventory"
    );
}

#[test]
fn a_tree_one_node_cannot_render_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let source = dir.path().join("src");
    fs::create_dir_all(&source).unwrap();
    fs::write(
        source.join("fleet-test.sls"),
        "ok:\n  test.nop: []\n{% if grains.id == 'r1-n2' %}\nbroken: [unclosed\n{% endif %}\n",
    )
    .unwrap();
    let out = render(dir.path(), INVENTORY, &source);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(3), "{err}");
    assert!(
        err.contains("the tree does not render for 1 node(s); nothing written"),
        "{err}"
    );
    assert!(
        err.contains("r1-n2: Rendering SLS 'base:fleet-test' failed"),
        "{err}"
    );
    assert!(err.contains("line 4"), "{err}");
    assert!(!err.contains("r1-n1:"), "{err}");
    assert!(!dir.path().join("out").exists());
}

/// The generated minion configs carry the fleet's reconnect window: the
/// time the master needs to authenticate every node again after a restart
/// (`fleet.reconnect.master_auth_per_second`), at least 1 s.
#[test]
fn the_minion_configs_carry_a_reconnect_window_sized_for_the_fleet() {
    let source = halite_tests::repo_root().join("tests/fleet/tree");
    let window = |inventory: &str| {
        let dir = tempfile::tempdir().unwrap();
        let out = render(dir.path(), inventory, &source);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let conf = fs::read_to_string(dir.path().join("out/minion.d/r2-n1.conf")).unwrap();
        ["recon_default", "recon_max", "recon_randomize"]
            .map(|key| {
                conf.lines()
                    .find_map(|l| l.strip_prefix(&format!("{key}: ")))
                    .unwrap_or_else(|| panic!("no {key} in:\n{conf}"))
                    .to_string()
            })
            .join(" ")
    };
    assert_eq!(window(INVENTORY), "500 500 true");
    let slow_master = INVENTORY.replace(
        "  roles: {worker: [fleet-test]}",
        "  roles: {worker: [fleet-test]}\n  reconnect: {master_auth_per_second: 1}",
    );
    assert_eq!(window(&slow_master), "500 2500 true");
}
