//! The shape of `src/` that docs/architecture.md promises, checked on whatever layout the tree
//! has (it walks `src/`): no two files import each other, directly or in a circle, and the
//! layering rules hold (only `cli` and `commands/completions.rs` import clap; only `output/`
//! prints; only `marathon/`, `mesos/` and `local/` import reqwest; only `etcd/` imports
//! etcd_client; only `local/` and `sync/serve.rs` (`sync --listen`) import axum; nothing under `marathon/`, `mesos/`, `etcd/`, `spec/`,
//! `local/`, `rollout/` or `sync/` imports `cli`, `output` or `commands`; `rollout/` never imports
//! `sync/`).
//!
//! Imports are read from the text: `crate::`, `super::` and `self::` paths (with their brace
//! groups) resolved to the longest module path that is a file, and a parent's `child::` paths.
//! Comments, string literals and `#[cfg(test)]` modules are left out; a child's use of its
//! ancestors' items (`super::Shared`) is the ordinary shape of a module tree, not a cycle.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use regex::Regex;

/// One source file of the crate.
struct SourceFile {
    /// Its path under `src/`, `/`-separated (`rollout/plan.rs`).
    rel: String,
    /// Its module path (`["rollout", "plan"]`; `lib.rs` is `[]`).
    module: Vec<String>,
    /// Its code without comments, string contents or `#[cfg(test)]` modules.
    code: String,
}

