#!/usr/bin/env node
/**
 * How long parseConfig takes on a large config: 10,000 customers and a few dozen
 * profiles, generated in memory. Run after `npm run build`:
 *   node scripts/bench-validate.mjs [customers] [runs]
 */
import { performance } from 'node:perf_hooks';
import { LineCounter, parseDocument } from 'yaml';
import { parseConfig } from '../dist/config/load.js';

const customers = Number(process.argv[2] ?? 10_000);
const runs = Number(process.argv[3] ?? 7);
const PROVIDERS = ['hubspot', 'salesforce', 'slack', 'zoom', 'outlook', 'google_drive'];
const PROFILES_PER_PROVIDER = 6;

/** Profiles `<Provider> app <n>`; each customer holds up to one profile of 3 providers. */
function generateConfig() {
  const lines = ['# yaml-language-server: $schema=../schemas/workato-oauth.schema.json', 'version: 1'];
  lines.push('workspace:', '  data_center: us', 'profiles:');
  const env = {};
  for (const provider of PROVIDERS) {
    for (let n = 0; n < PROFILES_PER_PROVIDER; n++) {
      const variable = `${provider.toUpperCase()}_${n}_CLIENT_SECRET`;
      env[variable] = `secret-${provider}-${n}`;
      lines.push(
        `  ${provider} app ${n}:`,
        `    provider: ${provider}`,
        `    client_id: ${provider}-client-${n}`,
      );
      lines.push(`    client_secret: \${${variable}}`);
      if (provider === 'slack') lines.push(`    token: \${SLACK_APP_TOKEN}`);
      if (n === 0) lines.push('    prevent_destroy: true');
    }
  }
  lines.push('customers:');
  for (let i = 0; i < customers; i++) {
    lines.push(i % 10 === 9 ? `  - id: ${100_000 + i}` : `  - external_id: "C ${i}/x"`);
    const held = [0, 1, 2].map((k) => {
      const provider = PROVIDERS[(i + k * 2) % PROVIDERS.length];
      return `${provider} app ${(i + k) % PROFILES_PER_PROVIDER}`;
    });
    lines.push(`    profiles: [${held.join(', ')}]`);
    if (i % 50 === 0) lines.push('    force_unassign: true');
  }
  return { text: `${lines.join('\n')}\n`, env };
}

/** Wall and CPU milliseconds of `fn`; CPU time is what a busy CI machine cannot inflate. */
function measure(fn) {
  const cpu = process.cpuUsage();
  const start = performance.now();
  const value = fn();
  const wall = performance.now() - start;
  const used = process.cpuUsage(cpu);
  return { value, wall, cpu: (used.user + used.system) / 1000 };
}

const { text, env } = generateConfig();
const runsOf = { parseConfig: [], yaml: [] };
let result;
for (let run = 0; run < runs; run++) {
  const timing = measure(() => parseConfig(text, 'bench.yaml', env));
  result = timing.value;
  runsOf.parseConfig.push(timing);
  // The YAML library alone, on the same text: the floor under parseConfig.
  runsOf.yaml.push(measure(() => parseDocument(text, { lineCounter: new LineCounter(), uniqueKeys: false })));
}
if (result.desired === undefined) {
  console.error(result.problems.slice(0, 5));
  throw new Error('the generated config is invalid');
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const ms = (n) => `${n.toFixed(0)} ms`;
const describe = (timings, key) => {
  const values = timings.map((t) => t[key]);
  return `median ${ms(median(values))}, max ${ms(Math.max(...values))}`;
};
console.log(
  `config: ${result.desired.profiles.length} profiles, ${result.desired.customers.length} customers, ` +
    `${(text.length / 1024).toFixed(0)} KiB, ${text.split('\n').length - 1} lines; ${runs} runs`,
);
console.log(`parseConfig wall: ${describe(runsOf.parseConfig, 'wall')} (the first run compiles the schema)`);
console.log(`parseConfig CPU:  ${describe(runsOf.parseConfig, 'cpu')}`);
console.log(
  `  for comparison, the yaml library's parseDocument alone (CPU): ${describe(runsOf.yaml, 'cpu')}`,
);
const perSecond = customers / (median(runsOf.parseConfig.map((t) => t.wall)) / 1000);
console.log(`throughput (median wall): ${Math.round(perSecond).toLocaleString('en-US')} customers/s`);
