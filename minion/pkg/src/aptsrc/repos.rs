//! aptpkg's repo functions over [`SourcesList`] (Salt 3008.4 on Debian,
//! no python-apt): `list_repos` (`{uri: [repo, ...]}`, deb822 sections
//! expanded per URI, suite and type), `get_repo`, `del_repo` (its
//! messages; files left without entries removed), `mod_repo` (no key
//! fetching: see [`mod_repo`]). Errors are [`RepoError`]s in Salt's words.

use std::path::Path;

use halite_api::{Map, Value};

use super::classic::{string_to_bool, Classic, ParseError};
use super::deb822::Section;
use super::{default_file, Deb822, Entry, SourcesList};
use crate::yumrepo::ini::py_str;
use crate::yumrepo::RepoError;

fn failed(e: impl std::fmt::Display) -> RepoError {
    RepoError::Failed(e.to_string())
}

fn strs(v: &[String]) -> Value {
    Value::Array(v.iter().cloned().map(Value::from).collect())
}

/// `_split_repo_str`: the entry a repo string names.
fn split_repo(root: &Path, repo: &str) -> Result<Classic, RepoError> {
    Classic::parse(repo, &default_file(root)).map_err(|e| RepoError::Invocation(e.0))
}

/// The classic line list_repos shows for one URI/suite/type of a section.
fn compat_line(e: &Entry, kind: &str, uri: &str, suite: &str) -> Result<String, ParseError> {
    let line = format!("{kind} {uri} {suite} {}", e.comps().join(" "));
    let mut c = Classic::parse(&line, "/etc/apt/sources.list")?;
    c.disabled = e.disabled()?;
    c.architectures = e.architectures();
    // str(None) when the section has no Signed-By, as Salt
    c.signedby = e.signedby().unwrap_or_else(|| "None".into());
    c.trusted = e.trusted()?;
    Ok(c.render())
}

/// `pkg.list_repos`.
pub fn list_repos(list: &SourcesList) -> Result<Map, RepoError> {
    let mut repos = Map::new();
    for e in list.entries.iter().filter(|e| !e.invalid()) {
        let disabled = e.disabled().map_err(failed)?;
        for uri in e.uris() {
            for suite in e.suites() {
                for kind in e.types() {
                    let line = match e {
                        Entry::Deb822(_) => compat_line(e, &kind, &uri, &suite).map_err(failed)?,
                        Entry::Classic(c) => c.line.trim().to_string(),
                    };
                    let mut r = Map::new();
                    r.insert("file".into(), e.file().into());
                    r.insert("comps".into(), strs(&e.comps()));
                    r.insert("disabled".into(), disabled.into());
                    r.insert("enabled".into(), (!disabled).into());
                    r.insert("dist".into(), suite.clone().into());
                    r.insert("suites".into(), strs(&e.suites()));
                    r.insert("type".into(), kind.clone().into());
                    r.insert("types".into(), strs(&e.types()));
                    r.insert("uri".into(), uri.clone().into());
                    r.insert("uris".into(), strs(&e.uris()));
                    r.insert("line".into(), line.into());
                    r.insert("architectures".into(), strs(&e.architectures()));
                    r.insert(
                        "signedby".into(),
                        e.signedby().map_or(Value::Null, Value::from),
                    );
                    let slot = repos
                        .entry(uri.clone())
                        .or_insert_with(|| Value::Array(Vec::new()));
                    if let Value::Array(a) = slot {
                        a.push(Value::Object(r));
                    }
                }
            }
        }
    }
    Ok(repos)
}

