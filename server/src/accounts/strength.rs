//! Whether a new password would survive guessing, estimated offline by
//! zxcvbn (its dictionaries of common passwords, names, words and keyboard
//! patterns, and the user's own e-mail and nickname). The page's rules in
//! `app::auth` (length, a short list of common passwords) catch the obvious
//! at once; this catches what they cannot, such as `qwerty123456` or
//! `password1234`, and lives only on the server: its dictionaries would
//! make the page's download several times larger. The page shows the
//! refusal beside the field like any other.

use app::api::FieldError;

/// zxcvbn's score 3: about 10^10 guesses or more, "safely unguessable"
/// against an online attack and a slow hash such as ours offline.
const LEAST_SCORE: u8 = 3;

/// Refuses `password` in `field` when it is easy to guess.
pub fn check_strength(
    field: &'static str,
    password: &str,
    email: &str,
    nickname: &str,
) -> Result<(), FieldError> {
    let mailbox = email.split('@').next().unwrap_or_default();
    let estimate = zxcvbn::zxcvbn(password, &[email, mailbox, nickname, "gaemi", "개미"]);
    if u8::from(estimate.score()) >= LEAST_SCORE {
        return Ok(());
    }
    Err(FieldError::new(
        field,
        "추측하기 쉬운 비밀번호입니다. 흔한 단어, 키보드 배열, 숫자 나열을 피하고 여러 단어로 길게 만들어 주세요.",
        "This password is easy to guess. Avoid common words, keyboard patterns and runs of digits; use several words.",
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn guessable_passwords_are_refused_and_passphrases_pass() {
        for weak in [
            "1234567890a",
            "qwerty123456",
            "password1234",
            "iloveyou1234",
            "asdfghjkl123",
            "kim@example.kr1",
            "개미개미개미개미개미",
        ] {
            let refused = check_strength("password", weak, "kim@example.kr", "개미왕");
            assert_eq!(refused.map_err(|e| e.field), Err("password"), "{weak}");
        }
        for strong in [
            "bright ant colony 7",
            "a brand new colony 8",
            "a long enough passphrase",
            "a whole new colony 9",
            "a sturdy colony 99",
            "a fresh colony 42",
            "Tr4ding-at-dawn-2026",
        ] {
            assert!(
                check_strength("password", strong, "kim@example.kr", "개미왕").is_ok(),
                "{strong}"
            );
        }
    }
}
