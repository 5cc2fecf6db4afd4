//! Task instances and their processes: state operations under the lock (queue, kill, record
//! terminal states), launching a process in its sandbox, signals and kills, and health checks.

pub(super) mod fetch;
pub(super) mod health;
pub(super) mod logs;
pub(super) mod ops;
pub(super) mod process;
pub(super) mod procgroup;
pub(super) mod sandbox;
pub(super) mod task_env;
