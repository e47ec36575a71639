// dockerode's BuildKit session code requires gRPC when it loads; lean-labs never opens a session.
const { lazy } = require('./load.cjs');
const grpc = lazy('@grpc/grpc-js');
module.exports = new Proxy({}, { get: (_, key) => grpc()[key] });
