//! Exec and state tests over an in-memory `crontab` (the runner keeps the
//! installed table; `-l` prints it, `FILE` installs the file's text).

use std::sync::{Arc, Mutex};

use halite_api::{CmdOutput, CmdSpec, CommandRunner, Map, RunError, Value};
use serde_json::json;

use crate::testutil::{changes, ctx_with, run_state, TempDir};

#[derive(Default)]
struct FakeCrontab {
    table: Mutex<Option<String>>,
    calls: Mutex<Vec<Vec<String>>>,
    refuse: bool,
}

impl CommandRunner for FakeCrontab {
    fn run(&self, spec: &CmdSpec) -> Result<CmdOutput, RunError> {
        self.calls.lock().unwrap().push(spec.argv.clone());
        let last = spec.argv.last().cloned().unwrap_or_default();
        let mut out = CmdOutput::default();
        if last == "-l" {
            match &*self.table.lock().unwrap() {
                Some(t) => out.stdout = t.clone().into_bytes(),
                None => {
                    out.retcode = 1;
                    out.stderr = b"no crontab for root\n".to_vec();
                }
            }
        } else if self.refuse {
            out.retcode = 1;
            out.stderr = b"bad minute\nerrors in crontab file\n".to_vec();
        } else {
            *self.table.lock().unwrap() = Some(std::fs::read_to_string(&last).unwrap());
        }
        Ok(out)
    }
}

fn setup(refuse: bool) -> (Arc<FakeCrontab>, halite_api::Ctx, TempDir) {
    let d = TempDir::new("cron");
    let fake = Arc::new(FakeCrontab {
        refuse,
        ..Default::default()
    });
    let ctx = ctx_with(fake.clone(), &d.0);
    (fake, ctx, d)
}

fn call(ctx: &halite_api::Ctx, fun: &str, args: Value, kw: Value) -> Value {
    let kw: Map = kw.as_object().unwrap().clone();
    ctx.call(fun, args.as_array().unwrap().clone(), kw)
        .unwrap()
        .ret
}

fn table(f: &FakeCrontab) -> String {
    f.table.lock().unwrap().clone().unwrap_or_default()
}

#[test]
fn set_job_rm_job_and_env_write_salts_format() {
    let (fake, ctx, _d) = setup(false);
    let none = json!({});
    let job = json!(["root", 5, "*", "*", "*", 1, "/bin/a"]);
    assert_eq!(
        call(
            &ctx,
            "cron.set_job",
            job.clone(),
            json!({"identifier": "a", "comment": "hi"})
        ),
        json!("new")
    );
    assert_eq!(
        call(
            &ctx,
            "cron.set_job",
            job.clone(),
            json!({"identifier": "a"})
        ),
        json!("present")
    );
    assert_eq!(
        call(
            &ctx,
            "cron.set_env",
            json!(["root", "MAILTO", "x@y"]),
            none.clone()
        ),
        json!("new")
    );
    assert_eq!(
        table(&fake),
        "# Lines below here are managed by Salt, do not edit\nMAILTO=x@y\n# hi SALT_CRON_IDENTIFIER:a\n5 * * * 1 /bin/a\n"
    );
    // Without an identifier Salt rewrites a job that has none on every call.
    assert_eq!(
        call(
            &ctx,
            "cron.set_job",
            json!(["root", "*", "*", "*", "*", "*", "/bin/b"]),
            none.clone()
        ),
        json!("new")
    );
    assert_eq!(
        call(
            &ctx,
            "cron.set_job",
            json!(["root", "*", "*", "*", "*", "*", "/bin/b"]),
            none.clone()
        ),
        json!("updated")
    );
    let tab = call(&ctx, "cron.list_tab", json!(["root"]), none.clone());
    assert_eq!(
        tab["crons"][1],
        json!({"minute": "*", "hour": "*", "daymonth": "*", "month": "*", "dayweek": "*",
               "identifier": null, "cmd": "/bin/b", "comment": null, "commented": false})
    );
    assert_eq!(
        call(
            &ctx,
            "cron.rm_job",
            json!(["root", "/bin/b"]),
            json!({"minute": 3})
        ),
        json!("absent")
    );
    assert_eq!(
        call(&ctx, "cron.rm_job", json!(["root", "/bin/b"]), none.clone()),
        json!("removed")
    );
    assert_eq!(
        call(&ctx, "cron.rm_env", json!(["root", "MAILTO"]), none.clone()),
        json!("removed")
    );
    assert_eq!(
        call(&ctx, "cron.rm_env", json!(["root", "MAILTO"]), none.clone()),
        json!("absent")
    );
    // Run as root for root: `crontab -l` and `crontab FILE`, no `-u`.
    let calls = fake.calls.lock().unwrap();
    assert!(calls.iter().all(|a| a.len() == 2 && a[0] == "crontab"));
    assert!(calls.iter().any(|a| a[1].contains("__salt.tmp.")));
}

