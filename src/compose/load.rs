//! The load pipeline, in compose-go's order: find the files and the environment, decide the
//! project name, then for every document of every file: record `!reset`/`!override`,
//! interpolate, canonicalize, apply `include` and `extends`, and merge it into what came
//! before. After the last file: defaults, profiles, consistency checks, and the typed model.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use indexmap::IndexMap;

use super::canonical::Canonicalizer;
use super::de;
use super::dotenv;
use super::error::{Error, Result, Warning, index, join};
use super::interpolate;
use super::merge::{merge, remove_path};
use super::model::Project;
use super::node::{Loc, Map, Node, Tag, Value, parse_documents};
use super::normalize;
use super::syntax;
use crate::files::{MAX_ENV_FILE_BYTES, ReadError, read_regular, size_text};

/// The files compose looks for when no `-f` is given, in order.
pub const DEFAULT_FILES: [&str; 4] = [
    "compose.yaml",
    "compose.yml",
    "docker-compose.yaml",
    "docker-compose.yml",
];
const OVERRIDE_FILES: [&str; 4] = [
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
];

/// Real compose files are kilobytes and generated ones a few MiB (10,000 services take about
/// 3 MiB, 50,000 about 15 MiB); anything larger than this is a mistake or an attack, and is
/// refused before parsing so memory stays bounded.
pub const MAX_FILE_BYTES: usize = 64 * 1024 * 1024;
const MAX_EXTENDS_DEPTH: usize = 64;

/// What `docker compose`'s global options and environment say about where the project is.
#[derive(Debug, Clone, Default)]
pub struct LoadOptions {
    /// Relative paths on the command line are relative to this directory.
    pub working_dir: PathBuf,
    /// `-f` files in order; `-` reads `stdin`. Empty: `COMPOSE_FILE`, then discovery.
    pub files: Vec<String>,
    /// The text read for `-f -`.
    pub stdin: Option<String>,
    pub project_directory: Option<PathBuf>,
    pub project_name: Option<String>,
    /// `--env-file`, in order (later files win). Empty: `<project dir>/.env` when present.
    pub env_files: Vec<PathBuf>,
    /// `--profile`; empty means `COMPOSE_PROFILES`.
    pub profiles: Vec<String>,
    /// The shell environment; it wins over `.env`.
    pub environment: IndexMap<String, String>,
    /// `--no-interpolate` sets this to false.
    pub interpolate: bool,
    /// An unset `${VAR:?msg}` becomes a warning and an empty value instead of an error.
    /// The command line never sets it (docker compose refuses such a project); a caller that
    /// only studies a project's shape, as the runnability test does, may.
    pub missing_required_is_warning: bool,
    /// Read `env_file` and `label_file` files outside the project directory and the
    /// directories of the compose files. `config` sets it, as docker compose reads them
    /// anywhere; `convert` and `explain` only with `--allow-outside-project`.
    pub allow_outside_project: bool,
}

/// Stands for a missing required variable while its template is substituted again; no YAML
/// scalar can hold a NUL, so it cannot meet a real value.
const MISSING: &str = "\u{0}compose2kube-missing\u{0}";

/// A loaded project and what the loader learnt on the way.
#[derive(Debug, Clone)]
pub struct Loaded {
    pub project: Project,
    pub warnings: Vec<Warning>,
    pub project_dir: PathBuf,
    /// The compose files, in merge order.
    pub files: Vec<PathBuf>,
    /// The interpolation environment (shell over `.env`).
    pub environment: IndexMap<String, String>,
    /// The parsed contents of every `env_file`, by absolute path.
    pub env_files: IndexMap<String, IndexMap<String, String>>,
    /// Services left out because none of their profiles is active.
    pub disabled_services: Vec<String>,
}

impl Loaded {
    /// An error about the project as a whole, placed in its first compose file.
    pub fn error(&self, path: &str, message: impl Into<String>) -> Error {
        let loc = Loc {
            file: self.files.first().map(|f| f.display().to_string().into()),
            ..Loc::default()
        };
        Error::new(&loc, path, message)
    }

    /// An error placed where it was found, or else in the first compose file.
    pub fn locate(&self, e: Error) -> Error {
        if e.loc.known() {
            e
        } else {
            self.error(&e.path, e.message)
        }
    }
}

/// One compose file read: its name as shown, its YAML documents and its path.
type Parsed = (Arc<str>, Vec<Node>, PathBuf);

/// One parsed, interpolated, canonical document and the key paths it tagged.
struct Doc {
    node: Node,
    /// `!reset` and `!override` paths: removed from the model before this document merges.
    resets: Vec<Vec<String>>,
}

impl Doc {
    /// Merges this document over what earlier documents built, its `!reset`/`!override`
    /// paths removed from them first.
    fn merge_into(self, model: Option<Node>) -> Node {
        match model {
            None => self.node,
            Some(mut acc) => {
                for reset in &self.resets {
                    remove_path(&mut acc, reset);
                }
                merge(&mut acc, self.node, &mut Vec::new());
                acc
            }
        }
    }
}

