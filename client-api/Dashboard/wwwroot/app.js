// HueGrains operations dashboard: no framework, no CDN; live over Server-Sent Events.
"use strict";

const T = {
  vi: {
    title: "Trung tâm điều hành thành phố Huế", colourBy: "Tô màu theo", flood: "Mức báo động lũ", aqi: "Chất lượng không khí",
    overdueShare: "Tỷ lệ quá hạn", communes: "40 phường, xã", last24h: "24 giờ qua", alerts: "Cảnh báo đang hoạt động",
    openData: "Dữ liệu mở", live: "Trực tuyến", offline: "Mất kết nối", noAlerts: "Không có cảnh báo", noData: "Chưa có dữ liệu",
    floodAlertLevel: "Báo động lũ", aqiBand: "AQI", sensorsOnline: "Cảm biến hoạt động", sensorsOffline: "Cảm biến mất tín hiệu",
    activeAlerts: "Cảnh báo", openCases: "Hồ sơ đang xử lý", overdueCases: "Hồ sơ quá hạn", onTimeRate: "Đúng hạn",
    openFeedback: "Phản ánh chưa xử lý", overdueFeedback: "Phản ánh quá hạn", satisfactionRate: "Hài lòng",
    medianHoursToResolve: "Trung vị giờ xử lý", casesReceived: "Hồ sơ đã nhận", sensors: "Cảm biến", kind: "Loại", mean: "Trung bình",
    max: "Cao nhất", level: "Mức", close: "Đóng", rule: "Quy tắc",
    kinds: { "water-level": "Mực nước", rainfall: "Lượng mưa", pm25: "Bụi PM2.5", pm10: "Bụi PM10", temperature: "Nhiệt độ",
      humidity: "Độ ẩm", noise: "Tiếng ồn", "traffic-count": "Lưu lượng xe" },
    bands: { good: "Tốt", moderate: "Trung bình", poor: "Kém", bad: "Xấu", "very-bad": "Rất xấu", hazardous: "Nguy hại" },
    statuses: { raised: "Mới", acknowledged: "Đã tiếp nhận", cleared: "Đã kết thúc" },
    map: "Bản đồ", approximate: "Vị trí gần đúng",
  },
  en: {
    title: "Huế city operations centre", colourBy: "Colour by", flood: "Flood alert level", aqi: "Air quality",
    overdueShare: "Overdue share", communes: "40 wards and communes", last24h: "Last 24 hours", alerts: "Active alerts",
    openData: "Open data", live: "Live", offline: "Disconnected", noAlerts: "No alerts", noData: "No data yet",
    floodAlertLevel: "Flood alert", aqiBand: "AQI", sensorsOnline: "Sensors online", sensorsOffline: "Sensors offline",
    activeAlerts: "Alerts", openCases: "Open dossiers", overdueCases: "Overdue dossiers", onTimeRate: "On time",
    openFeedback: "Open reports", overdueFeedback: "Overdue reports", satisfactionRate: "Satisfied",
    medianHoursToResolve: "Median hours to resolve", casesReceived: "Dossiers received", sensors: "Sensors", kind: "Kind", mean: "Mean",
    max: "Max", level: "Level", close: "Close", rule: "Rule",
    kinds: { "water-level": "Water level", rainfall: "Rainfall", pm25: "PM2.5", pm10: "PM10", temperature: "Temperature",
      humidity: "Humidity", noise: "Noise", "traffic-count": "Traffic count" },
    bands: { good: "Good", moderate: "Moderate", poor: "Poor", bad: "Bad", "very-bad": "Very bad", hazardous: "Hazardous" },
    statuses: { raised: "Raised", acknowledged: "Acknowledged", cleared: "Cleared" },
    map: "Map", approximate: "Approximate place",
  },
};
const CARDS = ["floodAlertLevel", "aqiBand", "activeAlerts", "sensorsOnline", "sensorsOffline", "casesReceived", "openCases",
  "overdueCases", "onTimeRate", "openFeedback", "overdueFeedback", "satisfactionRate", "medianHoursToResolve"];
