//! The Workloads filters: registry host, pull state, order, and the search
//! box. A search of `namespace/name` for a namespace on screen opens that
//! pod's diagnosis; anything else (a pod name, an image reference) filters
//! the list. Without JS the form is a plain GET of the list.

use leptos::prelude::*;
use leptos_router::hooks::use_navigate;
use leptos_router::NavigateOptions;

use super::{diagnosis_href, href_for, LIST};
use crate::api::workloads::{WorkloadQuery, SORTS, STATE_FILTERS};

/// The pod `search` names as `namespace/name`, when that namespace is on screen.
fn pod_named(search: &str, namespaces: &[String]) -> Option<(String, String)> {
    let (ns, name) = search.trim().split_once('/')?;
    let plain = |s: &str| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-' || b == b'.')
    };
    (namespaces.iter().any(|n| n == ns) && plain(name) && !name.contains('/'))
        .then(|| (ns.to_owned(), name.to_owned()))
}

fn non_empty(s: String) -> Option<String> {
    let s = s.trim();
    (!s.is_empty()).then(|| s.to_owned())
}

/// The form; `hosts` and `namespaces` come from the current answer.
#[component]
pub(super) fn Filters(
    query: Memo<WorkloadQuery>,
    hosts: Signal<Vec<String>>,
    namespaces: Signal<Vec<String>>,
) -> impl IntoView {
    let navigate = use_navigate();
    let search = RwSignal::new(query.get_untracked().search.unwrap_or_default());
    Effect::new(move |_| search.set(query.get().search.unwrap_or_default()));
    let apply = {
        let navigate = navigate.clone();
        move |change: &dyn Fn(&mut WorkloadQuery)| {
            let mut next = query.get_untracked();
            change(&mut next);
            navigate(&href_for(LIST, &next), NavigateOptions::default());
        }
    };
    let set_host = {
        let apply = apply.clone();
        move |ev| apply(&|q| q.host = non_empty(event_target_value(&ev)))
    };
    let set_state = {
        let apply = apply.clone();
        move |ev| apply(&|q| q.state = non_empty(event_target_value(&ev)))
    };
    let set_sort = {
        let apply = apply.clone();
        move |ev| {
            apply(&|q| q.sort = non_empty(event_target_value(&ev)).filter(|s| s != "namespace"))
        }
    };
    let on_submit = move |ev: leptos::ev::SubmitEvent| {
        ev.prevent_default();
        let text = search.get_untracked();
        if let Some((ns, name)) = pod_named(&text, &namespaces.get_untracked()) {
            navigate(&diagnosis_href(&ns, &name), NavigateOptions::default());
            return;
        }
        apply(&|q| q.search = non_empty(text.clone()));
    };
    let scope = move || query.get();
    view! {
        <form class="filters" method="get" action=LIST role="search" aria-label="Filter workloads" on:submit=on_submit>
            {move || scope().namespace.map(|ns| view! { <input type="hidden" name="namespace" value=ns/> })}
            {move || scope().project.map(|p| view! { <input type="hidden" name="project" value=p/> })}
            <label class="search-field">
                "Pod or image"
                <input type="search" name="search" data-testid="workload-search"
                    placeholder="namespace/pod, pod name, or e.g. ghcr.io/acme/app:1.2"
                    value=move || search.get() bind:value=search/>
            </label>
            <label>
                "Registry host"
                <select name="host" data-testid="filter-host" on:change=set_host>
                    <option value="" selected=move || query.get().host.is_none()>"Any host"</option>
                    {move || hosts.get().into_iter().map(|h| {
                        let key = h.clone();
                        let selected = move || query.get().host.as_deref() == Some(key.as_str());
                        let text = h.clone();
                        view! { <option value=h selected=selected.clone() prop:selected=selected>{text}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                "State"
                <select name="state" data-testid="filter-state" on:change=set_state>
                    <option value="" selected=move || query.get().state.is_none()>"Any state"</option>
                    {STATE_FILTERS.into_iter().map(|(key, label)| {
                        let selected = move || query.get().state.as_deref() == Some(key);
                        view! { <option value=key selected=selected prop:selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <label>
                "Sort by"
                <select name="sort" data-testid="filter-sort" on:change=set_sort>
                    {SORTS.into_iter().map(|(key, label)| {
                        let selected = move || query.get().sort.as_deref().unwrap_or("namespace") == key;
                        view! { <option value=key selected=selected prop:selected=selected>{label}</option> }
                    }).collect_view()}
                </select>
            </label>
            <div class="filter-actions">
                <button type="submit" class="secondary">"Search"</button>
            </div>
        </form>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn namespace_slash_name_opens_a_pod_only_for_a_namespace_on_screen() {
        let on_screen = vec!["shop".to_owned()];
        assert_eq!(
            pod_named("shop/web-1", &on_screen),
            Some(("shop".into(), "web-1".into()))
        );
        assert_eq!(pod_named("acme/app", &on_screen), None);
        assert_eq!(pod_named("shop/a:1", &on_screen), None);
        assert_eq!(pod_named("web-1", &on_screen), None);
    }
}
