//! `rpm_ostree.deployed`: the default deployment is the wanted version,
//! checksum or image digest, from the wanted origin (refspec or image).
//!
//! Identity is the base identity (image digest, base checksum, checksum).
//! Already default and booted: nothing to do. Default but not booted:
//! "reboot pending", never redeployed. Otherwise stage with
//! `--lock-finalization` and confirm the staged deployment in status.
//! When `image` names a host bootc can manage, `bootc.image` does the work.

use halite_api::{StateCall, StateReturn};

use super::{driver_flags, finish_pending, guard_reboot, old_new, read_status, refuse_busy};
use crate::exec::summary;
use crate::model::rpm_ostree::{Deployment, Status};
use crate::tool::{strings, Outcome, Tools};

/// What the state asks for.
#[derive(Debug, Clone, PartialEq)]
pub struct Wanted {
    pub version: Option<String>,
    pub checksum: Option<String>,
    pub digest: Option<String>,
    /// ostree refspec (`remote:ref`) or container image reference.
    pub origin: Option<String>,
    /// Also move to the newest commit of the origin.
    pub latest: bool,
}

impl Wanted {
    pub fn from_call(call: &StateCall<'_>) -> Result<Wanted, String> {
        let origin = match (call.get_str("refspec"), call.get_str("image")) {
            (Some(_), Some(_)) => return Err("give either refspec or image, not both".into()),
            (Some(r), None) => Some(r),
            (None, Some(i)) => Some(container_refspec(&i)),
            (None, None) => None,
        };
        let wanted = Wanted {
            version: call.get_str("version"),
            checksum: call.get_str("checksum"),
            digest: call.get_str("digest"),
            origin,
            latest: call.get_bool("latest", false),
        };
        let pins = [&wanted.version, &wanted.checksum, &wanted.digest]
            .iter()
            .filter(|v| v.is_some())
            .count();
        if pins > 1 {
            return Err("give only one of version, checksum and digest".into());
        }
        if pins == 0 && wanted.origin.is_none() {
            return Err("give one of version, checksum, digest, refspec or image".into());
        }
        if pins == 1 && wanted.latest {
            return Err("latest: true cannot be combined with version, checksum or digest".into());
        }
        Ok(wanted)
    }

    /// Does `d` carry the wanted content from the wanted origin?
    pub fn matches(&self, d: &Deployment) -> bool {
        let origin_ok = self
            .origin
            .as_deref()
            .is_none_or(|o| d.origin_ref().is_some_and(|have| same_origin(have, o)));
        let pin_ok = if let Some(v) = &self.version {
            d.base_version_text() == Some(v.as_str())
        } else if let Some(c) = &self.checksum {
            d.base_identity() == c || d.checksum == *c
        } else if let Some(g) = &self.digest {
            d.container_image_reference_digest.as_deref() == Some(g.as_str())
        } else {
            true
        };
        origin_ok && pin_ok
    }

    /// The REVISION argument of deploy/rebase.
    fn revision(&self) -> Option<String> {
        if let Some(v) = &self.version {
            Some(format!("version={v}"))
        } else if let Some(c) = &self.checksum {
            Some(format!("revision={c}"))
        } else {
            self.digest.clone()
        }
    }

    fn describe(&self) -> String {
        let what = self
            .version
            .clone()
            .or_else(|| self.checksum.clone())
            .or_else(|| self.digest.clone())
            .unwrap_or_else(|| "the newest commit".into());
        match &self.origin {
            Some(o) => format!("{what} of {o}"),
            None => what,
        }
    }
}

/// An image given without an ostree transport is pulled from a registry.
pub fn container_refspec(image: &str) -> String {
    if image.starts_with("ostree-") {
        image.to_string()
    } else {
        format!("ostree-unverified-registry:{image}")
    }
}

/// The image name inside a container refspec (`docker://` and transports stripped).
pub fn plain_image(refspec: &str) -> &str {
    if let Some(at) = refspec.find("docker://") {
        return &refspec[at + "docker://".len()..];
    }
    for prefix in [
        "ostree-unverified-registry:",
        "ostree-unverified-image:registry:",
        "ostree-unverified-image:",
        "ostree-image-signed:registry:",
        "ostree-image-signed:",
    ] {
        if let Some(rest) = refspec.strip_prefix(prefix) {
            return rest;
        }
    }
    refspec
}

