// The staff console: sign-in, tenant choice, and one page per section, shown only
// to those whose permissions allow it. Hash routes (#/outlets, #/outlets/{id}, ...).

import * as api from "./api.js";
import { seg } from "./api.js";
import {
  t, label, getLang, setLang, h, fmtDateTime, fmtDate, shortID, badge, pageHeader, linkButton, card, emptyState,
  problemBox, toast, confirmDialog, copyBox, input, select, field, form, submitButton, showProblem, submitting,
  val, num, dataTable, tabs, setChildren,
} from "./ui.js";

// ---- Vocabulary ----------------------------------------------------------------

const ROLES = {
  tenant_admin: ["Tenant admin", "租户管理员"], agent: ["Agent", "客服坐席"], outlet_manager: ["Outlet manager", "网点经理"],
  engineer: ["Engineer", "工程师"], finance: ["Finance", "财务"], auditor: ["Auditor", "审计员"],
  platform_admin: ["Platform admin", "平台管理员"],
};
const TENANT_ROLES = ["tenant_admin", "agent", "outlet_manager", "engineer", "finance", "auditor"];
const OUTLET_ROLES = ["outlet_manager", "engineer"];
const OUTLET_KINDS = {
  service_center: ["Service centre", "服务中心"], authorized_outlet: ["Authorized outlet", "授权网点"],
  carrier_store: ["Carrier store", "营业厅"], warehouse: ["Warehouse", "仓库"],
};
const STATUS = {
  active: ["Active", "正常"], suspended: ["Suspended", "暂停"], closed: ["Closed", "已关闭"], disabled: ["Disabled", "已停用"],
  read_only: ["Read-only", "只读"], pending: ["Pending", "待接受"], accepted: ["Accepted", "已接受"],
  revoked: ["Revoked", "已撤销"], expired: ["Expired", "已过期"],
};
const STATUS_STYLE = { active: "ok", accepted: "ok", pending: "info", suspended: "warn", read_only: "warn" };
const TENANT_KINDS = {
  brand: ["Brand", "品牌商"], distributor: ["Distributor", "经销商"], carrier: ["Carrier", "运营商"],
  service_provider: ["Service provider", "服务商"],
};
const DAY_KINDS = { holiday: ["Holiday", "节假日"], workday: ["Make-up workday", "调休上班"] };
const WEEKDAYS = [
  ["mon", "Monday", "周一"], ["tue", "Tuesday", "周二"], ["wed", "Wednesday", "周三"], ["thu", "Thursday", "周四"],
  ["fri", "Friday", "周五"], ["sat", "Saturday", "周六"], ["sun", "Sunday", "周日"],
];
const PERMISSIONS = [
  "outlets:read", "outlets:write", "calendars:read", "calendars:write", "members:read", "members:write",
  "api_keys:manage", "audit:read", "customers:read", "customers:write", "contacts:unmasked", "tenant:settings",
];
// Province-level divisions (GB/T 2260).
const PROVINCES = {
  110000: ["Beijing", "北京"], 120000: ["Tianjin", "天津"], 130000: ["Hebei", "河北"], 140000: ["Shanxi", "山西"],
  150000: ["Inner Mongolia", "内蒙古"], 210000: ["Liaoning", "辽宁"], 220000: ["Jilin", "吉林"],
  230000: ["Heilongjiang", "黑龙江"], 310000: ["Shanghai", "上海"], 320000: ["Jiangsu", "江苏"],
  330000: ["Zhejiang", "浙江"], 340000: ["Anhui", "安徽"], 350000: ["Fujian", "福建"], 360000: ["Jiangxi", "江西"],
  370000: ["Shandong", "山东"], 410000: ["Henan", "河南"], 420000: ["Hubei", "湖北"], 430000: ["Hunan", "湖南"],
  440000: ["Guangdong", "广东"], 450000: ["Guangxi", "广西"], 460000: ["Hainan", "海南"], 500000: ["Chongqing", "重庆"],
  510000: ["Sichuan", "四川"], 520000: ["Guizhou", "贵州"], 530000: ["Yunnan", "云南"], 540000: ["Tibet", "西藏"],
  610000: ["Shaanxi", "陕西"], 620000: ["Gansu", "甘肃"], 630000: ["Qinghai", "青海"], 640000: ["Ningxia", "宁夏"],
  650000: ["Xinjiang", "新疆"], 710000: ["Taiwan", "台湾"], 810000: ["Hong Kong", "香港"], 820000: ["Macao", "澳门"],
};
const AUDIT_ENTITIES = ["outlet", "calendar", "membership", "invitation", "api_key", "customer", "tenant", "user"];

const options = (map, keys = Object.keys(map)) => keys.map((k) => [k, label(map, k)]);
const statusBadge = (s) => badge(label(STATUS, s), STATUS_STYLE[s] || "");
const province = (code) => (code ? label(PROVINCES, code) : "");

// ---- Session -------------------------------------------------------------------

const state = {
  me: null, // GET /v1/me in the chosen tenant (or without one: platform administration)
  tenant: null, // GET /v1/tenant
  outlets: null, // Promise<Map id -> outlet>, per tenant
};

const can = (perm) => Boolean(state.me && state.me.permissions.includes(perm));
const inTenant = () => Boolean(state.me && state.me.tenant_id);
const switchable = () => Boolean(state.me && (state.me.memberships.length > 1 || state.me.platform_admin));

/** Replaces the whole page (dropping the boot placeholder's look). */
function mount(node) {
  const app = document.getElementById("app");
  app.removeAttribute("class");
  setChildren(app, node);
}

const screen = (...children) => mount(h("div", { class: "auth-screen" }, children));

function authCard(title, subtitle, ...body) {
  return h(
    "div",
    { class: "auth-card" },
    h("div", { class: "auth-brand" }, h("img", { src: iconURL(), alt: "" }), h("span", null, "Aftersales"), h("small", null, "售后服务平台")),
    h("h1", null, title),
    subtitle ? h("p", { class: "subtitle" }, subtitle) : null,
    body,
    h("div", { class: "auth-foot" }, langSwitch()),
  );
}

const iconURL = () => document.querySelector("link[rel=icon]")?.getAttribute("href") || "/console/icon.svg";

function showLogin(message) {
  state.me = null;
  const f = form(
    [
      field(t("Email", "邮箱"), input("email", { type: "email", autocomplete: "username", autofocus: true }), null, true),
      field(t("Password", "密码"), input("password", { type: "password", autocomplete: "current-password" }), null, true),
    ],
    [submitButton(t("Sign in", "登录"))],
  );
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const ok = await submitting(f, () =>
      api.post("/v1/auth/login", { email: val(f, "email"), password: f.elements.namedItem("password").value }, { public: true, noTenant: true }),
    );
    if (ok) render();
  });
  screen(
    authCard(
      t("Sign in to the staff console", "登录员工控制台"),
      t("Outlets, people, calendars and customers of your service network.", "管理服务网络的网点、人员、日历与客户。"),
      message ? h("div", { class: "alert info" }, message) : null,
      f,
    ),
  );
  f.elements.namedItem("email").focus();
}

/** The tenant picker: for people with several memberships, and for platform administrators. */
function showPicker(me, problem) {
  const choose = (id) => {
    api.tenant.set(id);
    state.me = null;
    navigate("#/");
  };
  const items = me.memberships.map((m) =>
    h(
      "button",
      { type: "button", class: "tenant-choice", onclick: () => choose(m.tenant_id) },
      h("span", { class: "tenant-name" }, m.tenant_name),
      h("span", { class: "tenant-meta" }, `${m.tenant_slug} · ${label(TENANT_KINDS, m.tenant_kind)}`),
      badge(label(ROLES, m.role)),
    ),
  );
  if (me.platform_admin) {
    items.push(
      h(
        "button",
        {
          type: "button",
          class: "tenant-choice platform",
          onclick: () => {
            api.tenant.set("");
            state.me = me;
            navigate("#/tenants");
          },
        },
        h("span", { class: "tenant-name" }, t("Platform administration", "平台管理")),
        h("span", { class: "tenant-meta" }, t("All tenants: onboard and open any tenant", "所有租户：开通或进入任一租户")),
        badge(label(ROLES, "platform_admin"), "info"),
      ),
    );
  }
  screen(
    authCard(
      t("Choose a tenant", "选择租户"),
      t(`Signed in as ${me.label}. You belong to several tenants; choose the one to work in.`, `已登录：${me.label}。您属于多个租户，请选择要进入的租户。`),
      problem ? problemBox(problem) : null,
      h("div", { class: "tenant-list" }, items),
      h("button", { type: "button", class: "btn link", onclick: logout }, t("Sign out", "退出登录")),
    ),
  );
}

