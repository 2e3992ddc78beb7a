//! Open vSwitch through `ovs-vsctl` (OVSDB) and `ovs-ofctl` (OpenFlow), run
//! by the one command runner. Which daemons they reach follows Open vSwitch's
//! own environment (`OVS_RUNDIR`, ...), as for an operator's shell.

pub mod flows;

use halite_api::runner::{CmdOutput, CmdSpec, CommandRunner};
use std::time::Duration;

/// A failed `ovs-vsctl`/`ovs-ofctl` call.
#[derive(Debug, thiserror::Error)]
#[error("{cmd}: {message}")]
pub struct OvsError {
    pub cmd: String,
    pub message: String,
}

/// `ovs-vsctl`/`ovs-ofctl` calls for one run.
pub struct Ovs<'a> {
    runner: &'a dyn CommandRunner,
}

/// ovs-vsctl waits for ovs-vswitchd unless told otherwise; never hang a
/// state on a daemon that is down.
const TIMEOUT: Duration = Duration::from_secs(10);

impl<'a> Ovs<'a> {
    pub fn new(runner: &'a dyn CommandRunner) -> Self {
        Ovs { runner }
    }

    fn run(&self, argv: &[&str], stdin: Option<&str>) -> Result<CmdOutput, OvsError> {
        let mut spec = CmdSpec::argv(argv.iter().copied());
        spec.timeout = Some(TIMEOUT);
        spec.stdin = stdin.map(|s| s.as_bytes().to_vec());
        let shown = argv.join(" ");
        let out = self.runner.run(&spec).map_err(|e| OvsError {
            cmd: shown.clone(),
            message: e.to_string(),
        })?;
        if out.timed_out {
            return Err(OvsError {
                cmd: shown,
                message: format!("no answer within {} s", TIMEOUT.as_secs()),
            });
        }
        Ok(out)
    }

    /// Run and require exit status 0; stdout on success.
    fn ok(&self, argv: &[&str], stdin: Option<&str>) -> Result<String, OvsError> {
        let out = self.run(argv, stdin)?;
        if out.retcode == 0 {
            Ok(out.stdout_text())
        } else {
            Err(OvsError {
                cmd: argv.join(" "),
                message: out.stderr_text(),
            })
        }
    }

    fn vsctl(&self, args: &[&str]) -> Result<String, OvsError> {
        let timeout = format!("--timeout={}", TIMEOUT.as_secs());
        let argv: Vec<&str> = ["ovs-vsctl", timeout.as_str()]
            .into_iter()
            .chain(args.iter().copied())
            .collect();
        self.ok(&argv, None)
    }

    /// `ovs-vsctl br-exists BR` (exit 2: no such bridge).
    pub fn bridge_exists(&self, br: &str) -> Result<bool, OvsError> {
        let out = self.run(&["ovs-vsctl", "br-exists", br], None)?;
        match out.retcode {
            0 => Ok(true),
            2 => Ok(false),
            _ => Err(OvsError {
                cmd: format!("ovs-vsctl br-exists {br}"),
                message: out.stderr_text(),
            }),
        }
    }

    pub fn bridge_list(&self) -> Result<Vec<String>, OvsError> {
        Ok(lines(&self.vsctl(&["list-br"])?))
    }

    /// The parent of a fake bridge (`None` for a real one).
    pub fn bridge_parent(&self, br: &str) -> Result<Option<String>, OvsError> {
        let parent = self.vsctl(&["br-to-parent", br])?;
        Ok((parent != br).then_some(parent))
    }

    /// The VLAN of a fake bridge (`None` for a real one).
    pub fn bridge_vlan(&self, br: &str) -> Result<Option<u16>, OvsError> {
        let vlan = self.vsctl(&["br-to-vlan", br])?;
        Ok(vlan.trim().parse::<u16>().ok().filter(|v| *v != 0))
    }

    /// `add-br`, with `set bridge` columns (`datapath_type=netdev`, ...).
    pub fn bridge_create(
        &self,
        br: &str,
        parent_vlan: Option<(&str, u16)>,
        columns: &[String],
    ) -> Result<(), OvsError> {
        let vlan;
        let mut args = vec!["--may-exist", "add-br", br];
        if let Some((parent, v)) = parent_vlan {
            vlan = v.to_string();
            args.extend([parent, vlan.as_str()]);
        }
        if !columns.is_empty() {
            args.extend(["--", "set", "bridge", br]);
            args.extend(columns.iter().map(String::as_str));
        }
        self.vsctl(&args).map(|_| ())
    }

    pub fn bridge_delete(&self, br: &str) -> Result<(), OvsError> {
        self.vsctl(&["--if-exists", "del-br", br]).map(|_| ())
    }

    pub fn port_list(&self, br: &str) -> Result<Vec<String>, OvsError> {
        Ok(lines(&self.vsctl(&["list-ports", br])?))
    }

    /// `add-port BR PORT`, an internal port, and a fixed OpenFlow port
    /// number (`ofport_request`) when asked.
    pub fn port_add(
        &self,
        br: &str,
        port: &str,
        internal: bool,
        ofport: Option<u16>,
    ) -> Result<(), OvsError> {
        let ofport = ofport.map(|n| format!("ofport_request={n}"));
        let mut args = vec!["--may-exist", "add-port", br, port];
        if internal || ofport.is_some() {
            args.extend(["--", "set", "interface", port]);
            if internal {
                args.push("type=internal");
            }
            if let Some(o) = &ofport {
                args.push(o);
            }
        }
        self.vsctl(&args).map(|_| ())
    }

    pub fn port_remove(&self, br: Option<&str>, port: &str) -> Result<(), OvsError> {
        let mut args = vec!["--if-exists", "del-port"];
        args.extend(br);
        args.push(port);
        self.vsctl(&args).map(|_| ())
    }

    /// The interface's `type` column (`""` for a system interface).
    pub fn interface_type(&self, port: &str) -> Result<String, OvsError> {
        let t = self.vsctl(&["get", "interface", port, "type"])?;
        Ok(t.trim().trim_matches('"').to_string())
    }
}

fn lines(text: &str) -> Vec<String> {
    text.lines()
        .map(str::trim)
        .filter(|l| !l.is_empty())
        .map(String::from)
        .collect()
}