/// `pkg.get_repo`: the first listed repo of the same type, URI and suite
/// sharing a component (any, when the string names none); `{}` if none.
pub fn get_repo(list: &SourcesList, repo: &str) -> Result<Map, RepoError> {
    let repos = list_repos(list)?;
    if repos.is_empty() {
        return Ok(Map::new());
    }
    let want = split_repo(&list.root, repo)?;
    let s = |v: &Value, k: &str| v.get(k).and_then(Value::as_str).unwrap_or("").to_string();
    for sub in repos
        .values()
        .flat_map(|v| v.as_array().cloned().unwrap_or_default())
    {
        if s(&sub, "type") == want.kind
            && s(&sub, "uri").trim_end_matches('/') == want.uri.trim_end_matches('/')
            && s(&sub, "dist") == want.dist
        {
            let comps: Vec<String> = sub
                .get("comps")
                .and_then(Value::as_array)
                .map(|a| a.iter().map(py_str).collect())
                .unwrap_or_default();
            if want.comps.is_empty() || want.comps.iter().any(|c| comps.contains(c)) {
                return Ok(sub.as_object().cloned().unwrap_or_default());
            }
        }
    }
    Ok(Map::new())
}

fn set_suites(e: &mut Entry, suites: &[String]) -> Result<(), RepoError> {
    match e {
        Entry::Classic(_) if suites.len() > 1 => Err(failed(
            "Only one suite is possible for non deb822 source entry",
        )),
        Entry::Classic(c) => {
            c.dist = suites.first().cloned().unwrap_or_default();
            Ok(())
        }
        Entry::Deb822(d) => {
            d.section.set("Suites", suites.join(" "));
            Ok(())
        }
    }
}

fn set_comps(e: &mut Entry, comps: Vec<String>) {
    match e {
        Entry::Classic(c) => c.comps = comps,
        Entry::Deb822(d) => d.section.set("Components", comps.join(" ")),
    }
}

/// `pkg.del_repo`: `Ok(message)`; the caller refreshes the package
/// database afterwards, as Salt always does.
pub fn del_repo(list: &mut SourcesList, repo: &str) -> Result<String, RepoError> {
    if !list.entries.iter().any(|e| !e.invalid()) {
        return Err(failed(format!(
            "Repo {repo} doesn't exist in the sources.list(s)"
        )));
    }
    let want = split_repo(&list.root, repo)?;
    let mut deleted_from: Vec<String> = Vec::new();
    let mut gone: Vec<usize> = Vec::new();
    for i in 0..list.entries.len() {
        let e = &mut list.entries[i];
        if e.invalid() {
            continue;
        }
        let matches = e.kind().split_whitespace().any(|t| t == want.kind)
            && e.architectures() == want.architectures
            && e.uris()
                .iter()
                .any(|u| u.trim_end_matches('/') == want.uri.trim_end_matches('/'))
            && e.suites().contains(&want.dist);
        if !matches {
            continue;
        }
        let s_comps = e.comps();
        let same = s_comps.len() == want.comps.len()
            && s_comps.iter().all(|c| want.comps.contains(c))
            && want.comps.iter().all(|c| s_comps.contains(c));
        let shared = s_comps.iter().any(|c| want.comps.contains(c));
        if same {
            let suites: Vec<String> = {
                let mut s = e.suites();
                if let Some(at) = s.iter().position(|x| *x == want.dist) {
                    s.remove(at);
                }
                s
            };
            set_suites(e, &suites)?;
            if suites.is_empty() {
                gone.push(i);
            }
        } else if shared || (s_comps.is_empty() && want.comps.is_empty()) {
            let left: Vec<String> = s_comps
                .into_iter()
                .filter(|c| !want.comps.contains(c))
                .collect();
            if left.is_empty() {
                gone.push(i);
            }
            set_comps(e, left);
        } else {
            continue;
        }
        let file = e.file().to_string();
        if !deleted_from.contains(&file) {
            deleted_from.push(file);
        }
    }
    for i in gone.into_iter().rev() {
        list.entries.remove(i);
    }
    list.save().map_err(failed)?;
    if deleted_from.is_empty() {
        return Err(failed(format!(
            "Repo {repo} doesn't exist in the sources.list(s)"
        )));
    }
    let mut ret = String::new();
    for file in deleted_from {
        let count = list
            .entries
            .iter()
            .filter(|e| !e.invalid() && e.file() == file)
            .count();
        if count == 0 && file.contains("sources.list.d/") && Path::new(&file).is_file() {
            let _ = std::fs::remove_file(&file);
            ret.push_str(&format!(
                "File {file} containing repo '{repo}' has been removed."
            ));
        } else {
            ret.push_str(&format!("Repo '{repo}' has been removed from {file}.\n"));
        }
    }
    Ok(ret)
}