/** Loads who is signed in and in which tenant; shows sign-in or the picker when needed. */
async function loadSession() {
  let me;
  try {
    me = (await api.get("/v1/me", { noTenant: true, public: true })).data;
  } catch (p) {
    if (p.status === 401) showLogin();
    else screen(authCard(t("The console could not start", "控制台无法启动"), null, problemBox(p)));
    return false;
  }
  if (me.kind !== "user") {
    showLogin(t("Sign in with a staff account.", "请使用员工账号登录。"));
    return false;
  }
  let id = api.tenant.get();
  if (id && !me.platform_admin && !me.memberships.some((m) => m.tenant_id === id)) id = "";
  if (!id && me.memberships.length === 1) id = me.memberships[0].tenant_id;
  if (!id) {
    if (me.memberships.length > 1) {
      showPicker(me);
      return false;
    }
    if (me.platform_admin) {
      state.me = me; // platform administration, no tenant
      state.tenant = null;
      return true;
    }
    screen(authCard(t("No tenant", "没有租户"), t("Your account has no active membership. Ask your administrator for an invitation.", "您的账号没有有效的租户成员身份，请联系管理员邀请。"),
      h("button", { type: "button", class: "btn", onclick: logout }, t("Sign out", "退出登录"))));
    return false;
  }
  api.tenant.set(id);
  try {
    const [who, tn] = await Promise.all([api.get("/v1/me"), api.get("/v1/tenant")]);
    state.me = who.data;
    state.tenant = tn.data;
    state.outlets = null;
    return true;
  } catch (p) {
    if (p.status === 401) return false; // onUnauthorized showed the sign-in
    api.tenant.set("");
    showPicker(me, p);
    return false;
  }
}

async function logout() {
  try {
    await api.post("/v1/auth/logout", undefined, { noTenant: true, public: true });
  } catch {
    // The session may be gone already; sign-in is shown either way.
  }
  api.tenant.set("");
  state.me = null;
  state.tenant = null;
  history.replaceState(null, "", "#/");
  showLogin(t("You have signed out.", "您已退出登录。"));
}

/** Outlets of the tenant by id, for showing names (loaded once per tenant). */
function outletMap() {
  if (!can("outlets:read")) return Promise.resolve(new Map());
  if (!state.outlets) {
    state.outlets = api
      .get("/v1/outlets", { query: { limit: 200 } })
      .then((r) => new Map(r.data.items.map((o) => [o.id, o])))
      .catch(() => new Map());
  }
  return state.outlets;
}
const forgetOutlets = () => (state.outlets = null);

// ---- Shell ---------------------------------------------------------------------

const SECTIONS = [
  [["Network", "服务网络"], [
    ["outlets", ["Outlets", "网点"], "outlets:read"],
    ["calendars", ["Business calendars", "营业日历"], "calendars:read"],
  ]],
  [["People", "人员"], [
    ["people", ["Members", "成员"], "members:read"],
    ["api-keys", ["API keys", "API 密钥"], "api_keys:manage"],
  ]],
  [["Service", "服务"], [
    ["orders", ["Service orders", "服务工单"], "orders:read"],
    ["customers", ["Customers", "客户"], "customers:read"],
  ]],
  [["Administration", "管理"], [
    ["audit", ["Audit log", "审计日志"], "audit:read"],
    ["settings", ["Tenant settings", "租户设置"], "tenant:settings"],
  ]],
  [["Platform", "平台"], [["tenants", ["Tenants", "租户"], "platform"]]],
];

function allowed(need) {
  if (need === "platform") return Boolean(state.me?.platform_admin);
  return inTenant() && can(need);
}

function langSwitch() {
  const other = getLang() === "zh" ? ["en", "English"] : ["zh", "中文"];
  return h("button", { type: "button", class: "btn ghost small", onclick: () => { setLang(other[0]); render(); } }, other[1]);
}

function shell(section, view) {
  const nav = SECTIONS.map(([group, items]) => {
    const mine = items.filter(([, , need]) => allowed(need));
    if (!mine.length) return null;
    return h(
      "div",
      { class: "nav-group" },
      h("div", { class: "nav-title" }, t(...group)),
      mine.map(([path, name]) =>
        h("a", { href: `#/${path}`, class: path === section ? "nav-item active" : "nav-item", "aria-current": path === section ? "page" : null }, t(...name)),
      ),
    );
  });
  const me = state.me;
  const where = inTenant()
    ? h("div", { class: "tenant-current" }, h("span", { class: "tenant-label" }, t("Tenant", "租户")), h("strong", null, state.tenant?.name || ""))
    : h("div", { class: "tenant-current" }, h("span", { class: "tenant-label" }, t("Mode", "模式")), h("strong", null, t("Platform administration", "平台管理")));
  const role = me.role ? label(ROLES, me.role) : me.platform_admin ? label(ROLES, "platform_admin") : "";
  const top = h(
    "header",
    { class: "topbar" },
    where,
    switchable() ? h("button", { type: "button", class: "btn ghost small", onclick: () => showPicker(me) }, t("Switch tenant", "切换租户")) : null,
    h("div", { class: "spacer" }),
    langSwitch(),
    h("div", { class: "user" }, h("span", { class: "user-name" }, me.label), role ? badge(role) : null),
    h("button", { type: "button", class: "btn small", onclick: logout }, t("Sign out", "退出")),
  );
  const side = h(
    "aside",
    { class: "sidebar" },
    h("a", { class: "brand", href: "#/" }, h("img", { src: iconURL(), alt: "" }), h("span", null, h("strong", null, "Aftersales"), h("small", null, t("Staff console", "员工控制台")))),
    h("nav", { class: "nav", "aria-label": t("Sections", "栏目") }, nav),
    h("div", { class: "sidebar-foot" }, h("a", { href: "/docs" }, t("API reference", "API 文档"))),
  );
  mount(h("div", { class: "layout" }, side, h("div", { class: "main" }, top, h("main", { class: "content" }, view))));
}

// ---- Routing -------------------------------------------------------------------

const UUID = "([0-9a-fA-F-]{36})";
const ROUTES = [
  [/^outlets$/, "outlets", outletsPage],
  [/^outlets\/new$/, "outlets", outletNewPage],
  [new RegExp(`^outlets/${UUID}$`), "outlets", outletPage],
  [/^calendars$/, "calendars", calendarsPage],
  [new RegExp(`^calendars/${UUID}$`), "calendars", calendarPage],
  [/^people$/, "people", membersPage],
  [/^people\/invite$/, "people", invitePage],
  [/^people\/invitations$/, "people", invitationsPage],
  [new RegExp(`^people/${UUID}$`), "people", memberPage],
  [/^api-keys$/, "api-keys", apiKeysPage],
  [/^api-keys\/new$/, "api-keys", apiKeyNewPage],
  [/^orders$/, "orders", ordersPage],
  [/^orders\/new$/, "orders", orderNewPage],
  [new RegExp(`^orders/${UUID}$`), "orders", orderPage],
  [/^customers$/, "customers", customersPage],
  [/^customers\/new$/, "customers", customerNewPage],
  [/^audit$/, "audit", auditPage],
  [/^settings$/, "settings", settingsPage],
  [/^tenants$/, "tenants", tenantsPage],
  [/^tenants\/new$/, "tenants", tenantNewPage],
];

const needOf = (section) => SECTIONS.flatMap(([, items]) => items).find(([p]) => p === section)?.[2];

function home() {
  for (const [, items] of SECTIONS) for (const [path, , need] of items) if (allowed(need)) return path;
  return "";
}

let renderGen = 0;

