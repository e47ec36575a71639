/**
 * The sandbox agent's own entry point (dist/class-agent.js, the class image's command). It is bundled apart from
 * the CLI: the agent needs only ws, its outbox and process helpers, and a Node process that loads 100 KB instead of
 * the CLI's 2 MB holds less memory in every sandbox and starts faster when a whole class starts at once.
 */
import { LOAD_IMAGES, SandboxAgent, agentOptionsFromEnv, loadClassImages } from './agent.js';

try {
  if (process.argv[2] === LOAD_IMAGES) await loadClassImages(agentOptionsFromEnv());
  else await new SandboxAgent(agentOptionsFromEnv()).run();
} catch (err) {
  process.stderr.write(`lean-labs sandbox agent: ${(err as Error).message}\n`);
  process.exit(1);
}
