// The market list in Chromium: every listing, search by name, code or initial
// consonants, sector filter, sorting, and a trade that moves a row's price
// live over the websocket without a reload.
import { test, expect } from "../support/fixtures";
import { request as playwrightRequest, type Page } from "@playwright/test";

const LISTINGS = 34;

async function openMarket(page: Page) {
  await page.goto("/market");
  await expect(page.getByTestId("live-badge")).toHaveClass(/live--open/);
  await expect(page.getByTestId("market-row")).toHaveCount(LISTINGS);
}

test("the market lists every listing and narrows by search and sector", async ({ page }) => {
  await openMarket(page);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("시장");

  const search = page.getByTestId("market-search");
  await search.fill("ㅎㅂㅈ");
  await expect(page.locator('[data-testid="market-row"][data-code="100010"]')).toBeVisible();
  await expect(page.getByTestId("market-row")).toHaveCount(1);
  await search.fill("ㅎㅂ");
  await expect(page.getByTestId("market-row")).toHaveCount(2); // 한빛전자, 서해바이오
  await search.fill("1000");
  await expect(page.getByTestId("market-row")).toHaveCount(9);
  await search.fill("없는종목");
  await expect(page.getByTestId("market-row")).toHaveCount(0);
  await expect(page.getByText("조건에 맞는 종목이 없습니다.")).toBeVisible();
  await search.fill("");

  await page.getByTestId("market-sector").selectOption("finance");
  const finance = page.getByTestId("market-row");
  await expect(finance).toHaveCount(4);
  await expect(finance.first()).toContainText("금융");
  await page.getByTestId("market-sector").selectOption("");
  await expect(page.getByTestId("market-row")).toHaveCount(LISTINGS);
});

test("sorting by price puts the dearest first, then the cheapest", async ({ page }) => {
  await openMarket(page);
  const priceHeader = page.getByRole("columnheader", { name: /현재가/ });
  await priceHeader.getByRole("button").click();
  await expect(priceHeader).toHaveAttribute("aria-sort", "descending");
  await expect(page.getByTestId("market-row").first()).toHaveAttribute("data-code", "100130");
  await priceHeader.getByRole("button").click();
  await expect(priceHeader).toHaveAttribute("aria-sort", "ascending");
  await expect(page.getByTestId("market-row").first()).toHaveAttribute("data-code", "100110");
});

test("a trade moves the row's price and volume without a reload", async ({ page, gaemi }) => {
  await openMarket(page);
  const row = page.locator('[data-testid="market-row"][data-code="100010"]');
  await expect(row.getByTestId("market-volume")).toHaveText("0");
  await page.evaluate(() => ((window as any).__sameDocument = true));

  // Two traders with their own sessions, through the public JSON API.
  const trader = async () => {
    const context = await playwrightRequest.newContext({
      baseURL: gaemi.url,
      extraHTTPHeaders: { Origin: gaemi.url },
    });
    expect((await context.post("/api/v1/session")).ok()).toBe(true);
    return context;
  };
  const [seller, buyer] = [await trader(), await trader()];
  const order = (side: string) => ({
    data: { client_order_id: 1, symbol: "100010", side, kind: "limit", price: 72_500, qty: 3 },
  });
  expect((await seller.post("/api/v1/orders", order("sell"))).ok()).toBe(true);
  expect((await buyer.post("/api/v1/orders", order("buy"))).ok()).toBe(true);

  await expect(row.getByTestId("market-last")).toHaveText("72,500");
  await expect(row.getByTestId("market-last")).toHaveClass(/up/);
  await expect(row.getByTestId("market-volume")).toHaveText("3");
  expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  await seller.dispose();
  await buyer.dispose();
});

