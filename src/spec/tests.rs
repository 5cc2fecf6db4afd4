//! Unit tests of loading, inheritance, validation and rendering.

use super::*;

fn ok(src: &str) -> Spec {
    match parse("t.toml", src) {
        Ok(s) => s,
        Err(e) => panic!("unexpected errors:\n{e}"),
    }
}

fn errs(src: &str) -> String {
    match parse("t.toml", src) {
        Ok(_) => panic!("expected errors"),
        Err(e) => e.to_string(),
    }
}

#[test]
fn minimal_spec_loads_with_defaults() {
    let s = ok("[service.web]\ncmd = \"sleep 1\"\n[[service.web.group]]\nlabels = [\"dev\"]\n");
    assert_eq!(s.namespace, "theseus");
    assert_eq!(s.groups.len(), 1);
    assert_eq!(s.groups[0].instances, 1);
    assert_eq!(s.groups[0].app.cpus, 1.0);
}
