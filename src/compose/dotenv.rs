//! `.env`, `env_file` and `label_file` parsing, as compose-go's `dotenv` package does it.
//!
//! The format, statement by statement:
//!
//! - A UTF-8 BOM is dropped. Whitespace (newlines included) between statements is skipped, and
//!   a statement starting with `#` is a comment up to the end of its line.
//! - `export ` before a key is ignored.
//! - A key is made of letters, digits and `_ . - [ ]`; it ends at `=`, `:` or a newline, and the
//!   whitespace around it is dropped. A key followed by a newline (`KEY` alone on its line)
//!   takes its value from the lookup and is left out when the lookup has none.
//! - An unquoted value runs to the end of the line, loses a ` #` comment and trailing
//!   whitespace, and is interpolated; backslashes in it are literal.
//! - A `'`-quoted value is literal except that `\'` stands for `'`.
//! - A `"`-quoted value turns `\"` into `"`, expands `\a \b \f \n \r \t \v \\ \$` and octal
//!   `\0NNN`, then is interpolated (`\$` yields a literal `$`).
//! - Quoted values may span lines; what follows the closing quote is parsed as the next
//!   statement, which is how a trailing `# comment` is allowed.
//!
//! Interpolation looks up the caller's `lookup` first, then the keys defined earlier in the
//! same file, so the shell environment beats the file. Unset variables become `""`.
//!
//! compose-go's quirks are kept on purpose, because docker compose has them too: only a space
//! (not a tab) makes a key invalid, two statements may share a line after a quoted value,
//! and a last line holding only a word without a newline after it is read as an unquoted
//! value of the empty key (`FOO` at the very end of the file gives `"" = "FOO"`).

use std::fmt;

use indexmap::IndexMap;

use crate::compose::interpolate::interpolate;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DotenvError {
    pub line: usize,
    pub message: String,
}

impl fmt::Display for DotenvError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "line {}: {}", self.line, self.message)
    }
}

impl std::error::Error for DotenvError {}

/// Parse a .env / env_file text. Returns keys in file order; a key defined again gets the
/// new value but keeps the position of its first definition.
///
/// Values are interpolated with `crate::compose::interpolate::interpolate` where the spec says
/// so (unquoted and double-quoted values; never single-quoted). Lookup order for
/// interpolation inside the file: `lookup` first, then keys defined earlier in the same file.
/// A bare `KEY` line (no separator) takes `lookup(KEY)`, and is left out when that is None.
/// An unset variable inside a value becomes "" (no warning needed here).
/// A `${VAR:?msg}` error inside a value is a DotenvError on the line where the value starts.
///
/// Keys starting with a digit are kept, as compose-go's `GetEnvFromFile` does for `.env` and
/// `env_file`.
pub fn parse(
    content: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<IndexMap<String, String>, DotenvError> {
    let src = content.strip_prefix('\u{FEFF}').unwrap_or(content);
    let mut parser = Parser {
        line: 1,
        out: IndexMap::new(),
    };
    parser.parse(src, lookup)?;
    Ok(parser.out)
}

struct Parser {
    /// Follows compose-go's line counter exactly, including its off-by-one cases, so that
    /// error messages name the same line docker compose does.
    line: usize,
    out: IndexMap<String, String>,
}

struct Key<'a> {
    name: &'a str,
    rest: &'a str,
    inherited: bool,
}

impl Parser {
    fn parse(
        &mut self,
        src: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), DotenvError> {
        let mut cutset = src;
        loop {
            cutset = self.statement_start(cutset);
            if cutset.is_empty() {
                return Ok(());
            }
            let start_line = self.line;
            let key = self.key(cutset)?;
            if key.name.contains(' ') {
                return Err(self.error("key cannot contain a space"));
            }
            if key.inherited {
                if let Some(value) = lookup(key.name) {
                    self.out.insert(key.name.to_owned(), value);
                }
                cutset = key.rest;
                continue;
            }
            let (value, rest) = self.value(key.rest, start_line, lookup)?;
            self.out.insert(key.name.to_owned(), value);
            cutset = rest;
        }
    }

