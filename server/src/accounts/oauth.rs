//! Sign-in with Google, Kakao and Naver: the authorization-code flow through
//! the `oauth2` crate, with a random `state` checked on return and PKCE
//! (S256) where the provider supports it (Google and Kakao; Naver does not).
//! Every endpoint is a setting, so the tests run the whole flow against a
//! real OAuth 2 server started locally.
//!
//! The providers' quirks live here: Naver sends `expires_in` as a string
//! (hence [`LenientTokenResponse`]), and each nests its profile differently
//! (Google's OpenID userinfo is flat, Kakao's is under `kakao_account`,
//! Naver's under `response`).

use oauth2::basic::{
    BasicErrorResponse, BasicRevocationErrorResponse, BasicTokenIntrospectionResponse,
    BasicTokenType,
};
use oauth2::{
    AccessToken, AuthUrl, AuthorizationCode, ClientId, ClientSecret, CsrfToken, EndpointNotSet,
    EndpointSet, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RefreshToken, Scope,
    StandardRevocableToken, TokenResponse, TokenUrl,
};
use serde::{Deserialize, Deserializer, Serialize};
use std::collections::BTreeMap;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Google,
    Kakao,
    Naver,
}

impl Provider {
    pub const ALL: [Provider; 3] = [Provider::Google, Provider::Kakao, Provider::Naver];

    pub const fn name(self) -> &'static str {
        match self {
            Provider::Google => "google",
            Provider::Kakao => "kakao",
            Provider::Naver => "naver",
        }
    }

    pub fn from_name(name: &str) -> Option<Provider> {
        Provider::ALL.into_iter().find(|p| p.name() == name)
    }

    /// Naver's authorization server has no PKCE.
    pub const fn pkce(self) -> bool {
        !matches!(self, Provider::Naver)
    }

    /// The provider's real endpoints: authorization, token, profile.
    pub const fn default_endpoints(self) -> [&'static str; 3] {
        match self {
            Provider::Google => [
                "https://accounts.google.com/o/oauth2/v2/auth",
                "https://oauth2.googleapis.com/token",
                "https://openidconnect.googleapis.com/v1/userinfo",
            ],
            Provider::Kakao => [
                "https://kauth.kakao.com/oauth/authorize",
                "https://kauth.kakao.com/oauth/token",
                "https://kapi.kakao.com/v2/user/me",
            ],
            Provider::Naver => [
                "https://nid.naver.com/oauth2.0/authorize",
                "https://nid.naver.com/oauth2.0/token",
                "https://openapi.naver.com/v1/nid/me",
            ],
        }
    }

    fn scopes(self) -> &'static [&'static str] {
        match self {
            Provider::Google => &["openid", "email", "profile"],
            Provider::Kakao => &["account_email", "profile_nickname"],
            Provider::Naver => &[],
        }
    }
}

/// One provider's client registration and endpoints.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProviderSettings {
    pub client_id: String,
    pub client_secret: String,
    pub auth_url: String,
    pub token_url: String,
    pub userinfo_url: String,
}

/// A token response that takes `expires_in` as a number or, like Naver's,
/// as a string of digits.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct LenientTokenResponse {
    access_token: AccessToken,
    token_type: BasicTokenType,
    #[serde(default, deserialize_with = "number_or_digits")]
    expires_in: Option<u64>,
    #[serde(default)]
    refresh_token: Option<RefreshToken>,
}

fn number_or_digits<'de, D: Deserializer<'de>>(d: D) -> Result<Option<u64>, D::Error> {
    #[derive(Deserialize)]
    #[serde(untagged)]
    enum Either {
        Number(u64),
        Digits(String),
    }
    match Option::<Either>::deserialize(d)? {
        None => Ok(None),
        Some(Either::Number(n)) => Ok(Some(n)),
        Some(Either::Digits(s)) => s.trim().parse().map(Some).map_err(serde::de::Error::custom),
    }
}

impl TokenResponse for LenientTokenResponse {
    type TokenType = BasicTokenType;

    fn access_token(&self) -> &AccessToken {
        &self.access_token
    }

    fn token_type(&self) -> &BasicTokenType {
        &self.token_type
    }

    fn expires_in(&self) -> Option<std::time::Duration> {
        self.expires_in.map(std::time::Duration::from_secs)
    }

    fn refresh_token(&self) -> Option<&RefreshToken> {
        self.refresh_token.as_ref()
    }

