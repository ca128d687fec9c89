// A WebSocket that comes back: when the connection drops it says so, waits (1, 2, 4 ... 15 s) and
// opens again, and tells its owner once it is back so that the owner can fetch what it missed.

export class ResumingSocket {
  constructor(url, { onMessage, onStatus, onOpen }) {
    this.url = url;
    this.onMessage = onMessage;
    this.onStatus = onStatus || (() => {});
    this.onOpen = onOpen || (() => {});
    this.socket = null;
    this.closedByOwner = false;
    this.retryMs = 1000;
    this.timer = null;
    this.everOpened = false;
  }

  open() {
    this.closedByOwner = false;
    const socket = new WebSocket(this.url);
    this.socket = socket;
    socket.onopen = () => {
      this.retryMs = 1000;
      const resumed = this.everOpened;
      this.everOpened = true;
      this.onStatus("live", resumed);
      this.onOpen(resumed);
    };
    socket.onmessage = (event) => {
      let message;
      try {
        message = JSON.parse(event.data);
      } catch {
        return;
      }
      this.onMessage(message);
    };
    socket.onerror = () => {}; // the close that follows says it all
    socket.onclose = () => {
      if (this.socket !== socket || this.closedByOwner) return;
      this.onStatus("lost", false, this.retryMs);
      this.timer = setTimeout(() => this.open(), this.retryMs);
      this.retryMs = Math.min(this.retryMs * 2, 15000);
    };
  }

  send(message) {
    if (this.socket && this.socket.readyState === WebSocket.OPEN) this.socket.send(JSON.stringify(message));
  }

  close() {
    this.closedByOwner = true;
    clearTimeout(this.timer);
    if (this.socket) this.socket.close();
    this.socket = null;
  }
}

export function wsUrl(path) {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  return `${scheme}//${location.host}${path}`;
}
