// Traders beside the browser: each a session of its own through the public
// JSON API (one account never trades with itself), placing limit orders.
import { expect, request as playwrightRequest, type APIRequestContext } from "@playwright/test";

/** A trader with a session of their own. */
export async function trader(baseURL: string): Promise<APIRequestContext> {
  const context = await playwrightRequest.newContext({ baseURL, extraHTTPHeaders: { Origin: baseURL } });
  expect((await context.post("/api/v1/session")).ok()).toBe(true);
  return context;
}

let nextId = 1;
/** A limit order, which must be accepted. */
export async function limit(api: APIRequestContext, symbol: string, side: "buy" | "sell", price: number, qty: number) {
  const response = await api.post("/api/v1/orders", {
    data: { client_order_id: nextId++, symbol, side, kind: "limit", price, qty },
  });
  expect(response.ok(), await response.text()).toBe(true);
}
