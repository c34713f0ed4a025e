// Screenshots of the visitor-management screens (issue 4; not a test): run through
//   xvfb-run -a -s "-screen 0 1280x800x24" scripts/keyring-session.sh node tests/e2e/screenshots-visitor-management.mjs [names…]
// and look at docs/screenshots/visitors-*.png before calling a screen done.
import { mkdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Key } from "selenium-webdriver";
import { freshDataDir, openKiosk, repoRoot, startDriver } from "./lib/kiosk.mjs";

const out = process.env.SHOTS_DIR ?? join(repoRoot, "docs/screenshots");
mkdirSync(out, { recursive: true });
const only = process.argv.slice(2);
const want = (name) => only.length === 0 || only.includes(name);

const stop = await startDriver();
const kiosk = await openKiosk(freshDataDir());
const settle = () => kiosk.session.sleep(600);
const shot = async (name) => {
  await settle();
  if (want(name)) await kiosk.screenshot(join(out, `${name}.png`));
};
try {
  const lang = await kiosk.session.executeScript("return document.documentElement.lang");
  if (lang !== "en") await kiosk.click("lang-switch");
  await shot("visitors-home-en");

  // Admin: first PIN, an invitation, the watch list, a bad host import.
  await kiosk.click("admin-open");
  await kiosk.type("pin-input", "000000");
  await kiosk.click("pin-submit");
  await kiosk.waitFor("change-pin-first");
  await kiosk.type("new-pin", "482915");
  await kiosk.type("confirm-pin", "482915");
  await kiosk.click("change-pin-submit");
  await kiosk.click("admin-tab-invitations");
  await kiosk.type("invite-name", "陈晓 Chen Xiao");
  await kiosk.type("invite-company", "滨海物流 Binhai Logistics");
  await kiosk.choose("invite-host", "li-na");
  await kiosk.click("invite-create");
  const token = await kiosk.text("invite-token");
  await shot("visitors-invitation-en");
  await kiosk.click("admin-tab-watchlist");
  await kiosk.type("watchlist-name", "張偉");
  await kiosk.type("watchlist-reason", "Banned after an incident, 2025");
  await kiosk.click("watchlist-save");
  await kiosk.session.sleep(300);
  await kiosk.click("admin-tab-hosts");
  const csv = join(tmpdir(), `hosts-${Date.now()}.csv`);
  writeFileSync(csv, "姓名,部门,分机,邮箱,可陪同\n王五,IT,8001,wang.wu@example.com,是\n,IT,8002,,否\n赵六,IT,x,zhao@,maybe\n");
  await (await kiosk.find("hosts-import")).sendKeys(csv);
  await kiosk.waitFor("import-errors");
  await shot("visitors-hosts-import-errors-en");
  await kiosk.click("admin-close");

  // Sign-in: the form, an invitation scanned, then a watch-list hit's cue.
  await kiosk.click("new-visitor");
  await shot("visitors-sign-in-en");
  await (await kiosk.waitFor("invite-code")).sendKeys(token, Key.ENTER);
  await kiosk.session.sleep(300);
  await shot("visitors-sign-in-invited-en");
  await kiosk.click("visitor-submit");
  await kiosk.click("badge-done");
  await kiosk.click("new-visitor");
  await kiosk.type("visitor-name", "张伟");
  await kiosk.choose("visitor-host", "chen-jie");
  await kiosk.choose("id-type", "cn_resident");
  await kiosk.type("id-number", "11010519491231002X");
  await kiosk.type("visitor-phone", "13812345678");
  await kiosk.type("expected-end", "23:59");
  await kiosk.click("photo-start");
  await kiosk.waitFor("photo-note");
  await shot("visitors-sign-in-details-en");
  await kiosk.click("visitor-submit");
  // A watch-list hit makes the visit an escorted one: the checklist and an escort come first.
  await kiosk.waitFor("escort-screen", 10_000);
  await shot("visitors-watchlist-escort-en");
  for (const item of await kiosk.findAll("checklist-item")) {
    if ((await item.getAttribute("data-required")) !== "true") continue;
    await kiosk.session.executeScript("arguments[0].scrollIntoView({block: 'center'})", item);
    await item.click();
    // The list is disabled while a tick is being saved: the next tap waits for this one, as a
    // person's would (a tap on a disabled item does nothing).
    await kiosk.session.wait(async () => (await item.getAttribute("data-ticked")) === "true", 5_000, "ticked");
  }
  await kiosk.choose("escort-select", "chen-jie");
  await kiosk.session.wait(() => kiosk.find("escort-start").then((b) => b.isEnabled()), 5_000, "escort start allowed");
  await kiosk.click("escort-start");
  await kiosk.waitFor("watchlist-cue", 20_000);
  await shot("visitors-watchlist-cue-en");
  await kiosk.click("badge-done");

  await kiosk.click("open-overdue");
  await kiosk.waitFor("overdue-list");
  await shot("visitors-overdue-en");
  await kiosk.click("overdue-back");

  await kiosk.click("admin-open");
  await kiosk.type("pin-input", "482915");
  await kiosk.click("pin-submit");
  await kiosk.click("admin-tab-visits");
  await kiosk.type("visit-search", "张");
  await kiosk.click("visit-search-go");
  await kiosk.waitFor("visit-results");
  await kiosk.click("export-csv");
  await kiosk.waitFor("export-result");
  await shot("visitors-search-export-en");
  await kiosk.click("admin-tab-watchlist");
  await kiosk.waitFor("watchlist-false-positive");
  await shot("visitors-watchlist-en");
  await kiosk.click("admin-tab-settings");
  await kiosk.waitFor("visitor-settings-save");
  await shot("visitors-settings-en");
  await kiosk.click("admin-close");
  await kiosk.click("lang-switch");
  await kiosk.click("new-visitor");
  await shot("visitors-sign-in-zh");
  console.log(`screenshots in ${out}`);
} finally {
  await kiosk.close();
  await stop();
}
