//! The deciding half of `archive.extracted`: list the cached archive,
//! refuse tar-bombs, compare its members with the destination and either
//! report (test mode, converged) or clean, extract and enforce ownership.

use std::path::Path;

use halite_api::{Map, StateCall, StateReturn, Value};

use super::extract::{self, Files};
use super::{checksum, extraction_result, failure_return, hash, Args};
use crate::exec::archive::{self as arc, Verbose};

fn list(call: &StateCall<'_>, a: &Args, cached: &Path) -> Result<Verbose, String> {
    let name = cached.to_string_lossy().into_owned();
    if a.format == "zip" && call.get("password").is_none() {
        if let Ok(true) = arc::zip_encrypted(&name, cached) {
            return Err(format!("Archive {} is password-protected, but no password was specified. Please set the 'password' argument.", a.source));
        }
    }
    let list_options = call.get_str("list_options");
    let mut c = arc::contents(call.ctx, &name, cached, &a.format, list_options.as_deref())
        .map_err(|m| list_error(call, a, &arc::with_location(&m, cached)))?;
    if let Some(n) = a.strip {
        arc::strip(&mut c, n);
    }
    Ok(arc::verbose(&c))
}

/// Salt's comment for an archive it cannot list.
fn list_error(call: &StateCall<'_>, a: &Args, msg: &str) -> String {
    let mut errors = Vec::new();
    if call.get("if_missing").is_none() {
        errors.push("'if_missing' must be set");
    }
    if call.get("enforce_ownership_on").is_none() && (a.user.is_some() || a.group.is_some()) {
        errors.push("Ownership cannot be managed without setting 'enforce_ownership_on'.");
    }
    if errors.is_empty() {
        return msg.to_string();
    }
    let mut out = format!("{msg}\n\n");
    if a.format == "tar" {
        out.push_str("If the source archive is a tar archive compressed using a compression type not natively supported by the tar command, then setting the 'list_options' argument may allow the contents to be listed. Otherwise, if Salt is unable to determine the files/directories in the archive, the following workaround(s) would need to be used for this state to proceed");
    } else {
        out.push_str("The following workarounds must be used for this state to proceed");
    }
    out.push_str(&format!(
        " (assuming the source file is a valid {} archive):\n",
        a.format
    ));
    for e in errors {
        out.push_str(&format!("\n- {e}"));
    }
    out
}

/// Members whose path on disk is missing, or of the wrong type.
struct Check {
    missing: bool,
    incorrect: Vec<String>,
}

/// Whether a path on disk has the type a member needs.
type KindCheck = fn(&std::fs::FileType) -> bool;

fn check_disk(name: &str, c: &Verbose) -> Result<Check, String> {
    let mut out = Check {
        missing: false,
        incorrect: Vec::new(),
    };
    let kinds: [(&Vec<String>, KindCheck); 3] = [
        (&c.dirs, |t| t.is_dir()),
        (&c.files, |t| !t.is_symlink() && !t.is_dir()),
        (&c.links, |t| t.is_symlink()),
    ];
    for (paths, ok) in kinds {
        for p in paths {
            let full = format!("{name}{p}");
            match std::fs::symlink_metadata(full.trim_end_matches('/')) {
                Ok(m) if !ok(&m.file_type()) => out.incorrect.push(p.clone()),
                Ok(_) => {}
                Err(e) if e.kind() == std::io::ErrorKind::NotFound => out.missing = true,
                Err(e) if e.raw_os_error() == Some(libc::ENOTDIR) => {}
                Err(e) => return Err(e.to_string()),
            }
        }
    }
    Ok(out)
}

