// Display helpers. Amounts arrive as decimal strings and are sent back as the strings the trader
// typed; Number is used only to draw and to estimate, never for what is sent.

export function escapeHtml(text) {
  return String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
}

export function fixed(value, places) {
  const n = Number(value);
  if (!Number.isFinite(n)) return "–";
  return n.toLocaleString("en-US", { minimumFractionDigits: places, maximumFractionDigits: places });
}

export function compact(value) {
  const n = Number(value);
  if (!Number.isFinite(n)) return "–";
  return n.toLocaleString("en-US", { notation: "compact", maximumFractionDigits: 2 });
}

export function percent(value, places = 2) {
  const n = Number(value);
  if (!Number.isFinite(n)) return "–";
  return `${n > 0 ? "+" : ""}${n.toFixed(places)}%`;
}

export function signClass(value) {
  const n = Number(value);
  return n > 0 ? "gain" : n < 0 ? "loss" : "";
}

export function timeOfDay(ms) {
  return new Date(Number(ms)).toLocaleTimeString("en-GB", { hour12: false });
}

export function dateTime(ms) {
  const d = new Date(Number(ms));
  const day = [d.getFullYear(), d.getMonth() + 1, d.getDate()].map((x) => String(x).padStart(2, "0")).join("-");
  return `${day} ${d.toLocaleTimeString("en-GB", { hour12: false })}`; // local time throughout the page
}

export function countdown(untilMs, nowMs) {
  let s = Math.max(0, Math.floor((untilMs - nowMs) / 1000));
  const h = Math.floor(s / 3600);
  s -= h * 3600;
  const m = Math.floor(s / 60);
  s -= m * 60;
  return [h, m, s].map((x) => String(x).padStart(2, "0")).join(":");
}

export function places(step) {
  const text = String(step);
  const dot = text.indexOf(".");
  return dot < 0 ? 0 : text.replace(/0+$/, "").length - dot - 1;
}