/// The same origin. An image asked for without a verification policy
/// (`ostree-unverified-*`, what a bare image name becomes) is met by any
/// transport of that image; a signed or remote-verified one only exactly.
fn same_origin(have: &str, want: &str) -> bool {
    have == want
        || (want.starts_with("ostree-unverified-")
            && have.starts_with("ostree-")
            && plain_image(have) == plain_image(want))
}

pub fn deployed(call: &StateCall<'_>) -> StateReturn {
    let wanted = match Wanted::from_call(call) {
        Ok(w) => w,
        Err(e) => return StateReturn::fail(&call.name, format!("rpm_ostree.deployed: {e}")),
    };
    // bootc tracks an image (optionally by digest); version, checksum and
    // latest targets stay with rpm-ostree.
    let bootc_target = wanted.version.is_none() && wanted.checksum.is_none() && !wanted.latest;
    if call.get("image").is_some() && bootc_target {
        if let Some(ret) = super::bootc_image::via_bootc(call) {
            return ret;
        }
    }
    let tools = Tools::for_ctx(call.ctx);
    match converge(call, &tools, &wanted) {
        Ok(ret) | Err(ret) => ret,
    }
}

fn converge(
    call: &StateCall<'_>,
    tools: &Tools<'_>,
    wanted: &Wanted,
) -> Result<StateReturn, StateReturn> {
    let st = read_status(call, tools)?;
    let booted = st.booted().cloned();
    let default = st
        .default_deployment()
        .cloned()
        .ok_or_else(|| StateReturn::fail(&call.name, "rpm-ostree shows no deployments"))?;
    if wanted.matches(&default) && !(wanted.latest && default.booted) {
        if !default.booted {
            guard_reboot(call, &st)?;
        }
        return Ok(reached(call, tools, &default));
    }
    refuse_busy(call, &st)?;
    let flags = driver_flags(call, &st)?;
    if let Some(b) = booted
        .as_ref()
        .filter(|b| !default.booted && wanted.matches(b) && !wanted.latest)
    {
        return drop_pending(call, tools, b, &default);
    }
    if wanted.latest && default.booted && wanted.matches(&default) {
        let args = plan(wanted, &default, flags.clone());
        return latest(call, tools, &st, args, flags);
    }
    let args = plan(wanted, &default, flags);
    stage(call, tools, wanted, &st, args)
}

/// The default deployment already is the target.
fn reached(call: &StateCall<'_>, tools: &Tools<'_>, default: &Deployment) -> StateReturn {
    if default.booted {
        return StateReturn::ok(
            &call.name,
            format!("Deployment {} is booted and the default", default.label()),
        );
    }
    let ret = StateReturn::ok(
        &call.name,
        format!("Deployment {} is already staged", default.label()),
    );
    finish_pending(call, tools, default, ret)
}

/// deploy/rebase/upgrade arguments that would reach `wanted` from `default`.
fn plan(wanted: &Wanted, default: &Deployment, flags: Vec<String>) -> Vec<String> {
    let origin_change = wanted.origin.as_deref().filter(|o| {
        !default
            .origin_ref()
            .is_some_and(|have| same_origin(have, o))
    });
    match (origin_change, wanted.revision()) {
        (Some(origin), rev) => {
            let mut a = strings(&["rebase", "--lock-finalization"]);
            a.extend(flags);
            a.push(origin.to_string());
            a.extend(rev);
            a
        }
        (None, Some(rev)) => {
            let mut a = strings(&["deploy", "--lock-finalization", "--unchanged-exit-77"]);
            a.extend(flags);
            a.push(rev);
            a
        }
        (None, None) => {
            let mut a = strings(&["upgrade", "--lock-finalization", "--unchanged-exit-77"]);
            a.extend(flags);
            a
        }
    }
}

/// `latest: true` on a booted target: look with `upgrade --check` first.
fn latest(
    call: &StateCall<'_>,
    tools: &Tools<'_>,
    st: &Status,
    args: Vec<String>,
    driver_flags: Vec<String>,
) -> Result<StateReturn, StateReturn> {
    let default = st
        .default_deployment()
        .ok_or_else(|| StateReturn::fail(&call.name, "rpm-ostree shows no deployments"))?;
    // rpm-ostree checks the update driver before `--check` too.
    let mut check = strings(&["upgrade", "--check"]);
    check.extend(driver_flags);
    let outcome = tools
        .rpm_ostree_mutate(&check)
        .map_err(|e| StateReturn::fail(&call.name, e.to_string()))?;
    if outcome == Outcome::Unchanged {
        return Ok(StateReturn::ok(
            &call.name,
            format!("Deployment {} is booted and up to date", default.label()),
        ));
    }
    // `--check` changes no deployment: the status read before still holds.
    stage(call, tools, &Wanted::from_default(default), st, args)
}

