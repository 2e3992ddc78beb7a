//! Judging what a node returned: a state run counts only when every state
//! is `True`; render errors, a missing function's message or a non-zero
//! retcode fail the node, with the first lines that say why.

use halite_api::Value;

/// `Ok(summary)` when every state succeeded, `Err(why)` otherwise.
pub fn states(ret: &Value, retcode: Option<i64>) -> Result<String, String> {
    let chunks = match ret {
        Value::Object(m) if m.values().all(Value::is_object) && !m.is_empty() => m,
        Value::Array(errors) => return Err(join_errors(errors)),
        Value::String(s) => return Err(first_lines(s)),
        other => {
            return Err(format!(
                "unexpected return: {}",
                first_lines(&other.to_string())
            ))
        }
    };
    let mut failed = Vec::new();
    let mut changed = 0;
    for (id, chunk) in chunks {
        if chunk.get("result") != Some(&Value::Bool(true)) {
            let comment = chunk.get("comment").and_then(Value::as_str).unwrap_or("");
            failed.push(format!("{} ({})", state_id(id), first_lines(comment)));
        }
        if chunk
            .get("changes")
            .and_then(Value::as_object)
            .is_some_and(|c| !c.is_empty())
        {
            changed += 1;
        }
    }
    if !failed.is_empty() {
        return Err(format!(
            "{} of {} states failed: {}",
            failed.len(),
            chunks.len(),
            failed.join("; ")
        ));
    }
    if let Some(code) = retcode.filter(|c| *c != 0) {
        return Err(format!("retcode {code} with every state True"));
    }
    Ok(format!("{} states, {changed} changed", chunks.len()))
}

/// `file_|-motd_|-/etc/motd_|-managed` -> `file.managed motd`.
fn state_id(key: &str) -> String {
    let parts: Vec<&str> = key.split("_|-").collect();
    match parts.as_slice() {
        [module, id, _name, fun] => format!("{module}.{fun} {id}"),
        _ => key.to_string(),
    }
}

fn join_errors(errors: &[Value]) -> String {
    errors
        .iter()
        .map(|e| first_lines(e.as_str().unwrap_or(&e.to_string())))
        .collect::<Vec<_>>()
        .join("; ")
}

fn first_lines(s: &str) -> String {
    let text: Vec<&str> = s.lines().filter(|l| !l.trim().is_empty()).take(2).collect();
    let joined = text.join(" / ");
    if joined.chars().count() > 240 {
        format!("{}...", joined.chars().take(240).collect::<String>())
    } else {
        joined
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn all_true_passes_and_a_false_names_the_state() {
        let ok = json!({"file_|-motd_|-/etc/motd_|-managed": {"result": true, "changes": {"diff": "x"}}});
        assert_eq!(states(&ok, Some(0)), Ok("1 states, 1 changed".into()));
        let bad = json!({
            "file_|-motd_|-/etc/motd_|-managed": {"result": true, "changes": {}},
            "file_|-cfg_|-/etc/x_|-managed": {"result": false, "comment": "Parent directory not present\nmore", "changes": {}},
        });
        assert_eq!(
            states(&bad, Some(2)),
            Err(
                "1 of 2 states failed: file.managed cfg (Parent directory not present / more)"
                    .into()
            )
        );
        let errors = json!(["Rendering SLS 'base:x' failed: bad"]);
        assert_eq!(
            states(&errors, Some(1)),
            Err("Rendering SLS 'base:x' failed: bad".into())
        );
        assert!(states(&json!("'state.apply' is not available."), None).is_err());
        assert!(states(&json!({}), Some(0)).is_err());
    }
}
