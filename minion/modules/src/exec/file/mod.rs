//! The `file` execution module: existence, read/write, touch, remove, mkdir,
//! stats and owners here; searching (`contains*`, `search`, `replace`),
//! hashes and links in the submodules.

mod contains;
pub mod hash;
mod links;
mod owners;
pub mod paths;
pub mod pyre;
pub mod replace;

use std::os::unix::fs::MetadataExt;
use std::path::Path;

use halite_api::{ExecCall, ExecError, ExecSpec, Map, Value};

use super::{ok, required_str, ExecResult};
use crate::util::{accounts, perms};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec { name: "file.file_exists", doc: "Tests to see if path is a valid file.  Returns True/False.", run: file_exists },
    ExecSpec { name: "file.directory_exists", doc: "Tests to see if path is a valid directory.  Returns True/False.", run: directory_exists },
    ExecSpec { name: "file.read", doc: "Return the content of the file.", run: read },
    ExecSpec { name: "file.write", doc: "Write text to a file, overwriting any existing contents.", run: write },
    ExecSpec { name: "file.touch", doc: "Just like the ``touch`` command, create a file if it doesn't exist or simply update the atime and mtime if it already does.", run: touch },
    ExecSpec { name: "file.remove", doc: "Remove the named file. If a directory is supplied, it will be recursively deleted.", run: remove },
    ExecSpec { name: "file.mkdir", doc: "Ensure that a directory is available.", run: mkdir },
    ExecSpec { name: "file.stats", doc: "Return a dict containing the stats for a given file", run: stats },
    ExecSpec { name: "file.get_mode", doc: "Return the mode of a file", run: get_mode },
    ExecSpec { name: "file.get_user", doc: "Return the user that owns a given file", run: get_user },
    ExecSpec { name: "file.get_group", doc: "Return the group that owns a given file", run: get_group },
    ExecSpec { name: "file.contains", doc: "Return ``True`` if the file at ``path`` contains ``text``", run: contains::contains },
    ExecSpec { name: "file.contains_regex", doc: "Return True if the given regular expression matches on any line in the text of a given file.", run: contains::contains_regex },
    ExecSpec { name: "file.contains_glob", doc: "Return ``True`` if the given glob matches a string in the named file", run: contains::contains_glob },
    ExecSpec { name: "file.search", doc: "Search for occurrences of a pattern in a file", run: replace::search_fn },
    ExecSpec { name: "file.replace", doc: "Replace occurrences of a pattern in a file.", run: replace::replace_fn },
    ExecSpec { name: "file.get_hash", doc: "Get the hash sum of a file", run: hash::get_hash },
    ExecSpec { name: "file.get_sum", doc: "Return the checksum for the given file.", run: hash::get_sum },
    ExecSpec { name: "file.is_link", doc: "Check if the path is a symbolic link", run: links::is_link },
    ExecSpec { name: "file.readlink", doc: "Return the path that a symlink points to", run: links::readlink },
    ExecSpec { name: "file.symlink", doc: "Create a symbolic link (symlink, soft link) to a file", run: links::symlink },
    ExecSpec { name: "file.rename", doc: "Rename a file or directory", run: links::rename },
    ExecSpec { name: "file.copy", doc: "Copy a file or directory from source to dst", run: links::copy },
    ExecSpec { name: "file.basename", doc: "Returns the final component of a pathname", run: paths::basename_fn },
    ExecSpec { name: "file.dirname", doc: "Returns the directory component of a pathname", run: paths::dirname_fn },
    ExecSpec { name: "file.join", doc: "Return a normalized file system path for the underlying OS", run: paths::join_fn },
    ExecSpec { name: "file.normpath", doc: "Returns Normalize path, eliminating double slashes, etc.", run: paths::normpath_fn },
    ExecSpec { name: "file.readdir", doc: "Return a list containing the contents of a directory", run: paths::readdir },
    ExecSpec { name: "file.rmdir", doc: "Remove the specified directory. Fails if a directory is not empty.", run: paths::rmdir },
    ExecSpec { name: "file.access", doc: "Test whether the Salt process has the specified access to the file.", run: paths::access },
    ExecSpec { name: "file.lstat", doc: "Returns the lstat attributes for the given file or dir. Does not support symbolic links.", run: paths::lstat },
    ExecSpec { name: "file.get_uid", doc: "Return the id of the user that owns a given file", run: owners::get_uid },
    ExecSpec { name: "file.get_gid", doc: "Return the id of the group that owns a given file", run: owners::get_gid },
    ExecSpec { name: "file.uid_to_user", doc: "Convert a uid to a user name", run: owners::uid_to_user },
    ExecSpec { name: "file.user_to_uid", doc: "Convert user name to a uid", run: owners::user_to_uid },
    ExecSpec { name: "file.gid_to_group", doc: "Convert the group id to the group name on this system", run: owners::gid_to_group },
    ExecSpec { name: "file.group_to_gid", doc: "Convert the group to the gid on this system", run: owners::group_to_gid },
    ExecSpec { name: "file.set_mode", doc: "Set the mode of a file", run: owners::set_mode },
    ExecSpec { name: "file.chown", doc: "Chown a file, pass the file the desired user and group", run: owners::chown },
];

