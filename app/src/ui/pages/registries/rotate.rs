//! "Rotate credential" on the detail page: the new credential (one host or
//! every host; the username may stay) → its test and the preview of every
//! namespace it reaches → the rotation, with N of M namespaces updated
//! live → the report (copies updated, pods that retry, failures).
//!
//! ```text
//! form ─► preview_registry_change(Rotate) (tests the credential; rejected:
//!         the verdict and "Rotate anyway")
//!      ─► ChangePreviewView ─► rotate_registry_credential (until settled)
//!                               ∥ rotation_progress every PROGRESS_POLL
//!      ─► report
//! ```

use std::time::Duration;

use leptos::prelude::*;
use leptos::task::spawn_local;

use super::preview::ChangePreviewView;
use crate::api::changes::{
    preview_registry_change, read_rotation_progress, rotate_registry_credential, CopyProgress,
    RegistryChange, RotationInput, RotationProgress, RotationReport,
};
use crate::api::registries::Scope;
use crate::domain::secret::Password;
use crate::ui::components::{failure, use_hydrated, ErrorNotice};
use crate::AppError;

/// How often the progress is read while the rotation runs.
const PROGRESS_POLL: Duration = Duration::from_millis(400);

/// Whether `error` is a failed credential test (field `credential`).
fn test_failed(error: &AppError) -> bool {
    matches!(error, AppError::Invalid { field: Some(f), .. } if f == "credential")
}

/// The fields of the form.
#[derive(Clone, Copy)]
struct Fields {
    host: RwSignal<String>,
    username: RwSignal<String>,
    password: RwSignal<String>,
    valid_until: RwSignal<String>,
    anyway: RwSignal<bool>,
}

impl Fields {
    fn input(&self, scope: &Scope, name: &str) -> RotationInput {
        let host = self.host.get_untracked();
        let username = self.username.get_untracked();
        RotationInput {
            scope: scope.clone(),
            name: name.to_owned(),
            host: (!host.is_empty()).then_some(host),
            username: (!username.trim().is_empty()).then(|| username.trim().to_owned()),
            password: Password::new(self.password.get_untracked()),
            valid_until: Some(self.valid_until.get_untracked()).filter(|v| !v.trim().is_empty()),
            test_credential: !self.anyway.get_untracked(),
        }
    }
}

/// The section: a button that opens the form, the preview, the progress
/// and the report; `refresh` reloads the page once the rotation answered.
#[component]
pub(super) fn RotateSection(
    scope: Scope,
    name: String,
    #[prop(into)] hosts: Signal<Vec<String>>,
    refresh: Callback<()>,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let open = RwSignal::new(false);
    let fields = Fields {
        host: RwSignal::new(String::new()),
        username: RwSignal::new(String::new()),
        password: RwSignal::new(String::new()),
        valid_until: RwSignal::new(String::new()),
        anyway: RwSignal::new(false),
    };
    let preview = Action::new(|input: &RotationInput| {
        preview_registry_change(RegistryChange::Rotate(input.clone()))
    });
    let rotate = Action::new(|input: &RotationInput| rotate_registry_credential(input.clone()));
    let progress = RwSignal::new(None::<RotationProgress>);
    let baseline = RwSignal::new(None::<String>);
    poll_progress((scope.clone(), name.clone()), rotate, baseline, progress);
    Effect::new(move |_| {
        if let Some(Ok(_)) = rotate.value().get() {
            fields.password.set(String::new());
            preview.value().set(None);
            refresh.run(());
        }
    });
    let key = (scope.clone(), name.clone());
    let ask = {
        let key = key.clone();
        move || {
            rotate.value().set(None);
            preview.dispatch(fields.input(&key.0, &key.1));
        }
    };
    let ask_again = ask.clone();
    let confirm = Callback::new(move |_| {
        let input = fields.input(&key.0, &key.1);
        let (scope, name) = key.clone();
        progress.set(None);
        spawn_local(async move {
            let base = read_rotation_progress(scope, name)
                .await
                .ok()
                .map(|p| p.revision);
            baseline.set(Some(base.unwrap_or_default()));
            rotate.dispatch(input);
        });
    });
    let cancel = Callback::new(move |_| preview.value().set(None));
    let preview_error = Signal::derive(move || failure(preview.value().get()));
    let shown_preview = Signal::derive(move || preview.value().get().filter(|p| p.is_ok()));
    let rotate_error = Signal::derive(move || failure(rotate.value().get()));
    view! {
        <section aria-labelledby="rotate-heading" data-testid="rotate-section">
            <h2 id="rotate-heading">"Rotate credential"</h2>
            <p class="muted">"A new password or token for one host or every host, tested, previewed and written to every namespace the registry reaches."</p>
            <button type="button" class="secondary" data-testid="rotate-open"
                disabled=move || !hydrated.get() on:click=move |_| open.update(|o| *o = !*o)>
                "Rotate credential…"
            </button>
            {move || open.get().then(|| view! { <RotateForm hosts fields/> })}
            {move || open.get().then(|| {
                let ask = ask.clone();
                view! {
                    <div class="actions">
                        <button type="button" data-testid="rotate-preview"
                            disabled=move || preview.pending().get() || fields.password.get().is_empty()
                            on:click=move |_| { fields.anyway.set(false); ask(); }>
                            "Test and preview"
                        </button>
                    </div>
                }
            })}
            <ErrorNotice error=preview_error testid="rotate-test-error"/>
            {move || preview_error.get().filter(test_failed).map(|_| {
                let ask = ask_again.clone();
                view! {
                    <button type="button" class="danger" data-testid="rotate-anyway"
                        on:click=move |_| { fields.anyway.set(true); ask(); }>
                        "Rotate anyway"
                    </button>
                }
            })}
            <ChangePreviewView preview=shown_preview pending=preview.pending()
                busy=rotate.pending() confirm_label="Rotate credential"
                on_confirm=confirm on_cancel=cancel/>
            <ProgressLine progress rotating=rotate.pending()/>
            <ErrorNotice error=rotate_error testid="rotate-error"/>
            {move || match rotate.value().get() {
                Some(Ok(report)) => Some(view! { <Report report/> }),
                _ => None,
            }}
        </section>
    }
}

