// The learner's web application: a router over the history API and one function per page
// (course start, sign-in, enrolment, part, module, quiz, progress, diplomas, public
// verification). Pages render with dom.ts, call the API through api.ts and move the focus to
// their heading, so keyboard and screen-reader users land where the page begins.
import { api, ApiError, NetworkError, setTokenSource } from './api';
import type { Attempt, Learner, Module, Part } from './api';
import { accessToken, completeSignIn, initAuth, signedIn, signIn, signOut } from './auth';
import { formatDate, formatTime, fragment, groupCode, h, minutes } from './dom';
import { clearQuiz, loadQuiz, saveQuiz, startRequestId } from './quiz_store';
import { kommuner } from '../.gen/kommuner';

const main = document.getElementById('main') as HTMLElement;
const nav = document.getElementById('nav') as HTMLElement;
let renderToken = 0;
// The first page of a visit keeps the browser's own focus (the skip link comes first); after
// a navigation within the app the focus goes to the new page's heading.
let navigated = false;

// ---- routing ----------------------------------------------------------------------------------

type Page = (params: string[], query: URLSearchParams) => Promise<void>;
const routes: [RegExp, Page][] = [
  [/^\/$/, startPage],
  [/^\/logga-in$/, signInPage],
  [/^\/inloggad$/, callbackPage],
  [/^\/anmalan$/, enrolPage],
  [/^\/delar\/([a-z0-9-]+)$/, partPage],
  [/^\/delar\/([a-z0-9-]+)\/moduler\/([a-z0-9-]+)$/, modulePage],
  [/^\/delar\/([a-z0-9-]+)\/moduler\/([a-z0-9-]+)\/prov$/, quizPage],
  [/^\/framsteg$/, progressPage],
  [/^\/diplom$/, diplomaPage],
  [/^\/verify$/, verifyPage],
];

export function go(path: string): void {
  navigated = true;
  history.pushState(null, '', path);
  void render();
}

async function render(): Promise<void> {
  const token = ++renderToken;
  await renderNav();
  const url = new URL(location.href);
  for (const [pattern, page] of routes) {
    const match = pattern.exec(url.pathname);
    if (!match) continue;
    try {
      await page(match.slice(1), url.searchParams);
    } catch (err) {
      if (token === renderToken) show('Något gick fel', problem(err));
    }
    return;
  }
  show('Sidan finns inte', h('p', {}, 'Adressen leder inte till någon sida. ', h('a', { href: '/' }, 'Till kursens start')));
}

// Replaces the page: heading first, focus on it, title after it.
function show(title: string, ...content: (Node | null)[]): void {
  const heading = h('h1', { tabindex: '-1' }, title);
  main.replaceChildren(heading, ...content.filter((c): c is Node => c !== null));
  document.title = `${title} – Bättre bemötande`;
  if (navigated) heading.focus();
}

async function renderNav(): Promise<void> {
  const items: [string, string][] = [['/', 'Kursen']];
  const inloggad = await signedIn();
  if (inloggad) items.push(['/framsteg', 'Mina framsteg'], ['/diplom', 'Mina diplom']);
  items.push(['/verify', 'Kontrollera diplom']);
  const here = location.pathname;
  const links = items.map(([href, text]) =>
    h('li', {}, h('a', { href, 'aria-current': here === href ? 'page' : undefined }, text)));
  if (inloggad) {
    const out = h('button', { type: 'button', class: 'link' }, 'Logga ut');
    out.addEventListener('click', async () => {
      await signOut();
      go('/');
    });
    links.push(h('li', {}, out));
  } else {
    links.push(h('li', {}, h('a', { href: '/logga-in', 'aria-current': here === '/logga-in' ? 'page' : undefined }, 'Logga in')));
  }
  nav.replaceChildren(...links);
}

