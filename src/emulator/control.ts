/**
 * Test-only endpoints under /__emulator/, served only with `control: true`, so
 * that a test driving the emulator as a subprocess can set faults, read the
 * request log and the world, and stage connections. The CLI never enables them.
 */
import { type FaultOptions, parseFaultOptions } from './faults.js';
import { type ApiResponse, answerRuleError, isApiResponse, NOT_FOUND_BODY, parseJsonBody } from './routes.js';
import type { RequestLogEntry } from './server.js';
import type { EmulatorWorld } from './world.js';

export interface ControlContext {
  world: EmulatorWorld;
  requestLog: RequestLogEntry[];
  /** Throws RangeError for invalid options. */
  setFaults(faults: FaultOptions): void;
}

const SUCCESS = { result: { success: true } };

export function handleControl(
  context: ControlContext,
  method: string,
  rawPath: string,
  bodyText: string,
): ApiResponse {
  const done = (body: unknown, changed = false): ApiResponse => ({ status: 200, body, changed });
  const route = `${method} ${rawPath}`;
  switch (route) {
    case 'GET /__emulator/log':
      return done({ result: context.requestLog });
    case 'DELETE /__emulator/log':
      context.requestLog.length = 0;
      return done(SUCCESS);
    case 'GET /__emulator/world':
      // Never the secrets, even here: subprocess tests print what they read.
      return done({ result: context.world.toPublicData() });
    case 'POST /__emulator/faults': {
      const body = parseJsonBody(bodyText);
      if (isApiResponse(body)) return body;
      try {
        context.setFaults(parseFaultOptions(body.value));
      } catch (error) {
        return { status: 400, body: { message: (error as Error).message }, changed: false };
      }
      return done(SUCCESS);
    }
    case 'POST /__emulator/connections': {
      const body = parseJsonBody(bodyText);
      if (isApiResponse(body)) return body;
      const { customer_id, profile_id, count } = (body.value ?? {}) as Record<string, unknown>;
      if (typeof customer_id !== 'number' || typeof profile_id !== 'number' || typeof count !== 'number') {
        const message = 'expected {"customer_id": n, "profile_id": n, "count": n}';
        return { status: 400, body: { message }, changed: false };
      }
      const result = context.world.setConnections({ id: customer_id }, profile_id, count);
      return result.ok ? done(SUCCESS, true) : answerRuleError(result.error);
    }
    default:
      return { status: 404, body: NOT_FOUND_BODY, changed: false };
  }
}
