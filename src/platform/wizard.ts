/**
 * The wizard's UI port on VS Code's quick input: each question is one createQuickPick /
 * createInputBox with the Back button from the second asked question on; Escape cancels.
 */
import * as vscode from 'vscode';
import type { AskQuestion, PickQuestion, Reply, WizardUi } from '../core/wizard';

type Input = vscode.QuickPick<vscode.QuickPickItem> | vscode.InputBox;

/** Shows `input` until it is accepted (`accept` returns the reply), Back is pressed or it is hidden. */
function run<T>(input: Input, accept: () => Reply<T> | undefined): Promise<Reply<T>> {
  return new Promise((resolve) => {
    const disposables: vscode.Disposable[] = [];
    let settled = false;
    const settle = (reply: Reply<T>) => {
      if (settled) return;
      settled = true;
      for (const d of disposables) d.dispose();
      input.dispose();
      resolve(reply);
    };
    disposables.push(
      input.onDidTriggerButton((button) => {
        if (button === vscode.QuickInputButtons.Back) settle('back');
      }),
      input.onDidAccept(() => {
        const reply = accept();
        if (reply !== undefined) settle(reply);
      }),
      input.onDidHide(() => settle('cancel')),
    );
    input.show();
  });
}

function common(input: Input, question: { title: string; canGoBack: boolean }): void {
  input.title = question.title;
  input.ignoreFocusOut = true;
  input.buttons = question.canGoBack ? [vscode.QuickInputButtons.Back] : [];
}

/** The WizardUi of VS Code's quick input. */
export function quickInputWizardUi(): WizardUi {
  return {
    pick<T>(question: PickQuestion<T>): Promise<Reply<T>> {
      const items = question.items.map((item) => ({
        label: item.label,
        description: item.description,
        detail: item.detail,
        value: item.value,
      }));
      const pick = vscode.window.createQuickPick<(typeof items)[number]>();
      common(pick, question);
      pick.placeholder = question.placeholder;
      pick.items = items;
      if (question.active !== undefined && items[question.active])
        pick.activeItems = [items[question.active]];
      return run<T>(pick as unknown as Input, () => {
        const chosen = pick.selectedItems[0] ?? pick.activeItems[0];
        return chosen ? { value: chosen.value } : undefined;
      });
    },
    ask(question: AskQuestion): Promise<Reply<string>> {
      const box = vscode.window.createInputBox();
      common(box, question);
      box.prompt = question.prompt;
      box.value = question.value;
      box.placeholder = question.placeholder;
      box.password = question.password ?? false;
      const check = (text: string) => {
        box.validationMessage = question.validate(text.trim()) ?? undefined;
      };
      // An empty first value is not an error yet: the prompt stays readable until the user types.
      if (box.value !== '') check(box.value);
      box.onDidChangeValue(check);
      return run<string>(box, () => {
        const message = question.validate(box.value.trim());
        box.validationMessage = message ?? undefined;
        return message === null ? { value: box.value } : undefined;
      });
    },
  };
}
