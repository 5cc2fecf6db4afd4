//! Marathon's wire model: the JSON shapes of `/v2/apps`, `/v2/groups`, `/v2/deployments`,
//! `/v2/tasks`, `/v2/queue` and friends (`R:` = Marathon's RAML, `docs/docs/rest-api/public/api/`
//! in its source), one file per family: [`App`] and its parts
//! (`container`, `ports`, `checks`), [`Task`] and [`TaskState`], [`Deployment`], [`QueueItem`],
//! [`Group`], and [`Leader`] with [`ErrorBody`].
//!
//! One model serves both sides: the Marathon client reads and writes these, and the local
//! engine (`local/`) stores and serves them, so a shape can never drift between the two.
//!
//! Rules: field names are Marathon's (camelCase); every optional field is an `Option` or a
//! collection that is omitted when absent or empty, never serialized as `null` (Marathon's
//! Jackson writer omits them); unknown fields are ignored on input (strict about what we own,
//! lenient about what we don't).

mod app;
mod checks;
mod container;
mod deployment;
mod group;
mod info;
mod ports;
mod queue;
mod task;

pub use app::{App, AppEnvelope, AppList, Fetch, UpgradeStrategy, VersionInfo, VersionList};
pub use checks::{CommandCheck, HealthCheck, HealthCheckResult, ReadinessCheck, ReadinessCheckResult};
pub use container::{Container, Docker};
pub use deployment::{Deployment, DeploymentAction, DeploymentRef, DeploymentResult, DeploymentStep};
pub use group::Group;
pub use info::{ErrorBody, Leader};
pub use ports::{Network, PortDefinition, PortMapping};
pub use queue::{ProcessedOffersSummary, Queue, QueueDelay, QueueItem, RejectionCount};
pub use task::{IpAddress, Task, TaskFailure, TaskList, TaskState};
