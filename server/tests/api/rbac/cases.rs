//! THE TABLE: every feature of regboard that touches the cluster, one line
//! each (see the top of `rbac.rs` for how to add one). The cases run in this
//! order on one app under the manifests' RBAC; each uses names of its own.

use futures::future::BoxFuture;

use crate::helpers::TestApp;

use super::attach_features::*;
use super::project_features::*;
use super::pull_secret_features::*;
use super::registry_features::*;
use super::workload_features::*;

/// One feature: what a person does, and the code that does it and checks it.
pub(super) struct Case {
    /// What a person does, as the failure names it.
    pub(super) feature: &'static str,
    /// Uses the feature through the server functions and asserts it worked.
    pub(super) run: for<'a> fn(&'a TestApp) -> BoxFuture<'a, ()>,
}

fn case(feature: &'static str, run: for<'a> fn(&'a TestApp) -> BoxFuture<'a, ()>) -> Case {
    Case { feature, run }
}

/// Every case, in the order they run.
#[rustfmt::skip]
pub(super) fn all() -> Vec<Case> {
    vec![
        // The cluster as a whole: the status monitor, the reflectors, start-up.
        case("the cluster status and /readyz", |app| Box::pin(cluster_status(app))),
        case("the Namespaces page", |app| Box::pin(namespace_list(app))),
        case("the ownership key, mirrored at start and read back by a new database", |app| Box::pin(ownership_key(app))),
        // Registries.
        case("create a namespace registry", |app| Box::pin(create_namespace_registry(app))),
        case("edit a namespace registry", |app| Box::pin(edit_namespace_registry(app))),
        case("delete a namespace registry", |app| Box::pin(delete_namespace_registry(app))),
        case("create a project registry: copies reach every member", |app| Box::pin(create_project_registry(app))),
        case("edit a project registry: the copies follow", |app| Box::pin(edit_project_registry(app))),
        case("delete a project registry: the copies go", |app| Box::pin(delete_project_registry(app))),
        case("the registry list", |app| Box::pin(registry_list(app))),
        case("a registry's detail: the pods and ServiceAccounts that pull with it", |app| Box::pin(registry_references(app))),
        case("sync a registry now", |app| Box::pin(resync_registry(app))),
        case("test a registry's credential", |app| Box::pin(test_credential(app))),
        case("restore a lost source from a copy", |app| Box::pin(restore_lost_source(app))),
        case("adopt an unproven Secret", |app| Box::pin(adopt_unproven(app))),
        case("the upgrade proves legacy Secrets", |app| Box::pin(upgrade_legacy_proof(app))),
        case("export a registry with its credential", |app| Box::pin(export_registry(app))),
        case("list unmanaged pull Secrets; adopt one in place and one into a project", |app| Box::pin(unmanaged_and_adopt(app))),
        // ServiceAccounts.
        case("attach a registry to ServiceAccounts over a concurrent edit", |app| Box::pin(attach_to_service_accounts(app))),
        // Workloads.
        case("the Workloads and Coverage pages", |app| Box::pin(workloads_and_coverage(app))),
        case("a pull diagnosis: the pod and its Events", |app| Box::pin(pull_diagnosis(app))),
        // Projects and membership.
        case("a namespace joins a project over a collision, then leaves", |app| Box::pin(join_and_leave(app))),
        case("a namespace asks to join by label; an admin accepts", |app| Box::pin(accept_join_request(app))),
        case("a namespace asks to join by label; an admin rejects", |app| Box::pin(reject_join_request(app))),
        case("delete a project with its registries", |app| Box::pin(delete_project(app))),
    ]
}
