// The real parts the browser tests run against: the server process (src/main.ts, a fresh data
// directory, a free port, a known API key) serving the built app, and Debian's Chromium driven
// by Playwright (playwright-core: no browser download; CHROMIUM_PATH overrides /usr/bin/chromium).
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type Browser, chromium, type Page } from "playwright-core";

const main = join(import.meta.dirname, "../../server/src/main.ts");
export const webDist = join(import.meta.dirname, "../dist");
export const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
export const API_KEY = "tka_web_test_key_0123456789abcdef";

export interface RunningServer {
  url: string;
  output: () => string;
  stop(): Promise<void>;
}

/** Starts the server and resolves with its URL once it printed the JSON "listening" line. */
export async function startServer(env: Record<string, string> = {}): Promise<RunningServer> {
  if (!existsSync(join(webDist, "index.html"))) throw new Error("the web app is not built: pnpm -F @tka/web build");
  const child: ChildProcess = spawn(process.execPath, [main], {
    env: {
      ...process.env,
      PORT: "0",
      HOST: "127.0.0.1",
      DATA_DIR: mkdtempSync(join(tmpdir(), "tka-web-")),
      API_KEYS: `default=${API_KEY}`,
      LOG_LEVEL: "warn",
      WEB_DIR: webDist,
      // A browser session makes many calls quickly; the per-key bucket is not what is tested here.
      RATE_LIMIT: "1000/100",
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let output = "";
  const url = await new Promise<string>((resolve, reject) => {
    child.stdout?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
      const match = /"msg":"listening","url":"(http:\/\/[^"]+)"/.exec(output);
      if (match?.[1]) resolve(match[1]);
    });
    child.stderr?.on("data", (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.on("exit", (code) => reject(new Error(`server exited with ${code}:\n${output}`)));
  });
  return {
    url,
    output: () => output,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill("SIGTERM");
      }),
  };
}

/** Headless Chromium with the flags a shared CI machine needs; each launch has a fresh profile. */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
    timeout: 60_000,
  });
}

/** Everything the page reports as going wrong: console errors (CSP refusals among them) and uncaught errors. */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("console", (message) => {
    if (message.type() === "error") errors.push(message.text());
  });
  page.on("pageerror", (error) => errors.push(String(error)));
  return errors;
}

/** axe-core's source, injected through the DevTools protocol (the page's CSP refuses inline scripts). */
export function axeSource(): string {
  return readFileSync(join(import.meta.dirname, "../node_modules/axe-core/axe.min.js"), "utf8");
}

/** Signs the page in with the test key. */
export async function signIn(page: Page, url: string): Promise<void> {
  await page.goto(url);
  await page.getByLabel("API key").fill(API_KEY);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.getByRole("status").filter({ hasText: "Live" }).waitFor();
}
