//! `kmod.present` / `kmod.absent` through `lsmod` and `modprobe`.

use halite_api::{CmdSpec, Ctx, StateCall, StateReturn, StateSpec, Value};

use super::{ret, str_list};

pub const SPECS: &[StateSpec] = &[
    StateSpec {
        name: "kmod.present",
        run: present,
        mod_watch: None,
    },
    StateSpec {
        name: "kmod.absent",
        run: absent,
        mod_watch: None,
    },
];

fn run(ctx: &Ctx, argv: &[&str]) -> Result<halite_api::CmdOutput, String> {
    ctx.runner
        .run(&CmdSpec::argv(argv.iter().copied()))
        .map_err(|e| e.to_string())
}

/// Loaded module names from `lsmod`.
fn loaded(ctx: &Ctx) -> Result<Vec<String>, String> {
    let out = run(ctx, &["lsmod"])?;
    Ok(out
        .stdout_text()
        .lines()
        .skip(1)
        .filter_map(|l| l.split_whitespace().next())
        .map(str::to_string)
        .collect())
}

fn mods(call: &StateCall<'_>) -> Vec<String> {
    let mut m = str_list(call.get("mods"));
    if m.is_empty() {
        m.push(call.name.clone());
    }
    m
}

fn is_loaded(loaded: &[String], m: &str) -> bool {
    loaded.iter().any(|l| l == &m.replace('-', "_"))
}

fn plural(list: &[String], one: &str, many: &str) -> String {
    if list.len() == 1 {
        one.replace("{}", &list[0])
    } else {
        many.replace("{}", &list.join(", "))
    }
}

fn persist_load(m: &str) -> std::io::Result<()> {
    let path = std::path::Path::new("/etc/modules-load.d/salt_managed.conf");
    let text = std::fs::read_to_string(path).unwrap_or_default();
    if text.lines().any(|l| l.trim() == m) {
        return Ok(());
    }
    std::fs::create_dir_all("/etc/modules-load.d")?;
    crate::util::atomic::write_atomic(path, format!("{text}{m}\n").as_bytes(), 0o644)
}

fn present(call: &StateCall<'_>) -> StateReturn {
    let wanted = mods(call);
    let current = match loaded(call.ctx) {
        Ok(l) => l,
        Err(e) => return ret(call, Some(false), e),
    };
    let not_loaded: Vec<String> = wanted
        .iter()
        .filter(|m| !is_loaded(&current, m))
        .cloned()
        .collect();
    if not_loaded.is_empty() {
        return ret(
            call,
            Some(true),
            plural(
                &wanted,
                "Kernel module {} is already present",
                "Kernel modules {} are already present",
            ),
        );
    }
    if call.test {
        return ret(
            call,
            None,
            plural(
                &not_loaded,
                "Kernel module {} is set to be loaded",
                "Kernel modules {} are set to be loaded",
            ),
        );
    }
    let mut r = ret(call, Some(true), "");
    let mut comments = Vec::new();
    for m in &not_loaded {
        match run(call.ctx, &["modprobe", "-n", m]) {
            Ok(o) if o.retcode == 0 => {}
            _ => {
                r.result = Some(false);
                comments.push(format!("Kernel module {m} is unavailable"));
                continue;
            }
        }
        match run(call.ctx, &["modprobe", m]) {
            Ok(o) if o.retcode == 0 => {
                if call.get_bool("persist", false) {
                    let _ = persist_load(m);
                }
                r.changes.insert(m.clone(), Value::String("loaded".into()));
                comments.push(format!("Loaded kernel module {m}"));
            }
            _ => {
                r.result = Some(false);
                comments.push(format!("Failed to load kernel module {m}"));
            }
        }
    }
    r.comment = comments.join("\n");
    r
}

fn absent(call: &StateCall<'_>) -> StateReturn {
    let wanted = mods(call);
    let current = match loaded(call.ctx) {
        Ok(l) => l,
        Err(e) => return ret(call, Some(false), e),
    };
    let present: Vec<String> = wanted
        .iter()
        .filter(|m| is_loaded(&current, m))
        .cloned()
        .collect();
    if present.is_empty() {
        return ret(
            call,
            Some(true),
            plural(
                &wanted,
                "Kernel module {} is already removed",
                "Kernel modules {} are already removed",
            ),
        );
    }
    if call.test {
        return ret(
            call,
            None,
            plural(
                &present,
                "Kernel module {} is set to be removed",
                "Kernel modules {} are set to be removed",
            ),
        );
    }
    let mut r = ret(call, Some(true), "");
    let mut comments = Vec::new();
    for m in &present {
        match run(call.ctx, &["modprobe", "-r", m]) {
            Ok(o) if o.retcode == 0 => {
                r.changes.insert(m.clone(), Value::String("removed".into()));
                comments.push(format!("Removed kernel module {m}"));
            }
            _ => {
                r.result = Some(false);
                comments.push(format!("Failed to remove kernel module {m}"));
            }
        }
    }
    r.comment = comments.join("\n");
    r
}

#[cfg(test)]
mod tests {
    use crate::testutil::{changes, ctx_with, run_state, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn kmod_paths() {
        let d = TempDir::new("kmod");
        let fake = FakeRunner::new();
        fake.on("lsmod", 0, "Module Size Used by\nbr_netfilter 1 0\n");
        fake.on("modprobe -n nosuch", 1, "");
        let ctx = ctx_with(fake.clone(), &d.0);
        assert_eq!(
            run_state(&ctx, "kmod.present", json!({"name": "br_netfilter"}), false).comment,
            "Kernel module br_netfilter is already present"
        );
        let r = run_state(&ctx, "kmod.present", json!({"name": "overlay"}), true);
        assert_eq!(
            (r.result, r.comment.as_str()),
            (None, "Kernel module overlay is set to be loaded")
        );
        let r = run_state(&ctx, "kmod.present", json!({"name": "overlay"}), false);
        assert_eq!(
            (r.comment.as_str(), changes(&r)),
            ("Loaded kernel module overlay", json!({"overlay": "loaded"}))
        );
        let r = run_state(&ctx, "kmod.present", json!({"name": "nosuch"}), false);
        assert_eq!(
            (r.result, r.comment.as_str()),
            (Some(false), "Kernel module nosuch is unavailable")
        );
        let r = run_state(&ctx, "kmod.absent", json!({"name": "br_netfilter"}), false);
        assert_eq!(changes(&r), json!({"br_netfilter": "removed"}));
    }
}
