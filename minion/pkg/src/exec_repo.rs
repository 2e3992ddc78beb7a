//! `pkg.list_repos`, `pkg.get_repo`, `pkg.del_repo`, `pkg.mod_repo` on
//! yum/dnf (and rpm-ostree) hosts: Salt's yumpkg signatures
//! (`repo, basedir=None, **kwargs`, `strict_config`) over [`crate::yumrepo`].

use halite_api::{Ctx, ExecCall, ExecError, ExecOutput, ExecSpec, Map, Value};

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
    let dirs = prepare(call, 0)?;
    let repos = yumrepo::list_repos(&dirs, strict(&call.kwargs)).map_err(exec_error)?;
    Ok(Value::Object(repos).into())
}

fn get_repo(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let repo = repo_arg(call)?;
    let dirs = prepare(call, 1)?;
    let found = yumrepo::get_repo(&dirs, &repo, strict(&call.kwargs)).map_err(exec_error)?;
    Ok(Value::Object(found).into())
}

fn del_repo(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let repo = repo_arg(call)?;
    let dirs = prepare(call, 1)?;
    let msg = yumrepo::del_repo(&dirs, &repo, strict(&call.kwargs)).map_err(exec_error)?;
    Ok(Value::String(msg).into())
}

fn mod_repo(call: &ExecCall<'_>) -> Result<ExecOutput, ExecError> {
    let repo = repo_arg(call)?;
    let dirs = prepare(call, 1)?;
    let mut opts = call.kwargs.clone();
    opts.shift_remove("repo");
    opts.shift_remove("basedir");
    let ret = yumrepo::mod_repo(&dirs, &repo, &opts, strict(&call.kwargs)).map_err(exec_error)?;
    Ok(Value::Object(ret).into())
}
