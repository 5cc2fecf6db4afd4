//! Changes whose answer never came: learning from Marathon what happened.
//!
//! The client never sends a write twice: a write that timed out, lost its connection after
//! sending, got 502/503, or got 500 without `X-Marathon-Leader` is
//! [`crate::marathon::Error::Uncertain`]. A non-leader Marathon forwarding a write answers 502 when its
//! connection to the leader fails (refused, or made but answered nothing, which the forwarder
//! cannot tell apart) or it knows no leader, and 500 on any other failure of the call, its read
//! timeout included, after the leader may have applied the write; that 500 is a bare error page
//! without the leader's `X-Marathon-Leader`, which every answer of the leader carries, relayed
//! ones too (M:src/main/scala/mesosphere/marathon/api/forwarder/
//! AsyncUrlConnectionRequestForwarder.scala, `forward`; M:src/main/scala/mesosphere/marathon/
//! api/LeaderProxyFilter.scala, `doFilter`). A 500 of the leader itself is a failure, never
//! re-read. Each wrapper here then re-reads the
//! object it changed, a few times over about two seconds, and goes on with the deployment that
//! carries the change (from `/v2/deployments`) when the change shows; otherwise it reports the
//! uncertain error and the caller leaves etcd as it was.
//!
//! A DELETE of an app or group that is already gone (404) has reached its goal: it is success,
//! never a failure (Marathon's `AppNotFoundException`/`UnknownGroupException` map to 404:
//! M:src/main/scala/mesosphere/marathon/api/MarathonExceptionMapper.scala).

use std::time::Duration;

use crate::marathon::types::{App, TaskState};
use crate::marathon::{Change, Client, Error};

/// How often, and how far apart, an uncertain change is looked for.
const LOOKS: u32 = 5;
const LOOK_EVERY: Duration = Duration::from_millis(400);

/// Re-reads until `applied` says yes (then the change and the deployment carrying it) or the
/// looks run out (then `err`). Read errors count as "not seen".
async fn confirm<F, Fut>(client: &Client, err: Error, app_ids: &[String], mut applied: F) -> Result<Change, Error>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = Result<bool, Error>>,
{
    tracing::info!(target: "theseus::marathon", "{err}; re-reading Marathon to learn whether it was applied");
    for look in 0..LOOKS {
        if look > 0 {
            tokio::time::sleep(LOOK_EVERY).await;
        }
        if let Ok(true) = applied().await {
            let deployment_id = deployment_of(client, app_ids).await;
            tracing::info!(target: "theseus::marathon", "the change was applied (deployment {deployment_id:?})");
            return Ok(Change { deployment_id, version: None });
        }
    }
    Err(err)
}

/// The running deployment that changes any of `app_ids` (or their groups), if any.
async fn deployment_of(client: &Client, app_ids: &[String]) -> Option<String> {
    let deployments = client.deployments().await.ok()?;
    deployments
        .into_iter()
        .find(|d| d.affected_apps.iter().any(|a| app_ids.iter().any(|id| a == id || id.starts_with(&format!("{a}/")))))
        .map(|d| d.id)
}

/// `PUT /v2/apps` of new apps; applied when every app exists with the labels sent (they
/// carry the revision).
pub(super) async fn put_apps(client: &Client, apps: &[App]) -> Result<Change, Error> {
    match client.put_apps(apps).await {
        Err(err) if err.is_uncertain() => {
            let ids: Vec<String> = apps.iter().map(|a| a.id.clone()).collect();
            confirm(client, err, &ids, || async {
                for want in apps {
                    match client.app(&want.id).await? {
                        Some(have) if have.labels == want.labels => {}
                        _ => return Ok(false),
                    }
                }
                Ok(true)
            })
            .await
        }
        other => other,
    }
}

/// `PUT /v2/apps/{id}` of a whole app definition; applied when the app has the labels sent.
pub(super) async fn put_app(client: &Client, app: &App, force: bool) -> Result<Change, Error> {
    match client.put_app(app, force).await {
        Err(err) if err.is_uncertain() => {
            confirm(client, err, std::slice::from_ref(&app.id), || async {
                Ok(client.app(&app.id).await?.is_some_and(|have| have.labels == app.labels))
            })
            .await
        }
        other => other,
    }
}

/// `PUT /v2/apps/{id} {"instances": n}`; applied when the app wants `instances`.
pub(super) async fn scale_app(client: &Client, id: &str, instances: u32, force: bool) -> Result<Change, Error> {
    match client.scale_app(id, instances, force).await {
        Err(err) if err.is_uncertain() => {
            confirm(client, err, &[id.to_owned()], || async {
                Ok(client.app(id).await?.is_some_and(|a| a.instances == Some(instances)))
            })
            .await
        }
        other => other,
    }
}

/// `POST /v2/tasks/delete`; applied when none of `ids` is still an active task of `app_id`,
/// or, with `scale`, when the app already wants `instances_after` or fewer.
///
/// The second sign is needed because a killed task keeps its state until Mesos's executor
/// reports `TASK_KILLING` in a status update, after Marathon answered the kill, while the
/// kill-and-scale's lower `instances` is stored before the answer
/// (M:src/main/scala/mesosphere/marathon/core/group/impl/GroupManagerImpl.scala,
/// `updateRootEither`: the root is stored with the plan). Ids of tasks that ended meanwhile are
/// no obstacle: Marathon ignores well-formed ids of no task
/// (M:src/main/scala/mesosphere/marathon/api/v2/TasksResource.scala, `killTasks`), and a gone
/// task counts as killed here.
pub async fn kill_tasks(
    client: &Client,
    app_id: &str,
    ids: &[String],
    scale: bool,
    force: bool,
    instances_after: Option<u32>,
) -> Result<Change, Error> {
    match client.kill_tasks(ids, scale, force).await {
        Err(err) if err.is_uncertain() => {
            confirm(client, err, &[app_id.to_owned()], || async {
                let Some(app) = client.app(app_id).await? else { return Ok(true) };
                let scaled = scale && instances_after.is_some_and(|n| app.instances.is_some_and(|have| have <= n));
                let alive = app.tasks.iter().flatten().any(|t| ids.contains(&t.id) && t.state < TaskState::Killing);
                Ok(scaled || !alive)
            })
            .await
        }
        other => other,
    }
}

/// `DELETE /v2/apps/{id}`; an app already gone (404, or gone on a re-read) is success with no
/// deployment.
pub(super) async fn delete_app(client: &Client, id: &str, force: bool) -> Result<Change, Error> {
    match client.delete_app(id, force).await {
        Err(err) if err.is_not_found() => Ok(Change { deployment_id: None, version: None }),
        Err(err) if err.is_uncertain() => {
            confirm(client, err, &[id.to_owned()], || async { Ok(client.app(id).await?.is_none()) }).await
        }
        other => other,
    }
}

/// `DELETE /v2/groups/{id}`; a group already gone is success with no deployment.
pub(super) async fn delete_group(client: &Client, id: &str, force: bool) -> Result<Change, Error> {
    match client.delete_group(id, force).await {
        Err(err) if err.is_not_found() => Ok(Change { deployment_id: None, version: None }),
        Err(err) if err.is_uncertain() => {
            confirm(client, err, &[id.to_owned()], || async { Ok(client.group(id).await?.is_none()) }).await
        }
        other => other,
    }
}
