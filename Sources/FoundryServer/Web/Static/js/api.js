// The HTTP API as the page uses it: the bearer token and this tab's session
// on every request, JSON in and out, errors as `ApiError` with the server's
// code, message and details (README › HTTP API).

/** An error answer: `status`, `code` (e.g. `LOCKED`), `message`, and the details the server gave. */
export class ApiError extends Error {
  constructor(status, error = {}) {
    super(error.message ?? `HTTP ${status}`);
    this.status = status;
    this.code = error.code ?? `HTTP_${status}`;
    this.details = error;
  }
}

/** `/projects/{id}/…` with each path segment escaped. */
export const projectPath = (id, ...rest) => `/projects/${encodeURIComponent(id)}` + rest.map((part) => `/${part}`).join('');

/** A field name (`tests/bec.jsonl`) as URL path segments. */
export const fieldPath = (field) => field.split('/').map(encodeURIComponent).join('/');

export class Api {
  /**
   * @param auth the signed-in `Auth` (its token; told when the server refuses it)
   * @param session this tab's session id: locks taken by its socket are saved with it
   */
  constructor(auth, session) {
    this.auth = auth;
    this.session = session;
  }

  /**
   * Sends a request; resolves with the parsed JSON (or text for other
   * content types) and the response, rejects with `ApiError`.
   */
  async request(method, path, { json, headers = {}, raw = false, blob = false } = {}) {
    const init = {
      method,
      headers: { Authorization: `Bearer ${this.auth.token}`, 'X-Foundry-Session': this.session, ...headers },
      cache: 'no-store',
    };
    if (json !== undefined) {
      init.headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(json);
    }
    let response;
    try {
      response = await fetch(path, init);
    } catch (error) {
      throw new ApiError(0, { code: 'NETWORK', message: `the server cannot be reached (${error.message})` });
    }
    const type = response.headers.get('Content-Type') ?? '';
    const parse = type.includes('json') && (!(raw || blob) || !response.ok);
    const body = parse ? await response.json().catch(() => null) : blob && response.ok ? await response.blob() : await response.text();
    if (!response.ok) {
      const error = new ApiError(response.status, body?.error ?? { message: typeof body === 'string' ? body : undefined });
      // A step-up challenge (RFC 9470) asks for a fresher sign-in for one action; the token itself is still good.
      if (response.status === 401 && error.code === 'INSUFFICIENT_USER_AUTHENTICATION') this.auth.stepUp(error.details);
      else if (response.status === 401) this.auth.rejected(error.message);
      throw error;
    }
    return { body, response };
  }

  async get(path) { return (await this.request('GET', path)).body; }
  /** The body as text whatever its type (a field's exact content, a console). */
  async text(path) { return (await this.request('GET', path, { raw: true })).body; }
  /** The body as a Blob (a tarball). */
  async blob(path) { return (await this.request('GET', path, { blob: true })).body; }
  async post(path, json) { return (await this.request('POST', path, { json })).body; }
  async put(path, json) { return (await this.request('PUT', path, { json })).body; }
  async patch(path, json) { return (await this.request('PATCH', path, { json })).body; }
  async delete(path) { return (await this.request('DELETE', path)).body; }
}