// An error as a person reads it.
function problem(err: unknown): HTMLElement {
  if (err instanceof NetworkError) {
    return h('p', { class: 'error', role: 'alert' }, 'Ingen kontakt med servern. Kontrollera anslutningen och försök igen.');
  }
  if (err instanceof ApiError) {
    const text: Record<number, string> = {
      401: 'Du behöver logga in igen.',
      403: 'Du har inte behörighet till detta.',
      404: 'Det du söker finns inte.',
      429: 'För många förfrågningar just nu. Vänta en stund och försök igen.',
    };
    return h('p', { class: 'error', role: 'alert' }, text[err.status] ?? 'Tjänsten svarade med ett fel. Försök igen om en stund.');
  }
  return h('p', { class: 'error', role: 'alert' }, 'Ett oväntat fel inträffade. Ladda om sidan och försök igen.');
}

// Pages that need a signed-in learner send others to sign in first.
async function requireSignIn(): Promise<boolean> {
  if (await signedIn()) return true;
  show('Logga in', h('p', {}, 'Du behöver logga in för att se den här sidan.'), signInButton(location.pathname));
  return false;
}

// The learner's enrolment; null (and the enrolment page shown) when there is none yet.
async function requireLearner(): Promise<Learner | null> {
  if (!(await requireSignIn())) return null;
  try {
    return await api.getLearner();
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) {
      go('/anmalan');
      return null;
    }
    throw err;
  }
}

function signInButton(returnTo: string): HTMLElement {
  const button = h('button', { type: 'button' }, 'Logga in');
  button.addEventListener('click', () => void signIn(returnTo));
  return button;
}

// ---- course start -----------------------------------------------------------------------------

// Time a module takes: its films' and recorded lectures' lengths, lecture texts at 200 words
// a minute, and five minutes for the quiz.
function moduleSeconds(module: Module): number {
  let seconds = 5 * 60;
  for (const item of module.content ?? []) {
    seconds += item.durationSeconds ?? 0;
    if (item.text) seconds += (item.text.split(/\s+/).length / 200) * 60;
  }
  return seconds;
}

async function startPage(): Promise<void> {
  const { parts = [] } = await api.listParts();
  const modules = await Promise.all(parts.map((p) => api.listModules(p.name ?? '')));
  const list = h('ol', { class: 'cards' });
  parts.forEach((part, i) => {
    const mods = modules[i].modules ?? [];
    const seconds = mods.reduce((sum, m) => sum + moduleSeconds(m), 0);
    list.append(h('li', { class: 'card' },
      h('h2', {}, h('a', { href: `/${part.name?.replace('parts/', 'delar/')}` }, `Del ${i + 1}: ${part.title ?? ''}`)),
      h('p', {}, part.description ?? ''),
      h('p', { class: 'meta' }, `${mods.length} ${mods.length === 1 ? 'moment' : 'moment'} · cirka ${minutes(seconds)}`),
      mods.length > 0 ? h('ul', {}, ...mods.map((m) => h('li', {}, m.title ?? ''))) : null));
  });
  const start = (await signedIn())
    ? h('p', {}, h('a', { href: '/framsteg', class: 'button' }, 'Fortsätt kursen'))
    : h('p', {}, h('a', { href: '/logga-in', class: 'button' }, 'Logga in och börja'));
  show('Bättre bemötande',
    h('p', { class: 'lead' }, 'En webbkurs för er som möter asylsökande och nyanlända i arbetet eller i en förening. Kursen har tre delar; varje moment avslutas med ett kort prov. När du klarat alla moment får du ett diplom.'),
    start, list);
}

// ---- sign-in ------------------------------------------------------------------------------------

async function signInPage(_: string[], query: URLSearchParams): Promise<void> {
  if (await signedIn()) {
    go('/framsteg');
    return;
  }
  show('Logga in',
    h('p', {}, 'Du loggar in hos inloggningstjänsten och kommer sedan tillbaka hit.'),
    signInButton(query.get('till') ?? '/framsteg'));
}

async function callbackPage(): Promise<void> {
  show('Loggar in …', h('p', {}, 'Ett ögonblick.'));
  const returnTo = await completeSignIn();
  go(returnTo);
}

// ---- enrolment ----------------------------------------------------------------------------------

