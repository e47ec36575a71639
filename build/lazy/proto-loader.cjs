// dockerode's BuildKit session code requires gRPC when it loads; lean-labs never opens a session (it builds with
// the classic builder API), so the package is not shipped. Any use would say so instead of failing obscurely.
module.exports = new Proxy(
  {},
  {
    get(_, key) {
      if (key === '__esModule' || typeof key === 'symbol') return undefined;
      throw new Error('lean-labs does not open BuildKit sessions (the gRPC client is not part of the package)');
    },
  },
);
