//! Merging compose models: several `-f` files, the documents of one file, an `extends` base
//! with its service, an included project with the including file.
//!
//! Both sides are already canonical (long syntax), which is what makes compose's per-key rules
//! short here: mappings merge key by key, scalars are replaced, sequences are appended and then
//! made unique by the attribute's key (a later duplicate takes the earlier entry's place), and a
//! few attributes are replaced wholesale. `!reset` and `!override` paths are removed from the
//! base before merging.

use super::node::{Map, Node, Value};

/// Merges `over` into `base`. `path` is the model path of `base` from the document root
/// (`["services", "web"]`), which selects the per-key rules.
pub fn merge(base: &mut Node, over: Node, path: &mut Vec<String>) {
    if replaces_wholesale(path) {
        *base = over;
        return;
    }
    match (&mut base.value, over.value) {
        (Value::Map(b), Value::Map(o)) => {
            if is_logging(path) && logging_drivers_differ(b, &o) {
                *b = o;
                return;
            }
            for (key, value) in o {
                match b.get_mut(&key) {
                    Some(existing) => {
                        path.push(key);
                        merge(existing, value, path);
                        path.pop();
                    }
                    None => {
                        b.insert(key, value);
                    }
                }
            }
        }
        (Value::Map(_), Value::Null) => {}
        (Value::Seq(b), Value::Seq(o)) => {
            b.extend(o);
            if let Some(key) = unicity_key(path) {
                dedup_by(b, key);
            }
        }
        (_, value) => {
            base.value = value;
            base.loc = over.loc;
            base.key_loc = over.key_loc;
        }
    }
}

/// Removes a key path (as recorded for `!reset`/`!override`) from a model.
pub fn remove_path(root: &mut Node, path: &[String]) {
    let Some((last, parents)) = path.split_last() else {
        return;
    };
    let mut node = root;
    for key in parents {
        match node.get_mut(key) {
            Some(child) => node = child,
            None => return,
        }
    }
    if let Some(map) = node.as_map_mut() {
        map.shift_remove(last);
    }
}

fn matches(path: &[String], pattern: &[&str]) -> bool {
    path.len() == pattern.len() && path.iter().zip(pattern).all(|(p, q)| *q == "*" || p == q)
}

fn replaces_wholesale(path: &[String]) -> bool {
    matches(path, &["services", "*", "command"])
        || matches(path, &["services", "*", "entrypoint"])
        || matches(path, &["services", "*", "healthcheck", "test"])
        || matches(path, &["services", "*", "ulimits", "*"])
}

fn is_logging(path: &[String]) -> bool {
    matches(path, &["services", "*", "logging"])
}

fn logging_drivers_differ(base: &Map, over: &Map) -> bool {
    match (
        base.get("driver").and_then(Node::as_str),
        over.get("driver").and_then(Node::as_str),
    ) {
        (Some(a), Some(b)) => a != b,
        _ => false,
    }
}

