//! Salt's `lvm.*` states with Salt's argument names and comments, over the
//! LVM seam (JSON reports instead of `pvdisplay`/`vgdisplay`/`lvdisplay`).
//! `changes` carry LVM's own output line under Salt's `Output from …` keys.

use halite_api::{StateCall, StateReturn, Value};
use serde_json::json;

use crate::lvm::{Lv, Lvm, Pv};
use crate::size::Size;

fn ret(call: &StateCall<'_>, result: Option<bool>, comment: String) -> StateReturn {
    let mut r = StateReturn::new(&call.name);
    r.result = result;
    r.comment = comment;
    r
}

fn real(path: &str) -> String {
    std::fs::canonicalize(path)
        .map(|p| p.to_string_lossy().into_owned())
        .unwrap_or_else(|_| path.to_string())
}

fn find_pv(lvm: &Lvm<'_>, name: &str) -> Result<Option<Pv>, String> {
    let want = real(name);
    Ok(lvm
        .pvs()
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|p| p.name == name || p.name == want))
}

fn vg_exists(lvm: &Lvm<'_>, name: &str) -> Result<bool, String> {
    Ok(lvm
        .vgs()
        .map_err(|e| e.to_string())?
        .iter()
        .any(|v| v.name == name))
}

fn find_lv(lvm: &Lvm<'_>, vg: &str, name: &str) -> Result<Option<Lv>, String> {
    Ok(lvm
        .lvs(vg)
        .map_err(|e| e.to_string())?
        .into_iter()
        .find(|l| l.name == name))
}

/// `--KEY VALUE` for the kwargs Salt passes through to the LVM command.
fn passthrough(call: &StateCall<'_>, valid: &[&str], flags: &[&str]) -> Vec<String> {
    let mut out = Vec::new();
    for (k, v) in &call.args {
        if flags.contains(&k.as_str()) {
            if halite_api::value::is_truthy(v) {
                out.push(format!("--{k}"));
            }
        } else if valid.contains(&k.as_str()) && !v.is_null() && v.as_str() != Some("") {
            // LVM's y/n options take y or n: a YAML boolean becomes one
            let value = match v {
                Value::Bool(true) if YES_NO.contains(&k.as_str()) => "y".to_string(),
                Value::Bool(false) if YES_NO.contains(&k.as_str()) => "n".to_string(),
                Value::Bool(false) => continue,
                other => halite_api::module::value_to_arg_string(other),
            };
            out.extend([format!("--{k}"), value]);
        }
    }
    out
}

/// Options whose value is LVM's `y|n`.
const YES_NO: &[&str] = &[
    "activate",
    "zero",
    "contiguous",
    "monitor",
    "persistent",
    "autobackup",
    "clustered",
    "metadataignore",
];

fn yes_or_quiet(call: &StateCall<'_>) -> String {
    if call.get_bool("force", false) {
        "--yes".into()
    } else {
        "-qq".into()
    }
}

fn outcome(call: &StateCall<'_>, r: Result<StateReturn, String>) -> StateReturn {
    r.unwrap_or_else(|e| StateReturn::fail(&call.name, e))
}

pub fn pv_present(call: &StateCall<'_>) -> StateReturn {
    outcome(
        call,
        (|| {
            let lvm = Lvm::for_ctx(call.ctx);
            let name = call.name.clone();
            if find_pv(&lvm, &name)?.is_some() {
                return Ok(ret(
                    call,
                    Some(true),
                    format!("Physical Volume {name} already present"),
                ));
            }
            if call.test {
                return Ok(ret(
                    call,
                    None,
                    format!("Physical Volume {name} is set to be created"),
                ));
            }
            if !std::path::Path::new(&name).exists() {
                let mut r = ret(
                    call,
                    Some(false),
                    format!("Failed to create Physical Volume {name}"),
                );
                r.changes
                    .insert("created".into(), format!("{name} does not exist").into());
                return Ok(r);
            }
            let mut args = vec![yes_or_quiet(call)];
            args.extend(passthrough(
                call,
                &[
                    "metadatasize",
                    "dataalignment",
                    "dataalignmentoffset",
                    "pvmetadatacopies",
                    "metadatacopies",
                    "metadataignore",
                    "restorefile",
                    "labelsector",
                    "setphysicalvolumesize",
                ],
                &["norestorefile"],
            ));
            args.push(name.clone());
            let out = lvm.run_raw("pvcreate", &args).map_err(|e| e.to_string())?;
            if find_pv(&lvm, &name)?.is_some() {
                let mut r = ret(call, Some(true), format!("Created Physical Volume {name}"));
                r.changes.insert("created".into(), true.into());
                Ok(r)
            } else {
                let mut r = ret(
                    call,
                    Some(false),
                    format!("Failed to create Physical Volume {name}"),
                );
                r.changes.insert(
                    "created".into(),
                    String::from_utf8_lossy(&out.stderr).trim().into(),
                );
                Ok(r)
            }
        })(),
    )
}

