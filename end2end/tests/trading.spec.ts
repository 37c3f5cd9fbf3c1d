// The trading UI in Chromium against the real engine: the ticket, the book,
// the chart, open orders with amend and cancel, fills and the portfolio,
// all moving without a reload; bad input stopped in the page and by the
// server; and the book coming back after a server restart.
import { test, expect, expectConsoleErrors } from "../support/fixtures";
import { GaemiServer } from "../support/server";
import { type Page } from "@playwright/test";
import { limit, trader } from "../support/traders";

// Each test trades its own stock: the worker's server is shared with the
// other spec files, which trade 100010.
const LIMIT_CODE = "100070"; // 52,300 won, 100-won ticks
const MARKET_CODE = "100050"; // 153,000 won, 100-won ticks
const BAD_INPUT_CODE = "100020"; // 38,500 won, 50-won ticks
const RESTART_CODE = "100010"; // on a server of its own
const FAR_CODE = "100060"; // no other spec trades it

/** The KRX tick at `price` (app::rules::tick_size). */
function tick(price: number): number {
  if (price < 2_000) return 1;
  if (price < 5_000) return 5;
  if (price < 20_000) return 10;
  if (price < 50_000) return 50;
  if (price < 200_000) return 100;
  if (price < 500_000) return 500;
  return 1_000;
}

let nextId = 1;

const digits = (text: string | null) => Number((text ?? "").replace(/[^0-9]/g, ""));

async function openStock(page: Page, code: string, origin = "") {
  await page.goto(`${origin}/market/${code}`);
  await expect(page.getByTestId("live-badge")).toHaveClass(/live--open/);
  await expect(page.getByTestId("book")).toHaveAttribute("data-seq", /\d+/);
  await expect(page.getByTestId("ticket-available")).not.toHaveText("0원");
  return digits(await page.getByTestId("stock-last").textContent());
}

test("a limit buy below the market rests in open orders and the book; amend and cancel follow", async ({ page }) => {
  const last = await openStock(page, LIMIT_CODE);
  await page.evaluate(() => ((window as any).__sameDocument = true));
  // Three ticks below the last price, on the tick grid by the stepper.
  for (let i = 0; i < 3; i++) await page.getByTestId("ticket-price-down").click();
  const price = digits(await page.getByTestId("ticket-price").inputValue());
  expect(price).toBeLessThan(last);
  await page.getByTestId("ticket-qty").fill("5");
  await expect(page.getByTestId("ticket-total")).not.toHaveText("-");
  await page.getByTestId("ticket-submit").click();
  await expect(page.getByTestId("ticket-outcome")).toContainText("접수");

  const order = page.getByTestId("open-order");
  await expect(order).toHaveCount(1);
  await expect(order).toHaveAttribute("data-price", String(price));
  const bid = page.locator(`[data-testid="book-bid"][data-price="${price}"]`);
  await expect(bid).toHaveAttribute("data-qty", "5");

  // Amend: one tick lower (the stepper's price minus its tick) and 3 shares.
  await page.getByTestId("ticket-price-down").click();
  const lower = digits(await page.getByTestId("ticket-price").inputValue());
  await order.getByTestId("order-amend-open").click();
  await order.getByTestId("amend-price").fill(String(lower));
  await order.getByTestId("amend-qty").fill("3");
  await order.getByTestId("amend-submit").click();
  await expect(page.getByTestId("open-order")).toHaveAttribute("data-price", String(lower));
  await expect(page.locator(`[data-testid="book-bid"][data-price="${lower}"]`)).toHaveAttribute("data-qty", "3");
  await expect(bid).toHaveCount(0);

  await page.getByTestId("open-order").getByTestId("order-cancel").click();
  await expect(page.getByTestId("open-orders-empty")).toBeVisible();
  await expect(page.getByTestId("book-bid")).toHaveCount(0);
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
});

