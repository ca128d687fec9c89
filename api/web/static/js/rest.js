// REST as Binance's clients speak it: public GETs, and signed requests whose query string
// (timestamp, recvWindow and the parameters) carries an HMAC-SHA256 signature made here with
// WebCrypto. The secret never leaves the page; only the API key goes out, in X-MBX-APIKEY.

export class ApiError extends Error {
  constructor(status, code, msg) {
    super(msg);
    this.status = status;
    this.code = code;
  }

  // what a trader reads: the exchange's own message, with its code
  get words() {
    return this.code === undefined ? this.message : `${this.message} (code ${this.code})`;
  }
}

const encoder = new TextEncoder();

function query(params) {
  return Object.entries(params)
    .filter(([, v]) => v !== undefined && v !== null && v !== "")
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join("&");
}

async function answer(response) {
  let body = null;
  const text = await response.text();
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!response.ok) {
    if (body && typeof body.msg === "string") throw new ApiError(response.status, body.code, body.msg);
    throw new ApiError(response.status, undefined, `HTTP ${response.status} ${response.statusText}`);
  }
  return body;
}

async function send(url, init) {
  try {
    return await answer(await fetch(url, init));
  } catch (error) {
    if (error instanceof ApiError) throw error;
    throw new ApiError(0, undefined, `The exchange cannot be reached (${error.message}).`);
  }
}

export class Rest {
  constructor() {
    this.keys = null; // {apiKey, secretKey}
    this.hmacKey = null;
    this.clockOffsetMs = 0; // server time minus this browser's
  }

  async syncClock() {
    const before = Date.now();
    const { serverTime } = await this.get("/fapi/v1/time");
    this.clockOffsetMs = serverTime - Math.round((before + Date.now()) / 2);
  }

  async useKeys(keys) {
    if (keys && !(globalThis.crypto && crypto.subtle)) {
      // WebCrypto exists only in a secure context: https, or http on localhost / 127.0.0.1
      throw new ApiError(0, undefined, "This browser offers no WebCrypto here to sign with: open the page over https or on localhost.");
    }
    this.keys = keys;
    this.hmacKey = keys
      ? await crypto.subtle.importKey("raw", encoder.encode(keys.secretKey), { name: "HMAC", hash: "SHA-256" }, false, ["sign"])
      : null;
  }

  get(path, params = {}) {
    const q = query(params);
    return send(q ? `${path}?${q}` : path, { method: "GET" });
  }

  async sign(text) {
    const mac = await crypto.subtle.sign("HMAC", this.hmacKey, encoder.encode(text));
    return Array.from(new Uint8Array(mac), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  async signed(method, path, params = {}) {
    if (!this.keys) throw new ApiError(0, undefined, "Enter an API key pair first.");
    const q = query({ ...params, recvWindow: 10000, timestamp: Date.now() + this.clockOffsetMs });
    const signature = await this.sign(q);
    return send(`${path}?${q}&signature=${signature}`, { method, headers: { "X-MBX-APIKEY": this.keys.apiKey } });
  }

  // listenKey calls carry only the API key, as Binance's
  keyed(method, path) {
    if (!this.keys) throw new ApiError(0, undefined, "Enter an API key pair first.");
    return send(path, { method, headers: { "X-MBX-APIKEY": this.keys.apiKey } });
  }
}
