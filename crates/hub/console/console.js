// Frontdesk's guard console: plain JavaScript, no build step, nothing loaded from elsewhere.
// Text comes from the hub (/console/api/messages, the same catalogues as the kiosk); every
// rule lives on the hub. Visitor data is only ever put on the page as text, never as markup.
"use strict";

const state = {
  lang: localStorage.getItem("fd-console-lang") === "en" ? "en" : "zh-CN",
  messages: {},
  me: null,
  /** alert id → {cursor, alert} */
  alerts: new Map(),
  cursor: 0,
  page: "alerts",
  live: "connecting",
  source: null,
  sound: false,
  card: null,
  report: null,
  reportMonth: new Date().toISOString().slice(0, 7),
  error: "",
  busy: new Set(),
  /** What a guard is typing into resolve forms, kept across redraws: alert id → value. */
  notes: new Map(),
  outcomes: new Map(),
  /** The roll call page: {rollcall, history} as the hub answers, and its filter. */
  rollcall: null,
  rollcallFilter: "open",
};

// Pages of the console: a nav entry, a render function, and what to load on opening it.
const PAGES = {
  alerts: { nav: "console-nav-alerts", render: renderAlerts },
  rollcall: { nav: "console-nav-rollcall", render: renderRollcall, load: loadRollcall },
  report: { nav: "console-nav-report", render: renderReport, load: loadReport },
};

/** How often an open roll call page asks again (other desks and guards mark people too). */
const ROLLCALL_REFRESH_MS = 2000;

function t(id, args = {}) {
  const template = state.messages[id];
  if (template === undefined) return id;
  return template.replace(/\{\$([a-zA-Z0-9_-]+)\}/g, (_, name) => (name in args ? String(args[name]) : ""));
}

/** An element with attributes and children (strings become text, never markup). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs)) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) el.addEventListener(key.slice(2), value);
    else if (key === "class") el.className = value;
    else el.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return el;
}

async function api(method, path, body) {
  const headers = { Accept: "application/json" };
  if (method !== "GET") {
    headers["Content-Type"] = "application/json";
    if (state.me) headers["X-CSRF-Token"] = state.me.csrf;
  }
  const response = await fetch(path, {
    method,
    headers,
    credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (response.status === 204) return null;
  const data = await response.json().catch(() => ({ code: "malformed", message: "" }));
  if (!response.ok) {
    const error = new Error(data.message || data.code);
    error.code = data.code;
    error.status = response.status;
    throw error;
  }
  return data;
}

async function loadMessages() {
  state.messages = await api("GET", `/console/api/messages?lang=${encodeURIComponent(state.lang)}`);
  document.documentElement.lang = state.lang;
  document.title = t("console-title");
}

/** Times in the site's time zone, whatever the phone's. */
function zone() {
  return state.me?.timezone || undefined;
}

function time(iso) {
  return new Date(iso).toLocaleTimeString(state.lang, {
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
    timeZone: zone(),
  });
}

function dateTime(iso) {
  return new Date(iso).toLocaleString(state.lang, {
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hour12: false,
    timeZone: zone(),
  });
}

// --- Alerts and the live feed ---------------------------------------------------------------

/** How many changes of each alert this page was given (shown as `data-updates` on its card,
 * so a test can see that nothing arrived twice). */
const updates = new Map();

/** Keep the newest state of each alert: an update older than what is shown changes nothing. */
function upsert(update) {
  const known = state.alerts.get(update.alert.id);
  if (!known || update.cursor > known.cursor) updates.set(update.alert.id, (updates.get(update.alert.id) ?? 0) + 1);
  if (!known || update.cursor >= known.cursor) state.alerts.set(update.alert.id, update);
  if (update.cursor > state.cursor) state.cursor = update.cursor;
}

async function loadAlerts() {
  const list = await api("GET", "/console/api/alerts");
  state.alerts.clear();
  state.cursor = 0;
  for (const update of list.alerts) upsert(update);
  state.cursor = Math.max(state.cursor, list.cursor);
}

