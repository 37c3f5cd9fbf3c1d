//! Guessing and mail-bombing limits: each operation may be tried a number of
//! times per window, counted per client IP and per target (the e-mail
//! address, or the user). A correct password clears its target's count, so
//! a person who mistyped twice is not locked out with an attacker.
//!
//! Counters are fixed windows in a bounded `moka` cache (entries leave when
//! their window ends), written here rather than taken from `governor`
//! because clearing one key on success and the Redis form of the same
//! counter (INCR with EXPIRE) need exactly this shape.

use super::AccountError;
use std::net::IpAddr;
use std::time::{Duration, Instant};

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Operation {
    SignIn,
    SignUp,
    Mail,
}

/// How many tries a window allows, per IP and per target.
#[derive(Clone, Copy, Debug)]
pub struct Budget {
    pub per_ip: u32,
    pub per_target: u32,
    pub window: Duration,
}

impl Operation {
    fn name(self) -> &'static str {
        match self {
            Operation::SignIn => "sign_in",
            Operation::SignUp => "sign_up",
            Operation::Mail => "mail",
        }
    }

    pub fn default_budget(self) -> Budget {
        match self {
            Operation::SignIn => Budget {
                per_ip: 50,
                per_target: 5,
                window: Duration::from_secs(15 * 60),
            },
            Operation::SignUp => Budget {
                per_ip: 20,
                per_target: 3,
                window: Duration::from_secs(60 * 60),
            },
            Operation::Mail => Budget {
                per_ip: 20,
                per_target: 3,
                window: Duration::from_secs(60 * 60),
            },
        }
    }
}

/// One key's window: when it began and the tries in it.
#[derive(Clone, Copy, Debug)]
struct Window {
    started: Instant,
    tries: u32,
}

pub struct Limits {
    windows: moka::sync::Cache<String, Window>,
    budgets: fn(Operation) -> Budget,
}

impl Default for Limits {
    fn default() -> Self {
        Limits::new(Operation::default_budget)
    }
}

impl Limits {
    pub fn new(budgets: fn(Operation) -> Budget) -> Limits {
        Limits {
            windows: moka::sync::Cache::builder()
                .max_capacity(200_000)
                .time_to_live(Duration::from_secs(60 * 60))
                .build(),
            budgets,
        }
    }

    /// Counts one try of `operation` from `ip` at `target`; refuses it with
    /// the seconds to wait when either count is over budget.
    pub fn check(
        &self,
        operation: Operation,
        ip: IpAddr,
        target: &str,
    ) -> Result<(), AccountError> {
        let budget = (self.budgets)(operation);
        let by_ip = self.count(format!("{}|ip|{ip}", operation.name()), budget.window);
        let by_target = self.count(target_key(operation, target), budget.window);
        let over = [(by_ip, budget.per_ip), (by_target, budget.per_target)]
            .into_iter()
            .filter(|((tries, _), limit)| tries > limit)
            .map(|((_, left), _)| left.as_secs().max(1))
            .max();
        match over {
            Some(seconds) => Err(AccountError::TooMany(seconds)),
            None => Ok(()),
        }
    }

    /// Clears a target's count (its owner proved who they are).
    pub fn forgive(&self, operation: Operation, target: &str) {
        self.windows.invalidate(&target_key(operation, target));
    }

    /// Adds a try to `key`'s window; the tries so far and the time left.
    fn count(&self, key: String, window: Duration) -> (u32, Duration) {
        let now = Instant::now();
        let entry = self
            .windows
            .entry(key)
            .and_upsert_with(|current| match current {
                Some(entry) if now.duration_since(entry.value().started) < window => Window {
                    started: entry.value().started,
                    tries: entry.value().tries.saturating_add(1),
                },
                _ => Window {
                    started: now,
                    tries: 1,
                },
            });
        let value = entry.into_value();
        let left = window.saturating_sub(now.duration_since(value.started));
        (value.tries, left)
    }
}

fn target_key(operation: Operation, target: &str) -> String {
    format!(
        "{}|to|{}",
        operation.name(),
        crate::storage::users::unique_key(target)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tight(_: Operation) -> Budget {
        Budget {
            per_ip: 4,
            per_target: 2,
            window: Duration::from_secs(60),
        }
    }

    const IP: IpAddr = IpAddr::V4(std::net::Ipv4Addr::LOCALHOST);

    #[test]
    fn a_target_gets_its_budget_then_waits() {
        let limits = Limits::new(tight);
        assert!(
            limits
                .check(Operation::SignIn, IP, "Kim@Example.kr")
                .is_ok()
        );
        assert!(
            limits
                .check(Operation::SignIn, IP, "kim@example.kr")
                .is_ok()
        );
        match limits.check(Operation::SignIn, IP, "kim@example.kr") {
            Err(AccountError::TooMany(seconds)) => assert!((1..=60).contains(&seconds)),
            other => panic!("{other:?}"),
        }
        // Another address from the same IP still has its own budget.
        assert!(
            limits
                .check(Operation::SignIn, IP, "lee@example.kr")
                .is_ok()
        );
        // And another operation is counted apart.
        assert!(limits.check(Operation::Mail, IP, "kim@example.kr").is_ok());
    }

    #[test]
    fn one_ip_cannot_spread_guesses_over_many_targets() {
        let limits = Limits::new(tight);
        for n in 0..4 {
            assert!(
                limits
                    .check(Operation::SignIn, IP, &format!("u{n}@example.kr"))
                    .is_ok()
            );
        }
        assert!(
            limits
                .check(Operation::SignIn, IP, "u9@example.kr")
                .is_err()
        );
    }

    #[test]
    fn a_correct_password_forgives_its_target() {
        let limits = Limits::new(tight);
        limits
            .check(Operation::SignIn, IP, "kim@example.kr")
            .unwrap();
        limits
            .check(Operation::SignIn, IP, "kim@example.kr")
            .unwrap();
        limits.forgive(Operation::SignIn, "KIM@example.kr");
        assert!(
            limits
                .check(Operation::SignIn, IP, "kim@example.kr")
                .is_ok()
        );
    }
}
