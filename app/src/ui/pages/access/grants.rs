//! "Grants": who holds which role where, with "Revoke" where the caller may
//! take a grant away, and for anyone who manages something the form that
//! gives one. The project and namespace names offered are those the caller
//! may see.

use leptos::ev::SubmitEvent;
use leptos::prelude::*;

use super::{role_meaning, short_time, OnChanged};
use crate::api::access::{create_grant, revoke_grant, CurrentUser, GrantView, TeamView, UserView};
use crate::api::cluster::list_namespaces;
use crate::api::projects::list_projects;
use crate::domain::access::{Role, Subject};
use crate::domain::scope::Scope;
use crate::ui::components::{
    announce_success, failure, field_aria, use_hydrated, Column, DataTable, ErrorNotice, Field,
    FormErrors, InputField, ScopeBadge, SubmitButton,
};
use crate::AppError;
use Column::{Hidden, Text};

/// Project and namespace names the caller may see, for the scope's datalist.
pub(super) type ScopeNames = Resource<(Vec<String>, Vec<String>)>;

/// Loads the names offered for a grant's scope; a failure just offers none.
pub(super) fn scope_names() -> ScopeNames {
    Resource::new(
        || (),
        |_| async move {
            let projects = list_projects()
                .await
                .map(|ps| ps.into_iter().map(|p| p.name).collect())
                .unwrap_or_default();
            let namespaces = list_namespaces()
                .await
                .map(|l| l.rows.into_iter().map(|r| r.name).collect())
                .unwrap_or_default();
            (projects, namespaces)
        },
    )
}

/// The grants table and, for managers, the form that adds a grant.
#[component]
pub(super) fn GrantsSection(
    me: CurrentUser,
    grants: Vec<GrantView>,
    users: Vec<UserView>,
    teams: Vec<TeamView>,
    names: ScopeNames,
    on_changed: OnChanged,
) -> impl IntoView {
    let grants_form = me.admin || me.manages;
    let body = if grants.is_empty() {
        view! {
            <p class="muted" data-testid="grants-empty">
                "No grants yet: only admins see anything until someone is given a role."
            </p>
        }
        .into_any()
    } else {
        let columns = vec![
            Text("Who"),
            Text("Role"),
            Text("Where"),
            Text("Granted by"),
            Text("When"),
            Hidden("Actions"),
        ];
        view! {
            <DataTable testid="grants" columns>
                {grants.into_iter().map(|grant| view! { <GrantRow grant on_changed/> }).collect_view()}
            </DataTable>
        }
        .into_any()
    };
    view! {
        <section aria-labelledby="grants-heading" data-testid="grants-section">
            <h2 id="grants-heading">"Grants"</h2>
            {body}
            {grants_form.then(|| view! { <CreateGrantForm users teams names on_changed/> })}
        </section>
    }
    .into_any()
}

/// "user lead" / "team web".
fn subject_kind(subject: Subject) -> &'static str {
    match subject {
        Subject::User(_) => "user",
        Subject::Team(_) => "team",
    }
}

/// One grant, with "Revoke" when the caller may take it away.
#[component]
fn GrantRow(grant: GrantView, on_changed: OnChanged) -> impl IntoView {
    let hydrated = use_hydrated();
    let id = grant.id;
    let revoke = Action::new(move |_: &()| revoke_grant(id));
    let kind = subject_kind(grant.subject);
    let summary = format!(
        "{} on {} from {} {}",
        grant.role.as_str(),
        grant.scope.describe(),
        kind,
        grant.subject_name
    );
    announce_success(revoke, on_changed, format!("Revoked {summary}."));
    let error = Signal::derive(move || failure(revoke.value().get()));
    let role = grant.role.as_str();
    view! {
        <tr data-grant=id.to_string() data-subject=grant.subject_name.clone() data-role=role
            data-scope=grant.scope.describe()>
            <td><span class="muted">{kind}</span>" "<span class="mono">{grant.subject_name.clone()}</span></td>
            <td><span class=format!("badge role-{role}") title=role_meaning(grant.role)>{role}</span></td>
            <td><ScopeBadge scope=grant.scope.clone()/></td>
            <td class="mono">{grant.granted_by.clone()}</td>
            <td class="nowrap" title=grant.created_at.clone()>{short_time(&grant.created_at)}</td>
            <td>
                {grant.revocable.then(|| view! {
                    <button type="button" class="secondary" data-testid="revoke-grant"
                        aria-label=format!("Revoke {summary}")
                        disabled=move || !hydrated.get() || revoke.pending().get()
                        on:click=move |_| { revoke.dispatch(()); }>
                        "Revoke"
                    </button>
                })}
                <ErrorNotice error testid="revoke-grant-error"/>
            </td>
        </tr>
    }
    .into_any()
}