#[test]
fn random_fields_are_drawn_once_and_kept() {
    let (fake, ctx, _d) = setup(false);
    let job = json!(["root", "random", "2:4", "*", "*", "*", "/bin/r"]);
    assert_eq!(
        call(&ctx, "cron.set_job", job.clone(), json!({})),
        json!("new")
    );
    let t = crate::exec::cron::tab::parse(&table(&fake));
    let m: u32 = t.crons[0].field(0).unwrap().parse().unwrap();
    let h: u32 = t.crons[0].field(1).unwrap().parse().unwrap();
    assert!(m < 60 && (2..=4).contains(&h));
}

#[test]
fn crontab_refusal_is_salts_failed_to_commit() {
    let (_fake, ctx, _d) = setup(true);
    let r = run_state(
        &ctx,
        "cron.present",
        json!({"name": "/bin/a", "minute": "99"}),
        false,
    );
    assert_eq!(r.result, Some(false));
    assert_eq!(
        r.comment,
        "Cron /bin/a for user root failed to commit with error \nbad minute\nerrors in crontab file"
    );
}

#[test]
fn states_and_test_mode() {
    let (fake, ctx, _d) = setup(false);
    let job = json!({"name": " /bin/a ", "minute": 5, "comment": "c"});
    let r = run_state(&ctx, "cron.present", job.clone(), true);
    assert_eq!(
        (r.result, r.comment.as_str(), r.name.as_str()),
        (None, "Cron /bin/a is set to be added", "/bin/a")
    );
    assert!(fake.table.lock().unwrap().is_none());
    let r = run_state(&ctx, "cron.present", job.clone(), false);
    assert_eq!(
        (r.comment.as_str(), changes(&r)),
        (
            "Cron /bin/a added to root's crontab",
            json!({"root": "/bin/a"})
        )
    );
    let r = run_state(&ctx, "cron.present", job.clone(), true);
    assert_eq!(
        (r.result, r.comment.as_str()),
        (Some(true), "Cron /bin/a already present")
    );
    let r = run_state(
        &ctx,
        "cron.present",
        json!({"name": "/bin/a", "minute": 6}),
        true,
    );
    assert_eq!(
        (r.result, r.comment.as_str()),
        (None, "Cron /bin/a is set to be updated")
    );
    let r = run_state(
        &ctx,
        "cron.present",
        json!({"name": "/bin/a", "minute": 6}),
        false,
    );
    assert_eq!(r.comment, "Cron /bin/a updated");
    assert!(table(&fake).ends_with("# c SALT_CRON_IDENTIFIER:/bin/a\n6 * * * * /bin/a\n"));
    let r = run_state(&ctx, "cron.absent", json!({"name": "/bin/a"}), true);
    assert_eq!(
        (r.result, r.comment.as_str()),
        (None, "Cron /bin/a is set to be removed")
    );
    let r = run_state(&ctx, "cron.absent", json!({"name": "/bin/a"}), false);
    assert_eq!(changes(&r), json!({"root": "/bin/a"}));
    let r = run_state(&ctx, "cron.absent", json!({"name": "/bin/a"}), true);
    assert_eq!(
        (r.result, r.comment.as_str()),
        (Some(true), "Cron /bin/a is absent")
    );
    let r = run_state(&ctx, "cron.env_present", json!({"name": "E"}), false);
    assert_eq!(r.comment, "Cron env E added to root's crontab");
    // The written `E=""` reads back as the two quote characters, never "".
    let r = run_state(&ctx, "cron.env_present", json!({"name": "E"}), true);
    assert_eq!(
        (r.result, r.comment.as_str()),
        (None, "Cron env E is set to be updated")
    );
    let r = run_state(&ctx, "cron.env_absent", json!({"name": "E"}), true);
    assert_eq!(r.comment, "Cron env E is set to be removed");
    let r = run_state(&ctx, "cron.env_absent", json!({"name": "E"}), false);
    assert_eq!(r.comment, "Cron env E removed from root's crontab");
    assert_eq!(
        table(&fake),
        "# Lines below here are managed by Salt, do not edit\n"
    );
}

#[test]
fn unknown_kwargs_are_refused() {
    let (_fake, ctx, _d) = setup(false);
    let err = ctx
        .call(
            "cron.rm_env",
            vec![json!("root"), json!("X")],
            json!({"bogus": 1}).as_object().unwrap().clone(),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "The following keyword arguments are not valid: bogus=1"
    );
    let err = ctx
        .call(
            "cron.rm_env",
            vec![json!("root"), json!("X"), json!("Y")],
            Map::new(),
        )
        .unwrap_err();
    assert_eq!(
        err.to_string(),
        "rm_env() takes 2 positional arguments but 3 were given"
    );
    let args = (0..11).map(|i| json!(i)).collect();
    let err = ctx.call("cron.set_job", args, Map::new()).unwrap_err();
    assert_eq!(
        err.to_string(),
        "set_job() takes from 7 to 10 positional arguments but 11 were given"
    );
}
