//! The offer/reconcile cycle and what it matches: simulated agents, placement (constraints,
//! resources, ports) and the offer statistics of `/v2/queue`.

pub(super) mod agents;
pub(super) mod offers;
pub(super) mod placement;
pub(super) mod scheduler;
