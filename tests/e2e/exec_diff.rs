//! Differential execution-function runs: one real salt-master, one Python
//! salt-minion and one Halite minion with the same grains and pillar. Every case
//! goes through `salt -L <py>,<halite> <fun> <args> --out=json --static`; the
//! two returns, and the `retcode`/`success` the job cache holds for each, must
//! be equal once ids, jids, pids and the scratch path are normalised.
//!
//! Accepted differences (each case's [`Check`] says how it is compared):
//!
//! | case | compared | reason |
//! |---|---|---|
//! | `test.version` | type only (on 3008 masters: equal) | Halite emulates 3008.4; an older Python minion answers its own version |
//! | `sys.list_modules` | Halite's list ⊆ Python's | Halite implements a subset of Salt's modules |
//! | `grains.ls` | configured grains and `id` present in both | grain detection is halite-grains' (own differential test), not an execution-function difference |
//! | `status.loadavg` | keys | load changes between the two calls |
//! | `file.stats` | keys, and the stable fields | atime/ctime/mtime are read at different moments |
//! | missing positional argument | first line | Salt appends the function's whole docstring; Halite keeps only its first line |
//! | `cp.get_file` | run per minion with the minion's own destination | both write the file: one destination each |

use std::collections::BTreeSet;
use std::fs;
use std::path::Path;
use std::process::Command;
use std::time::Duration;

use halite_tests::minion::{Flavor, Minion};
use halite_tests::net::wait_until;
use halite_tests::require_salt;
use halite_tests::salt::{drop_version_differences, venv_version, Master, MasterSpec, PINNED_SALT};
use serde_json::{json, Value};

const PY: &str = "xdiff-py";
const HALITE: &str = "xdiff-halite";
/// Replaced by the scratch directory in case arguments and returns.
const SCRATCH: &str = "{{SCRATCH}}";

/// How the two returns of a case are compared.
#[derive(Clone, Copy)]
enum Check {
    /// Equal after normalisation (returns, retcode, success).
    Equal,
    /// Same kind of value and the same dict keys (retcode, success equal).
    Keys,
    /// Equal on a 3008 master, same type otherwise.
    Version,
    /// Halite's list is a subset of Python's.
    Subset,
    /// Both lists hold these entries.
    Holds(&'static [&'static str]),
    /// Keys, and these fields equal.
    KeysAnd(&'static [&'static str]),
    /// The first line of a text return (error messages: Salt appends the whole
    /// docstring, Halite has only its first line).
    FirstLine,
    /// Called once per minion ({{ID}} in the arguments is its id), then `Equal`.
    PerMinion,
}

struct Case {
    args: &'static [&'static str],
    check: Check,
}

const fn case(args: &'static [&'static str]) -> Case {
    Case {
        args,
        check: Check::Equal,
    }
}

const fn checked(args: &'static [&'static str], check: Check) -> Case {
    Case { args, check }
}

