// dockerode's BuildKit session code requires gRPC when it loads; lean-labs never opens a session.
module.exports = require('./load.cjs').lazyModule('@grpc/grpc-js');