pub fn pv_absent(call: &StateCall<'_>) -> StateReturn {
    outcome(
        call,
        (|| {
            let lvm = Lvm::for_ctx(call.ctx);
            let name = call.name.clone();
            if find_pv(&lvm, &name)?.is_none() {
                return Ok(ret(
                    call,
                    Some(true),
                    format!("Physical Volume {name} does not exist"),
                ));
            }
            if call.test {
                return Ok(ret(
                    call,
                    None,
                    format!("Physical Volume {name} is set to be removed"),
                ));
            }
            // Salt's lvm.pvremove: `--yes` only (LVM refuses a PV still in a VG)
            lvm.run_raw("pvremove", &["--yes".into(), name.clone()])
                .map_err(|e| e.to_string())?;
            if find_pv(&lvm, &name)?.is_some() {
                return Ok(ret(
                    call,
                    Some(false),
                    format!("Failed to remove Physical Volume {name}"),
                ));
            }
            let mut r = ret(call, Some(true), format!("Removed Physical Volume {name}"));
            // Salt's lvm.pvremove returns True
            r.changes.insert("removed".into(), true.into());
            Ok(r)
        })(),
    )
}

fn output_line(out: &halite_api::CmdOutput, ok: &str) -> String {
    if out.retcode == 0 {
        ok.to_string()
    } else {
        String::from_utf8_lossy(&out.stderr).trim().to_string()
    }
}

fn devices(call: &StateCall<'_>) -> Vec<String> {
    match call.get("devices") {
        Some(Value::String(s)) => s.split(',').map(str::to_string).collect(),
        Some(Value::Array(a)) => a
            .iter()
            .map(halite_api::module::value_to_arg_string)
            .collect(),
        _ => Vec::new(),
    }
}

pub fn vg_present(call: &StateCall<'_>) -> StateReturn {
    outcome(
        call,
        (|| {
            let lvm = Lvm::for_ctx(call.ctx);
            let name = call.name.clone();
            let devices = devices(call);
            if vg_exists(&lvm, &name)? {
                let mut r = ret(
                    call,
                    Some(true),
                    format!("Volume Group {name} already present"),
                );
                for device in &devices {
                    match find_pv(&lvm, device)? {
                        Some(pv) if pv.vg == name => r
                            .comment
                            .push_str(&format!("\n{device} is part of Volume Group")),
                        Some(pv) if pv.vg.is_empty() => {
                            if call.test {
                                r.result = None;
                                r.comment
                                    .push_str(&format!("\n{device} is set to be added to {name}"));
                                continue;
                            }
                            lvm.run_raw("vgextend", &["-qq".into(), name.clone(), device.clone()])
                                .map_err(|e| e.to_string())?;
                            if find_pv(&lvm, device)?.is_some_and(|p| p.vg == name) {
                                r.changes
                                    .insert(device.clone(), format!("added to {name}").into());
                            } else {
                                r.comment
                                    .push_str(&format!("\n{device} could not be added"));
                                r.result = Some(false);
                            }
                        }
                        Some(pv) => {
                            r.comment
                                .push_str(&format!("\n{device} is part of {}", pv.vg));
                            r.result = Some(false);
                        }
                        None => {
                            r.comment.push_str(&format!("\npv {device} is not present"));
                            r.result = Some(false);
                        }
                    }
                }
                return Ok(r);
            }
            if call.test {
                return Ok(ret(
                    call,
                    None,
                    format!("Volume Group {name} is set to be created"),
                ));
            }
            if devices.is_empty() {
                return Ok(ret(
                    call,
                    Some(false),
                    format!("Failed to create Volume Group {name}: devices are required"),
                ));
            }
            let mut args = vec![name.clone()];
            args.extend(devices.iter().cloned());
            args.push(yes_or_quiet(call));
            args.extend(passthrough(
                call,
                &[
                    "addtag",
                    "alloc",
                    "autobackup",
                    "clustered",
                    "maxlogicalvolumes",
                    "maxphysicalvolumes",
                    "metadatatype",
                    "vgmetadatacopies",
                    "metadatacopies",
                    "physicalextentsize",
                    "zero",
                ],
                &[],
            ));
            let out = lvm.run_raw("vgcreate", &args).map_err(|e| e.to_string())?;
            let line = output_line(
                &out,
                &format!("Volume group \"{name}\" successfully created"),
            );
            if vg_exists(&lvm, &name)? {
                let mut r = ret(call, Some(true), format!("Created Volume Group {name}"));
                r.changes
                    .insert("created".into(), json!({"Output from vgcreate": line}));
                Ok(r)
            } else {
                Ok(ret(
                    call,
                    Some(false),
                    format!("Failed to create Volume Group {name}: {line}"),
                ))
            }
        })(),
    )
}

