//! `file.recurse`: mirror a `salt://` directory onto the minion, file by file
//! through `file.managed` and `file.directory`.

use halite_api::{Map, StateCall, StateReturn, Value};

use super::{directory, error, expand_name, managed};
use crate::exec::sys::glob_match;
use crate::states::ret;

struct Acc {
    result: Option<bool>,
    comments: Vec<(String, Vec<String>)>,
    changes: Map,
}

impl Acc {
    fn merge(&mut self, path: &str, r: StateReturn) {
        if r.result == Some(false) || self.result == Some(true) {
            self.result = r.result;
        }
        if r.result != Some(true) && !r.comment.is_empty() {
            self.comment(path, r.comment);
        }
        if !r.changes.is_empty() {
            self.changes
                .insert(path.to_string(), Value::Object(r.changes));
        }
    }
    fn comment(&mut self, path: &str, c: String) {
        match self.comments.iter_mut().find(|(p, _)| p == path) {
            Some((_, list)) => list.push(c),
            None => self.comments.push((path.to_string(), vec![c])),
        }
    }
}

fn sub_call<'a>(call: &StateCall<'a>, name: &str, args: Map) -> StateCall<'a> {
    let mut a = args;
    a.insert("name".into(), name.into());
    StateCall {
        ctx: call.ctx,
        name: name.to_string(),
        args: a,
        test: call.test,
    }
}

fn copy_keys(call: &StateCall<'_>, keys: &[&str]) -> Map {
    keys.iter()
        .filter_map(|k| call.get(k).map(|v| (k.to_string(), v.clone())))
        .collect()
}

/// Files below the source prefix, as (relative path, salt:// source).
fn source_files(
    call: &StateCall<'_>,
    source: &str,
) -> Result<(String, Vec<(String, String)>), String> {
    let (prefix, env) = halite_api::files::parse_salt_url(source)
        .ok_or_else(|| format!("Invalid source '{source}' (must be a salt:// URL)"))?;
    let env = env.unwrap_or_else(|| super::source::saltenv(call));
    let prefix = prefix.trim_end_matches('/').to_string();
    let files = call.ctx.files.list_files(&env).map_err(|e| e.to_string())?;
    let include = call.get_str("include_pat");
    let exclude = call.get_str("exclude_pat");
    let out: Vec<(String, String)> = files
        .into_iter()
        .filter_map(|f| {
            let rel = if prefix.is_empty() {
                f.clone()
            } else {
                f.strip_prefix(&format!("{prefix}/"))?.to_string()
            };
            Some((rel, format!("salt://{f}")))
        })
        .filter(|(rel, _)| include.as_deref().is_none_or(|p| glob_match(p, rel)))
        .filter(|(rel, _)| exclude.as_deref().is_none_or(|p| !glob_match(p, rel)))
        .collect();
    Ok((env, out))
}

pub fn recurse(call: &StateCall<'_>) -> StateReturn {
    let name = expand_name(&call.name);
    let fail = |msg: String| StateReturn {
        name: name.clone(),
        ..error(call, msg)
    };
    let Some(source) = call.get_str("source") else {
        return fail("'source' is a required argument".into());
    };
    if !std::path::Path::new(&name).is_absolute() {
        return fail(format!("Specified file {name} is not an absolute path"));
    }
    let (env, files) = match source_files(call, &source) {
        Ok(v) => v,
        Err(e) => return fail(format!("Recurse failed: {e}")),
    };
    if files.is_empty() {
        return fail(format!(
            "The directory '{source}' does not exist on the salt fileserver in saltenv '{env}'"
        ));
    }
    let mut acc = Acc {
        result: Some(true),
        comments: Vec::new(),
        changes: Map::new(),
    };
    let mut dargs = copy_keys(call, &["user", "group", "dir_mode"]);
    dargs.insert("makedirs".into(), true.into());
    acc.merge(
        &name,
        directory::directory(&sub_call(call, &name, dargs.clone())),
    );
    for (rel, src) in files {
        let dest = format!("{}/{rel}", name.trim_end_matches('/'));
        let mut margs = copy_keys(
            call,
            &[
                "user",
                "group",
                "template",
                "context",
                "defaults",
                "backup",
                "show_changes",
                "replace",
            ],
        );
        margs.insert("source".into(), src.into());
        margs.insert("makedirs".into(), true.into());
        if let Some(m) = call.get("file_mode") {
            margs.insert("mode".into(), m.clone());
        }
        acc.merge(&dest, managed::managed(&sub_call(call, &dest, margs)));
    }
    let mut r = ret(call, acc.result, "");
    r.name = name.clone();
    r.changes = acc.changes;
    r.comment = acc
        .comments
        .iter()
        .map(|(k, v)| format!("\n#### {k} ####\n{}", v.join("\n")))
        .collect::<Vec<_>>()
        .join("\n")
        .trim()
        .to_string();
    if r.comment.is_empty() {
        r.comment = format!("Recursively updated {name}");
    }
    if r.changes.is_empty() && r.result == Some(true) {
        r.comment = format!("The directory {name} is in the correct state");
    }
    r
}

#[cfg(test)]
mod tests {
    use crate::testutil::{ctx_with, run_state, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn mirrors_tree_then_noop() {
        let d = TempDir::new("recurse");
        std::fs::create_dir_all(d.path("salt/app/sub")).unwrap();
        std::fs::write(d.path("salt/app/a.txt"), "A\n").unwrap();
        std::fs::write(d.path("salt/app/sub/b.txt"), "B\n").unwrap();
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let dest = d.s("out");
        let r = run_state(
            &ctx,
            "file.recurse",
            json!({"name": dest, "source": "salt://app"}),
            false,
        );
        assert_eq!(
            (r.result, r.comment.clone()),
            (Some(true), format!("Recursively updated {dest}"))
        );
        assert_eq!(
            std::fs::read_to_string(d.path("out/sub/b.txt")).unwrap(),
            "B\n"
        );
        assert!(r.changes.contains_key(&format!("{dest}/a.txt")));
        let r = run_state(
            &ctx,
            "file.recurse",
            json!({"name": dest, "source": "salt://app"}),
            false,
        );
        assert_eq!(
            r.comment,
            format!("The directory {dest} is in the correct state")
        );
        let r = run_state(
            &ctx,
            "file.recurse",
            json!({"name": dest, "source": "salt://nope"}),
            false,
        );
        assert_eq!(r.result, Some(false));
    }
}
