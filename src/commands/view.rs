//! `theseus view`: what is deployed where, one row per labeled group (or per container).
//!
//! Costs three Marathon requests per refresh whatever the number of groups: the apps with
//! embedded tasks (filtered server-side by `?label=theseus.tag.<label>`), deployments, queue;
//! and, at the same time, three etcd reads: the rollout journals, the sync confirmations (a
//! namespace shown whose confirmation is stale is a warning) and the revision; then the groups
//! Marathon's answer names have their registrations counted at that revision (count-only
//! reads, batched), each batch sent while the rest of the answer still arrives.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

use anyhow::Context as _;
use serde::ser::SerializeStruct as _;
use serde::Serialize;
use tokio::sync::mpsc::{unbounded_channel, UnboundedReceiver};
use tokio::sync::oneshot;

use crate::cli::ViewArgs;
use crate::context::Context;
use crate::error::ExitStatus;
use crate::etcd::{Confirmations, Driver, GroupCount, Journal};
use crate::marathon::summary::{AppObserver, AppRecord};
use crate::output::{Layout, Tabular};
use crate::rollout::live::group_labels;
use crate::rollout::{statuses, GroupStatus, Snapshot, GROUP_STATUS_FIELDS};
use crate::spec::labels::Selector;

/// The `view` result: the groups, shown as groups or as containers. In JSON each group also
/// carries `registered`: its containers in etcd (`null` when etcd could not be read), and
/// `rollout` when its rollout is journaled.
#[derive(Debug)]
pub struct View {
    /// Group statuses.
    pub groups: Vec<GroupStatus>,
    /// Containers registered in etcd, per group (same order); `None`: etcd unreadable.
    pub registered: Vec<Option<usize>>,
    wide: bool,
    containers: bool,
}

/// One group as `view -o json` prints it: the group's status, then `registered`.
struct Row<'a> {
    status: &'a GroupStatus,
    registered: Option<usize>,
}

impl Serialize for Row<'_> {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        let mut s = serializer.serialize_struct("Row", GROUP_STATUS_FIELDS + 1)?;
        self.status.serialize_fields(&mut s)?;
        s.serialize_field("registered", &self.registered)?;
        s.end()
    }
}

impl Serialize for View {
    fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.collect_seq(
            self.groups
                .iter()
                .enumerate()
                .map(|(i, status)| Row { status, registered: self.registered.get(i).copied().flatten() }),
        )
    }
}

impl Tabular for View {
    fn to_table(&self, layout: &Layout) -> String {
        let wide = self.wide || layout.wide;
        if self.containers {
            let mut t = layout.table(&["service", "group", "container", "address", "state", "healthy", "revision"]);
            for g in &self.groups {
                for c in &g.containers {
                    let addr = c.ports.first().map_or_else(|| c.host.clone(), |p| format!("{}:{p}", c.host));
                    let revision = if c.canary { format!("{} (canary)", c.revision) } else { c.revision.clone() };
                    t.add_row(vec![
                        g.service.clone(),
                        g.group.clone(),
                        c.id.clone(),
                        addr,
                        c.state.name().trim_start_matches("TASK_").to_lowercase(),
                        if c.healthy { "yes".into() } else { "no".into() },
                        revision,
                    ]);
                }
            }
            return t.to_string();
        }
        let mut headers = vec![
            "namespace",
            "service",
            "group",
            "healthy/running/desired",
            "registered/healthy",
            "revision",
            "runs",
            "state",
            "age",
        ];
        if wide {
            headers.extend(["hosts", "ports"]);
        }
        let mut t = layout.table(&headers);
        for (i, g) in self.groups.iter().enumerate() {
            let registered =
                self.registered.get(i).copied().flatten().map_or_else(|| "?".to_owned(), |n| n.to_string());
            let mut row = vec![
                g.namespace.clone(),
                g.service.clone(),
                g.group.clone(),
                format!("{}/{}/{}", g.instances.healthy, g.instances.running, g.instances.desired),
                format!("{registered}/{}", g.instances.healthy),
                g.revisions.join(","),
                g.runs.clone(),
                g.state.to_string(),
                g.age(),
            ];
            if wide {
                row.push(g.hosts.join(","));
                let ports: Vec<String> =
                    g.containers.iter().filter_map(|c| c.ports.first().map(|p| format!("{}:{p}", c.host))).collect();
                row.push(ports.join(","));
            }
            t.add_row(row);
        }
        t.to_string()
    }

