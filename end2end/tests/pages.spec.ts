// Every page at phone and desktop widths: a screenshot for review (in
// end2end/screenshots/) and an axe-core audit that must find no serious or
// critical violation. A couple of trades first, so the stock page, the
// portfolio and the orders page show real content.
import { test, expect } from "../support/fixtures";
import AxeBuilder from "@axe-core/playwright";
import { request as playwrightRequest } from "@playwright/test";
import { mkdirSync } from "node:fs";
import path from "node:path";

const PAGES = [
  ["home", "/"],
  ["market", "/market"],
  ["stock", "/market/100010"],
  ["portfolio", "/portfolio"],
  ["orders", "/orders"],
  ["rounds", "/rounds"],
  ["community", "/community"],
  ["ranking", "/ranking"],
  ["me", "/me"],
  ["sign-in", "/sign-in"],
  ["sign-up", "/sign-up"],
  ["sign-up-social", "/sign-up/social"],
  ["forgot-password", "/forgot-password"],
  ["reset-password", "/reset-password?token=0"],
] as const;

test("every page is accessible and photographed at 390 and 1280 px", async ({ page, gaemi }) => {
  test.setTimeout(180_000);
  // Two traders with sessions of their own (one account never trades with
  // itself: self-trade prevention).
  const trader = async () => {
    const api = await playwrightRequest.newContext({ baseURL: gaemi.url, extraHTTPHeaders: { Origin: gaemi.url } });
    expect((await api.post("/api/v1/session")).ok()).toBe(true);
    return api;
  };
  const [seller, buyer] = [await trader(), await trader()];
  let id = 1;
  for (const [api, side, price, qty] of [
    [seller, "sell", 72_600, 5],
    [buyer, "buy", 72_600, 2],
    [buyer, "buy", 72_300, 4],
    [seller, "sell", 72_900, 3],
  ] as const) {
    const response = await api.post("/api/v1/orders", {
      data: { client_order_id: id++, symbol: "100010", side, kind: "limit", price, qty },
    });
    expect(response.ok()).toBe(true);
  }
  // The browser's own guest places an order too, so its lists are not empty.
  await page.goto("/market/100010");
  await expect(page.getByTestId("live-badge")).toHaveClass(/live--open/);
  await expect(page.getByTestId("ticket-available")).not.toHaveText("0원");
  await page.getByTestId("ticket-price").fill("72,000");
  await page.getByTestId("ticket-qty").fill("3");
  await page.getByTestId("ticket-submit").click();
  await expect(page.getByTestId("ticket-outcome")).toContainText("접수");

  const dir = path.join(__dirname, "..", "screenshots");
  mkdirSync(dir, { recursive: true });
  for (const [width, height] of [
    [390, 844],
    [1280, 800],
  ]) {
    await page.setViewportSize({ width, height });
    for (const [name, route] of PAGES) {
      await page.goto(route);
      await expect(page.getByTestId("live-badge")).toHaveClass(/live--open/);
      if (name === "stock") await expect(page.getByTestId("chart")).not.toHaveAttribute("data-candles", "0");
      if (name === "portfolio") await expect(page.getByTestId("portfolio-total")).toBeVisible();
      if (name === "orders") await expect(page.getByTestId("open-order")).toHaveCount(1);
      await page.screenshot({ path: path.join(dir, `${name}-${width}.png`), fullPage: true });
      const audit = await new AxeBuilder({ page }).analyze();
      const serious = audit.violations
        .filter((v) => v.impact === "serious" || v.impact === "critical")
        .map((v) => `${name} @${width}px: ${v.id} (${v.impact}) ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
      expect(serious, `axe on ${route} at ${width} px`).toEqual([]);
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      expect(overflow, `${route} overflows sideways at ${width} px`).toBeLessThanOrEqual(0);
    }
  }
  await seller.dispose();
  await buyer.dispose();
});
