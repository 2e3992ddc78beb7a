//! `archive.tar`: Salt's thin wrapper over the `tar` command, run through
//! `cmd.run` (so `cwd`, `runas` and the retcode behave as there); the
//! output's lines are the return.

use halite_api::{ExecCall, ExecError, ExecOutput, Map, Value};

use super::super::{reject_unknown_kwargs, required_str, ExecResult};

/// Salt's `_expand_sources`: a comma-separated string or a list; entries
/// with wildcards are globbed in directory order (Python's `glob` reads
/// `scandir` unsorted; no match drops the entry), others kept as given.
pub fn expand_sources(v: Option<&Value>) -> Vec<String> {
    let items: Vec<String> = match v {
        None | Some(Value::Null) => return Vec::new(),
        Some(Value::String(s)) => s.split(',').map(|x| x.trim().to_string()).collect(),
        Some(Value::Array(a)) => a.iter().map(halite_api::py::str_of).collect(),
        Some(other) => vec![halite_api::py::str_of(other)],
    };
    items.iter().flat_map(|s| glob(s)).collect()
}

fn has_magic(s: &str) -> bool {
    s.contains(['*', '?', '['])
}

/// Python's `glob.glob`: every component with wildcards expanded (the
/// directory part first, recursively), hidden names only for patterns
/// starting with `.`, in directory order.
fn glob(pattern: &str) -> Vec<String> {
    if !has_magic(pattern) {
        return vec![pattern.to_string()];
    }
    let (dir, name) = match pattern.rsplit_once('/') {
        Some((d, n)) => (Some(if d.is_empty() { "/" } else { d }), n),
        None => (None, pattern),
    };
    let dirs: Vec<Option<String>> = match dir {
        Some(d) if has_magic(d) => glob(d).into_iter().map(Some).collect(),
        Some(d) => vec![Some(d.to_string())],
        None => vec![None],
    };
    dirs.iter()
        .flat_map(|d| matches_in(d.as_deref(), name))
        .collect()
}

/// The names in `dir` (None: the working directory) matching `name`.
fn matches_in(dir: Option<&str>, name: &str) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir.unwrap_or(".")) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| e.file_name().to_str().map(str::to_string))
        .filter(|n| !n.starts_with('.') || name.starts_with('.'))
        .filter(|n| halite_target::fnmatch::fnmatch(n, name))
        .map(|n| match dir {
            Some("/") => format!("/{n}"),
            Some(d) => format!("{d}/{n}"),
            None => n,
        })
        .collect()
}

pub fn tar(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(
        call,
        &[
            "options", "tarfile", "sources", "dest", "cwd", "template", "runas",
        ],
    )?;
    let options = call.arg_str(0, "options").unwrap_or_default();
    if options.is_empty() {
        return Err(ExecError::Invocation("Tar options can not be empty".into()));
    }
    let tarfile = required_str(call, 1, "tarfile")?;
    if call.arg(5, "template").is_some_and(|v| !v.is_null()) {
        return Err(ExecError::Failed(
            "template is not supported by Halite's archive.tar yet".into(),
        ));
    }
    if crate::exec::cmd::which_path("tar").is_none() {
        return Err(ExecError::Failed(
            "The 'tar' binary was not found in $PATH.".into(),
        ));
    }
    let mut cmd: Vec<Value> = vec!["tar".into()];
    cmd.extend(options.split_whitespace().map(Value::from));
    cmd.push(tarfile.into());
    if let Some(dest) = call.arg_str(3, "dest").filter(|d| !d.is_empty()) {
        cmd.extend(["-C".into(), dest.into()]);
    }
    cmd.extend(
        expand_sources(call.arg(2, "sources"))
            .into_iter()
            .map(Value::from),
    );
    let mut kw = Map::new();
    kw.insert("python_shell".into(), false.into());
    for (i, key) in [(4, "cwd"), (6, "runas")] {
        if let Some(v) = call.arg(i, key).filter(|v| !v.is_null()) {
            kw.insert(key.into(), v.clone());
        }
    }
    let out = call.ctx.call("cmd.run", vec![Value::Array(cmd)], kw)?;
    let text = out.ret.as_str().unwrap_or_default().to_string();
    let lines = text.lines().map(|l| Value::String(l.into())).collect();
    Ok(ExecOutput {
        ret: Value::Array(lines),
        retcode: out.retcode,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{ctx_with, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn sources_split_and_globbed() {
        let d = TempDir::new("arctar");
        std::fs::write(d.path("a1"), "").unwrap();
        std::fs::write(d.path("a2"), "").unwrap();
        std::fs::write(d.path("b"), "").unwrap();
        let got = expand_sources(Some(&json!(format!("{0}/a*, {0}/b,none", d.0.display()))));
        let mut globbed = got[..2].to_vec();
        globbed.sort();
        assert_eq!(globbed, [d.s("a1"), d.s("a2")]);
        assert_eq!(got[2..], [d.s("b"), "none".into()]);
        assert_eq!(
            expand_sources(Some(&json!(format!("{}/zz*", d.0.display())))),
            Vec::<String>::new()
        );
        assert_eq!(expand_sources(Some(&json!(["x", 1]))), ["x", "1"]);
        // wildcards in a directory component too (Python's glob.glob)
        for sub in ["s1", "s2", "t"] {
            std::fs::create_dir_all(d.path(&format!("{sub}/conf"))).unwrap();
        }
        let mut got = expand_sources(Some(&json!(format!("{}/s*/conf", d.0.display()))));
        got.sort();
        assert_eq!(got, [d.s("s1/conf"), d.s("s2/conf")]);
    }

    #[test]
    fn runs_tar_through_cmd_run() {
        let d = TempDir::new("arctar2");
        let r = FakeRunner::new();
        r.on("tar", 0, "a\nb\n");
        let ctx = ctx_with(r.clone(), &d.0);
        let kw = json!({"dest": "/t", "cwd": d.s("")})
            .as_object()
            .unwrap()
            .clone();
        let out = ctx
            .call("archive.tar", vec![json!("xvf"), json!("/x.tar")], kw)
            .unwrap();
        assert_eq!(out.ret, json!(["a", "b"]));
        assert_eq!(r.commands(), ["tar xvf /x.tar -C /t"]);
        let err = ctx
            .call("archive.tar", vec![json!(""), json!("/x.tar")], Map::new())
            .unwrap_err();
        assert_eq!(err.to_string(), "Tar options can not be empty");
    }
}
