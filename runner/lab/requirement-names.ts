/**
 * What an engine may lack that a lab, or one check of it, needs. Names only: the lab parser knows them; the engine
 * layer (engine/requirements.ts) knows how to tell whether an engine has each, and says why not.
 */
export const REQUIREMENT_NAMES = ['swap-limit', 'cpu-quota', 'cpu-shares', 'cpuset', 'compose-v2'] as const;
export type Requirement = (typeof REQUIREMENT_NAMES)[number];

export const isRequirement = (name: string): name is Requirement => (REQUIREMENT_NAMES as readonly string[]).includes(name);