test("a market buy crosses the spread: the fill, the tape, the chart, the book and the portfolio move live", async ({ page, gaemi }) => {
  const code = MARKET_CODE;
  const last = await openStock(page, code);
  await page.evaluate(() => ((window as any).__sameDocument = true));
  const seller = await trader(gaemi.url);
  await limit(seller, code, "sell", last, 10);
  const ask = page.locator(`[data-testid="book-ask"][data-price="${last}"]`);
  await expect(ask).toHaveAttribute("data-qty", "10");

  // Clicking a level puts its price in the ticket.
  await page.getByTestId("ticket-market").check();
  await ask.click();
  await expect(page.getByTestId("ticket-price")).toHaveValue(last.toLocaleString("en-US"));
  await page.getByTestId("ticket-market").check();
  const cashBefore = await page.getByTestId("ticket-available").textContent();
  await page.getByTestId("ticket-qty").fill("4");
  await page.getByTestId("ticket-submit").click();
  // A market order is shown once more before it is sent.
  await expect(page.getByTestId("ticket-confirm-summary")).toContainText("4주 시장가 매수");
  await expect(page.getByTestId("ticket-confirm")).toBeFocused();
  await page.getByTestId("ticket-confirm").click();
  const name = ((await page.locator(".stock__name").textContent()) ?? "").trim();
  await expect(page.getByTestId("ticket-outcome")).toContainText(`${name} 4주 ${last.toLocaleString("en-US")}원 매수 체결`);
  await expect(page.getByTestId("ticket-outcome")).toContainText(`총 ${(last * 4).toLocaleString("en-US")}원`);
  // The cash the ticket offers is what the portfolio now holds.
  await expect(page.getByTestId("ticket-available")).not.toHaveText(cashBefore!);
  await expect(ask).toHaveAttribute("data-qty", "6");
  await expect(page.getByTestId("tape-row").first()).toContainText("4");
  await expect(page.getByTestId("stock-volume")).toHaveText("4");

  // The chart draws the candle, first as a static picture: the chart
  // library is not even loaded until the reader reaches for the chart.
  const chart = page.getByTestId("chart");
  await expect(chart).not.toHaveAttribute("data-candles", "0");
  await expect(chart).toHaveAttribute("data-last-close", String(last));
  await expect(chart.locator(".chart__preview svg")).toBeVisible();
  await expect(chart.locator(".chart__preview g path[d^='M']").first()).toBeAttached();
  // Other widths are drawn the same way (a day's candle is labelled with
  // its date), still without the library.
  await page.getByTestId("chart-1d").click();
  await expect(chart.locator(".chart__preview svg text").filter({ hasText: /^\d{4}-\d{2}-\d{2}$/ }).first()).toBeAttached();
  await page.getByTestId("chart-1m").click();
  await expect(chart.locator(".chart__preview svg text").filter({ hasText: /^\d{2}:\d{2}$/ }).first()).toBeAttached();
  expect(await page.evaluate(() => "echarts" in window)).toBe(false);
  await expect(page.locator("script#echarts-lib")).toHaveCount(0);
  // A pointer over the chart brings the interactive one (crosshair, zoom),
  // and a new trade moves it.
  await chart.hover();
  await expect(chart.locator("canvas").first()).toBeVisible();
  await expect(chart).toHaveAttribute("data-interactive", "true");
  await expect(chart.locator(".chart__preview")).toBeHidden();
  // Candles, volume and the three moving averages are all drawn (a series
  // type the chart library was built without is silently dropped).
  const drawn = await page.evaluate(() => {
    const host = document.querySelector('[data-testid="chart"] [_echarts_instance_]') ?? document.querySelector('[data-testid="chart"]');
    const series = (window as any).echarts.getInstanceByDom(host)?.getOption().series ?? [];
    return series.map((s: { type: string }) => s.type).sort();
  });
  expect(drawn).toEqual(["bar", "candlestick", "line", "line", "line"]);
  const buyer = await trader(gaemi.url);
  await limit(buyer, code, "buy", last, 6);
  const higher = last + tick(last);
  await limit(seller, code, "sell", higher, 1);
  await limit(buyer, code, "buy", higher, 1);
  await expect(chart).toHaveAttribute("data-last-close", String(higher));
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);

  // The fill and the portfolio, reached through the navigation (each page
  // is a page load of its own islands).
  await page.getByRole("link", { name: "주문", exact: true }).click();
  await expect(page.getByTestId("live-badge")).toHaveClass(/live--open/);
  await page.getByTestId("tab-fills").click();
  await expect(page.getByTestId("fill-row")).toHaveCount(1);
  await expect(page.getByTestId("fill-row")).toContainText("4");
  await page.getByTestId("tab-history").click();
  await expect(page.locator('[data-testid="order-row"][data-status="filled"]')).toHaveCount(1);
  await page.getByRole("link", { name: "내 자산" }).click();
  await expect(page.locator(`[data-testid="holding"][data-code="${code}"]`).getByTestId("holding-qty")).toHaveText("104");
  await seller.dispose();
  await buyer.dispose();
});