const CASES: &[Case] = &[
    case(&["test.ping"]),
    case(&["test.echo", "hello world"]),
    case(&[
        "test.arg",
        "1",
        "two",
        "3.5",
        "key=val",
        "flag=True",
        "nested={a: [1, 2]}",
    ]),
    checked(&["test.version"], Check::Version),
    case(&["test.true"]),
    case(&["test.false"]),
    case(&["test.sleep", "1"]),
    case(&["cmd.run", "echo hi"]),
    case(&["cmd.run", "pwd", "cwd={{SCRATCH}}"]),
    case(&["cmd.run", "echo $GREETING", "env={GREETING: bonjour}"]),
    case(&["cmd.run", "cat", "stdin=from stdin"]),
    case(&["cmd.run", "ls /nonexistent-halite-path"]),
    case(&["cmd.run", "[\"echo\", \"a  b\"]", "python_shell=False"]),
    case(&["cmd.run", "echo one; echo two >&2"]),
    case(&["cmd.run_all", "echo out; echo err >&2; exit 3"]),
    case(&["cmd.run_all", "pwd", "cwd={{SCRATCH}}"]),
    case(&["cmd.run_stdout", "echo out; echo err >&2"]),
    case(&["cmd.run_stderr", "echo out; echo err >&2"]),
    case(&["cmd.retcode", "exit 4"]),
    case(&["cmd.retcode", "true"]),
    case(&["cmd.shell", "echo $((1+2)) | tr 3 x"]),
    case(&["grains.item", "rack", "roles", "nope"]),
    case(&["grains.get", "datacenter:zone"]),
    case(&["grains.get", "datacenter"]),
    case(&["grains.get", "nope:deeper", "fallback"]),
    case(&["grains.get", "roles:1"]),
    case(&["grains.get", "datacenter|name", "delimiter=|"]),
    checked(
        &["grains.ls"],
        Check::Holds(&["rack", "roles", "datacenter", "id"]),
    ),
    case(&["pillar.items"]),
    case(&["pillar.items", "unmask=True"]),
    case(&["pillar.items", "secret", "unmask=True"]),
    case(&["pillar.item", "secret", "app:owner", "nope"]),
    case(&["pillar.item", "secret", "unmask=True"]),
    case(&["pillar.get", "app:db:password"]),
    case(&["pillar.get", "app:db:password", "unmask=True"]),
    case(&["pillar.get", "app:ports:1", "unmask=True"]),
    case(&["pillar.get", "nope", "default=fallback"]),
    case(&["pillar.get", "nope"]),
    case(&["pillar.get", "app", "unmask=True"]),
    case(&[
        "pillar.get",
        "app",
        "merge=True",
        "default={extra: 1}",
        "unmask=True",
    ]),
    case(&["pillar.raw"]),
    case(&["pillar.raw", "key=app"]),
    case(&["pillar.raw", "unmask=False"]),
    case(&["pillar.keys", "app"]),
    case(&["pillar.ls"]),
    case(&["pillar.obfuscate"]),
    case(&["config.get", "rack"]),
    case(&["config.get", "app:owner"]),
    case(&["config.get", "nope", "default=dflt"]),
    case(&["config.get", "id"]),
    checked(&["sys.list_modules"], Check::Subset),
    checked(&["status.loadavg"], Check::Keys),
    case(&["network.ip_addrs"]),
    case(&["file.file_exists", "{{SCRATCH}}/data.txt"]),
    case(&["file.file_exists", "{{SCRATCH}}/missing.txt"]),
    case(&["file.directory_exists", "{{SCRATCH}}"]),
    case(&["file.read", "{{SCRATCH}}/data.txt"]),
    checked(
        &["file.stats", "{{SCRATCH}}/data.txt"],
        Check::KeysAnd(&[
            "size", "uid", "gid", "user", "group", "mode", "type", "target",
        ]),
    ),
    checked(
        &[
            "cp.get_file",
            "salt://hello.txt",
            "{{SCRATCH}}/cp/{{ID}}/hello.txt",
            "makedirs=True",
        ],
        Check::PerMinion,
    ),
    case(&["saltutil.find_job", "20000101000000000000"]),
    case(&["no.such_function"]),
    checked(&["test.echo"], Check::FirstLine),
    case(&["grains.get", "rack", "bogus_kwarg=1"]),
    checked(&["pillar.get"], Check::FirstLine),
];

/// Differences whose fix belongs to another crate: reported on stderr, not
/// failed on, until fixed (a matching case says so). `(case, owner: what)`.
const PENDING: &[(&str, &str)] = &[
    (
        "test.arg 1 two 3.5 key=val flag=True nested={a: [1, 2]}",
        "halite-daemon: a 3008 minion adds resource_targets=[], pure_resource_target=False, \
         minion_is_target=True to the load after matching, so they show as __pub_* kwargs",
    ),
    (
        "test.echo",
        "halite-daemon: Salt answers `Passed invalid arguments to test.echo: echo() missing 1 \
         required positional argument: 'text'`",
    ),
    (
        "pillar.get",
        "halite-daemon: Salt answers `Passed invalid arguments to pillar.get: get() missing 1 \
         required positional argument: 'key'`",
    ),
];

const PILLAR: &str = "secret: hunter2\nnum: 5\nzero: 0\nflag: false\nempty: ''\n\
app:\n  owner: alice\n  ports: [80, 443]\n  db:\n    password: s3cr3t\n    port: 5432\n";

struct Rig {
    master: Master,
    _py: Minion,
    _halite: Minion,
    scratch: tempfile::TempDir,
    version: String,
}

