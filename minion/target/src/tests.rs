//! Unit tests of [`crate::matches`] per target type.

use halite_api::Value;
use serde_json::json;

use crate::{matches, MatchContext};

fn grains() -> Value {
    json!({
        "os": "Debian",
        "osmajorrelease": 12,
        "virtual": false,
        "roles": ["web", "db"],
        "ip4_interfaces": {"eth0": ["192.0.2.2"]},
        "ipv4": ["127.0.0.1", "192.0.2.2"],
        "ipv6": ["::1", "fd00::2"],
        "locale_info": {"defaultencoding": "UTF-8"}
    })
}

fn pillar() -> Value {
    json!({"rack": "r1", "app": {"tier": "Front", "ports": [80, 443]}, "enabled": true})
}

fn nodegroups() -> halite_api::Map {
    json!({"webs": "G@roles:web and L@web01,web02", "ids": "web01 web03", "other": ["E@db.*"]})
        .as_object()
        .unwrap()
        .clone()
}

fn check(tgt: Value, tgt_type: &str) -> bool {
    check_delim(tgt, tgt_type, ":")
}

fn check_delim(tgt: Value, tgt_type: &str, delimiter: &str) -> bool {
    let (g, p, n) = (grains(), pillar(), nodegroups());
    let ctx = MatchContext {
        id: "web01",
        grains: &g,
        pillar: &p,
        nodegroups: Some(&n),
    };
    matches(&ctx, &tgt, tgt_type, delimiter).unwrap()
}

fn error(tgt: Value, tgt_type: &str) -> crate::TargetError {
    let (g, p) = (grains(), pillar());
    let ctx = MatchContext {
        id: "web01",
        grains: &g,
        pillar: &p,
        nodegroups: None,
    };
    matches(&ctx, &tgt, tgt_type, ":").unwrap_err()
}

#[test]
fn glob_on_id() {
    assert!(check(json!("web*"), "glob"));
    assert!(check(json!("web0[0-9]"), "glob"));
    assert!(!check(json!("WEB*"), "glob"));
    assert!(!check(json!(["web01"]), "glob"));
}

#[test]
fn pcre_anchored_at_start() {
    assert!(check(json!("web"), "pcre"));
    assert!(check(json!("w.b0[12]$"), "pcre"));
    assert!(!check(json!("eb01"), "pcre"));
    let err = error(json!("web("), "pcre");
    assert_eq!(err.tgt_type, "pcre");
    assert_eq!(err.target, "web(");
}

#[test]
fn list_as_string_or_array() {
    assert!(check(json!("web01"), "list"));
    assert!(check(json!("a,web01,b"), "list"));
    assert!(check(json!("web01,b"), "list"));
    assert!(check(json!("a,web01"), "list"));
    assert!(!check(json!("a,web011"), "list"));
    assert!(!check(json!("web0"), "list"));
    assert!(check(json!(["a", "web01"]), "list"));
    assert!(!check(json!(["a", "web02"]), "list"));
    assert!(!check(json!(5), "list"));
}

#[test]
fn grain_glob_on_strings_ints_bools_lists_dicts() {
    assert!(check(json!("os:Debian"), "grain"));
    assert!(check(json!("os:deb*"), "grain"));
    assert!(check(json!("osmajorrelease:12"), "grain"));
    assert!(check(json!("virtual:False"), "grain"));
    assert!(check(json!("virtual:false"), "grain"));
    assert!(check(json!("roles:db"), "grain"));
    assert!(check(json!("ip4_interfaces:eth0:192.0.2.*"), "grain"));
    assert!(check(json!("locale_info:defaultencoding:utf-8"), "grain"));
    assert!(!check(json!("os:RedHat"), "grain"));
    assert!(!check(json!("os"), "grain"));
    assert!(!check(json!("missing:*"), "grain"));
}

#[test]
fn grain_custom_delimiter() {
    assert!(check_delim(
        json!("ip4_interfaces;eth0;192.0.2.2"),
        "grain",
        ";"
    ));
    assert!(!check_delim(json!("ip4_interfaces:eth0"), "grain", ";"));
}