    /// Skips whitespace and comment lines, counting the newlines skipped.
    fn statement_start<'a>(&mut self, mut src: &'a str) -> &'a str {
        loop {
            let Some(pos) = src.find(|c: char| {
                if c == '\n' {
                    self.line += 1;
                }
                !c.is_whitespace()
            }) else {
                return "";
            };
            src = &src[pos..];
            if !src.starts_with('#') {
                return src;
            }
            // The newline is left in place for the next round to count.
            match src.find('\n') {
                Some(nl) => src = &src[nl..],
                None => return "",
            }
        }
    }

    fn key<'a>(&mut self, src: &'a str) -> Result<Key<'a>, DotenvError> {
        let mut src = src;
        if let Some(after) = src.strip_prefix("export")
            && after.starts_with(is_regexp_space)
        {
            // Go's `\s` in `^export\s+` is ASCII only, but the trim after it uses the wider
            // set, which may stop before a newline: `export` alone on a line then reads as an
            // inherited empty key.
            src = after.trim_start_matches(is_inline_space);
        }

        let mut name = "";
        let mut offset = 0;
        let mut inherited = false;
        for (i, c) in src.char_indices() {
            if is_inline_space(c) {
                continue;
            }
            match c {
                '=' | ':' | '\n' => {
                    name = &src[..i];
                    offset = i + 1;
                    inherited = c == '\n';
                    break;
                }
                '_' | '.' | '-' | '[' | ']' => {}
                c if is_letter(c) || c.is_numeric() => {}
                c => {
                    let first_line = src.split('\n').next().unwrap_or_default();
                    return Err(self.error(format!(
                        "unexpected character {} in variable name {}",
                        go_quote(c.encode_utf8(&mut [0; 4])),
                        go_quote(first_line)
                    )));
                }
            }
        }
        if src.is_empty() {
            return Err(self.error("zero length string"));
        }
        // compose-go checks for the space before trimming, so `KEY \n` does not advance the
        // counter.
        if inherited && !name.contains(' ') {
            self.line += 1;
        }
        Ok(Key {
            name: name.trim_end_matches(char::is_whitespace),
            rest: src
                .get(offset..)
                .unwrap_or_default()
                .trim_start_matches(is_inline_space),
            inherited,
        })
    }

    /// Reads the value at the start of `src`; returns it with the text after it.
    fn value<'a>(
        &mut self,
        src: &'a str,
        start_line: usize,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(String, &'a str), DotenvError> {
        let quote = match src.as_bytes().first() {
            Some(&q @ (b'"' | b'\'')) => q,
            _ => {
                let (value, rest) = src.split_once('\n').unwrap_or((src, ""));
                self.line += 1;
                let value = value.split(" #").next().unwrap_or_default();
                let value = value.trim_end_matches(char::is_whitespace);
                let value = self.expand(value, start_line, lookup)?;
                return Ok((value, rest));
            }
        };

        let bytes = src.as_bytes();
        let mut chars: Vec<u8> = Vec::new();
        let mut escaped = false;
        for (i, &b) in bytes.iter().enumerate().skip(1) {
            if b == b'\n' {
                self.line += 1;
            }
            if b != quote {
                if !escaped && b == b'\\' {
                    escaped = true;
                    continue;
                }
                if escaped {
                    escaped = false;
                    chars.push(b'\\');
                }
                chars.push(b);
                continue;
            }
            if escaped {
                escaped = false;
                chars.push(b);
                continue;
            }
            // Only ASCII bytes were dropped, and only at ASCII positions, so this is UTF-8.
            let value = String::from_utf8(chars)
                .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
            let value = if quote == b'"' {
                self.expand(&expand_escapes(&value), start_line, lookup)?
            } else {
                value
            };
            return Ok((value, src.get(i + 1..).unwrap_or_default()));
        }

        let first_line = src.split('\n').next().unwrap_or_default();
        Err(self.error(format!("unterminated quoted value {first_line}")))
    }

    fn expand(
        &self,
        value: &str,
        line: usize,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> Result<String, DotenvError> {
        let both = |name: &str| lookup(name).or_else(|| self.out.get(name).cloned());
        interpolate(value, &both)
            .map(|done| done.value)
            .map_err(|e| DotenvError {
                line,
                message: e.to_string(),
            })
    }

    fn error(&self, message: impl Into<String>) -> DotenvError {
        DotenvError {
            line: self.line,
            message: message.into(),
        }
    }
}

/// Expands the escapes compose-go recognises in double-quoted values. `\$` becomes `$$`
/// because interpolation runs afterwards and must keep the dollar literal.
fn expand_escapes(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(pos) = rest.find('\\') {
        out.push_str(&rest[..pos]);
        let tail = &rest[pos + 1..];
        let (replacement, used): (Option<char>, usize) = match tail.as_bytes().first() {
            Some(b'a') => (Some('\u{7}'), 1),
            Some(b'b') => (Some('\u{8}'), 1),
            Some(b'f') => (Some('\u{C}'), 1),
            Some(b'n') => (Some('\n'), 1),
            Some(b'r') => (Some('\r'), 1),
            Some(b't') => (Some('\t'), 1),
            Some(b'v') => (Some('\u{B}'), 1),
            Some(b'\\') => (Some('\\'), 1),
            Some(b'"') => (Some('"'), 1),
            Some(b'$') => {
                out.push_str("$$");
                rest = &tail[1..];
                continue;
            }
            Some(b'0') => {
                let digits = tail[1..]
                    .bytes()
                    .take(3)
                    .take_while(u8::is_ascii_digit)
                    .count();
                let digits_text = &tail[1..1 + digits];
                if let Some(c) = octal(digits_text) {
                    out.push(c);
                } else {
                    // compose-go rewrites `\0` to `\` before trying to decode and returns the
                    // rewritten text when decoding fails, so the `0` is lost.
                    out.push('\\');
                    out.push_str(digits_text);
                }
                rest = &tail[1 + digits..];
                continue;
            }
            // `\c` is matched by compose-go's pattern but is not an escape Go can decode, so
            // it stays as written, like every unknown escape.
            _ => (None, 0),
        };
        match replacement {
            Some(c) => out.push(c),
            None => {
                out.push('\\');
                out.push_str(&tail[..used]);
            }
        }
        rest = &tail[used..];
    }
    out.push_str(rest);
    out
}

/// `\0NNN` is rewritten to Go's `\NNN`, which needs exactly three octal digits and a value
/// that fits a byte; the result is that code point, not that byte.
fn octal(digits: &str) -> Option<char> {
    if digits.len() != 3 {
        return None;
    }
    let value = u32::from_str_radix(digits, 8).ok()?;
    if value > 0o377 {
        return None;
    }
    char::from_u32(value)
}

/// Whitespace that does not end a line, as compose-go's `isSpace`.
fn is_inline_space(c: char) -> bool {
    matches!(
        c,
        '\t' | '\u{B}' | '\u{C}' | '\r' | ' ' | '\u{85}' | '\u{A0}'
    )
}

/// Go's regexp `\s`.
fn is_regexp_space(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\u{C}' | '\r' | ' ')
}

/// Go's `unicode.IsLetter` (general category L). Rust's `is_alphabetic` also accepts the
/// Other_Alphabetic marks and symbols, which compose-go rejects in keys.
fn is_letter(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphabetic();
    }
    if !c.is_alphabetic() {
        return false;
    }
    let code = u32::from(c);
    let (ranges, _) = NOT_LETTERS.as_chunks::<2>();
    ranges
        .binary_search_by(|&[lo, hi]| {
            if hi < code {
                std::cmp::Ordering::Less
            } else if lo > code {
                std::cmp::Ordering::Greater
            } else {
                std::cmp::Ordering::Equal
            }
        })
        .is_err()
}