const CHARTED = ["floodAlertLevel", "activeAlerts", "openCases", "overdueCases", "openFeedback", "overdueFeedback", "sensorsOnline"];
const BAND_CLASS = { good: "c-ok", moderate: "c-1", poor: "c-2", bad: "c-3", "very-bad": "c-4", hazardous: "c-5" };

const state = { lang: localStorage.getItem("hue.lang") || "vi", mode: "flood", city: null, communes: new Map(), alerts: [], selected: null,
  shapes: [], sensors: new Map(), reports: [], project: null };
const $ = (id) => document.getElementById(id);
const t = (key) => T[state.lang][key] ?? key;
const el = (tag, attrs = {}, ...children) => {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) k === "class" ? (node.className = v) : node.setAttribute(k, v);
  for (const child of children) node.append(child);
  return node;
};

function format(key, value) {
  if (value === null || value === undefined) return "–";
  if (key === "aqiBand") return t("bands")[value] ?? value;
  if (key.endsWith("Rate")) return `${Math.round(value * 100)}%`;
  if (key === "floodAlertLevel") return value === 0 ? "0" : `BĐ${value}`;
  return typeof value === "number" ? value.toLocaleString(state.lang === "vi" ? "vi-VN" : "en-GB", { maximumFractionDigits: 2 }) : value;
}

function colourOf(ind) {
  if (state.mode === "flood") return ind.floodAlertLevel > 0 ? `c-${ind.floodAlertLevel}` : ind.sensors > 0 ? "c-ok" : "c-none";
  if (state.mode === "aqi") return ind.aqiBand ? BAND_CLASS[ind.aqiBand] : "c-none";
  // Public figures withhold counts of 1–4 (null): a commune with so few open items shows no share.
  const open = (ind.openCases ?? 0) + (ind.openFeedback ?? 0);
  if (open === 0) return "c-none";
  const share = ((ind.overdueCases ?? 0) + (ind.overdueFeedback ?? 0)) / open;
  return share === 0 ? "c-ok" : share < 0.1 ? "c-1" : share < 0.25 ? "c-2" : "c-3";
}

function tileValue(ind) {
  if (state.mode === "flood") return `${t("floodAlertLevel")}: ${format("floodAlertLevel", ind.floodAlertLevel)}`;
  if (state.mode === "aqi") return `${t("aqiBand")}: ${format("aqiBand", ind.aqiBand)}`;
  return `${t("overdueCases")}: ${format("overdueCases", ind.overdueCases)} · ${t("overdueFeedback")}: ${format("overdueFeedback", ind.overdueFeedback)}`;
}

function renderCity() {
  const ind = state.city?.indicators;
  if (!ind) return;
  $("city").replaceChildren(...CARDS.map((k) =>
    el("div", { class: "card", "data-key": k }, el("div", { class: "label" }, t(k)), el("div", { class: "value" }, format(k, ind[k])))));
}

function renderTile(code) {
  const c = state.communes.get(code);
  let tile = document.querySelector(`.tile[data-code="${code}"]`);
  if (!tile) {
    tile = el("button", { class: "tile", "data-code": code, type: "button" });
    tile.addEventListener("click", () => openDetail(code));
    $("grid").append(tile);
  }
  tile.className = `tile ${colourOf(c.indicators)}${state.selected === code ? " selected" : ""}`;
  tile.dataset.flood = c.indicators.floodAlertLevel;
  tile.replaceChildren(el("span", { class: "n" }, c.name), el("span", { class: "v" }, tileValue(c.indicators)));
  renderShape(code);
}

// The map: plain SVG drawn from the platform's own GeoJSON (no tiles, no library). An equirectangular projection scaled
// by the cosine of the mean latitude is exact enough for a city 100 km across.
const SVG = "http://www.w3.org/2000/svg";
const svg = (tag, attrs = {}) => {
  const node = document.createElementNS(SVG, tag);
  for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, v);
  return node;
};

