//! Authentication building blocks without knowledge of users or HTTP:
//! password hashing and rules, login throttling, the setup token, session
//! limits, and the clock they are measured with.

mod clock;
mod common;
mod password;
mod session;
mod setup;
mod throttle;

pub use clock::Clock;
pub use password::{check_new_password, Passwords};
pub use session::{AuthRecord, SessionPolicy, UserState, Verdict};
pub use setup::{SetupToken, SETUP_TOKEN_TTL};
pub use throttle::{Attempt, LoginThrottle, ThrottleLimits};
