// Escorts in the real window: a contractor needs an escort (shown with the reason before and
// after sign-in); the start stays disabled until every required checklist item is ticked and
// an escort is chosen, then the visit starts and its badge prints to the CUPS PDF queue with
// the escort band; signing out asks for the escort's hand-back. A supervisor's override with
// PIN and reason starts a visit whose checklist is not done.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { By, until } from "selenium-webdriver";
import { freshDataDir, openKiosk, repoRoot, startDriver } from "./lib/kiosk.mjs";
import { printedPdfWith, testQueue as queue, useTestQueueForDocuments } from "./lib/printing.mjs";

let stopDriver;
before(async () => {
  execFileSync("lpstat", ["-p", queue]); // the queue must exist: scripts/cups-pdf-queue.sh
  stopDriver = await startDriver();
});
after(async () => {
  await stopDriver?.();
});

/** Tap an element, scrolled to the middle first (the checklist and long forms scroll). */
async function tap(kiosk, css) {
  const el = await kiosk.session.wait(until.elementLocated(By.css(css)), 5_000, `waiting for ${css}`);
  await kiosk.session.executeScript("arguments[0].scrollIntoView({block: 'center'})", el);
  await el.click();
  return el;
}

async function attr(kiosk, testId, name) {
  return (await kiosk.waitFor(testId)).getAttribute(name);
}

async function startEnabled(kiosk) {
  return (await kiosk.waitFor("escort-start")).isEnabled();
}

async function signInContractor(kiosk, name, company = "恒通机电 Hengtong M&E") {
  await kiosk.click("new-visitor");
  await kiosk.type("visitor-name", name);
  await kiosk.type("visitor-company", company);
  await kiosk.choose("visitor-host", "li-na");
  await kiosk.choose("visitor-type", "contractor");
  // The form shows, before sign-in, that the core requires an escort and why.
  await kiosk.waitFor("escort-required");
  const reasons = await kiosk.findAll("escort-reason");
  assert.equal(reasons.length, 1);
  assert.equal(await reasons[0].getAttribute("data-kind"), "visitor_type");
  await tap(kiosk, '[data-testid="visitor-submit"]');
  await kiosk.waitFor("escort-screen", 10_000);
}

test("a contractor's visit starts only with the required items ticked and an escort chosen, then prints", async () => {
  const kiosk = await openKiosk(freshDataDir());
  try {
    await kiosk.click("open-settings");
    await kiosk.session.wait(
      until.elementLocated(By.css(`[data-testid="printer-select"] option[value="${queue}"]`)),
      10_000,
    );
    await kiosk.choose("printer-select", queue);
    await kiosk.click("settings-back");

    // Our badge among everyone's on the shared queue: a marker in upper case (see docs/printing.md).
    const marker = `HT${Date.now().toString(36).toUpperCase()}`;
    await signInContractor(kiosk, "欧阳建国", `恒通机电 ${marker}`);
    const screen = await kiosk.waitFor("escort-screen");
    const visitId = await screen.getAttribute("data-visit-id");
    await kiosk.waitFor("escort-required");
    assert.equal(await (await kiosk.findAll("escort-reason"))[0].getAttribute("data-kind"), "visitor_type");
    assert.equal(await attr(kiosk, "checklist-complete", "data-complete"), "false");
    assert.equal(await startEnabled(kiosk), false);

    const items = await kiosk.findAll("checklist-item");
    const required = [];
    for (const item of items) {
      if ((await item.getAttribute("data-required")) === "true") required.push(await item.getAttribute("data-item-id"));
    }
    assert.ok(required.length >= 2, "the demo checklist has required items");
    assert.ok(items.length > required.length, "and an optional one, which does not hold the visit up");

    // Tick every required item; the start stays disabled throughout (no escort yet).
    for (const id of required) {
      const el = await tap(kiosk, `[data-testid="checklist-item"][data-item-id="${id}"]`);
      await kiosk.session.wait(async () => (await el.getAttribute("data-ticked")) === "true", 5_000, `${id} ticked`);
      assert.equal(await startEnabled(kiosk), false, `start still disabled after ${id}`);
    }
    assert.equal(await attr(kiosk, "checklist-complete", "data-complete"), "true");

    // Unticking one closes the gate again; ticking it reopens it.
    const last = required[required.length - 1];
    await tap(kiosk, `[data-testid="checklist-item"][data-item-id="${last}"]`);
    await kiosk.session.wait(async () => (await attr(kiosk, "checklist-complete", "data-complete")) === "false", 5_000);
    await kiosk.choose("escort-select", "chen-jie");
    await kiosk.session.wait(async () => (await kiosk.findAll("escort-history")).length === 1, 5_000, "escort recorded");
    assert.equal(await startEnabled(kiosk), false, "an unticked required item keeps the visit from starting");
    await tap(kiosk, `[data-testid="checklist-item"][data-item-id="${last}"]`);
    await kiosk.session.wait(() => startEnabled(kiosk), 5_000, "the start is allowed");

    await tap(kiosk, '[data-testid="escort-start"]');
    const preview = await kiosk.waitFor("badge-preview", 20_000);
    assert.equal(await preview.getAttribute("data-visit-id"), visitId);
    const since = Date.now();
    await kiosk.click("badge-print");
    await kiosk.session.wait(
      async () => (await attr(kiosk, "badge-job-status", "data-state")) === "completed",
      20_000,
      "the badge printed",
    );
    let printed = null;
    await kiosk.session.wait(async () => (printed = printedPdfWith([marker], since)) !== null, 20_000, "the PDF");
    assert.match(printed.text, /欧阳建国/);
    assert.match(printed.text, /须全程陪同|ESCORT REQUIRED/, "the badge carries the escort band");
    await kiosk.click("badge-done");

    // On the list with its escort; signing out asks for the hand-back first.
    const row = await kiosk.rowFor("欧阳建国");
    await kiosk.session.wait(async () => /8300/.test(await row.getAttribute("textContent")), 5_000, "the escort's extension");
    await (await row.findElement(By.css('[data-testid="sign-out"]'))).click();
    await kiosk.waitFor("handback-dialog");
    await kiosk.click("handback-escort");
    await kiosk.session.wait(
      async () =>
        (await kiosk.session.executeScript(`return document.querySelectorAll('[data-visit-id="${visitId}"]').length`)) ===
        0,
      5_000,
      "the visit leaves the on-site list",
    );
  } finally {
    await kiosk.close();
  }
});

