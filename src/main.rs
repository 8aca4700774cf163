//! The `compose2kube` command: parses the command line, runs the library, and is the only
//! place that writes to the terminal.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use compose2kube::compose::{self, LoadOptions, render};
use compose2kube::convert;
use compose2kube::diagnostic::{self, Diagnostic, Level};
use compose2kube::files::Disk;
use compose2kube::options::{
    Controller, Options, Provenance, SecretsMode, ServiceType, VolumeType,
};
use compose2kube::output::{chart, directory, explain, report, stream};
use mimalloc::MiMalloc;

/// A conversion makes millions of small, short-lived allocations; mimalloc serves them
/// faster than glibc's allocator and with fewer page faults (about a tenth off a
/// 10,000-service run, see benches/scale.rs; [`compose2kube::allocator`] says how it is
/// tuned). Transparent huge pages stay off: with them, runs varied by a factor of two under
/// memory pressure.
#[global_allocator]
static ALLOCATOR: MiMalloc = MiMalloc;

#[derive(Parser, Debug)]
#[command(
    name = "compose2kube",
    version,
    about = "Turn Docker Compose projects into the Kubernetes manifests a platform engineer would write",
    propagate_version = true
)]
struct Cli {
    #[command(flatten)]
    project: ProjectArgs,
    #[command(subcommand)]
    command: Command,
}

/// docker compose's global options; accepted before or after the subcommand.
#[derive(Args, Debug)]
struct ProjectArgs {
    /// Compose configuration file (repeatable; `-` reads standard input)
    #[arg(short = 'f', long = "file", global = true, value_name = "FILE")]
    files: Vec<String>,
    /// Alternate working directory (default: the directory of the first file)
    #[arg(long, global = true, value_name = "DIR")]
    project_directory: Option<PathBuf>,
    /// Project name
    #[arg(short = 'p', long, global = true, value_name = "NAME")]
    project_name: Option<String>,
    /// Alternate environment file (repeatable; later files win)
    #[arg(long = "env-file", global = true, value_name = "FILE")]
    env_files: Vec<PathBuf>,
    /// Profile to enable (repeatable; `*` enables all)
    #[arg(long = "profile", global = true, value_name = "NAME")]
    profiles: Vec<String>,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the Kubernetes manifests for the project
    Convert(ConvertArgs),
    /// Tell what each service became, and why
    Explain(ExplainArgs),
    /// Print the fully resolved project, like `docker compose config`
    Config(ConfigArgs),
}

