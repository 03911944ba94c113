// Small UI toolkit: DOM building (text only, never HTML strings), labels in two
// languages, forms that show problems next to their fields, paged tables, dialogs.

import { Problem, newKey } from "./api.js";

// ---- Language ----------------------------------------------------------------

const LANG_KEY = "aftersales.lang";
let lang = localStorage.getItem(LANG_KEY) || (navigator.language.toLowerCase().startsWith("zh") ? "zh" : "en");
document.documentElement.lang = lang === "zh" ? "zh-CN" : "en";

/** The label in the current language. */
export const t = (en, zh) => (lang === "zh" ? zh : en);
export const getLang = () => lang;
export function setLang(l) {
  lang = l;
  localStorage.setItem(LANG_KEY, l);
  document.documentElement.lang = l === "zh" ? "zh-CN" : "en";
}

/** The label of an enum value from a {value: [en, zh]} map; unknown values show as they are. */
export const label = (map, v) => (map[v] ? t(...map[v]) : v || "");

// ---- DOM -------------------------------------------------------------------------

/**
 * h("a", {href: "#/x", class: "link", onclick: fn}, "text", child...) builds an element.
 * Children are nodes or strings (always inserted as text); null and false are skipped.
 */
export function h(tag, props, ...children) {
  const el = document.createElement(tag);
  add(el, children);
  for (const [k, v] of Object.entries(props || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k === "class") el.className = v;
    else if (k === "value") el.value = v;
    else if (k === "checked" || k === "disabled" || k === "hidden" || k === "required" || k === "readOnly") el[k] = v;
    else if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else el.setAttribute(k, v === true ? "" : String(v));
  }
  return el;
}

/** Replaces an element's children (nodes or text; null and false are skipped). */
export function setChildren(el, ...children) {
  el.replaceChildren();
  add(el, children);
}

function add(el, children) {
  for (const c of children.flat(Infinity)) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : String(c));
  }
}

const dateLocale = () => (lang === "zh" ? "zh-CN" : "en-GB");
export const fmtDateTime = (s) =>
  s ? new Date(s).toLocaleString(dateLocale(), { dateStyle: "medium", timeStyle: "short" }) : "";
export const fmtDate = (s) => (s ? new Date(s).toLocaleDateString(dateLocale(), { dateStyle: "medium" }) : "");
// Ids are UUIDv7: their first digits are a timestamp, so the tail tells records apart.
export const shortID = (id) => (id ? `…${String(id).slice(-8)}` : "");

export const badge = (text, kind = "") => h("span", { class: `badge ${kind}`.trim() }, text);

// ---- Page pieces -------------------------------------------------------------

/** A page title with an optional subtitle and actions on the right. */
export function pageHeader(title, subtitle, ...actions) {
  return h(
    "div",
    { class: "page-header" },
    h("div", null, h("h1", null, title), subtitle ? h("p", { class: "subtitle" }, subtitle) : null),
    h("div", { class: "actions" }, actions),
  );
}

export const linkButton = (href, text, kind = "primary") => h("a", { class: `btn ${kind}`, href }, text);

export const card = (...children) => h("section", { class: "card" }, children);

export function emptyState(title, text) {
  return h("div", { class: "empty" }, h("strong", null, title), text ? h("p", null, text) : null);
}

/** A problem shown as an alert: its title and detail, and field errors that have no field. */
export function problemBox(p, extra) {
  const box = h("div", { class: "alert error", role: "alert" });
  fillProblem(box, p, [], extra);
  return box;
}

function fillProblem(box, p, unmatched, extra) {
  const title = p instanceof Problem ? problemTitle(p) : t("Something went wrong", "出现错误");
  const detail = p instanceof Problem ? p.detail : String(p && p.message ? p.message : p);
  setChildren(box,
    h("strong", null, title),
    detail && detail !== title ? h("p", null, detail) : null,
    unmatched.length ? h("ul", null, unmatched.map((e) => h("li", null, `${e.location || ""}: ${e.message}`))) : null,
    extra || null,
  );
  box.hidden = false;
}

