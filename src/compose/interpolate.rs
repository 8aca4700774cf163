//! Variable substitution in Compose values, as compose-go's `template` package does it.
//!
//! compose-go matches every string against one regular expression,
//! `\$(?i:(?P<escaped>\$)|(?P<named>[_a-z][_a-z0-9]*)|{(?:(?P<braced>[_a-z][_a-z0-9]*(?::?[-+?](.*))?)}|(?P<invalid>)))`,
//! and post-processes each match. This module reproduces the result of that pipeline with a
//! hand-written scanner:
//!
//! - `$$` is a literal `$`; a `$` followed by anything other than a name or `{` is kept as is.
//! - `$NAME` takes the longest name; `${NAME}` is the braced form. Names are
//!   `[_A-Za-z][_A-Za-z0-9]*`, plus the two non-ASCII characters that Go's case folding maps
//!   onto ASCII letters (`ſ` U+017F and the Kelvin sign U+212A).
//! - `${NAME` followed by `:-`, `-`, `:?`, `?`, `:+` or `+` takes everything up to the last `}`
//!   of the line (the greedy `(.*)`); the body then ends at the first `}` that balances the
//!   braces (a `{` also skips the character after it, as compose-go does), and whatever follows
//!   is substituted as ordinary text.
//! - The colon forms treat an empty value like an unset one. The text after the operator is
//!   substituted only when it is used, so an unused `${B}` there is neither looked up nor
//!   reported.
//! - Any other `${` is an error, as is a missing required variable.
//! - A variable read by `$NAME` or `${NAME}` that is unset becomes `""` and is reported in
//!   [`Interpolated::unset`] so the caller can warn as compose does.

use std::collections::HashSet;
use std::fmt;

/// Errors, Display as one line, lowercase, no path (the caller prefixes the path and location).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum InterpolateError {
    /// `${` not followed by a valid braced body. Display: `invalid interpolation format in "<whole template>": a literal $ must be written $$`
    InvalidFormat { template: String },
    /// `${VAR:?msg}` / `${VAR?msg}`. Display: `required variable VAR is missing a value: msg`, or `required variable VAR is missing a value` when msg is empty.
    Required { variable: String, message: String },
    /// Defaults or alternatives nested more than [`MAX_NESTING`] deep.
    TooDeep,
}

/// How deep `${A:-${B:-…}}` may nest. Finding where each level ends reads the rest of the
/// template, so the work grows with the depth times the length: a bound keeps it linear.
/// Real files nest two or three levels.
pub const MAX_NESTING: usize = 64;

impl fmt::Display for InterpolateError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // Debug quoting keeps the message on one line even when the template spans several.
            InterpolateError::InvalidFormat { template } => write!(
                f,
                "invalid interpolation format in {template:?}: a literal $ must be written $$"
            ),
            InterpolateError::Required { variable, message } if message.is_empty() => {
                write!(f, "required variable {variable} is missing a value")
            }
            InterpolateError::Required { variable, message } => {
                write!(
                    f,
                    "required variable {variable} is missing a value: {message}"
                )
            }
            InterpolateError::TooDeep => write!(
                f,
                "interpolation nested more than {MAX_NESTING} levels deep"
            ),
        }
    }
}

impl std::error::Error for InterpolateError {}

/// The result of one substitution.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Interpolated {
    pub value: String,
    /// Variables that were referenced WITHOUT a default/alternative operator and were unset, in order of first use, deduplicated (compose warns: `The "X" variable is not set. Defaulting to a blank string.`).
    pub unset: Vec<String>,
}

/// True when the string contains a `$`, the only case where [`interpolate`] can change it
/// (fast path used by the caller to skip work).
pub fn has_variables(s: &str) -> bool {
    s.as_bytes().contains(&b'$')
}

/// Substitute every `$VAR`, `${VAR}`, `${VAR:-d}`, `${VAR-d}`, `${VAR:?e}`, `${VAR?e}`, `${VAR:+r}`, `${VAR+r}`, `$$`.
/// Nested templates inside defaults/alternatives/messages are interpolated lazily (only when used).
pub fn interpolate(
    template: &str,
    lookup: &dyn Fn(&str) -> Option<String>,
) -> Result<Interpolated, InterpolateError> {
    if !has_variables(template) {
        return Ok(Interpolated {
            value: template.to_owned(),
            unset: Vec::new(),
        });
    }
    Scanner {
        template,
        lookup,
        out: String::with_capacity(template.len()),
        unset: Vec::new(),
        seen: HashSet::new(),
    }
    .run()
}

