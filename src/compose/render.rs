//! `compose2kube config`: the resolved project as YAML or JSON, like `docker compose config`.
//!
//! Two deliberate differences from docker compose, both for stable diffs: mappings keep the
//! order the files gave them (docker compose sorts), and the YAML writer quotes every string a
//! YAML 1.1 reader would take for something else (`"yes"`, `"0755"`).

use serde_json::Value;

use super::de::EXTENSIONS_FIELD;
use super::error::Error;
use super::load::Loaded;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    Yaml,
    Json,
}

/// The project as docker compose prints it: `env_file` values appear in `environment` (the
/// service's own `environment` wins), and `x-*` extensions are back in place.
pub fn config(loaded: &Loaded, format: Format) -> Result<String, Error> {
    let mut value = serde_json::to_value(&loaded.project)
        .map_err(|e| Error::project(format!("cannot render the project: {e}")))?;
    if let Some(services) = value.get_mut("services").and_then(Value::as_object_mut) {
        for service in services.values_mut() {
            merge_env_files(service, loaded);
        }
    }
    splice_extensions(&mut value);
    match format {
        Format::Json => serde_json::to_string_pretty(&value)
            .map(|s| s + "\n")
            .map_err(|e| Error::project(format!("cannot render the project: {e}"))),
        Format::Yaml => to_yaml(&value),
    }
}

/// YAML text of any serializable value, with compose2kube's quoting rules.
/// Long single-line strings stay on one line (a folded `>` scalar would split commands and
/// URLs across lines, hard to grep and diff); multi-line strings keep the literal `|` style.
pub fn to_yaml<T: serde::Serialize>(value: &T) -> Result<String, Error> {
    let mut out = String::new();
    write_yaml(&mut out, value)?;
    Ok(out)
}

/// [`to_yaml`] appended to `out`: a stream of many documents is written into one buffer.
pub fn write_yaml<T: serde::Serialize>(out: &mut String, value: &T) -> Result<(), Error> {
    let mut options = serde_saphyr::SerializerOptions::default();
    options.folded_wrap_chars = usize::MAX;
    serde_saphyr::to_fmt_writer_with_options(out, value, options)
        .map_err(|e| Error::project(format!("cannot render YAML: {e}")))
}

fn merge_env_files(service: &mut Value, loaded: &Loaded) {
    let Some(files) = service.get("env_file").and_then(Value::as_array) else {
        return;
    };
    let mut env = serde_json::Map::new();
    for f in files {
        if let Some(values) = f
            .get("path")
            .and_then(Value::as_str)
            .and_then(|p| loaded.env_files.get(p))
        {
            for (k, v) in values {
                env.insert(k.clone(), Value::String(v.clone()));
            }
        }
    }
    if env.is_empty() {
        return;
    }
    if let Some(own) = service.get("environment").and_then(Value::as_object) {
        for (k, v) in own {
            env.insert(k.clone(), v.clone());
        }
    }
    if let Some(obj) = service.as_object_mut() {
        obj.insert("environment".into(), Value::Object(env));
    }
}

/// Moves the entries of every `x-*` field up into the object that holds it.
fn splice_extensions(value: &mut Value) {
    match value {
        Value::Object(map) => {
            for v in map.values_mut() {
                splice_extensions(v);
            }
            if let Some(Value::Object(ext)) = map.shift_remove(EXTENSIONS_FIELD) {
                for (k, v) in ext {
                    map.insert(k, v);
                }
            }
        }
        Value::Array(items) => items.iter_mut().for_each(splice_extensions),
        _ => {}
    }
}
