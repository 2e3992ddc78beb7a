//! timezone exec and state tests on a temp root with a scripted runner.

use std::path::Path;

use halite_api::{StateCall, Value};
use serde_json::json;

use super::Host;
use crate::states::timezone::system_on;
use crate::testutil::{changes, ctx_with, FakeRunner, TempDir};

fn write(root: &Path, rel: &str, text: &str) {
    let p = root.join(rel);
    std::fs::create_dir_all(p.parent().unwrap()).unwrap();
    std::fs::write(p, text).unwrap();
}

fn host<'a>(ctx: &'a halite_api::Ctx, root: &Path, timedatectl: bool) -> Host<'a> {
    Host {
        ctx,
        root: root.to_path_buf(),
        timedatectl,
        os_family: "Debian".into(),
    }
}

fn state(ctx: &halite_api::Ctx, h: &Host<'_>, args: Value, test: bool) -> halite_api::StateReturn {
    let args = args.as_object().unwrap().clone();
    let name = args["name"].as_str().unwrap().to_string();
    system_on(
        &StateCall {
            ctx,
            name,
            args,
            test,
        },
        h,
    )
}

const TIMEDATECTL: &str = "               Local time: Mon 2026-12-07 10:00:00 CET\n                Time zone: Europe/Berlin (CET, +0100)\n          RTC in local TZ: no\n";

#[test]
fn timedatectl_path() {
    let d = TempDir::new("tz");
    let runner = FakeRunner::new();
    runner.on("timedatectl", 0, TIMEDATECTL);
    let ctx = ctx_with(runner.clone(), &d.0);
    let h = host(&ctx, &d.0, true);
    assert_eq!(h.get_zone().unwrap(), "Europe/Berlin");
    assert_eq!(h.get_hwclock().unwrap().as_deref(), Some("UTC"));
    let r = state(&ctx, &h, json!({"name": "Europe/Berlin"}), false);
    assert_eq!(
        (r.result, r.comment.as_str()),
        (
            Some(true),
            "Timezone Europe/Berlin already set, UTC already set to Europe/Berlin"
        )
    );
    let r = state(&ctx, &h, json!({"name": "Etc/UTC"}), true);
    assert_eq!(
        (r.result, r.comment.as_str()),
        (None, "Timezone Etc/UTC needs to be set")
    );
}

#[test]
fn failing_timedatectl_falls_back_to_the_zone_file_for_compare_only() {
    let d = TempDir::new("tz");
    let runner = FakeRunner::new();
    runner.on("timedatectl", 1, "");
    let ctx = ctx_with(runner, &d.0);
    write(&d.0, "usr/share/zoneinfo/Etc/UTC", "TZif-utc");
    write(&d.0, "usr/share/zoneinfo/Europe/Berlin", "TZif-berlin");
    write(&d.0, "etc/localtime", "TZif-utc");
    let h = host(&ctx, &d.0, true);
    assert_eq!(
        h.get_zone().unwrap_err().to_string(),
        "timedatectl failed: "
    );
    assert!(h.zone_compare("Etc/UTC").unwrap());
    assert!(!h.zone_compare("Europe/Berlin").unwrap());
    let r = state(&ctx, &h, json!({"name": "No/Where"}), false);
    assert_eq!(
        r.comment,
        "Unable to compare desired timezone 'No/Where' to system timezone: Can't find a local timezone \"No/Where\""
    );
    let r = state(&ctx, &h, json!({"name": "Etc/UTC"}), true);
    assert_eq!(
        (r.result, r.comment.as_str()),
        (Some(false), "An exception occurred in this state: salt.exceptions.CommandExecutionError: timedatectl failed: ")
    );
}

#[test]
fn debian_files_without_timedatectl() {
    let d = TempDir::new("tz");
    let ctx = ctx_with(FakeRunner::new(), &d.0);
    write(&d.0, "usr/share/zoneinfo/Etc/UTC", "TZif-utc");
    write(&d.0, "usr/share/zoneinfo/Europe/Berlin", "TZif-berlin");
    write(&d.0, "etc/timezone", "Etc/UTC\n");
    write(&d.0, "etc/default/rcS", "# comment UTC=yes\nUTC=no\n");
    let h = host(&ctx, &d.0, false);
    assert_eq!(h.get_zone().unwrap(), "Etc/UTC");
    assert_eq!(h.get_hwclock().unwrap().as_deref(), Some("localtime"));
    let r = state(&ctx, &h, json!({"name": "Europe/Berlin"}), true);
    assert_eq!(
        (r.result, r.comment.as_str()),
        (
            None,
            "Timezone Europe/Berlin needs to be set, UTC needs to be set to True"
        )
    );
    let r = state(&ctx, &h, json!({"name": "Europe/Berlin"}), false);
    assert_eq!(
        (r.result, r.comment.as_str(), changes(&r)),
        (
            Some(true),
            "Set timezone Europe/Berlin, Set UTC to True",
            json!({"timezone": "Europe/Berlin", "utc": true})
        )
    );
    assert_eq!(
        std::fs::read_to_string(d.path("etc/timezone")).unwrap(),
        "Europe/Berlin\n"
    );
    assert_eq!(
        std::fs::read_link(d.path("etc/localtime")).unwrap(),
        Path::new("/usr/share/zoneinfo/Europe/Berlin")
    );
    assert_eq!(
        std::fs::read_to_string(d.path("etc/default/rcS")).unwrap(),
        "# comment UTC=yes\nUTC=yes\n"
    );
    assert_eq!(
        h.set_zone("No/Where").unwrap().as_deref(),
        Some("Zone does not exist: /usr/share/zoneinfo/No/Where")
    );
    let r = state(
        &ctx,
        &h,
        json!({"name": "Europe/Berlin", "utc": false}),
        false,
    );
    assert_eq!(
        (r.result, r.comment.as_str()),
        (Some(true), "Timezone Europe/Berlin already set")
    );
}
