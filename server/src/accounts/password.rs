//! Password hashing with argon2id at OWASP's parameters (19 MiB, 2 passes,
//! 1 lane). Each hash costs tens of milliseconds of one core, so it runs on
//! the blocking pool, never on the async runtime, and at most a few at once:
//! a burst of sign-ins waits its turn instead of taking every core (and
//! 19 MiB each) from order entry.

use argon2::password_hash::rand_core::OsRng;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::{Algorithm, Argon2, Params, Version};
use std::sync::Arc;
use tokio::sync::Semaphore;

#[derive(Debug, thiserror::Error)]
pub enum HashError {
    #[error("password hashing failed: {0}")]
    Hash(String),
    #[error("the hashing task stopped: {0}")]
    Task(#[from] tokio::task::JoinError),
}

#[derive(Clone)]
pub struct Passwords {
    params: Params,
    permits: Arc<Semaphore>,
}

impl Passwords {
    /// OWASP's argon2id recommendation (m = 19 MiB, t = 2, p = 1), with at
    /// most `concurrent` hashes at a time.
    pub fn owasp(concurrent: usize) -> Passwords {
        Passwords::with_params(
            Params::new(19 * 1024, 2, 1, None).expect("OWASP parameters are valid"),
            concurrent,
        )
    }

    /// Cheap parameters for tests that hash many passwords.
    pub fn with_params(params: Params, concurrent: usize) -> Passwords {
        Passwords {
            params,
            permits: Arc::new(Semaphore::new(concurrent.max(1))),
        }
    }

    fn argon2(params: Params) -> Argon2<'static> {
        Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
    }

    /// A PHC string (`$argon2id$v=19$m=...`) with a fresh random salt.
    pub async fn hash(&self, password: &str) -> Result<String, HashError> {
        let _permit = self.permits.acquire().await.expect("never closed");
        let params = self.params.clone();
        let password = password.to_owned();
        tokio::task::spawn_blocking(move || {
            let salt = SaltString::generate(&mut OsRng);
            Passwords::argon2(params)
                .hash_password(password.as_bytes(), &salt)
                .map(|hash| hash.to_string())
                .map_err(|err| HashError::Hash(err.to_string()))
        })
        .await?
    }

    /// Whether `password` matches `phc`. The parameters are read from the
    /// stored hash, so raising them later keeps old hashes verifiable.
    pub async fn verify(&self, password: &str, phc: &str) -> Result<bool, HashError> {
        let _permit = self.permits.acquire().await.expect("never closed");
        let password = password.to_owned();
        let phc = phc.to_owned();
        tokio::task::spawn_blocking(move || {
            let parsed = PasswordHash::new(&phc).map_err(|err| HashError::Hash(err.to_string()))?;
            Ok(Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok())
        })
        .await?
    }

    /// Spends the time of one verification without a stored hash, so an
    /// unknown e-mail answers as slowly as a wrong password: response time
    /// must not tell whether an address is registered.
    pub async fn verify_nothing(&self, password: &str) {
        const DUMMY: &str = "$argon2id$v=19$m=19456,t=2,p=1$c2FsdHNhbHRzYWx0$3c3Jm8V2f6GN9hqpBfX5jm0L3cRr8Cs5pmJxX0R0mnw";
        let _ = self.verify(password, DUMMY).await;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn quick() -> Passwords {
        Passwords::with_params(Params::new(256, 1, 1, None).unwrap(), 2)
    }

    #[tokio::test]
    async fn a_hash_verifies_its_password_only() {
        let passwords = quick();
        let hash = passwords.hash("correct horse battery").await.unwrap();
        assert!(hash.starts_with("$argon2id$v=19$m=256,t=1,p=1$"), "{hash}");
        assert!(
            passwords
                .verify("correct horse battery", &hash)
                .await
                .unwrap()
        );
        assert!(
            !passwords
                .verify("correct horse batterY", &hash)
                .await
                .unwrap()
        );
        let again = passwords.hash("correct horse battery").await.unwrap();
        assert_ne!(hash, again, "each hash has its own salt");
    }

    #[tokio::test]
    async fn the_owasp_parameters_are_argon2id_19_mib_two_passes() {
        let hash = Passwords::owasp(1)
            .hash("correct horse battery")
            .await
            .unwrap();
        assert!(
            hash.starts_with("$argon2id$v=19$m=19456,t=2,p=1$"),
            "{hash}"
        );
    }
}