function connect() {
  if (state.source) state.source.close();
  state.live = "connecting";
  // The browser resumes by itself (sending Last-Event-ID); `after` covers a fresh connection.
  const source = new EventSource(`/console/api/live?after=${state.cursor}`);
  state.source = source;
  source.addEventListener("open", () => {
    state.live = "live";
    render();
  });
  source.addEventListener("alert", (event) => {
    upsert(JSON.parse(event.data));
    state.live = "live";
    render();
  });
  source.addEventListener("signed_out", () => {
    source.close();
    signedOut();
  });
  source.addEventListener("error", async () => {
    state.live = "reconnecting";
    render();
    if (source.readyState === EventSource.CLOSED) {
      // Refused (e.g. the session ended) rather than cut: find out which, then try again.
      try {
        await api("GET", "/console/api/me");
        setTimeout(() => state.source === source && connect(), 1000);
      } catch (error) {
        if (error.status === 401) signedOut();
        else setTimeout(() => state.source === source && connect(), 2000);
      }
    }
  });
}

function signedOut() {
  if (state.source) state.source.close();
  state.source = null;
  state.me = null;
  state.alerts.clear();
  state.card = null;
  stopAlarm();
  render();
}

function sorted() {
  const open = [];
  const closed = [];
  for (const { alert } of state.alerts.values()) {
    (alert.state === "raised" || alert.state === "acknowledged" ? open : closed).push(alert);
  }
  // The most serious first, then the one waiting longest.
  const rank = { emergency: 0, warning: 1, notice: 2 };
  open.sort((a, b) => rank[a.level] - rank[b.level] || a.raised_at.localeCompare(b.raised_at));
  closed.sort((a, b) => b.raised_at.localeCompare(a.raised_at));
  return { open, closed };
}

/** Alerts that sound the alarm for this guard: unacknowledged ones (for a duty manager, once
 * they escalated). */
function alarming() {
  return [...state.alerts.values()]
    .map((u) => u.alert)
    .filter((a) => a.state === "raised" && (state.me?.role !== "duty_manager" || a.escalated > 0));
}

// --- The alarm: flashing screen and a repeating tone -----------------------------------------

let audio = null;
let toneTimer = null;

function startAlarm() {
  document.getElementById("flash").hidden = false;
  document.body.dataset.alarm = "on";
  if (!state.sound || toneTimer) return;
  try {
    audio = audio || new AudioContext();
    void audio.resume();
    let high = true;
    const beep = () => {
      const osc = audio.createOscillator();
      const gain = audio.createGain();
      osc.type = "square";
      osc.frequency.value = high ? 988 : 740;
      gain.gain.value = 0.25;
      osc.connect(gain).connect(audio.destination);
      osc.start();
      osc.stop(audio.currentTime + 0.35);
      high = !high;
    };
    beep();
    toneTimer = setInterval(beep, 400);
  } catch {
    // No audio on this device: the flashing screen remains.
  }
}

function stopAlarm() {
  document.getElementById("flash").hidden = true;
  document.body.dataset.alarm = "off";
  clearInterval(toneTimer);
  toneTimer = null;
}

function enableSound() {
  state.sound = true;
  try {
    audio = audio || new AudioContext();
    void audio.resume();
  } catch {
    // ignored: see startAlarm
  }
  render();
}

// --- Actions ----------------------------------------------------------------------------------

async function act(id, run) {
  state.busy.add(id);
  state.error = "";
  render();
  try {
    await run();
  } catch (error) {
    if (error.status === 401) return signedOut();
    state.error = t(`console-error-${error.code || "network"}`);
  } finally {
    state.busy.delete(id);
    render();
  }
}

function acknowledge(alert) {
  return act(alert.id, async () => {
    const view = await api("POST", `/console/api/alerts/${alert.id}/acknowledge`);
    const known = state.alerts.get(view.id);
    state.alerts.set(view.id, { cursor: known ? known.cursor : 0, alert: view });
    if (view.scenario) {
      state.card = await api(
        "GET",
        `/console/api/card?scenario=${encodeURIComponent(view.scenario)}&lang=${encodeURIComponent(state.lang)}`,
      );
    }
  });
}

