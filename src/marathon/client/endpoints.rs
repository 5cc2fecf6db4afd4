//! One method per Marathon resource: apps, groups, deployments, the queue, tasks and info. Each
//! builds its path and body and leaves sending, retries and errors to `transport`.

use reqwest::Method;
use serde_json::Value;

use super::body::BodySink;
use super::transport::Change;
use super::Client;
use crate::marathon::error::Error;
use crate::marathon::summary::{AppObserver, AppRecord, AppsStream};
use crate::marathon::types::{App, AppEnvelope, AppList, Deployment, Group, Queue, QueueItem, Task, TaskList};

impl Client {
    /// `GET /v2/apps?label=...&embed=apps.tasks&embed=apps.deployments...`: one request for
    /// every app matching Marathon's label selector.
    pub async fn apps(&self, label_selector: Option<&str>, embed_tasks: bool) -> Result<Vec<App>, Error> {
        let mut q = Vec::new();
        if let Some(sel) = label_selector {
            q.push(format!("label={}", encode(sel)));
        }
        if embed_tasks {
            q.push("embed=apps.tasks".to_owned());
            q.push("embed=apps.lastTaskFailure".to_owned());
        }
        let path = if q.is_empty() { "/v2/apps".to_owned() } else { format!("/v2/apps?{}", q.join("&")) };
        Ok(self.get::<AppList>(&path).await?.apps)
    }

    /// Like [`Client::apps`] with embedded tasks, read with [`crate::marathon::summary`]: the apps carry
    /// only the fields `view` shows, which costs a fraction of the full model's time and memory.
    /// `observer` is told of each app as soon as it is parsed.
    pub async fn app_summaries(
        &self,
        label_selector: Option<&str>,
        observer: Option<AppObserver>,
    ) -> Result<Vec<AppRecord>, Error> {
        let path = match label_selector {
            Some(sel) => format!("/v2/apps?label={}&embed=apps.tasks&embed=apps.lastTaskFailure", encode(sel)),
            None => "/v2/apps?embed=apps.tasks&embed=apps.lastTaskFailure".to_owned(),
        };
        let answer = self.call_into::<AppsStream>(Method::GET, &path, None, &observer).await?;
        let parsed = answer.value.unwrap_or_else(|| AppsStream::new(&observer, 0).finish());
        parsed.map_err(|source| Error::Decode { method: Method::GET, path: "/v2/apps".into(), source })
    }

