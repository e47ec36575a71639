// Loads a package the bundled dockerode depends on, from where npm installed it, when it is first used.
// The name is not a literal, so the bundler leaves this require to run time.
const { createRequire } = require('node:module');

let fromModem;
function modemRequire() {
  if (!fromModem) {
    const fromDockerode = createRequire(require.resolve('dockerode'));
    fromModem = createRequire(fromDockerode.resolve('docker-modem'));
  }
  return fromModem;
}

exports.lazy = (name) => {
  let loaded;
  return () => (loaded ??= modemRequire()(name));
};

/** A stand-in whose properties are the real package's, loaded on the first property read. */
exports.lazyModule = (name) => {
  const real = exports.lazy(name);
  return new Proxy({}, { get: (_, key) => real()[key] });
};
