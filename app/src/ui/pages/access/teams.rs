//! "Teams": the teams the caller may see with their members. Admins create
//! and delete teams and appoint team admins; admins and a team's admins add
//! and remove its members.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::OnChanged;
use crate::api::access::{
    add_team_member, create_team, delete_team, remove_team_member, CurrentUser, MemberView,
    TeamView, UserView,
};
use crate::ui::components::{
    announce_success, failure, field_message, general_error, use_hydrated, ConfirmPanel,
    ErrorNotice, FieldError, InputField, SubmitButton,
};
use crate::AppError;

/// Every visible team, and for admins the form that creates one.
#[component]
pub(super) fn TeamsSection(
    me: CurrentUser,
    teams: Vec<TeamView>,
    users: Vec<UserView>,
    on_changed: OnChanged,
) -> impl IntoView {
    let names: Vec<String> = users.into_iter().map(|u| u.name).collect();
    let empty = teams.is_empty();
    view! {
        <section aria-labelledby="teams-heading" data-testid="teams-section">
            <h2 id="teams-heading">"Teams"</h2>
            <datalist id="known-users">
                {names.into_iter().map(|n| view! { <option value=n/> }).collect_view()}
            </datalist>
            {empty.then(|| view! {
                <p class="muted" data-testid="teams-empty">
                    {if me.admin { "No teams yet — create one below." } else { "You belong to no team." }}
                </p>
            })}
            <div class="team-list">
                {teams.into_iter().map(|team| view! { <TeamCard team me=me.clone() on_changed/> }).collect_view()}
            </div>
            {me.admin.then(|| view! { <CreateTeamForm on_changed/> })}
        </section>
    }
    .into_any()
}

/// One team: its members, and the actions the caller may take on it.
#[component]
fn TeamCard(team: TeamView, me: CurrentUser, on_changed: OnChanged) -> impl IntoView {
    let hydrated = use_hydrated();
    let manages = me.admin
        || team
            .members
            .iter()
            .any(|m| m.user_id == me.id && m.team_admin);
    let confirming = RwSignal::new(false);
    let (team_id, team_name) = (team.id, team.name.clone());
    let delete = Action::new(move |_: &()| delete_team(team_id));
    announce_success(delete, on_changed, format!("Team {team_name} deleted."));
    let delete_error = Signal::derive(move || failure(delete.value().get()));
    let heading_id = format!("team-{team_id}-heading");
    let labelled_by = heading_id.clone();
    let members = team.members.clone();
    let no_members = members.is_empty();
    view! {
        <article class="team" data-team=team_name.clone() aria-labelledby=labelled_by>
            <div class="toolbar">
                <h3 id=heading_id class="mono">{team_name.clone()}</h3>
                {me.admin.then(|| view! {
                    <button type="button" class="danger push-right" data-testid="delete-team"
                        disabled=move || !hydrated.get() || delete.pending().get()
                        on:click=move |_| confirming.set(true)>
                        "Delete team…"
                    </button>
                })}
            </div>
            {move || confirming.get().then(|| view! {
                <ConfirmPanel
                    id="confirm-delete-team"
                    title=format!("Delete team {}?", team.name)
                    message=format!(
                        "This deletes team {} with its memberships and every grant it holds; its members keep their own grants.",
                        team.name
                    )
                    confirm_label="Delete team"
                    pending=delete.pending()
                    on_confirm=Callback::new(move |_| { delete.dispatch(()); })
                    on_cancel=Callback::new(move |_| confirming.set(false))
                />
            })}
            <ErrorNotice error=delete_error testid="delete-team-error"/>
            {no_members.then(|| view! { <p class="muted">"No members yet."</p> })}
            <ul class="plain member-list" data-testid="members">
                {members.into_iter().map(|member| view! {
                    <MemberItem team_id member manages on_changed/>
                }).collect_view()}
            </ul>
            {manages.then(|| view! { <AddMemberForm team_id appoints=me.admin on_changed/> })}
        </article>
    }
    .into_any()
}

