//! Workloads: the wire types of the Workloads, Coverage and pull-diagnosis
//! pages. The rows and verdicts themselves are the domain's
//! ([`crate::domain::workloads`]); these wrap them for one page view.

use serde::{Deserialize, Serialize};

pub use crate::domain::workloads::coverage::{CoverageRow, CoverageStatus};
pub use crate::domain::workloads::diagnosis::{Check, EventFacts, Verdict};
pub use crate::domain::workloads::filter::SORTS;
pub use crate::domain::workloads::fix::{Fix, FixAction};
pub use crate::domain::workloads::rows::{ContainerRow, PodRow, Serving};
pub use crate::domain::workloads::state::STATE_FILTERS;
pub use crate::domain::workloads::{Owner, PullState, RegistryRef};

/// The most rows one Workloads answer carries; the page says how many matched.
pub const ROW_LIMIT: usize = 500;

/// What a Workloads or Coverage page shows: one namespace or one project's
/// namespaces (those the caller may see), then filters and order.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadQuery {
    /// One namespace.
    pub namespace: Option<String>,
    /// Every namespace of a project the caller sees.
    pub project: Option<String>,
    /// Only pods with an image whose registry host contains this.
    pub host: Option<String>,
    /// Only pods in this state (a value of [`STATE_FILTERS`]).
    pub state: Option<String>,
    /// A pod name (or part of one) or an image reference.
    pub search: Option<String>,
    /// A key of [`SORTS`] (namespace, then name, by default).
    pub sort: Option<String>,
}

/// A namespace that could not be read; the others are still shown.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NamespaceProblem {
    /// The namespace.
    pub namespace: String,
    /// What went wrong, as a sentence.
    pub message: String,
}

/// One Workloads page view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct WorkloadList {
    /// The namespaces read, sorted.
    pub namespaces: Vec<String>,
    /// The matching pods, sorted, at most [`ROW_LIMIT`].
    pub rows: Vec<PodRow>,
    /// How many pods matched (more than `rows` when cut).
    pub matched: usize,
    /// How many pods the namespaces hold.
    pub total: usize,
    /// Every registry host their images use (for the host filter).
    pub hosts: Vec<String>,
    /// Namespaces that could not be read.
    pub problems: Vec<NamespaceProblem>,
}

/// One Coverage page view.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CoverageReport {
    /// The namespaces read, sorted.
    pub namespaces: Vec<String>,
    /// One row per namespace and registry host, sorted that way.
    pub rows: Vec<CoverageRow>,
    /// Namespaces that could not be read.
    pub problems: Vec<NamespaceProblem>,
}

/// The pull diagnosis of one pod.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Diagnosis {
    /// The pod, as the Workloads page shows it.
    pub pod: PodRow,
    /// The project of its namespace.
    pub project: Option<String>,
    /// Whether it fails to pull (or kubelet could not read a named Secret).
    pub failing: bool,
    /// The five checks.
    pub checks: Vec<Check>,
    /// Its Events, newest first.
    pub events: Vec<EventFacts>,
}
