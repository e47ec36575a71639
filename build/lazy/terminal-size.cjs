// Ink asks terminal-size for the screen's size only when its output has none (a pipe, a test), and terminal-size
// loads node:child_process as it loads: a few ms of every start. The bundle loads it when Ink first asks.
let terminalSize;
module.exports = (...args) => (terminalSize ??= require('terminal-size').default)(...args);
