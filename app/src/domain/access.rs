//! Who may do what: roles, the grants that reach a user, and the rules of
//! delegation. Pure: the server loads users, teams and grants; this module
//! decides.
//!
//! A grant gives a user or a team a [`Role`] on a project (every namespace
//! in it, including ones that join later) or on one namespace. A user's
//! reach is the union of their own grants and those of every team they
//! belong to, keeping the highest role per scope. Global admins reach
//! everything.
//!
//! Delegation never goes beyond what the grantor holds:
//! - project scope: only admins and the project's owners grant it;
//! - namespace scope: owners of the namespace (directly or through its
//!   project) grant it to anyone; a team admin grants it to members of
//!   their team (or the team) up to the role the team admin holds there.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use super::scope::Scope;

/// What a grant allows, each role including the ones before it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Reads registries, their status and the audit events of the scope.
    Viewer,
    /// Viewer, plus creating, editing, resyncing and deleting registries.
    Editor,
    /// Editor, plus granting roles inside the scope.
    Owner,
}

impl Role {
    /// Every role, weakest first.
    pub const ALL: [Role; 3] = [Role::Viewer, Role::Editor, Role::Owner];

    /// The stored and wire name: `viewer`, `editor`, `owner`.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Viewer => "viewer",
            Role::Editor => "editor",
            Role::Owner => "owner",
        }
    }

    /// The role named `text` (as [`Role::as_str`] writes it).
    pub fn parse(text: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == text)
    }
}

/// Who a grant is given to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(tag = "kind", content = "id", rename_all = "snake_case")]
pub enum Subject {
    /// One user, by id.
    User(i64),
    /// Every member of a team, by team id.
    Team(i64),
}

/// The highest role held per project and per namespace.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reach {
    /// Roles on whole projects.
    pub projects: BTreeMap<String, Role>,
    /// Roles on single namespaces.
    pub namespaces: BTreeMap<String, Role>,
}

impl Reach {
    /// Adds `role` on `scope`, keeping the higher role where one exists.
    pub fn add(&mut self, scope: &Scope, role: Role) {
        let (map, name) = match scope {
            Scope::Project { project } => (&mut self.projects, project),
            Scope::Namespace { namespace } => (&mut self.namespaces, namespace),
        };
        let slot = map.entry(name.clone()).or_insert(role);
        *slot = (*slot).max(role);
    }

    /// The role held on `scope`. A namespace is reached by its own grants
    /// and by its project's (`project_of` names a namespace's project).
    pub fn role_on(
        &self,
        scope: &Scope,
        project_of: &dyn Fn(&str) -> Option<String>,
    ) -> Option<Role> {
        match scope {
            Scope::Project { project } => self.projects.get(project).copied(),
            Scope::Namespace { namespace } => {
                let direct = self.namespaces.get(namespace).copied();
                let inherited = project_of(namespace).and_then(|p| self.projects.get(&p).copied());
                direct.max(inherited)
            }
        }
    }

    /// Whether no grant reaches anything.
    pub fn is_empty(&self) -> bool {
        self.projects.is_empty() && self.namespaces.is_empty()
    }
}

/// Why a grant or revocation was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DelegationRefusal {
    /// Project scope is granted only by admins and the project's owners.
    #[error("Only admins and owners of project {0} can grant roles on the whole project.")]
    ProjectNotOwned(String),
    /// Neither owner of the namespace nor a team admin holding enough there.
    #[error("You can grant roles on namespace {namespace} only up to what you hold there, and only as its owner or to members of a team you administer.")]
    NamespaceBeyondReach {
        /// The namespace asked for.
        namespace: String,
    },
}

/// Everything authorization needs to know about one signed-in user.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Permissions {
    /// The user's id.
    pub user_id: i64,
    /// Global admins manage everything.
    pub admin: bool,
    /// The user's own grants merged with those of their teams.
    pub reach: Reach,
    /// The teams the user belongs to.
    pub teams: BTreeSet<i64>,
    /// For each team the user administers: the ids of its members.
    pub team_admin_of: BTreeMap<i64, BTreeSet<i64>>,
}

impl Permissions {
    /// The role the user holds on `scope` (admins: owner everywhere).
    pub fn role_on(
        &self,
        scope: &Scope,
        project_of: &dyn Fn(&str) -> Option<String>,
    ) -> Option<Role> {
        if self.admin {
            return Some(Role::Owner);
        }
        self.reach.role_on(scope, project_of)
    }

