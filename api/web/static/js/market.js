// The market side of the page: the market list, the header figures, the session strip, the book,
// the recent trades and the chart. REST gives each a snapshot; one combined WebSocket keeps them
// current; after a lost connection comes back, every snapshot is fetched again.

import { CandleChart } from "./chart.js";
import { compact, countdown, escapeHtml, fixed, percent, places, timeOfDay } from "./format.js";
import { ResumingSocket, wsUrl } from "./socket.js";
import { $, setText, toast } from "./ui.js";

const INTERVAL_MS = { "1m": 60000, "5m": 300000, "15m": 900000, "1h": 3600000 };
const BOOK_LEVELS = 14;
const TRADES_KEPT = 60;

export class MarketSide {
  constructor(rest, { onSymbol, onBookClick, onStatus }) {
    this.rest = rest;
    this.onSymbol = onSymbol;
    this.onBookClick = onBookClick;
    this.onStatus = onStatus;
    this.markets = new Map(); // symbol -> {symbol, baseAsset, tick, lot, pricePlaces, sizePlaces, maxLeverage, minNotional}
    this.tickers = new Map(); // symbol -> {last, open, high, low, volume, quoteVolume}
    this.premium = new Map(); // symbol -> {mark, index, rate, nextFunding}
    this.sessions = new Map(); // symbol -> /perpx/v1/session row
    this.symbol = null;
    this.interval = "1m";
    this.book = { bids: [], asks: [] };
    this.trades = [];
    this.ownPrices = new Set(); // prices of the trader's open orders in this market (marked in the book)
    this.chart = new CandleChart($("chart"));
    this.socket = null;
  }

  get market() {
    return this.markets.get(this.symbol);
  }

  async start(symbol) {
    const info = await this.rest.get("/fapi/v1/exchangeInfo");
    for (const s of info.symbols) {
      const filter = (type) => s.filters.find((f) => f.filterType === type) || {};
      const tick = filter("PRICE_FILTER").tickSize;
      const lot = filter("LOT_SIZE").stepSize;
      this.markets.set(s.symbol, {
        symbol: s.symbol,
        baseAsset: s.baseAsset,
        tick,
        lot,
        pricePlaces: places(tick),
        sizePlaces: places(lot),
        maxLeverage: Math.round(100 / Number(s.requiredMarginPercent)),
        minNotional: filter("MIN_NOTIONAL").notional,
        status: s.status,
      });
    }
    const chosen = this.markets.has(symbol) ? symbol : [...this.markets.keys()][0];
    $("market-button").addEventListener("click", () => this.toggleList());
    document.addEventListener("click", (event) => {
      if (!event.target.closest(".market-picker")) $("market-list").hidden = true;
    });
    $("market-rows").addEventListener("click", (event) => {
      const row = event.target.closest("tr[data-symbol]");
      if (row) {
        $("market-list").hidden = true;
        this.select(row.dataset.symbol);
      }
    });
    $("intervals").addEventListener("click", (event) => {
      const button = event.target.closest("button[data-interval]");
      if (button) this.setInterval(button.dataset.interval);
    });
    const onLevel = (event) => {
      const level = event.target.closest(".lvl[data-price]");
      if (level) this.onBookClick(level.dataset.price);
    };
    $("asks").addEventListener("click", onLevel);
    $("bids").addEventListener("click", onLevel);
    setInterval(() => this.renderFunding(), 1000);
    setInterval(() => this.refreshSessions().catch(() => {}), 30000); // the next corporate action
    await this.select(chosen);
  }

  toggleList() {
    const list = $("market-list");
    list.hidden = !list.hidden;
    if (!list.hidden) this.renderList();
  }

  async select(symbol) {
    this.symbol = symbol;
    this.book = { bids: [], asks: [] };
    this.trades = [];
    history.replaceState(null, "", `#${symbol}`);
    document.title = `${symbol} · perpx`;
    setText("market-symbol", symbol);
    this.onSymbol(symbol);
    this.connect();
    await this.resync();
  }

