//! The `service` state module on systemd: running, dead, enabled, disabled
//! and `mod_watch` (restart / reload / start on watch).

use halite_api::{StateCall, StateReturn, StateSpec, Value};

use super::ret;
use crate::util::systemd;

pub const SPECS: &[StateSpec] = &[
    StateSpec {
        name: "service.running",
        run: running,
        mod_watch: Some(mod_watch),
    },
    StateSpec {
        name: "service.dead",
        run: dead,
        mod_watch: Some(mod_watch),
    },
    StateSpec {
        name: "service.enabled",
        run: enabled,
        mod_watch: None,
    },
    StateSpec {
        name: "service.disabled",
        run: disabled,
        mod_watch: None,
    },
];

const OFFLINE: &str = "Running in OFFLINE mode. Nothing to do";

fn running(call: &StateCall<'_>) -> StateReturn {
    guarded(call, running_impl)
}
fn dead(call: &StateCall<'_>) -> StateReturn {
    guarded(call, dead_impl)
}
fn enabled(call: &StateCall<'_>) -> StateReturn {
    guarded(call, |c| toggle_impl(c, true))
}
fn disabled(call: &StateCall<'_>) -> StateReturn {
    guarded(call, |c| toggle_impl(c, false))
}
fn mod_watch(call: &StateCall<'_>) -> StateReturn {
    guarded(call, mod_watch_impl)
}

