// The editor in a real headless Chromium against the real server process: live updates between
// two browser contexts, undo and redo, drag and keyboard moves, conflicts (412) re-based or
// reported, problem details on screen, no CSP refusal, and axe finding nothing serious.
import { existsSync } from "node:fs";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { TKA } from "tka-sdk";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  API_KEY,
  axeSource,
  chromiumPath,
  collectPageErrors,
  launchChromium,
  type RunningServer,
  signIn,
  startServer,
} from "./harness.ts";

let server: RunningServer;
let browser: Browser;
let api: TKA;
const contexts: BrowserContext[] = [];
const pageErrors: string[][] = [];

async function newPage(): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  contexts.push(context);
  // Generous waits: the suite shares two cores with every other test of the repository.
  context.setDefaultTimeout(60_000);
  const page = await context.newPage();
  pageErrors.push(collectPageErrors(page));
  return page;
}

/** Creates a sequence through the API and opens it in the page. */
async function openNew(page: Page, name: string, letters: string[]): Promise<string> {
  const made = await api.sequences.create({ name, beats: letters.map((letter) => ({ letter })) });
  await page.goto(`${server.url}/#/sequences/${made.id}`);
  await page.getByRole("heading", { name }).waitFor();
  return made.id;
}

const word = (page: Page, text: string) => page.locator(".word-value", { hasText: new RegExp(`^${text}$`) }).waitFor();

async function editLetter(page: Page, beatNumber: number, letter: string): Promise<void> {
  await page
    .locator(".beat-select")
    .nth(beatNumber - 1)
    .click();
  await page.getByRole("heading", { name: `Beat ${beatNumber}` }).waitFor();
  await page.getByLabel("Letter").fill(letter);
  await page.getByRole("button", { name: "Save beat" }).click();
}

interface AxeResults {
  violations: { id: string; impact: string; nodes: unknown[] }[];
  passes: unknown[];
}

async function axeViolations(page: Page): Promise<{ id: string; impact: string; nodes: number }[]> {
  // Through the DevTools protocol: the page's CSP refuses inline scripts, and rightly so.
  await page.evaluate(axeSource());
  const results = await page.evaluate(async () => {
    const axe = (globalThis as unknown as { axe: { run(): Promise<AxeResults> } }).axe;
    const { violations, passes } = await axe.run();
    return {
      violations: violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.length })),
      passes: passes.length,
    };
  });
  // axe really looked (labels, contrast, names, landmarks... passed), not an empty page.
  expect(results.passes).toBeGreaterThan(10);
  return results.violations;
}

beforeAll(async () => {
  server = await startServer();
  api = new TKA({ baseURL: server.url, apiKey: API_KEY });
  browser = await launchChromium();
});

afterAll(async () => {
  for (const context of contexts) await context.close().catch(() => undefined);
  await browser?.close();
  await server?.stop();
});

