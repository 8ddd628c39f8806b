import { nextReconcileDue, type ObjectStatus, type StatusState } from '../cluster/status';

/** How a live status looks in the views: a codicon, a theme color id, words and a Markdown tooltip. */
export interface StatusPresentation {
  state: StatusState;
  icon: string;
  /** A theme color id (e.g. testing.iconPassed). */
  color: string;
  label: string;
  /** Short revision (`main@sha1:1a2b3c4d`) or the reason. */
  description?: string;
  tooltip: string;
}

const LOOKS: Record<StatusState, { icon: string; color: string; label: string }> = {
  Ready: { icon: 'pass-filled', color: 'testing.iconPassed', label: 'Ready' },
  NotReady: { icon: 'error', color: 'testing.iconFailed', label: 'Not ready' },
  Reconciling: { icon: 'sync~spin', color: 'charts.blue', label: 'Reconciling' },
  Stalled: { icon: 'warning', color: 'list.warningForeground', label: 'Stalled' },
  Suspended: { icon: 'debug-pause', color: 'disabledForeground', label: 'Suspended' },
  Unknown: { icon: 'circle-large-outline', color: 'disabledForeground', label: 'Not in cluster' },
};

const SEVERITY: Record<StatusState, number> = {
  Ready: 0,
  Suspended: 1,
  Unknown: 2,
  Reconciling: 3,
  NotReady: 4,
  Stalled: 5,
};

/** The state that matters most among several (an app folder rolls up its objects). */
export function worstState(states: Iterable<StatusState>): StatusState | undefined {
  let worst: StatusState | undefined;
  for (const state of states) if (worst === undefined || SEVERITY[state] > SEVERITY[worst]) worst = state;
  return worst;
}

function escapeMarkdown(text: string): string {
  return text.replace(/([\\`*_{}[\]()#+\-.!|<>])/g, '\\$1');
}

/** Joins lines as Markdown: table rows as they are, other lines with a hard break. */
function markdownLines(lines: string[]): string {
  return lines.map((line) => (line === '' || line.startsWith('|') ? line : `${line}  `)).join('\n');
}

/** Presentation of one object's live status; `title` heads the tooltip (e.g. `HelmRelease podinfo/podinfo`). */
export function presentStatus(
  status: ObjectStatus,
  title: string,
  context: string,
  now: Date = new Date(),
): StatusPresentation {
  const look = LOOKS[status.state];
  const lines: string[] = [`**${escapeMarkdown(title)}**: ${look.label} · context \`${context}\``, ''];
  if (status.state === 'Unknown') {
    lines.push(
      'Not found in the cluster: not applied yet, pruned, or in a namespace this context cannot read.',
    );
  } else {
    if (status.message) lines.push(escapeMarkdown(status.message), '');
    if (status.conditions.length > 0) {
      lines.push('| condition | status | reason | message | since |', '|---|---|---|---|---|');
      for (const c of status.conditions) {
        lines.push(
          `| ${c.type} | ${c.status} | ${escapeMarkdown(c.reason ?? '')} | ${escapeMarkdown(c.message ?? '').replace(/\n/g, ' ')} | ${c.lastTransitionTime ?? ''} |`,
        );
      }
      lines.push('');
    }
    if (status.revision) lines.push(`revision: \`${status.revision}\``);
    if (status.lastAppliedRevision && status.lastAppliedRevision !== status.revision) {
      lines.push(`last applied revision: \`${status.lastAppliedRevision}\``);
    }
    if (status.lastAttemptedRevision && status.lastAttemptedRevision !== status.lastAppliedRevision) {
      lines.push(`last attempted revision: \`${status.lastAttemptedRevision}\``);
    }
    if (status.lastHandledReconcileAt)
      lines.push(`last handled reconcile request: ${status.lastHandledReconcileAt}`);
    if (status.interval) {
      const due = nextReconcileDue(status, now);
      lines.push(`interval: ${status.interval}${due ? ` · next reconcile due ${due.toISOString()}` : ''}`);
    }
    if (status.suspended) lines.push('suspended: reconciliation is paused until resumed');
  }
  const description =
    status.state === 'Unknown'
      ? 'not in cluster'
      : status.state === 'Ready'
        ? status.shortRevision
        : [look.label.toLowerCase(), status.reason].filter(Boolean).join(': ');
  return {
    state: status.state,
    icon: look.icon,
    color: look.color,
    label: look.label,
    description,
    tooltip: markdownLines(lines),
  };
}

/** Presentation of a roll-up (app folder): the worst state and how many objects are in each. */
export function presentRollup(states: StatusState[]): StatusPresentation | undefined {
  const worst = worstState(states);
  if (!worst) return undefined;
  const look = LOOKS[worst];
  const counts = new Map<StatusState, number>();
  for (const state of states) counts.set(state, (counts.get(state) ?? 0) + 1);
  const summary = [...counts].map(([state, n]) => `${n} ${LOOKS[state].label.toLowerCase()}`).join(', ');
  return {
    state: worst,
    icon: look.icon,
    color: look.color,
    label: look.label,
    description: worst === 'Ready' ? undefined : look.label.toLowerCase(),
    tooltip: summary,
  };
}
