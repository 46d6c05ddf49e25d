//! The attachment setting in the registry form: which ServiceAccounts list
//! the Secret in every namespace the registry reaches.

use leptos::prelude::*;

use super::fields::Fields;
use crate::ui::components::{FieldError, InputField};

/// The four settings: value, label, hint.
const CHOICES: [(&str, &str, &str); 4] = [
    (
        "default",
        "The default ServiceAccount",
        "pods that name no ServiceAccount (most pods) pull with it",
    ),
    (
        "named",
        "Named ServiceAccounts",
        "only the ServiceAccounts listed below, where they exist",
    ),
    (
        "all",
        "Every ServiceAccount",
        "including ServiceAccounts created later",
    ),
    (
        "none",
        "None",
        "pods must list the Secret in their own imagePullSecrets",
    ),
];

/// Radio buttons for the setting, and the names for "named".
#[component]
pub(super) fn AttachmentFields(fields: Fields, message: Signal<Option<String>>) -> impl IntoView {
    let described = move || message.get().map(|_| "attachment-error");
    let radio = move |(value, label, hint): (&'static str, &'static str, &'static str)| {
        let checked = move || fields.attach_mode.get() == value;
        let id = format!("attach-{value}");
        view! {
            <div class="choice">
                <input type="radio" name="attach-mode" value=value id=id.clone() data-testid=id.clone()
                    aria-describedby=format!("{id}-hint")
                    checked=checked prop:checked=checked
                    on:change=move |_| fields.attach_mode.set(value.to_owned())/>
                <label for=id.clone()>{label}</label>
                <span class="muted hint" id=format!("{id}-hint")>" — "{hint}</span>
            </div>
        }
    };
    view! {
        <fieldset class="attachment" aria-describedby=described data-testid="attachment">
            <legend>"Attach to ServiceAccounts"</legend>
            <p class="muted hint">
                "regboard adds the Secret to these ServiceAccounts' imagePullSecrets in every namespace \
                 the registry reaches, and removes only what it added. Pods pick it up when they are \
                 next created."
            </p>
            {CHOICES.into_iter().map(radio).collect_view()}
            {move || (fields.attach_mode.get() == "named").then(|| view! {
                <div class="indent">
                    <InputField label="ServiceAccount names" id="attach-names" value=fields.attach_names
                        hint="Separated by commas or spaces, e.g. builder, deployer."/>
                </div>
            })}
            <FieldError id="attachment-error" message/>
        </fieldset>
    }
    .into_any()
}
