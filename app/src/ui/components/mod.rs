//! Small pieces shared by several pages: badges, error messages next to
//! fields, a confirmation panel and a hydration flag.

mod badges;
mod confirm;
mod errors;
mod hydrated;
mod time;

pub use badges::{ScopeBadge, StateBadge, SyncSummaryView};
pub use confirm::ConfirmPanel;
pub use errors::{field_message, general_message, ErrorNotice, FieldError};
pub use hydrated::use_hydrated;
pub use time::now_unix;