function resolve(alert, form) {
  const outcome = form.querySelector("[data-testid=alert-outcome]").value;
  const note = form.querySelector("[data-testid=alert-note]").value;
  return act(alert.id, async () => {
    const view = await api("POST", `/console/api/alerts/${alert.id}/resolve`, { outcome, note });
    state.notes.delete(alert.id);
    state.outcomes.delete(alert.id);
    const known = state.alerts.get(view.id);
    state.alerts.set(view.id, { cursor: known ? known.cursor : 0, alert: view });
  });
}

async function login(event) {
  event.preventDefault();
  const form = event.target;
  state.error = "";
  try {
    state.me = await api("POST", "/console/api/login", {
      login: form.login.value.trim(),
      password: form.password.value,
    });
    // The click that signed in lets the page make sound.
    enableSound();
    await start();
  } catch (error) {
    state.error =
      error.code === "login_locked"
        ? t("console-error-login_locked", { minutes: error.message })
        : t(`console-error-${error.code || "network"}`);
    render();
  }
}

async function logout() {
  try {
    await api("POST", "/console/api/logout");
  } finally {
    signedOut();
  }
}

async function switchLang() {
  state.lang = state.lang === "en" ? "zh-CN" : "en";
  localStorage.setItem("fd-console-lang", state.lang);
  await loadMessages();
  if (state.card) {
    state.card = await api("GET", `/console/api/card?scenario=${state.card.scenario}&lang=${encodeURIComponent(state.lang)}`);
  }
  render();
}

async function loadReport() {
  try {
    state.report = await api("GET", `/console/api/report?month=${encodeURIComponent(state.reportMonth)}`);
  } catch (error) {
    if (error.status === 401) return signedOut();
    state.report = null;
    state.error = t(`console-error-${error.code || "network"}`);
  }
  render();
}

async function loadRollcall() {
  try {
    state.rollcall = await api("GET", "/console/api/rollcall");
    if (state.page === "rollcall" && state.error.startsWith(t("console-error-network"))) state.error = "";
  } catch (error) {
    if (error.status === 401) return signedOut();
    state.error = t(`console-error-${error.code || "network"}`);
  }
  render();
}

/** A roll call action; the answer is the roll call as it is now. */
async function rollcallAction(key, run) {
  if (state.busy.has(key)) return;
  state.busy.add(key);
  state.error = "";
  render();
  try {
    state.rollcall = await run();
  } catch (error) {
    if (error.status === 401) return signedOut();
    state.error = t(`console-error-${error.code || "network"}`);
  } finally {
    state.busy.delete(key);
    render();
  }
}

function startEvacuation(drill) {
  if (!window.confirm(t(drill ? "console-rollcall-start-drill-confirm" : "console-rollcall-start-confirm"))) return;
  void rollcallAction("evacuation", () => api("POST", "/console/api/evacuation", { drill }));
}

function markPerson(row, status) {
  void rollcallAction(`mark-${row.visit_id}`, () =>
    api("POST", "/console/api/rollcall/mark", { visit_id: row.visit_id, status }),
  );
}

function endEvacuation(rollcall) {
  if (!window.confirm(t("console-rollcall-end-confirm", { missing: rollcall.counts.missing }))) return;
  void rollcallAction("evacuation", () => api("POST", "/console/api/evacuation/end"));
}

// --- Rendering --------------------------------------------------------------------------------

function renderLogin() {
  return h(
    "section",
    { class: "login card" },
    h("h1", {}, t("console-title")),
    h(
      "form",
      { onsubmit: login, "data-testid": "console-login" },
      h("label", { for: "login" }, t("console-login-name")),
      h("input", { id: "login", name: "login", autocomplete: "username", required: true, "data-testid": "console-login-name" }),
      h("label", { for: "password" }, t("console-login-password")),
      h("input", {
        id: "password",
        name: "password",
        type: "password",
        autocomplete: "current-password",
        required: true,
        "data-testid": "console-login-password",
      }),
      h("p", { class: "error", role: "alert", "data-testid": "console-error" }, state.error),
      h("button", { type: "submit", class: "btn primary", "data-testid": "console-login-submit" }, t("console-login-submit")),
    ),
    h("button", { type: "button", class: "btn link", onclick: switchLang, "data-testid": "console-lang" }, t("lang-switch-to")),
  );
}

