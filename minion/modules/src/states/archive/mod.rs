//! `archive.extracted` (Salt 3008.4's `salt/states/archive.py`): fetch a
//! tar or zip archive (`salt://` into the cachedir, or a local path), verify
//! `source_hash`, list it, decide from the files on disk whether to extract,
//! extract through `tar`/`unzip` (`ctx.runner`) and enforce ownership.

mod checksum;
mod extract;
mod hash;
mod plan;

use std::path::{Path, PathBuf};

use halite_api::{Map, StateCall, StateReturn, StateSpec, Value};

use crate::exec::archive::{self as arc, cache};
use extract::{Failure, Files};

pub const SPECS: &[StateSpec] = &[StateSpec {
    name: "archive.extracted",
    run: extracted,
    mod_watch: None,
}];

/// The checked arguments the later steps need.
pub struct Args {
    /// Destination with one trailing `/`.
    pub name: String,
    pub source: String,
    pub local: bool,
    pub format: String,
    pub options: Option<String>,
    pub strip: Option<usize>,
    pub trim: Option<usize>,
    pub sum: Option<hash::SourceSum>,
    pub user: Option<String>,
    pub group: Option<String>,
    pub uid: Option<u32>,
    pub gid: Option<u32>,
}

fn fail(call: &StateCall<'_>, comment: impl Into<String>) -> StateReturn {
    super::ret(call, Some(false), comment)
}

fn is_abs(v: Option<&Value>) -> bool {
    match v {
        None => true,
        Some(Value::String(s)) => s.starts_with('/'),
        Some(_) => false,
    }
}

/// Salt's `trim_output`: `True` is 100, an integer (or integer string) is
/// itself.
fn trim_arg(v: Option<&Value>) -> Result<Option<usize>, String> {
    let bad = || "Invalid value for trim_output, must be True/False or an integer".to_string();
    match v {
        None | Some(Value::Bool(false)) => Ok(None),
        Some(Value::Bool(true)) => Ok(Some(100)),
        Some(Value::Number(n)) => Ok(n
            .as_u64()
            .and_then(|n| usize::try_from(n).ok())
            .filter(|n| *n > 0)),
        Some(Value::String(s)) if s.is_empty() => Ok(None),
        Some(Value::String(s)) => s
            .trim()
            .parse::<usize>()
            .map(|n| (n > 0).then_some(n))
            .map_err(|_| bad()),
        Some(_) => Err(bad()),
    }
}

