// Drives the VS Code workbench served by code-server: Problems panel, lightbulb quick fix, save.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";

const [url, workspace, playwrightPath] = process.argv.slice(2);
const { chromium } = createRequire(import.meta.url)(playwrightPath);
const file = `${workspace}/io.js`;
const started = Date.now();
const log = (step) => console.log(`${step} ${Date.now() - started}ms`);
const MESSAGE = "Socket.IO server `io` has no adapter";
const FIX = "Add the Socket.IO Redis adapter";

const browser = await chromium.launch({
  executablePath: "/usr/bin/chromium",
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"],
});
try {
  const page = await browser.newPage();
  await page.goto(`${url}/?folder=${encodeURIComponent(workspace)}`);
  await page.waitForSelector(".monaco-workbench", { timeout: 60000 });
  log("workbench");
  // the workbench takes keyboard input a little after it appears: retry opening the file
  let opened = false;
  for (let attempt = 1; attempt <= 15 && !opened; attempt++) {
    await page.keyboard.press("Control+P");
    try {
      await page.locator(".quick-input-widget input").waitFor({ state: "visible", timeout: 3000 });
      await page.keyboard.type("io.js");
      await page.locator(".quick-input-list .monaco-list-row", { hasText: "io.js" }).first().waitFor({ timeout: 5000 });
      await page.keyboard.press("Enter");
      await page.locator(".monaco-editor .view-lines").first().waitFor({ state: "visible", timeout: 5000 });
      opened = true;
    } catch {
      await page.keyboard.press("Escape");
      await page.waitForTimeout(1000);
    }
  }
  if (!opened) throw new Error("could not open io.js");
  log("editor open");
  await page.keyboard.press("Control+Shift+M");
  const row = page.locator(".markers-panel .monaco-list-row", { hasText: MESSAGE });
  await row.first().waitFor({ timeout: 90000 });
  log("diagnostic in the Problems panel");

  let applied = false;
  for (let attempt = 1; attempt <= 5 && !applied; attempt++) {
    await page.click(".monaco-editor .view-lines");
    await page.keyboard.press("Control+G");
    await page.keyboard.type("2:17");
    await page.keyboard.press("Enter");
    await page.keyboard.press("Control+.");
    try {
      await page.locator(".action-widget", { hasText: FIX }).waitFor({ timeout: 10000 });
      await page.keyboard.press("Enter"); // the preferred quick fix is focused
      applied = true;
    } catch {
      await page.keyboard.press("Escape");
    }
  }
  if (!applied) throw new Error("the quick fix menu never offered the adapter fix");
  log("quick fix chosen");
  await page.keyboard.press("Control+S");
  for (let i = 0; i < 150; i++) {
    if (readFileSync(file, "utf8").includes("io.adapter(createAdapter(pubClient, subClient))")) break;
    await page.waitForTimeout(200);
  }
  const saved = readFileSync(file, "utf8");
  if (!saved.includes('require("@socket.io/redis-adapter")')) throw new Error(`not saved with the fix:\n${saved}`);
  log("saved to disk");
  await row.first().waitFor({ state: "detached", timeout: 60000 });
  log("diagnostic gone");
  await page.screenshot({ path: `${workspace}/../after-fix.png` });
  console.log("PASS");
} finally {
  await browser.close();
}
