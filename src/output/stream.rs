//! The objects as `kubectl apply -f` reads them: a multi-document YAML stream, or one JSON
//! `v1 List`.

use crate::build::object::Object;
use crate::compose::{Error, render};

/// The objects as a multi-document YAML stream for `kubectl apply -f -`, written into one
/// buffer.
pub fn to_yaml_stream(objects: &[Object]) -> Result<String, Error> {
    let mut out = String::new();
    for object in objects {
        out.push_str("---\n");
        render::write_yaml(&mut out, object)?;
    }
    Ok(out)
}

/// The objects as one `v1 List`, the JSON form `kubectl apply -f` also reads.
pub fn to_json_list(objects: &[Object]) -> Result<String, Error> {
    let list = serde_json::json!({
        "apiVersion": "v1",
        "kind": "List",
        "items": objects.iter().map(Object::to_json).collect::<Vec<_>>(),
    });
    serde_json::to_string_pretty(&list)
        .map(|s| s + "\n")
        .map_err(|e| Error::project(format!("cannot render JSON: {e}")))
}
