//! `group.present` / `group.absent` through `groupadd`/`groupmod`/`gpasswd`.

use halite_api::{CmdSpec, Map, StateCall, StateReturn, StateSpec, Value};
use serde_json::json;

use super::{ret, str_list};
use crate::util::accounts::{self, GroupEntry};

pub const SPECS: &[StateSpec] = &[
    StateSpec {
        name: "group.present",
        run: present,
        mod_watch: None,
    },
    StateSpec {
        name: "group.absent",
        run: absent,
        mod_watch: None,
    },
];

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

fn info(g: &GroupEntry) -> Map {
    json!({"name": g.name, "passwd": "x", "gid": g.gid, "members": g.members})
        .as_object()
        .cloned()
        .unwrap_or_default()
}

/// Wanted member list after `members` / `addusers` / `delusers`.
fn wanted_members(call: &StateCall<'_>, current: &[String]) -> Option<Vec<String>> {
    if call.get("members").is_some() {
        let mut m = str_list(call.get("members"));
        m.sort();
        return Some(m);
    }
    let add = str_list(call.get("addusers"));
    let del = str_list(call.get("delusers"));
    if add.is_empty() && del.is_empty() {
        return None;
    }
    let mut m: Vec<String> = current
        .iter()
        .filter(|u| !del.contains(u))
        .cloned()
        .collect();
    m.extend(add.into_iter().filter(|u| !current.contains(u)));
    m.sort();
    m.dedup();
    Some(m)
}

fn present(call: &StateCall<'_>) -> StateReturn {
    let n = call.name.clone();
    match accounts::group_by_name(&n) {
        Some(g) => modify(call, &g),
        None => create(call),
    }
}

fn modify(call: &StateCall<'_>, g: &GroupEntry) -> StateReturn {
    let n = &call.name;
    let mut d = Map::new();
    if let Some(gid) = call.get_str("gid").filter(|x| *x != g.gid.to_string()) {
        d.insert("gid".into(), gid.into());
    }
    let mut current = g.members.clone();
    current.sort();
    if let Some(m) = wanted_members(call, &current).filter(|m| *m != current) {
        d.insert("members".into(), json!(m));
    }
    if d.is_empty() {
        return ret(
            call,
            Some(true),
            format!("Group {n} is present and up to date"),
        );
    }
    let mut comment = String::from("The following group attributes are set to be changed:\n");
    for (k, v) in &d {
        comment.push_str(&format!(
            "{k}: {}\n",
            v.as_str()
                .map(str::to_string)
                .unwrap_or_else(|| v.to_string())
        ));
    }
    if call.test {
        return ret(call, None, comment);
    }
    let mut failed = Map::new();
    if let Some(gid) = d.get("gid").and_then(Value::as_str) {
        if run(
            call,
            vec!["groupmod".into(), "-g".into(), gid.into(), n.clone()],
        )
        .is_err()
        {
            failed.insert("gid".into(), gid.into());
        }
    }
    if let Some(m) = d.get("members").and_then(Value::as_array) {
        let list: Vec<String> = m
            .iter()
            .filter_map(Value::as_str)
            .map(str::to_string)
            .collect();
        if run(
            call,
            vec!["gpasswd".into(), "-M".into(), list.join(","), n.clone()],
        )
        .is_err()
        {
            failed.insert("members".into(), json!(list));
        }
    }
    let mut r = ret(call, Some(failed.is_empty()), comment);
    if failed.is_empty() {
        r.changes
            .insert("Final".into(), "All changes applied successfully".into());
    } else {
        r.changes.insert("Failed".into(), Value::Object(failed));
    }
    r
}

fn create(call: &StateCall<'_>) -> StateReturn {
    let n = &call.name;
    if call.test {
        return ret(call, None, format!("Group {n} set to be added"));
    }
    let mut argv = vec!["groupadd".to_string()];
    if let Some(gid) = call.get_str("gid") {
        argv.extend(["-g".to_string(), gid]);
    }
    if call.get_bool("system", false) {
        argv.push("-r".into());
    }
    argv.push(n.clone());
    if run(call, argv).is_err() {
        return ret(call, Some(false), format!("Failed to create new group {n}"));
    }
    if let Some(m) = wanted_members(call, &[]).filter(|m| !m.is_empty()) {
        let _ = run(
            call,
            vec!["gpasswd".into(), "-M".into(), m.join(","), n.clone()],
        );
    }
    match accounts::group_by_name(n) {
        Some(g) => {
            let mut r = ret(call, Some(true), format!("New group {n} created"));
            r.changes = info(&g);
            r
        }
        None => ret(call, Some(false), format!("Failed to create new group {n}")),
    }
}

fn absent(call: &StateCall<'_>) -> StateReturn {
    let n = &call.name;
    if accounts::group_by_name(n).is_none() {
        return ret(call, Some(true), "Group not present");
    }
    if call.test {
        return ret(call, None, format!("Group {n} is set for removal"));
    }
    match run(call, vec!["groupdel".into(), n.clone()]) {
        Ok(()) => {
            let mut r = ret(call, Some(true), format!("Removed group {n}"));
            r.changes.insert(n.clone(), "".into());
            r
        }
        Err(_) => ret(call, Some(false), format!("Failed to remove group {n}")),
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::{ctx_with, run_state, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn group_paths() {
        let d = TempDir::new("group");
        let fake = FakeRunner::new();
        let ctx = ctx_with(fake.clone(), &d.0);
        assert_eq!(
            run_state(&ctx, "group.present", json!({"name": "root"}), false).comment,
            "Group root is present and up to date"
        );
        let r = run_state(
            &ctx,
            "group.present",
            json!({"name": "root", "gid": 4242}),
            true,
        );
        assert_eq!(
            (r.result, r.comment.as_str()),
            (
                None,
                "The following group attributes are set to be changed:\ngid: 4242\n"
            )
        );
        let r = run_state(
            &ctx,
            "group.present",
            json!({"name": "halite-nogroup"}),
            true,
        );
        assert_eq!(
            (r.result, r.comment.as_str()),
            (None, "Group halite-nogroup set to be added")
        );
        let r = run_state(
            &ctx,
            "group.present",
            json!({"name": "halite-nogroup", "gid": 777}),
            false,
        );
        assert_eq!(r.result, Some(false));
        assert_eq!(fake.commands(), vec!["groupadd -g 777 halite-nogroup"]);
    }
}
