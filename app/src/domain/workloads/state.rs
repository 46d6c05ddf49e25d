//! Where a container's image pull stands, read from its status as kubelet
//! writes it (`state.waiting.reason`, `running`, `terminated`).

use serde::{Deserialize, Serialize};

/// One container's pull state; a pod's is its worst container's.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum PullState {
    /// Pulled and running (an init container: pulled and finished).
    Running,
    /// Ran to completion.
    Completed,
    /// The last pull failed.
    ErrImagePull,
    /// Failed pulls; kubelet waits before the next attempt.
    ImagePullBackOff,
    /// The image reference cannot be parsed.
    InvalidImageName,
    /// No report from the node yet, or the container is being created.
    Pending,
    /// Waiting for another reason (`CrashLoopBackOff`, …): the image was pulled.
    Waiting {
        /// kubelet's reason.
        reason: String,
    },
    /// Ended with a reason other than `Completed`.
    Terminated {
        /// kubelet's reason.
        reason: String,
    },
}

/// The filter values of the state select, with their labels.
pub const STATE_FILTERS: [(&str, &str); 6] = [
    ("failing", "Pull failing"),
    ("ErrImagePull", "ErrImagePull"),
    ("ImagePullBackOff", "ImagePullBackOff"),
    ("pending", "Pending"),
    ("running", "Running"),
    ("other", "Other"),
];

impl PullState {
    /// The state of a container whose status says `waiting` (a reason),
    /// `running`, or `terminated` (a reason); nothing at all is pending.
    pub fn from_status(
        waiting: Option<&str>,
        running: bool,
        terminated: Option<&str>,
        init: bool,
    ) -> PullState {
        if running {
            return PullState::Running;
        }
        if let Some(reason) = waiting {
            return match reason {
                "ErrImagePull" => PullState::ErrImagePull,
                "ImagePullBackOff" => PullState::ImagePullBackOff,
                "InvalidImageName" => PullState::InvalidImageName,
                "" | "ContainerCreating" | "PodInitializing" => PullState::Pending,
                other => PullState::Waiting {
                    reason: other.to_owned(),
                },
            };
        }
        match terminated {
            // An init container that finished did its job.
            Some("Completed") if init => PullState::Running,
            Some("Completed") => PullState::Completed,
            Some(reason) => PullState::Terminated {
                reason: reason.to_owned(),
            },
            None => PullState::Pending,
        }
    }

    /// The label shown: `running`, `ErrImagePull`, `pending`, or kubelet's reason.
    pub fn label(&self) -> String {
        match self {
            PullState::Running => "running".into(),
            PullState::Completed => "completed".into(),
            PullState::ErrImagePull => "ErrImagePull".into(),
            PullState::ImagePullBackOff => "ImagePullBackOff".into(),
            PullState::InvalidImageName => "InvalidImageName".into(),
            PullState::Pending => "pending".into(),
            PullState::Waiting { reason } | PullState::Terminated { reason } => reason.clone(),
        }
    }

    /// Whether the image could not be pulled.
    pub fn is_pull_failure(&self) -> bool {
        matches!(
            self,
            PullState::ErrImagePull | PullState::ImagePullBackOff | PullState::InvalidImageName
        )
    }

    /// Whether the image is on the node (running, done, or failing later).
    pub fn pulled(&self) -> bool {
        matches!(
            self,
            PullState::Running
                | PullState::Completed
                | PullState::Waiting { .. }
                | PullState::Terminated { .. }
        )
    }

    /// How much attention it needs: higher is worse.
    fn severity(&self) -> u8 {
        match self {
            PullState::ImagePullBackOff => 7,
            PullState::ErrImagePull => 6,
            PullState::InvalidImageName => 5,
            PullState::Waiting { .. } => 4,
            PullState::Terminated { .. } => 3,
            PullState::Pending => 2,
            PullState::Running => 1,
            PullState::Completed => 0,
        }
    }

    /// The worst of `states` (a pod's state); pending when there are none.
    pub fn worst<'a>(states: impl IntoIterator<Item = &'a PullState>) -> PullState {
        states
            .into_iter()
            .max_by_key(|s| s.severity())
            .cloned()
            .unwrap_or(PullState::Pending)
    }

    /// The sort rank: failures first.
    pub fn rank(&self) -> u8 {
        u8::MAX - self.severity()
    }

    /// Whether the state select's value `filter` (see [`STATE_FILTERS`]) shows it.
    pub fn matches_filter(&self, filter: &str) -> bool {
        match filter {
            "failing" => self.is_pull_failure(),
            "running" => matches!(self, PullState::Running | PullState::Completed),
            "pending" => *self == PullState::Pending,
            "other" => matches!(
                self,
                PullState::Waiting { .. } | PullState::Terminated { .. }
            ),
            exact => self.label() == exact,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_read_as_kubelet_writes_them() {
        let s = |w, r, t| PullState::from_status(w, r, t, false);
        assert_eq!(
            s(Some("ErrImagePull"), false, None),
            PullState::ErrImagePull
        );
        assert_eq!(
            s(Some("ImagePullBackOff"), false, None),
            PullState::ImagePullBackOff
        );
        assert_eq!(
            s(Some("ContainerCreating"), false, None),
            PullState::Pending
        );
        assert_eq!(s(None, false, None), PullState::Pending);
        assert_eq!(s(None, true, None), PullState::Running);
        assert_eq!(s(None, false, Some("Completed")), PullState::Completed);
        assert_eq!(
            PullState::from_status(None, false, Some("Completed"), true),
            PullState::Running
        );
        assert_eq!(
            s(Some("CrashLoopBackOff"), false, None).label(),
            "CrashLoopBackOff"
        );
    }

    #[test]
    fn the_pod_shows_its_worst_container_and_filters_group_failures() {
        let states = [
            PullState::Running,
            PullState::ImagePullBackOff,
            PullState::Pending,
        ];
        assert_eq!(PullState::worst(&states), PullState::ImagePullBackOff);
        assert_eq!(PullState::worst(&[]), PullState::Pending);
        assert!(PullState::ErrImagePull.matches_filter("failing"));
        assert!(PullState::ImagePullBackOff.matches_filter("ImagePullBackOff"));
        assert!(!PullState::Running.matches_filter("failing"));
        assert!(PullState::Completed.matches_filter("running"));
        assert!(PullState::ImagePullBackOff.rank() < PullState::Running.rank());
    }
}
