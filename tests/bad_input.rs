//! Bad input: every directory under `tests/bad-input/` is a project that must be refused with
//! exit code 1, nothing on stdout, no panic, and exactly the one-line message in its
//! `expected` file (paths inside the case print as `<dir>`). `args` and `env` files set up the
//! run as in the config goldens. A few inputs are generated here rather than committed.

mod support;

use std::path::Path;

fn assert_refused(
    name: &str,
    dir: &Path,
    args: &[String],
    env: &[(String, String)],
    stdin: Option<&[u8]>,
) -> Result<String, String> {
    let out = support::run_in(dir, args, env, stdin);
    let stderr = String::from_utf8_lossy(&out.stderr).replace(&dir.display().to_string(), "<dir>");
    if out.status.code() != Some(1) {
        return Err(format!(
            "{name}: expected exit 1, got {:?}; stderr:\n{stderr}",
            out.status.code()
        ));
    }
    if !out.stdout.is_empty() {
        return Err(format!("{name}: wrote to stdout on failure"));
    }
    if stderr.contains("panicked") {
        return Err(format!("{name}: panicked:\n{stderr}"));
    }
    let errors: Vec<&str> = stderr
        .lines()
        .filter(|l| l.starts_with("error: "))
        .collect();
    if errors.len() != 1 {
        return Err(format!(
            "{name}: expected exactly one error line, got:\n{stderr}"
        ));
    }
    Ok(errors[0].to_owned())
}

#[test]
fn bad_input_cases() {
    let mut failures = Vec::new();
    let dirs = support::case_dirs("tests/bad-input");
    assert!(
        dirs.len() >= 40,
        "expected at least 40 bad-input cases, found {}",
        dirs.len()
    );
    for dir in dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let (args, env) = support::case_args(&dir, &["config"]);
        match assert_refused(&name, &dir, &args, &env, None) {
            Ok(line) => {
                let expected = std::fs::read_to_string(dir.join("expected")).unwrap_or_default();
                if line != expected.trim_end() {
                    failures.push(format!(
                        "{name}:\n  expected: {}\n  actual:   {line}",
                        expected.trim_end()
                    ));
                }
            }
            Err(e) => failures.push(e),
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn alias_bomb_is_refused_quickly() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from(
        "x-a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let mut prev = 'a';
    for c in 'b'..='j' {
        text.push_str(&format!("x-{c}: &{c} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"));
        prev = c;
    }
    text.push_str("services:\n  web:\n    image: nginx\n");
    std::fs::write(dir.path().join("compose.yaml"), text).unwrap();
    let line = assert_refused("alias bomb", dir.path(), &["config".into()], &[], None).unwrap();
    assert!(line.starts_with("error: compose.yaml:"), "{line}");
    assert!(
        line.contains("too large or too many aliases"),
        "a parser limit is not invalid YAML: {line}"
    );
}

#[test]
fn deep_nesting_is_refused_as_too_deep() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "services:\n  web:\n    image: nginx\nx-deep: {}{}\n",
        "[".repeat(100),
        "]".repeat(100)
    );
    std::fs::write(dir.path().join("compose.yaml"), text).unwrap();
    let line = assert_refused("deep nesting", dir.path(), &["config".into()], &[], None).unwrap();
    assert!(line.starts_with("error: compose.yaml:"), "{line}");
    assert!(line.contains("too deeply nested"), "{line}");
}

/// serde-saphyr's default budget stops at 250,000 values; a valid file with more (a
/// generated project of thousands of services) must load, the limits scaling with the file.
#[test]
fn a_file_with_more_values_than_the_default_parser_budget_loads() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("services:\n  web:\n    image: nginx\n    environment:\n");
    for i in 0..260_000 {
        text.push_str(&format!("      - V{i}=1\n"));
    }
    std::fs::write(dir.path().join("compose.yaml"), &text).unwrap();
    let out = support::run_in(
        dir.path(),
        &["config".into(), "--services".into()],
        &[],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn a_file_over_64_mib_is_refused_before_parsing() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("services:\n  web:\n    image: nginx\n    environment:\n");
    let mut i = 0;
    while text.len() < 65 * 1024 * 1024 {
        text.push_str(&format!(
            "      VAR_{i}: value-{i}-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n"
        ));
        i += 1;
    }
    std::fs::write(dir.path().join("compose.yaml"), &text).unwrap();
    let line = assert_refused("65 MB file", dir.path(), &["config".into()], &[], None).unwrap();
    assert_eq!(
        line,
        "error: cannot read compose.yaml: it is 65.0 MiB; compose files are limited to 64 MiB"
    );
    let line = assert_refused(
        "65 MB stdin",
        dir.path(),
        &["-f".into(), "-".into(), "config".into()],
        &[],
        Some(text.as_bytes()),
    )
    .unwrap();
    assert_eq!(
        line,
        "error: cannot read -: standard input holds more than 64 MiB; compose files are limited to 64 MiB"
    );
}