const organisationTypes: [string, string][] = [
  ['ORGANISATION_TYPE_KOMMUN', 'Kommun'],
  ['ORGANISATION_TYPE_AUTHORITY', 'Myndighet'],
  ['ORGANISATION_TYPE_ASSOCIATION', 'Förening, trossamfund eller studieförbund'],
  ['ORGANISATION_TYPE_COMPANY', 'Företag'],
  ['ORGANISATION_TYPE_OTHER', 'Annan'],
];

// What to write when the API refuses a field, in Swedish (its own descriptions are English).
const fieldHelp: Record<string, string> = {
  display_name: 'Skriv ditt namn så som det ska stå på diplomet.',
  email: 'Skriv en giltig e-postadress, till exempel namn@exempel.se.',
  organisation_type: 'Välj vilken typ av organisation du arbetar i.',
  organisation_name: 'Skriv organisationens namn.',
  kommunkod: 'Välj kommunen där du arbetar.',
  parts: 'Välj minst en av kursens delar.',
};

interface Field {
  id: string;
  label: string;
  control: HTMLElement;
  error: HTMLElement;
}

function field(name: string, label: string, control: HTMLElement, hint?: string): Field {
  const id = `f-${name}`;
  control.id = id;
  control.setAttribute('name', name);
  const error = h('p', { class: 'field-error', id: `${id}-fel`, hidden: true });
  const describedBy = [hint ? `${id}-tips` : '', `${id}-fel`].filter(Boolean).join(' ');
  control.setAttribute('aria-describedby', describedBy);
  return { id, label, control, error: error as HTMLElement };
}

function fieldRow(f: Field, hint?: string): HTMLElement {
  return h('div', { class: 'field' },
    h('label', { for: f.id }, f.label),
    hint ? h('p', { class: 'hint', id: `${f.id}-tips` }, hint) : null,
    f.error, f.control);
}