    fn scopes(&self) -> Option<&Vec<Scope>> {
        None
    }
}

type OAuthClient = oauth2::Client<
    BasicErrorResponse,
    LenientTokenResponse,
    BasicTokenIntrospectionResponse,
    StandardRevocableToken,
    BasicRevocationErrorResponse,
    EndpointSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointNotSet,
    EndpointSet,
>;

#[derive(Debug, thiserror::Error)]
pub enum OAuthError {
    #[error("the provider is not configured")]
    NotConfigured,
    #[error("bad endpoint URL: {0}")]
    Url(String),
    #[error("the provider refused the code: {0}")]
    Exchange(String),
    #[error("the profile could not be read: {0}")]
    Profile(String),
}

/// Who the provider says signed in.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Identity {
    pub provider: Provider,
    /// The provider's stable id for the person.
    pub subject: String,
    /// Only an address the provider says it verified.
    pub email: Option<String>,
    pub nickname: Option<String>,
}

/// A flow begun: where to send the browser, and what to keep in the
/// session until it comes back.
pub struct Started {
    pub url: String,
    pub state: String,
    pub verifier: Option<String>,
}

#[derive(Clone)]
pub struct OAuth {
    providers: BTreeMap<Provider, ProviderSettings>,
    /// Where providers send the browser back: `{origin}/api/v1/auth/oauth/{provider}/callback`.
    origin: String,
    http: reqwest::Client,
}

impl OAuth {
    pub fn new(providers: BTreeMap<Provider, ProviderSettings>, origin: &str) -> OAuth {
        OAuth {
            providers,
            origin: origin.trim_end_matches('/').to_owned(),
            // No redirects: a token endpoint that redirects must not be
            // able to point this server elsewhere (the oauth2 crate's advice).
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(std::time::Duration::from_secs(10))
                .build()
                .expect("a plain HTTP client builds"),
        }
    }

    pub fn configured(&self, provider: Provider) -> bool {
        self.providers.contains_key(&provider)
    }

    fn client(&self, provider: Provider) -> Result<(OAuthClient, &ProviderSettings), OAuthError> {
        let settings = self
            .providers
            .get(&provider)
            .ok_or(OAuthError::NotConfigured)?;
        let url = |e: oauth2::url::ParseError| OAuthError::Url(e.to_string());
        let client = oauth2::Client::new(ClientId::new(settings.client_id.clone()))
            .set_client_secret(ClientSecret::new(settings.client_secret.clone()))
            .set_auth_uri(AuthUrl::new(settings.auth_url.clone()).map_err(url)?)
            .set_token_uri(TokenUrl::new(settings.token_url.clone()).map_err(url)?)
            .set_redirect_uri(
                RedirectUrl::new(format!(
                    "{}/api/v1/auth/oauth/{}/callback",
                    self.origin,
                    provider.name()
                ))
                .map_err(url)?,
            )
            .set_auth_type(oauth2::AuthType::RequestBody);
        Ok((client, settings))
    }

    pub fn start(&self, provider: Provider) -> Result<Started, OAuthError> {
        let (client, _) = self.client(provider)?;
        let mut request = client.authorize_url(CsrfToken::new_random);
        for scope in provider.scopes() {
            request = request.add_scope(Scope::new((*scope).to_owned()));
        }
        let mut verifier = None;
        if provider.pkce() {
            let (challenge, secret) = PkceCodeChallenge::new_random_sha256();
            request = request.set_pkce_challenge(challenge);
            verifier = Some(secret.secret().clone());
        }
        let (url, state) = request.url();
        Ok(Started {
            url: url.to_string(),
            state: state.secret().clone(),
            verifier,
        })
    }

    /// Trades the code for a token (with the PKCE verifier) and reads the
    /// profile.
    pub async fn finish(
        &self,
        provider: Provider,
        code: &str,
        state: &str,
        verifier: Option<String>,
    ) -> Result<Identity, OAuthError> {
        let (client, settings) = self.client(provider)?;
        let mut exchange = client.exchange_code(AuthorizationCode::new(code.to_owned()));
        if let Some(verifier) = verifier {
            exchange = exchange.set_pkce_verifier(PkceCodeVerifier::new(verifier));
        }
        if provider == Provider::Naver {
            // Naver's token request names the state again.
            exchange = exchange.add_extra_param("state", state.to_owned());
        }
        let token = exchange
            .request_async(&self.http)
            .await
            .map_err(|err| OAuthError::Exchange(err.to_string()))?;
        let profile: serde_json::Value = self
            .http
            .get(&settings.userinfo_url)
            .bearer_auth(token.access_token().secret())
            .send()
            .await
            .and_then(reqwest::Response::error_for_status)
            .map_err(|err| OAuthError::Profile(err.to_string()))?
            .json()
            .await
            .map_err(|err| OAuthError::Profile(err.to_string()))?;
        identity(provider, &profile)
    }
}

