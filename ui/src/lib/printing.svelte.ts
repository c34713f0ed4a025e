// A print job on screen: started by some command, then followed until the print system says
// it is done or failed. The job's truth is in the core's job table; this only polls it.
import { commands, toUiError, type UiError } from "./api";
import type { PrintJob } from "./bindings/PrintJob";

const POLL_MS = 1500;

export class PrintTracker {
  job = $state<PrintJob | null>(null);
  error = $state<UiError | null>(null);
  busy = $state(false);
  #timer: ReturnType<typeof setTimeout> | undefined;

  async start(run: () => Promise<PrintJob>): Promise<void> {
    if (this.busy) return;
    this.busy = true;
    this.error = null;
    try {
      this.job = await run();
      this.#watch();
    } catch (raw) {
      this.error = toUiError(raw);
    } finally {
      this.busy = false;
    }
  }

  #watch(): void {
    clearTimeout(this.#timer);
    const job = this.job;
    if (!job || (job.state !== "sent" && job.state !== "recorded")) return;
    this.#timer = setTimeout(async () => {
      try {
        this.job = await commands.printJob(job.id);
      } catch {
        // Asked again on the next turn; the job is safe in the database meanwhile.
      }
      this.#watch();
    }, POLL_MS);
  }

  stop(): void {
    clearTimeout(this.#timer);
  }
}