  async setInterval(interval) {
    this.interval = interval;
    for (const button of $("intervals").querySelectorAll("button")) button.classList.toggle("active", button.dataset.interval === interval);
    this.connect();
    await this.loadChart().catch((error) => toast(`Chart: ${error.words || error.message}`, "error"));
  }

  streams() {
    const s = this.symbol.toLowerCase();
    return [
      "!miniTicker@arr",
      "!markPrice@arr@1s",
      `${s}@depth20@100ms`,
      `${s}@trade`,
      `${s}@ticker`,
      `${s}@session`,
      `${s}@kline_${this.interval}`,
    ];
  }

  connect() {
    if (this.socket) this.socket.close();
    this.socket = new ResumingSocket(wsUrl(`/stream?streams=${this.streams().join("/")}`), {
      onMessage: (message) => this.onMessage(message),
      onStatus: (status, resumed, retryMs) => this.onStatus(status, resumed, retryMs),
      onOpen: (resumed) => {
        if (resumed) this.resync().catch((error) => toast(`Resync failed: ${error.words || error.message}`, "error"));
      },
    });
    this.socket.open();
  }

  // every snapshot again: the streams only say what changed
  async resync() {
    const symbol = this.symbol;
    const [tickers, premium, depth, trades] = await Promise.all([
      this.rest.get("/fapi/v1/ticker/24hr"),
      this.rest.get("/fapi/v1/premiumIndex"),
      this.rest.get("/fapi/v1/depth", { symbol, limit: 20 }),
      this.rest.get("/fapi/v1/trades", { symbol, limit: TRADES_KEPT }),
      this.refreshSessions(),
    ]);
    if (symbol !== this.symbol) return;
    for (const t of tickers) {
      this.tickers.set(t.symbol, { last: t.lastPrice, open: t.openPrice, high: t.highPrice, low: t.lowPrice, volume: t.volume, quoteVolume: t.quoteVolume });
    }
    for (const p of premium) this.premium.set(p.symbol, { mark: p.markPrice, index: p.indexPrice, rate: p.lastFundingRate, nextFunding: p.nextFundingTime });
    this.book = { bids: depth.bids, asks: depth.asks };
    this.trades = trades.map((t) => ({ id: t.id, price: t.price, qty: t.qty, time: t.time, buy: !t.isBuyerMaker })).reverse();
    this.renderHeader();
    this.renderBook();
    this.renderTrades();
    this.renderSession();
    if ($("market-list").hidden === false) this.renderList();
    await this.loadChart();
  }

  async refreshSessions() {
    const rows = await this.rest.get("/perpx/v1/session");
    for (const row of rows) this.sessions.set(row.symbol, row);
    this.renderSession();
  }

  async loadChart() {
    const symbol = this.symbol;
    const params = { symbol, interval: this.interval, limit: 240 };
    const [last, mark, index] = await Promise.all([
      this.rest.get("/fapi/v1/klines", params),
      this.rest.get("/fapi/v1/markPriceKlines", params),
      this.rest.get("/fapi/v1/indexPriceKlines", { pair: symbol, interval: this.interval, limit: 240 }),
    ]);
    if (symbol !== this.symbol) return;
    this.chart.reset(INTERVAL_MS[this.interval], this.market.pricePlaces);
    this.chart.setKlines(last);
    this.chart.setLine("mark", mark);
    this.chart.setLine("index", index);
  }

