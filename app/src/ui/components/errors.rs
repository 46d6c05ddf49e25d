//! Showing an [`AppError`]: next to the field it names, or as a notice.

use leptos::prelude::*;

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

/// The message of `error` when it belongs to none of `fields` (and is not a
/// conflict, which a form shows near its name field).
pub fn general_message(error: Option<&AppError>, fields: &[&str]) -> Option<String> {
    match error? {
        AppError::Invalid { field: Some(f), .. } if fields.contains(&f.as_str()) => None,
        AppError::Conflict(_) => None,
        other => Some(other.to_string()),
    }
}

/// The error under a form field: give the input `aria-describedby=id` and
/// `aria-invalid` while `message` is set.
#[component]
pub fn FieldError(
    /// The element id the input points at.
    id: &'static str,
    /// The message, when there is one.
    #[prop(into)]
    message: Signal<Option<String>>,
) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! { <span class="field-error" id=id data-testid=id>{m}</span> }
        })
    }
}

/// A prominent error notice (role alert) while `message` is set.
#[component]
pub fn ErrorNotice(
    /// The message, when there is one.
    #[prop(into)]
    message: Signal<Option<String>>,
    /// The test id of the notice.
    #[prop(default = "error-notice")]
    testid: &'static str,
) -> impl IntoView {
    move || {
        message.get().map(|m| {
            view! {
                <section class="notice notice-error" role="alert" data-testid=testid>
                    <p>{m}</p>
                </section>
            }
        })
    }
}
