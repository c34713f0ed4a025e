// The test CUPS queue (cups-pdf, set up by scripts/cups-pdf-queue.sh) and what it printed.
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { homedir } from "node:os";
import { join } from "node:path";
import { By } from "selenium-webdriver";

export const testQueue = process.env.FRONTDESK_TEST_PRINTER ?? "PDF";
const pdfDir = join(homedir(), "PDF");

/** PDFs cups-pdf wrote since `since` whose text contains every one of `needles`. */
export function printedPdfWith(needles, since) {
  if (!existsSync(pdfDir)) return null;
  for (const file of readdirSync(pdfDir).filter((f) => f.endsWith(".pdf"))) {
    const path = join(pdfDir, file);
    if (statSync(path).mtimeMs + 2000 < since) continue;
    try {
      const text = execFileSync("pdftotext", ["-enc", "UTF-8", path, "-"], { encoding: "utf8" });
      if (needles.every((n) => text.includes(n))) return { path, text };
    } catch {
      // Still being written.
    }
  }
  return null;
}

/** Open the admin screen on a fresh kiosk (setting the first PIN) and choose the test queue as
 * the document printer. */
export async function useTestQueueForDocuments(kiosk) {
  await kiosk.click("admin-open");
  await kiosk.type("pin-input", "000000");
  await kiosk.click("pin-submit");
  await kiosk.type("new-pin", "482915");
  await kiosk.type("confirm-pin", "482915");
  await kiosk.click("change-pin-submit");
  await kiosk.click("admin-tab-paper");
  const option = By.css(`[data-testid="document-printer-select"] option[value="${testQueue}"]`);
  await kiosk.session.wait(async () => (await kiosk.session.findElements(option)).length > 0, 10_000, "the printers are listed");
  await kiosk.choose("document-printer-select", testQueue);
  await kiosk.click("admin-close");
}