/// What `mod_repo` asks of its caller.
pub struct Modified {
    /// `{repo: get_repo(repo)}`.
    pub ret: Map,
    /// `refresh` (or `refresh_db`) was true: refresh the package database.
    pub refresh: bool,
}

/// The message for the key options, which need the network or apt-key's
/// keyring and which Halite does not handle.
pub const NO_KEYS: &str = "Halite does not fetch or import repository keys (keyid/keyserver, key_url, key_text); install the key file and name it with signed-by";

/// Python truthiness of a kwarg, Salt's `is_true` for `disabled`/`enabled`.
fn is_true(v: &Value) -> bool {
    crate::states::pkgrepo::is_true(v)
}

/// `kwargs[key].split(",")` (the argument must be a string, as in Salt).
fn split_commas(kwargs: &Map, key: &str) -> Result<Option<Vec<String>>, RepoError> {
    match kwargs.get(key) {
        None => Ok(None),
        Some(Value::String(s)) => Ok(Some(s.split(',').map(String::from).collect())),
        Some(_) => Err(failed(format!("'{key}' must be a comma-separated string"))),
    }
}

/// `pkg.mod_repo(repo, saltenv, aptkey, **kwargs)`: the entry of `repo`
/// (or a new one in `file`, default `sources.list`; a `.sources` file gets
/// a deb822 section) updated with `comps`, `architectures`, `disabled`/
/// `enabled`, `comments`, `uri`, `dist`, `trusted` and the `signed-by` of
/// the repo string, then every file saved. `aptkey`: an `apt-key` binary
/// exists and was not turned off. Key options are refused ([`NO_KEYS`]).
pub fn mod_repo(
    root: &Path,
    repo: &str,
    aptkey: bool,
    kwargs: &Map,
    os: &str,
) -> Result<Modified, RepoError> {
    let refresh = kwargs
        .get("refresh_db")
        .or_else(|| kwargs.get("refresh"))
        .is_none_or(halite_api::value::is_truthy);
    if repo.starts_with("ppa:") {
        if matches!(os, "Ubuntu" | "Mint" | "neon") {
            return Err(failed(format!(
                "PPAs need Launchpad or apt-add-repository, which Halite does not run: {repo}"
            )));
        }
        return Err(failed(format!(
            "cannot parse \"ppa:\" style repo definitions: {repo}"
        )));
    }
    if kwargs
        .get("consolidate")
        .is_some_and(halite_api::value::is_truthy)
    {
        return Err(failed(
            "Halite does not consolidate apt sources (consolidate=True)",
        ));
    }
    let mut list = SourcesList::load(root);
    let want = split_repo(root, repo)?;
    if want.invalid {
        return Err(RepoError::Invocation(format!(
            "Name {repo} is not valid. This must be the complete repo entry as seen in the sources file"
        )));
    }
    if kwargs.contains_key("keyid") {
        let given = |k: &str| kwargs.get(k).is_some_and(halite_api::value::is_truthy);
        if !given("keyid") || !given("keyserver") {
            return Err(failed("both keyserver and keyid options required."));
        }
        return Err(failed(NO_KEYS));
    }
    if kwargs.contains_key("key_url") || kwargs.contains_key("key_text") {
        return Err(failed(NO_KEYS));
    }
    let mut full_comps: Vec<String> = want.comps.iter().map(|c| c.trim().to_string()).collect();
    let comps: Vec<String> = match split_commas(kwargs, "comps")? {
        Some(given) => {
            let given: Vec<String> = given.iter().map(|c| c.trim().to_string()).collect();
            for c in &given {
                if !full_comps.contains(c) {
                    full_comps.push(c.clone());
                }
            }
            given
        }
        None => full_comps.clone(),
    };
    let archs =
        split_commas(kwargs, "architectures")?.unwrap_or_else(|| want.architectures.clone());
    let disabled = match (kwargs.get("disabled"), kwargs.get("enabled")) {
        (Some(d), _) => Some(is_true(d)),
        (None, Some(e)) => Some(!is_true(e)),
        _ => None,
    };
    let kw_type = kwargs.get("type").map(py_str);
    let kw_dist = kwargs.get("dist").map(py_str);
    let found = list.entries.iter().position(|e| {
        let usable = match e {
            Entry::Deb822(_) => !(e.kind().is_empty() || e.types().is_empty() || e.types() == [""]),
            Entry::Classic(c) => !c.invalid,
        };
        if !usable {
            return false;
        }
        let suites = e.suites();
        let kinds: Vec<String> = e.kind().split_whitespace().map(String::from).collect();
        let repo_matches = kinds.contains(&want.kind)
            && e.uris()
                .iter()
                .any(|u| u.trim_end_matches('/') == want.uri.trim_end_matches('/'))
            && suites.contains(&want.dist);
        let kw_matches = kw_dist.as_ref().is_some_and(|d| suites.contains(d))
            && kw_type.as_ref().is_some_and(|t| kinds.contains(t));
        (repo_matches || kw_matches)
            && (full_comps.iter().any(|c| e.comps().contains(c))
                || e.comps().is_empty()
                || archs != e.architectures())
    });
    let comments = kwargs.get("comments").map(combine_comments);
    let at = match found {
        Some(at) => {
            if let Some(c) = &comments {
                set_comment(&mut list.entries[at], c);
            }
            at
        }
        None => {
            let trusted_given = kwargs.get("trusted").map(|v| match v {
                Value::String(s) => string_to_bool(s).unwrap_or(false),
                other => halite_api::value::is_truthy(other),
            });
            if !aptkey && want.signedby.is_empty() && trusted_given != Some(true) {
                return Err(RepoError::Invocation(
                    "missing 'signedby' or 'trusted' option when apt-key is missing".into(),
                ));
            }
            let file = kwargs.get("file").map(py_str);
            let mut entry = new_entry(root, repo, &want, file, kwargs)?;
            if let Some(c) = &comments {
                set_comment(&mut entry, c);
            }
            list.entries.push(entry);
            list.entries.len() - 1
        }
    };
    let e = &mut list.entries[at];
    if let Entry::Classic(c) = e {
        c.line = if repo.ends_with('\n') {
            repo.to_string()
        } else {
            format!("{repo}\n")
        };
    }
    let keep_archs = !(archs.is_empty() && e.architectures().is_empty());
    apply_kwargs(
        e,
        kwargs,
        &comps,
        keep_archs.then_some(&archs),
        disabled,
        &want.signedby,
    )?;
    if let Entry::Classic(c) = e {
        if c.uri != want.uri {
            c.uri = want.uri.clone();
            c.line = c.render();
        }
    }
    list.save().map_err(failed)?;
    let fresh = SourcesList::load(root);
    let mut ret = Map::new();
    ret.insert(repo.to_string(), Value::Object(get_repo(&fresh, repo)?));
    Ok(Modified { ret, refresh })
}

