//! Salt's `archive` execution module, the parts `archive.extracted` needs:
//! `archive.list` (tar through the `tar` command, zip read natively),
//! `archive.is_encrypted` (zip) and `archive.tar`.

pub mod cache;
pub mod create;
pub mod tar;
pub mod zip;

use std::path::Path;

use halite_api::{ExecCall, ExecError, ExecSpec, Map, Value};

use super::{ok, reject_unknown_kwargs, required_str, ExecResult};

pub const SPECS: &[ExecSpec] = &[
    ExecSpec {
        name: "archive.list",
        doc: "List the files and directories in an tar, zip, or rar archive.",
        run: list,
    },
    ExecSpec {
        name: "archive.tar",
        doc: "Uses the tar command to pack, unpack, etc. tar files",
        run: create::tar,
    },
    ExecSpec {
        name: "archive.is_encrypted",
        doc: "Returns True if the zip archive is password-protected, False if not.",
        run: is_encrypted,
    },
];

/// Salt's `guess_archive_type`: `tar`, `zip` or `rar` from the extension.
pub fn guess_format(name: &str) -> Option<&'static str> {
    let name = name.split('?').next().unwrap_or(name).to_lowercase();
    const TAR: &[&str] = &[
        "tar", "tar.gz", "tgz", "tar.bz2", "tbz2", "tbz", "tar.xz", "txz", "tar.lzma", "tlz",
    ];
    if TAR.iter().any(|e| name.ends_with(&format!(".{e}"))) {
        return Some("tar");
    }
    ["zip", "rar"]
        .into_iter()
        .find(|e| name.ends_with(&format!(".{e}")))
}

/// Members by kind, as Salt's `_list_tar` / `_list_zip` collect them
/// (directories with a trailing `/`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Contents {
    pub dirs: Vec<String>,
    pub files: Vec<String>,
    pub links: Vec<String>,
}

/// A `CommandExecutionError` carrying Salt's `archive location` info, as
/// its `strerror` reads.
pub fn with_location(msg: &str, cached: &Path) -> String {
    let info = format!("archive location:\n    {}", cached.display());
    crate::exec::command_error_with_info(msg, &info)
}

fn list_tar(
    call_ctx: &halite_api::Ctx,
    name: &str,
    cached: &Path,
    options: Option<&str>,
) -> Result<Contents, String> {
    let decompress = match options {
        Some(o) => Some(
            crate::util::shell::shlex_split(o).map_err(|_| "Invalid CLI options".to_string())?,
        ),
        None => None,
    };
    let members = tar::members(call_ctx, cached, decompress.as_deref()).map_err(|_| {
        format!("Unable to list contents of {name}. If this is an XZ-compressed tar archive, install XZ Utils to enable listing its contents. If it is compressed using something other than XZ, it may be necessary to specify CLI options to decompress the archive. See the documentation for details.")
    })?;
    let mut c = Contents::default();
    for m in members {
        match m.kind {
            tar::Kind::Link => c.links.push(m.name),
            tar::Kind::Dir => c.dirs.push(format!("{}/", m.name)),
            tar::Kind::File => c.files.push(m.name),
        }
    }
    Ok(c)
}

/// Salt's `_list_zip`: kinds from the Unix mode, plus every member's parent
/// directory (one level, as Salt adds it).
fn list_zip(name: &str, cached: &Path) -> Result<Contents, String> {
    const S_IFMT: u32 = 0o170000;
    let mut c = Contents::default();
    for e in zip::read(cached, name)? {
        match e.mode & S_IFMT {
            0o120000 => c.links.push(e.name),
            0o040000 => {
                if !c.dirs.contains(&e.name) {
                    c.dirs.push(e.name)
                }
            }
            _ => c.files.push(e.name),
        }
    }
    for path in c.files.clone() {
        if let Some(i) = path.rfind('/') {
            let dir = path[..=i].to_string();
            c.files.retain(|f| *f != dir);
            if !c.dirs.contains(&dir) {
                c.dirs.push(dir);
            }
        }
    }
    Ok(c)
}

/// List `cached` (the local copy of `name`) as `format`.
pub fn contents(
    ctx: &halite_api::Ctx,
    name: &str,
    cached: &Path,
    format: &str,
    options: Option<&str>,
) -> Result<Contents, String> {
    if format != "rar" && !cached.exists() {
        return Err(format!(
            "Failed to list contents of {name}: {}",
            cache::not_found(cached)
        ));
    }
    match format {
        "tar" => list_tar(ctx, name, cached, options),
        "zip" => list_zip(name, cached),
        "rar" => Err("rar command not available, is it installed?".into()),
        other => Err(format!("Unsupported archive format '{other}'")),
    }
}

/// Salt's `strip_components`: drop the first `n` path parts, then the
/// empty results, sorted.
pub fn strip(c: &mut Contents, n: usize) {
    for list in [&mut c.dirs, &mut c.files, &mut c.links] {
        *list = list
            .iter()
            .filter_map(|p| p.splitn(n + 1, '/').nth(n).map(str::to_string))
            .filter(|p| !p.is_empty())
            .collect();
        list.sort();
    }
}

/// The listing with Salt's `top_level_*` keys (`verbose=True`).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Verbose {
    pub dirs: Vec<String>,
    pub files: Vec<String>,
    pub links: Vec<String>,
    pub top_level_dirs: Vec<String>,
    pub top_level_files: Vec<String>,
    pub top_level_links: Vec<String>,
}