async function enrolPage(): Promise<void> {
  if (!(await requireSignIn())) return;
  try {
    await api.getLearner();
    go('/framsteg');
    return;
  } catch (err) {
    if (!(err instanceof ApiError && err.status === 404)) throw err;
  }
  const { parts = [] } = await api.listParts();
  const fields: Record<string, Field> = {
    display_name: field('display_name', 'Namn', h('input', { type: 'text', autocomplete: 'name' })),
    email: field('email', 'E-post', h('input', { type: 'email', autocomplete: 'email' })),
    organisation_type: field('organisation_type', 'Typ av organisation',
      h('select', {}, h('option', { value: '' }, 'Välj …'),
        ...organisationTypes.map(([v, t]) => h('option', { value: v }, t)))),
    organisation_name: field('organisation_name', 'Organisationens namn', h('input', { type: 'text', autocomplete: 'organization' })),
    kommunkod: field('kommunkod', 'Kommun',
      h('select', {}, h('option', { value: '' }, 'Välj kommun …'),
        ...kommuner.map((k) => h('option', { value: k.kod }, k.namn)))),
  };
  const partBoxes = parts.map((p, i) => {
    const id = `f-parts-${i}`;
    return h('div', { class: 'check' },
      h('input', { type: 'checkbox', id, name: 'parts', value: p.name ?? '', checked: true }),
      h('label', { for: id }, p.title ?? ''));
  });
  const partsError = h('p', { class: 'field-error', id: 'f-parts-fel', hidden: true });
  const partsSet = h('fieldset', { 'aria-describedby': 'f-parts-fel' },
    h('legend', {}, 'Delar du vill gå'), partsError, ...partBoxes);
  const summary = h('div', { class: 'error-summary', role: 'alert', tabindex: '-1', hidden: true });
  const submit = h('button', { type: 'submit' }, 'Anmäl mig');
  const form = h('form', { novalidate: true },
    summary,
    ...Object.values(fields).map((f) => fieldRow(f, f.id === 'f-display_name' ? 'Namnet skrivs ut på ditt diplom.' : undefined)),
    partsSet, submit) as HTMLFormElement;
  const requestId = crypto.randomUUID();

  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = (name: string) => (fields[name].control as HTMLInputElement).value.trim();
    const chosen = partBoxes
      .map((b) => b.querySelector('input') as HTMLInputElement)
      .filter((i) => i.checked).map((i) => i.value);
    const learner: Learner = {
      name: 'learners/me',
      displayName: value('display_name'),
      email: value('email'),
      organisationType: (value('organisation_type') || 'ORGANISATION_TYPE_UNSPECIFIED') as Learner['organisationType'],
      organisationName: value('organisation_name'),
      kommunkod: value('kommunkod'),
      parts: chosen,
    };
    submit.setAttribute('disabled', '');
    try {
      await api.createLearner(learner, requestId);
      go('/framsteg');
    } catch (err) {
      submit.removeAttribute('disabled');
      const invalid = err instanceof ApiError ? err.fields : new Map<string, string>();
      const errors: [string, string, string][] = []; // field, target id, Swedish text
      for (const path of invalid.keys()) {
        const name = path.replace(/^learner\./, '').replace(/\[\d+\]$/, '');
        const text = fieldHelp[name] ?? 'Kontrollera uppgiften.';
        const target = name === 'parts' ? 'f-parts-0' : fields[name]?.id;
        if (target && !errors.some(([n]) => n === name)) errors.push([name, target, text]);
      }
      for (const f of Object.values(fields)) {
        f.error.hidden = true;
        f.control.removeAttribute('aria-invalid');
      }
      partsError.hidden = true;
      if (errors.length === 0) {
        summary.replaceChildren(problem(err));
      } else {
        for (const [name, , text] of errors) {
          const el = name === 'parts' ? partsError : fields[name].error;
          el.textContent = text;
          el.hidden = false;
          if (name !== 'parts') fields[name].control.setAttribute('aria-invalid', 'true');
        }
        summary.replaceChildren(
          h('h2', {}, 'Uppgifterna behöver rättas'),
          h('ul', {}, ...errors.map(([, target, text]) => h('li', {}, h('a', { href: `#${target}` }, text)))));
      }
      summary.hidden = false;
      summary.focus();
    }
  });
  show('Anmälan', h('p', {}, 'Fyll i dina uppgifter för att börja kursen. Alla fält behövs.'), form);
}

// ---- a part and its modules ---------------------------------------------------------------------

async function passedModules(): Promise<Set<string>> {
  const passed = new Set<string>();
  if (!(await accessToken())) return passed;
  try {
    const progress = await api.getProgress();
    for (const part of progress.parts ?? []) {
      for (const m of part.modules ?? []) if (m.passed && m.module) passed.add(m.module);
    }
  } catch {
    // Not enrolled yet: nothing is passed.
  }
  return passed;
}

const modulePath = (name: string) => '/' + name.replace('parts/', 'delar/').replace('/modules/', '/moduler/');

async function partPage([partId]: string[]): Promise<void> {
  const { parts = [] } = await api.listParts();
  const part = parts.find((p: Part) => p.name === `parts/${partId}`);
  if (!part) {
    show('Delen finns inte', h('p', {}, h('a', { href: '/' }, 'Till kursens start')));
    return;
  }
  const [{ modules = [] }, passed] = await Promise.all([api.listModules(part.name ?? ''), passedModules()]);
  show(part.title ?? '',
    h('p', { class: 'lead' }, part.description ?? ''),
    h('ol', { class: 'cards' }, ...modules.map((m) => h('li', { class: 'card' },
      h('h2', {}, h('a', { href: modulePath(m.name ?? '') }, m.title ?? '')),
      h('p', {}, m.description ?? ''),
      h('p', { class: 'meta' }, `Cirka ${minutes(moduleSeconds(m))}`,
        passed.has(m.name ?? '') ? h('span', { class: 'badge' }, ' · Godkänt') : null)))));
}

// ---- a module: its content and the way to its quiz ---------------------------------------------

