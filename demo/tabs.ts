// An accessible tab list (WAI-ARIA Authoring Practices "Tabs" pattern): arrow keys, Home and End
// move between tabs, and the selected tab is the only one in the Tab order.
const listeners: ((id: string) => void)[] = [];

function tabs(): HTMLButtonElement[] {
  return [...document.querySelectorAll<HTMLButtonElement>('[role="tab"]')];
}

/** Shows the panel of tab `id` ("open", "explore", "raw", "playground", "keyslots", "rotation", "backup"). */
export function showTab(id: string, focus = false): void {
  for (const tab of tabs()) {
    const selected = tab.id === `tab-${id}`;
    tab.setAttribute('aria-selected', String(selected));
    tab.tabIndex = selected ? 0 : -1;
    const panel = document.getElementById(tab.getAttribute('aria-controls') ?? '');
    if (panel) panel.hidden = !selected;
    if (selected && focus) tab.focus();
  }
  for (const fn of listeners) fn(id);
}

/** Calls `fn` with the tab's id whenever a tab is shown. */
export function onTab(fn: (id: string) => void): void {
  listeners.push(fn);
}

export function initTabs(): void {
  const list = tabs();
  for (const tab of list) {
    const id = tab.id.replace(/^tab-/, '');
    tab.addEventListener('click', () => showTab(id));
    tab.addEventListener('keydown', (event) => {
      const i = list.indexOf(tab);
      let next: number | undefined;
      if (event.key === 'ArrowRight') next = (i + 1) % list.length;
      else if (event.key === 'ArrowLeft') next = (i - 1 + list.length) % list.length;
      else if (event.key === 'Home') next = 0;
      else if (event.key === 'End') next = list.length - 1;
      if (next === undefined) return;
      event.preventDefault();
      showTab(list[next]!.id.replace(/^tab-/, ''), true);
    });
  }
}
