// cell-devices CONFIG: gives every device of a container's OCI config its path inside the learner's cell, bound
// from the cell's node of the same kind and number (see cell-runc). Paths outside /dev are left alone.
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const config = JSON.parse(readFileSync(process.argv[2], 'utf8'));
const wanted = (config.linux?.devices ?? []).filter((d) => typeof d.path === 'string' && d.path.startsWith('/dev/') && !d.path.includes('..') && !existsSync(d.path));
if (wanted.length) {
  const nodes = [];
  const walk = (dir) => {
    for (const name of readdirSync(dir)) {
      const p = join(dir, name);
      try {
        const st = statSync(p);
        if (st.isCharacterDevice() || st.isBlockDevice()) nodes.push({ p, st });
        else if (st.isDirectory() && !['pts', 'shm', 'mqueue'].includes(name)) walk(p);
      } catch {
        // gone meanwhile
      }
    }
  };
  walk('/dev');
  const rdev = (major, minor) => major * 256 + (minor & 0xff) + ((minor & ~0xff) << 12);
  for (const d of wanted) {
    const from = nodes.find(({ st }) => st.rdev === rdev(d.major, d.minor) && (d.type === 'b' ? st.isBlockDevice() : st.isCharacterDevice()));
    if (!from) continue; // the cell has no such device: runc says so
    mkdirSync(dirname(d.path), { recursive: true });
    writeFileSync(d.path, '');
    execFileSync('mount', ['--bind', from.p, d.path]);
  }
}