fn start_rig(venv: &Path) -> Rig {
    let master = Master::start(venv, MasterSpec::default());
    fs::write(
        master.pillar_root().join("top.sls"),
        "base:\n  '*':\n    - data\n",
    )
    .unwrap();
    fs::write(master.pillar_root().join("data.sls"), PILLAR).unwrap();
    fs::write(
        master.file_root().join("hello.txt"),
        "hello from the master\n",
    )
    .unwrap();
    let scratch = tempfile::Builder::new()
        .prefix("halite-xdiff-")
        .tempdir()
        .unwrap();
    fs::write(scratch.path().join("data.txt"), "line one\nline two\n").unwrap();
    let grains = json!({"grains": {"rack": "r12", "roles": ["web", "db"],
                                   "datacenter": {"name": "dc1", "zone": "z3"}}});
    let py = Minion::start(&master, PY, Flavor::Python, grains.clone());
    let halite = Minion::start(&master, HALITE, Flavor::Halite, grains);
    let both_up = wait_until(Duration::from_secs(90), || {
        let (v, _) = master.salt_json(&["-L", &format!("{PY},{HALITE}"), "test.ping", "-t", "5"]);
        v.get(PY) == Some(&json!(true)) && v.get(HALITE) == Some(&json!(true))
    });
    assert!(
        both_up,
        "minions did not both answer; halite log:\n{}",
        halite.log()
    );
    let version = venv_version(venv);
    Rig {
        master,
        _py: py,
        _halite: halite,
        scratch,
        version,
    }
}

impl Rig {
    fn scratch(&self) -> String {
        self.scratch.path().display().to_string()
    }

    /// `salt --show-jid -L <targets> <args> --out=json --static`: the returns and the jid.
    fn publish(&self, targets: &str, args: &[String]) -> (Value, String) {
        let mut all = vec!["--show-jid", "-L", targets, "-t", "30"];
        all.extend(args.iter().map(String::as_str));
        all.extend(["--out=json", "--static"]);
        let out = self.master.cli("salt", &all);
        let text = String::from_utf8_lossy(&out.stdout).to_string();
        let jid = text
            .lines()
            .find_map(|l| l.strip_prefix("jid: "))
            .unwrap_or("")
            .trim()
            .to_string();
        let start = text.find(['{', '[']).unwrap_or(text.len());
        let returns = serde_json::from_str(text[start..].trim()).unwrap_or(Value::Null);
        (returns, jid)
    }

