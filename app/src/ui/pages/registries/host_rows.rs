//! The hosts of the registry form as rows, each with its own username,
//! password, email and "valid until" — a docker config holds one entry per
//! host, and editing one row leaves the others as they are.

use leptos::prelude::*;

use crate::domain::credential::expiry::format_rfc3339;
use crate::domain::hosts::is_ecr;
use crate::domain::secret::Password;
use crate::model::registries::{HostCredential, HostFacts};
use crate::ui::components::FieldError;

/// The fields the server names for host rows (`host-0`, `host-1`, …), one
/// per row a registry may hold.
pub(super) const HOST_FIELDS: [&str; 20] = [
    "host-0", "host-1", "host-2", "host-3", "host-4", "host-5", "host-6", "host-7", "host-8",
    "host-9", "host-10", "host-11", "host-12", "host-13", "host-14", "host-15", "host-16",
    "host-17", "host-18", "host-19",
];

/// One host row of the form.
#[derive(Clone, Copy)]
pub(super) struct HostRow {
    /// The server, as it will be written (fixed once added).
    pub(super) host: StoredValue<String>,
    pub(super) username: RwSignal<String>,
    pub(super) password: RwSignal<String>,
    pub(super) email: RwSignal<String>,
    pub(super) valid_until: RwSignal<String>,
    /// The "valid until" as loaded (on edit), to tell a kept date from a typed one.
    loaded_until: StoredValue<String>,
    /// The host is already in the Secret (on edit): an empty password keeps it.
    pub(super) stored: bool,
}

impl HostRow {
    /// A new host, with `username` to start from (the row above's, if any).
    pub(super) fn new(host: String, username: String) -> Self {
        HostRow {
            host: StoredValue::new(host),
            username: RwSignal::new(username),
            password: RwSignal::default(),
            email: RwSignal::default(),
            valid_until: RwSignal::default(),
            loaded_until: StoredValue::default(),
            stored: false,
        }
    }

    /// A host of the registry being edited.
    pub(super) fn loaded(facts: &HostFacts) -> Self {
        let until = facts.valid_until.map(format_rfc3339).unwrap_or_default();
        HostRow {
            host: StoredValue::new(facts.host.clone()),
            username: RwSignal::new(facts.username.clone().unwrap_or_default()),
            password: RwSignal::default(),
            email: RwSignal::new(facts.email.clone().unwrap_or_default()),
            valid_until: RwSignal::new(until.clone()),
            loaded_until: StoredValue::new(until),
            stored: true,
        }
    }

    /// The host.
    pub(super) fn host(&self) -> String {
        self.host.get_value()
    }

    /// What the row submits.
    pub(super) fn credential(&self) -> HostCredential {
        let text = |s: RwSignal<String>| {
            let t = s.get_untracked().trim().to_owned();
            (!t.is_empty()).then_some(t)
        };
        HostCredential {
            host: self.host(),
            username: self.username.get_untracked().trim().to_owned(),
            password: Password::new(self.password.get_untracked()),
            email: text(self.email),
            valid_until: text(self.valid_until),
        }
    }

    /// A unique, stable element id for this row's `part`.
    fn id(&self, part: &str) -> String {
        let host = self.host();
        let clean: String = host
            .chars()
            .map(|c| if c.is_ascii_alphanumeric() { c } else { '-' })
            .collect();
        // Two hosts that clean up alike still differ by this hash.
        let hash = host.bytes().fold(0x811c_9dc5_u32, |h, b| {
            (h ^ u32::from(b)).wrapping_mul(0x0100_0193)
        });
        format!("host-{clean}-{hash:08x}-{part}")
    }
}