async function modulePage([partId, moduleId]: string[]): Promise<void> {
  const module = await api.getModule(`parts/${partId}/modules/${moduleId}`);
  const items = (module.content ?? []).map((item) => {
    const film = item.kind === 'CONTENT_KIND_FILM';
    return h('section', { class: 'content-item' },
      h('h2', {}, `${film ? 'Film' : 'Föreläsning'}: ${item.title ?? ''}`),
      item.durationSeconds ? h('p', { class: 'meta' }, `Längd: ${minutes(item.durationSeconds)}`) : null,
      item.text ? fragment(...item.text.split(/\n\s*\n/).map((para) => h('p', {}, para))) : null,
      item.uri ? h('p', {}, h('a', { href: item.uri, rel: 'noopener' },
        film ? `Se filmen ”${item.title ?? ''}”` : `Öppna föreläsningen ”${item.title ?? ''}”`)) : null);
  });
  show(module.title ?? '',
    h('p', { class: 'lead' }, module.description ?? ''),
    ...items,
    h('section', { class: 'quiz-intro' },
      h('h2', {}, 'Prov'),
      h('p', {}, 'När du har gått igenom innehållet gör du provet. Frågorna kan ha ett eller flera rätta svar.'),
      h('p', {}, h('a', { href: `${modulePath(module.name ?? '')}/prov`, class: 'button' }, 'Till provet'))));
}

// ---- the quiz -----------------------------------------------------------------------------------

async function quizPage([partId, moduleId]: string[]): Promise<void> {
  const moduleName = `parts/${partId}/modules/${moduleId}`;
  if (!(await requireLearner())) return;
  const module = await api.getModule(moduleName);
  const stored = loadQuiz(moduleName);
  const running = stored && stored.attempt.state === 'ATTEMPT_STATE_IN_PROGRESS' &&
    Date.parse(stored.attempt.expireTime ?? '') > Date.now();
  if (running) {
    renderQuiz(module, stored.attempt, stored.answers);
    return;
  }
  const status = h('div', { role: 'status' });
  const start = h('button', { type: 'button' }, 'Starta provet');
  start.addEventListener('click', () => void startQuiz(module, status, false));
  show(`Prov: ${module.title ?? ''}`,
    h('p', {}, 'Provet startar när du trycker på knappen. Tiden du har visas när provet startat.'),
    start, status);
}

async function startQuiz(module: Module, status: HTMLElement, renew: boolean): Promise<void> {
  const name = module.name ?? '';
  try {
    const attempt = await api.startAttempt(name, startRequestId(name, renew));
    if (attempt.state !== 'ATTEMPT_STATE_IN_PROGRESS') {
      // The start was retried after this attempt ended: ask for a new one.
      await startQuiz(module, status, true);
      return;
    }
    saveQuiz(name, { attempt, answers: {} });
    renderQuiz(module, attempt, {});
  } catch (err) {
    if (err instanceof ApiError && err.reason === 'RETRY_TOO_EARLY') {
      status.replaceChildren(h('p', { class: 'error' },
        `Du kan göra ett nytt försök från klockan ${formatTime(err.metadata.retry_after)}.`));
    } else if (err instanceof ApiError && err.reason === 'MODULE_ALREADY_PASSED') {
      status.replaceChildren(h('p', {}, 'Du har redan klarat det här provet. ', h('a', { href: '/framsteg' }, 'Se dina framsteg')));
    } else if (err instanceof ApiError && err.reason === 'ATTEMPT_LIMIT_REACHED') {
      status.replaceChildren(h('p', { class: 'error' }, 'Du har använt alla försök på det här provet. Kontakta Länsstyrelsen.'));
    } else {
      status.replaceChildren(problem(err));
    }
  }
}

