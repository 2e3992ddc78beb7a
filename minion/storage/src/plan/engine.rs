//! The engine side of overlay2: `storage-driver` in `/etc/docker/daemon.json`
//! (merged into what is there) and `driver` in the `[storage]` table of
//! `/etc/containers/storage.conf`. devicemapper engines read the sysconfig
//! file instead (setting both makes dockerd refuse to start), so these are
//! only written for overlay drivers.

use super::{Facts, Paths, Step};
use crate::config::{CssConfig, Driver};

pub fn configure(
    cfg: &CssConfig,
    paths: &Paths,
    facts: &Facts,
    steps: &mut Vec<Step>,
) -> Result<(), String> {
    if !matches!(cfg.driver, Driver::Overlay | Driver::Overlay2) {
        return Ok(());
    }
    if let (Some(path), Some(out)) = (&paths.daemon_json, &paths.output_file) {
        return Err(format!(
            "daemon_json ({path}) and output_file ({out}) would both set the storage driver, and dockerd \
             refuses a driver given both as a flag and in daemon.json: set output_file: ''"
        ));
    }
    if let Some(path) = &paths.daemon_json {
        let merged = daemon_json(facts.daemon_json.as_deref(), cfg.driver.name())
            .map_err(|e| format!("{path}: {e}"))?;
        if facts.daemon_json.as_deref() != Some(merged.as_str()) {
            steps.push(Step::Write {
                path: path.clone(),
                content: merged,
                mode: 0o644,
            });
        }
    }
    if let Some(path) = &paths.storage_conf {
        let edited = storage_conf(facts.storage_conf.as_deref());
        if facts.storage_conf.as_deref() != Some(edited.as_str()) {
            steps.push(Step::Write {
                path: path.clone(),
                content: edited,
                mode: 0o644,
            });
        }
    }
    Ok(())
}

/// daemon.json with `storage-driver` set; other keys kept. Unchanged text is
/// returned as is when it already says so.
pub fn daemon_json(current: Option<&str>, driver: &str) -> Result<String, String> {
    let mut doc = match current.map(str::trim).filter(|t| !t.is_empty()) {
        None => serde_json::Map::new(),
        Some(text) => match serde_json::from_str::<serde_json::Value>(text) {
            Ok(serde_json::Value::Object(m)) => m,
            Ok(_) => return Err("is not a JSON object; not touching it".into()),
            Err(e) => return Err(format!("is not valid JSON ({e}); not touching it")),
        },
    };
    if doc.get("storage-driver").and_then(|v| v.as_str()) == Some(driver) {
        return Ok(current.unwrap_or_default().to_string());
    }
    doc.insert("storage-driver".into(), driver.into());
    let mut text =
        serde_json::to_string_pretty(&serde_json::Value::Object(doc)).expect("a map serialises");
    text.push('\n');
    Ok(text)
}

/// storage.conf with `driver = "overlay"` in `[storage]` (containers/storage
/// calls overlay2 `overlay`). A missing file gets the minimal table.
pub fn storage_conf(current: Option<&str>) -> String {
    const WANT: &str = "driver = \"overlay\"";
    let Some(text) = current.filter(|t| !t.trim().is_empty()) else {
        return format!("[storage]\n{WANT}\nrunroot = \"/run/containers/storage\"\ngraphroot = \"/var/lib/containers/storage\"\n");
    };
    let mut out: Vec<String> = Vec::new();
    let mut in_storage = false;
    let mut done = false;
    for line in text.lines() {
        let t = line.trim();
        if t.starts_with('[') {
            if in_storage && !done {
                out.push(WANT.into());
                done = true;
            }
            in_storage = t == "[storage]";
        } else if in_storage && !done && t.split('=').next().map(str::trim) == Some("driver") {
            out.push(WANT.into());
            done = true;
            continue;
        }
        out.push(line.to_string());
    }
    if !done {
        if !in_storage {
            out.push("[storage]".into());
        }
        out.push(WANT.into());
    }
    let mut s = out.join("\n");
    s.push('\n');
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn daemon_json_merges() {
        let t = daemon_json(Some("{\"log-driver\": \"journald\"}"), "overlay2").unwrap();
        let v: serde_json::Value = serde_json::from_str(&t).unwrap();
        assert_eq!(v["log-driver"], "journald");
        assert_eq!(v["storage-driver"], "overlay2");
        assert_eq!(daemon_json(Some(&t), "overlay2").unwrap(), t);
        assert!(daemon_json(Some("[1]"), "overlay2").is_err());
        assert!(daemon_json(Some("{oops"), "overlay2").is_err());
    }

    #[test]
    fn storage_conf_edits_the_storage_table() {
        let t = storage_conf(Some(
            "[storage]\ndriver = \"vfs\"\ngraphroot = \"/x\"\n[storage.options]\nsize = \"\"\n",
        ));
        assert_eq!(
            t,
            "[storage]\ndriver = \"overlay\"\ngraphroot = \"/x\"\n[storage.options]\nsize = \"\"\n"
        );
        assert_eq!(storage_conf(Some(&t)), t);
        let t = storage_conf(Some("[storage]\ngraphroot = \"/x\"\n[engine]\n"));
        assert_eq!(
            t,
            "[storage]\ngraphroot = \"/x\"\ndriver = \"overlay\"\n[engine]\n"
        );
        assert!(storage_conf(None).starts_with("[storage]\ndriver = \"overlay\"\n"));
    }
}
