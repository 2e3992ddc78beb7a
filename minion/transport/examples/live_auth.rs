//! Live check against a real salt-master (Salt 3008.4 from /opt/salt-3008 by
//! default, or `SALT_BIN_DIR`): starts a master on 127.0.0.1 with free ports in
//! a temp dir, then authenticates, fetches pillar, fetches a file through the
//! fileserver, fires an event, receives a `salt '*' test.ping` publication,
//! returns `True` and checks that the CLI printed it.
//!
//! Run: `cargo run -p halite-transport --example live_auth`

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use halite_api::{CmdSpec, CommandRunner, FileClient, SystemRunner};
use halite_transport::{JobResult, MasterLink, PillarRequest, RemoteFileClient};
use serde_json::json;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

fn free_port() -> u16 {
    let l = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    l.local_addr().expect("addr").port()
}

fn write(path: &Path, text: &str) -> Res<()> {
    std::fs::create_dir_all(path.parent().ok_or("no parent")?)?;
    std::fs::write(path, text)?;
    Ok(())
}

fn sh(line: &str, timeout: u64) -> Res<halite_api::CmdOutput> {
    let mut spec = CmdSpec::shell("/bin/sh", line);
    spec.timeout = Some(Duration::from_secs(timeout));
    Ok(SystemRunner.run(&spec)?)
}

struct Master {
    root: PathBuf,
    conf_dir: PathBuf,
    bin: PathBuf,
    publish_port: u16,
    ret_port: u16,
}

impl Master {
    fn start(root: &Path, bin: PathBuf) -> Res<Master> {
        let (publish_port, ret_port) = (free_port(), free_port());
        let conf_dir = root.join("etc");
        let r = root.display();
        write(
            &conf_dir.join("master"),
            &format!(
                "interface: 127.0.0.1\npublish_port: {publish_port}\nret_port: {ret_port}\nroot_dir: {r}\n\
                 pki_dir: {r}/pki/master\ncachedir: {r}/cache/master\nsock_dir: {r}/run/master\n\
                 pidfile: {r}/run/master.pid\nlog_file: {r}/log/master\nlog_level_logfile: info\n\
                 auto_accept: True\nuser: root\nid: live_master\nloop_interval: 1\n\
                 file_roots:\n  base:\n    - {r}/srv/salt\npillar_roots:\n  base:\n    - {r}/srv/pillar\n"
            ),
        )?;
        write(
            &root.join("srv/salt/hello.txt"),
            "Hello from the live master\n",
        )?;
        write(
            &root.join("srv/pillar/top.sls"),
            "base:\n  '*':\n    - data\n",
        )?;
        write(
            &root.join("srv/pillar/data.sls"),
            "lab:\n  role: live-test\n  port: 8080\n",
        )?;
        let cmd = format!(
            "{}/salt-master -c {} -d >/dev/null 2>&1",
            bin.display(),
            conf_dir.display()
        );
        let out = sh(&cmd, 60)?;
        if out.retcode != 0 {
            return Err(format!("salt-master failed to start: {}", out.stderr_text()).into());
        }
        Ok(Master {
            root: root.to_path_buf(),
            conf_dir,
            bin,
            publish_port,
            ret_port,
        })
    }

    fn restart(&self) -> Res<()> {
        let cmd = format!(
            "{}/salt-master -c {} -d >/dev/null 2>&1",
            self.bin.display(),
            self.conf_dir.display()
        );
        let out = sh(&cmd, 60)?;
        if out.retcode != 0 {
            return Err(format!("salt-master failed to restart: {}", out.stderr_text()).into());
        }
        Ok(())
    }

    fn stop(&self) {
        let pidfile = self.root.join("run/master.pid");
        if let Ok(pid) = std::fs::read_to_string(&pidfile) {
            let _ = sh(&format!("kill {}", pid.trim()), 10);
        }
    }
}

