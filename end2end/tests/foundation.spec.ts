// The foundation, as a person sees it in Chromium: server-rendered pages,
// hydration, language and theme that persist, the live topic, and the 404 page.
import { test, expect, expectConsoleErrors, NOT_FOUND_STATUS } from "../support/fixtures";
import { GaemiServer } from "../support/server";
import { mkdirSync } from "node:fs";
import path from "node:path";

const KO_TITLE = "개미에 오신 것을 환영합니다";
const EN_TITLE = "Welcome to Gaemi";

test("the first HTML response already contains the rendered page", async ({ request }) => {
  const response = await request.get("/");
  expect(response.status()).toBe(200);
  const html = await response.text();
  expect(html).toContain(`<html lang="ko"`);
  expect(html).toContain(KO_TITLE);
  expect(html).toMatch(/<nav[^>]*aria-label="주 메뉴"/);
});

test.describe("without JavaScript", () => {
  test.use({ javaScriptEnabled: false });

  test("the server-rendered page is complete and navigable", async ({ page }) => {
    await page.goto("/");
    await expect(page.getByRole("heading", { level: 1 })).toHaveText(KO_TITLE);
    await page.getByRole("link", { name: "랭킹" }).click();
    await expect(page).toHaveURL(/\/ranking$/);
    await expect(page.getByRole("heading", { level: 1 })).toHaveText("랭킹");
  });
});

/** The live badge reaches "connected" only once the WASM app runs. */
async function waitForHydration(page: import("@playwright/test").Page) {
  await expect(page.getByTestId("live-badge")).toHaveClass(/live--open/);
}

test("after hydration a click switches the language without a reload", async ({ page }) => {
  await page.goto("/");
  await waitForHydration(page);
  await page.evaluate(() => ((window as any).__sameDocument = true));
  await page.getByTestId("lang-switch").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(EN_TITLE);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await expect(page.getByRole("link", { name: "Market" })).toBeVisible();
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test("the chosen language persists across reloads", async ({ page }) => {
  await page.goto("/");
  await waitForHydration(page);
  await page.getByTestId("lang-switch").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(EN_TITLE);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(EN_TITLE);
  await expect(page.locator("html")).toHaveAttribute("lang", "en");
  await waitForHydration(page);
  await page.getByTestId("lang-switch").click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(KO_TITLE);
  await page.reload();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(KO_TITLE);
});

test("the theme switch cycles and persists across reloads", async ({ page }) => {
  await page.goto("/");
  await waitForHydration(page);
  const html = page.locator("html");
  await expect(html).toHaveAttribute("data-theme", "auto");
  await page.getByTestId("theme-switch").click();
  await expect(html).toHaveAttribute("data-theme", "light");
  const background = () => page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  expect(await background()).toBe("rgb(246, 247, 249)");
  await page.getByTestId("theme-switch").click();
  await expect(html).toHaveAttribute("data-theme", "dark");
  expect(await background()).toBe("rgb(15, 17, 21)");
  await page.reload();
  await expect(html).toHaveAttribute("data-theme", "dark");
  expect(await background()).toBe("rgb(15, 17, 21)");
});

test("the navigation marks the current page", async ({ page }) => {
  await page.goto("/");
  await waitForHydration(page);
  await page.getByRole("link", { name: "시장" }).click();
  await expect(page).toHaveURL(/\/market$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("시장");
  await expect(page.getByRole("link", { name: "시장" })).toHaveAttribute("aria-current", "page");
});

test("the server status loads through a server function", async ({ page }) => {
  await page.goto("/status");
  const status = page.getByTestId("server-status");
  await expect(status).toContainText("sqlite");
  await expect(status).toContainText("KST");
});

test("an unknown URL gets the 404 page with status 404", async ({ page, consoleErrors }) => {
  const response = await page.goto("/this/page/does/not/exist");
  expect(response?.status()).toBe(404);
  await expect(page.getByTestId("not-found")).toContainText("페이지를 찾을 수 없습니다");
  await page.getByRole("link", { name: "홈으로" }).click();
  await expect(page.getByRole("heading", { level: 1 })).toHaveText(KO_TITLE);
  expectConsoleErrors(consoleErrors, NOT_FOUND_STATUS);
});

test("the live topic updates on screen and comes back after a server restart", async ({ page, consoleErrors }) => {
  // A server of its own: restarting the shared one would disturb other tests.
  const server = await GaemiServer.start();
  try {
    await page.goto(server.url);
    await waitForHydration(page);
    const time = page.getByTestId("server-time");
    await expect(time).toHaveText(/^\d{2}:\d{2}:\d{2}$/);
    const first = await time.textContent();
    await expect(time).not.toHaveText(first!);
    await expect(page.getByTestId("online-count")).toHaveText("1");

    await page.evaluate(() => ((window as any).__sameDocument = true));
    await server.stop();
    await expect(page.getByTestId("live-badge")).toHaveClass(/live--reconnecting/);
    const frozen = await time.textContent();
    await server.launch();

    await expect(page.getByTestId("live-badge")).toHaveClass(/live--open/, { timeout: 30_000 });
    await expect(time).not.toHaveText(frozen!);
    const afterRestart = await time.textContent();
    await expect(time).not.toHaveText(afterRestart!);
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  } finally {
    await server.dispose();
  }
  // While the server was down the browser reported the refused connections;
  // those are expected here and nothing else is.
  expectConsoleErrors(consoleErrors, /WebSocket connection to .* failed/);
});

test("screenshots of the shell at phone and desktop widths", async ({ page, consoleErrors }) => {
  const dir = path.join(__dirname, "..", "screenshots");
  mkdirSync(dir, { recursive: true });
  for (const [name, width, height] of [
    ["phone", 390, 844],
    ["desktop", 1280, 800],
  ] as const) {
    await page.setViewportSize({ width, height });
    for (const [route, file] of [
      ["/", "home"],
      ["/missing", "not-found"],
    ]) {
      await page.goto(route);
      await waitForHydration(page);
      await expect(page.getByTestId("server-time")).toHaveText(/^\d{2}:\d{2}:\d{2}$/);
      await page.screenshot({ path: path.join(dir, `${file}-${name}.png`), fullPage: true });
    }
  }
  // Nothing overflows sideways on a 360 px phone.
  await page.setViewportSize({ width: 360, height: 740 });
  await page.goto("/");
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
  expect(overflow).toBeLessThanOrEqual(0);
  expectConsoleErrors(consoleErrors, NOT_FOUND_STATUS);
});