function header() {
  return h(
    "header",
    { class: "bar" },
    h("div", { class: "who" }, h("strong", {}, t("console-title")), h("span", {}, `${state.me.name} · ${state.me.site}`)),
    h(
      "div",
      { class: "tools" },
      h("span", { class: "live", "data-testid": "console-status", "data-state": state.live }, t(`console-live-${state.live}`)),
      state.sound
        ? null
        : h("button", { type: "button", class: "btn small", onclick: enableSound, "data-testid": "sound-enable" }, t("console-sound-enable")),
      h("button", { type: "button", class: "btn small", onclick: switchLang, "data-testid": "console-lang" }, t("lang-switch-to")),
      h("button", { type: "button", class: "btn small", onclick: logout, "data-testid": "console-logout" }, t("console-logout")),
    ),
  );
}

function nav() {
  return h(
    "nav",
    { class: "tabs" },
    Object.entries(PAGES).map(([id, page]) =>
      h(
        "button",
        {
          type: "button",
          class: "tab",
          "aria-selected": state.page === id ? "true" : "false",
          "data-testid": `nav-${id}`,
          onclick: () => {
            state.page = id;
            state.error = "";
            render();
            if (page.load) void page.load();
          },
        },
        t(page.nav),
      ),
    ),
  );
}

function visitorRow(v) {
  return h(
    "li",
    { "data-testid": "alert-visitor" },
    h("strong", {}, v.name),
    v.company ? h("span", {}, ` · ${v.company}`) : null,
    h("span", { class: "muted" }, ` · ${t("console-visitor-host", { host: v.host_name, ext: v.host_extension })}`),
    h("span", { class: "muted" }, ` · ${time(v.signed_in_at)}`),
    v.signed_out ? h("span", { class: "tag" }, t("console-visitor-left")) : null,
  );
}

