/** User-facing help text, kept next to the CLI that prints it. */
export const HELP = `lean-labs: learn how containers really work, on a real Docker engine.

Usage: npx lean-labs <command> [options]

Commands
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
  --out <file>             where the junit reporter writes (default lean-labs-junit.xml)
  --keep                   verify: leave the lab's containers for inspection (reset removes them later)
  --bail                   verify: stop at the first failing step
  --yes                    agree to installs (engine up, base image) without asking
  -h, --help               this text
  -v, --version            the version

Start here: npx lean-labs doctor, then npx lean-labs verify namespaces.`;