test("bad input in the ticket is stopped in the page, and the server refuses it too", async ({ page, request }) => {
  const code = BAD_INPUT_CODE;
  const last = await openStock(page, code);
  const submit = page.getByTestId("ticket-submit");
  const qty = page.getByTestId("ticket-qty");
  const price = page.getByTestId("ticket-price");
  const qtyError = page.getByTestId("ticket-qty-error");
  const priceError = page.getByTestId("ticket-price-error");

  await submit.click();
  await expect(qtyError).toHaveText("수량을 입력하세요.");
  for (const bad of ["0", "1.5", "-2"]) {
    await qty.fill(bad);
    await submit.click();
    await expect(qtyError).toHaveText("수량은 1주 이상의 정수로 입력하세요.");
  }
  await qty.fill("1");
  await price.fill(String(last + tick(last) / 2)); // between two ticks
  await submit.click();
  await expect(priceError).toContainText(`호가 단위는 ${tick(last)}원`);
  await price.fill(String(last * 2));
  await submit.click();
  await expect(priceError).toContainText("가격제한폭");
  await price.fill("");
  await submit.click();
  await expect(priceError).toHaveText("가격을 입력하세요.");

  await page.getByTestId("ticket-sell").click();
  await price.fill(String(last));
  await qty.fill("101"); // a guest holds 100
  await submit.click();
  await expect(qtyError).toContainText("매도 가능 수량(100주)");
  await expect(page.getByTestId("ticket-outcome")).toBeEmpty();
  await expect(page.getByTestId("open-orders-empty")).toBeVisible();

  // The same orders sent straight to the server are refused by field.
  const origin = new URL(page.url()).origin;
  const session = await request.post("/api/v1/session", { headers: { Origin: origin } });
  expect(session.ok()).toBe(true);
  const direct = async (body: object) =>
    request.post("/api/v1/orders", {
      headers: { Origin: origin },
      data: { client_order_id: nextId++, symbol: code, side: "buy", kind: "limit", ...body },
    });
  for (const [body, field] of [
    [{ price: last, qty: 0 }, "qty"],
    [{ price: last, qty: 1.5 }, "qty"],
    [{ price: last + tick(last) / 2, qty: 1 }, "price"],
  ] as const) {
    const response = await direct(body);
    expect(response.status()).toBe(422);
    expect((await response.json()).field).toBe(field);
  }
  const outOfBand = await direct({ price: last * 2, qty: 1 });
  expect(outOfBand.status()).toBeGreaterThanOrEqual(400);
  expect(outOfBand.status()).toBeLessThan(500);
});

