//! The `test` state module: succeed/fail with/without changes, nop,
//! configurable_test_state, show_notification.

use halite_api::{StateCall, StateReturn, StateSpec, Value};
use serde_json::json;

use super::ret;

pub const SPECS: &[StateSpec] = &[
    StateSpec {
        name: "test.nop",
        run: nop,
        mod_watch: None,
    },
    StateSpec {
        name: "test.succeed_without_changes",
        run: succeed_without_changes,
        mod_watch: None,
    },
    StateSpec {
        name: "test.succeed_with_changes",
        run: succeed_with_changes,
        mod_watch: None,
    },
    StateSpec {
        name: "test.fail_without_changes",
        run: fail_without_changes,
        mod_watch: None,
    },
    StateSpec {
        name: "test.fail_with_changes",
        run: fail_with_changes,
        mod_watch: None,
    },
    StateSpec {
        name: "test.configurable_test_state",
        run: configurable_test_state,
        mod_watch: None,
    },
    StateSpec {
        name: "test.show_notification",
        run: show_notification,
        mod_watch: None,
    },
];

fn fake_changes() -> halite_api::Map {
    json!({"testing": {"old": "Unchanged", "new": "Something pretended to change"}})
        .as_object()
        .cloned()
        .unwrap_or_default()
}

fn comment_or(call: &StateCall<'_>, default: &str) -> String {
    call.get_str("comment")
        .unwrap_or_else(|| default.to_string())
}

fn nop(call: &StateCall<'_>) -> StateReturn {
    ret(call, Some(true), "Success!")
}

fn succeed_without_changes(call: &StateCall<'_>) -> StateReturn {
    ret(call, Some(true), comment_or(call, "Success!"))
}

fn fail_without_changes(call: &StateCall<'_>) -> StateReturn {
    if call.test {
        return ret(
            call,
            Some(false),
            "If we weren't testing, this would be a failure!",
        );
    }
    ret(call, Some(false), comment_or(call, "Failure!"))
}

fn succeed_with_changes(call: &StateCall<'_>) -> StateReturn {
    let mut r = if call.test {
        ret(
            call,
            None,
            "If we weren't testing, this would be successful with changes",
        )
    } else {
        ret(call, Some(true), comment_or(call, "Success!"))
    };
    r.changes = fake_changes();
    r
}

fn fail_with_changes(call: &StateCall<'_>) -> StateReturn {
    let mut r = if call.test {
        ret(
            call,
            None,
            "If we weren't testing, this would be failed with changes",
        )
    } else {
        ret(call, Some(false), comment_or(call, "Failure!"))
    };
    r.changes = fake_changes();
    r
}

/// `true`/`false`/`"random"` argument.
fn tri(v: Option<&Value>, key: &str) -> Result<Option<bool>, String> {
    match v {
        None => Ok(Some(true)),
        Some(Value::Bool(b)) => Ok(Some(*b)),
        Some(Value::String(s)) if s.eq_ignore_ascii_case("random") => Ok(None),
        Some(_) => Err(format!("You have specified the state option '{key}' with invalid arguments. It must be either True, False, or 'Random'")),
    }
}

fn coin() -> bool {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.subsec_nanos() % 2 == 0)
        .unwrap_or(true)
}

fn configurable_test_state(call: &StateCall<'_>) -> StateReturn {
    let comment = call.get_str("comment").unwrap_or_default();
    let (changes, result) = match (
        tri(call.args.get("changes"), "changes"),
        tri(call.args.get("result"), "result"),
    ) {
        (Ok(c), Ok(r)) => (c, r),
        (Err(e), _) | (_, Err(e)) => return ret(call, Some(false), e),
    };
    let has_changes = changes.unwrap_or_else(coin);
    let mut r = ret(call, Some(result.unwrap_or_else(coin)), comment.clone());
    if has_changes {
        r.changes = fake_changes();
    }
    match call.args.get("warnings") {
        None | Some(Value::Null) => {}
        Some(Value::String(s)) => {
            r.extra.insert("warnings".into(), json!([s]));
        }
        Some(Value::Array(a)) => {
            r.extra.insert("warnings".into(), Value::Array(a.clone()));
        }
        Some(_) => return ret(call, Some(false), "You have specified the state option 'warnings' with invalid arguments. It must be a string or a list of strings"),
    }
    if call.test {
        let allow_fail = call.get_bool("allow_test_mode_failure", false);
        r.result = if allow_fail && result == Some(false) {
            Some(false)
        } else if changes == Some(false) {
            Some(true)
        } else {
            None
        };
        r.comment = if comment.is_empty() {
            "This is a test".into()
        } else {
            comment
        };
    }
    r
}

fn show_notification(call: &StateCall<'_>) -> StateReturn {
    match call.get_str("text").filter(|t| !t.is_empty()) {
        Some(text) => ret(call, Some(true), text),
        None => ret(call, Some(false), "Missing required argument text."),
    }
}

#[cfg(test)]
mod tests {
    use crate::testutil::{changes, ctx_with, run_state, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn test_states() {
        let d = TempDir::new("tstate");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        let r = run_state(
            &ctx,
            "test.succeed_with_changes",
            json!({"name": "x"}),
            false,
        );
        assert_eq!((r.result, r.comment.as_str()), (Some(true), "Success!"));
        assert_eq!(changes(&r)["testing"]["old"], json!("Unchanged"));
        let r = run_state(
            &ctx,
            "test.succeed_with_changes",
            json!({"name": "x"}),
            true,
        );
        assert_eq!(r.result, None);
        let r = run_state(
            &ctx,
            "test.fail_without_changes",
            json!({"name": "x", "comment": "boom"}),
            false,
        );
        assert_eq!((r.result, r.comment.as_str()), (Some(false), "boom"));
        let r = run_state(
            &ctx,
            "test.configurable_test_state",
            json!({"name": "x", "changes": false, "warnings": "w"}),
            true,
        );
        assert_eq!(
            (r.result, r.comment.as_str()),
            (Some(true), "This is a test")
        );
        assert_eq!(r.extra["warnings"], json!(["w"]));
        let r = run_state(
            &ctx,
            "test.show_notification",
            json!({"name": "x", "text": "hello"}),
            false,
        );
        assert_eq!(r.comment, "hello");
        assert_eq!(
            run_state(&ctx, "test.nop", json!({"name": "x"}), false).comment,
            "Success!"
        );
    }
}