struct Loader<'a> {
    opts: &'a LoadOptions,
    env: IndexMap<String, String>,
    warnings: Vec<Warning>,
    warned_vars: HashSet<String>,
    home: Option<String>,
    /// Files being included or extended right now, for cycle detection.
    stack: Vec<String>,
    /// Where files named in the compose files may be: the project directory and the
    /// directory of every compose file read (an included project's own paths are its own).
    roots: std::cell::RefCell<Vec<PathBuf>>,
    /// Each file named by `extends`, read, parsed, interpolated and made canonical once per
    /// load however many services extend it (posthog's 23 services extend one base file).
    extended: HashMap<PathBuf, ExtendedFile>,
}

/// A file named by `extends`, ready for its services to be resolved.
#[derive(Clone)]
struct ExtendedFile {
    shown: String,
    doc: Node,
    resets: Vec<Vec<String>>,
}

pub fn load(opts: &LoadOptions) -> Result<Loaded> {
    let working_dir = opts.working_dir.clone();
    let mut warnings = Vec::new();
    let files = compose_file_names(opts)?;
    let paths: Vec<PathBuf> = if files.is_empty() {
        discover(&working_dir, &mut warnings)?
    } else {
        files
            .iter()
            .map(|f| {
                if f == "-" {
                    PathBuf::from("-")
                } else {
                    absolute(&working_dir, Path::new(f))
                }
            })
            .collect()
    };
    let project_dir = match &opts.project_directory {
        Some(d) => absolute(&working_dir, d),
        None => match paths.first() {
            Some(p) if p.as_os_str() != "-" => {
                p.parent().map(Path::to_path_buf).unwrap_or_default()
            }
            _ => working_dir.clone(),
        },
    };

    let env = interpolation_environment(opts, &project_dir)?;
    let mut loader = Loader {
        opts,
        home: env.get("HOME").cloned(),
        env,
        warnings,
        warned_vars: HashSet::new(),
        stack: Vec::new(),
        roots: std::cell::RefCell::new(vec![project_dir.clone()]),
        extended: HashMap::new(),
    };
    let parsed = loader.parse_all(&paths)?;
    let name = loader.project_name(&parsed, &project_dir)?;
    loader
        .env
        .insert("COMPOSE_PROJECT_NAME".into(), name.clone());
    let Some(mut model) = loader.merge_documents(parsed, &project_dir)? else {
        let shown = paths
            .iter()
            .map(|p| relative_display(p, &working_dir))
            .collect::<Vec<_>>()
            .join(", ");
        return Err(Error::project(format!(
            "empty compose file: {shown} defines no services or resources"
        )));
    };
    if let Some(m) = model.as_map_mut() {
        m.shift_remove("include");
        m.insert("name".into(), Node::str(name.clone(), &Loc::default()));
    }

    let profiles = active_profiles(opts, &loader.env);
    let ctx = normalize::Context {
        project_name: &name,
        project_dir: &project_dir,
        environment: &loader.env,
        profiles: &profiles,
    };
    let outcome = normalize::normalize(&mut model, &ctx, &mut loader.warnings)?;
    let env_files = loader.read_env_files(&model)?;
    loader.apply_label_files(&mut model)?;

    let project: Project = de::from_node(&model, "")?;
    Ok(Loaded {
        project,
        warnings: loader.warnings,
        project_dir,
        files: paths,
        environment: loader.env,
        env_files,
        disabled_services: outcome.disabled_services,
    })
}

/// The compose files named by `-f`, else by `COMPOSE_FILE`. Before the files are known,
/// `.env` may only be found next to --project-directory or in the working directory, and it
/// may name the files itself. Empty: discover them.
fn compose_file_names(opts: &LoadOptions) -> Result<Vec<String>> {
    let working_dir = &opts.working_dir;
    let shell = &opts.environment;
    if !opts.files.is_empty() {
        return Ok(opts.files.clone());
    }
    if let Some(list) = shell.get("COMPOSE_FILE") {
        let files = split_compose_file(list, shell);
        if !files.is_empty() {
            return Ok(files);
        }
    }
    if !opts.env_files.is_empty() {
        return Ok(Vec::new());
    }
    let dir = opts
        .project_directory
        .as_ref()
        .map(|d| absolute(working_dir, d))
        .unwrap_or_else(|| working_dir.clone());
    let dotenv = dir.join(".env");
    if !dotenv.is_file() {
        return Ok(Vec::new());
    }
    let env = read_env_file(&dotenv, shell, working_dir)?;
    Ok(match env.get("COMPOSE_FILE") {
        Some(list) => split_compose_file(list, &env)
            .into_iter()
            .map(|f| absolute(&dir, Path::new(&f)).display().to_string())
            .collect(),
        None => Vec::new(),
    })
}

/// Where an `extends` is written: the extending service, the base it names, and the
/// `extends` node for errors.
#[derive(Clone, Copy)]
struct ExtendsSite<'a> {
    name: &'a str,
    base_name: &'a str,
    ext: &'a Node,
    ext_path: &'a str,
}

/// Adds a link to an `extends` chain, refusing cycles and chains too long. Real chains are a
/// few links long; the bound keeps a hostile file from exhausting the stack.
fn enter_chain(
    chain: &mut Vec<(String, String)>,
    here: (String, String),
    ext: &Node,
    ext_path: &str,
) -> Result<()> {
    if chain.len() >= MAX_EXTENDS_DEPTH {
        return Err(Error::new(
            &ext.loc,
            ext_path,
            format!("extends chain is longer than {MAX_EXTENDS_DEPTH} services"),
        ));
    }
    if chain.contains(&here) {
        chain.push(here);
        let text = chain
            .iter()
            .map(|(f, s)| format!("{s} in {f}"))
            .collect::<Vec<_>>()
            .join(" extends ");
        return Err(Error::new(
            &ext.loc,
            ext_path,
            format!("circular reference: {text}"),
        ));
    }
    chain.push(here);
    Ok(())
}