    /// Whether the user holds at least `need` on `scope`.
    pub fn allows(
        &self,
        need: Role,
        scope: &Scope,
        project_of: &dyn Fn(&str) -> Option<String>,
    ) -> bool {
        self.role_on(scope, project_of).is_some_and(|r| r >= need)
    }

    /// Whether the user may see project `project` (a role on the project itself).
    pub fn sees_project(&self, project: &str) -> bool {
        self.admin || self.reach.projects.contains_key(project)
    }

    /// Whether the user may see namespace `namespace`, which belongs to `project`.
    pub fn sees_namespace(&self, namespace: &str, project: Option<&str>) -> bool {
        let project = project.map(str::to_owned);
        let scope = Scope::Namespace {
            namespace: namespace.to_owned(),
        };
        self.role_on(&scope, &|_| project.clone()).is_some()
    }

    /// Whether the user manages anything: admin, team admin, or owner of a scope.
    pub fn manages_anything(&self) -> bool {
        self.admin
            || !self.team_admin_of.is_empty()
            || self
                .reach
                .projects
                .values()
                .chain(self.reach.namespaces.values())
                .any(|r| *r == Role::Owner)
    }

    /// Whether the user may give `subject` the role `role` on `scope` (and,
    /// equally, take such a grant away).
    pub fn may_grant(
        &self,
        subject: Subject,
        role: Role,
        scope: &Scope,
        project_of: &dyn Fn(&str) -> Option<String>,
    ) -> Result<(), DelegationRefusal> {
        if self.admin {
            return Ok(());
        }
        match scope {
            Scope::Project { project } => {
                if self.reach.projects.get(project) == Some(&Role::Owner) {
                    Ok(())
                } else {
                    Err(DelegationRefusal::ProjectNotOwned(project.clone()))
                }
            }
            Scope::Namespace { namespace } => {
                let held = self.reach.role_on(scope, project_of);
                let owner = held == Some(Role::Owner);
                let team_delegation = held.is_some_and(|h| role <= h)
                    && self
                        .team_admin_of
                        .iter()
                        .any(|(team, members)| match subject {
                            Subject::Team(id) => id == *team,
                            Subject::User(id) => members.contains(&id),
                        });
                if owner || team_delegation {
                    Ok(())
                } else {
                    Err(DelegationRefusal::NamespaceBeyondReach {
                        namespace: namespace.clone(),
                    })
                }
            }
        }
    }

    /// Whether the user may add members to (or remove them from) `team`.
    pub fn manages_team(&self, team: i64) -> bool {
        self.admin || self.team_admin_of.contains_key(&team)
    }
}

/// The shortest and longest password accepted (OWASP ASVS 5.0: at least 8,
/// at least 64 allowed; no composition rules).
pub const PASSWORD_LENGTH: std::ops::RangeInclusive<usize> = 8..=128;

/// Checks a new password's length in characters; the server also refuses
/// the most common passwords.
pub fn check_password_length(password: &str) -> Result<(), String> {
    let n = password.chars().count();
    if n < *PASSWORD_LENGTH.start() {
        Err(format!(
            "Use at least {} characters.",
            PASSWORD_LENGTH.start()
        ))
    } else if n > *PASSWORD_LENGTH.end() {
        Err(format!("Use at most {} characters.", PASSWORD_LENGTH.end()))
    } else {
        Ok(())
    }
}

/// Checks a user or team name: 1–64 characters of letters, digits, `.`,
/// `_`, `-` and `@`, starting with a letter or digit.
pub fn check_account_name(name: &str) -> Result<(), String> {
    let ok_char = |c: char| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@');
    if name.is_empty() {
        return Err("Enter a name.".into());
    }
    if name.chars().count() > 64 {
        return Err("Use at most 64 characters.".into());
    }
    if !name
        .chars()
        .next()
        .is_some_and(|c| c.is_ascii_alphanumeric())
    {
        return Err("Start with a letter or digit.".into());
    }
    if let Some(bad) = name.chars().find(|c| !ok_char(*c)) {
        return Err(format!(
            "{bad:?} is not allowed; use letters, digits, '.', '_', '-' or '@'."
        ));
    }
    Ok(())
}

#[cfg(test)]
#[path = "access_tests.rs"]
mod tests;
