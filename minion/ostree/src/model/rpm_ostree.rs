//! `rpm-ostree status --json`: deployments in boot order, the active
//! transaction, the cached update and the registered update driver.
//!
//! Only `id`, `osname`, `checksum`, `serial` and `booted` are required; every
//! conditional key is optional and unknown keys land in `extra`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ParseError;

/// The whole `status --json` document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Status {
    /// Boot order: `[0]` boots next.
    pub deployments: Vec<Deployment>,
    /// `[method, sender, object path]` while a transaction runs.
    #[serde(default)]
    pub transaction: Option<Vec<Value>>,
    #[serde(default)]
    pub cached_update: Option<Map<String, Value>>,
    /// Absent on builds before 2021-01.
    #[serde(default)]
    pub update_driver: Option<UpdateDriver>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// Who registered as the update driver (Zincati on Fedora CoreOS).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct UpdateDriver {
    pub driver_name: String,
    #[serde(default)]
    pub driver_sd_unit: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One deployment.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub struct Deployment {
    pub id: String,
    pub osname: String,
    pub serial: u64,
    /// The deployed commit (for layered deployments the local layered commit).
    pub checksum: String,
    pub booted: bool,
    /// Missing on very old builds: false, as Zincati reads it.
    #[serde(default)]
    pub staged: bool,
    #[serde(default)]
    pub pinned: bool,
    #[serde(default)]
    pub finalization_locked: bool,
    #[serde(default)]
    pub version: Option<String>,
    #[serde(default)]
    pub timestamp: Option<u64>,
    /// Refspec for ostree-ref / checksum origins; absent for container origins.
    #[serde(default)]
    pub origin: Option<String>,
    #[serde(default)]
    pub container_image_reference: Option<String>,
    #[serde(default)]
    pub container_image_reference_digest: Option<String>,
    /// Only on layered deployments.
    #[serde(default)]
    pub base_checksum: Option<String>,
    #[serde(default)]
    pub base_version: Option<String>,
    #[serde(default)]
    pub requested_packages: Vec<String>,
    #[serde(default)]
    pub packages: Vec<String>,
    #[serde(default)]
    pub unlocked: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Status {
    /// Parse the tool's stdout.
    pub fn parse(text: &str) -> Result<Status, ParseError> {
        serde_json::from_str(text).map_err(|source| ParseError {
            tool: "rpm-ostree",
            source,
        })
    }

    pub fn booted(&self) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.booted)
    }

    /// The deployment that boots next (`deployments[0]`).
    pub fn default_deployment(&self) -> Option<&Deployment> {
        self.deployments.first()
    }

    /// The default deployment when it is not the booted one (staged or
    /// finalized): a reboot is pending.
    pub fn pending(&self) -> Option<&Deployment> {
        self.default_deployment().filter(|d| !d.booted)
    }

    /// The staged deployment, if any (at most one exists).
    pub fn staged(&self) -> Option<&Deployment> {
        self.deployments.iter().find(|d| d.staged)
    }

    /// The non-booted deployment after the booted one (what `rollback` picks).
    pub fn rollback(&self) -> Option<&Deployment> {
        let at = self.deployments.iter().position(|d| d.booted)?;
        self.deployments[at + 1..].iter().find(|d| !d.staged)
    }

    /// `method (sender)` of the running transaction.
    pub fn transaction_title(&self) -> Option<String> {
        let t = self.transaction.as_ref()?;
        let part = |i: usize| t.get(i).and_then(Value::as_str).unwrap_or("?").to_string();
        Some(format!("{} by {}", part(0), part(1)))
    }
}

impl Deployment {
    /// Base identity: the image digest for container origins, else the base
    /// commit for layered deployments, else the commit.
    pub fn base_identity(&self) -> &str {
        self.container_image_reference_digest
            .as_deref()
            .or(self.base_checksum.as_deref())
            .unwrap_or(&self.checksum)
    }

    /// The version of the base image/commit.
    pub fn base_version_text(&self) -> Option<&str> {
        self.base_version.as_deref().or(self.version.as_deref())
    }

    /// What `finalize-deployment` expects: the base commit (rpm-ostree
    /// compares the staged deployment's base checksum).
    pub fn finalize_checksum(&self) -> &str {
        self.base_checksum.as_deref().unwrap_or(&self.checksum)
    }

    /// Commit time of the base (`base-timestamp` for layered deployments).
    pub fn base_time(&self) -> u64 {
        self.extra
            .get("base-timestamp")
            .and_then(Value::as_u64)
            .or(self.timestamp)
            .unwrap_or(0)
    }

    /// The origin a rebase would target: refspec or container image reference.
    pub fn origin_ref(&self) -> Option<&str> {
        self.origin
            .as_deref()
            .or(self.container_image_reference.as_deref())
    }

    /// A short human label: version, else the first 10 hex digits.
    pub fn label(&self) -> String {
        match self.base_version_text() {
            Some(v) => format!("{v} ({})", short(self.base_identity())),
            None => short(self.base_identity()).to_string(),
        }
    }
}

/// The first 10 characters of a checksum or digest (after `sha256:`).
pub fn short(id: &str) -> &str {
    let id = id.strip_prefix("sha256:").unwrap_or(id);
    &id[..id.len().min(10)]
}
