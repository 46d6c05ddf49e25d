//! An inline confirmation step for destructive actions.

use leptos::ev::KeyboardEvent;
use leptos::html;
use leptos::prelude::*;

/// A panel that says exactly what an action will do and asks to confirm it.
/// The confirm button takes the focus when the panel opens; Escape or
/// "Cancel" closes it.
#[component]
pub fn ConfirmPanel(
    /// A unique id prefix for the panel's heading and text.
    id: &'static str,
    /// The question, e.g. "Delete registry ghcr-pull?".
    #[prop(into)]
    title: String,
    /// What will happen, in a full sentence.
    #[prop(into)]
    message: String,
    /// The confirm button's text.
    confirm_label: &'static str,
    /// Runs when the person confirms.
    on_confirm: Callback<()>,
    /// Runs when the person cancels.
    on_cancel: Callback<()>,
    /// Whether the confirmed action is running (disables the buttons).
    #[prop(into)]
    pending: Signal<bool>,
) -> impl IntoView {
    let confirm_ref = NodeRef::<html::Button>::new();
    Effect::new(move |_| {
        if let Some(button) = confirm_ref.get() {
            let _ = button.focus();
        }
    });
    let on_keydown = move |ev: KeyboardEvent| {
        if ev.key() == "Escape" {
            on_cancel.run(());
        }
    };
    let title_id = format!("{id}-title");
    let message_id = format!("{id}-message");
    let (title_ref, message_ref) = (title_id.clone(), message_id.clone());
    view! {
        <section
            class="notice confirm"
            role="alertdialog"
            aria-labelledby=title_ref
            aria-describedby=message_ref
            data-testid=id
            on:keydown=on_keydown
        >
            <h2 id=title_id class="confirm-title">{title}</h2>
            <p id=message_id>{message}</p>
            <div class="actions">
                <button
                    type="button"
                    class="danger"
                    node_ref=confirm_ref
                    disabled=move || pending.get()
                    on:click=move |_| on_confirm.run(())
                >
                    {confirm_label}
                </button>
                <button
                    type="button"
                    class="secondary"
                    disabled=move || pending.get()
                    on:click=move |_| on_cancel.run(())
                >
                    "Cancel"
                </button>
            </div>
        </section>
    }
    .into_any()
}
