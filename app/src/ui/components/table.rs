//! The table shape every list shares: a scrolling frame, a header row of
//! column titles, and the rows the page renders.

use leptos::prelude::*;

/// One column title.
#[derive(Debug, Clone, Copy)]
pub enum Column {
    /// A plain title.
    Text(&'static str),
    /// A title over right-aligned numbers.
    Num(&'static str),
    /// A title only screen readers hear (e.g. "Actions" over buttons).
    Hidden(&'static str),
}

/// `<table>` with `columns` in its head and `children` as its body. The
/// children are wrapped in one `<tbody>` unless `bodies` says they bring
/// their own (one `<tbody>` per item).
#[component]
pub fn DataTable(
    /// The table's test id.
    testid: &'static str,
    /// The column titles, in order.
    columns: Vec<Column>,
    /// A class for the table.
    #[prop(optional)]
    class: &'static str,
    /// Whether the children are `<tbody>` elements themselves.
    #[prop(optional)]
    bodies: bool,
    /// The rows.
    children: Children,
) -> impl IntoView {
    let head = columns
        .into_iter()
        .map(|c| match c {
            Column::Text(t) => view! { <th scope="col">{t}</th> }.into_any(),
            Column::Num(t) => view! { <th scope="col" class="num">{t}</th> }.into_any(),
            Column::Hidden(t) => {
                view! { <th scope="col"><span class="visually-hidden">{t}</span></th> }.into_any()
            }
        })
        .collect_view();
    let rows = if bodies {
        children().into_any()
    } else {
        view! { <tbody>{children()}</tbody> }.into_any()
    };
    view! {
        <div class="table-scroll">
            <table data-testid=testid class=(!class.is_empty()).then_some(class)>
                <thead><tr>{head}</tr></thead>
                {rows}
            </table>
        </div>
    }
    .into_any()
}

/// What a list says when it has nothing to show.
#[component]
pub fn EmptyState(
    /// The notice's test id.
    testid: &'static str,
    /// What to say.
    children: Children,
) -> impl IntoView {
    view! { <section class="notice empty-state" data-testid=testid>{children()}</section> }
}

/// A form's submit button: disabled until the page has hydrated and while
/// `pending`, worded `busy` meanwhile.
#[component]
pub fn SubmitButton(
    /// The button's test id.
    testid: &'static str,
    /// Whether the submission is under way.
    #[prop(into)]
    pending: Signal<bool>,
    /// The label.
    #[prop(into)]
    label: Signal<&'static str>,
    /// The label while pending.
    busy: &'static str,
) -> impl IntoView {
    let hydrated = super::use_hydrated();
    view! {
        <button type="submit" data-testid=testid disabled=move || !hydrated.get() || pending.get()>
            {move || if pending.get() { busy } else { label.get() }}
        </button>
    }
}
