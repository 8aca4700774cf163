//! What the conversion may ask of the project directory, through one narrow interface that
//! tests replace with an in-memory tree: does a bind-mounted path exist, is it a file, a
//! directory or a socket, how big is it, what does it hold.

use std::collections::BTreeMap;
use std::io;
use std::path::{Path, PathBuf};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Kind {
    File,
    Dir,
    Socket,
    /// Devices, fifos and anything else.
    Other,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Entry {
    pub kind: Kind,
    /// Bytes, for files; 0 otherwise.
    pub size: u64,
}

pub trait ProjectFiles {
    /// What is at `path` (symbolic links followed), or None when nothing is.
    fn stat(&self, path: &Path) -> Option<Entry>;
    /// A file's contents.
    fn read(&self, path: &Path) -> io::Result<Vec<u8>>;
    /// The entries directly inside a directory, sorted by name.
    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>>;
    /// The path with symbolic links resolved, where it exists: what "inside the project"
    /// is checked on, so that a link cannot carry a file from elsewhere into the output.
    fn canonical(&self, path: &Path) -> PathBuf {
        path.to_path_buf()
    }
}

/// Whether `path` lies under `dir` once both have their symbolic links resolved.
pub fn is_inside(files: &dyn ProjectFiles, path: &Path, dir: &Path) -> bool {
    files.canonical(path).starts_with(files.canonical(dir))
}

/// The largest file of the project read for the conversion (a config, a secret, a
/// bind-mounted file): Kubernetes keeps ConfigMaps and Secrets under 1 MiB anyway.
pub const MAX_PROJECT_FILE_BYTES: u64 = 16 * 1024 * 1024;

/// The largest env or label file read: they hold variables, a few KiB at most.
pub const MAX_ENV_FILE_BYTES: u64 = 4 * 1024 * 1024;

/// The real file system.
#[derive(Debug, Clone, Copy, Default)]
pub struct Disk;

impl ProjectFiles for Disk {
    fn stat(&self, path: &Path) -> Option<Entry> {
        let meta = std::fs::metadata(path).ok()?;
        let kind = if meta.is_file() {
            Kind::File
        } else if meta.is_dir() {
            Kind::Dir
        } else if is_socket(&meta) {
            Kind::Socket
        } else {
            Kind::Other
        };
        Some(Entry {
            kind,
            size: if meta.is_file() { meta.len() } else { 0 },
        })
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        read_regular(path, MAX_PROJECT_FILE_BYTES).map_err(|e| match e {
            ReadError::Io(e) => e,
            other => io::Error::other(other.to_string()),
        })
    }

    fn canonical(&self, path: &Path) -> PathBuf {
        // A path that does not exist yet (a config file still to be written) resolves
        // through its nearest existing ancestor.
        let mut rest = Vec::new();
        let mut current = path;
        loop {
            if let Ok(real) = std::fs::canonicalize(current) {
                return rest.iter().rev().fold(real, |p, part| p.join(part));
            }
            match (current.parent(), current.file_name()) {
                (Some(parent), Some(name)) => {
                    rest.push(name.to_owned());
                    current = parent;
                }
                _ => return path.to_path_buf(),
            }
        }
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        let mut out = std::fs::read_dir(dir)?
            .map(|e| e.map(|e| e.path()))
            .collect::<io::Result<Vec<_>>>()?;
        out.sort();
        Ok(out)
    }
}

/// Why a file could not be read.
#[derive(Debug)]
pub enum ReadError {
    Io(io::Error),
    /// Not a regular file: what it is instead (`a directory`, `a FIFO`, `a device`…).
    NotAFile(&'static str),
    /// Larger than the limit: its size, or the limit plus one when it cannot be known.
    TooLarge(u64),
}

impl std::fmt::Display for ReadError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            ReadError::Io(e) => match e.kind() {
                io::ErrorKind::NotFound => f.write_str("no such file or directory"),
                io::ErrorKind::PermissionDenied => f.write_str("permission denied"),
                _ => write!(f, "{e}"),
            },
            ReadError::NotAFile(what) => write!(f, "it is {what}, not a regular file"),
            ReadError::TooLarge(size) => write!(f, "it is {}", size_text(*size)),
        }
    }
}

/// `12.0 MiB`, `300 KiB`, `20 bytes`.
pub fn size_text(bytes: u64) -> String {
    match bytes {
        b if b >= 1024 * 1024 => format!("{:.1} MiB", b as f64 / (1024.0 * 1024.0)),
        b if b >= 1024 => format!("{} KiB", b / 1024),
        b => format!("{b} bytes"),
    }
}

/// Reads a regular file of at most `limit` bytes.
///
/// Every file compose2kube reads goes through here. Anything but a regular file (after
/// symbolic links) is refused before it is read: a FIFO would block, `/dev/zero` would
/// never end. The file is opened without blocking (a FIFO put in its place between the
/// check and the open cannot hang the run), checked again once open, and read through a
/// limit, so that a file growing while it is read stays bounded too.
pub fn read_regular(path: &Path, limit: u64) -> Result<Vec<u8>, ReadError> {
    use std::io::Read;
    let kind_of = |meta: &std::fs::Metadata| -> Option<&'static str> {
        let t = meta.file_type();
        if t.is_file() {
            None
        } else if t.is_dir() {
            Some("a directory")
        } else {
            Some(special_kind(&t))
        }
    };
    let meta = std::fs::metadata(path).map_err(ReadError::Io)?;
    if let Some(what) = kind_of(&meta) {
        return Err(ReadError::NotAFile(what));
    }
    if meta.len() > limit {
        return Err(ReadError::TooLarge(meta.len()));
    }
    let file = open_nonblocking(path).map_err(ReadError::Io)?;
    let meta = file.metadata().map_err(ReadError::Io)?;
    if let Some(what) = kind_of(&meta) {
        return Err(ReadError::NotAFile(what));
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    file.take(limit + 1)
        .read_to_end(&mut bytes)
        .map_err(ReadError::Io)?;
    if bytes.len() as u64 > limit {
        return Err(ReadError::TooLarge(limit + 1));
    }
    Ok(bytes)
}

