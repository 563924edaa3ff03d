// A service-like heap that leaks, for the benchmark: a module-level session cache that is
// never evicted (the shape of the classic `activeSessionsCache` leak), records holding arrays
// of strings, Maps, nested objects and closures, plus short-lived request garbage.
//
// Run by generate.mjs in its own process with a large --max-old-space-size:
//   node leakyService.mjs '<json plan>'
// where plan = { steps: [{ records, churn, file }] }. For every step the cache grows to
// `records` entries, `churn` throw-away records are made and dropped, and a snapshot is
// written to `file`. Several steps give several snapshots of ONE process, so V8 object ids
// stay stable between them (the three-snapshot technique needs that).
import { writeHeapSnapshot } from 'node:v8';

const AGENTS = [
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 Safari/605.1.15',
  'curl/8.5.0',
  'okhttp/4.12.0',
];
const REGIONS = ['eu-west-1', 'us-east-1', 'ap-south-1'];
const LOG_LINES = 12;

// The leak: module scope, reachable from the request handler closure below.
const activeSessionsCache = {};
const auditTrail = [];
let sessionIdCounter = 0;

class SessionProfile {
  constructor(id) {
    this.name = { first: `user${id}`, last: `family${id % 997}` };
    this.address = { street: `${id % 4093} Main Street`, city: REGIONS[id % 3], zip: id % 99991 };
  }
}

function makeRecord(id) {
  const record = {
    timestamp: 1_700_000_000_000 + id,
    userAgent: AGENTS[id % AGENTS.length],
    ip: `10.${(id >> 16) & 255}.${(id >> 8) & 255}.${id & 255}`,
    assignedId: `anonymous-${id}`,
    activityLog: Array.from({ length: LOG_LINES }, (_, k) => `log_entry_for_session_${id}_${k}`),
    tags: new Map([
      ['region', REGIONS[id % REGIONS.length]],
      ['tier', id % 3],
      ['visits', id % 17],
    ]),
    profile: new SessionProfile(id),
    onExpire: () => auditTrail.length < 16 && auditTrail.push(record.assignedId),
  };
  return record;
}

function handleUniqueIdRequest() {
  sessionIdCounter++;
  activeSessionsCache[sessionIdCounter] = makeRecord(sessionIdCounter);
}

// Recent requests stay alive until the next step replaces them: objects that are new in one
// snapshot and gone in the next, which the three-snapshot diff must not call a leak.
let recentRequests = [];
function handleBrowseRequest(n) {
  recentRequests = Array.from({ length: n }, (_, i) => makeRecord(-1 - i));
}

const plan = JSON.parse(process.argv[2]);
globalThis.leakyService = {
  handleUniqueIdRequest,
  handleBrowseRequest,
  auditTrail,
  recent: () => recentRequests,
};
for (const step of plan.steps) {
  while (sessionIdCounter < step.records) handleUniqueIdRequest();
  handleBrowseRequest(step.churn ?? 0);
  writeHeapSnapshot(step.file);
  process.stdout.write(`${JSON.stringify({ file: step.file, records: sessionIdCounter })}\n`);
}