/// `salt.utils.pkg.deb.combine_comments`.
pub fn combine_comments(v: &Value) -> String {
    match v {
        Value::Array(a) => a
            .iter()
            .map(py_str)
            .collect::<Vec<_>>()
            .join(" ")
            .trim()
            .to_string(),
        other => py_str(other).trim().to_string(),
    }
}

fn set_comment(e: &mut Entry, comment: &str) {
    match e {
        Entry::Classic(c) => c.comment = comment.to_string(),
        Entry::Deb822(d) => {
            let lines: Vec<String> = halite_api::py::splitlines(comment)
                .into_iter()
                .map(String::from)
                .collect();
            d.section.header = if lines.iter().all(|l| l.starts_with('#')) {
                lines
            } else {
                lines.iter().map(|l| format!("#{l}")).collect()
            };
        }
    }
}

/// The entry `mod_repo` adds when none matches.
fn new_entry(
    root: &Path,
    repo: &str,
    want: &Classic,
    file: Option<String>,
    kwargs: &Map,
) -> Result<Entry, RepoError> {
    match file {
        Some(f) if f.ends_with(".sources") => {
            let mut section = Section::default();
            section.set("Types", want.kind.clone());
            section.set("URIs", want.uri.clone());
            section.set("Suites", want.dist.clone());
            section.set("Components", want.comps.join(" "));
            let is_true_bool = |k: &str| matches!(kwargs.get(k), Some(Value::Bool(true)));
            if is_true_bool("trusted")
                || is_true_bool("Trusted")
                || (!kwargs.contains_key("trusted") && want.trusted == Some(true))
            {
                section.set("Trusted", "yes".into());
            }
            Ok(Entry::Deb822(Deb822 { section, file: f }))
        }
        f => Classic::parse(repo, &f.unwrap_or_else(|| default_file(root)))
            .map(Entry::Classic)
            .map_err(|e| RepoError::Invocation(e.0)),
    }
}

