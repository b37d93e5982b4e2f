// Calls of the gateway's HTTP/JSON API (/v1) with the types generated from its OpenAPI
// document, and the errors a page shows: the API's google.rpc.Status with its field violations,
// or a lost connection (which the quiz survives).
import type { components } from '../.gen/api';

type Schemas = components['schemas'];
export type Part = Schemas['lansstyrelsen.integration.training.v1.Part'];
export type Module = Schemas['lansstyrelsen.integration.training.v1.Module'];
export type Learner = Schemas['lansstyrelsen.integration.training.v1.Learner'];
export type Attempt = Schemas['lansstyrelsen.integration.training.v1.Attempt'];
export type Answer = Schemas['lansstyrelsen.integration.training.v1.Answer'];
export type Progress = Schemas['lansstyrelsen.integration.training.v1.Progress'];
export type Diploma = Schemas['lansstyrelsen.integration.training.v1.Diploma'];
export type VerifyResult = Schemas['lansstyrelsen.integration.training.v1.VerifyDiplomaResponse'];
type ListParts = Schemas['lansstyrelsen.integration.training.v1.ListPartsResponse'];
type ListModules = Schemas['lansstyrelsen.integration.training.v1.ListModulesResponse'];
type ListDiplomas = Schemas['lansstyrelsen.integration.training.v1.ListDiplomasResponse'];

// The API refused the call: HTTP status, ErrorInfo reason and metadata, field violations by
// field path ("learner.email").
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly reason: string,
    readonly metadata: Record<string, string>,
    readonly fields: Map<string, string>,
  ) {
    super(message);
  }
}

// The request never got an answer (offline, connection reset, gateway unreachable).
export class NetworkError extends Error {}

interface StatusDetail {
  '@type'?: string;
  reason?: string;
  metadata?: Record<string, string>;
  fieldViolations?: { field?: string; description?: string }[];
}

let tokenSource: () => Promise<string | null> = async () => null;
// The access token of the signed-in learner, read before each call.
export function setTokenSource(source: () => Promise<string | null>): void {
  tokenSource = source;
}

async function send(method: string, path: string, body?: unknown, auth = true): Promise<Response> {
  const headers: Record<string, string> = { accept: 'application/json' };
  if (body !== undefined) headers['content-type'] = 'application/json';
  if (auth) {
    const token = await tokenSource();
    if (token) headers.authorization = `Bearer ${token}`;
  }
  let response: Response;
  try {
    response = await fetch(path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      cache: 'no-store',
    });
  } catch {
    throw new NetworkError('Ingen kontakt med servern.');
  }
  if (!response.ok) {
    let status: { message?: string; details?: StatusDetail[] } = {};
    try {
      status = await response.json();
    } catch {
      // Not a google.rpc.Status (e.g. a proxy's page): the HTTP status says enough.
    }
    let reason = '';
    let metadata: Record<string, string> = {};
    const fields = new Map<string, string>();
    for (const detail of status.details ?? []) {
      if (detail.reason) {
        reason = detail.reason;
        metadata = detail.metadata ?? {};
      }
      for (const v of detail.fieldViolations ?? []) {
        if (v.field) fields.set(v.field, v.description ?? '');
      }
    }
    throw new ApiError(response.status, status.message ?? response.statusText, reason, metadata, fields);
  }
  return response;
}

async function json<T>(method: string, path: string, body?: unknown, auth = true): Promise<T> {
  return (await send(method, path, body, auth)).json() as Promise<T>;
}

// Names such as "parts/introduktion" go into paths segment by segment.
const at = (name: string) => '/v1/' + name.split('/').map(encodeURIComponent).join('/');

export const api = {
  listParts: () => json<ListParts>('GET', '/v1/parts?pageSize=100', undefined, false),
  listModules: (part: string) =>
    json<ListModules>('GET', `${at(part)}/modules?pageSize=100`, undefined, false),
  getModule: (name: string) => json<Module>('GET', at(name), undefined, false),
  getLearner: () => json<Learner>('GET', '/v1/learners/me'),
  createLearner: (learner: Learner, requestId: string) =>
    json<Learner>('POST', `/v1/learners?requestId=${encodeURIComponent(requestId)}`, learner),
  startAttempt: (module: string, requestId: string) =>
    json<Attempt>('POST', '/v1/learners/me/attempts', { module, requestId }),
  submitAttempt: (name: string, answers: Answer[]) =>
    json<Attempt>('POST', `${at(name)}:submit`, { answers }),
  getProgress: () => json<Progress>('GET', '/v1/learners/me/progress'),
  listDiplomas: () => json<ListDiplomas>('GET', '/v1/learners/me/diplomas'),
  diplomaPdf: async (name: string) => (await send('GET', `${at(name)}:pdf`)).blob(),
  verify: (code: string) =>
    json<VerifyResult>('GET', `/v1/diplomas/${encodeURIComponent(code)}:verify`, undefined, false),
};