fn path_arg(call: &ExecCall<'_>, key: &str) -> Result<String, ExecError> {
    required_str(call, 0, key)
}

fn io_err(path: &str) -> impl Fn(std::io::Error) -> ExecError + '_ {
    move |e| ExecError::Failed(format!("{path}: {e}"))
}

fn file_exists(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["path"])?;
    ok(Path::new(&path_arg(call, "path")?).is_file())
}

fn directory_exists(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["path"])?;
    ok(Path::new(&path_arg(call, "path")?).is_dir())
}

fn read(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["path", "binary"])?;
    let path = path_arg(call, "path")?;
    let data = std::fs::read(&path).map_err(io_err(&path))?;
    ok(String::from_utf8_lossy(&data).into_owned())
}

fn write(call: &ExecCall<'_>) -> ExecResult {
    let path = replace::expanduser(&path_arg(call, "path")?);
    let lines: Vec<Value> = match call.kwargs.get("args") {
        Some(Value::Array(a)) => a.clone(),
        Some(v) => vec![v.clone()],
        None => call.args.get(1..).unwrap_or_default().to_vec(),
    };
    let text: String = lines
        .iter()
        .map(|l| format!("{}\n", halite_api::module::value_to_arg_string(l)))
        .collect();
    // written through a symlink as Python's open() does, atomically
    let dest = std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone().into());
    crate::util::atomic::write_atomic(&dest, text.as_bytes(), 0o644).map_err(io_err(&path))?;
    ok(format!("Wrote {} lines to \"{path}\"", lines.len()))
}

fn touch(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["name", "atime", "mtime"])?;
    let name = replace::expanduser(&path_arg(call, "name")?);
    let strerror = |e: std::io::Error| ExecError::Failed(hash::io_reason(&e));
    let f = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&name)
        .map_err(strerror)?;
    let now = std::time::SystemTime::now();
    let at = |key: &str, idx: usize| -> Result<std::time::SystemTime, ExecError> {
        match call.arg_str(idx, key) {
            Some(s) => s
                .parse::<u64>()
                .map(|t| std::time::UNIX_EPOCH + std::time::Duration::from_secs(t))
                .map_err(|_| ExecError::Invocation("atime and mtime must be integers".into())),
            None => Ok(now),
        }
    };
    let times = std::fs::FileTimes::new()
        .set_accessed(at("atime", 1)?)
        .set_modified(at("mtime", 2)?);
    f.set_times(times).map_err(strerror)?;
    ok(Path::new(&name).exists())
}

fn remove(call: &ExecCall<'_>) -> ExecResult {
    let path = path_arg(call, "path")?;
    let p = Path::new(&path);
    if !p.is_absolute() {
        return Err(ExecError::Invocation(format!(
            "File path must be absolute: {path}"
        )));
    }
    let res = match std::fs::symlink_metadata(p) {
        Ok(md) if md.is_dir() => std::fs::remove_dir_all(p),
        Ok(_) => std::fs::remove_file(p),
        Err(_) => return ok(false),
    };
    res.map_err(|e| {
        ExecError::Failed(format!(
            "Could not remove '{path}': {}",
            hash::py_oserror(&e, &path)
        ))
    })?;
    ok(true)
}

