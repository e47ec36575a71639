import type { SwarmTask } from '../../runner/docker/swarm-port.js';

/** A Swarm task as the adapter maps one: running on node n1 unless told otherwise. */
export const swarmTask = (over: Partial<SwarmTask>): SwarmTask => ({
  id: 't',
  serviceId: 's',
  nodeId: 'n1',
  state: 'running',
  desiredState: 'running',
  message: '',
  error: '',
  exitCode: null,
  containerId: 'c',
  createdAt: 1,
  updatedAt: 1,
  ...over,
});
