// A candle chart of the last price with the mark and index as lines, drawn on one canvas. Small on
// purpose: the page needs candles, two lines, a price axis and a time axis, nothing more.

const COLORS = { up: "#0ecb81", down: "#f6465d", mark: "#f0b90b", index: "#3d9bff", grid: "#22272e", text: "#848e9c", bg: "#161a1e" };
const AXIS_W = 64;
const AXIS_H = 20;
const SLOT_PX = 9; // one candle and its gap

export class CandleChart {
  constructor(canvas) {
    this.canvas = canvas;
    this.candles = []; // [{t, o, h, l, c}] of the last price
    this.mark = new Map(); // open time -> close
    this.index = new Map();
    this.intervalMs = 60000;
    this.pricePlaces = 2;
    this.pending = false;
    new ResizeObserver(() => this.draw()).observe(canvas);
  }

  reset(intervalMs, pricePlaces) {
    this.intervalMs = intervalMs;
    this.pricePlaces = pricePlaces;
    this.candles = [];
    this.mark.clear();
    this.index.clear();
    this.draw();
  }

  setKlines(rows) {
    this.candles = rows.map((r) => ({ t: r[0], o: +r[1], h: +r[2], l: +r[3], c: +r[4] }));
    this.draw();
  }

  setLine(which, rows) {
    const line = this[which];
    line.clear();
    for (const r of rows) line.set(r[0], +r[4]);
    this.draw();
  }

  // a kline stream update: the candle of its open time, replaced or appended
  putCandle(k) {
    const candle = { t: k.t, o: +k.o, h: +k.h, l: +k.l, c: +k.c };
    const last = this.candles[this.candles.length - 1];
    if (last && last.t === candle.t) this.candles[this.candles.length - 1] = candle;
    else if (!last || candle.t > last.t) this.candles.push(candle);
    this.candles = this.candles.slice(-1000);
    this.draw();
  }

  // mark and index from the markPrice stream: the current interval's close
  putPrices(timeMs, mark, index) {
    const t = timeMs - (timeMs % this.intervalMs);
    if (Number(mark) > 0) this.mark.set(t, +mark);
    if (Number(index) > 0) this.index.set(t, +index);
    this.draw();
  }

  draw() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.paint();
    });
  }

  paint() {
    const canvas = this.canvas;
    const ratio = window.devicePixelRatio || 1;
    const width = canvas.clientWidth;
    const height = canvas.clientHeight;
    if (width === 0 || height === 0) return;
    canvas.width = Math.round(width * ratio);
    canvas.height = Math.round(height * ratio);
    const g = canvas.getContext("2d");
    g.setTransform(ratio, 0, 0, ratio, 0, 0);
    g.fillStyle = COLORS.bg;
    g.fillRect(0, 0, width, height);
    g.font = "11px system-ui, sans-serif";

    const plotW = width - AXIS_W;
    const plotH = height - AXIS_H;
    const slots = Math.max(10, Math.floor(plotW / SLOT_PX));
    const now = Date.now();
    const lastOpen = Math.max(now - (now % this.intervalMs), this.candles.length ? this.candles[this.candles.length - 1].t : 0);
    const firstOpen = lastOpen - (slots - 1) * this.intervalMs;
    const x = (t) => plotW - SLOT_PX / 2 - ((lastOpen - t) / this.intervalMs) * SLOT_PX - 4;

    const candles = this.candles.filter((c) => c.t >= firstOpen);
    const lines = ["index", "mark"].map((name) => [name, [...this[name].entries()].filter(([t]) => t >= firstOpen).sort((a, b) => a[0] - b[0])]);
    const values = [];
    for (const c of candles) values.push(c.h, c.l);
    for (const [, points] of lines) for (const [, v] of points) values.push(v);
    if (values.length === 0) {
      g.fillStyle = COLORS.text;
      g.fillText("No prices yet", 12, 20);
      return;
    }
    let lo = Math.min(...values);
    let hi = Math.max(...values);
    const pad = Math.max((hi - lo) * 0.08, hi * 0.0005, 10 ** -this.pricePlaces);
    lo -= pad;
    hi += pad;
    const y = (v) => 6 + ((hi - v) / (hi - lo)) * (plotH - 12);

    // grid and price axis
    g.strokeStyle = COLORS.grid;
    g.fillStyle = COLORS.text;
    g.lineWidth = 1;
    const rows = 6;
    for (let i = 0; i <= rows; i++) {
      const v = lo + ((hi - lo) * i) / rows;
      const yy = Math.round(y(v)) + 0.5;
      g.beginPath();
      g.moveTo(0, yy);
      g.lineTo(plotW, yy);
      g.stroke();
      g.fillText(v.toFixed(this.pricePlaces), plotW + 6, yy + 4);
    }
    // time axis
    const every = Math.max(1, Math.round(90 / SLOT_PX));
    for (let i = 0; i < slots; i += every) {
      const t = lastOpen - i * this.intervalMs;
      const xx = Math.round(x(t)) + 0.5;
      g.beginPath();
      g.moveTo(xx, 0);
      g.lineTo(xx, plotH);
      g.stroke();
      const d = new Date(t);
      // local time, as the trades and tables show it
      const hours = String(d.getHours()).padStart(2, "0");
      const label = this.intervalMs >= 3600000 ? `${d.getDate()}/${d.getMonth() + 1} ${hours}h` : `${hours}:${String(d.getMinutes()).padStart(2, "0")}`;
      g.fillText(label, xx - 14, plotH + 14);
    }

    // candles
    const body = SLOT_PX - 3;
    for (const c of candles) {
      const color = c.c >= c.o ? COLORS.up : COLORS.down;
      const xx = Math.round(x(c.t));
      g.strokeStyle = color;
      g.fillStyle = color;
      g.beginPath();
      g.moveTo(xx + 0.5, y(c.h));
      g.lineTo(xx + 0.5, y(c.l));
      g.stroke();
      const top = y(Math.max(c.o, c.c));
      const h = Math.max(1, y(Math.min(c.o, c.c)) - top);
      g.fillRect(xx - Math.floor(body / 2), top, body, h);
    }

    // mark and index lines
    for (const [name, points] of lines) {
      if (points.length === 0) continue;
      g.strokeStyle = COLORS[name];
      g.lineWidth = 1.5;
      g.beginPath();
      points.forEach(([t, v], i) => (i === 0 ? g.moveTo(x(t), y(v)) : g.lineTo(x(t), y(v))));
      if (points.length === 1) g.lineTo(x(points[0][0]) + SLOT_PX, y(points[0][1]));
      g.stroke();
    }

    // the last price, marked on the axis
    const last = candles.length ? candles[candles.length - 1] : null;
    const tags = [];
    if (last) tags.push([last.c, last.c >= last.o ? COLORS.up : COLORS.down]);
    const markPoints = lines[1][1];
    const markNow = markPoints.length ? markPoints[markPoints.length - 1][1] : null;
    if (markNow !== null) tags.push([markNow, COLORS.mark]);
    g.lineWidth = 1;
    for (const [v, color] of tags) {
      const yy = Math.round(y(v)) + 0.5;
      g.strokeStyle = color;
      g.setLineDash([3, 3]);
      g.beginPath();
      g.moveTo(0, yy);
      g.lineTo(plotW, yy);
      g.stroke();
      g.setLineDash([]);
      g.fillStyle = color;
      g.fillRect(plotW + 1, yy - 8, AXIS_W - 2, 16);
      g.fillStyle = "#0b0e11";
      g.fillText(v.toFixed(this.pricePlaces), plotW + 6, yy + 4);
    }
  }
}
