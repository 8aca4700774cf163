//! The loader's YAML tree: every value keeps the file, line and column it came from, and the
//! `!reset` / `!override` tag compose gives it, so that errors found long after parsing (after
//! merging several files, extends, include) still point at the right place.
//!
//! Parsing goes through serde-saphyr, which resolves anchors, aliases and `<<` merge keys,
//! rejects duplicate keys and bounds alias expansion. Options follow compose-go's YAML dialect:
//! YAML 1.2 booleans only (`yes` stays a string) and Go's `0440` octal integers.

use std::fmt;
use std::sync::Arc;

use indexmap::IndexMap;
use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde_saphyr::{Spanned, Tagged};

/// Where a value was written. `line` 0 means "not from a file" (a default or a value the loader
/// made up), and such locations are not printed.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Loc {
    pub file: Option<Arc<str>>,
    pub line: u32,
    pub col: u32,
}

impl Loc {
    pub fn known(&self) -> bool {
        self.file.is_some()
    }
}

impl fmt::Display for Loc {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.file {
            Some(file) if self.line > 0 => write!(f, "{file}:{}:{}", self.line, self.col),
            Some(file) => write!(f, "{file}"),
            None => Ok(()),
        }
    }
}

/// compose's merge tags.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tag {
    /// `!reset`: remove the attribute from what earlier files defined.
    Reset,
    /// `!override`: replace the attribute wholesale instead of merging it.
    Override,
}

pub type Map = IndexMap<String, Node>;

#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<Node>),
    Map(Map),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub value: Value,
    pub loc: Loc,
    /// Where the mapping key of this value was written, for errors about the key itself.
    pub key_loc: Loc,
    pub tag: Option<Tag>,
}

impl Node {
    pub fn new(value: Value, loc: Loc) -> Node {
        Node {
            value,
            key_loc: loc.clone(),
            loc,
            tag: None,
        }
    }

    pub fn str(s: impl Into<String>, loc: &Loc) -> Node {
        Node::new(Value::Str(s.into()), loc.clone())
    }

    pub fn map(map: Map, loc: &Loc) -> Node {
        Node::new(Value::Map(map), loc.clone())
    }

    pub fn seq(items: Vec<Node>, loc: &Loc) -> Node {
        Node::new(Value::Seq(items), loc.clone())
    }

    pub fn null(loc: &Loc) -> Node {
        Node::new(Value::Null, loc.clone())
    }

    pub fn as_str(&self) -> Option<&str> {
        match &self.value {
            Value::Str(s) => Some(s),
            _ => None,
        }
    }

