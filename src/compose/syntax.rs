//! Parsers for compose's short syntaxes: durations, byte sizes, ports, volumes, extra_hosts,
//! devices, booleans, integers, file modes and project names. Each returns a one-line message
//! saying what is wrong and what would be valid; the caller adds file, place and path.

/// Durations in nanoseconds: `[-+]?(\d*(\.\d*)?(ns|us|µs|μs|ms|s|m|h|d|w))+` or `0`.
pub fn parse_duration(s: &str) -> Result<i64, String> {
    let err = || {
        format!("invalid duration \"{s}\": expected a number with a unit, e.g. 30s, 1m30s, 500ms")
    };
    if s == "0" {
        return Ok(0);
    }
    let (negative, body) = match s.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, s.strip_prefix('+').unwrap_or(s)),
    };
    if body.is_empty() {
        return Err(err());
    }
    let mut total: f64 = 0.0;
    let mut rest = body;
    while !rest.is_empty() {
        let num_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let num = &rest[..num_len];
        if num.is_empty() || num == "." {
            return Err(err());
        }
        rest = &rest[num_len..];
        let unit_len = rest
            .find(|c: char| c.is_ascii_digit() || c == '.')
            .unwrap_or(rest.len());
        let unit = &rest[..unit_len];
        rest = &rest[unit_len..];
        let mult: f64 = match unit {
            "ns" => 1.0,
            "us" | "µs" | "μs" => 1e3,
            "ms" => 1e6,
            "s" => 1e9,
            "m" => 60e9,
            "h" => 3600e9,
            "d" => 86_400e9,
            "w" => 604_800e9,
            "" => {
                return Err(format!(
                    "invalid duration \"{s}\": a unit is required, e.g. 30s, 1m30s, 500ms"
                ));
            }
            _ => return Err(err()),
        };
        let value: f64 = num.parse().map_err(|_| err())?;
        total += value * mult;
    }
    if !total.is_finite() || total > i64::MAX as f64 {
        return Err(format!("invalid duration \"{s}\": too large"));
    }
    let ns = total.round() as i64;
    Ok(if negative { -ns } else { ns })
}

/// Go's `time.Duration.String()`: `1m30s`, `2m0s`, `500ms`, `1.5s`, `0s`, `1h0m0s`.
pub fn format_duration(nanos: i64) -> String {
    if nanos == 0 {
        return "0s".into();
    }
    let sign = if nanos < 0 { "-" } else { "" };
    let u = nanos.unsigned_abs();
    if u < 1_000_000_000 {
        let (unit, div) = if u < 1_000 {
            ("ns", 1)
        } else if u < 1_000_000 {
            ("µs", 1_000)
        } else {
            ("ms", 1_000_000)
        };
        return format!("{sign}{}{unit}", fraction(u, div));
    }
    let h = u / 3_600_000_000_000;
    let m = (u / 60_000_000_000) % 60;
    let s_ns = u % 60_000_000_000;
    let secs = fraction(s_ns, 1_000_000_000);
    if h > 0 {
        format!("{sign}{h}h{m}m{secs}s")
    } else if m > 0 {
        format!("{sign}{m}m{secs}s")
    } else {
        format!("{sign}{secs}s")
    }
}

/// `value / div` with the fraction's trailing zeros removed, as Go prints durations.
fn fraction(value: u64, div: u64) -> String {
    let whole = value / div;
    let rem = value % div;
    if rem == 0 {
        return whole.to_string();
    }
    let digits = div.ilog10() as usize;
    let frac = format!("{rem:0digits$}");
    format!("{whole}.{}", frac.trim_end_matches('0'))
}

