// docker-modem reads require('ssh2').Client when it loads. lean-labs reaches ssh:// engines through the user's own
// ssh client instead (runner/docker/ssh-dial.ts, as the docker CLI does), so ssh2 is never constructed or shipped.
module.exports = {
  Client: function Client() {
    throw new Error('lean-labs reaches ssh:// engines through the ssh client, not the ssh2 library');
  },
};
