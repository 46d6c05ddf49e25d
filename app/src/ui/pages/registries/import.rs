//! `/registries/import`: bring a docker `config.json` in. Paste it or
//! choose the file; "Read entries" shows each `auths` entry (host and
//! username only, and why some cannot be used); the chosen entries become a
//! new registry or new hosts on an existing one, previewed (what is
//! written where) and written once confirmed (`review.rs`). The file goes
//! to the server for each call and is never stored.

use leptos::prelude::*;
use leptos_meta::Title;

use super::credential::CredentialWarning;
use super::preview::ChangePreviewView;
use super::review::Review;
use super::LIST;
use crate::api::cluster::list_namespaces;
use crate::api::imports::{
    import_registry, preview_import, preview_import_change, ImportPreview, ImportRequest,
    ImportTarget,
};
use crate::api::projects::list_projects;
use crate::api::registries::{list_registries, Scope};
use crate::domain::docker_config::import::MAX_IMPORT_BYTES;
use crate::domain::secret::Password;
use crate::ui::components::{failure, use_hydrated, ErrorNotice, FieldError};
use crate::AppError;

/// The page.
#[component]
pub fn ImportRegistryPage() -> impl IntoView {
    let text = RwSignal::new(String::new());
    let local_error = RwSignal::new(None::<String>);
    let preview = Action::new(move |config: &String| preview_import(Password::new(config.clone())));
    let chosen = RwSignal::new(Vec::<String>::new());
    Effect::new(move |_| {
        if let Some(Ok(p)) = preview.value().get() {
            let usable = p.hosts.iter().filter(|h| h.refusal.is_none());
            chosen.set(usable.map(|h| h.key.clone()).collect());
        }
    });
    let hydrated = use_hydrated();
    let read = move |_| {
        local_error.set(None);
        preview.dispatch(text.get_untracked());
    };
    view! {
        <Title text="Import a docker config.json"/>
        <nav class="breadcrumbs" aria-label="Breadcrumb"><a href=LIST>"Registries"</a>" / "</nav>
        <h1>"Import a docker config.json"</h1>
        <p class="muted">
            "Bring in the logins of a docker client's config.json (~/.docker/config.json). It is read on the "
            "server for this import only: never stored, logged or shown again."
        </p>
        <section class="import-source" aria-labelledby="import-file">
            <h2 id="import-file">"1. The file"</h2>
            <FileChooser text error=local_error/>
            <label for="import-config">"config.json"</label>
            <textarea id="import-config" data-testid="import-config" rows="8" spellcheck="false"
                aria-describedby="import-config-hint import-config-error"
                prop:value=move || text.get() on:input=move |ev| text.set(event_target_value(&ev))></textarea>
            <span class="muted hint" id="import-config-hint">{format!("At most {} KiB.", MAX_IMPORT_BYTES / 1024)}</span>
            <FieldError id="import-config-error" message=Signal::derive(move || {
                local_error.get().or_else(|| failure(preview.value().get()).map(|e| e.to_string()))
            })/>
            <button type="button" class="secondary" data-testid="import-read"
                disabled=move || !hydrated.get() || preview.pending().get() on:click=read>
                "Read entries"
            </button>
        </section>
        {move || preview.value().get().and_then(Result::ok).map(|p| view! {
            <Entries preview=p chosen/>
            <ImportTargetForm text chosen/>
        })}
    }
}

/// "Choose file": reads it into `text` in the browser, refusing one over
/// the size limit before anything is sent.
#[component]
fn FileChooser(text: RwSignal<String>, error: RwSignal<Option<String>>) -> impl IntoView {
    let on_change = move |ev: leptos::ev::Event| {
        #[cfg(feature = "hydrate")]
        read_file(ev, text, error);
        #[cfg(not(feature = "hydrate"))]
        let _ = (ev, text, error);
    };
    view! {
        <label for="import-upload">"Choose the file"</label>
        <input type="file" id="import-upload" data-testid="import-upload" accept=".json,application/json"
            on:change=on_change/>
    }
}