/// The service becomes its base with the service merged over it; `!reset` paths of the
/// service remove what the base would bring.
fn apply_base(doc: &mut Node, name: &str, base: Node, resets: &[Vec<String>]) {
    let Some(services) = doc.get_mut("services").and_then(Node::as_map_mut) else {
        return;
    };
    let Some(service) = services.get_mut(name) else {
        return;
    };
    let mut merged = base;
    let prefix = ["services".to_owned(), name.to_owned()];
    for reset in resets {
        if reset.len() > 2 && reset[..2] == prefix {
            let mut rooted = vec!["services".to_owned(), name.to_owned()];
            rooted.extend_from_slice(&reset[2..]);
            let mut wrapper = wrap_service(name, merged);
            remove_path(&mut wrapper, &rooted);
            merged = unwrap_service(wrapper, name);
        }
    }
    if let Some(m) = merged.as_map_mut() {
        m.shift_remove("extends");
    }
    let mut local = std::mem::replace(service, Node::null(&Loc::default()));
    if let Some(m) = local.as_map_mut() {
        m.shift_remove("extends");
    }
    let key_loc = local.key_loc.clone();
    merge(&mut merged, local, &mut prefix.to_vec());
    merged.key_loc = key_loc;
    *service = merged;
}

fn absolute(base: &Path, p: &Path) -> PathBuf {
    let joined = if p.is_absolute() {
        p.to_path_buf()
    } else {
        base.join(p)
    };
    PathBuf::from(syntax::clean_path(&joined.display().to_string()))
}

fn split_compose_file(list: &str, env: &IndexMap<String, String>) -> Vec<String> {
    let sep = env
        .get("COMPOSE_PATH_SEPARATOR")
        .filter(|s| !s.is_empty())
        .map(String::as_str)
        .unwrap_or(":");
    list.split(sep)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

/// Whether something other than a directory has a default file's name: a FIFO or a device
/// named `compose.yaml` is found, then refused by name when it is read, rather than skipped
/// for a confusing "no configuration file".
fn named_file(path: &Path) -> bool {
    path.metadata().is_ok_and(|m| !m.is_dir())
}

/// The first default file in the working directory or one of its parents, plus its override
/// file next to it.
fn discover(working_dir: &Path, warnings: &mut Vec<Warning>) -> Result<Vec<PathBuf>> {
    let mut dir = Some(working_dir);
    while let Some(d) = dir {
        let found: Vec<PathBuf> = DEFAULT_FILES
            .iter()
            .map(|n| d.join(n))
            .filter(|p| named_file(p))
            .collect();
        if let Some(first) = found.first() {
            if found.len() > 1 {
                warnings.push(Warning::project(format!(
                    "found multiple config files with supported names: {}; using {}",
                    found
                        .iter()
                        .map(|p| p.display().to_string())
                        .collect::<Vec<_>>()
                        .join(", "),
                    first.display()
                )));
            }
            let mut files = vec![first.clone()];
            if let Some(over) = OVERRIDE_FILES
                .iter()
                .map(|n| d.join(n))
                .find(|p| named_file(p))
            {
                files.push(over);
            }
            return Ok(files);
        }
        dir = d.parent();
    }
    Err(Error::project(format!(
        "no configuration file provided: none of {} found in {} or its parents (use -f FILE)",
        DEFAULT_FILES.join(", "),
        working_dir.display()
    )))
}

fn read_env_file(
    path: &Path,
    lookup_env: &IndexMap<String, String>,
    working_dir: &Path,
) -> Result<IndexMap<String, String>> {
    let shown = relative_display(path, working_dir);
    let text = read_regular(path, MAX_ENV_FILE_BYTES)
        .map_err(|e| match e {
            ReadError::Io(e) => io_reason(&e),
            ReadError::TooLarge(size) => format!(
                "it is {}; env files are limited to {}",
                size_text(size),
                size_text(MAX_ENV_FILE_BYTES)
            ),
            other => other.to_string(),
        })
        .and_then(|bytes| String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned()))
        .map_err(|reason| Error::project(format!("cannot read env file {shown}: {reason}")))?;
    dotenv::parse(&text, &|k| lookup_env.get(k).cloned()).map_err(|e| {
        Error::new(
            &Loc {
                file: Some(Arc::from(shown.as_str())),
                line: u32::try_from(e.line).unwrap_or(u32::MAX),
                col: 1,
            },
            "",
            e.message,
        )
    })
}

/// Paths in messages are relative to the working directory when they are inside it.
fn relative_display(path: &Path, working_dir: &Path) -> String {
    path.strip_prefix(working_dir)
        .ok()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(path)
        .display()
        .to_string()
}

fn io_reason(e: &std::io::Error) -> String {
    match e.kind() {
        std::io::ErrorKind::NotFound => "no such file or directory".into(),
        std::io::ErrorKind::PermissionDenied => "permission denied".into(),
        std::io::ErrorKind::IsADirectory => "is a directory".into(),
        std::io::ErrorKind::InvalidData => "not UTF-8 text".into(),
        _ => e.to_string(),
    }
}

