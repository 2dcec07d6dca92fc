// The page's side of the wire: one engine per page, shared by every Database, reached through
// Comlink as a typed `Remote<EngineApi>`. On a page the engine runs in a module Worker; where no
// Worker can be started (tagvault used inside a worker), it runs in this thread behind a
// MessageChannel: the same wire, so errors, transfers and timing behave the same on both paths.
import { expose, type Remote, wrap } from 'comlink';
import { transferErrors } from './error-transfer';
import type { EngineApi } from './protocol';

/** The engine as the page calls it: every method of {@link EngineApi}, typed, over Comlink. */
export type EngineRemote = Remote<EngineApi>;

let shared: { remote: EngineRemote; id: Promise<string> } | undefined;

/**
 * A new engine in this thread, behind a MessageChannel: what {@link engine} uses where no Worker
 * can start. Loaded on demand, so pages (which use the Worker) do not ship the engine twice.
 */
export function inThreadEngine(): EngineRemote {
  transferErrors();
  const { port1, port2 } = new MessageChannel();
  import('../engine/engine').then(
    (m) => expose(new m.Engine(), port1),
    // Every call then fails with the reason, as the worker path would.
    (error: unknown) =>
      expose(
        new Proxy(
          {},
          {
            get: () => () => {
              throw error;
            },
          },
        ),
        port1,
      ),
  );
  return wrap<EngineApi>(port2);
}

function start(): { remote: EngineRemote; id: Promise<string> } {
  transferErrors();
  const remote =
    typeof Worker === 'function' && typeof window !== 'undefined'
      ? wrap<EngineApi>(new Worker(new URL('../../workers/engine.worker.ts', import.meta.url), { type: 'module', name: 'tagvault-engine' }))
      : inThreadEngine();
  return { remote, id: remote.id() };
}

function started(): { remote: EngineRemote; id: Promise<string> } {
  shared ??= start();
  return shared;
}

/** The page's engine, started on first use. */
export function engine(): EngineRemote {
  return started().remote;
}

/** The engine's id, to recognise its own change broadcasts. */
export function engineId(): Promise<string> {
  return started().id;
}
