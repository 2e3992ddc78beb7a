//! Salt's `apply_minion_config`: defaults + file options, then the derived options
//! (id, `root_dir` prefixing, roots normalisation, ...).

use std::path::Path;

use halite_api::{Map, Value};

use crate::minion_id::{self, IdSources};
use crate::rootdir::{prepend_root_dir, salt_join};
use crate::ConfigError;

/// Merge `overrides` over Salt's defaults and derive the computed options.
pub fn apply_minion_config(
    mut overrides: Map,
    conf_file: &Path,
    ids: &dyn IdSources,
) -> Result<Map, ConfigError> {
    let mut opts = crate::defaults::minion_defaults();
    opts.insert("__role".into(), "minion".into());
    adjust_log_file_override(
        &mut overrides,
        opts["log_file"].as_str().unwrap_or("/var/log/salt/minion"),
    );
    let overrides_ipc = overrides.get("ipc_write_buffer").cloned();
    for (k, v) in overrides {
        opts.insert(k, v);
    }
    apply_saltenv(&mut opts);
    rename_fileserver_backends(&mut opts);
    opts.insert("__cli".into(), Value::String(cli_name()));
    resolve_id(&mut opts, ids);
    append_minionid_dirs(&mut opts);
    shorten_sock_dir(&mut opts);
    let open_mode = opts.get("open_mode") == Some(&Value::Bool(true));
    opts.insert("open_mode".into(), Value::Bool(open_mode));
    for key in ["file_roots", "pillar_roots"] {
        let normalized = normalize_roots(opts.get(key), key);
        opts.insert(key.into(), normalized);
    }
    derive_module_dirs(&mut opts);
    let path_keys = root_dir_options(&opts);
    prepend_root_dir(&mut opts, &path_keys);
    opts.entry("beacons")
        .or_insert_with(|| Value::Object(Map::new()));
    match overrides_ipc {
        None => {
            opts.insert("ipc_write_buffer".into(), Value::from(0));
        }
        Some(Value::String(s)) if s == "dynamic" => {}
        Some(_) => {}
    }
    if let Some(Value::String(h)) = opts.get("hash_type") {
        let lower = h.to_lowercase();
        opts.insert("hash_type".into(), Value::String(lower));
    }
    check_algorithm(
        &opts,
        conf_file,
        "encryption_algorithm",
        &["OAEP-SHA1", "OAEP-SHA224"],
    )?;
    check_algorithm(
        &opts,
        conf_file,
        "signing_algorithm",
        &["PKCS1v15-SHA1", "PKCS1v15-SHA224"],
    )?;
    if !opts.contains_key("__cachedir") {
        let cachedir = opts.get("cachedir").cloned().unwrap_or(Value::Null);
        opts.insert("__cachedir".into(), cachedir);
    }
    Ok(opts)
}

/// A `log_dir` override moves `log_file` into it (`_adjust_log_file_override`).
fn adjust_log_file_override(overrides: &mut Map, default_log_file: &str) {
    let Some(log_dir) = overrides
        .get("log_dir")
        .and_then(Value::as_str)
        .filter(|d| !d.is_empty())
    else {
        return;
    };
    let log_dir = log_dir.to_string();
    let new_file = match overrides
        .get("log_file")
        .and_then(Value::as_str)
        .filter(|f| !f.is_empty())
    {
        Some(file) if file.starts_with('/') => return,
        Some(file) => format!("{}/{}", log_dir.trim_end_matches('/'), file),
        None => {
            let base = Path::new(default_log_file)
                .file_name()
                .and_then(|n| n.to_str())
                .unwrap_or("minion");
            format!("{}/{}", log_dir.trim_end_matches('/'), base)
        }
    };
    overrides.insert("log_file".into(), Value::String(new_file));
}

/// The deprecated `environment` option feeds `saltenv` (or is overridden by it).
fn apply_saltenv(opts: &mut Map) {
    let Some(environment) = opts.get("environment").cloned() else {
        return;
    };
    let saltenv = opts.get("saltenv").cloned().unwrap_or(Value::Null);
    if saltenv.is_null() {
        tracing::warn!("The 'environment' minion config option has been renamed to 'saltenv'.");
        opts.insert("saltenv".into(), environment);
    } else {
        tracing::warn!(
            "The 'saltenv' and 'environment' minion config options cannot both be used."
        );
        opts.insert("environment".into(), saltenv);
    }
}