    /// `retcode` and `success` of each minion for each jid, from the job cache.
    #[allow(clippy::disallowed_methods)] // test: reads the master's job cache with Salt's own code
    fn job_results(&self, jids: &[String]) -> Value {
        let script = "import json, sys, salt.config, salt.loader\n\
            opts = salt.config.master_config(sys.argv[1])\n\
            get = salt.loader.returners(opts, {})['local_cache.get_jid']\n\
            print(json.dumps({j: {m: {'retcode': r.get('retcode'), 'success': r.get('success')}\n\
                                  for m, r in get(j).items()} for j in sys.argv[2:]}))";
        let out = Command::new(self.master.venv.join("bin/python"))
            .arg("-c")
            .arg(script)
            .arg(self.master.conf_dir().join("master"))
            .args(jids)
            .output()
            .expect("run the job-cache reader");
        serde_json::from_slice(&out.stdout).unwrap_or_else(|_| {
            panic!(
                "job cache unreadable: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        })
    }
}

/// One minion's side of a case: its return and job-cache entry, normalised.
#[derive(Debug, Clone, PartialEq)]
struct Side {
    ret: Value,
    job: Value,
}

fn substitute(arg: &str, scratch: &str, id: &str) -> String {
    arg.replace(SCRATCH, scratch).replace("{{ID}}", id)
}

/// Replace what legitimately differs between the two minions.
fn normalise(v: &Value, id: &str, scratch: &str) -> Value {
    match v {
        Value::String(s) => Value::String(s.replace(scratch, SCRATCH).replace(id, "{{ID}}")),
        Value::Array(a) => Value::Array(a.iter().map(|x| normalise(x, id, scratch)).collect()),
        Value::Object(m) => Value::Object(
            m.iter()
                .map(|(k, x)| {
                    let volatile = matches!(k.as_str(), "pid" | "__pub_pid" | "__pub_jid" | "jid");
                    let x = if volatile {
                        json!("<volatile>")
                    } else if k == "__pub_tgt" {
                        x.clone() // the same publication reached both
                    } else {
                        normalise(x, id, scratch)
                    };
                    (k.replace(id, "{{ID}}"), x)
                })
                .collect(),
        ),
        other => other.clone(),
    }
}

/// The publications of one case: `(returns, jid)` for the Python minion and
/// for Halite (the same run twice unless the case runs per minion).
fn publish_case(rig: &Rig, case: &Case) -> [(Value, String); 2] {
    let scratch = rig.scratch();
    let args_for = |id: &str| -> Vec<String> {
        case.args
            .iter()
            .map(|a| substitute(a, &scratch, id))
            .collect()
    };
    if matches!(case.check, Check::PerMinion) {
        return [PY, HALITE].map(|id| rig.publish(id, &args_for(id)));
    }
    let run = rig.publish(&format!("{PY},{HALITE}"), &args_for(""));
    [run.clone(), run]
}

/// One minion's side of a published case, normalised.
fn side_of(rig: &Rig, run: &(Value, String), jobs: &Value, id: &str) -> Side {
    let (returns, jid) = run;
    let ret = returns.get(id).cloned().unwrap_or(Value::Null);
    Side {
        ret: drop_version_differences(&normalise(&ret, id, &rig.scratch()), &rig.version),
        job: jobs[jid.as_str()].get(id).cloned().unwrap_or(Value::Null),
    }
}

fn keys(v: &Value) -> Vec<String> {
    v.as_object()
        .map(|m| m.keys().cloned().collect())
        .unwrap_or_default()
}

fn first_line(v: &Value) -> Option<&str> {
    v.as_str().and_then(|s| s.lines().next())
}

fn strings(v: &Value) -> BTreeSet<String> {
    v.as_array()
        .map(|a| {
            a.iter()
                .filter_map(|x| x.as_str().map(String::from))
                .collect()
        })
        .unwrap_or_default()
}

/// `None` when the two sides agree under `check`, else why not.
fn compare(check: Check, py: &Side, ha: &Side, version: &str) -> Option<String> {
    if py.ret.is_null() {
        return Some("the Python minion did not answer".into());
    }
    if py.job != ha.job {
        return Some(format!("job cache: python {} / halite {}", py.job, ha.job));
    }
    let same = match check {
        Check::Equal | Check::PerMinion => py.ret == ha.ret,
        Check::Version if version.starts_with("3008") => py.ret == ha.ret,
        Check::Version => py.ret.is_string() && ha.ret == json!("3008.4"),
        Check::FirstLine => first_line(&py.ret) == first_line(&ha.ret),
        Check::Keys => keys(&py.ret) == keys(&ha.ret) && !keys(&py.ret).is_empty(),
        Check::KeysAnd(fields) => {
            keys(&py.ret) == keys(&ha.ret) && fields.iter().all(|f| py.ret[f] == ha.ret[f])
        }
        Check::Subset => {
            let (p, h) = (strings(&py.ret), strings(&ha.ret));
            !h.is_empty() && h.is_subset(&p)
        }
        Check::Holds(wanted) => [&py.ret, &ha.ret]
            .iter()
            .all(|v| wanted.iter().all(|w| strings(v).contains(*w))),
    };
    (!same).then(|| {
        format!(
            "python: {}\nhalite: {}",
            serde_json::to_string(&py.ret).unwrap(),
            serde_json::to_string(&ha.ret).unwrap()
        )
    })
}

#[test]
fn execution_functions_match_python_minion() {
    let venv = require_salt!(PINNED_SALT);
    let rig = start_rig(&venv);
    let runs: Vec<[(Value, String); 2]> = CASES.iter().map(|c| publish_case(&rig, c)).collect();
    let jids: Vec<String> = runs.iter().flatten().map(|(_, j)| j.clone()).collect();
    let jobs = rig.job_results(&jids);
    let mut differences = Vec::new();
    for (case, [py_run, ha_run]) in CASES.iter().zip(&runs) {
        let py = side_of(&rig, py_run, &jobs, PY);
        let ha = side_of(&rig, ha_run, &jobs, HALITE);
        let label = case.args.join(" ");
        let pending = PENDING.iter().find(|(l, _)| *l == label);
        match (compare(case.check, &py, &ha, &rig.version), pending) {
            (Some(why), None) => differences.push(format!("== {label}\n{why}")),
            (Some(why), Some((_, owner))) => {
                eprintln!("pending ({owner}): {label}\n{why}")
            }
            (None, Some(_)) => eprintln!("pending case now matches, drop it from PENDING: {label}"),
            (None, None) => {}
        }
    }
    assert!(
        differences.is_empty(),
        "{} of {} cases differ (Salt {}):\n{}",
        differences.len(),
        CASES.len(),
        rig.version,
        differences.join("\n")
    );
}