describe.runIf(existsSync(chromiumPath) || process.env.CI === "true")("the editor in headless Chromium", () => {
  it("shows an edit made in one browser context live in the other, with undo and redo", async () => {
    const a = await newPage();
    const b = await newPage();
    await signIn(a, server.url);
    // Created in the page: the list and the editor show it.
    await a.getByLabel("New sequence").fill("Live demo");
    await a.getByLabel("Beats", { exact: true }).fill("3");
    await a.getByRole("button", { name: "Create" }).click();
    await a.getByRole("heading", { name: "Live demo" }).waitFor();
    await a.getByRole("link", { name: /Live demo/ }).waitFor();
    const id = decodeURIComponent(new URL(a.url()).hash.replace("#/sequences/", ""));
    await signIn(b, `${server.url}/#/sequences/${id}`);
    await b.getByRole("heading", { name: "Live demo" }).waitFor();

    // A blank beat made into letter A, and beat 2 given a letter, in A: B's word follows live.
    await a.locator(".beat-select").first().click();
    await a.getByLabel("Blank (rest)").uncheck();
    await a.getByLabel("Letter").fill("a");
    await a.getByRole("button", { name: "Save beat" }).click();
    await word(b, "A");
    await editLetter(a, 2, "B");
    await editLetter(a, 3, "C");
    for (const n of [2, 3]) {
      await a
        .locator(".beat-select")
        .nth(n - 1)
        .click();
      await a.getByLabel("Blank (rest)").uncheck();
      await a.getByRole("button", { name: "Save beat" }).click();
    }
    await word(b, "ABC");

    // Drag beat 3 onto beat 1 in B; A sees the new order.
    await b.locator(".beat").nth(2).dragTo(b.locator(".beat").nth(0));
    await word(a, "CAB");
    // The keyboard way: the selected beat's "Move later" button, pressed with Enter.
    await a.locator(".beat-select").first().click();
    await a.getByRole("button", { name: "Move later" }).focus();
    await a.keyboard.press("Enter");
    await word(b, "ACB");

    // Undo in B (the button names what it undoes), seen in A; then redo.
    const undo = b.getByRole("button", { name: /^Undo: Move beat/ });
    await undo.waitFor();
    await undo.click();
    await word(a, "CAB");
    await word(b, "CAB");
    await b.getByRole("button", { name: /^Redo: Move beat/ }).click();
    await word(a, "ACB");
    // The history panel lists the commands, newest first.
    const history = a.locator(".history-entries li");
    await a.locator(".history-entries li", { hasText: "Move beat" }).first().waitFor();
    expect(await history.count()).toBeGreaterThanOrEqual(7);
    // A rename in A shows in B's heading and list.
    await a.getByLabel("Name", { exact: true }).fill("Live demo 2");
    await a.getByRole("button", { name: "Rename" }).click();
    await b.getByRole("heading", { name: "Live demo 2" }).waitFor();
    await b.getByRole("link", { name: /Live demo 2/ }).waitFor();
    expect((await api.sequences.get(id)).word).toBe("ACB");
  });

  it("re-bases an edit when another client changed the sequence first (412), or says why not", async () => {
    const page = await newPage();
    // This page hears of no change from elsewhere: its event stream is cut.
    await page.route("**/api/v1/events**", (route) => route.abort());
    await page.goto(server.url);
    await page.getByLabel("API key").fill(API_KEY);
    await page.getByRole("button", { name: "Sign in" }).click();
    const id = await openNew(page, "Conflicts", ["A", "B", "C"]);

    // Someone else changes beat 1; this page still shows version 1 and edits beat 2.
    const before = await api.sequences.get(id);
    await api.beats.update(id, before.beats[0]?.id as string, { letter: "X" });
    await editLetter(page, 2, "Y");
    await page.getByRole("status").filter({ hasText: "Someone else changed this sequence meanwhile" }).waitFor();
    await word(page, "XYC");
    expect((await api.sequences.get(id)).word).toBe("XYC");

    // Someone else removes beat 3 while this page edits it: not applied, and the page says so
    // with the problem's code and request id.
    const now = await api.sequences.get(id);
    await api.beats.remove(id, now.beats[2]?.id as string);
    await editLetter(page, 3, "Z");
    const alert = page.getByRole("alert").filter({ hasText: "was not applied" });
    await alert.waitFor();
    expect(await alert.locator(".notice-code").textContent()).toBe("VERSION_MISMATCH");
    expect(await alert.locator(".notice-request-id").textContent()).toMatch(/^req_/);
    await word(page, "XY");
    expect((await api.sequences.get(id)).word).toBe("XY");

    // Undo is not applied to a version the page has not seen: it says so and shows the new state.
    await api.sequences.update(id, { name: "Conflicts renamed" });
    await page.getByRole("button", { name: /^Undo: / }).click();
    await page.getByRole("alert").filter({ hasText: "Nothing was undone" }).waitFor();
    await page.getByRole("heading", { name: "Conflicts renamed" }).waitFor();
    expect((await api.sequences.get(id)).name).toBe("Conflicts renamed");
  });

  it("shows the problem details of a refused request, and deletion with undo", async () => {
    const page = await newPage();
    await page.goto(server.url);
    await page.getByLabel("API key").fill("not-a-valid-key-000000");
    await page.getByRole("button", { name: "Sign in" }).click();
    const alert = page.getByRole("alert");
    await alert.waitFor();
    expect(await alert.locator(".notice-code").textContent()).toBe("UNAUTHENTICATED");
    await page.getByLabel("API key").fill(API_KEY);
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("status").filter({ hasText: "Live" }).waitFor();

    // Text from the API is shown as text: markup in a name is not run (and the CSP would refuse it).
    const hostile = '<img src=x onerror="document.title=1">';
    await openNew(page, hostile, ["H"]);
    expect(await page.locator("h2#editor-title").textContent()).toBe(hostile);
    expect(await page.locator("img").count()).toBe(0);
    // A malformed link shows the list rather than breaking the page.
    await page.goto(`${server.url}/#/sequences/%E0%A4%A`);
    await page.getByText("Choose a sequence on the left").waitFor();

    const id = await openNew(page, "To delete", ["D"]);
    await page.getByRole("button", { name: "Delete sequence" }).click();
    await page.getByText("This sequence no longer exists").waitFor();
    await page.getByRole("button", { name: "Undo delete" }).click();
    await page.getByRole("heading", { name: "To delete" }).waitFor();
    expect((await api.sequences.get(id)).name).toBe("To delete");
  });

  it("searches and pages through the list", async () => {
    for (let i = 1; i <= 12; i++)
      await api.sequences.create({ name: `Paged ${String(i).padStart(2, "0")}`, length: 1 });
    await api.sequences.create({ name: "Unrelated", length: 1 });
    const page = await newPage();
    await signIn(page, server.url);
    await page.getByRole("link", { name: /Unrelated/ }).waitFor();
    await page.getByLabel("Search by name").fill("paged");
    // The newest sequence does not match: once it is gone, the list is the search's.
    await page.getByRole("link", { name: /Unrelated/ }).waitFor({ state: "detached" });
    await page.getByRole("link", { name: /Paged 12/ }).waitFor();
    expect(await page.locator(".sequence-items a").count()).toBe(10);
    await page.getByRole("button", { name: "Next page" }).click();
    await page.getByRole("link", { name: /Paged 01/ }).waitFor();
    expect(await page.locator(".sequence-items a").count()).toBe(2);
    await page.getByText("Page 2").waitFor();
    await page.getByRole("button", { name: "Previous page" }).click();
    await page.getByRole("link", { name: /Paged 12/ }).waitFor();
  });

  it("has no serious or critical accessibility violations (axe), signed out and in the editor", async () => {
    const page = await newPage();
    await page.goto(server.url);
    await page.getByLabel("API key").waitFor();
    const signedOut = await axeViolations(page);
    await signIn(page, server.url);
    await openNew(page, "Accessible", ["A", "B"]);
    await page.locator(".beat-select").first().click();
    await page.getByRole("heading", { name: "Beat 1" }).waitFor();
    await page.getByLabel("Has a motion").first().check();
    const editing = await axeViolations(page);
    const serious = [...signedOut, ...editing].filter((v) => v.impact === "serious" || v.impact === "critical");
    expect(serious).toEqual([]);
  });

  it("ran every page without a CSP refusal or an uncaught error", () => {
    const problems = pageErrors
      .flat()
      .filter((text) => /Content Security Policy|Refused to|Uncaught|TypeError/.test(text));
    expect(problems).toEqual([]);
  });
});