    /// `GET /v2/apps/{id}`: the app with its tasks, or `None` when it does not exist.
    pub async fn app(&self, id: &str) -> Result<Option<App>, Error> {
        match self.get::<AppEnvelope>(&format!("/v2/apps{}", abs(id))).await {
            Ok(env) => Ok(Some(env.app)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /v2/apps`: creates an app; returns the deployment that starts it.
    pub async fn create_app(&self, app: &App) -> Result<Change, Error> {
        let body = to_value(app)?;
        self.change(Method::POST, "/v2/apps", Some(&body)).await
    }

    /// `PUT /v2/apps/{id}`: replaces (or creates) an app definition.
    pub async fn put_app(&self, app: &App, force: bool) -> Result<Change, Error> {
        let body = to_value(app)?;
        self.change(
            Method::PUT,
            &format!("/v2/apps{}?partialUpdate=false{}", abs(&app.id), force_q(force, '&')),
            Some(&body),
        )
        .await
    }

    /// `PUT /v2/apps` with an array: creates or replaces several apps in one deployment.
    /// Marathon validates them all before changing anything.
    pub async fn put_apps(&self, apps: &[App]) -> Result<Change, Error> {
        let body = serde_json::to_value(apps).map_err(|source| Error::Decode {
            method: Method::PUT,
            path: "/v2/apps".into(),
            source,
        })?;
        self.change(Method::PUT, "/v2/apps?partialUpdate=false", Some(&body)).await
    }

    /// Scales an app in place (`PUT {"instances": n}`): no restart.
    pub async fn scale_app(&self, id: &str, instances: u32, force: bool) -> Result<Change, Error> {
        let body = serde_json::json!({ "instances": instances });
        self.change(Method::PUT, &format!("/v2/apps{}{}", abs(id), force_q(force, '?')), Some(&body)).await
    }

    /// `POST /v2/apps/{id}/restart`: replaces every task under the upgrade strategy.
    pub async fn restart_app(&self, id: &str, force: bool) -> Result<Change, Error> {
        self.change(Method::POST, &format!("/v2/apps{}/restart{}", abs(id), force_q(force, '?')), None).await
    }

    /// `DELETE /v2/apps/{id}?force=...`. `force` is always sent: Marathon's code defaults it
    /// to true (M:src/main/scala/mesosphere/marathon/api/v2/AppsResource.scala, `delete`:
    /// `@DefaultValue("true") @QueryParam("force")`) while its RAML says false, so leaving it
    /// out would cancel running deployments of the app whatever the caller meant.
    pub async fn delete_app(&self, id: &str, force: bool) -> Result<Change, Error> {
        self.change(Method::DELETE, &format!("/v2/apps{}?force={force}", abs(id)), None).await
    }

    /// `GET /v2/groups/{id}` with apps and their tasks, or `None` when it does not exist.
    pub async fn group(&self, id: &str) -> Result<Option<Group>, Error> {
        let path = format!("/v2/groups{}?embed=group.groups&embed=group.apps&embed=group.apps.tasks", abs(id));
        match self.get::<Group>(&path).await {
            Ok(g) => Ok(Some(g)),
            Err(e) if e.is_not_found() => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `POST /v2/groups`: creates a group (with its apps) in one deployment.
    pub async fn create_group(&self, group: &Group) -> Result<Change, Error> {
        let body = serde_json::to_value(group).map_err(|source| Error::Decode {
            method: Method::POST,
            path: "/v2/groups".into(),
            source,
        })?;
        self.change(Method::POST, "/v2/groups", Some(&body)).await
    }

    /// `DELETE /v2/groups/{id}`: removes a group and everything in it.
    pub async fn delete_group(&self, id: &str, force: bool) -> Result<Change, Error> {
        self.change(Method::DELETE, &format!("/v2/groups{}{}", abs(id), force_q(force, '?')), None).await
    }

    /// `GET /v2/deployments`.
    pub async fn deployments(&self) -> Result<Vec<Deployment>, Error> {
        self.get("/v2/deployments").await
    }

    /// `DELETE /v2/deployments/{id}`: with `force`, stop it where it is; without, roll it back.
    pub async fn cancel_deployment(&self, id: &str, force: bool) -> Result<Change, Error> {
        self.change(Method::DELETE, &format!("/v2/deployments/{id}{}", force_q(force, '?')), None).await
    }

    /// `GET /v2/queue`: what waits for offers, and why offers were declined.
    pub async fn queue(&self) -> Result<Vec<QueueItem>, Error> {
        Ok(self.get::<Queue>("/v2/queue").await?.queue)
    }

    /// `GET /v2/apps/{id}/tasks`.
    pub async fn app_tasks(&self, id: &str) -> Result<Vec<Task>, Error> {
        Ok(self.get::<TaskList>(&format!("/v2/apps{}/tasks", abs(id))).await?.tasks)
    }

    /// `POST /v2/tasks/delete?scale=...`: kills tasks by id (Marathon replaces them unless
    /// `scale`); `force` cancels a deployment holding their app
    /// (M:src/main/scala/mesosphere/marathon/api/v2/TasksResource.scala, `killTasks`).
    pub async fn kill_tasks(&self, ids: &[String], scale: bool, force: bool) -> Result<Change, Error> {
        let body = serde_json::json!({ "ids": ids });
        self.change(Method::POST, &format!("/v2/tasks/delete?scale={scale}{}", force_q(force, '&')), Some(&body)).await
    }

    /// `GET /v2/info`.
    pub async fn info(&self) -> Result<Value, Error> {
        self.get("/v2/info").await
    }
}

fn to_value(app: &App) -> Result<Value, Error> {
    serde_json::to_value(app).map_err(|source| Error::Decode { method: Method::POST, path: "/v2/apps".into(), source })
}

fn abs(id: &str) -> String {
    let trimmed = id.trim_matches('/');
    format!("/{trimmed}")
}

fn force_q(force: bool, sep: char) -> String {
    if force {
        format!("{sep}force=true")
    } else {
        String::new()
    }
}

/// Percent-encodes a query value (label selectors contain `=`, `!`, `,`, spaces and parens).
fn encode(value: &str) -> String {
    url::form_urlencoded::byte_serialize(value.as_bytes()).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_are_made_absolute_once() {
        assert_eq!(abs("prod/web"), "/prod/web");
        assert_eq!(abs("/prod/web/"), "/prod/web");
    }

    #[test]
    fn label_selectors_are_query_encoded() {
        assert_eq!(encode("theseus.managed==true,theseus.tag.dev"), "theseus.managed%3D%3Dtrue%2Ctheseus.tag.dev");
    }
}
