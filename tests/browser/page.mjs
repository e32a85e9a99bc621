// Drives the bench page in headless chromium: choose a stone's files, screen, and check the
// verdict, the evidence table and the plot; then a file no reader accepts shows the error.
// Usage: node page.mjs BASE_URL SCREENSHOT.png FILE...
import { chromium } from "playwright-core";

const [base, shot, ...files] = process.argv.slice(2);
if (!base || !shot || files.length === 0) {
  console.error("usage: node page.mjs BASE_URL SCREENSHOT.png FILE...");
  process.exit(64);
}

const browser = await chromium.launch({
  executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
  args: [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
  ],
});
function check(cond, msg) {
  if (!cond) throw new Error(msg);
}
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
  const consoleErrors = [];
  page.on("console", (m) => { if (m.type() === "error") consoleErrors.push(m.text()); });
  await page.goto(base);
  check((await page.title()) === "diamond-screen", "page title");

  await page.setInputFiles("#files", files);
  await page.fill("#stone_id", "BENCH-1");
  await page.click("#submit");
  await page.waitForSelector("#result:not([hidden])", { timeout: 30000 });
  const verdict = (await page.textContent("#verdict")).trim();
  const stone = (await page.textContent("#stone")).trim();
  const evidence = await page.$$eval("#evidence tbody tr", (rows) =>
    rows.map((r) => Array.from(r.cells).map((c) => c.textContent)));
  const channels = await page.$$eval("#channels tbody tr", (rows) => rows.length);
  await page.waitForFunction(() => {
    const img = document.getElementById("plot");
    return img.complete && img.naturalWidth > 0;
  }, null, { timeout: 30000 });
  const plotWidth = await page.$eval("#plot", (img) => img.naturalWidth);
  await page.screenshot({ path: shot, fullPage: true });
  // errors in the console on the good path (the error path below logs its 422 on purpose)
  const goodPathErrors = [...consoleErrors];

  // a file no reader accepts: the page says why
  await page.setInputFiles("#files", { name: "junk.bin", mimeType: "application/octet-stream", buffer: Buffer.from([0, 1, 2, 3]) });
  await page.click("#submit");
  await page.waitForSelector("#error:not([hidden])", { timeout: 30000 });
  const error = (await page.textContent("#error")).trim();

  const result = { verdict, stone, evidence, channels, plotWidth, error, consoleErrors: goodPathErrors };
  console.log(JSON.stringify(result));
} finally {
  await browser.close();
}
