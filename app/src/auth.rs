//! The rules for what a person types into the account forms (e-mail,
//! password, nickname), kept here so the page and the server apply the very
//! same checks: the page stops bad input with a message beside the field,
//! and the server refuses anything the page let through.
//!
//! The password rule follows NIST SP 800-63B rather than composition rules:
//! long enough, not absurdly long (argon2 time is what an attacker could
//! otherwise buy), not one of the passwords every attacker tries first, and
//! not the person's own e-mail or nickname.

use crate::api::{AppError, FieldError};
use leptos::prelude::*;
use serde::{Deserialize, Serialize};

pub const PASSWORD_MIN_CHARS: usize = 10;
pub const PASSWORD_MAX_CHARS: usize = 128;
pub const NICKNAME_MIN_CHARS: usize = 2;
pub const NICKNAME_MAX_CHARS: usize = 16;
pub const EMAIL_MAX_CHARS: usize = 254;

/// Passwords of at least ten characters that lead every leaked-password
/// list; refused outright.
const COMMON_PASSWORDS: &[&str] = &[
    "1234567890",
    "12345678910",
    "0123456789",
    "1q2w3e4r5t",
    "1q2w3e4r5t6y",
    "qwertyuiop",
    "qwerty1234",
    "password12",
    "password123",
    "passw0rd12",
    "asdfghjkl1",
    "iloveyou12",
    "abcd123456",
    "aaaaaaaaaa",
    "0000000000",
    "1111111111",
    "qwer123456",
    "zxcvbnm123",
];

/// Nicknames nobody may take: they would pass for the operators.
const RESERVED_NICKNAMES: &[&str] = &[
    "admin",
    "administrator",
    "gaemi",
    "개미",
    "운영자",
    "관리자",
    "system",
    "root",
];

/// What a deleted member's nickname becomes (`탈퇴회원` and their number):
/// nobody may take one, or pass for a member who left.
pub const DELETED_MEMBER_LABEL: &str = "탈퇴회원";

fn is_deleted_member_label(nickname: &str) -> bool {
    nickname
        .strip_prefix(DELETED_MEMBER_LABEL)
        .is_some_and(|rest| rest.chars().all(|c| c.is_ascii_digit()))
}

/// An e-mail address as typed, trimmed; a light syntactic check (the
/// verification mail is the real one).
pub fn check_email(text: &str) -> Result<String, FieldError> {
    let email = text.trim();
    if email.is_empty() {
        return Err(FieldError::new(
            "email",
            "이메일을 입력해 주세요.",
            "Enter your e-mail address.",
        ));
    }
    let bad = || {
        FieldError::new(
            "email",
            "올바른 이메일 주소가 아닙니다.",
            "This is not a valid e-mail address.",
        )
    };
    if email.chars().count() > EMAIL_MAX_CHARS
        || email.chars().any(|c| c.is_whitespace() || c.is_control())
    {
        return Err(bad());
    }
    let (local, domain) = email.split_once('@').ok_or_else(bad)?;
    let domain_ok = domain.contains('.')
        && !domain.contains('@')
        && !domain.starts_with('.')
        && !domain.ends_with('.')
        && !domain.contains("..");
    if local.is_empty() || local.chars().count() > 64 || !domain_ok {
        return Err(bad());
    }
    Ok(email.to_owned())
}

