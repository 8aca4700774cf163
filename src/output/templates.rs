//! The handlebars engines of the chart and the report: the templates shipped in the binary,
//! each replaced by the file of the same name in the directory given with `--templates`.
//!
//! Parsing the shipped templates costs more than rendering a small project, so the engine
//! holding only them is built once per process and shared: a library caller converting many
//! projects (or the fuzzer, which converts millions) pays for it once.

use std::borrow::Cow;
use std::path::Path;
use std::sync::OnceLock;

use handlebars::Handlebars;

use crate::compose::Error;

/// A template as shipped: its name (also its file name under `--templates`) and its text.
pub type Shipped = (&'static str, &'static str);

/// The engine for `shipped`, taken from `cache` when no `--templates` directory is given.
pub fn engine(
    cache: &'static OnceLock<Handlebars<'static>>,
    shipped: &[Shipped],
    dir: Option<&Path>,
) -> Result<Cow<'static, Handlebars<'static>>, Error> {
    if dir.is_some() {
        return build(shipped, dir).map(Cow::Owned);
    }
    if let Some(engine) = cache.get() {
        return Ok(Cow::Borrowed(engine));
    }
    let engine = build(shipped, None)?;
    Ok(Cow::Borrowed(cache.get_or_init(|| engine)))
}

/// Renders `name`, ending the text with a newline as a file should.
pub fn render(engine: &Handlebars, name: &str, data: &serde_json::Value) -> Result<String, Error> {
    let mut text = engine
        .render(name, data)
        .map_err(|e| Error::project(format!("cannot render {name}: {e}")))?;
    if !text.ends_with('\n') {
        text.push('\n');
    }
    Ok(text)
}

fn build(shipped: &[Shipped], dir: Option<&Path>) -> Result<Handlebars<'static>, Error> {
    let mut engine = Handlebars::new();
    engine.set_strict_mode(true);
    // YAML, Go templates and Markdown, not HTML: quotes, `<` and `<value>` stay as they are.
    engine.register_escape_fn(handlebars::no_escape);
    for (name, text) in shipped {
        let text = match dir.map(|dir| dir.join(name)) {
            Some(path) if path.is_file() => std::fs::read_to_string(&path).map_err(|e| {
                Error::project(format!("cannot read the template {}: {e}", path.display()))
            })?,
            _ => (*text).to_owned(),
        };
        engine
            .register_template_string(name, text)
            .map_err(|e| Error::project(format!("the template {name} is not valid: {e}")))?;
    }
    Ok(engine)
}
