//! The Access page (`/access`): the caller's own account, then the users,
//! teams and grants they may see, with the actions they may take.
//!
//! One server call (`get_access_overview`) loads everything the caller may
//! see; every successful change says what happened in a status line and
//! loads it again. What a section offers follows the overview's `me`:
//! admins manage users and teams, team admins their teams' members, and
//! anyone who manages something (admin, team admin, owner) adds grants;
//! the server decides again on every call.

mod account;
mod grants;
mod teams;
mod users;

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::access::{get_access_overview, AccessOverview};
use crate::ui::components::LoadError;
use account::AccountSection;
use grants::{scope_names, GrantsSection, ScopeNames};
use teams::TeamsSection;
use users::UsersSection;

/// Called after a successful change with a sentence saying what happened.
pub(super) type OnChanged = Callback<String>;

/// The page.
#[component]
pub fn AccessPage() -> impl IntoView {
    let overview = Resource::new(|| (), |_| get_access_overview());
    let names = scope_names();
    let flash = RwSignal::new(None::<String>);
    let on_changed: OnChanged = Callback::new(move |message: String| {
        flash.set(Some(message));
        overview.refetch();
    });
    view! {
        <Title text="Access"/>
        <h1>"Access"</h1>
        <p class="muted">
            "Who may see and change which registries: a grant gives a user or a team a role on a "
            "project (every namespace in it) or on one namespace."
        </p>
        <p class="status-line" role="status" aria-live="polite" data-testid="access-status">
            {move || flash.get()}
        </p>
        <Transition fallback=|| view! { <p class="muted">"Loading access…"</p> }>
            {move || Suspend::new(async move {
                match overview.await {
                    Ok(o) => view! { <Overview overview=o names on_changed/> }.into_any(),
                    Err(e) => view! { <LoadError error=e testid="access-error"/> }.into_any(),
                }
            })}
        </Transition>
    }
    .into_any()
}

/// Every section, from one overview.
#[component]
fn Overview(overview: AccessOverview, names: ScopeNames, on_changed: OnChanged) -> impl IntoView {
    let AccessOverview {
        me,
        users,
        teams,
        grants,
    } = overview;
    let sees_users = me.admin || me.manages;
    view! {
        <AccountSection me=me.clone() on_changed/>
        {sees_users.then(|| view! { <UsersSection me=me.clone() users=users.clone() on_changed/> })}
        <TeamsSection me=me.clone() teams=teams.clone() users=users.clone() on_changed/>
        <GrantsSection me grants users teams names on_changed/>
    }
    .into_any()
}

/// A role's name with its meaning, for selects and titles.
pub(super) fn role_meaning(role: crate::domain::access::Role) -> &'static str {
    use crate::domain::access::Role;
    match role {
        Role::Viewer => "reads registries and their audit events",
        Role::Editor => "viewer, plus creating, editing and deleting registries",
        Role::Owner => "editor, plus granting roles within the scope",
    }
}

/// A stored UTC time (RFC 3339) to the minute: `2025-01-02 13:04 UTC`.
pub(super) fn short_time(at: &str) -> String {
    match (at.get(..10), at.get(11..16)) {
        (Some(day), Some(time)) => format!("{day} {time} UTC"),
        _ => at.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn short_time_keeps_the_minute() {
        assert_eq!(
            super::short_time("2026-11-22T18:19:19.060Z"),
            "2026-11-22 18:19 UTC"
        );
        assert_eq!(
            super::short_time("2026-11-22 18:19:19"),
            "2026-11-22 18:19 UTC"
        );
        assert_eq!(super::short_time("yesterday"), "yesterday");
    }
}