/// Reads a provider's profile answer.
pub fn identity(provider: Provider, profile: &serde_json::Value) -> Result<Identity, OAuthError> {
    let text = |v: &serde_json::Value| match v {
        serde_json::Value::String(s) if !s.is_empty() => Some(s.clone()),
        serde_json::Value::Number(n) => Some(n.to_string()),
        _ => None,
    };
    let (subject, email, nickname) = match provider {
        Provider::Google => (
            text(&profile["sub"]),
            text(&profile["email"]).filter(|_| profile["email_verified"] == true),
            text(&profile["name"]),
        ),
        Provider::Kakao => {
            let account = &profile["kakao_account"];
            (
                text(&profile["id"]),
                text(&account["email"]).filter(|_| {
                    account["is_email_valid"] == true && account["is_email_verified"] == true
                }),
                text(&account["profile"]["nickname"]),
            )
        }
        Provider::Naver => {
            if profile["resultcode"] != "00" {
                return Err(OAuthError::Profile(format!(
                    "Naver answered {}",
                    profile["message"]
                )));
            }
            let response = &profile["response"];
            // Naver only hands out addresses its members confirmed.
            (
                text(&response["id"]),
                text(&response["email"]),
                text(&response["nickname"]),
            )
        }
    };
    Ok(Identity {
        provider,
        subject: subject.ok_or_else(|| OAuthError::Profile("no subject".to_owned()))?,
        email,
        nickname,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn naver_token_responses_may_give_expires_in_as_a_string() {
        let naver: LenientTokenResponse = serde_json::from_value(
            json!({"access_token": "a", "token_type": "bearer", "expires_in": "3600", "refresh_token": "r"}),
        )
        .unwrap();
        assert_eq!(
            naver.expires_in(),
            Some(std::time::Duration::from_secs(3600))
        );
        let google: LenientTokenResponse = serde_json::from_value(
            json!({"access_token": "a", "token_type": "Bearer", "expires_in": 3599}),
        )
        .unwrap();
        assert_eq!(
            google.expires_in(),
            Some(std::time::Duration::from_secs(3599))
        );
    }

    #[test]
    fn each_providers_profile_is_read_from_its_own_shape() {
        let google = identity(
            Provider::Google,
            &json!({"sub": "g-1", "email": "a@gmail.com", "email_verified": true, "name": "김구글"}),
        )
        .unwrap();
        assert_eq!(
            (google.subject.as_str(), google.email.as_deref()),
            ("g-1", Some("a@gmail.com"))
        );
        let unverified = identity(
            Provider::Google,
            &json!({"sub": "g-2", "email": "b@gmail.com"}),
        )
        .unwrap();
        assert_eq!(unverified.email, None, "an unverified address is not taken");
        let kakao = identity(
            Provider::Kakao,
            &json!({"id": 1234567, "kakao_account": {"email": "k@kakao.com", "is_email_valid": true,
                     "is_email_verified": true, "profile": {"nickname": "카카오개미"}}}),
        )
        .unwrap();
        assert_eq!(kakao.subject, "1234567");
        assert_eq!(kakao.nickname.as_deref(), Some("카카오개미"));
        let naver = identity(
            Provider::Naver,
            &json!({"resultcode": "00", "message": "success",
                     "response": {"id": "n-9", "email": "n@naver.com", "nickname": "네이버개미"}}),
        )
        .unwrap();
        assert_eq!(
            (naver.subject.as_str(), naver.email.as_deref()),
            ("n-9", Some("n@naver.com"))
        );
        assert!(
            identity(
                Provider::Naver,
                &json!({"resultcode": "024", "message": "fail"})
            )
            .is_err()
        );
        assert!(identity(Provider::Google, &json!({"email": "x@y.z"})).is_err());
    }
}
