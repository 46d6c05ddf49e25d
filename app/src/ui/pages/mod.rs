//! The routed pages.

mod audit;
mod errors;
mod namespaces;
mod projects;
mod registries;

pub use audit::{AuditEventDetailPage, AuditLogPage};
pub use errors::{ErrorPage, NotFound};
pub use namespaces::NamespacesPage;
pub use projects::ProjectsPage;
pub use registries::{EditRegistryPage, NewRegistryPage, RegistriesPage, RegistryDetailPage};

use leptos::prelude::*;
use leptos_meta::Title;

/// A page whose feature has not been built yet; says so plainly.
#[component]
pub fn Placeholder(
    /// The page title.
    title: &'static str,
    /// One sentence on what the page will hold.
    what: &'static str,
) -> impl IntoView {
    view! {
        <Title text=title/>
        <h1>{title}</h1>
        <section class="notice" data-testid="not-built">
            <p><strong>"Not built yet."</strong>" "{what}</p>
            <p class="muted">"Nothing on this page is sample data: it stays empty until the feature lands."</p>
        </section>
    }
}