/// The `.rs` files under `root` that belong to the library and binary (files declared only
/// under `#[cfg(test)]` are left out), with their code cleaned for reading imports.
fn load(root: &Path) -> Vec<SourceFile> {
    let mut paths = Vec::new();
    walk(root, &mut paths);
    paths.sort();
    let mut files: Vec<SourceFile> = paths
        .iter()
        .map(|p| {
            let rel = p.strip_prefix(root).unwrap().to_string_lossy().replace('\\', "/");
            let mut module: Vec<String> = rel.trim_end_matches(".rs").split('/').map(str::to_owned).collect();
            if matches!(module.last().map(String::as_str), Some("mod" | "lib" | "main")) {
                module.pop();
            }
            let code = without_test_modules(&clean(&std::fs::read_to_string(p).unwrap()));
            SourceFile { rel, module, code }
        })
        .collect();
    // `#[cfg(test)] mod name;` declares a test-only file: it is not part of the layering.
    let test_mod = Regex::new(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+([a-z_][a-z0-9_]*)\s*;").unwrap();
    let mut test_only = BTreeSet::new();
    for f in &files {
        for c in test_mod.captures_iter(&f.code) {
            let mut m = f.module.clone();
            m.push(c[1].to_owned());
            test_only.insert(m);
        }
    }
    files.retain(|f| !test_only.contains(&f.module));
    files
}

fn walk(dir: &Path, out: &mut Vec<std::path::PathBuf>) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            walk(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

/// `text` with comments removed and the contents of string and char literals blanked, so that
/// neither a doc comment nor a message that names `crate::x` or `println!` counts.
fn clean(text: &str) -> String {
    let s: Vec<char> = text.chars().collect();
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < s.len() {
        let c = s[i];
        let next = s.get(i + 1).copied();
        if c == '/' && next == Some('/') {
            while i < s.len() && s[i] != '\n' {
                i += 1;
            }
        } else if c == '/' && next == Some('*') {
            let mut depth = 0;
            while i < s.len() {
                if s[i] == '/' && s.get(i + 1) == Some(&'*') {
                    depth += 1;
                    i += 2;
                } else if s[i] == '*' && s.get(i + 1) == Some(&'/') {
                    depth -= 1;
                    i += 2;
                    if depth == 0 {
                        break;
                    }
                } else {
                    i += 1;
                }
            }
            out.push(' ');
        } else if c == 'r' && (next == Some('"') || next == Some('#')) && !s[..i].last().is_some_and(|p| is_ident(*p)) {
            // A raw string r"..." or r#"..."#.
            let mut j = i + 1;
            let mut hashes = 0;
            while s.get(j) == Some(&'#') {
                hashes += 1;
                j += 1;
            }
            if s.get(j) != Some(&'"') {
                out.push(c);
                i += 1;
                continue;
            }
            j += 1;
            while j < s.len() && !(s[j] == '"' && (0..hashes).all(|h| s.get(j + 1 + h) == Some(&'#'))) {
                j += 1;
            }
            i = j + 1 + hashes;
            out.push_str("\"\"");
        } else if c == '"' {
            i += 1;
            while i < s.len() && s[i] != '"' {
                i += if s[i] == '\\' { 2 } else { 1 };
            }
            i += 1;
            out.push_str("\"\"");
        } else if c == '\'' {
            // A char literal ('x', '\n', '"'), or a lifetime ('a), which stays.
            if next == Some('\\') {
                i += 2;
                while i < s.len() && s[i] != '\'' {
                    i += 1;
                }
                i += 1;
                out.push_str("' '");
            } else if s.get(i + 2) == Some(&'\'') {
                i += 3;
                out.push_str("' '");
            } else {
                out.push(c);
                i += 1;
            }
        } else {
            out.push(c);
            i += 1;
        }
    }
    out
}

fn is_ident(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// `code` without its `#[cfg(test)] mod name { ... }` blocks.
fn without_test_modules(code: &str) -> String {
    let start = Regex::new(r"#\[cfg\(test\)\]\s*(?:pub(?:\([^)]*\))?\s+)?mod\s+[a-z_][a-z0-9_]*\s*\{").unwrap();
    let mut out = String::new();
    let mut rest = code;
    while let Some(m) = start.find(rest) {
        out.push_str(&rest[..m.start()]);
        let mut depth = 1;
        let mut end = rest.len();
        for (i, ch) in rest[m.end()..].char_indices() {
            depth += i32::from(ch == '{') - i32::from(ch == '}');
            if depth == 0 {
                end = m.end() + i + 1;
                break;
            }
        }
        rest = &rest[end..];
    }
    out.push_str(rest);
    out
}

/// For each file (by index), the files it imports.
fn imports(files: &[SourceFile]) -> BTreeMap<usize, BTreeSet<usize>> {
    let by_module: BTreeMap<&[String], usize> =
        files.iter().enumerate().filter(|(_, f)| f.rel != "main.rs").map(|(i, f)| (f.module.as_slice(), i)).collect();
    // The longest prefix of `path` that is a file.
    let resolve = |path: &[String]| (0..=path.len()).rev().find_map(|n| by_module.get(&path[..n]).copied());
    let path_re = Regex::new(r"\b(crate|super|self)((?:::(?:super|self|[A-Za-z_][A-Za-z0-9_]*))*)(::\{)?").unwrap();
    let child_re = Regex::new(r"(?:^|[^:\w])([a-z_][a-z0-9_]*)::").unwrap();
    let mut edges = BTreeMap::new();
    for (i, f) in files.iter().enumerate() {
        let mut to = BTreeSet::new();
        if f.rel == "main.rs" {
            // The binary is its own crate: it reaches the library as `theseus::`, not `crate::`.
            edges.insert(i, to);
            continue;
        }
        for c in path_re.captures_iter(&f.code) {
            let mut base: Vec<String> = match &c[1] {
                "crate" => Vec::new(),
                "super" => f.module[..f.module.len().saturating_sub(1)].to_vec(),
                _ => f.module.clone(),
            };
            let mut parts: Vec<String> = c[2].split("::").filter(|p| !p.is_empty()).map(str::to_owned).collect();
            while parts.first().is_some_and(|p| p == "super" || p == "self") {
                if parts.remove(0) == "super" {
                    base.pop();
                }
            }
            let heads: Vec<Vec<String>> = match c.get(3) {
                Some(brace) => brace_items(&f.code[brace.end()..])
                    .into_iter()
                    .map(|item| parts.iter().cloned().chain(std::iter::once(item)).collect())
                    .collect(),
                None => vec![parts],
            };
            for head in heads {
                let full: Vec<String> = base.iter().cloned().chain(head.into_iter().filter(|h| h != "self")).collect();
                if let Some(t) = resolve(&full) {
                    if t != i {
                        to.insert(t);
                    }
                }
            }
        }
        // A parent names its children without `self::` (`plan::build`).
        for c in child_re.captures_iter(&f.code) {
            let mut child = f.module.clone();
            child.push(c[1].to_owned());
            if let Some(&t) = by_module.get(child.as_slice()) {
                to.insert(t);
            }
        }
        edges.insert(i, to);
    }
    edges
}

/// The first segment of each item of the brace group that starts at `rest` (just after `{`).
fn brace_items(rest: &str) -> Vec<String> {
    let mut depth = 1;
    let mut items = vec![String::new()];
    for ch in rest.chars() {
        match ch {
            '{' => depth += 1,
            '}' => {
                depth -= 1;
                if depth == 0 {
                    break;
                }
            }
            ',' if depth == 1 => {
                items.push(String::new());
                continue;
            }
            _ => {}
        }
        items.last_mut().unwrap().push(ch);
    }
    items
        .iter()
        .map(|it| it.trim().split("::").next().unwrap_or("").split('{').next().unwrap_or("").trim().to_owned())
        .map(|it| it.split(" as ").next().unwrap_or("").trim().to_owned())
        .filter(|it| !it.is_empty())
        .collect()
}

/// Each import cycle between files, as the sorted list of their paths.
fn cycles(files: &[SourceFile], edges: &BTreeMap<usize, BTreeSet<usize>>) -> Vec<Vec<String>> {
    // A child using its ancestors' items is not a cycle: drop child -> ancestor edges.
    let is_ancestor = |a: &[String], of: &[String]| a.len() < of.len() && of[..a.len()] == *a;
    let graph: BTreeMap<usize, Vec<usize>> = edges
        .iter()
        .map(|(&v, ws)| (v, ws.iter().copied().filter(|&w| !is_ancestor(&files[w].module, &files[v].module)).collect()))
        .collect();
    // Tarjan's strongly connected components.
    struct State {
        index: BTreeMap<usize, usize>,
        low: BTreeMap<usize, usize>,
        stack: Vec<usize>,
        on_stack: BTreeSet<usize>,
        next: usize,
        found: Vec<Vec<usize>>,
    }
    fn visit(v: usize, graph: &BTreeMap<usize, Vec<usize>>, st: &mut State) {
        st.index.insert(v, st.next);
        st.low.insert(v, st.next);
        st.next += 1;
        st.stack.push(v);
        st.on_stack.insert(v);
        for &w in &graph[&v] {
            if !st.index.contains_key(&w) {
                visit(w, graph, st);
                let low = st.low[&v].min(st.low[&w]);
                st.low.insert(v, low);
            } else if st.on_stack.contains(&w) {
                let low = st.low[&v].min(st.index[&w]);
                st.low.insert(v, low);
            }
        }
        if st.low[&v] == st.index[&v] {
            let mut component = Vec::new();
            loop {
                let w = st.stack.pop().unwrap();
                st.on_stack.remove(&w);
                component.push(w);
                if w == v {
                    break;
                }
            }
            if component.len() > 1 {
                st.found.push(component);
            }
        }
    }
    let mut st = State {
        index: BTreeMap::new(),
        low: BTreeMap::new(),
        stack: Vec::new(),
        on_stack: BTreeSet::new(),
        next: 0,
        found: Vec::new(),
    };
    for &v in graph.keys() {
        if !st.index.contains_key(&v) {
            visit(v, &graph, &mut st);
        }
    }
    st.found
        .into_iter()
        .map(|c| {
            let mut names: Vec<String> = c.into_iter().map(|i| files[i].rel.clone()).collect();
            names.sort();
            names
        })
        .collect()
}

/// The top-level module of a file (`rollout` for `rollout/plan.rs`, `cli` for `cli.rs`).
fn top(f: &SourceFile) -> &str {
    f.module.first().map_or("", String::as_str)
}

/// An external crate, the rule that limits it, and which files may import it.
type CrateRule = (&'static str, &'static str, fn(&SourceFile) -> bool);

/// The layering rules of docs/architecture.md that `files` break, one line each.
fn layering(files: &[SourceFile], edges: &BTreeMap<usize, BTreeSet<usize>>) -> Vec<String> {
    let mut broken = Vec::new();
    // External crates and the files that alone may use them.
    let crates: [CrateRule; 5] = [
        ("clap", "only cli and commands/completions.rs import clap", |f| {
            top(f) == "cli" || f.rel == "commands/completions.rs"
        }),
        ("clap_complete", "only cli and commands/completions.rs import clap", |f| {
            top(f) == "cli" || f.rel == "commands/completions.rs"
        }),
        ("reqwest", "only marathon/, mesos/ and local/ import reqwest", |f| {
            matches!(top(f), "marathon" | "mesos" | "local")
        }),
        ("etcd_client", "only etcd/ imports etcd_client", |f| top(f) == "etcd"),
        ("axum", "only local/ and sync/serve.rs import axum", |f| top(f) == "local" || f.rel == "sync/serve.rs"),
    ];
    for (name, rule, allowed) in crates {
        let used = Regex::new(&format!(r"(?:^|[^:\w]){name}\s*::")).unwrap();
        for f in files.iter().filter(|f| !allowed(f) && used.is_match(&f.code)) {
            broken.push(format!("src/{} imports {name}: {rule}", f.rel));
        }
    }
    let prints = Regex::new(r"(?:^|[^:\w])(print|println|eprint|eprintln|dbg)\s*!").unwrap();
    for f in files.iter().filter(|f| top(f) != "output") {
        if let Some(c) = prints.captures(&f.code) {
            broken.push(format!("src/{} uses {}!: only output/ prints", f.rel, &c[1]));
        }
    }
    const LOWER: [&str; 7] = ["marathon", "mesos", "etcd", "spec", "local", "rollout", "sync"];
    for (&from, targets) in edges {
        let f = &files[from];
        for &to in targets {
            let t = &files[to];
            if LOWER.contains(&top(f)) && matches!(top(t), "cli" | "output" | "commands") {
                broken.push(format!(
                    "src/{} imports src/{}: nothing under {} imports cli, output or commands",
                    f.rel,
                    t.rel,
                    top(f)
                ));
            }
            if top(f) == "rollout" && top(t) == "sync" {
                broken.push(format!("src/{} imports src/{}: rollout/ never imports sync/", f.rel, t.rel));
            }
        }
    }
    broken
}

/// Every problem of the tree at `root`: cycles, then broken layering rules.
fn problems(root: &Path) -> Vec<String> {
    let files = load(root);
    let edges = imports(&files);
    let mut out: Vec<String> =
        cycles(&files, &edges).into_iter().map(|c| format!("cycle: {}", c.join(" <-> "))).collect();
    out.extend(layering(&files, &edges));
    out
}

#[test]
fn src_has_no_import_cycle_and_keeps_its_layers() {
    let src = crate::support::cmd::repo_path("src");
    let files = load(&src);
    assert!(files.len() > 20 && files.iter().any(|f| f.rel == "lib.rs"), "src/ was not read");
    let found = problems(&src);
    let found: Vec<&String> = found.iter().collect();
    assert!(found.is_empty(), "src/ breaks docs/architecture.md:\n{}", itertools_join(&found));
}

fn itertools_join(lines: &[&String]) -> String {
    lines.iter().map(|l| l.as_str()).collect::<Vec<_>>().join("\n")
}

/// Writes `files` (path under src/, text) into a temp dir; returns it.
fn tree(files: &[(&str, &str)]) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    for (path, text) in files {
        let p = dir.path().join(path);
        std::fs::create_dir_all(p.parent().unwrap()).unwrap();
        std::fs::write(p, text).unwrap();
    }
    dir
}

#[test]
fn two_files_that_import_each_other_are_a_cycle_even_through_a_third() {
    let dir = tree(&[
        ("lib.rs", "mod a;\nmod b;\nmod c;\n"),
        ("a.rs", "use crate::b::Bee;\npub struct Ay;\n"),
        ("b.rs", "use crate::{c::{Sea, other}, names};\npub struct Bee;\n"),
        ("c.rs", "pub fn f() -> super::a::Ay { todo!() }\npub struct Sea;\n"),
    ]);
    assert_eq!(problems(dir.path()), ["cycle: a.rs <-> b.rs <-> c.rs"]);
}

#[test]
fn a_child_using_its_parents_items_is_no_cycle_and_comments_strings_and_tests_do_not_count() {
    let dir = tree(&[
        ("lib.rs", "pub mod rollout;\npub mod output;\n"),
        ("rollout/mod.rs", "mod plan;\n#[cfg(test)]\nmod tests;\npub struct Shared;\npub fn go() { plan::build(); }\n"),
        ("rollout/tests.rs", "use crate::output::show;\nfn t() { println!(); show(); }\n"),
        (
            "rollout/plan.rs",
            "use super::Shared;\n/// See crate::output::show, println!.\n\
             pub fn build() { let _ = \"crate::output println!\"; let _c = '\"'; }\n",
        ),
        (
            "output/mod.rs",
            "pub fn show() { println!(\"{}\", 1); }\n#[cfg(test)]\nmod tests {\n    use crate::rollout::go;\n}\n",
        ),
    ]);
    assert_eq!(problems(dir.path()), Vec::<String>::new());
}

#[test]
fn each_layering_rule_is_enforced() {
    let dir = tree(&[
        ("lib.rs", "mod cli;\nmod commands;\nmod output;\nmod marathon;\nmod etcd;\nmod spec;\nmod local;\nmod rollout;\nmod sync;\n"),
        ("main.rs", "fn main() { theseus::run(); }\n"),
        ("cli.rs", "use clap::Parser;\n"),
        ("commands/mod.rs", "pub mod completions;\npub mod view;\n"),
        ("commands/completions.rs", "pub fn f() { clap_complete::generate(); }\n"),
        ("commands/view.rs", "use clap::Args;\npub fn f() { eprintln!(\"x\"); }\n"),
        ("output/mod.rs", "pub fn f() { print!(\"x\"); }\n"),
        ("marathon/mod.rs", "use crate::output::f;\nfn g() -> reqwest::Client { todo!() }\n"),
        ("etcd/mod.rs", "use etcd_client::Client;\nuse axum::Router;\n"),
        ("spec/mod.rs", "pub fn f() { crate::cli::parse(); }\n"),
        ("local/mod.rs", "use axum::Router;\nuse reqwest::Client;\nuse crate::commands::view;\n"),
        ("rollout/mod.rs", "mod wait;\n"),
        ("rollout/wait.rs", "use super::super::sync::follow;\nfn f() { let _ = etcd_client::Txn::new(); }\n"),
        ("sync/mod.rs", "pub fn follow() { dbg!(1); }\n"),
    ]);
    let mut found = problems(dir.path());
    found.sort();
    assert_eq!(
        found,
        [
            "src/commands/view.rs imports clap: only cli and commands/completions.rs import clap",
            "src/commands/view.rs uses eprintln!: only output/ prints",
            "src/etcd/mod.rs imports axum: only local/ and sync/serve.rs import axum",
            "src/local/mod.rs imports src/commands/view.rs: nothing under local imports cli, output or commands",
            "src/marathon/mod.rs imports src/output/mod.rs: nothing under marathon imports cli, output or commands",
            "src/rollout/wait.rs imports etcd_client: only etcd/ imports etcd_client",
            "src/rollout/wait.rs imports src/sync/mod.rs: rollout/ never imports sync/",
            "src/spec/mod.rs imports src/cli.rs: nothing under spec imports cli, output or commands",
            "src/sync/mod.rs uses dbg!: only output/ prints",
        ]
    );
}
