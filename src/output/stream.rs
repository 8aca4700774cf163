//! The objects as `kubectl apply -f` reads them: a multi-document YAML stream, or one JSON
//! `v1 List`.

use crate::build::object::Object;
use crate::compose::{Error, render};

/// Below this many objects one thread renders the stream: starting others costs more.
const PARALLEL_FROM: usize = 512;

/// The objects as a multi-document YAML stream for `kubectl apply -f -`.
///
/// Each document renders on its own, so a large project renders in one chunk per core; the
/// chunks are joined in order, and the text is the same as one thread's.
pub fn to_yaml_stream(objects: &[Object]) -> Result<String, Error> {
    let threads = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    if threads == 1 || objects.len() < PARALLEL_FROM {
        return documents(objects);
    }
    let chunks: Vec<Result<String, Error>> = std::thread::scope(|scope| {
        let handles: Vec<_> = objects
            .chunks(objects.len().div_ceil(threads))
            .map(|chunk| scope.spawn(|| documents(chunk)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join().unwrap_or_else(|_| {
                    Err(Error::project("cannot render YAML: a renderer failed"))
                })
            })
            .collect()
    });
    let mut out = String::new();
    for chunk in chunks {
        out.push_str(&chunk?);
    }
    Ok(out)
}

fn documents(objects: &[Object]) -> Result<String, Error> {
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