    pub fn as_map(&self) -> Option<&Map> {
        match &self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_map_mut(&mut self) -> Option<&mut Map> {
        match &mut self.value {
            Value::Map(m) => Some(m),
            _ => None,
        }
    }

    pub fn as_seq(&self) -> Option<&Vec<Node>> {
        match &self.value {
            Value::Seq(s) => Some(s),
            _ => None,
        }
    }

    pub fn is_null(&self) -> bool {
        matches!(self.value, Value::Null)
    }

    pub fn get(&self, key: &str) -> Option<&Node> {
        self.as_map().and_then(|m| m.get(key))
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut Node> {
        self.as_map_mut().and_then(|m| m.get_mut(key))
    }

    /// The scalar as compose would print it in a string context (`fmt.Sprint`).
    pub fn scalar_text(&self) -> Option<String> {
        match &self.value {
            Value::Str(s) => Some(s.clone()),
            Value::Int(i) => Some(i.to_string()),
            Value::Float(f) => Some(format_float(*f)),
            Value::Bool(b) => Some(b.to_string()),
            Value::Null | Value::Seq(_) | Value::Map(_) => None,
        }
    }

    /// The YAML type name used in messages ("a string", "a mapping"…).
    pub fn kind(&self) -> &'static str {
        match self.value {
            Value::Null => "null",
            Value::Bool(_) => "a boolean",
            Value::Int(_) => "an integer",
            Value::Float(_) => "a number",
            Value::Str(_) => "a string",
            Value::Seq(_) => "a sequence",
            Value::Map(_) => "a mapping",
        }
    }

    /// Converts to JSON for `x-*` extensions, which the loader keeps without interpreting.
    pub fn to_json(&self) -> serde_json::Value {
        match &self.value {
            Value::Null => serde_json::Value::Null,
            Value::Bool(b) => serde_json::Value::Bool(*b),
            Value::Int(i) => serde_json::Value::from(*i),
            Value::Float(f) => serde_json::Number::from_f64(*f)
                .map(serde_json::Value::Number)
                .unwrap_or(serde_json::Value::Null),
            Value::Str(s) => serde_json::Value::String(s.clone()),
            Value::Seq(items) => items.iter().map(Node::to_json).collect(),
            Value::Map(m) => {
                serde_json::Value::Object(m.iter().map(|(k, v)| (k.clone(), v.to_json())).collect())
            }
        }
    }
}

/// Go's `fmt.Sprint` of a float64: shortest representation, no trailing `.0`.
pub fn format_float(f: f64) -> String {
    if f.fract() == 0.0 && f.abs() < 1e21 {
        format!("{}", f as i64)
    } else {
        format!("{f}")
    }
}

/// Parses every YAML document of one file. An empty file gives no document.
pub fn parse_documents(text: &str, file: &Arc<str>) -> Result<Vec<Node>, (Loc, String)> {
    let options = serde_saphyr::options! {
        strict_booleans: true,
        legacy_octal_numbers: true,
        budget: Some(budget(text.len())),
    };
    let raw: Vec<RawNode> =
        serde_saphyr::from_multiple_with_options(text, options).map_err(|e| {
            let loc = e
                .location()
                .map(|l| Loc {
                    file: Some(file.clone()),
                    line: u32::try_from(l.line()).unwrap_or(u32::MAX),
                    col: u32::try_from(l.column()).unwrap_or(u32::MAX),
                })
                .unwrap_or_else(|| Loc {
                    file: Some(file.clone()),
                    line: 0,
                    col: 0,
                });
            (loc, yaml_error_message(&e))
        })?;
    Ok(raw.into_iter().map(|r| r.into_node(file)).collect())
}

/// The parser's limits for a text of `len` bytes.
///
/// Every YAML value takes at least two bytes of text (one character and a separator), so
/// without aliases a file holds fewer values than it has bytes, and a handful of parser
/// events per value. The limits scale with the text, never below serde-saphyr's defaults:
/// a valid file of any size the loader accepts parses, while aliases that expand into more
/// than the file could hold (an alias bomb) are stopped after a few times its size.
/// Real files (sentry's) alias a few anchors a hundred times, which trips serde-saphyr's
/// alias-to-anchor ratio check, so that check is off; the scaled limits stop bombs instead.
fn budget(len: usize) -> serde_saphyr::Budget {
    let mut budget = serde_saphyr::Budget::default();
    let events = len.saturating_mul(4);
    budget.max_nodes = budget.max_nodes.max(len);
    budget.max_events = budget.max_events.max(events);
    budget.max_recorded_anchor_events = budget.max_recorded_anchor_events.max(events);
    // An alias or an anchor is at least `*a` or `&a` and a separator.
    budget.max_aliases = budget.max_aliases.max(len / 3);
    budget.max_anchors = budget.max_anchors.max(len / 3);
    budget.max_merge_keys = budget.max_merge_keys.max(len / 8);
    budget.enforce_alias_anchor_ratio = false;
    budget
}

/// A parser limit that stopped the file: it is too big or its aliases expand too far, which
/// is not the same as being invalid YAML.
fn budget_message(e: &serde_saphyr::Error) -> Option<String> {
    use serde_saphyr::budget::BudgetBreach as B;
    let mut e = e;
    while let serde_saphyr::Error::WithSnippet { error, .. }
    | serde_saphyr::Error::AliasError { error, .. } = e
    {
        e = error;
    }
    let serde_saphyr::Error::Budget { breach, .. } = e else {
        return None;
    };
    Some(match breach {
        B::Depth { depth } => {
            format!("too deeply nested: {depth} levels of mappings and sequences")
        }
        B::Documents { documents } => format!("too many YAML documents: {documents}"),
        B::Aliases { .. }
        | B::Anchors { .. }
        | B::AliasAnchorRatio { .. }
        | B::MergeKeys { .. }
        | B::RecordedAnchorEvents { .. }
        | B::RecordedAnchorBytes { .. }
        | B::Nodes { .. }
        | B::Events { .. } => "too large or too many aliases: its anchors and aliases expand \
             into far more values than the file holds (an alias bomb?)"
            .to_owned(),
        other => format!("too large: {other:?}"),
    })
}

/// serde-saphyr renders its own location and a source snippet; we print the location in our
/// one-line format, so keep only the first line and drop its location suffix.
fn yaml_error_message(e: &serde_saphyr::Error) -> String {
    if let Some(message) = budget_message(e) {
        return message;
    }
    let rendered = e.without_snippet().to_string();
    let first = rendered.lines().next().unwrap_or("invalid YAML").trim();
    let first = match first.rfind(" at line ") {
        Some(i) => &first[..i],
        None => first,
    };
    // serde-saphyr suggests its own option; the fix for a compose file is to drop the key.
    let first = first
        .split(", set DuplicateKeyPolicy")
        .next()
        .unwrap_or(first);
    format!("invalid YAML: {first}")
}

/// What serde-saphyr hands us: spans are relative to the file, tags as spelled.
struct RawNode {
    value: RawValue,
    line: u64,
    col: u64,
    key: Option<(u64, u64)>,
    tag: Option<String>,
}

enum RawValue {
    Null,
    Bool(bool),
    Int(i64),
    Float(f64),
    Str(String),
    Seq(Vec<RawNode>),
    Map(Vec<(String, RawNode)>),
}

impl RawNode {
    fn into_node(self, file: &Arc<str>) -> Node {
        let loc = Loc {
            file: Some(file.clone()),
            line: u32::try_from(self.line).unwrap_or(u32::MAX),
            col: u32::try_from(self.col).unwrap_or(u32::MAX),
        };
        let key_loc = match self.key {
            Some((line, col)) => Loc {
                file: Some(file.clone()),
                line: u32::try_from(line).unwrap_or(u32::MAX),
                col: u32::try_from(col).unwrap_or(u32::MAX),
            },
            None => loc.clone(),
        };
        let value = match self.value {
            RawValue::Null => Value::Null,
            RawValue::Bool(b) => Value::Bool(b),
            RawValue::Int(i) => Value::Int(i),
            RawValue::Float(f) => Value::Float(f),
            RawValue::Str(s) => Value::Str(s),
            RawValue::Seq(items) => {
                Value::Seq(items.into_iter().map(|n| n.into_node(file)).collect())
            }
            RawValue::Map(entries) => Value::Map(
                entries
                    .into_iter()
                    .map(|(k, n)| (k, n.into_node(file)))
                    .collect(),
            ),
        };
        let tag = match self.tag.as_deref() {
            Some("!reset") => Some(Tag::Reset),
            Some("!override") => Some(Tag::Override),
            _ => None,
        };
        Node {
            value,
            loc,
            key_loc,
            tag,
        }
    }
}

impl<'de> Deserialize<'de> for RawNode {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let spanned = Spanned::<Tagged<RawValueDe>>::deserialize(d)?;
        Ok(RawNode {
            value: spanned.value.0.0,
            line: spanned.referenced.line(),
            col: spanned.referenced.column(),
            key: None,
            tag: spanned.value.1,
        })
    }
}