/// A nickname: 2 to 16 Hangul syllables, letters, digits or underscores.
pub fn check_nickname(text: &str) -> Result<String, FieldError> {
    let nickname = text.trim();
    let chars = nickname.chars().count();
    if chars == 0 {
        return Err(FieldError::new(
            "nickname",
            "닉네임을 입력해 주세요.",
            "Enter a nickname.",
        ));
    }
    if !(NICKNAME_MIN_CHARS..=NICKNAME_MAX_CHARS).contains(&chars) {
        return Err(FieldError::new(
            "nickname",
            "닉네임은 2자 이상 16자 이하로 정해 주세요.",
            "A nickname has 2 to 16 characters.",
        ));
    }
    let allowed = |c: char| c.is_ascii_alphanumeric() || c == '_' || ('가'..='힣').contains(&c);
    if !nickname.chars().all(allowed) {
        return Err(FieldError::new(
            "nickname",
            "닉네임에는 한글, 영문, 숫자, 밑줄(_)만 쓸 수 있습니다.",
            "A nickname may use Hangul, letters, digits and underscores only.",
        ));
    }
    let lower = nickname.to_lowercase();
    if RESERVED_NICKNAMES.contains(&lower.as_str()) || is_deleted_member_label(nickname) {
        return Err(FieldError::new(
            "nickname",
            "사용할 수 없는 닉네임입니다.",
            "This nickname is reserved.",
        ));
    }
    Ok(nickname.to_owned())
}

/// A new password, checked against the person's own e-mail and nickname
/// (either may be empty when unknown). Never trimmed: spaces count.
pub fn check_password(
    field: &'static str,
    password: &str,
    email: &str,
    nickname: &str,
) -> Result<(), FieldError> {
    let chars = password.chars().count();
    if chars == 0 {
        return Err(FieldError::new(
            field,
            "비밀번호를 입력해 주세요.",
            "Enter a password.",
        ));
    }
    if chars < PASSWORD_MIN_CHARS {
        return Err(FieldError::new(
            field,
            "비밀번호는 10자 이상이어야 합니다.",
            "A password has at least 10 characters.",
        ));
    }
    if chars > PASSWORD_MAX_CHARS {
        return Err(FieldError::new(
            field,
            "비밀번호는 128자 이하여야 합니다.",
            "A password has at most 128 characters.",
        ));
    }
    let lower = password.to_lowercase();
    let mut distinct: Vec<char> = lower.chars().collect();
    distinct.sort_unstable();
    distinct.dedup();
    if distinct.len() < 4 || COMMON_PASSWORDS.contains(&lower.as_str()) {
        return Err(FieldError::new(
            field,
            "너무 흔하거나 단순한 비밀번호입니다.",
            "This password is too common or too simple.",
        ));
    }
    let local = email
        .trim()
        .split('@')
        .next()
        .unwrap_or_default()
        .to_lowercase();
    let nick = nickname.trim().to_lowercase();
    let contains = |part: &str| part.chars().count() >= 3 && lower.contains(part);
    if contains(&local) || contains(&nick) {
        return Err(FieldError::new(
            field,
            "비밀번호에 이메일이나 닉네임을 넣지 마세요.",
            "Do not put your e-mail or nickname in your password.",
        ));
    }
    Ok(())
}

/// Every error of a sign-up form at once, so the page can mark each field.
pub fn check_sign_up(form: &SignUpForm) -> Vec<FieldError> {
    let mut errors = Vec::new();
    if let Err(err) = check_email(&form.email) {
        errors.push(err);
    }
    if let Err(err) = check_nickname(&form.nickname) {
        errors.push(err);
    }
    if let Err(err) = check_password("password", &form.password, &form.email, &form.nickname) {
        errors.push(err);
    }
    errors
}

/// What the sign-up form sends.
#[derive(Clone, Debug, Default, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct SignUpForm {
    pub email: String,
    pub password: String,
    pub nickname: String,
    /// Keep the guest account this browser has traded with as the new
    /// user's main account.
    #[serde(default)]
    pub claim_guest: bool,
}

/// What the page knows about the signed-in user.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Profile {
    pub user_id: i64,
    pub nickname: String,
    pub email: Option<String>,
    pub verified: bool,
    /// The member's main account, once their first order opened it.
    pub main_account_id: Option<u64>,
    /// `false` for a user who only signs in through a provider.
    pub has_password: bool,
}