function positions(geometry) {
  if (!geometry) return [];
  if (geometry.type === "Point") return [geometry.coordinates];
  if (geometry.type === "Polygon") return geometry.coordinates.flat();
  if (geometry.type === "MultiPolygon") return geometry.coordinates.flat(2);
  return [];
}

function fitProjection() {
  const all = state.shapes.flatMap((f) => positions(f.geometry));
  if (all.length === 0) return null;
  const lons = all.map((p) => p[0]), lats = all.map((p) => p[1]);
  const [minLon, maxLon, minLat, maxLat] = [Math.min(...lons), Math.max(...lons), Math.min(...lats), Math.max(...lats)];
  const k = Math.cos(((minLat + maxLat) / 2) * Math.PI / 180);
  const w = 800, h = 560, pad = 24;
  const scale = Math.min((w - 2 * pad) / Math.max(1e-6, (maxLon - minLon) * k), (h - 2 * pad) / Math.max(1e-6, maxLat - minLat));
  return ([lon, lat]) => [pad + (lon - minLon) * k * scale, h - pad - (lat - minLat) * scale];
}

function ringPath(ring) {
  return ring.map((p, i) => { const [x, y] = state.project(p); return `${i === 0 ? "M" : "L"}${x.toFixed(1)},${y.toFixed(1)}`; }).join("") + "Z";
}

function renderShape(code) {
  const shape = document.querySelector(`#map .commune[data-code="${code}"]`);
  const c = state.communes.get(code);
  if (!shape || !c) return;
  const approximate = shape.dataset.approximate === "true";
  shape.setAttribute("class", `commune ${colourOf(c.indicators)}${approximate ? " approximate" : ""}${state.selected === code ? " selected" : ""}`);
  shape.dataset.flood = c.indicators.floodAlertLevel;
  shape.querySelector("title").textContent = `${c.name} · ${tileValue(c.indicators)}`;
}

function sensorMarker(s) {
  let marker = document.querySelector(`#map .sensor[data-id="${CSS.escape(s.id)}"]`);
  if (!marker && state.project && s.longitude != null) {
    const [x, y] = state.project([s.longitude, s.latitude]);
    marker = svg("circle", { class: "sensor", "data-id": s.id, cx: x.toFixed(1), cy: y.toFixed(1), r: 5 });
    marker.append(svg("title"));
    $("sensorLayer").append(marker);
  }
  if (!marker) return;
  marker.setAttribute("class", `sensor s-${s.alertLevel ?? 0}`);
  marker.dataset.level = s.alertLevel ?? 0;
  marker.querySelector("title").textContent = `${s.id} · ${t("kinds")[s.kind] ?? s.kind} · ${t("level")} ${s.alertLevel ?? 0}`;
}

function renderReports() {
  const layer = $("reportLayer");
  if (!layer || !state.project) return;
  layer.replaceChildren(...state.reports.filter((f) => f.geometry).map((f) => {
    const [x, y] = state.project(f.geometry.coordinates);
    const mark = svg("rect", { class: "report", "data-id": f.id, x: (x - 3).toFixed(1), y: (y - 3).toFixed(1), width: 6, height: 6, transform: `rotate(45 ${x.toFixed(1)} ${y.toFixed(1)})` });
    mark.append(svg("title"));
    mark.querySelector("title").textContent = `${f.id} · ${f.properties.category}`;
    return mark;
  }));
}