function renderQuiz(module: Module, attempt: Attempt, answers: Record<string, string[]>): void {
  const moduleName = module.name ?? '';
  const limitSeconds = (Date.parse(attempt.expireTime ?? '') - Date.parse(attempt.startTime ?? '')) / 1000;
  const remaining = h('span', {});
  const tick = () => {
    const left = Math.max(0, Math.floor((Date.parse(attempt.expireTime ?? '') - Date.now()) / 1000));
    remaining.textContent = `${Math.floor(left / 60)} min ${String(left % 60).padStart(2, '0')} s`;
    if (document.body.contains(remaining) && left > 0) setTimeout(tick, 1000);
  };
  const questions = (attempt.questions ?? []).map((q, qi) => {
    const multiple = q.kind === 'QUESTION_KIND_MULTIPLE_ANSWER';
    const error = h('p', { class: 'field-error', id: `q${qi}-fel`, hidden: true }, 'Besvara frågan.');
    const options = (q.options ?? []).map((o, oi) => {
      const id = `q${qi}-o${oi}`;
      const input = h('input', {
        type: multiple ? 'checkbox' : 'radio', id, name: `q${qi}`, value: o.optionId ?? '',
        checked: (answers[q.questionId ?? ''] ?? []).includes(o.optionId ?? ''),
      }) as HTMLInputElement;
      input.addEventListener('change', () => {
        const chosen = Array.from(document.querySelectorAll<HTMLInputElement>(`input[name="q${qi}"]`))
          .filter((i) => i.checked).map((i) => i.value);
        answers[q.questionId ?? ''] = chosen;
        saveQuiz(moduleName, { attempt, answers });
      });
      return h('div', { class: 'check' }, input, h('label', { for: id }, o.text ?? ''));
    });
    return h('fieldset', { class: 'question', 'aria-describedby': `q${qi}-fel` },
      h('legend', {}, `Fråga ${qi + 1}: ${q.text ?? ''}`),
      h('p', { class: 'hint' }, multiple ? 'Välj alla svar som stämmer.' : 'Välj ett svar.'),
      error, ...options);
  });
  const status = h('div', { role: 'status', class: 'status' });
  const submit = h('button', { type: 'submit' }, 'Lämna in provet');
  const form = h('form', { novalidate: true }, ...questions, submit, status) as HTMLFormElement;

  const send = async () => {
    const served = attempt.questions ?? [];
    let firstMissing = -1;
    served.forEach((q, qi) => {
      const missing = (answers[q.questionId ?? ''] ?? []).length === 0;
      (document.getElementById(`q${qi}-fel`) as HTMLElement).hidden = !missing;
      if (missing && firstMissing < 0) firstMissing = qi;
    });
    if (firstMissing >= 0) {
      status.replaceChildren(h('p', { class: 'error' }, 'Alla frågor behöver besvaras.'));
      (document.getElementById(`q${firstMissing}-o0`) as HTMLElement).focus();
      return;
    }
    submit.setAttribute('disabled', '');
    status.replaceChildren(h('p', {}, 'Skickar dina svar …'));
    try {
      const scored = await api.submitAttempt(attempt.name ?? '',
        served.map((q) => ({ questionId: q.questionId, optionIds: answers[q.questionId ?? ''] })));
      clearQuiz(moduleName);
      renderResult(module, scored);
    } catch (err) {
      submit.removeAttribute('disabled');
      if (err instanceof NetworkError) {
        // The answers stay in sessionStorage; sending again when the connection is back.
        status.replaceChildren(h('p', { class: 'error' },
          'Anslutningen bröts. Dina svar är sparade – de skickas när anslutningen är tillbaka, eller tryck på ”Lämna in provet” igen.'));
        window.addEventListener('online', () => void send(), { once: true });
      } else if (err instanceof ApiError && err.reason === 'ATTEMPT_EXPIRED') {
        clearQuiz(moduleName);
        status.replaceChildren(h('p', { class: 'error' }, 'Tiden för provet tog slut. Starta ett nytt försök.'));
      } else {
        status.replaceChildren(problem(err));
      }
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });
  show(`Prov: ${module.title ?? ''}`,
    h('p', { class: 'meta' },
      `Tidsgräns: ${minutes(limitSeconds)}. Lämna in senast klockan ${formatTime(attempt.expireTime)} (kvar: `, remaining, ').'),
    h('p', {}, `Du behöver ${attempt.passMarkPercent ?? 0} procent rätt för att bli godkänd. Frågor med flera rätta svar räknas som rätt bara när alla rätta svar är valda.`),
    form);
  tick();
}

