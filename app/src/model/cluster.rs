//! What the dashboard knows about the connected cluster.

use serde::{Deserialize, Serialize};

/// How regboard reaches a cluster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum ClusterMode {
    /// No cluster is configured.
    None,
    /// The in-process sandbox cluster: nothing reaches a real cluster.
    Sandbox,
    /// A kubeconfig context.
    Kubeconfig {
        /// The context's name.
        context: String,
    },
    /// The service account of the pod regboard runs in.
    InCluster,
}

/// The connection and whether the cluster answers.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClusterStatus {
    /// How regboard is connected.
    pub mode: ClusterMode,
    /// The API server's `gitVersion`, once it has answered.
    pub server_version: Option<String>,
    /// Why the cluster cannot be used right now, as a sentence.
    pub problem: Option<String>,
}

impl ClusterStatus {
    /// The status before any cluster is configured.
    pub fn disconnected() -> Self {
        Self {
            mode: ClusterMode::None,
            server_version: None,
            problem: None,
        }
    }

    /// The short name shown in the header: the context, or "sandbox".
    pub fn label(&self) -> String {
        match &self.mode {
            ClusterMode::None => "no cluster connected".to_owned(),
            ClusterMode::Sandbox => "sandbox".to_owned(),
            ClusterMode::Kubeconfig { context } => context.clone(),
            ClusterMode::InCluster => "in-cluster".to_owned(),
        }
    }

    /// What anonymous callers may know: the mode (for the sandbox banner),
    /// without the context, version or problem.
    pub fn public_part(self) -> Self {
        let mode = match self.mode {
            ClusterMode::Kubeconfig { .. } => ClusterMode::Kubeconfig {
                context: String::new(),
            },
            other => other,
        };
        ClusterStatus {
            mode,
            server_version: None,
            problem: None,
        }
    }

    /// Whether this is the sandbox cluster.
    pub fn is_sandbox(&self) -> bool {
        self.mode == ClusterMode::Sandbox
    }
}

/// One namespace as the Namespaces page shows it.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NamespaceRow {
    /// The namespace's name.
    pub name: String,
    /// The project regboard recorded it in.
    pub project: Option<String>,
    /// The project its label (`regboard.dev/project`, set outside regboard)
    /// asks to join; an admin accepts or rejects the request.
    #[serde(default)]
    pub requested_project: Option<String>,
    /// How many Secrets of any type it holds.
    pub secrets: u32,
    /// Its creation time, in seconds since the Unix epoch.
    pub created_unix: Option<i64>,
    /// Its phase, e.g. "Active" or "Terminating".
    pub phase: Option<String>,
}

/// The namespaces at one moment, with that moment so ages can be shown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct NamespaceList {
    /// Every namespace, sorted by name.
    pub rows: Vec<NamespaceRow>,
    /// When the list was taken, in seconds since the Unix epoch.
    pub now_unix: i64,
}

impl NamespaceList {
    /// Wraps `rows` taken now.
    #[cfg(feature = "ssr")]
    pub fn taken_now(rows: Vec<NamespaceRow>) -> Self {
        let now_unix = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_secs() as i64);
        Self { rows, now_unix }
    }
}