/// Byte sizes as compose-go's `UnitBytes`: an integer, or a number with a binary unit
/// (`512m`, `1gb`, `50M`, `1.5g`, `2b`).
pub fn parse_bytes(s: &str) -> Result<i64, String> {
    let err = || {
        format!("invalid size \"{s}\": expected bytes or a number with a unit such as 512m or 1gb")
    };
    if let Ok(n) = s.parse::<i64>() {
        return Ok(n);
    }
    let lower = s.to_ascii_lowercase();
    let mut t = lower.as_str();
    t = t.strip_suffix('b').unwrap_or(t);
    t = t.strip_suffix('i').unwrap_or(t);
    let (num, shift) = match t.as_bytes().last() {
        Some(b'k') => (&t[..t.len() - 1], 10),
        Some(b'm') => (&t[..t.len() - 1], 20),
        Some(b'g') => (&t[..t.len() - 1], 30),
        Some(b't') => (&t[..t.len() - 1], 40),
        Some(b'p') => (&t[..t.len() - 1], 50),
        _ => (t, 0),
    };
    let num = num.strip_suffix(' ').unwrap_or(num);
    if num.is_empty() || !num.chars().all(|c| c.is_ascii_digit() || c == '.') {
        return Err(err());
    }
    let value: f64 = num.parse().map_err(|_| err())?;
    let bytes = value * (1u64 << shift) as f64;
    if !bytes.is_finite() || bytes > i64::MAX as f64 {
        return Err(err());
    }
    Ok(bytes as i64)
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PortSpec {
    pub host_ip: Option<String>,
    pub target: u16,
    pub published: Option<String>,
    pub protocol: String,
}

const PORT_SYNTAX: &str = "expected [[ip:](port|range):](port|range)[/tcp|udp|sctp]";

/// The most ports one range may hold. Each becomes a container port and a Service port;
/// a pod or Service with tens of thousands of them is not something a cluster serves, and
/// docker's `1-65535` would make megabytes of manifests.
pub const MAX_PORT_RANGE: u32 = 1000;

fn bounded(a: u16, b: u16, part: &str, spec: &str) -> Result<(u16, u16), String> {
    let count = u32::from(b) - u32::from(a) + 1;
    if count > MAX_PORT_RANGE {
        return Err(format!(
            "invalid port \"{spec}\": range {part} holds {count} ports; ranges are limited to {MAX_PORT_RANGE} ports (each becomes a container port and a Service port)"
        ));
    }
    Ok((a, b))
}

fn port_range(part: &str, spec: &str) -> Result<(u16, u16), String> {
    let parse = |p: &str| -> Result<u16, String> {
        if p.is_empty() || !p.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("invalid port \"{spec}\": {PORT_SYNTAX}"));
        }
        p.parse::<u32>()
            .ok()
            .and_then(|n| u16::try_from(n).ok())
            .ok_or_else(|| format!("invalid port \"{spec}\": port {p} is out of range 0-65535"))
    };
    let (a, b) = match part.split_once('-') {
        Some((a, b)) => (parse(a)?, parse(b)?),
        None => {
            let p = parse(part)?;
            (p, p)
        }
    };
    if a > b {
        return Err(format!(
            "invalid port \"{spec}\": range {part} ends before it starts"
        ));
    }
    Ok((a, b))
}