fn mkdir(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["dir_path", "user", "group", "mode"])?;
    let dir = path_arg(call, "dir_path")?;
    let p = Path::new(&dir);
    if !p.is_dir() {
        let opt = |idx: usize, key: &str| {
            call.arg(idx, key)
                .filter(|v| !v.is_null())
                .map(halite_api::module::value_to_arg_string)
        };
        let mode = call.arg(3, "mode").and_then(perms::normalize_mode);
        crate::states::file::makedirs_perms(
            p,
            opt(1, "user").as_deref(),
            opt(2, "group").as_deref(),
            mode.as_deref(),
        )
        .map_err(io_err(&dir))?;
    }
    ok(true)
}

fn secs(t: i64, nsec: i64) -> Value {
    Value::from(t as f64 + nsec as f64 / 1e9)
}

/// Salt's `file.stats` dict for a path.
pub fn stats_dict(
    path: &str,
    follow_symlinks: bool,
    hash_type: Option<&str>,
) -> Result<Value, ExecError> {
    let p = Path::new(path);
    let md = if follow_symlinks {
        std::fs::metadata(p).or_else(|_| std::fs::symlink_metadata(p))
    } else {
        std::fs::symlink_metadata(p)
    }
    .map_err(|_| ExecError::Failed(format!("Path not found: {path}")))?;
    let ft = md.file_type();
    use std::os::unix::fs::FileTypeExt;
    let kind = if ft.is_symlink() {
        "link"
    } else if ft.is_dir() {
        "dir"
    } else if ft.is_char_device() {
        "char"
    } else if ft.is_block_device() {
        "block"
    } else if ft.is_fifo() {
        "pipe"
    } else if ft.is_socket() {
        "socket"
    } else {
        "file"
    };
    let mut m = Map::new();
    m.insert("inode".into(), md.ino().into());
    m.insert("uid".into(), md.uid().into());
    m.insert("gid".into(), md.gid().into());
    m.insert("group".into(), accounts::gid_to_name(md.gid()).into());
    m.insert("user".into(), accounts::uid_to_name(md.uid()).into());
    m.insert("atime".into(), secs(md.atime(), md.atime_nsec()));
    m.insert("mtime".into(), secs(md.mtime(), md.mtime_nsec()));
    m.insert("ctime".into(), secs(md.ctime(), md.ctime_nsec()));
    m.insert("size".into(), md.size().into());
    m.insert("mode".into(), format!("{:04o}", md.mode() & 0o7777).into());
    if let Some(form) = hash_type {
        m.insert("sum".into(), hash::hash_file(path, form)?.into());
    }
    m.insert("type".into(), kind.into());
    let target = if follow_symlinks {
        std::fs::canonicalize(p).map(|t| t.to_string_lossy().into_owned())
    } else {
        std::path::absolute(p).map(|t| t.to_string_lossy().into_owned())
    };
    m.insert(
        "target".into(),
        target.unwrap_or_else(|_| path.to_string()).into(),
    );
    Ok(Value::Object(m))
}

fn stats(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["path", "hash_type", "follow_symlinks"])?;
    let path = path_arg(call, "path")?;
    let hash_type = call
        .arg(1, "hash_type")
        .filter(|v| {
            v.as_str()
                .map_or_else(|| halite_api::module::value_to_bool(v), |s| !s.is_empty())
        })
        .map(super::python_str);
    ok(stats_dict(
        &path,
        call.kwarg_bool("follow_symlinks", true),
        hash_type.as_deref(),
    )?)
}

fn get_mode(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["path", "follow_symlinks"])?;
    let path = path_arg(call, "path")?;
    ok(
        stats_dict(&path, call.kwarg_bool("follow_symlinks", true), None)
            .map(|s| s["mode"].clone())
            .unwrap_or_else(|_| Value::String(String::new())),
    )
}

fn get_user(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["path", "follow_symlinks"])?;
    let path = path_arg(call, "path")?;
    ok(
        stats_dict(&path, call.kwarg_bool("follow_symlinks", true), None)
            .map(|s| s["user"].clone())
            .unwrap_or(Value::Bool(false)),
    )
}

fn get_group(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["path", "follow_symlinks"])?;
    let path = path_arg(call, "path")?;
    ok(
        stats_dict(&path, call.kwarg_bool("follow_symlinks", true), None)
            .map(|s| s["group"].clone())
            .unwrap_or(Value::Bool(false)),
    )
}

