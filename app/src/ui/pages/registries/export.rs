//! The detail page's "Export" section: the registry as a manifest for
//! `kubectl apply -f` or a kustomize `secretGenerator`, for one namespace
//! or every one it reaches. The credential is left out unless the person
//! ticks "Include the credential" and types their own regboard password;
//! the files are shown in `<pre>` with a download link each, only in the
//! browser (the answer of a server function, never in the page's HTML).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use crate::api::pull_secrets::{
    export_registry, ExportFile, ExportFormat, ExportRequest, RegistryExport, Scope,
};
use crate::domain::secret::Password;
use crate::ui::components::{
    encode_component, failure, field_message, general_error, use_hydrated, ErrorNotice, InputField,
};

/// The fields a refusal may name.
const FIELDS: [&str; 2] = ["own_password", "namespace"];

/// A `data:` URL holding `content`, for a download link.
fn data_href(content: &str) -> String {
    format!(
        "data:text/plain;charset=utf-8,{}",
        encode_component(content)
    )
}

/// What the person chose in the form.
#[derive(Clone, Copy)]
struct Choices {
    namespace: RwSignal<String>,
    kustomize: RwSignal<bool>,
    include: RwSignal<bool>,
    password: RwSignal<String>,
}

impl Choices {
    fn new() -> Self {
        Choices {
            namespace: RwSignal::new(String::new()),
            kustomize: RwSignal::new(false),
            include: RwSignal::new(false),
            password: RwSignal::new(String::new()),
        }
    }

    /// The request for registry `name` in `scope`; the typed password is
    /// taken out of the form.
    fn take_request(self, scope: &Scope, name: &str) -> ExportRequest {
        let chosen = self.namespace.get_untracked();
        let include_credential = self.include.get_untracked();
        let password = self.password.get_untracked();
        self.password.set(String::new());
        ExportRequest {
            scope: scope.clone(),
            name: name.to_owned(),
            namespace: (!chosen.is_empty()).then_some(chosen),
            format: if self.kustomize.get_untracked() {
                ExportFormat::Kustomize
            } else {
                ExportFormat::Manifest
            },
            include_credential,
            own_password: include_credential.then(|| Password::new(password)),
        }
    }
}

/// The section; `namespaces` are those the registry reaches.
#[component]
pub(super) fn ExportSection(scope: Scope, name: String, namespaces: Vec<String>) -> impl IntoView {
    let hydrated = use_hydrated();
    let choices = Choices::new();
    let export = Action::new(move |request: &ExportRequest| export_registry(request.clone()));
    let submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        export.dispatch(choices.take_request(&scope, &name));
    };
    let error = Memo::new(move |_| failure(export.value().get()));
    let password_message = Signal::derive(move || field_message(error.get().as_ref(), FIELDS[0]));
    let namespace_message = Signal::derive(move || field_message(error.get().as_ref(), FIELDS[1]));
    let general = Signal::derive(move || general_error(error.get().as_ref(), &FIELDS));
    view! {
        <section aria-labelledby="export-heading" data-testid="export">
            <h2 id="export-heading">"Export"</h2>
            <p class="muted">"For a GitOps repository or another cluster. The files carry none of \
                regboard's labels or proof: what is applied from them is not regboard's. The credential \
                is left out (placeholders say where it goes) unless you include it."</p>
            <form on:submit=submit data-testid="export-form" class="stack">
                <ExportChoices choices namespaces namespace_message password_message/>
                <button type="submit" data-testid="export-submit"
                    disabled=move || !hydrated.get() || export.pending().get()>
                    {move || if export.pending().get() { "Exporting…" } else { "Export" }}
                </button>
            </form>
            {move || namespace_message.get().map(|m| view! { <p class="field-error" data-testid="export-namespace-error">{m}</p> })}
            <ErrorNotice error=general testid="export-error"/>
            {move || export.value().get().and_then(Result::ok).map(|e| view! { <ExportFiles export=e/> })}
        </section>
    }
    .into_any()
}

/// The form's fields: namespace, format, and the credential with the
/// password that confirms it.
#[component]
fn ExportChoices(
    choices: Choices,
    namespaces: Vec<String>,
    namespace_message: Signal<Option<String>>,
    password_message: Signal<Option<String>>,
) -> impl IntoView {
    let options = namespaces
        .into_iter()
        .map(|ns| view! { <option value=ns.clone()>{ns.clone()}</option> })
        .collect_view();
    view! {
        <label for="export-namespace">"Namespace"</label>
        <select id="export-namespace" data-testid="export-namespace"
            aria-invalid=move || namespace_message.with(Option::is_some).to_string()
            on:change=move |ev| choices.namespace.set(event_target_value(&ev))>
            <option value="">"Every namespace it reaches (one Secret each)"</option>
            {options}
        </select>
        <fieldset>
            <legend>"Format"</legend>
            <div class="choice">
                <input type="radio" name="export-format" id="export-manifest" data-testid="export-manifest"
                    checked=true on:change=move |_| choices.kustomize.set(false)/>
                <label for="export-manifest">"Manifest for kubectl apply -f"</label>
            </div>
            <div class="choice">
                <input type="radio" name="export-format" id="export-kustomize" data-testid="export-kustomize"
                    on:change=move |_| choices.kustomize.set(true)/>
                <label for="export-kustomize">"Kustomize secretGenerator"</label>
            </div>
        </fieldset>
        <div class="choice">
            <input type="checkbox" id="export-include" data-testid="export-include"
                on:change=move |ev| choices.include.set(event_target_checked(&ev))/>
            <label for="export-include">"Include the credential"</label>
        </div>
        {move || choices.include.get().then(|| view! {
            <InputField label="Your regboard password" id="export-password" value=choices.password
                kind="password" autocomplete="current-password" message=password_message
                hint="Confirms that you, not someone at your screen, take the credential out. The export is audited."/>
        })}
    }
    .into_any()
}

/// The exported files, each in a `<pre>` with its download link.
#[component]
fn ExportFiles(export: RegistryExport) -> impl IntoView {
    let note = if export.credential_included {
        "These files contain the credential: keep them secret."
    } else {
        "Fill in each placeholder before applying."
    };
    let file = |f: ExportFile| {
        let href = data_href(&f.content);
        view! {
            <figure class="export-file">
                <figcaption>
                    <span class="mono">{f.name.clone()}</span>" "
                    <a href=href download=f.name.clone() data-testid="export-download">"Download"</a>
                </figcaption>
                <pre data-testid="export-content" data-file=f.name.clone()>{f.content}</pre>
            </figure>
        }
    };
    view! {
        <div role="status" data-testid="export-result">
            <p class="muted">{format!("{} namespace(s): {}. ", export.namespaces.len(), export.namespaces.join(", "))}{note}</p>
            {export.files.into_iter().map(file).collect_view()}
        </div>
    }
}
