//! `pkg.list_repos`, `pkg.get_repo`, `pkg.del_repo`, `pkg.mod_repo`: on
//! yum/dnf (and rpm-ostree) hosts Salt's yumpkg signatures
//! (`repo, basedir=None, **kwargs`, `strict_config`) over
//! [`crate::yumrepo`]; on apt hosts aptpkg's (`repo, **kwargs`;
//! `mod_repo(repo, saltenv, aptkey, **kwargs)`) over [`crate::aptsrc`].

use halite_api::{Ctx, ExecCall, ExecError, ExecOutput, ExecSpec, Map, Value};

use crate::aptsrc::{repos as apt, SourcesList};
use crate::manager;
use crate::yumrepo::{self, RepoError, YUM_CONFIGS};

pub const FUNCTIONS: &[ExecSpec] = &[
    ExecSpec {
        name: "pkg.list_repos",
        doc: "Lists all repos in <basedir> (default: all dirs in `reposdir` yum option).",
        run: list_repos,
    },
    ExecSpec {
        name: "pkg.get_repo",
        doc:
            "Display a repo from <basedir> (default basedir: all dirs in ``reposdir`` yum option).",
        run: get_repo,
    },
    ExecSpec {
        name: "pkg.del_repo",
        doc: "Delete a repo from <basedir> (default basedir: all dirs in `reposdir` yum option).",
        run: del_repo,
    },
    ExecSpec {
        name: "pkg.mod_repo",
        doc:
            "Modify one or more values for a repo. If the repo does not exist, it will be created.",
        run: mod_repo,
    },
];

/// The repo functions exist for yum/dnf hosts only (Salt's yumpkg);
/// `Err` names the manager otherwise.
pub fn require_yum(ctx: &Ctx) -> Result<(), String> {
    match manager::for_ctx(ctx) {
        Ok(m) if matches!(m.name(), "dnf" | "rpm-ostree") => Ok(()),
        Ok(m) => Err(format!(
            "Halite manages yum/dnf .repo files here; this host uses {}",
            m.name()
        )),
        Err(e) => Err(e.to_string()),
    }
}

/// A repo failure as Salt raises it.
pub fn exec_error(e: RepoError) -> ExecError {
    match e {
        RepoError::Invocation(m) => ExecError::Invocation(m),
        RepoError::Failed(m) => ExecError::Failed(m),
    }
}

/// `strict_config` (default True, Python truthiness as configparser sees it).
pub fn strict(kwargs: &Map) -> bool {
    kwargs
        .get("strict_config")
        .is_none_or(halite_api::value::is_truthy)
}

/// Which repositories the host has: `Ok(true)` apt sources, `Ok(false)`
/// yum/dnf `.repo` files.
pub fn is_apt(ctx: &Ctx) -> Result<bool, String> {
    manager::for_ctx(ctx)
        .map(|m| m.name() == "apt")
        .map_err(|e| e.to_string())
}

/// apt's configuration root: `/etc/apt` (`pkgrepo_apt_root` option, for tests).
pub fn apt_root(ctx: &Ctx) -> std::path::PathBuf {
    ctx.opt("pkgrepo_apt_root")
        .and_then(Value::as_str)
        .map(std::path::PathBuf::from)
        .unwrap_or_else(|| std::path::PathBuf::from("/etc/apt"))
}

/// `salt.utils.path.which(name)` over `PATH`.
pub fn which(name: &str) -> bool {
    std::env::var_os("PATH").is_some_and(|p| {
        std::env::split_paths(&p).any(|d| {
            use std::os::unix::fs::PermissionsExt;
            std::fs::metadata(d.join(name))
                .is_ok_and(|m| m.is_file() && m.permissions().mode() & 0o111 != 0)
        })
    })
}

/// Refresh the package database after an apt repo change, as aptpkg's
/// `refresh_db()` (its errors are the function's).
pub fn apt_refresh(ctx: &Ctx) -> Result<(), ExecError> {
    let mgr = manager::for_ctx(ctx).map_err(|e| ExecError::Failed(e.to_string()))?;
    crate::exec::maybe_refresh(ctx, mgr.as_ref(), Some(true))
        .map_err(|e| ExecError::Failed(e.to_string()))
}

/// The apt functions: `Some` on an apt host.
fn on_apt(call: &ExecCall<'_>, f: &str) -> Option<Result<ExecOutput, ExecError>> {
    if !is_apt(call.ctx).unwrap_or(false) {
        return None;
    }
    let root = apt_root(call.ctx);
    let list = SourcesList::load(&root);
    let object = |m: Result<Map, RepoError>| m.map(|m| Value::Object(m).into()).map_err(exec_error);
    Some(match f {
        "list_repos" => object(apt::list_repos(&list)),
        "get_repo" => repo_arg(call).and_then(|r| object(apt::get_repo(&list, &r))),
        "del_repo" => repo_arg(call).and_then(|r| {
            let mut list = list;
            let msg = apt::del_repo(&mut list, &r).map_err(exec_error)?;
            apt_refresh(call.ctx)?;
            Ok(Value::String(msg).into())
        }),
        _ => repo_arg(call).and_then(|r| apt_mod_repo(call, &root, &r)),
    })
}

