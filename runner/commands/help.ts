/** User-facing help text, kept next to the CLI that prints it. */
export const HELP = `lean-labs: learn how containers really work, on a real Docker engine.

Usage: npx lean-labs <command> [options]

Commands
  start [lab]              the interactive runner: pick a lab, type its commands in your own terminal,
                           watch each check turn green (needs a terminal)
  slides [deck]            list the talk's decks, or present one on localhost (--port, --open);
                           --out <dir> writes a self-contained copy (works from file://, prints one slide a page)
  list                     the labs: id, title, duration, steps
  new <id>                 write a lab skeleton that already verifies (--labs <dir>, default ./labs)
  verify [lab...]          run labs end to end and prove every step (all labs when none is named)
  reset <lab>              remove what a lab made, and nothing else
  doctor                   check the engine, cgroups, Compose, the docker CLI and the lab images
  engine up | down         start (installing if needed, Linux + root) or stop a local engine; down --purge undoes the install
  images                   list the lab images: present or missing, size
  images build [name...]   build missing lab images (--rebuild: again from scratch, no cache)
  images bootstrap         make the Debian base image without a registry (debootstrap)
  class up                 instructor, on a swarm manager: a sandbox engine per learner, a class server
                           (--learners N, --name, --labs a,b, --memory 2g, --reserve 3, --port, --advertise-addr)
  class status | export    instructor: who is on which step (table); results as CSV or JSONL (--out, --format)
  class add-machine        instructor: what to run on another machine so it takes sandboxes (class image, swarm join)
  class down               instructor: remove everything of the class from the swarm, on every node (its results stay)
  class join <address>     learner: your sandbox's shell in this terminal (--code, --name)

Options
  --labs <dir>             load labs from <dir> instead of the bundled ones
  --reporter <name>        verify output: plain (default), tap, junit
  --out <file|dir>         verify --reporter junit: the report file (default lean-labs-junit.xml); slides: the export folder
  --keep                   verify: leave the lab's containers for inspection (reset removes them later)
  --bail                   verify: stop at the first failing step
  --jobs <n>               verify: prove n labs side by side (default 1), reported in lab order
  --watch                  verify <lab>: prove it again whenever its files change, showing only what changed
  --presenter              start: type each command out visibly before running it (live demos)
  --pane                   start, inside tmux: open a shell pane beside the runner in the lab's folder
  --yes                    agree to installs (engine up, base image) without asking
  -h, --help               this text; \`npx lean-labs <command> --help\` for one command and its options
  -v, --version            the version

Start here: npx lean-labs engine up (if no engine runs), then npx lean-labs start.`;

/** One command's usage, what it does, and the options it takes (every other option is refused). */
export interface CommandHelp {
  readonly usage: string;
  readonly about: string;
  readonly options: readonly string[];
}

const OPTION_TEXT: Record<string, string> = {
  labs: '--labs <dir>             load labs from <dir> instead of the bundled ones',
  reporter: '--reporter <name>        plain (default), tap or junit',
  out: '--out <file|dir>         verify --reporter junit: the report file; slides: the export folder',
  keep: "--keep                   leave the lab's containers for inspection (reset removes them later)",
  bail: '--bail                   stop at the first failing step',
  jobs: "--jobs <n>               prove n labs side by side (default 1); the report keeps the labs' order",
  presenter: '--presenter              type each command out visibly before running it (live demos)',
  pane: "--pane                   inside tmux: open a shell pane beside the runner in the lab's folder",
  yes: '-y, --yes                agree to installs (engine, base image, images) without asking',
  purge: '--purge                  engine down: also remove the packages and apt files engine up added',
  rebuild: '--rebuild                build again from scratch, without the layer cache',
  port: '--port <n>               the port to serve on (default: any free one)',
  open: '--open                   open the deck in a browser',
  watch: "--watch                  prove one lab again whenever its files change, showing what changed (authors' loop)",
  learners: '--learners <n>           class up: how many learners (one sandbox each)',
  name: '--name <name>            the class (default "class"); class join: your display name',
  reserve: '--reserve <n>            class up: warm spare sandboxes beyond the learners (default: 10%, at most 3)',
  memory: '--memory <size>          class up: memory limit of each sandbox (default 2g)',
  reservation: '--reservation <size>     class up: memory Swarm keeps free for each sandbox when placing it (default: the limit, at most 512m)',
  format: "--format csv|jsonl       class export: the file format (default csv, or from --out's extension)",
  code: '--code <code>            class join: the join code the instructor gave',
  'advertise-addr': '--advertise-addr <ip>    class up: the address other machines reach this one on, if it starts the swarm',
  'no-wait': '--no-wait                class up: return at once instead of showing the sandboxes come up',
  'stuck-after': '--stuck-after <min>      class up: the dashboard marks a learner stuck after this many minutes without progress (default 10)',
};

