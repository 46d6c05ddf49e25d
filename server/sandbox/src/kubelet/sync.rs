//! One pod's sync: schedule, pull every image, report status and Events, back off.

use serde_json::Value;

use super::status::{self, ContainerResult, EventSpec, Outcome, NODE_NAME};
use super::{containers, field_path, now, Kubelet};
use crate::kubelet::credentials::Credential;
use crate::kubelet::image::ImageRef;
use crate::kubelet::pull::Pull;
use crate::object;

fn normal(reason: &str, message: String, path: Option<String>) -> EventSpec<'_> {
    EventSpec {
        kind: "Normal",
        reason,
        message,
        field_path: path,
        component: "kubelet",
    }
}

fn warning(reason: &str, message: String, path: Option<String>) -> EventSpec<'_> {
    EventSpec {
        kind: "Warning",
        ..normal(reason, message, path)
    }
}

fn waiting(reason: &str, message: String) -> Outcome {
    Outcome::Waiting {
        reason: reason.to_string(),
        message,
    }
}

impl Kubelet {
    /// Pulls and "starts" `pod`; a failed pull backs off after the back-off delay, or at
    /// once when `settled` (pods that were there when the sandbox started).
    pub(super) async fn sync(&self, pod: Value, settled: bool) {
        let (ns, name, uid) = (
            object::namespace(&pod).to_string(),
            object::name(&pod).to_string(),
            object::uid(&pod).to_string(),
        );
        self.schedule(&pod);
        let mut results = self.pull_all(&pod).await;
        let Some(pod) = self.store.set_pod_status(
            &ns,
            &name,
            &uid,
            NODE_NAME,
            status::pod_status(&uid, &results, &now()),
        ) else {
            return;
        };
        if !results.iter().any(
            |r| matches!(&r.outcome, Outcome::Waiting { reason, .. } if reason == "ErrImagePull"),
        ) {
            return;
        }
        if !settled {
            let mut shutdown = self.shutdown.clone();
            tokio::select! {
                _ = tokio::time::sleep(self.backoff) => {}
                _ = crate::http::stopped(&mut shutdown) => return,
            }
        }
        self.back_off(&pod, &mut results);
        self.store.set_pod_status(
            &ns,
            &name,
            &uid,
            NODE_NAME,
            status::pod_status(&uid, &results, &now()),
        );
    }

    /// The scheduler's part: an unbound pod is assigned to the node.
    fn schedule(&self, pod: &Value) {
        let unbound = pod
            .pointer("/spec/nodeName")
            .and_then(Value::as_str)
            .is_none_or(str::is_empty);
        if unbound {
            let (ns, name) = (object::namespace(pod), object::name(pod));
            let message = format!("Successfully assigned {ns}/{name} to {NODE_NAME}");
            let spec = EventSpec {
                component: "default-scheduler",
                ..normal("Scheduled", message, None)
            };
            self.record(pod, spec);
        }
    }

    /// Init containers in order (the first failure holds the rest and every container
    /// in `PodInitializing`), then every container.
    async fn pull_all(&self, pod: &Value) -> Vec<ContainerResult> {
        let logins = self.logins(pod);
        let mut results = Vec::new();
        let mut init_failed = false;
        for (container, image, init) in containers(pod) {
            let outcome = if init_failed {
                waiting("PodInitializing", String::new())
            } else {
                self.pull_and_start(pod, &container, &image, init, &logins)
                    .await
            };
            init_failed |= init && outcome != Outcome::Running;
            let full_name = ImageRef::parse(&image).map(|r| r.name());
            results.push(ContainerResult {
                name: container,
                image,
                full_name,
                init,
                outcome,
            });
        }
        results
    }

    /// Pulls one image and reports it; the container's outcome.
    async fn pull_and_start(
        &self,
        pod: &Value,
        container: &str,
        image: &str,
        init: bool,
        logins: &[Credential],
    ) -> Outcome {
        let path = Some(field_path(container, init));
        let Some(reference) = ImageRef::parse(image) else {
            let message = format!("Failed to apply default image tag {image:?}: couldn't parse image name {image:?}: invalid reference format");
            self.record(pod, warning("InspectFailed", message.clone(), path.clone()));
            self.record(
                pod,
                warning("Failed", "Error: InvalidImageName".into(), path),
            );
            return waiting("InvalidImageName", message);
        };
        let familiar = reference.familiar();
        self.record(
            pod,
            normal(
                "Pulling",
                format!("Pulling image {familiar:?}"),
                path.clone(),
            ),
        );
        match self.registries.pull(&reference, logins).await {
            Pull::Pulled => {
                let size = 1_000_000
                    + u64::from_str_radix(&status::hex64(&familiar)[..6], 16).unwrap_or(0) * 7;
                let message = format!(
                    "Successfully pulled image {familiar:?} in 412ms (412ms including waiting). Image size: {size} bytes."
                );
                self.record(pod, normal("Pulled", message, path.clone()));
                self.record(
                    pod,
                    normal(
                        "Created",
                        format!("Created container: {container}"),
                        path.clone(),
                    ),
                );
                self.record(
                    pod,
                    normal("Started", format!("Started container {container}"), path),
                );
                Outcome::Running
            }
            Pull::Failed(error) => {
                let message = format!("Failed to pull image {familiar:?}: {error}");
                self.record(pod, warning("Failed", message, path.clone()));
                self.record(pod, warning("Failed", "Error: ErrImagePull".into(), path));
                waiting("ErrImagePull", error)
            }
        }
    }

    /// The next sync of a failed pull: still in back-off, so no pull, `ImagePullBackOff`.
    fn back_off(&self, pod: &Value, results: &mut [ContainerResult]) {
        for r in results.iter_mut() {
            let Outcome::Waiting { reason, .. } = &r.outcome else {
                continue;
            };
            if reason != "ErrImagePull" {
                continue;
            }
            let familiar =
                ImageRef::parse(&r.image).map_or_else(|| r.image.clone(), |i| i.familiar());
            let message = format!("Back-off pulling image {familiar:?}");
            let path = Some(field_path(&r.name, r.init));
            self.record(pod, normal("BackOff", message.clone(), path.clone()));
            self.record(
                pod,
                warning("Failed", "Error: ImagePullBackOff".into(), path),
            );
            r.outcome = waiting("ImagePullBackOff", message);
        }
    }
}
