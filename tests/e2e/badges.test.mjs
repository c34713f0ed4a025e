// Badges in the real window: choose the printer, sign a visitor in, preview and print the
// badge to the CUPS PDF queue (scripts/cups-pdf-queue.sh), then scan it to check and sign out.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { By, Key, until } from "selenium-webdriver";
import { freshDataDir, openKiosk, startDriver } from "./lib/kiosk.mjs";

const queue = process.env.FRONTDESK_TEST_PRINTER ?? "PDF";

let stopDriver;
before(async () => {
  execFileSync("lpstat", ["-p", queue]); // the queue must exist: scripts/cups-pdf-queue.sh
  stopDriver = await startDriver();
});
after(async () => {
  await stopDriver?.();
});

async function signIn(kiosk, name, host = "li-na") {
  await kiosk.click("new-visitor");
  await kiosk.type("visitor-name", name);
  await kiosk.type("visitor-company", "滨海物流 Binhai Logistics");
  await kiosk.choose("visitor-host", host);
  await kiosk.click("visitor-submit");
}

/** Choose the badge printer once the OS's printer list has arrived. */
async function choosePrinter(kiosk, name) {
  await kiosk.session.wait(
    until.elementLocated(By.css(`[data-testid="printer-select"] option[value="${name}"]`)),
    10_000,
    `printer ${name} in the list`,
  );
  await kiosk.choose("printer-select", name);
}

/** What a USB scanner does: type the code, then Enter. */
async function scan(kiosk, text) {
  const input = await kiosk.waitFor("badge-scan");
  await input.clear();
  await input.sendKeys(text, Key.ENTER);
}

async function waitForAttr(kiosk, testId, attr, expected, timeoutMs = 20_000) {
  let last;
  await kiosk.session.wait(
    async () => {
      const els = await kiosk.findAll(testId);
      last = els.length ? await els[0].getAttribute(attr) : undefined;
      return expected.includes(last);
    },
    timeoutMs,
    `${testId}[${attr}] to be ${expected}`,
  );
  return last;
}

/** The cups-pdf output whose name carries `marker`, once complete. */
async function printedPdf(marker, since) {
  const dir = join(homedir(), "PDF");
  for (let i = 0; i < 200; i++) {
    const files = readdirSync(dir, { withFileTypes: true })
      .filter((f) => f.name.includes(marker))
      .map((f) => join(dir, f.name))
      .filter((f) => statSync(f).mtimeMs >= since - 2000);
    for (const file of files) {
      if (execFileSync("tail", ["-c", "64", file]).toString().includes("%%EOF")) return file;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`no printed PDF for ${marker} in ${dir}`);
}

test("print a Chinese-named visitor's badge to a real CUPS queue, then check and sign out by scan", async () => {
  const kiosk = await openKiosk(freshDataDir());
  try {
    await kiosk.click("open-settings");
    await choosePrinter(kiosk, queue);
    await kiosk.choose("label-size", "62x100");
    await kiosk.click("settings-back");

    await signIn(kiosk, "欧阳娜娜");
    const preview = await kiosk.waitFor("badge-preview", 20_000);
    const token = await preview.getAttribute("data-token");
    const visitId = await preview.getAttribute("data-visit-id");
    assert.match(token, /^FD1[A-Z2-7]+$/);
    assert.equal(await preview.getAttribute("data-label-size"), "62x100");

    const since = Date.now();
    await kiosk.click("badge-print");
    assert.equal(await waitForAttr(kiosk, "badge-job-status", "data-state", ["completed"]), "completed");
    // The job title carries the end of the visit id; cups-pdf names the file after it.
    const pdf = await printedPdf(visitId.slice(-12), since);
    const text = execFileSync("pdftotext", ["-enc", "UTF-8", pdf, "-"]).toString();
    assert.match(text, /欧阳娜娜/);
    // Printed once: "print again" is offered, not a second automatic copy.
    await kiosk.waitFor("badge-reprint");
    await kiosk.click("badge-done");

    // A scanner types the token and Enter into the scan box.
    await scan(kiosk, `${token}`);
    assert.equal(await waitForAttr(kiosk, "badge-scan-result", "data-valid", ["true"]), "true");
    assert.equal(await kiosk.text("badge-scan-name"), "欧阳娜娜");

    // An altered badge is refused as forged, with the reason shown.
    const i = 40;
    const forged = token.slice(0, i) + (token[i] === "A" ? "B" : "A") + token.slice(i + 1);
    await scan(kiosk, `${forged}`);
    assert.equal(await waitForAttr(kiosk, "badge-scan-result", "data-refusal", ["forged", "malformed"]), "forged");
    assert.ok((await kiosk.text("badge-scan-reason")).length > 0);

    // Sign out by scan; the same badge is then refused as signed out.
    await scan(kiosk, `${token}`);
    await waitForAttr(kiosk, "badge-scan-result", "data-valid", ["true"]);
    await kiosk.click("badge-scan-sign-out");
    await kiosk.waitGone("badge-scan-result");
    await kiosk.session.wait(
      async () => (await kiosk.session.executeScript(`return document.querySelectorAll('[data-visit-id="${visitId}"]').length`)) === 0,
      5_000,
      "the visit leaves the on-site list",
    );
    await scan(kiosk, `${token}`);
    assert.equal(await waitForAttr(kiosk, "badge-scan-result", "data-refusal", ["signed_out"]), "signed_out");
    await scan(kiosk, "not a badge");
    assert.equal(await waitForAttr(kiosk, "badge-scan-result", "data-refusal", ["malformed"]), "malformed");
  } finally {
    await kiosk.close();
  }
});

test("with no printer chosen the badge screen says so and offers the settings", async () => {
  const kiosk = await openKiosk(freshDataDir());
  try {
    await signIn(kiosk, "Sarah Mitchell", "wang-fang");
    await kiosk.waitFor("badge-preview", 20_000);
    await kiosk.click("badge-print");
    assert.equal(await waitForAttr(kiosk, "badge-error", "data-code", ["no_printer"]), "no_printer");
    await kiosk.click("badge-open-settings");
    await kiosk.waitFor("printer-select");
    await choosePrinter(kiosk, queue);
    await kiosk.click("settings-back");
    // Back on the badge, printing now works.
    await kiosk.waitFor("badge-preview", 20_000);
    await kiosk.click("badge-print");
    assert.equal(await waitForAttr(kiosk, "badge-job-status", "data-state", ["completed"]), "completed");
  } finally {
    await kiosk.close();
  }
});