pub fn vg_absent(call: &StateCall<'_>) -> StateReturn {
    outcome(
        call,
        (|| {
            let lvm = Lvm::for_ctx(call.ctx);
            let name = call.name.clone();
            if !vg_exists(&lvm, &name)? {
                return Ok(ret(
                    call,
                    Some(true),
                    format!("Volume Group {name} already absent"),
                ));
            }
            if call.test {
                return Ok(ret(
                    call,
                    None,
                    format!("Volume Group {name} is set to be removed"),
                ));
            }
            let out = lvm
                .run_raw("vgremove", &[name.clone(), "-f".into()])
                .map_err(|e| e.to_string())?;
            if vg_exists(&lvm, &name)? {
                return Ok(ret(
                    call,
                    Some(false),
                    format!("Failed to remove Volume Group {name}"),
                ));
            }
            let mut r = ret(call, Some(true), format!("Removed Volume Group {name}"));
            r.changes.insert(
                "removed".into(),
                output_line(
                    &out,
                    &format!("Volume group \"{name}\" successfully removed"),
                )
                .into(),
            );
            Ok(r)
        })(),
    )
}

pub fn lv_present(call: &StateCall<'_>) -> StateReturn {
    outcome(call, lv_present_impl(call))
}

fn lv_present_impl(call: &StateCall<'_>) -> Result<StateReturn, String> {
    let lvm = Lvm::for_ctx(call.ctx);
    let size = call.get_str("size");
    let extents = call.get_str("extents");
    if size.is_some() && extents.is_some() {
        return Ok(ret(
            call,
            Some(false),
            "Only one of extents or size can be specified.".into(),
        ));
    }
    let Some(vgname) = call.get_str("vgname") else {
        return Ok(ret(call, Some(false), "vgname is required".into()));
    };
    let thinvolume = call.get_bool("thinvolume", false);
    let (name, snapshot_of) = match call.get_str("snapshot") {
        Some(snap) => (snap, Some(call.name.clone())),
        None => (call.name.clone(), None),
    };
    let vg = vgname.split('/').next().unwrap_or(&vgname).to_string();
    let want_bytes = match &size {
        Some(s) => Some(Size::parse(s, false).map_err(|_| format!("Size {s} is invalid."))?),
        None => None,
    };
    match find_lv(&lvm, &vg, &name)? {
        None => {
            if call.test {
                return Ok(ret(
                    call,
                    None,
                    format!("Logical Volume {name} is set to be created"),
                ));
            }
            let args = lvcreate_args(
                call,
                &name,
                &vgname,
                size.as_deref(),
                extents.as_deref(),
                snapshot_of.as_deref(),
                thinvolume,
            )?;
            let out = lvm.run_raw("lvcreate", &args).map_err(|e| e.to_string())?;
            let line = output_line(&out, &format!("Logical volume \"{name}\" created."));
            if find_lv(&lvm, &vg, &name)?.is_some() {
                let mut r = ret(call, Some(true), format!("Created Logical Volume {name}"));
                r.changes
                    .insert("created".into(), json!({"Output from lvcreate": line}));
                Ok(r)
            } else {
                Ok(ret(
                    call,
                    Some(false),
                    format!("Failed to create Logical Volume {name}. Error: {line}"),
                ))
            }
        }
        Some(lv) => {
            let mut r = ret(
                call,
                Some(true),
                format!("Logical Volume {name} already present"),
            );
            let extent = if lv.extent_size > 0 {
                lv.extent_size
            } else {
                4 << 20
            };
            let (want, resize_arg) = match (&extents, want_bytes) {
                (Some(ext), _) if ext.contains('%') => {
                    r.comment =
                        format!("Logical Volume {name} already present, {ext} won't be resized.");
                    return Ok(r);
                }
                (Some(ext), _) => match ext.parse::<u64>() {
                    Ok(n) => (n * extent, ["-l".to_string(), ext.clone()]),
                    Err(_) => return Ok(ret(call, Some(false), format!("Invalid extents {ext}"))),
                },
                (None, Some(Size::Absolute { bytes, .. })) => (
                    bytes.div_ceil(extent) * extent,
                    ["-L".to_string(), size.clone().unwrap_or_default()],
                ),
                _ => return Ok(r),
            };
            if want == lv.size {
                return Ok(r);
            }
            if want < lv.size && !call.get_bool("force", false) {
                return Ok(ret(
                    call,
                    Some(false),
                    "To reduce a Logical Volume option 'force' must be True.".into(),
                ));
            }
            if call.test {
                return Ok(ret(
                    call,
                    None,
                    format!("Logical Volume {name} is set to be resized"),
                ));
            }
            let mut args: Vec<String> = resize_arg.to_vec();
            args.push(format!("/dev/{vg}/{name}"));
            if call.get_bool("resizefs", false) {
                args.push("--resizefs".into());
            }
            // Salt's lvm.lvresize: --force, else -qq (answer no to prompts)
            args.push(if call.get_bool("force", false) {
                "--force".into()
            } else {
                "-qq".into()
            });
            let out = lvm.run_raw("lvresize", &args).map_err(|e| e.to_string())?;
            let now = find_lv(&lvm, &vg, &name)?
                .map(|l| l.size)
                .unwrap_or(lv.size);
            if now != lv.size {
                r.comment = format!("Resized Logical Volume {name}");
                r.changes.insert("resized".into(), json!({"Output from lvresize": output_line(&out, &format!("Logical volume \"/dev/{vg}/{name}\" successfully resized."))}));
            } else {
                r.result = Some(false);
                r.comment = format!(
                    "Failed to resize Logical Volume {name}.\nError: {}",
                    String::from_utf8_lossy(&out.stderr).trim()
                );
            }
            Ok(r)
        }
    }
}

