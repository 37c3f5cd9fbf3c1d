// Every page at a phone's and a desktop's size, in Korean and in English:
// numbers never wrap or overflow their box, the document never scrolls
// sideways (only a table that says so scrolls, in its own wrapper), axe finds
// no serious or critical violation (target size and "label in name"
// included), phones get a compact header and a bottom tab bar that reaches
// every destination. A screenshot of each page is kept with the test's
// results. One trader's order book on 별빛엔터테인먼트 (a long name and big
// numbers) and the browser's own orders and fills give the pages content.
import { test, expect, expectConsoleErrors } from "../support/fixtures";
import AxeBuilder from "@axe-core/playwright";
import { request as playwrightRequest, type Page, type TestInfo } from "@playwright/test";

const CODE = "100080"; // 612,000 won, 1,000-won ticks; no other spec trades it

const PAGES: [string, string][] = [
  ["home", "/"],
  ["market", "/market"],
  ["stock", `/market/${CODE}`],
  ["portfolio", "/portfolio"],
  ["orders", "/orders"],
  ["rounds", "/rounds"],
  ["community", "/community"],
  ["ranking", "/ranking"],
  ["me", "/me"],
  ["sign-in", "/sign-in"],
  ["sign-up", "/sign-up"],
  ["verify", "/verify?token=0"],
  ["forgot-password", "/forgot-password"],
  ["reset-password", "/reset-password?token=0"],
  ["not-found", "/no-such-page"],
  ["unknown-stock", "/market/999999"],
  ["status", "/status"],
];

const VIEWPORTS = [
  { name: "phone", width: 390, height: 844 },
  { name: "desktop", width: 1280, height: 800 },
] as const;

const DESTINATIONS = ["/", "/market", "/portfolio", "/orders", "/rounds", "/community", "/ranking", "/me"];

/** What the page breaks, checked in the page: numbers that wrap or overflow,
 *  sideways scrolling, and small checkboxes and radio buttons. */
async function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const problems: string[] = [];
    const describe = (el: Element) => {
      const id = el.getAttribute("data-testid");
      const text = (el.textContent ?? "").trim().replace(/\s+/g, " ").slice(0, 40);
      return `<${el.tagName.toLowerCase()}${id ? ` data-testid=${id}` : ""} class="${el.className}">${text}`;
    };
    const shown = (el: Element) => {
      const box = el.getBoundingClientRect();
      return box.width > 1 && box.height > 1 && getComputedStyle(el).visibility !== "hidden";
    };
    // Numbers: one line box each, and no wider than their box.
    for (const el of document.querySelectorAll<HTMLElement>(".num")) {
      if (!shown(el) || el.closest(".visually-hidden")) continue;
      const style = getComputedStyle(el);
      if (style.display !== "inline" && el.scrollWidth > el.clientWidth + 1) {
        problems.push(`overflows its box (${el.scrollWidth} > ${el.clientWidth} px): ${describe(el)}`);
      }
      const rects: DOMRect[] = [];
      const walker = document.createTreeWalker(el, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const parent = node.parentElement!;
        if (parent.closest(".visually-hidden") || !(node.textContent ?? "").trim()) continue;
        const range = document.createRange();
        range.selectNodeContents(node);
        rects.push(...[...range.getClientRects()].filter((r) => r.width > 0 && r.height > 0));
      }
      if (rects.length > 1) {
        const lowestTop = Math.max(...rects.map((r) => r.top));
        const highestBottom = Math.min(...rects.map((r) => r.bottom));
        if (lowestTop >= highestBottom - 1) problems.push(`wraps onto more than one line: ${describe(el)}`);
      }
    }
    // Sideways scrolling: only in a wrapper that says so (a labelled,
    // focusable region, with a visible hint on phones).
    for (const el of document.querySelectorAll<HTMLElement>("body *")) {
      if (el.scrollWidth <= el.clientWidth + 1 || !shown(el)) continue;
      const overflow = getComputedStyle(el).overflowX;
      if (overflow !== "auto" && overflow !== "scroll") continue;
      const hint = el.previousElementSibling;
      const says =
        el.getAttribute("role") === "region" &&
        el.getAttribute("tabindex") === "0" &&
        !!el.getAttribute("aria-label") &&
        !!hint?.classList.contains("scroll-hint") &&
        shown(hint);
      if (!says) problems.push(`scrolls sideways without saying so: ${describe(el)}`);
    }
    // WCAG 2.5.8: checkboxes and radio buttons of at least 24 by 24 px.
    for (const el of document.querySelectorAll<HTMLElement>('input[type="checkbox"], input[type="radio"]')) {
      const box = el.getBoundingClientRect();
      if (shown(el) && (box.width < 24 || box.height < 24)) {
        problems.push(`a ${Math.round(box.width)}x${Math.round(box.height)} px target: ${describe(el)}`);
      }
    }
    return problems;
  });
}

/** Axe's serious and critical findings, with the rules it leaves off by
 *  default that this app must pass too. */
