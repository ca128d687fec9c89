// The cost and liquidation price of an order before it is sent: an ESTIMATE computed here, from the
// market's leverage brackets (maintenance ratio and amount), the taker fee and the account as last
// read. The exchange computes the real figures, exactly, in integers; these are for the trader's eye.

export function bracketFor(brackets, notional) {
  const sorted = [...(brackets || [])].sort((a, b) => a.notionalFloor - b.notionalFloor);
  return sorted.find((b) => notional >= b.notionalFloor && notional < b.notionalCap) || sorted[sorted.length - 1] || null;
}

// price at which a position of signed size `size` entered at `entry`, backed by `wallet`, meets its
// maintenance margin (Binance's one-way formula); null when no positive price liquidates it
export function liquidationPrice(size, entry, wallet, brackets) {
  const q = Math.abs(size);
  if (q === 0 || !(entry > 0)) return null;
  const bracket = bracketFor(brackets, q * entry);
  const mmr = bracket ? bracket.maintMarginRatio : 0;
  const cum = bracket ? bracket.cum : 0;
  const price = size > 0 ? (q * entry - wallet - cum) / (q * (1 - mmr)) : (wallet + q * entry + cum) / (q * (1 + mmr));
  return price > 0 && Number.isFinite(price) ? price : null;
}

// {notional, cost, liquidation} for an order of `side` (+1 buy, -1 sell)
export function estimateOrder({ side, quantity, price, markPrice, leverage, isolated, takerFee, brackets, position, account }) {
  if (!(quantity > 0) || !(price > 0) || !(leverage > 0)) return null;
  const notional = quantity * price;
  const fee = notional * (takerFee || 0);
  const openLoss = markPrice > 0 ? Math.max(0, side * (price - markPrice)) * quantity : 0;
  const held = position ? position.amount : 0;
  const reducing = held !== 0 && Math.sign(held) !== side;
  const opened = reducing ? Math.max(0, quantity - Math.abs(held)) : quantity;
  const cost = reducing && opened === 0 ? 0 : (opened * price) / leverage + fee + openLoss;

  const size = held + side * quantity;
  let entry = price;
  if (held !== 0 && Math.sign(size) === Math.sign(held)) {
    entry = reducing ? position.entry : (Math.abs(held) * position.entry + quantity * price) / Math.abs(size);
  }
  let wallet;
  if (isolated) {
    const kept = held !== 0 && Math.sign(size) === Math.sign(held) ? position.isolatedWallet || 0 : 0;
    wallet = kept + (Math.abs(size) * entry) / leverage - fee;
  } else {
    const equity = account ? account.marginBalance : 0;
    const others = account ? account.maintMargin - (position ? position.maintMargin : 0) : 0;
    wallet = equity - (position ? position.unrealized : 0) - Math.max(0, others) - fee;
  }
  return { notional, cost, liquidation: size === 0 ? null : liquidationPrice(size, entry, wallet, brackets) };
}