/// `trusted`'s setter: a bool, 0/1, a boolean word; anything else unsets.
fn trusted_of(v: &Value) -> Result<Option<bool>, RepoError> {
    Ok(match v {
        Value::Bool(b) => Some(*b),
        Value::Number(n) if n.as_i64() == Some(0) || n.as_i64() == Some(1) => {
            Some(n.as_i64() == Some(1))
        }
        Value::String(s) => Some(string_to_bool(s).map_err(failed)?),
        _ => None,
    })
}

/// Salt's loop setting the `_MODIFY_OK` attributes on the entry.
fn apply_kwargs(
    e: &mut Entry,
    kwargs: &Map,
    comps: &[String],
    archs: Option<&Vec<String>>,
    disabled: Option<bool>,
    signedby: &str,
) -> Result<(), RepoError> {
    set_comps(e, comps.to_vec());
    if let Some(a) = archs {
        match e {
            Entry::Classic(c) => c.architectures = a.clone(),
            Entry::Deb822(d) => d.section.set("Architectures", a.join(" ")),
        }
    }
    match e {
        Entry::Classic(c) => c.signedby = signedby.to_string(),
        Entry::Deb822(d) => d.section.set("Signed-By", signedby.to_string()),
    }
    if let Some(d) = disabled {
        match e {
            Entry::Classic(c) => c.disabled = d,
            Entry::Deb822(s) if d => s.section.set("Enabled", "no".into()),
            Entry::Deb822(s) => {
                s.section.remove("Enabled");
            }
        }
    }
    if let Some(f) = kwargs.get("file") {
        e.set_file(py_str(f));
    }
    if let Some(t) = kwargs.get("trusted") {
        let t = trusted_of(t)?;
        match e {
            Entry::Classic(c) => c.trusted = t,
            Entry::Deb822(d) => match t {
                Some(b) => d
                    .section
                    .set("Trusted", if b { "yes" } else { "no" }.into()),
                None => {
                    d.section.remove("Trusted");
                }
            },
        }
    }
    for (key, field) in [("uri", "URIs"), ("dist", "Suites")] {
        if let Some(v) = kwargs.get(key) {
            match e {
                Entry::Classic(c) if key == "uri" => c.uri = py_str(v),
                Entry::Classic(c) => c.dist = py_str(v),
                Entry::Deb822(d) => d.section.set(field, py_str(v)),
            }
        }
    }
    if let Entry::Deb822(d) = e {
        for (key, field) in [("uris", "URIs"), ("suites", "Suites"), ("types", "Types")] {
            if let Some(v) = kwargs.get(key) {
                let words: Vec<String> = match v {
                    Value::Array(a) => a.iter().map(py_str).collect(),
                    other => py_str(other).chars().map(String::from).collect(),
                };
                d.section.set(field, words.join(" "));
            }
        }
    }
    Ok(())
}
