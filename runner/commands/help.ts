/** User-facing help text, kept next to the CLI that prints it. */
export const HELP = `lean-labs: learn how containers really work, on a real Docker engine.

Usage: npx lean-labs <command> [options]

Commands
  start [lab]              the interactive runner: pick a lab, type its commands in your own terminal,
                           watch each check turn green (needs a terminal)
  slides [deck]            list the talk's decks, or present one on localhost (--port, --open);
                           --out <dir> writes a self-contained copy (works from file://, prints one slide a page)
  list                     the labs: id, title, duration, steps
  verify [lab...]          run labs end to end and prove every step (all labs when none is named)
  reset <lab>              remove what a lab made, and nothing else
  doctor                   check the engine, cgroups, Compose, the docker CLI and the lab images
  engine up | down         start (installing if needed, Linux + root) or stop a local engine
  images                   list the lab images: present or missing, size
  images build [name...]   build missing lab images (--rebuild: again from scratch, no cache)
  images bootstrap         make the Debian base image without a registry (debootstrap)

Options
  --labs <dir>             load labs from <dir> instead of the bundled ones
  --reporter <name>        verify output: plain (default), tap, junit
  --out <file|dir>         verify --reporter junit: the report file (default lean-labs-junit.xml); slides: the export folder
  --keep                   verify: leave the lab's containers for inspection (reset removes them later)
  --bail                   verify: stop at the first failing step
  --presenter              start: type each command out visibly before running it (live demos)
  --pane                   start, inside tmux: open a shell pane beside the runner in the lab's folder
  --yes                    agree to installs (engine up, base image) without asking
  -h, --help               this text
  -v, --version            the version

Start here: npx lean-labs engine up (if no engine runs), then npx lean-labs start.`;
