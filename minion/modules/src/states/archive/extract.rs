//! The doing half of `archive.extracted`: removing paths (`clean`,
//! `clean_parent`, `force`), running the extraction (tar or unzip through
//! `ctx.runner`) and enforcing `user`/`group` through `file.directory`.

use std::path::{Path, PathBuf};

use halite_api::{CmdSpec, Map, StateCall, Value};

use crate::exec::archive::{tar, zip};

/// Salt's `salt.utils.files.rm_rf`.
pub fn rm_rf(path: &Path) -> std::io::Result<()> {
    match std::fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => std::fs::remove_dir_all(path),
        Ok(_) => std::fs::remove_file(path),
        Err(e) => Err(e),
    }
}

/// Run another state function as Salt's `__states__` does (same test flag).
pub fn sub_state(call: &StateCall<'_>, fun: &str, args: Map) -> halite_api::StateReturn {
    let name = args
        .get("name")
        .and_then(Value::as_str)
        .unwrap_or_default()
        .to_string();
    match call.ctx.registry.state(fun) {
        Some(spec) => (spec.run)(&StateCall {
            ctx: call.ctx,
            name,
            args,
            test: call.test,
        }),
        None => {
            halite_api::StateReturn::fail(name, format!("State function {fun} is not available"))
        }
    }
}