#[cfg(test)]
mod tests {
    use crate::testutil::{ctx_with, FakeRunner, TempDir};
    use halite_api::Map;
    use serde_json::json;

    #[test]
    fn file_functions() {
        let d = TempDir::new("fileexec");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let c = |f: &str, args: Vec<serde_json::Value>| ctx.call(f, args, Map::new());
        let p = d.s("w.txt");
        assert_eq!(
            c("file.write", vec![json!(p), json!("a"), json!("b")])
                .unwrap()
                .ret,
            json!(format!("Wrote 2 lines to \"{p}\""))
        );
        assert_eq!(c("file.read", vec![json!(p)]).unwrap().ret, json!("a\nb\n"));
        assert_eq!(
            c("file.file_exists", vec![json!(p)]).unwrap().ret,
            json!(true)
        );
        assert_eq!(
            c("file.directory_exists", vec![json!(p)]).unwrap().ret,
            json!(false)
        );
        let st = c("file.stats", vec![json!(p)]).unwrap().ret;
        assert_eq!(st["type"], json!("file"));
        assert_eq!(st["size"], json!(4));
        assert_eq!(st["user"], json!("root"));
        let dir = d.s("x/y");
        assert_eq!(
            c(
                "file.mkdir",
                vec![json!(dir), json!("nobody"), json!(null), json!(700)]
            )
            .unwrap()
            .ret,
            json!(true)
        );
        assert_eq!(
            c("file.get_mode", vec![json!(dir)]).unwrap().ret,
            json!("0700")
        );
        assert_eq!(
            c("file.get_user", vec![json!(dir)]).unwrap().ret,
            json!("nobody")
        );
        assert_eq!(
            c("file.touch", vec![json!(d.s("t"))]).unwrap().ret,
            json!(true)
        );
        assert_eq!(
            c("file.remove", vec![json!(d.s("x"))]).unwrap().ret,
            json!(true)
        );
        assert_eq!(
            c("file.remove", vec![json!(d.s("x"))]).unwrap().ret,
            json!(false)
        );
        assert!(c("file.stats", vec![json!(d.s("none"))]).is_err());
    }

    #[test]
    fn search_hash_and_link_functions() {
        let d = TempDir::new("fileexec2");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let c =
            |f: &str, args: Vec<serde_json::Value>| ctx.call(f, args, Map::new()).map(|o| o.ret);
        let p = d.s("c.conf");
        std::fs::write(&p, "listen 80\n# name x\n").unwrap();
        assert_eq!(
            c("file.contains", vec![json!(p), json!(" listen 80 ")]),
            Ok(json!(true))
        );
        assert_eq!(
            c("file.contains", vec![json!(p), json!("zzz")]),
            Ok(json!(false))
        );
        assert_eq!(
            c(
                "file.contains_regex",
                vec![json!(p), json!("^name"), json!("# ")]
            ),
            Ok(json!(true))
        );
        assert_eq!(
            c("file.contains_regex", vec![json!(p), json!("^name")]),
            Ok(json!(false))
        );
        assert_eq!(
            c("file.contains_regex", vec![json!(p), json!("80$")]),
            Ok(json!(true))
        );
        assert_eq!(
            c("file.contains_glob", vec![json!(p), json!("*name*")]),
            Ok(json!(true))
        );
        assert_eq!(
            c("file.contains_glob", vec![json!(p), json!("name*")]),
            Ok(json!(false))
        );
        assert_eq!(
            c("file.search", vec![json!(p), json!("^# name")]),
            Ok(json!(true))
        );
        assert_eq!(
            c("file.search", vec![json!(p), json!("^# name"), json!(0)]),
            Ok(json!(false))
        );
        let h = d.s("h");
        std::fs::write(&h, "hello world\n").unwrap();
        assert_eq!(
            c("file.get_hash", vec![json!(h), json!("md5")]),
            Ok(json!("6f5902ac237024bdd0c176cb93063dc4"))
        );
        assert_eq!(
            c("file.get_sum", vec![json!(d.s("nope"))]),
            Ok(json!("File not found"))
        );
        assert!(c("file.get_hash", vec![json!(h), json!("crc")]).is_err());
        assert_eq!(
            c("file.stats", vec![json!(h), json!("md5")]).unwrap()["sum"],
            json!("6f5902ac237024bdd0c176cb93063dc4")
        );
        let l = d.s("l");
        assert_eq!(
            c("file.symlink", vec![json!("h"), json!(l)]),
            Ok(json!(true))
        );
        assert_eq!(
            c("file.symlink", vec![json!("./h"), json!(l)]),
            Ok(json!(true))
        );
        assert!(c("file.symlink", vec![json!("other"), json!(l)]).is_err());
        assert!(c("file.symlink", vec![json!("other"), json!(h)]).is_err());
        assert_eq!(c("file.readlink", vec![json!(l)]), Ok(json!("h")));
        assert_eq!(c("file.is_link", vec![json!(l)]), Ok(json!(true)));
        assert!(c("file.readlink", vec![json!(h)]).is_err());
        assert_eq!(
            c("file.rename", vec![json!(h), json!(d.s("h2"))]),
            Ok(json!(true))
        );
        assert_eq!(
            c("file.copy", vec![json!(d.s("h2")), json!(d.s("h3"))]),
            Ok(json!(true))
        );
        assert_eq!(std::fs::read_to_string(d.s("h3")).unwrap(), "hello world\n");
        assert!(c(
            "file.copy",
            vec![json!(d.0.to_string_lossy()), json!(d.s("dcopy"))]
        )
        .is_err());
    }

