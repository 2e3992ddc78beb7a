//! Semantic checks of an inventory: unique racks, nodes and addresses,
//! addresses inside their rack's subnets, pod ranges that do not overlap,
//! roles the fleet defines, names usable as minion IDs and SLS names.

use std::collections::HashMap;
use std::net::Ipv4Addr;

use halite_net::model::Cidr;

use super::{Inventory, Node, Problem, Rack};

/// What earlier entries used, to find the later duplicates and overlaps.
#[derive(Default)]
struct Seen<'a> {
    racks: HashMap<&'a str, usize>,
    nodes: HashMap<&'a str, String>,
    ips: HashMap<Ipv4Addr, String>,
    pods: Vec<(Cidr, String)>,
    subnets: Vec<(Cidr, String)>,
    /// Node pillar file stems (`.` becomes `_`).
    stems: HashMap<String, String>,
}

/// The OS image a rollout waits for must be the one the tree stages.
const OS_IMAGE_IN_PILLAR: &str =
    "set the OS image with os_image (fleet or rack), not in pillar: os-upgrade rollouts check the booted image against it";

/// Every problem found (empty: usable).
pub fn check(inv: &Inventory) -> Vec<Problem> {
    let mut out = Vec::new();
    fleet(inv, &mut out);
    let mut seen = Seen::default();
    for (ri, rack) in inv.racks.iter().enumerate() {
        let at = rack_entry(ri, rack);
        rack_unique(&mut seen, ri, rack, &at, &mut out);
        rack_fields(rack, &at, &mut out);
        for (ni, node) in rack.nodes.iter().enumerate() {
            let at = format!("{at} nodes[{ni}] ({})", node.name);
            node_fields(inv, rack, node, &at, &mut out);
            node_unique(&mut seen, node, &at, &mut out);
        }
    }
    out
}

fn rack_unique<'a>(
    seen: &mut Seen<'a>,
    ri: usize,
    rack: &'a Rack,
    at: &str,
    out: &mut Vec<Problem>,
) {
    if let Some(first) = seen.racks.insert(&rack.name, ri) {
        push(
            out,
            at,
            format!("duplicate rack name (also racks[{first}])"),
        );
    }
    if let Some((_, other)) = seen.subnets.iter().find(|(s, _)| overlap(*s, rack.subnet)) {
        push(
            out,
            &format!("{at}.subnet"),
            format!("{} overlaps {other}'s subnet", rack.subnet.network()),
        );
    }
    seen.subnets.push((rack.subnet, at.to_string()));
}

fn node_unique<'a>(seen: &mut Seen<'a>, node: &'a Node, at: &str, out: &mut Vec<Problem>) {
    if let Some(other) = seen.nodes.insert(&node.name, at.to_string()) {
        push(out, at, format!("duplicate node name (also {other})"));
    } else {
        let stem = crate::tree::generate::node_sls(&node.name);
        if let Some(other) = seen.stems.insert(stem.clone(), at.to_string()) {
            push(
                out,
                &format!("{at}.name"),
                format!(
                    "its pillar file fleet/nodes/{stem}.sls is also {other}'s ('.' becomes '_')"
                ),
            );
        }
    }
    if let Some(other) = seen.ips.insert(node.ip, at.to_string()) {
        push(
            out,
            &format!("{at}.ip"),
            format!("{} is also {other}'s", node.ip),
        );
    }
    if let Some(range) = node.pod_range {
        if let Some((_, other)) = seen.pods.iter().find(|(r, _)| overlap(*r, range)) {
            push(
                out,
                &format!("{at}.pod_range"),
                format!("{range} overlaps {other}'s pod range"),
            );
        }
        seen.pods.push((range, at.to_string()));
    }
}

fn push(out: &mut Vec<Problem>, entry: &str, message: String) {
    out.push(Problem {
        entry: entry.to_string(),
        message,
    });
}

fn rack_entry(i: usize, rack: &Rack) -> String {
    format!("racks[{i}] ({})", rack.name)
}

