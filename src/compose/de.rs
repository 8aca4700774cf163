//! A serde `Deserializer` over the loader's tree, so the typed model is filled by derived
//! `Deserialize` impls while every error still names the file, line, column and model path.
//!
//! Two compose rules live here rather than in the model: an unknown key is an error (the
//! struct's field list is the schema), and `x-*` keys are extensions, handed to a struct that
//! declares a field named `x-*` and otherwise ignored.

use std::fmt;

use serde::de::{
    self, DeserializeSeed, Deserializer, IntoDeserializer, MapAccess, SeqAccess, Visitor,
};

use super::error::Error;
use super::node::{Loc, Map, Node, Value};
use serde::de::Error as _;

/// The synthetic field under which a struct receives its `x-*` keys.
pub const EXTENSIONS_FIELD: &str = "x-*";

#[derive(Debug)]
pub struct DeError {
    /// Path segments, innermost first (errors travel outwards and each level adds its own).
    segments: Vec<Segment>,
    loc: Option<Loc>,
    message: String,
}

#[derive(Debug)]
enum Segment {
    Key(String),
    Index(usize),
}

impl DeError {
    fn at(mut self, loc: &Loc) -> DeError {
        if self.loc.is_none() && loc.known() {
            self.loc = Some(loc.clone());
        }
        self
    }

    fn within(mut self, segment: Segment) -> DeError {
        self.segments.push(segment);
        self
    }

    pub fn into_error(self, root: &str) -> Error {
        let mut path = root.to_owned();
        for segment in self.segments.iter().rev() {
            match segment {
                Segment::Key(k) => {
                    if !path.is_empty() {
                        path.push('.');
                    }
                    path.push_str(k);
                }
                Segment::Index(i) => path.push_str(&format!("[{i}]")),
            }
        }
        Error {
            loc: self.loc.unwrap_or_default(),
            path,
            message: self.message,
        }
    }
}

impl fmt::Display for DeError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for DeError {}

impl de::Error for DeError {
    fn custom<T: fmt::Display>(msg: T) -> Self {
        DeError {
            segments: Vec::new(),
            loc: None,
            message: msg.to_string(),
        }
    }
}

/// Deserializes `node` into `T`; `root` is the model path of `node` for messages.
pub fn from_node<T: de::DeserializeOwned>(node: &Node, root: &str) -> Result<T, Error> {
    T::deserialize(NodeDeserializer { node }).map_err(|e| e.into_error(root))
}

pub struct NodeDeserializer<'a> {
    node: &'a Node,
}

impl<'a> NodeDeserializer<'a> {
    fn located<T>(&self, r: Result<T, DeError>) -> Result<T, DeError> {
        r.map_err(|e| e.at(&self.node.loc))
    }
}

impl<'de, 'a> Deserializer<'de> for NodeDeserializer<'a> {
    type Error = DeError;

    fn deserialize_any<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        let r = match &self.node.value {
            Value::Null => visitor.visit_unit(),
            Value::Bool(b) => visitor.visit_bool(*b),
            Value::Int(i) => visitor.visit_i64(*i),
            Value::Float(f) => visitor.visit_f64(*f),
            Value::Str(s) => visitor.visit_str(s),
            Value::Seq(items) => visitor.visit_seq(SeqDe {
                items: items.iter(),
                index: 0,
            }),
            Value::Map(map) => visitor.visit_map(MapDe::all(map)),
        };
        self.located(r)
    }

    fn deserialize_option<V: Visitor<'de>>(self, visitor: V) -> Result<V::Value, DeError> {
        if self.node.is_null() {
            self.located(visitor.visit_none())
        } else {
            let loc = self.node.loc.clone();
            visitor.visit_some(self).map_err(|e| e.at(&loc))
        }
    }

    fn deserialize_newtype_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let loc = self.node.loc.clone();
        visitor.visit_newtype_struct(self).map_err(|e| e.at(&loc))
    }

    fn deserialize_struct<V: Visitor<'de>>(
        self,
        _name: &'static str,
        fields: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        let Value::Map(map) = &self.node.value else {
            return self.deserialize_any(visitor);
        };
        for (key, value) in map {
            if !fields.contains(&key.as_str()) && !key.starts_with("x-") {
                return Err(DeError::custom(unknown_key_message(key, fields))
                    .at(&value.key_loc)
                    .within(Segment::Key(key.clone())));
            }
        }
        let mut access = MapDe::all(map);
        if fields.contains(&EXTENSIONS_FIELD) {
            let extensions: Map = map
                .iter()
                .filter(|(k, _)| k.starts_with("x-"))
                .map(|(k, v)| (k.clone(), v.clone()))
                .collect();
            access.extensions = Some(Node::map(extensions, &self.node.loc));
        }
        access.skip_extensions = true;
        self.located(visitor.visit_map(access))
    }

    fn deserialize_enum<V: Visitor<'de>>(
        self,
        _name: &'static str,
        _variants: &'static [&'static str],
        visitor: V,
    ) -> Result<V::Value, DeError> {
        match &self.node.value {
            Value::Str(s) => {
                let de: de::value::StrDeserializer<'_, DeError> = s.as_str().into_deserializer();
                self.located(visitor.visit_enum(de))
            }
            _ => Err(
                DeError::custom(format!("expected a string, found {}", self.node.kind()))
                    .at(&self.node.loc),
            ),
        }
    }

    serde::forward_to_deserialize_any! {
        bool i8 i16 i32 i64 i128 u8 u16 u32 u64 u128 f32 f64 char str string
        bytes byte_buf unit unit_struct seq tuple tuple_struct map identifier ignored_any
    }
}

