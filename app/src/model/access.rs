//! Accounts, sessions, teams and grants: the wire types of their server functions.
//!
//! Signing in and out and the first-admin setup are public; everything else
//! needs a signed-in user, and the service checks delegation rules
//! (`domain::access`) against the caller's own grants before any change.

use serde::{Deserialize, Serialize};

use crate::domain::access::{Role, Subject};
use crate::domain::scope::Scope;

/// The signed-in user as the browser sees them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CurrentUser {
    /// The user's id.
    pub id: i64,
    /// The user's name.
    pub name: String,
    /// Global admin: manages users, teams, projects and every grant.
    pub admin: bool,
    /// Whether the user administers a team or owns a scope (and so has
    /// something to do on the Access page beyond reading their grants).
    pub manages: bool,
}

/// One account, as the Access page lists it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UserView {
    /// The user's id.
    pub id: i64,
    /// The user's name.
    pub name: String,
    /// Global admin.
    pub admin: bool,
    /// Disabled users cannot sign in and have no sessions.
    pub disabled: bool,
    /// When the account was created (UTC, RFC 3339).
    pub created_at: String,
}

/// One member of a team.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct MemberView {
    /// The member's user id.
    pub user_id: i64,
    /// The member's name.
    pub name: String,
    /// Team admins add and remove members and delegate namespace scope to them.
    pub team_admin: bool,
}

/// One team with its members.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TeamView {
    /// The team's id.
    pub id: i64,
    /// The team's name.
    pub name: String,
    /// Its members, by name.
    pub members: Vec<MemberView>,
}

/// One grant.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct GrantView {
    /// The grant's id.
    pub id: i64,
    /// Who holds it.
    pub subject: Subject,
    /// The user's or team's name.
    pub subject_name: String,
    /// What it allows.
    pub role: Role,
    /// Where.
    pub scope: Scope,
    /// Who gave it.
    pub granted_by: String,
    /// When (UTC, RFC 3339).
    pub created_at: String,
    /// Whether the caller may revoke it.
    pub revocable: bool,
}

/// What the Access page shows the caller: admins see everything; others
/// see their own grants, their teams, and the grants inside what they
/// manage (plus the user names they may grant to).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AccessOverview {
    /// The caller.
    pub me: CurrentUser,
    /// Accounts the caller may see (all for admins and managers, else only
    /// themselves).
    pub users: Vec<UserView>,
    /// Teams the caller may see (all for admins, else their own).
    pub teams: Vec<TeamView>,
    /// Grants the caller may see, newest first.
    pub grants: Vec<GrantView>,
}
