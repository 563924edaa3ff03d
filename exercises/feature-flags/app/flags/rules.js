// A flag's rule, as the flag admin publishes it, compiled to a function of the user id:
//   { "enabled": false }                 off for everyone
//   { "allow": ["u-1", "u-2"] }          on for these users only
//   { "percent": 30 }                    on for a stable 30 % of users
//   { "enabled": true }                  on for everyone
import { createHash } from 'node:crypto';

/** Which of 100 buckets `user` falls in for `flag`: stable, and independent between flags. */
function bucket(flag, user) {
  return createHash('sha1').update(`${flag}:${user}`).digest().readUInt16BE(0) % 100;
}

/** Compiles `rule` for `flag`; throws a `TypeError` for a rule it does not understand. */
function compileRule(flag, rule) {
  if (rule === null || typeof rule !== 'object')
    throw new TypeError(`${flag}: rule must be an object`);
  if (rule.enabled === false) return () => false;
  if (Array.isArray(rule.allow)) {
    const allowed = new Set(rule.allow.map(String));
    return (user) => allowed.has(user);
  }
  if (typeof rule.percent === 'number') {
    const percent = Math.max(0, Math.min(100, rule.percent));
    return (user) => bucket(flag, user) < percent;
  }
  if (rule.enabled === true) return () => true;
  throw new TypeError(`${flag}: unknown rule ${JSON.stringify(rule)}`);
}

export { compileRule, bucket };
