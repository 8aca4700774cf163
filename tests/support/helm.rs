//! A renderer for the subset of Helm's Go templates the chart writer emits: text, `{{-`/`-}}`
//! trimming, comments, `define`, `include`, `if`, `with`, `end`, `$var := …`, pipelines,
//! field chains on `.`, `.Values`, variables and parenthesised expressions, and the
//! functions `index`, `quote`, `toYaml`, `nindent`, `b64enc`, `default` and `not`. Anything
//! else panics, so a template using more than this subset fails its test instead of being
//! rendered wrongly.

use std::collections::HashMap;

use serde_json::Value;

#[derive(Debug, Clone)]
enum Node {
    Text(String),
    Output(String),
    Assign(String, String),
    If(String, Vec<Node>),
    With(String, Vec<Node>),
    Define(String, Vec<Node>),
}

/// Splits a template into text and actions, applying the trim markers.
fn lex(text: &str) -> Vec<(bool, String)> {
    let mut out: Vec<(bool, String)> = Vec::new();
    let mut rest = text;
    let mut trim_next = false;
    while let Some(open) = rest.find("{{") {
        let mut before = rest[..open].to_owned();
        if trim_next {
            before = before.trim_start().to_owned();
        }
        let after = &rest[open + 2..];
        let close = after.find("}}").expect("an unclosed action");
        let mut action = &after[..close];
        if let Some(a) = action.strip_prefix('-').filter(|a| a.starts_with(' ')) {
            before = before.trim_end().to_owned();
            action = a;
        }
        trim_next = false;
        if let Some(a) = action.strip_suffix('-').filter(|a| a.ends_with(' ')) {
            trim_next = true;
            action = a;
        }
        out.push((false, before));
        out.push((true, action.trim().to_owned()));
        rest = &after[close + 2..];
    }
    let last = if trim_next { rest.trim_start() } else { rest };
    out.push((false, last.to_owned()));
    out
}

fn parse(tokens: &mut std::vec::IntoIter<(bool, String)>) -> (Vec<Node>, bool) {
    let mut nodes = Vec::new();
    while let Some((action, text)) = tokens.next() {
        if !action {
            nodes.push(Node::Text(text));
            continue;
        }
        if text.starts_with("/*") {
            continue;
        }
        if text == "end" {
            return (nodes, true);
        }
        let (word, rest) = text.split_once(' ').unwrap_or((&text, ""));
        let rest = rest.trim().to_owned();
        match word {
            "if" | "with" | "define" => {
                let (body, closed) = parse(tokens);
                assert!(closed, "{word} without end");
                nodes.push(match word {
                    "if" => Node::If(rest, body),
                    "with" => Node::With(rest, body),
                    _ => Node::Define(rest.trim_matches('"').to_owned(), body),
                });
            }
            "else" | "range" | "template" | "block" => panic!("unsupported action: {text}"),
            _ => match text.split_once(":=") {
                Some((var, pipeline)) => nodes.push(Node::Assign(
                    var.trim().to_owned(),
                    pipeline.trim().to_owned(),
                )),
                None => nodes.push(Node::Output(text)),
            },
        }
    }
    (nodes, false)
}

fn parse_template(text: &str) -> Vec<Node> {
    let (nodes, closed) = parse(&mut lex(text).into_iter());
    assert!(!closed, "an end without its action");
    nodes
}

pub struct Renderer {
    defines: HashMap<String, Vec<Node>>,
    values: Value,
}

struct Scope {
    dot: Value,
    vars: HashMap<String, Value>,
}

impl Renderer {
    /// A renderer with the chart's values and the `define`s of its helpers.
    pub fn new(values: Value, helpers: &str) -> Self {
        let mut defines = HashMap::new();
        for node in parse_template(helpers) {
            if let Node::Define(name, body) = node {
                defines.insert(name, body);
            }
        }
        Renderer { defines, values }
    }

    /// Renders one template file with `.Values` (and `.Release.Namespace` = "default").
    pub fn render(&self, template: &str) -> String {
        let root = serde_json::json!({
            "Values": self.values,
            "Release": {"Namespace": "default", "Name": "release"},
        });
        let mut scope = Scope {
            dot: root,
            vars: HashMap::new(),
        };
        let mut out = String::new();
        self.run(&parse_template(template), &mut scope, &mut out);
        out
    }

    fn run(&self, nodes: &[Node], scope: &mut Scope, out: &mut String) {
        for node in nodes {
            match node {
                Node::Text(t) => out.push_str(t),
                Node::Output(p) => out.push_str(&print(&self.pipeline(p, scope))),
                Node::Assign(var, p) => {
                    let v = self.pipeline(p, scope);
                    scope.vars.insert(var.clone(), v);
                }
                Node::If(p, body) => {
                    if truthy(&self.pipeline(p, scope)) {
                        self.run(body, scope, out);
                    }
                }
                Node::With(p, body) => {
                    let v = self.pipeline(p, scope);
                    if truthy(&v) {
                        let saved = std::mem::replace(&mut scope.dot, v);
                        self.run(body, scope, out);
                        scope.dot = saved;
                    }
                }
                Node::Define(..) => {}
            }
        }
    }