async function axeFindings(page: Page, where: string): Promise<string[]> {
  const audit = await new AxeBuilder({ page })
    .options({ rules: { "target-size": { enabled: true }, "label-content-name-mismatch": { enabled: true } } })
    .analyze();
  return audit.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${where}: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

async function photograph(page: Page, testInfo: TestInfo, name: string) {
  const file = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  await testInfo.attach(name, { path: file, contentType: "image/png" });
}

/** Waits until the page is hydrated and shows what it loads after that. */
async function settle(page: Page, name: string) {
  await expect(page.getByTestId("live-badge")).toHaveClass(/live--open/);
  if (name === "home") {
    await expect(page.getByTestId("home-equity")).toBeVisible();
    await expect(page.getByTestId("home-watchlist").getByTestId("skeleton")).toHaveCount(0);
  }
  if (name === "stock") {
    await expect(page.getByTestId("chart")).not.toHaveAttribute("data-candles", "0");
    await expect(page.getByTestId("book")).toHaveAttribute("data-seq", /\d+/);
    await expect(page.getByTestId("tape-row").first()).toBeVisible();
  }
  if (name === "portfolio") {
    await expect(page.getByTestId("holding").first()).toBeVisible();
    await expect(page.getByTestId("equity")).toHaveAttribute("data-points", /\d+/);
  }
  if (name === "orders") await expect(page.getByTestId("open-order")).toHaveCount(1);
  if (name === "orders-history") await expect(page.getByTestId("order-row").first()).toBeVisible();
  if (name === "orders-fills") await expect(page.getByTestId("fill-row").first()).toBeVisible();
  if (name === "verify") await expect(page.getByTestId("verify-failed")).toBeVisible();
}

test.beforeAll(async ({ gaemi }) => {
  // A seller and a buyer of their own (one account never trades with
  // itself): a book on both sides and a few prints on the tape.
  const trader = async () => {
    const api = await playwrightRequest.newContext({ baseURL: gaemi.url, extraHTTPHeaders: { Origin: gaemi.url } });
    expect((await api.post("/api/v1/session")).ok()).toBe(true);
    return api;
  };
  const [seller, buyer] = [await trader(), await trader()];
  let id = 1;
  for (const [api, side, price, qty] of [
    [seller, "sell", 613_000, 40],
    [buyer, "buy", 613_000, 2],
    [buyer, "buy", 611_000, 12],
    [seller, "sell", 615_000, 50],
  ] as const) {
    const response = await api.post("/api/v1/orders", {
      data: { client_order_id: id++, symbol: CODE, side, kind: "limit", price, qty },
    });
    expect(response.ok(), await response.text()).toBe(true);
  }
  await seller.dispose();
  await buyer.dispose();
});

for (const lang of ["ko", "en"] as const) {
  for (const viewport of VIEWPORTS) {
    test(`every page fits a ${viewport.name} (${viewport.width}x${viewport.height}) in ${lang}`, async ({ page, gaemi, consoleErrors }, testInfo) => {
      test.setTimeout(240_000);
      await page.context().addCookies([{ name: "gaemi_lang", value: lang, url: gaemi.url }]);
      await page.setViewportSize({ width: viewport.width, height: viewport.height });
      // This browser's guest buys one share (filled) and bids below the
      // market (open), so its portfolio and orders are not empty.
      const api = page.request;
      expect((await api.post("/api/v1/session", { headers: { Origin: gaemi.url } })).ok()).toBe(true);
      for (const [id, price] of [
        [1, 613_000],
        [2, 600_000],
      ]) {
        const response = await api.post("/api/v1/orders", {
          headers: { Origin: gaemi.url },
          data: { client_order_id: id, symbol: CODE, side: "buy", kind: "limit", price, qty: 1 },
        });
        expect(response.ok(), await response.text()).toBe(true);
      }

      const problems: string[] = [];
      const check = async (name: string) => {
        await settle(page, name);
        await expect(page.locator("html")).toHaveAttribute("lang", lang);
        const where = `${name} (${viewport.name}, ${lang})`;
        await photograph(page, testInfo, `${name}-${viewport.name}-${lang}`);
        problems.push(...(await layoutProblems(page)).map((p) => `${where}: ${p}`));
        const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        if (sideways > 0) problems.push(`${where}: the page scrolls sideways by ${sideways} px`);
        problems.push(...(await axeFindings(page, where)));
      };
      for (const [name, route] of PAGES) {
        await page.goto(route);
        await check(name);
        if (name === "orders") {
          await page.getByTestId("tab-history").click();
          await check("orders-history");
          await page.getByTestId("tab-fills").click();
          await check("orders-fills");
        }
        if (name === "stock" && viewport.name === "phone") {
          // The order sheet, opened by a tap on a level.
          await page.locator('[data-testid="book-ask"]').first().click();
          await expect(page.getByTestId("order-sheet")).toHaveAttribute("role", "dialog");
          await check("stock-sheet");
          await page.keyboard.press("Escape");
        }
      }
      // The missing pages answer 404 and the spent verification link 410
      // (or 4xx): the browser logs those statuses, and nothing else.
      expectConsoleErrors(consoleErrors, /Failed to load resource: the server responded with a status of 4\d\d/);
      expect(problems, "layout and accessibility problems").toEqual([]);
    });
  }
}

test("phones get a compact header, a bottom tab bar to everywhere and two-line market rows", async ({ page }) => {
  await page.setViewportSize({ width: 390, height: 844 });
  await page.goto("/market");
  await expect(page.getByTestId("live-badge")).toHaveClass(/live--open/);

  const header = await page.locator(".site-header").boundingBox();
  expect(header!.height, "the header's height on a phone").toBeLessThanOrEqual(64);
  await expect(page.locator(".site-nav")).toBeHidden();
  const bar = page.getByTestId("tab-bar");
  await expect(bar).toBeVisible();
  const box = await bar.boundingBox();
  expect(box!.y + box!.height, "the tab bar sits at the bottom").toBeGreaterThanOrEqual(844 - 1);
  const hrefs = await bar.locator("a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
  expect([...hrefs].sort()).toEqual([...DESTINATIONS].sort());
  await expect(bar.getByRole("link", { name: "시장" })).toHaveAttribute("aria-current", "page");
  await expect(bar.getByRole("link", { name: "내 정보" })).toBeVisible();

  // A row: the name on the first line, price and change side by side below it.
  const row = page.getByTestId("market-row").first();
  const name = await row.getByTestId("market-link").boundingBox();
  const last = await row.getByTestId("market-last").boundingBox();
  const change = await row.locator(".market-table__chg").boundingBox();
  expect(last!.y).toBeGreaterThanOrEqual(name!.y + name!.height - 1);
  expect(Math.abs(change!.y - last!.y)).toBeLessThan(4);
  expect((await row.boundingBox())!.height).toBeLessThan(80);

  // 더보기 holds the rest, and a tap on one goes there.
  await bar.getByTestId("tab-bar-more").click();
  await bar.getByRole("link", { name: "랭킹" }).click();
  await expect(page).toHaveURL(/\/ranking$/);
  await expect(page.getByTestId("tab-bar-more")).toHaveClass(/tab-bar__tab--current/);
  // It closes as a menu does: a tap outside it, or Escape.
  await expect(page.getByTestId("live-badge")).toHaveClass(/live--open/);
  const more = page.locator(".tab-bar__more");
  await page.getByTestId("tab-bar-more").click();
  await expect(more).toHaveAttribute("open", "");
  await page.locator("h1").first().click();
  await expect(more).not.toHaveAttribute("open", "");
  await page.getByTestId("tab-bar-more").click();
  await expect(more).toHaveAttribute("open", "");
  await page.keyboard.press("Escape");
  await expect(more).not.toHaveAttribute("open", "");
  await expect(page.getByTestId("tab-bar-more")).toBeFocused();

  // The language switch is named by what it shows.
  const lang = page.getByTestId("lang-switch");
  await expect(lang).toHaveAccessibleName((await lang.textContent())!.trim());

  // On a desktop the top navigation is back and the tab bar gone.
  await page.setViewportSize({ width: 1280, height: 800 });
  await expect(page.locator(".site-nav")).toBeVisible();
  await expect(bar).toBeHidden();
});

test("a member's header names them, fits a phone, and its menu passes axe", async ({ page, gaemi }, testInfo) => {
  const nickname = "아주아주긴닉네임의개미왕국시민"; // 15 of the 16 allowed
  const api = page.request;
  const headers = { Origin: gaemi.url };
  const email = "long-name@example.kr";
  const signUp = await api.post("/api/v1/auth/sign-up", { headers, data: { email, nickname, password: "bright ant colony 7" } });
  expect(signUp.status()).toBe(202);
  const token = await gaemi.mailedToken(email, "/verify");
  expect((await api.post("/api/v1/auth/verify", { headers, data: { token } })).ok()).toBe(true);

  const problems: string[] = [];
  for (const viewport of VIEWPORTS) {
    await page.setViewportSize({ width: viewport.width, height: viewport.height });
    await page.goto("/market");
    await expect(page.getByTestId("live-badge")).toHaveClass(/live--open/);
    await expect(page.getByTestId("header-nickname")).toHaveText(nickname);
    await expect(page.getByTestId("member-menu-button")).toHaveAccessibleName(`${nickname} 계정 메뉴`);
    await expect(page.getByTestId("header-sign-in")).toHaveCount(0);
    if (viewport.name === "phone") {
      const header = await page.locator(".site-header").boundingBox();
      expect(header!.height, "the header's height on a phone").toBeLessThanOrEqual(64);
    }
    await page.getByTestId("member-menu-button").click();
    await expect(page.getByTestId("header-sign-out")).toBeVisible();
    await photograph(page, testInfo, `member-menu-${viewport.name}`);
    const where = `member menu (${viewport.name})`;
    problems.push(...(await layoutProblems(page)).map((p) => `${where}: ${p}`));
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    if (sideways > 0) problems.push(`${where}: the page scrolls sideways by ${sideways} px`);
    problems.push(...(await axeFindings(page, where)));
    // A tap outside it (left of its panel) closes it.
    await page.mouse.click(8, 500);
    await expect(page.getByTestId("header-sign-out")).toBeHidden();
  }
  expect(problems, "layout and accessibility problems").toEqual([]);
});
