// The trader's side of the page: order entry, open orders (cancel, amend), order history, own
// trades, positions, balance. Signed REST gives the snapshots; the user data stream (a listenKey)
// (opened as /private/ws?listenKey=..., which says when the key is unknown and closes) says when
// something changed: open orders follow its ORDER_TRADE_UPDATEs directly, the rest is
// read again (at most once a second), and everything after a lost connection comes back.

import { estimateOrder } from "./estimate.js";
import { dateTime, escapeHtml, fixed, signClass } from "./format.js";
import { ApiError } from "./rest.js";
import { ResumingSocket, wsUrl } from "./socket.js";
import { $, fillTable, setText, toast } from "./ui.js";

const KEEPALIVE_MS = 20 * 60 * 1000;
const OPEN = new Set(["NEW", "PARTIALLY_FILLED"]);

export class AccountSide {
  constructor(rest, market, onStatus) {
    this.rest = rest;
    this.market = market;
    this.onStatus = onStatus;
    this.openOrders = new Map(); // orderId -> REST-shaped order
    this.positions = [];
    this.account = null;
    this.brackets = new Map(); // symbol -> brackets
    this.fees = new Map(); // symbol -> {maker, taker}
    this.settings = null; // {leverage, marginType} of the current symbol
    this.orderType = "LIMIT";
    this.editing = null; // orderId being amended
    this.socket = null;
    this.listenKey = null;
    this.keepalive = null;
    this.refreshTimer = null;
    this.lastRefresh = 0;
  }

  get active() {
    return this.rest.keys !== null;
  }

