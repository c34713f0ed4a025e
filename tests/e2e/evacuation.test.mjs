// Evacuation in the real window: hold the button to start, mark a visitor accounted for, print
// the roll call to the test CUPS queue (cups-pdf) and find the visitors' names in the PDF.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { By } from "selenium-webdriver";
import { freshDataDir, openKiosk, startDriver } from "./lib/kiosk.mjs";

const queue = process.env.FRONTDESK_TEST_PRINTER ?? "PDF";
const pdfDir = join(homedir(), "PDF");

let stopDriver;
before(async () => {
  stopDriver = await startDriver();
});
after(async () => {
  await stopDriver?.();
});

async function signIn(kiosk, name, host) {
  await kiosk.click("new-visitor");
  await kiosk.type("visitor-name", name);
  await kiosk.choose("visitor-host", host);
  await kiosk.click("visitor-submit");
  await kiosk.click("badge-done"); // the badge screen follows a sign-in
  await kiosk.rowFor(name);
}

/** PDFs cups-pdf wrote since `since` whose text contains every one of `needles`. */
function printedPdfWith(needles, since) {
  if (!existsSync(pdfDir)) return null;
  for (const file of readdirSync(pdfDir).filter((f) => f.endsWith(".pdf"))) {
    const path = join(pdfDir, file);
    if (statSync(path).mtimeMs + 2000 < since) continue;
    try {
      const text = execFileSync("pdftotext", ["-enc", "UTF-8", path, "-"], { encoding: "utf8" });
      if (needles.every((n) => text.includes(n))) return { path, text };
    } catch {
      // Still being written.
    }
  }
  return null;
}

test("start an evacuation, mark a visitor accounted for, print the roll call", async () => {
  const kiosk = await openKiosk(freshDataDir());
  try {
    const marker = `E2E${Date.now().toString(36).toUpperCase()}`;
    await signIn(kiosk, `欧阳娜娜 ${marker}`, "li-na");
    await signIn(kiosk, `Ann Lee ${marker}`, "zhang-wei");

    // The document printer is the test CUPS queue (Admin → Paper and outages).
    await kiosk.click("admin-open");
    await kiosk.type("pin-input", "000000");
    await kiosk.click("pin-submit");
    await kiosk.type("new-pin", "482915");
    await kiosk.type("confirm-pin", "482915");
    await kiosk.click("change-pin-submit");
    await kiosk.click("admin-tab-paper");
    const option = By.css(`[data-testid="document-printer-select"] option[value="${queue}"]`);
    await kiosk.session.wait(async () => (await kiosk.session.findElements(option)).length > 0, 10_000, "the printers are listed");
    await kiosk.choose("document-printer-select", queue);
    await kiosk.click("admin-close");

    // A tap does nothing; holding starts the roll call.
    const button = await kiosk.waitFor("evacuate-start");
    await button.click();
    await new Promise((r) => setTimeout(r, 400));
    assert.equal((await kiosk.findAll("rollcall-screen")).length, 0, "a tap is not enough");
    await kiosk.session.actions({ async: true }).move({ origin: button }).press().pause(1800).release().perform();
    await kiosk.waitFor("rollcall-list", 10_000);
    assert.match(await kiosk.text("rollcall-counts"), /2/);
    assert.equal(await kiosk.text("rollcall-count-total"), "2");
    assert.equal(await kiosk.text("rollcall-count-missing"), "2");
    const rows = await kiosk.findAll("rollcall-row");
    assert.equal(rows.length, 2);

    // Mark Ann accounted for.
    const annRow = await kiosk.session.findElement(
      By.xpath(`//*[@data-testid="rollcall-row"][contains(., "Ann Lee ${marker}")]`),
    );
    const annId = await annRow.getAttribute("data-visit-id");
    assert.match(annId, /^[0-9a-f-]{36}$/);
    await annRow.findElement(By.css('[data-testid="rollcall-mark"][data-status="accounted"]')).click();
    await kiosk.session.wait(async () => (await kiosk.text("rollcall-count-accounted")) === "1", 5_000, "the count goes up");
    assert.equal(await kiosk.text("rollcall-count-missing"), "1");
    // The "not yet accounted for" filter now hides Ann; "everyone" shows her as accounted.
    await kiosk.click("rollcall-filter-all");
    const marked = await kiosk.session.findElement(By.css(`[data-testid="rollcall-row"][data-visit-id="${annId}"]`));
    assert.equal(await marked.getAttribute("data-status"), "accounted");

    // Print the list to the CUPS PDF queue and read the names back from the printed file.
    const since = Date.now();
    await kiosk.click("rollcall-print");
    let printed = null;
    await kiosk.session.wait(
      async () => (printed = printedPdfWith([marker, "欧阳娜娜", "Ann Lee"], since)) !== null,
      60_000,
      "the printed roll call arrives in the PDF queue",
    );
    assert.match(printed.text, /疏散点名表|Evacuation roll call/);

    // Ending asks once, then closes the roll call.
    await kiosk.click("evacuate-end");
    await kiosk.click("evacuate-end-confirm");
    await kiosk.waitFor("new-visitor", 10_000);
  } finally {
    await kiosk.close();
  }
});