/// Only regular files are read: a FIFO would block forever and a device never end.
#[test]
fn fifos_and_devices_are_refused_without_reading() {
    let dir = tempfile::tempdir().unwrap();
    let made = std::process::Command::new("mkfifo")
        .arg(dir.path().join("compose.yaml"))
        .status()
        .unwrap();
    assert!(made.success());
    let line = assert_refused("fifo", dir.path(), &["convert".into()], &[], None).unwrap();
    assert_eq!(
        line,
        "error: cannot read compose.yaml: it is a FIFO, not a regular file"
    );
    let line = assert_refused(
        "device",
        dir.path(),
        &["-f".into(), "/dev/zero".into(), "convert".into()],
        &[],
        None,
    )
    .unwrap();
    assert_eq!(
        line,
        "error: cannot read /dev/zero: it is a device, not a regular file"
    );

    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx\n    env_file: /dev/zero\n",
    )
    .unwrap();
    let line = assert_refused(
        "env_file outside",
        dir.path(),
        &["convert".into()],
        &[],
        None,
    )
    .unwrap();
    assert!(
        line.ends_with(
            "/dev/zero is outside the project directory; pass --allow-outside-project to read it"
        ),
        "{line}"
    );
    let line = assert_refused(
        "env_file device",
        dir.path(),
        &["convert".into(), "--allow-outside-project".into()],
        &[],
        None,
    )
    .unwrap();
    assert!(
        line.ends_with("cannot read env file /dev/zero: it is a device, not a regular file"),
        "{line}"
    );
    let line = assert_refused(
        "--env-file device",
        dir.path(),
        &["--env-file".into(), "/dev/zero".into(), "convert".into()],
        &[],
        None,
    )
    .unwrap();
    assert!(
        line.ends_with("it is a device, not a regular file"),
        "{line}"
    );
}

#[test]
fn missing_file_and_no_file() {
    let dir = tempfile::tempdir().unwrap();
    let line = assert_refused("no file", dir.path(), &["config".into()], &[], None).unwrap();
    assert!(line.starts_with("error: no configuration file provided: none of compose.yaml, compose.yml, docker-compose.yaml, docker-compose.yml found in "), "{line}");
    let line = assert_refused(
        "missing",
        dir.path(),
        &["-f".into(), "nope.yml".into(), "config".into()],
        &[],
        None,
    )
    .unwrap();
    assert_eq!(
        line,
        "error: cannot read nope.yml: no such file or directory"
    );
}

#[test]
fn long_chains_neither_overflow_nor_hang() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = String::from("services:\n");
    for i in 0..30_000 {
        text.push_str(&format!(
            "  s{i}:\n    image: a\n    depends_on: [s{}]\n",
            i + 1
        ));
    }
    text.push_str("  s30000:\n    image: a\n");
    std::fs::write(dir.path().join("compose.yaml"), &text).unwrap();
    let out = support::run_in(
        dir.path(),
        &["config".into(), "--services".into()],
        &[],
        None,
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );

    let mut text = String::from("services:\n");
    for i in 0..1_000 {
        text.push_str(&format!("  s{i}:\n    extends: s{}\n", i + 1));
    }
    text.push_str("  s1000:\n    image: a\n");
    std::fs::write(dir.path().join("compose.yaml"), &text).unwrap();
    let line = assert_refused("extends chain", dir.path(), &["config".into()], &[], None).unwrap();
    assert!(
        line.ends_with("extends chain is longer than 64 services"),
        "{line}"
    );
}

