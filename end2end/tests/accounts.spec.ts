// Accounts in the browser: the sign-up form stops bad input beside each
// field, a good sign-up turns the form into "check your inbox" and mails a
// link (read from the local SMTP catcher), the link verifies and signs in
// (the header says so at once), the header's menu signs out, the sign-in
// form signs in; when a second browser signs in as the same user, the
// first one is told "다른 기기에서 로그인되어 로그아웃되었습니다" and lands on
// the sign-in page; only the configured provider (Google) is offered.
import { test, expect, expectConsoleErrors } from "../support/fixtures";
import type { Page } from "@playwright/test";

const PASSWORD = "bright ant colony 7";

async function signIn(page: Page, email: string, password: string) {
  await page.goto("/sign-in");
  await page.getByTestId("sign-in-email").fill(email);
  await page.getByTestId("sign-in-password").fill(password);
  await page.getByTestId("sign-in-submit").click();
}

test("sign-up checks each field, mails a link that verifies, and sign-in works", async ({ page, gaemi, consoleErrors }) => {
  await page.goto("/sign-up");
  await page.getByTestId("sign-up-submit").click();
  await expect(page.locator("#sign-up-email-error")).toHaveText("이메일을 입력해 주세요.");
  await expect(page.locator("#sign-up-nickname-error")).toHaveText("닉네임을 입력해 주세요.");
  await expect(page.locator("#sign-up-password-error")).toHaveText("비밀번호를 입력해 주세요.");
  await expect(page.getByTestId("sign-up-email")).toHaveAttribute("aria-invalid", "true");

  await page.getByTestId("sign-up-email").fill("ant@example");
  await page.getByTestId("sign-up-nickname").fill("개미!");
  await page.getByTestId("sign-up-password").fill("1234567890");
  await page.getByTestId("sign-up-submit").click();
  await expect(page.locator("#sign-up-email-error")).toHaveText("올바른 이메일 주소가 아닙니다.");
  await expect(page.locator("#sign-up-nickname-error")).toContainText("한글, 영문, 숫자");
  await expect(page.locator("#sign-up-password-error")).toHaveText("너무 흔하거나 단순한 비밀번호입니다.");

  // The English switch translates the messages in place.
  await page.getByTestId("lang-switch").click();
  await expect(page.locator("#sign-up-email-error")).toHaveText("This is not a valid e-mail address.");
  await page.getByTestId("lang-switch").click();

  await page.getByTestId("sign-up-email").fill("worker@example.kr");
  await page.getByTestId("sign-up-nickname").fill("브라우저개미");
  await page.getByTestId("sign-up-password").fill(PASSWORD);
  await page.getByTestId("sign-up-submit").click();
  // The form gives way to what happens next, and the keyboard follows.
  const sent = page.getByTestId("sign-up-done");
  await expect(sent.getByRole("heading")).toHaveText("메일함을 확인해 주세요");
  await expect(sent.getByRole("heading")).toBeFocused();
  await expect(page.getByTestId("sign-up-done-body")).toContainText("worker@example.kr(으)로 인증 메일을 보냈습니다");
  await expect(page.getByTestId("sign-up-submit")).toHaveCount(0);
  // Sending again mails a new link, which retires the first.
  const first = await gaemi.mailedToken("worker@example.kr", "/verify");
  await page.getByTestId("sign-up-resend").click();
  await expect(page.getByTestId("form-done")).toHaveText("인증 메일을 다시 보냈습니다.");
  await expect.poll(() => gaemi.mailedToken("worker@example.kr", "/verify")).not.toBe(first);

  // Before verifying, sign-in says so and offers the mail again.
  await signIn(page, "worker@example.kr", PASSWORD);
  await expect(page.getByTestId("form-error")).toContainText("이메일 인증");
  await expect(page.getByTestId("resend-verification")).toBeVisible();
  await expect(page.getByTestId("header-sign-in")).toBeVisible();

  // The link verifies and signs in: the header names the member at once.
  const token = await gaemi.mailedToken("worker@example.kr", "/verify");
  await page.goto(`/verify?token=${token}`);
  await expect(page.getByTestId("verify-done")).toHaveText("인증이 끝나 로그인되었습니다. 브라우저개미님, 환영합니다!");
  await expect(page.getByTestId("header-nickname")).toHaveText("브라우저개미");
  await expect(page.getByTestId("header-sign-in")).toHaveCount(0);
  await page.goto(`/verify?token=${token}`);
  await expect(page.getByTestId("verify-failed")).toBeVisible();

  // The header's menu: who, their pages, and 로그아웃.
  await page.getByTestId("member-menu-button").click();
  await expect(page.getByTestId("member-menu")).toContainText("worker@example.kr");
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("header-sign-out")).toBeHidden();
  await page.getByTestId("member-menu-button").click();
  await page.getByTestId("header-sign-out").click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("header-sign-in")).toBeVisible();

  await signIn(page, "worker@example.kr", "wrong password here");
  await expect(page.locator("#sign-in-password-error")).toHaveText("이메일 또는 비밀번호가 맞지 않습니다.");
  await signIn(page, "WORKER@example.kr", PASSWORD);
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("header-nickname")).toHaveText("브라우저개미");
  await page.goto("/me");
  await expect(page.getByTestId("me-nickname")).toHaveText("브라우저개미");
  // The browser logs each refusal's status; these three were the point:
  // not verified yet (403), a used link (410), a wrong password (401).
  expectConsoleErrors(consoleErrors, /status of (401|403|410) /);
});

