//! `pkgrepo.managed`/`pkgrepo.absent` with `copr: user/project` on a dnf
//! host, over a fake runner standing in for `rpm` and `dnf copr enable`
//! (no dnf runs here). The argv, returns, comments and the file as written
//! are those of Salt 3008.4's own `states/pkgrepo.py` and
//! `modules/yumpkg.py` run from the venv with the dunders stubbed
//! (`pkg_resource.version` of `dnf-plugins-core`, `cmd.run_all` writing
//! the file below or failing, `_yum() == "dnf"`, no systemd scope):
//!
//! ```python
//! y.__salt__ = {"pkg_resource.version": lambda n: "4.4.0",
//!               "cmd.run_all": run_all, "config.get": lambda k, d=None: False}
//! y._yum = lambda: "dnf"
//! s.managed("hello-copr", copr="mymindstorm/hello", basedir=d)   # twice
//! s.absent("hello-copr", copr="mymindstorm/hello", basedir=d)    # test, twice
//! ```
//! Salt's argv is `dnf copr enable mymindstorm/hello -y`; Halite adds
//! `--setopt=exit_on_lock=True` as to every dnf run (docs/pkg.md, Locks).

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use halite_api::{CmdOutput, CmdSpec, CommandRunner, Ctx, RunError};
use serde_json::json;

mod common;

/// What copr's server hands `dnf copr enable` for this project.
const COPR_REPO: &str = "[copr:copr.fedorainfracloud.org:mymindstorm:hello]\nname=Copr repo for hello owned by mymindstorm\nbaseurl=https://download.copr.fedorainfracloud.org/results/mymindstorm/hello/fedora-$releasever-$basearch/\ntype=rpm-md\nskip_if_unavailable=True\ngpgcheck=1\ngpgkey=https://download.copr.fedorainfracloud.org/results/mymindstorm/hello/pubkey.gpg\nrepo_gpgcheck=0\nenabled=1\nenabled_metadata=1\n";

const FILE: &str = "_copr:copr.fedorainfracloud.org:mymindstorm:hello.repo";

struct FakeCopr {
    dir: PathBuf,
    plugin: bool,
    fail: bool,
    log: Mutex<Vec<String>>,
}

fn out(stdout: &str, retcode: i32, stderr: &str) -> Result<CmdOutput, RunError> {
    Ok(CmdOutput {
        retcode,
        stdout: stdout.as_bytes().to_vec(),
        stderr: stderr.as_bytes().to_vec(),
        ..Default::default()
    })
}

impl CommandRunner for FakeCopr {
    fn run(&self, spec: &CmdSpec) -> Result<CmdOutput, RunError> {
        let argv = spec.argv.join(" ");
        self.log.lock().unwrap().push(argv.clone());
        match spec.argv.first().map(String::as_str) {
            Some("rpm") if self.plugin => {
                out("dnf-plugins-core\t(none)\t4.4.0-1.fc39\tnoarch\n", 0, "")
            }
            Some("rpm") => out("bash\t(none)\t5.2-1.fc39\tx86_64\n", 0, ""),
            Some("dnf") if self.fail => out("", 1, "Error: Such repository does not exist.\n"),
            Some("dnf") => {
                std::fs::write(self.dir.join(FILE), COPR_REPO).unwrap();
                out("Repository successfully enabled.\n", 0, "")
            }
            _ => panic!("unexpected command {argv}"),
        }
    }
}

fn host(dir: &std::path::Path, plugin: bool, fail: bool) -> (Ctx, Arc<FakeCopr>) {
    let fake = Arc::new(FakeCopr {
        dir: dir.to_path_buf(),
        plugin,
        fail,
        log: Mutex::default(),
    });
    let ctx = common::ctx(
        fake.clone(),
        json!({"id": "n1", "cachedir": dir, "ostree_sysroot": dir.join("no-ostree")}),
    );
    (ctx, fake)
}

fn args(dir: &std::path::Path) -> serde_json::Value {
    json!({"copr": "mymindstorm/hello", "basedir": dir.display().to_string()})
}

