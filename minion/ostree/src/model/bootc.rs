//! `bootc status --json`: the `BootcHost` document (v1alpha1 and v1).
//!
//! `spec.image` is what the host tracks; `status.{staged,booted,rollback}`
//! are boot entries. Every field bootc may null out is optional.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::ParseError;

/// The whole host document.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Host {
    #[serde(default)]
    pub api_version: Option<String>,
    #[serde(default)]
    pub kind: Option<String>,
    #[serde(default)]
    pub spec: Spec,
    #[serde(default)]
    pub status: HostStatus,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// What the host is configured to follow.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Spec {
    #[serde(default)]
    pub image: Option<ImageReference>,
    #[serde(default)]
    pub boot_order: Option<String>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// An image name with its transport (`registry`, `oci`, ...).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageReference {
    pub image: String,
    #[serde(default)]
    pub transport: Option<String>,
    #[serde(default)]
    pub signature: Option<Value>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The boot entries.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct HostStatus {
    #[serde(default)]
    pub staged: Option<BootEntry>,
    #[serde(default)]
    pub booted: Option<BootEntry>,
    #[serde(default)]
    pub rollback: Option<BootEntry>,
    #[serde(default)]
    pub rollback_queued: bool,
    #[serde(default, rename = "type")]
    pub host_type: Option<String>,
    #[serde(default)]
    pub is_container: Option<bool>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// One deployment as bootc sees it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BootEntry {
    #[serde(default)]
    pub image: Option<ImageStatus>,
    #[serde(default)]
    pub cached_update: Option<ImageStatus>,
    /// Local changes (layered packages) bootc cannot manage.
    #[serde(default)]
    pub incompatible: bool,
    #[serde(default)]
    pub pinned: bool,
    #[serde(default)]
    pub store: Option<String>,
    #[serde(default)]
    pub ostree: Option<OstreeEntry>,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The image a boot entry came from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ImageStatus {
    pub image: ImageReference,
    /// A string in bootc's JSON; YAML renderings may read it as a number.
    #[serde(default, deserialize_with = "text_or_number")]
    pub version: Option<String>,
    #[serde(default)]
    pub timestamp: Option<Value>,
    pub image_digest: String,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

/// The ostree commit behind a boot entry.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct OstreeEntry {
    pub checksum: String,
    #[serde(default)]
    pub deploy_serial: u64,
    #[serde(flatten)]
    pub extra: Map<String, Value>,
}

impl Host {
    /// Parse the tool's stdout.
    pub fn parse(text: &str) -> Result<Host, ParseError> {
        serde_json::from_str(text).map_err(|source| ParseError {
            tool: "bootc",
            source,
        })
    }

    /// Parse an already-decoded document (e.g. YAML output).
    pub fn from_value(v: Value) -> Result<Host, ParseError> {
        serde_json::from_value(v).map_err(|source| ParseError {
            tool: "bootc",
            source,
        })
    }

    /// bootc can manage this host: it booted an image and nothing local
    /// (layered packages) makes that image incompatible.
    pub fn manageable(&self) -> bool {
        self.status
            .booted
            .as_ref()
            .is_some_and(|b| b.image.is_some() && !b.incompatible)
    }

    /// The booted entry's image, if it came from one.
    pub fn booted_image(&self) -> Option<&ImageStatus> {
        self.status.booted.as_ref()?.image.as_ref()
    }

    /// The staged entry's image.
    pub fn staged_image(&self) -> Option<&ImageStatus> {
        self.status.staged.as_ref()?.image.as_ref()
    }
}

impl BootEntry {
    pub fn checksum(&self) -> Option<&str> {
        self.ostree.as_ref().map(|o| o.checksum.as_str())
    }
}

/// A string, or a number shown as text (`20231230.1`).
fn text_or_number<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<String>, D::Error> {
    Ok(match Option::<Value>::deserialize(d)? {
        None | Some(Value::Null) => None,
        Some(Value::String(s)) => Some(s),
        Some(other) => Some(other.to_string()),
    })
}
