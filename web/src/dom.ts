// A few DOM helpers: elements built with text content only (never HTML from data), so nothing
// the API returns can inject markup.
type Child = Node | string | null | undefined | false;
type Attrs = Record<string, string | boolean | undefined>;

export function h(tag: string, attrs: Attrs = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value === undefined || value === false) continue;
    el.setAttribute(name, value === true ? '' : value);
  }
  for (const child of children) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child);
  }
  return el;
}

export function fragment(...children: Child[]): DocumentFragment {
  const f = document.createDocumentFragment();
  for (const child of children) if (child) f.append(child);
  return f;
}

export function formatTime(iso: string | undefined): string {
  if (!iso) return '';
  return new Date(iso).toLocaleTimeString('sv-SE', { hour: '2-digit', minute: '2-digit', second: '2-digit' });
}

export function formatDate(date: { year?: number; month?: number; day?: number } | undefined): string {
  if (!date?.year) return '';
  const pad = (n: number | undefined) => String(n ?? 0).padStart(2, '0');
  return `${date.year}-${pad(date.month)}-${pad(date.day)}`;
}

export function minutes(seconds: number): string {
  const m = Math.max(1, Math.round(seconds / 60));
  return m === 1 ? '1 minut' : `${m} minuter`;
}

// The code as printed on the diploma: groups of four.
export function groupCode(code: string): string {
  return code.replace(/(.{4})(?=.)/g, '$1-');
}