fn fleet(inv: &Inventory, out: &mut Vec<Problem>) {
    if inv.fleet.pillar.contains_key("os_image") {
        push(out, "fleet.pillar.os_image", OS_IMAGE_IN_PILLAR.into());
    }
    if inv.fleet.roles.is_empty() {
        push(out, "fleet.roles", "no roles defined".into());
    }
    for (role, sls) in &inv.fleet.roles {
        if sls.iter().any(|s| s.trim().is_empty()) {
            push(
                out,
                &format!("fleet.roles.{role}"),
                "an empty SLS name".into(),
            );
        }
    }
    if inv.fleet.rollout.max_unavailable == 0 {
        push(
            out,
            "fleet.rollout.max_unavailable",
            "must be at least 1".into(),
        );
    }
    if inv.fleet.reconnect.master_auth_per_second == 0 {
        push(
            out,
            "fleet.reconnect.master_auth_per_second",
            "must be at least 1".into(),
        );
    }
    if inv.racks.is_empty() {
        push(out, "racks", "no racks".into());
    }
}

fn rack_fields(rack: &Rack, at: &str, out: &mut Vec<Problem>) {
    if !is_sls_word(&rack.name) {
        push(
            out,
            &format!("{at}.name"),
            "use letters, digits, '-' and '_' only (it names the rack's pillar file)".into(),
        );
    }
    let net = rack.subnet.network();
    if !rack.subnet.contains(rack.tor) {
        push(
            out,
            &format!("{at}.tor"),
            format!("{} is outside the rack subnet {net}", rack.tor),
        );
    } else if rack.tor == net.ip || rack.tor == broadcast(net) {
        push(
            out,
            &format!("{at}.tor"),
            format!("{} is the network or broadcast address of {net}", rack.tor),
        );
    }
    if rack.pillar.contains_key("os_image") {
        push(
            out,
            &format!("{at}.pillar.os_image"),
            OS_IMAGE_IN_PILLAR.into(),
        );
    }
    if rack.nodes.is_empty() {
        push(out, &format!("{at}.nodes"), "no nodes".into());
    }
}

fn node_fields(inv: &Inventory, rack: &Rack, node: &Node, at: &str, out: &mut Vec<Problem>) {
    if !is_minion_id(&node.name) {
        push(
            out,
            &format!("{at}.name"),
            "not usable as a minion ID (letters, digits, '.', '-', '_')".into(),
        );
    }
    let net = rack.subnet.network();
    if !net.contains(node.ip) {
        push(
            out,
            &format!("{at}.ip"),
            format!("{} is outside the rack subnet {net}", node.ip),
        );
    } else if node.ip == net.ip || node.ip == broadcast(net) {
        push(
            out,
            &format!("{at}.ip"),
            format!("{} is the network or broadcast address of {net}", node.ip),
        );
    } else if node.ip == rack.tor {
        push(
            out,
            &format!("{at}.ip"),
            format!("{} is the ToR's address", node.ip),
        );
    }
    if let (Some(range), Some(pods)) = (node.pod_range, rack.pod_subnet) {
        if range.prefix < pods.prefix || !pods.contains(range.ip) {
            push(
                out,
                &format!("{at}.pod_range"),
                format!("{range} is outside the rack pod subnet {pods}"),
            );
        }
    }
    if node.pillar.contains_key("os_image") {
        push(
            out,
            &format!("{at}.pillar.os_image"),
            OS_IMAGE_IN_PILLAR.into(),
        );
    }
    if node.roles.is_empty() {
        push(out, &format!("{at}.roles"), "no roles".into());
    }
    for role in &node.roles {
        if !inv.fleet.roles.contains_key(role) {
            let known: Vec<&str> = inv.fleet.roles.keys().map(String::as_str).collect();
            push(
                out,
                &format!("{at}.roles"),
                format!(
                    "unknown role '{role}' (fleet.roles has: {})",
                    known.join(", ")
                ),
            );
        }
    }
}

fn broadcast(net: Cidr) -> Ipv4Addr {
    let host_bits = 32 - u32::from(net.prefix);
    let mask = if host_bits == 32 {
        u32::MAX
    } else {
        (1u32 << host_bits) - 1
    };
    Ipv4Addr::from(u32::from(net.ip) | mask)
}

fn overlap(a: Cidr, b: Cidr) -> bool {
    let (a, b) = (a.network(), b.network());
    let wider = if a.prefix <= b.prefix { a } else { b };
    let narrower = if a.prefix <= b.prefix { b } else { a };
    wider.contains(narrower.ip)
}

fn is_sls_word(s: &str) -> bool {
    !s.is_empty()
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

fn is_minion_id(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with('.')
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '_' | '.'))
}

#[cfg(test)]
mod tests {
    use super::super::parse;
    use super::*;