/// The subject select's value for `subject`: `user:3`, `team:5`.
fn subject_value(subject: Subject) -> String {
    match subject {
        Subject::User(id) => format!("user:{id}"),
        Subject::Team(id) => format!("team:{id}"),
    }
}

/// The subject a select value stands for.
fn parse_subject(value: &str) -> Option<Subject> {
    let (kind, id) = value.split_once(':')?;
    let id = id.parse().ok()?;
    match kind {
        "user" => Some(Subject::User(id)),
        "team" => Some(Subject::Team(id)),
        _ => None,
    }
}

/// The scope the form describes, or the message for an empty name.
fn chosen_scope(kind: &str, name: &str) -> Result<Scope, AppError> {
    let name = name.trim().to_owned();
    let scope = if kind == "project" {
        Scope::Project {
            project: name.clone(),
        }
    } else {
        Scope::Namespace {
            namespace: name.clone(),
        }
    };
    if name.is_empty() {
        return Err(AppError::Invalid {
            field: Some("scope".into()),
            message: format!("Enter the {kind}'s name."),
        });
    }
    Ok(scope)
}

/// An `<option>` selected while `choice` holds its value. The property is
/// kept in step too: when the page reloads its data, the form is rebuilt
/// on the same elements and must not show a stale choice.
fn option(choice: RwSignal<String>, value: String, label: String) -> impl IntoView {
    let key = value.clone();
    let selected = move || choice.with(|c| *c == key);
    view! { <option value=value selected=selected.clone() prop:selected=selected>{label}</option> }
}

/// A role as the select offers it.
fn role_label(role: Role) -> &'static str {
    match role {
        Role::Viewer => "viewer (read)",
        Role::Editor => "editor (manage registries)",
        Role::Owner => "owner (editor + grant)",
    }
}

/// Who, which role and where.
#[component]
fn CreateGrantForm(
    users: Vec<UserView>,
    teams: Vec<TeamView>,
    names: ScopeNames,
    on_changed: OnChanged,
) -> impl IntoView {
    let subject = RwSignal::new(String::new());
    let role = RwSignal::new(Role::Viewer.as_str().to_owned());
    let kind = RwSignal::new("namespace".to_owned());
    let scope_name = RwSignal::new(String::new());
    let local_error = RwSignal::new(None::<AppError>);
    let create =
        Action::new(|(s, r, sc): &(Subject, Role, Scope)| create_grant(*s, *r, sc.clone()));
    Effect::new(move |_| {
        if let Some(Ok(())) = create.value().get() {
            let scope = chosen_scope(&kind.get_untracked(), &scope_name.get_untracked())
                .map(|s| s.describe())
                .unwrap_or_default();
            scope_name.set(String::new());
            on_changed.run(format!("Granted {} on {scope}.", role.get_untracked()));
        }
    });
    let error = Memo::new(move |_| local_error.get().or_else(|| failure(create.value().get())));
    let errors = FormErrors::new(error, &["subject", "role", "scope"]);
    let on_submit = move |ev: SubmitEvent| {
        ev.prevent_default();
        local_error.set(None);
        let Some(who) = parse_subject(&subject.get_untracked()) else {
            local_error.set(Some(AppError::Invalid {
                field: Some("subject".into()),
                message: "Choose who gets the role.".into(),
            }));
            return;
        };
        let what = Role::parse(&role.get_untracked()).unwrap_or(Role::Viewer);
        match chosen_scope(&kind.get_untracked(), &scope_name.get_untracked()) {
            Ok(scope) => {
                create.dispatch((who, what, scope));
            }
            Err(e) => local_error.set(Some(e)),
        }
    };
    view! {
        <form class="inline-form access-form" method="post" novalidate=true on:submit=on_submit
            data-testid="create-grant" aria-labelledby="create-grant-heading">
            <h3 id="create-grant-heading" class="form-title">"New grant"</h3>
            <ErrorNotice error=errors.general() testid="create-grant-error"/>
            <WhoAndRole users teams subject role errors/>
            <ScopeFields kind scope_name names message=errors.field("scope")/>
            <div class="actions">
                <SubmitButton testid="create-grant-submit" pending=create.pending() label="Grant" busy="Granting…"/>
            </div>
        </form>
    }
    .into_any()
}

