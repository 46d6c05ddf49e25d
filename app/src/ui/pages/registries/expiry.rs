//! "Valid until" on the registry pages: a badge saying "expires in 5h" or
//! "expired 2d ago", styled by how urgent it is.

use leptos::prelude::*;

use crate::domain::credential::expiry::{format_utc, Expiry};

/// The badge for `expiry` (nothing without a "valid until"); `until`, when
/// given, is shown as its title.
#[component]
pub(super) fn ExpiryBadge(
    expiry: Option<Expiry>,
    #[prop(optional)] until: Option<i64>,
) -> impl IntoView {
    expiry.map(|e| {
        let class = match e {
            Expiry::Valid { .. } => "badge state",
            Expiry::Soon { .. } => "badge state state-pending",
            Expiry::Expired { .. } => "badge state state-error",
        };
        view! {
            <span class=class data-testid="expiry" data-expiry=e.level()
                title=until.map(|u| format!("valid until {}", format_utc(u)))>
                {e.label()}
            </span>
        }
    })
}
