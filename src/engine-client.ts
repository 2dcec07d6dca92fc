// The main thread's side of the engine: one module Worker per page, shared by every Database,
// reached through Comlink. Where no Worker exists (we are inside a worker), the engine runs
// in-thread with the same API.
import { transfer, wrap, type Remote } from 'comlink';
import type { Engine } from './engine';
import { fromWire } from './errors';
import type { EngineApi, WorkerApi } from './protocol';
import { transferables } from './transfer';

type Args<K extends keyof EngineApi> = Parameters<EngineApi[K]>;
type Result<K extends keyof EngineApi> = Awaited<ReturnType<EngineApi[K]>>;

export interface EngineClient {
  /** Calls an engine method. Uint8Arrays in `args` are transferred: pass copies you own. */
  call<K extends keyof EngineApi>(method: K, ...args: Args<K>): Promise<Result<K>>;
  /** The engine's id, to recognise its own change broadcasts. */
  readonly id: Promise<string>;
  /** True when the engine runs in a Worker. */
  readonly inWorker: boolean;
}

class WorkerClient implements EngineClient {
  readonly #remote: Remote<WorkerApi>;
  readonly inWorker = true;
  readonly id: Promise<string>;
  constructor(worker: Worker) {
    this.#remote = wrap<WorkerApi>(worker);
    this.id = this.call('id');
  }
  async call<K extends keyof EngineApi>(method: K, ...args: Args<K>): Promise<Result<K>> {
    const result = await this.#remote.call(method, transfer(args, transferables(args)));
    if ('error' in result) throw fromWire(result.error);
    return result.ok as Result<K>;
  }
}

class InThreadClient implements EngineClient {
  // Loaded on demand, so pages (which use the Worker) do not ship the engine twice.
  readonly #engine: Promise<Engine> = import('./engine').then((m) => new m.Engine());
  readonly inWorker = false;
  readonly id = this.#engine.then((e) => e.id());
  async call<K extends keyof EngineApi>(method: K, ...args: Args<K>): Promise<Result<K>> {
    const engine = await this.#engine;
    const fn = engine[method] as (...a: unknown[]) => Promise<Result<K>>;
    return fn.apply(engine, args);
  }
}

let shared: EngineClient | undefined;

/** The page's engine, started on first use. */
export function engine(): EngineClient {
  if (!shared) {
    shared =
      typeof Worker === 'function' && typeof window !== 'undefined'
        ? new WorkerClient(new Worker(new URL('../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'tagvault-engine' }))
        : new InThreadClient();
  }
  return shared;
}