function renderMap() {
  const map = $("map");
  state.project = fitProjection();
  if (!state.project) return;
  const shapes = svg("g"), labels = svg("g");
  for (const f of state.shapes) {
    const code = f.properties.code;
    let shape;
    if (f.geometry.type === "Point") {
      const [x, y] = state.project(f.geometry.coordinates);
      shape = svg("circle", { class: "commune", cx: x.toFixed(1), cy: y.toFixed(1), r: 11 });
      labels.append(Object.assign(svg("text", { class: "label", x: x.toFixed(1), y: (y + 22).toFixed(1) }), { textContent: f.properties.name }));
    } else {
      const polygons = f.geometry.type === "Polygon" ? [f.geometry.coordinates] : f.geometry.coordinates;
      shape = svg("path", { class: "commune", d: polygons.map((rings) => rings.map(ringPath).join("")).join(""), "fill-rule": "evenodd" });
    }
    shape.dataset.code = code;
    shape.dataset.approximate = String(f.properties.approximate);
    shape.append(svg("title"));
    shape.addEventListener("click", () => openDetail(code));
    shapes.append(shape);
    if (!state.communes.has(code) && f.properties.indicators) state.communes.set(code, { code, name: f.properties.name, indicators: f.properties.indicators });
  }
  map.replaceChildren(shapes, labels, svg("g", { id: "reportLayer" }), svg("g", { id: "sensorLayer" }));
  for (const code of state.communes.keys()) renderShape(code);
  for (const s of state.sensors.values()) sensorMarker(s);
  renderReports();
}

async function geoJson(url) {
  const response = await fetch(url, { headers: { Accept: "application/geo+json" } });
  return response.ok ? (await response.json()).features : [];
}

async function loadMap() {
  try {
    state.shapes = await geoJson("/api/v1/communes.geojson");
    for (const f of await geoJson("/api/v1/sensors?limit=1000")) state.sensors.set(f.id, { ...f.properties, id: f.id });
    state.reports = await geoJson("/api/v1/feedback?open=true&limit=1000");
    renderMap();
  } catch { /* offline: the tiles still show the figures */ }
}

let reportsDue = null;
function refreshReportsSoon() {
  if (reportsDue) return;
  reportsDue = setTimeout(async () => { reportsDue = null; state.reports = await geoJson("/api/v1/feedback?open=true&limit=1000").catch(() => state.reports); renderReports(); }, 1000);
}

let sensorsDue = null;
function refreshSensorsSoon() {
  if (sensorsDue) return;
  sensorsDue = setTimeout(async () => {
    sensorsDue = null;
    for (const f of await geoJson("/api/v1/sensors?limit=1000").catch(() => [])) {
      const known = state.sensors.get(f.id);
      const s = { ...f.properties, id: f.id, alertLevel: Math.max(f.properties.alertLevel ?? 0, known?.alertLevel ?? 0) };
      state.sensors.set(f.id, s);
      sensorMarker(s);
    }
  }, 300);
}

async function onSensorAlert(alert, change) {
  let s = state.sensors.get(alert.sensorId);
  if (!s) { // provisioned after the map was drawn: its place comes from its view
    const response = await fetch(`/api/v1/sensors/${encodeURIComponent(alert.sensorId)}`);
    if (!response.ok) return;
    const v = await response.json();
    s = { id: v.id, kind: v.kind, commune: v.commune, latitude: v.latitude, longitude: v.longitude, alertLevel: v.alertLevel };
    state.sensors.set(s.id, s);
  }
  // A sensor's level is the highest of its active alerts; a cleared one drops to what the others still raise.
  const others = state.alerts.filter((a) => a.sensorId === alert.sensorId).map((a) => a.level);
  s.alertLevel = Math.max(0, ...others, change === "cleared" ? 0 : alert.level);
  sensorMarker(s);
}

function renderLegend() {
  const entries = state.mode === "flood" ? [["c-ok", "0"], ["c-1", "BĐ1"], ["c-2", "BĐ2"], ["c-3", "BĐ3"]]
    : state.mode === "aqi" ? Object.entries(BAND_CLASS).map(([band, cls]) => [cls, t("bands")[band]])
    : [["c-ok", "0%"], ["c-1", "<10%"], ["c-2", "<25%"], ["c-3", "≥25%"]];
  $("legend").replaceChildren(...entries.map(([cls, text]) => el("span", { class: cls }, text)));
}

