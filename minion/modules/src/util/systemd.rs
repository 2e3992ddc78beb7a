//! systemd service control through `systemctl`, run by the context's runner.

use halite_api::{CmdOutput, CmdSpec, Ctx};

const UNIT_SUFFIXES: [&str; 11] = [
    ".service",
    ".socket",
    ".device",
    ".mount",
    ".automount",
    ".swap",
    ".target",
    ".path",
    ".timer",
    ".slice",
    ".scope",
];

/// Salt's `_canonical_unit_name`: names without a unit type get `.service`.
pub fn unit_name(name: &str) -> String {
    if UNIT_SUFFIXES.iter().any(|s| name.ends_with(s)) {
        name.to_string()
    } else {
        format!("{name}.service")
    }
}

/// Whether the host was booted with systemd (`/run/systemd/system` exists).
pub fn booted() -> bool {
    std::path::Path::new("/run/systemd/system").is_dir()
}

/// Run `systemctl <args...>`.
pub fn systemctl(ctx: &Ctx, args: &[&str]) -> Result<CmdOutput, String> {
    let mut argv = vec!["systemctl"];
    argv.extend_from_slice(args);
    ctx.runner
        .run(&CmdSpec::argv(argv))
        .map_err(|e| e.to_string())
}

/// Whether systemd knows the unit (`LoadState` other than `not-found`).
pub fn available(ctx: &Ctx, name: &str) -> Result<bool, String> {
    let out = systemctl(
        ctx,
        &["show", "--property=LoadState", "--value", &unit_name(name)],
    )?;
    let state = out.stdout_text();
    Ok(out.retcode == 0 && !state.trim().is_empty() && state.trim() != "not-found")
}

/// `systemctl is-active` exit status 0.
pub fn is_active(ctx: &Ctx, name: &str) -> Result<bool, String> {
    Ok(systemctl(ctx, &["is-active", &unit_name(name)])?.retcode == 0)
}

/// `systemctl is-enabled` exit status 0.
pub fn is_enabled(ctx: &Ctx, name: &str) -> Result<bool, String> {
    Ok(systemctl(ctx, &["is-enabled", &unit_name(name)])?.retcode == 0)
}

/// Run an action (`start`, `stop`, `restart`, `reload`, `enable`, `disable`,
/// `unmask`, ...) and tell whether it succeeded.
pub fn action(ctx: &Ctx, verb: &str, name: &str) -> Result<bool, String> {
    Ok(systemctl(ctx, &[verb, &unit_name(name)])?.retcode == 0)
}

/// Every unit name (without `.service`) systemd lists as a service.
pub fn all_services(ctx: &Ctx) -> Result<Vec<String>, String> {
    let out = systemctl(
        ctx,
        &[
            "list-unit-files",
            "--type=service",
            "--no-legend",
            "--no-pager",
            "--full",
        ],
    )?;
    let mut names: Vec<String> = out
        .stdout_text()
        .lines()
        .filter_map(|l| l.split_whitespace().next())
        .filter_map(|u| u.strip_suffix(".service"))
        .filter(|u| !u.ends_with('@'))
        .map(str::to_string)
        .collect();
    names.sort();
    names.dedup();
    Ok(names)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unit_names() {
        assert_eq!(unit_name("nginx"), "nginx.service");
        assert_eq!(unit_name("x.timer"), "x.timer");
    }
}