function alertCard(alert) {
  const open = alert.state === "raised" || alert.state === "acknowledged";
  const busy = state.busy.has(alert.id);
  const where =
    alert.kind === "lost_contact" && alert.subject
      ? t("console-lost-contact", { name: alert.subject.name })
      : `${alert.source.device_name} · ${alert.source.desk_name[state.lang] || ""}`;
  const acked = alert.acks.map((a) => a.by.name);
  const mine = alert.acks.some((a) => a.by.kind === "guard" && a.by.id === state.me.login);
  const card = h(
    "article",
    {
      class: `alert card level-${alert.level} state-${alert.state}${alert.drill ? " drill" : ""}`,
      "data-testid": "alert-card",
      "data-alert-id": alert.id,
      "data-state": alert.state,
      "data-kind": alert.kind,
      "data-drill": alert.drill ? "true" : "false",
      "data-updates": updates.get(alert.id) ?? 0,
    },
    h(
      "div",
      { class: "head" },
      h("h2", {}, t(`alert-kind-${alert.kind}`)),
      h("span", { class: `badge level ${alert.level}` }, t(`alert-level-${alert.level}`)),
      alert.drill ? h("span", { class: "badge drill", "data-testid": "alert-drill" }, t("console-drill")) : null,
      h("span", { class: "badge state", "data-testid": "alert-state" }, t(`alert-state-${alert.state}`)),
    ),
    h("p", { class: "where", "data-testid": "alert-where" }, where),
    h(
      "p",
      { class: "muted" },
      t("console-raised-at", { time: dateTime(alert.raised_at) }),
      " · ",
      t(`alert-trigger-${alert.trigger}`),
    ),
    alert.escalated > 0 && open
      ? h("p", { class: "escalated" }, t("console-escalated", { time: time(alert.escalated_at) }))
      : null,
    alert.description
      ? h(
          "p",
          { class: "description" },
          h("strong", {}, t(`alert-what-${alert.description.what}`)),
          " — ",
          t("console-description", {
            appearance: alert.description.appearance,
            place: alert.description.place,
            direction: alert.description.direction || "—",
          }),
        )
      : null,
    alert.kind === "lost_contact"
      ? null
      : h(
          "div",
          { class: "context" },
          h(
            "p",
            { class: "muted" },
            t("console-at-desk", {
              role: alert.context.at_desk.role ? t(`role-${alert.context.at_desk.role}`) : t("console-role-none"),
            }),
            alert.context.at_desk.admin ? ` · ${t("console-admin-signed-in")}` : "",
          ),
          h("h3", {}, t("console-visitors")),
          alert.context.visitors.length === 0
            ? h("p", { class: "muted" }, t("console-no-visitors"))
            : h("ul", { class: "visitors" }, alert.context.visitors.map(visitorRow)),
        ),
    alert.owner
      ? h(
          "p",
          { class: "owner", "data-testid": "alert-owner" },
          t("console-acked-by", { name: alert.owner.by.name, time: time(alert.owner.at) }),
          acked.length > 1 ? ` · ${t("console-also-acked", { names: acked.slice(1).join(", ") })}` : "",
        )
      : null,
    alert.resolution
      ? h(
          "p",
          { class: "resolution", "data-testid": "alert-resolution" },
          `${t(`alert-outcome-${alert.resolution.outcome}`)} · ${alert.resolution.by.name} · ${time(alert.resolution.at)}`,
          alert.resolution.note ? ` — ${alert.resolution.note}` : "",
        )
      : null,
    alert.cancellation
      ? h("p", { class: "resolution" }, `${t("alert-state-cancelled")} · ${t(`alert-cancel-reason-${alert.cancellation.reason}`)}`)
      : null,
  );
  if (open && !mine) {
    card.append(
      h(
        "button",
        { type: "button", class: "btn primary big", disabled: busy, "data-testid": "alert-ack", onclick: () => acknowledge(alert) },
        t("console-ack"),
      ),
    );
  }
  if (alert.state === "acknowledged") {
    const chosen = state.outcomes.get(alert.id) ?? (alert.drill ? "drill" : "real");
    const form = h(
      "form",
      {
        class: "resolve",
        onsubmit: (event) => {
          event.preventDefault();
          void resolve(alert, event.target);
        },
      },
      h("label", {}, t("console-outcome")),
      h(
        "select",
        {
          "data-testid": "alert-outcome",
          "data-alert-id": alert.id,
          name: "outcome",
          onchange: (event) => state.outcomes.set(alert.id, event.target.value),
        },
        ["real", "false_alarm", "drill"].map((o) => h("option", { value: o, selected: o === chosen }, t(`alert-outcome-${o}`))),
      ),
      h("label", {}, t("console-note")),
      h("textarea", {
        "data-testid": "alert-note",
        "data-alert-id": alert.id,
        name: "note",
        maxlength: 500,
        rows: 2,
        oninput: (event) => state.notes.set(alert.id, event.target.value),
      }),
      h("button", { type: "submit", class: "btn big", disabled: busy, "data-testid": "alert-resolve" }, t("console-resolve")),
    );
    form.querySelector("textarea").value = state.notes.get(alert.id) ?? "";
    card.append(form);
  }
  return card;
}

