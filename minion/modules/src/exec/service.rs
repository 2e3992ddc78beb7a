//! The `service` execution module for systemd: status, start, stop, restart,
//! reload, enable, disable, enabled, disabled, available, missing, get_all.

use halite_api::{ExecCall, ExecError, ExecSpec, Value};

use super::{ok, required_str, ExecResult};
use crate::util::systemd;

pub const SPECS: &[ExecSpec] = &[
    ExecSpec {
        name: "service.status",
        doc: "Return the status for a service via systemd.",
        run: status,
    },
    ExecSpec {
        name: "service.start",
        doc: "Start the specified service with systemd",
        run: start,
    },
    ExecSpec {
        name: "service.stop",
        doc: "Stop the specified service with systemd",
        run: stop,
    },
    ExecSpec {
        name: "service.restart",
        doc: "Restart the specified service with systemd",
        run: restart,
    },
    ExecSpec {
        name: "service.reload",
        doc: "Reload the specified service with systemd",
        run: reload,
    },
    ExecSpec {
        name: "service.enable",
        doc: "Enable the named service to start when the system boots",
        run: enable,
    },
    ExecSpec {
        name: "service.disable",
        doc: "Disable the named service to not start when the system boots",
        run: disable,
    },
    ExecSpec {
        name: "service.enabled",
        doc: "Return if the named service is enabled to start on boot",
        run: enabled,
    },
    ExecSpec {
        name: "service.disabled",
        doc: "Return if the named service is disabled from starting on boot",
        run: disabled,
    },
    ExecSpec {
        name: "service.available",
        doc: "Check that the given service is available taking into account template units.",
        run: available,
    },
    ExecSpec {
        name: "service.missing",
        doc: "The inverse of service.available.",
        run: missing,
    },
    ExecSpec {
        name: "service.get_all",
        doc: "Return a list of all available services",
        run: get_all,
    },
];

fn failed(e: String) -> ExecError {
    ExecError::Failed(e)
}

fn name(call: &ExecCall<'_>) -> Result<String, ExecError> {
    required_str(call, 0, "name")
}

fn status(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["name", "sig"])?;
    ok(systemd::is_active(call.ctx, &name(call)?).map_err(failed)?)
}

fn act(call: &ExecCall<'_>, verb: &str) -> ExecResult {
    let n = name(call)?;
    if !systemd::available(call.ctx, &n).map_err(failed)? {
        return Err(ExecError::Failed(format!(
            "Failed to {verb} service '{n}': unit not found"
        )));
    }
    ok(systemd::action(call.ctx, verb, &n).map_err(failed)?)
}

fn start(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["name"])?;
    act(call, "start")
}
fn stop(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["name"])?;
    act(call, "stop")
}
fn restart(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["name"])?;
    act(call, "restart")
}
fn reload(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["name"])?;
    act(call, "reload")
}
fn enable(call: &ExecCall<'_>) -> ExecResult {
    act(call, "enable")
}
fn disable(call: &ExecCall<'_>) -> ExecResult {
    act(call, "disable")
}

fn enabled(call: &ExecCall<'_>) -> ExecResult {
    ok(systemd::is_enabled(call.ctx, &name(call)?).map_err(failed)?)
}

fn disabled(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["name"])?;
    ok(!systemd::is_enabled(call.ctx, &name(call)?).map_err(failed)?)
}

fn available(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["name"])?;
    ok(systemd::available(call.ctx, &name(call)?).map_err(failed)?)
}

fn missing(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["name"])?;
    ok(!systemd::available(call.ctx, &name(call)?).map_err(failed)?)
}

fn get_all(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &[])?;
    ok(Value::Array(
        systemd::all_services(call.ctx)
            .map_err(failed)?
            .into_iter()
            .map(Value::String)
            .collect(),
    ))
}

#[cfg(test)]
mod tests {
    use crate::testutil::{ctx_with, FakeRunner, TempDir};
    use halite_api::Map;
    use serde_json::json;

    #[test]
    fn systemctl_calls() {
        let d = TempDir::new("svc");
        let fake = FakeRunner::new();
        fake.on(
            "show --property=LoadState --value nginx.service",
            0,
            "loaded\n",
        );
        fake.on(
            "show --property=LoadState --value ghost.service",
            0,
            "not-found\n",
        );
        fake.on("is-active nginx.service", 3, "inactive\n");
        fake.on("is-enabled nginx.service", 0, "enabled\n");
        fake.on("list-unit-files", 0, "nginx.service enabled enabled\ngetty@.service enabled enabled\nssh.service enabled enabled\n");
        let ctx = ctx_with(fake.clone(), &d.0);
        let call = |f: &str, n: &str| ctx.call(f, vec![json!(n)], Map::new());
        assert_eq!(call("service.status", "nginx").unwrap().ret, json!(false));
        assert_eq!(call("service.enabled", "nginx").unwrap().ret, json!(true));
        assert_eq!(
            call("service.available", "ghost").unwrap().ret,
            json!(false)
        );
        assert_eq!(call("service.start", "nginx").unwrap().ret, json!(true));
        assert!(call("service.start", "ghost").is_err());
        assert!(fake
            .commands()
            .contains(&"systemctl start nginx.service".to_string()));
        assert_eq!(
            ctx.call("service.get_all", vec![], Map::new()).unwrap().ret,
            json!(["nginx", "ssh"])
        );
    }
}
