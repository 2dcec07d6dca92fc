// The engine's dedicated module Worker: keys, crypto and IndexedDB live here, so the page's
// main thread never blocks on them. Reached through Comlink (src/engine-client.ts).
import { expose, transfer } from 'comlink';
import { Engine } from '../src/engine';
import { toWire } from '../src/errors';
import type { CallResult, EngineMethod, WorkerApi } from '../src/protocol';
import { transferables } from '../src/transfer';

const engine = new Engine();

const api: WorkerApi = {
  async call(method: EngineMethod, args: unknown[]): Promise<CallResult> {
    try {
      const fn = engine[method] as (...a: unknown[]) => Promise<unknown>;
      if (typeof fn !== 'function') throw new TypeError(`unknown engine method ${String(method)}`);
      const ok = await fn.apply(engine, args);
      return transfer({ ok }, transferables(ok));
    } catch (error) {
      // Comlink would keep only name/message/stack: flatten our fields, rebuilt on the other side.
      return { error: toWire(error) };
    }
  },
};

expose(api);
