// What a browser downloads on a first visit to each page, measured in
// Chromium itself: every HTTP response of the visit (the HTML, scripts,
// stylesheets, the main wasm module and the chunks its islands load, the
// chart library, the page's first data), counted as the compressed bytes
// that crossed the wire, until the page has hydrated and the network is idle.
// Usage: node first-load.mjs <base-url> <path>...   (scripts/measure-transfer)
import { chromium } from "@playwright/test";

const [base, ...paths] = process.argv.slice(2);
const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic"],
});
console.log(`${"page".padEnd(16)} ${"files".padStart(6)} ${"bytes".padStart(10)}  largest`);
for (const path of paths) {
  // A fresh context each time: nothing cached from the page before.
  const context = await browser.newContext({ locale: "ko-KR" });
  const page = await context.newPage();
  const responses = [];
  page.on("requestfinished", (request) => responses.push(request));
  await page.goto(base + path, { waitUntil: "networkidle" });
  await page.getByTestId("live-badge").and(page.locator(".live--open")).waitFor();
  await page.waitForLoadState("networkidle");
  let total = 0;
  const sizes = [];
  for (const request of responses) {
    const { responseBodySize } = await request.sizes();
    total += responseBodySize;
    sizes.push([responseBodySize, new URL(request.url()).pathname]);
  }
  sizes.sort((a, b) => b[0] - a[0]);
  const largest = sizes.slice(0, process.env.FIRST_LOAD_ALL ? sizes.length : 3).map(([bytes, name]) => `${name} ${bytes}`).join(", ");
  console.log(`${path.padEnd(16)} ${String(responses.length).padStart(6)} ${String(total).padStart(10)}  ${largest}`);
  await context.close();
}
await browser.close();