fn rename_fileserver_backends(opts: &mut Map) {
    if let Some(Value::Array(backends)) = opts.get_mut("fileserver_backend") {
        for b in backends.iter_mut() {
            if let Some(name) = b
                .as_str()
                .filter(|n| ["git", "hg", "svn", "minion"].contains(n))
            {
                *b = Value::String(format!("{name}fs"));
            }
        }
    }
}

fn cli_name() -> String {
    std::env::args()
        .next()
        .and_then(|a| {
            Path::new(&a)
                .file_name()
                .map(|n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_default()
}

/// `id` option, else the cached/generated id (Salt's `get_id`), then `append_domain`.
fn resolve_id(opts: &mut Map, ids: &dyn IdSources) {
    let configured = opts
        .get("id")
        .map(crate::pystr)
        .filter(|s| !s.is_empty() && opts["id"] != Value::Null);
    let (id, is_ip) = match configured {
        Some(id) => (id, false),
        None => get_id(opts, ids),
    };
    let id = match opts.get("append_domain").and_then(Value::as_str) {
        Some(domain) if !is_ip && !id.ends_with(domain) && !id.ends_with('.') => {
            format!("{id}.{domain}")
        }
        _ => id,
    };
    opts.insert("id".into(), Value::String(id));
}

fn get_id(opts: &Map, ids: &dyn IdSources) -> (String, bool) {
    let root_dir = opts.get("root_dir").and_then(Value::as_str).unwrap_or("/");
    let cache = minion_id::cache_path(root_dir);
    let caching = opts.get("minion_id_caching").is_none_or(crate::truthy);
    if caching {
        if let Some(name) = minion_id::read_cached(&cache) {
            tracing::debug!("Using cached minion ID from {}: {}", cache.display(), name);
            return (name, false);
        }
    }
    let mut new_id = minion_id::generate(ids);
    if opts.get("minion_id_lowercase").is_some_and(crate::truthy) {
        new_id = new_id.to_lowercase();
    }
    new_id = remove_domain(opts.get("minion_id_remove_domain"), new_id);
    tracing::debug!("Found minion id from generate_minion_id(): {new_id}");
    if caching {
        minion_id::write_cache(&cache, &new_id);
    }
    let is_ip = new_id.parse::<std::net::Ipv4Addr>().is_ok();
    (new_id, is_ip)
}

fn remove_domain(option: Option<&Value>, id: String) -> String {
    match option {
        Some(Value::Bool(true)) => id.split('.').next().unwrap_or_default().to_string(),
        Some(Value::String(domain)) if !domain.is_empty() => {
            let suffix = format!(".{domain}");
            if id.to_uppercase().ends_with(&suffix.to_uppercase()) {
                id[..id.len() - suffix.len()].to_string()
            } else {
                id
            }
        }
        _ => id,
    }
}

/// `append_minionid_config_dirs`: per-id subdirectories.
fn append_minionid_dirs(opts: &mut Map) {
    let id = opts["id"].as_str().unwrap_or_default().to_string();
    let dirs: Vec<String> = match opts.get("append_minionid_config_dirs") {
        Some(Value::Array(items)) => items
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect(),
        _ => return,
    };
    for dir in &dirs {
        let Some(current) = opts
            .get(dir.as_str())
            .and_then(Value::as_str)
            .map(str::to_string)
        else {
            continue;
        };
        let new = match dir.as_str() {
            "pki_dir" | "cachedir" | "extension_modules" => {
                format!("{}/{}", current.trim_end_matches('/'), id)
            }
            "default_include" => {
                let p = Path::new(&current);
                let parent = p
                    .parent()
                    .map(|x| x.display().to_string())
                    .unwrap_or_default();
                let base = p
                    .file_name()
                    .map(|x| x.to_string_lossy().into_owned())
                    .unwrap_or_default();
                if parent.is_empty() {
                    format!("{id}/{base}")
                } else {
                    format!("{parent}/{id}/{base}")
                }
            }
            "pidfile" => {
                let p = Path::new(&current);
                let parent = p
                    .parent()
                    .map(|x| x.display().to_string())
                    .unwrap_or_default();
                let base = p
                    .file_name()
                    .map(|x| x.to_string_lossy().into_owned())
                    .unwrap_or_default();
                format!("{parent}/salt/{id}/{base}")
            }
            _ => continue,
        };
        opts.insert(dir.clone(), Value::String(new));
    }
}

/// A `sock_dir` more than 10 characters longer than `cachedir` moves under it.
fn shorten_sock_dir(opts: &mut Map) {
    let sock = opts
        .get("sock_dir")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .chars()
        .count();
    let Some(cachedir) = opts
        .get("cachedir")
        .and_then(Value::as_str)
        .map(str::to_string)
    else {
        return;
    };
    if sock > cachedir.chars().count() + 10 {
        opts.insert(
            "sock_dir".into(),
            Value::String(format!("{}/.salt-unix", cachedir.trim_end_matches('/'))),
        );
    }
}

/// `_validate_file_roots`/`_normalize_roots`: saltenv names as strings, lists of
/// directories (anything else → `[]`); a non-map falls back to the default root.
fn normalize_roots(value: Option<&Value>, key: &str) -> Value {
    let Some(Value::Object(map)) = value else {
        tracing::warn!("The {key} parameter is not properly formatted, using defaults");
        let default = if key == "file_roots" {
            "/srv/salt"
        } else {
            "/srv/pillar"
        };
        return serde_json::json!({ "base": [default] });
    };
    let mut out = Map::new();
    for (env, dirs) in map {
        let dirs: Vec<Value> = match dirs {
            Value::Array(items) => expand_glob_paths(items),
            _ => Vec::new(),
        };
        out.insert(env.clone(), Value::Array(dirs));
    }
    Value::Object(out)
}

/// `_expand_glob_path`: entries with wildcards become the matching paths.
fn expand_glob_paths(items: &[Value]) -> Vec<Value> {
    let mut out = Vec::new();
    for item in items {
        match item.as_str() {
            Some(path) if path.contains(['*', '?', '[']) => {
                out.extend(
                    crate::files::glob_files(Path::new(path))
                        .into_iter()
                        .map(|p| Value::String(p.display().to_string())),
                );
            }
            _ => out.push(item.clone()),
        }
    }
    out
}

fn derive_module_dirs(opts: &mut Map) {
    let ext_set = opts.get("extension_modules").is_some_and(crate::truthy);
    if !ext_set {
        let cachedir = opts
            .get("cachedir")
            .and_then(Value::as_str)
            .unwrap_or("/var/cache/salt/minion")
            .to_string();
        opts.insert(
            "extension_modules".into(),
            Value::String(salt_join(&cachedir, "extmods")),
        );
    }
    if !opts.get("utils_dirs").is_some_and(crate::truthy) {
        let ext = opts["extension_modules"]
            .as_str()
            .unwrap_or_default()
            .to_string();
        opts.insert(
            "utils_dirs".into(),
            serde_json::json!([format!("{}/utils", ext.trim_end_matches('/'))]),
        );
    }
}

/// The options Salt prefixes with `root_dir` (log files only when not a URL).
fn root_dir_options(opts: &Map) -> Vec<&'static str> {
    let mut keys = vec![
        "pki_dir",
        "cachedir",
        "sock_dir",
        "extension_modules",
        "pidfile",
    ];
    for key in ["log_file", "key_logfile"] {
        if let Some(Value::String(v)) = opts.get(key) {
            if !has_url_scheme(v) {
                keys.push(key);
            }
        }
    }
    keys
}

/// `urllib.parse.urlparse(v).scheme != ""`: letters/digits/`+-.` before a `:`.
fn has_url_scheme(v: &str) -> bool {
    match v.split_once(':') {
        Some((scheme, _)) => {
            !scheme.is_empty()
                && scheme.starts_with(|c: char| c.is_ascii_alphabetic())
                && scheme
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        }
        None => false,
    }
}

fn check_algorithm(
    opts: &Map,
    conf_file: &Path,
    key: &str,
    valid: &[&str],
) -> Result<(), ConfigError> {
    let value = opts.get(key).and_then(Value::as_str).unwrap_or_default();
    if valid.contains(&value) {
        return Ok(());
    }
    Err(ConfigError::BadValue {
        file: conf_file.to_path_buf(),
        key: key.into(),
        message: format!(
            "'{value}' is not valid. Please specify one of {}.",
            valid.join(",")
        ),
    })
}

#[cfg(test)]
mod tests {
    use super::{has_url_scheme, remove_domain};
    use serde_json::json;

    #[test]
    fn url_schemes() {
        assert!(has_url_scheme("udp://host:514"));
        assert!(has_url_scheme("file:///dev/log"));
        assert!(!has_url_scheme("/var/log/salt/minion"));
    }

    #[test]
    fn remove_domain_rules() {
        assert_eq!(remove_domain(Some(&json!(true)), "a.b.c".into()), "a");
        assert_eq!(remove_domain(Some(&json!("B.c")), "a.b.c".into()), "a");
        assert_eq!(remove_domain(Some(&json!("x.y")), "a.b.c".into()), "a.b.c");
        assert_eq!(remove_domain(Some(&json!(false)), "a.b.c".into()), "a.b.c");
    }
}
