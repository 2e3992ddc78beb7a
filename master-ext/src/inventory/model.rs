//! The fleet file's shape: racks in rollout order, their nodes, the roles
//! a node can have, the OS image target and the rollout policy. Read with
//! Salt's YAML dialect; unknown keys are errors (a typo never goes unseen).

use std::net::Ipv4Addr;

use halite_api::{Map, Value};
use halite_net::model::Cidr;
use indexmap::IndexMap;
use serde::{Deserialize, Serialize};

/// The whole fleet file.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Inventory {
    pub fleet: Fleet,
    /// Racks in rollout order.
    pub racks: Vec<Rack>,
}

/// Settings of every node.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Fleet {
    pub name: String,
    /// The master's address, for the generated minion configs.
    #[serde(default)]
    pub master: Option<String>,
    /// Role name -> the SLS a node with that role runs (the state top).
    pub roles: IndexMap<String, Vec<String>>,
    /// SLS every node runs, before its roles' (e.g. `common`).
    #[serde(default)]
    pub base_states: Vec<String>,
    /// The OS image every rack runs unless the rack says otherwise.
    #[serde(default)]
    pub os_image: Option<OsImage>,
    /// Host network defaults (formulas/node-network).
    #[serde(default)]
    pub network: Option<Network>,
    /// Container storage defaults (formulas/container-storage); a node's
    /// `disks` become its `devs`.
    #[serde(default)]
    pub container_storage: Option<Map>,
    /// Free-form pillar every node gets (deep-merged under generated keys).
    #[serde(default)]
    pub pillar: Map,
    /// Grains the nodes report besides id/rack/roles, for validation
    /// renders (e.g. `os_family: RedHat`).
    #[serde(default)]
    pub grains: Map,
    #[serde(default)]
    pub rollout: RolloutPolicy,
    #[serde(default)]
    pub hooks: Hooks,
    /// Sizes the nodes' reconnect window (`recon_*` in their minion configs).
    #[serde(default)]
    pub reconnect: super::Reconnect,
}

/// The OS image target (the os-image formula's `os_image` pillar).
#[derive(Debug, Clone, Default, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct OsImage {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub refspec: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub image: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub version: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub checksum: Option<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub packages: Vec<String>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kargs: Vec<String>,
}

impl OsImage {
    /// What a node's booted deployment must show after the upgrade.
    pub fn target_label(&self) -> String {
        self.version
            .clone()
            .or_else(|| self.checksum.clone())
            .or_else(|| self.image.clone())
            .unwrap_or_default()
    }
}

/// Host network defaults of the node-network formula.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Network {
    #[serde(default = "default_nic")]
    pub nic: String,
    #[serde(default = "default_bridge")]
    pub bridge: String,
    #[serde(default)]
    pub pod_gateway: Option<Ipv4Addr>,
    #[serde(default)]
    pub confirm_timeout: Option<u64>,
}

fn default_nic() -> String {
    "eth0".into()
}
fn default_bridge() -> String {
    "orb0".into()
}

/// How changes roll out.
#[derive(Debug, Clone, PartialEq, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct RolloutPolicy {
    /// Nodes of one rack changed at once.
    pub max_unavailable: usize,
    /// Failed nodes tolerated over the whole rollout; one more pauses it.
    pub failure_budget: usize,
    /// Each rack starts with one node alone.
    pub canary: bool,
    /// Seconds a node may take to return a job.
    pub node_timeout: u64,
    /// Seconds a node may take to come back after a reboot and report health.
    pub reboot_timeout: u64,
    /// The SLS that stages the OS image (the os-image formula, reboot off).
    pub os_sls: String,
}

impl Default for RolloutPolicy {
    fn default() -> Self {
        RolloutPolicy {
            max_unavailable: 1,
            failure_budget: 0,
            canary: true,
            node_timeout: 600,
            reboot_timeout: 900,
            os_sls: "os".into(),
        }
    }
}

/// Commands run around each node's change (cordon/drain, uncordon).
/// See docs/controller.md for the interface.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Hooks {
    #[serde(default)]
    pub pre_node: Option<String>,
    #[serde(default)]
    pub post_node: Option<String>,
    /// Seconds a hook may run.
    #[serde(default)]
    pub timeout: Option<u64>,
}

/// One failure domain: a rack and its top-of-rack switch.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Rack {
    pub name: String,
    /// The node subnet behind the ToR.
    pub subnet: Cidr,
    /// The ToR's address (the nodes' default gateway).
    pub tor: Ipv4Addr,
    /// The rack's pod network (node pod ranges lie inside it).
    #[serde(default)]
    pub pod_subnet: Option<Cidr>,
    #[serde(default)]
    pub os_image: Option<OsImage>,
    #[serde(default)]
    pub pillar: Map,
    pub nodes: Vec<Node>,
}

/// One node; `name` is its minion ID.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Node {
    pub name: String,
    pub ip: Ipv4Addr,
    #[serde(default)]
    pub pod_range: Option<Cidr>,
    #[serde(default)]
    pub disks: Vec<String>,
    pub roles: Vec<String>,
    #[serde(default)]
    pub pillar: Map,
}

impl Inventory {
    /// Every node with its rack, in rollout order.
    pub fn nodes(&self) -> impl Iterator<Item = (&Rack, &Node)> {
        self.racks
            .iter()
            .flat_map(|r| r.nodes.iter().map(move |n| (r, n)))
    }

    /// The OS image a rack runs.
    pub fn os_image_of<'a>(&'a self, rack: &'a Rack) -> Option<&'a OsImage> {
        rack.os_image.as_ref().or(self.fleet.os_image.as_ref())
    }

    /// The grains a node reports, as the validation render sees them.
    pub fn grains_of(&self, rack: &Rack, node: &Node) -> Value {
        let mut g = self.fleet.grains.clone();
        g.insert("id".into(), node.name.clone().into());
        g.insert("rack".into(), rack.name.clone().into());
        g.insert("roles".into(), serde_json::json!(node.roles));
        g.entry("host").or_insert_with(|| node.name.clone().into());
        g.entry("nodename")
            .or_insert_with(|| node.name.clone().into());
        g.entry("ipv4")
            .or_insert_with(|| serde_json::json!([node.ip.to_string()]));
        Value::Object(g)
    }
}
