//! The frame around every page: the sandbox banner, the header with the
//! connected cluster, the navigation and the signed-in user. The sign-in
//! and setup pages show neither navigation nor user.

use leptos::prelude::*;
use leptos_router::components::A;
use leptos_router::hooks::use_location;

use crate::api::access::logout;
use crate::api::cluster::ClusterStatus;
use crate::ui::components::{full_navigation, use_hydrated, UserResource};
use crate::ui::pages::REGISTRIES;
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

/// Product name, navigation, the connected cluster and the signed-in user.
#[component]
pub fn Header() -> impl IntoView {
    let location = use_location();
    let signed_out_page = move || matches!(location.pathname.get().as_str(), "/login" | "/setup");
    view! {
        <header class="site-header">
            <a class="brand" href=REGISTRIES>
                <span class="brand-mark" aria-hidden="true">"▣"</span>
                "regboard"
            </a>
            {move || (!signed_out_page()).then(|| view! {
                <nav aria-label="Main">
                    <ul class="nav">
                        <li><A href=REGISTRIES>"Registries"</A></li>
                        <li><A href="/workloads">"Workloads"</A></li>
                        <li><A href="/projects">"Projects"</A></li>
                        <li><A href="/namespaces">"Namespaces"</A></li>
                        <li><A href="/access">"Access"</A></li>
                        <li><A href="/audit">"Audit"</A></li>
                    </ul>
                </nav>
            })}
            <ClusterBadge/>
            {move || (!signed_out_page()).then(|| view! { <ExpiryWarning/> })}
            {move || (!signed_out_page()).then(|| view! { <UserMenu/> })}
        </header>
    }
}

/// "2 credentials expired, 1 expires soon", linking to the registries,
/// while any registry the user may see has one.
#[component]
fn ExpiryWarning() -> impl IntoView {
    let expiring = Resource::new(|| (), |_| crate::api::registries::expiring_credentials());
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                let hosts = expiring.await.ok().filter(|h| !h.is_empty())?;
                let expired = hosts.iter().filter(|h| h.expiry.is_expired()).count();
                let soon = hosts.len() - expired;
                let plural = |n: usize, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
                let text = match (expired, soon) {
                    (0, s) => plural(s, "credential expires soon", "credentials expire soon"),
                    (e, 0) => plural(e, "credential expired", "credentials expired"),
                    (e, s) => format!("{}, {s} soon", plural(e, "credential expired", "credentials expired")),
                };
                let first = &hosts[0];
                let title = format!("{} ({}): {}", first.name, first.host, first.expiry.label());
                let class = if expired > 0 { "expiry-warning expired" } else { "expiry-warning" };
                Some(view! {
                    <a href=REGISTRIES class=class data-testid="expiry-warning" title=title role="status">{text}</a>
                })
            })}
        </Suspense>
    }
}

/// The signed-in user's name and "Sign out".
#[component]
fn UserMenu() -> impl IntoView {
    let user = expect_context::<UserResource>();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                user.await.ok().flatten().map(|u| view! {
                    <div class="user-menu" data-testid="user-menu">
                        <a href="/access" class="user-name" data-testid="user-name" title="Your account">{u.name}</a>
                        <SignOutButton/>
                    </div>
                })
            })}
        </Suspense>
    }
}

/// Ends this browser's session, then loads the sign-in page.
#[component]
fn SignOutButton() -> impl IntoView {
    let hydrated = use_hydrated();
    let sign_out = Action::new(|_: &()| logout());
    Effect::new(move |_| match sign_out.value().get() {
        // Without a session there is nothing left to end either.
        Some(Ok(())) | Some(Err(AppError::Unauthenticated(_))) => full_navigation("/login"),
        _ => {}
    });
    let failed = move || match sign_out.value().get() {
        Some(Err(e)) if !matches!(e, AppError::Unauthenticated(_)) => Some(e.to_string()),
        _ => None,
    };
    view! {
        <button type="button" class="secondary sign-out" data-testid="sign-out"
            disabled=move || !hydrated.get() || sign_out.pending().get()
            on:click=move |_| { sign_out.dispatch(()); }>
            "Sign out"
        </button>
        {move || failed().map(|m| view! { <span class="field-error" role="alert" data-testid="sign-out-error">{m}</span> })}
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
    // The version also rides in the title: narrow headers hide its text.
    let title = match &version {
        Some(v) => format!("Connected cluster, Kubernetes {v}"),
        None => "Connected cluster".to_owned(),
    };
    view! {
        <span class="cluster-name" title=title>{label}</span>
        {version.map(|v| view! { <span class="cluster-version">{v}</span> })}
        {problem.map(|p| view! { <span class="cluster-problem" role="alert">{p}</span> })}
    }
}
