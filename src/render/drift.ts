/** The drift report (src/plan/drift.ts) for people, pull requests and machines. */
import type { DriftReport } from '../plan/drift.js';
import { profileAddress } from '../plan/types.js';
import { escapeMarkdownText, markdownCode } from './escape.js';
import { pluralize } from './numbers.js';
import { makePainter } from './paint.js';

export interface DriftContext {
  workspace: string;
  statePath: string;
}

function headline(report: DriftReport): string {
  const profiles = new Set(report.findings.map((f) => f.profile)).size;
  return report.findings.length === 0
    ? `No drift: the ${pluralize(report.checked, 'profile')} the state records match Workato.`
    : `Drift: ${pluralize(report.findings.length, 'finding')} on ${pluralize(profiles, 'profile')} of the ${report.checked} the state records.`;
}

export function renderDriftText(
  report: DriftReport,
  context: DriftContext,
  options: { color: boolean },
): string {
  const paint = makePainter(options.color);
  const lines = [`Workspace ${context.workspace}, state ${context.statePath}`, ''];
  for (const finding of report.findings) {
    lines.push(
      `${paint('yellow', '!')} ${paint('bold', profileAddress(finding.profile))} (id ${finding.id}): ${finding.message}`,
    );
    lines.push(`    repair: ${finding.repair}`);
  }
  if (report.unmanaged.length > 0) {
    if (report.findings.length > 0) lines.push('');
    lines.push(
      `Not managed by workato-oauth (information only): ${pluralize(report.unmanaged.length, 'profile')}`,
    );
    for (const p of report.unmanaged) lines.push(`    ${JSON.stringify(p.name)} (id ${p.id}, ${p.provider})`);
  }
  if (report.findings.length > 0 || report.unmanaged.length > 0) lines.push('');
  lines.push(paint(report.findings.length > 0 ? 'yellow' : 'green', headline(report)));
  return `${lines.join('\n')}\n`;
}

export function renderDriftMarkdown(report: DriftReport, context: DriftContext): string {
  const lines = [
    '### workato-oauth drift',
    '',
    `${escapeMarkdownText(headline(report))} Workspace ${markdownCode(context.workspace)}.`,
  ];
  if (report.findings.length > 0) {
    lines.push('', '| profile | id | what changed | repair |', '|---|---|---|---|');
    for (const f of report.findings) {
      lines.push(
        `| ${escapeMarkdownText(f.profile)} | ${f.id} | ${escapeMarkdownText(f.message)} | ${escapeMarkdownText(f.repair)} |`,
      );
    }
  }
  if (report.unmanaged.length > 0) {
    lines.push(
      '',
      `<details><summary>${pluralize(report.unmanaged.length, 'profile')} not managed by workato-oauth (information only)</summary>`,
      '',
    );
    for (const p of report.unmanaged)
      lines.push(`- ${escapeMarkdownText(p.name)} (id ${p.id}, ${escapeMarkdownText(p.provider)})`);
    lines.push('', '</details>');
  }
  return `${lines.join('\n')}\n`;
}

export function renderDriftJson(report: DriftReport, context: DriftContext): string {
  const document = {
    format_version: '1',
    workspace: context.workspace,
    state: context.statePath,
    drift: report.findings.length > 0,
    profiles_checked: report.checked,
    findings: report.findings.map((f) => ({
      kind: f.kind,
      address: profileAddress(f.profile),
      profile: f.profile,
      id: f.id,
      message: f.message,
      repair: f.repair,
    })),
    unmanaged: report.unmanaged,
  };
  return `${JSON.stringify(document, null, 2)}\n`;
}