async function render() {
  const gen = ++renderGen;
  let path = location.hash.replace(/^#\/?/, "").replace(/\/+$/, "");
  try {
    path = decodeURIComponent(path);
  } catch {
    // A malformed escape: match the path as it is.
  }
  if (path === "accept" || path.startsWith("accept/")) {
    acceptPage(path.slice("accept/".length));
    return;
  }
  if (!state.me && !(await loadSession())) return;
  if (gen !== renderGen) return;
  if (path === "") {
    const to = home();
    if (to) location.replace(`#/${to}`);
    else shell("", emptyState(t("Nothing to show", "暂无可用栏目"), t("Your role has no sections in this console.", "您的角色在控制台中没有可用栏目。")));
    return;
  }
  for (const [re, section, page] of ROUTES) {
    const m = re.exec(path);
    if (!m) continue;
    const view = h("div", { class: "view" });
    shell(section, view);
    if (!allowed(needOf(section))) {
      view.append(emptyState(t("No access", "无权访问"), t("Your role does not allow this section.", "您的角色无权访问此栏目。")));
      return;
    }
    try {
      const content = await page(...m.slice(1));
      if (gen === renderGen) setChildren(view, content);
    } catch (p) {
      if (gen === renderGen && !p?.handled) setChildren(view, problemBox(p));
    }
    document.title = `${document.querySelector(".nav-item.active")?.textContent || "Console"} · Aftersales`;
    return;
  }
  shell("", emptyState(t("Page not found", "页面不存在"), t("Check the address, or choose a section on the left.", "请检查地址，或从左侧选择栏目。")));
}

/** Shows the page at hash (a new history entry), rendering it once. */
function navigate(hash) {
  history.pushState(null, "", hash);
  render();
}
const go = navigate;

// ---- Shared form parts ---------------------------------------------------------

/** Role and outlet selects; the outlet shows only for outlet roles. */
async function roleFields(role = "", outletID = "", roles = TENANT_ROLES) {
  const outlets = await outletMap();
  const roleSel = select("role", roles.map((r) => [r, label(ROLES, r)]), { value: role || roles[0] });
  const outletSel = select(
    "outlet_id",
    [...outlets.values()].map((o) => [o.id, `${o.name} (${o.code})`]),
    { value: outletID || "" },
    t("— choose an outlet —", "— 选择网点 —"),
  );
  const outletField = field(t("Outlet", "网点"), outletSel, t("Required for outlet managers and engineers.", "网点经理和工程师必须指定网点。"));
  const sync = () => (outletField.hidden = !OUTLET_ROLES.includes(roleSel.value));
  roleSel.addEventListener("change", sync);
  sync();
  return [field(t("Role", "角色"), roleSel), outletField];
}

function roleBody(f) {
  const body = { role: val(f, "role") };
  if (OUTLET_ROLES.includes(body.role) && val(f, "outlet_id")) body.outlet_id = val(f, "outlet_id");
  return body;
}

function timezoneInput(name, value) {
  const zones = typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : ["Asia/Shanghai", "UTC"];
  const list = h("datalist", { id: `zones-${name}` }, zones.map((z) => h("option", { value: z })));
  return [input(name, { value, list: list.id, autocomplete: "off" }), list];
}

function readOnlyForm(f) {
  for (const el of f.elements) el.disabled = true;
  for (const el of f.querySelectorAll(".hint, .form-actions")) el.remove();
}

/** On a 412, offers to load the latest version. */
const reloadOnStale = (p) =>
  p.status === 412 ? h("button", { type: "button", class: "btn small", onclick: () => render() }, t("Load the latest version", "加载最新版本")) : null;

const meta = (...pairs) =>
  h("dl", { class: "meta" }, pairs.filter(([, v]) => v !== undefined && v !== null && v !== "").map(([k, v]) => [h("dt", null, k), h("dd", null, v)]));

// ---- Outlets -------------------------------------------------------------------

async function outletsPage() {
  const status = select("status", options(STATUS, ["active", "suspended", "closed"]), {}, t("All statuses", "全部状态"));
  const kind = select("kind", options(OUTLET_KINDS), {}, t("All kinds", "全部类型"));
  const prov = select("province_code", options(PROVINCES), {}, t("All provinces", "全部省份"));
  const table = dataTable(
    [
      { title: t("Code", "编码"), cell: (o) => h("a", { href: `#/outlets/${o.id}`, class: "mono strong" }, o.code) },
      { title: t("Name", "名称"), cell: (o) => [h("div", null, o.name), o.address ? h("div", { class: "muted small" }, o.address) : null] },
      { title: t("Kind", "类型"), cell: (o) => label(OUTLET_KINDS, o.kind) },
      { title: t("Province", "省份"), cell: (o) => province(o.province_code) },
      { title: t("Phone", "电话"), cell: (o) => o.phone, class: "nowrap" },
      { title: t("Status", "状态"), cell: (o) => statusBadge(o.status) },
      { title: t("Updated", "更新时间"), cell: (o) => fmtDateTime(o.updated_at), class: "nowrap muted" },
    ],
    async (cursor) =>
      (await api.get("/v1/outlets", { query: { cursor, limit: 50, status: status.value, kind: kind.value, province_code: prov.value } })).data,
    t("No outlets match.", "没有符合条件的网点。"),
  );
  for (const s of [status, kind, prov]) s.addEventListener("change", table.reload);
  const canCreate = can("outlets:write") && !state.me.outlet_id;
  return [
    pageHeader(t("Outlets", "网点"), t("Service centres, authorized outlets, stores and warehouses of the network.", "服务网络中的服务中心、授权网点、营业厅和仓库。"),
      canCreate ? linkButton("#/outlets/new", t("New outlet", "新建网点")) : null),
    card(h("div", { class: "filters" }, status, kind, prov), table.el),
  ];
}

function outletForm(o = {}) {
  const coord = { type: "number", step: "any", inputmode: "decimal" };
  return form(
    [
      field(t("Code", "编码"), input("code", { value: o.code || "", autocomplete: "off" }), t("Unique in the tenant: letters, digits, . _ -", "租户内唯一：字母、数字及 . _ -")),
      field(t("Kind", "类型"), select("kind", options(OUTLET_KINDS), { value: o.kind || "service_center" })),
      field(t("Name", "名称"), input("name", { value: o.name || "" }), null, true),
      field(t("Status", "状态"), select("status", options(STATUS, ["active", "suspended", "closed"]), { value: o.status || "active" })),
      field(t("Phone", "电话"), input("phone", { value: o.phone || "", type: "tel" })),
      field(t("Province", "省份"), select("province_code", options(PROVINCES), { value: o.province_code || "" }, "—")),
      field(t("City code", "城市代码"), input("city_code", { value: o.city_code || "", inputmode: "numeric" }), t("GB/T 2260, e.g. 310100", "GB/T 2260，如 310100")),
      field(t("District code", "区县代码"), input("district_code", { value: o.district_code || "", inputmode: "numeric" })),
      field(t("Postal code", "邮政编码"), input("postal_code", { value: o.postal_code || "" })),
      field(t("Address", "地址"), input("address", { value: o.address || "" }), null, true),
      field(t("Latitude", "纬度"), input("latitude", { ...coord, value: o.latitude ?? "" })),
      field(t("Longitude", "经度"), input("longitude", { ...coord, value: o.longitude ?? "" })),
    ],
    [submitButton(o.id ? t("Save changes", "保存修改") : t("Create outlet", "创建网点")), linkButton("#/outlets", t("Cancel", "取消"), "")],
  );
}

const outletBody = (f) => ({
  code: val(f, "code"), name: val(f, "name"), kind: val(f, "kind"), status: val(f, "status"), phone: val(f, "phone"),
  province_code: val(f, "province_code"), city_code: val(f, "city_code"), district_code: val(f, "district_code"),
  address: val(f, "address"), postal_code: val(f, "postal_code"), latitude: num(f, "latitude"), longitude: num(f, "longitude"),
});

async function outletNewPage() {
  if (!can("outlets:write") || state.me.outlet_id) return emptyState(t("No access", "无权访问"));
  const f = outletForm();
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const res = await submitting(f, (key) => api.post("/v1/outlets", outletBody(f), { idem: key }), { idem: true });
    if (res) {
      forgetOutlets();
      toast(t(`Outlet ${res.data.code} created`, `已创建网点 ${res.data.code}`));
      go(`#/outlets/${res.data.id}`);
    }
  });
  return [pageHeader(t("New outlet", "新建网点"), null), card(f)];
}

async function outletPage(id) {
  const res = await api.get(`/v1/outlets/${seg(id)}`);
  let etag = res.etag;
  const o = res.data;
  const f = outletForm(o);
  const editable = can("outlets:write");
  if (!editable) readOnlyForm(f);
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await submitting(f, () => api.put(`/v1/outlets/${seg(id)}`, outletBody(f), { etag }), { onProblem: reloadOnStale });
    if (r) {
      etag = r.etag;
      forgetOutlets();
      toast(t("Changes saved", "已保存修改"));
      render();
    }
  });
  const remove = async () => {
    const ok = await confirmDialog(t("Delete this outlet?", "删除此网点？"),
      t("Only an outlet without history can be deleted; otherwise set its status to Closed.", "只有没有业务记录的网点可以删除；否则请将状态设为“已关闭”。"), t("Delete", "删除"));
    if (!ok) return;
    try {
      await api.del(`/v1/outlets/${seg(id)}`, { etag });
      forgetOutlets();
      toast(t("Outlet deleted", "网点已删除"));
      go("#/outlets");
    } catch (p) {
      showProblem(f, p, reloadOnStale(p));
    }
  };
  const side = card(
    h("h2", null, t("Details", "详情")),
    meta([t("ID", "ID"), h("span", { class: "mono" }, o.id)], [t("Version", "版本"), String(o.version)],
      [t("Created", "创建时间"), fmtDateTime(o.created_at)], [t("Updated", "更新时间"), fmtDateTime(o.updated_at)]),
    h("div", { class: "calendar-link" }),
  );
  if (can("calendars:read")) {
    api.get(`/v1/outlets/${seg(id)}/calendar`).then((r) => {
      const c = r.data;
      side.querySelector(".calendar-link").append(
        h("h2", null, t("Business hours", "营业时间")),
        h("p", null, h("a", { href: `#/calendars/${c.id}` }, c.name), " ", badge(c.outlet_id ? t("Own calendar", "独立日历") : t("Tenant default", "租户默认"))),
        h("p", { class: "muted small" }, hoursSummary(c.weekly_hours)),
      );
    }, () => {});
  }
  return [
    pageHeader(o.name, `${o.code} · ${label(OUTLET_KINDS, o.kind)}`,
      editable && !state.me.outlet_id ? h("button", { type: "button", class: "btn danger-outline", onclick: remove }, t("Delete", "删除")) : null,
      linkButton("#/outlets", t("All outlets", "全部网点"), "")),
    h("div", { class: "split" }, card(f), side),
  ];
}