/// Salt's handling of wrong-typed paths; `Ok(Some)` ends the state.
fn incorrect_types(
    call: &StateCall<'_>,
    a: &Args,
    chk: &Check,
    removed: &mut Vec<Value>,
) -> Result<Option<StateReturn>, String> {
    if chk.incorrect.is_empty() {
        return Ok(None);
    }
    let paths: Vec<String> = chk.incorrect.iter().map(|x| format!("- {x}")).collect();
    let paths = format!("\n\n{}", paths.join("\n"));
    let mut comment = format!("The below paths (relative to {}) exist, but are the incorrect type (file instead of directory, symlink instead of file, etc.).", a.name);
    let (clean, clean_parent) = (
        call.get_bool("clean", false),
        call.get_bool("clean_parent", false),
    );
    if call.test && clean {
        comment.push_str(&format!(" Since the 'clean' option is enabled, the destination paths would be cleared and the archive would be extracted.{paths}"));
        return Ok(Some(super::super::ret(call, None, comment)));
    }
    if call.test && clean_parent {
        comment.push_str(" Since the 'clean_parent' option is enabled, the destination parent directory would be removed first and then re-created and the archive would be extracted");
        return Ok(Some(super::super::ret(call, None, comment)));
    }
    if clean {
        return Ok(None);
    }
    if !call.get_bool("force", false) {
        comment.push_str(&format!(" To proceed with extraction, set 'force' to True. Note that this will remove these paths before extracting.{paths}"));
        return Err(comment);
    }
    let mut errors = Vec::new();
    for p in &chk.incorrect {
        let full = format!("{}{p}", a.name);
        match extract::rm_rf(Path::new(full.trim_end_matches('/'))) {
            Ok(()) => removed.push(full.into()),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => errors.push(e.to_string()),
        }
    }
    if !errors.is_empty() {
        let list: String = errors.iter().map(|e| format!("\n- {e}")).collect();
        return Err(format!("One or more paths existed by were the incorrect type (i.e. file instead of directory or vice-versa), but could not be removed. The following errors were observed:\n{list}"));
    }
    Ok(None)
}

/// From listing to the final return.
pub fn run(call: &StateCall<'_>, a: &Args, cached: &Path) -> Result<StateReturn, String> {
    let update = call.get_bool("source_hash_update", false);
    let existing = checksum::read(call.ctx, cached, None);
    if a.sum.is_some() && update && !call.get_bool("skip_verify", false) {
        checksum::update(call.ctx, cached)?;
    }
    let c = list(call, a, cached)?;
    if call.get_bool("enforce_toplevel", true)
        && (c.top_level_dirs.len() > 1 || !c.top_level_files.is_empty())
    {
        return Err(format!("Archive does not have a single top-level directory. To allow this archive to be extracted, set 'enforce_toplevel' to False. To avoid a '{0}-bomb' it may also be advisable to set a top-level directory by adding it to the 'name' value (for example, setting 'name' to {1}some_dir instead of {1}).", a.format, a.name));
    }
    if call.get_bool("clean", false) && call.get_bool("clean_parent", false) {
        return Err("Only one of 'clean' and 'clean_parent' can be set to True".into());
    }
    let chk = check_disk(&a.name, &c)?;
    let mut removed = Vec::new();
    if let Some(done) = incorrect_types(call, a, &chk, &mut removed)? {
        return Ok(done);
    }
    let mut needed = call.get_bool("overwrite", false) || chk.missing || !removed.is_empty();
    // Salt: the archive changed since the checksum was last recorded.
    let trigger = !needed
        && update
        && existing
            .as_ref()
            .is_some_and(|e| !checksum::same(call.ctx, cached, e));
    needed |= trigger;
    let explanation = if trigger {
        ", due to source_hash update"
    } else if chk.missing {
        ", due to absence of one or more files/dirs"
    } else {
        ""
    };
    let mut r = StateReturn::new(call.name.clone());
    if !removed.is_empty() {
        r.changes.insert("removed".into(), Value::Array(removed));
    }
    let mut created = false;
    let mut files = Files::List(Vec::new());
    if needed {
        if let Some(early) = verify_local(call, a)? {
            return Ok(early);
        }
        if call.test {
            let mut comment = format!("Archive {} would be extracted to {}", a.source, a.name);
            if call.get_bool("clean", false) {
                comment.push_str(", after cleaning destination path(s)");
            }
            comment.push_str(explanation);
            return Ok(super::super::ret(call, None, comment));
        }
        clean(call, a, &c, &mut r.changes)?;
        created = make_dest(call, a);
        files = match do_extract(call, a, cached) {
            Ok(f) => f,
            Err(f) => return Ok(failure_return(call, f, r)),
        };
    }
    let owned = ownership(call, a, &c, &mut r);
    if needed {
        extraction_result(&mut r, a, &files, created, explanation);
    } else {
        r.result = Some(true);
        r.comment = "All files in archive are already present".into();
        if call.test && r.changes.contains_key("updated ownership") {
            r.result = None;
            r.comment
                .push_str(". Ownership would be updated on one or more files/directories.");
        }
    }
    append_enforce(call, &mut r, &owned);
    Ok(r)
}

/// A local source is checked against `source_hash` before extraction.
fn verify_local(call: &StateCall<'_>, a: &Args) -> Result<Option<StateReturn>, String> {
    let Some(sum) = a
        .sum
        .as_ref()
        .filter(|_| a.local && !call.get_bool("skip_verify", false))
    else {
        return Ok(None);
    };
    if hash::file_digest(Path::new(&a.source), sum)? == sum.hsum {
        return Ok(None);
    }
    Err(format!(
        "{} does not match the desired source_hash {}",
        a.source, sum.hsum
    ))
}

