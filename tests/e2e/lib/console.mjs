// The guards' web console in a real browser: Debian's Chromium driven by playwright-core (no
// browser download), headless, a fresh profile each time (playwright-core makes one per launch).
import { chromium } from "playwright-core";

export const CHROMIUM = process.env.FRONTDESK_CHROMIUM ?? "/usr/bin/chromium";

/** A browser; `phone` gives a phone-sized page with touch. */
export async function openBrowser() {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return browser;
}

/** A page of the console at `baseUrl` (the hub's certificate is self-signed and pinned by
 * kiosks; the browser here is told to accept it). */
export async function openConsole(browser, baseUrl, { phone = false, lang = "en" } = {}) {
  const context = await browser.newContext({
    ignoreHTTPSErrors: true,
    viewport: phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    hasTouch: phone,
    isMobile: phone,
    locale: lang,
  });
  await context.addInitScript((l) => localStorage.setItem("fd-console-lang", l), lang);
  const page = await context.newPage();
  await page.goto(`${baseUrl}/console`);
  return page;
}

export async function signIn(page, login, password) {
  await page.getByTestId("console-login-name").fill(login);
  await page.getByTestId("console-login-password").fill(password);
  await page.getByTestId("console-login-submit").click();
  await page.getByTestId("console-status").waitFor();
}

/** The card of an alert, once the console shows it. */
export function alertCard(page, id) {
  return page.locator(`[data-testid="alert-card"][data-alert-id="${id}"]`);
}
