// Tiny DOM helpers: the demo uses no UI framework, only these.

type Child = Node | string | number | null | undefined | false;
type Props = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/**
 * Creates an element. Props become attributes (`true` → present, `false`/`undefined` → absent),
 * except `on…` functions (event listeners) and `value` (the live value of form controls).
 * Text children are text nodes: never HTML, so values from a vault cannot inject markup.
 */
export function h<K extends keyof HTMLElementTagNameMap>(tag: K, props: Props = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(props)) {
    if (typeof value === 'function') el.addEventListener(name.slice(2).toLowerCase(), value);
    else if (name === 'value' && value !== undefined) (el as HTMLInputElement).value = String(value);
    else if (value === true) el.setAttribute(name, '');
    else if (value !== false && value !== undefined) el.setAttribute(name, String(value));
  }
  el.append(
    ...children.filter((c): c is Node | string | number => c !== null && c !== undefined && c !== false).map((c) => (typeof c === 'number' ? String(c) : c)),
  );
  return el;
}

/** The element with this id, typed; throws if the page lacks it (a bug in index.html). */
export function byId<T extends HTMLElement = HTMLElement>(id: string): T {
  const el = document.getElementById(id);
  if (!el) throw new Error(`index.html has no #${id}`);
  return el as T;
}

/** Shows a message in an element; `kind` styles it (and errors are announced by role="alert" parents). */
export function say(el: HTMLElement, text: string, kind: 'ok' | 'error' | 'info' = 'info'): void {
  el.textContent = text;
  el.dataset.kind = kind;
  el.hidden = text === '';
}

/** Copies text to the clipboard; falls back to selecting it when the Clipboard API is refused. */
export async function copyText(text: string, field?: HTMLTextAreaElement | HTMLInputElement): Promise<boolean> {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    if (field) {
      field.focus();
      field.select();
    }
    return false;
  }
}

/** Runs `fn` with `button` disabled, so a double click cannot start an operation twice. */
export async function withDisabled<T>(button: HTMLButtonElement, fn: () => Promise<T>): Promise<T> {
  button.disabled = true;
  try {
    return await fn();
  } finally {
    button.disabled = false;
  }
}
