import { createRequire } from 'node:module';

/**
 * A CommonJS package loaded when first needed, from the bundle or from node_modules. The caller writes the literal
 * `() => require('name')`: in the bundle, `require` exists and the bundler resolves that call to its own copy
 * (evaluated then, not at start-up); from the TypeScript output or the tests, Node loads `name` from node_modules.
 */
export function commonJs<T>(bundled: () => unknown, name: string): T {
  return (typeof require === 'function' ? bundled() : createRequire(import.meta.url)(name)) as T;
}