impl Wanted {
    /// "Anything newer than `d` from its origin" (used after `--check`).
    fn from_default(d: &Deployment) -> Wanted {
        Wanted {
            version: None,
            checksum: None,
            digest: None,
            origin: d.origin_ref().map(str::to_string),
            latest: true,
        }
    }
}

/// Stage the target (or say what would run in test mode), then confirm it.
fn stage(
    call: &StateCall<'_>,
    tools: &Tools<'_>,
    wanted: &Wanted,
    before: &Status,
    args: Vec<String>,
) -> Result<StateReturn, StateReturn> {
    let shown = format!("rpm-ostree {}", args.join(" "));
    let old = before
        .default_deployment()
        .map(Deployment::label)
        .unwrap_or_default();
    if call.test {
        let mut ret = StateReturn::new(&call.name);
        ret.result = None;
        ret.comment = format!("Would stage {} ({shown})", wanted.describe());
        ret.changes
            .insert("deployment".into(), old_new(old, wanted.describe()));
        return Ok(ret);
    }
    let outcome = tools
        .rpm_ostree_mutate(&args)
        .map_err(|e| StateReturn::fail(&call.name, e.to_string()))?;
    let after = read_status(call, tools)?;
    let default = after.default_deployment().cloned();
    let confirmed = default.as_ref().filter(|d| {
        if wanted.latest {
            d.base_identity()
                != before
                    .default_deployment()
                    .map_or("", |b| b.base_identity())
        } else {
            wanted.matches(d)
        }
    });
    let Some(new) = confirmed else {
        if wanted.latest && outcome == Outcome::Unchanged {
            return Ok(StateReturn::ok(
                &call.name,
                format!("Deployment {old} is up to date"),
            ));
        }
        let now = default.map(|d| d.label()).unwrap_or_else(|| "none".into());
        let why = match outcome {
            Outcome::Unchanged => "rpm-ostree made no new deployment",
            Outcome::Done => "rpm-ostree reported success",
        };
        return Err(StateReturn::fail(
            &call.name,
            format!(
                "{why} ({shown}), but status shows no deployment of {} (default: {now})",
                wanted.describe()
            ),
        ));
    };
    let mut ret = StateReturn::ok(&call.name, format!("Staged {}", new.label()));
    ret.changes
        .insert("deployment".into(), old_new(old, new.label()));
    ret.changes.insert("staged".into(), summary(new));
    Ok(finish_pending(call, tools, new, ret))
}

/// The booted deployment is the target but something else boots next:
/// remove the pending deployment so the booted one stays.
fn drop_pending(
    call: &StateCall<'_>,
    tools: &Tools<'_>,
    booted: &Deployment,
    pending: &Deployment,
) -> Result<StateReturn, StateReturn> {
    // A staged deployment is dropped; a finalized one (an earlier rollback)
    // is kept and the booted one made the default again.
    let args = if pending.staged {
        strings(&["cleanup", "--pending"])
    } else {
        strings(&["rollback"])
    };
    let shown = format!("rpm-ostree {}", args.join(" "));
    let mut ret = StateReturn::new(&call.name);
    ret.changes.insert(
        "deployment".into(),
        old_new(pending.label(), booted.label()),
    );
    if call.test {
        ret.result = None;
        ret.comment = format!(
            "Would make the booted deployment {1} the default again instead of {0} ({shown})",
            pending.label(),
            booted.label()
        );
        return Ok(ret);
    }
    tools
        .rpm_ostree_mutate(&args)
        .map_err(|e| StateReturn::fail(&call.name, e.to_string()))?;
    let after = read_status(call, tools)?;
    if after.default_deployment().is_some_and(|d| d.booted) {
        ret.comment = format!(
            "The booted deployment {1} is the default again instead of {0}",
            pending.label(),
            booted.label()
        );
        Ok(ret)
    } else {
        Err(StateReturn::fail(
            &call.name,
            format!("{shown} ran, but the booted deployment is still not the default"),
        ))
    }
}