export const COMMANDS: Record<string, CommandHelp> = {
  start: {
    usage: 'start [lab]',
    about: 'The interactive runner: pick a lab, type its commands in your own terminal, and watch each check turn green. Needs a terminal; `?` inside lists the keys.',
    options: ['labs', 'presenter', 'pane', 'yes'],
  },
  slides: {
    usage: 'slides [deck]',
    about: "Lists the talk's decks, or presents one on http://127.0.0.1:<port>/. With --out, writes a self-contained copy instead.",
    options: ['labs', 'port', 'open', 'out'],
  },
  new: {
    usage: 'new <id> [--labs <dir>]',
    about: 'Writes <dir>/<id>/lab.md (default dir: ./labs): a small lab that already verifies, with every field explained in a comment. Never writes over an existing lab.',
    options: ['labs'],
  },
  list: { usage: 'list', about: 'The labs: id, duration, steps, title; and the mistakes of any lab that does not parse.', options: ['labs'] },
  verify: {
    usage: 'verify [lab...]',
    about:
      'Runs labs end to end: every check must fail before its step and pass after it, then nothing of the lab may remain. All labs when none is named. Exit code 1 on any failure, 2 for a malformed lab.',
    options: ['labs', 'reporter', 'out', 'keep', 'bail', 'jobs', 'watch', 'yes'],
  },
  reset: { usage: 'reset <lab>', about: 'Removes what the lab made, and never your own things.', options: ['labs'] },
  doctor: { usage: 'doctor', about: 'Checks the engine (which endpoint, and why), cgroups, Compose v2, the docker CLI and the lab images; each problem with its fix.', options: ['labs'] },
  engine: {
    usage: 'engine up | down [--purge]',
    about:
      'Linux, root: starts a local engine (when it must install Debian packages first, it lists every change it will make and asks), or stops one it started (checking the pid is still that dockerd). `down --purge` also removes the packages and apt files `up` added, and only those.',
    options: ['yes', 'purge'],
  },
  class: {
    usage: 'class up | status | export | add-machine | down | join <address>',
    about:
      "The classroom. On a Docker Swarm manager, `class up --learners N` starts a class server and one sandbox engine per learner (a Swarm service each, plus warm spares; `--labs a,b` picks the labs, by id), and prints the learners' address, the join code and the instructor's live dashboard (`/dashboard?token=…`). `class status` shows each learner's lab, step and checks; `class export --out results.csv` gives time per step, hints and solves; `class add-machine` prints what to run on another machine so it takes sandboxes (load the class image from the class server, join the swarm). `class down` removes every sandbox, network, secret and volume of the class, on every node, and nothing else. Learners open the address in a browser (join code, name, then their sandbox's terminal in the page), or run `class join <address>`: the same shell, with the runner, in their own terminal.",
    options: ['learners', 'name', 'labs', 'reserve', 'memory', 'reservation', 'port', 'advertise-addr', 'stuck-after', 'no-wait', 'out', 'format', 'code', 'yes'],
  },
  images: {
    usage: 'images [build [name...] | bootstrap]',
    about: 'Lists the lab images (present or missing, which labs use them), builds missing ones, or makes the Debian base image without a registry.',
    options: ['labs', 'rebuild', 'yes'],
  },
};

export function commandHelp(name: string): string {
  const c = COMMANDS[name]!;
  const options = [...c.options.map((o) => OPTION_TEXT[o]!), '-h, --help               this text'];
  return `Usage: npx lean-labs ${c.usage}\n\n${wrap(c.about, 100)}\n\nOptions\n${options.map((o) => `  ${o}`).join('\n')}`;
}

function wrap(text: string, width: number): string {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  return [...lines, line].join('\n');
}