/// The operators allowed after a braced name.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Op {
    /// `-` / `:-`
    Default,
    /// `?` / `:?`
    Required,
    /// `+` / `:+`
    Alternative,
}

struct Scanner<'t, 'l> {
    template: &'t str,
    lookup: &'l dyn Fn(&str) -> Option<String>,
    out: String,
    unset: Vec<String>,
    seen: HashSet<&'t str>,
}

/// What to do once the text of a pushed frame has been substituted.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Then {
    /// Resume the enclosing frame.
    Resume,
    /// The frame was the message of a failed `?`: report it.
    Fail { variable: String },
}

/// A byte range of the template still to substitute.
///
/// compose-go substitutes defaults and messages by recursive calls; nesting is unbounded in
/// the input, so frames live on the heap to keep deep nesting from overflowing the stack.
struct Frame {
    pos: usize,
    end: usize,
    then: Then,
}

impl<'t> Scanner<'t, '_> {
    fn run(mut self) -> Result<Interpolated, InterpolateError> {
        let mut stack = vec![Frame {
            pos: 0,
            end: self.template.len(),
            then: Then::Resume,
        }];
        // Messages of required variables nest too (`${A?${B?…}}`), each level clearing the
        // stack: they are counted apart.
        let mut messages = 0;
        while let Some(frame) = stack.last_mut() {
            let (pos, end) = (frame.pos, frame.end);
            match self.step(pos, end)? {
                Step::Done => {
                    if let Some(Frame {
                        then: Then::Fail { variable },
                        ..
                    }) = stack.pop()
                    {
                        return Err(InterpolateError::Required {
                            variable,
                            message: self.out,
                        });
                    }
                }
                Step::Continue(next) => frame.pos = next,
                Step::Descend { resume, start, end } => {
                    if stack.len() > MAX_NESTING {
                        return Err(InterpolateError::TooDeep);
                    }
                    let Some(frame) = stack.last_mut() else {
                        break;
                    };
                    frame.pos = resume;
                    stack.push(Frame {
                        pos: start,
                        end,
                        then: Then::Resume,
                    });
                }
                Step::Fail {
                    variable,
                    start,
                    end,
                } => {
                    messages += 1;
                    if messages > MAX_NESTING {
                        return Err(InterpolateError::TooDeep);
                    }
                    // Any error ends the whole substitution, so nothing below this frame will
                    // be resumed and the output so far is no longer needed: the message is
                    // substituted into the same buffer.
                    stack.clear();
                    self.out.clear();
                    stack.push(Frame {
                        pos: start,
                        end,
                        then: Then::Fail { variable },
                    });
                }
            }
        }
        Ok(Interpolated {
            value: self.out,
            unset: self.unset,
        })
    }

    /// Copies literal text up to the next `$` in `pos..end` and substitutes the expression
    /// found there.
    fn step(&mut self, pos: usize, end: usize) -> Result<Step, InterpolateError> {
        let bytes = self.template.as_bytes();
        let Some(offset) = bytes
            .get(pos..end)
            .and_then(|region| region.iter().position(|&b| b == b'$'))
        else {
            self.out.push_str(self.slice(pos, end));
            return Ok(Step::Done);
        };
        let dollar = pos + offset;
        self.out.push_str(self.slice(pos, dollar));
        let after = dollar + 1;
        let rest = self.slice(after, end);
        let Some(next) = rest.chars().next() else {
            self.out.push('$');
            return Ok(Step::Continue(after));
        };
        if next == '$' {
            self.out.push('$');
            return Ok(Step::Continue(after + 1));
        }
        if is_name_start(next) {
            let name_end = after + name_len(rest);
            let name = self.slice(after, name_end);
            self.substitute_plain(name);
            return Ok(Step::Continue(name_end));
        }
        if next == '{' {
            return self.braced(dollar, end);
        }
        // Not a match at all: the regexp moves on and leaves the `$` in place.
        self.out.push('$');
        Ok(Step::Continue(after))
    }

    /// Handles `${` at `dollar`, within a frame ending at `end`.
    fn braced(&mut self, dollar: usize, end: usize) -> Result<Step, InterpolateError> {
        let name_start = dollar + 2;
        let body = self.slice(name_start, end);
        let name_end = match body.chars().next() {
            Some(c) if is_name_start(c) => name_start + name_len(body),
            _ => return Err(self.invalid()),
        };
        let name = self.slice(name_start, name_end);
        let after_name = self.slice(name_end, end).as_bytes();
        let (op, colon, op_len) = match after_name {
            [b'}', ..] => {
                self.substitute_plain(name);
                return Ok(Step::Continue(name_end + 1));
            }
            [b':', b'-', ..] => (Op::Default, true, 2),
            [b':', b'?', ..] => (Op::Required, true, 2),
            [b':', b'+', ..] => (Op::Alternative, true, 2),
            [b'-', ..] => (Op::Default, false, 1),
            [b'?', ..] => (Op::Required, false, 1),
            [b'+', ..] => (Op::Alternative, false, 1),
            _ => return Err(self.invalid()),
        };
        let arg_start = name_end + op_len;
        let Some(close) = self.closing_brace(dollar, arg_start, end) else {
            return Err(self.invalid());
        };
        let resume = close + 1;

        let value = (self.lookup)(name);
        let missing = match &value {
            None => true,
            Some(v) => colon && v.is_empty(),
        };
        match op {
            Op::Default if missing => Ok(Step::Descend {
                resume,
                start: arg_start,
                end: close,
            }),
            Op::Alternative if !missing => Ok(Step::Descend {
                resume,
                start: arg_start,
                end: close,
            }),
            Op::Required if missing => Ok(Step::Fail {
                variable: name.to_owned(),
                start: arg_start,
                end: close,
            }),
            // An unset variable under `+` yields "" and, unlike `${VAR}`, is not reported.
            Op::Alternative => Ok(Step::Continue(resume)),
            Op::Default | Op::Required => {
                if let Some(v) = value {
                    self.out.push_str(&v);
                }
                Ok(Step::Continue(resume))
            }
        }
    }

    /// Finds the `}` that ends the expression starting at `dollar` whose operator text starts
    /// at `arg_start`, or None when the regexp would not match a braced expression.
    ///
    /// The regexp's greedy `(.*)}` extends the match to the last `}` before the next newline;
    /// compose-go then cuts it at the first brace that balances (a `{` also skips the byte
    /// after it). That balancing brace can never lie past the last `}` of the line, so the
    /// scan stops at the newline, and only looks for the last `}` when nothing balanced: the
    /// common case costs the length of the expression, not of the line.
    fn closing_brace(&self, dollar: usize, arg_start: usize, end: usize) -> Option<usize> {
        let bytes = self.template.as_bytes();
        let mut depth = 0usize;
        let mut i = dollar;
        let line_end = loop {
            match bytes.get(i) {
                _ if i >= end => break end,
                None | Some(b'\n') => break i,
                Some(b'}') => {
                    depth = depth.saturating_sub(1);
                    if depth == 0 {
                        return Some(i);
                    }
                }
                Some(b'{') => {
                    depth += 1;
                    // The skipped byte still ends the line for the regexp.
                    i += 1;
                    if i < end && bytes.get(i) == Some(&b'\n') {
                        break i;
                    }
                }
                _ => {}
            }
            i += 1;
        };
        // Unbalanced: compose-go keeps the whole regexp match. The last `}` is looked for
        // separately because the skip after `{` may have jumped over it.
        bytes
            .get(arg_start..line_end)?
            .iter()
            .rposition(|&b| b == b'}')
            .map(|n| arg_start + n)
    }

    /// `$NAME` and `${NAME}`: the value, or "" and a report when unset.
    fn substitute_plain(&mut self, name: &'t str) {
        match (self.lookup)(name) {
            Some(v) => self.out.push_str(&v),
            None => {
                if self.seen.insert(name) {
                    self.unset.push(name.to_owned());
                }
            }
        }
    }

    fn invalid(&self) -> InterpolateError {
        InterpolateError::InvalidFormat {
            template: self.template.to_owned(),
        }
    }

    /// Every boundary handed here sits next to an ASCII byte, hence on a char boundary; the
    /// fallback only guards against a logic error without panicking.
    fn slice(&self, start: usize, end: usize) -> &'t str {
        self.template.get(start..end).unwrap_or_default()
    }
}

