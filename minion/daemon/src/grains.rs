//! The minion's grains: halite-grains' core grains, then the `grains` file in
//! the config directory, then the `grains:` option (Salt's precedence).

use std::path::Path;

use halite_api::{Map, Value};

use crate::DaemonError;

/// What the minion detects about the live host: halite-grains' core grains
/// and, on image-based hosts, the `ostree_*` grains (`halite call` uses it too).
pub fn detected(opts: &Map) -> Map {
    let id = opts.get("id").and_then(Value::as_str).unwrap_or_default();
    let mut collect = halite_grains::CollectOptions::new(id);
    if let Some(master) = opts.get("master") {
        collect.master = master.clone();
    }
    let mut grains = halite_grains::collect_with(&halite_grains::SystemHost::default(), &collect);
    grains.extend(halite_ostree::sysroot::grains(
        &halite_ostree::sysroot::Sysroot::from_opts(opts),
    ));
    grains.extend(halite_storage::usage::grains(
        opts,
        &halite_api::SystemRunner,
    ));
    grains
}

/// Core grains plus static grains for this configuration.
pub fn assemble(opts: &Map, config_dir: &Path) -> Result<Value, DaemonError> {
    let mut grains = detected(opts);
    let file = read_grains_file(&config_dir.join("grains"))?;
    let configured = match opts.get("grains") {
        None | Some(Value::Null) => None,
        Some(Value::Object(m)) => Some(m),
        Some(_) => {
            return Err(DaemonError::Fatal(
                "minion config: key 'grains': expected a mapping".into(),
            ))
        }
    };
    halite_grains::merge_static(&mut grains, configured, file.as_ref());
    Ok(Value::Object(grains))
}

/// The `grains` file (YAML mapping); absent or empty is no grains.
fn read_grains_file(path: &Path) -> Result<Option<Map>, DaemonError> {
    let text = match std::fs::read_to_string(path) {
        Ok(t) => t,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => {
            return Err(DaemonError::Fatal(format!(
                "cannot read {}: {e}",
                path.display()
            )))
        }
    };
    match halite_render::yaml::load(&text) {
        Ok(Value::Object(m)) => Ok(Some(m)),
        Ok(Value::Null) => Ok(None),
        Ok(_) => Err(DaemonError::Fatal(format!(
            "{}: grains file must be a mapping",
            path.display()
        ))),
        Err(e) => Err(DaemonError::Fatal(format!("{}: {e}", path.display()))),
    }
}