function renderAlerts() {
  const list = state.alerts;
  $("alerts").replaceChildren(...(list.length === 0 ? [el("li", {}, t("noAlerts"))] : list.map((a) => {
    const name = state.communes.get(a.commune)?.name ?? a.commune;
    return el("li", { class: `l${a.level}` }, `${name} · ${t("kinds")[a.kind] ?? a.kind} · ${t("level")} ${a.level} · ${a.value} · ${t("statuses")[a.status] ?? a.status}`);
  })));
}

function renderAll() {
  renderCity();
  for (const code of state.communes.keys()) renderTile(code);
  renderLegend();
  renderAlerts();
  document.documentElement.lang = state.lang;
  document.querySelectorAll("[data-t]").forEach((node) => { node.textContent = t(node.dataset.t); });
  $("lang").textContent = state.lang === "vi" ? "EN" : "VI";
  $("indicator").replaceChildren(...CHARTED.map((k) => el("option", { value: k }, t(k))));
  $("indicator").value = state.chartIndicator ?? "overdueCases";
  drawChart($("cityChart"), "/api/v1/city/history", $("indicator").value);
}

function applySnapshot(city) {
  state.city = city;
  state.alerts = city.activeAlerts;
  for (const c of city.communes) state.communes.set(c.code, c);
  renderAll();
}

async function openDetail(code) {
  state.selected = code;
  for (const key of state.communes.keys()) renderTile(key);
  const response = await fetch(`/api/v1/communes/${code}`);
  if (!response.ok) return;
  const c = await response.json();
  const panel = $("detail");
  panel.hidden = false;
  const close = el("button", { type: "button" }, t("close"));
  close.addEventListener("click", () => { panel.hidden = true; state.selected = null; for (const key of state.communes.keys()) renderTile(key); });
  const rows = c.sensors.map((k) => el("tr", {}, el("td", {}, t("kinds")[k.kind] ?? k.kind), el("td", {}, `${k.sensorsReporting}/${k.sensors}`),
    el("td", {}, k.mean === null ? "–" : `${format("mean", k.mean)} ${k.unit}`), el("td", {}, k.max === null ? "–" : `${format("max", k.max)} ${k.unit}`),
    el("td", {}, String(k.alertLevel))));
  const chart = el("div", { class: "chart" });
  panel.replaceChildren(
    el("div", { class: "panel-head" }, el("h2", {}, c.fullNameVi), close),
    el("div", { class: "cards" }, ...CARDS.map((k) => el("div", { class: "card" }, el("div", { class: "label" }, t(k)), el("div", { class: "value" }, format(k, c.indicators[k]))))),
    el("table", {}, el("thead", {}, el("tr", {}, ...["kind", "sensors", "mean", "max", "level"].map((k) => el("th", {}, t(k))))), el("tbody", {}, ...rows)),
    el("ul", { class: "alerts" }, ...(c.activeAlerts.length === 0 ? [el("li", {}, t("noAlerts"))]
      : c.activeAlerts.map((a) => el("li", { class: `l${a.level}` }, `${a.sensorId} · ${t("kinds")[a.kind] ?? a.kind} · ${a.value} · ${t("statuses")[a.status] ?? a.status}`)))),
    chart);
  drawChart(chart, `/api/v1/communes/${code}/history`, $("indicator").value);
}

