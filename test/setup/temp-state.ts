import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * Unit tests never write into the user's home: whatever reaches the default state folder (the parse cache of the
 * lab set, session records) lands in a temporary one made for this test file.
 */
const dir = mkdtempSync(join(tmpdir(), 'll-unit-state-'));
process.env.LEAN_LABS_STATE_DIR = dir;
process.env.XDG_STATE_HOME = join(dir, 'xdg-state');
process.env.XDG_CACHE_HOME = join(dir, 'xdg-cache');
