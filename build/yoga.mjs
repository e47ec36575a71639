// Yoga as Ink imports it (the default export is the loaded layout engine), loaded without fetch(): Yoga's loader
// fetches its inlined WebAssembly data: URL whenever fetch exists, which loads Node's fetch implementation just to
// decode base64; with no fetch it decodes the URL itself. Nothing else runs while the bundle starts.
import { loadYoga } from 'yoga-layout/load';

export * from 'yoga-layout/load';

const fetch = globalThis.fetch;
globalThis.fetch = undefined;
let Yoga;
try {
  Yoga = await loadYoga();
} finally {
  globalThis.fetch = fetch;
}
export default Yoga;