/// One member with their team-admin badge and, for managers, "Remove".
#[component]
fn MemberItem(
    team_id: i64,
    member: MemberView,
    manages: bool,
    on_changed: OnChanged,
) -> impl IntoView {
    let hydrated = use_hydrated();
    let user_id = member.user_id;
    let remove = Action::new(move |_: &()| remove_team_member(team_id, user_id));
    announce_success(
        remove,
        on_changed,
        format!("{} left the team.", member.name),
    );
    let error = Signal::derive(move || failure(remove.value().get()));
    let label = format!("Remove {} from the team", member.name);
    view! {
        <li data-member=member.name.clone()>
            <span class="mono">{member.name.clone()}</span>
            {member.team_admin.then(|| view! { " "<span class="badge role-admin" data-testid="team-admin">"team admin"</span> })}
            {manages.then(|| view! {
                " "
                <button type="button" class="link-button" data-testid="remove-member" aria-label=label
                    disabled=move || !hydrated.get() || remove.pending().get()
                    on:click=move |_| { remove.dispatch(()); }>
                    "Remove"
                </button>
            })}
            <ErrorNotice error testid="remove-member-error"/>
        </li>
    }
    .into_any()
}

/// Adds a user (by name) to a team; admins may make them a team admin.
#[component]
fn AddMemberForm(team_id: i64, appoints: bool, on_changed: OnChanged) -> impl IntoView {
    let user = RwSignal::new(String::new());
    let team_admin = RwSignal::new(false);
    let add = Action::new(move |(u, a): &(String, bool)| add_team_member(team_id, u.clone(), *a));
    Effect::new(move |_| {
        if let Some(Ok(())) = add.value().get() {
            let added = user.get_untracked();
            user.set(String::new());
            team_admin.set(false);
            on_changed.run(format!("{added} added to the team."));
        }
    });
    let error = Memo::new(move |_| failure(add.value().get()));
    let user_message = Signal::derive(move || {
        error.with(|e| match e {
            Some(AppError::NotFound(m)) => Some(m.clone()),
            other => field_message(other.as_ref(), "user"),
        })
    });
    let general = Signal::derive(move || {
        error.with(|e| match e {
            Some(AppError::NotFound(_)) => None,
            other => general_error(other.as_ref(), &["user"]),
        })
    });
    let input_id = format!("team-{team_id}-member");
    let error_id = format!("{input_id}-error");
    let described = {
        let error_id = error_id.clone();
        move || user_message.get().map(|_| error_id.clone())
    };
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        add.dispatch((
            user.get_untracked().trim().to_owned(),
            team_admin.get_untracked(),
        ));
    };
    view! {
        <form class="inline-form access-form" method="post" novalidate=true on:submit=on_submit data-testid="add-member">
            <ErrorNotice error=general testid="add-member-error"/>
            <div class="field">
                <label for=input_id.clone()>"Add member (user name)"</label>
                <input type="text" id=input_id name="user" data-testid="member-name" list="known-users"
                    autocomplete="off" spellcheck="false" required=true
                    aria-invalid=move || user_message.get().is_some().to_string()
                    aria-describedby=described bind:value=user/>
                <FieldError id=error_id message=user_message/>
            </div>
            {appoints.then(|| view! {
                <label class="choice">
                    <input type="checkbox" data-testid="member-team-admin" bind:checked=team_admin/>
                    "Team admin"
                </label>
            })}
            <div class="actions">
                <SubmitButton testid="add-member-submit" pending=add.pending() label="Add member" busy="Add member"/>
            </div>
        </form>
    }
    .into_any()
}

/// The name of a new team.
#[component]
fn CreateTeamForm(on_changed: OnChanged) -> impl IntoView {
    let name = RwSignal::new(String::new());
    let create = Action::new(|n: &String| create_team(n.clone()));
    Effect::new(move |_| {
        if let Some(Ok(())) = create.value().get() {
            let created = name.get_untracked();
            name.set(String::new());
            on_changed.run(format!("Team {created} created."));
        }
    });
    let error = Memo::new(move |_| failure(create.value().get()));
    let name_message = Signal::derive(move || {
        error.with(|e| match e {
            Some(AppError::Conflict(m)) => Some(m.clone()),
            other => field_message(other.as_ref(), "name"),
        })
    });
    let general = Signal::derive(move || error.with(|e| general_error(e.as_ref(), &["name"])));
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        create.dispatch(name.get_untracked().trim().to_owned());
    };
    view! {
        <form class="inline-form access-form" method="post" novalidate=true on:submit=on_submit
            data-testid="create-team" aria-labelledby="create-team-heading">
            <h3 id="create-team-heading" class="form-title">"New team"</h3>
            <ErrorNotice error=general testid="create-team-error"/>
            <InputField label="Name" id="new-team-name" value=name message=name_message required=true/>
            <div class="actions">
                <SubmitButton testid="create-team-submit" pending=create.pending() label="Create team" busy="Creating…"/>
            </div>
        </form>
    }
    .into_any()
}
