// A consumer app of the packed package (e2e/package.spec.ts), the same for every bundler:
// open a vault, set, save, reopen, and a public ciphertext under the wrong filename.
import { AuthenticationError, Database, Keys } from 'tagvault';

const key = Keys.csprng();
const db = await Database.open(key, { directory: 'consumer' });
db.set('hello', { world: true });
await db.save();
const again = await Database.open(key, { directory: 'consumer' });
const ct = await again.jsonEncrypt('x', { filename: 'f' });
const wrong = await again.jsonDecrypt(ct, { filename: 'g' }).catch((e) => e instanceof AuthenticationError);
window.result = { value: again.get('hello'), wrong };