/// Shell environment over the env files: `Mapping.Merge` in compose-go never overwrites.
fn interpolation_environment(
    opts: &LoadOptions,
    project_dir: &Path,
) -> Result<IndexMap<String, String>> {
    let shell = &opts.environment;
    let mut env = shell.clone();
    // docker compose reads the variable with Go's strconv.ParseBool: `1`, `t`, `TRUE`…
    let disabled = shell
        .get("COMPOSE_DISABLE_ENV_FILE")
        .is_some_and(|v| matches!(v.as_str(), "1" | "t" | "T" | "true" | "TRUE" | "True"));
    let files: Vec<PathBuf> = if !opts.env_files.is_empty() {
        opts.env_files
            .iter()
            .map(|f| absolute(&opts.working_dir, f))
            .collect()
    } else if disabled {
        Vec::new()
    } else {
        let p = project_dir.join(".env");
        // The project's own `.env` may not be a link to a file elsewhere: its values end up
        // in the output. `--env-file` is the user's choice and may name any file.
        let present = p.exists() && !p.is_dir();
        if present
            && !opts.allow_outside_project
            && !crate::files::is_inside(&crate::files::Disk, &p, project_dir)
        {
            return Err(Error::project(format!(
                "{} links outside the project directory; pass --allow-outside-project to read it",
                relative_display(&p, &opts.working_dir)
            )));
        }
        if present { vec![p] } else { Vec::new() }
    };
    let mut from_files: IndexMap<String, String> = IndexMap::new();
    for f in files {
        for (k, v) in read_env_file(&f, shell, &opts.working_dir)? {
            from_files.insert(k, v);
        }
    }
    for (k, v) in from_files {
        env.entry(k).or_insert(v);
    }
    Ok(env)
}

fn active_profiles(opts: &LoadOptions, env: &IndexMap<String, String>) -> Vec<String> {
    if !opts.profiles.is_empty() {
        return opts.profiles.clone();
    }
    env.get("COMPOSE_PROFILES")
        .map(|s| {
            s.split(',')
                .map(str::trim)
                .filter(|s| !s.is_empty())
                .map(str::to_owned)
                .collect()
        })
        .unwrap_or_default()
}