/// Reads the progress every [`PROGRESS_POLL`] while `rotate` runs, and
/// shows it once the Secret's revision differs from `baseline` (before
/// that, the counts are of the old credential).
fn poll_progress(
    (scope, name): (Scope, String),
    rotate: Action<RotationInput, Result<RotationReport, AppError>>,
    baseline: RwSignal<Option<String>>,
    progress: RwSignal<Option<RotationProgress>>,
) {
    Effect::new(move |_| {
        let (scope, name) = (scope.clone(), name.clone());
        let tick = move || {
            if !rotate.pending().get_untracked() {
                return;
            }
            let (scope, name) = (scope.clone(), name.clone());
            spawn_local(async move {
                if let Ok(p) = read_rotation_progress(scope, name).await {
                    if baseline.get_untracked().as_ref() != Some(&p.revision) {
                        progress.set(Some(p));
                    }
                }
            });
        };
        if let Ok(handle) = set_interval_with_handle(tick, PROGRESS_POLL) {
            on_cleanup(move || handle.clear());
        }
    });
}

/// The form: host (or every host), username (empty keeps it), password,
/// and when the new credential stops working.
#[component]
fn RotateForm(hosts: Signal<Vec<String>>, fields: Fields) -> impl IntoView {
    view! {
        <div class="form-grid" data-testid="rotate-form">
            <label for="rotate-host">"Host"</label>
            <select id="rotate-host" data-testid="rotate-host"
                on:change=move |ev| fields.host.set(event_target_value(&ev))>
                <option value="" selected=true>"Every host"</option>
                {move || hosts.get().into_iter().map(|h| view! { <option value=h.clone()>{h.clone()}</option> }).collect_view()}
            </select>
            <label for="rotate-username">"Username (empty keeps the current one)"</label>
            <input id="rotate-username" data-testid="rotate-username" autocomplete="off"
                prop:value=move || fields.username.get()
                on:input=move |ev| fields.username.set(event_target_value(&ev))/>
            <label for="rotate-password">"New password or token"</label>
            <input id="rotate-password" type="password" data-testid="rotate-password"
                autocomplete="new-password"
                prop:value=move || fields.password.get()
                on:input=move |ev| fields.password.set(event_target_value(&ev))/>
            <label for="rotate-valid-until">"Valid until (optional, UTC)"</label>
            <input id="rotate-valid-until" data-testid="rotate-valid-until" autocomplete="off"
                placeholder="YYYY-MM-DD [HH:MM]" aria-describedby="rotate-valid-until-hint"
                prop:value=move || fields.valid_until.get()
                on:input=move |ev| fields.valid_until.set(event_target_value(&ev))/>
            <p class="muted hint" id="rotate-valid-until-hint">
                "Empty: an ECR token is valid for 12 hours from now; for other hosts the old date is dropped, since it was the old credential's."
            </p>
        </div>
    }
}

/// "N of M namespaces updated", live while the rotation runs.
#[component]
fn ProgressLine(
    progress: RwSignal<Option<RotationProgress>>,
    #[prop(into)] rotating: Signal<bool>,
) -> impl IntoView {
    move || {
        let p = progress.get();
        if !rotating.get() && p.is_none() {
            return None;
        }
        let text = match &p {
            Some(p) => format!("{} of {} namespaces updated", p.updated, p.total),
            None => "Writing the new credential…".to_owned(),
        };
        Some(
            view! { <p role="status" aria-live="polite" data-testid="rotation-progress">{text}</p> },
        )
    }
}

/// What the rotation did.
#[component]
fn Report(report: RotationReport) -> impl IntoView {
    let p = &report.progress;
    let failed = p.failed();
    let pending: Vec<String> = p
        .namespaces
        .iter()
        .filter(|n| n.state == CopyProgress::Pending)
        .map(|n| n.namespace.clone())
        .collect();
    let summary = format!(
        "Rotated {} for {}: {} of {} namespaces carry the new credential.",
        if report.hosts.len() == 1 {
            "the credential"
        } else {
            "the credentials"
        },
        report.hosts.join(", "),
        p.updated,
        p.total
    );
    view! {
        <section class="notice" role="status" data-testid="rotation-report">
            <p data-testid="rotation-summary">{summary}</p>
            {(!failed.is_empty()).then(|| view! {
                <p>"Failed:"</p>
                <ul data-testid="rotation-failed">
                    {failed.into_iter().map(|(ns, why)| view! { <li><span class="mono">{ns}</span>": "{why}</li> }).collect_view()}
                </ul>
            })}
            {(!pending.is_empty()).then(|| view! {
                <p data-testid="rotation-pending">{format!("Still being written: {}. The Namespaces table below follows them.", pending.join(", "))}</p>
            })}
            {(!report.retrying.is_empty()).then(|| view! {
                <p>"These pods could not pull and retry with the new credential (kubelet backs off, then pulls again):"</p>
                <ul data-testid="rotation-retrying">
                    {report.retrying.iter().map(|(ns, pod)| view! {
                        <li class="mono">{format!("{ns}/{} ({})", pod.name, pod.problem.clone().unwrap_or_default())}</li>
                    }).collect_view()}
                </ul>
            })}
            <p class="muted">"No pod needs a restart: kubelet reads the Secret at each pull."</p>
        </section>
    }
}
