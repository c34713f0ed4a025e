// Visitor management in the real window: an invited visitor signs in from the QR payload a
// scanner types (two interactions), a returning visitor through the fast path, and the clear
// ID and phone numbers typed never reach the database files (WAL included) or the app's logs.
import assert from "node:assert/strict";
import { spawn } from "node:child_process";
import { readFileSync, readdirSync, statSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { By, Key } from "selenium-webdriver";
import { freshDataDir, openKiosk } from "./lib/kiosk.mjs";

const driverPort = Number(process.env.TAURI_DRIVER_PORT ?? 4444);
const CN_ID = "11010519491231002X";
const PHONE = "13812345678";

// The driver is started here with its output captured: the app it launches writes its log
// (stderr) there, and the test reads it back.
let driver;
let log = "";
before(async () => {
  driver = spawn("tauri-driver", ["--port", String(driverPort), "--native-port", String(driverPort + 1)], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  driver.stdout.on("data", (d) => (log += d));
  driver.stderr.on("data", (d) => (log += d));
  const deadline = Date.now() + 15_000;
  for (;;) {
    const up = await new Promise((resolve) => {
      const socket = connect(driverPort, "127.0.0.1");
      socket.once("connect", () => (socket.end(), resolve(true)));
      socket.once("error", () => (socket.destroy(), resolve(false)));
    });
    if (up) break;
    if (Date.now() > deadline) throw new Error("tauri-driver did not start");
    await new Promise((r) => setTimeout(r, 100));
  }
});
after(async () => {
  driver?.kill();
  await new Promise((r) => driver?.once("exit", r));
});

async function firstAdmin(kiosk) {
  await kiosk.click("admin-open");
  await kiosk.type("pin-input", "000000");
  await kiosk.click("pin-submit");
  await kiosk.waitFor("change-pin-first");
  await kiosk.type("new-pin", "482915");
  await kiosk.type("confirm-pin", "482915");
  await kiosk.click("change-pin-submit");
  await kiosk.waitFor("admin-tab-invitations");
}

async function value(kiosk, testId) {
  return (await kiosk.waitFor(testId)).getAttribute("value");
}

function filesOf(dir) {
  return readdirSync(dir)
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).isFile())
    .map((path) => readFileSync(path));
}

test("an invited visitor signs in from the typed QR payload; a second scan is refused", async () => {
  const kiosk = await openKiosk(freshDataDir());
  try {
    await firstAdmin(kiosk);
    await kiosk.click("admin-tab-invitations");
    await kiosk.type("invite-name", "陈晓 Chen Xiao");
    await kiosk.type("invite-company", "滨海物流");
    await kiosk.choose("invite-host", "li-na");
    await kiosk.click("invite-create");
    const token = await kiosk.text("invite-token");
    assert.match(token, /^FI1[A-Z2-7]+$/);
    assert.match(await kiosk.text("invite-code-shown"), /^[0-9A-Z]{4}-[0-9A-Z]{4}$/);
    await kiosk.click("admin-close");

    // A USB scanner types the QR's payload and Enter: interaction one.
    await kiosk.click("new-visitor");
    await (await kiosk.waitFor("invite-code")).sendKeys(token, Key.ENTER);
    await kiosk.session.wait(async () => (await value(kiosk, "visitor-name")) === "陈晓 Chen Xiao", 5_000, "form filled");
    assert.equal(await value(kiosk, "visitor-host"), "li-na");
    assert.equal(await value(kiosk, "visitor-company"), "滨海物流");
    // Interaction two.
    await kiosk.click("visitor-submit");
    await kiosk.click("badge-done");
    await kiosk.rowFor("陈晓");

    // The same QR again: used up, nothing filled.
    await kiosk.click("new-visitor");
    await (await kiosk.waitFor("invite-code")).sendKeys(token, Key.ENTER);
    const note = await kiosk.waitFor("invite-note");
    await kiosk.session.wait(async () => (await note.getText()) !== "", 5_000);
    assert.equal(await value(kiosk, "visitor-name"), "");
    // A forged payload (one character changed) is refused too.
    const forged = token.slice(0, -10) + (token.at(-10) === "A" ? "B" : "A") + token.slice(-9);
    await kiosk.type("invite-code", forged);
    await (await kiosk.find("invite-code")).sendKeys(Key.ENTER);
    await kiosk.session.sleep(500);
    assert.notEqual(await kiosk.text("invite-note"), "");
    assert.equal(await value(kiosk, "visitor-name"), "");
    await kiosk.click("visitor-cancel");
  } finally {
    await kiosk.close();
  }
});

test("a returning visitor is found by phone and signed in; clear numbers never reach the files or the log", async () => {
  const dataDir = freshDataDir();
  const kiosk = await openKiosk(dataDir);
  try {
    await kiosk.click("new-visitor");
    await kiosk.type("visitor-name", "周杰 Zhou Jie");
    await kiosk.type("visitor-company", "Acme 物流");
    await kiosk.choose("visitor-host", "chen-jie");
    await kiosk.choose("id-type", "cn_resident");
    await kiosk.type("id-number", CN_ID);
    await kiosk.type("visitor-phone", PHONE);
    await kiosk.click("visitor-submit");
    await kiosk.waitFor("badge-preview", 10_000);
    // No printer is chosen: printing fails and the app logs why (so the log below is real).
    await kiosk.click("badge-print");
    await kiosk.waitFor("badge-error");
    await kiosk.click("badge-done");
    await kiosk.rowFor("周杰");

    // The fast path: type the phone number, Enter; the form is filled; sign in.
    await kiosk.click("new-visitor");
    await (await kiosk.waitFor("returning-lookup")).sendKeys(PHONE, Key.ENTER);
    await kiosk.session.wait(async () => (await value(kiosk, "visitor-name")) === "周杰 Zhou Jie", 5_000, "form filled");
    assert.equal(await value(kiosk, "visitor-host"), "chen-jie");
    assert.equal(await value(kiosk, "returning-lookup"), "", "the typed number is not left on screen");
    const note = await kiosk.text("returning-note");
    assert.match(note, /110\*+002X/);
    assert.ok(!note.includes(PHONE) && !note.includes(CN_ID));
    await kiosk.click("visitor-submit");
    await kiosk.click("badge-done");
    await kiosk.session.wait(
      async () => (await kiosk.session.findElements(By.xpath('//*[@data-testid="onsite-row"][contains(., "周杰")]'))).length === 2,
      5_000,
      "both visits on site",
    );
    const page = await kiosk.session.getPageSource();
    assert.ok(!page.includes(CN_ID) && !page.includes(PHONE), "no clear number on screen");

    for (const bytes of filesOf(dataDir)) {
      for (const clear of [CN_ID, PHONE]) assert.equal(bytes.indexOf(clear), -1, `${clear} in a database file`);
    }
  } finally {
    await kiosk.close();
  }
  for (const bytes of filesOf(dataDir)) {
    for (const clear of [CN_ID, PHONE]) assert.equal(bytes.indexOf(clear), -1, `${clear} in a database file after closing`);
  }
  assert.match(log, /frontdesk: print_badge/, "the app's log was captured");
  assert.ok(!log.includes(CN_ID) && !log.includes(PHONE), "no clear number in the app's log");
});