    #[test]
    fn path_and_owner_functions() {
        let d = TempDir::new("fileexec3");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let c =
            |f: &str, args: Vec<serde_json::Value>| ctx.call(f, args, Map::new()).map(|o| o.ret);
        let p = d.s("f");
        std::fs::write(&p, "x").unwrap();
        assert_eq!(
            c("file.set_mode", vec![json!(p), json!("0600")]),
            Ok(json!("0600"))
        );
        assert_eq!(
            c("file.set_mode", vec![json!(p), json!("9z")]),
            Ok(json!("Invalid Mode 9z"))
        );
        assert!(c("file.set_mode", vec![json!(d.s("nope")), json!("600")]).is_err());
        assert_eq!(
            c("file.access", vec![json!(p), json!("r")]),
            Ok(json!(true))
        );
        assert_eq!(
            c("file.access", vec![json!(p), json!("x")]),
            Ok(json!(false))
        );
        assert!(c("file.access", vec![json!(p), json!("q")]).is_err());
        assert_eq!(
            c("file.chown", vec![json!(p), json!("root"), json!("root")]),
            Ok(json!(null))
        );
        assert_eq!(
            c(
                "file.chown",
                vec![json!(p), json!("no-such-zz"), json!(null)]
            ),
            Ok(json!("User does not exist\n"))
        );
        assert_eq!(c("file.gid_to_group", vec![json!("0")]), Ok(json!("root")));
        assert_eq!(
            c("file.gid_to_group", vec![json!("no-such-zz")]),
            Ok(json!(""))
        );
        assert_eq!(c("file.uid_to_user", vec![json!(54321)]), Ok(json!(54321)));
        assert_eq!(c("file.user_to_uid", vec![json!("root")]), Ok(json!(0)));
        assert_eq!(c("file.group_to_gid", vec![json!(null)]), Ok(json!("")));
        assert_eq!(c("file.get_uid", vec![json!(p)]), Ok(json!(0)));
        let deep = d.s("r/a/b");
        std::fs::create_dir_all(&deep).unwrap();
        std::fs::write(d.s("r/a/file"), "").unwrap();
        assert_eq!(c("file.rmdir", vec![json!(d.s("r"))]), Ok(json!(false)));
        let v = c(
            "file.rmdir",
            vec![json!(d.s("r")), json!(true), json!(true)],
        )
        .unwrap();
        assert_eq!(v["deleted"], json!([deep]));
        assert_eq!(v["result"], json!(false));
        assert_eq!(v["errors"].as_array().map(Vec::len), Some(2));
        assert_eq!(
            c("file.readdir", vec![json!(d.s("r/a"))]),
            Ok(json!([".", "..", "file"]))
        );
        assert_eq!(
            c("file.join", vec![json!("/a"), json!("b")]),
            Ok(json!("/a/b"))
        );
        assert!(c("file.join", vec![]).is_err());
        assert_eq!(c("file.lstat", vec![json!(d.s("nope"))]), Ok(json!({})));
    }
}
