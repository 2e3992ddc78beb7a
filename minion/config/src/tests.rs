//! Loader tests on temporary config directories.

use std::path::Path;

use serde_json::json;

use crate::{load_with, ConfigError, IdSources, MinionConfig};

struct FixedHost(&'static str);

impl IdSources for FixedHost {
    fn hostname(&self) -> String {
        self.0.into()
    }
    fn fqdn(&self, name: &str) -> String {
        name.into()
    }
    fn read(&self, _path: &str) -> Option<String> {
        None
    }
    fn ip_addrs(&self) -> Vec<String> {
        Vec::new()
    }
}

/// A config dir with `root_dir` pointed into the temp dir (so id caching stays inside).
fn setup(main: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = dir.path().join("root");
    let text = format!("root_dir: {}\n{main}", root.display());
    std::fs::write(dir.path().join("minion"), text).unwrap();
    dir
}

fn write(dir: &Path, rel: &str, text: &str) {
    let path = dir.join(rel);
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn load(dir: &Path) -> MinionConfig {
    load_with(dir, &FixedHost("node1.example.com")).unwrap()
}

#[test]
fn defaults_apply_without_files() {
    // No `minion` file: only minion.d (read even then) pins root_dir into the temp dir.
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "minion.d/root.conf",
        &format!("root_dir: {}\n", dir.path().join("root").display()),
    );
    let cfg = load_with(dir.path(), &FixedHost("h")).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(cfg.get("master"), Some(&json!("salt")));
    assert_eq!(cfg.get("master_port"), Some(&json!(4506)));
    assert_eq!(cfg.get("file_client"), Some(&json!("remote")));
    assert_eq!(cfg.get("ipc_write_buffer"), Some(&json!(0)));
    assert_eq!(cfg.get("__role"), Some(&json!("minion")));
    assert_eq!(cfg.get("beacons"), Some(&json!({})));
    assert_eq!(cfg.get("conf_file"), Some(&json!("/etc/salt/minion")));
}

#[test]
fn main_file_values_and_conf_file() {
    let dir = setup("master: [m1, m2]\nid: web01\nlog_level: debug\nfile_client: local\n");
    let cfg = load(dir.path());
    assert_eq!(cfg.get("master"), Some(&json!(["m1", "m2"])));
    assert_eq!(cfg.get("id"), Some(&json!("web01")));
    assert_eq!(cfg.get("log_level"), Some(&json!("debug")));
    assert_eq!(
        cfg.get("conf_file"),
        Some(&json!(dir.path().join("minion").display().to_string()))
    );
    assert_eq!(cfg.config_dir, dir.path());
}

#[test]
fn minion_d_sorted_later_wins_and_lists_merge() {
    let dir = setup("id: a\nlog_level: info\n");
    write(
        dir.path(),
        "minion.d/20-b.conf",
        "log_level: error\nsls_list: [y, z]\n",
    );
    write(
        dir.path(),
        "minion.d/10-a.conf",
        "log_level: debug\nsls_list: [x, y]\nmaster_port: 5506\n",
    );
    write(dir.path(), "minion.d/ignored.txt", "log_level: critical\n");
    let cfg = load(dir.path());
    assert_eq!(cfg.get("log_level"), Some(&json!("error")));
    assert_eq!(cfg.get("sls_list"), Some(&json!(["x", "y", "z"])));
    assert_eq!(cfg.get("master_port"), Some(&json!(5506)));
}

#[test]
fn default_include_can_be_changed_and_include_is_read() {
    let dir = setup("id: a\ndefault_include: conf.d/*.yml\ninclude: extra.conf\n");
    write(dir.path(), "minion.d/a.conf", "log_level: debug\n");
    write(dir.path(), "conf.d/a.yml", "auth_tries: 3\n");
    write(dir.path(), "extra.conf", "auth_timeout: 9\n");
    let cfg = load(dir.path());
    assert_eq!(cfg.get("log_level"), Some(&json!("warning")));
    assert_eq!(cfg.get("auth_tries"), Some(&json!(3)));
    assert_eq!(cfg.get("auth_timeout"), Some(&json!(9)));
}

#[test]
fn root_dir_prefixes_path_options() {
    let dir = setup("id: a\nlog_file: udp://loghost:514\n");
    let cfg = load(dir.path());
    let root = dir.path().join("root").display().to_string();
    assert_eq!(
        cfg.get("cachedir"),
        Some(&json!(format!("{root}/var/cache/salt/minion")))
    );
    assert_eq!(
        cfg.get("pki_dir"),
        Some(&json!(format!("{root}/etc/salt/pki/minion")))
    );
    assert_eq!(
        cfg.get("sock_dir"),
        Some(&json!(format!("{root}/var/run/salt/minion")))
    );
    assert_eq!(
        cfg.get("pidfile"),
        Some(&json!(format!("{root}/var/run/salt-minion.pid")))
    );
    assert_eq!(
        cfg.get("extension_modules"),
        Some(&json!(format!("{root}/var/cache/salt/minion/extmods")))
    );
    assert_eq!(cfg.get("log_file"), Some(&json!("udp://loghost:514")));
    assert_eq!(cfg.get("__cachedir"), cfg.get("cachedir"));
    assert_eq!(
        cfg.get("file_roots"),
        Some(&json!({"base": ["/srv/salt", "/srv/spm/salt"]}))
    );
}

#[test]
fn log_dir_moves_log_file() {
    let dir = setup("id: a\nlog_dir: /logs\n");
    let cfg = load(dir.path());
    let root = dir.path().join("root").display().to_string();
    assert_eq!(
        cfg.get("log_file"),
        Some(&json!(format!("{root}/logs/minion")))
    );
}

#[test]
fn numeric_id_becomes_string() {
    let dir = setup("id: 1234\n");
    assert_eq!(load(dir.path()).get("id"), Some(&json!("1234")));
}

#[test]
fn id_generated_then_cached_then_read_back() {
    let dir = setup("");
    let cfg = load(dir.path());
    assert_eq!(cfg.get("id"), Some(&json!("node1.example.com")));
    let cache = dir.path().join("root/etc/salt/minion_id");
    assert_eq!(
        std::fs::read_to_string(&cache).unwrap(),
        "node1.example.com"
    );
    std::fs::write(&cache, "cached\n").unwrap();
    assert_eq!(load(dir.path()).get("id"), Some(&json!("cached")));
}

#[test]
fn id_lowercase_remove_domain_and_append_domain() {
    let dir = setup(
        "minion_id_caching: false\nminion_id_lowercase: true\nminion_id_remove_domain: true\n",
    );
    let cfg = load_with(dir.path(), &FixedHost("NODE2.Example.com")).unwrap();
    assert_eq!(cfg.get("id"), Some(&json!("node2")));
    assert!(!dir.path().join("root/etc/salt/minion_id").exists());
    let dir = setup("id: web\nappend_domain: example.org\n");
    assert_eq!(load(dir.path()).get("id"), Some(&json!("web.example.org")));
}

#[test]
fn unknown_keys_are_kept() {
    let dir = setup("id: a\nmy_custom_option: {nested: [1, 2]}\n");
    assert_eq!(
        load(dir.path()).get("my_custom_option"),
        Some(&json!({"nested": [1, 2]}))
    );
}

#[test]
fn grains_and_schedule_and_roots() {
    let dir = setup("id: a\ngrains: {role: web}\nschedule: {job1: {function: test.ping, seconds: 60}}\nfile_roots: {base: [/srv/a], 2: /bad}\n");
    let cfg = load(dir.path());
    assert_eq!(cfg.get("grains"), Some(&json!({"role": "web"})));
    assert_eq!(cfg.get("schedule").unwrap()["job1"]["seconds"], json!(60));
    assert_eq!(
        cfg.get("file_roots"),
        Some(&json!({"base": ["/srv/a"], "2": []}))
    );
}

fn bad_value(main: &str, extra: Option<(&str, &str)>) -> (std::path::PathBuf, String, String) {
    let dir = setup(main);
    if let Some((rel, text)) = extra {
        write(dir.path(), rel, text);
    }
    match load_with(dir.path(), &FixedHost("h")) {
        Err(ConfigError::BadValue { file, key, message }) => (
            file.strip_prefix(dir.path()).unwrap().to_path_buf(),
            key,
            message,
        ),
        other => panic!("expected BadValue, got {other:?}"),
    }
}

#[test]
fn wrong_types_name_file_and_key() {
    let (file, key, message) = bad_value("id: a\nmaster_port: abc\n", None);
    assert_eq!(
        (file.to_str().unwrap(), key.as_str()),
        ("minion", "master_port")
    );
    assert!(message.contains("'abc'"), "{message}");
    let (file, key, _) = bad_value(
        "id: a\n",
        Some(("minion.d/x.conf", "multiprocessing: maybe\n")),
    );
    assert_eq!(
        (file.to_str().unwrap(), key.as_str()),
        ("minion.d/x.conf", "multiprocessing")
    );
    let (_, key, _) = bad_value("id: a\nsls_list: just-a-string\n", None);
    assert_eq!(key, "sls_list");
    let (_, key, _) = bad_value("id: a\nencryption_algorithm: RSA\n", None);
    assert_eq!(key, "encryption_algorithm");
}

#[test]
fn yaml_errors_name_the_file() {
    let dir = setup("id: [unclosed\n");
    match load_with(dir.path(), &FixedHost("h")) {
        Err(ConfigError::Parse { file, message }) => {
            assert_eq!(file, dir.path().join("minion"));
            assert!(
                message.contains("Error parsing configuration file"),
                "{message}"
            );
        }
        other => panic!("expected Parse, got {other:?}"),
    }
    let dir = setup("");
    write(dir.path(), "minion.d/list.conf", "- a\n- b\n");
    let err = load_with(dir.path(), &FixedHost("h")).unwrap_err();
    assert!(err.to_string().contains("should be a document"), "{err}");
}
