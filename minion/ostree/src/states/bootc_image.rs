//! `bootc.image`: the host boots the image `name` (optionally pinned to a
//! `digest`). Identity is the image digest. A staged match is "reboot
//! pending"; `reboot: true` reboots explicitly (never `upgrade --apply`).

use halite_api::{StateCall, StateReturn};

use super::old_new;
use crate::model::bootc::{Host, ImageStatus};
use crate::tool::{strings, Tools};

/// The image the state asks for.
struct WantedImage {
    image: String,
    transport: String,
    digest: Option<String>,
}

impl WantedImage {
    fn from_call(call: &StateCall<'_>, key: &str) -> WantedImage {
        let raw = call.get_str(key).unwrap_or_else(|| call.name.clone());
        WantedImage {
            image: super::deployed::plain_image(&raw).to_string(),
            transport: call
                .get_str("transport")
                .unwrap_or_else(|| "registry".into()),
            digest: call.get_str("digest"),
        }
    }

    fn matches(&self, img: &ImageStatus) -> bool {
        let name_ok = img.image.image == self.image
            || self
                .digest
                .as_ref()
                .is_some_and(|d| img.image.image == format!("{}@{d}", self.image));
        let transport_ok = img.image.transport.as_deref().unwrap_or("registry") == self.transport;
        let digest_ok = self.digest.as_ref().is_none_or(|d| &img.image_digest == d);
        name_ok && transport_ok && digest_ok
    }

    /// The reference bootc switches to.
    fn reference(&self) -> String {
        match &self.digest {
            Some(d) => format!("{}@{d}", self.image),
            None => self.image.clone(),
        }
    }
}

fn label(img: Option<&ImageStatus>) -> String {
    match img {
        Some(i) => format!(
            "{} {} ({})",
            i.image.image,
            i.version.as_deref().unwrap_or("-"),
            crate::model::rpm_ostree::short(&i.image_digest)
        ),
        None => "none".into(),
    }
}

pub fn image(call: &StateCall<'_>) -> StateReturn {
    let tools = Tools::for_ctx(call.ctx);
    let host = match tools.bootc_status() {
        Ok(h) => h,
        Err(e) => return StateReturn::fail(&call.name, e.to_string()),
    };
    converge(call, &tools, &host, &WantedImage::from_call(call, "name"))
}

/// `rpm_ostree.deployed image=...` on a host bootc manages; `None` when
/// bootc is absent or cannot manage the host (rpm-ostree then does it).
pub fn via_bootc(call: &StateCall<'_>) -> Option<StateReturn> {
    let tools = Tools::for_ctx(call.ctx);
    let host = tools.bootc_status().ok().filter(Host::manageable)?;
    Some(converge(
        call,
        &tools,
        &host,
        &WantedImage::from_call(call, "image"),
    ))
}

fn converge(
    call: &StateCall<'_>,
    tools: &Tools<'_>,
    host: &Host,
    wanted: &WantedImage,
) -> StateReturn {
    if !host.manageable() {
        return StateReturn::fail(
            &call.name,
            "bootc cannot manage this host (no booted image, or local changes such as layered packages make it incompatible); use rpm_ostree.deployed",
        );
    }
    let booted = host.booted_image();
    let staged = host.staged_image();
    if let Some(s) = staged.filter(|s| wanted.matches(s)) {
        let ret = StateReturn::ok(
            &call.name,
            format!("Image {} is already staged", label(Some(s))),
        );
        return reboot_if_asked(call, tools, ret);
    }
    if booted.is_some_and(|b| wanted.matches(b)) && staged.is_none() {
        return StateReturn::ok(&call.name, format!("Image {} is booted", label(booted)));
    }
    let mut args = strings(&["switch"]);
    if wanted.transport != "registry" {
        args.push(format!("--transport={}", wanted.transport));
    }
    args.push(wanted.reference());
    let shown = format!("bootc {}", args.join(" "));
    let mut ret = StateReturn::new(&call.name);
    if call.test {
        ret.result = None;
        ret.comment = format!("Would stage {} ({shown})", wanted.reference());
        ret.changes
            .insert("image".into(), old_new(label(booted), wanted.reference()));
        return ret;
    }
    if let Err(e) = tools.bootc(&args) {
        return StateReturn::fail(&call.name, e.to_string());
    }
    let after = match tools.bootc_status() {
        Ok(h) => h,
        Err(e) => return StateReturn::fail(&call.name, e.to_string()),
    };
    match after.staged_image().filter(|s| wanted.matches(s)) {
        Some(s) => {
            ret.comment = format!("Staged {}", label(Some(s)));
            ret.changes
                .insert("image".into(), old_new(label(booted), label(Some(s))));
            reboot_if_asked(call, tools, ret)
        }
        None => StateReturn::fail(
            &call.name,
            format!(
                "{shown} ran, but bootc status shows no staged {} (staged: {})",
                wanted.reference(),
                label(after.staged_image())
            ),
        ),
    }
}

fn reboot_if_asked(call: &StateCall<'_>, tools: &Tools<'_>, mut ret: StateReturn) -> StateReturn {
    if !call.get_bool("reboot", false) {
        ret.comment.push_str("; reboot pending");
        return ret;
    }
    if call.test {
        ret.result = None;
        ret.comment.push_str("; would reboot (systemctl reboot)");
        return ret;
    }
    match tools.reboot() {
        Ok(()) => {
            ret.comment.push_str("; rebooting (systemctl reboot)");
            ret.changes
                .insert("reboot".into(), "systemctl reboot".into());
            ret
        }
        Err(e) => {
            ret.result = Some(false);
            ret.comment.push_str(&format!("; reboot failed: {e}"));
            ret
        }
    }
}
