//! The `cp` execution module: get_file, cache_file, list_master.

use std::path::{Path, PathBuf};

use halite_api::files::parse_salt_url;
use halite_api::{Ctx, ExecCall, ExecError, ExecSpec, Value};

use super::{ok, required_str, ExecResult};
use crate::util::atomic;

pub const SPECS: &[ExecSpec] = &[
    ExecSpec {
        name: "cp.get_file",
        doc: "Used to get a single file from the salt master",
        run: get_file,
    },
    ExecSpec {
        name: "cp.cache_file",
        doc: "Used to cache a single file on the Minion",
        run: cache_file,
    },
    ExecSpec {
        name: "cp.list_master",
        doc: "List all of the files stored on the master",
        run: list_master,
    },
];

fn saltenv(call: &ExecCall<'_>) -> String {
    call.kwargs
        .get("saltenv")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(|| call.ctx.saltenv.clone())
}

/// Fetch `salt://path` (or a local absolute path) into the local cache; `None` when missing.
pub fn cache_source(ctx: &Ctx, source: &str, saltenv: &str) -> Result<Option<PathBuf>, ExecError> {
    match parse_salt_url(source) {
        Some((path, env)) => ctx
            .files
            .cache_file(&path, env.as_deref().unwrap_or(saltenv))
            .map_err(|e| ExecError::Failed(e.to_string())),
        None => {
            let p = Path::new(source.strip_prefix("file://").unwrap_or(source));
            Ok(p.is_file().then(|| p.to_path_buf()))
        }
    }
}

fn get_file(call: &ExecCall<'_>) -> ExecResult {
    let path = required_str(call, 0, "path")?;
    let dest = required_str(call, 1, "dest")?;
    let Some(src) = cache_source(call.ctx, &path, &saltenv(call))? else {
        return ok("");
    };
    let mut dest_path = PathBuf::from(&dest);
    if dest.ends_with('/') || dest_path.is_dir() {
        dest_path = dest_path.join(src.file_name().unwrap_or_default());
    }
    if let Some(dir) = dest_path.parent() {
        if !dir.is_dir() {
            if !call.kwarg_bool("makedirs", false) {
                return ok("");
            }
            std::fs::create_dir_all(dir).map_err(|e| {
                ExecError::Failed(format!("Unable to create {}: {e}", dir.display()))
            })?;
        }
    }
    let data = std::fs::read(&src)
        .map_err(|e| ExecError::Failed(format!("Unable to read {}: {e}", src.display())))?;
    atomic::write_atomic(&dest_path, &data, 0o644)
        .map_err(|e| ExecError::Failed(format!("Unable to write {}: {e}", dest_path.display())))?;
    ok(dest_path.to_string_lossy().into_owned())
}

fn cache_file(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(
        call,
        &["path", "saltenv", "source_hash", "verify_ssl", "use_etag"],
    )?;
    let path = required_str(call, 0, "path")?;
    match cache_source(call.ctx, &path, &saltenv(call))? {
        Some(p) => ok(p.to_string_lossy().into_owned()),
        None => ok(false),
    }
}

fn list_master(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["saltenv", "prefix"])?;
    let env = call
        .arg_str(0, "saltenv")
        .unwrap_or_else(|| call.ctx.saltenv.clone());
    let files = call
        .ctx
        .files
        .list_files(&env)
        .map_err(|e| ExecError::Failed(e.to_string()))?;
    ok(Value::Array(files.into_iter().map(Value::String).collect()))
}

#[cfg(test)]
mod tests {
    use crate::testutil::{ctx_with, FakeRunner, TempDir};
    use halite_api::Map;
    use serde_json::json;

    #[test]
    fn get_and_cache() {
        let d = TempDir::new("cp");
        std::fs::create_dir_all(d.path("salt/dir")).unwrap();
        std::fs::write(d.path("salt/dir/a.txt"), "A").unwrap();
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let dest = d.s("out/a.txt");
        let kw = json!({"makedirs": true}).as_object().unwrap().clone();
        let r = ctx
            .call(
                "cp.get_file",
                vec![json!("salt://dir/a.txt"), json!(dest)],
                kw,
            )
            .unwrap();
        assert_eq!(r.ret, json!(dest));
        assert_eq!(std::fs::read_to_string(&dest).unwrap(), "A");
        assert_eq!(
            ctx.call(
                "cp.get_file",
                vec![json!("salt://nope"), json!(dest)],
                Map::new()
            )
            .unwrap()
            .ret,
            json!("")
        );
        assert_eq!(
            ctx.call("cp.cache_file", vec![json!("salt://nope")], Map::new())
                .unwrap()
                .ret,
            json!(false)
        );
        assert!(ctx
            .call(
                "cp.cache_file",
                vec![json!("salt://../etc/passwd")],
                Map::new()
            )
            .is_err());
        assert_eq!(
            ctx.call("cp.list_master", vec![], Map::new()).unwrap().ret,
            json!(["dir/a.txt"])
        );
    }
}