/// The extracted file list: a list of names, or Salt's `"no tar output so
/// far"` string.
pub enum Files {
    List(Vec<String>),
    Note(&'static str),
}

impl Files {
    pub fn is_empty(&self) -> bool {
        matches!(self, Files::List(v) if v.is_empty())
    }
    pub fn to_value(&self) -> Value {
        match self {
            Files::List(v) => Value::Array(v.iter().cloned().map(Value::String).collect()),
            Files::Note(s) => Value::String((*s).into()),
        }
    }
}

/// A failed extraction: a comment, or `cmd.run_all`'s dict as the changes.
pub enum Failure {
    Comment(String),
    Command(Map),
}

/// Salt's `_trim_files` (zip): cut at `count` and say so.
fn trim_files(mut files: Vec<String>, trim: Option<usize>) -> Vec<String> {
    if let Some(n) = trim {
        if files.len() > n {
            files.truncate(n);
            files.push(format!("List trimmed after {n} files."));
        }
    }
    files
}

fn slice(mut files: Vec<String>, trim: Option<usize>) -> Vec<String> {
    if let Some(n) = trim {
        files.truncate(n);
    }
    files
}

/// `archive.unzip`: every member (Python's `namelist()`), extracted by
/// `unzip -o` with the modes stored in the archive.
pub fn unzip(
    call: &StateCall<'_>,
    cached: &Path,
    dest: &Path,
    trim: Option<usize>,
) -> Result<Files, Failure> {
    let names: Vec<String> = zip::read(cached, &cached.to_string_lossy())
        .map_err(|e| Failure::Comment(format!("Exception encountered unpacking zipfile: {e}")))?
        .into_iter()
        .map(|e| e.name)
        .collect();
    let spec = CmdSpec::argv([
        "unzip",
        "-o",
        "-K",
        "-qq",
        &cached.to_string_lossy(),
        "-d",
        &dest.to_string_lossy(),
    ]);
    let out = call
        .ctx
        .runner
        .run(&spec)
        .map_err(|e| Failure::Comment(e.to_string()))?;
    if out.retcode != 0 {
        return Err(Failure::Comment(format!(
            "Exception encountered unpacking zipfile: {}",
            out.stderr_text()
        )));
    }
    Ok(Files::List(trim_files(names, trim)))
}

/// Extraction without `options`: `tar -xf` and the member names
/// (`tar.getnames()`).
pub fn untar(
    call: &StateCall<'_>,
    cached: &Path,
    dest: &Path,
    trim: Option<usize>,
) -> Result<Files, Failure> {
    let members = tar::members(call.ctx, cached, None).map_err(|_| {
        Failure::Comment("Failed to read from tar archive using Python's native tar file support. If archive is compressed using something other than gzip or bzip2, the 'options' argument may be required to pass the correct options to the tar command in order to extract the archive.".into())
    })?;
    tar::extract(call.ctx, cached, dest).map_err(Failure::Comment)?;
    Ok(Files::List(slice(
        members.into_iter().map(|m| m.name).collect(),
        trim,
    )))
}

/// Salt's tar command for `options`: `tar xv<short opts> <long opts> -f ARCHIVE`.
pub fn tar_command(options: &str, cached: &Path) -> Result<Vec<String>, String> {
    let words = crate::util::shell::shlex_split(options)?;
    let opts: Vec<String> = words
        .into_iter()
        .filter(|x| !matches!(x.as_str(), "v" | "-v" | "--verbose"))
        .collect();
    let mut short = "xv".to_string();
    let mut long = Vec::new();
    for (i, opt) in opts.into_iter().enumerate() {
        if opt.starts_with('-') || i > 0 {
            long.push(opt);
        } else {
            short.push_str(&opt.replace(['x', 'f'], ""));
        }
    }
    let mut cmd = vec!["tar".to_string(), short];
    cmd.extend(long);
    cmd.extend(["-f".to_string(), cached.to_string_lossy().into_owned()]);
    Ok(cmd)
}

/// Extraction with `options`: the files are tar's verbose output lines.
pub fn tar_with_options(
    call: &StateCall<'_>,
    options: &str,
    cached: &Path,
    dest: &Path,
    trim: Option<usize>,
) -> Result<Files, Failure> {
    let mut spec = CmdSpec::argv(tar_command(options, cached).map_err(Failure::Comment)?);
    spec.cwd = Some(dest.to_path_buf());
    let out = call
        .ctx
        .runner
        .run(&spec)
        .map_err(|e| Failure::Comment(e.to_string()))?;
    if out.retcode != 0 {
        let mut m = Map::new();
        m.insert("pid".into(), out.pid.into());
        m.insert("retcode".into(), out.retcode.into());
        let (stdout, stderr) = crate::util::shell::texts(&out);
        m.insert("stdout".into(), stdout.into());
        m.insert("stderr".into(), stderr.into());
        return Err(Failure::Command(m));
    }
    let files: Vec<String> = out.stdout_text().lines().map(str::to_string).collect();
    if files.is_empty() {
        return Ok(Files::Note("no tar output so far"));
    }
    Ok(Files::List(slice(files, trim)))
}

/// What enforcing ownership found.
#[derive(Default)]
pub struct Ownership {
    pub updated: bool,
    pub missing: Vec<String>,
    pub failed: Vec<String>,
}

fn join(name: &str, rel: &str) -> PathBuf {
    Path::new(name).join(rel)
}

/// Salt's ownership pass: `file.directory` (recurse user/group) on each
/// top-level directory, `lchown` on top-level files and links.
pub fn enforce(
    call: &StateCall<'_>,
    name: &str,
    dirs: &[String],
    files: &[String],
    owner: (Option<String>, Option<String>),
    ids: (Option<u32>, Option<u32>),
) -> Ownership {
    let mut o = Ownership::default();
    let (user, group) = owner;
    let mut recurse = Vec::new();
    if user.is_some() {
        recurse.push(Value::from("user"));
    }
    if group.is_some() {
        recurse.push(Value::from("group"));
    }
    for d in dirs {
        let full = join(name, d);
        let full_s = full.to_string_lossy().into_owned();
        if !full.is_dir() {
            if !call.test {
                o.missing.push(full_s);
            }
            continue;
        }
        let mut args = Map::new();
        args.insert("name".into(), full_s.clone().into());
        args.insert("user".into(), user.clone().map_or(Value::Null, Value::from));
        args.insert(
            "group".into(),
            group.clone().map_or(Value::Null, Value::from),
        );
        args.insert("recurse".into(), Value::Array(recurse.clone()));
        let r = sub_state(call, "file.directory", args);
        if !r.changes.is_empty() {
            o.updated = true;
        }
        // Salt tests `not dir_result["result"]`: a test-mode None fails too.
        if r.result != Some(true) {
            o.failed.push(full_s);
        }
    }
    for f in files {
        chown_one(call, &join(name, f), f, ids, &mut o);
    }
    o
}

fn chown_one(
    call: &StateCall<'_>,
    full: &Path,
    rel: &str,
    ids: (Option<u32>, Option<u32>),
    o: &mut Ownership,
) {
    use std::os::unix::fs::MetadataExt;
    let full_s = full.to_string_lossy().into_owned();
    let Ok(meta) = std::fs::symlink_metadata(full) else {
        if !call.test {
            o.missing.push(full_s.clone());
            o.failed.push(full_s);
        }
        return;
    };
    let (uid, gid) = ids;
    let differs = uid.is_some_and(|u| u != meta.uid()) || gid.is_some_and(|g| g != meta.gid());
    if !differs {
        return;
    }
    if call.test || std::os::unix::fs::lchown(full, uid, gid).is_ok() {
        o.updated = true;
    } else {
        o.failed.push(rel.to_string());
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tar_command_like_salt() {
        let c = tar_command("--strip-components=1", Path::new("/c/a.tar")).unwrap();
        assert_eq!(c, ["tar", "xv", "--strip-components=1", "-f", "/c/a.tar"]);
        let c = tar_command("xzf -v --no-same-owner", Path::new("/a.tgz")).unwrap();
        assert_eq!(c, ["tar", "xvz", "--no-same-owner", "-f", "/a.tgz"]);
        let c = tar_command("j v", Path::new("/a")).unwrap();
        assert_eq!(c, ["tar", "xvj", "-f", "/a"]);
    }

    #[test]
    fn trimming() {
        let v: Vec<String> = ["a", "b", "c"].iter().map(|s| s.to_string()).collect();
        assert_eq!(
            trim_files(v.clone(), Some(2)),
            ["a", "b", "List trimmed after 2 files."]
        );
        assert_eq!(trim_files(v.clone(), Some(5)), ["a", "b", "c"]);
        assert_eq!(slice(v, Some(1)), ["a"]);
    }
}
