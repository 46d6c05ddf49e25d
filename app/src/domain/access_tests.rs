use super::*;

fn project(p: &str) -> Scope {
    Scope::Project { project: p.into() }
}

fn namespace(n: &str) -> Scope {
    Scope::Namespace {
        namespace: n.into(),
    }
}

/// `payments-dev` and `payments-prod` are in project `payments`.
fn project_of(ns: &str) -> Option<String> {
    ns.starts_with("payments-").then(|| "payments".to_owned())
}

fn user(reach: &[(Scope, Role)]) -> Permissions {
    let mut p = Permissions {
        user_id: 7,
        ..Default::default()
    };
    for (scope, role) in reach {
        p.reach.add(scope, *role);
    }
    p
}

#[test]
fn a_project_grant_reaches_its_namespaces_but_not_others() {
    let p = user(&[(project("payments"), Role::Viewer)]);
    assert_eq!(
        p.role_on(&namespace("payments-dev"), &project_of),
        Some(Role::Viewer)
    );
    assert_eq!(p.role_on(&namespace("shop-dev"), &project_of), None);
    assert!(p.sees_namespace("payments-prod", Some("payments")));
    assert!(
        !p.sees_namespace("payments-prod", None),
        "a namespace that left the project is out of reach"
    );
    assert!(p.sees_project("payments"));
    assert!(!p.sees_project("shop"));
}

#[test]
fn the_highest_role_wins_and_roles_include_weaker_ones() {
    let mut p = user(&[
        (project("payments"), Role::Viewer),
        (namespace("payments-dev"), Role::Editor),
    ]);
    p.reach.add(&project("payments"), Role::Viewer);
    assert!(p.allows(Role::Editor, &namespace("payments-dev"), &project_of));
    assert!(p.allows(Role::Viewer, &namespace("payments-dev"), &project_of));
    assert!(!p.allows(Role::Editor, &namespace("payments-prod"), &project_of));
    assert!(!p.allows(Role::Editor, &project("payments"), &project_of));
    p.reach.add(&project("payments"), Role::Owner);
    p.reach.add(&project("payments"), Role::Viewer);
    assert_eq!(
        p.reach.projects["payments"],
        Role::Owner,
        "adding a weaker role keeps the stronger"
    );
}

#[test]
fn admins_hold_owner_everywhere() {
    let p = Permissions {
        admin: true,
        ..Default::default()
    };
    assert_eq!(
        p.role_on(&namespace("anything"), &project_of),
        Some(Role::Owner)
    );
    assert!(p
        .may_grant(Subject::Team(3), Role::Owner, &project("x"), &project_of)
        .is_ok());
    assert!(p.manages_anything() && p.manages_team(99));
}

#[test]
fn project_scope_is_granted_only_by_its_owners() {
    let owner = user(&[(project("payments"), Role::Owner)]);
    assert!(owner
        .may_grant(
            Subject::User(1),
            Role::Owner,
            &project("payments"),
            &project_of
        )
        .is_ok());
    assert_eq!(
        owner.may_grant(
            Subject::User(1),
            Role::Viewer,
            &project("shop"),
            &project_of
        ),
        Err(DelegationRefusal::ProjectNotOwned("shop".into()))
    );
    let editor = user(&[(project("payments"), Role::Editor)]);
    assert!(editor
        .may_grant(
            Subject::User(1),
            Role::Viewer,
            &project("payments"),
            &project_of
        )
        .is_err());
    let ns_owner = user(&[(namespace("payments-dev"), Role::Owner)]);
    assert!(
        ns_owner
            .may_grant(
                Subject::User(1),
                Role::Viewer,
                &project("payments"),
                &project_of
            )
            .is_err(),
        "owning one namespace does not reach the project"
    );
}