function renderResult(module: Module, attempt: Attempt): void {
  const passed = attempt.passed === true;
  const again = h('div', {});
  const retry = h('button', { type: 'button' }, 'Gör ett nytt försök');
  retry.addEventListener('click', () => void startQuiz(module, again, true));
  show(passed ? 'Godkänt!' : 'Inte godkänt',
    h('p', { class: passed ? 'success' : 'error' },
      `Du fick ${attempt.scorePercent ?? 0} procent rätt. Gränsen för godkänt är ${attempt.passMarkPercent ?? 0} procent.`),
    h('h2', {}, 'Dina svar'),
    h('ul', {}, ...(attempt.results ?? []).map((r, i) =>
      h('li', {}, `Fråga ${i + 1}: ${r.correct ? 'rätt' : 'fel'}`))),
    passed
      ? h('p', {}, h('a', { href: '/framsteg', class: 'button' }, 'Till mina framsteg'))
      : fragment(h('p', {}, 'Läs igenom momentet igen och gör ett nytt försök.'), retry, again));
}

// ---- progress and diplomas -----------------------------------------------------------------------

async function progressPage(): Promise<void> {
  if (!(await requireLearner())) return;
  const progress = await api.getProgress();
  show('Mina framsteg',
    progress.completed
      ? h('p', { class: 'success' }, 'Du har klarat hela kursen. ', h('a', { href: '/diplom' }, 'Hämta ditt diplom'))
      : h('p', {}, 'Här ser du vilka moment du har klarat.'),
    ...(progress.parts ?? []).map((part) => h('section', {},
      h('h2', {}, `${part.title ?? ''}${part.completed ? ' – klar' : ''}`),
      h('table', {},
        h('caption', { class: 'visually-hidden' }, `Moment i ${part.title ?? ''}`),
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Moment'), h('th', { scope: 'col' }, 'Status'), h('th', { scope: 'col' }, 'Bästa resultat'))),
        h('tbody', {}, ...(part.modules ?? []).map((m) => h('tr', {},
          h('th', { scope: 'row' }, h('a', { href: modulePath(m.module ?? '') }, m.title ?? '')),
          h('td', {}, m.passed ? 'Godkänt' : (m.attemptsUsed ?? 0) > 0 ? 'Inte godkänt än' : 'Inte påbörjat'),
          h('td', {}, (m.attemptsUsed ?? 0) > 0 ? `${m.bestScorePercent ?? 0} %` : '–'))))))));
}

async function diplomaPage(): Promise<void> {
  if (!(await requireLearner())) return;
  const { diplomas = [] } = await api.listDiplomas();
  if (diplomas.length === 0) {
    show('Mina diplom', h('p', {}, 'Du har inga diplom än. Ett intyg utfärdas för varje del du klarar och ett diplom när du klarat hela kursen.'));
    return;
  }
  show('Mina diplom', h('ul', { class: 'cards' }, ...diplomas.map((d) => {
    const code = d.content?.code ?? '';
    const revoked = d.state === 'DIPLOMA_STATE_REVOKED';
    const status = h('div', { role: 'status' });
    const download = h('button', { type: 'button' }, 'Ladda ner som PDF');
    download.addEventListener('click', async () => {
      try {
        const blob = await api.diplomaPdf(d.name ?? '');
        const url = URL.createObjectURL(blob);
        const a = h('a', { href: url, download: `diplom-${code}.pdf`, hidden: true });
        document.body.append(a);
        a.click();
        a.remove();
        setTimeout(() => URL.revokeObjectURL(url), 60000);
        status.replaceChildren(h('p', {}, 'PDF-filen är nedladdad.'));
      } catch (err) {
        status.replaceChildren(problem(err));
      }
    });
    return h('li', { class: 'card' },
      h('h2', {}, d.content?.kind === 'DIPLOMA_KIND_COURSE' ? 'Kursdiplom' : 'Intyg för del'),
      h('p', {}, (d.content?.partTitles ?? []).join(', ')),
      h('p', { class: 'meta' }, `Utfärdat ${formatDate(d.content?.issueDate)}${revoked ? ' · återkallat' : ''}`),
      h('p', {}, 'Kod: ', h('code', { class: 'code' }, groupCode(code))),
      revoked ? null : download,
      h('p', {}, h('a', { href: `/verify?kod=${encodeURIComponent(code)}` }, 'Kontrollera diplomet')),
      status);
  })));
}

