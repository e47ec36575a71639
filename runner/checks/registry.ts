import type { CheckKind } from './types.js';
import { attached } from './kinds/attached.js';
import { cgroup } from './kinds/cgroup.js';
import { compose } from './kinds/compose.js';
import { container } from './kinds/container.js';
import { diff } from './kinds/diff.js';
import { dns } from './kinds/dns.js';
import { events } from './kinds/events.js';
import { exec } from './kinds/exec.js';
import { file } from './kinds/file.js';
import { health } from './kinds/health.js';
import { hostconfig } from './kinds/hostconfig.js';
import { http } from './kinds/http.js';
import { image } from './kinds/image.js';
import { labelled } from './kinds/labelled.js';
import { logs } from './kinds/logs.js';
import { namespace } from './kinds/namespace.js';
import { network } from './kinds/network.js';
import { rate } from './kinds/rate.js';
import { shell } from './kinds/shell.js';
import { volume } from './kinds/volume.js';

/** Every check kind a lab may use, by the name written in `kind:`. */
export const CHECK_KINDS: ReadonlyMap<string, CheckKind> = new Map(
  [container, hostconfig, exec, file, diff, events, http, logs, namespace, cgroup, image, volume, network, attached, dns, health, compose, rate, labelled, shell].map((k) => [k.kind, k]),
);