#[cfg(feature = "hydrate")]
fn read_file(ev: leptos::ev::Event, text: RwSignal<String>, error: RwSignal<Option<String>>) {
    use wasm_bindgen::{closure::Closure, JsCast};
    let Some(input) = ev
        .target()
        .and_then(|t| t.dyn_into::<web_sys::HtmlInputElement>().ok())
    else {
        return;
    };
    let Some(file) = input.files().and_then(|f| f.get(0)) else {
        return;
    };
    let size = file.size() as usize;
    if size > MAX_IMPORT_BYTES {
        error.set(Some(format!(
            "The file is {size} bytes; a docker config.json regboard imports is at most {} KiB.",
            MAX_IMPORT_BYTES / 1024
        )));
        return;
    }
    let Ok(reader) = web_sys::FileReader::new() else {
        return;
    };
    let done = reader.clone();
    let onload = Closure::once(move || {
        if let Some(content) = done.result().ok().and_then(|r| r.as_string()) {
            error.set(None);
            text.set(content);
        }
    });
    reader.set_onload(Some(onload.as_ref().unchecked_ref()));
    onload.forget();
    let _ = reader.read_as_text(&file);
}

/// Each entry with a checkbox (only usable ones), and the helpers explained.
#[component]
fn Entries(preview: ImportPreview, chosen: RwSignal<Vec<String>>) -> impl IntoView {
    let rows = preview.hosts.into_iter().map(|h| {
        let key = h.key.clone();
        let checked = {
            let key = key.clone();
            move || chosen.with(|c| c.contains(&key))
        };
        let toggle = {
            let key = key.clone();
            move |_| chosen.update(|c| match c.iter().position(|k| *k == key) {
                Some(i) => { c.remove(i); }
                None => c.push(key.clone()),
            })
        };
        let usable = h.refusal.is_none();
        view! {
            <tr data-key=key.clone() data-testid="import-entry">
                <td><input type="checkbox" aria-label=format!("Import {key}") disabled=!usable
                    prop:checked=checked on:change=toggle/></td>
                <td class="mono">{h.server.unwrap_or_else(|| key.clone())}</td>
                <td>{h.username}</td>
                <td data-testid="import-refusal">{h.refusal.unwrap_or_else(|| "can be imported".to_owned())}</td>
            </tr>
        }
    }).collect_view();
    view! {
        <section aria-labelledby="import-entries">
            <h2 id="import-entries">"2. The entries"</h2>
            <table data-testid="import-entries">
                <thead><tr><th scope="col"><span class="visually-hidden">"Import"</span></th>
                    <th scope="col">"Host"</th><th scope="col">"Username"</th><th scope="col">"Note"</th></tr></thead>
                <tbody>{rows}</tbody>
            </table>
            <ul class="plain muted" data-testid="import-helpers">
                {preview.helpers.into_iter().map(|h| view! { <li>{h}</li> }).collect_view()}
            </ul>
        </section>
    }
}

