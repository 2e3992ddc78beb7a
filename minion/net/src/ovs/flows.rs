//! A bridge's whole OpenFlow table as desired state: compared with
//! `ovs-ofctl diff-flows` (OVS's own normalisation, so `in_port=1,actions=`
//! and `in_port=1 actions=` are the same flow), replaced in one OpenFlow 1.4
//! bundle (`--bundle replace-flows`: all flows or none, no window without
//! flows).

use super::{Ovs, OvsError};
use std::io::Write;
use std::path::Path;

/// The flows as a flow file (one per line).
fn flow_file(dir: &Path, flows: &[String]) -> Result<tempfile::TempPath, OvsError> {
    let err = |e: std::io::Error| OvsError {
        cmd: "write flow file".into(),
        message: e.to_string(),
    };
    let mut file = tempfile::Builder::new()
        .prefix("halite-flows-")
        .tempfile_in(dir)
        .map_err(err)?;
    for f in flows {
        writeln!(file, "{f}").map_err(err)?;
    }
    file.flush().map_err(err)?;
    Ok(file.into_temp_path())
}

impl Ovs<'_> {
    /// The lines `diff-flows` prints between the bridge and `flows`
    /// (`-` now, `+` wanted); empty when the table is as wanted.
    pub fn flow_diff(
        &self,
        br: &str,
        flows: &[String],
        tmp: &Path,
    ) -> Result<Vec<String>, OvsError> {
        let file = flow_file(tmp, flows)?;
        let path = file.display().to_string();
        let out = self.run(&["ovs-ofctl", "diff-flows", br, &path], None)?;
        match out.retcode {
            0 => Ok(Vec::new()),
            2 => Ok(super::lines(&out.stdout_text())),
            _ => Err(OvsError {
                cmd: format!("ovs-ofctl diff-flows {br}"),
                message: out.stderr_text(),
            }),
        }
    }

    /// The current table, in a form `replace-flows` reads back.
    pub fn dump_flows(&self, br: &str) -> Result<Vec<String>, OvsError> {
        let text = self.ok(&["ovs-ofctl", "dump-flows", "--no-stats", br], None)?;
        Ok(super::lines(&text)
            .into_iter()
            .filter(|l| !l.starts_with("NXST_FLOW") && !l.starts_with("OFPST_FLOW"))
            .collect())
    }

    /// Replace the whole table atomically.
    pub fn replace_flows(&self, br: &str, flows: &[String], tmp: &Path) -> Result<(), OvsError> {
        let file = flow_file(tmp, flows)?;
        let path = file.display().to_string();
        self.ok(&["ovs-ofctl", "--bundle", "replace-flows", br, &path], None)
            .map(|_| ())
    }
}
