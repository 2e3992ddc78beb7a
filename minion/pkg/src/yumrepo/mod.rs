//! yum/dnf repositories: the `.repo` files under `reposdir`, read and
//! written as Salt 3008.4's yumpkg does (`list_repos`, `get_repo`,
//! `del_repo`, `mod_repo`, `_normalize_basedir`), with its messages.
//! Plain files: nothing here runs dnf.

use std::path::{Path, PathBuf};

use halite_api::{Map, Value};

pub mod ini;

use ini::RepoFile;

/// Why a repo function failed: Salt's `SaltInvocationError` (bad
/// arguments) or `CommandExecutionError` (the files).
#[derive(Debug, thiserror::Error)]
pub enum RepoError {
    #[error("{0}")]
    Invocation(String),
    #[error("{0}")]
    Failed(String),
}

/// The yum/dnf configuration files Salt looks for `reposdir` in, in order.
pub const YUM_CONFIGS: &[&str] = &[
    "/etc/yum/yum.conf",
    "/etc/yum.conf",
    "/etc/dnf/dnf.conf",
    "/etc/tdnf/tdnf.conf",
];

const LINK_TYPES: [&str; 3] = ["baseurl", "mirrorlist", "metalink"];

/// Python's repr of a list of strings (`['/a', '/b']`).
pub fn py_list(items: &[String]) -> String {
    let inner: Vec<String> = items.iter().map(|s| format!("'{s}'")).collect();
    format!("[{}]", inner.join(", "))
}

/// Salt's `_normalize_basedir`: `basedir` as a comma-separated string or a
/// list; empty or absent → `reposdir` of the first yum config in `configs`.
pub fn basedirs(
    arg: Option<&Value>,
    configs: &[&str],
    strict: bool,
) -> Result<Vec<String>, RepoError> {
    let given: Vec<String> = match arg {
        Some(Value::String(s)) => s.split(',').map(|x| x.trim().to_string()).collect(),
        Some(Value::Array(items)) => items.iter().map(ini::py_str).collect(),
        _ => Vec::new(),
    };
    let dirs = if given.is_empty() {
        reposdir_of(configs, strict)?
    } else {
        given
    };
    if dirs.is_empty() {
        return Err(RepoError::Invocation(
            "Could not determine any repo directories".into(),
        ));
    }
    Ok(dirs)
}

/// `reposdir` from `[main]` of the first existing config (comma-split),
/// else yum's defaults; no config at all is Salt's error.
fn reposdir_of(configs: &[&str], strict: bool) -> Result<Vec<String>, RepoError> {
    let Some(path) = configs.iter().find(|p| Path::new(p).exists()) else {
        let quoted: Vec<String> = configs.iter().map(|p| format!("'{p}'")).collect();
        return Err(RepoError::Failed(format!(
            "No suitable yum config file found in: ({})",
            quoted.join(", ")
        )));
    };
    let conf = ini::parse(Path::new(path), strict)?;
    let reposdir = conf
        .sections
        .get("main")
        .and_then(|m| m.get("reposdir"))
        .and_then(Value::as_str);
    Ok(match reposdir {
        Some(v) => v.split(',').map(|x| x.trim().to_string()).collect(),
        None => vec!["/etc/yum/repos.d".into(), "/etc/yum.repos.d".into()],
    })
}

/// `pkg.list_repos`: every section of every `*.repo` file, with `file`.
pub fn list_repos(dirs: &[String], strict: bool) -> Result<Map, RepoError> {
    let mut repos = Map::new();
    for dir in dirs {
        let Ok(entries) = std::fs::read_dir(dir) else {
            continue;
        };
        let mut names: Vec<String> = entries
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.ends_with(".repo"))
            .collect();
        names.sort();
        for name in names {
            let path = format!("{dir}/{name}");
            for (repo, body) in ini::parse(Path::new(&path), strict)?.sections {
                let mut body = body.as_object().cloned().unwrap_or_default();
                body.insert("file".into(), path.clone().into());
                repos.insert(repo, Value::Object(body));
            }
        }
    }
    Ok(repos)
}