  onMessage(message) {
    if (message.error) {
      toast(`Market data: ${message.error.msg}`, "error");
      return;
    }
    const { stream, data } = message;
    if (!stream || !data) return;
    if (stream === "!miniTicker@arr") {
      for (const t of data) this.tickers.set(t.s, { ...this.tickers.get(t.s), last: t.c, open: t.o, high: t.h, low: t.l, volume: t.v, quoteVolume: t.q });
      this.renderHeader();
      if (!$("market-list").hidden) this.renderList();
      return;
    }
    if (stream === "!markPrice@arr@1s") {
      for (const p of data) this.premium.set(p.s, { mark: p.p, index: p.i, rate: p.r, nextFunding: p.T });
      const own = this.premium.get(this.symbol);
      if (own) this.chart.putPrices(Date.now(), own.mark, own.index);
      this.renderHeader();
      return;
    }
    if (data.s !== this.symbol) return;
    switch (data.e) {
      case "depthUpdate":
        this.book = { bids: data.b, asks: data.a };
        this.renderBook();
        break;
      case "trade":
        this.trades.unshift({ id: data.t, price: data.p, qty: data.q, time: data.T, buy: !data.m });
        this.trades.length = Math.min(this.trades.length, TRADES_KEPT);
        this.tickers.set(data.s, { ...this.tickers.get(data.s), last: data.p }); // the ticker follows on its clock
        this.renderTrades();
        this.renderHeader();
        break;
      case "24hrTicker":
        this.tickers.set(data.s, { last: data.c, open: data.o, high: data.h, low: data.l, volume: data.v, quoteVolume: data.q });
        this.renderHeader();
        break;
      case "sessionUpdate":
        this.sessions.set(data.s, {
          ...this.sessions.get(data.s),
          session: data.session,
          indexSource: data.indexSource,
          indexPrice: data.i,
          markPrice: data.p,
          bandLow: data.bandLow,
          bandHigh: data.bandHigh,
          discoveryLow: Number(data.discoveryLow) > 0 ? data.discoveryLow : null,
          discoveryHigh: Number(data.discoveryHigh) > 0 ? data.discoveryHigh : null,
        });
        this.renderSession();
        break;
      case "kline":
        if (data.k.i === this.interval) this.chart.putCandle(data.k);
        break;
      default:
        break;
    }
  }

  // -- rendering ----------------------------------------------------------------------------------

  renderHeader() {
    const m = this.market;
    if (!m) return;
    const t = this.tickers.get(this.symbol) || {};
    const p = this.premium.get(this.symbol) || {};
    const change = Number(t.open) > 0 ? ((Number(t.last) - Number(t.open)) / Number(t.open)) * 100 : 0;
    const direction = change > 0 ? "buy-text" : change < 0 ? "sell-text" : "";
    setText("stat-last", Number(t.last) > 0 ? fixed(t.last, m.pricePlaces) : "–", `price ${direction}`);
    setText("stat-change", Number(t.open) > 0 ? percent(change) : "–", direction);
    setText("stat-mark", fixed(p.mark, m.pricePlaces));
    setText("stat-index", fixed(p.index, m.pricePlaces));
    setText("stat-range", Number(t.high) > 0 ? `${fixed(t.high, m.pricePlaces)} / ${fixed(t.low, m.pricePlaces)}` : "–");
    setText("stat-volume", t.volume !== undefined ? `${compact(t.volume)} ${m.baseAsset} · ${compact(t.quoteVolume)} USDC` : "–");
    this.renderFunding();
  }

  renderFunding() {
    const p = this.premium.get(this.symbol);
    if (!p) return;
    const rate = Number(p.rate) * 100;
    setText("stat-funding", `${rate >= 0 ? "" : "−"}${Math.abs(rate).toFixed(4)}%`, rate > 0 ? "buy-text" : rate < 0 ? "sell-text" : "");
    setText("stat-countdown", p.nextFunding ? countdown(p.nextFunding, Date.now()) : "–");
  }

  renderList() {
    const rows = [...this.markets.values()].map((m) => {
      const t = this.tickers.get(m.symbol) || {};
      const p = this.premium.get(m.symbol) || {};
      const s = this.sessions.get(m.symbol) || {};
      const change = Number(t.open) > 0 ? ((Number(t.last) - Number(t.open)) / Number(t.open)) * 100 : null;
      const cls = change > 0 ? "buy-text" : change < 0 ? "sell-text" : "";
      return `<tr data-symbol="${escapeHtml(m.symbol)}" class="${m.symbol === this.symbol ? "current" : ""}">
        <td>${escapeHtml(m.symbol)}</td>
        <td class="num">${Number(t.last) > 0 ? fixed(t.last, m.pricePlaces) : "–"}</td>
        <td class="num ${cls}">${change === null ? "–" : percent(change)}</td>
        <td><span class="badge ${escapeHtml(s.session || "")}">${escapeHtml(s.session || "–")}</span></td>
        <td class="num">${p.rate !== undefined ? `${(Number(p.rate) * 100).toFixed(4)}%` : "–"}</td></tr>`;
    });
    $("market-rows").innerHTML = rows.join("");
  }

