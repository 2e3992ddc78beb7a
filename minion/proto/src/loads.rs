//! Builders for the loads a minion sends (§9 `_return`, §12 `_minion_event`,
//! §10 `_pillar`, §11 fileserver commands). They return plain Salt data; the
//! request layer adds `nonce`, `ts`, `tok`, `id` and encrypts.

use serde_json::{json, Map, Value};

/// The publication fields a return copies (besides `jid`, `fun`).
const COPIED_PUB_FIELDS: [&str; 2] = ["metadata", "master_id"];

/// A job result to report.
#[derive(Debug, Clone)]
pub struct JobResult {
    /// The function's return value.
    pub ret: Value,
    /// Process-style return code (0 = success).
    pub retcode: i64,
    /// Whether the function succeeded.
    pub success: bool,
    /// Outputter name (`nested`, `highstate`, ...), if any.
    pub out: Option<String>,
}

/// `_return` load for publication `job` (§9.1). `fun_args` is the publication's
/// `arg` unchanged.
pub fn return_load(minion_id: &str, job: &Map<String, Value>, result: &JobResult) -> Value {
    let mut load = Map::new();
    load.insert("cmd".into(), json!("_return"));
    load.insert("id".into(), json!(minion_id));
    load.insert("success".into(), json!(result.success));
    load.insert("return".into(), result.ret.clone());
    load.insert("retcode".into(), json!(result.retcode));
    load.insert(
        "jid".into(),
        job.get("jid").cloned().unwrap_or(json!("req")),
    );
    load.insert("fun".into(), job.get("fun").cloned().unwrap_or(Value::Null));
    load.insert(
        "fun_args".into(),
        job.get("arg").cloned().unwrap_or(json!([])),
    );
    if let Some(user) = job.get("user") {
        load.insert("user".into(), user.clone());
    }
    if let Some(out) = &result.out {
        load.insert("out".into(), json!(out));
    }
    for field in COPIED_PUB_FIELDS {
        if let Some(v) = job.get(field) {
            load.insert(field.into(), v.clone());
        }
    }
    Value::Object(load)
}

/// Single-event `_minion_event` load (§12). Empty `data` becomes `{}` as in Salt.
pub fn event_load(minion_id: &str, tag: &str, data: &Value) -> Value {
    let data = if is_empty_data(data) {
        json!({})
    } else {
        data.clone()
    };
    json!({"cmd": "_minion_event", "id": minion_id, "pretag": null, "data": data, "tag": tag})
}

fn is_empty_data(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Object(m) => m.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

/// Pillar request options (§10.1).
#[derive(Debug, Clone, Default)]
pub struct PillarRequest {
    /// Minion grains.
    pub grains: Value,
    /// `saltenv` option.
    pub saltenv: Option<String>,
    /// `pillarenv` option.
    pub pillarenv: Option<String>,
    /// Pillar overrides.
    pub pillar_override: Map<String, Value>,
    /// `pass_to_ext_pillars` data.
    pub extra_minion_data: Map<String, Value>,
}

/// `_pillar` load (§10.1) with `ver: "2"` so the reply is signed.
pub fn pillar_load(minion_id: &str, req: &PillarRequest) -> Value {
    json!({
        "cmd": "_pillar",
        "id": minion_id,
        "grains": if req.grains.is_object() { req.grains.clone() } else { json!({}) },
        "saltenv": req.saltenv,
        "pillarenv": req.pillarenv,
        "pillar_override": req.pillar_override,
        "extra_minion_data": req.extra_minion_data,
        "ver": "2",
    })
}

/// `_serve_file` load for one chunk.
pub fn serve_file_load(path: &str, saltenv: &str, loc: u64) -> Value {
    json!({"cmd": "_serve_file", "path": path, "saltenv": saltenv, "loc": loc})
}

/// `_file_hash` load.
pub fn file_hash_load(path: &str, saltenv: &str) -> Value {
    json!({"cmd": "_file_hash", "path": path, "saltenv": saltenv})
}

/// `_file_list` / `_dir_list` / `_file_list_emptydirs` / `_symlink_list` load.
pub fn list_load(cmd: &str, saltenv: &str, prefix: &str) -> Value {
    json!({"cmd": cmd, "saltenv": saltenv, "prefix": prefix})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn return_load_copies_publication_fields_in_salt_order() {
        let job = json!({"fun": "test.arg", "arg": [1, {"__kwarg__": true, "a": 1}],
            "jid": "20261124201318592891", "user": "root", "metadata": {"m": 1}, "tgt": "x"});
        let result = JobResult {
            ret: json!(true),
            retcode: 0,
            success: true,
            out: Some("nested".into()),
        };
        let load = return_load("m1", job.as_object().unwrap(), &result);
        let keys: Vec<_> = load
            .as_object()
            .unwrap()
            .keys()
            .map(String::as_str)
            .collect();
        assert_eq!(
            keys,
            [
                "cmd", "id", "success", "return", "retcode", "jid", "fun", "fun_args", "user",
                "out", "metadata"
            ]
        );
        assert_eq!(load["fun_args"], job["arg"]);
    }

    #[test]
    fn event_with_empty_data_gets_a_map() {
        assert_eq!(event_load("m", "t", &json!(""))["data"], json!({}));
        assert_eq!(event_load("m", "t", &json!("x"))["data"], json!("x"));
    }

    #[test]
    fn pillar_load_asks_for_signed_reply() {
        let load = pillar_load("m", &PillarRequest::default());
        assert_eq!(load["ver"], json!("2"));
        assert_eq!(load["grains"], json!({}));
        assert!(load["saltenv"].is_null());
    }
}