/// An error quoting a huge or hostile value stays one readable line: control characters
/// and text-reordering characters escaped, the line cut with the count of what was left out.
#[test]
fn error_lines_are_bounded_and_escaped() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        format!(
            "services:\n  web:\n    image: nginx\n    ports: [\"{}\"]\n",
            "9".repeat(100_000)
        ),
    )
    .unwrap();
    let line = assert_refused("huge value", dir.path(), &["config".into()], &[], None).unwrap();
    assert!(line.len() < 2_200, "{} bytes", line.len());
    assert!(line.ends_with("more characters)"), "{line}");

    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx\n    ports: [\"80\\u202E\\u0007\"]\n",
    )
    .unwrap();
    let line = assert_refused("hostile value", dir.path(), &["config".into()], &[], None).unwrap();
    assert!(
        !line.contains('\u{202E}') && !line.contains('\u{7}'),
        "{line:?}"
    );
    assert!(line.contains("\\u{202e}"), "{line}");
}

/// Output that cannot be written (a full disk) is an error line and exit 1.
#[test]
fn a_full_disk_is_an_error() {
    let Ok(full) = std::fs::OpenOptions::new().write(true).open("/dev/full") else {
        eprintln!("skipping: no /dev/full");
        return;
    };
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("examples/wordpress");
    let out = std::process::Command::new(support::bin())
        .current_dir(&dir)
        .arg("convert")
        .stdout(full)
        .stderr(std::process::Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr
            .lines()
            .last()
            .unwrap_or_default()
            .starts_with("error: cannot write standard output:"),
        "{stderr}"
    );
}

/// Files named in a compose file are checked on their resolved path: a link inside the
/// project to /etc carries nothing of /etc into the output.
#[test]
fn symbolic_links_do_not_carry_outside_files_in() {
    use std::os::unix::fs::symlink;
    let dir = tempfile::tempdir().unwrap();
    symlink("/etc", dir.path().join("etclink")).unwrap();
    symlink("/etc/hostname", dir.path().join("hostname")).unwrap();
    let cases = [
        (
            "configs: [c]\nconfigs:\n  c:\n    file: ./etclink/passwd\n",
            "configs.c.file",
        ),
        (
            "secrets: [s]\nsecrets:\n  s:\n    file: ./hostname\n",
            "secrets.s.file",
        ),
        ("env_file: ./etclink/hostname\n", "services.web.env_file[0]"),
        ("label_file: ./hostname\n", "services.web.label_file[0]"),
    ];
    for (tail, key) in cases {
        std::fs::write(
            dir.path().join("compose.yaml"),
            format!("services:\n  web:\n    image: nginx\n    {tail}"),
        )
        .unwrap();
        let line = assert_refused(key, dir.path(), &["convert".into()], &[], None).unwrap();
        assert!(line.contains(key), "{line}");
        assert!(line.contains("outside the project directory"), "{line}");
    }
    // A bind mount through the link is a path on the node, never a ConfigMap of its file.
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx\n    volumes: ['./hostname:/h:ro']\n",
    )
    .unwrap();
    let out = support::run_in(dir.path(), &["convert".into()], &[], None);
    assert!(out.status.success());
    let manifests = String::from_utf8_lossy(&out.stdout);
    assert!(manifests.contains("hostPath:"), "{manifests}");
    assert!(!manifests.contains("kind: ConfigMap"), "{manifests}");
}

/// The project's `.env` may not be a link out of the project; COMPOSE_DISABLE_ENV_FILE
/// takes the values docker compose takes (`1` included) and skips it.
#[test]
fn a_dot_env_linked_outside_is_refused_unless_disabled() {
    let dir = tempfile::tempdir().unwrap();
    std::os::unix::fs::symlink("/etc/hostname", dir.path().join(".env")).unwrap();
    std::fs::write(
        dir.path().join("compose.yaml"),
        "services:\n  web:\n    image: nginx\n",
    )
    .unwrap();
    let line = assert_refused(".env link", dir.path(), &["convert".into()], &[], None).unwrap();
    assert_eq!(
        line,
        "error: .env links outside the project directory; pass --allow-outside-project to read it"
    );
    let env = [("COMPOSE_DISABLE_ENV_FILE".to_owned(), "1".to_owned())];
    let out = support::run_in(dir.path(), &["convert".into()], &env, None);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}
