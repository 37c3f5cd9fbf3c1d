// Test fixtures: one Gaemi server per worker, `baseURL` pointing at it, and a
// guard that fails any test whose page logs an error (a CSP violation or a
// failed hydration shows up there first).
import { test as base, expect } from "@playwright/test";
import { GaemiServer } from "./server";

type WorkerFixtures = { gaemi: GaemiServer };
type TestFixtures = { consoleErrors: string[] };

export const test = base.extend<TestFixtures, WorkerFixtures>({
  gaemi: [
    async ({}, use) => {
      const server = await GaemiServer.start();
      await use(server);
      await server.dispose();
    },
    { scope: "worker" },
  ],
  baseURL: async ({ gaemi }, use) => use(gaemi.url),
  consoleErrors: [
    async ({ page }, use) => {
      const errors: string[] = [];
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(message.text());
      });
      page.on("pageerror", (error) => errors.push(error.message));
      await use(errors);
      expect(errors, "the page logged errors").toEqual([]);
    },
    { auto: true },
  ],
});

/** Drops the expected console errors matching `pattern`; the rest still fail the test. */
export function expectConsoleErrors(errors: string[], pattern: RegExp): void {
  const unexpected = errors.filter((e) => !pattern.test(e));
  errors.splice(0, errors.length, ...unexpected);
}

/** The browser logs the 404 status of a missing page as an error; that is the point. */
export const NOT_FOUND_STATUS = /Failed to load resource: the server responded with a status of 404/;

export { expect };
