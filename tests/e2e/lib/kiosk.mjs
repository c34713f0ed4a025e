// Drives the real Frontdesk binary through tauri-driver + WebKitWebDriver. The test script
// (scripts/test.sh) runs this inside Xvfb and a private D-Bus session with an unlocked keyring.
import { execFileSync, spawn } from "node:child_process";
import { readFileSync, readdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { Builder, By, until } from "selenium-webdriver";
import { tempDir } from "./tmp.mjs";

const here = dirname(fileURLToPath(import.meta.url));
export const repoRoot = resolve(here, "../../..");
export const appBinary = process.env.FRONTDESK_BIN ?? join(repoRoot, "target/debug/frontdesk");
const driverPort = Number(process.env.TAURI_DRIVER_PORT ?? 4444);

function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolvePort, reject) => {
    const attempt = () => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.end();
        resolvePort();
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`nothing listens on port ${port}`));
        else setTimeout(attempt, 100);
      });
    };
    attempt();
  });
}

/** Start tauri-driver once per test file; returns a function that stops it. */
export async function startDriver() {
  const driver = spawn("tauri-driver", ["--port", String(driverPort), "--native-port", String(driverPort + 1)], {
    stdio: ["ignore", "inherit", "inherit"],
  });
  // tauri-driver starts WebKitWebDriver on the native port; a session asked for before that
  // one listens fails with "connection refused" (seen on a freshly built machine under load).
  await waitForPort(driverPort, 15_000);
  await waitForPort(driverPort + 1, 15_000);
  return async () => {
    driver.kill();
    await new Promise((r) => driver.once("exit", r));
  };
}

/** A fresh, empty data folder, optionally with a site file that replaces the demo site. */
export function freshDataDir(siteToml) {
  const dir = tempDir("frontdesk-e2e-");
  if (siteToml) writeFileSync(join(dir, "site.toml"), siteToml);
  return dir;
}

/** Open the app on `dataDir` and wait until its first screen is drawn. */
export async function openKiosk(dataDir, { env = {} } = {}) {
  const args = ["--data-dir", dataDir];
  const session = await new Builder()
    .usingServer(`http://127.0.0.1:${driverPort}/`)
    .withCapabilities({ browserName: "wry", "tauri:options": { application: appBinary, args, env } })
    .build();
  const kiosk = new Kiosk(session, dataDir);
  try {
    await kiosk.waitFor("new-visitor", 60_000);
  } catch (err) {
    // Close the window even so: the driver holds one session at a time, and a window left
    // open would hold up every test after this one.
    const fatal = await session
      .findElements(By.css('[data-testid="fatal"]'))
      .then((found) => (found.length ? found[0].getText() : ""))
      .catch(() => "");
    await kiosk.close().catch(() => {});
    if (fatal) err.message += `\nthe window shows: ${fatal}`;
    throw err;
  }
  return kiosk;
}

function xpathString(text) {
  return text.includes('"') ? `concat("${text.split('"').join('", \'"\', "')}")` : `"${text}"`;
}

/** Whether a Frontdesk still holds its single-instance name on this session bus (it is
 * released a moment after the process ends). */
function singleInstanceNameOwned() {
  try {
    const reply = execFileSync(
      "dbus-send",
      ["--session", "--print-reply", "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
        "org.freedesktop.DBus.NameHasOwner", "string:org.frontdesk.kiosk.SingleInstance"],
      { encoding: "utf8", stdio: ["ignore", "pipe", "ignore"] },
    );
    return reply.includes("boolean true");
  } catch {
    return false;
  }
}

/** Process ids of app instances started on `dataDir`. */
function appProcesses(dataDir) {
  const pids = [];
  for (const pid of readdirSync("/proc").filter((p) => /^\d+$/.test(p))) {
    try {
      const cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      if (cmdline.includes(dataDir) && cmdline[0].endsWith("frontdesk")) pids.push(pid);
    } catch {
      // The process ended while we looked.
    }
  }
  return pids;
}

