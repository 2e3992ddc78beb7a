//! When the package database is refreshed, as Salt decides it: the rtag
//! file `cachedir/pkg_refresh` is written by the first `pkg.installed` or
//! `pkg.latest` of a state run (Salt's `pkg.mod_init`) and removed by every
//! refresh, so one state run refreshes once unless `refresh: False`, and
//! `refresh: True` always refreshes.

use std::path::PathBuf;

use halite_api::{Ctx, Value};

/// The rtag file.
fn rtag(ctx: &Ctx) -> PathBuf {
    ctx.cachedir().join("pkg_refresh")
}

/// Salt's `pkg.mod_init`: once per run (job), before the first
/// `pkg.installed`/`pkg.latest`, write the rtag.
pub fn mod_init(ctx: &Ctx) {
    let mut context = ctx.context.lock().unwrap_or_else(|e| e.into_inner());
    if context
        .insert("pkg.mod_init".into(), Value::Bool(true))
        .is_none()
    {
        let path = rtag(ctx);
        if let Some(dir) = path.parent() {
            let _ = std::fs::create_dir_all(dir);
        }
        if let Err(e) = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(&path)
        {
            tracing::warn!("Encountered error writing rtag {}: {e}", path.display());
        }
    }
}

/// Salt's `check_refresh`: `refresh: True`, or the rtag exists and
/// `refresh` is not `False`.
pub fn check_refresh(ctx: &Ctx, refresh: Option<bool>) -> bool {
    refresh == Some(true) || (refresh != Some(false) && rtag(ctx).is_file())
}

/// After a refresh: remove the rtag.
pub fn clear(ctx: &Ctx) {
    let _ = std::fs::remove_file(rtag(ctx));
}
