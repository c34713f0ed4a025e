// Measures the app's cold start (process start → first screen drawn and usable) and its idle
// memory, for docs/BENCHMARKS.md. Not a test. Run:
//   xvfb-run -a -s "-screen 0 1280x800x24" scripts/keyring-session.sh node tests/e2e/measure-startup.mjs
import { readFileSync, readdirSync } from "node:fs";
import { freshDataDir, openKiosk, startDriver } from "./lib/kiosk.mjs";

const RUNS = Number(process.env.RUNS ?? 5);

function rssKiB(pid) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
}

/** The app process on `dataDir` and the WebKit processes it started. */
function processTree(dataDir) {
  const all = readdirSync("/proc").filter((p) => /^\d+$/.test(p));
  const info = new Map();
  for (const pid of all) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
      const ppid = stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1];
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0");
      info.set(pid, { ppid, cmd });
    } catch {
      // gone
    }
  }
  const app = [...info].find(([, v]) => v.cmd.includes(dataDir) && v.cmd[0].endsWith("frontdesk"))?.[0];
  const tree = new Set(app ? [app] : []);
  let grew = true;
  while (grew) {
    grew = false;
    for (const [pid, v] of info) {
      if (!tree.has(pid) && tree.has(v.ppid)) {
        tree.add(pid);
        grew = true;
      }
    }
  }
  return { app, pids: [...tree] };
}

const stop = await startDriver();
const starts = [];
let memory = null;
try {
  for (let i = 0; i < RUNS; i++) {
    const dataDir = freshDataDir();
    const t0 = performance.now();
    const kiosk = await openKiosk(dataDir);
    starts.push(performance.now() - t0);
    if (i === RUNS - 1) {
      await kiosk.session.sleep(10_000);
      const { app, pids } = processTree(dataDir);
      memory = { appKiB: rssKiB(app), totalKiB: pids.reduce((sum, pid) => sum + rssKiB(pid), 0), processes: pids.length };
    }
    await kiosk.close();
  }
} finally {
  await stop();
}
starts.sort((a, b) => a - b);
const median = starts[Math.floor(starts.length / 2)];
console.log(`cold start to first usable screen over ${RUNS} runs: median ${median.toFixed(0)} ms, min ${starts[0].toFixed(0)} ms, max ${starts.at(-1).toFixed(0)} ms`);
console.log(`idle after 10 s: app process RSS ${(memory.appKiB / 1024).toFixed(0)} MiB; with its WebKit processes (${memory.processes}) ${(memory.totalKiB / 1024).toFixed(0)} MiB`);
