//! `halite call` end to end: exit codes, stderr texts and the JSON envelope,
//! on a throw-away masterless configuration (compared with real salt-call's
//! behaviour for the same command lines).

use halite_api::{CmdOutput, CmdSpec, CommandRunner, SystemRunner};

struct Tree {
    dir: tempfile::TempDir,
}

impl Tree {
    fn new() -> Self {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir_all(root.join("etc")).unwrap();
        std::fs::create_dir_all(root.join("srv/salt")).unwrap();
        std::fs::create_dir_all(root.join("srv/pillar")).unwrap();
        std::fs::write(
            root.join("srv/salt/broken.sls"),
            "x:\n  cmd.run:\n    - name: {{ nope }}\n",
        )
        .unwrap();
        let conf = serde_json::json!({
            "id": "cli-test",
            "file_client": "local",
            "root_dir": root.join("root"),
            "file_roots": {"base": [root.join("srv/salt")]},
            "pillar_roots": {"base": [root.join("srv/pillar")]},
        });
        std::fs::write(root.join("etc/minion"), conf.to_string()).unwrap();
        Tree { dir }
    }

    fn call(&self, args: &[&str]) -> CmdOutput {
        let mut argv = vec![
            env!("CARGO_BIN_EXE_halite").to_string(),
            "call".into(),
            "-c".into(),
        ];
        argv.push(self.dir.path().join("etc").display().to_string());
        argv.extend(args.iter().map(|s| s.to_string()));
        SystemRunner.run(&CmdSpec::argv(argv)).unwrap()
    }
}

#[test]
fn render_error_is_a_list_and_exit_1_even_with_passthrough() {
    let t = Tree::new();
    for extra in [&[][..], &["--retcode-passthrough"][..]] {
        let mut args = vec!["--local", "--out=json"];
        args.extend_from_slice(extra);
        args.push("state.apply");
        args.push("broken");
        let out = t.call(&args);
        assert_eq!(out.retcode, 1, "{}", out.stderr_text());
        let doc: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        let errors = doc["local"].as_array().expect("list of errors");
        assert!(errors[0]
            .as_str()
            .unwrap()
            .contains("Rendering SLS 'base:broken' failed"));
        assert!(out.stdout_text().starts_with("{\n    \"local\": [\n"));
    }
}

#[test]
fn unknown_function_and_usage_errors() {
    let t = Tree::new();
    let out = t.call(&["--local", "nope.fun"]);
    assert_eq!(
        (out.retcode, out.stderr_text()),
        (255, "'nope.fun' is not available.".to_string())
    );
    assert!(out.stdout.is_empty());
    let out = t.call(&["--local"]);
    assert_eq!(out.retcode, 64);
    assert!(out
        .stderr_text()
        .ends_with("salt-call: error: Requires function, --grains or --doc"));
    let out = t.call(&["--bogus", "test.ping"]);
    assert_eq!(out.retcode, 64);
    assert!(out
        .stderr_text()
        .ends_with("salt-call: error: no such option: --bogus"));
}

#[test]
fn invalid_outputter_logs_and_falls_back_to_nested() {
    let t = Tree::new();
    let out = t.call(&["--local", "--out=quiet", "state.apply", "broken"]);
    assert_eq!(out.retcode, 1);
    assert_eq!(
        out.stderr_text(),
        "[ERROR   ] Invalid outputter quiet specified, fall back to nested"
    );
    assert!(out
        .stdout_text()
        .starts_with("local:\n    - Rendering SLS 'base:broken' failed"));
}

#[test]
fn out_file_receives_the_output() {
    let t = Tree::new();
    let file = t.dir.path().join("out.txt");
    let arg = format!("--out-file={}", file.display());
    let out = t.call(&[
        "--local",
        "--out",
        "json",
        "--out-indent",
        "-1",
        &arg,
        "state.apply",
        "broken",
    ]);
    assert_eq!(out.retcode, 1);
    assert!(out.stdout.is_empty());
    let text = std::fs::read_to_string(file).unwrap();
    assert!(text.starts_with("{\"local\": [\"Rendering SLS"), "{text}");
}