/// The subject and role selects.
#[component]
fn WhoAndRole(
    users: Vec<UserView>,
    teams: Vec<TeamView>,
    subject: RwSignal<String>,
    role: RwSignal<String>,
    errors: FormErrors,
) -> impl IntoView {
    let (subject_invalid, subject_described) =
        field_aria("grant-subject", false, errors.field("subject"));
    let (role_invalid, role_described) = field_aria("grant-role", false, errors.field("role"));
    view! {
        <Field label="Who" id="grant-subject" message=errors.field("subject")>
            <select id="grant-subject" name="subject" data-testid="grant-subject"
                aria-invalid=subject_invalid aria-describedby=subject_described
                on:change=move |ev| subject.set(event_target_value(&ev))>
                {option(subject, String::new(), "Choose a user or team…".to_owned())}
                <optgroup label="Users">
                    {users.into_iter().map(|u| option(subject, subject_value(Subject::User(u.id)), u.name)).collect_view()}
                </optgroup>
                <optgroup label="Teams">
                    {teams.into_iter().map(|t| {
                        option(subject, subject_value(Subject::Team(t.id)), format!("team {}", t.name))
                    }).collect_view()}
                </optgroup>
            </select>
        </Field>
        <Field label="Role" id="grant-role" message=errors.field("role")>
            <select id="grant-role" name="role" data-testid="grant-role"
                aria-invalid=role_invalid aria-describedby=role_described
                on:change=move |ev| role.set(event_target_value(&ev))>
                {Role::ALL.into_iter().map(|r| option(role, r.as_str().to_owned(), role_label(r).to_owned())).collect_view()}
            </select>
        </Field>
    }
    .into_any()
}

/// Project or namespace, and its name (offered from the names the caller
/// may see).
#[component]
fn ScopeFields(
    kind: RwSignal<String>,
    scope_name: RwSignal<String>,
    names: ScopeNames,
    message: Signal<Option<String>>,
) -> impl IntoView {
    let is_project = move || kind.get() == "project";
    let list = Signal::derive(move || {
        if is_project() {
            "grant-projects"
        } else {
            "grant-namespaces"
        }
    });
    let label = Signal::derive(move || if is_project() { "Project" } else { "Namespace" });
    view! {
        <Field label="Scope" id="grant-scope-kind">
            <select id="grant-scope-kind" name="scope_kind" data-testid="grant-scope-kind"
                on:change=move |ev| kind.set(event_target_value(&ev))>
                {option(kind, "namespace".to_owned(), "one namespace".to_owned())}
                {option(kind, "project".to_owned(), "a whole project".to_owned())}
            </select>
        </Field>
        <InputField label id="grant-scope" name="scope" testid="grant-scope-name" value=scope_name
            list message required=true/>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let (projects, namespaces) = names.await;
                view! {
                    <datalist id="grant-projects">
                        {projects.into_iter().map(|p| view! { <option value=p/> }).collect_view()}
                    </datalist>
                    <datalist id="grant-namespaces">
                        {namespaces.into_iter().map(|n| view! { <option value=n/> }).collect_view()}
                    </datalist>
                }
            })}
        </Transition>
    }
    .into_any()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn subject_values_round_trip() {
        for s in [Subject::User(3), Subject::Team(12)] {
            assert_eq!(parse_subject(&subject_value(s)), Some(s));
        }
        assert_eq!(parse_subject(""), None);
        assert_eq!(parse_subject("group:1"), None);
        assert_eq!(parse_subject("user:x"), None);
    }

    #[test]
    fn an_empty_scope_name_is_refused_beside_the_field() {
        assert_eq!(
            chosen_scope("namespace", " payments-dev "),
            Ok(Scope::Namespace {
                namespace: "payments-dev".into()
            })
        );
        assert!(matches!(
            chosen_scope("project", "  "),
            Err(AppError::Invalid { field: Some(f), .. }) if f == "scope"
        ));
    }
}