/// `clean_parent` / `clean` before extraction.
fn clean(call: &StateCall<'_>, a: &Args, c: &Verbose, changes: &mut Map) -> Result<(), String> {
    if call.get_bool("clean_parent", false) {
        match extract::rm_rf(Path::new(a.name.trim_end_matches('/'))) {
            Ok(()) => {
                changes.insert(
                    "removed".into(),
                    format!("Directory {} was removed prior to the extraction", a.name).into(),
                );
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
            Err(e) => {
                return Err(format!(
                "Unable to remove the directory {}. The following errors were observed:\n\n- {e}",
                a.name
            ))
            }
        }
        return Ok(());
    }
    if !call.get_bool("clean", false) {
        return Ok(());
    }
    let mut errors = Vec::new();
    for p in c.top_level_dirs.iter().chain(&c.top_level_files) {
        let full = format!("{}{p}", a.name);
        match extract::rm_rf(Path::new(full.trim_end_matches('/'))) {
            Ok(()) => push_removed(changes, full),
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => push_removed(changes, full),
            Err(e) => errors.push(e.to_string()),
        }
    }
    if errors.is_empty() {
        return Ok(());
    }
    let list: String = errors.iter().map(|e| format!("\n- {e}")).collect();
    Err(format!(
        "One or more paths could not be cleaned. The following errors were observed:\n{list}"
    ))
}

fn push_removed(changes: &mut Map, path: String) {
    if let Value::Array(v) = changes
        .entry("removed")
        .or_insert_with(|| Value::Array(Vec::new()))
    {
        v.push(path.into());
    }
}

/// `file.directory(name, user=user, makedirs=True)` when the destination is
/// missing; true when it was created.
fn make_dest(call: &StateCall<'_>, a: &Args) -> bool {
    if Path::new(&a.name).is_dir() {
        return false;
    }
    let mut args = Map::new();
    args.insert("name".into(), a.name.clone().into());
    args.insert(
        "user".into(),
        a.user.clone().map_or(Value::Null, Value::from),
    );
    args.insert("makedirs".into(), true.into());
    extract::sub_state(call, "file.directory", args);
    true
}

fn do_extract(call: &StateCall<'_>, a: &Args, cached: &Path) -> Result<Files, extract::Failure> {
    let dest = Path::new(&a.name);
    match (a.format.as_str(), a.options.as_deref()) {
        ("zip", _) => extract::unzip(call, cached, dest, a.trim),
        (_, Some(o)) => extract::tar_with_options(call, o, cached, dest, a.trim),
        _ => extract::untar(call, cached, dest, a.trim),
    }
}

/// `user`/`group` on the top-level paths (or `enforce_ownership_on`).
fn ownership(
    call: &StateCall<'_>,
    a: &Args,
    c: &Verbose,
    r: &mut StateReturn,
) -> extract::Ownership {
    if a.user.is_none() && a.group.is_none() {
        return extract::Ownership::default();
    }
    let (dirs, files) = match call.get_str("enforce_ownership_on") {
        Some(on) if Path::new(&on).is_dir() => (vec![on], Vec::new()),
        Some(on) => (Vec::new(), vec![on]),
        None => (
            c.top_level_dirs.clone(),
            c.top_level_files
                .iter()
                .chain(&c.top_level_links)
                .cloned()
                .collect(),
        ),
    };
    let o = extract::enforce(
        call,
        &a.name,
        &dirs,
        &files,
        (a.user.clone(), a.group.clone()),
        (a.uid, a.gid),
    );
    if o.updated {
        r.changes.insert("updated ownership".into(), true.into());
    }
    o
}

/// Salt's notes on paths whose ownership could not be enforced.
fn append_enforce(call: &StateCall<'_>, r: &mut StateReturn, o: &extract::Ownership) {
    if !o.missing.is_empty() {
        if call.get("if_missing").is_none() {
            r.result = Some(false);
        }
        r.comment.push_str(
            "\n\nWhile trying to enforce user/group ownership, the following paths were missing:\n",
        );
        for p in &o.missing {
            r.comment.push_str(&format!("\n- {p}"));
        }
    }
    if !o.failed.is_empty() {
        r.result = Some(false);
        r.comment.push_str("\n\nWhile trying to enforce user/group ownership, Salt was unable to change ownership on the following paths:\n");
        for p in &o.failed {
            r.comment.push_str(&format!("\n- {p}"));
        }
    }
}
