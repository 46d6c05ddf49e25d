//! The 404 page and the page shown when rendering fails on the server.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::ui::components::SignInAgain;
use crate::AppError;

/// Shown for any path no route matches; answers with status 404.
#[component]
pub fn NotFound() -> impl IntoView {
    #[cfg(feature = "ssr")]
    set_status(http::StatusCode::NOT_FOUND);
    view! {
        <Title text="Page not found"/>
        <h1>"Page not found"</h1>
        <p>"There is no page at this address. Use the navigation above, or go to "<a href=super::REGISTRIES>"Registries"</a>"."</p>
    }
}

/// Shown when a page fails to load its data; answers with status 500, or
/// 401 with "Sign in again" when the session has ended.
#[component]
pub fn ErrorPage(
    /// The errors caught by the boundary.
    errors: ArcRwSignal<Errors>,
) -> impl IntoView {
    let signed_out = {
        let errors = errors.clone();
        move || {
            errors.with(|errors| {
                errors.iter().any(|(_, e)| {
                    matches!(
                        e.downcast_ref::<AppError>(),
                        Some(AppError::Unauthenticated(_))
                    )
                })
            })
        }
    };
    #[cfg(feature = "ssr")]
    set_status(if signed_out() {
        http::StatusCode::UNAUTHORIZED
    } else {
        http::StatusCode::INTERNAL_SERVER_ERROR
    });
    let messages = move || {
        errors
            .get()
            .into_iter()
            .map(|(_, e)| view! { <li>{e.to_string()}</li> })
            .collect_view()
    };
    view! {
        <Title text="Something went wrong"/>
        <h1>"Something went wrong"</h1>
        <section class="notice notice-error" role="alert">
            <ul>{messages}</ul>
            {move || signed_out().then(|| view! { <SignInAgain/> })}
            <p>"Reload the page to try again. If it keeps failing, the server log has the details."</p>
        </section>
    }
}

#[cfg(feature = "ssr")]
fn set_status(code: http::StatusCode) {
    if let Some(response) = use_context::<leptos_axum::ResponseOptions>() {
        response.set_status(code);
    }
}