function problemTitle(p) {
  switch (p.status) {
    case 0:
      return t("Network error", "网络错误");
    case 401:
      return t("Sign-in failed", "登录失败");
    case 403:
      return t("Not allowed", "无权操作");
    case 404:
      return t("Not found", "未找到");
    case 409:
      return t("Conflict", "冲突");
    case 412:
      return t("Changed by someone else", "已被他人修改");
    case 422:
      return t("Please check the highlighted fields", "请检查标出的字段");
    case 428:
      return t("Version missing", "缺少版本号");
    case 429:
      return t("Too many requests", "请求过于频繁");
    default:
      return p.title || t("Request failed", "请求失败");
  }
}

// ---- Toasts and dialogs --------------------------------------------------------

export function toast(text, kind = "ok") {
  let host = document.getElementById("toasts");
  if (!host) {
    host = h("div", { id: "toasts", class: "toasts", role: "status", "aria-live": "polite" });
    document.body.append(host);
  }
  const el = h("div", { class: `toast ${kind}` }, text);
  host.append(el);
  while (host.children.length > 3) host.firstChild.remove();
  setTimeout(() => el.remove(), 4000);
}

/** Asks for confirmation in a modal dialog; resolves to true when confirmed. */
export function confirmDialog(title, text, okText, danger = true) {
  return new Promise((resolve) => {
    const ok = h("button", { class: `btn ${danger ? "danger" : "primary"}`, value: "ok" }, okText);
    const cancel = h("button", { class: "btn", value: "cancel" }, t("Cancel", "取消"));
    const dlg = h(
      "dialog",
      { class: "dialog" },
      h("form", { method: "dialog" }, h("h2", null, title), h("p", null, text), h("div", { class: "dialog-actions" }, cancel, ok)),
    );
    dlg.addEventListener("close", () => {
      resolve(dlg.returnValue === "ok");
      dlg.remove();
    });
    document.body.append(dlg);
    dlg.showModal();
    cancel.focus();
  });
}

/** Copies text to the clipboard (falls back to selecting it where the Clipboard API is unavailable). */
async function copyText(text, input) {
  try {
    await navigator.clipboard.writeText(text);
  } catch {
    input.focus();
    input.select();
    document.execCommand("copy");
  }
  toast(t("Copied to the clipboard", "已复制到剪贴板"));
}

/** A read-only value with a Copy button, for one-time secrets and links. */
export function copyBox(value, name) {
  const input = h("input", { class: "mono", readOnly: true, value, name, "aria-label": name, onfocus: (e) => e.target.select() });
  const btn = h("button", { type: "button", class: "btn", onclick: () => copyText(value, input) }, t("Copy", "复制"));
  return h("div", { class: "copy-box" }, input, btn);
}

// ---- Forms ---------------------------------------------------------------------

let ids = 0;
const newID = (name) => `f-${name.replace(/[^\w-]/g, "-")}-${++ids}`;

export const input = (name, props = {}) => h("input", { name, id: newID(name), type: "text", ...props });

/** A select of [value, label] pairs; blank adds an empty first option with that label. */
export function select(name, options, props = {}, blank) {
  const opts = options.map(([v, l]) => h("option", { value: v }, l));
  if (blank !== undefined) opts.unshift(h("option", { value: "" }, blank));
  return h("select", { name, id: newID(name), ...props }, opts);
}

/** A labelled field whose error line shows the API's message for this input. */
export function field(text, control, hint, wide) {
  return h(
    "div",
    { class: wide ? "field wide" : "field" },
    h("label", { for: control.id }, text),
    control,
    hint ? h("span", { class: "hint" }, hint) : null,
    h("span", { class: "field-error", hidden: true }),
  );
}

/** A form with an alert area on top, a grid of fields and a row of buttons. */
export function form(fields, buttons, props = {}) {
  return h(
    "form",
    { class: "form", novalidate: true, ...props },
    h("div", { class: "alert error", role: "alert", hidden: true, "data-alert": "" }),
    h("div", { class: "grid" }, fields),
    h("div", { class: "form-actions" }, buttons),
  );
}

export const submitButton = (text) => h("button", { type: "submit", class: "btn primary" }, text);

