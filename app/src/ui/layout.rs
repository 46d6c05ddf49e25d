//! The frame around every page: the sandbox banner, the header with the
//! connected cluster, and the navigation.

use leptos::prelude::*;
use leptos_router::components::A;

use crate::api::cluster::ClusterStatus;
use crate::AppError;

/// The cluster status resource provided by [`crate::App`].
pub(crate) type StatusResource = Resource<Result<ClusterStatus, AppError>>;

/// A warning on every page while the sandbox cluster is in use.
#[component]
pub fn SandboxBanner() -> impl IntoView {
    let status = expect_context::<StatusResource>();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let sandbox = matches!(status.await, Ok(s) if s.is_sandbox());
                sandbox.then(|| view! {
                    <div class="banner banner-sandbox" role="status" data-testid="sandbox-banner">
                        "Sandbox cluster — nothing is written to a real cluster"
                    </div>
                })
            })}
        </Suspense>
    }
}

/// Product name, navigation and the connected cluster.
#[component]
pub fn Header() -> impl IntoView {
    view! {
        <header class="site-header">
            <a class="brand" href="/">
                <span class="brand-mark" aria-hidden="true">"▣"</span>
                "regboard"
            </a>
            <nav aria-label="Main">
                <ul class="nav">
                    <li><A href="/" exact=true>"Registries"</A></li>
                    <li><A href="/projects">"Projects"</A></li>
                    <li><A href="/namespaces">"Namespaces"</A></li>
                    <li><A href="/access">"Access"</A></li>
                    <li><A href="/audit">"Audit"</A></li>
                </ul>
            </nav>
            <ClusterBadge/>
        </header>
    }
}

/// The connected cluster, its version, and any problem reaching it.
#[component]
fn ClusterBadge() -> impl IntoView {
    let status = expect_context::<StatusResource>();
    view! {
        <div class="cluster" data-testid="cluster">
            <Suspense fallback=|| view! { <span class="muted">"cluster…"</span> }>
                {move || Suspend::new(async move {
                    match status.await {
                        Ok(s) => cluster_line(&s).into_any(),
                        Err(e) => view! { <span class="cluster-problem">{e.to_string()}</span> }.into_any(),
                    }
                })}
            </Suspense>
        </div>
    }
}

fn cluster_line(status: &ClusterStatus) -> impl IntoView {
    let label = status.label();
    let version = status.server_version.clone();
    let problem = status.problem.clone();
    view! {
        <span class="cluster-name" title="Connected cluster">{label}</span>
        {version.map(|v| view! { <span class="cluster-version">{v}</span> })}
        {problem.map(|p| view! { <span class="cluster-problem" role="alert">{p}</span> })}
    }
}
