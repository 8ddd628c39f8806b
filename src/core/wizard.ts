/**
 * A multi-step input as steps over a partly filled state (VS Code-free): each step asks one
 * question through a `WizardUi`, a step whose answer is already in the state is skipped, and Back
 * re-asks the previous asked step with its previous answer pre-filled. The VS Code quick input
 * implements `WizardUi` in src/platform/wizard.ts; tests script it.
 */

/** What the user did with a question: answered it, pressed Back, or cancelled (Escape). */
export type Reply<T> = { value: T } | 'back' | 'cancel';

export interface QuestionContext {
  /** Title shared by every question of the wizard. */
  title: string;
  /** Offer Back (false on the first question asked). */
  canGoBack: boolean;
}

export interface PickItem<T> {
  label: string;
  description?: string;
  detail?: string;
  value: T;
}

export interface PickQuestion<T> extends QuestionContext {
  placeholder: string;
  items: Array<PickItem<T>>;
  /** Index of the item to highlight first (the previous answer). */
  active?: number;
}

export interface AskQuestion extends QuestionContext {
  prompt: string;
  /** Pre-filled text (a default or the previous answer). */
  value: string;
  placeholder?: string;
  password?: boolean;
  /** A message while the (trimmed) text cannot be accepted, else null. */
  validate: (text: string) => string | null;
}

/** The UI port: one question at a time. */
export interface WizardUi {
  pick<T>(question: PickQuestion<T>): Promise<Reply<T>>;
  ask(question: AskQuestion): Promise<Reply<string>>;
}

/** A step's outcome: the new state and the answer to pre-fill when the step is asked again. */
export type StepOutcome<S> = { state: S; answer: unknown; asked: boolean } | 'back' | 'cancel';

export interface StepRun {
  ui: WizardUi;
  context: QuestionContext;
  /** This step's answer from the last time it was asked, if any. */
  previous: unknown;
}

export interface Step<S> {
  /** Unique among the steps; a step asked repeatedly gets its answers remembered per repetition. */
  id: string;
  /** Whether the state still needs this step's answer (false: skipped). */
  needed(state: S): boolean;
  run(state: S, run: StepRun): Promise<StepOutcome<S>>;
}

interface Done<S> {
  stepId: string;
  before: S;
  asked: boolean;
}

/**
 * Runs the steps until none is needed; resolves to the filled state, or undefined when the user
 * cancelled. The next step is always the first needed one in list order, so a step can repeat
 * (one per Secret key) and Back works by restoring the state before the last asked step.
 */
export async function runWizard<S>(
  title: string,
  steps: Array<Step<S>>,
  initial: S,
  ui: WizardUi,
): Promise<S | undefined> {
  let state = initial;
  const history: Array<Done<S>> = [];
  // Answers by step and repetition, so that Back (and going forward again) shows them.
  const answers = new Map<string, unknown>();
  for (;;) {
    const step = steps.find((candidate) => candidate.needed(state));
    if (!step) return state;
    const key = `${step.id}#${history.filter((h) => h.stepId === step.id).length}`;
    const canGoBack = history.some((h) => h.asked);
    const outcome = await step.run(state, { ui, context: { title, canGoBack }, previous: answers.get(key) });
    if (outcome === 'cancel') return undefined;
    if (outcome === 'back') {
      // Undo up to and including the last asked step (automatic answers after it are redone).
      let last = history.pop();
      while (last && !last.asked) last = history.pop();
      if (!last) return undefined;
      state = last.before;
      continue;
    }
    if (outcome.asked) answers.set(key, outcome.answer);
    history.push({ stepId: step.id, before: state, asked: outcome.asked });
    state = outcome.state;
  }
}
