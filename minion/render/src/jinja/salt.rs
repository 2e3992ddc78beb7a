//! The `salt` template variable: `salt['mod.fun'](...)` and `salt.mod.fun(...)`
//! call execution functions through [`Ctx::call`] (keyword args become kwargs).

use std::sync::Arc;

use halite_api::{Ctx, Map};
use minijinja::value::{Enumerator, Object, ObjectRepr};
use minijinja::{Error, ErrorKind, State, Value};

use super::mutable::{from_jinja, split_kwargs, to_jinja, MutDict};

/// `salt`: a mapping of every execution function.
pub struct SaltFunctions {
    pub ctx: Ctx,
}

/// `salt.<module>`: the functions of one module.
struct SaltModule {
    ctx: Ctx,
    module: String,
}

/// One callable execution function.
struct SaltFunction {
    ctx: Ctx,
    name: String,
}

macro_rules! debug_as {
    ($t:ty, $label:expr) => {
        impl std::fmt::Debug for $t {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($label)
            }
        }
    };
}
debug_as!(SaltFunctions, "<salt functions>");
debug_as!(SaltModule, "<salt module>");
debug_as!(SaltFunction, "<salt function>");

impl Object for SaltFunctions {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let key = key.as_str()?;
        let ctx = self.ctx.clone();
        Some(if key.contains('.') {
            Value::from_object(SaltFunction {
                ctx,
                name: key.to_string(),
            })
        } else {
            Value::from_object(SaltModule {
                ctx,
                module: key.to_string(),
            })
        })
    }

    fn enumerate(self: &Arc<Self>) -> Enumerator {
        let names: Vec<Value> = self.ctx.registry.exec_names().map(Value::from).collect();
        Enumerator::Iter(Box::new(names.into_iter()))
    }
}

impl Object for SaltModule {
    fn get_value(self: &Arc<Self>, key: &Value) -> Option<Value> {
        let name = format!("{}.{}", self.module, key.as_str()?);
        Some(Value::from_object(SaltFunction {
            ctx: self.ctx.clone(),
            name,
        }))
    }

    fn call_method(
        self: &Arc<Self>,
        _state: &mut State<'_, '_>,
        method: &str,
        args: &[Value],
    ) -> Result<Value, Error> {
        let name = format!("{}.{method}", self.module);
        call_exec(&self.ctx, &name, args).map_err(|e| {
            e.unwrap_or_else(|| missing(&self.ctx, &name, Some((&self.module, method))))
        })
    }
}

impl Object for SaltFunction {
    fn repr(self: &Arc<Self>) -> ObjectRepr {
        ObjectRepr::Plain
    }

    fn call(self: &Arc<Self>, _state: &mut State<'_, '_>, args: &[Value]) -> Result<Value, Error> {
        call_exec(&self.ctx, &self.name, args)
            .map_err(|e| e.unwrap_or_else(|| missing(&self.ctx, &self.name, None)))
    }
}

/// Salt's error for a function its loader lacks, as Jinja reports the missing
/// attribute: `salt['m.f']` and `salt.m.f` with no module `m` name the
/// AliasedLoader, `salt.m.f` of a known module its LoadedMod (`attr` is
/// `(m, f)` for the `salt.m.f` form). When Salt has the function, the
/// error's source says Halite does not implement it yet.
fn missing(ctx: &Ctx, fun: &str, attr: Option<(&str, &str)>) -> Error {
    let loader = "'salt.utils.templates.AliasedLoader object' has no attribute";
    let detail = match attr {
        None => format!("{loader} '{fun}'"),
        Some((module, method)) => {
            let prefix = format!("{module}.");
            if ctx.registry.exec_names().any(|n| n.starts_with(&prefix)) {
                format!("'salt.loader.lazy.LoadedMod object' has no attribute '{method}'")
            } else {
                format!("{loader} '{module}'")
            }
        }
    };
    let note = halite_api::salt_names::not_yet(halite_api::salt_names::Kind::Exec, fun);
    Error::new(ErrorKind::UndefinedError, detail).with_source(super::errors::MissingFunction(note))
}