    /// `service/group` per group, or `service/group/container` with `--containers`.
    fn names(&self) -> Vec<String> {
        let mut names = Vec::new();
        for g in &self.groups {
            if self.containers {
                names.extend(g.containers.iter().map(|c| format!("{}/{}/{}", g.service, g.group, c.id)));
            } else {
                names.push(format!("{}/{}", g.service, g.group));
            }
        }
        names
    }
}

/// How long `view` waits for etcd before showing `?` for the registered counts.
const ETCD_WAIT: Duration = Duration::from_secs(2);

/// What `view` reads from etcd while Marathon is read: the connected driver, the revision the
/// registration counts are then read at (`None`: nothing is registered), every rollout journal
/// and every namespace's sync confirmation.
type EtcdView<'c> = (&'c Driver, Option<i64>, Vec<Journal>, Confirmations);

/// Connects to etcd and reads the rollout journals, the sync confirmations and the registry's
/// revision, three reads at the same time, or `None` when etcd cannot be read in time (with a
/// warning: `view` shows Marathon's state even then, without rollout info). The registrations
/// are counted while Marathon's answer names the groups ([`count_as_named`]).
async fn registered(ctx: &Context) -> Option<EtcdView<'_>> {
    let read = async {
        let etcd = ctx.etcd().await?;
        let (revision, journals, fresh) =
            tokio::try_join!(etcd.registry_revision(), etcd.rollouts(), etcd.sync_confirmations())?;
        Ok::<_, crate::etcd::Error>((etcd, revision, journals, fresh))
    };
    match tokio::time::timeout(ETCD_WAIT, read).await {
        Ok(Ok(read)) => Some(read),
        Ok(Err(e)) => {
            ctx.out.warn(format!(
                "cannot read the registrations from etcd ({e}); `registered` shows ? and rollouts are not shown"
            ));
            None
        }
        Err(_) => {
            ctx.out.warn(format!(
                "etcd did not answer within {}; `registered` shows ? and rollouts are not shown",
                humantime::format_duration(ETCD_WAIT)
            ));
            None
        }
    }
}

/// What became of the registration counts of one `view`.
enum Counted {
    /// etcd could not be read (already warned): every group shows `?`.
    Unread,
    /// Counted, keyed by (service, encoded labels); empty when nothing is registered.
    Counts(BTreeMap<(String, String), GroupCount>),
    /// The count failed.
    Failed(crate::etcd::Error),
    /// Not counted within [`ETCD_WAIT`] of Marathon's answer ending.
    Late,
}

/// The registrations of the groups Marathon's answer names, counted while it streams in
/// (`etcd::Driver::registration_counts_as_named`) at `revision`; [`Counted::Late`] when not
/// done within [`ETCD_WAIT`] of Marathon's answer ending (`done`).
async fn count_as_named(
    etcd: &Driver,
    names: UnboundedReceiver<(String, String)>,
    revision: i64,
    done: oneshot::Receiver<()>,
) -> Counted {
    let deadline = async {
        // Sent, or dropped with the Marathon read: either way its answer is in.
        let _ = done.await;
        tokio::time::sleep(ETCD_WAIT).await;
    };
    tokio::select! {
        counts = etcd.registration_counts_as_named(names, revision) => match counts {
            Ok(counts) => Counted::Counts(counts),
            Err(e) => Counted::Failed(e),
        },
        () = deadline => Counted::Late,
    }
}

/// Each shown group's registered containers (`None`, shown `?`, when they were not counted,
/// with a warning saying why).
fn shown_counts(ctx: &Context, counted: Counted, groups: &[GroupStatus]) -> Vec<Option<usize>> {
    match counted {
        Counted::Counts(counts) => groups.iter().map(|g| Some(own_count(g, &counts))).collect(),
        Counted::Unread => vec![None; groups.len()],
        Counted::Failed(e) => {
            ctx.out.warn(format!("cannot count the registrations in etcd ({e}); `registered` shows ?"));
            vec![None; groups.len()]
        }
        Counted::Late => {
            ctx.out.warn(format!(
                "etcd did not count the registrations within {}; `registered` shows ?",
                humantime::format_duration(ETCD_WAIT)
            ));
            vec![None; groups.len()]
        }
    }
}

