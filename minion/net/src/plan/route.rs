//! `halite_net.route`: one main-table route, replaced in place.

use super::{route_step, Plan};
use crate::model::{Observed, Route};

/// The step (if any) that makes the main table hold `want`.
pub fn plan(observed: &Observed, want: &Route) -> Result<Plan, String> {
    if observed.link(&want.dev).is_none() {
        return Err(format!("dev: no interface named '{}'", want.dev));
    }
    let mut plan = Plan::touching(&[&want.dev]);
    plan.steps.extend(route_step(observed, want.clone()));
    Ok(plan)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Scope, HALITE_PROTO};
    use crate::plan::testdata::fresh_node;

    fn route(dst: &str, gw: Option<&str>) -> Route {
        Route {
            dst: dst.parse().unwrap(),
            gateway: gw.map(|g| g.parse().unwrap()),
            dev: "eth0".into(),
            scope: Scope::Global,
            protocol: HALITE_PROTO,
            metric: None,
        }
    }

    #[test]
    fn a_route_is_added_replaced_or_left_alone() {
        let node = fresh_node();
        let add = plan(&node, &route("192.0.2.0/24", Some("10.9.4.1"))).unwrap();
        assert_eq!(
            add.describe(),
            ["ip route replace 192.0.2.0/24 via 10.9.4.1 dev eth0 proto 72"]
        );
        assert_eq!(
            add.rollback_ops()[0].to_string(),
            "ip route del 192.0.2.0/24 via 10.9.4.1 dev eth0 proto 72"
        );
        let same = plan(&node, &route("0.0.0.0/0", Some("10.9.4.1"))).unwrap();
        assert!(same.is_empty(), "protocol alone is no reason to rewrite");
        let moved = plan(&node, &route("0.0.0.0/0", Some("10.9.4.2"))).unwrap();
        assert_eq!(
            moved.rollback_ops()[0].to_string(),
            "ip route replace default via 10.9.4.1 dev eth0 proto 4"
        );
        assert!(plan(
            &node,
            &Route {
                dev: "nope".into(),
                ..route("0.0.0.0/0", None)
            }
        )
        .is_err());
    }
}
