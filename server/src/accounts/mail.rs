//! The mails account operations send, and how they are sent: through SMTP
//! (lettre) when `GAEMI_SMTP_URL` is set, else written to the log so a
//! developer can follow a link without a mail server. A mail that fails to
//! send is logged, not returned: the answer to the person must not differ
//! (it would tell whether an address is registered), and they can ask again.

use lettre::message::header::{ContentTransferEncoding, ContentType};
use lettre::message::{Mailbox, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, Tokio1Executor};

/// One mail to one address, in Korean with an English copy below.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Mail {
    pub to: String,
    pub subject: String,
    pub body: String,
    /// The link the mail is about (logged when there is no SMTP server).
    pub link: String,
}

#[derive(Clone)]
pub enum Mailer {
    Smtp {
        transport: AsyncSmtpTransport<Tokio1Executor>,
        from: Mailbox,
    },
    Log,
}

#[derive(Debug, thiserror::Error)]
pub enum MailSetupError {
    #[error("GAEMI_SMTP_URL is not a usable SMTP URL: {0}")]
    Url(String),
    #[error("GAEMI_MAIL_FROM is not a mail address: {0}")]
    From(String),
}

impl Mailer {
    /// `url` as lettre reads it: `smtp://host:port` (plain, for a local
    /// relay), `smtp://host:587?tls=required` (STARTTLS) or
    /// `smtps://user:pass@host:465`.
    pub fn smtp(url: &str, from: &str) -> Result<Mailer, MailSetupError> {
        let transport = AsyncSmtpTransport::<Tokio1Executor>::from_url(url)
            .map_err(|err| MailSetupError::Url(err.to_string()))?
            .build();
        let from = from
            .parse()
            .map_err(|err: lettre::address::AddressError| MailSetupError::From(err.to_string()))?;
        Ok(Mailer::Smtp { transport, from })
    }

    pub async fn send(&self, mail: Mail) {
        match self {
            Mailer::Log => {
                tracing::info!(to = %mail.to, subject = %mail.subject, link = %mail.link, "mail (no SMTP configured)");
            }
            Mailer::Smtp { transport, from } => {
                let message = mail
                    .to
                    .parse::<Mailbox>()
                    .map_err(|err| err.to_string())
                    .and_then(|to| {
                        Message::builder()
                            .from(from.clone())
                            .to(to)
                            .subject(&mail.subject)
                            // Always base64: Korean text, and links never split
                            // by quoted-printable soft line breaks.
                            .singlepart(
                                SinglePart::builder()
                                    .header(ContentType::TEXT_PLAIN)
                                    .header(ContentTransferEncoding::Base64)
                                    .body(mail.body.clone()),
                            )
                            .map_err(|err| err.to_string())
                    });
                let sent = match message {
                    Ok(message) => transport
                        .send(message)
                        .await
                        .map(drop)
                        .map_err(|err| err.to_string()),
                    Err(err) => Err(err),
                };
                if let Err(err) = sent {
                    tracing::warn!(to = %mail.to, error = %err, "a mail could not be sent");
                }
            }
        }
    }
}

pub fn verification(to: &str, origin: &str, token: &str) -> Mail {
    let link = format!("{origin}/verify?token={token}");
    Mail {
        to: to.to_owned(),
        subject: "[개미] 이메일 주소를 인증해 주세요 / Verify your e-mail address".to_owned(),
        body: format!(
            "개미에 가입해 주셔서 감사합니다.\n아래 링크를 열면 이메일 인증이 끝납니다 (24시간 동안 유효):\n\n{link}\n\n\
             직접 가입하지 않으셨다면 이 메일을 무시하세요.\n\n---\n\
             Thank you for joining Gaemi. Open this link to verify your address (valid for 24 hours):\n\n{link}\n\n\
             If you did not sign up, ignore this mail.\n"
        ),
        link,
    }
}

pub fn password_reset(to: &str, origin: &str, token: &str) -> Mail {
    let link = format!("{origin}/reset-password?token={token}");
    Mail {
        to: to.to_owned(),
        subject: "[개미] 비밀번호 재설정 / Reset your password".to_owned(),
        body: format!(
            "아래 링크에서 새 비밀번호를 정할 수 있습니다. 링크는 30분 동안 한 번만 쓸 수 있습니다:\n\n{link}\n\n\
             요청하지 않으셨다면 이 메일을 무시하세요. 비밀번호는 바뀌지 않습니다.\n\n---\n\
             Set a new password at this link. It works once, for 30 minutes:\n\n{link}\n\n\
             If you did not ask for this, ignore this mail; your password stays as it is.\n"
        ),
        link,
    }
}

/// Sent instead of a verification mail when someone signs up with an
/// address that already has an account: the page cannot say so.
pub fn already_registered(to: &str, nickname: &str, origin: &str) -> Mail {
    Mail {
        link: format!("{origin}/sign-in"),
        to: to.to_owned(),
        subject: "[개미] 이미 가입된 주소입니다 / You already have an account".to_owned(),
        body: format!(
            "이 주소로 가입하려는 요청이 있었지만, 이미 '{nickname}' 계정이 있습니다.\n\
             로그인: {origin}/sign-in\n비밀번호를 잊으셨다면: {origin}/forgot-password\n\n---\n\
             Someone tried to sign up with this address, which already has the account '{nickname}'.\n\
             Sign in: {origin}/sign-in\nForgot your password: {origin}/forgot-password\n"
        ),
    }
}