fn main() {
    let _ = tracing_subscriber::fmt().with_env_filter("info").try_init();
    let bin = PathBuf::from(
        std::env::var("SALT_BIN_DIR").unwrap_or_else(|_| "/opt/salt-3008/bin".into()),
    );
    let dir = tempfile::tempdir().expect("tempdir");
    let master = match Master::start(dir.path(), bin) {
        Ok(m) => m,
        Err(e) => {
            eprintln!("FAIL: {e}");
            std::process::exit(1);
        }
    };
    let result = run(&master);
    master.stop();
    match result {
        Ok(()) => println!("LIVE CHECK PASSED"),
        Err(e) => {
            let log = std::fs::read_to_string(master.root.join("log/master")).unwrap_or_default();
            let tail: Vec<&str> = log.lines().rev().take(30).collect();
            eprintln!(
                "master log tail:\n{}",
                tail.into_iter().rev().collect::<Vec<_>>().join("\n")
            );
            eprintln!("FAIL: {e}");
            std::process::exit(1);
        }
    }
}

fn run(master: &Master) -> Res<()> {
    let minion_root = master.root.join("minion");
    let opts = json!({
        "id": "halite-live", "master": "127.0.0.1",
        "master_port": master.ret_port, "publish_port": master.publish_port,
        "pki_dir": minion_root.join("pki").display().to_string(),
        "cachedir": minion_root.join("cache").display().to_string(),
        "acceptance_wait_time": 2, "auth_timeout": 5,
    });
    let link = Arc::new(MasterLink::connect(opts.as_object().ok_or("opts")?)?);
    println!(
        "step auth: OK (master key cached in {})",
        minion_root.join("pki/minion_master.pub").display()
    );

    link.fire_event(
        "salt/minion/halite-live/start",
        &json!("Minion halite-live started"),
    )?;
    println!("step event: OK");

    let grains = json!({"id": "halite-live", "os": "Debian", "kernel": "Linux"});
    let pillar = link.request_pillar(&PillarRequest {
        grains,
        ..Default::default()
    })?;
    println!("step pillar: {pillar}");
    if pillar["lab"]["role"] != json!("live-test") || pillar["lab"]["port"] != json!(8080) {
        return Err(format!("unexpected pillar {pillar}").into());
    }

    let files = RemoteFileClient::new(link.clone());
    println!(
        "step envs: {:?}, files: {:?}",
        files.envs()?,
        files.list_files("base")?
    );
    let cached = files
        .cache_file("hello.txt", "base")?
        .ok_or("hello.txt not found on master")?;
    let text = std::fs::read_to_string(&cached)?;
    println!("step file: {} -> {:?}", cached.display(), text);
    if text != "Hello from the live master\n" {
        return Err("file content differs".into());
    }
    let inode =
        |p: &Path| std::os::unix::fs::MetadataExt::ino(&std::fs::metadata(p).expect("cached file"));
    let first_inode = inode(&cached);
    files.cache_file("hello.txt", "base")?;
    if inode(&cached) != first_inode {
        return Err("an unchanged file was downloaded again".into());
    }
    write(&master.root.join("srv/salt/hello.txt"), "changed\n")?;
    let again = files
        .cache_file("hello.txt", "base")?
        .ok_or("hello.txt vanished")?;
    if std::fs::read_to_string(&again)? != "changed\n" {
        return Err("a changed file was not downloaded again".into());
    }
    println!("step file cache: unchanged file kept, changed file re-fetched");
    if files.cache_file("missing.txt", "base")?.is_some() {
        return Err("missing.txt should not exist".into());
    }

    let cli = format!(
        "{}/salt -c {} '*' test.ping --timeout 10",
        master.bin.display(),
        master.conf_dir.display()
    );
    let cli_thread = std::thread::spawn(move || sh(&cli, 60).map_err(|e| e.to_string()));
    let job = link
        .next_publication(Duration::from_secs(30))?
        .ok_or("no publication within 30 s")?;
    println!("step publication: {job}");
    let result = JobResult {
        ret: json!(true),
        retcode: 0,
        success: true,
        out: None,
    };
    let load = halite_proto::loads::return_load(link.id(), job.as_object().ok_or("job")?, &result);
    link.send_return(load)?;
    println!("step return: sent");
    let out = cli_thread.join().map_err(|_| "cli thread panicked")??;
    println!(
        "salt CLI (rc {}):\n{}{}",
        out.retcode,
        out.stdout_text(),
        out.stderr_text()
    );
    if !out.stdout_text().contains("halite-live:\n    True") {
        return Err("the salt CLI did not print our return".into());
    }

    // Second link with the cached master key: the `_auth` now carries `token`.
    let second = MasterLink::connect(opts.as_object().ok_or("opts")?)?;
    second.fire_event("halite/live/second", &json!({"ok": true}))?;
    println!("step second auth (with token): OK");
    drop(second);

    // Master restart: new AES key; the link must reconnect and re-authenticate.
    master.stop();
    std::thread::sleep(Duration::from_secs(3));
    master.restart()?;
    let waited = std::time::Instant::now();
    while !link.take_reconnected() {
        if waited.elapsed() > Duration::from_secs(40) {
            return Err("publish channel did not reconnect within 40 s".into());
        }
        if let Some(job) = link.next_publication(Duration::from_secs(1))? {
            println!("unexpected job while waiting: {job}");
        }
    }
    println!(
        "step restart: publish channel reconnected after {:?}",
        waited.elapsed()
    );
    ping_and_return(&link, master)?;
    println!("step restart: test.ping answered after master restart");

    // AES key rotation without reconnect: the master picks up the drop file
    // (loop_interval 1 s); the next publication fails HMAC and the link re-auths.
    let dfn = master.root.join("cache/master/.dfn");
    std::fs::write(&dfn, "live_master")?;
    std::fs::set_permissions(&dfn, std::os::unix::fs::PermissionsExt::from_mode(0o400))?;
    let waited = std::time::Instant::now();
    while dfn.exists() {
        if waited.elapsed() > Duration::from_secs(30) {
            return Err("the master did not consume the AES rotation drop file".into());
        }
        std::thread::sleep(Duration::from_millis(200));
    }
    println!("step rotation: master rotated its AES key");
    ping_and_return(&link, master)?;
    println!("step rotation: test.ping answered after AES key rotation");

    // Same id, different key: the master denies it; connect must fail clearly.
    let mut impostor = opts.clone();
    impostor["pki_dir"] = json!(master.root.join("impostor/pki").display().to_string());
    match MasterLink::connect(impostor.as_object().ok_or("opts")?) {
        Err(e @ halite_transport::TransportError::Rejected { .. }) => {
            println!("step rejected: OK ({e})")
        }
        Err(e) => return Err(format!("expected a rejection, got: {e}").into()),
        Ok(_) => return Err("a second key for an accepted id was accepted".into()),
    }
    Ok(())
}

fn ping_and_return(link: &MasterLink, master: &Master) -> Res<()> {
    let cli = format!(
        "{}/salt -c {} '*' test.ping --timeout 10",
        master.bin.display(),
        master.conf_dir.display()
    );
    let cli_thread = std::thread::spawn(move || sh(&cli, 60).map_err(|e| e.to_string()));
    let job = link
        .next_publication(Duration::from_secs(30))?
        .ok_or("no publication within 30 s")?;
    let result = JobResult {
        ret: json!(true),
        retcode: 0,
        success: true,
        out: None,
    };
    link.send_return(halite_proto::loads::return_load(
        link.id(),
        job.as_object().ok_or("job")?,
        &result,
    ))?;
    let out = cli_thread.join().map_err(|_| "cli thread panicked")??;
    println!("salt CLI (rc {}):\n{}", out.retcode, out.stdout_text());
    if !out.stdout_text().contains("halite-live:\n    True") {
        return Err("the salt CLI did not print our return".into());
    }
    Ok(())
}