/// Quotes like Go's `%q`, so that error messages read as docker compose's do. Go's notion of
/// a printable character needs Unicode tables; this keeps the ones that matter in practice
/// (controls, whitespace, format characters, private use) escaped.
fn go_quote(s: &str) -> String {
    use std::fmt::Write as _;
    let mut out = String::with_capacity(s.len() + 2);
    out.push('"');
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\u{C}' => out.push_str("\\f"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{B}' => out.push_str("\\v"),
            ' ' => out.push(' '),
            c if c < ' ' || c == '\u{7F}' => {
                let _ = write!(out, "\\x{:02x}", u32::from(c));
            }
            c if go_printable(c) => out.push(c),
            c if u32::from(c) < 0x10000 => {
                let _ = write!(out, "\\u{:04x}", u32::from(c));
            }
            c => {
                let _ = write!(out, "\\U{:08x}", u32::from(c));
            }
        }
    }
    out.push('"');
    out
}

fn go_printable(c: char) -> bool {
    let code = u32::from(c);
    !(c.is_control()
        || c.is_whitespace()
        || matches!(
            code,
            0xAD | 0x600..=0x605
                | 0x61C
                | 0x6DD
                | 0x70F
                | 0x890..=0x891
                | 0x8E2
                | 0x180E
                | 0x200B..=0x200F
                | 0x202A..=0x202E
                | 0x2060..=0x2064
                | 0x2066..=0x206F
                | 0xE000..=0xF8FF
                | 0xFEFF
                | 0xFFF9..=0xFFFB
                | 0x110BD
                | 0x110CD
                | 0x13430..=0x1343F
                | 0x1BCA0..=0x1BCA3
                | 0x1D173..=0x1D17A
                | 0xE0001
                | 0xE0020..=0xE007F
                | 0xF0000..
        )
        || code & 0xFFFE == 0xFFFE
        || (0xFDD0..=0xFDEF).contains(&code))
}

/// Ranges (first, last) of code points that Rust's `char::is_alphabetic` accepts but that are
/// not in Unicode general category L: combining marks and circled or squared letters.
#[rustfmt::skip]
const NOT_LETTERS: &[u32] = &[
    0x345, 0x345, 0x363, 0x36F, 0x5B0, 0x5BD, 0x5BF, 0x5BF,
    0x5C1, 0x5C2, 0x5C4, 0x5C5, 0x5C7, 0x5C7, 0x610, 0x61A,
    0x64B, 0x657, 0x659, 0x65F, 0x670, 0x670, 0x6D6, 0x6DC,
    0x6E1, 0x6E4, 0x6E7, 0x6E8, 0x6ED, 0x6ED, 0x711, 0x711,
    0x730, 0x73F, 0x7A6, 0x7B0, 0x816, 0x817, 0x81B, 0x823,
    0x825, 0x827, 0x829, 0x82C, 0x8D4, 0x8DF, 0x8E3, 0x8E9,
    0x8F0, 0x903, 0x93A, 0x93B, 0x93E, 0x94C, 0x94E, 0x94F,
    0x955, 0x957, 0x962, 0x963, 0x981, 0x983, 0x9BE, 0x9C4,
    0x9C7, 0x9C8, 0x9CB, 0x9CC, 0x9D7, 0x9D7, 0x9E2, 0x9E3,
    0xA01, 0xA03, 0xA3E, 0xA42, 0xA47, 0xA48, 0xA4B, 0xA4C,
    0xA51, 0xA51, 0xA70, 0xA71, 0xA75, 0xA75, 0xA81, 0xA83,
    0xABE, 0xAC5, 0xAC7, 0xAC9, 0xACB, 0xACC, 0xAE2, 0xAE3,
    0xAFA, 0xAFC, 0xB01, 0xB03, 0xB3E, 0xB44, 0xB47, 0xB48,
    0xB4B, 0xB4C, 0xB56, 0xB57, 0xB62, 0xB63, 0xB82, 0xB82,
    0xBBE, 0xBC2, 0xBC6, 0xBC8, 0xBCA, 0xBCC, 0xBD7, 0xBD7,
    0xC00, 0xC04, 0xC3E, 0xC44, 0xC46, 0xC48, 0xC4A, 0xC4C,
    0xC55, 0xC56, 0xC62, 0xC63, 0xC81, 0xC83, 0xCBE, 0xCC4,
    0xCC6, 0xCC8, 0xCCA, 0xCCC, 0xCD5, 0xCD6, 0xCE2, 0xCE3,
    0xD00, 0xD03, 0xD3E, 0xD44, 0xD46, 0xD48, 0xD4A, 0xD4C,
    0xD57, 0xD57, 0xD62, 0xD63, 0xD81, 0xD83, 0xDCF, 0xDD4,
    0xDD6, 0xDD6, 0xDD8, 0xDDF, 0xDF2, 0xDF3, 0xE31, 0xE31,
    0xE34, 0xE3A, 0xE4D, 0xE4D, 0xEB1, 0xEB1, 0xEB4, 0xEB9,
    0xEBB, 0xEBC, 0xECD, 0xECD, 0xF71, 0xF83, 0xF8D, 0xF97,
    0xF99, 0xFBC, 0x102B, 0x1036, 0x1038, 0x1038, 0x103B, 0x103E,
    0x1056, 0x1059, 0x105E, 0x1060, 0x1062, 0x1064, 0x1067, 0x106D,
    0x1071, 0x1074, 0x1082, 0x108D, 0x108F, 0x108F, 0x109A, 0x109D,
    0x1712, 0x1713, 0x1732, 0x1733, 0x1752, 0x1753, 0x1772, 0x1773,
    0x17B6, 0x17C8, 0x1885, 0x1886, 0x18A9, 0x18A9, 0x1920, 0x192B,
    0x1930, 0x1938, 0x1A17, 0x1A1B, 0x1A55, 0x1A5E, 0x1A61, 0x1A74,
    0x1ABF, 0x1AC0, 0x1ACC, 0x1ACE, 0x1B00, 0x1B04, 0x1B35, 0x1B43,
    0x1B80, 0x1B82, 0x1BA1, 0x1BA9, 0x1BAC, 0x1BAD, 0x1BE7, 0x1BF1,
    0x1C24, 0x1C36, 0x1DD3, 0x1DF4, 0x24B6, 0x24E9, 0x2DE0, 0x2DFF,
    0xA674, 0xA67B, 0xA69E, 0xA69F, 0xA802, 0xA802, 0xA80B, 0xA80B,
    0xA823, 0xA827, 0xA880, 0xA881, 0xA8B4, 0xA8C3, 0xA8C5, 0xA8C5,
    0xA8FF, 0xA8FF, 0xA926, 0xA92A, 0xA947, 0xA952, 0xA980, 0xA983,
    0xA9B4, 0xA9BF, 0xA9E5, 0xA9E5, 0xAA29, 0xAA36, 0xAA43, 0xAA43,
    0xAA4C, 0xAA4D, 0xAA7B, 0xAA7D, 0xAAB0, 0xAAB0, 0xAAB2, 0xAAB4,
    0xAAB7, 0xAAB8, 0xAABE, 0xAABE, 0xAAEB, 0xAAEF, 0xAAF5, 0xAAF5,
    0xABE3, 0xABEA, 0xFB1E, 0xFB1E, 0x10376, 0x1037A, 0x10A01, 0x10A03,
    0x10A05, 0x10A06, 0x10A0C, 0x10A0F, 0x10D24, 0x10D27, 0x10EAB, 0x10EAC,
    0x11000, 0x11002, 0x11038, 0x11045, 0x11073, 0x11074, 0x11080, 0x11082,
    0x110B0, 0x110B8, 0x110C2, 0x110C2, 0x11100, 0x11102, 0x11127, 0x11132,
    0x11145, 0x11146, 0x11180, 0x11182, 0x111B3, 0x111BF, 0x111CE, 0x111CF,
    0x1122C, 0x11234, 0x11237, 0x11237, 0x1123E, 0x1123E, 0x112DF, 0x112E8,
    0x11300, 0x11303, 0x1133E, 0x11344, 0x11347, 0x11348, 0x1134B, 0x1134C,
    0x11357, 0x11357, 0x11362, 0x11363, 0x11435, 0x11441, 0x11443, 0x11445,
    0x114B0, 0x114C1, 0x115AF, 0x115B5, 0x115B8, 0x115BE, 0x115DC, 0x115DD,
    0x11630, 0x1163E, 0x11640, 0x11640, 0x116AB, 0x116B5, 0x1171D, 0x1172A,
    0x1182C, 0x11838, 0x11930, 0x11935, 0x11937, 0x11938, 0x1193B, 0x1193C,
    0x11940, 0x11940, 0x11942, 0x11942, 0x119D1, 0x119D7, 0x119DA, 0x119DF,
    0x119E4, 0x119E4, 0x11A01, 0x11A0A, 0x11A35, 0x11A39, 0x11A3B, 0x11A3E,
    0x11A51, 0x11A5B, 0x11A8A, 0x11A97, 0x11C2F, 0x11C36, 0x11C38, 0x11C3E,
    0x11C92, 0x11CA7, 0x11CA9, 0x11CB6, 0x11D31, 0x11D36, 0x11D3A, 0x11D3A,
    0x11D3C, 0x11D3D, 0x11D3F, 0x11D41, 0x11D43, 0x11D43, 0x11D47, 0x11D47,
    0x11D8A, 0x11D8E, 0x11D90, 0x11D91, 0x11D93, 0x11D96, 0x11EF3, 0x11EF6,
    0x16F4F, 0x16F4F, 0x16F51, 0x16F87, 0x16F8F, 0x16F92, 0x16FF0, 0x16FF1,
    0x1BC9E, 0x1BC9E, 0x1E000, 0x1E006, 0x1E008, 0x1E018, 0x1E01B, 0x1E021,
    0x1E023, 0x1E024, 0x1E026, 0x1E02A, 0x1E947, 0x1E947, 0x1F130, 0x1F149,
    0x1F150, 0x1F169, 0x1F170, 0x1F189,
];

