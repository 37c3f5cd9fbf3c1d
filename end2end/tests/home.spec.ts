// The home page in Chromium: the day's boards (top gainers, losers,
// turnover and volume) whose rows open their stock, the newcomer's way in,
// my assets after a first buy, my watchlist, the latest news as it breaks,
// and the operator's status page behind the footer's link.
import { test, expect } from "../support/fixtures";
import { GaemiServer } from "../support/server";
import { request as playwrightRequest, type APIRequestContext, type Page } from "@playwright/test";

// No other spec trades these two.
const GAINER = "100290"; // 동해조선, 184,700 won: its upper limit is 240,000
const LOSER = "100300"; // 강철중공업, 35,750 won: its lower limit is 25,050

async function openHome(page: Page, origin = "") {
  await page.goto(`${origin}/`);
  await expect(page.getByTestId("live-badge")).toHaveClass(/live--open/);
}

/** A trader with a session of its own, through the public JSON API. */
async function trader(url: string): Promise<APIRequestContext> {
  const api = await playwrightRequest.newContext({ baseURL: url, extraHTTPHeaders: { Origin: url } });
  expect((await api.post("/api/v1/session")).ok()).toBe(true);
  return api;
}

let orderId = 1;

async function limit(api: APIRequestContext, symbol: string, side: "buy" | "sell", price: number, qty: number, origin?: string) {
  const response = await api.post("/api/v1/orders", {
    headers: origin ? { Origin: origin } : undefined,
    data: { client_order_id: orderId++, symbol, side, kind: "limit", price, qty },
  });
  expect(response.ok(), await response.text()).toBe(true);
}

test("the boards rank the day's movers and a row opens its stock", async ({ page, gaemi }) => {
  const [seller, buyer] = [await trader(gaemi.url), await trader(gaemi.url)];
  for (const [code, price] of [
    [GAINER, 240_000],
    [LOSER, 25_050],
  ] as const) {
    await limit(seller, code, "sell", price, 100);
    await limit(buyer, code, "buy", price, 100);
  }
  await seller.dispose();
  await buyer.dispose();

  await openHome(page);
  const board = (key: string) => page.getByTestId(`home-board-${key}`);
  await expect(board("gainers")).toContainText("상승률 상위");
  await expect(board("losers")).toContainText("하락률 상위");
  await expect(board("turnover")).toContainText("거래대금 상위");
  await expect(board("volume")).toContainText("거래량 상위");
  const row = (key: string, code: string) => board(key).locator(`[data-testid="home-stock"][data-code="${code}"]`);

  // A move to the daily limit tops its board.
  await expect(board("gainers").getByTestId("home-stock").first()).toHaveAttribute("data-code", GAINER);
  await expect(board("losers").getByTestId("home-stock").first()).toHaveAttribute("data-code", LOSER);
  const gainer = row("gainers", GAINER);
  await expect(gainer).toContainText("동해조선");
  await expect(gainer.locator(".quote__price")).toHaveText("240,000");
  await expect(gainer.locator(".quote__chg")).toHaveText(/^\+29\.9\d%$/);
  await expect(gainer.locator(".quote__chg")).toHaveClass(/up/);
  await expect(row("losers", LOSER).locator(".quote__chg")).toHaveClass(/down/);
  // Both traded; the turnover board says how much.
  await expect(row("turnover", GAINER)).toContainText("거래대금 2,400만원");
  await expect(row("turnover", LOSER)).toBeVisible();
  await expect(row("volume", GAINER)).toContainText("거래량 100");
  await expect(row("volume", LOSER)).toBeVisible();
  for (const key of ["gainers", "losers", "turnover", "volume"]) {
    expect(await board(key).getByTestId("home-stock").count()).toBeLessThanOrEqual(5);
  }

  await gainer.click();
  await expect(page).toHaveURL(new RegExp(`/market/${GAINER}$`));
  await expect(page.getByRole("heading", { level: 1 })).toContainText("동해조선");
});

test("a newcomer is invited to start with 1억 and reads no account", async ({ page }) => {
  await openHome(page);
  const start = page.getByTestId("home-start");
  await expect(start).toHaveText("1억원으로 시작하기");
  await expect(page.getByTestId("home-assets")).toContainText("처음 오셨나요?");
  await expect(page.getByTestId("home-watchlist")).toContainText("관심종목이 없습니다.");
  // Reading the home page opened nothing and made no session.
  expect((await page.context().cookies()).map((c) => c.name)).not.toContain("gaemi_session");
  await start.click();
  await expect(page).toHaveURL(/\/market$/);
});

