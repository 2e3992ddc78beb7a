//! Collection tests on a fixture host rooted in a temp dir.

use serde_json::json;

use crate::host::{Interface, ProcessInfo, RootedHost, Uname};
use crate::{collect, merge_static, server_id};

fn write(root: &std::path::Path, rel: &str, text: &str) {
    let path = root.join(rel.trim_start_matches('/'));
    std::fs::create_dir_all(path.parent().unwrap()).unwrap();
    std::fs::write(path, text).unwrap();
}

fn fixture() -> (tempfile::TempDir, RootedHost) {
    let dir = tempfile::tempdir().unwrap();
    let r = dir.path();
    write(r, "/etc/os-release", "PRETTY_NAME=\"Ubuntu 22.04.4 LTS\"\nNAME=\"Ubuntu\"\nVERSION_ID=\"22.04\"\nVERSION_CODENAME=jammy\nID=ubuntu\nID_LIKE=debian\n");
    write(r, "/proc/cpuinfo", "processor : 0\nmodel name : Xeon\nflags : fpu sse\n\nprocessor : 1\nmodel name : Xeon\nflags : fpu sse\n");
    write(
        r,
        "/proc/meminfo",
        "MemTotal: 2048000 kB\nSwapTotal: 0 kB\n",
    );
    write(r, "/proc/cmdline", "ro quiet root=/dev/sda1\n");
    write(r, "/etc/machine-id", "abc123\n");
    write(r, "/sys/class/dmi/id/product_name", "KVM\n");
    write(r, "/sys/class/dmi/id/product_uuid", "ABCD-EF\n");
    write(r, "/sys/block/sda/queue/rotational", "1\n");
    write(r, "/sys/block/nvme0n1/queue/rotational", "0\n");
    write(r, "/sys/devices/virtual/block/loop0/x", "");
    write(r, "/sys/block/loop0/queue/rotational", "1\n");
    write(
        r,
        "/etc/resolv.conf",
        "nameserver 10.0.0.2\nnameserver fd00::53\nsearch example.com\n",
    );
    write(r, "/run/systemd/system/x", "");
    let mut host = RootedHost::new(r);
    host.uname = Uname {
        sysname: "Linux".into(),
        nodename: "web1".into(),
        release: "6.1.0".into(),
        version: "#1 SMP".into(),
        machine: "x86_64".into(),
    };
    host.interfaces = vec![
        Interface {
            name: "lo".into(),
            hwaddr: Some("00:00:00:00:00:00".into()),
            inet: vec!["127.0.0.1".into()],
            inet6: vec!["::1".into()],
        },
        Interface {
            name: "eth0".into(),
            hwaddr: Some("02:00:00:00:00:01".into()),
            inet: vec!["10.0.0.9".into(), "10.0.0.10".into()],
            inet6: vec![],
        },
    ];
    host.process = ProcessInfo {
        pid: 42,
        uid: 0,
        gid: 0,
        username: "root".into(),
        groupname: "root".into(),
        cwd: "/".into(),
    };
    host.env = vec![
        ("PATH".into(), "/usr/bin:/bin".into()),
        ("LANG".into(), "de_DE.UTF-8".into()),
        ("TZ".into(), "CET-1CEST".into()),
    ];
    host.canonical = vec![("web1".into(), "web1.example.com".into())];
    host.addresses = vec![("web1.example.com".into(), 4, "10.0.0.9".into())];
    host.commands = vec![
        ("dpkg --print-architecture".into(), "amd64\n".into()),
        (
            "systemctl --version".into(),
            "systemd 249 (249.11)\n+PAM -SELINUX\n".into(),
        ),
    ];
    (dir, host)
}

#[test]
fn os_and_hardware_grains_from_fixture_files() {
    let (_dir, host) = fixture();
    let g = collect(&host, "web1");
    assert_eq!(g["os"], json!("Ubuntu"));
    assert_eq!(g["os_family"], json!("Debian"));
    assert_eq!(g["osrelease"], json!("22.04"));
    assert_eq!(g["osrelease_info"], json!([22, 4]));
    assert_eq!(g["osmajorrelease"], json!(22));
    assert_eq!(g["oscodename"], json!("jammy"));
    assert_eq!(g["osfinger"], json!("Ubuntu-22.04"));
    assert_eq!(g["lsb_distrib_id"], json!("Ubuntu"));
    assert_eq!(g["num_cpus"], json!(2));
    assert_eq!(g["cpu_model"], json!("Xeon"));
    assert_eq!(g["mem_total"], json!(2000));
    assert_eq!(g["productname"], json!("KVM"));
    assert_eq!(g["uuid"], json!("abcd-ef"));
    assert!(g.get("serialnumber").is_none());
    assert_eq!(g["disks"], json!(["sda"]));
    assert_eq!(g["ssds"], json!(["nvme0n1"]));
    assert_eq!(g["machine_id"], json!("abc123"));
    assert_eq!(g["init"], json!("systemd"));
    assert_eq!(
        g["systemd"],
        json!({"version": "249", "features": "+PAM -SELINUX"})
    );
    assert_eq!(g["osarch"], json!("amd64"));
    assert_eq!(
        g["kernelparams"],
        json!([["ro", null], ["quiet", null], ["root", "/dev/sda1"]])
    );
}

#[test]
fn network_and_identity_grains() {
    let (_dir, host) = fixture();
    let g = collect(&host, "web1");
    assert_eq!(g["id"], json!("web1"));
    assert_eq!(g["fqdn"], json!("web1.example.com"));
    assert_eq!(g["host"], json!("web1"));
    assert_eq!(g["domain"], json!("example.com"));
    assert_eq!(g["localhost"], json!("web1"));
    assert_eq!(g["ipv4"], json!(["10.0.0.9", "10.0.0.10", "127.0.0.1"]));
    assert_eq!(g["ipv6"], json!(["::1"]));
    assert_eq!(
        g["ip4_interfaces"],
        json!({"lo": ["127.0.0.1"], "eth0": ["10.0.0.9", "10.0.0.10"]})
    );
    assert_eq!(g["ip_interfaces"]["lo"], json!(["127.0.0.1", "::1"]));
    assert_eq!(g["hwaddr_interfaces"]["eth0"], json!("02:00:00:00:00:01"));
    assert_eq!(g["fqdn_ip4"], json!(["10.0.0.9"]));
    assert_eq!(g["fqdn_ip6"], json!([]));
    assert_eq!(g["dns"]["nameservers"], json!(["10.0.0.2", "fd00::53"]));
    assert_eq!(g["dns"]["search"], json!(["example.com"]));
    assert_eq!(
        g["locale_info"],
        json!({"defaultlanguage": "de_DE", "defaultencoding": "UTF-8", "detectedencoding": "utf-8", "timezone": "CET"})
    );
    assert_eq!(g["saltversioninfo"], json!([3008, 4]));
    assert_eq!(g["path"], json!("/usr/bin:/bin"));
}

#[test]
fn server_id_matches_salt() {
    assert_eq!(server_id("difftest"), 897559089);
}

#[test]
fn static_grains_override_in_salt_order() {
    let mut g = json!({"os": "Debian", "roles": ["x"]})
        .as_object()
        .unwrap()
        .clone();
    let file = json!({"roles": ["web"], "rack": "r1"})
        .as_object()
        .unwrap()
        .clone();
    let conf = json!({"rack": "r2"}).as_object().unwrap().clone();
    merge_static(&mut g, Some(&conf), Some(&file));
    assert_eq!(g["roles"], json!(["web"]));
    assert_eq!(g["rack"], json!("r2"));
    assert_eq!(g["os"], json!("Debian"));
}
