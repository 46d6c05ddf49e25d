//! The routed pages.

mod access;
mod audit;
mod errors;
mod namespaces;
mod projects;
mod registries;
mod session;
mod workloads;

pub use access::AccessPage;
pub use audit::{AuditEventDetailPage, AuditLogPage};
pub use errors::{ErrorPage, NotFound};
pub use namespaces::NamespacesPage;
pub use projects::ProjectsPage;
pub use registries::ImportRegistryPage;
pub use registries::UnmanagedSecretsPage;
pub use registries::{
    EditRegistryPage, NewRegistryPage, RegistriesPage, RegistryDetailPage, LIST as REGISTRIES,
};
pub use session::{LoginPage, SetupPage};
pub use workloads::{CoveragePage, DiagnosisPage, WorkloadsPage};
