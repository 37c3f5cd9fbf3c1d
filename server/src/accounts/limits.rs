//! Guessing and mail-bombing limits: each operation may be tried a number of
//! times per window, counted per client IP and per target (the e-mail
//! address, or the user). Password guesses count the target per IP: six
//! wrong passwords from one address must not lock the owner out from
//! another (docs/SECURITY.md compares this with OWASP's advice). A correct
//! password clears its count, so a person who mistyped twice is not locked
//! out with an attacker.
//!
//! The counting itself is [`crate::counters`]' (fixed windows, in Redis
//! when `REDIS_URL` is set).

use super::AccountError;
use crate::counters::Counters;
use std::net::IpAddr;
use std::time::Duration;

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

    /// Whether the target is counted per IP: for guesses, so nobody can
    /// lock another person out; mails are counted per address whoever
    /// asks, so nobody can flood a mailbox from many addresses.
    fn target_per_ip(self) -> bool {
        matches!(self, Operation::SignIn)
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

pub struct Limits {
    counters: Counters,
    budgets: fn(Operation) -> Budget,
}

impl Limits {
    pub fn new(
        budgets: fn(Operation) -> Budget,
        redis: Option<(redis::aio::ConnectionManager, String)>,
    ) -> Limits {
        Limits {
            counters: Counters::new(redis),
            budgets,
        }
    }

    /// Counts one try of `operation` from `ip` at `target`; refuses it with
    /// the seconds to wait when either count is over budget.
    pub async fn check(
        &self,
        operation: Operation,
        ip: IpAddr,
        target: &str,
    ) -> Result<(), AccountError> {
        let budget = (self.budgets)(operation);
        let by_ip = (self.counters)
            .count(format!("{}|ip|{ip}", operation.name()), budget.window)
            .await;
        let by_target = (self.counters)
            .count(target_key(operation, ip, target), budget.window)
            .await;
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

    /// Clears a target's count from `ip` (its owner proved who they are).
    pub async fn forgive(&self, operation: Operation, ip: IpAddr, target: &str) {
        (self.counters)
            .clear(&target_key(operation, ip, target))
            .await;
    }
}

fn target_key(operation: Operation, ip: IpAddr, target: &str) -> String {
    let target = crate::storage::users::unique_key(target);
    if operation.target_per_ip() {
        format!("{}|from|{ip}|to|{target}", operation.name())
    } else {
        format!("{}|to|{target}", operation.name())
    }
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

    /// Redis keys under one test's own prefix, removed when it ends
    /// (even by a failed assertion).
    struct TestKeys(String);

    impl Drop for TestKeys {
        fn drop(&mut self) {
            let Ok(mut redis) =
                redis::Client::open("redis://127.0.0.1:6379").and_then(|c| c.get_connection())
            else {
                return;
            };
            let keys: Vec<String> = redis::cmd("KEYS")
                .arg(format!("{}*", self.0))
                .query(&mut redis)
                .unwrap_or_default();
            if !keys.is_empty() {
                let _: redis::RedisResult<()> = redis::cmd("DEL").arg(keys).query(&mut redis);
            }
        }
    }

    /// Runs `check` against in-process counters, then against Redis
    /// counters under a key prefix of its own.
    async fn both_kinds(check: impl AsyncFn(Limits)) {
        static TESTS: std::sync::atomic::AtomicU64 = std::sync::atomic::AtomicU64::new(0);
        check(Limits::new(tight, None)).await;
        let n = TESTS.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let keys = TestKeys(format!(
            "gaemi-test-limits-{}-{}-{n}:",
            std::process::id(),
            crate::now_ms()
        ));
        let connection = redis::Client::open("redis://127.0.0.1:6379")
            .unwrap()
            .get_connection_manager()
            .await
            .expect("Redis runs at 127.0.0.1:6379");
        check(Limits::new(tight, Some((connection, keys.0.clone())))).await;
    }

    #[tokio::test]
    async fn a_target_gets_its_budget_then_waits() {
        both_kinds(async |limits: Limits| {
            let check = async |target: &str| limits.check(Operation::SignIn, IP, target).await;
            assert!(check("Kim@Example.kr").await.is_ok());
            assert!(check("kim@example.kr").await.is_ok());
            match check("kim@example.kr").await {
                Err(AccountError::TooMany(seconds)) => assert!((1..=60).contains(&seconds)),
                other => panic!("{other:?}"),
            }
            // Another address from the same IP still has its own budget.
            assert!(check("lee@example.kr").await.is_ok());
            // And another operation is counted apart.
            assert!(
                limits
                    .check(Operation::Mail, IP, "kim@example.kr")
                    .await
                    .is_ok()
            );
        })
        .await;
    }

    /// Guesses from one address do not lock the target's owner out from
    /// another; mails to one address are counted whoever asks.
    #[tokio::test]
    async fn guesses_count_per_address_and_mails_per_mailbox() {
        both_kinds(async |limits: Limits| {
            const OTHER: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 7));
            for _ in 0..3 {
                let _ = limits.check(Operation::SignIn, IP, "kim@example.kr").await;
            }
            assert!(
                limits
                    .check(Operation::SignIn, IP, "kim@example.kr")
                    .await
                    .is_err()
            );
            assert!(
                limits
                    .check(Operation::SignIn, OTHER, "kim@example.kr")
                    .await
                    .is_ok()
            );
            limits
                .check(Operation::Mail, IP, "kim@example.kr")
                .await
                .unwrap();
            limits
                .check(Operation::Mail, OTHER, "kim@example.kr")
                .await
                .unwrap();
            assert!(
                limits
                    .check(Operation::Mail, OTHER, "kim@example.kr")
                    .await
                    .is_err()
            );
        })
        .await;
    }

    #[tokio::test]
    async fn one_ip_cannot_spread_guesses_over_many_targets() {
        both_kinds(async |limits: Limits| {
            for n in 0..4 {
                let target = format!("u{n}@example.kr");
                assert!(limits.check(Operation::SignIn, IP, &target).await.is_ok());
            }
            assert!(
                limits
                    .check(Operation::SignIn, IP, "u9@example.kr")
                    .await
                    .is_err()
            );
        })
        .await;
    }

    #[tokio::test]
    async fn a_correct_password_forgives_its_target() {
        both_kinds(async |limits: Limits| {
            let check = async || limits.check(Operation::SignIn, IP, "kim@example.kr").await;
            check().await.unwrap();
            check().await.unwrap();
            limits
                .forgive(Operation::SignIn, IP, "KIM@example.kr")
                .await;
            assert!(check().await.is_ok());
        })
        .await;
    }
}