    fn pipeline(&self, text: &str, scope: &Scope) -> Value {
        let mut result: Option<Value> = None;
        for command in split_top(text, '|') {
            let mut args: Vec<String> = words(command.trim());
            let mut values: Vec<Value> = Vec::new();
            let function = args
                .first()
                .filter(|w| w.starts_with(|c: char| c.is_ascii_alphabetic()))
                .cloned();
            if function.is_some() {
                args.remove(0);
            }
            for a in &args {
                values.push(self.operand(a, scope));
            }
            values.extend(result.take());
            result = Some(match function {
                Some(f) => self.call(&f, values),
                None => {
                    assert_eq!(values.len(), 1, "one operand expected in {command:?}");
                    values.remove(0)
                }
            });
        }
        result.unwrap_or(Value::Null)
    }

    fn operand(&self, word: &str, scope: &Scope) -> Value {
        if let Some(inner) = word.strip_prefix('(') {
            let close = matching_paren(word);
            let value = self.pipeline(&inner[..close - 1], scope);
            return field_chain(value, &word[close + 1..]);
        }
        if word.starts_with('"') {
            return Value::String(serde_json::from_str(word).expect("a string literal"));
        }
        if let Ok(n) = word.parse::<i64>() {
            return Value::from(n);
        }
        if let Some(path) = word.strip_prefix('.') {
            return field_chain(scope.dot.clone(), &format!(".{path}").replace("..", "."));
        }
        if word.starts_with('$') {
            let (name, path) = match word.find('.') {
                Some(i) => (&word[..i], &word[i..]),
                None => (word, ""),
            };
            let value = scope.vars.get(name).cloned().unwrap_or(Value::Null);
            return field_chain(value, path);
        }
        panic!("unsupported operand {word:?}")
    }

    fn call(&self, function: &str, mut args: Vec<Value>) -> Value {
        match (function, args.len()) {
            ("index", _) => {
                let mut value = args.remove(0);
                for key in args {
                    value = match key {
                        Value::String(k) => value.get(&k).cloned().unwrap_or(Value::Null),
                        Value::Number(n) => value
                            .get(n.as_u64().unwrap_or_default() as usize)
                            .cloned()
                            .unwrap_or(Value::Null),
                        other => panic!("index by {other}"),
                    };
                }
                value
            }
            ("quote", 1) => Value::String(serde_json::to_string(&print(&args[0])).unwrap()),
            ("toYaml", 1) => {
                let text = compose2kube::compose::render::to_yaml(&args[0]).unwrap();
                Value::String(text.trim_end_matches('\n').to_owned())
            }
            ("nindent", 2) => {
                let n = args[0].as_u64().expect("nindent width") as usize;
                let pad = " ".repeat(n);
                let text = print(&args[1]);
                let lines: Vec<String> = text.lines().map(|l| format!("{pad}{l}")).collect();
                Value::String(format!("\n{}", lines.join("\n")))
            }
            ("b64enc", 1) => {
                serde_json::to_value(k8s_openapi::ByteString(print(&args[0]).into_bytes())).unwrap()
            }
            ("default", 2) => {
                if truthy(&args[1]) {
                    args.remove(1)
                } else {
                    args.remove(0)
                }
            }
            ("not", 1) => Value::Bool(!truthy(&args[0])),
            ("include", 2) => {
                let name = args[0].as_str().expect("include's name").to_owned();
                let body = self.defines.get(&name).expect("an included define");
                let mut scope = Scope {
                    dot: args.remove(1),
                    vars: HashMap::new(),
                };
                let mut out = String::new();
                self.run(body, &mut scope, &mut out);
                Value::String(out)
            }
            _ => panic!(
                "unsupported function {function} with {} arguments",
                args.len()
            ),
        }
    }
}

fn field_chain(mut value: Value, path: &str) -> Value {
    for field in path.split('.').filter(|f| !f.is_empty()) {
        value = value.get(field).cloned().unwrap_or(Value::Null);
    }
    value
}

/// The index of the `)` closing the `(` that `word` starts with.
fn matching_paren(word: &str) -> usize {
    let mut depth = 0;
    let mut quoted = false;
    for (i, c) in word.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => {
                depth -= 1;
                if depth == 0 {
                    return i;
                }
            }
            _ => {}
        }
    }
    panic!("unbalanced parentheses in {word}")
}

/// Splits on `sep` outside string literals and parentheses.
fn split_top(text: &str, sep: char) -> Vec<&str> {
    let mut parts = Vec::new();
    let (mut depth, mut quoted, mut start) = (0, false, 0);
    for (i, c) in text.char_indices() {
        match c {
            '"' => quoted = !quoted,
            '(' if !quoted => depth += 1,
            ')' if !quoted => depth -= 1,
            c if c == sep && !quoted && depth == 0 => {
                parts.push(&text[start..i]);
                start = i + c.len_utf8();
            }
            _ => {}
        }
    }
    parts.push(&text[start..]);
    parts
}

/// The words of a command: string literals and parenthesised expressions stay whole.
fn words(text: &str) -> Vec<String> {
    split_top(text, ' ')
        .into_iter()
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

fn truthy(v: &Value) -> bool {
    match v {
        Value::Null => false,
        Value::Bool(b) => *b,
        Value::Number(n) => n.as_f64() != Some(0.0),
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

fn print(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}