test("a price far from the last asks to confirm, the keyboard stays in the ticket, and orders show names", async ({ page }) => {
  const code = FAR_CODE;
  const last = await openStock(page, code);
  const name = ((await page.locator(".stock__name").textContent()) ?? "").trim();
  const submit = page.getByTestId("ticket-submit");
  const panel = page.getByTestId("ticket-confirm-panel");
  // About 8 % under the last price, on the grid: asked about first.
  let far = last;
  while (far > last * 0.92) far -= tick(far);
  await page.getByTestId("ticket-price").fill(String(far));
  await page.getByTestId("ticket-qty").fill("2");
  await submit.click();
  await expect(panel).toBeVisible();
  await expect(panel).toContainText("낮은 가격입니다");
  await expect(panel).toContainText(`${name} 2주 ${far.toLocaleString("en-US")}원 매수`);
  // Going back sends nothing and leaves the keyboard on the ticket's button.
  await page.getByTestId("ticket-confirm-back").click();
  await expect(panel).toBeHidden();
  await expect(submit).toBeFocused();
  await expect(page.getByTestId("open-orders-empty")).toBeVisible();
  // Changing a field after the question withdraws it.
  await submit.click();
  await expect(panel).toBeVisible();
  await page.getByTestId("ticket-qty").fill("1");
  await expect(panel).toBeHidden();
  // Enter asks, Enter again confirms; the focus never leaves the ticket.
  await page.getByTestId("ticket-qty").press("Enter");
  await expect(page.getByTestId("ticket-confirm")).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("ticket-outcome")).toContainText(`${name} 1주 ${far.toLocaleString("en-US")}원 매수 주문 접수`);
  expect(await page.evaluate(() => !!document.activeElement?.closest('[data-testid="ticket"]'))).toBe(true);
  // The open order names its stock.
  const order = page.getByTestId("open-order");
  await expect(order).toHaveCount(1);
  await expect(order.locator(".orders__name")).toHaveText(name);
  await order.getByTestId("order-cancel").click();
  await expect(page.getByTestId("open-orders-empty")).toBeVisible();

  // Selling more than held is refused in the page; with everything in a
  // sell order, the ticket says there is nothing left to sell.
  await page.getByTestId("ticket-sell").click();
  let high = last;
  while (high < last * 1.06) high += tick(high);
  await page.getByTestId("ticket-price").fill(String(high));
  await page.getByTestId("ticket-qty").fill("100"); // a guest holds 100
  await submit.click();
  await expect(panel).toContainText("높은 가격입니다");
  await page.getByTestId("ticket-confirm").click();
  await expect(page.getByTestId("ticket-outcome")).toContainText("매도 주문 접수");
  await expect(page.getByTestId("ticket-no-shares")).toBeVisible();
  await page.getByTestId("ticket-qty").fill("1");
  await submit.click();
  await expect(page.getByTestId("ticket-qty-error")).toContainText("매도할 수 있는 주식이 없습니다");
  await page.getByRole("link", { name: "주문", exact: true }).click();
  await expect(page.getByTestId("open-order").locator(".orders__name")).toHaveText(name);
});

test("after a server restart the page resubscribes and the book resyncs", async ({ page, consoleErrors }) => {
  // A server of its own: restarting the shared one would disturb other tests.
  const server = await GaemiServer.start();
  try {
    const code = RESTART_CODE;
    const last = await openStock(page, code, server.url);
    const [below, further] = [last - tick(last), last - 2 * tick(last)];
    const api = await trader(server.url);
    await limit(api, code, "buy", below, 7);
    await expect(page.locator(`[data-testid="book-bid"][data-price="${below}"]`)).toHaveAttribute("data-qty", "7");
    await page.evaluate(() => ((window as any).__sameDocument = true));

    await server.stop();
    await expect(page.getByTestId("live-badge")).toHaveClass(/live--reconnecting/);
    await server.launch();
    await expect(page.getByTestId("live-badge")).toHaveClass(/live--open/, { timeout: 30_000 });

    // The order survived the restart; a new one shows the book is live again.
    await limit(api, code, "buy", further, 2);
    await expect(page.locator(`[data-testid="book-bid"][data-price="${further}"]`)).toHaveAttribute("data-qty", "2");
    await expect(page.locator(`[data-testid="book-bid"][data-price="${below}"]`)).toHaveAttribute("data-qty", "7");
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
    await api.dispose();
  } finally {
    await server.dispose();
  }
  expectConsoleErrors(consoleErrors, /WebSocket connection to .* failed|Failed to load resource|Failed to fetch/);
});
