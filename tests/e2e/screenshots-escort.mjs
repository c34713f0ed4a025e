// Screenshots of the escort screens in the real window (not a test): run through
//   xvfb-run -a -s "-screen 0 1280x800x24" scripts/keyring-session.sh node tests/e2e/screenshots-escort.mjs
// and look at docs/screenshots/escort-*.png before calling a screen done.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freshDataDir, openKiosk, repoRoot, startDriver } from "./lib/kiosk.mjs";

const out = join(repoRoot, "docs/screenshots");
mkdirSync(out, { recursive: true });
const shot = async (kiosk, name) => {
  await kiosk.session.sleep(400);
  await kiosk.screenshot(join(out, name));
};

/** Tap an element, scrolled to the middle first (lists and long forms scroll on the kiosk). */
async function tap(kiosk, css) {
  const el = await kiosk.session.findElement({ css });
  await kiosk.session.executeScript("arguments[0].scrollIntoView({block: 'center'})", el);
  await el.click();
  return el;
}

async function tick(kiosk, item) {
  const el = await tap(kiosk, `[data-testid="checklist-item"][data-item-id="${item}"]`);
  await kiosk.session.wait(async () => (await el.getAttribute("data-ticked")) === "true", 5_000);
}

async function toLang(kiosk, lang) {
  const now = await kiosk.session.executeScript("return document.documentElement.lang");
  if (now !== lang) await kiosk.click("lang-switch");
}

const stop = await startDriver();
const kiosk = await openKiosk(freshDataDir());
try {
  await toLang(kiosk, "zh-CN");
  // The sign-in form with a contractor who needs the server room.
  await kiosk.click("new-visitor");
  await kiosk.type("visitor-name", "王建国");
  await kiosk.type("visitor-company", "恒通机电工程有限公司");
  await kiosk.choose("visitor-host", "chen-jie");
  await kiosk.type("visitor-purpose", "更换机房空调压缩机");
  await kiosk.choose("visitor-type", "contractor");
  await tap(kiosk, '[data-testid="visitor-area"][data-area-id="server-room"]');
  await kiosk.waitFor("escort-required");
  await kiosk.session.executeScript("document.querySelector('main').scrollTop = 0");
  await shot(kiosk, "escort-sign-in-zh.png");
  await kiosk.click("visitor-submit");

  // The checklist, part done, in both languages.
  await kiosk.waitFor("escort-screen", 10_000);
  for (const item of ["escort-present", "badge-visible", "restricted-areas"]) await tick(kiosk, item);
  await shot(kiosk, "escort-checklist-zh.png");
  await toLang(kiosk, "en");
  await shot(kiosk, "escort-checklist-en.png");

  // The supervisor override's reason step.
  await kiosk.click("escort-override");
  await kiosk.type("escort-override-reason", "Escort on the way down from floor 5");
  await shot(kiosk, "escort-override-en.png");
  await kiosk.click("escort-override-cancel");

  // Everything ticked, escort chosen: the start is allowed.
  await kiosk.waitGone("escort-override-dialog");
  for (const item of ["photography", "confidentiality", "exits", "server-room-rules"]) await tick(kiosk, item);
  await kiosk.choose("escort-select", "chen-jie");
  await kiosk.session.wait(async () => (await kiosk.find("escort-start")).isEnabled(), 5_000);
  await shot(kiosk, "escort-ready-en.png");
  await kiosk.click("escort-start");
  await kiosk.waitFor("badge-preview", 20_000);
  await shot(kiosk, "escort-badge-en.png");
  await kiosk.click("badge-done");

  // A second contractor waits for an escort; the list shows both.
  await kiosk.click("new-visitor");
  await kiosk.type("visitor-name", "Priya Raman");
  await kiosk.type("visitor-company", "Brightline Lifts");
  await kiosk.choose("visitor-host", "zhang-wei");
  await kiosk.choose("visitor-type", "contractor");
  await kiosk.click("visitor-submit");
  await kiosk.click("escort-later");
  await kiosk.rowFor("Priya Raman");
  await shot(kiosk, "escort-onsite-en.png");

  // Signing out the escorted visitor asks for the hand-back.
  const row = await kiosk.rowFor("王建国");
  await (await row.findElement({ css: '[data-testid="sign-out"]' })).click();
  await kiosk.waitFor("handback-dialog");
  await shot(kiosk, "escort-handback-en.png");
  await kiosk.click("handback-cancel");
  await kiosk.waitGone("handback-dialog");
  await toLang(kiosk, "zh-CN");
  await (await (await kiosk.rowFor("王建国")).findElement({ css: '[data-testid="sign-out"]' })).click();
  await kiosk.waitFor("handback-dialog");
  await shot(kiosk, "escort-handback-zh.png");
  await kiosk.click("handback-cancel");
} finally {
  await kiosk.close();
}

// A site file broken after a good start: the kiosk keeps the last good settings and the admin
// screen says why.
const demo = readFileSync(join(repoRoot, "assets/demo-site/site.toml"), "utf8");
const dataDir = freshDataDir(demo);
let admin = await openKiosk(dataDir);
await admin.close();
writeFileSync(join(dataDir, "site.toml"), demo.replace('id = "exits"', 'id = "escort-present"'));
admin = await openKiosk(dataDir);
try {
  await toLang(admin, "en");
  await admin.click("admin-open");
  await admin.type("pin-input", "000000");
  await admin.click("pin-submit");
  await admin.type("new-pin", "482915");
  await admin.type("confirm-pin", "482915");
  await admin.click("change-pin-submit");
  await admin.waitFor("site-problem");
  await shot(admin, "escort-site-problem-en.png");
  console.log(`screenshots in ${out}`);
} finally {
  await admin.close();
  await stop();
}
