//! pkg on a dnf host, against a scripted fake of `rpm`/`dnf` (no rpm host
//! runs here): the argv Halite builds, rpm's `[E:]V-R` versions, several
//! installed versions joined with ",", `name-version` installs, versionlock
//! holds, and a lock another process holds: dnf runs with `exit_on_lock`,
//! is tried again each second for `pkg_lock_timeout` seconds, and then
//! fails naming the holder dnf reports.

use std::collections::BTreeMap;
use std::sync::{Arc, Mutex};

use halite_api::{CmdOutput, CmdSpec, CommandRunner, Ctx, ExecCall, RunError, Value};
use serde_json::json;

mod common;

#[derive(Default)]
struct FakeDnf {
    /// (name, epoch, version-release)
    installed: Mutex<Vec<(String, String, String)>>,
    repo: BTreeMap<String, (String, String)>,
    locks: Mutex<Vec<String>>,
    log: Mutex<Vec<String>>,
    /// dnf runs that still find the lock held by another process
    locked_runs: Mutex<u32>,
}

/// What dnf 4 prints, exit 200, when `exit_on_lock` finds the rpmdb lock held.
const DNF_LOCKED: &str = "RPMDB already locked by 4242\n  The application with PID 4242 is: dnf-automatic\n    Memory :  81 M RSS (402 MB VSZ)\n    Started: Mon Dec  7 12:00:01 2026 - 05:12 ago\n    State  : Sleeping\n";

fn out(stdout: String, retcode: i32, stderr: &str) -> Result<CmdOutput, RunError> {
    Ok(CmdOutput {
        retcode,
        stdout: stdout.into_bytes(),
        stderr: stderr.as_bytes().to_vec(),
        ..Default::default()
    })
}

impl CommandRunner for FakeDnf {
    fn run(&self, spec: &CmdSpec) -> Result<CmdOutput, RunError> {
        let mut a: Vec<&str> = spec.argv.iter().map(String::as_str).collect();
        if a[0] == "dnf" {
            // every dnf run fails at once on a held lock instead of waiting
            let at = a.iter().position(|x| *x == "--setopt=exit_on_lock=True");
            a.remove(at.expect("dnf without exit_on_lock would wait on a lock"));
            let mut locked = self.locked_runs.lock().unwrap();
            if *locked > 0 {
                *locked -= 1;
                self.log
                    .lock()
                    .unwrap()
                    .push(format!("locked: {}", a.join(" ")));
                return out(String::new(), 200, DNF_LOCKED);
            }
        }
        self.log.lock().unwrap().push(a.join(" "));
        match a[..] {
            ["rpm", "-qa", ..] => {
                let rows = self.installed.lock().unwrap();
                out(
                    rows.iter()
                        .map(|(n, e, vr)| {
                            format!("{n}\t{e}\tvr{vr}\tx86_64\n").replace("\tvr", "\t")
                        })
                        .collect(),
                    0,
                    "",
                )
            }
            ["dnf", "-q", "repoquery", ..] => {
                let names = &a[5..];
                out(
                    names
                        .iter()
                        .filter_map(|n| {
                            self.repo.get(*n).map(|(e, vr)| format!("{n}\t{e}\t{vr}\n"))
                        })
                        .collect(),
                    0,
                    "",
                )
            }
            ["dnf", "-y", "-q", "install", ref pkgs @ ..] => {
                for p in pkgs {
                    let name = self
                        .repo
                        .keys()
                        .find(|n| p == n || p.starts_with(&format!("{n}-")))
                        .cloned();
                    let Some(name) = name else {
                        return out(
                            String::new(),
                            1,
                            &format!("Error: Unable to find a match: {p}\n"),
                        );
                    };
                    let (e, vr) = self.repo[&name].clone();
                    self.installed.lock().unwrap().push((name, e, vr));
                }
                out(String::new(), 0, "")
            }
            ["dnf", "-y", "-q", "remove", ref pkgs @ ..] => {
                self.installed
                    .lock()
                    .unwrap()
                    .retain(|(n, _, _)| !pkgs.contains(&n.as_str()));
                out(String::new(), 0, "")
            }
            ["dnf", "-y", "-q", "versionlock", "list"] => {
                let locks = self.locks.lock().unwrap();
                out(
                    locks
                        .iter()
                        .map(|n| format!("{n}-0:2.12-1.fc40.*\n"))
                        .collect(),
                    0,
                    "",
                )
            }
            ["dnf", "-y", "-q", "versionlock", "add", n] => {
                self.locks.lock().unwrap().push(n.to_string());
                out(String::new(), 0, "")
            }
            ["dnf", "-y", "-q", "makecache"] => out(String::new(), 0, ""),
            _ => out(String::new(), 127, &format!("fake dnf: unexpected {a:?}")),
        }
    }
}