enum Step {
    /// The frame has no text left.
    Done,
    /// Carry on at this byte offset.
    Continue(usize),
    /// Substitute `start..end` into the output, then carry on at `resume`.
    Descend {
        resume: usize,
        start: usize,
        end: usize,
    },
    /// A required variable is missing; `start..end` is its message.
    Fail {
        variable: String,
        start: usize,
        end: usize,
    },
}

/// Go compiles the pattern with `(?i)`, whose case folding also maps `ſ` (U+017F) onto `s`
/// and the Kelvin sign (U+212A) onto `k`, so docker compose accepts both in names.
fn is_name_start(c: char) -> bool {
    c == '_' || c.is_ascii_alphabetic() || c == '\u{17F}' || c == '\u{212A}'
}

fn is_name_char(c: char) -> bool {
    is_name_start(c) || c.is_ascii_digit()
}

/// Byte length of the longest name at the start of `s`.
fn name_len(s: &str) -> usize {
    s.char_indices()
        .find(|&(_, c)| !is_name_char(c))
        .map_or(s.len(), |(i, _)| i)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The mapping of compose-go's `template_test.go`.
    fn defaults(name: &str) -> Option<String> {
        match name {
            "FOO" => Some("first".to_owned()),
            "BAR" => Some(String::new()),
            "JSON" => Some(r#"{"json":2}"#.to_owned()),
            _ => None,
        }
    }

    fn none(_: &str) -> Option<String> {
        None
    }

    fn sub(template: &str) -> String {
        match interpolate(template, &defaults) {
            Ok(done) => done.value,
            Err(e) => panic!("{template:?} failed: {e}"),
        }
    }

    fn unset_of(template: &str, lookup: &dyn Fn(&str) -> Option<String>) -> Vec<String> {
        match interpolate(template, lookup) {
            Ok(done) => done.unset,
            Err(e) => panic!("{template:?} failed: {e}"),
        }
    }

    fn err(template: &str) -> InterpolateError {
        match interpolate(template, &defaults) {
            Ok(done) => panic!("{template:?} gave {:?}", done.value),
            Err(e) => e,
        }
    }

    fn required(variable: &str, message: &str) -> InterpolateError {
        InterpolateError::Required {
            variable: variable.to_owned(),
            message: message.to_owned(),
        }
    }

    #[test]
    fn nesting_is_bounded() {
        let nested = |depth: usize| format!("{}x{}", "${X:-".repeat(depth), "}".repeat(depth));
        assert_eq!(sub(&nested(MAX_NESTING)), "x");
        assert_eq!(err(&nested(MAX_NESTING + 1)), InterpolateError::TooDeep);
        // 100,000 levels are refused after reading the text a bounded number of times.
        assert_eq!(err(&nested(100_000)), InterpolateError::TooDeep);
    }

    fn assert_invalid(template: &str) {
        assert_eq!(
            err(template),
            InterpolateError::InvalidFormat {
                template: template.to_owned()
            },
            "{template:?}"
        );
    }

    #[test]
    fn forms_table_set_empty_unset() {
        // (template, FOO="first", BAR="", UNSET)
        let rows = [
            ("${V}", "first", "", ""),
            ("$V", "first", "", ""),
            ("${V:-d}", "first", "d", "d"),
            ("${V-d}", "first", "", "d"),
            ("${V:+r}", "r", "", ""),
            ("${V+r}", "r", "r", ""),
            ("${V:?e}", "first", "ERR", "ERR"),
            ("${V?e}", "first", "", "ERR"),
        ];
        for (template, set, empty, unset) in rows {
            for (var, expected) in [("FOO", set), ("BAR", empty), ("UNSET", unset)] {
                let t = template.replace('V', var);
                let got = match interpolate(&t, &defaults) {
                    Ok(done) => done.value,
                    Err(InterpolateError::Required { variable, message }) => {
                        assert_eq!((variable.as_str(), message.as_str()), (var, "e"));
                        "ERR".to_owned()
                    }
                    Err(e) => panic!("{t}: {e}"),
                };
                assert_eq!(got, expected, "{t}");
            }
        }
        assert_eq!(sub("$$"), "$");
    }

    #[test]
    fn escaped() {
        assert_eq!(sub("$${foo}"), "${foo}");
        assert_eq!(sub("$$FOO"), "$FOO");
        assert_eq!(sub("$$$FOO"), "$first");
        assert_eq!(sub("$$$$"), "$$");
    }

    #[test]
    fn substitute_no_match() {
        assert_eq!(sub("foo"), "foo");
        assert_eq!(sub(""), "");
    }

    #[test]
    fn unescaped_dollar_is_kept() {
        for t in [
            "a $ string",
            "^REGEX$",
            "$}",
            "$",
            "$1",
            "$ $",
            "a$-b",
            "$é",
            "$:-x",
        ] {
            assert_eq!(sub(t), t);
        }
    }

    #[test]
    fn invalid_templates() {
        for t in [
            "${",
            "${}",
            "${ }",
            "${ foo}",
            "${foo }",
            "${foo!}",
            "${VAR/foo/bar}",
            "${1}",
            "${é}",
            "${FOO:-x",
            "${FOO:-x\n}",
            "ok ${FOO} then ${",
            "$1 ${1}",
        ] {
            assert_invalid(t);
        }
    }

    #[test]
    fn first_error_wins() {
        assert_eq!(err("${A:?one} ${B:?two}"), required("A", "one"));
        assert_invalid("${ ${A:?x}");
        assert_eq!(err("${A:?one} ${"), required("A", "one"));
    }

    #[test]
    fn invalid_in_rest_reports_whole_template() {
        // compose-go names only the text after the first expression here; the whole
        // template is more useful and the caller adds the location anyway.
        assert_invalid("${UNSET:-a} ${ }");
        assert_invalid("${FOO:-a} ${");
    }

    #[test]
    fn non_braced_takes_longest_name() {
        assert_eq!(sub("$FOO-bar"), "first-bar");
        assert_eq!(sub("$FOObar"), "");
        assert_eq!(sub("$FOO.bar"), "first.bar");
        assert_eq!(sub("${FOO}bar"), "firstbar");
    }

    #[test]
    fn no_value_no_default() {
        for t in ["This ${missing} var", "This ${BAR} var"] {
            assert_eq!(sub(t), "This  var");
        }
        assert_eq!(unset_of("This ${missing} var", &defaults), ["missing"]);
        assert!(unset_of("This ${BAR} var", &defaults).is_empty());
    }

    #[test]
    fn value_no_default() {
        for t in ["This $FOO var", "This ${FOO} var"] {
            assert_eq!(sub(t), "This first var");
        }
    }

    #[test]
    fn no_value_with_default() {
        for t in ["ok ${missing:-def}", "ok ${missing-def}"] {
            assert_eq!(sub(t), "ok def");
        }
    }

    #[test]
    fn lazy_default_does_not_warn() {
        let done = interpolate("${A:+${A},}B", &defaults).unwrap_or_default();
        assert_eq!(done.value, "B");
        assert!(done.unset.is_empty());
    }

    #[test]
    fn lazy_default_warns_when_used() {
        let done = interpolate("${A:-${B}}", &defaults).unwrap_or_default();
        assert_eq!(done.value, "");
        assert_eq!(done.unset, ["B"]);
    }

    #[test]
    fn lazy_required_message_does_not_warn() {
        let lookup = |k: &str| (k == "A").then(|| "value".to_owned());
        let done = interpolate("${A?${B}}", &lookup).unwrap_or_default();
        assert_eq!(done.value, "value");
        assert!(done.unset.is_empty());
    }

    #[test]
    fn lazy_invalid_default_only_fails_when_used() {
        assert_eq!(sub("${FOO:-${}"), "first");
        assert_invalid("${UNSET:-${}");
        assert_eq!(sub("${UNSET:+${}"), "");
    }

    #[test]
    fn soft_and_hard_defaults() {
        assert_eq!(sub("ok ${BAR:-def}"), "ok def");
        assert_eq!(sub("ok ${FOO:-def}"), "ok first");
        assert_eq!(sub("ok ${BAR-def}"), "ok ");
    }

    #[test]
    fn presence_values() {
        assert_eq!(sub("ok ${UNSET_VAR:+presence_value}"), "ok ");
        assert_eq!(sub("ok ${UNSET_VAR+presence_value}"), "ok ");
        assert_eq!(sub("ok ${FOO:+presence_value}"), "ok presence_value");
        assert_eq!(sub("ok ${FOO+presence_value}"), "ok presence_value");
        assert_eq!(sub("ok ${BAR+presence_value}"), "ok presence_value");
        assert_eq!(sub("ok ${BAR:+presence_value}"), "ok ");
    }

    #[test]
    fn alternative_never_reports_unset() {
        assert!(unset_of("${X+r}${X:+r}${X-}${X:-}", &none).is_empty());
    }

    #[test]
    fn non_alphanumeric_default() {
        assert_eq!(
            sub("ok ${BAR:-/non:-alphanumeric}"),
            "ok /non:-alphanumeric"
        );
    }

    #[test]
    fn interpolation_external_interference() {
        let cases = [
            ("-ok ${BAR:-defaultValue}", "-ok defaultValue"),
            ("+ok ${UNSET:-${BAR-defaultValue}}", "+ok "),
            ("-ok ${FOO:-defaultValue}", "-ok first"),
            (":-ok ${UNSET-defaultValue}", ":-ok defaultValue"),
            (":-ok ${BAR-defaultValue}", ":-ok "),
            (":?ok ${BAR-defaultValue}", ":?ok "),
            (":?ok ${BAR:-defaultValue}", ":?ok defaultValue"),
            (":+ok ${BAR:-defaultValue}", ":+ok defaultValue"),
            ("+ok ${BAR-defaultValue}", "+ok "),
            ("?ok ${BAR:-defaultValue}", "?ok defaultValue"),
        ];
        for (t, expected) in cases {
            assert_eq!(sub(t), expected, "{t}");
        }
    }

    #[test]
    fn defaults_with_nested_expansion() {
        let cases = [
            ("ok ${UNSET_VAR-$FOO}", "ok first"),
            ("ok ${UNSET_VAR-${FOO}}", "ok first"),
            ("ok ${UNSET_VAR-${FOO} ${FOO}}", "ok first first"),
            ("ok ${BAR:-$FOO}", "ok first"),
            ("ok ${BAR:-${FOO}}", "ok first"),
            ("ok ${BAR:-${FOO} ${FOO}}", "ok first first"),
            ("ok ${BAR+$FOO}", "ok first"),
            ("ok ${BAR+$FOO ${FOO:+second}}", "ok first second"),
        ];
        for (t, expected) in cases {
            assert_eq!(sub(t), expected, "{t}");
        }
    }

    #[test]
    fn spec_nesting_examples() {
        let run = |t: &str| interpolate(t, &none).map(|d| d.value);
        assert_eq!(
            run(r#"${missing:-{"json":1}}"#),
            Ok(r#"{"json":1}"#.to_owned())
        );
        assert_eq!(run("${FOO:-${BAR:-${ZOT:-qix}}}"), Ok("qix".to_owned()));
        assert_eq!(
            run("${FOO:-${BAR:-x}_test_${BAR:-y}}"),
            Ok("x_test_y".to_owned())
        );
    }

    #[test]
    fn mandatory_variable_errors() {
        let cases = [
            (
                "not ok ${UNSET_VAR:?Mandatory Variable Unset}",
                "required variable UNSET_VAR is missing a value: Mandatory Variable Unset",
            ),
            (
                "not ok ${BAR:?Mandatory Variable Empty}",
                "required variable BAR is missing a value: Mandatory Variable Empty",
            ),
            (
                "not ok ${UNSET_VAR:?}",
                "required variable UNSET_VAR is missing a value",
            ),
            (
                "not ok ${UNSET_VAR?Mandatory Variable Unset}",
                "required variable UNSET_VAR is missing a value: Mandatory Variable Unset",
            ),
            (
                "not ok ${UNSET_VAR?}",
                "required variable UNSET_VAR is missing a value",
            ),
        ];
        for (t, expected) in cases {
            let e = err(t);
            assert!(matches!(e, InterpolateError::Required { .. }), "{t}");
            assert_eq!(e.to_string(), expected);
        }
    }

    #[test]
    fn mandatory_variable_errors_with_nested_expansion() {
        for t in [
            "not ok ${UNSET_VAR:?Mandatory Variable ${FOO}}",
            "not ok ${UNSET_VAR?Mandatory Variable ${FOO}}",
        ] {
            assert_eq!(err(t), required("UNSET_VAR", "Mandatory Variable first"));
        }
    }

    #[test]
    fn error_in_required_message_wins() {
        assert_eq!(err("${A?${B?inner}}"), required("B", "inner"));
        assert_invalid("${A?${}");
    }

    #[test]
    fn defaults_for_mandatory_variables() {
        assert_eq!(sub("ok ${FOO:?err}"), "ok first");
        assert_eq!(sub("ok ${FOO?err}"), "ok first");
        assert_eq!(sub("ok ${BAR?err}"), "ok ");
    }

    #[test]
    fn several_expressions_in_one_line() {
        assert_eq!(sub("ok ${SUBDOMAIN:-redis}.${FOO:?}"), "ok redis.first");
        assert_eq!(sub("${FOO:-a} ${UNSET:-b} $FOO"), "first b first");
    }

    #[test]
    fn precedence() {
        assert_eq!(
            err("${UNSET_VAR?bar-baz}"),
            required("UNSET_VAR", "bar-baz")
        );
        assert_eq!(sub("${UNSET_VAR-myerror?msg}"), "myerror?msg");
        assert_eq!(sub("${FOO?bar-baz}"), "first");
        assert_eq!(
            sub("${BAR:-default_value_for_empty_var}"),
            "default_value_for_empty_var"
        );
        assert_eq!(
            sub("${UNSET_VAR-default_value_for_unset_var}"),
            "default_value_for_unset_var"
        );
    }

    #[test]
    fn substitution_function_choice() {
        // compose-go's cases, observed through behaviour: the operator right after the name
        // wins and the text after it is taken whole.
        let empty = |k: &str| (k == "VARNAME").then(String::new);
        let run = |body: &str, lookup: &dyn Fn(&str) -> Option<String>| {
            interpolate(&format!("${{{body}}}"), lookup)
        };
        let ok = |s: &str| {
            Ok(Interpolated {
                value: s.to_owned(),
                unset: Vec::new(),
            })
        };
        // `:?` errors when empty; `?` does not.
        assert_eq!(
            run("VARNAME:?val?ue", &empty),
            Err(required("VARNAME", "val?ue"))
        );
        assert_eq!(run("VARNAME?val:?ue", &empty), ok(""));
        assert_eq!(
            run("VARNAME?val:?ue", &none),
            Err(required("VARNAME", "val:?ue"))
        );
        assert_eq!(
            run("VARNAME?va-lu+e:?e", &none),
            Err(required("VARNAME", "va-lu+e:?e"))
        );
        assert_eq!(
            run("VARNAME?va+lu-e:?e", &none),
            Err(required("VARNAME", "va+lu-e:?e"))
        );
        // `:-` defaults when empty; `-` does not.
        assert_eq!(run("VARNAME:-value", &empty), ok("value"));
        assert_eq!(run("VARNAME-va:-lu:?e", &empty), ok(""));
        assert_eq!(run("VARNAME-va:-lu:?e", &none), ok("va:-lu:?e"));
        assert_eq!(run("VARNAME-va+lu?e", &none), ok("va+lu?e"));
        assert_eq!(run("VARNAME-va?lu+e", &none), ok("va?lu+e"));
        // `:+` needs a non-empty value; `+` only a set one.
        assert_eq!(run("VARNAME:+va:?lu:-e", &empty), ok(""));
        assert_eq!(run("VARNAME+va:+lue", &empty), ok("va:+lue"));
        assert_eq!(run("VARNAME+va?lu-e", &empty), ok("va?lu-e"));
        assert_eq!(run("VARNAME+va-lu?e", &empty), ok("va-lu?e"));
    }

    #[test]
    fn curly_braces_in_defaults() {
        for t in [
            r#"ok ${missing:-{"json":1}}"#,
            r#"ok ${missing-{"json":1}}"#,
        ] {
            assert_eq!(sub(t), r#"ok {"json":1}"#);
        }
        for t in [r#"ok ${JSON:-{"json":1}}"#, r#"ok ${JSON-{"json":1}}"#] {
            assert_eq!(sub(t), r#"ok {"json":2}"#);
        }
    }

    #[test]
    fn brace_counting_quirks() {
        // A `{` also skips the character after it, so `{}` does not close anything.
        assert_eq!(sub("${UNSET:-{}"), "{");
        assert_eq!(sub("${UNSET:-{}}x"), "{}x");
        assert_eq!(sub("${UNSET:-{x}y}z}"), "{x}yz}");
        // What follows the balancing brace is ordinary text.
        assert_eq!(sub("${UNSET:-a}}"), "a}");
        assert_eq!(sub("${FOO:-a}}"), "first}");
        assert_eq!(sub("${UNSET:-a$}"), "a$");
    }

    #[test]
    fn expressions_do_not_span_lines() {
        assert_eq!(sub("${FOO:-a}\n${UNSET:-b}\n$FOO"), "first\nb\nfirst");
        // The greedy `(.*)` of compose-go's pattern stops at a newline.
        assert_invalid("${UNSET:-a\nb}");
        assert_eq!(sub("${UNSET:-a}\n}"), "a\n}");
    }

    #[test]
    fn unset_is_ordered_and_deduplicated() {
        let done = interpolate("$B ${A} $B ${C:-$D} $A", &none).unwrap_or_default();
        assert_eq!(done.value, "    ");
        assert_eq!(done.unset, ["B", "A", "D"]);
    }

    #[test]
    fn go_case_folding_in_names() {
        let lookup = |k: &str| match k {
            "\u{17F}x" => Some("long-s".to_owned()),
            "\u{212A}" => Some("kelvin".to_owned()),
            _ => None,
        };
        let done = interpolate("$\u{17F}x ${\u{212A}} $k", &lookup).unwrap_or_default();
        assert_eq!(done.value, "long-s kelvin ");
        assert_eq!(done.unset, ["k"]);
    }

    #[test]
    fn non_ascii_text_is_preserved() {
        assert_eq!(sub("é$FOOé ${FOO}😀 $😀"), "éfirsté first😀 $😀");
        assert_eq!(sub("${UNSET:-😀}"), "😀");
    }

    #[test]
    fn deep_nesting_does_not_recurse_and_is_bounded() {
        let depth = MAX_NESTING;
        let template = format!("{}x{}", "${A:-".repeat(depth), "}".repeat(depth));
        assert_eq!(
            interpolate(&template, &none).map(|d| d.value),
            Ok("x".to_owned())
        );
        let template = format!("{}x{}", "${A?".repeat(depth), "}".repeat(depth));
        assert_eq!(interpolate(&template, &none), Err(required("A", "x")));
        let template = format!("{}x{}", "${A?".repeat(100_000), "}".repeat(100_000));
        assert_eq!(
            interpolate(&template, &none),
            Err(InterpolateError::TooDeep)
        );
    }

    #[test]
    fn error_display() {
        assert_eq!(
            InterpolateError::InvalidFormat {
                template: "a ${".to_owned()
            }
            .to_string(),
            r#"invalid interpolation format in "a ${": a literal $ must be written $$"#
        );
        assert_eq!(
            InterpolateError::InvalidFormat {
                template: "a\n${".to_owned()
            }
            .to_string(),
            r#"invalid interpolation format in "a\n${": a literal $ must be written $$"#
        );
        assert_eq!(
            required("FOO", "").to_string(),
            "required variable FOO is missing a value"
        );
        assert_eq!(
            required("FOO", "set it").to_string(),
            "required variable FOO is missing a value: set it"
        );
    }

    #[test]
    fn has_variables_checks_for_dollar() {
        assert!(!has_variables(""));
        assert!(!has_variables("plain {text}"));
        assert!(has_variables("$"));
        assert!(has_variables("a$$b"));
    }

    #[test]
    fn lookup_not_called_without_dollar() {
        let lookup = |_: &str| -> Option<String> { panic!("no lookup expected") };
        assert_eq!(
            interpolate("no variables", &lookup).map(|d| d.value),
            Ok("no variables".to_owned())
        );
    }
}
