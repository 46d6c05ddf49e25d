//! Signing in (`/login?next=…`) and creating the first admin (`/setup?token=…`).
//!
//! Both pages render without a session. On success each loads its next
//! page in full, so that everything starts again with the new session:
//! the sign-in page goes to `next` when it is a path on this site (see
//! [`safe_next`]), the setup page to `/`.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::api::access::{complete_setup, login, CurrentUser};
use crate::domain::secret::Password;
use crate::ui::components::{
    field_message, full_navigation, safe_next, use_hydrated, InputField, UserResource,
};
use crate::AppError;

/// The error of a sign-in or setup form, as a sentence beside the form
/// (field errors are shown next to their fields instead).
fn form_message(error: Option<&AppError>, fields: &[&str]) -> Option<String> {
    match error? {
        AppError::Invalid { field: Some(f), .. } if fields.contains(&f.as_str()) => None,
        other => Some(other.to_string()),
    }
}

/// The notice for a refused sign-in or setup.
#[component]
fn FormError(message: Signal<Option<String>>, testid: &'static str) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! {
                <section class="notice notice-error" role="alert" data-testid=testid><p>{m}</p></section>
            }
        })
    }
}

/// "Signed in as …" when a session already exists, with a way on.
#[component]
fn AlreadySignedIn(next: Signal<String>) -> impl IntoView {
    let user = expect_context::<UserResource>();
    view! {
        <Suspense fallback=|| ()>
            {move || Suspend::new(async move {
                user.await.ok().flatten().map(|u: CurrentUser| view! {
                    <p class="notice" data-testid="already-signed-in">
                        {format!("You are signed in as {}. ", u.name)}
                        <a href=next.get_untracked() rel="external">"Continue"</a>
                    </p>
                })
            })}
        </Suspense>
    }
}

/// The sign-in page.
#[component]
pub fn LoginPage() -> impl IntoView {
    let hydrated = use_hydrated();
    let query = use_query_map();
    let next = Signal::derive(move || safe_next(query.with(|q| q.get("next")).as_deref()));
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let sign_in = Action::new(|(n, p): &(String, Password)| login(n.clone(), p.clone()));
    Effect::new(move |_| match sign_in.value().get() {
        Some(Ok(_)) => full_navigation(&next.get_untracked()),
        Some(Err(_)) => password.set(String::new()),
        None => {}
    });
    let error = Memo::new(move |_| sign_in.value().get().and_then(Result::err));
    let fields = ["name", "password"];
    let msg = move |field: &'static str| {
        Signal::derive(move || error.with(|e| field_message(e.as_ref(), field)))
    };
    let general = Signal::derive(move || error.with(|e| form_message(e.as_ref(), &fields)));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        sign_in.dispatch((
            name.get_untracked().trim().to_owned(),
            Password::new(password.get_untracked()),
        ));
    };
    let busy = move || sign_in.pending().get() || matches!(sign_in.value().get(), Some(Ok(_)));
    view! {
        <Title text="Sign in"/>
        <div class="session-page">
            <h1>"Sign in to regboard"</h1>
            <AlreadySignedIn next/>
            <form class="session-form" method="post" novalidate=true on:submit=on_submit data-testid="login-form">
                <FormError message=general testid="login-error"/>
                <InputField label="Name" id="login-name" value=name message=msg("name")
                    autocomplete="username" required=true/>
                <InputField label="Password" id="login-password" value=password message=msg("password")
                    kind="password" autocomplete="current-password" required=true/>
                <div class="actions">
                    <button type="submit" data-testid="login-submit" disabled=move || !hydrated.get() || busy()>
                        {move || if busy() { "Signing in…" } else { "Sign in" }}
                    </button>
                </div>
            </form>
            <p class="muted hint">
                "Accounts are created by an admin. The first admin is created with the setup link the "
                "server prints in its log, or with "<code>"regboard admin create-user --admin NAME"</code>"."
            </p>
        </div>
    }
}

/// The first-admin setup page.
#[component]
pub fn SetupPage() -> impl IntoView {
    let hydrated = use_hydrated();
    let query = use_query_map();
    let token = Memo::new(move |_| query.with(|q| q.get("token")).unwrap_or_default());
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let differ = RwSignal::new(false);
    let setup = Action::new(|(t, n, p): &(String, String, Password)| {
        complete_setup(t.clone(), n.clone(), p.clone())
    });
    Effect::new(move |_| {
        if let Some(Ok(_)) = setup.value().get() {
            full_navigation(super::REGISTRIES);
        }
    });
    let error = Memo::new(move |_| setup.value().get().and_then(Result::err));
    let fields = ["name", "password"];
    let msg = move |field: &'static str| {
        Signal::derive(move || error.with(|e| field_message(e.as_ref(), field)))
    };
    let general = Signal::derive(move || error.with(|e| form_message(e.as_ref(), &fields)));
    let confirm_message =
        Signal::derive(move || differ.get().then(|| "The passwords differ.".to_owned()));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        let pw = password.get_untracked();
        if pw != confirm.get_untracked() {
            differ.set(true);
            return;
        }
        differ.set(false);
        setup.dispatch((
            token.get_untracked(),
            name.get_untracked().trim().to_owned(),
            Password::new(pw),
        ));
    };
    let busy = move || setup.pending().get() || matches!(setup.value().get(), Some(Ok(_)));
    view! {
        <Title text="Set up regboard"/>
        <div class="session-page">
            <h1>"Create the first admin"</h1>
            {move || token.with(String::is_empty).then(|| view! {
                <section class="notice notice-error" role="alert" data-testid="setup-no-token">
                    <p>"This page needs the setup link the server printed in its log (it ends in "
                    <code>"?token=…"</code>"). Open that link, or ask whoever runs regboard."</p>
                </section>
            })}
            <p class="muted">"This account manages users, teams, projects and every grant."</p>
            <form class="session-form" method="post" novalidate=true on:submit=on_submit data-testid="setup-form">
                <FormError message=general testid="setup-error"/>
                <InputField label="Name" id="setup-name" value=name message=msg("name")
                    autocomplete="username" required=true/>
                <InputField label="Password" id="setup-password" value=password message=msg("password")
                    kind="password" autocomplete="new-password" required=true/>
                <InputField label="Confirm password" id="setup-confirm" value=confirm message=confirm_message
                    kind="password" autocomplete="new-password" required=true/>
                <p class="muted hint">"At least 8 characters; common passwords are refused."</p>
                <div class="actions">
                    <button type="submit" data-testid="setup-submit" disabled=move || !hydrated.get() || busy()>
                        {move || if busy() { "Creating…" } else { "Create admin and sign in" }}
                    </button>
                </div>
            </form>
        </div>
    }
}