struct RawValueDe(RawValue);

impl<'de> Deserialize<'de> for RawValueDe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        d.deserialize_any(RawVisitor)
    }
}

/// Compose requires string keys; a YAML integer or boolean key is reported like compose-go does.
struct KeyDe(String);

impl<'de> Deserialize<'de> for KeyDe {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct KeyVisitor;
        impl<'de> Visitor<'de> for KeyVisitor {
            type Value = KeyDe;
            fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
                f.write_str("a string key")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<KeyDe, E> {
                Ok(KeyDe(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<KeyDe, E> {
                Ok(KeyDe(v))
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<KeyDe, E> {
                Err(E::custom(format!("non-string key {v}: quote it")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<KeyDe, E> {
                Err(E::custom(format!("non-string key {v}: quote it")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<KeyDe, E> {
                Err(E::custom(format!("non-string key {v}: quote it")))
            }
            fn visit_bool<E: de::Error>(self, v: bool) -> Result<KeyDe, E> {
                Err(E::custom(format!("non-string key {v}: quote it")))
            }
            fn visit_unit<E: de::Error>(self) -> Result<KeyDe, E> {
                Err(E::custom("null key: a mapping key must be a string"))
            }
        }
        d.deserialize_any(KeyVisitor)
    }
}

struct RawVisitor;

impl<'de> Visitor<'de> for RawVisitor {
    type Value = RawValueDe;

    fn expecting(&self, f: &mut fmt::Formatter) -> fmt::Result {
        f.write_str("any YAML value")
    }
    fn visit_unit<E>(self) -> Result<RawValueDe, E> {
        Ok(RawValueDe(RawValue::Null))
    }
    fn visit_none<E>(self) -> Result<RawValueDe, E> {
        Ok(RawValueDe(RawValue::Null))
    }
    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<RawValueDe, D::Error> {
        RawValueDe::deserialize(d)
    }
    fn visit_bool<E>(self, v: bool) -> Result<RawValueDe, E> {
        Ok(RawValueDe(RawValue::Bool(v)))
    }
    fn visit_i64<E>(self, v: i64) -> Result<RawValueDe, E> {
        Ok(RawValueDe(RawValue::Int(v)))
    }
    fn visit_u64<E>(self, v: u64) -> Result<RawValueDe, E> {
        Ok(RawValueDe(match i64::try_from(v) {
            Ok(i) => RawValue::Int(i),
            Err(_) => RawValue::Float(v as f64),
        }))
    }
    fn visit_i128<E>(self, v: i128) -> Result<RawValueDe, E> {
        Ok(RawValueDe(match i64::try_from(v) {
            Ok(i) => RawValue::Int(i),
            Err(_) => RawValue::Float(v as f64),
        }))
    }
    fn visit_u128<E>(self, v: u128) -> Result<RawValueDe, E> {
        Ok(RawValueDe(match i64::try_from(v) {
            Ok(i) => RawValue::Int(i),
            Err(_) => RawValue::Float(v as f64),
        }))
    }
    fn visit_f64<E>(self, v: f64) -> Result<RawValueDe, E> {
        Ok(RawValueDe(RawValue::Float(v)))
    }
    fn visit_str<E>(self, v: &str) -> Result<RawValueDe, E> {
        Ok(RawValueDe(RawValue::Str(v.to_owned())))
    }
    fn visit_string<E>(self, v: String) -> Result<RawValueDe, E> {
        Ok(RawValueDe(RawValue::Str(v)))
    }
    fn visit_bytes<E: de::Error>(self, _v: &[u8]) -> Result<RawValueDe, E> {
        Err(E::custom(
            "binary values are not supported in compose files",
        ))
    }
    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<RawValueDe, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element::<RawNode>()? {
            items.push(item);
        }
        Ok(RawValueDe(RawValue::Seq(items)))
    }
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<RawValueDe, A::Error> {
        let mut entries: Vec<(String, RawNode)> = Vec::new();
        while let Some(key) = map.next_key::<Spanned<KeyDe>>()? {
            let mut value = map.next_value::<RawNode>()?;
            value.key = Some((key.referenced.line(), key.referenced.column()));
            entries.push((key.value.0, value));
        }
        Ok(RawValueDe(RawValue::Map(entries)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Node {
        let file: Arc<str> = Arc::from("c.yaml");
        parse_documents(text, &file).unwrap().remove(0)
    }

    #[test]
    fn keeps_locations_tags_and_compose_scalars() {
        let n = parse("a: &x\n  b: 0440\n  c: yes\nd:\n  <<: *x\n  e: !reset []\n");
        let a = n.get("a").unwrap();
        assert_eq!(a.get("b").unwrap().value, Value::Int(0o440));
        assert_eq!(a.get("c").unwrap().value, Value::Str("yes".into()));
        let d = n.get("d").unwrap();
        assert_eq!(d.get("b").unwrap().value, Value::Int(0o440));
        let e = d.get("e").unwrap();
        assert_eq!(e.tag, Some(Tag::Reset));
        assert_eq!((e.key_loc.line, e.key_loc.col), (6, 3));
    }

    #[test]
    fn merge_sequence_first_wins_and_local_wins() {
        let n = parse("a: &a {k: 1, j: 1}\nb: &b {k: 2, l: 2}\nc:\n  <<: [*a, *b]\n  j: 3\n");
        let c = n.get("c").unwrap();
        assert_eq!(c.get("k").unwrap().value, Value::Int(1));
        assert_eq!(c.get("j").unwrap().value, Value::Int(3));
        assert_eq!(c.get("l").unwrap().value, Value::Int(2));
    }

    #[test]
    fn errors_carry_a_location() {
        let file: Arc<str> = Arc::from("c.yaml");
        let (loc, msg) = parse_documents("a: 1\na: 2\n", &file).unwrap_err();
        assert_eq!(loc.line, 2, "{msg}");
        assert!(msg.starts_with("invalid YAML"), "{msg}");
        let (_, msg) = parse_documents("1: a\n", &file).unwrap_err();
        assert!(msg.contains("non-string key 1"), "{msg}");
    }
}
