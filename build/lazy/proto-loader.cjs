// See grpc.cjs: loaded only if a BuildKit session is ever opened.
const { lazy } = require('./load.cjs');
const loader = lazy('@grpc/proto-loader');
module.exports = new Proxy({}, { get: (_, key) => loader()[key] });