// ---- public verification ------------------------------------------------------------------------

async function verifyPage(_: string[], query: URLSearchParams): Promise<void> {
  const input = h('input', { type: 'text', id: 'f-code', name: 'code', autocomplete: 'off', spellcheck: 'false', 'aria-describedby': 'f-code-tips f-code-fel' }) as HTMLInputElement;
  const error = h('p', { class: 'field-error', id: 'f-code-fel', hidden: true });
  const result = h('div', { role: 'status', class: 'status' });
  const form = h('form', { novalidate: true },
    h('div', { class: 'field' },
      h('label', { for: 'f-code' }, 'Diplomets kod'),
      h('p', { class: 'hint', id: 'f-code-tips' }, '26 tecken, som på diplomet. Bindestreck och mellanslag spelar ingen roll.'),
      error, input),
    h('button', { type: 'submit' }, 'Kontrollera'), result) as HTMLFormElement;
  const check = async () => {
    error.hidden = true;
    input.removeAttribute('aria-invalid');
    try {
      const answer = await api.verify(input.value.trim());
      const c = answer.content;
      const facts = c ? h('dl', {},
        h('dt', {}, 'Namn'), h('dd', {}, c.learnerName ?? ''),
        h('dt', {}, 'Omfattar'), h('dd', {}, (c.partTitles ?? []).join(', ')),
        h('dt', {}, 'Utfärdat'), h('dd', {}, `${formatDate(c.issueDate)} av ${c.issuer ?? ''}`)) : null;
      if (answer.verdict === 'VERDICT_VALID') {
        result.replaceChildren(h('p', { class: 'success verdict' }, 'Giltigt: diplomet är äkta och gäller.'), facts ?? '');
      } else if (answer.verdict === 'VERDICT_REVOKED') {
        result.replaceChildren(h('p', { class: 'error verdict' }, 'Diplomet är återkallat.'),
          answer.revokeReason ? h('p', {}, `Skäl: ${answer.revokeReason}`) : '', facts ?? '');
      } else {
        result.replaceChildren(h('p', { class: 'error verdict' }, 'Okänd kod: inget diplom har den här koden.'));
      }
    } catch (err) {
      if (err instanceof ApiError && err.fields.has('code')) {
        error.textContent = 'Koden ska bestå av 26 siffror och bokstäver. Kontrollera att du skrivit av den rätt.';
        error.hidden = false;
        input.setAttribute('aria-invalid', 'true');
        result.replaceChildren();
        input.focus();
      } else {
        result.replaceChildren(problem(err));
      }
    }
  };
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void check();
  });
  show('Kontrollera ett diplom',
    h('p', {}, 'Här kan vem som helst kontrollera att ett diplom från kursen Bättre bemötande är äkta. Ingen inloggning behövs.'),
    form);
  const code = query.get('kod');
  if (code) {
    input.value = code;
    await check();
  }
}

// ---- start --------------------------------------------------------------------------------------

document.addEventListener('click', (event) => {
  const a = (event.target as Element).closest('a');
  if (!a || a.target || a.hasAttribute('download') || event.ctrlKey || event.metaKey || event.shiftKey) return;
  const url = new URL(a.href, location.href);
  if (url.origin !== location.origin || url.hash) return;
  event.preventDefault();
  go(url.pathname + url.search);
});
window.addEventListener('popstate', () => {
  navigated = true;
  void render();
});

void (async () => {
  await initAuth();
  setTokenSource(accessToken);
  await render();
})();
