// Reads what `flux diff kustomization` prints (checked against flux v2.9.5 in
// test/cluster/clusterDiff.test.ts): one line per object that would change,
//
//   ► Deployment/apps/web drifted      followed by a dyff-style report of the change
//   ► ConfigMap/apps/new created
//   ► ConfigMap/apps/old deleted       (pruned: in the live inventory, no longer in the build)
//   ► Secret/apps/s1 skipped           (kustomize.toolkit.fluxcd.io/reconcile: disabled …)
//
// and with --recursive `📁 Kustomization/ns/name changed` before a child's lines. Colours are
// only printed on a terminal; they are stripped anyway.

export type ChangeAction = 'created' | 'drifted' | 'deleted' | 'skipped';

/** An object as flux names it: `Kind/namespace/name`, or `Kind/name` when cluster-scoped. */
export interface ObjectSubject {
  kind: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  name: string;
}

export interface FluxDiffChange {
  action: ChangeAction;
  subject: ObjectSubject;
  /** flux's own report of a drift (dyff lines), '' for the other actions. */
  report: string;
}

// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;]*[A-Za-z]/g;
const CHANGE_LINE = /^►\s+(\S+)\s+(created|drifted|deleted|skipped)\s*$/;

/** `Kind/ns/name` or `Kind/name` as flux prints it; undefined when it is neither. */
export function parseSubject(text: string): ObjectSubject | undefined {
  const parts = text.split('/');
  if (parts.length === 3 && parts.every(Boolean))
    return { kind: parts[0], namespace: parts[1], name: parts[2] };
  if (parts.length === 2 && parts.every(Boolean)) return { kind: parts[0], namespace: '', name: parts[1] };
  return undefined;
}

/** The form flux prints: `Kind/ns/name`, or `Kind/name` without a namespace. */
export function formatSubject(subject: ObjectSubject): string {
  return subject.namespace
    ? `${subject.kind}/${subject.namespace}/${subject.name}`
    : `${subject.kind}/${subject.name}`;
}

/** The per-object changes in `flux diff kustomization` output, in the order flux printed them. */
export function parseFluxDiffOutput(stdout: string): FluxDiffChange[] {
  const changes: FluxDiffChange[] = [];
  let reportLines: string[] | undefined;
  const closeReport = () => {
    const last = changes[changes.length - 1];
    if (last && reportLines) last.report = reportLines.join('\n').trim();
    reportLines = undefined;
  };
  for (const raw of stdout.replace(ANSI, '').split(/\r?\n/)) {
    const match = CHANGE_LINE.exec(raw.trimEnd());
    const subject = match ? parseSubject(match[1]) : undefined;
    if (match && subject) {
      closeReport();
      const action = match[2] as ChangeAction;
      changes.push({ action, subject, report: '' });
      if (action === 'drifted') reportLines = [];
      continue;
    }
    if (/^(📁|⚠️)/u.test(raw)) {
      closeReport();
      continue;
    }
    reportLines?.push(raw);
  }
  closeReport();
  return changes;
}