  renderSession() {
    const m = this.market;
    const s = this.sessions.get(this.symbol);
    if (!m || !s) return;
    setText("session-name", s.session || "no price yet", `badge ${s.session || ""}`);
    setText("session-source", s.indexSource ? `${s.indexSource}` : "–", `badge ${s.indexSource || ""}`);
    setText("session-band", s.bandLow ? `${fixed(s.bandLow, m.pricePlaces)} – ${fixed(s.bandHigh, m.pricePlaces)}` : "–");
    setText("session-discovery", s.discoveryLow ? `${fixed(s.discoveryLow, m.pricePlaces)} – ${fixed(s.discoveryHigh, m.pricePlaces)}` : "none (external index)");
    const a = s.nextCorporateAction;
    let action = "none scheduled";
    if (a) {
      const when = new Date(a.effectiveTime).toISOString().slice(0, 16).replace("T", " ");
      action = a.type === "SPLIT" ? `split ${a.ratio} at ${when} UTC` : `cash dividend ${a.amountPerShare} USDC/share at ${when} UTC`;
    }
    setText("session-action", action);
  }

  renderBook() {
    const m = this.market;
    if (!m) return;
    const side = (levels, reverse) => {
      let total = 0;
      const rows = levels.slice(0, BOOK_LEVELS).map(([price, qty]) => {
        total += Number(qty);
        return { price, qty, total };
      });
      return reverse ? rows.reverse() : rows;
    };
    const asks = side(this.book.asks, true);
    const bids = side(this.book.bids, false);
    const max = Math.max(1e-12, ...asks.map((r) => r.total), ...bids.map((r) => r.total));
    const html = (rows) =>
      rows
        .map(
          (r) => `<div class="lvl${this.ownPrices.has(Number(r.price)) ? " mine" : ""}" data-price="${escapeHtml(r.price)}">
        <div class="bar" data-width="${((r.total / max) * 100).toFixed(1)}%"></div>
        <span class="p">${fixed(r.price, m.pricePlaces)}</span><span class="num">${fixed(r.qty, m.sizePlaces)}</span><span class="num">${fixed(r.total, m.sizePlaces)}</span></div>`,
        )
        .join("");
    $("asks").innerHTML = html(asks);
    $("bids").innerHTML = html(bids);
    // depth bars sized through the CSSOM: the page's policy refuses inline style attributes
    for (const bar of document.querySelectorAll("#book-panel .bar")) bar.style.width = bar.dataset.width;
    const bestBid = this.book.bids[0];
    const bestAsk = this.book.asks[0];
    if (bestBid && bestAsk) {
      const spread = Number(bestAsk[0]) - Number(bestBid[0]);
      const mid = (Number(bestAsk[0]) + Number(bestBid[0])) / 2;
      $("spread").innerHTML = `${fixed(mid, m.pricePlaces + 1)} <span class="muted">spread ${fixed(spread, m.pricePlaces)} (${((spread / mid) * 10000).toFixed(1)} bp)</span>`;
    } else {
      $("spread").innerHTML = `<span class="muted">${bestBid || bestAsk ? "one side only" : "empty book"}</span>`;
    }
    setText("book-step", `tick ${m.tick}`);
  }

  renderTrades() {
    const m = this.market;
    if (!m) return;
    $("trades").innerHTML = this.trades
      .map(
        (t) => `<div class="lvl ${t.buy ? "buy" : "sell"}"><span class="p">${fixed(t.price, m.pricePlaces)}</span><span class="num">${fixed(t.qty, m.sizePlaces)}</span><span class="num muted">${timeOfDay(t.time)}</span></div>`,
      )
      .join("");
  }

  setOwnPrices(prices) {
    this.ownPrices = new Set(prices.map(Number));
    this.renderBook();
  }

  bestPrice(side) {
    const level = side > 0 ? this.book.asks[0] : this.book.bids[0];
    return level ? Number(level[0]) : null;
  }
}
