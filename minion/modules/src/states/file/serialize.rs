//! `file.serialize`: a dataset written as YAML or JSON with Salt's
//! serializer options (keys sorted; JSON indented by 2 without ASCII
//! escaping; YAML in block style), then managed like `file.managed`
//! `contents`. `merge_if_exists` merges into the file's data first.

use std::path::Path;

use halite_api::{StateCall, StateReturn, Value};

use super::{error, expand_name, managed};
use crate::exec::lookup::{traverse, update};
use crate::states::ret;

pub fn serialize(call: &StateCall<'_>) -> StateReturn {
    let name = expand_name(&call.name);
    if name.is_empty() {
        return error(call, "Must provide name to file.serialize");
    }
    if !call.get_bool("create", true) && !Path::new(&name).is_file() {
        return ret(
            call,
            Some(true),
            format!("File {name} is not present and is not set for creation"),
        );
    }
    let (serializer, formatter) = (call.get_str("serializer"), call.get_str("formatter"));
    if serializer.is_some() && formatter.is_some() {
        return error(call, "Only one of serializer and formatter are allowed");
    }
    let serializer = serializer
        .or(formatter)
        .unwrap_or_else(|| "yaml".into())
        .to_lowercase();
    let (dataset, pillar_key) = (call.get("dataset"), call.get_str("dataset_pillar"));
    if dataset.is_some_and(halite_api::value::is_truthy) && pillar_key.is_some() {
        return error(
            call,
            "Only one of 'dataset' and 'dataset_pillar' is permitted",
        );
    }
    let dataset = match &pillar_key {
        Some(k) => traverse(&call.ctx.pillar, k, ":").cloned(),
        None => dataset.cloned(),
    };
    let Some(mut dataset) = dataset.filter(|d| !d.is_null()) else {
        return error(call, "Neither 'dataset' nor 'dataset_pillar' was defined");
    };
    if !matches!(serializer.as_str(), "yaml" | "json") {
        return error(
            call,
            format!(
                "The {serializer} serializer could not be found. It either does not exist or its prerequisites are not installed."
            ),
        );
    }
    if call.get_bool("merge_if_exists", false) && Path::new(&name).is_file() {
        let text = std::fs::read_to_string(&name).unwrap_or_default();
        let existing = match deserialize(&serializer, &text) {
            Ok(v) => v,
            Err(e) => return error(call, format!("Failed to deserialize existing data: {e}")),
        };
        if !existing.is_null() {
            let mut merged = existing.clone();
            update(&mut merged, &dataset, false);
            if merged == existing {
                return ret(
                    call,
                    Some(true),
                    format!("The file {name} is in the correct state"),
                );
            }
            dataset = merged;
        }
    }
    let mut contents = serialize_data(&serializer, &dataset);
    contents.push('\n');
    let mut args = call.args.clone();
    for key in [
        "dataset",
        "dataset_pillar",
        "serializer",
        "formatter",
        "merge_if_exists",
        "create",
        "serializer_opts",
        "deserializer_opts",
    ] {
        args.shift_remove(key);
    }
    args.insert("contents".into(), Value::String(contents));
    let inner = StateCall {
        ctx: call.ctx,
        name: name.clone(),
        args,
        test: call.test,
    };
    let mut r = managed::managed(&inner);
    if call.test {
        if r.changes.is_empty() {
            r.result = Some(true);
            r.comment = format!("The file {name} is in the correct state");
        } else {
            r.result = None;
            r.comment = format!("Dataset will be serialized and stored into {name}");
        }
    }
    r
}

/// Salt's serializers as `file.serialize` configures them.
fn serialize_data(serializer: &str, data: &Value) -> String {
    let mut data = data.clone();
    halite_render::jinja::sort_maps(&mut data);
    match serializer {
        "json" => serde_json::to_string_pretty(&data).unwrap_or_default(),
        _ => {
            let text = halite_render::yaml::dump(&data);
            let text = text.strip_suffix("\n...\n").unwrap_or(&text);
            text.strip_suffix('\n').unwrap_or(text).to_string()
        }
    }
}

fn deserialize(serializer: &str, text: &str) -> Result<Value, String> {
    match serializer {
        "json" => serde_json::from_str(text).map_err(|e| e.to_string()),
        _ => halite_render::yaml::load(text).map_err(|e| e.to_string()),
    }
}
