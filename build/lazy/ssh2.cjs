// docker-modem reads require('ssh2').Client when it loads; only ssh:// engine endpoints ever construct one.
const real = require('./load.cjs').lazy('ssh2');
module.exports = {
  Client: function Client(...args) {
    return new (real().Client)(...args);
  },
};
