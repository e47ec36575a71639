// See grpc.cjs: loaded only if a BuildKit session is ever opened.
module.exports = require('./load.cjs').lazyModule('@grpc/proto-loader');
