// The runner bundle never connects to React DevTools; ink only loads this when DEV is set.
export default { initialize() {}, connectToDevTools() {} };