fn file_of(repos: &Map, repo: &str) -> Option<PathBuf> {
    repos
        .get(repo)
        .and_then(|r| r.get("file"))
        .and_then(Value::as_str)
        .map(PathBuf::from)
}

/// `_get_copr_repo`: `copr:user/project` is the repo id
/// `copr:copr.fedorainfracloud.org:user:project` (what `dnf copr enable`
/// writes); other names are ids already.
pub fn repo_id(repo: &str) -> Result<String, RepoError> {
    let Some(copr) = repo.strip_prefix("copr:") else {
        return Ok(repo.to_string());
    };
    let (user, project) = copr
        .split_once('/')
        .ok_or_else(|| RepoError::Failed("list index out of range".into()))?;
    Ok(format!("copr:copr.fedorainfracloud.org:{user}:{project}"))
}

/// Enables a copr project (`user/project`) on the host: `mod_repo`'s way
/// to create a `copr:` repo (Salt runs `dnf copr enable user/project -y`).
pub type CoprEnable<'a> = &'a dyn Fn(&str) -> Result<(), RepoError>;

/// `pkg.get_repo`: the repo's section as its file has it, `{}` if none.
pub fn get_repo(dirs: &[String], repo: &str, strict: bool) -> Result<Map, RepoError> {
    let repos = list_repos(dirs, strict)?;
    let repo = &repo_id(repo)?;
    let Some(file) = file_of(&repos, repo) else {
        return Ok(Map::new());
    };
    let parsed = ini::parse(&file, strict)?;
    Ok(parsed
        .sections
        .get(repo)
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default())
}

fn write(path: &Path, text: &str) -> Result<(), RepoError> {
    halite_api::atomic::write_atomic(path, text.as_bytes(), 0o644)
        .map_err(|e| RepoError::Failed(format!("{}: {e}", path.display())))
}

/// `pkg.del_repo`: Salt's message strings (a missing repo is a returned
/// `Error: ...` string, not a failure); the file goes when it held only
/// this repo.
pub fn del_repo(dirs: &[String], repo: &str, strict: bool) -> Result<String, RepoError> {
    let repo = &repo_id(repo)?;
    let repos = list_repos(dirs, strict)?;
    let Some(file) = file_of(&repos, repo) else {
        return Ok(format!(
            "Error: the {repo} repo does not exist in {}",
            py_list(dirs)
        ));
    };
    let shown = file.display().to_string();
    let others = repos
        .iter()
        .any(|(name, _)| name != repo && file_of(&repos, name).as_ref() == Some(&file));
    if !others {
        std::fs::remove_file(&file).map_err(|e| RepoError::Failed(format!("{shown}: {e}")))?;
        return Ok(format!(
            "File {shown} containing repo {repo} has been removed"
        ));
    }
    let RepoFile { header, sections } = ini::parse(&file, strict)?;
    write(&file, &ini::render_del(&header, &sections, repo))?;
    Ok(format!("Repo {repo} has been removed from {shown}"))
}

/// Python's "x != 0 and not x": the values `mod_repo` deletes a key for.
fn clears(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.is_empty(),
        Value::Bool(_) | Value::Number(_) => false,
    }
}

fn invalid(msg: impl Into<String>) -> RepoError {
    RepoError::Invocation(msg.into())
}

