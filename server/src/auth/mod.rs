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
pub use common::is_common;
pub use password::{check_new_password, Passwords, ITERATIONS, MEMORY_KIB, PARALLELISM};
pub use session::{AuthRecord, SessionPolicy, UserState, Verdict, COOKIE_NAME, TOUCH_EVERY_MS};
pub use setup::{SetupToken, SETUP_TOKEN_TTL};
pub use throttle::{LoginThrottle, ThrottleLimits};