#[test]
fn owners_grant_namespaces_inside_what_they_own_to_anyone() {
    let owner = user(&[(project("payments"), Role::Owner)]);
    assert!(owner
        .may_grant(
            Subject::Team(4),
            Role::Owner,
            &namespace("payments-dev"),
            &project_of
        )
        .is_ok());
    assert!(owner
        .may_grant(
            Subject::User(4),
            Role::Editor,
            &namespace("shop-dev"),
            &project_of
        )
        .is_err());
    let ns_owner = user(&[(namespace("shop-dev"), Role::Owner)]);
    assert!(ns_owner
        .may_grant(
            Subject::User(4),
            Role::Viewer,
            &namespace("shop-dev"),
            &project_of
        )
        .is_ok());
    assert!(ns_owner
        .may_grant(
            Subject::User(4),
            Role::Viewer,
            &namespace("shop-prod"),
            &project_of
        )
        .is_err());
}

#[test]
fn team_admins_delegate_to_their_members_up_to_their_own_role() {
    let mut lead = user(&[(project("payments"), Role::Editor)]);
    lead.team_admin_of.insert(10, [21, 22].into());
    let dev = namespace("payments-dev");
    assert!(lead
        .may_grant(Subject::User(21), Role::Viewer, &dev, &project_of)
        .is_ok());
    assert!(lead
        .may_grant(Subject::User(22), Role::Editor, &dev, &project_of)
        .is_ok());
    assert!(lead
        .may_grant(Subject::Team(10), Role::Viewer, &dev, &project_of)
        .is_ok());
    assert!(
        lead.may_grant(Subject::User(21), Role::Owner, &dev, &project_of)
            .is_err(),
        "never beyond the team admin's own role"
    );
    assert!(
        lead.may_grant(Subject::User(99), Role::Viewer, &dev, &project_of)
            .is_err(),
        "only to members of the team"
    );
    assert!(lead
        .may_grant(Subject::Team(11), Role::Viewer, &dev, &project_of)
        .is_err());
    assert!(
        lead.may_grant(
            Subject::User(21),
            Role::Viewer,
            &namespace("shop-dev"),
            &project_of
        )
        .is_err(),
        "only where the team admin holds a role"
    );
    assert!(
        lead.may_grant(
            Subject::User(21),
            Role::Viewer,
            &project("payments"),
            &project_of
        )
        .is_err(),
        "team admins grant namespace scope only"
    );
    assert!(lead.manages_team(10) && !lead.manages_team(11));
}

#[test]
fn a_user_without_grants_reaches_nothing() {
    let p = user(&[]);
    assert!(p.reach.is_empty());
    assert!(!p.manages_anything());
    assert!(!p.sees_namespace("payments-dev", Some("payments")));
    assert!(p
        .may_grant(
            Subject::User(7),
            Role::Viewer,
            &namespace("payments-dev"),
            &project_of
        )
        .is_err());
}

#[test]
fn password_length_counts_characters_not_bytes() {
    assert!(check_password_length("1234567").is_err());
    assert!(
        check_password_length("ééééééé").is_err(),
        "7 characters, 14 bytes"
    );
    assert!(check_password_length("éééééééé").is_ok());
    assert!(check_password_length(&"x".repeat(128)).is_ok());
    assert_eq!(
        check_password_length(&"x".repeat(129)),
        Err("Use at most 128 characters.".into())
    );
}

#[test]
fn account_names_are_plain() {
    assert!(check_account_name("alice").is_ok());
    assert!(check_account_name("a.b-c_d@example.com").is_ok());
    assert!(check_account_name("").is_err());
    assert!(check_account_name("-alice").is_err());
    assert!(check_account_name("al ice").unwrap_err().contains("' '"));
    assert!(check_account_name(&"a".repeat(65)).is_err());
}

#[test]
fn roles_round_trip_their_names() {
    for role in Role::ALL {
        assert_eq!(Role::parse(role.as_str()), Some(role));
    }
    assert_eq!(Role::parse("admin"), None);
    assert!(Role::Viewer < Role::Editor && Role::Editor < Role::Owner);
}