impl Loader<'_> {
    /// Every compose file read and parsed into its YAML documents, all before any is
    /// interpreted: the project name may come from any of them.
    fn parse_all(&mut self, paths: &[PathBuf]) -> Result<Vec<Parsed>> {
        let mut sources = Vec::new();
        for path in paths {
            let (display, text) = self.read_source(path)?;
            sources.push((display, text, path.clone()));
        }
        let mut parsed = Vec::new();
        for (display, text, path) in sources {
            let file: Arc<str> = Arc::from(display.as_str());
            let docs =
                parse_documents(&text, &file).map_err(|(loc, msg)| Error::new(&loc, "", msg))?;
            parsed.push((file, docs, path));
        }
        Ok(parsed)
    }

    /// The documents, each interpolated, made canonical and resolved, merged in order;
    /// None when there is none.
    fn merge_documents(&mut self, parsed: Vec<Parsed>, project_dir: &Path) -> Result<Option<Node>> {
        let mut model: Option<Node> = None;
        for (file, docs, _) in parsed {
            for node in docs {
                if node.is_null() {
                    continue;
                }
                if !matches!(node.value, Value::Map(_)) {
                    return Err(Error::new(
                        &node.loc,
                        "",
                        format!("top-level object must be a mapping, found {}", node.kind()),
                    ));
                }
                not_compose(&node)?;
                let doc = self.document(node, project_dir, &file)?;
                model = Some(doc.merge_into(model));
            }
        }
        Ok(model)
    }

    fn read_source(&self, path: &Path) -> Result<(String, String)> {
        if path.as_os_str() == "-" {
            let text = self.opts.stdin.clone().unwrap_or_default();
            if text.len() > MAX_FILE_BYTES {
                return Err(too_large("-", text.len()));
            }
            return Ok(("-".into(), text));
        }
        let shown = self.display_path(path);
        if let Some(dir) = path.parent() {
            self.roots.borrow_mut().push(dir.to_path_buf());
        }
        let bytes = read_regular(path, MAX_FILE_BYTES as u64).map_err(|e| match e {
            ReadError::TooLarge(size) => {
                too_large(&shown, usize::try_from(size).unwrap_or(usize::MAX))
            }
            ReadError::NotAFile("a directory") => Error::project(format!(
                "cannot read {shown}: it is a directory, not a compose file"
            )),
            other => Error::project(format!("cannot read {shown}: {other}")),
        })?;
        let text = String::from_utf8(bytes).map_err(|e| {
            Error::project(format!(
                "cannot read {shown}: not UTF-8 text (invalid byte at offset {})",
                e.utf8_error().valid_up_to()
            ))
        })?;
        Ok((shown, text))
    }

    /// A file a compose file names (`env_file`, `label_file`) must be in the project, once
    /// symbolic links are resolved, unless the user allows otherwise: its contents reach
    /// the output.
    fn check_inside(&self, file: &Path, loc: &Loc, key: &str) -> Result<()> {
        if self.opts.allow_outside_project {
            return Ok(());
        }
        let disk = crate::files::Disk;
        let inside = self
            .roots
            .borrow()
            .iter()
            .any(|root| crate::files::is_inside(&disk, file, root));
        if inside {
            return Ok(());
        }
        Err(Error::new(
            loc,
            key,
            format!(
                "{} is outside the project directory; pass --allow-outside-project to read it",
                self.display_path(file)
            ),
        ))
    }

    /// Paths in messages are relative to the working directory when they are inside it.
    fn display_path(&self, path: &Path) -> String {
        relative_display(path, &self.opts.working_dir)
    }

    fn project_name(&mut self, parsed: &[Parsed], project_dir: &Path) -> Result<String> {
        if let Some(name) = &self.opts.project_name {
            syntax::validate_project_name(name).map_err(Error::project)?;
            return Ok(name.clone());
        }
        if let Some(name) = self
            .env
            .get("COMPOSE_PROJECT_NAME")
            .filter(|n| !n.is_empty())
        {
            syntax::validate_project_name(name)
                .map_err(|m| Error::project(format!("COMPOSE_PROJECT_NAME: {m}")))?;
            return Ok(name.clone());
        }
        let mut from_files = None;
        for (_, docs, _) in parsed {
            for doc in docs {
                if let Some(node) = doc.get("name") {
                    let mut node = node.clone();
                    if self.opts.interpolate {
                        self.interpolate(&mut node, "name")?;
                    }
                    if let Some(s) = node.as_str().filter(|s| !s.is_empty()) {
                        from_files = Some(s.to_owned());
                    }
                }
            }
        }
        let name = match from_files {
            Some(n) => syntax::normalize_project_name(&n),
            None => syntax::normalize_project_name(
                &project_dir
                    .file_name()
                    .map(|n| n.to_string_lossy().into_owned())
                    .unwrap_or_default(),
            ),
        };
        if name.is_empty() {
            return Err(Error::project(
                "project name must not be empty: set one with -p, COMPOSE_PROJECT_NAME or a top-level name:",
            ));
        }
        Ok(name)
    }

    /// Tags, interpolation, canonical form, include and extends for one document.
    fn document(&mut self, mut node: Node, base_dir: &Path, file: &Arc<str>) -> Result<Doc> {
        let mut resets = Vec::new();
        collect_resets(&mut node, &mut Vec::new(), &mut resets);
        if self.opts.interpolate {
            self.interpolate(&mut node, "")?;
        }
        if let Some(m) = node.as_map_mut()
            && let Some(v) = m.shift_remove("version")
        {
            self.warnings.push(Warning::new(
                    &v.key_loc,
                    "version",
                    "the attribute `version` is obsolete, it will be ignored, please remove it to avoid potential confusion",
                ));
        }
        Canonicalizer {
            base_dir,
            home: self.home.as_deref(),
            warnings: &mut self.warnings,
        }
        .document(&mut node)?;
        self.stack.push(file.to_string());
        let result = self.include(&mut node, base_dir, &resets);
        let result = result.and_then(|()| self.extends(&mut node, base_dir, file, &resets));
        self.stack.pop();
        result?;
        Ok(Doc { node, resets })
    }

    fn interpolate(&mut self, node: &mut Node, path: &str) -> Result<()> {
        match &mut node.value {
            Value::Str(s) => {
                if !interpolate::has_variables(s) {
                    return Ok(());
                }
                let env = &self.env;
                let mut missing: Vec<String> = Vec::new();
                let out = loop {
                    let lookup = |k: &str| {
                        if missing.iter().any(|m| m == k) {
                            Some(MISSING.to_owned())
                        } else {
                            env.get(k).cloned()
                        }
                    };
                    match interpolate::interpolate(s, &lookup) {
                        Ok(out) => break out,
                        Err(interpolate::InterpolateError::Required { variable, message })
                            if self.opts.missing_required_is_warning
                                && !missing.contains(&variable) =>
                        {
                            let why = if message.is_empty() {
                                String::new()
                            } else {
                                format!(" ({message})")
                            };
                            self.warnings.push(Warning::new(
                                &node.loc,
                                path,
                                format!("required variable {variable} is missing a value{why}; left empty: set it and convert again"),
                            ));
                            missing.push(variable);
                        }
                        Err(e) => {
                            let hint = match &e {
                                interpolate::InterpolateError::Required { variable, .. } => {
                                    format!(
                                        " (set {variable} in the environment or in a file given with --env-file)"
                                    )
                                }
                                _ => String::new(),
                            };
                            return Err(Error::new(&node.loc, path, format!("{e}{hint}")));
                        }
                    }
                };
                let out = interpolate::Interpolated {
                    value: out.value.replace(MISSING, ""),
                    unset: out.unset,
                };
                for var in out.unset {
                    if self.warned_vars.insert(var.clone()) {
                        self.warnings.push(Warning::new(
                            &node.loc,
                            path,
                            format!(
                                "the \"{var}\" variable is not set, defaulting to a blank string"
                            ),
                        ));
                    }
                }
                *s = out.value;
            }
            Value::Seq(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    self.interpolate(item, &index(path, i))?;
                }
            }
            Value::Map(m) => {
                for (k, v) in m.iter_mut() {
                    self.interpolate(v, &join(path, k))?;
                }
            }
            Value::Null | Value::Bool(_) | Value::Int(_) | Value::Float(_) => {}
        }
        Ok(())
    }

    /// Loads the files of a document's `include:` entries as projects of their own and merges
    /// the document over them (the including file wins on conflicts).
    fn include(&mut self, node: &mut Node, base_dir: &Path, resets: &[Vec<String>]) -> Result<()> {
        let Some(include) = node.as_map_mut().and_then(|m| m.shift_remove("include")) else {
            return Ok(());
        };
        let Value::Seq(entries) = include.value else {
            return Ok(());
        };
        let mut imported: Option<Node> = None;
        for (i, entry) in entries.iter().enumerate() {
            let p = index("include", i);
            let paths: Vec<String> = entry
                .get("path")
                .and_then(Node::as_seq)
                .map(|v| v.iter().filter_map(Node::scalar_text).collect())
                .unwrap_or_default();
            if paths.is_empty() {
                return Err(Error::new(&entry.loc, p, "path is required"));
            }
            let files: Vec<PathBuf> = paths
                .iter()
                .map(|f| absolute(base_dir, Path::new(f)))
                .collect();
            let project_dir = match entry.get("project_directory").and_then(Node::as_str) {
                Some(d) => absolute(base_dir, Path::new(d)),
                None => files[0].parent().map(Path::to_path_buf).unwrap_or_default(),
            };
            let env_files: Vec<PathBuf> = match entry.get("env_file").and_then(Node::as_seq) {
                Some(list) => list
                    .iter()
                    .filter_map(Node::as_str)
                    .map(|f| absolute(base_dir, Path::new(f)))
                    .collect(),
                None => {
                    let p = project_dir.join(".env");
                    if p.is_file() { vec![p] } else { Vec::new() }
                }
            };
            // The including project's variables win over the included project's env files.
            let mut env = self.env.clone();
            for f in env_files {
                if f.as_os_str() == "/dev/null" {
                    continue;
                }
                for (k, v) in read_env_file(&f, &self.env, &self.opts.working_dir)? {
                    env.entry(k).or_insert(v);
                }
            }
            let saved_env = std::mem::replace(&mut self.env, env);
            let result = self.load_included(&files, &project_dir, entry, &p);
            self.env = saved_env;
            let model = result?;
            imported = Some(match imported {
                None => model,
                Some(mut acc) => {
                    merge(&mut acc, model, &mut Vec::new());
                    acc
                }
            });
        }
        if let Some(mut base) = imported {
            for reset in resets {
                remove_path(&mut base, reset);
            }
            let local = std::mem::replace(node, Node::null(&Loc::default()));
            merge(&mut base, local, &mut Vec::new());
            *node = base;
        }
        Ok(())
    }

    fn load_included(
        &mut self,
        files: &[PathBuf],
        project_dir: &Path,
        entry: &Node,
        p: &str,
    ) -> Result<Node> {
        let mut model: Option<Node> = None;
        for f in files {
            let shown = self.display_path(f);
            if self.stack.contains(&shown) {
                let chain = self.stack.join(" include ");
                return Err(Error::new(
                    &entry.loc,
                    p,
                    format!("include cycle detected: {chain} include {shown}"),
                ));
            }
            let (shown, text) = self.read_source(f).map_err(|e| Error {
                loc: entry.loc.clone(),
                path: p.to_owned(),
                message: e.message,
            })?;
            let file: Arc<str> = Arc::from(shown.as_str());
            let docs =
                parse_documents(&text, &file).map_err(|(loc, msg)| Error::new(&loc, "", msg))?;
            for doc in docs {
                if doc.is_null() {
                    continue;
                }
                // An included file must be a compose file too: `include: /etc/passwd` is not
                // merged as an empty project.
                if !matches!(doc.value, Value::Map(_)) {
                    return Err(Error::new(
                        &doc.loc,
                        "",
                        format!("top-level object must be a mapping, found {}", doc.kind()),
                    ));
                }
                not_compose(&doc)?;
                let doc = self.document(doc, project_dir, &file)?;
                model = Some(doc.merge_into(model));
            }
        }
        let mut model = model.unwrap_or_else(|| Node::map(Map::new(), &entry.loc));
        if let Some(m) = model.as_map_mut() {
            // Only resources are imported; the included project's name is not.
            m.retain(|k, _| {
                matches!(
                    k.as_str(),
                    "services" | "networks" | "volumes" | "configs" | "secrets" | "models"
                ) || k.starts_with("x-")
            });
        }
        Ok(model)
    }

    /// Resolves `extends` for every service of a document (depth first, across files).
    fn extends(
        &mut self,
        node: &mut Node,
        base_dir: &Path,
        file: &Arc<str>,
        resets: &[Vec<String>],
    ) -> Result<()> {
        let names: Vec<String> = match node.get("services").and_then(Node::as_map) {
            Some(s) => s
                .iter()
                .filter(|(_, v)| v.get("extends").is_some())
                .map(|(k, _)| k.clone())
                .collect(),
            None => return Ok(()),
        };
        for name in names {
            let mut chain = Vec::new();
            self.resolve_extends(node, &name, base_dir, file, resets, &mut chain)?;
        }
        Ok(())
    }

    /// Replaces a service that `extends` another with the base merged under it, resolving
    /// the base's own `extends` first.
    fn resolve_extends(
        &mut self,
        doc: &mut Node,
        name: &str,
        base_dir: &Path,
        file: &Arc<str>,
        resets: &[Vec<String>],
        chain: &mut Vec<(String, String)>,
    ) -> Result<()> {
        let path = join("services", name);
        let Some(service) = doc.get("services").and_then(|s| s.get(name)) else {
            return Ok(());
        };
        let Some(ext) = service.get("extends").cloned() else {
            return Ok(());
        };
        let ext_path = join(&path, "extends");
        let Some(base_name) = ext.get("service").and_then(Node::as_str).map(str::to_owned) else {
            return Err(Error::new(&ext.loc, ext_path, "service is required"));
        };
        enter_chain(chain, (file.to_string(), name.to_owned()), &ext, &ext_path)?;
        let base = match ext.get("file").and_then(Node::as_str) {
            None => {
                self.resolve_extends(doc, &base_name, base_dir, file, resets, chain)?;
                match doc.get("services").and_then(|s| s.get(&base_name)) {
                    Some(b) => b.clone(),
                    None => {
                        return Err(Error::new(
                            &ext.loc,
                            join(&ext_path, "service"),
                            format!(
                                "cannot extend service \"{name}\" in {file}: service \"{base_name}\" not found"
                            ),
                        ));
                    }
                }
            }
            Some(other) => {
                let other_path = absolute(base_dir, Path::new(other));
                let site = ExtendsSite {
                    name,
                    base_name: &base_name,
                    ext: &ext,
                    ext_path: &ext_path,
                };
                self.base_in_file(&site, &other_path, chain)?
            }
        };
        chain.pop();
        apply_base(doc, name, base, resets);
        Ok(())
    }

    /// The base service of an `extends` naming another file, with its own `extends`
    /// resolved in that file.
    fn base_in_file(
        &mut self,
        site: &ExtendsSite,
        other_path: &Path,
        chain: &mut Vec<(String, String)>,
    ) -> Result<Node> {
        let ExtendsSite {
            name,
            base_name,
            ext,
            ext_path,
        } = *site;
        let other_dir = other_path
            .parent()
            .map(Path::to_path_buf)
            .unwrap_or_default();
        let ExtendedFile {
            shown,
            doc: mut other_doc,
            resets: other_resets,
        } = match self.extended.get(other_path) {
            Some(cached) => cached.clone(),
            None => {
                let (shown, text) = self.read_source(other_path).map_err(|e| Error {
                    loc: ext.loc.clone(),
                    path: join(ext_path, "file"),
                    message: e.message,
                })?;
                let file: Arc<str> = Arc::from(shown.as_str());
                let (doc, resets) = self.extends_document(&text, &file, &other_dir)?;
                let read = ExtendedFile { shown, doc, resets };
                self.extended.insert(other_path.to_path_buf(), read.clone());
                read
            }
        };
        let other_file: Arc<str> = Arc::from(shown.as_str());
        if other_doc.get("services").is_none() {
            return Err(Error::new(
                &ext.loc,
                join(ext_path, "file"),
                format!("cannot extend service \"{name}\": {shown} has no services section"),
            ));
        }
        self.resolve_extends(
            &mut other_doc,
            base_name,
            &other_dir,
            &other_file,
            &other_resets,
            chain,
        )?;
        match other_doc.get("services").and_then(|s| s.get(base_name)) {
            Some(b) => Ok(b.clone()),
            None => Err(Error::new(
                &ext.loc,
                join(ext_path, "service"),
                format!(
                    "cannot extend service \"{name}\": service \"{base_name}\" not found in {shown}"
                ),
            )),
        }
    }

    /// A file named by `extends`: its documents interpolated, made canonical and merged,
    /// and the `!reset` paths they carry.
    fn extends_document(
        &mut self,
        text: &str,
        file: &Arc<str>,
        dir: &Path,
    ) -> Result<(Node, Vec<Vec<String>>)> {
        let docs = parse_documents(text, file).map_err(|(loc, msg)| Error::new(&loc, "", msg))?;
        let mut doc = Node::map(Map::new(), &Loc::default());
        let mut resets = Vec::new();
        for d in docs {
            if d.is_null() {
                continue;
            }
            let mut node = d;
            let mut r = Vec::new();
            collect_resets(&mut node, &mut Vec::new(), &mut r);
            if self.opts.interpolate {
                self.interpolate(&mut node, "")?;
            }
            Canonicalizer {
                base_dir: dir,
                home: self.home.as_deref(),
                warnings: &mut self.warnings,
            }
            .document(&mut node)?;
            for reset in &r {
                remove_path(&mut doc, reset);
            }
            merge(&mut doc, node, &mut Vec::new());
            resets.extend(r);
        }
        Ok((doc, resets))
    }

    /// `label_file` contents become labels; labels written in the file win (compose-go).
    fn apply_label_files(&mut self, model: &mut Node) -> Result<()> {
        let Some(services) = model.get_mut("services").and_then(Node::as_map_mut) else {
            return Ok(());
        };
        for (name, service) in services.iter_mut() {
            let files: Vec<(String, Loc)> = match service.get("label_file").and_then(Node::as_seq) {
                Some(list) => list
                    .iter()
                    .filter_map(|n| n.as_str().map(|s| (s.to_owned(), n.loc.clone())))
                    .collect(),
                None => continue,
            };
            let mut from_files: IndexMap<String, String> = IndexMap::new();
            for (i, (path, loc)) in files.iter().enumerate() {
                let p = Path::new(path);
                if !p.exists() {
                    return Err(Error::new(
                        loc,
                        index(&format!("services.{name}.label_file"), i),
                        format!("label file {} not found", self.display_path(p)),
                    ));
                }
                self.check_inside(p, loc, &index(&format!("services.{name}.label_file"), i))?;
                let values = read_env_file(p, &IndexMap::new(), &self.opts.working_dir)?;
                from_files.extend(values);
            }
            let Some(s) = service.as_map_mut() else {
                continue;
            };
            let labels = s
                .entry("labels".into())
                .or_insert_with(|| Node::map(Map::new(), &Loc::default()));
            if let Some(labels) = labels.as_map_mut() {
                for (k, v) in from_files {
                    labels
                        .entry(k)
                        .or_insert_with(|| Node::str(v, &Loc::default()));
                }
            }
        }
        Ok(())
    }

    /// Reads every `env_file` the services name; a missing required file is an error.
    fn read_env_files(
        &mut self,
        model: &Node,
    ) -> Result<IndexMap<String, IndexMap<String, String>>> {
        let mut out = IndexMap::new();
        let Some(services) = model.get("services").and_then(Node::as_map) else {
            return Ok(out);
        };
        for (name, service) in services {
            let Some(list) = service.get("env_file").and_then(Node::as_seq) else {
                continue;
            };
            for (i, entry) in list.iter().enumerate() {
                let Some(path) = entry.get("path").and_then(Node::as_str) else {
                    continue;
                };
                if out.contains_key(path) {
                    continue;
                }
                let required = !matches!(
                    entry.get("required").map(|n| &n.value),
                    Some(Value::Bool(false))
                );
                let p = Path::new(path);
                // Anything there is read, so that a directory or a device is refused by
                // name instead of being called missing.
                if !p.exists() {
                    if required {
                        return Err(Error::new(
                            &entry.loc,
                            index(&format!("services.{name}.env_file"), i),
                            format!(
                                "env file {} not found (mark it `required: false` if it is optional)",
                                self.display_path(p)
                            ),
                        ));
                    }
                    continue;
                }
                self.check_inside(
                    p,
                    &entry.loc,
                    &index(&format!("services.{name}.env_file"), i),
                )?;
                let values =
                    read_env_file(p, &self.env, &self.opts.working_dir).map_err(|e| Error {
                        path: index(&format!("services.{name}.env_file"), i),
                        ..e
                    })?;
                out.insert(path.to_owned(), values);
            }
        }
        Ok(out)
    }
}