test("signing in elsewhere signs the first browser out with a message", async ({ browser, gaemi }) => {
  const first = await browser.newContext();
  const second = await browser.newContext();
  const one = await first.newPage();
  const two = await second.newPage();

  await one.goto("/sign-up");
  await one.getByTestId("sign-up-email").fill("twice@example.kr");
  await one.getByTestId("sign-up-nickname").fill("두번개미");
  await one.getByTestId("sign-up-password").fill(PASSWORD);
  await one.getByTestId("sign-up-submit").click();
  await expect(one.getByTestId("sign-up-done")).toBeVisible();
  await one.goto(`/verify?token=${await gaemi.mailedToken("twice@example.kr", "/verify")}`);
  await expect(one.getByTestId("verify-done")).toBeVisible();

  await signIn(one, "twice@example.kr", PASSWORD);
  await expect(one).toHaveURL(/\/$/);
  await one.goto("/market");
  await expect(one.getByTestId("live-badge")).toHaveClass(/live--open/);

  await signIn(two, "twice@example.kr", PASSWORD);
  await expect(two).toHaveURL(/\/$/);

  await expect(one).toHaveURL(/\/sign-in\?reason=elsewhere/);
  await expect(one.getByTestId("signed-out-elsewhere")).toHaveText("다른 기기에서 로그인되어 로그아웃되었습니다");
  await one.goto("/me");
  await expect(one.getByTestId("me-guest")).toBeVisible();
  await two.goto("/me");
  await expect(two.getByTestId("me-nickname")).toHaveText("두번개미");
  await first.close();
  await second.close();
});

test("Google sign-in: the provider's page approves, a nickname, and the user is signed in", async ({ page }) => {
  // Nothing to finish before a provider answered: the nickname step sends
  // the visitor to 로그인, which offers the one configured provider.
  await page.goto("/sign-up/social");
  await expect(page).toHaveURL(/\/sign-in$/);
  await expect(page.getByTestId("social-google")).toBeVisible();
  await expect(page.getByTestId("social-kakao")).toHaveCount(0);
  await expect(page.getByTestId("social-naver")).toHaveCount(0);
  await page.getByTestId("social-google").click();
  // The local OAuth server approves at once and sends the browser back.
  await expect(page).toHaveURL(/\/sign-up\/social$/);
  await page.getByTestId("social-nickname").fill("구글손님개미");
  await page.getByTestId("social-submit").click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/me");
  await expect(page.getByTestId("me-nickname")).toHaveText("구글손님개미");
  // Signing in with Google again finds the same user.
  await page.getByTestId("sign-out").click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/sign-in");
  await page.getByTestId("social-google").click();
  await expect(page).toHaveURL(/\/$/);
  await page.goto("/me");
  await expect(page.getByTestId("me-nickname")).toHaveText("구글손님개미");
});
