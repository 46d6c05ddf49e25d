//! Sign-in instruments: every attempt at `/api/login` by how it ended. A
//! throttled attempt is one outcome, counted before any password check.

use std::fmt::Write as _;

use prometheus_client::encoding::{EncodeLabelSet, EncodeLabelValue, LabelValueEncoder};
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::registry::Registry;
use regboard_app::AppError;

/// How a sign-in ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum SignInOutcome {
    /// Signed in.
    Success,
    /// Wrong name or password, or a disabled account (one answer for all).
    Failure,
    /// Refused by the login throttle before the password was checked.
    Throttled,
    /// Every password-check slot was busy (503 with Retry-After).
    Busy,
    /// Something failed on regboard's side.
    Error,
}

impl SignInOutcome {
    /// Every outcome, so each series exists from the start.
    pub const ALL: [Self; 5] = [
        Self::Success,
        Self::Failure,
        Self::Throttled,
        Self::Busy,
        Self::Error,
    ];

    /// The label value.
    pub fn label(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Failure => "failure",
            Self::Throttled => "throttled",
            Self::Busy => "busy",
            Self::Error => "error",
        }
    }

    /// The outcome of a refused sign-in answered with `error`.
    pub fn of_refusal(error: &AppError) -> Self {
        match error {
            AppError::Unauthenticated(_) => Self::Failure,
            AppError::TooManyAttempts { .. } => Self::Throttled,
            AppError::Busy { .. } => Self::Busy,
            _ => Self::Error,
        }
    }
}

impl EncodeLabelValue for SignInOutcome {
    fn encode(&self, encoder: &mut LabelValueEncoder) -> Result<(), std::fmt::Error> {
        encoder.write_str(self.label())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, EncodeLabelSet)]
struct OutcomeLabels {
    outcome: SignInOutcome,
}

/// The sign-in counts; cheap to clone (clones count into the same series).
#[derive(Clone, Debug)]
pub struct SignInMetrics {
    signins: Family<OutcomeLabels, Counter>,
}

impl Default for SignInMetrics {
    fn default() -> Self {
        let signins = Family::default();
        for outcome in SignInOutcome::ALL {
            drop(signins.get_or_create(&OutcomeLabels { outcome }));
        }
        Self { signins }
    }
}

impl SignInMetrics {
    /// Adds the instruments to `registry`.
    pub(super) fn register(&self, registry: &mut Registry) {
        registry.register(
            "signins",
            "Sign-in attempts by outcome (success, failure, throttled, busy, error)",
            self.signins.clone(),
        );
    }

    /// Counts one attempt that ended with `outcome`.
    pub fn count(&self, outcome: SignInOutcome) {
        self.signins.get_or_create(&OutcomeLabels { outcome }).inc();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_map_to_their_outcome() {
        let wrong = AppError::Unauthenticated("wrong".into());
        let throttled = AppError::TooManyAttempts {
            retry_after_secs: 1,
        };
        assert_eq!(SignInOutcome::of_refusal(&wrong), SignInOutcome::Failure);
        assert_eq!(
            SignInOutcome::of_refusal(&throttled),
            SignInOutcome::Throttled
        );
    }
}
