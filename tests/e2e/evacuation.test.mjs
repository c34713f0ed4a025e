// Evacuation in the real window: hold the button to start, mark a visitor accounted for, print
// the roll call to the test CUPS queue (cups-pdf) and find the visitors' names in the PDF.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { By } from "selenium-webdriver";
import { freshDataDir, openKiosk, startDriver } from "./lib/kiosk.mjs";
import { printedPdfWith, useTestQueueForDocuments } from "./lib/printing.mjs";


let stopDriver;
before(async () => {
  stopDriver = await startDriver();
});
after(async () => {
  await stopDriver?.();
});

test("start an evacuation, mark a visitor accounted for, print the roll call", async () => {
  const kiosk = await openKiosk(freshDataDir());
  try {
    const marker = `E2E${Date.now().toString(36).toUpperCase()}`;
    await kiosk.signIn(`欧阳娜娜 ${marker}`, "li-na");
    await kiosk.signIn(`Ann Lee ${marker}`, "zhang-wei");

    // The document printer is the test CUPS queue (Admin → Paper and outages).
    await useTestQueueForDocuments(kiosk);

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

    // The desk can step away (e.g. to open the fire card), and finds the way back from home.
    await kiosk.click("rollcall-leave");
    await kiosk.click("cards-open");
    await kiosk.waitFor("cards-screen", 10_000);
    await kiosk.click("cards-close");
    const back = await kiosk.waitFor("rollcall-return");
    assert.match(await back.getText(), /1/, "home says how many are not accounted for");
    await back.click();
    await kiosk.waitFor("rollcall-list");

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

test("a roll call started at the desk is marked from the guard console on a phone; the desk follows", async () => {
  const { enrolAtHub } = await import("./lib/alerts.mjs");
  const { openBrowser, openConsole, signIn: consoleSignIn } = await import("./lib/console.mjs");
  const { startHub } = await import("./lib/hub.mjs");
  const hub = await startHub();
  hub.addGuard("zhao.min", "Zhao Min", "correct horse battery");
  const kiosk = await openKiosk(freshDataDir());
  const browser = await openBrowser();
  try {
    await enrolAtHub(kiosk, hub, "Lobby desk 1");
    const marker = `E2E${Date.now().toString(36).toUpperCase()}`;
    await kiosk.signIn(`Phone Marked ${marker}`, "li-na");
    const visitId = await (await kiosk.rowFor(`Phone Marked ${marker}`)).getAttribute("data-visit-id");

    const button = await kiosk.waitFor("evacuate-start");
    await kiosk.session.actions({ async: true }).move({ origin: button }).press().pause(1800).release().perform();
    await kiosk.waitFor("rollcall-list", 10_000);

    // At the assembly point, on a phone.
    const page = await openConsole(browser, hub.url, { phone: true, lang: "en" });
    await consoleSignIn(page, "zhao.min", "correct horse battery");
    await page.getByTestId("nav-rollcall").click();
    const row = page.locator(`[data-testid="console-rollcall-row"][data-visit-id="${visitId}"]`);
    await row.waitFor({ timeout: 20_000 });
    assert.match(await row.textContent(), new RegExp(marker));
    await row.locator('[data-testid="console-rollcall-mark"][data-status="accounted"]').click();
    await page.getByTestId("console-rollcall-filter-all").click();
    await row.and(page.locator('[data-status="accounted"]')).waitFor({ timeout: 10_000 });
    assert.equal(await page.getByTestId("console-rollcall-accounted").textContent(), "1");

    // The desk's roll call follows the guard's mark.
    await kiosk.session.wait(async () => (await kiosk.text("rollcall-count-accounted")) === "1", 20_000, "the desk sees the mark");
    await kiosk.click("rollcall-filter-all");
    const marked = await kiosk.session.findElement(By.css(`[data-testid="rollcall-row"][data-visit-id="${visitId}"]`));
    assert.equal(await marked.getAttribute("data-status"), "accounted");

    // Ended from the console: the desk goes back to work.
    page.once("dialog", (dialog) => void dialog.accept());
    await page.getByTestId("console-evacuate-end").click();
    await page.getByTestId("console-rollcall-idle").waitFor({ timeout: 10_000 });
    await kiosk.waitFor("new-visitor", 20_000);
  } finally {
    await browser.close();
    await kiosk.close();
    await hub.stop();
  }
});