// ---- Calendars -----------------------------------------------------------------

function parseHours(text) {
  const s = text.trim();
  if (s === "" || /^(closed|休息|关闭)$/i.test(s)) return [];
  return s.split(/[,，;；]/).map((part) => {
    const m = /^\s*(\d{1,2}:\d{2})\s*[-–~至]\s*(\d{1,2}:\d{2})\s*$/.exec(part);
    if (!m) throw new Error(part.trim());
    const pad = (x) => x.padStart(5, "0");
    return { start: pad(m[1]), end: pad(m[2]) };
  });
}
const formatHours = (list) => (list || []).map((i) => `${i.start}–${i.end}`).join(", ");

function hoursSummary(w) {
  if (!w) return "";
  const groups = [];
  for (const [key, en, zh] of WEEKDAYS) {
    const text = formatHours(w[key]) || t("closed", "休息");
    const last = groups[groups.length - 1];
    if (last && last.text === text) last.to = t(en.slice(0, 3), zh);
    else groups.push({ from: t(en.slice(0, 3), zh), to: "", text });
  }
  return groups.map((g) => `${g.from}${g.to ? "–" + g.to : ""} ${g.text}`).join(" · ");
}

async function calendarsPage() {
  const outlets = await outletMap();
  const table = dataTable(
    [
      { title: t("Name", "名称"), cell: (c) => h("a", { href: `#/calendars/${c.id}`, class: "strong" }, c.name) },
      { title: t("Applies to", "适用范围"), cell: (c) => (c.outlet_id ? outlets.get(c.outlet_id)?.name || shortID(c.outlet_id) : badge(t("Tenant default", "租户默认"), "info")) },
      { title: t("Time zone", "时区"), cell: (c) => c.timezone, class: "nowrap" },
      { title: t("Weekly hours", "每周营业时间"), cell: (c) => hoursSummary(c.weekly_hours) },
      { title: t("Updated", "更新时间"), cell: (c) => fmtDateTime(c.updated_at), class: "nowrap muted" },
    ],
    async (cursor) => (await api.get("/v1/calendars", { query: { cursor, limit: 50 } })).data,
    t("No calendars.", "暂无日历。"),
  );
  return [
    pageHeader(t("Business calendars", "营业日历"), t("Working hours, holidays and make-up working days. Outlets without their own calendar use the tenant default.", "营业时间、节假日和调休。没有独立日历的网点使用租户默认日历。")),
    card(table.el),
  ];
}

async function calendarPage(id) {
  const res = await api.get(`/v1/calendars/${seg(id)}`);
  let etag = res.etag;
  const c = res.data;
  const editable = can("calendars:write");
  const outlets = await outletMap();
  const tz = timezoneInput("timezone", c.timezone);
  const f = form(
    [
      field(t("Name", "名称"), input("name", { value: c.name })),
      field(t("Time zone", "时区"), tz[0], null),
      tz[1],
      h("div", { class: "field wide" }, h("span", { class: "section-label" }, t("Weekly hours", "每周营业时间")),
        h("span", { class: "hint" }, t("Intervals like 09:00-12:00, 13:00-18:00; leave empty when closed.", "格式如 09:00-12:00, 13:00-18:00；休息日留空。"))),
      WEEKDAYS.map(([key, en, zh]) =>
        field(t(en, zh), input(`weekly_hours.${key}`, { value: formatHours(c.weekly_hours[key]), placeholder: t("closed", "休息") })),
      ),
    ],
    [submitButton(t("Save calendar", "保存日历"))],
  );
  if (!editable) readOnlyForm(f);
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const weekly = {};
    const bad = [];
    for (const [key] of WEEKDAYS) {
      try {
        weekly[key] = parseHours(val(f, `weekly_hours.${key}`));
      } catch (err) {
        bad.push({ location: `body.weekly_hours.${key}`, message: t(`cannot read "${err.message}": use HH:MM-HH:MM`, `无法识别“${err.message}”：请用 HH:MM-HH:MM`) });
      }
    }
    if (bad.length) {
      showProblem(f, new api.Problem(422, { status: 422, errors: bad }));
      return;
    }
    const r = await submitting(f, () => api.put(`/v1/calendars/${seg(id)}`, { name: val(f, "name"), timezone: val(f, "timezone"), weekly_hours: weekly }, { etag }),
      { onProblem: reloadOnStale });
    if (r) {
      etag = r.etag;
      for (const [key] of WEEKDAYS) f.elements.namedItem(`weekly_hours.${key}`).value = formatHours(r.data.weekly_hours[key]);
      toast(t("Calendar saved", "日历已保存"));
    }
  });
  const scope = c.outlet_id ? outlets.get(c.outlet_id)?.name || shortID(c.outlet_id) : t("Tenant default", "租户默认");
  return [
    pageHeader(c.name, `${scope} · ${c.timezone}`, linkButton("#/calendars", t("All calendars", "全部日历"), "")),
    card(h("h2", null, t("Working hours", "营业时间")), f),
    calendarDays(id, editable),
  ];
}

function calendarDays(id, editable) {
  const year = new Date().getFullYear();
  const from = input("from", { type: "date", value: `${year}-01-01`, "aria-label": t("From", "开始") });
  const to = input("to", { type: "date", value: `${year + 1}-12-31`, "aria-label": t("To", "结束") });
  const body = h("tbody");
  const status = h("div", { class: "table-status" });
  const weekday = (d) => new Date(`${d}T00:00:00`).toLocaleDateString(getLang() === "zh" ? "zh-CN" : "en-GB", { weekday: "short" });

  async function load() {
    setChildren(status, h("span", { class: "muted" }, t("Loading…", "加载中…")));
    try {
      const r = await api.get(`/v1/calendars/${seg(id)}/days`, { query: { from: from.value, to: to.value } });
      setChildren(body,
        ...r.data.items.map((d) =>
          h("tr", null,
            h("td", { class: "mono nowrap" }, d.day), h("td", { class: "muted" }, weekday(d.day)),
            h("td", null, badge(label(DAY_KINDS, d.kind), d.kind === "holiday" ? "warn" : "info")),
            h("td", null, d.name || ""), h("td", { class: "muted" }, formatHours(d.hours)),
            h("td", { class: "actions-cell" }, editable ? h("button", { type: "button", class: "btn small danger-outline", onclick: () => removeDay(d) }, t("Remove", "移除")) : null)),
        ),
      );
      setChildren(status, r.data.items.length ? null : emptyState(t("No holidays or make-up days in this range.", "此期间没有节假日或调休。")));
    } catch (p) {
      setChildren(status, problemBox(p));
    }
  }
  async function removeDay(d) {
    if (!(await confirmDialog(t("Remove this date?", "移除此日期？"), `${d.day} ${d.name || ""}`, t("Remove", "移除")))) return;
    try {
      await api.del(`/v1/calendars/${seg(id)}/days/${seg(d.day)}`);
      toast(t("Date removed", "日期已移除"));
      load();
    } catch (p) {
      setChildren(status, problemBox(p));
    }
  }
  for (const el of [from, to]) el.addEventListener("change", load);

  let add = null;
  if (editable) {
    add = form(
      [
        field(t("Date", "日期"), input("day", { type: "date" })),
        field(t("Kind", "类型"), select("kind", options(DAY_KINDS))),
        field(t("Name", "名称"), input("name", { placeholder: t("e.g. National Day", "如 国庆节") })),
      ],
      [submitButton(t("Add date", "添加日期"))],
      { class: "form compact" },
    );
    add.addEventListener("submit", async (e) => {
      e.preventDefault();
      const day = val(add, "day");
      if (!day) {
        showProblem(add, new api.Problem(422, { errors: [{ location: "body.day", message: t("choose a date", "请选择日期") }] }));
        return;
      }
      const r = await submitting(add, () => api.put(`/v1/calendars/${seg(id)}/days/${seg(day)}`, { kind: val(add, "kind"), name: val(add, "name") }));
      if (r) {
        toast(t(`${day} saved`, `${day} 已保存`));
        add.reset();
        load();
      }
    });
  }
  load();
  return card(
    h("div", { class: "card-head" }, h("h2", null, t("Holidays and make-up workdays", "节假日与调休")), h("div", { class: "filters" }, from, h("span", { class: "muted" }, "–"), to)),
    h("div", { class: "table-wrap" }, h("table", { class: "table" },
      h("thead", null, h("tr", null, [t("Date", "日期"), t("Day", "星期"), t("Kind", "类型"), t("Name", "名称"), t("Hours", "时间"), ""].map((x) => h("th", null, x)))), body), status),
    add,
  );
}

