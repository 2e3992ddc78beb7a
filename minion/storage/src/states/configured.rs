//! `docker_storage.configured`: container-storage-setup as a state.
//!
//! Arguments are c-s-s's keys lower-cased (`devs`, `vg`, `data_size`,
//! `auto_extend_pool`, …) over `/etc/sysconfig/docker-storage-setup`
//! (`config_file`), plus `output_file`, `fstab`, `docker_root_dir`,
//! `daemon_json` and `storage_conf`. test=True lists the exact steps.

use halite_api::{Map, StateCall, StateReturn, Value};

use crate::config::Driver;
use crate::job::{self, CssConfig, Outcome};

pub fn configured(call: &StateCall<'_>) -> StateReturn {
    let args: Map = call.args.clone();
    match job::run(call.ctx, &args, call.test) {
        Outcome::Converged { cfg } => StateReturn::ok(
            &call.name,
            format!(
                "Container storage is already configured ({})",
                describe(&cfg)
            ),
        ),
        Outcome::Planned { cfg, steps } => {
            let mut ret = StateReturn::new(&call.name);
            ret.result = None;
            ret.comment = format!(
                "Container storage ({}) would be configured:\n{}",
                describe(&cfg),
                indent(&steps)
            );
            ret.changes.insert("plan".into(), lines(&steps));
            ret
        }
        Outcome::Applied { cfg, done } => {
            let mut ret = StateReturn::ok(
                &call.name,
                format!("Container storage configured ({})", describe(&cfg)),
            );
            ret.changes.insert("ran".into(), lines(&done));
            ret
        }
        Outcome::Failed { done, message } => {
            let mut ret = StateReturn::fail(&call.name, message);
            if !done.is_empty() {
                ret.comment.push_str(&format!(
                    "\nSteps done before the failure:\n{}",
                    indent(&done)
                ));
                ret.changes.insert("ran".into(), lines(&done));
            }
            ret
        }
    }
}

fn describe(cfg: &CssConfig) -> String {
    let vg = cfg.vg.as_deref().unwrap_or("root VG");
    match cfg.driver {
        Driver::None => "STORAGE_DRIVER is empty: nothing to set up".into(),
        Driver::Devicemapper => format!("devicemapper thin pool {vg}/{}", cfg.thinpool),
        d => match &cfg.root_lv {
            Some(lv) => format!("{} on {vg}/{} at {}", d.name(), lv.name, lv.mount_path),
            None => d.name().to_string(),
        },
    }
}

fn indent(steps: &[String]) -> String {
    steps
        .iter()
        .map(|s| format!("    {s}"))
        .collect::<Vec<_>>()
        .join("\n")
}

fn lines(steps: &[String]) -> Value {
    Value::Array(steps.iter().cloned().map(Value::String).collect())
}