export const sel = (testId) => By.css(`[data-testid="${testId}"]`);

export class Kiosk {
  constructor(session, dataDir) {
    this.session = session;
    this.dataDir = dataDir;
  }

  async waitFor(testId, timeoutMs = 5_000) {
    // Located and visible in one check, re-locating each time: an element may be replaced by a
    // new one with the same test id (e.g. the empty-list placeholder by the list).
    return this.session.wait(
      async () => {
        for (const element of await this.session.findElements(sel(testId))) {
          try {
            if (await element.isDisplayed()) return element;
          } catch (error) {
            if (error.name !== "StaleElementReferenceError") throw error;
          }
        }
        return null;
      },
      timeoutMs,
      `waiting for ${testId} to show`,
    );
  }

  async waitGone(testId, timeoutMs = 5_000) {
    await this.session.wait(
      async () => (await this.session.findElements(sel(testId))).length === 0,
      timeoutMs,
      `waiting for ${testId} to go`,
    );
  }

  find(testId) {
    return this.session.findElement(sel(testId));
  }

  findAll(testId) {
    return this.session.findElements(sel(testId));
  }

  /** Scroll an element to the middle of its scroll area, as a person would before tapping it:
   *  the driver's own scrolling can leave it under a form's sticky buttons. */
  async reveal(element) {
    await this.session.executeScript("arguments[0].scrollIntoView({ block: 'center' })", element);
    return element;
  }

  async click(testId) {
    try {
      await (await this.reveal(await this.waitFor(testId))).click();
    } catch (error) {
      // A button whose own click removes it (submit, confirm) can vanish before the driver
      // finishes the click; if it is gone, the click did its work. If it was only re-drawn,
      // click the new one.
      if (error.name !== "StaleElementReferenceError") throw error;
      const again = await this.findAll(testId);
      if (again.length > 0) await again[0].click();
    }
  }

  async type(testId, text) {
    const input = await this.waitFor(testId);
    await input.clear();
    await input.sendKeys(text);
  }

  /** Choose the `<option>` of a select whose value is `value`. */
  async choose(testId, value) {
    const select = await this.reveal(await this.waitFor(testId));
    await select.findElement(By.css(`option[value="${value}"]`)).click();
  }

  async text(testId) {
    return (await this.waitFor(testId)).getText();
  }

  /** Wait for the on-site row whose text contains `name` (the list may re-render meanwhile). */
  /** Sign a walk-in visitor in with the fewest fields, past the badge screen, and wait for the
   * visit's row on the home screen. */
  async signIn(name, hostId) {
    await this.click("new-visitor");
    await this.type("visitor-name", name);
    await this.choose("visitor-host", hostId);
    await this.click("visitor-submit");
    await this.click("badge-done");
    return this.rowFor(name);
  }

  async rowFor(name, timeoutMs = 5_000) {
    const xpath = `//*[@data-testid="onsite-row"][contains(., ${xpathString(name)})]`;
    return this.session.wait(until.elementLocated(By.xpath(xpath)), timeoutMs, `waiting for the row of ${name}`);
  }

  async screenshot(path) {
    writeFileSync(path, await this.session.takeScreenshot(), "base64");
  }

  async close() {
    await this.session.quit();
    // The app is single-instance per session: wait until this one has really gone, or the next
    // start would hand its arguments to the dying one.
    const deadline = Date.now() + 10_000;
    while ((appProcesses(this.dataDir).length > 0 || singleInstanceNameOwned()) && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Click the element with this test id whose `data-<attr>` is `value`, once it shows. */
  async clickItem(testId, attr, value, timeoutMs = 5_000) {
    const locator = By.css(`[data-testid="${testId}"][data-${attr}="${value}"]`);
    const element = await this.session.wait(until.elementLocated(locator), timeoutMs, `waiting for ${testId} ${value}`);
    await element.click();
  }
}