fn wrap_service(name: &str, node: Node) -> Node {
    let mut services = Map::new();
    services.insert(name.to_owned(), node);
    let mut root = Map::new();
    root.insert("services".into(), Node::map(services, &Loc::default()));
    Node::map(root, &Loc::default())
}

fn unwrap_service(root: Node, name: &str) -> Node {
    let Value::Map(mut m) = root.value else {
        return root;
    };
    m.shift_remove("services")
        .and_then(|s| match s.value {
            Value::Map(mut services) => services.shift_remove(name),
            _ => None,
        })
        .unwrap_or_else(|| Node::map(Map::new(), &Loc::default()))
}

/// A mapping none of whose keys a compose file has is some other file: a Kubernetes
/// manifest, or a file named by mistake. Said without quoting its keys, which could be the
/// contents of a file that is not the user's to show (`-f /etc/shadow`).
fn not_compose(node: &Node) -> Result<()> {
    let Some(map) = node.as_map() else {
        return Ok(());
    };
    let compose_key = |k: &str| {
        matches!(
            k,
            "name"
                | "services"
                | "networks"
                | "volumes"
                | "secrets"
                | "configs"
                | "models"
                | "include"
                | "version"
        ) || k.starts_with("x-")
    };
    if map.is_empty() || map.keys().any(|k| compose_key(k)) {
        return Ok(());
    }
    let message = if map.contains_key("apiVersion") && map.contains_key("kind") {
        "this is a Kubernetes manifest (apiVersion, kind), not a compose file: give compose2kube the compose file the manifests should come from"
    } else {
        "not a compose file: none of its top-level keys is one a compose file has (services, networks, volumes, configs, secrets, include, name, x-…)"
    };
    Err(Error::new(&node.loc, "", message))
}

