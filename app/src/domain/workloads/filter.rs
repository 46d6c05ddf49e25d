//! Filtering and ordering Workloads rows: by registry host, by pull state,
//! by a search for a pod name or an image reference; sorted by namespace,
//! name, state or owner.

use super::rows::PodRow;
use crate::domain::hosts::normalize_host;
use crate::domain::image_ref::ImageRef;

/// The sort keys, with their labels.
pub const SORTS: [(&str, &str); 4] = [
    ("namespace", "Namespace"),
    ("name", "Pod name"),
    ("state", "Failing first"),
    ("owner", "Owner"),
];

/// What the rows are filtered by (blank: any).
#[derive(Debug, Clone, Copy, Default)]
pub struct PodFilter<'a> {
    /// Registry host contains this (compared in canonical form).
    pub host: Option<&'a str>,
    /// A state filter value ([`super::state::STATE_FILTERS`]).
    pub state: Option<&'a str>,
    /// A pod name (part of one) or an image reference.
    pub search: Option<&'a str>,
}

impl PodFilter<'_> {
    /// Whether `row` passes every filter.
    pub fn keeps(&self, row: &PodRow) -> bool {
        let host_ok = self
            .host
            .map(str::trim)
            .filter(|h| !h.is_empty())
            .is_none_or(|want| {
                let want = normalize_host(want);
                row.hosts().iter().any(|h| h.contains(&want))
            });
        let state_ok = self.state.is_none_or(|f| row.state.matches_filter(f));
        let search_ok = self
            .search
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .is_none_or(|s| matches_search(row, s));
        host_ok && state_ok && search_ok
    }
}

/// Whether `row` is the pod `search` names (part of its name) or runs the
/// image it names: `app` finds `docker.io/library/app` under any tag;
/// `app:v1` only that tag.
pub fn matches_search(row: &PodRow, search: &str) -> bool {
    if row.name.contains(search) {
        return true;
    }
    let Ok(wanted) = ImageRef::parse(search) else {
        return row.containers.iter().any(|c| c.image.contains(search));
    };
    let last = search.rsplit('/').next().unwrap_or(search);
    let pinned = last.contains(':') || search.contains('@');
    row.containers.iter().any(|c| {
        let Ok(have) = ImageRef::parse(&c.image) else {
            return false;
        };
        let same_repo = normalize_host(have.registry()) == normalize_host(wanted.registry())
            && have.repository() == wanted.repository();
        same_repo && (!pinned || have == wanted)
    })
}

/// Sorts `rows` by `sort` (a key of [`SORTS`]; namespace then name by default).
pub fn sort_rows(rows: &mut [PodRow], sort: Option<&str>) {
    let by_place = |a: &PodRow, b: &PodRow| (&a.namespace, &a.name).cmp(&(&b.namespace, &b.name));
    match sort {
        Some("name") => rows.sort_by(|a, b| a.name.cmp(&b.name).then(by_place(a, b))),
        Some("state") => {
            rows.sort_by(|a, b| a.state.rank().cmp(&b.state.rank()).then(by_place(a, b)))
        }
        Some("owner") => rows.sort_by(|a, b| {
            (&a.namespace, &a.owner)
                .cmp(&(&b.namespace, &b.owner))
                .then(a.name.cmp(&b.name))
        }),
        _ => rows.sort_by(by_place),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::workloads::rows::pod_row;
    use crate::domain::workloads::rows::tests::pod;
    use crate::domain::workloads::{NamespaceFacts, PullState};

    fn rows() -> Vec<PodRow> {
        let ns = NamespaceFacts::default();
        vec![
            pod_row(&pod("web-1", &["nginx:1.27"], &[], PullState::Running), &ns),
            pod_row(
                &pod(
                    "api-1",
                    &["ghcr.io/acme/api:2"],
                    &[],
                    PullState::ImagePullBackOff,
                ),
                &ns,
            ),
            pod_row(
                &pod("job-1", &["registry.local:5000/x"], &[], PullState::Pending),
                &ns,
            ),
        ]
    }

    fn names(rows: &[PodRow], filter: PodFilter) -> Vec<String> {
        rows.iter()
            .filter(|r| filter.keeps(r))
            .map(|r| r.name.clone())
            .collect()
    }

    #[test]
    fn filters_by_host_state_and_search() {
        let rows = rows();
        let host = |h| PodFilter {
            host: Some(h),
            ..Default::default()
        };
        assert_eq!(names(&rows, host("ghcr")), ["api-1"]);
        assert_eq!(names(&rows, host("https://index.docker.io/v1/")), ["web-1"]);
        assert_eq!(names(&rows, host("local:5000")), ["job-1"]);
        let state = PodFilter {
            state: Some("failing"),
            ..Default::default()
        };
        assert_eq!(names(&rows, state), ["api-1"]);
        let search = |s| PodFilter {
            search: Some(s),
            ..Default::default()
        };
        assert_eq!(names(&rows, search("web")), ["web-1"]);
        assert_eq!(names(&rows, search("nginx")), ["web-1"]);
        assert_eq!(names(&rows, search("docker.io/library/nginx")), ["web-1"]);
        assert_eq!(names(&rows, search("nginx:1.27")), ["web-1"]);
        assert!(names(&rows, search("nginx:1.26")).is_empty());
        assert_eq!(names(&rows, search("ghcr.io/acme/api")), ["api-1"]);
        assert_eq!(names(&rows, search("registry.local:5000/x")), ["job-1"]);
    }

    #[test]
    fn sorts_failing_first_or_by_name() {
        let mut rows = rows();
        sort_rows(&mut rows, Some("state"));
        assert_eq!(rows[0].name, "api-1");
        sort_rows(&mut rows, Some("name"));
        let order: Vec<&str> = rows.iter().map(|r| r.name.as_str()).collect();
        assert_eq!(order, ["api-1", "job-1", "web-1"]);
    }
}
