// /docs in headless Chromium: Scalar's reference of this server's contract, without Scalar's own
// external buttons ("Ask AI", "Generate MCP", "Deploy", "Share"), and with requests aimed at the
// address the page came from (the served contract's `servers`), whatever the port.
import { existsSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { chromiumPath, launchChromium, type RunningServer, startServer } from "./harness.ts";

let server: RunningServer;
let browser: Browser;

beforeAll(async () => {
  server = await startServer();
  browser = await launchChromium();
});

afterAll(async () => {
  await browser?.close();
  await server?.stop();
});

describe.runIf(existsSync(chromiumPath) || process.env.CI === "true")("/docs in headless Chromium", () => {
  it("shows the reference without Scalar's external buttons, aimed at this server", async () => {
    const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    await page.goto(`${server.url}/docs`);
    // Rendered: the sidebar's operations and Scalar's own (kept) "Open API Client" button.
    await page.getByText("Get server status").first().waitFor({ timeout: 60_000 });
    await page.getByText("Open API Client").first().waitFor();
    // What a person sees (rendered text), not every text node Scalar keeps in the DOM.
    // biome-ignore lint/performance/useDomNodeTextContent: Playwright's locator, not a DOM node
    const text = await page.locator("body").innerText();
    for (const gone of ["Ask AI", "Generate MCP", "Deploy", "Share", "Developer Tools", "Configure"]) {
      expect(text, gone).not.toContain(gone);
      expect(await page.getByRole("button", { name: gone }).count(), gone).toBe(0);
    }
    // The copied request and "try it" use the address this page came from (a free port here).
    expect(text).toContain(server.url);
    await page.close();
  });
});