#[cfg(target_os = "linux")]
fn open_nonblocking(path: &Path) -> io::Result<std::fs::File> {
    use std::os::unix::fs::OpenOptionsExt;
    let flags = rustix::fs::OFlags::NONBLOCK.bits();
    std::fs::OpenOptions::new()
        .read(true)
        .custom_flags(i32::try_from(flags).unwrap_or(0))
        .open(path)
}

#[cfg(not(target_os = "linux"))]
fn open_nonblocking(path: &Path) -> io::Result<std::fs::File> {
    std::fs::File::open(path)
}

#[cfg(unix)]
fn special_kind(t: &std::fs::FileType) -> &'static str {
    use std::os::unix::fs::FileTypeExt;
    if t.is_fifo() {
        "a FIFO"
    } else if t.is_char_device() || t.is_block_device() {
        "a device"
    } else if t.is_socket() {
        "a socket"
    } else {
        "something other than a file"
    }
}

#[cfg(not(unix))]
fn special_kind(_: &std::fs::FileType) -> &'static str {
    "something other than a file"
}

#[cfg(unix)]
fn is_socket(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::FileTypeExt;
    meta.file_type().is_socket()
}

#[cfg(not(unix))]
fn is_socket(_: &std::fs::Metadata) -> bool {
    false
}

/// An in-memory tree for tests: files with contents, directories implied by their files or
/// added empty, and sockets.
#[derive(Debug, Clone, Default)]
pub struct InMemory {
    entries: BTreeMap<PathBuf, Option<Vec<u8>>>,
    sockets: Vec<PathBuf>,
}

impl InMemory {
    pub fn new() -> InMemory {
        InMemory::default()
    }

    pub fn file(mut self, path: impl Into<PathBuf>, content: impl Into<Vec<u8>>) -> InMemory {
        let path = path.into();
        self.add_parents(&path);
        self.entries.insert(path, Some(content.into()));
        self
    }

    pub fn dir(mut self, path: impl Into<PathBuf>) -> InMemory {
        let path = path.into();
        self.add_parents(&path);
        self.entries.insert(path, None);
        self
    }

    pub fn socket(mut self, path: impl Into<PathBuf>) -> InMemory {
        let path = path.into();
        self.add_parents(&path);
        self.sockets.push(path);
        self
    }

    fn add_parents(&mut self, path: &Path) {
        for parent in path.ancestors().skip(1) {
            if parent.as_os_str().is_empty() {
                break;
            }
            self.entries.entry(parent.to_path_buf()).or_insert(None);
        }
    }
}

impl ProjectFiles for InMemory {
    fn stat(&self, path: &Path) -> Option<Entry> {
        if self.sockets.iter().any(|s| s == path) {
            return Some(Entry {
                kind: Kind::Socket,
                size: 0,
            });
        }
        match self.entries.get(path)? {
            Some(content) => Some(Entry {
                kind: Kind::File,
                size: content.len() as u64,
            }),
            None => Some(Entry {
                kind: Kind::Dir,
                size: 0,
            }),
        }
    }

    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        match self.entries.get(path) {
            Some(Some(content)) => Ok(content.clone()),
            Some(None) => Err(io::Error::other("is a directory")),
            None => Err(io::ErrorKind::NotFound.into()),
        }
    }

    fn list(&self, dir: &Path) -> io::Result<Vec<PathBuf>> {
        if !matches!(self.entries.get(dir), Some(None)) {
            return Err(io::ErrorKind::NotFound.into());
        }
        let mut out: Vec<PathBuf> = self
            .entries
            .keys()
            .chain(self.sockets.iter())
            .filter(|p| p.parent() == Some(dir))
            .cloned()
            .collect();
        out.sort();
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn in_memory_tree() {
        let fs = InMemory::new()
            .file("/p/conf/a.conf", "x=1")
            .dir("/p/data")
            .socket("/var/run/docker.sock");
        assert_eq!(fs.stat(Path::new("/p/conf/a.conf")).unwrap().size, 3);
        assert_eq!(fs.stat(Path::new("/p/conf")).unwrap().kind, Kind::Dir);
        assert_eq!(
            fs.stat(Path::new("/var/run/docker.sock")).unwrap().kind,
            Kind::Socket
        );
        assert!(fs.stat(Path::new("/p/missing")).is_none());
        assert_eq!(
            fs.list(Path::new("/p")).unwrap(),
            vec![PathBuf::from("/p/conf"), PathBuf::from("/p/data")]
        );
        assert_eq!(fs.read(Path::new("/p/conf/a.conf")).unwrap(), b"x=1");
    }

    #[test]
    fn disk_reports_kinds() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("f"), "abc").unwrap();
        assert_eq!(
            Disk.stat(&dir.path().join("f")),
            Some(Entry {
                kind: Kind::File,
                size: 3
            })
        );
        assert_eq!(Disk.stat(dir.path()).unwrap().kind, Kind::Dir);
        assert_eq!(Disk.list(dir.path()).unwrap().len(), 1);
    }
}
