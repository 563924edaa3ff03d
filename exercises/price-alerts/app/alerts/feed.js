// The market feed. In production the prices arrive over the exchange's websocket; this copy
// walks them randomly so the exercise runs offline. Tests drive it by hand with `set()`.
const OPENING_PRICES = {
  ACME: 118.4,
  GLOBEX: 42.15,
  INITECH: 9.87,
  UMBRELLA: 230.5,
  HOOLI: 1290,
  STARK: 512.3,
};

/**
 * Creates a feed. With `tickMs > 0` every price moves by up to ±0.2 % each tick; with
 * `tickMs: 0` prices only change through `set()`.
 */
function createPriceFeed({ tickMs = 250 } = {}) {
  const prices = new Map(Object.entries(OPENING_PRICES));
  let ticker;
  if (tickMs > 0) {
    ticker = setInterval(() => {
      for (const [symbol, price] of prices) {
        const moved = price * (1 + (Math.random() - 0.5) * 0.004);
        prices.set(symbol, Math.round(moved * 100) / 100);
      }
    }, tickMs);
    ticker.unref();
  }
  return {
    symbols: () => [...prices.keys()],
    price: (symbol) => prices.get(symbol),
    set(symbol, price) {
      prices.set(symbol, price);
    },
    stop() {
      clearInterval(ticker);
    },
  };
}

export { createPriceFeed };