  wire() {
    $("order-type").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-type]");
      if (!button) return;
      this.orderType = button.dataset.type;
      for (const b of $("order-type").querySelectorAll("button")) b.classList.toggle("active", b === button);
      $("price-row").hidden = this.orderType === "MARKET";
      $("tif-row").hidden = this.orderType === "MARKET";
      this.renderEstimate();
    });
    for (const id of ["price", "quantity", "leverage", "margin-mode", "tif", "post-only", "reduce-only"]) {
      $(id).addEventListener("input", () => this.renderEstimate());
    }
    $("buy").addEventListener("click", () => this.placeOrder("BUY"));
    $("sell").addEventListener("click", () => this.placeOrder("SELL"));
    $("apply-settings").addEventListener("click", () => this.applySettings());
    $("account-tabs").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-tab]");
      if (!button) return;
      for (const b of $("account-tabs").querySelectorAll("button")) b.classList.toggle("active", b === button);
      for (const table of document.querySelectorAll(".tab-body table")) table.hidden = table.dataset.tab !== button.dataset.tab;
    });
    $("open-orders").addEventListener("click", (event) => this.onOrderAction(event));
    $("positions").addEventListener("click", (event) => this.onPositionAction(event));
    setInterval(() => this.active && this.refreshAccount().catch(() => {}), 5000); // PnL moves with the mark
  }

  // -- keys and the user data stream --------------------------------------------------------------

  async useKeys(keys) {
    this.stop();
    await this.rest.useKeys(keys);
    this.openOrders.clear();
    this.positions = [];
    this.account = null;
    if (!keys) {
      setText("entry-account", "no keys");
      $("tabs-empty").hidden = false;
      this.renderAll();
      return;
    }
    $("tabs-empty").hidden = true;
    await this.loadEverything(); // a bad key pair fails here, with the exchange's words
    await this.openUserStream();
  }

  stop() {
    clearInterval(this.keepalive);
    clearTimeout(this.renewTimer);
    if (this.socket) {
      this.socket.close();
      this.onStatus("closed");
    }
    this.socket = null;
    this.listenKey = null;
  }

  // a listenKey the exchange no longer knows (expired while the page was away): take a new one
  renewUserStream() {
    this.stop();
    this.openUserStream()
      .then(() => {
        toast("User data stream renewed (its key had expired); account reloaded.", "ok");
        return this.loadEverything(); // what changed while no stream was open
      })
      .catch((error) => {
        this.showError("User stream", error);
        this.renewTimer = setTimeout(() => this.active && this.renewUserStream(), 5000);
      });
  }

  async openUserStream() {
    const { listenKey } = await this.rest.keyed("POST", "/fapi/v1/listenKey");
    this.listenKey = listenKey;
    this.socket = new ResumingSocket(wsUrl(`/private/ws?listenKey=${encodeURIComponent(listenKey)}`), {
      onMessage: (message) => this.onUserEvent(message),
      onStatus: (status, resumed, retryMs) => this.onStatus(status, resumed, retryMs),
      onOpen: (resumed) => {
        if (resumed) this.loadEverything().catch((error) => this.showError("Resync", error));
      },
    });
    this.socket.open();
    clearInterval(this.keepalive);
    this.keepalive = setInterval(() => this.rest.keyed("PUT", "/fapi/v1/listenKey").catch((error) => this.showError("Keeping the user stream", error)), KEEPALIVE_MS);
  }

  async loadEverything() {
    const symbol = this.market.symbol;
    const [open] = await Promise.all([
      this.rest.signed("GET", "/fapi/v1/openOrders"),
      this.refreshAccount(),
      this.loadSymbol(symbol),
    ]);
    this.openOrders = new Map(open.map((o) => [o.orderId, o]));
    this.renderOpenOrders();
  }

  // what the order form needs for this market, and its history
  async loadSymbol(symbol) {
    if (!this.active) return;
    const [brackets, fees, settings] = await Promise.all([
      this.brackets.has(symbol) ? null : this.rest.signed("GET", "/fapi/v1/leverageBracket", { symbol }),
      this.fees.has(symbol) ? null : this.rest.signed("GET", "/fapi/v1/commissionRate", { symbol }),
      this.rest.signed("GET", "/fapi/v2/positionRisk", { symbol }),
      this.refreshHistory(symbol),
    ]);
    if (brackets) this.brackets.set(symbol, brackets.brackets);
    if (fees) this.fees.set(symbol, { maker: Number(fees.makerCommissionRate), taker: Number(fees.takerCommissionRate) });
    const row = settings[0];
    if (row && symbol === this.market.symbol) {
      this.settings = { leverage: Number(row.leverage), marginType: row.marginType === "isolated" ? "ISOLATED" : "CROSSED" };
      $("leverage").value = String(this.settings.leverage);
      $("leverage").max = String(this.market.market.maxLeverage);
      $("margin-mode").value = this.settings.marginType;
    }
    this.renderEstimate();
  }

  async refreshAccount() {
    const [account, positions, balances] = await Promise.all([
      this.rest.signed("GET", "/fapi/v3/account"),
      this.rest.signed("GET", "/fapi/v3/positionRisk"),
      this.rest.signed("GET", "/fapi/v3/balance"),
    ]);
    this.account = account;
    this.positions = positions;
    this.balances = balances;
    this.renderAccount();
    this.renderPositions();
    this.renderBalances();
    this.renderEstimate();
  }

  async refreshHistory(symbol) {
    const [orders, trades] = await Promise.all([
      this.rest.signed("GET", "/fapi/v1/allOrders", { symbol, limit: 100 }),
      this.rest.signed("GET", "/fapi/v1/userTrades", { symbol, limit: 100 }),
    ]);
    if (symbol !== this.market.symbol) return;
    this.history = orders.sort((a, b) => b.updateTime - a.updateTime || b.orderId - a.orderId);
    this.trades = trades.sort((a, b) => b.time - a.time || b.id - a.id);
    this.renderHistory();
    this.renderTrades();
  }

  // at most one read of the account and history a second, however many events come
  scheduleRefresh() {
    if (this.refreshTimer) return;
    const wait = Math.max(0, 1000 - (Date.now() - this.lastRefresh));
    this.refreshTimer = setTimeout(async () => {
      this.refreshTimer = null;
      this.lastRefresh = Date.now();
      try {
        await Promise.all([this.refreshAccount(), this.refreshHistory(this.market.symbol)]);
      } catch (error) {
        this.showError("Account", error);
      }
    }, wait);
  }

  onUserEvent(message) {
    if (message.error) {
      toast(`User stream: ${message.error.msg}`, "error");
      this.renewUserStream();
      return;
    }
    if (message.e === "listenKeyExpired") {
      this.renewUserStream();
      return;
    }
    if (message.e === "ORDER_TRADE_UPDATE") {
      const o = message.o;
      const known = this.openOrders.get(o.i);
      if (OPEN.has(o.X)) {
        this.openOrders.set(o.i, {
          orderId: o.i,
          symbol: o.s,
          side: o.S,
          type: o.o,
          timeInForce: o.f,
          origQty: o.q,
          price: o.p,
          executedQty: o.z,
          status: o.X,
          reduceOnly: o.R,
          time: known ? known.time : o.T,
          updateTime: o.T,
        });
      } else {
        this.openOrders.delete(o.i);
      }
      if (o.x === "TRADE") toast(`${o.S === "BUY" ? "Bought" : "Sold"} ${o.l} ${o.s} at ${o.L}${o.X === "FILLED" ? " (order filled)" : ""}`, "ok");
      if (o.x === "EXPIRED") toast(`Order ${o.i} expired unfilled (${o.f})`);
      this.renderOpenOrders();
    }
    this.scheduleRefresh();
  }

  // -- order entry --------------------------------------------------------------------------------

  formOrder(side) {
    const m = this.market.market;
    const params = { symbol: m.symbol, side, type: this.orderType, quantity: $("quantity").value.trim() };
    if (this.orderType === "LIMIT") {
      params.price = $("price").value.trim();
      params.timeInForce = $("post-only").checked ? "GTX" : $("tif").value;
    }
    if ($("reduce-only").checked) params.reduceOnly = "true";
    params.newOrderRespType = "RESULT";
    return params;
  }

  async placeOrder(side) {
    const params = this.formOrder(side);
    this.message("");
    try {
      const order = await this.rest.signed("POST", "/fapi/v1/order", params);
      const what = `${order.side} ${order.origQty} ${order.symbol}${order.type === "LIMIT" ? ` at ${order.price}` : ""}`;
      this.message(`Order ${order.orderId} ${order.status.toLowerCase()}: ${what}`, "ok");
      if (OPEN.has(order.status)) this.openOrders.set(order.orderId, order);
      this.renderOpenOrders();
      this.scheduleRefresh();
    } catch (error) {
      this.showError("Order rejected", error, true);
    }
  }

  async applySettings() {
    const symbol = this.market.symbol;
    const leverage = $("leverage").value.trim();
    const marginType = $("margin-mode").value;
    try {
      if (this.settings && marginType !== this.settings.marginType) {
        await this.rest.signed("POST", "/fapi/v1/marginType", { symbol, marginType });
      }
      const answer = await this.rest.signed("POST", "/fapi/v1/leverage", { symbol, leverage });
      this.settings = { leverage: Number(answer.leverage), marginType };
      this.message(`${symbol}: ${marginType === "ISOLATED" ? "isolated" : "cross"} margin, ${answer.leverage}x leverage`, "ok");
      this.renderEstimate();
    } catch (error) {
      this.showError("Settings refused", error, true);
      await this.loadSymbol(symbol).catch(() => {});
    }
  }

  renderEstimate() {
    const m = this.market.market;
    if (!m) return;
    $("base-asset").textContent = m.baseAsset;
    const quantity = Number($("quantity").value);
    const leverage = Number($("leverage").value);
    const premium = this.market.premium.get(m.symbol) || {};
    const held = this.positions.find((p) => p.symbol === m.symbol);
    const position = held && {
      amount: Number(held.positionAmt),
      entry: Number(held.entryPrice),
      isolatedWallet: Number(held.isolatedWallet),
      unrealized: Number(held.unRealizedProfit),
      maintMargin: Number(held.maintMargin),
    };
    const account = this.account && { marginBalance: Number(this.account.totalMarginBalance), maintMargin: Number(this.account.totalMaintMargin) };
    for (const [side, name] of [[1, "buy"], [-1, "sell"]]) {
      const price = this.orderType === "MARKET" ? this.market.bestPrice(side) || Number(premium.mark) : Number($("price").value);
      const estimate = estimateOrder({
        side,
        quantity,
        price,
        markPrice: Number(premium.mark),
        leverage,
        isolated: $("margin-mode").value === "ISOLATED",
        takerFee: (this.fees.get(m.symbol) || {}).taker || 0,
        brackets: this.brackets.get(m.symbol),
        position,
        account,
      });
      setText(`est-notional-${name}`, estimate ? fixed(estimate.notional, 2) : "–");
      setText(`est-cost-${name}`, estimate && this.active ? `${fixed(estimate.cost, 2)} USDC` : "–");
      setText(`est-liq-${name}`, estimate && this.active ? (estimate.liquidation ? fixed(estimate.liquidation, m.pricePlaces) : "none") : "–");
    }
  }

  // -- open orders: cancel and amend -----------------------------------------------------------------

  async onOrderAction(event) {
    const button = event.target.closest("button[data-action]");
    if (!button) return;
    const orderId = Number(button.dataset.order);
    const order = this.openOrders.get(orderId);
    if (!order) return;
    const action = button.dataset.action;
    if (action === "edit") {
      this.editing = orderId;
      this.renderOpenOrders();
      return;
    }
    if (action === "keep") {
      this.editing = null;
      this.renderOpenOrders();
      return;
    }
    try {
      if (action === "cancel") {
        const answer = await this.rest.signed("DELETE", "/fapi/v1/order", { symbol: order.symbol, orderId });
        this.openOrders.delete(orderId);
        this.message(`Order ${orderId} ${answer.status.toLowerCase()}`, "ok");
      } else if (action === "save") {
        const row = button.closest("tr");
        const price = row.querySelector("input[name=price]").value.trim();
        const quantity = row.querySelector("input[name=quantity]").value.trim();
        const answer = await this.rest.signed("PUT", "/fapi/v1/order", { symbol: order.symbol, side: order.side, orderId, price, quantity });
        this.openOrders.set(orderId, { ...order, ...answer });
        this.editing = null;
        this.message(`Order ${orderId} amended: ${answer.origQty} at ${answer.price}`, "ok");
      }
      this.renderOpenOrders();
      this.scheduleRefresh();
    } catch (error) {
      this.showError(action === "cancel" ? "Cancel refused" : "Amend refused", error, true);
    }
  }

  async onPositionAction(event) {
    const button = event.target.closest("button[data-close]");
    if (!button) return;
    const held = this.positions.find((p) => p.symbol === button.dataset.close);
    if (!held) return;
    const amount = Number(held.positionAmt);
    const params = { symbol: held.symbol, side: amount > 0 ? "SELL" : "BUY", type: "MARKET", quantity: held.positionAmt.replace("-", ""), reduceOnly: "true", newOrderRespType: "RESULT" };
    try {
      const order = await this.rest.signed("POST", "/fapi/v1/order", params);
      this.message(`Closing ${held.symbol}: order ${order.orderId} ${order.status.toLowerCase()}`, "ok");
      this.scheduleRefresh();
    } catch (error) {
      this.showError("Close refused", error, true);
    }
  }

  // -- rendering ------------------------------------------------------------------------------------

  renderAll() {
    this.renderOpenOrders();
    this.renderPositions();
    this.renderHistory();
    this.renderTrades();
    this.renderBalances();
    this.renderAccount();
    this.renderEstimate();
  }

  places(symbol) {
    const m = this.market.markets.get(symbol);
    return m ? [m.pricePlaces, m.sizePlaces] : [2, 3];
  }

  renderOpenOrders() {
    const orders = [...this.openOrders.values()].sort((a, b) => b.orderId - a.orderId);
    setText("count-open-orders", String(orders.length));
    this.market.setOwnPrices(orders.filter((o) => o.symbol === this.market.symbol).map((o) => o.price));
    const rows = orders.map((o) => {
      const [pp, sp] = this.places(o.symbol);
      const editing = this.editing === o.orderId;
      const price = editing ? `<input name="price" value="${escapeHtml(o.price)}">` : fixed(o.price, pp);
      const qty = editing ? `<input name="quantity" value="${escapeHtml(o.origQty)}">` : fixed(o.origQty, sp);
      const actions = editing
        ? `<button type="button" data-action="save" data-order="${o.orderId}">Save</button><button type="button" data-action="keep" data-order="${o.orderId}" class="ghost">Back</button>`
        : `<button type="button" data-action="edit" data-order="${o.orderId}" class="ghost">Amend</button><button type="button" data-action="cancel" data-order="${o.orderId}">Cancel</button>`;
      return `<tr data-order="${o.orderId}"><td>${dateTime(o.time || o.updateTime)}</td><td>${escapeHtml(o.symbol)}</td><td>${o.orderId}</td>
        <td>${escapeHtml(o.type)}</td><td class="side-${escapeHtml(o.side)}">${escapeHtml(o.side)}</td>
        <td class="num">${price}</td><td class="num">${qty}</td><td class="num">${fixed(o.executedQty, sp)}</td>
        <td>${escapeHtml(o.timeInForce)}</td><td>${o.reduceOnly ? "yes" : "no"}</td><td class="actions">${actions}</td></tr>`;
    });
    fillTable($("open-orders"), [["Time"], ["Market"], ["Order"], ["Type"], ["Side"], ["Price", "num"], ["Size", "num"], ["Filled", "num"], ["TIF"], ["Reduce-only"], ["", "num"]], rows);
  }

  renderPositions() {
    const open = this.positions.filter((p) => Number(p.positionAmt) !== 0);
    setText("count-positions", String(open.length));
    const equity = this.account ? Number(this.account.totalMarginBalance) : 0;
    const rows = open.map((p) => {
      const [pp, sp] = this.places(p.symbol);
      const amount = Number(p.positionAmt);
      const isolated = Number(p.isolatedWallet) > 0;
      const margin = isolated ? Number(p.isolatedMargin) : Number(p.initialMargin);
      const base = isolated ? Number(p.isolatedMargin) : equity;
      const ratio = base > 0 ? (Number(p.maintMargin) / base) * 100 : 0;
      const roe = Number(p.initialMargin) > 0 ? (Number(p.unRealizedProfit) / Number(p.initialMargin)) * 100 : 0;
      return `<tr data-symbol="${escapeHtml(p.symbol)}"><td>${escapeHtml(p.symbol)} <span class="muted">${isolated ? "isolated" : "cross"}</span></td>
        <td class="num ${amount > 0 ? "pos-long" : "pos-short"}">${fixed(p.positionAmt, sp)}</td>
        <td class="num">${fixed(p.entryPrice, pp)}</td><td class="num">${fixed(p.markPrice, pp)}</td>
        <td class="num">${Number(p.liquidationPrice) > 0 ? fixed(p.liquidationPrice, pp) : "none"}</td>
        <td class="num">${fixed(margin, 2)}</td><td class="num">${ratio.toFixed(2)}%</td>
        <td class="num ${signClass(p.unRealizedProfit)}">${fixed(p.unRealizedProfit, 2)} (${roe.toFixed(2)}%)</td>
        <td class="actions"><button type="button" data-close="${escapeHtml(p.symbol)}">Close at market</button></td></tr>`;
    });
    fillTable($("positions"), [["Market"], ["Size", "num"], ["Entry", "num"], ["Mark", "num"], ["Liq. price", "num"], ["Margin", "num"], ["Margin ratio", "num"], ["PnL (ROE)", "num"], ["", "num"]], rows);
  }

  renderHistory() {
    const rows = (this.active ? this.history || [] : []).map((o) => {
      const [pp, sp] = this.places(o.symbol);
      return `<tr><td>${dateTime(o.updateTime || o.time)}</td><td>${escapeHtml(o.symbol)}</td><td>${o.orderId}</td><td>${escapeHtml(o.type)}</td>
        <td class="side-${escapeHtml(o.side)}">${escapeHtml(o.side)}</td><td class="num">${Number(o.price) > 0 ? fixed(o.price, pp) : "market"}</td>
        <td class="num">${Number(o.avgPrice) > 0 ? fixed(o.avgPrice, pp) : "–"}</td><td class="num">${fixed(o.origQty, sp)}</td>
        <td class="num">${fixed(o.executedQty, sp)}</td><td>${escapeHtml(o.status)}</td></tr>`;
    });
    fillTable($("order-history"), [["Time"], ["Market"], ["Order"], ["Type"], ["Side"], ["Price", "num"], ["Average", "num"], ["Size", "num"], ["Filled", "num"], ["Status"]], rows);
  }

  renderTrades() {
    const rows = (this.active ? this.trades || [] : []).map((t) => {
      const [pp, sp] = this.places(t.symbol);
      return `<tr><td>${dateTime(t.time)}</td><td>${escapeHtml(t.symbol)}</td><td class="side-${escapeHtml(t.side)}">${escapeHtml(t.side)}</td>
        <td class="num">${fixed(t.price, pp)}</td><td class="num">${fixed(t.qty, sp)}</td><td class="num">${fixed(t.quoteQty, 2)}</td>
        <td class="num">${escapeHtml(t.commission)} ${escapeHtml(t.commissionAsset)}</td><td class="num ${signClass(t.realizedPnl)}">${fixed(t.realizedPnl, 2)}</td>
        <td>${t.maker ? "maker" : "taker"}</td></tr>`;
    });
    fillTable($("own-trades"), [["Time"], ["Market"], ["Side"], ["Price", "num"], ["Size", "num"], ["Value", "num"], ["Fee", "num"], ["Realized PnL", "num"], ["Role"]], rows);
  }

  renderBalances() {
    const rows = (this.active ? this.balances || [] : []).map(
      (b) => `<tr><td>${escapeHtml(b.asset)}</td><td class="num">${fixed(b.balance, 2)}</td><td class="num">${fixed(b.crossWalletBalance, 2)}</td>
        <td class="num ${signClass(b.crossUnPnl)}">${fixed(b.crossUnPnl, 2)}</td><td class="num">${fixed(b.availableBalance, 2)}</td><td class="num">${fixed(b.maxWithdrawAmount, 2)}</td></tr>`,
    );
    fillTable($("balances"), [["Asset"], ["Wallet balance", "num"], ["Cross wallet", "num"], ["Cross unrealized PnL", "num"], ["Available", "num"], ["Max withdraw", "num"]], rows);
  }

  renderAccount() {
    const a = this.active ? this.account : null;
    const value = (field) => (a ? fixed(a[field], 2) : "–");
    setText("acct-wallet", value("totalWalletBalance"));
    setText("acct-upnl", value("totalUnrealizedProfit"), a ? signClass(a.totalUnrealizedProfit) : "");
    setText("acct-margin", value("totalMarginBalance"));
    setText("acct-available", value("availableBalance"));
    setText("acct-initial", value("totalInitialMargin"));
    setText("acct-maint", value("totalMaintMargin"));
    const ratio = a && Number(a.totalMarginBalance) > 0 ? (Number(a.totalMaintMargin) / Number(a.totalMarginBalance)) * 100 : null;
    setText("acct-ratio", ratio === null ? "–" : `${ratio.toFixed(2)}%`);
  }

  // -- messages -------------------------------------------------------------------------------------

  message(text, kind = "") {
    const element = $("order-message");
    element.textContent = text;
    element.className = `message ${kind}`;
  }

  showError(what, error, inForm = false) {
    const words = error instanceof ApiError ? error.words : error.message;
    if (inForm) this.message(`${what}: ${words}`, "error");
    toast(`${what}: ${words}`, "error");
  }
}
