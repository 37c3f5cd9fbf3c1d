//! The KRX rules the engine enforces. They live in `app::rules` because the
//! order ticket must step and estimate with exactly the same arithmetic;
//! this module is the engine's name for them.

pub use app::rules::*;
