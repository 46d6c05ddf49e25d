//! The reconciler's own words for how a copy stands and what a pass did,
//! converted to the wire type only where the registry service hands the
//! status to the browser.

use regboard_app::model::registries::{SyncState, SyncSummary};

/// How one namespace stands for a project registry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CopyState {
    /// The copy exists and matches the source.
    Synced,
    /// The copy is not there yet, or not updated yet.
    Pending,
    /// A Secret regboard does not own has the name; it is left untouched.
    Conflict {
        /// The foreign Secret's type.
        secret_type: String,
        /// It carries regboard's labels without regboard's proof (copied,
        /// renamed or labelled by hand).
        forged: bool,
    },
    /// The last attempt failed.
    Error {
        /// What went wrong, as a sentence.
        message: String,
    },
}

impl From<&CopyState> for SyncState {
    fn from(state: &CopyState) -> Self {
        match state {
            CopyState::Synced => SyncState::Synced,
            CopyState::Pending => SyncState::Pending,
            CopyState::Conflict {
                secret_type,
                forged,
            } => SyncState::Conflict {
                secret_type: secret_type.clone(),
                forged: *forged,
            },
            CopyState::Error { message } => SyncState::Error {
                message: message.clone(),
            },
        }
    }
}

/// The per-state counts of `states` (for metrics).
pub fn summarize<'a>(states: impl Iterator<Item = &'a CopyState>) -> SyncSummary {
    let mut summary = SyncSummary::default();
    for state in states {
        *match state {
            CopyState::Synced => &mut summary.synced,
            CopyState::Pending => &mut summary.pending,
            CopyState::Conflict { .. } => &mut summary.conflict,
            CopyState::Error { .. } => &mut summary.error,
        } += 1;
    }
    summary
}

/// What one operation did, for the log and the audit row of the pass.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Action {
    /// A copy was created.
    Created,
    /// A copy was replaced with the source's content.
    Updated,
    /// A copy nobody wants any more was deleted (or was already gone).
    Deleted,
    /// A foreign Secret holds the name.
    Conflict,
    /// The operation failed.
    Failed,
    /// The object changed since the snapshot; the next pass sees it. Not
    /// audited: nothing happened yet.
    Retry,
}

impl Action {
    /// The outcome label of the operation count (`crate::metrics`).
    pub fn label(self) -> &'static str {
        match self {
            Action::Created => "created",
            Action::Updated => "updated",
            Action::Deleted => "deleted",
            Action::Conflict => "conflict",
            Action::Failed => "failed",
            Action::Retry => "retry",
        }
    }
}