#[derive(Args, Debug)]
#[command(group(clap::ArgGroup::new("target").args(["out", "chart"]).multiple(true)))]
struct ConvertArgs {
    #[command(flatten)]
    translation: TranslationArgs,
    /// Output format: a YAML stream, or one JSON `v1 List`
    #[arg(long, value_enum, default_value_t = OutputFormat::Yaml)]
    format: OutputFormat,
    /// Same as --format json
    #[arg(short = 'j', long, conflicts_with = "format")]
    json: bool,
    /// Print to standard output (the default; kompose's flag)
    #[arg(long, conflicts_with_all = ["out", "chart"])]
    stdout: bool,
    /// Fail (exit 1, nothing on stdout) when anything is not translated
    #[arg(long)]
    strict: bool,
    /// Write to PATH instead of stdout: a file if it ends in .yaml, .yml or .json, else a
    /// directory of one file per object with a kustomization.yaml
    #[arg(short = 'o', long = "out", value_name = "PATH")]
    out: Option<PathBuf>,
    /// Write a Helm chart of the project to DIR, its default values rendering the same
    /// objects
    #[arg(long, value_name = "DIR")]
    chart: Option<PathBuf>,
    /// With -o or --chart: replace a directory compose2kube did not write, or files it did
    /// not write
    #[arg(long, requires = "target", conflicts_with = "check")]
    force: bool,
    /// With -o or --chart: write nothing; exit 1 when it differs from what would be written
    #[arg(long, requires = "target")]
    check: bool,
    /// Also write the migration report (Markdown) to FILE
    #[arg(long, value_name = "FILE")]
    report: Option<PathBuf>,
    /// Read templates (report.md.hbs, chart/*.hbs) from DIR before the built-in ones
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

#[derive(Args, Debug)]
struct ExplainArgs {
    #[command(flatten)]
    translation: TranslationArgs,
    /// Output format: a table for people, JSON for scripts, the Markdown migration report
    #[arg(long, value_enum, default_value_t = ExplainFormat::Table)]
    format: ExplainFormat,
    /// Read templates (report.md.hbs) from DIR before the built-in ones
    #[arg(long, value_name = "DIR")]
    templates: Option<PathBuf>,
}

/// How the project is translated; shared by `convert` and `explain`.
#[derive(Args, Debug)]
struct TranslationArgs {
    /// Compose files, as with -f (`compose2kube convert compose.yaml`)
    #[arg(id = "file_arguments", value_name = "FILE")]
    paths: Vec<String>,
    /// Put every object in this namespace, and emit the Namespace
    #[arg(short = 'n', long, value_name = "NAMESPACE")]
    namespace: Option<String>,
    /// Expose published ports with a `<service>-public` Service of this type
    #[arg(long, value_enum, value_name = "TYPE")]
    expose_published: Option<Exposure>,
    /// Give every service publishing an HTTP port an Ingress on this host
    #[arg(long, value_name = "HOST")]
    ingress_host: Option<String>,
    /// ingressClassName of the Ingresses
    #[arg(long, value_name = "CLASS")]
    ingress_class: Option<String>,
    /// Size of claims whose size the compose file does not give
    #[arg(
        long,
        visible_alias = "pvc-request-size",
        value_name = "SIZE",
        default_value = "1Gi"
    )]
    default_volume_size: String,
    /// storageClassName of claims whose class the compose file does not give
    #[arg(long, value_name = "CLASS")]
    storage_class: Option<String>,
    /// Embed Secret values, or only reference Secrets you create
    #[arg(long, value_enum, default_value_t = SecretsArg::Embed)]
    secrets: SecretsArg,
    /// What bind mounts of project paths become (hostpath: as --volumes hostPath)
    #[arg(long, value_enum, default_value_t = BindMountsArg::Auto)]
    bind_mounts: BindMountsArg,
    /// What every service's volumes become, unless it asks otherwise (kompose's volume types;
    /// persistentVolumeClaim is compose2kube's own rules)
    #[arg(long, value_enum, ignore_case = true, value_name = "TYPE", conflicts_with_all = ["bind_mounts", "emptyvols"])]
    volumes: Option<VolumesArg>,
    /// kompose's old spelling of --volumes emptyDir
    #[arg(long, hide = true, conflicts_with = "bind_mounts")]
    emptyvols: bool,
    /// Read config, secret, env and label files outside the project directory
    #[arg(long)]
    allow_outside_project: bool,
    /// A NetworkPolicy per compose network
    #[arg(long, visible_alias = "generate-network-policies")]
    network_policies: bool,
    /// Image of the wait-for-<dependency> initContainers
    #[arg(long, value_name = "IMAGE", default_value = "busybox:1.36")]
    wait_image: String,
    /// No tcpSocket readiness probe for services without a healthcheck
    #[arg(long)]
    no_default_probes: bool,
    /// Do not interpolate environment variables
    #[arg(long)]
    no_interpolate: bool,
    /// The workload of every long-running service whose kind is guessed, not asked for
    #[arg(long, value_enum, value_name = "KIND")]
    controller: Option<ControllerArg>,
    /// Replicas of every service that gives no count of its own
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(i32).range(0..))]
    replicas: Option<i32>,
    /// Annotate every object with the compose2kube version and this command line
    #[arg(
        long,
        visible_alias = "with-kompose-annotation",
        num_args = 0..=1,
        default_missing_value = "true",
        value_name = "BOOL"
    )]
    with_provenance: Option<bool>,
    /// One pod for services of a kompose.service.group (label: always done), or for
    /// services with exactly the same mounts (volume)
    #[arg(long, value_enum, value_name = "MODE")]
    service_group_mode: Option<GroupModeArg>,
    /// The name of the group --service-group-mode volume makes
    #[arg(long, value_name = "NAME")]
    service_group_name: Option<String>,
    /// kompose's: compose secrets are always mounted as files, each on its own path
    #[arg(long, hide = true)]
    secrets_as_files: bool,
    /// kompose's flags that compose2kube refuses, each with what to do instead
    #[command(flatten)]
    refused: RefusedArgs,
}

/// kompose's flags for what compose2kube does not do: accepted by the parser so that the
/// error says what to do instead rather than "unexpected argument".
#[derive(Args, Debug)]
struct RefusedArgs {
    #[arg(long, hide = true, value_name = "TYPE", num_args = 0..=1, default_missing_value = "local")]
    build: Option<String>,
    #[arg(long, hide = true)]
    push_image: bool,
    #[arg(long, hide = true, value_name = "REGISTRY")]
    push_image_registry: Option<String>,
    #[arg(long, hide = true, value_name = "PROVIDER")]
    provider: Option<String>,
}