test("after a first buy the home page shows my assets", async ({ page, gaemi }) => {
  const me = page.request;
  expect((await me.post("/api/v1/session", { headers: { Origin: gaemi.url } })).ok()).toBe(true);
  const seller = await trader(gaemi.url);
  await limit(seller, "100200", "sell", 2_345, 3);
  await limit(me, "100200", "buy", 2_345, 3, gaemi.url);
  await seller.dispose();
  const portfolio = await (await me.get("/api/v1/portfolio")).json();
  const won = (n: number) => `${n.toLocaleString("en-US")}원`;

  await openHome(page);
  const assets = page.getByTestId("home-assets");
  await expect(assets.getByRole("heading", { level: 2 })).toHaveText("내 자산");
  // Nobody else trades, so the live prices are the ones the portfolio used.
  await expect(assets.getByTestId("home-equity")).toHaveText(won(portfolio.total_value));
  await expect(assets.getByTestId("home-pnl")).toContainText(won(portfolio.pnl));
  await expect(assets).toContainText(won(portfolio.cash_available));
  await expect(page.getByTestId("home-start")).toHaveCount(0);
  await assets.getByRole("link", { name: /내 자산 자세히 보기/ }).click();
  await expect(page).toHaveURL(/\/portfolio$/);
});

test("the watchlist shows a watched stock", async ({ page, gaemi }) => {
  const me = page.request;
  const headers = { Origin: gaemi.url };
  expect((await me.post("/api/v1/session", { headers })).ok()).toBe(true);
  expect((await me.put("/api/v1/watchlist/100340", { headers })).ok()).toBe(true);

  await openHome(page);
  const watched = page.getByTestId("home-watchlist").getByTestId("home-stock");
  await expect(watched).toHaveCount(1);
  await expect(watched).toHaveAttribute("data-code", "100340");
  await expect(watched).toContainText("울림네트웍스");
  await expect(watched).toContainText("7,350");
  await watched.click();
  await expect(page).toHaveURL(/\/market\/100340$/);
});

test("the footer leads to the server status", async ({ page }) => {
  await openHome(page);
  await page.getByTestId("footer-status").click();
  await expect(page).toHaveURL(/\/status$/);
  await expect(page.getByRole("heading", { level: 1 })).toHaveText("서버 상태");
  await expect(page.getByTestId("server-status")).toContainText("sqlite");
  await expect(page.getByTestId("home-server-time")).toHaveText(/^\d{2}:\d{2}:\d{2}$/);
});

test("the latest news comes with the page and then as it breaks", async ({ page }) => {
  // A server of its own with the bots on and news every second or so.
  const saved = { ...process.env };
  process.env.GAEMI_BOTS_ENABLED = "true";
  process.env.GAEMI_BOTS_NEWS_PER_HOUR = "3600";
  const server = await GaemiServer.start().finally(() => {
    process.env.GAEMI_BOTS_ENABLED = saved.GAEMI_BOTS_ENABLED;
    process.env.GAEMI_BOTS_NEWS_PER_HOUR = saved.GAEMI_BOTS_NEWS_PER_HOUR;
    if (saved.GAEMI_BOTS_ENABLED === undefined) delete process.env.GAEMI_BOTS_ENABLED;
    if (saved.GAEMI_BOTS_NEWS_PER_HOUR === undefined) delete process.env.GAEMI_BOTS_NEWS_PER_HOUR;
  });
  try {
    const first = await (async () => {
      const api = await playwrightRequest.newContext({ baseURL: server.url });
      await expect(async () => {
        const news = await (await api.get("/api/v1/market/news")).json();
        expect(news.items.length).toBeGreaterThan(0);
      }).toPass();
      const news = await (await api.get("/api/v1/market/news")).json();
      await api.dispose();
      return news.items[0];
    })();
    await openHome(page, server.url);
    const items = page.getByTestId("home-news").locator(".news__item");
    await expect(page.getByTestId("home-news")).toContainText(first.headline_ko);
    // A newer item arrives on the news topic without a reload.
    await page.evaluate(() => ((window as any).__sameDocument = true));
    const top = (await items.first().locator(".news__headline").textContent())!;
    await expect(items.first().locator(".news__headline")).not.toHaveText(top);
    expect(await items.count()).toBeLessThanOrEqual(6);
    expect(await page.evaluate(() => (window as any).__sameDocument)).toBe(true);
  } finally {
    await server.dispose();
  }
});