function clearErrors(f) {
  const alert = f.querySelector("[data-alert]");
  if (alert) alert.hidden = true;
  for (const el of f.querySelectorAll(".field-error")) {
    el.hidden = true;
    el.textContent = "";
  }
  for (const el of f.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
}

/**
 * Shows a problem on a form: each field error (location "body.name" or "body.admin.email")
 * next to the input of that name, the rest with the title and detail on top.
 */
export function showProblem(f, p, extra) {
  clearErrors(f);
  const unmatched = [];
  for (const e of p instanceof Problem ? p.errors : []) {
    // "body.weekly_hours.mon[0].end" belongs to the input named "weekly_hours.mon".
    const name = String(e.location || "").replace(/^body\./, "");
    const ctl = name && (f.elements.namedItem(name) || f.elements.namedItem(name.replace(/\[\d+\].*$/, "")));
    const err = ctl && ctl.closest && ctl.closest(".field")?.querySelector(".field-error");
    if (err) {
      err.textContent = e.message;
      err.hidden = false;
      ctl.setAttribute("aria-invalid", "true");
    } else {
      unmatched.push(e);
    }
  }
  const alert = f.querySelector("[data-alert]");
  fillProblem(alert, p, unmatched, extra);
  alert.scrollIntoView({ block: "nearest" });
  f.querySelector("[aria-invalid]")?.focus();
}

/**
 * Runs a submission: disables the submit button while it runs, and shows a problem on the
 * form. With idem, fn receives an Idempotency-Key that stays the same while the request
 * failed without an answer (a retry is then safe) and is renewed after any answer.
 * Resolves to fn's result, or undefined when it failed.
 */
export async function submitting(f, fn, { idem = false, onProblem } = {}) {
  const btns = f.querySelectorAll("button[type=submit]");
  btns.forEach((b) => (b.disabled = true));
  clearErrors(f);
  if (idem && !f.dataset.idem) f.dataset.idem = newKey();
  try {
    const out = await fn(f.dataset.idem);
    delete f.dataset.idem;
    return out;
  } catch (p) {
    if (!(p instanceof Problem) || p.status !== 0) delete f.dataset.idem;
    if (!p?.handled) showProblem(f, p, onProblem ? onProblem(p) : null);
    return undefined;
  } finally {
    btns.forEach((b) => (b.disabled = false));
  }
}

/** The trimmed string value of a named control. */
export const val = (f, name) => String(f.elements.namedItem(name)?.value ?? "").trim();

/** A number from a named control, or undefined when it is empty. */
export function num(f, name) {
  const v = val(f, name);
  return v === "" ? undefined : Number(v);
}

// ---- Tables --------------------------------------------------------------------

/**
 * A paged table. columns: [{title, cell: item => node|string, class}]. load(cursor)
 * resolves to {items, next_cursor}. Returns {el, reload}.
 */
export function dataTable(columns, load, emptyText) {
  const tbody = h("tbody");
  const status = h("div", { class: "table-status" });
  const more = h("button", { type: "button", class: "btn", hidden: true }, t("Load more", "加载更多"));
  let cursor = "";
  let gen = 0;

  async function page(reset) {
    const mine = reset ? ++gen : gen;
    if (reset) {
      cursor = "";
      setChildren(tbody);
    }
    more.disabled = true;
    setChildren(status, h("span", { class: "muted" }, t("Loading…", "加载中…")));
    try {
      const res = await load(cursor);
      if (mine !== gen) return;
      for (const item of res.items || []) {
        tbody.append(h("tr", null, columns.map((c) => h("td", { class: c.class || null }, c.cell(item)))));
      }
      cursor = res.next_cursor || "";
      more.hidden = !cursor;
      setChildren(status, tbody.children.length ? null : emptyState(emptyText));
    } catch (p) {
      if (mine === gen) setChildren(status, problemBox(p));
    } finally {
      more.disabled = false;
    }
  }
  more.addEventListener("click", () => page(false));

  const el = h(
    "div",
    { class: "table-wrap" },
    h("table", { class: "table" }, h("thead", null, h("tr", null, columns.map((c) => h("th", { class: c.class || null }, c.title)))), tbody),
    status,
    h("div", { class: "table-more" }, more),
  );
  page(true);
  return { el, reload: () => page(true) };
}

/** Tabs as links: [[href, text]]; the one whose href equals current is marked. */
export function tabs(items, current) {
  return h(
    "nav",
    { class: "tabs" },
    items.map(([href, text]) => h("a", { href, class: href === current ? "tab active" : "tab", "aria-current": href === current ? "page" : null }, text)),
  );
}