/// `--strip-components N` in tar `options`.
fn strip_components(options: &str) -> Option<usize> {
    let re = regex::Regex::new(r#"--strip(?:-components)?(?:\s+|=)["']?(\d+)["']?"#).ok()?;
    re.captures(options)?.get(1)?.as_str().parse().ok()
}

/// `user`/`group` with their ids (Salt's `file.user_to_uid`/`group_to_gid`).
type Owner = (Option<String>, Option<String>, Option<u32>, Option<u32>);

fn owner_ids(call: &StateCall<'_>) -> Result<Owner, String> {
    let user = call.get_str("user").filter(|s| !s.is_empty());
    let group = call.get_str("group").filter(|s| !s.is_empty());
    let uid = match &user {
        Some(u) => Some(
            crate::util::accounts::resolve_uid(u)
                .ok_or_else(|| format!("User {u} does not exist"))?,
        ),
        None => None,
    };
    let gid = match &group {
        Some(g) => Some(
            crate::util::accounts::resolve_gid(g)
                .ok_or_else(|| format!("Group {g} does not exist"))?,
        ),
        None => None,
    };
    Ok((user, group, uid, gid))
}

/// The destination, `if_missing` and `enforce_ownership_on` checks.
fn check_paths(call: &StateCall<'_>) -> Result<String, String> {
    let raw = call.args.get("name").cloned().unwrap_or(Value::Null);
    let name = match &raw {
        Value::String(s) if s.starts_with('/') => s.trim_end_matches('/').to_string(),
        other => {
            return Err(format!(
                "{} is not an absolute path",
                halite_api::py::str_of(other)
            ))
        }
    };
    if Path::new(&name).is_file() {
        return Err(format!("{name} exists and is not a directory"));
    }
    let name = format!("{name}/");
    if !is_abs(call.get("if_missing")) {
        return Err("Value for 'if_missing' is not an absolute path".into());
    }
    if !is_abs(call.get("enforce_ownership_on")) {
        return Err("Value for 'enforce_ownership_on' is not an absolute path".into());
    }
    if let Some(on) = call.get_str("enforce_ownership_on") {
        if !Path::new(&on).starts_with(&name) {
            return Err(format!(
                "Value for 'enforce_ownership_on' must be within {name}"
            ));
        }
    }
    Ok(name)
}

/// Resolve `source` (Salt's `file.source_list` and URL split): the match and
/// whether it is local (then made real and checked).
fn resolve_source(call: &StateCall<'_>) -> Result<(String, bool), String> {
    let source = call.get("source").cloned().unwrap_or(Value::Null);
    let env = super::file::source::saltenv(call);
    let matched = super::file::source::pick_source(call.ctx, &source, &env)?;
    if matched.is_empty() {
        return Err(format!(
            "Invalid source \"{}\"",
            halite_api::py::str_of(&source)
        ));
    }
    if matched.starts_with("salt://") {
        return Ok((matched, false));
    }
    let Some(local) = cache::local_path(&matched) else {
        let scheme = matched.split("://").next().unwrap_or_default();
        return Err(format!(
            "Unable to cache {matched}: {scheme}:// sources are not supported by Halite yet"
        ));
    };
    let real = std::fs::canonicalize(&local).unwrap_or(local);
    if !real.is_file() {
        return Err(format!("Source file '{}' does not exist", real.display()));
    }
    Ok((real.to_string_lossy().into_owned(), true))
}

fn format_of(call: &StateCall<'_>, source: &str) -> Result<String, String> {
    let valid = "tar, rar, zip";
    let format = match call.get_str("archive_format").filter(|s| !s.is_empty()) {
        Some(f) => f,
        None => arc::guess_format(source.trim_start_matches("file://")).map(str::to_string).ok_or_else(|| {
            format!("Could not guess archive_format from the value of the 'source' argument. Please set this archive_format to one of the following: {valid}")
        })?,
    };
    let format = format.to_lowercase();
    if !matches!(format.as_str(), "tar" | "rar" | "zip") {
        return Err(format!("Invalid archive_format '{format}'. Either set it to a supported value ({valid}) or remove this argument and the archive format will be guessed based on file extension."));
    }
    Ok(format)
}

/// Salt's checks on format-specific arguments, in its order.
fn check_format_args(
    call: &StateCall<'_>,
    format: &str,
    options: Option<&str>,
) -> Result<(), String> {
    let password = call.get("password").is_some();
    if format == "zip" {
        if options.is_some_and(|o| !o.is_empty()) {
            if call
                .get("use_cmd_unzip")
                .is_some_and(|v| !halite_api::module::value_to_bool(v))
            {
                return Err("'use_cmd_unzip' cannot be set to False if CLI options are being specified (via the 'options' argument). Either remove 'use_cmd_unzip', or set it to True.".into());
            }
            return Err(
                "options for zip archives (archive.cmd_unzip) are not supported by Halite yet"
                    .into(),
            );
        }
        if call.get_bool("use_cmd_unzip", false) {
            return Err("use_cmd_unzip (archive.cmd_unzip) is not supported by Halite yet".into());
        }
        if password {
            return Err("password-protected zip archives are not supported by Halite yet".into());
        }
    } else if password {
        return Err("The 'password' argument is only supported for zip archives".into());
    }
    if format == "rar" {
        return Err(
            "archive.unrar function not available, rar/unrar might not be installed on minion"
                .into(),
        );
    }
    Ok(())
}

/// Everything Salt checks before it touches the source.
fn check_args(call: &StateCall<'_>) -> Result<Result<Args, StateReturn>, String> {
    if call.get_bool("skip_files_list_verify", false) && call.get_bool("skip_verify", false) {
        return Err(
            "Only one of \"skip_files_list_verify\" and \"skip_verify\" can be set to True".into(),
        );
    }
    let name = check_paths(call)?;
    if let Some(m) = call.get_str("if_missing") {
        if Path::new(&m).exists() {
            return Ok(Err(super::ret(
                call,
                Some(true),
                format!("Path {m} exists"),
            )));
        }
    }
    let (user, group, uid, gid) = owner_ids(call)?;
    if call.get("signature").is_some() || call.get("source_hash_sig").is_some() {
        let backend = call.get_str("sig_backend").unwrap_or_else(|| "gpg".into());
        return Err(format!(
            "Cannot verify signatures because the {backend} module was not loaded"
        ));
    }
    let (source, local) = resolve_source(call)?;
    let format = format_of(call, &source)?;
    let options = call.get("options").map(halite_api::py::str_of);
    let strip = options
        .as_deref()
        .filter(|_| format == "tar")
        .and_then(strip_components);
    check_format_args(call, &format, options.as_deref())?;
    let trim = trim_arg(call.get("trim_output"))?;
    let sum = match call.get_str("source_hash").filter(|s| !s.is_empty()) {
        Some(h) => Some(hash::parse(&h)?),
        None => None,
    };
    Ok(Ok(Args {
        name,
        source,
        local,
        format,
        options,
        strip,
        trim,
        sum,
        user,
        group,
        uid,
        gid,
    }))
}

/// Salt's `file.cached` for a `salt://` source: the cached path, or the
/// return `archive.extracted` hands back as its own.
fn cache_remote(call: &StateCall<'_>, a: &Args) -> Result<PathBuf, Box<StateReturn>> {
    let env = super::file::source::saltenv(call);
    let failed = |comment: String| {
        Box::new(StateReturn {
            name: a.source.clone(),
            result: Some(false),
            comment,
            ..Default::default()
        })
    };
    let cached = match cache::cache_salt(call.ctx, &a.source, &env) {
        Ok(Some(p)) => p,
        Ok(None) => {
            return Err(failed(format!(
                "Failed to cache {}, check minion log for more information",
                a.source
            )))
        }
        Err(e) => return Err(failed(format!("Failed to cache {}: {e}", a.source))),
    };
    if let (Some(sum), false) = (&a.sum, call.get_bool("skip_verify", false)) {
        let actual = hash::file_digest(&cached, sum).map_err(failed)?;
        if actual != sum.hsum {
            return Err(failed(format!("File is cached to {}, but the hash ({actual}) does not match the specified hash ({})", cached.display(), sum.hsum)));
        }
    }
    Ok(cached)
}

/// Salt's `warnings` for `keep`/`keep_source` and `source_hash_update`.
fn warnings(call: &StateCall<'_>) -> Vec<Value> {
    let mut w = Vec::new();
    if call.args.contains_key("keep_source") && call.args.contains_key("keep") {
        w.push("Both 'keep_source' and 'keep' were used. Since these both do the same thing, 'keep' was ignored.".into());
    }
    if call.get_bool("source_hash_update", false)
        && call.get_str("source_hash").is_none_or(|s| s.is_empty())
    {
        w.push("The 'source_hash_update' argument is ignored when 'source_hash' is not also specified.".into());
    }
    w
}

fn extracted(call: &StateCall<'_>) -> StateReturn {
    let mut r = extracted_inner(call);
    let w = warnings(call);
    if !w.is_empty() {
        r.extra.insert("warnings".into(), Value::Array(w));
    }
    r
}

/// `skip_files_list_verify`: the recorded checksum of the cached archive
/// already equals `source_hash`, so nothing is listed or extracted.
fn files_list_verified(call: &StateCall<'_>, a: &Args) -> Option<StateReturn> {
    let sum = a
        .sum
        .as_ref()
        .filter(|_| call.get_bool("skip_files_list_verify", false))?;
    let path = if a.local {
        PathBuf::from(&a.source)
    } else {
        let env = super::file::source::saltenv(call);
        let cached = cache::cached_path(call.ctx, &a.source, &env)?;
        if cached.is_file() {
            cached
        } else {
            let rel = a.source.trim_start_matches("salt://");
            let rel = rel.split('?').next().unwrap_or(rel);
            call.ctx.cachedir().join("extrn_files").join(env).join(rel)
        }
    };
    let existing = checksum::read(call.ctx, &path, None)?;
    (existing.hsum == sum.hsum).then(|| {
        let result = if call.test { None } else { Some(true) };
        super::ret(call, result, format!("Archive {} existing source sum is the same as the expected one and skip_files_list_verify argument was set to True. Extraction is not needed", a.source))
    })
}

fn extracted_inner(call: &StateCall<'_>) -> StateReturn {
    let a = match check_args(call) {
        Ok(Ok(a)) => a,
        Ok(Err(done)) => return done,
        Err(comment) => return fail(call, comment),
    };
    if let Some(done) = files_list_verified(call, &a) {
        return done;
    }
    let cached = if a.local {
        PathBuf::from(&a.source)
    } else if call.test {
        let comment = format!("Archive {} would be cached (if necessary) and checked to discover if extraction is needed", a.source);
        return super::ret(call, None, comment);
    } else {
        match cache_remote(call, &a) {
            Ok(p) => p,
            Err(r) => return *r,
        }
    };
    let mut r = match plan::run(call, &a, &cached) {
        Ok(r) => r,
        Err(comment) => return fail(call, comment),
    };
    let keep = call
        .get("keep_source")
        .or_else(|| call.get("keep"))
        .is_none_or(halite_api::module::value_to_bool);
    if !a.local && !keep {
        let _ = std::fs::remove_file(&cached);
    }
    r.name = call.name.clone();
    r
}

/// The `changes`/`comment` of a finished extraction.
fn extraction_result(
    r: &mut StateReturn,
    a: &Args,
    files: &Files,
    created: bool,
    explanation: &str,
) {
    if files.is_empty() {
        r.result = Some(false);
        r.comment = format!("No files were extracted from {}", a.source);
        return;
    }
    if created {
        r.changes.insert(
            "directories_created".into(),
            Value::Array(vec![a.name.clone().into()]),
        );
    }
    r.changes.insert("extracted_files".into(), files.to_value());
    r.comment = format!("{} extracted to {}{explanation}", a.source, a.name);
    if let Some(n) = a.trim {
        r.comment
            .push_str(&format!(". Output was trimmed to {n} number of lines"));
    }
    r.result = Some(true);
}

fn failure_return(call: &StateCall<'_>, f: Failure, r: StateReturn) -> StateReturn {
    match f {
        Failure::Comment(c) => StateReturn {
            comment: c,
            result: Some(false),
            ..r
        },
        Failure::Command(m) => StateReturn {
            changes: m,
            result: Some(false),
            comment: String::new(),
            name: call.name.clone(),
            extra: Map::new(),
        },
    }
}

#[cfg(test)]
mod tests;
