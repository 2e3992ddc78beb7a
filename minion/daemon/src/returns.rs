//! `_return` loads in Salt's shape (protocol spec §9.1, §9.3).

use halite_api::{Map, Value};

use crate::execute::Outcome;

/// Publication keys copied into the return when present.
fn copy_job_context(ret: &mut Map, publication: &Map, with_master_id: bool) {
    for key in ["user", "master_id", "metadata"] {
        if key == "master_id" && !with_master_id {
            continue;
        }
        match publication.get(key) {
            Some(Value::Object(m)) if key == "metadata" => {
                ret.insert(key.into(), Value::Object(m.clone()));
            }
            Some(_) if key == "metadata" => {
                tracing::warn!("The metadata parameter must be a dictionary. Ignoring.")
            }
            Some(v) => {
                ret.insert(key.into(), v.clone());
            }
            None => {}
        }
    }
}

fn header(id: &str) -> Map {
    let mut load = Map::new();
    load.insert("cmd".into(), "_return".into());
    load.insert("id".into(), id.into());
    load
}

/// The return of a single-function job.
pub fn single_return(id: &str, publication: &Map, outcome: Outcome) -> Map {
    let mut load = header(id);
    load.insert("success".into(), outcome.success().into());
    load.insert("return".into(), outcome.ret);
    load.insert("retcode".into(), outcome.retcode.into());
    load.insert(
        "jid".into(),
        publication.get("jid").cloned().unwrap_or(Value::Null),
    );
    load.insert(
        "fun".into(),
        publication.get("fun").cloned().unwrap_or(Value::Null),
    );
    load.insert(
        "fun_args".into(),
        publication
            .get("arg")
            .cloned()
            .unwrap_or(Value::Array(vec![])),
    );
    copy_job_context(&mut load, publication, true);
    if let Some(out) = outcome.out {
        load.insert("out".into(), out.into());
    }
    load
}

/// The return of a multi-function job: maps keyed by function name, or lists
/// by position when `ordered` (`multifunc_ordered`); `outcomes[i]` belongs to `funs[i]`.
pub fn multi_return(
    id: &str,
    publication: &Map,
    funs: &[String],
    outcomes: Vec<Outcome>,
    ordered: bool,
) -> Map {
    let (mut rets, mut codes, mut oks) = (Vec::new(), Vec::new(), Vec::new());
    for o in outcomes {
        codes.push(o.retcode);
        oks.push(o.success());
        rets.push(o.ret);
    }
    let mut load = header(id);
    if ordered {
        load.insert("return".into(), Value::Array(rets));
        load.insert(
            "retcode".into(),
            codes.into_iter().map(Value::from).collect(),
        );
        load.insert("success".into(), oks.into_iter().map(Value::from).collect());
    } else {
        let keyed =
            |vals: Vec<Value>| -> Value { funs.iter().cloned().zip(vals).collect::<Map>().into() };
        load.insert("return".into(), keyed(rets));
        load.insert(
            "retcode".into(),
            keyed(codes.into_iter().map(Value::from).collect()),
        );
        load.insert(
            "success".into(),
            keyed(oks.into_iter().map(Value::from).collect()),
        );
    }
    load.insert(
        "jid".into(),
        publication.get("jid").cloned().unwrap_or(Value::Null),
    );
    load.insert(
        "fun".into(),
        publication.get("fun").cloned().unwrap_or(Value::Null),
    );
    load.insert(
        "fun_args".into(),
        publication
            .get("arg")
            .cloned()
            .unwrap_or(Value::Array(vec![])),
    );
    copy_job_context(&mut load, publication, false);
    load
}

/// The return of a scheduled job, in the order Salt's scheduler builds it:
/// `schedule` names the entry, jid is `req` (or `nocache`), `pid` the worker's
/// process. Salt sets `success: true` whenever the function did not raise.
pub fn schedule_return(
    id: &str,
    name: &str,
    fun: &str,
    fun_args: Value,
    outcome: Outcome,
    nocache: bool,
) -> Map {
    let raised = outcome.out == Some("nested") && outcome.retcode != 0;
    let mut load = header(id);
    load.insert("fun".into(), fun.into());
    load.insert("fun_args".into(), fun_args);
    load.insert("schedule".into(), name.into());
    load.insert("jid".into(), if nocache { "nocache" } else { "req" }.into());
    load.insert("pid".into(), std::process::id().into());
    load.insert("return".into(), outcome.ret);
    load.insert(
        "retcode".into(),
        if raised { 254 } else { outcome.retcode }.into(),
    );
    load.insert("success".into(), (!raised).into());
    if let Some(out) = outcome.out.filter(|_| !raised) {
        load.insert("out".into(), out.into());
    }
    load
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn publication() -> Map {
        json!({"fun": "test.ping", "arg": [{"__kwarg__": true, "a": 1}], "tgt": "*", "jid": "42", "ret": "",
               "user": "root", "metadata": {"k": "v"}})
        .as_object()
        .unwrap()
        .clone()
    }

    #[test]
    fn single_has_salt_fields_in_order() {
        let load = single_return(
            "m1",
            &publication(),
            Outcome {
                ret: json!(true),
                retcode: 0,
                out: None,
            },
        );
        let keys: Vec<&str> = load.keys().map(String::as_str).collect();
        assert_eq!(
            keys,
            [
                "cmd", "id", "success", "return", "retcode", "jid", "fun", "fun_args", "user",
                "metadata"
            ]
        );
        assert_eq!(load["fun_args"], json!([{"__kwarg__": true, "a": 1}]));
        assert_eq!(load["success"], json!(true));
    }

    #[test]
    fn single_failure_has_out() {
        let load = single_return(
            "m1",
            &publication(),
            Outcome {
                ret: json!("x"),
                retcode: 1,
                out: Some("nested"),
            },
        );
        assert_eq!(load["success"], json!(false));
        assert_eq!(load["out"], json!("nested"));
    }

    #[test]
    fn multi_keyed_and_ordered() {
        let funs = vec!["test.ping".to_string(), "test.echo".to_string()];
        let outs = || {
            vec![
                Outcome {
                    ret: json!(true),
                    retcode: 0,
                    out: None,
                },
                Outcome {
                    ret: json!("e"),
                    retcode: 2,
                    out: None,
                },
            ]
        };
        let keyed = multi_return("m1", &publication(), &funs, outs(), false);
        assert_eq!(
            keyed["return"],
            json!({"test.ping": true, "test.echo": "e"})
        );
        assert_eq!(keyed["retcode"], json!({"test.ping": 0, "test.echo": 2}));
        assert_eq!(
            keyed["success"],
            json!({"test.ping": true, "test.echo": false})
        );
        let ordered = multi_return("m1", &publication(), &funs, outs(), true);
        assert_eq!(ordered["return"], json!([true, "e"]));
        assert_eq!(ordered["success"], json!([true, false]));
    }

    #[test]
    fn schedule_return_shape() {
        let load = schedule_return(
            "m1",
            "hs",
            "state.apply",
            json!([]),
            Outcome {
                ret: json!({}),
                retcode: 0,
                out: Some("highstate"),
            },
            false,
        );
        assert_eq!(load["schedule"], json!("hs"));
        assert_eq!(load["jid"], json!("req"));
        assert!(load["pid"].is_u64());
    }
}
