// dockerode decodes BuildKit's progress with protobufjs, and only in Docker#followProgress, which lean-labs never
// calls (it builds with the classic builder API and reads the stream itself), so the package is not shipped. Any
// use would say so instead of failing obscurely.
module.exports = new Proxy(
  {},
  {
    get(_, key) {
      if (key === '__esModule' || typeof key === 'symbol') return undefined;
      throw new Error('lean-labs does not decode BuildKit progress (protobufjs is not part of the package)');
    },
  },
);