/// Offline (no systemd running) → nothing to do; command errors → failure.
fn guarded(
    call: &StateCall<'_>,
    f: impl Fn(&StateCall<'_>) -> Result<StateReturn, String>,
) -> StateReturn {
    if !systemd::booted() {
        return ret(call, Some(true), OFFLINE);
    }
    f(call).unwrap_or_else(|e| ret(call, Some(false), e))
}

/// The `enable` argument: `None` leaves the boot state alone.
fn enable_arg(call: &StateCall<'_>) -> Option<bool> {
    call.get("enable").map(halite_api::module::value_to_bool)
}

/// Salt's `_enable`/`_disable` after a running/dead check; `state` is
/// "running", "dead" or "in the desired state".
fn apply_boot(
    call: &StateCall<'_>,
    r: &mut StateReturn,
    enable: bool,
    state: &str,
) -> Result<(), String> {
    let n = &call.name;
    let (verb, past) = if enable {
        ("enable", "enabled")
    } else {
        ("disable", "disabled")
    };
    if systemd::is_enabled(call.ctx, n)? == enable {
        r.comment = format!("Service {n} is already {past}, and is {state}");
        return Ok(());
    }
    if call.test {
        r.result = None;
        r.comment = format!("Service {n} set to be {past}");
        return Ok(());
    }
    if systemd::action(call.ctx, verb, n)? {
        r.changes.insert(n.clone(), Value::Bool(true));
        r.comment = format!("Service {n} has been {past}, and is {state}");
    } else {
        r.result = Some(false);
        r.comment = format!(
            "Failed when setting service {n} to {} at boot, but the service is {state}",
            if enable { "start" } else { "not start" }
        );
    }
    Ok(())
}

pub fn running_impl(call: &StateCall<'_>) -> Result<StateReturn, String> {
    let n = &call.name;
    if !systemd::available(call.ctx, n)? {
        return Ok(if call.test {
            ret(call, None, format!("Service {n} not present; if created in this state run, it would have been started"))
        } else {
            ret(
                call,
                Some(false),
                format!("The named service {n} is not available"),
            )
        });
    }
    let mut r = ret(call, Some(true), "");
    if systemd::is_active(call.ctx, n)? {
        r.comment = format!("The service {n} is already running");
        if let Some(e) = enable_arg(call) {
            apply_boot(call, &mut r, e, "in the desired state")?;
        }
        return Ok(r);
    }
    if call.test {
        return Ok(ret(call, None, format!("Service {n} is set to start")));
    }
    if !systemd::action(call.ctx, "start", n)? || !systemd::is_active(call.ctx, n)? {
        return Ok(ret(
            call,
            Some(false),
            format!("Service {n} failed to start"),
        ));
    }
    r.changes.insert(n.clone(), Value::Bool(true));
    r.comment = format!("Started service {n}");
    if let Some(e) = enable_arg(call) {
        apply_boot(call, &mut r, e, "running")?;
    }
    Ok(r)
}

pub fn dead_impl(call: &StateCall<'_>) -> Result<StateReturn, String> {
    let n = &call.name;
    if !systemd::available(call.ctx, n)? {
        return Ok(ret(
            call,
            Some(true),
            format!("The named service {n} is not available"),
        ));
    }
    let mut r = ret(call, Some(true), "");
    if !systemd::is_active(call.ctx, n)? {
        r.comment = format!("The service {n} is already dead");
        if let Some(e) = enable_arg(call) {
            apply_boot(call, &mut r, e, "in the desired state")?;
        }
        return Ok(r);
    }
    if call.test {
        return Ok(ret(call, None, format!("Service {n} is set to be killed")));
    }
    systemd::action(call.ctx, "stop", n)?;
    let still = systemd::is_active(call.ctx, n)?;
    if still {
        return Ok(ret(call, Some(false), format!("Service {n} failed to die")));
    }
    r.changes.insert(n.clone(), Value::Bool(false));
    r.comment = format!("Service {n} was killed");
    if let Some(e) = enable_arg(call) {
        apply_boot(call, &mut r, e, "dead")?;
    }
    Ok(r)
}

pub fn toggle_impl(call: &StateCall<'_>, enable: bool) -> Result<StateReturn, String> {
    let mut r = ret(call, Some(true), "");
    if !systemd::available(call.ctx, &call.name)? {
        let n = &call.name;
        return Ok(ret(
            call,
            Some(false),
            format!("The named service {n} is not available"),
        ));
    }
    apply_boot(call, &mut r, enable, "in the desired state")?;
    Ok(r)
}

pub fn mod_watch_impl(call: &StateCall<'_>) -> Result<StateReturn, String> {
    let n = &call.name;
    let sfun = call.get_str("sfun").unwrap_or_default();
    let active = systemd::is_active(call.ctx, n)?;
    let (verb, past) = match sfun.as_str() {
        "dead" if active => ("stop", "stopped".to_string()),
        "dead" => return Ok(ret(call, Some(true), "Service is already stopped")),
        "running" if !active => ("start", "started".to_string()),
        "running" if call.get_bool("reload", false) && call.get_bool("force", false) => {
            ("force-reload", "forcefully reloaded".to_string())
        }
        "running" if call.get_bool("reload", false) => ("reload", "reloaded".to_string()),
        "running" if call.get_bool("full_restart", false) => {
            ("full-restart", "fully restarted".to_string())
        }
        "running" => ("restart", "restarted".to_string()),
        other => {
            return Ok(ret(
                call,
                Some(false),
                format!("Unable to trigger watch for service.{other}"),
            ))
        }
    };
    if call.test {
        return Ok(ret(call, None, format!("Service is set to be {past}")));
    }
    let ok = match verb {
        "start" => {
            systemd::action(call.ctx, "stop", n)?;
            systemd::action(call.ctx, "start", n)?
        }
        "full-restart" => {
            systemd::action(call.ctx, "stop", n)? && systemd::action(call.ctx, "start", n)?
        }
        v => systemd::action(call.ctx, v, n)?,
    };
    let shown_verb = match verb {
        "force-reload" => "forcefully reload",
        "full-restart" => "fully restart",
        v => v,
    };
    let mut r = ret(
        call,
        Some(ok),
        if ok {
            format!("Service {past}")
        } else {
            format!("Failed to {shown_verb} the service")
        },
    );
    r.changes.insert(n.clone(), Value::Bool(ok));
    Ok(r)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testutil::{changes, ctx_with, FakeRunner, TempDir};
    use serde_json::json;

    fn call<'a>(ctx: &'a halite_api::Ctx, args: serde_json::Value, test: bool) -> StateCall<'a> {
        let args = args.as_object().unwrap().clone();
        StateCall {
            ctx,
            name: args["name"].as_str().unwrap().into(),
            args,
            test,
        }
    }

    fn fake(active: bool, enabled: bool) -> std::sync::Arc<FakeRunner> {
        let f = FakeRunner::new();
        f.on("show --property=LoadState --value ghost", 0, "not-found\n");
        f.on("show --property=LoadState", 0, "loaded\n");
        f.on("is-active", if active { 0 } else { 3 }, "");
        f.on("is-enabled", if enabled { 0 } else { 1 }, "");
        f
    }

    #[test]
    fn running_paths() {
        let d = TempDir::new("svc");
        let f = fake(true, false);
        let ctx = ctx_with(f.clone(), &d.0);
        let r = running_impl(&call(&ctx, json!({"name": "nginx"}), false)).unwrap();
        assert_eq!(
            (r.comment.as_str(), changes(&r)),
            ("The service nginx is already running", json!({}))
        );
        let r = running_impl(&call(&ctx, json!({"name": "nginx", "enable": true}), false)).unwrap();
        assert_eq!(
            (r.comment.as_str(), changes(&r)),
            (
                "Service nginx has been enabled, and is in the desired state",
                json!({"nginx": true})
            )
        );
        assert!(f
            .commands()
            .contains(&"systemctl enable nginx.service".to_string()));
        let r = running_impl(&call(&ctx, json!({"name": "ghost"}), false)).unwrap();
        assert_eq!(
            (r.result, r.comment.as_str()),
            (Some(false), "The named service ghost is not available")
        );
        let r = running_impl(&call(&ctx, json!({"name": "ghost"}), true)).unwrap();
        assert_eq!(r.result, None);
        let stopped = ctx_with(fake(false, true), &d.0);
        let r = running_impl(&call(&stopped, json!({"name": "nginx"}), true)).unwrap();
        assert_eq!(
            (r.result, r.comment.as_str()),
            (None, "Service nginx is set to start")
        );
        let r = running_impl(&call(&stopped, json!({"name": "nginx"}), false)).unwrap();
        assert_eq!(
            (r.result, r.comment.as_str()),
            (Some(false), "Service nginx failed to start")
        );
    }

    #[test]
    fn dead_toggle_and_watch() {
        let d = TempDir::new("svc2");
        let ctx = ctx_with(fake(false, true), &d.0);
        assert_eq!(
            dead_impl(&call(&ctx, json!({"name": "nginx"}), false))
                .unwrap()
                .comment,
            "The service nginx is already dead"
        );
        assert_eq!(
            toggle_impl(&call(&ctx, json!({"name": "nginx"}), false), true)
                .unwrap()
                .comment,
            "Service nginx is already enabled, and is in the desired state"
        );
        let r = toggle_impl(&call(&ctx, json!({"name": "nginx"}), true), false).unwrap();
        assert_eq!(
            (r.result, r.comment.as_str()),
            (None, "Service nginx set to be disabled")
        );
        let active = FakeRunner::new();
        active.on("is-active", 0, "");
        let ctx = ctx_with(active.clone(), &d.0);
        let r = mod_watch_impl(&call(
            &ctx,
            json!({"name": "nginx", "sfun": "running"}),
            false,
        ))
        .unwrap();
        assert_eq!(
            (r.comment.as_str(), changes(&r)),
            ("Service restarted", json!({"nginx": true}))
        );
        let r = mod_watch_impl(&call(
            &ctx,
            json!({"name": "nginx", "sfun": "running", "reload": true}),
            false,
        ))
        .unwrap();
        assert_eq!(r.comment, "Service reloaded");
        let r = mod_watch_impl(&call(
            &ctx,
            json!({"name": "nginx", "sfun": "running"}),
            true,
        ))
        .unwrap();
        assert_eq!(
            (r.result, r.comment.as_str()),
            (None, "Service is set to be restarted")
        );
        assert!(active
            .commands()
            .contains(&"systemctl reload nginx.service".to_string()));
    }
}