fn common_prefix(items: &[&String]) -> String {
    let Some(first) = items.iter().min() else {
        return String::new();
    };
    let last = items.iter().max().unwrap_or(first);
    first
        .chars()
        .zip(last.chars())
        .take_while(|(a, b)| a == b)
        .map(|(a, _)| a)
        .collect()
}

pub fn verbose(c: &Contents) -> Verbose {
    let sorted = |v: &Vec<String>| {
        let mut v = v.clone();
        v.sort();
        v
    };
    let (dirs, files, links) = (sorted(&c.dirs), sorted(&c.files), sorted(&c.links));
    let mut top_level_dirs: Vec<String> = dirs
        .iter()
        .filter(|x| x.matches('/').count() == 1)
        .cloned()
        .collect();
    let all: Vec<&String> = dirs.iter().chain(&files).chain(&links).collect();
    let prefix = common_prefix(&all);
    if prefix.contains('/') {
        let p = format!("{}/", prefix.split('/').next().unwrap_or_default());
        if !top_level_dirs.contains(&p) {
            top_level_dirs.push(p);
        }
    }
    let top = |v: &Vec<String>| v.iter().filter(|x| !x.contains('/')).cloned().collect();
    Verbose {
        top_level_files: top(&files),
        top_level_links: top(&links),
        top_level_dirs,
        dirs,
        files,
        links,
    }
}

fn strs(v: &[String]) -> Value {
    Value::Array(v.iter().cloned().map(Value::String).collect())
}

impl Verbose {
    pub fn to_value(&self) -> Value {
        let mut m = Map::new();
        for (k, v) in [
            ("dirs", &self.dirs),
            ("files", &self.files),
            ("links", &self.links),
            ("top_level_dirs", &self.top_level_dirs),
            ("top_level_files", &self.top_level_files),
            ("top_level_links", &self.top_level_links),
        ] {
            m.insert(k.into(), strs(v));
        }
        Value::Object(m)
    }
}

fn saltenv(call: &ExecCall<'_>) -> String {
    call.arg_str(6, "saltenv").unwrap_or_else(|| "base".into())
}

/// `strip_components` as Salt checks it (non-integers become -1).
fn strip_arg(v: Option<&Value>) -> Result<Option<usize>, ExecError> {
    let n = match v {
        None | Some(Value::Null) | Some(Value::Bool(false)) => return Ok(None),
        Some(Value::Number(n)) => n.as_i64().unwrap_or(-1),
        Some(Value::String(s)) => s.trim().parse::<i64>().unwrap_or(-1),
        Some(_) => -1,
    };
    if n == 0 {
        return Ok(None);
    }
    usize::try_from(n)
        .map(Some)
        .map_err(|_| ExecError::Failed("'strip_components' must be a positive integer".into()))
}

fn list(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(
        call,
        &[
            "name",
            "archive_format",
            "options",
            "strip_components",
            "clean",
            "verbose",
            "saltenv",
            "source_hash",
            "use_etag",
        ],
    )?;
    let name = required_str(call, 0, "name")?;
    let cached = cache::cache_any(call.ctx, &name, &saltenv(call))
        .map_err(ExecError::Failed)?
        .ok_or_else(|| ExecError::Failed(format!("Failed to cache {name}")))?;
    let fail = |m: String| ExecError::Failed(with_location(&m, &cached));
    let strip_n = strip_arg(call.arg(3, "strip_components")).map_err(|e| fail(e.to_string()))?;
    let format = match call.arg_str(1, "archive_format").filter(|f| !f.is_empty()) {
        Some(f) => f,
        None => guess_format(&name)
            .ok_or_else(|| {
                fail(
                    "Unable to guess archive format, please pass an 'archive_format' argument."
                        .into(),
                )
            })?
            .to_string(),
    };
    let options = call.arg_str(2, "options");
    let mut c = contents(call.ctx, &name, &cached, &format, options.as_deref()).map_err(fail)?;
    if call
        .arg(4, "clean")
        .is_some_and(halite_api::module::value_to_bool)
    {
        let _ = std::fs::remove_file(&cached);
    }
    if let Some(n) = strip_n {
        strip(&mut c, n);
    }
    if call
        .arg(5, "verbose")
        .is_some_and(halite_api::module::value_to_bool)
    {
        return ok(verbose(&c).to_value());
    }
    let mut all: Vec<String> = c.dirs.into_iter().chain(c.files).chain(c.links).collect();
    all.sort();
    ok(strs(&all))
}

/// Salt's `testzip()` probe: any member with the encryption flag.
pub fn zip_encrypted(name: &str, cached: &Path) -> Result<bool, String> {
    if !cached.exists() {
        return Err(cache::not_found(cached));
    }
    Ok(zip::read(cached, name)?.iter().any(|e| e.encrypted))
}

fn is_encrypted(call: &ExecCall<'_>) -> ExecResult {
    reject_unknown_kwargs(
        call,
        &["name", "clean", "saltenv", "source_hash", "use_etag"],
    )?;
    let name = required_str(call, 0, "name")?;
    let env = call.arg_str(2, "saltenv").unwrap_or_else(|| "base".into());
    let cached = cache::cache_any(call.ctx, &name, &env)
        .map_err(ExecError::Failed)?
        .ok_or_else(|| ExecError::Failed(format!("Failed to cache {name}")))?;
    let enc =
        zip_encrypted(&name, &cached).map_err(|m| ExecError::Failed(with_location(&m, &cached)))?;
    if call
        .arg(1, "clean")
        .is_some_and(halite_api::module::value_to_bool)
    {
        let _ = std::fs::remove_file(&cached);
    }
    ok(enc)
}

#[cfg(test)]
mod tests;
