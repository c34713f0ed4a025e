// Runs the real `frontdesk-hub` binary for end-to-end tests: `serve` on a free port, and the
// operator's commands (enrol, devices, site publish) on the same data folder.
import { execFileSync, spawn } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";
import { repoRoot } from "./kiosk.mjs";
import { tempDir } from "./tmp.mjs";

export const hubBinary = process.env.FRONTDESK_HUB_BIN ?? join(repoRoot, "target/debug/frontdesk-hub");

/** Start `frontdesk-hub serve` on `data` (a fresh folder by default) at `listen`. */
async function serve(data, listen) {
  const child = spawn(hubBinary, ["serve", "--data", data, "--listen", listen], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout });
  let fingerprint = "";
  const url = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the hub did not start")), 20_000);
    lines.on("line", (line) => {
      if (line.startsWith("certificate SHA-256 fingerprint ")) fingerprint = line.split(" ").pop();
      if (line.startsWith("listening on ")) {
        clearTimeout(timer);
        resolve(line.split(" ")[2]);
      }
    });
    child.once("exit", (code) => reject(new Error(`the hub exited with ${code}`)));
  });
  return { child, url, fingerprint };
}

export async function startHub() {
  const data = tempDir("frontdesk-hub-e2e-");
  let { child, url, fingerprint } = await serve(data, "127.0.0.1:0");
  const cli = (...args) => execFileSync(hubBinary, ["--data", data, ...args], { encoding: "utf8" });
  return {
    url,
    /** What an operator types: host and port, no scheme. */
    address: url.replace("https://", ""),
    fingerprint,
    enrol(name) {
      const out = cli("enrol", "--site", "riverside-tower", "--device", name);
      return out.split("\n").map((l) => l.trim()).find((l) => /^[0-9A-Z]{4}(-[0-9A-Z]{4}){3}$/.test(l));
    },
    opsHeld(name) {
      const line = cli("devices", "list").split("\n").find((l) => l.includes(name)) ?? "";
      return Number(/ops (\d+)/.exec(line)?.[1] ?? 0);
    },
    publish(file) {
      return cli("site", "publish", file);
    },
    revoke(name) {
      return cli("devices", "revoke", name);
    },
    /** A guard account of the web console. */
    addGuard(login, name, password, role = "guard") {
      return execFileSync(
        hubBinary,
        ["--data", data, "guards", "add", login, "--site", "riverside-tower", "--name", name, "--role", role, "--password-stdin"],
        { encoding: "utf8", input: `${password}\n` },
      );
    },
    /** The hub dies at once (SIGKILL: no goodbye, maybe mid-write). */
    async kill() {
      child.kill("SIGKILL");
      await new Promise((r) => child.once("exit", r));
    },
    /** Start the hub again on the same port and data. */
    async restart() {
      const address = new URL(url).host;
      ({ child } = await serve(data, address));
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill("SIGTERM");
      await new Promise((r) => child.once("exit", r));
    },
  };
}