/// `pkg.mod_repo`: set (or, with an empty value, delete) options of `repo`,
/// creating `<first existing basedir>/<repo>.repo` when it does not exist.
/// `opts` are the keyword arguments (no `basedir`); returns
/// `{file: {section: options}}` as Salt (comments left out). A new
/// `copr:user/project` repo is created by `copr` (then its file is read).
pub fn mod_repo(
    dirs: &[String],
    repo: &str,
    opts: &Map,
    strict: bool,
    copr: CoprEnable<'_>,
) -> Result<Map, RepoError> {
    let mut repo_opts: Map = opts
        .iter()
        .filter(|(k, _)| !k.starts_with("__") && *k != "saltenv")
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect();
    if LINK_TYPES
        .iter()
        .filter(|l| repo_opts.contains_key(**l))
        .count()
        >= 2
    {
        return Err(invalid(format!(
            "One and only one of {} can be used",
            LINK_TYPES.join(", ")
        )));
    }
    let mut todelete: Vec<String> = repo_opts
        .iter()
        .filter(|(_, v)| clears(v))
        .map(|(k, _)| k.clone())
        .collect();
    repo_opts.retain(|_, v| !clears(v));
    if let Some(given) = LINK_TYPES.iter().find(|l| repo_opts.contains_key(**l)) {
        todelete.extend(
            LINK_TYPES
                .iter()
                .filter(|l| *l != given)
                .map(|l| l.to_string()),
        );
    }
    let copr_name = repo.strip_prefix("copr:").map(String::from);
    let repo = &repo_id(repo)?;
    if todelete.iter().any(|k| k == "name") {
        return Err(invalid("The repo name cannot be deleted"));
    }
    let repos = list_repos(dirs, strict)?;
    let (repofile, header, mut sections) = match (file_of(&repos, repo), copr_name) {
        (Some(file), _) => {
            let RepoFile { header, sections } = ini::parse(&file, strict)?;
            (file, header, sections)
        }
        (None, Some(name)) => {
            new_dir(dirs)?;
            copr(&name)?;
            let repos = list_repos(dirs, strict)?;
            let file =
                file_of(&repos, repo).ok_or_else(|| RepoError::Failed(format!("'{repo}'")))?;
            let RepoFile { header, sections } = ini::parse(&file, strict)?;
            (file, header, sections)
        }
        (None, None) => new_repo_file(dirs, repo, &repo_opts)?,
    };
    let Some(Value::Object(section)) = sections.get_mut(repo) else {
        return Err(RepoError::Failed(format!(
            "repo {repo} vanished from its file"
        )));
    };
    for link in LINK_TYPES {
        let others: Vec<&str> = LINK_TYPES.iter().copied().filter(|l| *l != link).collect();
        let all_gone = todelete.iter().any(|k| k == link)
            && others
                .iter()
                .all(|x| !repo_opts.contains_key(*x) && !section.contains_key(*x));
        if all_gone {
            return Err(invalid(format!(
                "Cannot delete {link} without specifying {}",
                others.join(" or ")
            )));
        }
    }
    for key in &todelete {
        section.shift_remove(key);
    }
    for (k, v) in repo_opts {
        section.insert(k, v);
    }
    let text = ini::render_mod(&header, &mut sections);
    write(&repofile, &text)?;
    let mut ret = Map::new();
    ret.insert(repofile.display().to_string(), Value::Object(sections));
    Ok(ret)
}

/// The first existing basedir, where a new repo goes.
fn new_dir(dirs: &[String]) -> Result<&String, RepoError> {
    dirs.iter().find(|d| Path::new(d).exists()).ok_or_else(|| {
        invalid(format!(
            "The repo does not exist and needs to be created, but none of the following basedir directories exist: {}",
            py_list(dirs)
        ))
    })
}

/// A new `<dir>/<repo>.repo` for `mod_repo`, with Salt's refusals.
fn new_repo_file(
    dirs: &[String],
    repo: &str,
    repo_opts: &Map,
) -> Result<(PathBuf, String, Map), RepoError> {
    let dir = new_dir(dirs)?;
    if !repo_opts.contains_key("name") {
        return Err(invalid(
            "The repo does not exist and needs to be created, but a name was not given",
        ));
    }
    if !LINK_TYPES.iter().any(|l| repo_opts.contains_key(*l)) {
        return Err(invalid(format!(
            "The repo does not exist and needs to be created, but none of {} was given",
            LINK_TYPES.join(", ")
        )));
    }
    let mut sections = Map::new();
    sections.insert(repo.to_string(), Value::Object(Map::new()));
    Ok((
        PathBuf::from(format!("{dir}/{repo}.repo")),
        String::new(),
        sections,
    ))
}