/// Sign-up, sign-in and the signed-in member's own profile: the accounts
/// feature's port, implemented by the server. Methods taking the request
/// find the session (and the client address, for the guessing limits) in
/// it; none can name another user.
#[cfg(feature = "ssr")]
#[async_trait::async_trait]
pub trait AccountPort: Send + Sync + 'static {
    async fn current(&self, request: &http::request::Parts) -> Result<Option<Profile>, AppError>;

    async fn sign_up(
        &self,
        request: &http::request::Parts,
        form: SignUpForm,
    ) -> Result<(), AppError>;

    /// Uses a verification link and signs its member in on this session.
    async fn verify_email(
        &self,
        request: &http::request::Parts,
        token: String,
    ) -> Result<Profile, AppError>;

    async fn resend_verification(
        &self,
        request: &http::request::Parts,
        email: String,
    ) -> Result<(), AppError>;

    async fn sign_in(
        &self,
        request: &http::request::Parts,
        email: String,
        password: String,
    ) -> Result<Profile, AppError>;

    async fn sign_out(&self, request: &http::request::Parts) -> Result<(), AppError>;

    async fn request_reset(
        &self,
        request: &http::request::Parts,
        email: String,
    ) -> Result<(), AppError>;

    async fn reset_password(&self, token: String, new_password: String) -> Result<(), AppError>;

    async fn change_password(
        &self,
        request: &http::request::Parts,
        current_password: String,
        new_password: String,
    ) -> Result<(), AppError>;

    async fn change_nickname(
        &self,
        request: &http::request::Parts,
        nickname: String,
    ) -> Result<String, AppError>;

    async fn delete(
        &self,
        request: &http::request::Parts,
        password: String,
    ) -> Result<(), AppError>;

    /// Finishes a provider sign-up with the chosen nickname.
    async fn complete_social(
        &self,
        request: &http::request::Parts,
        nickname: String,
        claim_guest: bool,
    ) -> Result<Profile, AppError>;

    /// The providers this server can sign in with (`google`, `kakao`,
    /// `naver`), in that order: only these get a button.
    fn social_providers(&self) -> Vec<String>;
}

#[cfg(feature = "ssr")]
fn accounts() -> Result<std::sync::Arc<dyn AccountPort>, AppError> {
    crate::api::port::<dyn AccountPort>()
}

#[cfg(feature = "ssr")]
use crate::api::request_parts;

/// The signed-in user, or `None` for a guest.
#[server(prefix = "/api/fn", endpoint = "current_user", output = crate::codec::JsonText)]
pub async fn current_user() -> Result<Option<Profile>, AppError> {
    accounts()?.current(&request_parts()?).await
}

#[server(prefix = "/api/fn", endpoint = "sign_up", output = crate::codec::JsonText)]
pub async fn sign_up(form: SignUpForm) -> Result<(), AppError> {
    accounts()?.sign_up(&request_parts()?, form).await
}

/// Uses a verification link; the member is signed in on this browser.
#[server(prefix = "/api/fn", endpoint = "verify_email", output = crate::codec::JsonText)]
pub async fn verify_email(token: String) -> Result<Profile, AppError> {
    accounts()?.verify_email(&request_parts()?, token).await
}

#[server(prefix = "/api/fn", endpoint = "resend_verification", output = crate::codec::JsonText)]
pub async fn resend_verification(email: String) -> Result<(), AppError> {
    accounts()?
        .resend_verification(&request_parts()?, email)
        .await
}

#[server(prefix = "/api/fn", endpoint = "sign_in", output = crate::codec::JsonText)]
pub async fn sign_in(email: String, password: String) -> Result<Profile, AppError> {
    accounts()?
        .sign_in(&request_parts()?, email, password)
        .await
}

#[server(prefix = "/api/fn", endpoint = "sign_out", output = crate::codec::JsonText)]
pub async fn sign_out() -> Result<(), AppError> {
    accounts()?.sign_out(&request_parts()?).await
}

#[server(prefix = "/api/fn", endpoint = "request_password_reset", output = crate::codec::JsonText)]
pub async fn request_password_reset(email: String) -> Result<(), AppError> {
    accounts()?.request_reset(&request_parts()?, email).await
}