// ---- People --------------------------------------------------------------------

function peopleTabs(current) {
  const items = [["#/people", t("Members", "成员")]];
  if (can("members:write")) items.push(["#/people/invitations", t("Invitations", "邀请")]);
  return tabs(items, current);
}

const inviteButton = () => (can("members:write") ? linkButton("#/people/invite", t("Invite someone", "邀请成员")) : null);

async function membersPage() {
  const outlets = await outletMap();
  const role = select("role", TENANT_ROLES.map((r) => [r, label(ROLES, r)]), {}, t("All roles", "全部角色"));
  const table = dataTable(
    [
      { title: t("Name", "姓名"), cell: (m) => (can("members:write") ? h("a", { href: `#/people/${m.id}`, class: "strong" }, m.name) : h("span", { class: "strong" }, m.name)) },
      { title: t("Email", "邮箱"), cell: (m) => m.email },
      { title: t("Role", "角色"), cell: (m) => label(ROLES, m.role) },
      { title: t("Outlet", "网点"), cell: (m) => (m.outlet_id ? outlets.get(m.outlet_id)?.name || shortID(m.outlet_id) : h("span", { class: "muted" }, t("All outlets", "全部网点"))) },
      { title: t("Status", "状态"), cell: (m) => statusBadge(m.status) },
      { title: t("Member since", "加入时间"), cell: (m) => fmtDate(m.created_at), class: "nowrap muted" },
    ],
    async (cursor) => (await api.get("/v1/members", { query: { cursor, limit: 50, role: role.value } })).data,
    t("No members match.", "没有符合条件的成员。"),
  );
  role.addEventListener("change", table.reload);
  return [
    pageHeader(t("People", "人员"), t("Staff of this tenant and their roles.", "本租户的员工及其角色。"), inviteButton()),
    peopleTabs("#/people"),
    card(h("div", { class: "filters" }, role), table.el),
  ];
}

function invitationStatus(i) {
  if (i.accepted_at) return "accepted";
  if (i.revoked_at) return "revoked";
  if (new Date(i.expires_at) < new Date()) return "expired";
  return "pending";
}

async function invitationsPage() {
  if (!can("members:write")) return emptyState(t("No access", "无权访问"));
  const outlets = await outletMap();
  const table = dataTable(
    [
      { title: t("Email", "邮箱"), cell: (i) => h("span", { class: "strong" }, i.email) },
      { title: t("Role", "角色"), cell: (i) => label(ROLES, i.role) },
      { title: t("Outlet", "网点"), cell: (i) => (i.outlet_id ? outlets.get(i.outlet_id)?.name || shortID(i.outlet_id) : "") },
      { title: t("Status", "状态"), cell: (i) => statusBadge(invitationStatus(i)) },
      { title: t("Sent", "发送时间"), cell: (i) => fmtDateTime(i.created_at), class: "nowrap muted" },
      { title: t("Expires", "过期时间"), cell: (i) => fmtDateTime(i.expires_at), class: "nowrap muted" },
      { title: "", class: "actions-cell", cell: (i) => (invitationStatus(i) === "pending" ? h("button", { type: "button", class: "btn small danger-outline", onclick: () => revoke(i) }, t("Revoke", "撤销")) : null) },
    ],
    async (cursor) => (await api.get("/v1/invitations", { query: { cursor, limit: 50 } })).data,
    t("No invitations yet.", "暂无邀请。"),
  );
  const alert = h("div");
  async function revoke(i) {
    if (!(await confirmDialog(t("Revoke this invitation?", "撤销此邀请？"), t(`The link sent to ${i.email} will stop working.`, `发给 ${i.email} 的链接将失效。`), t("Revoke", "撤销")))) return;
    try {
      await api.del(`/v1/invitations/${seg(i.id)}`);
      toast(t("Invitation revoked", "邀请已撤销"));
      setChildren(alert);
      table.reload();
    } catch (p) {
      setChildren(alert, problemBox(p));
    }
  }
  return [
    pageHeader(t("People", "人员"), t("Invitations: each link works once, until it expires.", "邀请：每个链接只能使用一次，过期失效。"), inviteButton()),
    peopleTabs("#/people/invitations"),
    alert,
    card(table.el),
  ];
}

async function invitePage() {
  if (!can("members:write")) return emptyState(t("No access", "无权访问"));
  const f = form(
    [field(t("Email", "邮箱"), input("email", { type: "email", autocomplete: "off" }), null, true), ...(await roleFields())],
    [submitButton(t("Create invitation", "创建邀请")), linkButton("#/people/invitations", t("Cancel", "取消"), "")],
  );
  const result = h("div");
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const res = await submitting(f, (key) => api.post("/v1/invitations", { email: val(f, "email"), ...roleBody(f) }, { idem: key }), { idem: true });
    if (!res) return;
    const inv = res.data;
    const link = `${location.origin}/#/accept/${encodeURIComponent(inv.token)}`;
    f.hidden = true;
    setChildren(result,
      h("div", { class: "alert success" },
        h("strong", null, t(`Invitation created for ${inv.email}`, `已为 ${inv.email} 创建邀请`)),
        h("p", null, t(`Send this link to the invitee. It works once and expires ${fmtDateTime(inv.expires_at)}. It is shown only now.`,
          `请将此链接发送给受邀人。链接仅可使用一次，于 ${fmtDateTime(inv.expires_at)} 过期。链接只显示这一次。`))),
      field(t("Accept link", "接受邀请链接"), copyBox(link, "accept_link"), null, true),
      h("div", { class: "form-actions" },
        h("button", { type: "button", class: "btn", onclick: () => render() }, t("Invite someone else", "继续邀请")),
        linkButton("#/people/invitations", t("Done", "完成"))),
    );
  });
  return [pageHeader(t("Invite someone", "邀请成员"), t("They receive a role in this tenant when they accept.", "对方接受邀请后即获得本租户中的角色。")), card(f, result)];
}

async function memberPage(id) {
  const res = await api.get(`/v1/members/${seg(id)}`);
  const etag = res.etag;
  const m = res.data;
  const f = form(
    [
      ...(await roleFields(m.role, m.outlet_id || "")),
      field(t("Status", "状态"), select("status", options(STATUS, ["active", "disabled"]), { value: m.status }), t("Disabled members cannot sign in to this tenant.", "停用的成员无法进入本租户。")),
    ],
    [submitButton(t("Save changes", "保存修改")), linkButton("#/people", t("Cancel", "取消"), "")],
  );
  if (!can("members:write")) readOnlyForm(f);
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const r = await submitting(f, () => api.put(`/v1/members/${seg(id)}`, { ...roleBody(f), status: val(f, "status") }, { etag }), { onProblem: reloadOnStale });
    if (r) {
      toast(t("Changes saved", "已保存修改"));
      render();
    }
  });
  const remove = async () => {
    if (!(await confirmDialog(t("Remove from tenant?", "从租户移除？"), t(`${m.name} will lose access to this tenant.`, `${m.name} 将失去本租户的访问权限。`), t("Remove", "移除")))) return;
    try {
      await api.del(`/v1/members/${seg(id)}`, { etag });
      toast(t("Member removed", "成员已移除"));
      go("#/people");
    } catch (p) {
      showProblem(f, p, reloadOnStale(p));
    }
  };
  return [
    pageHeader(m.name, m.email,
      can("members:write") ? h("button", { type: "button", class: "btn danger-outline", onclick: remove }, t("Remove from tenant", "从租户移除")) : null,
      linkButton("#/people", t("All members", "全部成员"), "")),
    h("div", { class: "split" }, card(f),
      card(h("h2", null, t("Details", "详情")), meta([t("Member since", "加入时间"), fmtDateTime(m.created_at)], [t("Updated", "更新时间"), fmtDateTime(m.updated_at)], [t("Version", "版本"), String(m.version)]))),
  ];
}

// ---- API keys ------------------------------------------------------------------

function keyStatus(k) {
  if (k.revoked_at) return "revoked";
  if (k.expires_at && new Date(k.expires_at) < new Date()) return "expired";
  return "active";
}