/// Short port syntax, one entry per container port, sorted as compose-go sorts them
/// (lexicographically by `"<port>/<proto>"`).
pub fn parse_ports(spec: &str) -> Result<Vec<PortSpec>, String> {
    let (rest, proto) = match spec.rsplit_once('/') {
        Some((r, p)) => (r, p.to_ascii_lowercase()),
        None => (spec, "tcp".to_owned()),
    };
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!(
            "invalid port \"{spec}\": protocol \"{proto}\" is not tcp, udp or sctp"
        ));
    }
    let parts: Vec<&str> = rest.split(':').collect();
    let (ip, host, container) = match parts.len() {
        1 => (None, None, parts[0]),
        2 => (None, Some(parts[0]), parts[1]),
        n => (
            Some(parts[..n - 2].join(":")),
            Some(parts[n - 2]),
            parts[n - 1],
        ),
    };
    let ip = match ip {
        // `${BIND_IP:-}:80:80` leaves the address empty: no address, as in compose-go.
        Some(ip) if ip.is_empty() => None,
        Some(ip) => {
            let bare = ip
                .strip_prefix('[')
                .and_then(|x| x.strip_suffix(']'))
                .unwrap_or(&ip)
                .to_owned();
            if bare.parse::<std::net::IpAddr>().is_err() {
                return Err(format!(
                    "invalid port \"{spec}\": invalid ip address {bare}"
                ));
            }
            Some(bare)
        }
        None => None,
    };
    let (c1, c2) = port_range(container, spec)?;
    let (c1, c2) = bounded(c1, c2, container, spec)?;
    let host = match host {
        Some(h) if !h.is_empty() => Some(port_range(h, spec)?),
        _ => None,
    };
    let mut out = Vec::new();
    for (i, target) in (c1..=c2).enumerate() {
        let published = match host {
            None => None,
            Some((h1, h2)) if c1 == c2 && h1 != h2 => Some(format!("{h1}-{h2}")),
            Some((h1, h2)) => {
                if u32::from(h2) - u32::from(h1) != u32::from(c2) - u32::from(c1) {
                    return Err(format!(
                        "invalid port \"{spec}\": invalid ranges specified for container and host ports: they must be the same length"
                    ));
                }
                Some((u32::from(h1) + i as u32).to_string())
            }
        };
        out.push(PortSpec {
            host_ip: ip.clone(),
            target,
            published,
            protocol: proto.clone(),
        });
    }
    out.sort_by_key(|p| format!("{}/{}", p.target, p.protocol));
    Ok(out)
}

