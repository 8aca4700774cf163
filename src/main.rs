//! The `compose2kube` command: parses the command line, runs the library, and is the only
//! place that writes to the terminal.

use std::io::{IsTerminal, Read, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, Parser, Subcommand, ValueEnum};
use compose2kube::compose::{self, LoadOptions, render};

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
    /// Print the fully resolved project, like `docker compose config`
    Config(ConfigArgs),
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

fn main() -> ExitCode {
    let cli = Cli::parse();
    match run(cli) {
        Ok((output, warnings)) => {
            let mut stderr = std::io::stderr().lock();
            for w in warnings {
                let _ = writeln!(stderr, "warning: {w}");
            }
            let mut stdout = std::io::stdout().lock();
            if stdout
                .write_all(output.as_bytes())
                .and_then(|()| stdout.flush())
                .is_err()
            {
                return ExitCode::from(1);
            }
            ExitCode::SUCCESS
        }
        Err(e) => {
            let _ = writeln!(std::io::stderr(), "error: {e}");
            ExitCode::from(1)
        }
    }
}

fn load_options(args: &ProjectArgs, interpolate: bool) -> Result<LoadOptions, compose::Error> {
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
    })
}

fn run(cli: Cli) -> Result<(String, Vec<compose::Warning>), compose::Error> {
    match cli.command {
        Command::Config(args) => {
            let opts = load_options(&cli.project, !args.no_interpolate)?;
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
            Ok((output, loaded.warnings))
        }
    }
}