async function apiKeysPage() {
  const outlets = await outletMap();
  const alert = h("div");
  const table = dataTable(
    [
      { title: t("Name", "名称"), cell: (k) => h("span", { class: "strong" }, k.name) },
      { title: t("Role", "角色"), cell: (k) => [label(ROLES, k.role), k.outlet_id ? h("div", { class: "muted small" }, outlets.get(k.outlet_id)?.name || shortID(k.outlet_id)) : null] },
      { title: t("Scopes", "权限范围"), cell: (k) => (k.scopes?.length ? h("div", { class: "chips" }, k.scopes.map((s) => badge(s, "mono"))) : h("span", { class: "muted" }, t("All of the role", "角色全部权限"))) },
      { title: t("Created", "创建时间"), cell: (k) => fmtDate(k.created_at), class: "nowrap muted" },
      { title: t("Last used", "最近使用"), cell: (k) => (k.last_used_at ? fmtDateTime(k.last_used_at) : h("span", { class: "muted" }, t("Never", "从未"))), class: "nowrap" },
      { title: t("Expires", "过期时间"), cell: (k) => (k.expires_at ? fmtDate(k.expires_at) : h("span", { class: "muted" }, t("Never", "永不"))), class: "nowrap" },
      { title: t("Status", "状态"), cell: (k) => statusBadge(keyStatus(k)) },
      { title: "", class: "actions-cell", cell: (k) => (keyStatus(k) === "active" ? h("button", { type: "button", class: "btn small danger-outline", onclick: () => revoke(k) }, t("Revoke", "吊销")) : null) },
    ],
    async (cursor) => (await api.get("/v1/api-keys", { query: { cursor, limit: 50 } })).data,
    t("No API keys yet.", "暂无 API 密钥。"),
  );
  async function revoke(k) {
    if (!(await confirmDialog(t("Revoke this key?", "吊销此密钥？"), t(`Clients using "${k.name}" will be refused at once.`, `使用“${k.name}”的客户端将立即被拒绝。`), t("Revoke", "吊销")))) return;
    try {
      await api.del(`/v1/api-keys/${seg(k.id)}`);
      toast(t("Key revoked", "密钥已吊销"));
      setChildren(alert);
      table.reload();
    } catch (p) {
      setChildren(alert, problemBox(p));
    }
  }
  return [
    pageHeader(t("API keys", "API 密钥"), t("Keys for machine clients: integrations, call-centre systems, scripts.", "供系统对接使用的密钥：集成、呼叫中心系统、脚本等。"),
      linkButton("#/api-keys/new", t("New API key", "新建密钥"))),
    alert,
    card(table.el),
  ];
}

async function apiKeyNewPage() {
  const scopes = h("div", { class: "checks" }, PERMISSIONS.map((p) => h("label", { class: "check" }, h("input", { type: "checkbox", name: "scopes", value: p }), h("span", { class: "mono" }, p))));
  const f = form(
    [
      field(t("Name", "名称"), input("name", { placeholder: t("e.g. Call-centre integration", "如 呼叫中心对接") }), null, true),
      ...(await roleFields()),
      field(t("Expires on", "过期日期"), input("expires_at", { type: "date" }), t("Optional; the key stops working at the end of that day.", "可选；密钥在当天结束时失效。")),
      h("div", { class: "field wide" }, h("span", { class: "section-label" }, t("Scopes", "权限范围")),
        h("span", { class: "hint" }, t("Optional: limit the key to some permissions of its role. None checked: everything the role may do.", "可选：将密钥限制为角色的部分权限。不勾选则拥有角色的全部权限。")),
        scopes, h("span", { class: "field-error", hidden: true })),
    ],
    [submitButton(t("Create key", "创建密钥")), linkButton("#/api-keys", t("Cancel", "取消"), "")],
  );
  const result = h("div");
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { name: val(f, "name"), ...roleBody(f) };
    const chosen = [...f.querySelectorAll("input[name=scopes]:checked")].map((c) => c.value);
    if (chosen.length) body.scopes = chosen;
    const exp = val(f, "expires_at");
    if (exp) body.expires_at = new Date(`${exp}T23:59:59`).toISOString();
    const res = await submitting(f, (key) => api.post("/v1/api-keys", body, { idem: key }), { idem: true });
    if (!res) return;
    f.hidden = true;
    setChildren(result,
      h("div", { class: "alert success" }, h("strong", null, t(`Key "${res.data.name}" created`, `已创建密钥“${res.data.name}”`)),
        h("p", null, t("Copy the key now and store it in a secret manager. It is shown only once and cannot be recovered.", "请立即复制密钥并妥善保存。密钥只显示这一次，无法找回。"))),
      field(t("API key", "API 密钥"), copyBox(res.data.token, "api_key_token"), t("Send it as: Authorization: Bearer <key>", "使用方式：Authorization: Bearer <密钥>"), true),
      h("div", { class: "form-actions" }, linkButton("#/api-keys", t("I have stored the key", "我已保存密钥"))),
    );
  });
  return [pageHeader(t("New API key", "新建 API 密钥"), null), card(f, result)];
}

// ---- Customers -----------------------------------------------------------------

async function customersPage() {
  const phone = input("phone", { type: "search", placeholder: t("Search by phone", "按电话查找"), "aria-label": t("Phone", "电话") });
  const notice = h("div");
  const table = dataTable(
    [
      { title: t("Name", "姓名"), cell: (c) => [h("span", { class: "strong" }, c.name), c.masked ? [" ", badge(t("masked", "已脱敏"), "warn masked")] : null] },
      { title: t("Phone", "电话"), cell: (c) => h("span", { class: "mono" }, c.phone), class: "nowrap" },
      { title: t("Email", "邮箱"), cell: (c) => c.email },
      { title: t("Province", "省份"), cell: (c) => province(c.province_code) },
      { title: t("Address", "地址"), cell: (c) => c.address },
      { title: t("Created", "创建时间"), cell: (c) => fmtDate(c.created_at), class: "nowrap muted" },
    ],
    async (cursor) => {
      const r = (await api.get("/v1/customers", { query: { cursor, limit: 50, phone: phone.value.trim() } })).data;
      if (r.items.some((c) => c.masked)) {
        setChildren(notice, h("div", { class: "alert info" }, t("Contact details are masked for your role.", "根据您的角色，客户联系方式已脱敏显示。")));
      }
      return r;
    },
    t("No customers match.", "没有符合条件的客户。"),
  );
  let timer;
  phone.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(table.reload, 300);
  });
  return [
    pageHeader(t("Customers", "客户"), t("End customers of the network.", "服务网络的终端客户。"), can("customers:write") ? linkButton("#/customers/new", t("New customer", "新建客户")) : null),
    notice,
    card(h("div", { class: "filters" }, phone), table.el),
  ];
}

async function customerNewPage() {
  if (!can("customers:write")) return emptyState(t("No access", "无权访问"));
  const f = form(
    [
      field(t("Name", "姓名"), input("name"), null, true),
      field(t("Phone", "电话"), input("phone", { type: "tel" }), t("Mobile or landline; Chinese numbers may omit +86.", "手机或座机；国内号码可省略 +86。")),
      field(t("Email", "邮箱"), input("email", { type: "email" })),
      field(t("Province", "省份"), select("province_code", options(PROVINCES), {}, "—")),
      field(t("City code", "城市代码"), input("city_code", { inputmode: "numeric" })),
      field(t("District code", "区县代码"), input("district_code", { inputmode: "numeric" })),
      field(t("Address", "地址"), input("address"), null, true),
    ],
    [submitButton(t("Create customer", "创建客户")), linkButton("#/customers", t("Cancel", "取消"), "")],
  );
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = Object.fromEntries(["name", "phone", "email", "province_code", "city_code", "district_code", "address"].map((k) => [k, val(f, k)]));
    const res = await submitting(f, (key) => api.post("/v1/customers", body, { idem: key }), { idem: true });
    if (res) {
      toast(t(`Customer ${res.data.name} created`, `已创建客户 ${res.data.name}`));
      go("#/customers");
    }
  });
  return [pageHeader(t("New customer", "新建客户"), null), card(f)];
}

// ---- Service orders --------------------------------------------------------------

const ORDER_STATUS = {
  waiting: ["Waiting", "待修"], repairing: ["Repairing", "修理中"], waiting_parts: ["Waiting for parts", "待件"],
  escalated: ["Escalated", "难修"], ready_for_pickup: ["Ready for pickup", "待取"], picked_up: ["Picked up", "已取"],
  created: ["Created", "已受理"], accepted: ["Accepted", "已接单"], dispatched: ["Dispatched", "已派工"],
  scheduled: ["Scheduled", "已预约"], en_route: ["On the way", "在途"], on_site: ["On site", "已上门"],
  completed: ["Completed", "已完工"], approved: ["Approved", "审核通过"], rejected: ["Rejected", "审核退回"],
  closed: ["Closed", "已关闭"], cancelled: ["Cancelled", "已取消"],
};
const ORDER_STYLE = { closed: "", cancelled: "warn", escalated: "warn", waiting_parts: "info", approved: "ok", completed: "ok", picked_up: "ok" };
const orderBadge = (s) => badge(label(ORDER_STATUS, s), ORDER_STYLE[s] ?? "info");
const CLASSES = { manufacturer: ["Manufacturer warranty", "厂家保修"], contract: ["Contract", "合同保修"],
  repair_warranty: ["Repair warranty", "维修保修"], out_of_warranty: ["Out of warranty", "保外"] };

