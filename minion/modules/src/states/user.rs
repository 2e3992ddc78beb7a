//! `user.present` / `user.absent` through `useradd`/`usermod`/`userdel`,
//! reading `/etc/passwd` and `/etc/group`.

use halite_api::{CmdSpec, Map, StateCall, StateReturn, StateSpec, Value};
use serde_json::json;

use super::{ret, str_list};
use crate::util::accounts::{self, PasswdEntry};

pub const SPECS: &[StateSpec] = &[
    StateSpec {
        name: "user.present",
        run: present,
        mod_watch: None,
    },
    StateSpec {
        name: "user.absent",
        run: absent,
        mod_watch: None,
    },
];

/// Salt's `user.info` dict.
pub fn info(e: &PasswdEntry) -> Value {
    let gecos: Vec<&str> = e.gecos.split(',').collect();
    let field = |i: usize| gecos.get(i).copied().unwrap_or("").to_string();
    json!({
        "name": e.name, "passwd": "x", "uid": e.uid, "gid": e.gid, "home": e.home, "shell": e.shell,
        "fullname": field(0), "roomnumber": field(1), "workphone": field(2), "homephone": field(3), "other": field(4),
        "groups": accounts::user_groups(e),
    })
}

fn run(call: &StateCall<'_>, argv: Vec<String>) -> Result<(), String> {
    let out = call
        .ctx
        .runner
        .run(&CmdSpec::argv(argv))
        .map_err(|e| e.to_string())?;
    if out.retcode == 0 {
        Ok(())
    } else {
        Err(out.stderr_text())
    }
}

/// The gid a `gid` argument names (number or group name).
fn wanted_gid(call: &StateCall<'_>) -> Option<String> {
    call.get_str("gid")
}

/// Attribute differences between the existing user and the arguments.
fn diffs(call: &StateCall<'_>, e: &PasswdEntry) -> Map {
    let mut d = Map::new();
    if let Some(uid) = call.get_str("uid").filter(|u| *u != e.uid.to_string()) {
        d.insert("uid".into(), uid.into());
    }
    if let Some(g) = wanted_gid(call) {
        let gid = accounts::resolve_gid(&g);
        if gid != Some(e.gid) {
            d.insert("gid".into(), g.into());
        }
    }
    for (key, cur) in [("home", &e.home), ("shell", &e.shell)] {
        if let Some(v) = call.get_str(key).filter(|v| v != cur) {
            d.insert(key.into(), v.into());
        }
    }
    if let Some(f) = call
        .get_str("fullname")
        .filter(|f| *f != e.gecos.split(',').next().unwrap_or(""))
    {
        d.insert("fullname".into(), f.into());
    }
    let mut groups = str_list(call.get("groups"));
    groups.extend(
        str_list(call.get("optional_groups"))
            .into_iter()
            .filter(|g| accounts::resolve_gid(g).is_some()),
    );
    if !groups.is_empty() {
        let current = accounts::user_groups(e);
        let primary = accounts::gid_to_name(e.gid);
        let remove = call.get_bool("remove_groups", true);
        let missing = groups.iter().any(|g| !current.contains(g));
        let extra = remove && current.iter().any(|c| *c != primary && !groups.contains(c));
        if missing || extra {
            let mut all = groups.clone();
            all.sort();
            d.insert("groups".into(), json!(all));
        }
    }
    d
}

fn present(call: &StateCall<'_>) -> StateReturn {
    let n = call.name.clone();
    match accounts::user_by_name(&n) {
        Some(e) => modify(call, &e),
        None => create(call),
    }
}

