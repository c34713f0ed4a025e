// Which emergency card is on screen. Opening is two taps (menu, scenario) once the kiosk knows
// its role; alerts open a card directly with `openCard`.
import { commands, toUiError, type UiError } from "./api";
import type { CardMenu } from "./bindings/CardMenu";
import type { CardView } from "./bindings/CardView";
import type { Role } from "./bindings/Role";
import type { Scenario } from "./bindings/Scenario";
import { i18n } from "./i18n.svelte";

class Cards {
  open = $state(false);
  menu = $state<CardMenu | null>(null);
  /** The role chosen for this visit to the menu (starts as the kiosk's remembered role). */
  role = $state<Role | null>(null);
  /** Choosing a role again, even though one is remembered. */
  choosingRole = $state(false);
  view = $state<CardView | null>(null);
  error = $state<UiError | null>(null);

  async show(): Promise<void> {
    this.open = true;
    this.view = null;
    this.error = null;
    this.choosingRole = false;
    try {
      this.menu = await commands.cardMenu();
      this.role = this.menu.role;
    } catch (raw) {
      this.error = toUiError(raw);
    }
  }

  async chooseRole(role: Role): Promise<void> {
    this.role = role;
    this.choosingRole = false;
    try {
      await commands.setCardRole(role);
      this.menu = await commands.cardMenu();
    } catch (raw) {
      this.error = toUiError(raw);
    }
  }

  async openCard(role: Role, scenario: Scenario): Promise<void> {
    this.open = true;
    this.error = null;
    try {
      this.view = await commands.cardFor(role, scenario, i18n.lang);
      this.role = role;
    } catch (raw) {
      this.error = toUiError(raw);
    }
  }

  /** Re-read the card on screen, e.g. after a language switch or an edited card file. */
  async refresh(): Promise<void> {
    if (this.view) await this.openCard(this.view.role, this.view.scenario);
    else if (this.open) this.menu = await commands.cardMenu();
  }

  back(): void {
    this.view = null;
  }

  close(): void {
    this.open = false;
    this.view = null;
    this.choosingRole = false;
  }
}

export const cards = new Cards();
