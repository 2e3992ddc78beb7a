//! `file.absent`, `file.exists`, `file.missing`, `file.touch`.

use std::path::Path;

use halite_api::{StateCall, StateReturn};

use super::{error, expand_name};
use crate::states::ret;

fn base(call: &StateCall<'_>, what: &str) -> Result<(String, StateReturn), Box<StateReturn>> {
    let name = expand_name(&call.name);
    let mut r = ret(call, Some(true), "");
    r.name = name.clone();
    if name.is_empty() {
        return Err(Box::new(StateReturn {
            name,
            ..error(call, format!("Must provide name to file.{what}"))
        }));
    }
    if !Path::new(&name).is_absolute() {
        return Err(Box::new(StateReturn {
            name: name.clone(),
            ..error(
                call,
                format!("Specified file {name} is not an absolute path"),
            )
        }));
    }
    Ok((name, r))
}

pub fn absent(call: &StateCall<'_>) -> StateReturn {
    let (name, mut r) = match base(call, "absent") {
        Ok(v) => v,
        Err(e) => return *e,
    };
    if name == "/" {
        return StateReturn {
            name,
            ..error(call, "Refusing to make '/' absent")
        };
    }
    let path = Path::new(&name);
    let (kind, res) = if path.is_file() || path.is_symlink() {
        (
            "File",
            if call.test {
                Ok(())
            } else {
                std::fs::remove_file(path)
            },
        )
    } else if path.is_dir() {
        (
            "Directory",
            if call.test {
                Ok(())
            } else {
                std::fs::remove_dir_all(path)
            },
        )
    } else {
        r.comment = format!("File {name} is not present");
        return r;
    };
    if call.test {
        r.result = None;
        r.comment = format!("{kind} {name} is set for removal");
        r.changes.insert("removed".into(), name.clone().into());
        return r;
    }
    match res {
        Ok(()) => {
            r.comment = format!("Removed {} {name}", kind.to_lowercase());
            r.changes.insert("removed".into(), name.into());
            r
        }
        Err(e) if kind == "File" => StateReturn {
            name: name.clone(),
            ..error(call, format!("Could not remove '{name}': {e}"))
        },
        Err(_) => StateReturn {
            name: name.clone(),
            ..error(call, format!("Failed to remove directory {name}"))
        },
    }
}

pub fn exists(call: &StateCall<'_>) -> StateReturn {
    let name = expand_name(&call.name);
    if name.is_empty() {
        return error(call, "Must provide name to file.exists");
    }
    if Path::new(&name).exists() {
        ret(call, Some(true), format!("Path {name} exists"))
    } else {
        error(call, format!("Specified path {name} does not exist"))
    }
}

pub fn missing(call: &StateCall<'_>) -> StateReturn {
    let name = expand_name(&call.name);
    if name.is_empty() {
        return error(call, "Must provide name to file.missing");
    }
    if Path::new(&name).exists() {
        error(call, format!("Specified path {name} exists"))
    } else {
        ret(call, Some(true), format!("Path {name} is missing"))
    }
}

pub fn touch(call: &StateCall<'_>) -> StateReturn {
    let (name, mut r) = match base(call, "touch") {
        Ok(v) => v,
        Err(e) => return *e,
    };
    let path = Path::new(&name);
    if call.test {
        r.result = None;
        r.changes.insert("new".into(), name.clone().into());
        if !path.exists() {
            r.comment = format!("File {name} is set to be created");
        } else if call.get("atime").is_some() || call.get("mtime").is_some() {
            r.comment = format!("Times set to be updated on file {name}");
            r.changes.clear();
            r.changes.insert("touched".into(), name.into());
        } else {
            r.result = Some(true);
            r.comment = format!("File {name} exists and has the correct times");
        }
        return r;
    }
    if call.get_bool("makedirs", false) {
        if let Some(parent) = path.parent() {
            let _ = std::fs::create_dir_all(parent);
        }
    }
    if !path.parent().is_some_and(Path::is_dir) {
        return StateReturn {
            name: name.clone(),
            ..error(call, format!("Directory not present to touch file {name}"))
        };
    }
    let extant = path.exists();
    let args: Vec<halite_api::Value> = vec![
        name.clone().into(),
        call.get("atime").cloned().unwrap_or_default(),
        call.get("mtime").cloned().unwrap_or_default(),
    ];
    let args: Vec<halite_api::Value> = args.into_iter().take_while(|v| !v.is_null()).collect();
    match call.ctx.call("file.touch", args, Default::default()) {
        Ok(_) if !extant => {
            r.comment = format!("Created empty file {name}");
            r.changes.insert("new".into(), name.into());
        }
        Ok(_) => {
            r.comment = format!(
                "Updated times on {} {name}",
                if path.is_dir() { "directory" } else { "file" }
            );
            r.changes.insert("touched".into(), name.into());
        }
        Err(e) => {
            r.result = Some(false);
            r.comment = e.to_string();
        }
    }
    r
}

#[cfg(test)]
mod tests {
    use crate::testutil::{changes, ctx_with, run_state, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn absent_file_dir_missing_and_test() {
        let d = TempDir::new("absent");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        std::fs::write(d.path("f"), "x").unwrap();
        std::fs::create_dir_all(d.path("dd/inner")).unwrap();
        let r = run_state(&ctx, "file.absent", json!({"name": d.s("f")}), true);
        assert_eq!(
            (r.result, r.comment.clone()),
            (None, format!("File {} is set for removal", d.s("f")))
        );
        assert!(d.path("f").exists());
        let r = run_state(&ctx, "file.absent", json!({"name": d.s("f")}), false);
        assert_eq!(
            (r.comment.clone(), changes(&r)),
            (
                format!("Removed file {}", d.s("f")),
                json!({"removed": d.s("f")})
            )
        );
        let r = run_state(&ctx, "file.absent", json!({"name": d.s("dd")}), false);
        assert_eq!(r.comment, format!("Removed directory {}", d.s("dd")));
        assert!(!d.path("dd").exists());
        let r = run_state(&ctx, "file.absent", json!({"name": d.s("dd")}), false);
        assert_eq!(
            (r.result, r.comment.clone(), changes(&r)),
            (
                Some(true),
                format!("File {} is not present", d.s("dd")),
                json!({})
            )
        );
        assert_eq!(
            run_state(&ctx, "file.absent", json!({"name": "/"}), false).comment,
            "Refusing to make '/' absent"
        );
    }

    #[test]
    fn touch_exists_missing() {
        let d = TempDir::new("touch");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let r = run_state(&ctx, "file.touch", json!({"name": d.s("t")}), false);
        assert_eq!(changes(&r), json!({"new": d.s("t")}));
        let r = run_state(&ctx, "file.touch", json!({"name": d.s("t")}), false);
        assert_eq!(changes(&r), json!({"touched": d.s("t")}));
        assert_eq!(
            run_state(&ctx, "file.exists", json!({"name": d.s("t")}), false).result,
            Some(true)
        );
        assert_eq!(
            run_state(&ctx, "file.missing", json!({"name": d.s("t")}), false).result,
            Some(false)
        );
    }
}