test("a starred listing stays on the watchlist across reloads", async ({ page }) => {
  await openMarket(page);
  const star = page.locator('[data-testid="market-row"][data-code="100050"]').getByTestId("market-star");
  // The star shows at once and is busy until the server has saved it; a
  // reload before that would cancel the request, so wait for the answer.
  const clickAndSave = async () => {
    const saved = page.waitForResponse((r) => r.url().includes("/api/fn/set_watched"));
    await star.click();
    expect((await saved).ok()).toBe(true);
    await expect(star).not.toHaveAttribute("aria-busy", "true");
  };
  await expect(star).toHaveAttribute("aria-pressed", "false");
  await expect(star).toHaveAccessibleName("다온게임즈: 관심종목에 추가");
  await clickAndSave();
  await expect(star).toHaveAttribute("aria-pressed", "true");
  await page.getByTestId("market-only-watched").check();
  await expect(page.getByTestId("market-row")).toHaveCount(1);

  await page.reload();
  await openMarket(page);
  await expect(star).toHaveAttribute("aria-pressed", "true");
  await expect(star).toHaveAccessibleName("다온게임즈: 관심종목에서 빼기");
  await clickAndSave();
  await expect(star).toHaveAttribute("aria-pressed", "false");
  await page.reload();
  await openMarket(page);
  await expect(star).toHaveAttribute("aria-pressed", "false");
});

test("a desktop shows 15 rows at once, with turnover, and a ticking price flashes", async ({ page, gaemi }) => {
  await page.setViewportSize({ width: 1280, height: 800 });
  await openMarket(page);
  const rows = page.getByTestId("market-row");
  const aboveTheFold = await rows.evaluateAll(
    (rows) => rows.filter((row) => row.getBoundingClientRect().bottom <= window.innerHeight).length,
  );
  expect(aboveTheFold, "rows fully shown at 1280x800").toBeGreaterThanOrEqual(15);
  const turnoverHeader = page.getByRole("columnheader", { name: /거래대금/ });
  await expect(turnoverHeader).toBeVisible();

  // 소리뮤직 (21,300 won; no other spec trades it) trades up, down and down.
  const CODE = "100270";
  const row = page.locator(`[data-testid="market-row"][data-code="${CODE}"]`);
  const last = row.getByTestId("market-last");
  await expect(row.getByTestId("market-turnover")).toHaveText("0원");
  await expect(last).not.toHaveClass(/flash/);
  const trader = async () => {
    const api = await playwrightRequest.newContext({ baseURL: gaemi.url, extraHTTPHeaders: { Origin: gaemi.url } });
    expect((await api.post("/api/v1/session")).ok()).toBe(true);
    return api;
  };
  const [seller, buyer] = [await trader(), await trader()];
  let id = 1;
  const trade = async (price: number, qty: number) => {
    for (const [api, side] of [
      [seller, "sell"],
      [buyer, "buy"],
    ] as const) {
      const response = await api.post("/api/v1/orders", {
        data: { client_order_id: id++, symbol: CODE, side, kind: "limit", price, qty },
      });
      expect(response.ok(), await response.text()).toBe(true);
    }
  };
  await trade(21_350, 98);
  await expect(last).toHaveText("21,350");
  await expect(row.getByTestId("market-turnover")).toHaveText("209만원");
  await expect(last).toHaveClass(/(^| )flash-up( |$)/);
  expect(await last.evaluate((el) => getComputedStyle(el).animationName)).toBe("flash-up");
  await trade(21_300, 1);
  await expect(last).toHaveText("21,300");
  await expect(last).toHaveClass(/(^| )flash-down( |$)/);
  // The same direction again: the other name, so the animation restarts.
  await trade(21_250, 1);
  await expect(last).toHaveText("21,250");
  await expect(last).toHaveClass(/(^| )flash-down2( |$)/);
  // Readers who ask for less motion get the colours without the flash.
  await page.emulateMedia({ reducedMotion: "reduce" });
  expect(await last.evaluate((el) => getComputedStyle(el).animationName)).toBe("none");
  await seller.dispose();
  await buyer.dispose();

  // Sorted by turnover, the biggest first (as the public tickers say).
  const symbols = (await (await page.request.get("/api/v1/market/symbols")).json()).symbols as {
    symbol: string;
    ticker: { turnover: number };
  }[];
  const top = Math.max(...symbols.map((s) => s.ticker.turnover));
  await turnoverHeader.getByRole("button").click();
  await expect(turnoverHeader).toHaveAttribute("aria-sort", "descending");
  await expect(rows.first()).toHaveAttribute("data-code", symbols.find((s) => s.ticker.turnover === top)!.symbol);
});
