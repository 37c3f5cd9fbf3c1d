// Each account's private stream in the browser: two people in two browser
// contexts, and when B's order trades against A's resting order, A's
// portfolio and open orders (on pages already open, in other tabs) change
// without a reload and without A doing anything.
import { test, expect } from "../support/fixtures";
import type { Page } from "@playwright/test";

const CODE = "100030"; // 18,450 won, 10-won ticks; no other spec trades it

const digits = (text: string | null) => Number((text ?? "").replace(/[^0-9]/g, ""));

async function live(page: Page, path: string) {
  await page.goto(path);
  await expect(page.getByTestId("live-badge")).toHaveClass(/live--open/);
}

/** Places a limit order from the stock page's ticket, as a person would. */
async function order(page: Page, side: "buy" | "sell", price: number, qty: number) {
  await page.getByTestId(side === "buy" ? "ticket-buy" : "ticket-sell").click();
  await page.getByTestId("ticket-price").fill(String(price));
  await page.getByTestId("ticket-qty").fill(String(qty));
  await page.getByTestId("ticket-submit").click();
}

test("B's trade against A's resting order shows on A's open pages without a reload", async ({ browser, gaemi }) => {
  const alice = await browser.newContext({ baseURL: gaemi.url });
  const bob = await browser.newContext({ baseURL: gaemi.url });
  try {
    // Alice rests a sell (a guest starts with 100 shares of every stock here).
    const aliceStock = await alice.newPage();
    await live(aliceStock, `/market/${CODE}`);
    await expect(aliceStock.getByTestId("ticket-available")).not.toHaveText("0원");
    const last = digits(await aliceStock.getByTestId("stock-last").textContent());
    await order(aliceStock, "sell", last, 5);
    await expect(aliceStock.getByTestId("ticket-outcome")).toContainText("접수");
    await expect(aliceStock.getByTestId("open-order")).toHaveAttribute("data-qty", "5");

    // Her portfolio and her orders, open in two more tabs.
    const portfolio = await alice.newPage();
    await live(portfolio, "/portfolio");
    const holding = portfolio.locator(`[data-testid="holding"][data-code="${CODE}"]`);
    await expect(holding.getByTestId("holding-qty")).toHaveText("100");
    const cash = await portfolio.getByTestId("portfolio-cash").textContent();
    const orders = await alice.newPage();
    await live(orders, "/orders");
    await expect(orders.getByTestId("open-order")).toHaveAttribute("data-qty", "5");
    for (const page of [aliceStock, portfolio, orders]) {
      await page.evaluate(() => ((window as any).__sameDocument = true));
    }

    // Bob buys 3 at her price from his own browser.
    const bobStock = await bob.newPage();
    await live(bobStock, `/market/${CODE}`);
    await order(bobStock, "buy", last, 3);
    await expect(bobStock.getByTestId("ticket-outcome")).toContainText("체결");

    // Alice's pages follow: 3 shares fewer, more cash, 2 left to sell.
    await expect(holding.getByTestId("holding-qty")).toHaveText("97");
    await expect(portfolio.getByTestId("portfolio-cash")).not.toHaveText(cash!);
    await expect(orders.getByTestId("open-order")).toHaveAttribute("data-qty", "2");
    await expect(aliceStock.getByTestId("open-order")).toHaveAttribute("data-qty", "2");
    await orders.getByTestId("tab-fills").click();
    await expect(orders.getByTestId("fill-row")).toHaveCount(1);

    // Bob fills the rest: the order leaves Alice's open orders.
    await order(bobStock, "buy", last, 2);
    await expect(holding.getByTestId("holding-qty")).toHaveText("95");
    await expect(aliceStock.getByTestId("open-orders-empty")).toBeVisible();
    await expect(orders.getByTestId("fill-row")).toHaveCount(2);
    for (const page of [aliceStock, portfolio, orders]) {
      expect(await page.evaluate(() => (window as any).__sameDocument), "no reload").toBe(true);
    }
  } finally {
    await alice.close();
    await bob.close();
  }
});