/// Salt's `lvm.lvcreate` command line.
fn lvcreate_args(
    call: &StateCall<'_>,
    name: &str,
    vgname: &str,
    size: Option<&str>,
    extents: Option<&str>,
    snapshot: Option<&str>,
    thinvolume: bool,
) -> Result<Vec<String>, String> {
    let mut args: Vec<String> = Vec::new();
    if thinvolume {
        args.extend(["--thin".into(), "-n".into(), name.into()]);
    } else if call.get_bool("thinpool", false) {
        args.extend(["--thinpool".into(), name.into()]);
    } else {
        args.extend(["-n".into(), name.into()]);
    }
    match snapshot {
        Some(origin) => args.extend(["-s".into(), format!("{vgname}/{origin}")]),
        None => args.push(vgname.into()),
    }
    match (size, extents, thinvolume) {
        (Some(s), _, true) => args.extend(["-V".into(), s.into()]),
        (None, Some(_), true) => {
            return Err("Error: Thin volume size cannot be specified as extents".into())
        }
        (Some(s), _, false) => args.extend(["-L".into(), s.into()]),
        (None, Some(e), false) => args.extend(["-l".into(), e.into()]),
        (None, None, _) => return Err("Error: Either size or extents must be specified".into()),
    }
    if let Some(pv) = call.get_str("pv").filter(|p| !p.is_empty()) {
        args.push(pv);
    }
    args.extend(passthrough(
        call,
        &[
            "activate",
            "chunksize",
            "contiguous",
            "discards",
            "stripes",
            "stripesize",
            "minor",
            "persistent",
            "mirrors",
            "monitor",
            "permission",
            "poolmetadatasize",
            "readahead",
            "regionsize",
            "type",
            "virtualsize",
            "zero",
        ],
        &["nosync", "noudevsync", "ignoremonitoring"],
    ));
    args.push(yes_or_quiet(call));
    Ok(args)
}

pub fn lv_absent(call: &StateCall<'_>) -> StateReturn {
    outcome(
        call,
        (|| {
            let lvm = Lvm::for_ctx(call.ctx);
            let name = call.name.clone();
            let vg = call.get_str("vgname").unwrap_or_default();
            if find_lv(&lvm, &vg, &name)?.is_none() {
                return Ok(ret(
                    call,
                    Some(true),
                    format!("Logical Volume {name} already absent"),
                ));
            }
            if call.test {
                return Ok(ret(
                    call,
                    None,
                    format!("Logical Volume {name} is set to be removed"),
                ));
            }
            let out = lvm
                .run_raw("lvremove", &["-f".into(), format!("{vg}/{name}")])
                .map_err(|e| e.to_string())?;
            if find_lv(&lvm, &vg, &name)?.is_some() {
                return Ok(ret(
                    call,
                    Some(false),
                    format!("Failed to remove Logical Volume {name}"),
                ));
            }
            let mut r = ret(call, Some(true), format!("Removed Logical Volume {name}"));
            r.changes.insert(
                "removed".into(),
                output_line(
                    &out,
                    &format!("Logical volume \"{name}\" successfully removed"),
                )
                .into(),
            );
            Ok(r)
        })(),
    )
}
