// The visitor-management admin screens in the real window: a host directory import that is
// refused row by row and then accepted, a CSV export with masked numbers only, and a watch-list
// entry that catches a visitor whose name is written in the other script.
import assert from "node:assert/strict";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { freshDataDir, openKiosk, startDriver } from "./lib/kiosk.mjs";

let stopDriver;
before(async () => {
  stopDriver = await startDriver();
});
after(async () => {
  await stopDriver?.();
});

async function admin(kiosk, first) {
  await kiosk.click("admin-open");
  await kiosk.type("pin-input", first ? "000000" : "482915");
  await kiosk.click("pin-submit");
  if (first) {
    await kiosk.waitFor("change-pin-first");
    await kiosk.type("new-pin", "482915");
    await kiosk.type("confirm-pin", "482915");
    await kiosk.click("change-pin-submit");
  }
  await kiosk.waitFor("admin-tab-hosts");
}

test("a host import is all or nothing, and an export carries masked numbers only", async () => {
  const dataDir = freshDataDir();
  const kiosk = await openKiosk(dataDir);
  try {
    // A visitor with an ID and a phone number, for the export.
    await kiosk.click("new-visitor");
    await kiosk.type("visitor-name", "Export Person");
    await kiosk.choose("visitor-host", "li-na");
    await kiosk.choose("id-type", "passport");
    await kiosk.type("id-number", "E98765432");
    await kiosk.type("visitor-phone", "13987654321");
    await kiosk.click("visitor-submit");
    await kiosk.click("badge-done");

    await admin(kiosk, true);
    await kiosk.click("admin-tab-hosts");
    const bad = join(dataDir, "bad-hosts.csv");
    writeFileSync(bad, "姓名,部门,分机,邮箱,可陪同\n王五,IT,8001,wang.wu@example.com,是\n,IT,8002,,否\n赵六,IT,x,zhao@,maybe\n");
    await (await kiosk.find("hosts-import")).sendKeys(bad);
    await kiosk.waitFor("import-errors");
    const errors = await kiosk.findAll("import-error");
    assert.equal(errors.length, 4);
    assert.match(await errors[0].getText(), /3/);
    assert.match(await errors[3].getText(), /4/);
    assert.equal((await kiosk.findAll("host-row")).length, 10, "nothing imported");

    const good = join(dataDir, "good-hosts.csv");
    writeFileSync(good, "name,department,extension,email,may_escort\n王五,IT,8001,wang.wu@example.com,yes\n");
    await (await kiosk.find("hosts-import")).sendKeys(good);
    await kiosk.session.wait(async () => (await kiosk.findAll("host-row")).length === 11, 5_000, "the host is added");
    await kiosk.waitGone("import-errors");

    await kiosk.click("admin-tab-visits");
    await kiosk.click("export-csv");
    await kiosk.waitFor("export-result");
    const folder = join(dataDir, "exports");
    const [file] = readdirSync(folder);
    const csv = readFileSync(join(folder, file), "utf8");
    assert.match(csv, /Export Person/);
    assert.match(csv, /E9\*{5}32/);
    assert.ok(!csv.includes("E98765432") && !csv.includes("13987654321"), csv);
  } finally {
    await kiosk.close();
  }
});

test("a watch-list hit in the other script needs an escort, cues the desk discreetly and is kept for review", async () => {
  const kiosk = await openKiosk(freshDataDir());
  try {
    await admin(kiosk, true);
    await kiosk.click("admin-tab-watchlist");
    await kiosk.type("watchlist-name", "張偉"); // traditional characters
    await kiosk.type("watchlist-reason", "Banned after an incident");
    await kiosk.click("watchlist-save");
    await kiosk.click("admin-close");

    await kiosk.click("new-visitor");
    await kiosk.type("visitor-name", "张伟"); // simplified
    await kiosk.choose("visitor-host", "chen-jie");
    await kiosk.click("visitor-submit");

    await kiosk.waitFor("escort-screen", 10_000);
    const reasons = await kiosk.findAll("escort-reason");
    const kinds = await Promise.all(reasons.map((r) => r.getAttribute("data-kind")));
    assert.deepEqual(kinds, ["watch_list"]);
    assert.doesNotMatch(await reasons[0].getText(), /watch|张伟|張偉/i, "a reason that tells a visitor nothing");
    assert.equal((await kiosk.findAll("watchlist-cue")).length, 0, "no cue on the screen the visitor may be shown");
    for (const item of await kiosk.findAll("checklist-item")) {
      if ((await item.getAttribute("data-required")) !== "true") continue;
      await kiosk.session.executeScript("arguments[0].scrollIntoView({block: 'center'})", item);
      await item.click();
      // The list is disabled while a tick is being saved: the next tap waits for this one, as a
      // person's would (a tap on a disabled item does nothing).
      await kiosk.session.wait(async () => (await item.getAttribute("data-ticked")) === "true", 5_000, "ticked");
    }
    await kiosk.choose("escort-select", "chen-jie");
    await kiosk.session.wait(() => kiosk.find("escort-start").then((b) => b.isEnabled()), 5_000, "the start is allowed");
    await kiosk.click("escort-start");

    const cue = await kiosk.waitFor("watchlist-cue", 20_000);
    const cueText = await cue.getText();
    assert.ok(!cueText.includes("張偉") && !cueText.includes("张伟") && !/watch/i.test(cueText), `a cue that tells a visitor nothing: ${cueText}`);
    await kiosk.click("badge-done");
    assert.equal((await kiosk.findAll("watchlist-cue")).length, 0, "the cue leaves with the badge screen");

    await admin(kiosk, false);
    await kiosk.click("admin-tab-watchlist");
    const hits = await kiosk.waitFor("watchlist-hits");
    await kiosk.waitFor("watchlist-false-positive");
    assert.match(await hits.getText(), /张伟/);
  } finally {
    await kiosk.close();
  }
});
