import { combine, fact, type Fact } from '../outcome.js';
import type { CheckOutcome } from '../types.js';
import type { NamedResourceFacts } from '../../docker/port.js';

/** Volumes and networks are judged alike: existence, then driver. */
export function judgeNamed(what: 'volume' | 'network', name: string, exists: boolean | undefined, driver: string | undefined, found: NamedResourceFacts | null): CheckOutcome {
  if (exists === false) return combine([fact(found === null, `no ${what} ${name}`, `${what} ${name} exists`)]);
  if (!found) return { pass: false, expected: `${what} ${name} exists`, found: `there is no ${what} named ${name}` };
  const facts: Fact[] = [fact(true, `${what} ${name} exists`, 'it exists')];
  if (driver !== undefined) facts.push(fact(found.driver === driver, `its driver is ${driver}`, `its driver is ${found.driver}`));
  return combine(facts);
}