fn dnf_ctx(fake: Arc<FakeDnf>) -> Ctx {
    dnf_ctx_waiting(fake, 60)
}

fn dnf_ctx_waiting(fake: Arc<FakeDnf>, lock_timeout: u64) -> Ctx {
    let dir = tempfile::tempdir().unwrap().keep();
    common::ctx(
        fake,
        json!({"id": "n1", "cachedir": dir, "ostree_sysroot": dir.join("no-ostree"),
               "pkg_lock_timeout": lock_timeout}),
    )
}

/// A host whose rpmdb lock another process holds for `locked_runs` dnf runs.
fn host(locked_runs: u32) -> Arc<FakeDnf> {
    let mut repo = BTreeMap::new();
    repo.insert(
        "hello".to_string(),
        ("0".to_string(), "2.12-1.fc40".to_string()),
    );
    repo.insert(
        "vim-enhanced".to_string(),
        ("2".to_string(), "9.1.158-1.fc40".to_string()),
    );
    Arc::new(FakeDnf {
        installed: Mutex::new(vec![
            ("kernel".into(), "(none)".into(), "6.8.5-301.fc40".into()),
            ("kernel".into(), "(none)".into(), "6.9.1-200.fc40".into()),
        ]),
        repo,
        locked_runs: Mutex::new(locked_runs),
        ..Default::default()
    })
}

fn exec(ctx: &Ctx, fun: &str, args: Vec<Value>) -> Value {
    let spec = ctx.registry.exec(fun).unwrap();
    (spec.run)(&ExecCall {
        ctx,
        args,
        kwargs: Default::default(),
    })
    .unwrap()
    .ret
}

fn state(ctx: &Ctx, fun: &str, name: &str, args: Value) -> halite_api::StateReturn {
    common::state(ctx, fun, name, args, false)
}

#[test]
fn installed_with_epochs_versions_and_hold_scripted_fake() {
    let fake = host(0);
    let ctx = dnf_ctx(Arc::clone(&fake));
    assert_eq!(
        exec(&ctx, "pkg.version", vec!["kernel".into()]),
        json!("6.8.5-301.fc40,6.9.1-200.fc40")
    );
    assert_eq!(
        exec(
            &ctx,
            "pkg.latest_version",
            vec!["vim-enhanced".into(), "refresh=False".into()]
        )["vim-enhanced"],
        json!("2:9.1.158-1.fc40")
    );

    let r = state(
        &ctx,
        "pkg.installed",
        "vim-enhanced",
        json!({"refresh": false}),
    );
    assert_eq!(r.result, Some(true), "{}", r.comment);
    assert_eq!(
        r.changes["vim-enhanced"],
        json!({"old": "", "new": "2:9.1.158-1.fc40"})
    );
    assert!(fake
        .log
        .lock()
        .unwrap()
        .contains(&"dnf -y -q install vim-enhanced".to_string()));

    let h = state(
        &ctx,
        "pkg.installed",
        "hello",
        json!({"version": "2.12-1.fc40", "hold": true, "refresh": false}),
    );
    assert_eq!(h.result, Some(true), "{}", h.comment);
    assert!(fake
        .log
        .lock()
        .unwrap()
        .contains(&"dnf -y -q install hello-2.12-1.fc40".to_string()));
    assert_eq!(h.comment, "The following packages were installed/updated: hello=2.12-1.fc40\nPackage hello is now being held.");
    assert_eq!(
        h.changes["hello"],
        json!({"old": "install", "new": "2.12-1.fc40\nhold"})
    );

    // a range installs the candidate (no `name-version` argument), then checks it
    let range = state(
        &ctx,
        "pkg.installed",
        "hello",
        json!({"version": ">=2.0", "refresh": false}),
    );
    assert_eq!(
        range.comment,
        "All specified packages are already installed and are at the desired version"
    );
    let again = state(
        &ctx,
        "pkg.installed",
        "hello",
        json!({"version": "2.12", "hold": true, "refresh": false}),
    );
    assert_eq!(
        again.comment,
        "All specified packages are already installed and are at the desired version.\nPackage hello is already set to be held."
    );
}