    const GOOD: &str = r#"
fleet:
  name: test
  roles: {worker: [roles.worker]}
racks:
  - name: r1
    subnet: 10.1.0.0/24
    tor: 10.1.0.1
    pod_subnet: 10.101.0.0/16
    nodes:
      - {name: r1-n1, ip: 10.1.0.11, pod_range: 10.101.1.0/24, roles: [worker]}
      - {name: r1-n2, ip: 10.1.0.12, pod_range: 10.101.2.0/24, roles: [worker]}
"#;

    fn problems(text: &str) -> Vec<String> {
        check(&parse(text).unwrap())
            .iter()
            .map(ToString::to_string)
            .collect()
    }

    #[test]
    fn good_inventory_has_no_problems() {
        assert_eq!(problems(GOOD), Vec::<String>::new());
    }

    #[test]
    fn duplicates_outside_addresses_and_unknown_roles_are_named() {
        let bad = GOOD
            .replace("r1-n2, ip: 10.1.0.12", "r1-n1, ip: 10.1.9.12")
            .replace(
                "pod_range: 10.101.2.0/24, roles: [worker]",
                "pod_range: 10.101.1.128/25, roles: [db]",
            );
        let got = problems(&bad);
        assert_eq!(
            got,
            [
                "racks[0] (r1) nodes[1] (r1-n1).ip: 10.1.9.12 is outside the rack subnet 10.1.0.0/24",
                "racks[0] (r1) nodes[1] (r1-n1).roles: unknown role 'db' (fleet.roles has: worker)",
                "racks[0] (r1) nodes[1] (r1-n1): duplicate node name (also racks[0] (r1) nodes[0] (r1-n1))",
                "racks[0] (r1) nodes[1] (r1-n1).pod_range: 10.101.1.128/25 overlaps racks[0] (r1) nodes[0] (r1-n1)'s pod range",
            ]
        );
    }

    #[test]
    fn typed_errors_name_the_key_path() {
        let e = parse(&GOOD.replace("ip: 10.1.0.12", "ip: 10.1.0.300")).unwrap_err();
        assert!(e.starts_with("racks[0].nodes[1].ip: "), "{e}");
        let e =
            parse(&GOOD.replace("tor: 10.1.0.1", "tor: 10.1.0.1\n    tor_typo: 1")).unwrap_err();
        assert!(e.contains("racks[0]") && e.contains("tor_typo"), "{e}");
    }

    #[test]
    fn overlapping_racks_dotted_twins_and_images_in_pillar_are_refused() {
        let two_racks = format!(
            "{GOOD}  - name: r2\n    subnet: 10.1.0.128/25\n    tor: 10.1.0.129\n    pillar: {{os_image: {{version: x}}}}\n    nodes:\n      - {{name: r1.n1, ip: 10.1.0.140, roles: [worker]}}\n      - {{name: r1_n1, ip: 10.1.0.141, roles: [worker]}}\n"
        );
        let got = problems(&two_racks);
        assert_eq!(
            got,
            [
                "racks[1] (r2).subnet: 10.1.0.128/25 overlaps racks[0] (r1)'s subnet",
                "racks[1] (r2).pillar.os_image: set the OS image with os_image (fleet or rack), not in pillar: os-upgrade rollouts check the booted image against it",
                "racks[1] (r2) nodes[1] (r1_n1).name: its pillar file fleet/nodes/r1_n1.sls is also racks[1] (r2) nodes[0] (r1.n1)'s ('.' becomes '_')",
            ]
        );
        let got = problems(&GOOD.replace("tor: 10.1.0.1", "tor: 10.1.0.0"));
        assert_eq!(
            got,
            ["racks[0] (r1).tor: 10.1.0.0 is the network or broadcast address of 10.1.0.0/24"]
        );
    }

    #[test]
    fn broadcast_and_tor_addresses_are_refused() {
        let got = problems(&GOOD.replace("ip: 10.1.0.12", "ip: 10.1.0.255"));
        assert!(
            got[0].ends_with("10.1.0.255 is the network or broadcast address of 10.1.0.0/24"),
            "{got:?}"
        );
        let got = problems(&GOOD.replace("ip: 10.1.0.12", "ip: 10.1.0.1"));
        assert!(got[0].ends_with("10.1.0.1 is the ToR's address"), "{got:?}");
    }
}