#[test]
fn copr_is_enabled_with_dnf_then_managed_as_salt() {
    let tmp = tempfile::tempdir().unwrap();
    let (ctx, fake) = host(tmp.path(), true, false);
    let test = common::state(
        &ctx,
        "pkgrepo.managed",
        "hello-copr",
        args(tmp.path()),
        true,
    );
    assert_eq!(test.result, None);
    assert_eq!(
        test.changes,
        *json!({"repo": "hello-copr"}).as_object().unwrap()
    );
    assert!(
        fake.log.lock().unwrap().is_empty(),
        "test mode ran a command"
    );

    let first = common::state(
        &ctx,
        "pkgrepo.managed",
        "hello-copr",
        args(tmp.path()),
        false,
    );
    assert_eq!(first.result, Some(true), "{}", first.comment);
    assert_eq!(first.comment, "Configured package repo 'hello-copr'");
    assert_eq!(
        first.changes,
        *json!({"repo": "copr:mymindstorm/hello"})
            .as_object()
            .unwrap()
    );
    let log = fake.log.lock().unwrap().clone();
    assert_eq!(
        log.last().unwrap(),
        "dnf --setopt=exit_on_lock=True copr enable mymindstorm/hello -y"
    );
    assert!(log[0].starts_with("rpm -qa"), "{log:?}");
    let written = std::fs::read_to_string(tmp.path().join(FILE)).unwrap();
    assert_eq!(written, "[copr:copr.fedorainfracloud.org:mymindstorm:hello]\nname=hello-copr\nbaseurl=https://download.copr.fedorainfracloud.org/results/mymindstorm/hello/fedora-$releasever-$basearch/\ntype=rpm-md\nskip_if_unavailable=True\ngpgcheck=1\ngpgkey=https://download.copr.fedorainfracloud.org/results/mymindstorm/hello/pubkey.gpg\nrepo_gpgcheck=0\nenabled=1\nenabled_metadata=1\n\n");

    let again = common::state(
        &ctx,
        "pkgrepo.managed",
        "hello-copr",
        args(tmp.path()),
        false,
    );
    assert_eq!(
        again.comment,
        "Package repo 'hello-copr' already configured"
    );
    assert_eq!(again.result, Some(true));
    assert!(again.changes.is_empty());
    assert_eq!(
        fake.log.lock().unwrap().len(),
        log.len(),
        "a configured copr ran dnf again"
    );
}

#[test]
fn copr_absent_removes_the_file_as_salt() {
    let tmp = tempfile::tempdir().unwrap();
    let (ctx, _fake) = host(tmp.path(), true, false);
    std::fs::write(tmp.path().join(FILE), COPR_REPO).unwrap();
    let note = "This may cause pkg states to behave differently than stated if this action is repeated without test=True, due to the differences in the configured repositories.";
    let test = common::state(&ctx, "pkgrepo.absent", "hello-copr", args(tmp.path()), true);
    assert_eq!(test.name, "hello-copr");
    assert_eq!(test.result, None);
    assert_eq!(
        test.comment,
        format!("Package repo 'copr:mymindstorm/hello' will be removed. {note}")
    );
    let gone = common::state(
        &ctx,
        "pkgrepo.absent",
        "hello-copr",
        args(tmp.path()),
        false,
    );
    assert_eq!(gone.result, Some(true));
    assert_eq!(gone.comment, "Removed repo copr:mymindstorm/hello");
    assert_eq!(
        gone.changes,
        *json!({"repo": "copr:mymindstorm/hello"})
            .as_object()
            .unwrap()
    );
    assert!(!tmp.path().join(FILE).exists());
    let absent = common::state(
        &ctx,
        "pkgrepo.absent",
        "hello-copr",
        args(tmp.path()),
        false,
    );
    assert_eq!(
        absent.comment,
        "Package repo copr:mymindstorm/hello is absent"
    );
    assert_eq!(absent.result, Some(true));
}

#[test]
fn copr_failures_read_as_salt() {
    let tmp = tempfile::tempdir().unwrap();
    let (ctx, fake) = host(tmp.path(), true, true);
    let failed = common::state(
        &ctx,
        "pkgrepo.managed",
        "hello-copr",
        args(tmp.path()),
        false,
    );
    assert_eq!(failed.result, Some(false));
    assert_eq!(failed.comment, "Failed to configure repo 'hello-copr': Unable to add COPR 'mymindstorm/hello'. 'dnf' exited with status 1: 'Error: Such repository does not exist.' ");
    assert!(failed.changes.is_empty());
    assert!(fake
        .log
        .lock()
        .unwrap()
        .iter()
        .any(|c| c.contains("copr enable")));

    let (ctx, fake) = host(tmp.path(), false, false);
    let no_plugin = common::state(
        &ctx,
        "pkgrepo.managed",
        "hello-copr",
        args(tmp.path()),
        false,
    );
    assert_eq!(no_plugin.result, Some(false));
    assert_eq!(
        no_plugin.comment,
        "Failed to configure repo 'hello-copr': dnf-plugins-core must be installed to use COPR"
    );
    assert!(!fake
        .log
        .lock()
        .unwrap()
        .iter()
        .any(|c| c.starts_with("dnf")));
}