fn too_large(shown: &str, len: usize) -> Error {
    if shown == "-" {
        // Standard input is read only up to the limit: its real size is unknown.
        return Error::project(format!(
            "cannot read -: standard input holds more than {} MiB; compose files are limited to {} MiB",
            MAX_FILE_BYTES / (1024 * 1024),
            MAX_FILE_BYTES / (1024 * 1024)
        ));
    }
    Error::project(format!(
        "cannot read {shown}: it is {:.1} MiB; compose files are limited to {} MiB",
        len as f64 / (1024.0 * 1024.0),
        MAX_FILE_BYTES / (1024 * 1024)
    ))
}

/// Records the key paths tagged `!reset` (and drops those values) or `!override`.
fn collect_resets(node: &mut Node, path: &mut Vec<String>, out: &mut Vec<Vec<String>>) {
    if let Value::Map(m) = &mut node.value {
        m.retain(|k, v| {
            if v.tag == Some(Tag::Reset) {
                let mut p = path.clone();
                p.push(k.clone());
                out.push(p);
                false
            } else {
                true
            }
        });
        for (k, v) in m.iter_mut() {
            path.push(k.clone());
            if v.tag == Some(Tag::Override) {
                out.push(path.clone());
            }
            collect_resets(v, path, out);
            path.pop();
        }
    }
}
