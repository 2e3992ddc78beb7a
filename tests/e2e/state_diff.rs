//! Differential state runs: one real salt-master, one Python salt-minion and one
//! Halite minion with the same grains, SLS tree (the repository's states/ and
//! formulas/) and per-rack pillar; `salt -L diff-py,diff-halite state.apply` must
//! give the same result for both once ids, sandbox roots, times and pids are
//! normalised.

use std::fs;
use std::path::Path;
use std::time::Duration;

use halite_tests::minion::{Flavor, Minion};
use halite_tests::net::wait_until;
use halite_tests::repo_root;
use halite_tests::require_salt;
use halite_tests::salt::{Master, MasterSpec, PINNED_SALT};
use serde_json::{json, Value};

const PY: &str = "diff-py";
const HALITE: &str = "diff-halite";

struct Pair {
    master: Master,
    _py: Minion,
    _halite: Minion,
    sandbox: tempfile::TempDir,
}

fn node_root(sandbox: &Path, id: &str) -> String {
    sandbox.join(id).display().to_string()
}

fn start_pair(venv: &Path) -> Pair {
    let repo = repo_root();
    let trees = repo.join("tests/e2e/trees");
    let sandbox = tempfile::Builder::new()
        .prefix("halite-diff-")
        .tempdir()
        .unwrap();
    let mut extra = serde_json::Map::new();
    let pillar_dir = sandbox.path().join("pillar");
    extra.insert(
        "file_roots".into(),
        json!({"base": [repo.join("states"), repo.join("formulas"), trees.join("extra")]}),
    );
    extra.insert(
        "pillar_roots".into(),
        json!({"base": [pillar_dir, repo.join("pillar")]}),
    );
    fs::create_dir_all(&pillar_dir).unwrap();
    fs::copy(trees.join("pillar/top.sls"), pillar_dir.join("top.sls")).unwrap();
    for id in [PY, HALITE] {
        let body = format!("node:\n  root: {}\n", node_root(sandbox.path(), id));
        fs::write(
            pillar_dir.join(format!("node-{}.sls", id.trim_start_matches("diff-"))),
            body,
        )
        .unwrap();
    }
    let master = Master::start(
        venv,
        MasterSpec {
            extra,
            ..Default::default()
        },
    );
    let grains = json!({"grains": {"rack": "r12", "roles": ["k8s-node"]}});
    let py = Minion::start(&master, PY, Flavor::Python, grains.clone());
    let halite = Minion::start(&master, HALITE, Flavor::Halite, grains);
    let both_up = wait_until(Duration::from_secs(90), || {
        let (v, _) = master.salt_json(&[
            "-L",
            &format!("{PY},{HALITE}"),
            "test.ping",
            "--timeout",
            "5",
        ]);
        v.get(PY) == Some(&json!(true)) && v.get(HALITE) == Some(&json!(true))
    });
    assert!(
        both_up,
        "minions did not both answer; halite log:\n{}",
        halite.log()
    );
    Pair {
        master,
        _py: py,
        _halite: halite,
        sandbox,
    }
}

/// Replace what legitimately differs between the two minions.
fn normalise(v: &Value, id: &str, root: &str) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace(root, "{{ROOT}}").replace(id, "{{ID}}")),
        Value::Array(a) => Value::Array(a.iter().map(|x| normalise(x, id, root)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let k2 = k.replace(root, "{{ROOT}}").replace(id, "{{ID}}");
                    let volatile = matches!(k.as_str(), "start_time" | "duration" | "pid");
                    (
                        k2,
                        if volatile {
                            json!("<volatile>")
                        } else {
                            normalise(x, id, root)
                        },
                    )
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

fn apply_both(pair: &Pair, args: &[&str]) -> (Value, Value, i32) {
    let list = format!("{PY},{HALITE}");
    let mut all = vec!["-L", list.as_str()];
    all.extend_from_slice(args);
    all.extend(["--timeout", "60"]);
    let (v, code) = pair.master.salt_json(&all);
    let version = halite_tests::salt::venv_version(&pair.master.venv);
    let side = |id: &str| {
        let v = normalise(&v[id], id, &node_root(pair.sandbox.path(), id));
        halite_tests::salt::drop_version_differences(&v, &version)
    };
    (side(PY), side(HALITE), code)
}

fn assert_same(py: &Value, halite: &Value, what: &str) {
    assert!(
        py.is_object() || py.is_array(),
        "{what}: python minion returned {py}"
    );
    if py != halite {
        let a = serde_json::to_string_pretty(py).unwrap();
        let b = serde_json::to_string_pretty(halite).unwrap();
        panic!("{what}: results differ\n--- python\n{a}\n--- halite\n{b}");
    }
}

#[test]
fn state_apply_matches_python_minion() {
    let venv = require_salt!(PINNED_SALT);
    let pair = start_pair(&venv);

    let (py, ha, _) = apply_both(&pair, &["state.apply", "test=True"]);
    assert_same(&py, &ha, "state.apply test=True (nothing applied yet)");

    let (py, ha, _) = apply_both(&pair, &["state.apply"]);
    assert_same(&py, &ha, "first state.apply");
    let motd =
        fs::read_to_string(Path::new(&node_root(pair.sandbox.path(), HALITE)).join("etc/motd"))
            .unwrap();
    assert!(
        motd.contains("rack: r12 (ToR 10.12.0.1)"),
        "motd from salt:// template: {motd}"
    );

    let (py, ha, _) = apply_both(&pair, &["state.apply"]);
    assert_same(&py, &ha, "converged state.apply");

    let (py, ha, _) = apply_both(&pair, &["state.apply", "failing"]);
    assert_same(&py, &ha, "state.apply with a failing state");
}
