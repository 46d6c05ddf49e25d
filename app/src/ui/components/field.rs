//! Labelled form controls with their hint and server-side error.
//!
//! The `<label>` holds only the label text (`for` the control's id), so the
//! control's accessible name is just that text. The hint and the error sit
//! beside it, each with an id the control names in `aria-describedby`: a
//! screen reader reads them as the description, not the name.

use leptos::prelude::*;

use super::errors::FieldError;

/// The ids `aria-describedby` lists for the control `id`: its hint (when
/// it has one), its error while `message` is set, and `also` while shown.
fn described_by(
    id: &'static str,
    hint: bool,
    message: Signal<Option<String>>,
    also: Option<AlsoDescribed>,
) -> impl Fn() -> Option<String> + Send + Sync + Clone + 'static {
    move || {
        let mut ids = Vec::new();
        if hint {
            ids.push(format!("{id}-hint"));
        }
        if message.with(Option::is_some) {
            ids.push(format!("{id}-error"));
        }
        if let Some(a) = also.filter(|a| a.shown.get()) {
            ids.push(a.id.to_owned());
        }
        (!ids.is_empty()).then(|| ids.join(" "))
    }
}

/// Another element that describes a control while it is shown (e.g. a
/// conflict notice under the field); the control is invalid meanwhile.
#[derive(Clone, Copy)]
pub struct AlsoDescribed {
    /// The element's id.
    pub id: &'static str,
    /// Whether the element is on the page.
    pub shown: Signal<bool>,
}

/// A label, one control (the children), its hint and its error. The
/// control must carry `id` and `aria-describedby` from [`field_aria`].
#[component]
pub fn Field(
    /// The visible label: the control's whole accessible name.
    #[prop(into)]
    label: Signal<&'static str>,
    /// The control's id; the hint is `<id>-hint`, the error `<id>-error`.
    id: &'static str,
    /// A sentence under the control, read as its description.
    #[prop(default = None)]
    hint: Option<&'static str>,
    /// The error shown under the control, when there is one.
    #[prop(into, optional)]
    message: Signal<Option<String>>,
    /// The control.
    children: Children,
) -> impl IntoView {
    view! {
        <div class="field">
            <label for=id>{move || label.get()}</label>
            {children()}
            {hint.map(|h| view! { <span class="muted hint" id=format!("{id}-hint")>{h}</span> })}
            <FieldError id=format!("{id}-error") message/>
        </div>
    }
    .into_any()
}

/// `aria-invalid` and `aria-describedby` for a control inside [`Field`].
pub fn field_aria(
    id: &'static str,
    hint: bool,
    message: Signal<Option<String>>,
) -> (
    impl Fn() -> String + Send + Sync + Clone + 'static,
    impl Fn() -> Option<String> + Send + Sync + Clone + 'static,
) {
    (
        move || message.with(Option::is_some).to_string(),
        described_by(id, hint, message, None),
    )
}

/// A labelled `<input>` bound to `value`; its id and test id are `id`
/// unless `testid` says otherwise, its `name` is `id` unless `name` does.
#[component]
pub fn InputField(
    /// The visible label.
    #[prop(into)]
    label: Signal<&'static str>,
    /// The input's id (unique on the page).
    id: &'static str,
    /// What the person typed.
    value: RwSignal<String>,
    /// The message shown under the input, when there is one.
    #[prop(into, optional)]
    message: Signal<Option<String>>,
    /// A sentence under the input, read as its description.
    #[prop(optional)]
    hint: Option<&'static str>,
    /// The input type.
    #[prop(default = "text")]
    kind: &'static str,
    /// The `autocomplete` attribute.
    #[prop(default = "off")]
    autocomplete: &'static str,
    /// The id of a `<datalist>` offering values.
    #[prop(into, optional)]
    list: Option<Signal<&'static str>>,
    /// Whether the input must be filled (the server checks again).
    #[prop(optional)]
    required: bool,
    /// The form field name, when not `id`.
    #[prop(optional)]
    name: Option<&'static str>,
    /// The test id, when not `id`.
    #[prop(optional)]
    testid: Option<&'static str>,
    /// Another element describing the input while shown.
    #[prop(optional)]
    also: Option<AlsoDescribed>,
) -> impl IntoView {
    let described = described_by(id, hint.is_some(), message, also);
    let invalid =
        move || (message.with(Option::is_some) || also.is_some_and(|a| a.shown.get())).to_string();
    // A password never goes into the DOM as an attribute.
    let shown_value = move || (kind != "password").then(|| value.get());
    view! {
        <Field label id hint message>
            <input type=kind id=id name=name.unwrap_or(id) data-testid=testid.unwrap_or(id)
                autocomplete=autocomplete spellcheck="false"
                list=move || list.map(|l| l.get()) required=required
                aria-invalid=invalid aria-describedby=described
                value=shown_value bind:value=value/>
        </Field>
    }
    .into_any()
}

/// A labelled `<textarea>` bound to `value`; id, name and test id are `id`.
#[component]
pub fn TextAreaField(
    /// The visible label.
    label: &'static str,
    /// The textarea's id (unique on the page).
    id: &'static str,
    /// What the person typed.
    value: RwSignal<String>,
    /// The message shown under it, when there is one.
    #[prop(into, optional)]
    message: Signal<Option<String>>,
    /// Visible rows.
    #[prop(default = 3)]
    rows: u32,
) -> impl IntoView {
    let (invalid, described) = field_aria(id, false, message);
    view! {
        <Field label id hint=None message>
            <textarea id=id name=id rows=rows data-testid=id
                aria-invalid=invalid aria-describedby=described
                prop:value=move || value.get()
                on:input=move |ev| value.set(event_target_value(&ev))>
                {value.get_untracked()}
            </textarea>
        </Field>
    }
    .into_any()
}