function renderCard() {
  const c = state.card;
  if (!c) return null;
  return h(
    "section",
    { class: "guard-card card", "data-testid": "guard-card", "data-scenario": c.scenario },
    h(
      "div",
      { class: `card-title hazard-${c.hazard}` },
      h("h2", {}, c.title),
      h("span", {}, t(`role-${c.role}`)),
      h(
        "button",
        { type: "button", class: "btn small", onclick: () => ((state.card = null), render()), "data-testid": "guard-card-close" },
        t("console-card-close"),
      ),
    ),
    h("p", { class: "muted" }, `${t("card-when")} ${c.when}`),
    h("h3", {}, t("card-first")),
    h("ol", { class: "first" }, c.first_actions.map((a) => h("li", {}, a))),
    c.more_actions.length ? h("h3", {}, t("card-then")) : null,
    c.more_actions.length ? h("ol", { start: c.first_actions.length + 1 }, c.more_actions.map((a) => h("li", {}, a))) : null,
    c.calls.length ? h("h3", {}, t("card-call")) : null,
    h("ul", { class: "calls" }, c.calls.map((call) => h("li", {}, `${t(`call-${call.key}`)}: `, h("strong", {}, call.number)))),
    c.donts.length ? h("h3", {}, t("card-donts")) : null,
    h("ul", {}, c.donts.map((d) => h("li", {}, d))),
  );
}

function renderAlerts() {
  const { open, closed } = sorted();
  return [
    renderCard(),
    h("h2", { class: "section" }, t("console-open")),
    open.length === 0 ? h("p", { class: "muted empty", "data-testid": "console-none" }, t("console-none")) : null,
    h("div", { class: "alerts", "data-testid": "open-alerts" }, open.map(alertCard)),
    h("h2", { class: "section" }, t("console-recent")),
    h("div", { class: "alerts closed", "data-testid": "closed-alerts" }, closed.map(alertCard)),
  ];
}

function rollcallRow(row, zoneTime) {
  const status = row.status ?? "unmarked";
  const tags = [
    row.escort ? t("console-rollcall-escort", { name: row.escort.name, ext: row.escort.extension }) : null,
    row.waiting_for_escort ? t("console-rollcall-waiting") : null,
    row.added_later ? t("console-rollcall-added-later") : null,
    row.signed_out_at ? t("console-rollcall-left", { time: zoneTime(row.signed_out_at) }) : null,
  ].filter(Boolean);
  return h(
    "li",
    { class: `person status-${status}`, "data-testid": "console-rollcall-row", "data-visit-id": row.visit_id, "data-status": status },
    h(
      "div",
      { class: "who" },
      h("strong", {}, row.name || t("console-rollcall-not-synced")),
      h(
        "span",
        { class: "muted" },
        [row.company, row.host_name ? t("console-visitor-host", { host: row.host_name, ext: row.host_extension ?? "" }) : ""]
          .filter(Boolean)
          .join(" · "),
      ),
      h("span", { class: "state" }, t(`rollcall-status-${status}`)),
      tags.map((tag) => h("span", { class: "tag" }, tag)),
    ),
    h(
      "div",
      { class: "marks" },
      ["accounted", "refuge", "missing"].map((s) =>
        h(
          "button",
          {
            type: "button",
            class: `btn small mark-${s}`,
            "aria-pressed": row.status === s ? "true" : "false",
            disabled: state.busy.has(`mark-${row.visit_id}`),
            "data-testid": "console-rollcall-mark",
            "data-status": s,
            onclick: () => markPerson(row, s),
          },
          t(`rollcall-status-${s}`),
        ),
      ),
    ),
  );
}