/// Run `fun` with template arguments. `cmd.run` from a template runs through the
/// shell, as Salt's template alias does. `Err(None)`: the registry lacks `fun`.
fn call_exec(ctx: &Ctx, fun: &str, args: &[Value]) -> Result<Value, Option<Error>> {
    let (positional, keywords) = split_kwargs(args)?;
    let args = positional.iter().map(from_jinja).collect();
    let mut kwargs: Map = keywords
        .iter()
        .map(|(k, v)| (k.clone(), from_jinja(v)))
        .collect();
    if fun == "cmd.run" && !kwargs.contains_key("python_shell") {
        kwargs.insert("python_shell".into(), true.into());
    }
    if fun.starts_with("pillar.") {
        kwargs.insert("__mask_pillar__".into(), false.into()); // Salt's mask_pillar context
    }
    match ctx.call(fun, args, kwargs.clone()) {
        Ok(out) => {
            write_back(fun, &positional, &kwargs, &out.ret);
            Ok(to_jinja(&out.ret))
        }
        Err(halite_api::ExecError::NotAvailable(_)) => Err(None),
        Err(halite_api::ExecError::Invocation(msg)) if python_type_error(fun, &msg).is_some() => {
            let text = python_type_error(fun, &msg).unwrap_or(msg);
            Err(Some(Error::new(ErrorKind::InvalidOperation, text)))
        }
        Err(e) => Err(Some(
            Error::new(ErrorKind::InvalidOperation, e.to_string())
                .with_source(super::errors::FunctionFailed(e.to_string())),
        )),
    }
}

/// The TypeError Python raises when a template calls a Salt function with
/// the wrong arguments (Salt shows it as `Jinja error: ...`, not as a
/// failed function): a missing argument, or the first keyword the
/// function does not take.
fn python_type_error(fun: &str, msg: &str) -> Option<String> {
    if let Some(text) = halite_api::module::signature_message(fun, msg) {
        return Some(text);
    }
    let invalid = msg.strip_prefix("The following keyword arguments are not valid: ")?;
    let key = invalid.split('=').next()?;
    let name = fun.rsplit('.').next().unwrap_or(fun);
    Some(format!(
        "{name}() got an unexpected keyword argument '{key}'"
    ))
}

/// Salt functions that change their first argument in place (Python dicts are
/// shared): `slsutil.update`, `defaults.merge`/`defaults.update` with
/// `in_place` (the default), and `slsutil.merge` with the `overwrite`
/// strategy (which first overwrites obj_a's top-level keys with obj_b's).
fn write_back(fun: &str, positional: &[Value], kwargs: &Map, ret: &halite_api::Value) {
    let Some(target) = positional
        .first()
        .and_then(|v| v.downcast_object_ref::<MutDict>())
    else {
        return;
    };
    let in_place = kwargs
        .get("in_place")
        .is_none_or(halite_api::value::is_truthy);
    match fun {
        "slsutil.update" => {}
        "defaults.merge" | "defaults.update" if in_place => {}
        "slsutil.merge"
            if kwargs.get("strategy").and_then(|s| s.as_str()) == Some("overwrite")
                || positional.get(2).and_then(|s| s.as_str()) == Some("overwrite") =>
        {
            let (halite_api::Value::Object(mut a), Some(halite_api::Value::Object(b))) = (
                from_jinja(&positional[0]),
                positional.get(1).map(from_jinja),
            ) else {
                return;
            };
            for (k, v) in b {
                if a.contains_key(&k) {
                    a.insert(k, v);
                }
            }
            target.replace_with(&a);
            return;
        }
        _ => return,
    }
    if let halite_api::Value::Object(m) = ret {
        target.replace_with(m);
    }
}
