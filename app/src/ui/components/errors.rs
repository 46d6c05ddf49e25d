//! Showing an [`AppError`]: next to the field it names, or as a notice. A
//! notice for an ended session (`AppError::Unauthenticated`) also offers
//! "Sign in again", back to the page the person was on.

use leptos::prelude::*;
use leptos_router::hooks::use_location;

use super::session::login_href;
use crate::AppError;

/// The message of `error` when it belongs next to `field`.
pub fn field_message(error: Option<&AppError>, field: &str) -> Option<String> {
    match error? {
        AppError::Invalid {
            field: Some(f),
            message,
        } if f == field => Some(message.clone()),
        _ => None,
    }
}

/// `error` when it belongs to none of `fields` (and is not a conflict,
/// which a form shows near its name field).
pub fn general_error(error: Option<&AppError>, fields: &[&str]) -> Option<AppError> {
    match error? {
        AppError::Invalid { field: Some(f), .. } if fields.contains(&f.as_str()) => None,
        AppError::Conflict(_) => None,
        other => Some(other.clone()),
    }
}

/// The error of a finished server-function call, if it failed.
pub fn failure<T: Clone>(value: Option<Result<T, AppError>>) -> Option<AppError> {
    value.and_then(Result::err)
}

/// The error under a form field: give the input `aria-describedby=id` and
/// `aria-invalid` while `message` is set.
#[component]
pub fn FieldError(
    /// The element id the input points at.
    #[prop(into)]
    id: String,
    /// The message, when there is one.
    #[prop(into)]
    message: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! { <span class="field-error" id=id.clone() data-testid=id.clone()>{m}</span> }
        })
    }
}

/// A prominent error notice (role alert) while `error` is set.
#[component]
pub fn ErrorNotice(
    /// The error, when there is one.
    #[prop(into)]
    error: Signal<Option<AppError>>,
    /// The test id of the notice.
    #[prop(default = "error-notice")]
    testid: &'static str,
) -> impl IntoView {
    move || error.get().map(|e| view! { <LoadError error=e testid/> })
}

/// The notice for an error that is already known (a page's data failed to
/// load): its sentence, and "Sign in again" when the session has ended.
#[component]
pub fn LoadError(
    /// What went wrong.
    error: AppError,
    /// The test id of the notice.
    #[prop(default = "load-error")]
    testid: &'static str,
    /// More to say below the message (e.g. a way back).
    #[prop(optional)]
    children: Option<Children>,
) -> impl IntoView {
    let signed_out = matches!(error, AppError::Unauthenticated(_));
    view! {
        <section class="notice notice-error" role="alert" data-testid=testid>
            <p>{error.to_string()}</p>
            {signed_out.then(|| view! { <SignInAgain/> })}
            {children.map(|c| c())}
        </section>
    }
    .into_any()
}

/// A link to the sign-in page that comes back to the current page.
#[component]
pub fn SignInAgain() -> impl IntoView {
    let location = use_location();
    let href = move || {
        let path = location.pathname.get();
        let search = location.search.get();
        let here = if search.is_empty() {
            path
        } else {
            format!("{path}?{search}")
        };
        login_href(&here)
    };
    view! {
        <p><a href=href data-testid="sign-in-again" rel="external">"Sign in again"</a></p>
    }
}

/// The failure of a form's submission, split the way the form shows it:
/// per field, in a notice, or (a conflict) near the name.
#[derive(Clone, Copy)]
pub struct FormErrors {
    error: Memo<Option<AppError>>,
    fields: &'static [&'static str],
}

impl FormErrors {
    /// `error` for a form whose fields the server may name are `fields`.
    pub fn new(error: Memo<Option<AppError>>, fields: &'static [&'static str]) -> Self {
        Self { error, fields }
    }

    /// The message beside `field`.
    pub fn field(self, field: &'static str) -> Signal<Option<String>> {
        Signal::derive(move || self.error.with(|e| field_message(e.as_ref(), field)))
    }

    /// The error that belongs to no field, for the form's notice.
    pub fn general(self) -> Signal<Option<AppError>> {
        Signal::derive(move || self.error.with(|e| general_error(e.as_ref(), self.fields)))
    }

    /// The sentence of a conflict.
    pub fn conflict(self) -> Signal<Option<String>> {
        Signal::derive(move || match self.error.get() {
            Some(AppError::Conflict(m)) => Some(m),
            _ => None,
        })
    }

    /// The message beside `field`, or else a conflict's sentence.
    pub fn field_or_conflict(self, field: &'static str) -> Signal<Option<String>> {
        let (f, c) = (self.field(field), self.conflict());
        Signal::derive(move || f.get().or_else(|| c.get()))
    }
}

/// Once `action` succeeds, tells `on_changed` what happened in `sentence`.
pub fn announce_success<I: Send + Sync + 'static>(
    action: Action<I, Result<(), AppError>>,
    on_changed: Callback<String>,
    sentence: String,
) {
    Effect::new(move |_| {
        if let Some(Ok(())) = action.value().get() {
            on_changed.run(sentence.clone());
        }
    });
}
