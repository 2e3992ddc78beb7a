//! The `test` execution module: ping, echo, version, sleep, arg, true, false.

use halite_api::{ExecCall, ExecSpec, Map, Value};

use super::{ok, required_str, ExecResult};

/// The Salt release Halite emulates.
pub const SALT_VERSION: &str = "3008.4";

pub const SPECS: &[ExecSpec] = &[
    ExecSpec {
        name: "test.ping",
        doc: "Used to make sure the minion is up and responding. Not an ICMP ping.",
        run: ping,
    },
    ExecSpec {
        name: "test.echo",
        doc: "Return a string - used for testing the connection",
        run: echo,
    },
    ExecSpec {
        name: "test.version",
        doc: "Return the version of salt on the minion",
        run: version,
    },
    ExecSpec {
        name: "test.sleep",
        doc:
            "Instruct the minion to initiate a process that will sleep for a given period of time.",
        run: sleep,
    },
    ExecSpec {
        name: "test.arg",
        doc: "Print out the data passed into the function ``*args`` and ``kwargs``",
        run: arg,
    },
    ExecSpec {
        name: "test.true",
        doc: "Always return True",
        run: always_true,
    },
    ExecSpec {
        name: "test.false",
        doc: "Always return False",
        run: always_false,
    },
];

fn ping(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &[])?;
    ok(true)
}

fn echo(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["text"])?;
    ok(required_str(call, 0, "text")?)
}

fn version(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &[])?;
    ok(SALT_VERSION)
}

fn sleep(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &["length"])?;
    let length = required_str(call, 0, "length")?;
    let secs: f64 = length.parse().map_err(|_| {
        halite_api::ExecError::Invocation(format!("invalid sleep length '{length}'"))
    })?;
    std::thread::sleep(std::time::Duration::from_secs_f64(secs.max(0.0)));
    ok(true)
}

fn arg(call: &ExecCall<'_>) -> ExecResult {
    // Salt 3008 returns the keyword arguments as received, `__pub_*` included.
    let kwargs: Map = call.kwargs.clone();
    let mut ret = Map::new();
    ret.insert("args".into(), Value::Array(call.args.clone()));
    ret.insert("kwargs".into(), Value::Object(kwargs));
    ok(Value::Object(ret))
}

fn always_true(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &[])?;
    ok(true)
}

fn always_false(call: &ExecCall<'_>) -> ExecResult {
    super::reject_unknown_kwargs(call, &[])?;
    ok(false)
}

#[cfg(test)]
mod tests {
    use crate::testutil::{ctx_with, FakeRunner, TempDir};
    use serde_json::json;

    #[test]
    fn basic_returns() {
        let d = TempDir::new("test");
        let ctx = ctx_with(FakeRunner::new(), &d.0);
        assert_eq!(
            ctx.call("test.ping", vec![], Default::default())
                .unwrap()
                .ret,
            json!(true)
        );
        assert_eq!(
            ctx.call("test.version", vec![], Default::default())
                .unwrap()
                .ret,
            json!("3008.4")
        );
        assert_eq!(
            ctx.call("test.echo", vec![json!("hi")], Default::default())
                .unwrap()
                .ret,
            json!("hi")
        );
        let kw = json!({"a": 1, "__pub_jid": "x"})
            .as_object()
            .unwrap()
            .clone();
        assert_eq!(
            ctx.call("test.arg", vec![json!(1)], kw).unwrap().ret,
            json!({"args": [1], "kwargs": {"a": 1, "__pub_jid": "x"}})
        );
        assert!(ctx.call("test.echo", vec![], Default::default()).is_err());
        assert_eq!(
            ctx.call("test.false", vec![], Default::default())
                .unwrap()
                .ret,
            json!(false)
        );
    }
}