function renderRollcall() {
  if (!state.rollcall) return [h("p", { class: "muted" }, t("console-loading"))];
  const { rollcall, history } = state.rollcall;
  const busy = state.busy.has("evacuation");
  const past = h(
    "section",
    { class: "card history" },
    h("h2", {}, t("console-rollcall-history")),
    history.length === 0
      ? h("p", { class: "muted" }, t("console-rollcall-history-none"))
      : h(
          "ul",
          { "data-testid": "console-rollcall-history" },
          history.map((e) =>
            h(
              "li",
              {},
              t("console-rollcall-history-row", {
                when: dateTime(e.started_at),
                kind: t(e.drill ? "console-rollcall-drill" : "console-rollcall-real"),
                minutes: e.duration_seconds === null ? "—" : Math.max(1, Math.round(e.duration_seconds / 60)),
                missing: e.missing_at_end,
              }),
            ),
          ),
        ),
  );
  if (!rollcall) {
    return [
      h(
        "section",
        { class: "card rollcall-idle", "data-testid": "console-rollcall-idle" },
        h("h2", {}, t("console-rollcall-none")),
        h("p", { class: "muted" }, t("console-rollcall-none-hint")),
        h("button", { type: "button", class: "btn big danger", disabled: busy, "data-testid": "console-evacuate", onclick: () => startEvacuation(false) }, t("console-rollcall-start")),
        h("button", { type: "button", class: "btn big", disabled: busy, "data-testid": "console-evacuate-drill", onclick: () => startEvacuation(true) }, t("console-rollcall-start-drill")),
      ),
      past,
    ];
  }
  const c = rollcall.counts;
  const rows = rollcall.rows
    .filter((r) => state.rollcallFilter === "all" || r.status === null || r.status === "missing")
    .sort((a, b) => (a.name || "").localeCompare(b.name || "", state.lang));
  const filter = (id) =>
    h(
      "button",
      {
        type: "button",
        class: "tab",
        "aria-selected": state.rollcallFilter === id ? "true" : "false",
        "data-testid": `console-rollcall-filter-${id}`,
        onclick: () => {
          state.rollcallFilter = id;
          render();
        },
      },
      t(`console-rollcall-filter-${id}`),
    );
  return [
    h(
      "section",
      { class: `card rollcall${rollcall.drill ? " drill" : ""}`, "data-testid": "console-rollcall", "data-drill": rollcall.drill ? "true" : "false" },
      h("h2", {}, t(rollcall.drill ? "console-rollcall-title-drill" : "console-rollcall-title")),
      h("p", { class: "muted" }, t("console-rollcall-since", { time: time(rollcall.started_at) })),
      h(
        "dl",
        { class: "counts", "data-testid": "console-rollcall-counts" },
        h("div", {}, h("dt", {}, t("console-rollcall-total")), h("dd", { "data-testid": "console-rollcall-total" }, String(c.total))),
        h("div", { class: "ok" }, h("dt", {}, t("console-rollcall-accounted")), h("dd", { "data-testid": "console-rollcall-accounted" }, String(c.accounted))),
        h("div", { class: "bad" }, h("dt", {}, t("console-rollcall-missing")), h("dd", { "data-testid": "console-rollcall-missing" }, String(c.missing))),
        h("div", {}, h("dt", {}, t("console-rollcall-refuge")), h("dd", {}, String(c.refuge))),
      ),
      h("nav", { class: "tabs" }, filter("open"), filter("all")),
      rows.length === 0
        ? h("p", { class: "muted empty" }, t("console-rollcall-all-accounted"))
        : h("ul", { class: "people", "data-testid": "console-rollcall-list" }, rows.map((row) => rollcallRow(row, time))),
      h("button", { type: "button", class: "btn big", disabled: busy, "data-testid": "console-evacuate-end", onclick: () => endEvacuation(rollcall) }, t("console-rollcall-end")),
    ),
    past,
  ];
}