/// A group's registered containers, counted only where the etcd group belongs to the group's
/// namespace (another namespace's group of the same name is not this one's); 0 without one.
fn own_count(g: &GroupStatus, counts: &BTreeMap<(String, String), GroupCount>) -> usize {
    counts
        .get(&(g.service.clone(), g.group.clone()))
        .filter(|c| c.namespace.as_deref().is_none_or(|ns| ns == g.namespace))
        .map_or(0, |c| c.containers)
}

/// Runs `theseus view`.
pub async fn run(ctx: &Context, args: ViewArgs) -> anyhow::Result<ExitStatus> {
    let (service, selector) = match &args.service {
        Some(target) => {
            let (service, selector) = super::common::selection(target, &args.labels)?;
            (Some(service), selector)
        }
        None => (None, Selector::parse(&args.labels)?),
    };
    // Without --namespace, every namespace is shown.
    let namespace = ctx.namespace_flag().map(str::to_owned);
    let services: Vec<String> = service.into_iter().collect();
    // Marathon and etcd are read at the same time: etcd's range read takes as long as
    // Marathon's answer, and waiting for one before asking the other added them up. Each group
    // Marathon's answer names is counted in etcd as soon as its app is parsed, so the counts
    // overlap the answer's arrival instead of following it.
    let read = || async {
        let (named, names) = unbounded_channel();
        let observer: AppObserver = Arc::new(move |app: &AppRecord| {
            // Nothing counts once etcd turned out unreadable or empty: no name is built then.
            if named.is_closed() {
                return;
            }
            if let Some((service, group)) = group_labels(app) {
                let _ = named.send((service.to_owned(), group.to_owned()));
            }
        });
        let (answered, done) = oneshot::channel();
        let marathon = async {
            let snap =
                Snapshot::read_summary(ctx.marathon()?, namespace.as_deref(), &services, &selector, Some(observer))
                    .await
                    .context("reading the groups from Marathon");
            let _ = answered.send(());
            snap
        };
        // A failed Marathon read ends the command at once, without waiting for etcd.
        let etcd = async {
            let read = registered(ctx).await;
            let counts = match &read {
                Some((etcd, Some(revision), _, _)) => count_as_named(etcd, names, *revision, done).await,
                // Nothing is registered: every group counts 0 without a read.
                Some((_, None, _, _)) => Counted::Counts(BTreeMap::new()),
                None => Counted::Unread,
            };
            anyhow::Ok((read, counts))
        };
        let (snap, (etcd, counts)) = tokio::try_join!(marathon, etcd)?;
        let (journals, fresh) = etcd.map_or((None, None), |(_, _, j, f)| (Some(j), Some(f)));
        let groups = statuses(snap, journals.as_deref().unwrap_or_default());
        super::endpoints::warn_stale(ctx, groups.iter().map(|g| g.namespace.as_str()), fresh.as_ref());
        let registered = shown_counts(ctx, counts, &groups);
        anyhow::Ok(View { groups, registered, wide: args.wide, containers: args.containers })
    };
    if !args.watch {
        let view = read().await?;
        ctx.out.result(&view)?;
        // The process ends right after this: freeing 10,000 containers' strings one by one
        // only to exit was a hundredth of a large view's time.
        std::mem::forget(view);
        return Ok(ExitStatus::Success);
    }
    let cancel = ctx.cancel();
    tokio::pin!(cancel);
    loop {
        let view = read().await?;
        ctx.out.refresh(&view)?;
        tokio::select! {
            // Ctrl-C ends a watch as it ends every command: exit 130, as `--help` says.
            () = &mut cancel => return Ok(ExitStatus::Interrupted),
            () = tokio::time::sleep(args.poll_interval.max(Duration::from_millis(200))) => {}
        }
    }
}
