// The last few thousand log lines of the platform, as the log shipper hands them over. In
// production they stream in from the shipper; here a fixed, reproducible sample is generated.
const services = ['api', 'billing', 'auth', 'search', 'mailer', 'scheduler'];
const levels = ['debug', 'info', 'info', 'info', 'warn', 'error'];
const messages = [
  'request completed in {ms} ms',
  'upstream timeout after {ms} ms',
  'cache miss for key user:{id}',
  'payment {id} captured',
  'token refreshed for user {id}',
  'job {id} rescheduled, attempt {n}',
  'connection reset by peer',
  'slow query on orders ({ms} ms)',
];

/** Generates `count` log records: `{ at, level, service, message }`, deterministic. */
function sampleLogs(count = 2000) {
  const lines = [];
  let seed = 7;
  const next = (n) => {
    seed = (seed * 1103515245 + 12345) % 2147483648;
    return Math.floor(seed / 65536) % n;
  };
  const start = Date.UTC(2026, 10, 3, 8, 0, 0);
  for (let i = 0; i < count; i++) {
    const message = messages[next(messages.length)]
      .replace('{ms}', String(20 + next(4000)))
      .replace('{id}', String(1000 + next(9000)))
      .replace('{n}', String(1 + next(5)));
    lines.push({
      at: new Date(start + i * 1500).toISOString(),
      level: levels[next(levels.length)],
      service: services[next(services.length)],
      message,
    });
  }
  return lines;
}

export { sampleLogs };
