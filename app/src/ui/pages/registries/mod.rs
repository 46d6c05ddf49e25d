//! The registry pages: the list (`/registries`, where `/` leads), the create form (`/registries/new`),
//! the detail page and the edit form of one registry
//! (`/registries/{p|ns}/:scope/:name[/edit]`).
//!
//! Every page reads through the server functions of
//! [`crate::api::registries`]; forms call them through an [`Action`] once the
//! page has hydrated, and show refusals next to the field they concern.

mod attach;
mod credential;
mod detail;
mod edit;
mod expiry;
mod export;
mod fields;
mod form;
mod host_rows;
mod hosts;
mod import;
mod list;
mod namespaces;
mod preview;
mod recovery;
mod review;
mod rotate;
mod unmanaged;

pub use detail::RegistryDetailPage;
pub use edit::{EditRegistryPage, NewRegistryPage};
pub use import::ImportRegistryPage;
pub use list::RegistriesPage;
pub(crate) use preview::{accounts_text, action_cell};
pub use unmanaged::UnmanagedSecretsPage;

use leptos::prelude::*;
use leptos_router::hooks::use_params_map;
use leptos_router::params::ParamsMap;

use crate::api::registries::Scope;

/// The detail page of the registry `name` in `scope`.
pub(crate) fn detail_href(scope: &Scope, name: &str) -> String {
    format!("{}/{name}", scope.path())
}

/// The scope and name in a registry route's parameters (`:project` or
/// `:namespace`, then `:name`).
fn scope_and_name(params: &ParamsMap) -> Option<(Scope, String)> {
    let name = params.get("name").filter(|n| !n.is_empty())?;
    let scope = if let Some(project) = params.get("project") {
        Scope::Project { project }
    } else {
        Scope::Namespace {
            namespace: params.get("namespace")?,
        }
    };
    Some((scope, name))
}

/// The current route's registry, as a memo.
fn use_registry_param() -> Memo<Option<(Scope, String)>> {
    let params = use_params_map();
    Memo::new(move |_| params.with(scope_and_name))
}

/// The registries list: the product's home page.
pub const LIST: &str = "/registries";
