//! `slsutil.file_exists`, `dir_exists`, `path_exists`, `findup`
//! (`salt/modules/slsutil.py`): questions about the state tree, answered
//! from the file client's file and directory lists (`cp.list_master`,
//! `cp.list_master_dirs`).

use halite_api::{ExecCall, ExecError, ExecSpec, Value};

use super::file::paths::{dirname, join, normpath};
use super::{ok, reject_unknown_kwargs, required_str, ExecResult};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec { name: "slsutil.file_exists", doc: "Return ``True`` if a file exists in the state tree, ``False`` otherwise.", run: file_exists },
    ExecSpec { name: "slsutil.dir_exists", doc: "Return ``True`` if a directory exists in the state tree, ``False`` otherwise.", run: dir_exists },
    ExecSpec { name: "slsutil.path_exists", doc: "Return ``True`` if a path exists in the state tree, ``False`` otherwise. The path could refer to a file or directory.", run: path_exists },
    ExecSpec { name: "slsutil.findup", doc: "Find the first path matching a filename or list of filenames in a specified directory or the nearest ancestor directory. Returns the full path to the first file found.", run: findup },
];

/// The state tree of one saltenv, as the fileserver lists it.
struct Tree {
    files: Vec<String>,
    dirs: Vec<String>,
}

impl Tree {
    fn of(call: &ExecCall<'_>, idx: usize) -> Result<Tree, ExecError> {
        let env = call
            .arg_str(idx, "saltenv")
            .unwrap_or_else(|| "base".into());
        let failed = |e: halite_api::FileError| ExecError::Failed(e.to_string());
        Ok(Tree {
            files: call.ctx.files.list_files(&env).map_err(failed)?,
            dirs: call.ctx.files.list_dirs(&env).map_err(failed)?,
        })
    }

    fn has_file(&self, path: &str) -> bool {
        self.files.iter().any(|f| f == path)
    }

    fn has_dir(&self, path: &str) -> bool {
        self.dirs.iter().any(|d| d == path)
    }

    fn has(&self, path: &str) -> bool {
        self.has_file(path) || self.has_dir(path)
    }
}

fn exists(call: &ExecCall<'_>, test: fn(&Tree, &str) -> bool) -> ExecResult {
    reject_unknown_kwargs(call, &["path", "saltenv"])?;
    let path = required_str(call, 0, "path")?;
    ok(test(&Tree::of(call, 1)?, &path))
}

fn file_exists(call: &ExecCall<'_>) -> ExecResult {
    exists(call, Tree::has_file)
}

fn dir_exists(call: &ExecCall<'_>) -> ExecResult {
    exists(call, Tree::has_dir)
}

fn path_exists(call: &ExecCall<'_>) -> ExecResult {
    exists(call, Tree::has)
}

/// `salt.utils.path.join(a, b, use_posixpath=True)`.
fn salt_join(a: &str, b: &str) -> String {
    let b = normpath(b);
    normpath(&join(&[normpath(a), b.trim_start_matches('/').to_string()]))
}

/// `findup(startpath, filenames, saltenv="base")`.
fn findup(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(call, &["startpath", "filenames", "saltenv"])?;
    let mut start = required_str(call, 0, "startpath")?;
    let tree = Tree::of(call, 2)?;
    if !start.is_empty() {
        start = normpath(&start);
        if !tree.has(&start) {
            return Err(ExecError::Invocation(format!(
                "Starting path not found in the state tree: {start}"
            )));
        }
    }
    let names: Vec<String> = match call.arg(1, "filenames") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().map(halite_api::py::str_of).collect(),
        Some(_) => {
            return Err(ExecError::Invocation(
                "Filenames argument must be a string or list of strings".into(),
            ))
        }
        None => {
            return Err(ExecError::Invocation(
                "Missing required argument: 'filenames'".into(),
            ))
        }
    };
    loop {
        if let Some(hit) = names
            .iter()
            .map(|n| salt_join(&start, n))
            .find(|p| tree.has(p))
        {
            return ok(hit);
        }
        if start.is_empty() {
            return Err(ExecError::Failed(
                "File pattern(s) not found in path ancestry".into(),
            ));
        }
        start = dirname(&start);
    }
}

#[cfg(test)]
mod tests {
    use super::salt_join;
    use crate::testutil::{ctx_with, FakeRunner, TempDir};
    use halite_api::{ExecError, Map};
    use serde_json::json;

    #[test]
    fn join_as_salt() {
        assert_eq!(salt_join("", "t.sls"), "t.sls");
        assert_eq!(salt_join("a/b", "/c"), "a/b/c");
    }

    #[test]
    fn tree_questions_and_findup() {
        let d = TempDir::new("slsutil-tree");
        std::fs::create_dir_all(d.path("salt/f/n/files")).unwrap();
        std::fs::write(d.path("salt/f/defaults.yaml"), "a: 1").unwrap();
        std::fs::write(d.path("salt/top.sls"), "").unwrap();
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let call = |fun: &str, args: serde_json::Value| {
            let args = args.as_array().unwrap().clone();
            ctx.call(fun, args, Map::new()).map(|o| o.ret)
        };
        assert_eq!(
            call("slsutil.file_exists", json!(["f/defaults.yaml"])).unwrap(),
            json!(true)
        );
        assert_eq!(
            call("slsutil.file_exists", json!(["f"])).unwrap(),
            json!(false)
        );
        assert_eq!(
            call("slsutil.dir_exists", json!(["f/n/files"])).unwrap(),
            json!(true)
        );
        assert_eq!(
            call("slsutil.dir_exists", json!([""])).unwrap(),
            json!(false)
        );
        assert_eq!(
            call("slsutil.path_exists", json!(["f"])).unwrap(),
            json!(true)
        );
        let up = call(
            "slsutil.findup",
            json!(["f/n/./files/", ["x", "defaults.yaml"]]),
        );
        assert_eq!(up.unwrap(), json!("f/defaults.yaml"));
        assert_eq!(
            call("slsutil.findup", json!(["", "top.sls"])).unwrap(),
            json!("top.sls")
        );
        let msg = |r: Result<serde_json::Value, ExecError>| match r {
            Err(ExecError::Invocation(m) | ExecError::Failed(m)) => m,
            other => panic!("{other:?}"),
        };
        assert_eq!(
            msg(call("slsutil.findup", json!(["nope", "x"]))),
            "Starting path not found in the state tree: nope"
        );
        assert_eq!(
            msg(call("slsutil.findup", json!(["f/n", "x"]))),
            "File pattern(s) not found in path ancestry"
        );
        assert_eq!(
            msg(call("slsutil.findup", json!(["f", 3]))),
            "Filenames argument must be a string or list of strings"
        );
    }
}