/// The rows, each with a remove button and the server's message for it.
#[component]
pub(super) fn HostRows(
    hosts: RwSignal<Vec<HostRow>>,
    /// The server's messages for `host-0` … `host-19`.
    messages: [Signal<Option<String>>; 20],
    editing: bool,
) -> impl IntoView {
    view! {
        <ul class="host-list" data-testid="host-list" aria-live="polite">
            <For
                each=move || hosts.get()
                key=|row| row.host()
                children=move |row| {
                    let host = row.host();
                    let index = move || hosts.with(|h| h.iter().position(|r| r.host() == row.host()));
                    let message = Signal::derive(move || index().and_then(|i| messages.get(i)?.get()));
                    view! { <li data-host=host.clone()><HostRowFields row message editing hosts/></li> }
                }
            />
            {move || hosts.with(Vec::is_empty).then(|| view! { <li class="muted">"No host yet."</li> })}
        </ul>
    }
    .into_any()
}

/// One row's inputs.
#[component]
fn HostRowFields(
    row: HostRow,
    message: Signal<Option<String>>,
    editing: bool,
    hosts: RwSignal<Vec<HostRow>>,
) -> impl IntoView {
    let host = row.host();
    let ecr = is_ecr(&host);
    let keeps = editing && row.stored;
    let (password_label, password_hint) = if keeps {
        (
            "New password or token",
            "Leave empty to keep the current password. Adding or changing a host needs the password \
             again: a saved password is never sent to another server. regboard never shows a stored \
             password.",
        )
    } else {
        (
            "Password or token",
            "Stored only in the Kubernetes Secret; regboard never shows it again.",
        )
    };
    let until_hint = if ecr {
        "An ECR token (aws ecr get-login-password) is valid for 12 hours: with a new token and no \
         date, regboard sets save time + 12 hours."
    } else {
        "When this credential stops working (YYYY-MM-DD or YYYY-MM-DD HH:MM, UTC); regboard warns \
         before and flags it when expired."
    };
    // A new ECR token restarts its 12 hours unless another date is typed.
    let on_password = move |ev| {
        row.password.set(event_target_value(&ev));
        if ecr && row.valid_until.get_untracked() == row.loaded_until.get_value() {
            row.valid_until.set(String::new());
        }
    };
    let error_id = row.id("error");
    let described = {
        let error_id = error_id.clone();
        move |hint: &str| {
            let hint = row.id(hint);
            match message.get() {
                Some(_) => format!("{hint} {error_id}"),
                None => hint,
            }
        }
    };
    let described_password = described.clone();
    let input = move |part: &'static str, label: &'static str, value: RwSignal<String>| {
        let id = row.id(part);
        let described = described.clone();
        view! {
            <label for=id.clone()>{label}</label>
            <input type="text" id=id.clone() data-testid=format!("host-{part}") autocomplete="off"
                spellcheck="false" aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=move || described(&format!("{part}-hint"))
                value=move || value.get() bind:value=value/>
        }
    };
    let remove = host.clone();
    view! {
        <fieldset class="host-row">
            <legend class="mono">{host.clone()}</legend>
            <button type="button" class="link-button" aria-label=format!("Remove host {host}")
                on:click=move |_| hosts.update(|list| list.retain(|r| r.host() != remove))>
                "Remove"
            </button>
            {input("username", "Username", row.username)}
            <span class="muted hint" id=row.id("username-hint")>"The login for this host."</span>
            <label for=row.id("password")>{password_label}</label>
            <input type="password" id=row.id("password") data-testid="host-password" autocomplete="new-password"
                aria-invalid=move || message.get().is_some().to_string()
                aria-describedby=move || described_password("password-hint")
                prop:value=move || row.password.get() on:input=on_password/>
            <span class="muted hint" id=row.id("password-hint")>{password_hint}</span>
            {input("email", "Email (optional)", row.email)}
            <span class="muted hint" id=row.id("email-hint")>"Some registries (and older Docker clients) want an email; most do not."</span>
            {input("valid-until", "Valid until (optional, UTC)", row.valid_until)}
            <span class="muted hint" id=row.id("valid-until-hint")>{until_hint}</span>
            <FieldError id=error_id message/>
        </fieldset>
    }
    .into_any()
}
