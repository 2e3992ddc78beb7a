//! rpm-ostree hosts: the running system is an image, so installing a
//! package means layering it into the next deployment (`rpm-ostree install
//! --idempotent`, through halite-ostree's tool seam). It becomes active after
//! a reboot, which Halite never starts on its own; every result says so.
//! `rpm -qa` shows what runs now; the default deployment's requested
//! packages show what the next boot will have.

use halite_api::{Ctx, Map, Value};
use halite_ostree::states::packages::command;
use halite_ostree::tool::{ToolError, Tools};

use super::{InstallOpts, Manager, Target};
use crate::tool::{strings, PkgError, PkgTool};
use crate::version::Scheme;

pub struct Layered<'a> {
    tool: PkgTool<'a>,
    ostree: Tools<'a>,
}

impl<'a> Layered<'a> {
    pub fn new(ctx: &'a Ctx, tool: PkgTool<'a>) -> Layered<'a> {
        Layered {
            tool,
            ostree: Tools::for_ctx(ctx),
        }
    }

    /// Packages the default (next-boot) deployment requests.
    pub fn requested(&self) -> Result<Vec<String>, PkgError> {
        let st = self.ostree.rpm_ostree_status().map_err(tool_error)?;
        Ok(st
            .default_deployment()
            .map(|d| d.requested_packages.clone())
            .unwrap_or_default())
    }

    fn mutate(&self, args: &[String]) -> Result<(), PkgError> {
        self.ostree.rpm_ostree_mutate(args).map_err(tool_error)?;
        Ok(())
    }
}

fn tool_error(e: ToolError) -> PkgError {
    match e {
        ToolError::Failed { cmd, code, message } => PkgError::Failed { cmd, code, message },
        ToolError::TimedOut { cmd } => PkgError::TimedOut { cmd },
        other => PkgError::Unsupported(other.to_string()),
    }
}

impl Manager for Layered<'_> {
    fn name(&self) -> &'static str {
        "rpm-ostree"
    }

    fn scheme(&self) -> Scheme {
        Scheme::Rpm
    }

    fn installed(&self) -> Result<Map, PkgError> {
        super::dnf::rpm_installed(&self.tool, "")
    }

    fn candidates(&self, _names: &[String]) -> Result<Map, PkgError> {
        Err(PkgError::Unsupported(
            "rpm-ostree cannot list candidate versions: the image and its repos decide them (use rpm_ostree.deployed to move to a newer image)".into(),
        ))
    }

    fn install(&self, targets: &[Target], _opts: &InstallOpts) -> Result<(), PkgError> {
        if let Some(t) = targets.iter().find(|t| t.version.is_some()) {
            return Err(PkgError::Unsupported(format!(
                "rpm-ostree layers the version its repos offer; '{}' cannot be pinned to {}",
                t.name,
                t.version.as_deref().unwrap_or_default()
            )));
        }
        let names: Vec<String> = targets.iter().map(|t| t.name.clone()).collect();
        self.mutate(&command(&names, &[]))
    }

    fn remove(&self, names: &[String], _purge: bool) -> Result<(), PkgError> {
        let requested = self.requested()?;
        if let Some(base) = names.iter().find(|n| !requested.contains(n)) {
            return Err(PkgError::Unsupported(format!(
                "'{base}' is part of the base image, not a layered package: it cannot be removed with pkg (rpm-ostree override remove would replace the base)"
            )));
        }
        self.mutate(&command(&[], names))
    }

    fn refresh(&self) -> Result<Value, PkgError> {
        self.ostree
            .rpm_ostree_text(&strings(&["refresh-md"]))
            .map_err(tool_error)?;
        Ok(Value::Bool(true))
    }

    fn held(&self) -> Result<Vec<String>, PkgError> {
        Ok(Vec::new())
    }

    fn set_hold(&self, name: &str, _hold: bool) -> Result<(), PkgError> {
        Err(PkgError::Unsupported(format!(
            "'{name}': an rpm-ostree host holds every package at the image's version; there is nothing to hold"
        )))
    }

    fn info(&self, names: &[String]) -> Result<Map, PkgError> {
        let installed = self.installed()?;
        Ok(names
            .iter()
            .filter_map(|n| {
                let v = installed.get(n)?;
                let mut m = Map::new();
                m.insert("name".into(), n.clone().into());
                m.insert("version".into(), v.clone());
                Some((n.clone(), Value::Object(m)))
            })
            .collect())
    }

    fn pending(&self) -> Result<Vec<String>, PkgError> {
        self.requested()
    }

    fn needs_reboot(&self) -> bool {
        true
    }
}
