//! "Your account": who you are, changing your password, and signing out
//! of every browser.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::OnChanged;
use crate::api::access::{change_password, end_user_sessions, CurrentUser};
use crate::domain::secret::Password;
use crate::ui::components::{
    failure, field_message, full_navigation, general_error, use_hydrated, ErrorNotice, InputField,
    SubmitButton,
};
use crate::AppError;

/// The caller's name, the password form and "Sign out everywhere".
#[component]
pub(super) fn AccountSection(me: CurrentUser, on_changed: OnChanged) -> impl IntoView {
    let role = if me.admin {
        "admin"
    } else if me.manages {
        "manager"
    } else {
        "member"
    };
    view! {
        <section aria-labelledby="account-heading" data-testid="account">
            <h2 id="account-heading">"Your account"</h2>
            <p>
                "Signed in as "<strong class="mono" data-testid="account-name">{me.name.clone()}</strong>" "
                <span class="badge" data-testid="account-role">{role}</span>
            </p>
            <ChangePasswordForm on_changed/>
            <SignOutEverywhere user_id=me.id/>
        </section>
    }
    .into_any()
}

/// Current, new and confirmed password; the server checks the current one
/// and refuses short or common new ones.
#[component]
fn ChangePasswordForm(on_changed: OnChanged) -> impl IntoView {
    let current = RwSignal::new(String::new());
    let new = RwSignal::new(String::new());
    let confirm = RwSignal::new(String::new());
    let differ = RwSignal::new(false);
    let change = Action::new(|(c, n): &(Password, Password)| change_password(c.clone(), n.clone()));
    Effect::new(move |_| match change.value().get() {
        Some(Ok(())) => {
            for field in [current, new, confirm] {
                field.set(String::new());
            }
            on_changed.run("Your password was changed.".to_owned());
        }
        Some(Err(_)) => current.set(String::new()),
        None => {}
    });
    let error = Memo::new(move |_| failure(change.value().get()));
    let msg = move |field: &'static str| {
        Signal::derive(move || error.with(|e| field_message(e.as_ref(), field)))
    };
    let general =
        Signal::derive(move || error.with(|e| general_error(e.as_ref(), &["current", "new"])));
    let confirm_message =
        Signal::derive(move || differ.get().then(|| "The passwords differ.".to_owned()));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        if new.get_untracked() != confirm.get_untracked() {
            differ.set(true);
            return;
        }
        differ.set(false);
        change.dispatch((
            Password::new(current.get_untracked()),
            Password::new(new.get_untracked()),
        ));
    };
    view! {
        <form class="inline-form access-form" method="post" novalidate=true on:submit=on_submit
            data-testid="change-password" aria-labelledby="change-password-heading">
            <h3 id="change-password-heading" class="form-title">"Change password"</h3>
            <ErrorNotice error=general testid="change-password-error"/>
            <InputField label="Current password" id="current-password" value=current message=msg("current")
                kind="password" autocomplete="current-password" required=true/>
            <InputField label="New password" id="new-password" value=new message=msg("new")
                kind="password" autocomplete="new-password" required=true/>
            <InputField label="Confirm new password" id="confirm-password" value=confirm message=confirm_message
                kind="password" autocomplete="new-password" required=true/>
            <div class="actions">
                <SubmitButton testid="change-password-submit" pending=change.pending()
                    label="Change password" busy="Changing…"/>
                <span class="muted hint">"At least 8 characters; common passwords are refused."</span>
            </div>
        </form>
    }
    .into_any()
}

/// Ends every session of the caller, this one included, then goes to the
/// sign-in page.
#[component]
fn SignOutEverywhere(user_id: i64) -> impl IntoView {
    let hydrated = use_hydrated();
    let end = Action::new(move |_: &()| end_user_sessions(user_id));
    Effect::new(move |_| match end.value().get() {
        Some(Ok(())) | Some(Err(AppError::Unauthenticated(_))) => full_navigation("/login"),
        _ => {}
    });
    let error = Signal::derive(move || match failure(end.value().get()) {
        Some(AppError::Unauthenticated(_)) => None,
        other => other,
    });
    view! {
        <div class="account-sessions">
            <ErrorNotice error testid="sign-out-everywhere-error"/>
            <p class="actions">
                <button type="button" class="secondary" data-testid="sign-out-everywhere"
                    disabled=move || !hydrated.get() || end.pending().get()
                    on:click=move |_| { end.dispatch(()); }>
                    "Sign out everywhere"
                </button>
                <span class="muted hint">"Ends your sessions in every browser, this one included."</span>
            </p>
        </div>
    }
    .into_any()
}
