import { CHECK_KINDS } from './registry.js';
import type { CheckSpec } from '../lab/types.js';

/** What the learner and the reports call a check: the author's `title:`, or what the kind says it checks. */
export function checkTitle(spec: CheckSpec): string {
  return spec.title ?? CHECK_KINDS.get(spec.kind)?.describe(spec.fields) ?? spec.kind;
}
