// Takes docs/images/editor.png: the real server (fresh data), a demo sequence made through the
// SDK, the editor in headless Chromium with a beat selected. `pnpm -F @tka/web screenshot`.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { TKA } from "../../sdk-ts/src/index.ts";
import { API_KEY, launchChromium, signIn, startServer } from "../test/harness.ts";

const out = join(import.meta.dirname, "../../../docs/images/editor.png");
const server = await startServer();
const browser = await launchChromium();
try {
  const api = new TKA({ baseURL: server.url, apiKey: API_KEY });
  const motion = (start: "n" | "e" | "s" | "w", end: "n" | "e" | "s" | "w", turns: number) =>
    ({ motion_type: "pro", prop_rot_dir: "cw", start_loc: start, end_loc: end, turns }) as const;
  await api.sequences.create({ name: "Morning practice", length: 4 });
  const flow = await api.sequences.create({
    name: "Flow",
    beats: [
      { letter: "F", blue_motion: motion("n", "e", 0), red_motion: { ...motion("s", "w", 0), motion_type: "anti" } },
      { letter: "L", blue_motion: motion("e", "s", 1), red_motion: motion("w", "n", 0.5) },
      { letter: "O", duration: 2, blue_motion: { ...motion("s", "w", 0), prop_rot_dir: "ccw" } },
      { is_blank: true },
      { letter: "W", blue_motion: motion("w", "n", 1.5), red_motion: motion("e", "s", 1.5), red_reversal: true },
    ],
  });
  const page = await browser.newPage({ viewport: { width: 1280, height: 860 }, deviceScaleFactor: 1 });
  await signIn(page, `${server.url}/#/sequences/${flow.id}`);
  await page.getByRole("heading", { name: "Flow" }).waitFor();
  // A little history to show: a move, undone.
  await api.beats.move(flow.id, flow.beats[4]?.id as string, { position: 0 });
  await api.history.undo(flow.id);
  await page.locator(".history-entries li.undone").waitFor();
  await page.locator(".beat-select").nth(1).click();
  await page.getByRole("heading", { name: "Beat 2" }).waitFor();
  mkdirSync(join(out, ".."), { recursive: true });
  await page.screenshot({ path: out });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
  await server.stop();
}