#[cfg(test)]
mod tests {
    use super::*;

    fn none(_: &str) -> Option<String> {
        None
    }

    fn map_of(pairs: &[(&str, &str)]) -> IndexMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect()
    }

    fn parse_ok(content: &str) -> IndexMap<String, String> {
        parse_with(content, &none)
    }

    fn parse_with(
        content: &str,
        lookup: &dyn Fn(&str) -> Option<String>,
    ) -> IndexMap<String, String> {
        match parse(content, lookup) {
            Ok(map) => map,
            Err(e) => panic!("{content:?} failed: {e}"),
        }
    }

    fn parse_err(content: &str) -> String {
        match parse(content, &none) {
            Ok(map) => panic!("{content:?} gave {map:?}"),
            Err(e) => e.to_string(),
        }
    }

    /// compose-go's `parseAndCompare`.
    fn check(content: &str, key: &str, value: &str) {
        let map = parse_ok(content);
        assert_eq!(
            map.get(key).map(String::as_str),
            Some(value),
            "{content:?} gave {map:?}"
        );
    }

    const PLAIN_ENV: &str = "OPTION_A=1\nOPTION_B=2\nOPTION_C= 3\nOPTION_D =4\nOPTION_E = 5\n\
        456 = ABC\nOPTION_F = \nOPTION_G=\nOPTION_H = my string # Inline comment\n";

    #[test]
    fn parse_bytes() {
        let input =
            "\na=b\na[1]=c\na.propertyKey=d\nárvíztűrő-TÜKÖRFÚRÓGÉP=ÁRVÍZTŰRŐ-tükörfúrógép\n";
        assert_eq!(
            parse_ok(input),
            map_of(&[
                ("a", "b"),
                ("a[1]", "c"),
                ("a.propertyKey", "d"),
                ("árvíztűrő-TÜKÖRFÚRÓGÉP", "ÁRVÍZTŰRŐ-tükörfúrógép"),
            ])
        );
    }

    #[test]
    fn parse_variable() {
        assert_eq!(
            parse_err("%!(EXTRA string)=foo"),
            r#"line 1: unexpected character "%" in variable name "%!(EXTRA string)=foo""#
        );
    }

    #[test]
    fn many_lines() {
        let input: Vec<String> = (0..1000).map(|i| format!("KEY{i}=VALUE{i}")).collect();
        let map = parse_ok(&input.join("\n"));
        assert_eq!(map.len(), 1000);
        assert_eq!(map.get("KEY999").map(String::as_str), Some("VALUE999"));
    }

    #[test]
    fn read_plain_env() {
        // `456` is kept: only compose-go's ReadWithLookup drops keys starting with a digit,
        // and docker compose reads .env and env_file through GetEnvFromFile.
        assert_eq!(
            parse_ok(PLAIN_ENV),
            map_of(&[
                ("OPTION_A", "1"),
                ("OPTION_B", "2"),
                ("OPTION_C", "3"),
                ("OPTION_D", "4"),
                ("OPTION_E", "5"),
                ("456", "ABC"),
                ("OPTION_F", ""),
                ("OPTION_G", ""),
                ("OPTION_H", "my string"),
            ])
        );
    }

    #[test]
    fn parse_simple() {
        assert_eq!(
            parse_ok("ONE=1\nTWO='2'\nTHREE = \"3\""),
            map_of(&[("ONE", "1"), ("TWO", "2"), ("THREE", "3")])
        );
    }

    #[test]
    fn exported_env() {
        assert_eq!(
            parse_ok("export OPTION_A=2\nexport OPTION_B='\\n'\n"),
            map_of(&[("OPTION_A", "2"), ("OPTION_B", "\\n")])
        );
    }

    #[test]
    fn equals_env() {
        assert_eq!(
            parse_ok("export OPTION_A='postgres://localhost:5432/database?sslmode=disable'\n\n"),
            map_of(&[(
                "OPTION_A",
                "postgres://localhost:5432/database?sslmode=disable"
            )])
        );
    }

    #[test]
    fn quoted_env() {
        let input = "OPTION_A='1'\nOPTION_B='2'\nOPTION_C=''\nOPTION_D='\\n'\nOPTION_E=\"1\"\n\
            OPTION_F=\"2\"\nOPTION_G=\"\"\nOPTION_H=\"\\n\"\nOPTION_I = \"echo 'asd'\" # Inline comment\n\
            OPTION_J = 'first line\nsecond line\nthird line\nand so on'\nOPTION_K='Let\\'s go!'\n\
            OPTION_Z = \"last value\"\n";
        assert_eq!(
            parse_ok(input),
            map_of(&[
                ("OPTION_A", "1"),
                ("OPTION_B", "2"),
                ("OPTION_C", ""),
                ("OPTION_D", "\\n"),
                ("OPTION_E", "1"),
                ("OPTION_F", "2"),
                ("OPTION_G", ""),
                ("OPTION_H", "\n"),
                ("OPTION_I", "echo 'asd'"),
                ("OPTION_J", "first line\nsecond line\nthird line\nand so on"),
                ("OPTION_K", "Let's go!"),
                ("OPTION_Z", "last value"),
            ])
        );
    }

    #[test]
    fn unquoted_env() {
        let input = "OPTION_A = \"some quoted phrase\"\nOPTION_B=first one with an unquoted phrase\n\
            OPTION_C = then another one with an unquoted phrase\n\
            OPTION_D = then another one with an unquoted phrase special è char\n\
            OPTION_E = \"then another one quoted phrase\"\n";
        assert_eq!(
            parse_ok(input),
            map_of(&[
                ("OPTION_A", "some quoted phrase"),
                ("OPTION_B", "first one with an unquoted phrase"),
                ("OPTION_C", "then another one with an unquoted phrase"),
                (
                    "OPTION_D",
                    "then another one with an unquoted phrase special è char"
                ),
                ("OPTION_E", "then another one quoted phrase"),
            ])
        );
    }

    const SUBSTITUTIONS: &str = "OPTION_A=1\nOPTION_B=${OPTION_A}\nOPTION_C=$OPTION_B\n\
        OPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n";
    const SUBSTITUTIONS_DEFAULT: &str = "OPTION_A=${OPTION_A:-1}\nOPTION_B=${OPTION_A}\n\
        OPTION_C=$OPTION_B\nOPTION_D=${OPTION_A}_${OPTION_B}\nOPTION_E=${OPTION_NOT_DEFINED}\n";

    fn option_a_5(k: &str) -> Option<String> {
        (k == "OPTION_A").then(|| "5".to_owned())
    }

    #[test]
    fn substitutions() {
        let expected = |a, b, c, d| {
            map_of(&[
                ("OPTION_A", a),
                ("OPTION_B", b),
                ("OPTION_C", c),
                ("OPTION_D", d),
                ("OPTION_E", ""),
            ])
        };
        assert_eq!(parse_ok(SUBSTITUTIONS), expected("1", "1", "1", "1_1"));
        // The lookup beats keys of the file, even the one being read.
        assert_eq!(
            parse_with(SUBSTITUTIONS, &option_a_5),
            expected("1", "5", "5", "5_5")
        );
        assert_eq!(
            parse_with(SUBSTITUTIONS_DEFAULT, &option_a_5),
            expected("5", "5", "5", "5_5")
        );
        assert_eq!(
            parse_ok(SUBSTITUTIONS_DEFAULT),
            expected("1", "1", "1", "1_1")
        );
    }

    #[test]
    fn env_variable_precedence() {
        // TestEnvVariablePrecedence: the shell's FOO feeds BAR; FOO itself is replaced by the
        // shell's value later, when the caller merges without overwriting.
        let shell = |k: &str| (k == "FOO").then(|| "zot".to_owned());
        assert_eq!(
            parse_with("FOO=foo\nBAR=${FOO}\n", &shell),
            map_of(&[("FOO", "foo"), ("BAR", "zot")])
        );
    }

    #[test]
    fn expanding() {
        let cases: [(&str, &[(&str, &str)]); 8] = [
            ("FOO=test\nBAR=$FOO", &[("FOO", "test"), ("BAR", "test")]),
            (
                "FOO=test\nBAR=${FOO}bar",
                &[("FOO", "test"), ("BAR", "testbar")],
            ),
            ("BAR=$FOO", &[("BAR", "")]),
            (
                "FOO=test\nBAR=\"quote $FOO\"",
                &[("FOO", "test"), ("BAR", "quote test")],
            ),
            ("BAR='quote $FOO'", &[("BAR", "quote $FOO")]),
            (r#"FOO="foo\$BAR""#, &[("FOO", "foo$BAR")]),
            (r#"FOO="foo\${BAR}""#, &[("FOO", "foo${BAR}")]),
            (
                "FOO=test\nBAR=\"foo\\${FOO} ${FOO}\"",
                &[("FOO", "test"), ("BAR", "foo${FOO} test")],
            ),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_ok(input), map_of(expected), "{input:?}");
        }
    }

    #[test]
    fn variable_string_value_separator() {
        check(
            "TEST_URLS=\"stratum+tcp://stratum.antpool.com:3333\nstratum+tcp://stratum.antpool.com:443\"",
            "TEST_URLS",
            "stratum+tcp://stratum.antpool.com:3333\nstratum+tcp://stratum.antpool.com:443",
        );
    }

    #[test]
    fn parsing() {
        check("FOO=bar", "FOO", "bar");
        check("FOO =bar", "FOO", "bar");
        check("FOO= bar", "FOO", "bar");
        check(r#"FOO="bar""#, "FOO", "bar");
        check("FOO='bar'", "FOO", "bar");
        check(r#"FOO="escaped\"bar""#, "FOO", r#"escaped"bar"#);
        check(r#"FOO="\"quoted\"""#, "FOO", r#""quoted""#);
        check(r#"FOO="'d'""#, "FOO", "'d'");
        check("OPTION_A: 1", "OPTION_A", "1");
        check("OPTION_A: Foo=bar", "OPTION_A", "Foo=bar");
        check("OPTION_A=1:B", "OPTION_A", "1:B");
        check("export OPTION_A=2", "OPTION_A", "2");
        check(r"export OPTION_B='\n'", "OPTION_B", "\\n");
        check("export exportFoo=2", "exportFoo", "2");
        check("exportFOO=2", "exportFOO", "2");
        check("export_FOO =2", "export_FOO", "2");
        check("export.FOO= 2", "export.FOO", "2");
        check("export\tOPTION_A=2", "OPTION_A", "2");
        check("  export OPTION_A=2", "OPTION_A", "2");
        check("\texport OPTION_A=2", "OPTION_A", "2");
        check(r#"export OPTION_A="export A""#, "OPTION_A", "export A");
        check(r#"FOO="bar\nbaz""#, "FOO", "bar\nbaz");
        check(r"FOO=a\tb", "FOO", r"a\tb");
        check(r#"FOO="a\tb""#, "FOO", "a\tb");
        check(
            r#"KEY="Z\aZ\bZ\fZ\nZ\rZ\tZ\vZ\\Z\0123Z""#,
            "KEY",
            "Z\u{7}Z\u{8}Z\u{C}Z\nZ\rZ\tZ\u{B}Z\\ZSZ",
        );
        check("FOO.BAR=foobar", "FOO.BAR", "foobar");
        check("FOO=foobar=", "FOO", "foobar=");
        check("FOO=bar ", "FOO", "bar");
        check("FOO=bar # this is foo", "FOO", "bar");
        check("FOO=bar #this is foo", "FOO", "bar");
        check("FOO=bar #", "FOO", "bar");
        check(
            "FOO=123#not-an-inline-comment",
            "FOO",
            "123#not-an-inline-comment",
        );
        check(r#"FOO="bar#baz""#, "FOO", "bar#baz");
        check(r##"FOO="bar#baz"#"##, "FOO", "bar#baz");
        check(r#"FOO="bar#baz" # comment"#, "FOO", "bar#baz");
        check("FOO='bar#baz' # comment", "FOO", "bar#baz");
        check(r#"FOO="bar#baz#bang" # comment"#, "FOO", "bar#baz#bang");
        check(r#"FOO="ba#r""#, "FOO", "ba#r");
        check("FOO='ba#r'", "FOO", "ba#r");
        check(r#"FOO="bar\n\ b\az""#, "FOO", "bar\n\\ b\u{7}z");
        check(r#"FOO="bar\\\n\ b\az""#, "FOO", "bar\\\n\\ b\u{7}z");
        check(r#"FOO="bar\\r\ b\az""#, "FOO", "bar\\r\\ b\u{7}z");
        check(r#"FOO="bar\nbaz\\""#, "FOO", "bar\nbaz\\");
        check(r#"="value""#, "", "value");
        check(" KEY =value", "KEY", "value");
        check("   KEY=value", "KEY", "value");
        check("\tKEY=value", "KEY", "value");
        check(r#"KEY="\0123""#, "KEY", "S");
        check(r#"KEY="\x07""#, "KEY", r"\x07");
        check(r#"KEY="\u12e4""#, "KEY", r"\u12e4");
        check(r#"KEY="\U00101234""#, "KEY", r"\U00101234");
        assert_eq!(
            parse_err("lol$wut"),
            r#"line 1: unexpected character "$" in variable name "lol$wut""#
        );
    }

    #[test]
    fn octal_escapes() {
        check(r#"A="\0377""#, "A", "\u{FF}");
        check(r#"A="\0000""#, "A", "\0");
        check(r#"A="\01234""#, "A", "S4");
        // compose-go drops the `0` of an escape it cannot decode.
        check(r#"A="\0|\01|\012|\0400|\0128""#, "A", r"\|\1|\12|\400|\128");
    }

    #[test]
    fn unknown_escapes_stay() {
        check(r#"A="\c\x\q\'""#, "A", r"\c\x\q\'");
        check(r#"A="\\$FOO""#, "A", "\\");
    }

    #[test]
    fn single_quotes_are_literal() {
        check(r#"A='x\\y\'z\"$B${C:?no}'"#, "A", r#"x\\y'z\"$B${C:?no}"#);
        check("A='multi\nline\r\n'", "A", "multi\nline\r\n");
    }

    #[test]
    fn unterminated_quotes() {
        let cases = [
            (r#"KEY=""#, r#"line 1: unterminated quoted value ""#),
            (
                r#"KEY="value"#,
                r#"line 1: unterminated quoted value "value"#,
            ),
            (
                r#"KEY="value\""#,
                r#"line 1: unterminated quoted value "value\""#,
            ),
            (
                r#"KEY="value'"#,
                r#"line 1: unterminated quoted value "value'"#,
            ),
            ("KEY='", "line 1: unterminated quoted value '"),
            ("KEY='value", "line 1: unterminated quoted value 'value"),
            (
                r"KEY='value\'",
                r"line 1: unterminated quoted value 'value\'",
            ),
            (
                r#"KEY='value""#,
                r#"line 1: unterminated quoted value 'value""#,
            ),
            // The counter has moved past every newline of the rest of the file.
            ("A=1\nX=\"\n\nabc", r#"line 4: unterminated quoted value ""#),
        ];
        for (input, expected) in cases {
            assert_eq!(parse_err(input), expected, "{input:?}");
        }
    }

    #[test]
    fn lines_to_ignore() {
        for input in [
            "\n",
            "\r\n",
            "\t\t ",
            "# Comment",
            "\t # comment",
            "",
            "\u{FEFF}",
        ] {
            assert!(parse_ok(input).is_empty(), "{input:?}");
        }
        check("export OPTION_B='\\n'", "OPTION_B", "\\n");
    }

    #[test]
    fn key_with_space_is_an_error() {
        let invalid1 =
            "# some comments\nfoo=\"\n  a\n  multine\n  value\n\"\nINVALID LINE\nzot=qix";
        assert_eq!(parse_err(invalid1), "line 7: key cannot contain a space");
        assert_eq!(parse_err("K K=1"), "line 1: key cannot contain a space");
        // compose-go does not count the newline after a key that had a trailing space.
        assert_eq!(
            parse_err("FOO \nK K=1"),
            "line 1: key cannot contain a space"
        );
        // Other whitespace inside a key is accepted.
        check("FOO\tBAR=1", "FOO\tBAR", "1");
    }

    #[test]
    fn unexpected_characters() {
        assert_eq!(
            parse_err("\n\n  K!=1"),
            r#"line 3: unexpected character "!" in variable name "K!=1""#
        );
        assert_eq!(
            parse_err("FOO#bar=1\r\nB=2"),
            r##"line 1: unexpected character "#" in variable name "FOO#bar=1\r""##
        );
        assert_eq!(
            parse_err("A\u{3000}B=1"),
            r#"line 1: unexpected character "\u3000" in variable name "A\u3000B=1""#
        );
        assert_eq!(
            parse_err("\u{24B6}=1"),
            "line 1: unexpected character \"\u{24B6}\" in variable name \"\u{24B6}=1\""
        );
        assert_eq!(
            parse_err("नमस्ते=1"),
            "line 1: unexpected character \"\u{94D}\" in variable name \"नमस्ते=1\""
        );
        // A second BOM is not stripped.
        assert_eq!(
            parse_err("\u{FEFF}\u{FEFF}A=1"),
            r#"line 1: unexpected character "\ufeff" in variable name "\ufeffA=1""#
        );
    }

    #[test]
    fn inherited_variables() {
        let lookup =
            |k: &str| (k == "VAR_TO_BE_LOADED_FROM_OS_ENV").then(|| "SOME_RANDOM_VALUE".to_owned());
        assert_eq!(
            parse_with("foo=bar\nVAR_TO_BE_LOADED_FROM_OS_ENV\nbar=baz\n", &lookup),
            map_of(&[
                ("foo", "bar"),
                ("VAR_TO_BE_LOADED_FROM_OS_ENV", "SOME_RANDOM_VALUE"),
                ("bar", "baz"),
            ])
        );
        assert_eq!(
            parse_with("VAR_TO_BE_LOADED_FROM_OS_ENV\n", &lookup),
            map_of(&[("VAR_TO_BE_LOADED_FROM_OS_ENV", "SOME_RANDOM_VALUE")])
        );
        assert!(parse_with("VARIABLE_NOT_FOUND\n", &lookup).is_empty());
        assert!(parse_with("VARIABLE_NOT_FOUND  \r\n", &lookup).is_empty());
        // Not found keeps an earlier definition.
        assert_eq!(parse_ok("FOO=1\nFOO\n"), map_of(&[("FOO", "1")]));
    }

    #[test]
    fn bare_word_at_end_of_file() {
        // Without a newline after it, compose-go reads the word as the value of the empty key.
        assert_eq!(parse_ok("A=1\nFOO"), map_of(&[("A", "1"), ("", "FOO")]));
        assert_eq!(
            parse_ok("FOO=1\nFOO "),
            map_of(&[("FOO", "1"), ("", "FOO")])
        );
    }

    #[test]
    fn expanding_with_lookup() {
        let lookup = |k: &str| (k == "ME").then(|| "YES".to_owned());
        assert_eq!(parse_with("TEST=$ME", &lookup), map_of(&[("TEST", "YES")]));
    }

    #[test]
    fn utf8_bom() {
        let map = parse_ok(&format!("\u{FEFF}{PLAIN_ENV}"));
        assert_eq!(map.get("OPTION_A").map(String::as_str), Some("1"));
        assert_eq!(map.len(), 9);
    }

    #[test]
    fn dash_dot_underscore() {
        assert_eq!(
            parse_ok(
                "VAR.WITH.DOTS=dots\nVAR_WITH_UNDERSCORES=underscores\nVAR-WITH-DASHES=dashes\n"
            ),
            map_of(&[
                ("VAR.WITH.DOTS", "dots"),
                ("VAR_WITH_UNDERSCORES", "underscores"),
                ("VAR-WITH-DASHES", "dashes"),
            ])
        );
    }

    #[test]
    fn earlier_keys_feed_later_values() {
        // compose-go's TestMultipleFiles, one file at a time.
        let base = "\nENV_HOSTNAME=localhost\nENV_MY_URL=\"http://${ENV_HOSTNAME}\"\n";
        assert_eq!(
            parse_ok(base),
            map_of(&[
                ("ENV_HOSTNAME", "localhost"),
                ("ENV_MY_URL", "http://localhost"),
            ])
        );
        let os_env = |k: &str| (k == "ENV_HOSTNAME").then(|| "host.local".to_owned());
        assert_eq!(
            parse_with(base, &os_env)
                .get("ENV_MY_URL")
                .map(String::as_str),
            Some("http://host.local")
        );
    }

    fn var_expansion_env(k: &str) -> Option<String> {
        match k {
            "EMPTY_VAR" => Some(String::new()),
            "TEST_VAR" => Some("Test Value".to_owned()),
            _ => None,
        }
    }

    #[test]
    fn var_expansion_operators() {
        let cases = [
            ("RESULT=${UNSET_VAR:-Default Value}", Ok("Default Value")),
            ("RESULT=${EMPTY_VAR:-Default Value}", Ok("Default Value")),
            ("RESULT=${TEST_VAR:-Default Value}", Ok("Test Value")),
            ("RESULT=${UNSET_VAR-Default Value}", Ok("Default Value")),
            ("RESULT=${EMPTY_VAR-Default Value}", Ok("")),
            ("RESULT=${TEST_VAR-Default Value}", Ok("Test Value")),
            (
                "RESULT=${UNSET_VAR:?Test error}",
                Err("line 1: required variable UNSET_VAR is missing a value: Test error"),
            ),
            (
                "RESULT=${EMPTY_VAR:?Test error}",
                Err("line 1: required variable EMPTY_VAR is missing a value: Test error"),
            ),
            ("RESULT=${TEST_VAR:?Default Value}", Ok("Test Value")),
            (
                "RESULT=${UNSET_VAR?Test error}",
                Err("line 1: required variable UNSET_VAR is missing a value: Test error"),
            ),
            ("RESULT=${EMPTY_VAR?Test error}", Ok("")),
            ("RESULT=${TEST_VAR?Default Value}", Ok("Test Value")),
        ];
        for (input, expected) in cases {
            let got = parse(input, &var_expansion_env)
                .map(|m| m.get("RESULT").cloned().unwrap_or_default())
                .map_err(|e| e.to_string());
            assert_eq!(
                got,
                expected.map(str::to_owned).map_err(str::to_owned),
                "{input}"
            );
        }
    }

    #[test]
    fn interpolation_errors_name_the_value_line() {
        assert_eq!(
            parse("FOO=1\n\nBAR=\"a\nb\" x\n\nERR=${X:?boom}", &none),
            Err(DotenvError {
                line: 6,
                message: "required variable X is missing a value: boom".to_owned()
            })
        );
        assert_eq!(
            parse_err("A=1\nB=\"\n${X?}\""),
            "line 2: required variable X is missing a value"
        );
        assert_eq!(
            parse_err("A=1\nB=a ${ b"),
            r#"line 2: invalid interpolation format in "a ${ b": a literal $ must be written $$"#
        );
    }

    #[test]
    fn statements_after_a_quoted_value() {
        assert_eq!(
            parse_ok("FOO=\"a\" BAR=b\nC=1"),
            map_of(&[("FOO", "a"), ("BAR", "b"), ("C", "1")])
        );
        assert_eq!(parse_ok("A='x'#c\nB=2"), map_of(&[("A", "x"), ("B", "2")]));
    }

    #[test]
    fn comments_need_a_space_before_them() {
        assert_eq!(
            parse_ok("A= #c\nB=x\t#c\nC=\"q\"#c\nD='v' # c"),
            map_of(&[("A", "#c"), ("B", "x\t#c"), ("C", "q"), ("D", "v")])
        );
    }

    #[test]
    fn export_edge_cases() {
        assert_eq!(parse_err("export "), "line 1: zero length string");
        assert_eq!(parse_ok("export\nFOO=1"), map_of(&[("FOO", "1")]));
        check("export=1", "export", "1");
        check("export \u{A0}FOO=1", "FOO", "1");
    }

    #[test]
    fn crlf_line_endings() {
        assert_eq!(
            parse_ok("A=1\r\nB = two words \r\n# c\r\nC=\"q\"\r\nD='s'\r\n"),
            map_of(&[("A", "1"), ("B", "two words"), ("C", "q"), ("D", "s")])
        );
        assert_eq!(
            parse_err("A=1\r\n\r\nB=\"x"),
            r#"line 3: unterminated quoted value "x"#
        );
    }

    #[test]
    fn duplicate_keys_keep_first_position() {
        let map = parse_ok("A=1\nB=2\nA=3\n");
        assert_eq!(
            map.iter()
                .map(|(k, v)| (k.as_str(), v.as_str()))
                .collect::<Vec<_>>(),
            [("A", "3"), ("B", "2")]
        );
    }

    #[test]
    fn unquoted_values_keep_backslashes_and_interpolate() {
        let lookup = |k: &str| (k == "X").then(|| "x".to_owned());
        assert_eq!(
            parse_with(r"A=a\$X\n$$ ${Y:-d}", &lookup),
            map_of(&[("A", r"a\x\n$ d")])
        );
    }

    #[test]
    fn error_display() {
        let e = DotenvError {
            line: 3,
            message: "key cannot contain a space".to_owned(),
        };
        assert_eq!(e.to_string(), "line 3: key cannot contain a space");
    }

    #[test]
    fn go_quote_matches_percent_q() {
        assert_eq!(go_quote("a\"b\\c"), r#""a\"b\\c""#);
        assert_eq!(
            go_quote("\u{7}\u{8}\u{C}\n\r\t\u{B}"),
            r#""\a\b\f\n\r\t\v""#
        );
        assert_eq!(go_quote("\u{1}\u{7F}"), r#""\x01\x7f""#);
        assert_eq!(
            go_quote("\u{85}\u{A0}\u{200B}é😀"),
            r#""\u0085\u00a0\u200bé😀""#
        );
        assert_eq!(go_quote("\u{F0000}"), r#""\U000f0000""#);
    }

    #[test]
    fn letters_follow_go() {
        assert!(is_letter('a') && is_letter('é') && is_letter('ß') && is_letter('ն'));
        assert!(!is_letter('\u{345}') && !is_letter('\u{24B6}') && !is_letter('1'));
        let (ranges, rest) = NOT_LETTERS.as_chunks::<2>();
        assert!(rest.is_empty());
        assert!(ranges.windows(2).all(|w| w[0][1] < w[1][0]));
        assert!(ranges.iter().all(|[lo, hi]| lo <= hi));
    }
}