impl RefusedArgs {
    /// The first refused flag given, as an error saying what to do instead.
    fn check(&self) -> Result<(), compose::Error> {
        let refuse = |msg: &str| Err(compose::Error::project(msg.to_owned()));
        // kompose's `--build none` (its default) asks for nothing.
        let build = self.build.as_deref().filter(|b| *b != "none");
        if build.is_some() || self.push_image || self.push_image_registry.is_some() {
            let flag = if build.is_some() {
                "--build"
            } else if self.push_image {
                "--push-image"
            } else {
                "--push-image-registry"
            };
            return refuse(&format!(
                "{flag}: compose2kube does not build or push images; run `docker compose build` and `docker compose push` (or your CI) first: a service with only build: runs the image <project>-<service>"
            ));
        }
        match self.provider.as_deref() {
            None | Some("kubernetes") => {}
            Some(other) => {
                return refuse(&format!(
                    "--provider {other}: compose2kube writes Kubernetes manifests only; OpenShift applies them as they are (Deployments, Services, Ingresses instead of DeploymentConfigs and Routes): leave out --provider"
                ));
            }
        }
        Ok(())
    }
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum ControllerArg {
    Deployment,
    Statefulset,
    Daemonset,
    /// kompose's; a Deployment, which superseded it
    Replicationcontroller,
}

impl TranslationArgs {
    fn options(&self) -> Options {
        Options {
            namespace: self.namespace.clone(),
            expose_published: self.expose_published.map(|e| match e {
                Exposure::Nodeport => ServiceType::NodePort,
                Exposure::Loadbalancer => ServiceType::LoadBalancer,
            }),
            ingress_host: self.ingress_host.clone(),
            ingress_class: self.ingress_class.clone(),
            default_volume_size: self.default_volume_size.clone(),
            storage_class: self.storage_class.clone(),
            secrets: match self.secrets {
                SecretsArg::Embed => SecretsMode::Embed,
                SecretsArg::Reference => SecretsMode::Reference,
            },
            volumes: match (self.volumes, self.emptyvols, self.bind_mounts) {
                (Some(VolumesArg::PersistentVolumeClaim), ..) => VolumeType::PersistentVolumeClaim,
                (Some(VolumesArg::EmptyDir), ..) | (None, true, _) => VolumeType::EmptyDir,
                (Some(VolumesArg::HostPath), ..) | (None, false, BindMountsArg::Hostpath) => {
                    VolumeType::HostPath
                }
                (Some(VolumesArg::ConfigMap), ..) => VolumeType::ConfigMap,
                (None, false, BindMountsArg::Auto) => VolumeType::PersistentVolumeClaim,
            },
            allow_outside_project: self.allow_outside_project,
            network_policies: self.network_policies,
            wait_image: self.wait_image.clone(),
            default_probes: !self.no_default_probes,
            controller: self.controller.map(|c| match c {
                ControllerArg::Deployment | ControllerArg::Replicationcontroller => {
                    Controller::Deployment
                }
                ControllerArg::Statefulset => Controller::StatefulSet,
                ControllerArg::Daemonset => Controller::DaemonSet,
            }),
            replicas: self.replicas,
            group_by_volumes: matches!(self.service_group_mode, Some(GroupModeArg::Volume)),
            group_name: self.service_group_name.clone(),
            provenance: self.with_provenance.unwrap_or(false).then(|| Provenance {
                command: Some(command_line()),
            }),
        }
    }
}

/// The command line as typed, for the `compose2kube.io/cmd` annotation: the program's
/// file name, not the path it was run from, so that the output does not depend on it.
fn command_line() -> String {
    let mut args = std::env::args();
    let program = args
        .next()
        .map(|p| {
            std::path::Path::new(&p)
                .file_name()
                .map_or(p.clone(), |n| n.to_string_lossy().into_owned())
        })
        .unwrap_or_else(|| "compose2kube".into());
    std::iter::once(program)
        .chain(args)
        .collect::<Vec<_>>()
        .join(" ")
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum Exposure {
    Nodeport,
    Loadbalancer,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum SecretsArg {
    Embed,
    Reference,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum BindMountsArg {
    Auto,
    Hostpath,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum GroupModeArg {
    Label,
    Volume,
}

/// kompose's spelling first; any case is accepted.
#[derive(ValueEnum, Clone, Copy, Debug)]
#[value(rename_all = "camelCase")]
enum VolumesArg {
    PersistentVolumeClaim,
    EmptyDir,
    HostPath,
    ConfigMap,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum ExplainFormat {
    Table,
    Json,
    Markdown,
}

#[derive(Args, Debug)]
struct ConfigArgs {
    /// Output format
    #[arg(long, value_enum, default_value_t = OutputFormat::Yaml)]
    format: OutputFormat,
    /// Print the service names, one per line
    #[arg(long)]
    services: bool,
    /// Do not interpolate environment variables
    #[arg(long)]
    no_interpolate: bool,
}

#[derive(ValueEnum, Clone, Copy, Debug)]
enum OutputFormat {
    Yaml,
    Json,
}

/// What a command prints: its output, then diagnostics on stderr.
struct Outcome {
    output: String,
    diagnostics: Vec<Diagnostic>,
}

fn main() -> ExitCode {
    compose2kube::allocator::keep_freed_pages();
    let cli = Cli::parse();
    match run(cli) {
        Ok(outcome) => {
            let mut stderr = std::io::stderr().lock();
            for (level, line) in diagnostic::grouped(&outcome.diagnostics) {
                let _ = writeln!(stderr, "{}: {}", level.as_str(), terminal_safe(&line));
            }
            if let Some(summary) = diagnostic::summary(&outcome.diagnostics) {
                let _ = writeln!(stderr, "{summary}");
            }
            let mut stdout = std::io::stdout().lock();
            match stdout
                .write_all(outcome.output.as_bytes())
                .and_then(|()| stdout.flush())
            {
                Ok(()) => ExitCode::SUCCESS,
                // The reader went away (`| head`): nothing to tell it, as other tools do.
                Err(e) if e.kind() == std::io::ErrorKind::BrokenPipe => ExitCode::from(1),
                Err(e) => {
                    let _ = writeln!(stderr, "error: cannot write standard output: {e}");
                    ExitCode::from(1)
                }
            }
        }
        Err(e) => {
            let _ = writeln!(
                std::io::stderr(),
                "error: {}",
                terminal_safe(&e.to_string())
            );
            ExitCode::from(1)
        }
    }
}

/// The longest line of a message: values quoted from a compose file can be megabytes.
const MAX_LINE_CHARS: usize = 2000;

/// A message as it may reach a terminal: control characters and the Unicode controls that
/// reorder text (U+202A–U+202E, U+2066–U+2069) escaped, each line cut after
/// [`MAX_LINE_CHARS`] characters with the number left out.
fn terminal_safe(message: &str) -> String {
    let mut out = String::with_capacity(message.len().min(4 * MAX_LINE_CHARS));
    for (i, line) in message.split('\n').enumerate() {
        if i > 0 {
            out.push('\n');
        }
        let mut chars = line.chars();
        for (count, c) in chars.by_ref().enumerate() {
            if count == MAX_LINE_CHARS {
                let rest = 1 + chars.count();
                out.push_str(&format!("… ({rest} more characters)"));
                break;
            }
            let hidden =
                c.is_control() || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}');
            if hidden {
                out.extend(c.escape_unicode());
            } else {
                out.push(c);
            }
        }
    }
    out
}

/// Files named after the subcommand join those given with -f, after them.
fn with_files(mut project: ProjectArgs, files: &[String]) -> ProjectArgs {
    project.files.extend(files.iter().cloned());
    project
}

/// Loader warnings join the conversion's, first, as warnings about the compose file.
fn loader_diagnostics(warnings: &[compose::Warning]) -> Vec<Diagnostic> {
    warnings
        .iter()
        .map(|w| Diagnostic::warning("", w.to_string()))
        .collect()
}

/// An unset `${VAR:?msg}` is an error in every command, as docker compose refuses the
/// project.
fn load_options(
    args: &ProjectArgs,
    interpolate: bool,
    allow_outside_project: bool,
) -> Result<LoadOptions, compose::Error> {
    let working_dir = std::env::current_dir().map_err(|e| {
        compose::Error::project(format!("cannot determine the working directory: {e}"))
    })?;
    let stdin = if args.files.iter().any(|f| f == "-") {
        let mut text = String::new();
        let mut input = std::io::stdin();
        if input.is_terminal() {
            return Err(compose::Error::project(
                "-f - reads the compose file from standard input, but standard input is a terminal",
            ));
        }
        input
            .by_ref()
            .take(compose::load::MAX_FILE_BYTES as u64 + 1)
            .read_to_string(&mut text)
            .map_err(|e| compose::Error::project(format!("cannot read standard input: {e}")))?;
        Some(text)
    } else {
        None
    };
    Ok(LoadOptions {
        working_dir,
        files: args.files.clone(),
        stdin,
        project_directory: args.project_directory.clone(),
        project_name: args.project_name.clone(),
        env_files: args.env_files.clone(),
        profiles: args.profiles.clone(),
        environment: std::env::vars_os()
            .filter_map(|(k, v)| Some((k.into_string().ok()?, v.into_string().ok()?)))
            .collect(),
        interpolate,
        missing_required_is_warning: false,
        allow_outside_project,
    })
}

fn run(cli: Cli) -> Result<Outcome, compose::Error> {
    match cli.command {
        Command::Config(args) => run_config(&cli.project, &args),
        Command::Convert(args) => run_convert(cli.project, &args),
        Command::Explain(args) => run_explain(cli.project, &args),
    }
}

/// `config`: the resolved project, or its service names.
fn run_config(project: &ProjectArgs, args: &ConfigArgs) -> Result<Outcome, compose::Error> {
    // `config` shows what docker compose reads, which may be anywhere.
    let opts = load_options(project, !args.no_interpolate, true)?;
    let loaded = compose::load(&opts)?;
    let output = if args.services {
        loaded
            .project
            .services
            .keys()
            .map(|k| format!("{k}\n"))
            .collect()
    } else {
        let format = match args.format {
            OutputFormat::Yaml => render::Format::Yaml,
            OutputFormat::Json => render::Format::Json,
        };
        render::config(&loaded, format)?
    };
    let diagnostics = loader_diagnostics(&loaded.warnings);
    leave_to_exit(loaded);
    Ok(Outcome {
        output,
        diagnostics,
    })
}

/// `convert`: the manifests on stdout or in `-o PATH`, and the report when asked.
fn run_convert(project: ProjectArgs, args: &ConvertArgs) -> Result<Outcome, compose::Error> {
    args.translation.refused.check()?;
    let project = with_files(project, &args.translation.paths);
    let loaded = compose::load(&load_options(
        &project,
        !args.translation.no_interpolate,
        args.translation.allow_outside_project,
    )?)?;
    let conversion = convert::convert(&loaded, &Disk, &args.translation.options())?;
    let mut diagnostics = loader_diagnostics(&loaded.warnings);
    diagnostics.extend(conversion.diagnostics.iter().cloned());
    if args.strict {
        let warnings: Vec<&Diagnostic> = diagnostics
            .iter()
            .filter(|d| d.level == Level::Warning)
            .collect();
        if let [only] = warnings.as_slice() {
            return Err(compose::Error::project(format!("--strict: {only}")));
        }
        if !warnings.is_empty() {
            let list: Vec<String> = warnings.iter().map(|w| format!("  {w}")).collect();
            return Err(compose::Error::project(format!(
                "--strict: {} compose key{} not fully translated:\n{}",
                warnings.len(),
                if warnings.len() == 1 { " is" } else { "s are" },
                list.join("\n")
            )));
        }
    }
    if let Some(path) = &args.report {
        let text = report::render(
            &loaded,
            &conversion,
            &diagnostics,
            args.translation.namespace.as_deref(),
            args.templates.as_deref(),
        )?;
        directory::write_file(path, &text, false)?;
    }
    if let Some(dir) = &args.chart {
        let files = chart::files(&loaded, &conversion, args.templates.as_deref())?;
        write_directory(dir, &files, args, "--chart")?;
        if files.iter().any(|f| f.secret) && !args.check {
            diagnostics.push(secrets_written("--chart", dir));
        }
    }
    let output = match &args.out {
        Some(path) => {
            write_out(path, &conversion.objects, args, &mut diagnostics)?;
            String::new()
        }
        None if args.chart.is_some() => String::new(),
        None if args.json => stream::to_json_list(&conversion.objects)?,
        None => match args.format {
            OutputFormat::Yaml => stream::to_yaml_stream(&conversion.objects)?,
            OutputFormat::Json => stream::to_json_list(&conversion.objects)?,
        },
    };
    leave_to_exit((loaded, conversion));
    Ok(Outcome {
        output,
        diagnostics,
    })
}

/// The project and its conversion are not needed once the outcome is made, and the process
/// ends right after printing it: freeing a large project's many small allocations one by
/// one would cost a tenth of the run for nothing (the OS takes the memory back at exit).
fn leave_to_exit<T>(value: T) {
    std::mem::forget(value);
}

/// `explain`: what each service became, as a table, JSON or the Markdown report.
fn run_explain(project: ProjectArgs, args: &ExplainArgs) -> Result<Outcome, compose::Error> {
    args.translation.refused.check()?;
    let project = with_files(project, &args.translation.paths);
    let loaded = compose::load(&load_options(
        &project,
        !args.translation.no_interpolate,
        args.translation.allow_outside_project,
    )?)?;
    let conversion = convert::convert(&loaded, &Disk, &args.translation.options())?;
    let reports = explain::explain(&conversion);
    let output = match args.format {
        ExplainFormat::Table => explain::explain_table(&reports),
        ExplainFormat::Json => serde_json::to_string_pretty(&reports)
            .map(|s| s + "\n")
            .map_err(|e| compose::Error::project(format!("cannot render JSON: {e}")))?,
        ExplainFormat::Markdown => {
            let mut all = loader_diagnostics(&loaded.warnings);
            all.extend(conversion.diagnostics.iter().cloned());
            report::render(
                &loaded,
                &conversion,
                &all,
                args.translation.namespace.as_deref(),
                args.templates.as_deref(),
            )?
        }
    };
    // The report already holds each service's diagnostics; the project-wide ones
    // (loader warnings, networks) still go to stderr.
    let mut diagnostics = loader_diagnostics(&loaded.warnings);
    diagnostics.extend(
        conversion
            .diagnostics
            .iter()
            .filter(|d| d.service().is_none())
            .cloned(),
    );
    leave_to_exit((loaded, conversion, reports));
    Ok(Outcome {
        output,
        diagnostics,
    })
}

/// `-o PATH`: one file (its extension says YAML or JSON) or a directory, written, or with
/// `--check` compared.
fn write_out(
    path: &std::path::Path,
    objects: &[compose2kube::build::object::Object],
    args: &ConvertArgs,
    diagnostics: &mut Vec<Diagnostic>,
) -> Result<(), compose::Error> {
    let extension = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    let secrets = objects
        .iter()
        .any(|o| matches!(o, compose2kube::build::object::Object::Secret(_)));
    if matches!(extension, "yaml" | "yml" | "json") {
        let content = match extension {
            "json" => stream::to_json_list(objects)?,
            _ => stream::to_yaml_stream(objects)?,
        };
        if args.check {
            drift_error("-o", path, &directory::file_differences(path, &content))?;
        } else {
            directory::write_file(path, &content, secrets)?;
        }
    } else {
        write_directory(path, &directory::files(objects)?, args, "-o")?;
    }
    if secrets && !args.check {
        diagnostics.push(secrets_written("-o", path));
    }
    Ok(())
}

/// A directory of files (`-o DIR`, `--chart DIR`), written atomically, or with `--check`
/// compared.
fn write_directory(
    dir: &std::path::Path,
    files: &[directory::File],
    args: &ConvertArgs,
    flag: &str,
) -> Result<(), compose::Error> {
    if args.check {
        drift_error(flag, dir, &directory::differences(dir, files)?)
    } else {
        directory::write(dir, files, args.force)
    }
}

fn drift_error(flag: &str, path: &std::path::Path, drift: &[String]) -> Result<(), compose::Error> {
    if drift.is_empty() {
        return Ok(());
    }
    Err(compose::Error::project(format!(
        "--check: {flag} {} differs from what compose2kube writes now:\n  {}",
        path.display(),
        drift.join("\n  ")
    )))
}

fn secrets_written(flag: &str, path: &std::path::Path) -> Diagnostic {
    Diagnostic::warning(
        "",
        format!(
            "{flag} {}: Secret values are written in files (mode 0600); keep them out of version control, or convert with --secrets reference",
            path.display()
        ),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn messages_are_made_safe_for_a_terminal() {
        assert_eq!(terminal_safe("plain: text"), "plain: text");
        assert_eq!(
            terminal_safe("a\u{0}b\u{202E}c\td"),
            "a\\u{0}b\\u{202e}c\\u{9}d"
        );
        assert_eq!(terminal_safe("one\ntwo"), "one\ntwo");
        let long = "x".repeat(MAX_LINE_CHARS + 50);
        let shown = terminal_safe(&long);
        assert!(shown.ends_with("… (50 more characters)"), "{shown}");
        assert_eq!(shown.chars().filter(|c| *c == 'x').count(), MAX_LINE_CHARS);
    }
}