#[test]
fn grain_pcre_lowercases_both_sides() {
    assert!(check(json!("os:DEB.*"), "grain_pcre"));
    assert!(check(json!("osmajorrelease:1[0-9]"), "grain_pcre"));
    assert!(!check(json!("os:ebian"), "grain_pcre"));
    assert_eq!(error(json!("os:(deb"), "grain_pcre").tgt_type, "grain_pcre");
}

#[test]
fn pillar_glob_pcre_exact() {
    assert!(check(json!("rack:r*"), "pillar"));
    assert!(check(json!("app:tier:front"), "pillar"));
    assert!(check(json!("app:ports:443"), "pillar"));
    assert!(check(json!("enabled:true"), "pillar"));
    assert!(check(json!("app:tier:f.*"), "pillar_pcre"));
    assert!(check(json!("app:tier:FRONT"), "pillar_exact"));
    assert!(!check(json!("app:tier:F*"), "pillar_exact"));
    assert!(!check(json!("os:Debian"), "pillar"));
}

#[test]
fn ipcidr_address_or_network() {
    assert!(check(json!("192.0.2.2"), "ipcidr"));
    assert!(check(json!("192.0.2.0/24"), "ipcidr"));
    assert!(check(json!("fd00::/16"), "ipcidr"));
    assert!(!check(json!("10.0.0.0/8"), "ipcidr"));
    assert_eq!(error(json!("not-an-ip"), "ipcidr").tgt_type, "ipcidr");
}

#[test]
fn compound_terms_and_operators() {
    assert!(check(json!("G@os:Debian and web*"), "compound"));
    assert!(check(json!("G@os:Debian and not L@web02"), "compound"));
    assert!(check(json!("G@os:Debian not L@web02"), "compound"));
    assert!(check(
        json!("db* or ( G@roles:web and I@rack:r1 )"),
        "compound"
    ));
    assert!(!check(
        json!("db* or ( G@roles:web and not I@rack:r1 )"),
        "compound"
    ));
    assert!(check(
        json!("E@web0[1-3] and P@os:deb.* and J@app:tier:fr.*"),
        "compound"
    ));
    assert!(check(
        json!("S@192.0.2.0/24 and M@web01 and not T@vcf_host"),
        "compound"
    ));
    assert!(check(json!("G;@ip4_interfaces;eth0;192.0.2.2"), "compound"));
    assert!(check(json!(["G@os:Debian", "and", "web01"]), "compound"));
    assert!(check(json!("true or web01"), "compound"));
}

#[test]
fn compound_invalid_expressions_are_errors() {
    assert!(!check(json!("S@garbage or db*"), "compound"));
    assert_eq!(error(json!("and web01"), "compound").tgt_type, "compound");
    assert!(error(json!("( or web01 )"), "compound")
        .reason
        .contains("after"));
    assert!(error(json!("web01 db*"), "compound")
        .reason
        .contains("invalid"));
    assert!(error(json!("( web01"), "compound")
        .reason
        .contains("invalid"));
    assert!(error(json!("R@%foo"), "compound")
        .reason
        .contains("unrecognized"));
    assert!(error(json!("E@( or web01"), "compound").tgt_type == "pcre");
    assert!(error(json!(12), "compound")
        .reason
        .contains("string or a list"));
}

#[test]
fn compound_nodegroup_terms() {
    assert!(check(json!("N@webs"), "compound"));
    assert!(check(json!("N@ids and G@os:Debian"), "compound"));
    assert!(!check(json!("N@other"), "compound"));
    assert!(check(json!("N@other or web01"), "compound"));
}

#[test]
fn nodegroup_by_name_or_already_expanded() {
    assert!(check(json!("webs"), "nodegroup"));
    assert!(check(json!("ids"), "nodegroup"));
    assert!(!check(json!("other"), "nodegroup"));
    assert!(!check(json!("unknown"), "nodegroup"));
    assert!(check(json!("G@roles:web and L@web01,web02"), "nodegroup"));
    assert!(check(json!(["(", "L@web01,web03", ")"]), "nodegroup"));
}

#[test]
fn unknown_target_type_is_an_error() {
    assert_eq!(error(json!("x"), "range").reason, "unknown target type");
}
