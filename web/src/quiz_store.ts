// The quiz a learner is taking, kept in sessionStorage: the served attempt (questions and
// options as served, never their correctness) and every answer as it is given, so that a lost
// connection or a reload loses nothing; cleared once the server has scored the attempt.
import type { Attempt } from './api';

interface Stored {
  attempt: Attempt;
  answers: Record<string, string[]>;
}

const key = (module: string) => `kurs.prov.${module}`;

export function loadQuiz(module: string): Stored | null {
  const raw = sessionStorage.getItem(key(module));
  if (!raw) return null;
  try {
    return JSON.parse(raw) as Stored;
  } catch {
    sessionStorage.removeItem(key(module));
    return null;
  }
}

export function saveQuiz(module: string, stored: Stored): void {
  sessionStorage.setItem(key(module), JSON.stringify(stored));
}

export function clearQuiz(module: string): void {
  sessionStorage.removeItem(key(module));
}

// The idempotency key of the start of the next attempt at `module`: a retried start after a
// lost answer returns the same attempt instead of using up another one.
export function startRequestId(module: string, renew = false): string {
  const k = `kurs.start.${module}`;
  let id = sessionStorage.getItem(k);
  if (!id || renew) {
    id = crypto.randomUUID();
    sessionStorage.setItem(k, id);
  }
  return id;
}
