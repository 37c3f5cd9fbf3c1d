//! The secrets in mailed links: 32 random bytes from the operating system,
//! sent as 64 hex digits. Only their SHA-256 is stored, so whoever reads the
//! database cannot use a pending link; a token carries enough entropy that
//! a fast unsalted hash is the right choice here (unlike passwords).

use sha2::{Digest, Sha256};

/// A new token (for the link) and its hash (for the database).
pub fn new_token() -> (String, String) {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system has randomness");
    let token = hex::encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

/// The stored form of a token as it came back in a link.
pub fn hash_token(token: &str) -> String {
    hex::encode(Sha256::digest(token.trim().as_bytes()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_random_and_stored_only_as_their_hash() {
        let (a, a_hash) = new_token();
        let (b, _) = new_token();
        assert_eq!(a.len(), 64);
        assert_ne!(a, b);
        assert_eq!(hash_token(&a), a_hash);
        assert_ne!(a, a_hash);
    }
}
