// The engine's dedicated module Worker: keys, crypto and IndexedDB live here, so the page's
// main thread never blocks on them. The page reaches it as `Remote<EngineApi>` (src/wire/client.ts).
import { expose } from 'comlink';
import { Engine } from '../src/engine/engine';
import { transferErrors } from '../src/wire/error-transfer';

transferErrors();
expose(new Engine());