test("a supervisor's PIN and reason start a visit whose checklist is not done", async () => {
  const kiosk = await openKiosk(freshDataDir());
  try {
    // A supervisor PIN other than the first-run one (482915).
    await useTestQueueForDocuments(kiosk);

    await signInContractor(kiosk, "Priya Raman");
    await kiosk.click("escort-override");
    await kiosk.waitFor("escort-override-dialog");
    // No reason: refused before any PIN counts.
    await kiosk.click("escort-override-continue");
    await kiosk.type("pin-input", "482915");
    await kiosk.click("pin-submit");
    await kiosk.session.wait(
      async () => (await attr(kiosk, "escort-override-reason", "aria-invalid")) === "true",
      5_000,
      "the missing reason is marked",
    );
    await kiosk.type("escort-override-reason", "Escort on the way down from floor 5");
    await kiosk.click("escort-override-continue");
    await kiosk.type("pin-input", "999999");
    await kiosk.click("pin-submit");
    await kiosk.session.wait(async () => (await kiosk.text("pin-error")) !== "", 5_000, "a wrong PIN is refused");
    await kiosk.type("pin-input", "482915");
    await kiosk.click("pin-submit");
    await kiosk.waitFor("badge-preview", 20_000);
    await kiosk.click("badge-done");

    // The override is in the audit log.
    await kiosk.click("admin-open");
    await kiosk.type("pin-input", "482915");
    await kiosk.click("pin-submit");
    await kiosk.click("admin-tab-audit");
    // (Its reason and what was not done are in the entry's details: core tests read them.)
    await kiosk.session.wait(
      async () => /Escort rule overridden|陪同规则被放行/.test(await kiosk.text("audit-list")),
      5_000,
      "the override in the audit log",
    );
  } finally {
    await kiosk.close();
  }
});

test("a site file broken after a good start is refused; the kiosk keeps its last good rules and says why", async () => {
  const demo = readFileSync(join(repoRoot, "assets/demo-site/site.toml"), "utf8");
  const dataDir = freshDataDir(demo);
  await (await openKiosk(dataDir)).close();
  // A checklist item loses its English text.
  const broken = demo.replace('en = "Nearest exits and the assembly point shown"', 'en = ""');
  assert.notEqual(broken, demo);
  writeFileSync(join(dataDir, "site.toml"), broken);

  const kiosk = await openKiosk(dataDir);
  try {
    // Still running, on the last good rules: a contractor still needs an escort.
    await kiosk.click("new-visitor");
    await kiosk.choose("visitor-type", "contractor");
    await kiosk.waitFor("escort-required");
    await kiosk.click("visitor-cancel");

    await kiosk.click("admin-open");
    await kiosk.type("pin-input", "000000");
    await kiosk.click("pin-submit");
    await kiosk.type("new-pin", "482915");
    await kiosk.type("confirm-pin", "482915");
    await kiosk.click("change-pin-submit");
    const problem = await kiosk.text("site-problem");
    assert.match(problem, /site\.toml: escort\.checklist\[5\]\.text\.en: text is missing/);
  } finally {
    await kiosk.close();
  }
});
