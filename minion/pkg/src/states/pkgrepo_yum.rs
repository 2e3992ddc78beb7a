//! `pkgrepo.managed` / `pkgrepo.absent` on yum/dnf hosts, as Salt
//! 3008.4's `states/pkgrepo.py` drives yumpkg: `name` is the repo id and
//! `<reposdir>/<name>.repo` its file; `humanname` becomes the `name`
//! option; every other argument is written as an option (so is `file`, as
//! Salt does); `enabled`/`disabled` become `enabled`. Salt's comparison of
//! the wanted options with the file, its comments and changes.

use halite_api::{Map, StateCall, StateReturn};

use crate::exec_repo::strict;
use crate::states::pkgrepo::{diff, fail, is_true, kwargs_of, sorted};
use crate::yumrepo::{self, ini, RepoError, YUM_CONFIGS};

const REPEAT_NOTE: &str = "This may cause pkg states to behave differently than stated if this action is repeated without test=True, due to the differences in the configured repositories.";

fn dirs(kwargs: &Map) -> Result<Vec<String>, RepoError> {
    yumrepo::basedirs(kwargs.get("basedir"), YUM_CONFIGS, strict(kwargs))
}

fn get_repo(kwargs: &Map, repo: &str) -> Result<Map, RepoError> {
    yumrepo::get_repo(&dirs(kwargs)?, repo, strict(kwargs))
}

/// Salt's `enabled`/`disabled` handling; `Err` is the comment of a refusal.
fn wanted(call: &StateCall<'_>) -> Result<Map, String> {
    let (mut kw, enabled, disabled) = super::pkgrepo::checked_kwargs(call)?;
    if let Some(human) = kw.shift_remove("humanname") {
        kw.insert("name".into(), human);
    }
    let on = match (&enabled, &disabled) {
        (_, Some(d)) => !is_true(d),
        (Some(e), None) => is_true(e),
        (None, None) => true,
    };
    kw.insert("enabled".into(), on.into());
    Ok(kw)
}

/// Salt's loop over the wanted options: does the file already have them?
fn configured(want: &Map, pre: &Map) -> bool {
    for (k, v) in want {
        let Some(old) = pre.get(k) else {
            // missing options are ignored, except a disabled repo
            if k == "enabled" && !is_true(v) {
                return false;
            }
            if matches!(k.as_str(), "comps" | "key_url") {
                return false;
            }
            continue;
        };
        let same = match k.as_str() {
            "comps" | "key_url" => sorted(v) == sorted(old),
            "comments" => ini::combine_comments(v) == ini::combine_comments(old),
            "architectures" if halite_api::value::is_truthy(v) => sorted(v) == sorted(old),
            _ if v.is_boolean() || old.is_boolean() => is_true(v) == is_true(old),
            _ => ini::py_str(v) == ini::py_str(old),
        };
        if !same {
            return false;
        }
    }
    true
}

/// The repo the functions are given: `copr:<copr>` when `copr` is set.
fn repo_of(call: &StateCall<'_>) -> String {
    match call.args.get("copr").filter(|v| !v.is_null()) {
        Some(copr) => format!("copr:{}", ini::py_str(copr)),
        None => call.name.clone(),
    }
}

pub fn managed(call: &StateCall<'_>) -> StateReturn {
    let name = call.name.clone();
    let mut kwargs = match wanted(call) {
        Ok(k) => k,
        Err(comment) => return fail(call, comment),
    };
    let repo = repo_of(call);
    let pre = match get_repo(&kwargs, &repo) {
        Ok(p) => p,
        Err(e) => return fail(call, format!("Failed to examine repo '{name}': {e}")),
    };
    let mut pre = pre;
    if !pre.is_empty() {
        // 22412: the file is not compared (nor written) for a known repo
        pre.shift_remove("file");
        kwargs.shift_remove("file");
        if configured(&kwargs, &pre) {
            return StateReturn::ok(&name, format!("Package repo '{name}' already configured"));
        }
    }
    let mut ret = StateReturn::new(&name);
    if call.test {
        ret.result = None;
        ret.comment = format!("Package repo '{name}' would be configured. {REPEAT_NOTE}");
        if pre.is_empty() {
            ret.changes.insert("repo".into(), name.into());
        } else {
            ret.changes = diff(&kwargs, &kwargs, &pre);
        }
        return ret;
    }
    if let Err(e) = apply(call.ctx, &kwargs, &repo) {
        return fail(call, format!("Failed to configure repo '{name}': {e}"));
    }
    match get_repo(&kwargs, &repo) {
        Ok(post) => {
            if pre.is_empty() {
                ret.changes.insert("repo".into(), repo.clone().into());
            } else {
                ret.changes = diff(&kwargs, &post, &pre);
            }
            ret.result = Some(true);
            ret.comment = format!("Configured package repo '{name}'");
        }
        Err(e) => {
            ret.result = Some(false);
            ret.comment = format!("Failed to confirm config of repo '{name}': {e}");
        }
    }
    ret
}

/// `pkg.mod_repo(repo, **kwargs)` (its `basedir` parameter taken out).
fn apply(ctx: &halite_api::Ctx, kwargs: &Map, repo: &str) -> Result<Map, RepoError> {
    let mut opts = kwargs.clone();
    opts.shift_remove("basedir");
    let enable = |copr: &str| crate::exec_repo::copr_enable(ctx, copr);
    yumrepo::mod_repo(&dirs(kwargs)?, repo, &opts, strict(kwargs), &enable)
}

pub fn absent(call: &StateCall<'_>) -> StateReturn {
    let mut name = call.name.clone();
    let kwargs = kwargs_of(call);
    // absent(name, **kwargs): `copr` is a kwarg that replaces the name
    if let Some(copr) = call.args.get("copr").filter(|v| !v.is_null()) {
        let copr = ini::py_str(copr);
        name = if copr.starts_with("copr:") {
            copr
        } else {
            format!("copr:{copr}")
        };
    }
    if ["keyid", "keyid_ppa"]
        .iter()
        .any(|k| kwargs.get(*k).is_some_and(|v| !v.is_null()))
    {
        return fail(
            call,
            "Repo key management is not implemented for this platform".into(),
        );
    }
    let found = match get_repo(&kwargs, &name) {
        Ok(r) => r,
        Err(e) => return fail(call, format!("Failed to configure repo '{name}': {e}")),
    };
    if found.is_empty() {
        return StateReturn::ok(&call.name, format!("Package repo {name} is absent"));
    }
    if call.test {
        let mut ret = StateReturn::new(&call.name);
        ret.result = None;
        ret.comment = format!("Package repo '{name}' will be removed. {REPEAT_NOTE}");
        return ret;
    }
    let removed = dirs(&kwargs).and_then(|d| {
        yumrepo::del_repo(&d, &name, strict(&kwargs))?;
        yumrepo::list_repos(&d, strict(&kwargs))
    });
    match removed {
        Err(e) => fail(call, e.to_string()),
        Ok(left) if left.contains_key(&name) => fail(call, format!("Failed to remove repo {name}")),
        Ok(_) => {
            let mut ret = StateReturn::ok(&call.name, format!("Removed repo {name}"));
            ret.changes.insert("repo".into(), name.into());
            ret
        }
    }
}
