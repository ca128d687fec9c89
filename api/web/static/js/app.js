// The trading page: wires the market side, the account side, the key pair and the connection state.

import { AccountSide } from "./account.js";
import { timeOfDay } from "./format.js";
import { MarketSide } from "./market.js";
import { ApiError, Rest } from "./rest.js";
import { $, setText, toast } from "./ui.js";

const STORED_KEYS = "perpx.keys"; // sessionStorage: this tab only, gone when it closes
const DEMO = document.querySelector('meta[name="perpx-demo"]').content === "1";

const rest = new Rest();
const connections = new Map(); // which socket -> "live" | "lost"
let lostSince = null;

function showConnection(name, status, resumed, retryMs) {
  if (status === "closed") connections.delete(name); // closed on purpose (keys changed)
  else connections.set(name, status);
  const lost = [...connections.values()].includes("lost");
  const box = $("connection");
  box.className = `connection ${lost ? "lost" : "live"}`;
  setText("connection-text", lost ? "reconnecting" : "live");
  const banner = $("banner");
  if (lost) {
    lostSince = lostSince || Date.now();
    banner.hidden = false;
    banner.textContent = `Connection to the exchange lost at ${timeOfDay(lostSince)}; trying again in ${Math.round((retryMs || 1000) / 1000)} s. What you see may be out of date.`;
  } else {
    if (lostSince !== null && resumed) toast(`Connection resumed (lost at ${timeOfDay(lostSince)}); data reloaded.`, "ok");
    lostSince = null;
    banner.hidden = true;
  }
}

const account = new AccountSide(rest, null, (status, resumed, retryMs) => showConnection("user", status, resumed, retryMs));
const market = new MarketSide(rest, {
  onSymbol: (symbol) => {
    const m = market.markets.get(symbol);
    $("quantity").placeholder = m.lot;
    $("price").placeholder = m.tick;
    if (account.active) account.loadSymbol(symbol).catch((error) => account.showError(symbol, error));
    account.renderEstimate();
  },
  onBookClick: (price) => {
    $("price").value = price;
    account.renderEstimate();
  },
  onStatus: (status, resumed, retryMs) => showConnection("market", status, resumed, retryMs),
});
account.market = market;

// -- the key pair ---------------------------------------------------------------------------------

function storedKeys() {
  try {
    const keys = JSON.parse(sessionStorage.getItem(STORED_KEYS) || "null");
    return keys && keys.apiKey && keys.secretKey ? keys : null;
  } catch {
    return null;
  }
}

async function useKeys(keys, label) {
  try {
    await account.useKeys(keys);
  } catch (error) {
    await account.useKeys(null).catch(() => {});
    sessionStorage.removeItem(STORED_KEYS);
    throw error;
  }
  if (keys) sessionStorage.setItem(STORED_KEYS, JSON.stringify(keys));
  else sessionStorage.removeItem(STORED_KEYS);
  setText("entry-account", keys ? label || `key ${keys.apiKey.slice(0, 8)}…` : "no keys");
  setText("keys-button", keys ? `Account: ${label || keys.apiKey.slice(0, 8) + "…"}` : "API keys");
}

async function submitKeys(keys, label) {
  setText("keys-message", "");
  try {
    await useKeys(keys, label);
    $("keys-dialog").close();
  } catch (error) {
    const words = error instanceof ApiError ? error.words : error.message;
    setText("keys-message", `These keys were refused: ${words}`, "message error");
  }
}

async function openKeysDialog() {
  const keys = storedKeys();
  $("key-input").value = keys ? keys.apiKey : "";
  $("secret-input").value = keys ? keys.secretKey : "";
  setText("keys-message", "");
  $("keys-dialog").showModal();
  if (!DEMO) return;
  try {
    const demo = await rest.get("/perpx/v1/demo/keys");
    $("demo-accounts").hidden = demo.length === 0;
    $("demo-list").innerHTML = "";
    for (const row of demo) {
      const button = document.createElement("button");
      button.type = "button";
      button.textContent = `Demo account ${row.account} (key ${row.apiKey.slice(0, 8)}…)`;
      button.dataset.account = String(row.account);
      button.addEventListener("click", () => submitKeys({ apiKey: row.apiKey, secretKey: row.secretKey }, `demo ${row.account}`));
      $("demo-list").appendChild(button);
    }
  } catch (error) {
    setText("keys-message", `Demo accounts unavailable: ${error.words || error.message}`, "message error");
  }
}

function wireKeys() {
  $("keys-button").addEventListener("click", () => openKeysDialog());
  $("close-keys").addEventListener("click", () => $("keys-dialog").close());
  $("use-keys").addEventListener("click", () => {
    const apiKey = $("key-input").value.trim();
    const secretKey = $("secret-input").value.trim();
    if (!apiKey || !secretKey) {
      setText("keys-message", "Enter both the API key and the secret key.", "message error");
      return;
    }
    submitKeys({ apiKey, secretKey });
  });
  $("forget-keys").addEventListener("click", async () => {
    await useKeys(null);
    $("keys-dialog").close();
  });
}

// -- start ----------------------------------------------------------------------------------------

async function start() {
  wireKeys();
  account.wire();
  try {
    await rest.syncClock();
    await market.start(decodeURIComponent(location.hash.slice(1)) || "NVDAUSDC");
  } catch (error) {
    toast(`The exchange did not answer: ${error.words || error.message}`, "error");
    return;
  }
  const keys = storedKeys();
  if (keys) {
    await useKeys(keys).catch((error) => toast(`Stored keys refused: ${error.words || error.message}`, "error"));
  } else {
    account.renderAll();
  }
  document.body.dataset.ready = "1"; // for the browser tests: the first snapshots are drawn
}

window.addEventListener("unhandledrejection", (event) => {
  const error = event.reason; // still logged by the browser: a bug, which the browser tests catch
  toast(`Unexpected: ${error && (error.words || error.message)}`, "error");
});

start();