fn apt_mod_repo(
    call: &ExecCall<'_>,
    root: &std::path::Path,
    repo: &str,
) -> Result<ExecOutput, ExecError> {
    let mut kwargs = call.kwargs.clone();
    kwargs.retain(|k, _| {
        !k.starts_with("__") && !matches!(k.as_str(), "repo" | "saltenv" | "aptkey")
    });
    let ret = apt_mod_repo_and_refresh(call.ctx, root, repo, call.arg(2, "aptkey"), &kwargs)?;
    Ok(Value::Object(ret).into())
}

/// aptpkg's `mod_repo` on the sources under `root` (`aptkey` as given:
/// default True, and only when `apt-key` exists), then the package
/// database refresh it asks for; returns `{repo: get_repo(repo)}`. The
/// `pkg.mod_repo` function and the `pkgrepo.managed` state both run it.
pub fn apt_mod_repo_and_refresh(
    ctx: &Ctx,
    root: &std::path::Path,
    repo: &str,
    aptkey: Option<&Value>,
    kwargs: &Map,
) -> Result<Map, ExecError> {
    let aptkey = aptkey.is_none_or(halite_api::value::is_truthy) && which("apt-key");
    let os = ctx
        .grains
        .get("os")
        .and_then(Value::as_str)
        .unwrap_or_default();
    let done = apt::mod_repo(root, repo, aptkey, kwargs, os).map_err(exec_error)?;
    if done.refresh {
        apt_refresh(ctx)?;
    }
    Ok(done.ret)
}

/// yumpkg's COPR step of `mod_repo`: `dnf-plugins-core` must be
/// installed, then `dnf copr enable <user/project> -y` (with Halite's
/// `exit_on_lock`, a held lock retried as every dnf run) through the
/// context's runner; its failure in Salt's words.
pub fn copr_enable(ctx: &Ctx, copr: &str) -> Result<(), RepoError> {
    let mgr = manager::for_ctx(ctx).map_err(|e| RepoError::Failed(e.to_string()))?;
    if mgr.name() != "dnf" {
        return Err(RepoError::Failed(format!(
            "COPR repositories are enabled with dnf; this host uses {}",
            mgr.name()
        )));
    }
    let plugin = "dnf-plugins-core";
    let installed = mgr
        .installed()
        .map_err(|e| RepoError::Failed(e.to_string()))?;
    if installed.get(plugin).is_none_or(|v| v.as_str() == Some("")) {
        return Err(RepoError::Invocation(format!(
            "{plugin} must be installed to use COPR"
        )));
    }
    let argv = crate::tool::strings(&[
        "dnf",
        crate::manager::dnf::EXIT_ON_LOCK,
        "copr",
        "enable",
        copr,
        "-y",
    ]);
    let out = crate::tool::PkgTool::for_ctx(ctx)
        .polling(&argv)
        .map_err(|e| RepoError::Failed(e.to_string()))?;
    if out.retcode != 0 {
        return Err(RepoError::Failed(format!(
            "Unable to add COPR '{copr}'. 'dnf' exited with status {}: '{}' ",
            out.retcode,
            out.stderr_text().trim_end()
        )));
    }
    Ok(())
}

fn prepare(call: &ExecCall<'_>, basedir_at: usize) -> Result<Vec<String>, ExecError> {
    require_yum(call.ctx).map_err(ExecError::Failed)?;
    yumrepo::basedirs(
        call.arg(basedir_at, "basedir"),
        YUM_CONFIGS,
        strict(&call.kwargs),
    )
    .map_err(exec_error)
}

fn repo_arg(call: &ExecCall<'_>) -> Result<String, ExecError> {
    call.arg_str(0, "repo")
        .ok_or_else(|| ExecError::Invocation("Missing required argument: 'repo'".into()))
}

fn list_repos(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    if let Some(done) = on_apt(call, "list_repos") {
        return done;
    }
    let dirs = prepare(call, 0)?;
    let repos = yumrepo::list_repos(&dirs, strict(&call.kwargs)).map_err(exec_error)?;
    Ok(Value::Object(repos).into())
}

fn get_repo(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    if let Some(done) = on_apt(call, "get_repo") {
        return done;
    }
    let repo = repo_arg(call)?;
    let dirs = prepare(call, 1)?;
    let found = yumrepo::get_repo(&dirs, &repo, strict(&call.kwargs)).map_err(exec_error)?;
    Ok(Value::Object(found).into())
}

fn del_repo(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    if let Some(done) = on_apt(call, "del_repo") {
        return done;
    }
    let repo = repo_arg(call)?;
    let dirs = prepare(call, 1)?;
    let msg = yumrepo::del_repo(&dirs, &repo, strict(&call.kwargs)).map_err(exec_error)?;
    Ok(Value::String(msg).into())
}

fn mod_repo(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    if let Some(done) = on_apt(call, "mod_repo") {
        return done;
    }
    let repo = repo_arg(call)?;
    let dirs = prepare(call, 1)?;
    let mut opts = call.kwargs.clone();
    opts.shift_remove("repo");
    opts.shift_remove("basedir");
    let enable = |copr: &str| copr_enable(call.ctx, copr);
    let ret = yumrepo::mod_repo(&dirs, &repo, &opts, strict(&call.kwargs), &enable)
        .map_err(exec_error)?;
    Ok(Value::Object(ret).into())
}