/// What makes two entries of a sequence "the same" for compose's unicity rule.
#[derive(Clone, Copy)]
enum UnicityKey {
    /// The whole scalar up to the first `=` (`expose`, `cap_add`, `dns`, …).
    Text,
    /// A field of a long-syntax entry, with a default when absent.
    Field(&'static str),
    Secret,
    Config,
    Port,
}

fn unicity_key(path: &[String]) -> Option<UnicityKey> {
    if path.len() == 3 && path[0] == "services" {
        return match path[2].as_str() {
            "volumes" | "devices" => Some(UnicityKey::Field("target")),
            "secrets" => Some(UnicityKey::Secret),
            "configs" => Some(UnicityKey::Config),
            "ports" => Some(UnicityKey::Port),
            "env_file" => Some(UnicityKey::Field("path")),
            "expose" | "cap_add" | "cap_drop" | "links" | "profiles" | "dns" | "dns_opt"
            | "dns_search" | "tmpfs" | "external_links" => Some(UnicityKey::Text),
            _ => None,
        };
    }
    if matches(path, &["services", "*", "build", "tags"])
        || matches(path, &["services", "*", "networks", "*", "aliases"])
        || matches(path, &["services", "*", "networks", "*", "link_local_ips"])
    {
        return Some(UnicityKey::Text);
    }
    if matches(path, &["services", "*", "extra_hosts", "*"]) {
        return Some(UnicityKey::Text);
    }
    if matches(path, &["networks", "*", "ipam", "config"]) {
        return Some(UnicityKey::Field("subnet"));
    }
    None
}

fn key_of(node: &Node, key: UnicityKey) -> Option<String> {
    let field = |name: &str| node.get(name).and_then(Node::scalar_text);
    match key {
        UnicityKey::Text => node
            .scalar_text()
            .map(|s| s.split('=').next().unwrap_or_default().to_owned()),
        UnicityKey::Field(name) => field(name),
        UnicityKey::Secret => {
            field("target").or_else(|| field("source").map(|s| format!("/run/secrets/{s}")))
        }
        UnicityKey::Config => field("target").or_else(|| field("source").map(|s| format!("/{s}"))),
        UnicityKey::Port => Some(format!(
            "{}:{}:{}/{}",
            field("host_ip").unwrap_or_else(|| "0.0.0.0".into()),
            field("published").unwrap_or_default(),
            field("target").unwrap_or_default(),
            field("protocol").unwrap_or_else(|| "tcp".into()),
        )),
    }
}

fn dedup_by(items: &mut Vec<Node>, key: UnicityKey) {
    let mut positions: indexmap::IndexMap<String, usize> = indexmap::IndexMap::new();
    let mut out: Vec<Node> = Vec::with_capacity(items.len());
    for item in items.drain(..) {
        match key_of(&item, key) {
            Some(k) => match positions.get(&k) {
                Some(&i) => out[i] = item,
                None => {
                    positions.insert(k, out.len());
                    out.push(item);
                }
            },
            None => out.push(item),
        }
    }
    *items = out;
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::Arc;

    fn tree(text: &str) -> Node {
        let file: Arc<str> = Arc::from("f.yml");
        super::super::node::parse_documents(text, &file)
            .unwrap()
            .remove(0)
    }

    fn merged(a: &str, b: &str) -> serde_json::Value {
        let mut base = tree(a);
        merge(&mut base, tree(b), &mut Vec::new());
        base.to_json()
    }

    #[test]
    fn mappings_merge_and_scalars_replace() {
        let v = merged(
            "services: {web: {image: a, environment: {A: '1', B: '2'}}}",
            "services: {web: {image: b, environment: {B: '3', C: null}}}",
        );
        assert_eq!(
            v,
            serde_json::json!({"services": {"web": {"image": "b", "environment": {"A": "1", "B": "3", "C": null}}}})
        );
    }

    #[test]
    fn command_and_healthcheck_test_are_replaced() {
        let v = merged(
            "services: {web: {command: [a, b], healthcheck: {test: [CMD, x], retries: 3}}}",
            "services: {web: {command: [c], healthcheck: {test: [CMD-SHELL, y]}}}",
        );
        assert_eq!(v["services"]["web"]["command"], serde_json::json!(["c"]));
        assert_eq!(
            v["services"]["web"]["healthcheck"],
            serde_json::json!({"test": ["CMD-SHELL", "y"], "retries": 3})
        );
    }

    #[test]
    fn sequences_append_with_unicity_in_place() {
        let v = merged(
            "services: {web: {volumes: [{type: volume, source: foo, target: /work}, {type: volume, source: x, target: /x}], cap_add: [A], security_opt: [s]}}",
            "services: {web: {volumes: [{type: volume, source: bar, target: /work}], cap_add: [A, B], security_opt: [s]}}",
        );
        let web = &v["services"]["web"];
        assert_eq!(web["volumes"][0]["source"], "bar");
        assert_eq!(web["volumes"][1]["source"], "x");
        assert_eq!(web["cap_add"], serde_json::json!(["A", "B"]));
        assert_eq!(web["security_opt"], serde_json::json!(["s", "s"]));
    }

    #[test]
    fn ports_are_unique_by_address() {
        let v = merged(
            "services: {web: {ports: [{target: 80, published: '8080', protocol: tcp}]}}",
            "services: {web: {ports: [{target: 80, published: '8080', protocol: tcp}, {target: 80, published: '9090', protocol: tcp}]}}",
        );
        assert_eq!(v["services"]["web"]["ports"].as_array().unwrap().len(), 2);
    }

    #[test]
    fn logging_with_another_driver_replaces() {
        let v = merged(
            "services: {web: {logging: {driver: json-file, options: {max-size: 1m}}}}",
            "services: {web: {logging: {driver: syslog}}}",
        );
        assert_eq!(
            v["services"]["web"]["logging"],
            serde_json::json!({"driver": "syslog"})
        );
        let v = merged(
            "services: {web: {logging: {driver: json-file, options: {max-size: 1m}}}}",
            "services: {web: {logging: {options: {max-file: '3'}}}}",
        );
        assert_eq!(
            v["services"]["web"]["logging"]["options"],
            serde_json::json!({"max-size": "1m", "max-file": "3"})
        );
    }

    #[test]
    fn remove_path_deletes_only_that_key() {
        let mut n = tree("services: {web: {ports: [1], image: x}}");
        remove_path(&mut n, &["services".into(), "web".into(), "ports".into()]);
        assert_eq!(
            n.to_json(),
            serde_json::json!({"services": {"web": {"image": "x"}}})
        );
    }
}