fn unknown_key_message(key: &str, fields: &[&str]) -> String {
    let known: Vec<&str> = fields
        .iter()
        .copied()
        .filter(|f| *f != EXTENSIONS_FIELD)
        .collect();
    let close = known
        .iter()
        .map(|f| (strsim::levenshtein(key, f), *f))
        .filter(|(d, f)| *d <= 2 || (f.len() > 3 && key.contains(f)))
        .min();
    match close {
        Some((_, f)) => {
            format!("unknown key \"{key}\": did you mean \"{f}\"? (custom keys must start with x-)")
        }
        None => format!(
            "unknown key \"{key}\": expected one of {} (custom keys must start with x-)",
            known.join(", ")
        ),
    }
}

struct SeqDe<'a> {
    items: std::slice::Iter<'a, Node>,
    index: usize,
}

impl<'de, 'a> SeqAccess<'de> for SeqDe<'a> {
    type Error = DeError;

    fn next_element_seed<T: DeserializeSeed<'de>>(
        &mut self,
        seed: T,
    ) -> Result<Option<T::Value>, DeError> {
        let Some(node) = self.items.next() else {
            return Ok(None);
        };
        let index = self.index;
        self.index += 1;
        seed.deserialize(NodeDeserializer { node })
            .map(Some)
            .map_err(|e| e.at(&node.loc).within(Segment::Index(index)))
    }

    fn size_hint(&self) -> Option<usize> {
        Some(self.items.len())
    }
}

struct MapDe<'a> {
    entries: indexmap::map::Iter<'a, String, Node>,
    current: Option<(&'a String, &'a Node)>,
    skip_extensions: bool,
    extensions: Option<Node>,
    extensions_pending: bool,
}

impl<'a> MapDe<'a> {
    fn all(map: &'a Map) -> MapDe<'a> {
        MapDe {
            entries: map.iter(),
            current: None,
            skip_extensions: false,
            extensions: None,
            extensions_pending: false,
        }
    }
}

impl<'de, 'a> MapAccess<'de> for MapDe<'a> {
    type Error = DeError;

    fn next_key_seed<K: DeserializeSeed<'de>>(
        &mut self,
        seed: K,
    ) -> Result<Option<K::Value>, DeError> {
        for (key, node) in self.entries.by_ref() {
            if self.skip_extensions && key.starts_with("x-") {
                continue;
            }
            self.current = Some((key, node));
            let de: de::value::StrDeserializer<'_, DeError> = key.as_str().into_deserializer();
            return seed
                .deserialize(de)
                .map(Some)
                .map_err(|e| e.at(&node.key_loc).within(Segment::Key(key.clone())));
        }
        if self.extensions.is_some() && !self.extensions_pending {
            self.extensions_pending = true;
            self.current = None;
            let de: de::value::StrDeserializer<'_, DeError> = EXTENSIONS_FIELD.into_deserializer();
            return seed.deserialize(de).map(Some);
        }
        Ok(None)
    }

    fn next_value_seed<V: DeserializeSeed<'de>>(&mut self, seed: V) -> Result<V::Value, DeError> {
        match self.current.take() {
            Some((key, node)) => seed
                .deserialize(NodeDeserializer { node })
                .map_err(|e| e.at(&node.loc).within(Segment::Key(key.clone()))),
            None => match self.extensions.take() {
                Some(node) => seed.deserialize(NodeDeserializer { node: &node }),
                None => Err(DeError::custom("value requested before key")),
            },
        }
    }

    /// Exact, or a few over when `x-` keys are skipped: maps are then allocated once.
    fn size_hint(&self) -> Option<usize> {
        Some(self.entries.len() + usize::from(self.extensions.is_some()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use indexmap::IndexMap;
    use serde::Deserialize;
    use std::sync::Arc;

    #[derive(Debug, Deserialize)]
    struct Port {
        target: u16,
        #[serde(default)]
        published: Option<String>,
    }

    #[derive(Debug, Deserialize)]
    struct Svc {
        #[serde(default)]
        ports: Vec<Port>,
        #[serde(default)]
        image: Option<String>,
        #[serde(rename = "x-*", default)]
        extensions: IndexMap<String, serde_json::Value>,
    }

    fn tree(text: &str) -> Node {
        let file: Arc<str> = Arc::from("f.yml");
        super::super::node::parse_documents(text, &file)
            .unwrap()
            .remove(0)
    }

    #[test]
    fn fills_structs_and_extensions() {
        let n = tree("image: x\nx-k: {a: 1}\nports:\n  - target: 80\n");
        let s: Svc = from_node(&n, "services.web").unwrap();
        assert_eq!(s.image.as_deref(), Some("x"));
        assert_eq!(s.ports[0].target, 80);
        assert!(s.ports[0].published.is_none());
        assert_eq!(s.extensions["x-k"], serde_json::json!({"a": 1}));
    }

    #[test]
    fn unknown_keys_are_errors_with_place_and_hint() {
        let n = tree("image: x\nimgae: y\n");
        let e = from_node::<Svc>(&n, "services.web").unwrap_err();
        assert_eq!(
            e.to_string(),
            "f.yml:2:1: services.web.imgae: unknown key \"imgae\": did you mean \"image\"? (custom keys must start with x-)"
        );
    }

    #[test]
    fn type_errors_point_at_the_value() {
        let n = tree("ports:\n  - target: 80\n  - target: 70000\n");
        let e = from_node::<Svc>(&n, "services.web").unwrap_err();
        assert_eq!(e.loc.line, 3);
        assert_eq!(e.path, "services.web.ports[1].target");
        assert!(e.message.contains("70000"), "{}", e.message);
    }
}
