//! A labelled input bound to a signal, with its server-side error beside it.

use leptos::prelude::*;

use super::errors::FieldError;

/// `<label>` with an `<input>` bound to `value`; the input's id and test id
/// are `id`, its error's `<id>-error`.
#[component]
pub fn InputField(
    /// The visible label.
    label: &'static str,
    /// The input's id, name and test id (unique on the page).
    id: &'static str,
    /// What the person typed.
    value: RwSignal<String>,
    /// The message shown under the input, when there is one.
    #[prop(into, optional)]
    message: Signal<Option<String>>,
    /// The input type.
    #[prop(default = "text")]
    kind: &'static str,
    /// The `autocomplete` attribute.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// The id of a `<datalist>` offering values.
    #[prop(optional)]
    list: Option<&'static str>,
    /// Whether the input must be filled (the server checks again).
    #[prop(optional)]
    required: bool,
) -> impl IntoView {
    let error_id = format!("{id}-error");
    let described = {
        let error_id = error_id.clone();
        move || message.get().map(|_| error_id.clone())
    };
    view! {
        <label>
            {label}
            <input type=kind id=id name=id data-testid=id autocomplete=autocomplete spellcheck="false"
                list=list required=required
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=described
                bind:value=value/>
            <FieldError id=error_id message/>
        </label>
    }
    .into_any()
}