async function ordersPage() {
  const outlets = await outletMap();
  const status = select("status", options(ORDER_STATUS), { "aria-label": t("Status", "状态") }, t("All statuses", "全部状态"));
  const overdue = h("label", { class: "check" }, h("input", { type: "checkbox", name: "overdue" }), " ", t("Overdue only", "仅超时"));
  const table = dataTable(
    [
      { title: t("Number", "工单号"), cell: (o) => h("a", { href: `#/orders/${o.id}`, class: "mono strong" }, o.number), class: "nowrap" },
      { title: t("Status", "状态"), cell: (o) => [orderBadge(o.status), o.urgent ? [" ", badge(t("urgent", "加急"), "warn")] : null,
        o.is_repeat ? [" ", badge(t("repeat", "重复维修"), "warn")] : null] },
      { title: t("Type", "类型"), cell: (o) => o.type },
      { title: t("Coverage", "保修"), cell: (o) => label(CLASSES, o.entitlement_class) || "—" },
      { title: t("Outlet", "网点"), cell: (o) => outletName(outlets, o.outlet_id) },
      { title: t("Fault", "故障"), cell: (o) => o.fault_description },
      { title: t("Created", "创建时间"), cell: (o) => fmtDateTime(o.created_at), class: "nowrap muted" },
    ],
    (cursor) => api.get("/v1/orders", { query: { cursor, limit: 50, status: status.value, overdue: overdue.querySelector("input").checked || "" } })
      .then((r) => r.data),
    t("No orders match.", "没有符合条件的工单。"),
  );
  status.addEventListener("change", table.reload);
  overdue.addEventListener("change", table.reload);
  return [
    pageHeader(t("Service orders", "服务工单"), t("Orders of the network, newest first.", "服务网络的工单，最新在前。"),
      can("orders:write") ? linkButton("#/orders/new", t("New order", "新建工单")) : null),
    card(h("div", { class: "filters" }, status, overdue), table.el),
  ];
}

function outletName(outlets, id) {
  if (!id) return "—";
  const o = outlets.get(id);
  return o ? o.name : shortID(id);
}

async function orderNewPage() {
  if (!can("orders:write")) return emptyState(t("No access", "无权访问"));
  const types = (await api.get("/v1/order-types")).data.items.filter((x) => x.active);
  const f = form(
    [
      field(t("Customer name", "客户姓名"), input("name"), null, true),
      field(t("Customer phone", "客户电话"), input("phone", { type: "tel" }), t("An existing customer is found by phone.", "按电话匹配已有客户。")),
      field(t("Serial / IMEI", "序列号 / IMEI"), input("serial"), t("A registered unit is found by serial.", "按序列号匹配已登记产品。")),
      field(t("Type", "类型"), select("type", types.map((x) => [x.code, x.name]))),
      field(t("Channel", "渠道"), select("channel", [["phone", t("Phone", "电话")], ["carry_in", t("Carry-in", "送修")],
        ["on_site", t("On-site", "上门")], ["web", t("Web", "网站")], ["mail_in", t("Mail-in", "寄修")]])),
      field(t("Fault code", "故障代码"), input("fault_code")),
      field(t("Fault", "故障描述"), input("fault_description"), null, true),
    ],
    [submitButton(t("Take the order", "受理工单")), linkButton("#/orders", t("Cancel", "取消"), "")],
  );
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { type: val(f, "type"), channel: val(f, "channel"), customer: { name: val(f, "name"), phone: val(f, "phone") },
      serial: val(f, "serial"), fault_code: val(f, "fault_code"), fault_description: val(f, "fault_description") };
    const res = await submitting(f, (key) => api.post("/v1/orders", body, { idem: key }), { idem: true });
    if (res) {
      toast(t(`Order ${res.data.order.number} taken`, `已受理工单 ${res.data.order.number}`));
      go(`#/orders/${res.data.order.id}`);
    }
  });
  return [pageHeader(t("New service order", "新建服务工单"), null), card(f)];
}

async function orderPage(id) {
  const [res, outlets] = await Promise.all([api.get(`/v1/orders/${seg(id)}`), outletMap()]);
  const o = res.data;
  const moves = h("form", { class: "inline-form" });
  if (can("orders:write") && o.next.length) {
    const reason = input("reason", { placeholder: t("Reason (to cancel, reject or reopen)", "原因（取消、退回、重开时必填）") });
    moves.append(reason, ...o.next.map((to) => h("button", { type: "submit", class: "btn small", value: to }, label(ORDER_STATUS, to))));
    moves.addEventListener("submit", async (e) => {
      e.preventDefault();
      const to = e.submitter?.value;
      const r = await submitting(moves, () => api.post(`/v1/orders/${seg(id)}/transitions`, { to, reason: val(moves, "reason") },
        { etag: res.etag }), { onProblem: reloadOnStale });
      if (r) {
        toast(t("Status changed", "状态已更新"));
        render();
      }
    });
  }
  const ent = o.entitlement?.decision;
  const side = card(
    h("h2", null, t("Details", "详情")),
    meta([t("Status", "状态"), orderBadge(o.status)], [t("Type", "类型"), o.type], [t("Channel", "渠道"), o.channel],
      [t("Coverage", "保修"), ent ? label(CLASSES, ent.class) : t("Unregistered unit", "未登记产品")],
      [t("Remedies", "处理方式"), ent?.remedies?.join(", ")], [t("Tier", "服务等级"), o.tier_code],
      [t("Serial", "序列号"), o.serial ? h("span", { class: "mono" }, o.serial) : null],
      [t("Outlet", "网点"), outletName(outlets, o.outlet_id)], [t("Fault", "故障"), `${o.fault_code ? o.fault_code + " · " : ""}${o.fault_description}`],
      [t("Reschedules", "改约次数"), String(o.reschedule_count)], [t("Created", "创建时间"), fmtDateTime(o.created_at)]),
  );
  const timeline = h("ol", { class: "timeline" });
  api.get(`/v1/orders/${seg(id)}/timeline`).then((r) => {
    setChildren(timeline, ...r.data.items.slice().reverse().map((e) => h("li", null,
      h("span", { class: "muted small nowrap" }, fmtDateTime(e.at)), " ",
      h("strong", null, e.kind === "status" ? `${label(ORDER_STATUS, e.from)} → ${label(ORDER_STATUS, e.to)}` : e.kind),
      e.reason ? [" · ", e.reason] : null, e.kind === "comment" && e.data ? [" · ", e.data.text] : null,
      e.actor ? h("span", { class: "muted small" }, ` — ${e.actor}`) : null)));
  }, () => {});
  const clocks = h("div");
  if (can("sla:read")) {
    api.get(`/v1/sla/orders/${seg(id)}/clocks`).then((r) => {
      setChildren(clocks, h("h2", null, t("Time limits", "时效")), meta(...r.data.items.map((c) =>
        [c.target, [badge(c.status, c.status === "breached" ? "warn" : c.status === "met" ? "ok" : "info"), c.due_at ? ` ${fmtDateTime(c.due_at)}` : ""]])));
    }, () => {});
  }
  side.append(clocks);
  return [
    pageHeader(o.number, label(ORDER_STATUS, o.status), linkButton("#/orders", t("All orders", "全部工单"), "")),
    moves.childNodes.length ? card(h("h2", null, t("Move to", "流转到")), moves) : null,
    h("div", { class: "split" }, card(h("h2", null, t("Timeline", "时间线")), timeline), side),
  ];
}

// ---- Audit log -----------------------------------------------------------------

