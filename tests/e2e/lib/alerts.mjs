// Helpers of the alert end-to-end tests: enrolment through the admin screen, pixel comparison
// of screenshots with masked areas (ImageMagick), a TCP relay that can cut a browser off, the
// X server's keyboard (xdotool) and the session bus (dbus-monitor).
import { execFileSync, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createConnection, createServer } from "node:net";
import { join } from "node:path";
import { tempDir } from "./tmp.mjs";

/** Open the admin screen; choose the admin PIN on first use. */
export async function openAdmin(kiosk, pin = "482915", { first = false } = {}) {
  await kiosk.click("admin-open");
  await kiosk.type("pin-input", first ? "000000" : pin);
  await kiosk.click("pin-submit");
  if (first) {
    await kiosk.type("new-pin", pin);
    await kiosk.type("confirm-pin", pin);
    await kiosk.click("change-pin-submit");
    // The tabs come once the new PIN is stored.
    await kiosk.waitFor("admin-tab-audit", 10_000);
  }
  await kiosk.waitFor("admin-screen");
}

/** Enrol the kiosk at `hub` from its admin screen (first use: sets the admin PIN). */
export async function enrolAtHub(kiosk, hub, name) {
  await openAdmin(kiosk, "482915", { first: true });
  await kiosk.click("admin-tab-hub");
  await kiosk.type("hub-address", hub.address);
  await kiosk.type("hub-code", hub.enrol(name));
  await kiosk.click("hub-enrol");
  await waitAttr(kiosk, "hub-state", "data-state", "synced", 20_000);
  await kiosk.click("admin-close");
}

export async function waitAttr(kiosk, testId, attr, value, timeoutMs = 20_000) {
  await kiosk.session.wait(
    async () => {
      const found = await kiosk.findAll(testId);
      return found.length > 0 && (await found[0].getAttribute(attr)) === value;
    },
    timeoutMs,
    `${testId} ${attr} becomes ${value}`,
  );
}

/** Rectangles (device pixels) of every element matching `css`, to mask in screenshots. */
export async function rects(kiosk, css) {
  return kiosk.session.executeScript(
    `return [...document.querySelectorAll(arguments[0])].map((e) => {
       const r = e.getBoundingClientRect(); const s = window.devicePixelRatio;
       return [Math.floor(r.left * s), Math.floor(r.top * s), Math.ceil(r.right * s), Math.ceil(r.bottom * s)];
     });`,
    css,
  );
}

/** How many pixels differ between two PNG screenshots (base64) once `masks` are blacked out in
 * both. WebKit's software renderer anti-aliases rounded corners and soft shadows a little
 * differently from one paint to the next, in specks one pixel wide; those are ignored (a 3%
 * colour fuzz, then a morphological opening with a 2×2 square). Anything thicker counts: the
 * 7-pixel acknowledged mark, or a single letter, leaves dozens of pixels. */
export function differingPixels(a, b, masks) {
  const dir = tempDir("frontdesk-compare-");
  const files = [a, b].map((png, i) => {
    const raw = join(dir, `${i}.png`);
    const masked = join(dir, `${i}-masked.png`);
    writeFileSync(raw, Buffer.from(png, "base64"));
    const draws = masks.flatMap(([x0, y0, x1, y1]) => ["-draw", `rectangle ${x0},${y0} ${x1},${y1}`]);
    execFileSync("convert", [raw, "-fill", "black", ...draws, masked]);
    return masked;
  });
  const mask = join(dir, "diff.png");
  try {
    execFileSync(
      "compare",
      ["-fuzz", "3%", files[0], files[1], "-compose", "src", "-highlight-color", "white", "-lowlight-color", "black", mask],
      { stdio: "ignore" },
    );
  } catch {
    // compare exits with 1 when the images differ; the mask is written all the same.
  }
  const count = Number(
    execFileSync("convert", [mask, "-morphology", "Open", "Rectangle:2x2", "-format", "%[fx:int(mean*w*h+0.5)]", "info:"], {
      encoding: "utf8",
    }),
  );
  if (count > 0) console.error(`screenshots differ in ${count} pixels: ${mask}`);
  return count;
}

/** A TCP relay to `target` (host:port) that can cut every connection and refuse new ones. */
export async function startRelay(target) {
  const [host, port] = [target.split(":")[0], Number(target.split(":")[1])];
  const sockets = new Set();
  let online = true;
  const server = createServer((inbound) => {
    if (!online) return inbound.destroy();
    const outbound = createConnection(port, host);
    sockets.add(inbound).add(outbound);
    inbound.pipe(outbound).pipe(inbound);
    const close = () => {
      inbound.destroy();
      outbound.destroy();
      sockets.delete(inbound);
      sockets.delete(outbound);
    };
    inbound.on("error", close).on("close", close);
    outbound.on("error", close).on("close", close);
  });
  await new Promise((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `https://127.0.0.1:${server.address().port}`,
    setOnline(value) {
      online = value;
      if (!value) for (const s of sockets) s.destroy();
    },
    close: () => new Promise((r) => server.close(r)),
  };
}

/** Press keys through the X server's keyboard (XTest), as a person would. */
export function pressKeys(keys) {
  execFileSync("xdotool", ["key", "--clearmodifiers", keys]);
}

/** Open another X window (ImageMagick's viewer) and give it the keyboard focus, so Frontdesk's
 * window is not the focused one. Returns a function that closes it. */
export async function focusAnotherWindow() {
  const viewer = spawn("display", ["-title", "frontdesk-e2e-other", "-geometry", "300x200+900+500", "logo:"], {
    stdio: "ignore",
  });
  let id = "";
  for (let i = 0; i < 100 && !id; i++) {
    await new Promise((r) => setTimeout(r, 100));
    try {
      id = execFileSync("xdotool", ["search", "--name", "frontdesk-e2e-other"], { encoding: "utf8" }).trim().split("\n")[0];
    } catch {
      // not mapped yet
    }
  }
  if (!id) throw new Error("the other window did not appear");
  execFileSync("xdotool", ["windowfocus", "--sync", id]);
  return () => viewer.kill();
}

/** Watch the session bus for the OS notification calls (org.freedesktop.Notifications). */
export function watchNotifications() {
  const monitor = spawn("dbus-monitor", ["--session", "interface='org.freedesktop.Notifications',member='Notify'"], {
    stdio: ["ignore", "pipe", "ignore"],
  });
  let seen = "";
  monitor.stdout.on("data", (chunk) => (seen += chunk.toString()));
  return {
    text: () => seen,
    stop: () => monitor.kill(),
  };
}