#[test]
fn a_dnf_lock_held_elsewhere_fails_clearly_scripted_fake() {
    let fake = host(u32::MAX);
    let ctx = dnf_ctx_waiting(Arc::clone(&fake), 2);
    let started = std::time::Instant::now();
    let r = state(&ctx, "pkg.installed", "hello", json!({"refresh": false}));
    let took = started.elapsed();
    assert_eq!(r.result, Some(false));
    assert_eq!(
        r.comment,
        "Problem encountered installing package(s). Additional info follows:\n\nerrors:\n    - the package database is locked by another process (waited 2s): RPMDB already locked by 4242 (held by process 4242 (dnf-automatic))"
    );
    // tried at 0, 1 and 2 seconds, then given up: a bounded wait, no hang
    let tries = fake
        .log
        .lock()
        .unwrap()
        .iter()
        .filter(|l| l.starts_with("locked: dnf -y -q install hello"))
        .count();
    assert!((2..=4).contains(&tries), "{tries} tries");
    assert!(
        took >= std::time::Duration::from_secs(2) && took < std::time::Duration::from_secs(10),
        "{took:?}"
    );

    let missing = state(
        &dnf_ctx(host(0)),
        "pkg.installed",
        "nosuch",
        json!({"refresh": false}),
    );
    assert_eq!(missing.result, Some(false));
    assert!(
        missing.comment.contains("Unable to find a match: nosuch"),
        "{}",
        missing.comment
    );
}

#[test]
fn a_lock_released_within_the_wait_is_waited_for_scripted_fake() {
    let fake = host(2);
    let ctx = dnf_ctx_waiting(Arc::clone(&fake), 60);
    let r = state(&ctx, "pkg.installed", "hello", json!({"refresh": false}));
    assert_eq!(r.result, Some(true), "{}", r.comment);
    assert_eq!(r.changes["hello"], json!({"old": "", "new": "2.12-1.fc40"}));
    let log = fake.log.lock().unwrap();
    let locked = log.iter().filter(|l| l.starts_with("locked: ")).count();
    assert_eq!(locked, 2, "{log:?}");

    // pkg_lock_timeout 0: one try, and the failure at once
    let fake = host(u32::MAX);
    let ctx = dnf_ctx_waiting(Arc::clone(&fake), 0);
    let err = ctx
        .call("pkg.refresh_db", vec![], Default::default())
        .unwrap_err()
        .to_string();
    assert_eq!(
        err,
        "the package database is locked by another process (waited 0s): RPMDB already locked by 4242 (held by process 4242 (dnf-automatic))"
    );
    assert_eq!(fake.log.lock().unwrap().len(), 1);
}

#[test]
fn a_version_range_installs_the_candidate_scripted_fake() {
    let fake = host(0);
    let ctx = dnf_ctx(Arc::clone(&fake));
    let r = state(
        &ctx,
        "pkg.installed",
        "vim-enhanced",
        json!({"version": ">=2:9.0", "refresh": false}),
    );
    assert_eq!(r.result, Some(true), "{}", r.comment);
    assert!(fake
        .log
        .lock()
        .unwrap()
        .contains(&"dnf -y -q install vim-enhanced".to_string()));
    let too_new = state(
        &ctx,
        "pkg.installed",
        "hello",
        json!({"version": ">=3", "refresh": false}),
    );
    assert_eq!(too_new.result, Some(false), "{}", too_new.comment);
    assert_eq!(
        too_new.comment,
        "The following packages failed to install/update: hello>=3"
    );
}