#[server(prefix = "/api/fn", endpoint = "reset_password", output = crate::codec::JsonText)]
pub async fn reset_password(token: String, new_password: String) -> Result<(), AppError> {
    accounts()?.reset_password(token, new_password).await
}

#[server(prefix = "/api/fn", endpoint = "change_password", output = crate::codec::JsonText)]
pub async fn change_password(
    current_password: String,
    new_password: String,
) -> Result<(), AppError> {
    accounts()?
        .change_password(&request_parts()?, current_password, new_password)
        .await
}

#[server(prefix = "/api/fn", endpoint = "change_nickname", output = crate::codec::JsonText)]
pub async fn change_nickname(nickname: String) -> Result<String, AppError> {
    accounts()?
        .change_nickname(&request_parts()?, nickname)
        .await
}

/// Finishes a sign-up through Google, Kakao or Naver: the identity the
/// provider returned (kept in the session) becomes a user with this
/// nickname, signed in.
#[server(prefix = "/api/fn", endpoint = "complete_social_sign_up", output = crate::codec::JsonText)]
pub async fn complete_social_sign_up(
    nickname: String,
    claim_guest: bool,
) -> Result<Profile, AppError> {
    accounts()?
        .complete_social(&request_parts()?, nickname, claim_guest)
        .await
}

/// The providers this server can sign in with; only they get a button.
#[server(prefix = "/api/fn", endpoint = "social_providers", output = crate::codec::JsonText)]
pub async fn social_providers() -> Result<Vec<String>, AppError> {
    Ok(accounts()?.social_providers())
}

#[server(prefix = "/api/fn", endpoint = "delete_account", output = crate::codec::JsonText)]
pub async fn delete_account(password: String) -> Result<(), AppError> {
    accounts()?.delete(&request_parts()?, password).await
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn email_addresses_are_trimmed_and_checked_lightly() {
        assert_eq!(check_email("  kim@example.kr ").unwrap(), "kim@example.kr");
        for bad in [
            "",
            "kim",
            "kim@",
            "@example.kr",
            "kim@example",
            "kim@@example.kr",
            "k im@example.kr",
            "kim@.kr",
            "kim@example..kr",
        ] {
            assert_eq!(check_email(bad).unwrap_err().field, "email", "{bad:?}");
        }
    }

    #[test]
    fn nicknames_take_hangul_letters_digits_and_underscores() {
        assert_eq!(check_nickname(" 개미왕_01 ").unwrap(), "개미왕_01");
        for bad in [
            "",
            "a",
            "열일곱글자닉네임은너무길어서안됩니다",
            "kim!",
            "김 철수",
            "ㄱㄴ",
            "Admin",
            "운영자",
            "탈퇴회원",
            "탈퇴회원3",
            "탈퇴회원0042",
        ] {
            assert!(check_nickname(bad).is_err(), "{bad:?}");
        }
    }

    #[test]
    fn passwords_need_length_variety_and_nothing_personal() {
        assert!(
            check_password(
                "password",
                "correct horse battery",
                "kim@example.kr",
                "개미왕"
            )
            .is_ok()
        );
        let refused =
            |pw: &str| check_password("password", pw, "kimchi@example.kr", "antking").is_err();
        assert!(refused(""));
        assert!(refused("short1!"));
        assert!(refused(&"a1".repeat(65)));
        assert!(refused("1234567890"));
        assert!(refused("QWERTYUIOP"));
        assert!(refused("abababababab"));
        assert!(refused("my kimchi password"));
        assert!(refused("the AntKing rules!"));
        // Spaces count and are kept.
        assert!(check_password("password", "          x y z", "", "").is_ok());
    }

    #[test]
    fn a_sign_up_form_reports_every_bad_field_at_once() {
        let form = SignUpForm {
            email: "nope".into(),
            password: "123".into(),
            nickname: "!".into(),
            claim_guest: false,
        };
        let fields: Vec<_> = check_sign_up(&form).iter().map(|e| e.field).collect();
        assert_eq!(fields, ["email", "nickname", "password"]);
    }
}
