//! Labels Marathon reads itself: `MARATHON_SINGLE_INSTANCE_APP` and the DC/OS migration labels.
//! Every other label (`HAPROXY_*`, `DCOS_SERVICE_*`, ...) passes through untouched.

use std::collections::BTreeMap;

// ---- M:src/main/scala/mesosphere/marathon/raml/Apps.scala (label names),
// ---- M:.../api/v2/validation/SchedulingValidation.scala (`complyWithSingleInstanceLabelRules`,
// ---- `complyWithUpgradeStrategyRules`), M:.../state/UpgradeStrategy.scala (`validForSingleInstanceApps`),
// ---- M:.../api/v2/validation/AppValidation.scala (`complyWithMigrationAPI`) ----

/// An app with this label set to exactly `true` is a single-instance app (`Apps.LabelSingleInstanceApp`).
pub const SINGLE_INSTANCE_LABEL: &str = "MARATHON_SINGLE_INSTANCE_APP";
/// `Apps.LabelDcosMigrationApiVersion`.
pub const MIGRATION_API_VERSION_LABEL: &str = "DCOS_MIGRATION_API_VERSION";
/// `Apps.LabelDcosMigrationApiPath`.
pub const MIGRATION_API_PATH_LABEL: &str = "DCOS_MIGRATION_API_PATH";
/// `Apps.LabelDcosPackageFrameworkName`.
pub const PACKAGE_FRAMEWORK_NAME_LABEL: &str = "DCOS_PACKAGE_FRAMEWORK_NAME";

/// Marathon's message for a single-instance app with more than one instance.
pub const SINGLE_INSTANCE_COUNT: &str = "Single instance app may only have one instance";
/// Marathon's message for a migration label set without its companions.
pub const MIGRATION_LABELS: &str =
    "DCOS_PACKAGE_FRAMEWORK_NAME and DCOS_MIGRATION_API_PATH must be defined when using DCOS_MIGRATION_API_VERSION";

/// Whether the labels make a single-instance app (`SchedulingValidation.isSingleInstance`: the
/// value is exactly `true`).
pub fn is_single_instance(labels: &BTreeMap<String, String>) -> bool {
    labels.get(SINGLE_INSTANCE_LABEL).is_some_and(|v| v == "true")
}

/// A single-instance app's rules: at most one instance, and an upgrade strategy of exactly
/// `{0, 0}` (`validForSingleInstanceApps`). The problems as `(field, message)`; the strategy
/// messages are accord's `should be ==` ("got 1.0, expected 0.0", as `PodsResourceTest.scala`
/// shows it).
pub fn check_single_instance(
    labels: &BTreeMap<String, String>,
    instances: u32,
    minimum_health: f64,
    maximum_over: f64,
) -> Vec<(&'static str, String)> {
    if !is_single_instance(labels) {
        return Vec::new();
    }
    let mut out = Vec::new();
    if instances > 1 {
        out.push(("", SINGLE_INSTANCE_COUNT.to_owned()));
    }
    for (field, v) in [("minimumHealthCapacity", minimum_health), ("maximumOverCapacity", maximum_over)] {
        if v != 0.0 {
            out.push((field, format!("got {v:?}, expected 0.0")));
        }
    }
    out
}

/// The DC/OS migration labels (`complyWithMigrationAPI`): when `DCOS_MIGRATION_API_VERSION` is
/// set and not empty, it must be `v1`, with `DCOS_PACKAGE_FRAMEWORK_NAME` and
/// `DCOS_MIGRATION_API_PATH` set and not empty.
pub fn check_migration_labels(labels: &BTreeMap<String, String>) -> Result<(), &'static str> {
    let set = |k: &str| labels.get(k).is_some_and(|v| !v.is_empty());
    match labels.get(MIGRATION_API_VERSION_LABEL).filter(|v| !v.is_empty()) {
        None => Ok(()),
        Some(v) if v == "v1" && set(PACKAGE_FRAMEWORK_NAME_LABEL) && set(MIGRATION_API_PATH_LABEL) => Ok(()),
        Some(_) => Err(MIGRATION_LABELS),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels(pairs: &[(&str, &str)]) -> BTreeMap<String, String> {
        pairs.iter().map(|(k, v)| ((*k).to_owned(), (*v).to_owned())).collect()
    }

    /// `SchedulingValidation.scala` and `UpgradeStrategy.scala`; the cases of
    /// `RunSpecValidatorTest.scala` ("UpgradeStrategy(1,0) is invalid", ... "(0,0) is valid").
    #[test]
    fn single_instance_apps_follow_scheduling_validation_scala() {
        let single = labels(&[(SINGLE_INSTANCE_LABEL, "true")]);
        assert!(check_single_instance(&single, 1, 0.0, 0.0).is_empty());
        assert!(check_single_instance(&single, 0, 0.0, 0.0).is_empty());
        assert_eq!(check_single_instance(&single, 2, 0.0, 0.0), [("", SINGLE_INSTANCE_COUNT.to_owned())]);
        assert_eq!(
            check_single_instance(&single, 1, 1.0, 0.0),
            [("minimumHealthCapacity", "got 1.0, expected 0.0".to_owned())]
        );
        assert_eq!(check_single_instance(&single, 1, 0.0, 1.0).len(), 1);
        let not = labels(&[(SINGLE_INSTANCE_LABEL, "yes")]);
        assert!(check_single_instance(&not, 5, 1.0, 1.0).is_empty(), "only `true` counts");
    }

    /// `AppValidation.scala` `complyWithMigrationAPI`; other labels pass through.
    #[test]
    fn migration_labels_follow_app_validation_scala() {
        assert!(check_migration_labels(&labels(&[("HAPROXY_GROUP", "external"), ("HAPROXY_0_VHOST", "x")])).is_ok());
        assert!(check_migration_labels(&labels(&[(MIGRATION_API_PATH_LABEL, "/v1/plan")])).is_ok());
        let full = [
            (MIGRATION_API_VERSION_LABEL, "v1"),
            (PACKAGE_FRAMEWORK_NAME_LABEL, "kafka"),
            (MIGRATION_API_PATH_LABEL, "/v1/plan"),
        ];
        assert!(check_migration_labels(&labels(&full)).is_ok());
        assert_eq!(check_migration_labels(&labels(&full[..2])), Err(MIGRATION_LABELS));
        let v2 = [(MIGRATION_API_VERSION_LABEL, "v2"), full[1], full[2]];
        assert_eq!(check_migration_labels(&labels(&v2)), Err(MIGRATION_LABELS));
    }
}