async function drawChart(target, url, indicator) {
  const to = new Date();
  const from = new Date(to.getTime() - 24 * 3600 * 1000);
  let points = [];
  try {
    const response = await fetch(`${url}?indicator=${indicator}&bucket=1m&from=${from.toISOString()}&to=${to.toISOString()}`);
    if (response.ok) points = (await response.json()).points.filter((p) => p.last !== null);
  } catch { /* offline: keep the empty chart */ }
  if (points.length === 0) { target.replaceChildren(el("div", { class: "empty" }, t("noData"))); return; }
  const w = 600, h = 180, pad = 24;
  const x0 = from.getTime(), x1 = to.getTime();
  const ys = points.map((p) => p.last);
  const yMax = Math.max(1, ...ys), yMin = Math.min(0, ...ys);
  const sx = (at) => pad + ((new Date(at).getTime() - x0) / (x1 - x0)) * (w - 2 * pad);
  const sy = (v) => h - pad - ((v - yMin) / (yMax - yMin)) * (h - 2 * pad);
  const path = points.map((p, i) => `${i === 0 ? "M" : "L"}${sx(p.start).toFixed(1)},${sy(p.last).toFixed(1)}`).join(" ");
  target.innerHTML = `<svg viewBox="0 0 ${w} ${h}" role="img" aria-label="${t(indicator)}">
    <line x1="${pad}" y1="${h - pad}" x2="${w - pad}" y2="${h - pad}" stroke="#dde1e8"/>
    <text x="${pad}" y="14" font-size="11" fill="#5b6478">${t(indicator)} · max ${format(indicator, yMax)}</text>
    <path d="${path}" fill="none" stroke="#12355b" stroke-width="2"/></svg>`;
}

function connect() {
  const source = new EventSource("/api/v1/live");
  source.addEventListener("open", () => { $("live").className = "live"; $("live").textContent = t("live"); $("live").dataset.t = "live"; });
  source.addEventListener("error", () => { $("live").className = "live off"; $("live").textContent = t("offline"); $("live").dataset.t = "offline"; });
  source.addEventListener("snapshot", (e) => { const d = JSON.parse(e.data); if (d.city) applySnapshot(d.city); });
  source.addEventListener("indicators", (e) => {
    const d = JSON.parse(e.data);
    if (d.scope === "hue") { if (state.city) { state.city.indicators = d.indicators; renderCity(); } return; }
    const c = state.communes.get(d.scope);
    if (!c) return;
    if (c.indicators.openFeedback !== d.indicators.openFeedback) refreshReportsSoon();
    if (c.indicators.sensors !== d.indicators.sensors) refreshSensorsSoon();
    c.indicators = d.indicators;
    renderTile(d.scope);
    if (state.selected === d.scope) openDetail(d.scope);
  });
  source.addEventListener("alert", (e) => {
    const { change, alert } = JSON.parse(e.data);
    state.alerts = state.alerts.filter((a) => !(a.sensorId === alert.sensorId && a.rule === alert.rule));
    if (change !== "cleared") state.alerts.unshift(alert);
    state.alerts.sort((a, b) => b.level - a.level);
    renderAlerts();
    onSensorAlert(alert, change);
    // A gauge's alert arrives before its commune's indicators (sent at most every 2 s): raise the tile's flood level now.
    const c = state.communes.get(alert.commune);
    if (c && alert.kind === "water-level" && change !== "cleared" && alert.level > c.indicators.floodAlertLevel) {
      c.indicators = { ...c.indicators, floodAlertLevel: alert.level };
      renderTile(alert.commune);
    }
  });
}

$("mode").addEventListener("change", (e) => { state.mode = e.target.value; for (const code of state.communes.keys()) renderTile(code); renderLegend(); });
$("lang").addEventListener("click", () => { state.lang = state.lang === "vi" ? "en" : "vi"; localStorage.setItem("hue.lang", state.lang); renderAll(); });
$("indicator").addEventListener("change", (e) => { state.chartIndicator = e.target.value; drawChart($("cityChart"), "/api/v1/city/history", e.target.value); });
fetch("/api/v1/city").then((r) => r.json()).then(applySnapshot).catch(() => {}).finally(loadMap);
connect();
setInterval(() => drawChart($("cityChart"), "/api/v1/city/history", $("indicator").value), 60_000);
