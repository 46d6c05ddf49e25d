//! Pages and components.

pub mod audit;
mod components;
mod layout;
mod live;
mod pages;

use leptos::prelude::*;
use leptos_meta::{provide_meta_context, HashedStylesheet, Link, MetaTags, Title};
use leptos_router::components::{Redirect, Route, Router, Routes};
use leptos_router::path;

use components::UserResource;
use layout::{Header, SandboxBanner};
use pages::{
    AccessPage, EditRegistryPage, ErrorPage, LoginPage, NamespacesPage, NewRegistryPage, NotFound,
    ProjectsPage, RegistriesPage, RegistryDetailPage, SetupPage,
};

/// The HTML document the server renders around [`App`].
pub fn shell(options: LeptosOptions) -> impl IntoView {
    view! {
        <!DOCTYPE html>
        <html lang="en">
            <head>
                <meta charset="utf-8"/>
                <meta name="viewport" content="width=device-width, initial-scale=1"/>
                <meta name="color-scheme" content="light dark"/>
                <AutoReload options=options.clone()/>
                // Both name the content-hashed files of hash.txt when the
                // server found it (serve.rs), so they may be cached for good.
                <HashedStylesheet id="regboard" options=options.clone()/>
                <HydrationScripts options/>
                <MetaTags/>
            </head>
            <body>
                <App/>
            </body>
        </html>
    }
}

/// The application: header, navigation and the routed page.
#[component]
pub fn App() -> impl IntoView {
    provide_meta_context();
    let status = Resource::new(|| (), |_| crate::api::cluster::get_cluster_status());
    provide_context(status);
    let user: UserResource = Resource::new(|| (), |_| crate::api::access::get_current_user());
    provide_context(user);
    mark_hydrated();

    view! {
        <Link rel="icon" href="/favicon.svg" type_="image/svg+xml"/>
        <Title formatter=|page: String| format!("{page} · regboard")/>
        <Router>
            <a class="skip-link" href="#main">"Skip to content"</a>
            <SandboxBanner/>
            <Header/>
            <main id="main" class="page">
                <ErrorBoundary fallback=|errors| view! { <ErrorPage errors/> }>
                    <Routes fallback=|| view! { <NotFound/> }>
                        <Route path=path!("/") view=HomeRedirect/>
                        <Route path=path!("/registries") view=RegistriesPage/>
                        <Route path=path!("/registries/new") view=NewRegistryPage/>
                        <Route path=path!("/registries/import") view=pages::ImportRegistryPage/>
                        <Route path=path!("/registries/unmanaged") view=pages::UnmanagedSecretsPage/>
                        <Route path=path!("/registries/p/:project/:name") view=RegistryDetailPage/>
                        <Route path=path!("/registries/ns/:namespace/:name") view=RegistryDetailPage/>
                        <Route path=path!("/registries/p/:project/:name/edit") view=EditRegistryPage/>
                        <Route path=path!("/registries/ns/:namespace/:name/edit") view=EditRegistryPage/>
                        <Route path=path!("/workloads") view=pages::WorkloadsPage/>
                        <Route path=path!("/workloads/coverage") view=pages::CoveragePage/>
                        <Route path=path!("/workloads/pod/:namespace/:name") view=pages::DiagnosisPage/>
                        <Route path=path!("/projects") view=ProjectsPage/>
                        <Route path=path!("/namespaces") view=NamespacesPage/>
                        <Route path=path!("/access") view=AccessPage/>
                        <Route path=path!("/login") view=LoginPage/>
                        <Route path=path!("/setup") view=SetupPage/>
                        <Route path=path!("/audit") view=pages::AuditLogPage/>
                        <Route path=path!("/audit/:id") view=pages::AuditEventDetailPage/>
                    </Routes>
                </ErrorBoundary>
            </main>
        </Router>
    }
}

/// `/` leads to the registries list: a 302 when rendered on the server, a
/// replacing navigation in the browser (so "Back" does not bounce).
#[component]
fn HomeRedirect() -> impl IntoView {
    let options = leptos_router::NavigateOptions {
        replace: true,
        ..Default::default()
    };
    view! { <Redirect path=pages::REGISTRIES options/> }
}

/// Marks `<body data-hydrated="true">` once the client-side code runs, so
/// that tests (and people debugging) can tell a hydrated page from a static
/// one. Effects never run during server rendering.
fn mark_hydrated() {
    Effect::new(|_| {
        if let Some(body) = document().body() {
            let _ = body.set_attribute("data-hydrated", "true");
        }
    });
}