/// Where the entries go, and "Import".
#[component]
fn ImportTargetForm(text: RwSignal<String>, chosen: RwSignal<Vec<String>>) -> impl IntoView {
    let choices = Resource::new(
        || (),
        |_| async move {
            let projects = list_projects().await?;
            let namespaces = list_namespaces().await?.rows;
            let registries = list_registries(Default::default()).await?;
            Ok::<_, AppError>((projects, namespaces, registries))
        },
    );
    let existing = RwSignal::new(String::new());
    let (scope_text, name) = (RwSignal::new(String::new()), RwSignal::new(String::new()));
    let preview = Action::new(|request: &ImportRequest| preview_import_change(request.clone()));
    let import = Action::new(|request: &ImportRequest| import_registry(request.clone()));
    let review = Review::new(preview, import, Callback::new(|_| {}));
    let submit = move |test_credential: bool| {
        let target = match parse_key(&existing.get_untracked()) {
            Some((scope, name)) => ImportTarget::Existing { scope, name },
            None => ImportTarget::New {
                scope: parse_scope(&scope_text.get_untracked()).unwrap_or(Scope::Namespace {
                    namespace: String::new(),
                }),
                name: name.get_untracked().trim().to_owned(),
                description: "imported from a docker config.json".to_owned(),
            },
        };
        review.ask(ImportRequest {
            config: Password::new(text.get_untracked()),
            keys: chosen.get_untracked(),
            target,
            test_credential,
        });
    };
    let error = Memo::new(move |_| review.error());
    let credential = Signal::derive(move || match error.get() {
        Some(AppError::Invalid {
            field: Some(f),
            message,
        }) if f == "credential" => Some(message),
        _ => None,
    });
    // A field's sentence names the field: the form here is not the registry form.
    let other = Signal::derive(move || match error.get() {
        Some(AppError::Invalid { field: Some(f), .. }) if f == "credential" => None,
        Some(AppError::Invalid {
            field: Some(f),
            message,
        }) if f == "name" || f == "scope" => Some(AppError::Invalid {
            field: None,
            message: format!("{}: {message}", if f == "name" { "Name" } else { "Scope" }),
        }),
        other => other,
    });
    let save_anyway = Callback::new(move |_| submit(false));
    let busy = Signal::derive(move || review.loading().get() || review.saving().get());
    view! {
        <section aria-labelledby="import-target">
            <h2 id="import-target">"3. Where they go"</h2>
            <Suspense fallback=|| view! { <p class="muted">"Loading registries…"</p> }>
                {move || Suspend::new(async move {
                    let (projects, namespaces, rows) = choices.await.unwrap_or_default();
                    let scopes = projects
                        .into_iter()
                        .map(|p| Scope::Project { project: p.name })
                        .chain(namespaces.into_iter().map(|n| Scope::Namespace { namespace: n.name }));
                    view! {
                        <label for="import-existing">"Add to"</label>
                        <select id="import-existing" data-testid="import-existing"
                            on:change=move |ev| existing.set(event_target_value(&ev))>
                            <option value="">"a new registry"</option>
                            {rows.into_iter().map(|r| {
                                let value = format!("{}|{}", scope_key(&r.scope), r.name);
                                view! { <option value=value>{format!("{} ({})", r.name, r.scope.describe())}</option> }
                            }).collect_view()}
                        </select>
                        <div class="indent" hidden=move || !existing.get().is_empty()>
                            <label for="import-scope">"Scope of the new registry"</label>
                            <select id="import-scope" data-testid="import-scope"
                                on:change=move |ev| scope_text.set(event_target_value(&ev))>
                                <option value="">"Choose a project or namespace…"</option>
                                {scopes.map(|s| view! { <option value=scope_key(&s)>{s.describe()}</option> }).collect_view()}
                            </select>
                            <label for="import-name">"Name"</label>
                            <input id="import-name" data-testid="import-name" type="text"
                                prop:value=move || name.get() on:input=move |ev| name.set(event_target_value(&ev))/>
                        </div>
                    }
                })}
            </Suspense>
            <ErrorNotice error=other testid="import-error"/>
            <CredentialWarning message=credential pending=busy save_anyway/>
            <ChangePreviewView preview=review.shown() pending=review.loading() busy=review.saving()
                confirm_label="Confirm and import" note="Nothing is written until you confirm.".to_owned()
                on_confirm=Callback::new(move |_| review.confirm())
                on_cancel=Callback::new(move |_| review.close())/>
            <button type="button" data-testid="import-submit" disabled=busy hidden=review.open()
                on:click=move |_| submit(true)>
                {move || if busy.get() { "Checking…" } else { "Import" }}
            </button>
        </section>
    }
}

/// `project:NAME` or `namespace:NAME`.
fn parse_scope(text: &str) -> Option<Scope> {
    match text.trim().split_once(':')? {
        ("project", p) => Some(Scope::Project {
            project: p.trim().to_owned(),
        }),
        ("namespace", n) => Some(Scope::Namespace {
            namespace: n.trim().to_owned(),
        }),
        _ => None,
    }
}

fn scope_key(scope: &Scope) -> String {
    match scope {
        Scope::Project { project } => format!("project:{project}"),
        Scope::Namespace { namespace } => format!("namespace:{namespace}"),
    }
}

/// An existing registry's option value: `SCOPE|NAME`.
fn parse_key(value: &str) -> Option<(Scope, String)> {
    let (scope, name) = value.split_once('|')?;
    Some((parse_scope(scope)?, name.to_owned()))
}
