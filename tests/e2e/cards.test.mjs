// Emergency cards: from the home screen to the right card in two taps once the kiosk knows its
// role; site numbers and places filled in; an edited card file shows without a restart.
import assert from "node:assert/strict";
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { freshDataDir, openKiosk, repoRoot, startDriver } from "./lib/kiosk.mjs";
import { printedPdfWith, useTestQueueForDocuments } from "./lib/printing.mjs";

let stopDriver;
before(async () => {
  stopDriver = await startDriver();
});
after(async () => {
  await stopDriver?.();
});

test("the kiosk's role is chosen once, then a card is two taps from home", async () => {
  const dataDir = freshDataDir();
  let kiosk = await openKiosk(dataDir);
  try {
    await kiosk.click("cards-open");
    await kiosk.clickItem("card-role", "role", "receptionist");
    await kiosk.clickItem("card-scenario", "scenario", "fire");
    const card = await kiosk.waitFor("card-view");
    assert.equal(await card.getAttribute("data-scenario"), "fire");
    const text = await card.getText();
    assert.match(text, /119/, "the fire service's number from the site file");
    assert.ok(!text.includes("{"), "every site reference is filled in");
  } finally {
    await kiosk.close();
  }

  // Restarted, the kiosk remembers its role: cards-open, then the scenario — two taps.
  kiosk = await openKiosk(dataDir);
  try {
    await kiosk.click("cards-open");
    await kiosk.clickItem("card-scenario", "scenario", "medical");
    const card = await kiosk.waitFor("card-view");
    assert.equal(await card.getAttribute("data-role"), "receptionist");
    assert.equal(await card.getAttribute("data-scenario"), "medical");
    assert.match(await card.getText(), /120/);

    // "Switch to … if …" opens the other card.
    const switchTo = await kiosk.waitFor("card-switch");
    const target = await switchTo.getAttribute("data-scenario");
    await switchTo.click();
    await kiosk.session.wait(
      async () => (await (await kiosk.find("card-view")).getAttribute("data-scenario")) === target,
      5_000,
    );
  } finally {
    await kiosk.close();
  }
});

test("an edited card file shows without a restart; a broken one is not shown", async () => {
  const dataDir = freshDataDir();
  const folder = join(dataDir, "cards", "receptionist");
  mkdirSync(folder, { recursive: true });
  const file = join(folder, "fire.toml");
  copyFileSync(join(repoRoot, "assets/cards/receptionist/fire.toml"), file);
  const original = readFileSync(file, "utf8");

  const kiosk = await openKiosk(dataDir);
  try {
    await kiosk.click("cards-open");
    await kiosk.clickItem("card-role", "role", "receptionist");
    await kiosk.clickItem("card-scenario", "scenario", "fire");
    await kiosk.waitFor("card-view");
    await kiosk.click("lang-switch");
    await kiosk.click("lang-switch");

    writeFileSync(file, original.replace("Close doors behind you as you leave.", "Shut every door you pass.").replace("撤离时随手关门。", "沿途关闭所有门。"));
    await kiosk.session.wait(async () => /Shut every door you pass|沿途关闭所有门/.test(await (await kiosk.find("card-view")).getText()), 10_000, "the edit shows");

    // A broken edit (a missing Chinese title) is refused; the last good card stays.
    writeFileSync(file, original.replace('title = "火灾"', 'title = ""'));
    await kiosk.session.sleep(1_500);
    const text = await (await kiosk.find("card-view")).getText();
    assert.match(text, /Shut every door you pass|沿途关闭所有门/);
  } finally {
    await kiosk.close();
  }
});

test("a card prints on the document printer and the PDF carries its text", async () => {
  const kiosk = await openKiosk(freshDataDir());
  try {
    await useTestQueueForDocuments(kiosk);
    await kiosk.click("cards-open");
    await kiosk.clickItem("card-role", "role", "first_aider");
    await kiosk.clickItem("card-scenario", "scenario", "medical");
    await kiosk.waitFor("card-view");
    const firstAction = await kiosk.text("card-first-action");
    const since = Date.now();
    await kiosk.click("card-print");
    const status = await kiosk.waitFor("card-print-status", 10_000);
    assert.notEqual(await status.getAttribute("data-state"), "failed");
    // The first action is on the page (its first characters: the PDF wraps lines).
    const printed = await kiosk.session.wait(
      async () => printedPdfWith(["120", firstAction.slice(0, 6)], since),
      20_000,
      "the printed card arrives in the PDF queue",
    );
    assert.ok(printed.text.length > 100);
  } finally {
    await kiosk.close();
  }
});