function renderReport() {
  const r = state.report;
  const secs = (s) => (s === null || s === undefined ? "—" : t("console-seconds", { s }));
  const form = h(
    "form",
    {
      class: "month",
      onsubmit: (event) => {
        event.preventDefault();
        state.reportMonth = event.target.month.value;
        void loadReport();
      },
    },
    h("label", { for: "month" }, t("console-report-month")),
    h("input", { id: "month", name: "month", type: "month", value: state.reportMonth, "data-testid": "report-month" }),
    h("button", { type: "submit", class: "btn" }, t("console-report-show")),
  );
  if (!r) return [form];
  return [
    form,
    h(
      "section",
      { class: "report card", "data-testid": "report" },
      h("h2", {}, t("console-report-title", { month: r.month })),
      h(
        "dl",
        { class: "totals" },
        h("dt", {}, t("console-report-alerts")),
        h("dd", { "data-testid": "report-alerts" }, String(r.alerts)),
        h("dt", {}, t("console-report-false")),
        h("dd", { "data-testid": "report-false" }, String(r.false_alarms)),
        h("dt", {}, t("console-report-cancelled")),
        h("dd", {}, String(r.cancelled)),
        h("dt", {}, t("console-report-ack")),
        h(
          "dd",
          {},
          t("console-report-ack-stats", {
            median: secs(r.time_to_ack.median_seconds),
            p90: secs(r.time_to_ack.p90_seconds),
            max: secs(r.time_to_ack.max_seconds),
          }),
        ),
        h("dt", {}, t("console-report-unacked")),
        h("dd", {}, String(r.time_to_ack.unacknowledged)),
      ),
      h("h3", {}, t("console-report-by-trigger")),
      h(
        "table",
        {},
        h("tr", {}, h("th", {}, t("console-report-trigger")), h("th", {}, t("console-report-alerts")), h("th", {}, t("console-report-false")), h("th", {}, t("console-report-cancelled"))),
        r.by_trigger.map((row) =>
          h("tr", {}, h("td", {}, t(`alert-trigger-${row.trigger}`)), h("td", {}, String(row.alerts)), h("td", {}, String(row.false_alarms)), h("td", {}, String(row.cancelled))),
        ),
      ),
      h("h3", {}, t("console-report-by-kind")),
      h(
        "table",
        {},
        h("tr", {}, h("th", {}, t("console-report-kind")), h("th", {}, t("console-report-alerts")), h("th", {}, t("alert-outcome-real")), h("th", {}, t("console-report-false"))),
        r.by_kind.map((row) =>
          h("tr", {}, h("td", {}, t(`alert-kind-${row.kind}`)), h("td", {}, String(row.alerts)), h("td", {}, String(row.real)), h("td", {}, String(row.false_alarms))),
        ),
      ),
      h("h3", {}, t("console-report-drills", { count: r.drills.length, median: secs(r.drill_time_to_ack.median_seconds) })),
      h(
        "ul",
        { "data-testid": "report-drills" },
        r.drills.map((d) => h("li", {}, `${dateTime(d.raised_at)} · ${t(`alert-kind-${d.kind}`)} · ${d.desk} · ${secs(d.seconds_to_ack)}`)),
      ),
    ),
  ];
}

function render() {
  const app = document.getElementById("app");
  // Redraws replace the page: keep the focus where the guard was (typing a note, say).
  const focused = document.activeElement;
  const focusKey = focused?.dataset?.testid ? [focused.dataset.testid, focused.dataset.alertId] : null;
  app.replaceChildren();
  queueMicrotask(() => {
    if (!focusKey) return;
    const selector = focusKey[1]
      ? `[data-testid="${focusKey[0]}"][data-alert-id="${focusKey[1]}"]`
      : `[data-testid="${focusKey[0]}"]`;
    document.querySelector(selector)?.focus();
  });
  if (!state.me) {
    stopAlarm();
    app.append(renderLogin());
    return;
  }
  const page = PAGES[state.page];
  const parts = [
    header(),
    nav(),
    state.error ? h("p", { class: "error banner", role: "alert", "data-testid": "console-error" }, state.error) : null,
    ...[page.render()].flat(),
  ];
  app.append(...parts.filter(Boolean));
  if (alarming().length > 0) startAlarm();
  else stopAlarm();
}

async function start() {
  await loadAlerts();
  render();
  connect();
  // While the roll call page is open it follows the other desks' and guards' marks.
  setInterval(() => {
    if (state.me && state.page === "rollcall" && state.busy.size === 0) void loadRollcall();
  }, ROLLCALL_REFRESH_MS);
}

async function boot() {
  try {
    await loadMessages();
  } catch {
    // The hub is away: show the page in the language's ids; the retry below brings text.
    setTimeout(boot, 2000);
    return;
  }
  try {
    state.me = await api("GET", "/console/api/me");
    await start();
  } catch {
    state.me = null;
    render();
  }
}

document.addEventListener("DOMContentLoaded", boot);
