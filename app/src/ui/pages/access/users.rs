//! "Users": every account the caller may see. Admins create accounts and,
//! per user, disable or enable them, make or unmake admins and end their
//! sessions; other managers see the list read-only (to know whom to grant).

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{short_time, OnChanged};
use crate::api::access::{
    create_user, end_user_sessions, set_user_admin, set_user_disabled, CurrentUser, UserView,
};
use crate::domain::secret::Password;
use crate::ui::components::{
    failure, field_message, general_error, use_hydrated, Column, DataTable, ErrorNotice,
    InputField, SubmitButton,
};

/// The users table and, for admins, the form that creates one.
#[component]
pub(super) fn UsersSection(
    me: CurrentUser,
    users: Vec<UserView>,
    on_changed: OnChanged,
) -> impl IntoView {
    let admin = me.admin;
    let mut columns = vec![
        Column::Text("Name"),
        Column::Text("Status"),
        Column::Text("Created"),
    ];
    if admin {
        columns.push(Column::Hidden("Actions"));
    }
    view! {
        <section aria-labelledby="users-heading" data-testid="users-section">
            <h2 id="users-heading">"Users"</h2>
            {(!admin).then(|| view! { <p class="muted">"Only admins change accounts."</p> })}
            <DataTable testid="users" columns>
                {users.into_iter().map(|user| view! {
                    <UserRow user me_id=me.id admin on_changed/>
                }).collect_view()}
            </DataTable>
            {admin.then(|| view! { <CreateUserForm on_changed/> })}
        </section>
    }
    .into_any()
}

/// What a row's buttons ask the server to do.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum UserChange {
    Disabled(bool),
    Admin(bool),
    EndSessions,
}

/// One account: its badges and, for admins, its buttons.
#[component]
fn UserRow(user: UserView, me_id: i64, admin: bool, on_changed: OnChanged) -> impl IntoView {
    let hydrated = use_hydrated();
    let id = user.id;
    let name = user.name.clone();
    let change = Action::new(move |c: &UserChange| {
        let c = *c;
        async move {
            let done = match c {
                UserChange::Disabled(d) => set_user_disabled(id, d).await,
                UserChange::Admin(a) => set_user_admin(id, a).await,
                UserChange::EndSessions => end_user_sessions(id).await,
            };
            done.map(|()| c)
        }
    });
    Effect::new({
        let name = name.clone();
        move |_| {
            if let Some(Ok(done)) = change.value().get() {
                on_changed.run(match done {
                    UserChange::Disabled(true) => format!("User {name} disabled and signed out."),
                    UserChange::Disabled(false) => format!("User {name} enabled."),
                    UserChange::Admin(true) => format!("User {name} is now an admin."),
                    UserChange::Admin(false) => format!("User {name} is no longer an admin."),
                    UserChange::EndSessions => format!("Every session of {name} ended."),
                });
            }
        }
    });
    let error = Signal::derive(move || failure(change.value().get()));
    let busy = move || !hydrated.get() || change.pending().get();
    let (disabled, is_admin) = (user.disabled, user.admin);
    let its_me = id == me_id;
    view! {
        <tr data-user=name.clone()>
            <td class="mono">
                {name.clone()}
                {its_me.then(|| view! { " "<span class="muted">"(you)"</span> })}
            </td>
            <td data-testid="user-status">
                {is_admin.then(|| view! { <span class="badge role-admin">"admin"</span>" " })}
                {if disabled {
                    view! { <span class="badge state-error">"disabled"</span> }.into_any()
                } else {
                    view! { <span class="badge">"active"</span> }.into_any()
                }}
            </td>
            <td class="nowrap" title=user.created_at.clone()>{short_time(&user.created_at)}</td>
            {admin.then(|| view! {
                <td>
                    <div class="row-actions">
                        <button type="button" class="secondary" data-testid="toggle-disabled" disabled=busy
                            on:click=move |_| { change.dispatch(UserChange::Disabled(!disabled)); }>
                            {if disabled { "Enable" } else { "Disable" }}
                        </button>
                        <button type="button" class="secondary" data-testid="toggle-admin" disabled=busy
                            on:click=move |_| { change.dispatch(UserChange::Admin(!is_admin)); }>
                            {if is_admin { "Remove admin" } else { "Make admin" }}
                        </button>
                        <button type="button" class="secondary" data-testid="end-sessions" disabled=busy
                            on:click=move |_| { change.dispatch(UserChange::EndSessions); }>
                            "End sessions"
                        </button>
                    </div>
                    <ErrorNotice error testid="user-error"/>
                </td>
            })}
        </tr>
    }
    .into_any()
}

/// Name, first password and the admin flag of a new account.
#[component]
fn CreateUserForm(on_changed: OnChanged) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let password = RwSignal::new(String::new());
    let admin = RwSignal::new(false);
    let create =
        Action::new(|(n, p, a): &(String, Password, bool)| create_user(n.clone(), p.clone(), *a));
    Effect::new(move |_| match create.value().get() {
        Some(Ok(())) => {
            let created = name.get_untracked();
            name.set(String::new());
            password.set(String::new());
            admin.set(false);
            on_changed.run(format!("User {created} created."));
        }
        Some(Err(_)) => password.set(String::new()),
        None => {}
    });
    let error = Memo::new(move |_| failure(create.value().get()));
    let msg = move |field: &'static str| {
        Signal::derive(move || error.with(|e| field_message(e.as_ref(), field)))
    };
    let conflict = Signal::derive(move || match error.get() {
        Some(crate::AppError::Conflict(m)) => Some(m),
        _ => None,
    });
    let name_message = Signal::derive(move || msg("name").get().or_else(|| conflict.get()));
    let general =
        Signal::derive(move || error.with(|e| general_error(e.as_ref(), &["name", "password"])));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        create.dispatch((
            name.get_untracked().trim().to_owned(),
            Password::new(password.get_untracked()),
            admin.get_untracked(),
        ));
    };
    view! {
        <form class="inline-form access-form" method="post" novalidate=true on:submit=on_submit
            data-testid="create-user" aria-labelledby="create-user-heading">
            <h3 id="create-user-heading" class="form-title">"New user"</h3>
            <ErrorNotice error=general testid="create-user-error"/>
            <InputField label="Name" id="new-user-name" value=name message=name_message required=true/>
            <InputField label="Password" id="new-user-password" value=password message=msg("password")
                kind="password" autocomplete="new-password" required=true/>
            <label class="choice">
                <input type="checkbox" data-testid="new-user-admin" bind:checked=admin/>
                "Admin: manages users, teams, projects and every grant"
            </label>
            <div class="actions">
                <SubmitButton testid="create-user-submit" pending=create.pending() label="Create user" busy="Creating…"/>
                <span class="muted hint">"Give the person this password; they can change it on this page."</span>
            </div>
        </form>
    }
    .into_any()
}
