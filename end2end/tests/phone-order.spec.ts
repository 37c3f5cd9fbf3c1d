// Ordering on a phone (390 x 844): a trader opens a stock from the home
// page, taps an ask in the 호가창, finds its price in the order sheet, buys,
// and reads what happened in words (name, price, amount); the portfolio
// then shows the holding with its 현재가 and 평가손익. The sheet is a dialog:
// the 매수 / 매도 bar opens it on its side, Escape closes it and gives the
// keyboard back to what opened it.
import { test, expect } from "../support/fixtures";
import { GaemiServer } from "../support/server";
import { type Page } from "@playwright/test";
import { limit, trader } from "../support/traders";

test.use({ viewport: { width: 390, height: 844 }, hasTouch: true, isMobile: true });

const digits = (text: string | null) => Number((text ?? "").replace(/[^0-9]/g, ""));
const won = (n: number) => `${n.toLocaleString("en-US")}원`;

// 가람식품, 4,215 won (5-won ticks); traded once, it is on the home page's
// turnover and volume boards (a market where nothing traded has empty boards).
const CODE = "100040";
const FIRST_PRICE = 4_215;
async function tradeOnce(origin: string) {
  const [seller, buyer] = [await trader(origin), await trader(origin)];
  await limit(seller, CODE, "sell", FIRST_PRICE, 1);
  await limit(buyer, CODE, "buy", FIRST_PRICE, 1);
  await seller.dispose();
  await buyer.dispose();
}

/** Opens `code` (or the first stock listed) from the home page's boards. */
async function openFromHome(page: Page, origin = "", code?: string): Promise<{ code: string; name: string; last: number }> {
  await page.goto(`${origin}/`);
  const rows = page.getByTestId("home-stock");
  const link = (code ? rows.and(page.locator(`[data-code="${code}"]`)) : rows).first();
  await expect(link).toBeVisible();
  const opened = (await link.getAttribute("data-code"))!;
  await link.click();
  await expect(page).toHaveURL(new RegExp(`/market/${opened}$`));
  await expect(page.getByTestId("live-badge")).toHaveClass(/live--open/);
  await expect(page.getByTestId("book")).toHaveAttribute("data-seq", /\d+/);
  const name = ((await page.locator(".stock__name").textContent()) ?? "").trim();
  const last = digits(await page.getByTestId("stock-last").textContent());
  return { code: opened, name, last };
}

test("a phone user buys from the home page by tapping an ask, and the portfolio shows the holding", async ({ page }) => {
  // A server of its own, so the only ask is this test's seller's.
  const server = await GaemiServer.start();
  try {
    await buyOnAPhone(page, server.url);
  } finally {
    await server.dispose();
  }
});

async function buyOnAPhone(page: Page, origin: string) {
  await tradeOnce(origin);
  const { code, name, last } = await openFromHome(page, origin, CODE);
  const seller = await trader(origin);
  await limit(seller, code, "sell", last, 5);
  const ask = page.locator(`[data-testid="book-ask"][data-price="${last}"]`);
  await expect(ask).toHaveAttribute("data-qty", /\d+/);

  // The ticket is not on the page until an order is being made.
  await expect(page.getByTestId("ticket")).toBeHidden();
  await expect(page.getByTestId("trade-bar-buy")).toBeVisible();
  await ask.tap();
  const sheet = page.getByTestId("order-sheet");
  await expect(sheet).toHaveAttribute("role", "dialog");
  await expect(sheet.getByTestId("ticket")).toBeVisible();
  await expect(sheet.getByTestId("ticket-price")).toBeVisible();
  await expect(sheet.getByTestId("ticket-price")).toHaveValue(last.toLocaleString("en-US"));
  await expect(sheet.getByTestId("ticket-buy")).toHaveAttribute("aria-selected", "true");
  // The book stays beside the price field in the sheet.
  await expect(sheet.locator(`[data-testid="book-ask"][data-price="${last}"]`)).toBeInViewport();
  await expect(sheet.getByTestId("ticket-price")).toBeInViewport();

  await sheet.getByTestId("ticket-qty").fill("3");
  await sheet.getByTestId("ticket-submit").tap();
  const outcome = sheet.getByTestId("ticket-outcome");
  await expect(outcome).toContainText("체결");
  await expect(outcome).toContainText(name);
  await expect(outcome).toContainText(won(last));
  await expect(outcome).toContainText(won(last * 3));
  // The keyboard stays in the ticket for the next order.
  expect(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="ticket"]'))).toBe(true);

  await sheet.getByTestId("sheet-close").tap();
  await expect(page.getByTestId("ticket")).toBeHidden();
  // The chart is a picture until a finger touches it; then the interactive
  // one (crosshair, pinch to zoom) takes its place.
  const chart = page.getByTestId("chart");
  await expect(chart.locator(".chart__preview svg")).toBeVisible();
  await chart.tap();
  await expect(chart).toHaveAttribute("data-interactive", "true");
  await expect(chart.locator("canvas").first()).toBeVisible();
  await page.locator('.tab-bar a[href="/portfolio"]').tap();
  const holding = page.locator(`[data-testid="holding"][data-code="${code}"]`);
  await expect(holding.getByTestId("holding-qty")).toHaveText("103"); // a guest starts with 100
  await expect(holding.getByTestId("holding-last")).toHaveText(last.toLocaleString("en-US"));
  await expect(holding.getByTestId("holding-value")).toBeVisible();
  await expect(holding.getByTestId("holding-pnl")).toContainText("원");
  await expect(holding.getByTestId("holding-return")).toContainText("%");
  // The equity curve: one day so far, and the commission this buy paid.
  const equity = page.getByTestId("equity");
  await expect(equity).toHaveAttribute("data-points", "1");
  await expect(equity.getByRole("img")).toHaveAttribute("aria-label", /^최근 1일 자산: .+원에서 오늘 .+원$/);
  await expect(page.getByTestId("fees-paid")).toHaveText(/^지금까지 낸 수수료 [1-9][0-9,]*원 · 거래세 0원$/);
  await seller.dispose();
}

test("the order bar opens the sheet on its side; Escape closes it and the bar gets the keyboard back", async ({ page, gaemi }) => {
  await tradeOnce(gaemi.url);
  await openFromHome(page);
  const sellButton = page.getByTestId("trade-bar-sell");
  await sellButton.focus();
  await page.keyboard.press("Enter");
  const sheet = page.getByTestId("order-sheet");
  await expect(sheet).toHaveAttribute("aria-modal", "true");
  await expect(sheet.getByTestId("ticket-sell")).toHaveAttribute("aria-selected", "true");
  await expect(sheet.getByTestId("ticket-submit")).toHaveText("매도 주문");
  // Tab goes round inside the sheet, never to the page behind it.
  for (let i = 0; i < 30; i++) {
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="order-sheet"]'))).toBe(true);
  }
  await page.keyboard.press("Escape");
  await expect(sheet).not.toHaveAttribute("role", "dialog");
  await expect(page.getByTestId("ticket")).toBeHidden();
  await expect(sellButton).toBeFocused();
});
