//! Credential tests on the registry pages: the last verdict per host in the
//! list and on the detail page (with "Test credential" per host), and the
//! form's warning when a save-time test failed, with "Save anyway".

use leptos::prelude::*;

use super::expiry::ExpiryBadge;
use crate::api::registries::{test_registry_credential, CredentialCheck, Scope};
use crate::domain::age::short_age;
use crate::domain::credential::expiry::format_utc;
use crate::model::credentials::Verdict;
use crate::model::registries::HostFacts;
use crate::ui::components::{failure, use_hydrated, ErrorNotice};

/// The badge class of a verdict.
fn badge_class(verdict: &Verdict) -> &'static str {
    match verdict {
        Verdict::Accepted => "badge state state-synced",
        Verdict::Rejected { .. } => "badge state state-error",
        Verdict::Unreachable { .. } | Verdict::Unexpected { .. } => "badge state state-pending",
    }
}

/// The worst of `checks`: rejected, else unexpected or unreachable, else accepted.
fn worst(checks: &[CredentialCheck]) -> Option<&CredentialCheck> {
    let rank = |c: &CredentialCheck| match c.verdict {
        Verdict::Rejected { .. } => 0,
        Verdict::Unexpected { .. } => 1,
        Verdict::Unreachable { .. } => 2,
        Verdict::Accepted => 3,
    };
    checks.iter().min_by_key(|c| rank(c))
}

/// The list's cell: the worst last verdict and how long ago, or "not tested".
#[component]
pub(super) fn CredentialCell(checks: Vec<CredentialCheck>, now: i64) -> impl IntoView {
    let Some(check) = worst(&checks).cloned() else {
        return view! { <span class="muted" data-testid="credential-verdict">"not tested"</span> }
            .into_any();
    };
    let title = check.sentence();
    view! {
        <span class=badge_class(&check.verdict) title=title data-testid="credential-verdict"
            data-verdict=check.verdict.label()>
            {check.verdict.label()}
        </span>
        <span class="muted">{format!(" {} ago", short_age(now - check.checked_unix))}</span>
    }
    .into_any()
}

/// The detail page's section: each host with its last verdict, and a
/// "Test credential" button per host; `refresh` reloads the page's data.
#[component]
pub(super) fn CredentialSection(
    scope: Scope,
    name: String,
    hosts: Vec<HostFacts>,
    checks: Vec<CredentialCheck>,
    now: i64,
    refresh: Callback<()>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let test = Action::new(move |(scope, name, host): &TestKey| {
        test_registry_credential(scope.clone(), name.clone(), Some(host.clone()), None)
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = test.value().get() {
            refresh.run(());
        }
    });
    let error = Signal::derive(move || failure(test.value().get()));
    let rows = hosts
        .into_iter()
        .map(|facts| {
            let last = checks.iter().find(|c| c.host == facts.host).cloned();
            let key = (scope.clone(), name.clone(), facts.host.clone());
            view! { <CredentialRow key facts last now test hydrated/> }
        })
        .collect_view();
    view! {
        <section aria-labelledby="credential-heading">
            <h2 id="credential-heading">"Credential"</h2>
            <p class="muted">"regboard logs in to each host's /v2/ with the stored credential, as the registry protocol says: on save, on demand and periodically."</p>
            <ErrorNotice error=error testid="credential-error"/>
            <table data-testid="credential-checks">
                <thead><tr>
                    <th scope="col">"Host"</th><th scope="col">"Username"</th>
                    <th scope="col">"Valid until"</th><th scope="col">"Last test"</th>
                    <th scope="col">"When"</th><th scope="col"><span class="visually-hidden">"Action"</span></th>
                </tr></thead>
                <tbody>{rows}</tbody>
            </table>
        </section>
    }
    .into_any()
}

/// What "Test credential" dispatches: scope, registry name, host.
type TestKey = (Scope, String, String);

/// One host's row: its last verdict and its "Test credential" button.
#[component]
fn CredentialRow(
    key: TestKey,
    facts: HostFacts,
    last: Option<CredentialCheck>,
    now: i64,
    test: Action<TestKey, Result<Vec<CredentialCheck>, crate::AppError>>,
    hydrated: ReadSignal<bool>,
) -> impl IntoView {
    let host = key.2.clone();
    let testing = {
        let host = host.clone();
        move || test.pending().get() && test.input().get().is_some_and(|(_, _, h)| h == host)
    };
    let verdict = match &last {
        Some(c) => view! {
            <span class=badge_class(&c.verdict) data-testid="credential-verdict"
                data-verdict=c.verdict.label()>{c.verdict.label()}</span>
            " "<span data-testid="credential-sentence">{c.sentence()}</span>
        }
        .into_any(),
        None => {
            view! { <span class="muted" data-testid="credential-verdict">"not tested yet"</span> }
                .into_any()
        }
    };
    view! {
        <tr data-host=host.clone()>
            <td class="mono">{host.clone()}</td>
            <td data-testid="host-username">{facts.username.clone()}</td>
            <td data-testid="host-valid-until">
                {match facts.valid_until {
                    Some(until) => view! {
                        {format_utc(until)}" "<ExpiryBadge expiry=facts.expiry until/>
                    }.into_any(),
                    None => view! { <span class="muted">"not set"</span> }.into_any(),
                }}
            </td>
            <td>{verdict}</td>
            <td class="num">{last.map(|c| format!("{} ago", short_age(now - c.checked_unix)))}</td>
            <td>
                <button type="button" class="secondary" data-testid="test-credential"
                    disabled=move || !hydrated.get() || test.pending().get()
                    on:click=move |_| { test.dispatch(key.clone()); }>
                    {move || if testing() { "Testing…" } else { "Test credential" }}
                </button>
            </td>
        </tr>
    }
    .into_any()
}

/// The form's warning when the save-time test failed: the verdicts and
/// "Save anyway", which submits the same form without the test.
#[component]
pub(super) fn CredentialWarning(
    message: Signal<Option<String>>,
    pending: Signal<bool>,
    save_anyway: Callback<()>,
) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! {
                <div class="notice notice-error" role="alert" data-testid="credential-warning">
                    <p>{m}</p>
                    <button type="button" class="secondary" data-testid="save-anyway"
                        disabled=move || pending.get()
                        on:click=move |_| save_anyway.run(())>
                        "Save anyway"
                    </button>
                </div>
            }
        })
    }
}
