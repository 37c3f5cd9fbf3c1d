// Starts and stops the real release server for the browser tests: a fresh
// SQLite file per server, a free port, readiness checked through /readyz.
import { ChildProcess, spawn } from "node:child_process";
import { createInterface } from "node:readline";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";

const repoRoot = path.resolve(__dirname, "..", "..");
const targetDir = process.env.CARGO_TARGET_DIR ?? path.join(repoRoot, "target");
const binary = process.env.GAEMI_BIN ?? path.join(targetDir, "release", "gaemi");

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** The local OAuth 2 server that plays Google for the sign-in specs. */
async function startGoogleStandIn(): Promise<{ child: ChildProcess; url: string }> {
  const script = path.join(repoRoot, "server", "tests", "support", "oauth-mock.mjs");
  const child = spawn("node", [script, "google", "g-e2e", "e2e@gmail.com"], { stdio: ["ignore", "pipe", "inherit"] });
  const lines = createInterface({ input: child.stdout! });
  const port = await new Promise<string>((resolve, reject) => {
    lines.once("line", (line) => (line.startsWith("ready ") ? resolve(line.slice(6).trim()) : reject(new Error(line))));
    child.once("exit", (code) => reject(new Error(`the OAuth stand-in exited with ${code}`)));
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

export class GaemiServer {
  private child: ChildProcess | null = null;
  private logs: string[] = [];
  private google: { child: ChildProcess; url: string } | null = null;

  private constructor(
    readonly port: number,
    private readonly dataDir: string,
  ) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  static async start(): Promise<GaemiServer> {
    const dataDir = mkdtempSync(path.join(tmpdir(), "gaemi-e2e-"));
    const server = new GaemiServer(await freePort(), dataDir);
    await server.launch();
    return server;
  }

  /** Starts (again) on the same port and database. */
  async launch(): Promise<void> {
    this.google ??= await startGoogleStandIn();
    const google = this.google.url;
    const child = spawn(binary, [], {
      cwd: repoRoot,
      env: {
        ...process.env,
        LEPTOS_SITE_ADDR: `127.0.0.1:${this.port}`,
        DATABASE_URL: `sqlite://${path.join(this.dataDir, "gaemi.db")}`,
        // Warnings, plus the account mails: with no SMTP server configured
        // they go to the log, where the account specs read their links.
        RUST_LOG: process.env.RUST_LOG ?? "warn,gaemi::accounts::mail=info",
        // The shell specs need no market; the trading UI's specs turn bots on.
        GAEMI_BOTS_ENABLED: process.env.GAEMI_BOTS_ENABLED ?? "false",
        // Guests hold some of every listing, so a spec can sell as well as buy.
        GAEMI_MARKET_GUEST_SHARES: "100",
        // "Sign in with Google" goes to a local OAuth 2 server.
        GAEMI_OAUTH_GOOGLE_CLIENT_ID: "gaemi-e2e",
        GAEMI_OAUTH_GOOGLE_CLIENT_SECRET: "secret",
        GAEMI_OAUTH_GOOGLE_AUTH_URL: `${google}/authorize`,
        GAEMI_OAUTH_GOOGLE_TOKEN_URL: `${google}/token`,
        GAEMI_OAUTH_GOOGLE_USERINFO_URL: `${google}/userinfo`,
      },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const keep = (chunk: Buffer) => this.logs.push(chunk.toString());
    child.stdout?.on("data", keep);
    child.stderr?.on("data", keep);
    this.child = child;
    await this.waitUntilReady(child);
  }

  private async waitUntilReady(child: ChildProcess): Promise<void> {
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null) {
        throw new Error(`gaemi exited with ${child.exitCode}:\n${this.logs.join("")}`);
      }
      try {
        const response = await fetch(`${this.url}/readyz`);
        if (response.ok) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`gaemi did not become ready:\n${this.logs.join("")}`);
  }

  /** Waits for a mail to `to` carrying a link to `path` and returns the link's token. */
  async mailedToken(to: string, path: string): Promise<string> {
    const deadline = Date.now() + 15_000;
    const link = new RegExp(`${path.replace(/[/?]/g, "\\$&")}\\?token=([0-9a-f]{64})`, "g");
    while (Date.now() < deadline) {
      const lines = this.logs.join("").split("\n").filter((line) => line.includes(to));
      const tokens = lines.flatMap((line) => [...line.matchAll(link)].map((m) => m[1]));
      if (tokens.length > 0) return tokens[tokens.length - 1];
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    throw new Error(`no mail to ${to} with a link to ${path}:\n${this.logs.join("")}`);
  }

  /** Stops the process (SIGTERM: graceful shutdown) and waits for it to exit. */
  async stop(): Promise<void> {
    const child = this.child;
    this.child = null;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once("exit", resolve));
    child.kill("SIGTERM");
    await exited;
  }

  async dispose(): Promise<void> {
    await this.stop();
    this.google?.child.kill("SIGTERM");
    rmSync(this.dataDir, { recursive: true, force: true });
  }
}