fn modify(call: &StateCall<'_>, e: &PasswdEntry) -> StateReturn {
    let n = &call.name;
    let d = diffs(call, e);
    if d.is_empty() {
        return ret(
            call,
            Some(true),
            format!("User {n} is present and up to date"),
        );
    }
    if call.test {
        let mut c = String::from("The following user attributes are set to be changed:\n");
        for (k, v) in &d {
            c.push_str(&format!(
                "{k}: {}\n",
                v.as_str()
                    .map(str::to_string)
                    .unwrap_or_else(|| v.to_string())
            ));
        }
        return ret(call, None, c);
    }
    let mut argv = vec!["usermod".to_string()];
    for (k, flag) in [
        ("uid", "-u"),
        ("gid", "-g"),
        ("home", "-d"),
        ("shell", "-s"),
        ("fullname", "-c"),
    ] {
        if let Some(v) = d.get(k).and_then(Value::as_str) {
            argv.extend([flag.to_string(), v.to_string()]);
        }
    }
    if let Some(g) = d.get("groups").and_then(Value::as_array) {
        let list: Vec<String> = g
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        argv.extend(["-G".to_string(), list.join(",")]);
    }
    argv.push(n.clone());
    if let Err(err) = run(call, argv) {
        return ret(
            call,
            Some(false),
            format!("These values could not be changed: {}", Value::Object(d))
                .trim_end()
                .to_string()
                + &if err.is_empty() {
                    String::new()
                } else {
                    format!(" ({err})")
                },
        );
    }
    let mut r = ret(call, Some(true), format!("Updated user {n}"));
    r.changes = d;
    r
}

fn create(call: &StateCall<'_>) -> StateReturn {
    let n = &call.name;
    if call.test {
        return ret(call, None, format!("User {n} set to be added"));
    }
    let mut argv = vec!["useradd".to_string()];
    for (k, flag) in [
        ("uid", "-u"),
        ("gid", "-g"),
        ("home", "-d"),
        ("shell", "-s"),
        ("fullname", "-c"),
    ] {
        if let Some(v) = call.get_str(k) {
            argv.extend([flag.to_string(), v]);
        }
    }
    let groups = str_list(call.get("groups"));
    if !groups.is_empty() {
        argv.extend(["-G".to_string(), groups.join(",")]);
    }
    argv.push(if call.get_bool("createhome", true) {
        "-m".into()
    } else {
        "-M".into()
    });
    if call.get_bool("system", false) {
        argv.push("-r".into());
    }
    argv.push(n.clone());
    let res = run(call, argv);
    match (res, accounts::user_by_name(n)) {
        (Ok(()), Some(e)) => {
            let mut r = ret(call, Some(true), format!("New user {n} created"));
            r.changes = info(&e).as_object().cloned().unwrap_or_default();
            if call.get("password").is_some() {
                r.changes
                    .insert("password".into(), "XXX-REDACTED-XXX".into());
            }
            r
        }
        _ => ret(call, Some(false), format!("Failed to create new user {n}")),
    }
}

fn absent(call: &StateCall<'_>) -> StateReturn {
    let n = &call.name;
    if accounts::user_by_name(n).is_none() {
        return ret(call, Some(true), "User not present");
    }
    if call.test {
        return ret(call, None, format!("User {n} set for removal"));
    }
    let mut argv = vec!["userdel".to_string()];
    if call.get_bool("purge", false) {
        argv.push("-r".into());
    }
    argv.push(n.clone());
    match run(call, argv) {
        Ok(()) => {
            let mut r = ret(call, Some(true), format!("Removed user {n}"));
            r.changes.insert(n.clone(), "removed".into());
            r
        }
        Err(_) => ret(call, Some(false), format!("Failed to remove user {n}")),
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::{ctx_with, run_state, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn user_paths() {
        let d = TempDir::new("user");
        let fake = FakeRunner::new();
        let ctx = ctx_with(fake.clone(), &d.0);
        assert_eq!(
            run_state(&ctx, "user.present", json!({"name": "root"}), false).comment,
            "User root is present and up to date"
        );
        let r = run_state(
            &ctx,
            "user.present",
            json!({"name": "root", "shell": "/bin/zsh-x"}),
            true,
        );
        assert_eq!(
            (r.result, r.comment.as_str()),
            (
                None,
                "The following user attributes are set to be changed:\nshell: /bin/zsh-x\n"
            )
        );
        let r = run_state(&ctx, "user.present", json!({"name": "halite-nouser"}), true);
        assert_eq!(
            (r.result, r.comment.as_str()),
            (None, "User halite-nouser set to be added")
        );
        let r = run_state(
            &ctx,
            "user.present",
            json!({"name": "halite-nouser", "uid": 4321}),
            false,
        );
        assert_eq!(
            (r.result, r.comment.as_str()),
            (Some(false), "Failed to create new user halite-nouser")
        );
        assert_eq!(fake.commands(), vec!["useradd -u 4321 -m halite-nouser"]);
        assert_eq!(
            run_state(&ctx, "user.absent", json!({"name": "halite-nouser"}), false).comment,
            "User not present"
        );
    }
}
