// A real OAuth 2 authorization server for the sign-in tests (npm's
// oauth2-mock-server): it issues codes, checks PKCE verifiers against their
// challenges, and answers tokens and a profile shaped like one provider's.
// Usage: node oauth-mock.mjs <provider: google|kakao|naver> <subject> [email]
// Prints "ready <port>" once it listens on 127.0.0.1.
import { OAuth2Server } from "oauth2-mock-server";

const [provider, subject, email] = process.argv.slice(2);
const profiles = {
  google: { sub: subject, email, email_verified: Boolean(email), name: "구글개미" },
  kakao: {
    id: Number(subject),
    kakao_account: {
      email,
      is_email_valid: Boolean(email),
      is_email_verified: Boolean(email),
      profile: { nickname: "카카오개미" },
    },
  },
  naver: { resultcode: "00", message: "success", response: { id: subject, email, nickname: "네이버개미" } },
};
if (!profiles[provider]) {
  console.error(`unknown provider ${provider}`);
  process.exit(2);
}

const server = new OAuth2Server();
await server.issuer.keys.generate("RS256");
server.service.on("beforeUserinfo", (response) => {
  response.body = profiles[provider];
  response.statusCode = 200;
});
server.service.on("beforeResponse", (response) => {
  // Naver's quirk: expires_in as a string.
  if (provider === "naver" && response.body && response.body.expires_in !== undefined) {
    response.body.expires_in = String(response.body.expires_in);
  }
});
await server.start(0, "127.0.0.1");
console.log(`ready ${server.address().port}`);
const stop = async () => {
  await server.stop();
  process.exit(0);
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