async function auditPage() {
  const entity = select("entity", AUDIT_ENTITIES.map((e) => [e, e]), {}, t("All records", "全部对象"));
  const action = input("action", { type: "search", class: "wide-filter", placeholder: t("Action, e.g. outlet.update", "操作，如 outlet.update"), "aria-label": t("Action", "操作") });
  const json = (v) => h("pre", { class: "json" }, JSON.stringify(v, null, 2));
  const table = dataTable(
    [
      { title: t("Time", "时间"), cell: (a) => fmtDateTime(a.at), class: "nowrap" },
      { title: t("Actor", "操作人"), cell: (a) => [h("div", null, a.actor_label || a.actor_kind), h("div", { class: "muted small" }, a.actor_kind)] },
      { title: t("Action", "操作"), cell: (a) => h("code", null, a.action) },
      { title: t("Record", "对象"), cell: (a) => [a.entity, a.entity_id ? h("span", { class: "muted mono small nowrap" }, ` ${shortID(a.entity_id)}`) : null] },
      { title: t("IP", "IP"), cell: (a) => h("span", { class: "mono small" }, a.ip || ""), class: "nowrap" },
      {
        title: t("Changes", "变更"),
        cell: (a) =>
          a.before || a.after
            ? h("details", { class: "changes" }, h("summary", null, t("View", "查看")),
              a.before ? [h("div", { class: "muted small" }, t("Before", "之前")), json(a.before)] : null,
              a.after ? [h("div", { class: "muted small" }, t("After", "之后")), json(a.after)] : null,
              a.request_id ? h("div", { class: "muted small" }, `request ${a.request_id}`) : null)
            : null,
      },
    ],
    async (cursor) => (await api.get("/v1/audit-log", { query: { cursor, limit: 50, entity: entity.value, action: action.value.trim() } })).data,
    t("No entries match.", "没有符合条件的记录。"),
  );
  entity.addEventListener("change", table.reload);
  let timer;
  action.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(table.reload, 300);
  });
  return [
    pageHeader(t("Audit log", "审计日志"), t("Every change and sign-in in this tenant, newest first.", "本租户的每次变更与登录记录，按时间倒序。")),
    card(h("div", { class: "filters" }, entity, action), table.el),
  ];
}

// ---- Tenant settings -----------------------------------------------------------

async function settingsPage() {
  const res = await api.get("/v1/tenant");
  let etag = res.etag;
  const tn = res.data;
  const tz = timezoneInput("timezone", tn.timezone);
  const f = form(
    [
      field(t("Name", "名称"), input("name", { value: tn.name }), null, true),
      field(t("Time zone", "时区"), tz[0]),
      tz[1],
      field(t("Currency", "币种"), input("currency", { value: tn.currency, maxlength: 3 }), t("ISO 4217, e.g. CNY", "ISO 4217，如 CNY")),
      field(t("Language", "语言"), select("locale", [["zh-CN", "简体中文 (zh-CN)"], ["en", "English (en)"]], { value: tn.locale })),
    ],
    [submitButton(t("Save settings", "保存设置"))],
  );
  if (!can("tenant:settings")) readOnlyForm(f);
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = { name: val(f, "name"), timezone: val(f, "timezone"), currency: val(f, "currency").toUpperCase(), locale: val(f, "locale") };
    const r = await submitting(f, () => api.put("/v1/tenant", body, { etag }), { onProblem: reloadOnStale });
    if (r) {
      etag = r.etag;
      state.tenant = r.data;
      toast(t("Settings saved", "设置已保存"));
      render();
    }
  });
  return [
    pageHeader(t("Tenant settings", "租户设置"), tn.slug),
    h("div", { class: "split" }, card(f),
      card(h("h2", null, t("Tenant", "租户")), meta([t("Slug", "标识"), h("span", { class: "mono" }, tn.slug)], [t("Kind", "类型"), label(TENANT_KINDS, tn.kind)],
        [t("Status", "状态"), statusBadge(tn.status)], [t("ID", "ID"), h("span", { class: "mono" }, tn.id)], [t("Created", "创建时间"), fmtDateTime(tn.created_at)]))),
  ];
}

// ---- Tenants (platform) --------------------------------------------------------

async function tenantsPage() {
  const open = (tn) => {
    api.tenant.set(tn.id);
    state.me = null;
    navigate("#/");
  };
  const table = dataTable(
    [
      { title: t("Name", "名称"), cell: (tn) => h("span", { class: "strong" }, tn.name) },
      { title: t("Slug", "标识"), cell: (tn) => tn.slug, class: "mono" },
      { title: t("Kind", "类型"), cell: (tn) => label(TENANT_KINDS, tn.kind) },
      { title: t("Status", "状态"), cell: (tn) => statusBadge(tn.status) },
      { title: t("Created", "创建时间"), cell: (tn) => fmtDate(tn.created_at), class: "nowrap muted" },
      { title: "", class: "actions-cell", cell: (tn) => h("button", { type: "button", class: "btn small", onclick: () => open(tn) }, t("Open", "进入")) },
    ],
    async (cursor) => (await api.get("/v1/tenants", { query: { cursor, limit: 50 }, noTenant: true })).data,
    t("No tenants yet.", "暂无租户。"),
  );
  return [
    pageHeader(t("Tenants", "租户"), t("All tenants on the platform. Changes you make inside a tenant are audited as platform access.", "平台上的全部租户。您在租户内的操作将作为平台访问记录审计。"),
      linkButton("#/tenants/new", t("Onboard tenant", "开通租户"))),
    card(table.el),
  ];
}

async function tenantNewPage() {
  const tz = timezoneInput("timezone", "Asia/Shanghai");
  const f = form(
    [
      field(t("Name", "名称"), input("name"), null, true),
      field(t("Slug", "标识"), input("slug", { autocomplete: "off", placeholder: "acme-appliances" }), t("Lower-case letters, digits and dashes.", "小写字母、数字和短横线。")),
      field(t("Kind", "类型"), select("kind", options(TENANT_KINDS))),
      field(t("Time zone", "时区"), tz[0]),
      tz[1],
      field(t("Currency", "币种"), input("currency", { value: "CNY", maxlength: 3 })),
      field(t("Language", "语言"), select("locale", [["zh-CN", "简体中文 (zh-CN)"], ["en", "English (en)"]])),
      h("div", { class: "field wide" }, h("span", { class: "section-label" }, t("First administrator", "首位管理员"))),
      field(t("Admin email", "管理员邮箱"), input("admin.email", { type: "email", autocomplete: "off" })),
      field(t("Admin name", "管理员姓名"), input("admin.name", { autocomplete: "off" })),
      field(t("Initial password", "初始密码"), input("admin.password", { type: "password", autocomplete: "new-password" }), t("10+ characters; ignored if the email already has an account.", "至少 10 个字符；若该邮箱已有账号则忽略。")),
    ],
    [submitButton(t("Onboard tenant", "开通租户")), linkButton("#/tenants", t("Cancel", "取消"), "")],
  );
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const body = {
      name: val(f, "name"), slug: val(f, "slug"), kind: val(f, "kind"), timezone: val(f, "timezone"), currency: val(f, "currency").toUpperCase(),
      locale: val(f, "locale"), admin: { email: val(f, "admin.email"), name: val(f, "admin.name"), password: f.elements.namedItem("admin.password").value },
    };
    const res = await submitting(f, () => api.post("/v1/tenants", body, { noTenant: true }));
    if (res) {
      toast(t(`Tenant ${res.data.name} onboarded`, `已开通租户 ${res.data.name}`));
      go("#/tenants");
    }
  });
  return [pageHeader(t("Onboard a tenant", "开通租户"), t("Creates the tenant, its default calendar and its first administrator.", "创建租户、默认日历及首位管理员。")), card(f)];
}

// ---- Accepting an invitation (no sign-in needed) -----------------------------

function acceptPage(token) {
  const f = form(
    [
      field(t("Your name", "您的姓名"), input("name", { autocomplete: "name" }), t("For a new account.", "新账号需要填写。"), true),
      field(t("Password", "密码"), input("password", { type: "password", autocomplete: "new-password" }), t("A new password (10+ characters), or the password of your existing account.", "新密码（至少 10 个字符），或您已有账号的密码。"), true),
    ],
    [submitButton(t("Accept invitation", "接受邀请"))],
  );
  f.addEventListener("submit", async (e) => {
    e.preventDefault();
    const res = await submitting(f, () =>
      api.post("/v1/invitations/accept", { token, name: val(f, "name"), password: f.elements.namedItem("password").value }, { public: true, noTenant: true }),
    );
    if (res) {
      state.me = null;
      screen(authCard(t("Welcome aboard", "欢迎加入"), t(`You are now a member as ${res.data.email}.`, `您已以 ${res.data.email} 的身份加入。`),
        linkButton("#/", t("Sign in", "去登录"))));
    }
  });
  screen(
    authCard(
      t("Accept your invitation", "接受邀请"),
      t("Join your team on the after-sales service platform.", "加入您团队所在的售后服务平台。"),
      token ? f : problemBox(t("This link has no invitation token. Ask for a new invitation.", "此链接缺少邀请令牌，请重新申请邀请。")),
    ),
  );
}

// ---- Start ---------------------------------------------------------------------

api.onUnauthorized(() => {
  if (state.me) showLogin(t("Your session has ended. Please sign in again.", "会话已结束，请重新登录。"));
  state.me = null;
});
window.addEventListener("hashchange", render);
render();