/// `expose` entries: `port[/proto]` or `a-b[/proto]`.
pub fn parse_expose(spec: &str) -> Result<(u16, u16, String), String> {
    let (range, proto) = match spec.split_once('/') {
        Some((r, p)) => (r, p.to_ascii_lowercase()),
        None => (spec, "tcp".to_owned()),
    };
    if !matches!(proto.as_str(), "tcp" | "udp" | "sctp") {
        return Err(format!(
            "invalid expose \"{spec}\": protocol \"{proto}\" is not tcp, udp or sctp"
        ));
    }
    let (a, b) = port_range(range, spec)?;
    let (a, b) = bounded(a, b, range, spec)?;
    Ok((a, b, proto))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VolumeKind {
    Bind,
    Volume,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VolumeSpec {
    pub kind: VolumeKind,
    pub source: Option<String>,
    pub target: String,
    pub read_only: bool,
    pub nocopy: bool,
    pub selinux: Option<String>,
    pub propagation: Option<String>,
}

/// Splits on `:` except inside `${…}` and after a single-letter Windows drive.
fn split_volume(spec: &str) -> Vec<String> {
    let mut parts = Vec::new();
    let mut current = String::new();
    let mut depth = 0usize;
    let chars: Vec<char> = spec.chars().collect();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c == '$' && chars.get(i + 1) == Some(&'{') {
            depth += 1;
            current.push(c);
        } else if c == '}' && depth > 0 {
            depth -= 1;
            current.push(c);
        } else if c == ':' && depth == 0 {
            let drive = current.len() == 1
                && current.chars().all(|d| d.is_ascii_alphabetic())
                && matches!(chars.get(i + 1), Some('\\') | Some('/'));
            if drive {
                current.push(c);
            } else {
                parts.push(std::mem::take(&mut current));
            }
        } else {
            current.push(c);
        }
        i += 1;
    }
    parts.push(current);
    parts
}

/// Short volume syntax `[source:]target[:options]`.
pub fn parse_volume(spec: &str) -> Result<VolumeSpec, String> {
    if spec.is_empty() {
        return Err("invalid empty volume spec: expected [source:]target[:ro]".into());
    }
    let parts = split_volume(spec);
    if parts.len() > 3 {
        return Err(format!(
            "invalid spec: {spec}: too many colons; expected [source:]target[:options]"
        ));
    }
    if parts.iter().any(String::is_empty) {
        return Err(format!(
            "invalid spec: {spec}: empty section between colons"
        ));
    }
    let (source, target, options) = match parts.as_slice() {
        [t] => (None, t.clone(), String::new()),
        [s, t] => (Some(s.clone()), t.clone(), String::new()),
        [s, t, o] => (Some(s.clone()), t.clone(), o.clone()),
        _ => unreachable!("checked above"),
    };
    let kind = match &source {
        Some(s)
            if s.starts_with(['.', '/', '~'])
                || s.starts_with("\\\\")
                || (s.len() >= 2
                    && s.as_bytes()[0].is_ascii_alphabetic()
                    && s.as_bytes()[1] == b':') =>
        {
            VolumeKind::Bind
        }
        _ => VolumeKind::Volume,
    };
    let mut v = VolumeSpec {
        kind,
        source,
        target: clean_path(&target),
        read_only: false,
        nocopy: false,
        selinux: None,
        propagation: None,
    };
    for option in options.split(',') {
        match option {
            "ro" => v.read_only = true,
            "rw" => v.read_only = false,
            "nocopy" => v.nocopy = true,
            "z" | "Z" => v.selinux = Some(option.to_owned()),
            "rprivate" | "private" | "rshared" | "shared" | "rslave" | "slave" => {
                v.propagation = Some(option.to_owned());
            }
            _ => {}
        }
    }
    Ok(v)
}

/// Go's `path.Clean` for `/`-separated paths.
pub fn clean_path(p: &str) -> String {
    if p.is_empty() {
        return ".".into();
    }
    let absolute = p.starts_with('/');
    let mut out: Vec<&str> = Vec::new();
    for part in p.split('/') {
        match part {
            "" | "." => {}
            ".." => {
                if out.last().is_some_and(|l| *l != "..") {
                    out.pop();
                } else if !absolute {
                    out.push("..");
                }
            }
            other => out.push(other),
        }
    }
    let joined = out.join("/");
    match (absolute, joined.is_empty()) {
        (true, _) => format!("/{joined}"),
        (false, true) => ".".into(),
        (false, false) => joined,
    }
}

/// One `extra_hosts` entry: `host=ip[,ip2]` or `host:ip`.
pub fn parse_extra_host(entry: &str) -> Result<(String, Vec<String>), String> {
    let (host, ips) = entry
        .split_once('=')
        .or_else(|| entry.split_once(':'))
        .ok_or_else(|| {
            format!("invalid additional host, missing IP: \"{entry}\": expected host=ip")
        })?;
    let host = host.trim();
    if host.is_empty() || host.contains(char::is_whitespace) {
        return Err(format!("bad host name \"{host}\": expected host=ip"));
    }
    let ips: Vec<String> = ips
        .split(',')
        .map(|ip| {
            let ip = ip.trim();
            ip.strip_prefix('[')
                .and_then(|x| x.strip_suffix(']'))
                .unwrap_or(ip)
                .to_owned()
        })
        .collect();
    if ips.iter().any(String::is_empty) {
        return Err(format!(
            "invalid additional host, missing IP: \"{entry}\": expected host=ip"
        ));
    }
    Ok((host.to_owned(), ips))
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeviceSpec {
    pub source: String,
    pub target: String,
    pub permissions: String,
}

/// `HOST[:CONT[:perms]]`, or a CDI name `vendor/class=name`.
pub fn parse_device(spec: &str) -> Result<DeviceSpec, String> {
    if spec.contains('=') && !spec.starts_with('/') {
        return Ok(DeviceSpec {
            source: spec.into(),
            target: spec.into(),
            permissions: "rwm".into(),
        });
    }
    let parts: Vec<&str> = spec.split(':').collect();
    let (source, target, permissions) = match parts.as_slice() {
        [s] => (*s, *s, "rwm"),
        [s, t] => (*s, *t, "rwm"),
        [s, t, p] => (*s, *t, *p),
        _ => {
            return Err(format!(
                "confusing device mapping, please use long syntax: {spec}"
            ));
        }
    };
    if source.is_empty() {
        return Err(format!(
            "invalid device \"{spec}\": expected HOST[:CONTAINER[:rwm]]"
        ));
    }
    Ok(DeviceSpec {
        source: source.into(),
        target: if target.is_empty() { source } else { target }.into(),
        permissions: permissions.into(),
    })
}

/// compose's boolean casts; the second value says a YAML 1.1 spelling was used.
pub fn parse_bool(s: &str) -> Result<(bool, bool), String> {
    match s.to_ascii_lowercase().as_str() {
        "true" => Ok((true, false)),
        "false" => Ok((false, false)),
        "y" | "yes" | "on" => Ok((true, true)),
        "n" | "no" | "off" => Ok((false, true)),
        _ => Err(format!("invalid boolean \"{s}\": expected true or false")),
    }
}

/// Go's `strconv.ParseInt(s, 0, 64)` after removing `_`.
pub fn parse_int(s: &str) -> Result<i64, String> {
    let err = || format!("invalid integer \"{s}\": expected a whole number");
    let cleaned: String = s.chars().filter(|c| *c != '_').collect();
    let (negative, body) = match cleaned.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, cleaned.strip_prefix('+').unwrap_or(&cleaned)),
    };
    let lower = body.to_ascii_lowercase();
    let (digits, radix) = if let Some(h) = lower.strip_prefix("0x") {
        (h, 16)
    } else if let Some(o) = lower.strip_prefix("0o") {
        (o, 8)
    } else if let Some(b) = lower.strip_prefix("0b") {
        (b, 2)
    } else if lower.len() > 1 && lower.starts_with('0') {
        (&lower[1..], 8)
    } else {
        (lower.as_str(), 10)
    };
    if digits.is_empty() || digits.starts_with(['+', '-']) {
        return Err(err());
    }
    let magnitude = i128::from_str_radix(digits, radix).map_err(|_| err())?;
    let value = if negative { -magnitude } else { magnitude };
    i64::try_from(value).map_err(|_| err())
}

