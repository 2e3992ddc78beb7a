//! The example inventory over the repository's own states and formulas:
//! every node's highstate renders and compiles with Halite's engine; a
//! broken SLS fails the check naming the node, the file and the line.

use std::path::{Path, PathBuf};
use std::sync::Arc;

use halite_ctl::tree::{check, generate, publish::Roots};

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn sources() -> Vec<PathBuf> {
    vec![repo().join("states"), repo().join("formulas")]
}

fn staged(tree: &halite_ctl::tree::Tree) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let roots = Roots::new(dir.path());
    roots.publish(tree, 2).unwrap();
    let current = dir.path().join("current");
    (dir, current)
}

#[test]
fn every_example_node_renders_with_the_repo_states() {
    let inv = halite_ctl::inventory::load(&repo().join("master-ext/examples/fleet.yaml")).unwrap();
    let tree = generate::generate(&inv, &sources()).unwrap();
    let (_keep, dir) = staged(&tree);
    let failures = check::check_tree(&inv, &dir, 2, &|_| {});
    assert!(failures.is_empty(), "{failures:#?}");
    // the generated pillar reaches the formulas: r13's node runs r13's image
    let registry = Arc::new(halite::call::context::registry());
    let (rack, node) = inv.nodes().find(|(_, n)| n.name == "r13-n01").unwrap();
    assert!(check::render_node(&node.name, inv.grains_of(rack, node), &dir, registry).is_empty());
}

#[test]
fn a_broken_sls_names_node_file_and_line() {
    let inv = halite_ctl::inventory::load(&repo().join("master-ext/examples/fleet.yaml")).unwrap();
    let src = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(src.path().join("roles")).unwrap();
    std::fs::write(src.path().join("common.sls"), "ok:\n  test.nop: []\n").unwrap();
    std::fs::write(src.path().join("network.sls"), "ok2:\n  test.nop: []\n").unwrap();
    std::fs::write(src.path().join("storage.sls"), "ok3:\n  test.nop: []\n").unwrap();
    std::fs::write(src.path().join("os.sls"), "ok4:\n  test.nop: []\n").unwrap();
    std::fs::write(
        src.path().join("roles/k8s-node.sls"),
        "a:\n  test.nop: []\n{% if grains.id == 'r12-n02' %}\nb: [unclosed\n{% endif %}\n",
    )
    .unwrap();
    let tree = generate::generate(&inv, &[src.path().to_path_buf()]).unwrap();
    let (_keep, dir) = staged(&tree);
    let failures = check::check_tree(&inv, &dir, 2, &|_| {});
    assert_eq!(failures.len(), 1, "{failures:#?}");
    assert_eq!(failures[0].node, "r12-n02");
    let text = failures[0].errors.join("\n");
    assert!(
        text.contains("roles.k8s-node") || text.contains("roles/k8s-node.sls"),
        "{text}"
    );
    assert!(text.contains("line 4"), "{text}");
}