/// An octal file mode from a string: `0440`, `440`, `0o440`.
pub fn parse_mode(s: &str) -> Result<u32, String> {
    let digits = s.strip_prefix("0o").unwrap_or(s);
    u32::from_str_radix(digits, 8)
        .ok()
        .filter(|m| *m <= 0o7777)
        .ok_or_else(|| format!("invalid file mode \"{s}\": expected an octal mode such as 0440"))
}

/// Lower-case, keep `[a-z0-9_-]`, trim leading `_` and `-`.
pub fn normalize_project_name(s: &str) -> String {
    s.to_lowercase()
        .chars()
        .filter(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || *c == '_' || *c == '-')
        .collect::<String>()
        .trim_start_matches(['_', '-'])
        .to_owned()
}

/// Valid iff `^[a-z0-9][a-z0-9_-]*$`.
pub fn validate_project_name(s: &str) -> Result<(), String> {
    let valid = s
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_lowercase() || c.is_ascii_digit())
        && s.chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '_' || c == '-');
    if valid {
        Ok(())
    } else {
        Err(format!(
            "invalid project name \"{s}\": must consist only of lowercase alphanumeric characters, hyphens, and underscores as well as start with a letter or number"
        ))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations() {
        assert_eq!(parse_duration("1m30s"), Ok(90_000_000_000));
        assert_eq!(parse_duration("500ms"), Ok(500_000_000));
        assert_eq!(parse_duration("1h5m30s20ms"), Ok(3_930_020_000_000));
        assert_eq!(parse_duration("1.5s"), Ok(1_500_000_000));
        assert_eq!(parse_duration("2d"), Ok(172_800_000_000_000));
        assert_eq!(parse_duration("0"), Ok(0));
        assert_eq!(parse_duration("-1m"), Ok(-60_000_000_000));
        assert!(
            parse_duration("30")
                .unwrap_err()
                .contains("a unit is required")
        );
        assert!(parse_duration("10 seconds").is_err());
        assert!(parse_duration("").is_err());
        assert!(parse_duration("s").is_err());
        assert!(parse_duration("1é").is_err());
    }

    #[test]
    fn go_duration_strings() {
        for (ns, s) in [
            (90_000_000_000, "1m30s"),
            (120_000_000_000, "2m0s"),
            (20_000_000_000, "20s"),
            (500_000_000, "500ms"),
            (1_500_000_000, "1.5s"),
            (0, "0s"),
            (3_600_000_000_000, "1h0m0s"),
            (-60_000_000_000, "-1m0s"),
            (1_000, "1µs"),
            (1, "1ns"),
        ] {
            assert_eq!(format_duration(ns), s);
        }
    }

    #[test]
    fn byte_sizes() {
        assert_eq!(parse_bytes("512m"), Ok(536_870_912));
        assert_eq!(parse_bytes("1gb"), Ok(1_073_741_824));
        assert_eq!(parse_bytes("50M"), Ok(52_428_800));
        assert_eq!(parse_bytes("2b"), Ok(2));
        assert_eq!(parse_bytes("1.5g"), Ok(1_610_612_736));
        assert_eq!(parse_bytes("-1"), Ok(-1));
        assert_eq!(parse_bytes("64 MiB"), Ok(67_108_864));
        for bad in ["lots", "", "m", "1x", "1é", "-5m"] {
            assert!(parse_bytes(bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn ports() {
        let p = parse_ports("127.0.0.1:8080-8081:80-81/udp").unwrap();
        assert_eq!(p.len(), 2);
        assert_eq!(p[0].host_ip.as_deref(), Some("127.0.0.1"));
        assert_eq!((p[1].target, p[1].published.as_deref()), (81, Some("8081")));
        assert_eq!(p[0].protocol, "udp");
        let p = parse_ports("::1:6000:6000").unwrap();
        assert_eq!(p[0].host_ip.as_deref(), Some("::1"));
        assert_eq!(parse_ports(":2283:2283").unwrap()[0].host_ip, None);
        let p = parse_ports("[::1]:6000:6000").unwrap();
        assert_eq!(p[0].host_ip.as_deref(), Some("::1"));
        assert_eq!(parse_ports("3001-3005").unwrap().len(), 5);
        let p = parse_ports("8000-9000:80").unwrap();
        assert_eq!(p[0].published.as_deref(), Some("8000-9000"));
        let order: Vec<u16> = parse_ports("98-101")
            .unwrap()
            .iter()
            .map(|p| p.target)
            .collect();
        assert_eq!(order, [100, 101, 98, 99]);
        assert_eq!(parse_ports("8600").unwrap()[0].published, None);
        assert!(
            parse_ports("70000:80")
                .unwrap_err()
                .contains("out of range")
        );
        assert!(parse_ports("80/http").is_err());
        assert!(
            parse_ports("127.0.1:80:80")
                .unwrap_err()
                .contains("invalid ip address")
        );
        assert!(parse_ports("8000-8002:9000-9001").is_err());
        assert!(parse_ports("90-80").is_err());
        assert!(parse_ports("").is_err());
    }

    #[test]
    fn expose() {
        assert_eq!(parse_expose("80"), Ok((80, 80, "tcp".into())));
        assert_eq!(
            parse_expose("7001-7002/udp"),
            Ok((7001, 7002, "udp".into()))
        );
        assert!(parse_expose("x").is_err());
    }

    #[test]
    fn volumes() {
        let v = parse_volume("./data:/var/lib/x:ro").unwrap();
        assert_eq!(v.kind, VolumeKind::Bind);
        assert!(v.read_only);
        let v = parse_volume("data:/x/../y/:nocopy,z").unwrap();
        assert_eq!(
            (v.kind, v.target.as_str(), v.nocopy),
            (VolumeKind::Volume, "/y", true)
        );
        assert_eq!(v.selinux.as_deref(), Some("z"));
        let v = parse_volume("/anonymous").unwrap();
        assert_eq!(v.source, None);
        let v = parse_volume("${DATA:-./d}:/d").unwrap();
        assert_eq!(v.source.as_deref(), Some("${DATA:-./d}"));
        let v = parse_volume("C:\\data:/d").unwrap();
        assert_eq!(v.kind, VolumeKind::Bind);
        let v = parse_volume("/:/rootfs:ro,rslave").unwrap();
        assert_eq!(v.propagation.as_deref(), Some("rslave"));
        assert!(
            parse_volume("a:b:c:d")
                .unwrap_err()
                .contains("too many colons")
        );
        assert!(parse_volume("a::b").unwrap_err().contains("empty section"));
        assert!(parse_volume("").is_err());
    }

    #[test]
    fn clean_paths() {
        assert_eq!(clean_path("/a/./b/../c/"), "/a/c");
        assert_eq!(clean_path("a/../.."), "..");
        assert_eq!(clean_path("/.."), "/");
        assert_eq!(clean_path(""), ".");
    }

    #[test]
    fn extra_hosts() {
        assert_eq!(
            parse_extra_host("a=1.2.3.4"),
            Ok(("a".into(), vec!["1.2.3.4".into()]))
        );
        assert_eq!(
            parse_extra_host("a:1.2.3.4"),
            Ok(("a".into(), vec!["1.2.3.4".into()]))
        );
        assert_eq!(
            parse_extra_host("a=[::1]"),
            Ok(("a".into(), vec!["::1".into()]))
        );
        assert_eq!(parse_extra_host("a=1.1.1.1,2.2.2.2").unwrap().1.len(), 2);
        assert!(parse_extra_host("nohost").is_err());
        assert!(parse_extra_host("a=").is_err());
    }

    #[test]
    fn devices() {
        let d = parse_device("/dev/sda:/dev/xvda:r").unwrap();
        assert_eq!(
            (d.target.as_str(), d.permissions.as_str()),
            ("/dev/xvda", "r")
        );
        assert_eq!(parse_device("/dev/x").unwrap().permissions, "rwm");
        assert_eq!(
            parse_device("nvidia.com/gpu=all").unwrap().source,
            "nvidia.com/gpu=all"
        );
        assert!(parse_device("a:b:c:d").unwrap_err().contains("confusing"));
    }

    #[test]
    fn booleans_integers_modes() {
        assert_eq!(parse_bool("TRUE"), Ok((true, false)));
        assert_eq!(parse_bool("yes"), Ok((true, true)));
        assert_eq!(parse_bool("off"), Ok((false, true)));
        assert!(parse_bool("maybe").is_err());
        assert_eq!(parse_int("0440"), Ok(288));
        assert_eq!(parse_int("0x1F"), Ok(31));
        assert_eq!(parse_int("0o10"), Ok(8));
        assert_eq!(parse_int("0b101"), Ok(5));
        assert_eq!(parse_int("1_000"), Ok(1000));
        assert_eq!(parse_int("-3"), Ok(-3));
        assert_eq!(parse_int("0"), Ok(0));
        assert!(parse_int("99999999999999999999").is_err());
        assert!(parse_int("1.5").is_err());
        assert!(parse_int("--1").is_err());
        assert_eq!(parse_mode("0440"), Ok(288));
        assert_eq!(parse_mode("0o644"), Ok(420));
        assert!(parse_mode("0999").is_err());
    }

    #[test]
    fn project_names() {
        assert_eq!(
            normalize_project_name("UNNORMALIZED PATH"),
            "unnormalizedpath"
        );
        assert_eq!(normalize_project_name("_-My.App-1"), "myapp-1");
        assert!(validate_project_name("my_project-1").is_ok());
        assert!(validate_project_name("My Project").is_err());
        assert!(validate_project_name("-x").is_err());
        assert!(validate_project_name("").is_err());
    }
}
